//! tablica: the waiting-room monitor of a resident-service point.
//!
//! The crate is a pure core with thin shells around it:
//! [`protocol`] decodes the queue system's messages, [`board`] is the reducer that turns them into
//! the board's state (its presenter says whose turn on screen begins, and so when to chime), the
//! scene turns state, layout and time into a display list, and the renderer draws that list.
//! Network, clock, audio, files and the window are shells around this core; a test
//! (`core_boundary`) keeps the core free of them (docs/ARCHITECTURE.md).

pub mod app;
pub mod audio;
pub mod board;
pub mod bridge;
pub mod cmd;
pub mod color;
pub mod config;
#[cfg(test)]
mod core_boundary;
pub mod deploy;
pub mod feed;
pub mod fleet;
pub mod fonts;
pub mod health;
pub mod layout;
pub mod layout_files;
pub mod protocol;
pub mod render;
pub mod scenarios;
pub mod scene;
pub mod sim;
pub mod supervise;
pub mod voice;
