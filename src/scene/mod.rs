//! From (board state, layout, time) to a display list.

pub mod display;

pub use display::*;
