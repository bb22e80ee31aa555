//! The shape pipeline: rounded rectangles with borders and block arrows, as instanced quads
//! shaded with signed distance functions (see `shaders/shapes.wgsl`).

use bytemuck::{Pod, Zeroable};

use super::color::to_target;
use super::text::rect_is_drawable;
use crate::scene::display::{ArrowItem, RectItem};

/// One quad of a shape, as the vertex shader reads it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub(crate) struct ShapeInstance {
    rect: [f32; 4],
    /// Corner radius, border width, kind (0 rectangle, 1 arrow), unused.
    params: [f32; 4],
    fill: [f32; 4],
    border: [f32; 4],
    /// The part of the shape this quad covers: x0, y0, x1, y1 in pixels.
    quad: [f32; 4],
}

const KIND_RECT: f32 = 0.0;
const KIND_ARROW: f32 = 1.0;

/// The quad of a whole shape is grown by this many pixels so that the anti-aliased edge is not
/// cut off.
const PAD: f32 = 1.5;

/// A rectangle is split into a flat interior and edge strips only when the interior is at least
/// this many pixels on each side; below that the four extra quads cost more than they save.
const MIN_INTERIOR_SIDE: f32 = 16.0;

/// How a quad is shaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shading {
    /// The distance function: edges, corners, borders, arrows (blended).
    Edge,
    /// A flat interior of an opaque fill, written without blending.
    SolidOpaque,
    /// A flat interior of a translucent fill, blended.
    SolidBlended,
}

/// A run of consecutive quads shaded alike: one draw call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShapeDraw {
    pub(crate) shading: Shading,
    pub(crate) instances: std::ops::Range<u32>,
}

/// The quads of a frame's shapes in drawing order, and the draws that cover them.
#[derive(Debug, Default)]
pub(crate) struct ShapeBatch {
    pub(crate) instances: Vec<ShapeInstance>,
    pub(crate) draws: Vec<ShapeDraw>,
    /// The next quad starts a new draw even if shaded like the last one (something else is
    /// drawn between them).
    sealed: bool,
    /// Draw every shape as one quad shaded by the distance function (for comparisons).
    pub(crate) whole_quads: bool,
}

impl ShapeBatch {
    pub(crate) fn clear(&mut self) {
        self.instances.clear();
        self.draws.clear();
        self.sealed = false;
    }

    /// Ends the current draw: later quads go into new draws.
    pub(crate) fn seal(&mut self) {
        self.sealed = true;
    }

    fn push(&mut self, shading: Shading, instance: ShapeInstance) {
        let index = self.instances.len() as u32;
        self.instances.push(instance);
        let sealed = std::mem::take(&mut self.sealed);
        match self.draws.last_mut() {
            Some(draw) if !sealed && draw.shading == shading && draw.instances.end == index => {
                draw.instances.end = index + 1
            }
            _ => self.draws.push(ShapeDraw {
                shading,
                instances: index..index + 1,
            }),
        }
    }

