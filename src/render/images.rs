//! Pictures: loading files into textures (cached by path and modification time) and drawing them
//! as textured quads (see `shaders/image.wgsl`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytemuck::{Pod, Zeroable};
use image::RgbaImage;
use thiserror::Error;

use super::text::rect_is_drawable;
use crate::layout_files::asset::{
    AssetError, AssetKind, MAX_IMAGE_SIDE as MAX_PICTURE_SIDE, read_asset,
};
use crate::scene::display::{ImageFit, ImageItem, Rect};

/// No picture on a board needs more than this on a side; larger ones are downscaled on load.
pub const MAX_IMAGE_SIDE: u32 = 4096;

/// Decoding stops with an error above this allocation, so a 30 000 × 30 000 poster in the media
/// folder costs a log line instead of the machine's memory.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// Images unused for this many frames are dropped from the cache.
const EVICT_AFTER_FRAMES: u64 = 600;

/// Why a picture could not be used.
#[derive(Debug, Error)]
pub enum ImageError {
    #[error("cannot use image {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: AssetError,
    },
    #[error("cannot decode image {path}: {source}")]
    Decode {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    #[error("image {path} is empty (0 × 0)")]
    Empty { path: PathBuf },
}

/// Decodes a picture file and scales it down to fit `max_side` (aspect ratio kept).
///
/// The file is read with the one bounded reader for files a layout names (a regular file of at
/// most 16 MiB: /dev/zero or a FIFO is refused at once), and a picture larger than
/// [`MAX_PICTURE_SIDE`] on a side is refused before its pixels are allocated.
pub fn load_image(path: &Path, max_side: u32) -> Result<RgbaImage, ImageError> {
    let data = read_asset(path, AssetKind::Image).map_err(|source| ImageError::Open {
        path: path.to_owned(),
        source,
    })?;
    let decode_err = |source| ImageError::Decode {
        path: path.to_owned(),
        source,
    };
    let mut reader = image::ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| decode_err(image::ImageError::IoError(e)))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits.max_image_width = Some(MAX_PICTURE_SIDE);
    limits.max_image_height = Some(MAX_PICTURE_SIDE);
    reader.limits(limits);
    let decoded = reader.decode().map_err(decode_err)?;
    let (w, h) = (decoded.width(), decoded.height());
    if w == 0 || h == 0 {
        return Err(ImageError::Empty {
            path: path.to_owned(),
        });
    }
    let max_side = max_side.max(1);
    let decoded = if w > max_side || h > max_side {
        tracing::info!(path = %path.display(), w, h, max_side, "downscaling large image");
        decoded.resize(max_side, max_side, image::imageops::FilterType::Triangle)
    } else {
        decoded
    };
    Ok(decoded.into_rgba8())
}

/// Where a picture of `image_w` × `image_h` pixels lands in `rect`, and which part of it shows.
/// Returns the destination rectangle and the texture coordinates `[u0, v0, u1, v1]`.
pub(crate) fn place(fit: ImageFit, rect: Rect, image_w: u32, image_h: u32) -> (Rect, [f32; 4]) {
    let (iw, ih) = (image_w.max(1) as f32, image_h.max(1) as f32);
    match fit {
        ImageFit::Contain => {
            let scale = (rect.w / iw).min(rect.h / ih);
            let (w, h) = (iw * scale, ih * scale);
            let dst = Rect::new(
                rect.x + (rect.w - w) / 2.0,
                rect.y + (rect.h - h) / 2.0,
                w,
                h,
            );
            (dst, [0.0, 0.0, 1.0, 1.0])
        }
        ImageFit::Cover => {
            let scale = (rect.w / iw).max(rect.h / ih);
            let (vis_u, vis_v) = ((rect.w / scale) / iw, (rect.h / scale) / ih);
            let (u0, v0) = ((1.0 - vis_u) / 2.0, (1.0 - vis_v) / 2.0);
            (rect, [u0, v0, u0 + vis_u, v0 + vis_v])
        }
    }
}

