//! The one root of helpers shared by the test binaries (`mod support;` in each).
//!
//! - [`render`]: one GPU device per binary and golden-image comparison.
//! - [`feed`]: a hand-driven websocket server, a display fed by it, and wire events to send.
//! - [`capture`]: ALSA configurations that route the default device into a FIFO, the FIFO read
//!   at real-time pace, and the analysis of what was heard (onsets, which sound, how long).
//! - [`http`]: plain HTTP requests to the health endpoint and the fleet page.
//! - [`procs`]: child processes that are killed when a test ends, Xvfb, screenshots, free ports
//!   and line-by-line logs with the moment each line arrived.
#![allow(dead_code)]

pub mod capture;
pub mod feed;
pub mod http;
pub mod procs;
pub mod render;
