//! Glyph drawing with glyphon: one shared atlas, one `TextRenderer` per text layer.
//!
//! glyphon draws everything a `TextRenderer` prepared in one call, so text that must sit between
//! other items (a panel drawn after text covers it) needs its own renderer per layer. All layers
//! share the atlas; glyphs a layer uses stay marked in use until [`Glyphs::end_frame`] trims, so
//! preparing a later layer cannot evict glyphs an earlier layer points at.

use glyphon::{
    Cache, ColorMode, FontSystem, PrepareError, Resolution, SwashCache, TextArea, TextAtlas,
    TextRenderer, Viewport,
};

/// How preparing the text of a frame went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GlyphOutcome {
    /// The atlas was full and had to be trimmed mid-frame.
    pub(crate) atlas_full: bool,
    /// Text areas left out because their glyphs did not fit the atlas even after trimming.
    pub(crate) skipped: usize,
}

pub(crate) struct Glyphs {
    atlas: TextAtlas,
    viewport: Viewport,
    swash: SwashCache,
    renderers: Vec<TextRenderer>,
    /// Renderers prepared this frame (one per text layer).
    prepared: usize,
}

impl Glyphs {
    pub(crate) fn new(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        format: wgpu::TextureFormat,
    ) -> Self {
        let cache = Cache::new(device);
        // The colour mode must match the target: with an sRGB target glyphon converts colours to
        // linear light, with a plain one it passes sRGB values through. A mismatch makes text
        // look too thin or too heavy.
        let mode = if format.is_srgb() {
            ColorMode::Accurate
        } else {
            ColorMode::Web
        };
        let atlas = TextAtlas::with_color_mode(device, queue, &cache, format, mode);
        let viewport = Viewport::new(device, &cache);
        Glyphs {
            atlas,
            viewport,
            swash: SwashCache::new(),
            renderers: Vec::new(),
            prepared: 0,
        }
    }

    /// Prepares every text layer of the frame. `layers[i]` is drawn by [`Glyphs::render`]`(i)`.
    pub(crate) fn prepare(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        fonts: &mut FontSystem,
        resolution: Resolution,
        layers: &[Vec<TextArea<'_>>],
    ) -> GlyphOutcome {
        self.viewport.update(queue, resolution);
        while self.renderers.len() < layers.len() {
            self.renderers.push(TextRenderer::new(
                &mut self.atlas,
                device,
                wgpu::MultisampleState::default(),
                None,
            ));
        }
        self.prepared = layers.len();
        let mut outcome = GlyphOutcome::default();
        if self.prepare_all(device, queue, fonts, layers).is_ok() {
            return outcome;
        }
        // The atlas is full of glyphs marked in use. Trimming unmarks them, and preparing every
        // layer again re-marks only what this frame needs, so stale glyphs can be evicted.
        outcome.atlas_full = true;
        tracing::warn!("glyph atlas full; trimming and retrying");
        self.atlas.trim();
        if self.prepare_all(device, queue, fonts, layers).is_ok() {
            return outcome;
        }
        // Even this frame's glyphs alone do not fit: keep the text areas that fit, area by area,
        // and leave the rest out rather than fail the frame.
        self.atlas.trim();
        for (layer, areas) in layers.iter().enumerate() {
            let mut kept: Vec<TextArea<'_>> = Vec::with_capacity(areas.len());
            for area in areas {
                kept.push(area.clone());
                if self
                    .prepare_layer(device, queue, fonts, layer, &kept)
                    .is_err()
                {
                    kept.pop();
                    outcome.skipped += 1;
                }
            }
            // The last attempt may have failed half-way; prepare what was kept once more so the
            // renderer's vertices match what it will draw.
            if self
                .prepare_layer(device, queue, fonts, layer, &kept)
                .is_err()
            {
                let _ = self.prepare_layer(device, queue, fonts, layer, &[]);
                outcome.skipped += kept.len();
            }
        }
        tracing::error!(
            skipped = outcome.skipped,
            "glyph atlas cannot hold this frame's text; some text not drawn"
        );
        outcome
    }

    fn prepare_all(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        fonts: &mut FontSystem,
        layers: &[Vec<TextArea<'_>>],
    ) -> Result<(), PrepareError> {
        for (layer, areas) in layers.iter().enumerate() {
            self.prepare_layer(device, queue, fonts, layer, areas)?;
        }
        Ok(())
    }

    fn prepare_layer(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        fonts: &mut FontSystem,
        layer: usize,
        areas: &[TextArea<'_>],
    ) -> Result<(), PrepareError> {
        self.renderers[layer].prepare(
            device,
            queue,
            fonts,
            &mut self.atlas,
            &self.viewport,
            areas.iter().cloned(),
            &mut self.swash,
        )
    }

    /// Draws text layer `layer` prepared this frame.
    pub(crate) fn render(&self, layer: usize, pass: &mut wgpu::RenderPass<'_>) {
        if layer >= self.prepared {
            return;
        }
        if let Err(err) = self.renderers[layer].render(&self.atlas, &self.viewport, pass) {
            tracing::warn!(%err, layer, "text layer not drawn");
        }
    }

    /// Ends the frame: lets glyphs not used since be evicted from the atlas.
    pub(crate) fn end_frame(&mut self) {
        self.atlas.trim();
        self.prepared = 0;
        // A frame with many text layers should not pin their vertex buffers forever.
        self.renderers.truncate(self.renderers.len().min(64));
    }
}