/// One picture, as the vertex shader reads it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub(crate) struct ImageInstance {
    rect: [f32; 4],
    uv: [f32; 4],
    /// Opacity, unused ×3.
    params: [f32; 4],
}

struct LoadedImage {
    width: u32,
    height: u32,
    bind_group: wgpu::BindGroup,
    /// Kept so the texture lives as long as its bind group.
    _texture: wgpu::Texture,
}

/// What is known about one picture file.
struct Slot {
    /// The last picture that loaded. It stays on screen when a later version of the file is
    /// missing or broken, because editors and sync tools briefly leave files in such states.
    image: Option<LoadedImage>,
    /// Modification time of the file at the last load attempt (`None`: could not stat it). A
    /// failure is logged once and retried only when this changes, so a missing file costs one
    /// log line, not one per frame.
    attempted: Option<SystemTime>,
    last_used: u64,
}

/// A picture ready to draw this frame.
pub(crate) struct ImageDraw {
    pub(crate) path: PathBuf,
    pub(crate) instance: u32,
}

pub(crate) struct ImagePipeline {
    pipeline: wgpu::RenderPipeline,
    texture_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    texture_format: wgpu::TextureFormat,
    max_side: u32,
    instances: super::pipeline::InstanceBuffer<ImageInstance>,
    cache: HashMap<PathBuf, Slot>,
    frame: u64,
}

