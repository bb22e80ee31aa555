//! The fault-injection suite (issue: hardening): one test per way a hostile server, a careless
//! designer or a failing mini-PC could wedge the board, crash-loop it or make it show a stale call.
//!
//! Each module covers one kind of fault; every test was written to fail on the code before its
//! fix. Servers listen on 127.0.0.1 only and every wait has a limit that says what it waited for.

#[path = "../support/mod.rs"]
mod support;

mod data;
mod layout;
mod link;
mod screen;
