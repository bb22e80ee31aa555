//! Data from the server: poison fields and events, empty boards, snapshots as truth, stale calls
//! after an outage, stream identity and seq going backwards.