impl ImagePipeline {
    pub(crate) fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        globals_layout: &wgpu::BindGroupLayout,
    ) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("image.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/image.wgsl").into()),
        });
        let texture_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("image texture"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("images"),
            bind_group_layouts: &[Some(globals_layout), Some(&texture_layout)],
            immediate_size: 0,
        });
        const ATTRIBUTES: [wgpu::VertexAttribute; 3] =
            wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32x4];
        let pipeline = super::pipeline::instanced_quads(
            device,
            "images",
            &layout,
            &module,
            std::mem::size_of::<ImageInstance>(),
            &ATTRIBUTES,
            format,
        );
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("image"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            mipmap_filter: wgpu::MipmapFilterMode::Linear,
            ..Default::default()
        });
        // Sampling an sRGB texture yields linear light, which is what an sRGB target blends in;
        // a plain target blends sRGB values, so the texture must not decode them.
        let texture_format = if format.is_srgb() {
            wgpu::TextureFormat::Rgba8UnormSrgb
        } else {
            wgpu::TextureFormat::Rgba8Unorm
        };
        ImagePipeline {
            pipeline,
            texture_layout,
            sampler,
            texture_format,
            max_side: device.limits().max_texture_dimension_2d.min(MAX_IMAGE_SIDE),
            instances: super::pipeline::InstanceBuffer::new(device, "image instances", 16),
            cache: HashMap::new(),
            frame: 0,
        }
    }

    /// Makes sure the picture of `item` is loaded and returns its instance, or `None` if there is
    /// nothing to draw (bad rectangle, invisible, missing or broken file).
    pub(crate) fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        item: &ImageItem,
    ) -> Option<ImageInstance> {
        let opacity = if item.opacity.is_nan() {
            0.0
        } else {
            item.opacity.clamp(0.0, 1.0)
        };
        if !rect_is_drawable(&item.rect) || opacity <= 0.0 {
            return None;
        }
        let frame = self.frame;
        let modified = std::fs::metadata(&item.path)
            .and_then(|m| m.modified())
            .ok();
        let fresh = self
            .cache
            .get(&item.path)
            .is_some_and(|slot| slot.attempted == modified);
        if !fresh {
            let loaded = match load_image(&item.path, self.max_side) {
                Ok(rgba) => Some(self.upload(device, queue, &rgba)),
                Err(err) => {
                    tracing::warn!(%err, "image not shown");
                    None
                }
            };
            let slot = self.cache.entry(item.path.clone()).or_insert(Slot {
                image: None,
                attempted: None,
                last_used: frame,
            });
            slot.attempted = modified;
            if loaded.is_some() {
                slot.image = loaded;
            }
        }
        let slot = self.cache.get_mut(&item.path)?;
        slot.last_used = frame;
        let img = slot.image.as_ref()?;
        let (dst, uv) = place(item.fit, item.rect, img.width, img.height);
        Some(ImageInstance {
            rect: [dst.x, dst.y, dst.w, dst.h],
            uv,
            params: [opacity, 0.0, 0.0, 0.0],
        })
    }

    /// Uploads a picture with a full mip chain, so that a large photo shown small does not
    /// shimmer with aliasing.
    fn upload(&self, device: &wgpu::Device, queue: &wgpu::Queue, rgba: &RgbaImage) -> LoadedImage {
        let (width, height) = rgba.dimensions();
        let mip_level_count = 32 - width.max(height).leading_zeros();
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("image"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.texture_format,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        let mut level_image = rgba.clone();
        for level in 0..mip_level_count {
            if level > 0 {
                let (w, h) = ((width >> level).max(1), (height >> level).max(1));
                level_image = image::imageops::resize(
                    &level_image,
                    w,
                    h,
                    image::imageops::FilterType::Triangle,
                );
            }
            let (w, h) = level_image.dimensions();
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: level,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                level_image.as_raw(),
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(4 * w),
                    rows_per_image: Some(h),
                },
                wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
            );
        }
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("image"),
            layout: &self.texture_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        });
        LoadedImage {
            width,
            height,
            bind_group,
            _texture: texture,
        }
    }

    /// Uploads this frame's instances, growing the buffer when needed.
    pub(crate) fn upload_instances(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        instances: &[ImageInstance],
    ) {
        self.instances.upload(device, queue, instances);
    }

    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        globals: &wgpu::BindGroup,
        draws: &[ImageDraw],
    ) {
        if draws.is_empty() {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, globals, &[]);
        pass.set_vertex_buffer(0, self.instances.slice());
        for draw in draws {
            if let Some(img) = self.cache.get(&draw.path).and_then(|s| s.image.as_ref()) {
                pass.set_bind_group(1, &img.bind_group, &[]);
                pass.draw(0..4, draw.instance..draw.instance + 1);
            }
        }
    }

    /// Ends the frame: forgets pictures not shown for a while.
    pub(crate) fn end_frame(&mut self) {
        let frame = self.frame;
        self.cache
            .retain(|_, slot| frame.saturating_sub(slot.last_used) < EVICT_AFTER_FRAMES);
        self.frame += 1;
    }

    /// Number of pictures currently held as textures.
    pub(crate) fn loaded(&self) -> usize {
        self.cache.values().filter(|s| s.image.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contain_letterboxes_and_cover_crops() {
        let rect = Rect::new(0.0, 0.0, 200.0, 100.0);
        let (dst, uv) = place(ImageFit::Contain, rect, 100, 100);
        assert_eq!(dst, Rect::new(50.0, 0.0, 100.0, 100.0));
        assert_eq!(uv, [0.0, 0.0, 1.0, 1.0]);
        let (dst, uv) = place(ImageFit::Cover, rect, 100, 100);
        assert_eq!(dst, rect);
        assert_eq!(uv, [0.0, 0.25, 1.0, 0.75]);
    }

    #[test]
    fn missing_file_is_an_open_error() {
        let err = load_image(Path::new("/nonexistent/logo.png"), 100).unwrap_err();
        assert!(matches!(err, ImageError::Open { .. }));
    }

    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let err = load_image(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(matches!(err, ImageError::Open { .. }), "{err}");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn corrupt_file_is_a_decode_error_and_large_images_shrink() {
        let dir = std::env::temp_dir().join(format!("tablica-images-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.png");
        std::fs::write(&bad, b"\x89PNG\r\n\x1a\nnot really").unwrap();
        assert!(matches!(
            load_image(&bad, 100).unwrap_err(),
            ImageError::Decode { .. }
        ));
        let big = dir.join("big.png");
        RgbaImage::from_pixel(300, 150, image::Rgba([1, 2, 3, 255]))
            .save(&big)
            .unwrap();
        let loaded = load_image(&big, 100).unwrap();
        assert_eq!(loaded.dimensions(), (100, 50));
    }
}
