//! Rendering to an image in memory: for tests, screenshots and previews of a layout.

use super::rotate::{Rotator, Turns};
use std::path::Path;

use image::RgbaImage;

use super::gpu::Gpu;
use super::renderer::{RenderError, Renderer};
use crate::scene::display::DisplayList;

/// The format offscreen frames are rendered in; create the [`Renderer`] with it.
///
/// A plain (not sRGB) target, as a window's surface is where the driver offers one: colours and
/// pictures are written as the sRGB values they are, and anti-aliased edges and text blend in
/// sRGB space, as browsers blend. An sRGB target would blend in linear light, which a GPU does for
/// free but a software rasteriser (lavapipe, what a display PC without a working GPU driver uses)
/// pays for on every pixel: about a third of a frame (docs/BENCHMARKS.md).
pub const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Renders `list` at its own size and reads the pixels back (sRGB, straight alpha).
///
/// A 0 × 0 list gives an empty image. Sizes beyond the device's texture limit are clamped.
pub fn render_to_image(
    gpu: &Gpu,
    renderer: &mut Renderer,
    list: &DisplayList,
) -> Result<RgbaImage, RenderError> {
    render_turned_to_image(gpu, renderer, None, list)
}

/// Like [`render_to_image`], with the picture turned as on a monitor mounted in portrait: the
/// image has the panel's size, `list` the upright board's.
pub fn render_turned_to_image(
    gpu: &Gpu,
    renderer: &mut Renderer,
    turn: Option<(&mut Rotator, Turns)>,
    list: &DisplayList,
) -> Result<RgbaImage, RenderError> {
    let _span = tracing::debug_span!("render_to_image", list.width, list.height).entered();
    let max = gpu.max_texture_side();
    let turns = turn.as_ref().map_or(Turns(0), |(_, t)| *t);
    let (w, h) = turns.board_size(list.width, list.height);
    let (width, height) = (w.min(max), h.min(max));
    if width == 0 || height == 0 {
        return Ok(RgbaImage::new(width, height));
    }
    let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("offscreen frame"),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: renderer.format(),
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    match turn {
        Some((rotator, turns)) => rotator.render(gpu, renderer, list, turns, &view)?,
        None => renderer.render(gpu, list, &view)?,
    };
    read_back(gpu, &texture)
}

/// Copies a finished RGBA8 or BGRA8 texture (made with `COPY_SRC`) to memory as RGBA, dropping
/// the row padding the copy requires.
pub fn read_back(gpu: &Gpu, texture: &wgpu::Texture) -> Result<RgbaImage, RenderError> {
    let (width, height) = (texture.width(), texture.height());
    let row_bytes = width * 4;
    let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
    let padded_row_bytes = row_bytes.div_ceil(align) * align;
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("frame readback"),
        size: padded_row_bytes as u64 * height as u64,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame readback"),
        });
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded_row_bytes),
                rows_per_image: Some(height),
            },
        },
        texture.size(),
    );
    gpu.queue.submit([encoder.finish()]);

    let (sender, receiver) = std::sync::mpsc::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let _ = sender.send(result);
    });
    gpu.device.poll(wgpu::PollType::wait_indefinitely())?;
    receiver
        .recv()
        .map_err(|_| RenderError::Readback("map callback never ran".into()))?
        .map_err(|err| RenderError::Readback(err.to_string()))?;
    let mut pixels = Vec::with_capacity((row_bytes * height) as usize);
    {
        let mapped = buffer
            .get_mapped_range(..)
            .map_err(|err| RenderError::Readback(err.to_string()))?;
        for row in mapped.chunks_exact(padded_row_bytes as usize) {
            pixels.extend_from_slice(&row[..row_bytes as usize]);
        }
    }
    buffer.unmap();
    let mut image = RgbaImage::from_raw(width, height, pixels)
        .ok_or_else(|| RenderError::Readback("pixel count does not match the size".into()))?;
    if texture.format().remove_srgb_suffix() == wgpu::TextureFormat::Bgra8Unorm {
        for pixel in image.pixels_mut() {
            pixel.0.swap(0, 2);
        }
    }
    Ok(image)
}

/// Writes an image as PNG.
pub fn save_png(image: &RgbaImage, path: &Path) -> Result<(), RenderError> {
    image
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|source| RenderError::Save {
            path: path.to_owned(),
            source,
        })
}
