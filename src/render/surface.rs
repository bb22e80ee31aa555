//! Presenting to a window: surface configuration, resizing, and every outcome of acquiring a
//! frame in wgpu 30.

use std::sync::Arc;

use thiserror::Error;
use winit::dpi::PhysicalSize;
use winit::window::Window;

use super::gpu::{Gpu, GpuError};
use super::renderer::{FrameStats, RenderError, Renderer};
use crate::scene::display::DisplayList;

#[derive(Debug, Error)]
pub enum SurfaceError {
    #[error("the adapter cannot present to this window (no supported formats)")]
    Unsupported,
}

/// Why no frame was drawn this time. All of these are transient: call again next frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// The window has zero size (minimised, or not mapped yet).
    ZeroSize,
    /// The presentation engine did not hand out a texture in time.
    Timeout,
    /// The window is hidden.
    Occluded,
    /// The surface was out of date or lost; it has been reconfigured or recreated.
    Reconfigured,
    /// wgpu reported a validation error while acquiring (already logged).
    Validation,
}

/// What [`WindowSurface::draw`] did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameOutcome {
    Presented(FrameStats),
    Skipped(Skipped),
}

/// An acquired frame: render into `view`, then hand it to [`WindowSurface::present`].
pub struct SurfaceFrame {
    texture: wgpu::SurfaceTexture,
    pub view: wgpu::TextureView,
    suboptimal: bool,
}

/// A window's drawing surface, kept configured to the window's size.
pub struct WindowSurface {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// False while the window has zero size: wgpu forbids configuring a 0 × 0 surface.
    configured: bool,
}

impl WindowSurface {
    /// Connects to a GPU for `window` and configures its surface. Returns the GPU too, since it
    /// must be the one the surface was made with.
    pub fn create(
        window: Arc<Window>,
        retained_frame: bool,
    ) -> Result<(Gpu, WindowSurface), CreateError> {
        let (gpu, surface) = Gpu::for_window(window.clone())?;
        let surface = WindowSurface::new(&gpu, surface, window, retained_frame)?;
        Ok((gpu, surface))
    }

    /// Wraps a surface created by [`Gpu::for_window`] and configures it to the window's size.
    pub fn new(
        gpu: &Gpu,
        surface: wgpu::Surface<'static>,
        window: Arc<Window>,
        retained_frame: bool,
    ) -> Result<WindowSurface, SurfaceError> {
        let caps = surface.get_capabilities(&gpu.adapter);
        let format = surface_format(&caps.formats).ok_or(SurfaceError::Unsupported)?;
        let alpha_mode = caps
            .alpha_modes
            .first()
            .copied()
            .unwrap_or(wgpu::CompositeAlphaMode::Auto);
        let size = window.inner_size();
        // Frames are drawn into a texture kept across frames and copied onto the surface, so
        // that a frame redraws only what changed (`Renderer::render_retained`); a surface that
        // cannot be copied to is drawn into directly, whole.
        let usage = surface_usage(caps.usages, retained_frame);
        let config = wgpu::SurfaceConfiguration {
            usage,
            format,
            color_space: Default::default(),
            width: size.width,
            height: size.height,
            present_mode: wgpu::PresentMode::AutoVsync,
            // A board draws a frame when something changes, not continuously: queueing a second
            // frame buys no throughput, and each swapchain image it needs is a full-screen
            // buffer (8 MB at 1920×1080, 33 MB at 4K). wgpu raises this to the driver's minimum.
            desired_maximum_frame_latency: 1,
            alpha_mode,
            view_formats: vec![],
        };
        tracing::info!(
            ?format,
            width = size.width,
            height = size.height,
            "window surface"
        );
        let mut this = WindowSurface {
            window,
            surface,
            config,
            configured: false,
        };
        this.configure(gpu);
        Ok(this)
    }