    /// Adds a rectangle; returns false if it would draw nothing.
    ///
    /// Where the rectangle's interior is large, it is drawn flat and only the strips around it
    /// (corners, border, the anti-aliased edge) run the distance function. The interior is the
    /// rectangle inset by the corner radius and the border (plus the half pixel of the edge
    /// ramp), rounded inwards to whole pixels: there the distance function's coverage is exactly
    /// 1 and its border mix exactly 0, so the flat fill draws the same pixels. The strips and the
    /// interior meet at whole pixels and never overlap, and together cover the same pixels as
    /// the single padded quad.
    pub(crate) fn push_rect(&mut self, item: &RectItem, srgb: bool) -> bool {
        let Some(whole) = rect_instance(item, srgb) else {
            return false;
        };
        let [x, y, w, h] = whole.rect;
        let [radius, border_width, _, _] = whole.params;
        let inset = radius.max(border_width + 0.5).max(0.5);
        let (ix0, iy0) = ((x + inset).ceil(), (y + inset).ceil());
        let (ix1, iy1) = ((x + w - inset).floor(), (y + h - inset).floor());
        let [ox0, oy0, ox1, oy1] = whole.quad;
        let flat = !self.whole_quads
            && ix1 - ix0 >= MIN_INTERIOR_SIDE
            && iy1 - iy0 >= MIN_INTERIOR_SIDE
            && ix0 > ox0
            && iy0 > oy0
            && ix1 < ox1
            && iy1 < oy1;
        if !flat {
            self.push(Shading::Edge, whole);
            return true;
        }
        let part = |quad: [f32; 4]| ShapeInstance { quad, ..whole };
        // An outline's interior (a transparent fill) leaves the target as it is: nothing to draw.
        if whole.fill[3] >= 1.0 {
            self.push(Shading::SolidOpaque, part([ix0, iy0, ix1, iy1]));
        } else if whole.fill[3] > 0.0 {
            self.push(Shading::SolidBlended, part([ix0, iy0, ix1, iy1]));
        }
        self.push(Shading::Edge, part([ox0, oy0, ox1, iy0]));
        self.push(Shading::Edge, part([ox0, iy1, ox1, oy1]));
        self.push(Shading::Edge, part([ox0, iy0, ix0, iy1]));
        self.push(Shading::Edge, part([ix1, iy0, ox1, iy1]));
        true
    }

    /// Adds a quad that replaces the pixels of `rect` with `color` (straight alpha), as clearing
    /// the target does: the background under a redrawn part of a retained frame.
    pub(crate) fn push_clear(&mut self, rect: [f32; 4], color: [f32; 4]) {
        self.seal();
        self.push(
            Shading::SolidOpaque,
            ShapeInstance {
                rect: [rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]],
                params: [0.0, 0.0, KIND_RECT, 0.0],
                fill: color,
                border: [0.0; 4],
                quad: rect,
            },
        );
        self.seal();
    }

    /// Adds an arrow; returns false if it would draw nothing.
    pub(crate) fn push_arrow(&mut self, item: &ArrowItem, srgb: bool) -> bool {
        match arrow_instance(item, srgb) {
            Some(instance) => {
                self.push(Shading::Edge, instance);
                true
            }
            None => false,
        }
    }
}

/// The padded quad around a whole shape.
fn padded(x: f32, y: f32, w: f32, h: f32) -> [f32; 4] {
    [x - PAD, y - PAD, x + w + PAD, y + h + PAD]
}

/// Builds the single instance for a whole rectangle, or `None` if it would draw nothing.
fn rect_instance(item: &RectItem, srgb: bool) -> Option<ShapeInstance> {
    let r = item.rect;
    if !rect_is_drawable(&r) {
        return None;
    }
    let half_short = r.w.min(r.h) / 2.0;
    let radius = if item.radius.is_finite() {
        item.radius.clamp(0.0, half_short)
    } else {
        0.0
    };
    let (border_width, border) = match item.border {
        Some((w, c)) if w.is_finite() && w > 0.0 => (w.min(half_short), to_target(c, srgb)),
        _ => (0.0, [0.0; 4]),
    };
    let fill = to_target(item.fill, srgb);
    if fill[3] <= 0.0 && (border_width == 0.0 || border[3] <= 0.0) {
        return None;
    }
    Some(ShapeInstance {
        rect: [r.x, r.y, r.w, r.h],
        params: [radius, border_width, KIND_RECT, 0.0],
        fill,
        border,
        quad: padded(r.x, r.y, r.w, r.h),
    })
}

