//! The link: liveness counted in protocol frames, close reasons kept, tokens re-read and never
//! logged, settings checked against the protocol, supervised threads.