    /// The format to create the [`Renderer`] with.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.config.format
    }

    /// Current size in pixels.
    pub fn size(&self) -> PhysicalSize<u32> {
        PhysicalSize::new(self.config.width, self.config.height)
    }

    /// Follows a window resize (`WindowEvent::Resized`; a scale-factor change that alters the
    /// size in pixels arrives as a `Resized` too, so it needs no call of its own). A 0 × 0 size
    /// (minimised window) is remembered but not configured; frames are skipped until it grows.
    pub fn resize(&mut self, gpu: &Gpu, size: PhysicalSize<u32>) {
        if size.width == self.config.width && size.height == self.config.height && self.configured {
            return;
        }
        self.config.width = size.width;
        self.config.height = size.height;
        self.configure(gpu);
    }

    fn configure(&mut self, gpu: &Gpu) {
        let max = gpu.max_texture_side();
        if self.config.width == 0 || self.config.height == 0 {
            self.configured = false;
            return;
        }
        self.config.width = self.config.width.min(max);
        self.config.height = self.config.height.min(max);
        self.surface.configure(&gpu.device, &self.config);
        self.configured = true;
    }

    /// Acquires the next frame, handling every outcome wgpu can report. `Err` says why there is
    /// no frame this time; the surface has already been repaired where that is possible.
    pub fn acquire(&mut self, gpu: &Gpu) -> Result<SurfaceFrame, Skipped> {
        if !self.configured {
            // The window may have been resized without an event reaching us (no window manager
            // under Xvfb); pick the size up here.
            let size = self.window.inner_size();
            self.config.width = size.width;
            self.config.height = size.height;
            self.configure(gpu);
            if !self.configured {
                return Err(Skipped::ZeroSize);
            }
        }
        let (texture, suboptimal) = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(texture) => (texture, false),
            wgpu::CurrentSurfaceTexture::Suboptimal(texture) => (texture, true),
            wgpu::CurrentSurfaceTexture::Timeout => return Err(Skipped::Timeout),
            wgpu::CurrentSurfaceTexture::Occluded => return Err(Skipped::Occluded),
            wgpu::CurrentSurfaceTexture::Outdated => {
                tracing::debug!("surface outdated; reconfiguring");
                self.reconfigure_to_window(gpu);
                return Err(Skipped::Reconfigured);
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                tracing::warn!("surface lost; recreating");
                match gpu.instance.create_surface(self.window.clone()) {
                    Ok(surface) => {
                        self.surface = surface;
                        self.reconfigure_to_window(gpu);
                    }
                    Err(err) => tracing::error!(%err, "cannot recreate the surface"),
                }
                return Err(Skipped::Reconfigured);
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                tracing::error!("validation error while acquiring a frame");
                return Err(Skipped::Validation);
            }
        };
        let view = texture
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        Ok(SurfaceFrame {
            texture,
            view,
            suboptimal,
        })
    }

    /// Presents a frame, then lets wgpu reclaim finished work; without the poll, memory held by
    /// completed submissions grows for as long as the board runs.
    pub fn present(&mut self, gpu: &Gpu, frame: SurfaceFrame) {
        let SurfaceFrame {
            texture,
            view,
            suboptimal,
        } = frame;
        drop(view);
        gpu.queue.present(texture);
        if let Err(err) = gpu.device.poll(wgpu::PollType::Poll) {
            tracing::warn!(%err, "device poll after present failed");
        }
        if suboptimal {
            tracing::debug!("surface suboptimal; reconfiguring after present");
            self.reconfigure_to_window(gpu);
        }
    }

    /// Acquires, renders `list` with `renderer` and presents: the whole frame in one call.
    pub fn draw(
        &mut self,
        gpu: &Gpu,
        renderer: &mut Renderer,
        list: &DisplayList,
    ) -> Result<FrameOutcome, RenderError> {
        let frame = match self.acquire(gpu) {
            Ok(frame) => frame,
            Err(skipped) => return Ok(FrameOutcome::Skipped(skipped)),
        };
        let stats = if self.config.usage.contains(wgpu::TextureUsages::COPY_DST) {
            renderer.render_retained(gpu, list, &frame.texture.texture)
        } else {
            renderer.render(gpu, list, &frame.view)
        }?;
        self.present(gpu, frame);
        Ok(FrameOutcome::Presented(stats))
    }

    fn reconfigure_to_window(&mut self, gpu: &Gpu) {
        let size = self.window.inner_size();
        self.config.width = size.width;
        self.config.height = size.height;
        self.configure(gpu);
    }
}

/// Failure to set up drawing into a window.
#[derive(Debug, Error)]
pub enum CreateError {
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error(transparent)]
    Surface(#[from] SurfaceError),
}

/// The surface format a window draws in, of those the driver offers.
///
/// Colours in the display list are sRGB, written as they are into a plain 8-bit surface and
/// blended in sRGB space, as offscreen frames are (`OFFSCREEN_FORMAT` says why), so that a window
/// shows what the goldens and previews show. Where the driver offers only sRGB formats, the
/// renderer converts colours to linear light instead and the picture is the same but for
/// anti-aliased edges.
fn surface_format(offered: &[wgpu::TextureFormat]) -> Option<wgpu::TextureFormat> {
    use wgpu::TextureFormat::{Bgra8Unorm, Rgba8Unorm};
    offered
        .iter()
        .copied()
        .find(|f| matches!(f, Bgra8Unorm | Rgba8Unorm))
        .or_else(|| offered.iter().copied().find(|f| !f.is_srgb()))
        .or_else(|| offered.first().copied())
}

/// How the surface's textures are used: drawn into, and copied into from the retained frame when
/// frames are retained and the driver allows copies to the surface. Without `COPY_DST` the
/// window draws every frame whole, straight into the surface (`WindowSurface::draw`).
fn surface_usage(offered: wgpu::TextureUsages, retained_frame: bool) -> wgpu::TextureUsages {
    if retained_frame && offered.contains(wgpu::TextureUsages::COPY_DST) {
        wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_DST
    } else {
        wgpu::TextureUsages::RENDER_ATTACHMENT
    }
}

#[cfg(test)]
mod tests {
    use super::{surface_format, surface_usage};
    use wgpu::TextureFormat::*;

    #[test]
    fn a_plain_eight_bit_format_is_chosen_over_srgb() {
        // What lavapipe offers under X11, sRGB first.
        assert_eq!(
            surface_format(&[Bgra8UnormSrgb, Bgra8Unorm]),
            Some(Bgra8Unorm)
        );
        assert_eq!(
            surface_format(&[Rgba16Float, Rgba8UnormSrgb, Rgba8Unorm]),
            Some(Rgba8Unorm)
        );
        assert_eq!(surface_format(&[Bgra8UnormSrgb]), Some(Bgra8UnormSrgb));
        assert_eq!(surface_format(&[]), None);
    }

    #[test]
    fn frames_are_retained_only_when_asked_and_possible() {
        use wgpu::TextureUsages as U;
        let offered = U::RENDER_ATTACHMENT | U::COPY_DST | U::COPY_SRC;
        assert_eq!(
            surface_usage(offered, true),
            U::RENDER_ATTACHMENT | U::COPY_DST
        );
        assert_eq!(surface_usage(offered, false), U::RENDER_ATTACHMENT);
        assert_eq!(
            surface_usage(U::RENDER_ATTACHMENT, true),
            U::RENDER_ATTACHMENT
        );
    }
}
