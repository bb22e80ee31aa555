//! Helpers shared by the test binaries that capture sound or run the real binary.
//!
//! - [`capture`]: ALSA configurations that route the default device into a FIFO, the FIFO read
//!   at real-time pace, and the analysis of what was heard (onsets, which sound, how long).
//! - [`procs`]: child processes that are killed when a test ends, Xvfb, screenshots and
//!   line-by-line logs with the moment each line arrived.
#![allow(dead_code)]

pub mod capture;
pub mod feed;
pub mod procs;
