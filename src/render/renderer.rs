//! The single drawing path: a display list into a texture view, for windows and offscreen alike.

use std::ops::Range;
use std::time::{Duration, Instant};

use glyphon::{FontSystem, Resolution, TextArea, TextBounds};
use thiserror::Error;

use super::color::to_target;
use super::damage::{Damage, PixelRect, damage};
use super::glyphs::{GlyphOutcome, Glyphs};
use super::gpu::Gpu;
use super::images::{ImageDraw, ImageInstance, ImagePipeline};
use super::shapes::{ShapeBatch, ShapeDraw, ShapePipeline};
use super::text::{TextCache, TextHandle};
use crate::scene::display::{Color, DisplayList, Item, Rect};

/// Fitted texts kept across frames; a board shows a few hundred distinct texts at most.
const TEXT_CACHE_CAPACITY: usize = 1024;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("target texture format {target:?} does not match the renderer's format {renderer:?}")]
    FormatMismatch {
        target: wgpu::TextureFormat,
        renderer: wgpu::TextureFormat,
    },
    #[error("waiting for the GPU failed: {0}")]
    Poll(#[from] wgpu::PollError),
    #[error("reading the frame back failed: {0}")]
    Readback(String),
    #[error("cannot write {path}: {source}")]
    Save {
        path: std::path::PathBuf,
        #[source]
        source: image::ImageError,
    },
}

/// What a frame cost, for logs and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct FrameStats {
    /// CPU time laying out text, rasterising new glyphs, loading pictures and uploading data.
    pub prepare: Duration,
    /// CPU time recording and submitting the GPU commands (the GPU may still be working).
    pub encode: Duration,
    /// Items that produced something to draw.
    pub drawn_items: usize,
    /// Texts that had to be fitted and shaped this frame (not found in the cache).
    pub texts_shaped: u64,
    /// Fitted texts held in the cache after the frame.
    pub texts_cached: usize,
    /// Runs of consecutive text items, each drawn by its own glyph renderer.
    pub text_layers: usize,
    /// The glyph atlas filled up this frame and was trimmed.
    pub atlas_full: bool,
    /// Text items left out because the glyph atlas could not hold them.
    pub texts_skipped: usize,
    /// Pictures held as textures.
    pub images_loaded: usize,
    /// Pixels drawn this frame: the whole target, or for a retained frame
    /// ([`Renderer::render_retained`]) the parts that changed (0 when nothing did).
    pub redrawn_pixels: u64,
    /// Shape quads handed to the GPU, every render pass together. On a software rasteriser each
    /// costs set-up time even where the pass's clip then drops its pixels.
    pub quads_issued: u64,
}

/// One run of consecutive items drawn by the same pipeline.
enum Layer {
    /// Draws of the frame's [`ShapeBatch`].
    Shapes(Range<usize>),
    Images(Range<usize>),
    Text(usize),
}

/// A display list split into runs of one kind ([`Renderer::batch`]).
#[derive(Default)]
struct Batches {
    /// For a partial redraw, the shape draws that repaint the background of each damaged
    /// rectangle, in the order of the rectangles.
    clears: Vec<usize>,
    layers: Vec<Layer>,
    /// For a partial redraw, the layers of each damaged rectangle's pass: only the shapes and
    /// texts that reach into it ([`ShapeBatch::clip_draws`] says why).
    pass_layers: Vec<Vec<Layer>>,
    /// The texts of each `Layer::Text` run.
    text_layers: Vec<Vec<TextDraw>>,
    drawn_items: usize,
}

/// A text to draw this frame.
struct TextDraw {
    handle: TextHandle,
    rect: Rect,
    color: Color,
}

