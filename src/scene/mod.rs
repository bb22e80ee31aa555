//! From (board state, layout, time) to a display list.
//!
//! [`build`] is a pure function: the same board, layout, status, time and size always give the
//! same display list, so any moment of the board can be rendered and tested.

mod build;
pub mod display;
pub mod hours;
pub mod metrics;
pub mod polish;
pub mod qr;
pub mod shown_clock;
pub mod words;

pub use build::languages;
pub use build::overlay;
pub use build::{ClosedLook, Link, Scene, Status, build, is_stale};
pub use build::{QrPlacement, queue_code_placement};
pub use display::*;
pub use hours::OpeningHours;
pub use shown_clock::ShownClock;

#[cfg(test)]
mod tests;
