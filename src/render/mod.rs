//! The renderer: draws a [`DisplayList`](crate::scene::display::DisplayList) with wgpu.
//!
//! One drawing path serves both a window ([`surface::WindowSurface`]) and offscreen images
//! ([`render_to_image`]). Items are drawn in list order: consecutive items of one kind are batched
//! (shapes, pictures, text), and the batches are drawn in sequence in a single render pass.
//! Offscreen frames are drawn whole ([`Renderer::render`]); a window's frames go into a frame kept
//! across frames, where only the rectangles that changed are redrawn ([`Renderer::render_retained`],
//! `damage`), and are then copied onto the surface.
//!
//! Offscreen:
//! ```no_run
//! # use tablica::render::*;
//! # use tablica::scene::display::*;
//! let gpu = Gpu::headless()?;
//! let mut renderer = Renderer::new(&gpu, OFFSCREEN_FORMAT);
//! let list = DisplayList::new(1920, 1080, Color::rgb(10, 20, 40));
//! let image = render_to_image(&gpu, &mut renderer, &list)?;
//! save_png(&image, std::path::Path::new("board.png"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod color;
mod damage;
mod glyphs;
mod gpu;
pub mod images;
mod offscreen;
mod pipeline;
mod renderer;
pub mod rotate;
mod shapes;
pub mod surface;
pub mod text;

pub use gpu::{Gpu, GpuError};
pub use images::{ImageError, load_image};
pub use offscreen::{
    OFFSCREEN_FORMAT, read_back, render_to_image, render_turned_to_image, save_png,
};
pub use renderer::{FrameStats, RenderError, Renderer};
pub use rotate::{Rotator, Turns};
pub use surface::{FrameOutcome, Skipped, WindowSurface};
pub use text::{FittedLine, FittedText, fit};
