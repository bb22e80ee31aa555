//! The renderer: draws a [`DisplayList`](crate::scene::display::DisplayList) with wgpu.
pub mod text;