/// Draws display lists. Create one per target format and keep it: it owns the caches (shaped
/// text, glyph atlas, picture textures) that make frames after the first cheap.
pub struct Renderer {
    format: wgpu::TextureFormat,
    fonts: FontSystem,
    texts: TextCache,
    glyphs: Glyphs,
    shapes: ShapePipeline,
    images: ImagePipeline,
    globals: wgpu::Buffer,
    globals_bind_group: wgpu::BindGroup,
    // Per-frame scratch space, kept to avoid reallocating every frame.
    shape_batch: ShapeBatch,
    image_instances: Vec<ImageInstance>,
    image_draws: Vec<ImageDraw>,
    /// The frame kept across frames by [`Renderer::render_retained`].
    retained: Option<Retained>,
    /// Names this renderer's fonts, unique across renderers and changed with the font system: a
    /// kept frame drawn with other fonts (or by another renderer) is redrawn whole.
    fonts_generation: u64,
}

/// What a kept frame shows: the list drawn into it, and the fonts' generation it was drawn with.
/// `None` when it must be redrawn whole (new, or a frame that left text out).
pub(crate) type Shows = Option<(DisplayList, u64)>;

/// A frame kept across frames, and the list it shows.
struct Retained {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    shows: Shows,
}

impl Renderer {
    /// A renderer for views of `format`, drawing text with the built-in font.
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Self {
        Self::with_fonts(gpu, format, crate::fonts::builtin_font_system())
    }