/// Builds the instance for an arrow, or `None` if it would draw nothing.
fn arrow_instance(item: &ArrowItem, srgb: bool) -> Option<ShapeInstance> {
    let r = item.rect;
    if !rect_is_drawable(&r) {
        return None;
    }
    let fill = to_target(item.color, srgb);
    if fill[3] <= 0.0 {
        return None;
    }
    Some(ShapeInstance {
        rect: [r.x, r.y, r.w, r.h],
        params: [0.0, 0.0, KIND_ARROW, 0.0],
        fill,
        border: [0.0; 4],
        quad: padded(r.x, r.y, r.w, r.h),
    })
}

/// Premultiplied-alpha "over" blending, matching the premultiplied output of the shaders.
pub(crate) const PREMULTIPLIED_OVER: wgpu::BlendState =
    wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING;

pub(crate) struct ShapePipeline {
    edge: wgpu::RenderPipeline,
    solid_opaque: wgpu::RenderPipeline,
    solid_blended: wgpu::RenderPipeline,
    instances: super::pipeline::InstanceBuffer<ShapeInstance>,
}

impl ShapePipeline {
    pub(crate) fn new(
        device: &wgpu::Device,
        format: wgpu::TextureFormat,
        globals_layout: &wgpu::BindGroupLayout,
    ) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("shapes.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/shapes.wgsl").into()),
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("shapes"),
            bind_group_layouts: &[Some(globals_layout)],
            immediate_size: 0,
        });
        const ATTRIBUTES: [wgpu::VertexAttribute; 5] = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32x4, 3 => Float32x4, 4 => Float32x4];
        let pipeline = |label, entry_point, blend| {
            super::pipeline::instanced_quads_with(
                device,
                label,
                &layout,
                &module,
                std::mem::size_of::<ShapeInstance>(),
                &ATTRIBUTES,
                format,
                super::pipeline::Fragment { entry_point, blend },
            )
        };
        ShapePipeline {
            edge: pipeline("shape edges", "fs_main", Some(PREMULTIPLIED_OVER)),
            solid_opaque: pipeline("opaque shape interiors", "fs_solid", None),
            solid_blended: pipeline("shape interiors", "fs_solid", Some(PREMULTIPLIED_OVER)),
            instances: super::pipeline::InstanceBuffer::new(device, "shape instances", 256),
        }
    }

    /// Uploads this frame's instances, growing the buffer when needed.
    pub(crate) fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        instances: &[ShapeInstance],
    ) {
        self.instances.upload(device, queue, instances);
    }

    /// Issues `draws` (of the batch uploaded this frame) in order.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        globals: &wgpu::BindGroup,
        draws: &[ShapeDraw],
    ) {
        if draws.is_empty() {
            return;
        }
        pass.set_bind_group(0, globals, &[]);
        pass.set_vertex_buffer(0, self.instances.slice());
        for draw in draws {
            pass.set_pipeline(match draw.shading {
                Shading::Edge => &self.edge,
                Shading::SolidOpaque => &self.solid_opaque,
                Shading::SolidBlended => &self.solid_blended,
            });
            pass.draw(0..4, draw.instances.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::display::{Color, Rect};

    fn rect(x: f32, y: f32, w: f32, h: f32, radius: f32, fill: Color) -> RectItem {
        RectItem {
            rect: Rect::new(x, y, w, h),
            radius,
            fill,
            border: Some((3.0, Color::rgb(250, 200, 40))),
        }
    }

    fn area(q: [f32; 4]) -> f32 {
        (q[2] - q[0]) * (q[3] - q[1])
    }

    fn overlap(a: [f32; 4], b: [f32; 4]) -> bool {
        a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
    }

    #[test]
    fn a_large_rectangle_is_a_flat_interior_and_four_edge_strips_tiling_its_quad() {
        let mut batch = ShapeBatch::default();
        assert!(batch.push_rect(
            &rect(10.3, 20.7, 800.2, 400.9, 12.0, Color::rgb(20, 40, 60)),
            true
        ));
        let shadings: Vec<Shading> = batch.draws.iter().map(|d| d.shading).collect();
        assert_eq!(shadings, [Shading::SolidOpaque, Shading::Edge]);
        assert_eq!(batch.draws[1].instances, 1..5);
        let quads: Vec<[f32; 4]> = batch.instances.iter().map(|i| i.quad).collect();
        let whole = padded(10.3, 20.7, 800.2, 400.9);
        let total: f32 = quads.iter().map(|&q| area(q)).sum();
        assert!(
            (total - area(whole)).abs() < 0.01,
            "{total} vs {}",
            area(whole)
        );
        for (i, &a) in quads.iter().enumerate() {
            for &b in &quads[i + 1..] {
                assert!(!overlap(a, b), "{a:?} overlaps {b:?}");
            }
        }
        // The interior lies on whole pixels, clear of the corners' radius and the border.
        let inner = quads[0];
        assert!(inner.iter().all(|v| v.fract() == 0.0));
        assert!(inner[0] >= 10.3 + 12.0 && inner[1] >= 20.7 + 12.0);
        assert!(inner[2] <= 10.3 + 800.2 - 12.0 && inner[3] <= 20.7 + 400.9 - 12.0);
    }

    #[test]
    fn small_translucent_and_outline_rectangles() {
        let mut batch = ShapeBatch::default();
        batch.push_rect(&rect(0.0, 0.0, 20.0, 20.0, 4.0, Color::rgb(1, 2, 3)), true);
        assert_eq!(batch.instances.len(), 1, "too small to split");
        batch.clear();
        batch.push_rect(
            &rect(
                0.0,
                0.0,
                300.0,
                300.0,
                4.0,
                Color::rgb(1, 2, 3).with_alpha(0.5),
            ),
            true,
        );
        assert_eq!(batch.draws[0].shading, Shading::SolidBlended);
        batch.clear();
        batch.push_rect(
            &rect(
                0.0,
                0.0,
                300.0,
                300.0,
                4.0,
                Color::rgb(1, 2, 3).with_alpha(0.0),
            ),
            true,
        );
        assert_eq!(
            batch.instances.len(),
            4,
            "an outline's interior draws nothing"
        );
        batch.clear();
        batch.whole_quads = true;
        batch.push_rect(
            &rect(0.0, 0.0, 300.0, 300.0, 4.0, Color::rgb(1, 2, 3)),
            true,
        );
        assert_eq!(batch.instances.len(), 1);
    }

    #[test]
    fn a_sealed_batch_starts_a_new_draw() {
        let mut batch = ShapeBatch::default();
        let small = rect(0.0, 0.0, 10.0, 10.0, 0.0, Color::rgb(1, 2, 3));
        batch.push_rect(&small, true);
        batch.push_rect(&small, true);
        assert_eq!(batch.draws.len(), 1);
        batch.seal();
        batch.push_rect(&small, true);
        assert_eq!(batch.draws.len(), 2);
    }

    #[test]
    fn radius_and_border_are_clamped_and_bad_rects_skipped() {
        let item = RectItem {
            rect: Rect::new(0.0, 0.0, 100.0, 40.0),
            radius: 500.0,
            fill: Color::rgb(255, 0, 0),
            border: Some((f32::INFINITY, Color::rgb(0, 0, 0))),
        };
        let inst = rect_instance(&item, true).unwrap();
        assert_eq!(inst.params[0], 20.0);
        assert_eq!(inst.params[1], 0.0);
        let mut bad = item.clone();
        bad.rect.w = f32::NAN;
        assert!(rect_instance(&bad, true).is_none());
        bad.rect = Rect::new(0.0, 0.0, 0.0, 10.0);
        assert!(rect_instance(&bad, true).is_none());
        let arrow = ArrowItem {
            rect: Rect::new(0.0, 0.0, -1.0, 10.0),
            color: Color::rgb(1, 2, 3),
        };
        assert!(arrow_instance(&arrow, true).is_none());
    }
}