    /// A renderer with a caller-built font system (e.g. [`crate::fonts::font_system_with`]).
    pub fn with_fonts(gpu: &Gpu, format: wgpu::TextureFormat, fonts: FontSystem) -> Self {
        let device = &gpu.device;
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("globals"),
            entries: &[wgpu::BindGroupLayoutEntry {
                binding: 0,
                visibility: wgpu::ShaderStages::VERTEX,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            }],
        });
        let globals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("globals"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let globals_bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout: &globals_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: globals.as_entire_binding(),
            }],
        });
        Renderer {
            format,
            fonts,
            texts: TextCache::new(TEXT_CACHE_CAPACITY),
            glyphs: Glyphs::new(device, &gpu.queue, format),
            shapes: ShapePipeline::new(device, format, &globals_layout),
            images: ImagePipeline::new(device, format, &globals_layout),
            globals,
            globals_bind_group,
            shape_batch: ShapeBatch::default(),
            image_instances: Vec::new(),
            image_draws: Vec::new(),
            retained: None,
            fonts_generation: next_fonts_generation(),
        }
    }

    /// Draws every shape as a single quad shaded by its distance function, as before flat
    /// interiors were drawn apart: for tests and benchmarks that compare the two.
    #[doc(hidden)]
    pub fn set_whole_shape_quads(&mut self, whole: bool) {
        self.shape_batch.whole_quads = whole;
    }

    /// The view format this renderer draws to.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.format
    }

    /// The font system, e.g. to load a designer's font file after start-up.
    pub fn fonts_mut(&mut self) -> &mut FontSystem {
        // The same text may look different with the new fonts.
        self.fonts_generation = next_fonts_generation();
        &mut self.fonts
    }

    /// Draws `list` into `target`, clearing it first. Items are drawn in list order.
    ///
    /// The list's coordinates are target pixels; a list built for another size is drawn 1:1
    /// (clipped or with a margin), never stretched. A zero-size target draws nothing.
    pub fn render(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        target: &wgpu::TextureView,
    ) -> Result<FrameStats, RenderError> {
        let texture = target.texture();
        self.check_format(texture)?;
        if texture.width() == 0 || texture.height() == 0 {
            return Ok(FrameStats::default());
        }
        self.draw_frame(gpu, list, target, &Damage::Full, None)
    }

    /// Draws `list` into a frame kept from the previous call, redrawing only the parts that
    /// changed since (see `render::damage`), then copies the frame into `target`, which must
    /// allow `COPY_DST` and have the renderer's format. The result is the picture
    /// [`Renderer::render`] draws, to within one level of a channel where a redrawn part's
    /// background meets the rest (a clear and a shader round to sRGB differently).
    ///
    /// A frame after a call changes a few panels of the board; on a software rasteriser, where a
    /// frame's cost is the pixels it shades, redrawing only those is most of the saving. The kept
    /// frame costs one more full-screen texture (8 MB at 1920×1080).
    pub fn render_retained(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        target: &wgpu::Texture,
    ) -> Result<FrameStats, RenderError> {
        self.check_format(target)?;
        let (width, height) = (target.width(), target.height());
        if width == 0 || height == 0 {
            return Ok(FrameStats::default());
        }
        let fits = self.retained.as_ref().is_some_and(|r| {
            r.texture.width() == width
                && r.texture.height() == height
                && r.texture.format() == target.format()
        });
        if !fits {
            let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("retained frame"),
                size: wgpu::Extent3d {
                    width,
                    height,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: target.format(),
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            });
            let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
            self.retained = Some(Retained {
                texture,
                view,
                shows: None,
            });
        }
        let mut retained = self.retained.take().expect("made above");
        let result = self.draw_kept(
            gpu,
            list,
            &retained.view,
            &mut retained.shows,
            Some((&retained.texture, target)),
        );
        self.retained = Some(retained);
        result
    }

    /// Draws `list` into `target`, a texture kept by the caller that shows `shows`, redrawing
    /// only what changed (as [`Renderer::render_retained`] does with its own texture), and
    /// updates `shows`. The turned board of a portrait screen keeps its upright frame this way.
    pub(crate) fn render_kept(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        target: &wgpu::TextureView,
        shows: &mut Shows,
    ) -> Result<FrameStats, RenderError> {
        let texture = target.texture();
        self.check_format(texture)?;
        if texture.width() == 0 || texture.height() == 0 {
            return Ok(FrameStats::default());
        }
        self.draw_kept(gpu, list, target, shows, None)
    }

    fn draw_kept(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        target: &wgpu::TextureView,
        shows: &mut Shows,
        copy: Option<(&wgpu::Texture, &wgpu::Texture)>,
    ) -> Result<FrameStats, RenderError> {
        let (width, height) = (target.texture().width(), target.texture().height());
        // Damaged rectangles are in the list's pixels and become scissor rectangles of the
        // target: a list of another size than the target (drawn 1:1) is redrawn whole.
        let same_size = list.width == width && list.height == height;
        let damage = match shows {
            Some((shown, fonts)) if same_size && *fonts == self.fonts_generation => {
                // `damage` itself redraws everything when the shown list had another size.
                damage(shown, list)
            }
            _ => Damage::Full,
        };
        let result = self.draw_frame(gpu, list, target, &damage, copy);
        *shows = match &result {
            Ok(stats) if stats.texts_skipped == 0 => Some((list.clone(), self.fonts_generation)),
            _ => None,
        };
        result
    }

    fn check_format(&self, texture: &wgpu::Texture) -> Result<(), RenderError> {
        if texture.format().remove_srgb_suffix() != self.format.remove_srgb_suffix() {
            return Err(RenderError::FormatMismatch {
                target: texture.format(),
                renderer: self.format,
            });
        }
        Ok(())
    }

    /// Draws the `damage`d parts of `list` into `target` (all of it for [`Damage::Full`]), then
    /// copies `copy.0` into `copy.1` if given.
    fn draw_frame(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        target: &wgpu::TextureView,
        damage: &Damage,
        copy: Option<(&wgpu::Texture, &wgpu::Texture)>,
    ) -> Result<FrameStats, RenderError> {
        let span = tracing::debug_span!("render_frame", items = list.items.len());
        let _entered = span.enter();
        let texture = target.texture();
        let (width, height) = (texture.width(), texture.height());
        let started = Instant::now();
        let misses_before = self.texts.misses();
        let srgb = self.format.is_srgb();

        let clear = to_target(list.clear, srgb);
        let rects: &[PixelRect] = match damage {
            Damage::Rects(rects) => rects,
            _ => &[],
        };
        let redrawn_pixels = match damage {
            Damage::None => 0,
            Damage::Full => width as u64 * height as u64,
            Damage::Rects(rects) => rects
                .iter()
                .map(|r| (r.x1 - r.x0) as u64 * (r.y1 - r.y0) as u64)
                .sum(),
        };
        let batches = if *damage == Damage::None {
            Batches::default()
        } else {
            self.batch(gpu, list, width, height, rects, clear)
        };
        let glyph_outcome = self.prepare(gpu, &batches.text_layers, width, height);
        let prepared = Instant::now();
        let quads_issued = self.encode(gpu, target, clear, &batches, damage, copy);

        self.glyphs.end_frame();
        self.texts.end_frame();
        self.images.end_frame();
        let done = Instant::now();
        let stats = FrameStats {
            prepare: prepared - started,
            encode: done - prepared,
            drawn_items: batches.drawn_items,
            texts_shaped: self.texts.misses() - misses_before,
            texts_cached: self.texts.len(),
            text_layers: batches.text_layers.len(),
            atlas_full: glyph_outcome.atlas_full,
            texts_skipped: glyph_outcome.skipped,
            images_loaded: self.images.loaded(),
            redrawn_pixels,
            quads_issued,
        };
        tracing::trace!(?stats, "frame");
        Ok(stats)
    }

    /// Splits the list into runs of one kind (shapes, images, text), preserving order: each run
    /// is one draw. Shapes and images become instances; texts are fitted (shaped, cached).
    fn batch(
        &mut self,
        gpu: &Gpu,
        list: &DisplayList,
        width: u32,
        height: u32,
        damaged: &[PixelRect],
        clear: [f32; 4],
    ) -> Batches {
        let srgb = self.format.is_srgb();
        let (device, queue) = (&gpu.device, &gpu.queue);
        self.shape_batch.clear();
        self.image_instances.clear();
        self.image_draws.clear();
        let mut clears = Vec::with_capacity(damaged.len());
        for r in damaged {
            clears.push(self.shape_batch.draws.len());
            let quad = [r.x0 as f32, r.y0 as f32, r.x1 as f32, r.y1 as f32];
            self.shape_batch.push_clear(quad, clear);
        }
        let mut layers: Vec<Layer> = Vec::new();
        let mut text_layers: Vec<Vec<TextDraw>> = Vec::new();
        let mut drawn_items = 0;
        {
            let _prepare = tracing::debug_span!("prepare_items").entered();
            for item in &list.items {
                match item {
                    Item::Rect(_) | Item::Arrow(_) => {
                        let continues = matches!(layers.last(), Some(Layer::Shapes(_)));
                        if !continues {
                            // Shapes after text or a picture start draws of their own.
                            self.shape_batch.seal();
                        }
                        let before = self.shape_batch.draws.len();
                        let drawn = match item {
                            Item::Rect(r) => self.shape_batch.push_rect(r, srgb),
                            Item::Arrow(a) => self.shape_batch.push_arrow(a, srgb),
                            _ => false,
                        };
                        if !drawn {
                            continue;
                        }
                        let draws = self.shape_batch.draws.len();
                        match layers.last_mut() {
                            Some(Layer::Shapes(range)) => range.end = draws,
                            _ => layers.push(Layer::Shapes(before..draws)),
                        }
                    }
                    Item::Image(image) => {
                        let Some(instance) = self.images.prepare(device, queue, image) else {
                            continue;
                        };
                        let index = self.image_draws.len();
                        self.image_draws.push(ImageDraw {
                            path: image.path.clone(),
                            instance: self.image_instances.len() as u32,
                        });
                        self.image_instances.push(instance);
                        match layers.last_mut() {
                            Some(Layer::Images(range)) => range.end = index + 1,
                            _ => layers.push(Layer::Images(index..index + 1)),
                        }
                    }
                    Item::Text(text) => {
                        if !on_frame(&text.rect, width, height) {
                            continue;
                        }
                        let handle = self.texts.fit(&mut self.fonts, text);
                        if self.texts.get(&handle).is_none_or(|f| f.is_empty()) {
                            continue;
                        }
                        let draw = TextDraw {
                            handle,
                            rect: text.rect,
                            color: text.color,
                        };
                        match layers.last_mut() {
                            Some(Layer::Text(i)) => text_layers[*i].push(draw),
                            _ => {
                                layers.push(Layer::Text(text_layers.len()));
                                text_layers.push(vec![draw]);
                            }
                        }
                    }
                }
                drawn_items += 1;
            }
        }

        self.shape_batch.cull_hidden();
        let pass_layers = damaged
            .iter()
            .map(|r| {
                let rect = [r.x0 as f32, r.y0 as f32, r.x1 as f32, r.y1 as f32];
                let mut kept = Vec::with_capacity(layers.len());
                for layer in &layers {
                    match layer {
                        Layer::Shapes(range) => {
                            let clipped = self.shape_batch.clip_draws(range.clone(), rect);
                            if !clipped.is_empty() {
                                kept.push(Layer::Shapes(clipped));
                            }
                        }
                        Layer::Text(i) => {
                            // A text's glyphs stay inside its box (see `text_area`).
                            if text_layers[*i].iter().any(|t| reaches(&t.rect, r)) {
                                kept.push(Layer::Text(*i));
                            }
                        }
                        Layer::Images(range) => kept.push(Layer::Images(range.clone())),
                    }
                }
                kept
            })
            .collect();
        Batches {
            clears,
            layers,
            pass_layers,
            text_layers,
            drawn_items,
        }
    }

    /// Lays out the glyphs of every text run and uploads this frame's instances and globals.
    fn prepare(
        &mut self,
        gpu: &Gpu,
        text_layers: &[Vec<TextDraw>],
        width: u32,
        height: u32,
    ) -> GlyphOutcome {
        let (device, queue) = (&gpu.device, &gpu.queue);
        let glyph_outcome = {
            let _glyphs = tracing::debug_span!("prepare_glyphs").entered();
            let texts = &self.texts;
            let areas: Vec<Vec<TextArea<'_>>> = text_layers
                .iter()
                .map(|layer| {
                    layer
                        .iter()
                        .filter_map(|draw| text_area(texts, draw))
                        .collect()
                })
                .collect();
            self.glyphs.prepare(
                device,
                queue,
                &mut self.fonts,
                Resolution { width, height },
                &areas,
            )
        };

        queue.write_buffer(
            &self.globals,
            0,
            bytemuck::cast_slice(&[width as f32, height as f32, 0.0, 0.0]),
        );
        self.shapes
            .upload(device, queue, &self.shape_batch.instances);
        self.images
            .upload_instances(device, queue, &self.image_instances);
        glyph_outcome
    }

    /// Records the frame's render passes and submits them: one pass that clears the target and
    /// draws every run in order, or for a partial redraw one pass per damaged rectangle, which
    /// keeps the target, repaints the rectangle's background and draws the runs clipped to it.
    /// Then copies `copy.0` into `copy.1`, if given. Returns how many shape quads were issued.
    fn encode(
        &mut self,
        gpu: &Gpu,
        target: &wgpu::TextureView,
        clear: [f32; 4],
        batches: &Batches,
        damage: &Damage,
        copy: Option<(&wgpu::Texture, &wgpu::Texture)>,
    ) -> u64 {
        let mut quads = 0u64;
        let mut count = |draws: &[ShapeDraw]| {
            quads += draws
                .iter()
                .map(|d| (d.instances.end - d.instances.start) as u64)
                .sum::<u64>();
        };
        let (device, queue) = (&gpu.device, &gpu.queue);
        let _encode = tracing::debug_span!("encode").entered();
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame"),
        });
        let clear_op = wgpu::LoadOp::Clear(wgpu::Color {
            r: (clear[0] * clear[3]) as f64,
            g: (clear[1] * clear[3]) as f64,
            b: (clear[2] * clear[3]) as f64,
            a: clear[3] as f64,
        });
        // Each pass: how it starts, and for a partial redraw its rectangle and background draw.
        type Pass<'a> = (
            wgpu::LoadOp<wgpu::Color>,
            Option<(PixelRect, usize)>,
            &'a [Layer],
        );
        let passes: Vec<Pass> = match damage {
            Damage::None => Vec::new(),
            Damage::Full => vec![(clear_op, None, &batches.layers)],
            Damage::Rects(rects) => rects
                .iter()
                .zip(&batches.clears)
                .zip(&batches.pass_layers)
                .map(|((r, &clear_draw), layers)| {
                    (wgpu::LoadOp::Load, Some((*r, clear_draw)), &layers[..])
                })
                .collect(),
        };
        for (load, clip, layers) in passes {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("display list"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load,
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            if let Some((r, clear_draw)) = clip {
                pass.set_scissor_rect(r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
                let draws = &self.shape_batch.draws[clear_draw..clear_draw + 1];
                count(draws);
                self.shapes.draw(&mut pass, &self.globals_bind_group, draws);
            }
            for layer in layers {
                match layer {
                    Layer::Shapes(range) => {
                        let draws = &self.shape_batch.draws[range.clone()];
                        count(draws);
                        self.shapes.draw(&mut pass, &self.globals_bind_group, draws)
                    }
                    Layer::Images(range) => self.images.draw(
                        &mut pass,
                        &self.globals_bind_group,
                        &self.image_draws[range.clone()],
                    ),
                    Layer::Text(index) => self.glyphs.render(*index, &mut pass),
                }
            }
        }
        if let Some((from, to)) = copy {
            encoder.copy_texture_to_texture(from.as_image_copy(), to.as_image_copy(), to.size());
        }
        queue.submit([encoder.finish()]);
        quads
    }
}

fn next_fonts_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// True if `rect` shares some area with the pixels of `r`.
fn reaches(rect: &Rect, r: &PixelRect) -> bool {
    rect.x < r.x1 as f32
        && rect.y < r.y1 as f32
        && rect.right() > r.x0 as f32
        && rect.bottom() > r.y0 as f32
}

/// True if `rect` overlaps the frame. Text elsewhere is skipped before shaping, which also keeps
/// absurd coordinates (1e30) away from glyph positioning, which works in 32-bit integers.
fn on_frame(rect: &Rect, width: u32, height: u32) -> bool {
    rect.x < width as f32
        && rect.y < height as f32
        && rect.right() > 0.0
        && rect.bottom() > 0.0
        && [rect.x, rect.y, rect.right(), rect.bottom()]
            .iter()
            .all(|v| v.is_finite() && v.abs() < 1.0e7)
}

/// The glyphon text area for a fitted text, clipped to its box.
fn text_area<'a>(texts: &'a TextCache, draw: &TextDraw) -> Option<TextArea<'a>> {
    let fitted = texts.get(&draw.handle)?;
    let buffer = fitted.buffer()?;
    let r = draw.rect;
    let [red, green, blue, alpha] = draw.color.to_rgba8();
    // Glyph pixels are kept within [left, right) × [top, bottom): rounding inwards guarantees no
    // pixel outside the box, whatever a glyph's side bearings or accents do.
    let bounds = TextBounds {
        left: r.x.ceil() as i32,
        top: r.y.ceil() as i32,
        right: (r.x + r.w).floor() as i32,
        bottom: (r.y + r.h).floor() as i32,
    };
    Some(TextArea {
        buffer,
        left: r.x,
        top: r.y + fitted.top,
        scale: 1.0,
        bounds,
        default_color: glyphon::Color::rgba(red, green, blue, alpha),
        custom_glyphs: &[],
    })
}
