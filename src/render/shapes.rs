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
    /// Where the rectangle's interior is large, it is drawn flat and only the thin strips along
    /// its edges (the anti-aliased edge and the border) and the squares at its corners (where
    /// the radius bends the edge) run the distance function. On a software rasteriser the
    /// distance function costs several times what a flat fill does per pixel, and a strip as
    /// wide as the corner radius along every edge was most of a frame's shape pixels.
    ///
    /// The flat part is a cross: a column between the corners, as tall as the straight edges
    /// allow, and two wings beside it between the corners' squares. Along a straight edge the
    /// distance function's coverage is exactly 1 and its border mix exactly 0 from the border's
    /// inner side plus half a pixel inwards; inside the corners' squares, only past the radius.
    /// Every bound is rounded inwards to whole pixels, so the flat fill draws the same pixels as
    /// the distance function would. The quads meet at whole pixels, never overlap, and together
    /// cover the same pixels as the single padded quad.
    pub(crate) fn push_rect(&mut self, item: &RectItem, srgb: bool) -> bool {
        let Some(whole) = rect_instance(item, srgb) else {
            return false;
        };
        let [x, y, w, h] = whole.rect;
        let [radius, border_width, _, _] = whole.params;
        // How far in from a straight edge the fill is flat, and from a corner's sides.
        let edge = (border_width + 0.5).max(0.5);
        let corner = radius.max(edge);
        let [ox0, oy0, ox1, oy1] = whole.quad;
        // Columns: outer edge, straight-edge inset, corner inset (and mirrored on the right).
        let (ex0, ex1) = ((x + edge).ceil(), (x + w - edge).floor());
        let (cx0, cx1) = ((x + corner).ceil(), (x + w - corner).floor());
        let (ey0, ey1) = ((y + edge).ceil(), (y + h - edge).floor());
        let (cy0, cy1) = ((y + corner).ceil(), (y + h - corner).floor());
        let flat = !self.whole_quads
            && cx1 - cx0 >= MIN_INTERIOR_SIDE
            && ey1 - ey0 >= MIN_INTERIOR_SIDE
            && cy1 >= cy0
            && ox0 < ex0
            && ex0 <= cx0
            && cx1 <= ex1
            && ex1 < ox1
            && oy0 < ey0
            && ey0 <= cy0
            && cy1 <= ey1
            && ey1 < oy1;
        if !flat {
            self.push(Shading::Edge, whole);
            return true;
        }
        let fill = if whole.fill[3] >= 1.0 {
            Some(Shading::SolidOpaque)
        } else if whole.fill[3] > 0.0 {
            Some(Shading::SolidBlended)
        } else {
            // An outline's interior (a transparent fill) leaves the target as it is.
            None
        };
        if let Some(shading) = fill {
            for quad in [
                [cx0, ey0, cx1, ey1],
                [ex0, cy0, cx0, cy1],
                [cx1, cy0, ex1, cy1],
            ] {
                self.push_part(shading, &whole, quad);
            }
        }
        for quad in [
            // The corners' squares.
            [ox0, oy0, cx0, cy0],
            [cx1, oy0, ox1, cy0],
            [ox0, cy1, cx0, oy1],
            [cx1, cy1, ox1, oy1],
            // The straight edges between them.
            [cx0, oy0, cx1, ey0],
            [cx0, ey1, cx1, oy1],
            [ox0, cy0, ex0, cy1],
            [ex1, cy0, ox1, cy1],
        ] {
            self.push_part(Shading::Edge, &whole, quad);
        }
        true
    }

    /// Adds the part `quad` of the shape `whole`, unless it is empty.
    fn push_part(&mut self, shading: Shading, whole: &ShapeInstance, quad: [f32; 4]) {
        if quad[2] > quad[0] && quad[3] > quad[1] {
            self.push(shading, ShapeInstance { quad, ..*whole });
        }
    }

    /// Leaves out what a later opaque flat quad paints over: the parts of earlier flat quads it
    /// covers (an earlier quad is cut into the pieces left around it) and earlier edge quads it
    /// covers whole. An opaque flat quad replaces the pixels under it without reading them, so
    /// whatever was drawn there before, shapes or not, cannot show: the frame is the same, with
    /// fewer pixels shaded. On a board, panels hold rows and tiles, and the clear under a
    /// redrawn part is mostly panels again; a software rasteriser pays for each layer.
    pub(crate) fn cull_hidden(&mut self) {
        // Opaque flat quads, and for each the index of its instance: only later ones hide.
        let opaque: Vec<(u32, [f32; 4])> = self
            .draws
            .iter()
            .filter(|d| d.shading == Shading::SolidOpaque)
            .flat_map(|d| d.instances.clone())
            .map(|i| (i, self.instances[i as usize].quad))
            .collect();
        if opaque.is_empty() {
            return;
        }
        let mut instances = Vec::with_capacity(self.instances.len());
        let mut pieces: Vec<[f32; 4]> = Vec::new();
        let mut next: Vec<[f32; 4]> = Vec::new();
        for draw in &mut self.draws {
            let start = instances.len() as u32;
            for i in draw.instances.clone() {
                let instance = self.instances[i as usize];
                let later = opaque.iter().filter(|(j, _)| *j > i).map(|(_, q)| q);
                if draw.shading == Shading::Edge {
                    if !later.clone().any(|q| contains(q, &instance.quad)) {
                        instances.push(instance);
                    }
                    continue;
                }
                pieces.clear();
                pieces.push(instance.quad);
                for hole in later {
                    next.clear();
                    for piece in &pieces {
                        subtract(piece, hole, &mut next);
                    }
                    std::mem::swap(&mut pieces, &mut next);
                    if pieces.is_empty() {
                        break;
                    }
                }
                instances.extend(
                    pieces
                        .iter()
                        .map(|&quad| ShapeInstance { quad, ..instance }),
                );
            }
            draw.instances = start..instances.len() as u32;
        }
        self.instances = instances;
    }

    /// Copies the quads of `draws` that reach into `rect` (x0, y0, x1, y1 in pixels) into draws
    /// of their own, in the same order, and returns the new draws' range.
    ///
    /// A partial redraw is one render pass per damaged rectangle, clipped to it. Every quad
    /// issued to a pass costs the software rasteriser its vertex stage and set-up even where the
    /// clip then drops all of its pixels (a few microseconds each, about what a small quad costs
    /// to draw), so each pass is given only the quads that can touch its rectangle. Call after
    /// [`ShapeBatch::cull_hidden`], before the instances are uploaded.
    pub(crate) fn clip_draws(
        &mut self,
        draws: std::ops::Range<usize>,
        rect: [f32; 4],
    ) -> std::ops::Range<usize> {
        let first = self.draws.len();
        for d in draws {
            let ShapeDraw { shading, instances } = self.draws[d].clone();
            let start = self.instances.len() as u32;
            for i in instances {
                let instance = self.instances[i as usize];
                if overlaps(&instance.quad, &rect) {
                    self.instances.push(instance);
                }
            }
            let end = self.instances.len() as u32;
            if end > start {
                self.draws.push(ShapeDraw {
                    shading,
                    instances: start..end,
                });
            }
        }
        first..self.draws.len()
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

/// True if quads `a` and `b` (x0, y0, x1, y1) share some area.
fn overlaps(a: &[f32; 4], b: &[f32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// True if quad `outer` covers quad `inner` (x0, y0, x1, y1) whole.
fn contains(outer: &[f32; 4], inner: &[f32; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/// Pushes onto `out` the parts of `quad` outside `hole`: none if the hole covers it, the quad
/// itself if they do not overlap, else up to four pieces (the bands above and below the hole,
/// and the parts beside it between them), which never overlap.
fn subtract(quad: &[f32; 4], hole: &[f32; 4], out: &mut Vec<[f32; 4]>) {
    let [x0, y0, x1, y1] = *quad;
    let [hx0, hy0, hx1, hy1] = *hole;
    if hx0 >= x1 || hx1 <= x0 || hy0 >= y1 || hy1 <= y0 {
        out.push(*quad);
        return;
    }
    let (top, bottom) = (hy0.max(y0), hy1.min(y1));
    if hy0 > y0 {
        out.push([x0, y0, x1, hy0]);
    }
    if hy1 < y1 {
        out.push([x0, hy1, x1, y1]);
    }
    if hx0 > x0 {
        out.push([x0, top, hx0, bottom]);
    }
    if hx1 < x1 {
        out.push([hx1, top, x1, bottom]);
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
        let pipeline = |label, (vertex_entry_point, entry_point), blend| {
            super::pipeline::instanced_quads_with(
                device,
                label,
                &layout,
                &module,
                std::mem::size_of::<ShapeInstance>(),
                &ATTRIBUTES,
                format,
                super::pipeline::Fragment {
                    vertex_entry_point,
                    entry_point,
                    blend,
                },
            )
        };
        ShapePipeline {
            edge: pipeline(
                "shape edges",
                ("vs_main", "fs_main"),
                Some(PREMULTIPLIED_OVER),
            ),
            solid_opaque: pipeline("opaque shape interiors", ("vs_solid", "fs_solid"), None),
            solid_blended: pipeline(
                "shape interiors",
                ("vs_solid", "fs_solid"),
                Some(PREMULTIPLIED_OVER),
            ),
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
            if draw.instances.is_empty() {
                continue;
            }
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

    /// A pass clipped to a rectangle gets exactly the quads that reach into it, in their order
    /// and with their shading; draws left with none are dropped, and the frame's own draws stay.
    #[test]
    fn clipped_draws_hold_only_the_quads_that_reach_the_rectangle() {
        let mut batch = ShapeBatch::default();
        assert!(batch.push_rect(
            &rect(0.0, 0.0, 400.0, 300.0, 12.0, Color::rgb(10, 20, 30)),
            false
        ));
        batch.seal();
        assert!(batch.push_rect(
            &rect(500.0, 0.0, 200.0, 100.0, 8.0, Color::rgb(90, 20, 30)),
            false
        ));
        batch.cull_hidden();
        let (draws, instances) = (batch.draws.clone(), batch.instances.clone());
        let area_rect = [520.0, 10.0, 560.0, 40.0];
        let clipped = batch.clip_draws(0..draws.len(), area_rect);
        assert_eq!(
            batch.draws[..draws.len()],
            draws[..],
            "the frame's draws are unchanged"
        );
        assert_eq!(batch.instances[..instances.len()], instances[..]);
        let kept: Vec<ShapeInstance> = batch.draws[clipped.clone()]
            .iter()
            .flat_map(|d| d.instances.clone())
            .map(|i| batch.instances[i as usize])
            .collect();
        let want: Vec<ShapeInstance> = draws
            .iter()
            .flat_map(|d| d.instances.clone())
            .map(|i| instances[i as usize])
            .filter(|q| overlap(q.quad, area_rect))
            .collect();
        assert!(!want.is_empty() && want.len() < instances.len() / 2);
        assert_eq!(kept, want);
        assert!(
            batch.draws[clipped.clone()]
                .iter()
                .all(|d| !d.instances.is_empty())
        );
        // Nothing of the first panel reaches the rectangle: only the second panel's draws.
        assert!(kept.iter().all(|q| q.rect[0] == 500.0));
        // A rectangle nothing reaches gets no draws at all.
        assert!(
            batch
                .clip_draws(0..draws.len(), [900.0, 900.0, 950.0, 950.0])
                .is_empty()
        );
    }

    #[test]
    fn a_large_rectangle_is_a_flat_cross_and_thin_edges_tiling_its_quad() {
        let mut batch = ShapeBatch::default();
        let (x, y, w, h, radius) = (10.3, 20.7, 800.2, 400.9, 12.0);
        assert!(batch.push_rect(&rect(x, y, w, h, radius, Color::rgb(20, 40, 60)), true));
        let shadings: Vec<Shading> = batch.draws.iter().map(|d| d.shading).collect();
        assert_eq!(shadings, [Shading::SolidOpaque, Shading::Edge]);
        assert_eq!(batch.draws[0].instances, 0..3);
        assert_eq!(batch.draws[1].instances, 3..11);
        let quads: Vec<[f32; 4]> = batch.instances.iter().map(|i| i.quad).collect();
        let whole = padded(x, y, w, h);
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
        // The flat parts lie on whole pixels, clear of the border (3 px plus the half pixel of
        // the edge) along the straight edges, and clear of the radius beside the corners.
        let border = 3.5;
        for q in &quads[..3] {
            assert!(q.iter().all(|v| v.fract() == 0.0));
            assert!(q[0] >= x + border && q[1] >= y + border);
            assert!(q[2] <= x + w - border && q[3] <= y + h - border);
            let beside_corner_x = q[0] < x + radius || q[2] > x + w - radius;
            let beside_corner_y = q[1] < y + radius || q[3] > y + h - radius;
            assert!(
                !(beside_corner_x && beside_corner_y),
                "{q:?} reaches a corner"
            );
        }
        // What the distance function shades is a few pixels along the edges and the corners:
        // far less than the strips as wide as the radius drawn before.
        let edges: f32 = quads[3..].iter().map(|&q| area(q)).sum();
        let perimeter = 2.0 * (w + h);
        assert!(edges < perimeter * 6.0, "{edges} px of edges");
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
            8,
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
    fn what_a_later_opaque_interior_covers_is_left_out() {
        let mut batch = ShapeBatch::default();
        let big = rect(0.0, 0.0, 400.0, 300.0, 0.0, Color::rgb(1, 2, 3));
        let inner = rect(100.0, 100.0, 100.0, 100.0, 0.0, Color::rgb(4, 5, 6));
        batch.push_rect(&big, true);
        batch.seal();
        batch.push_rect(&inner, true);
        let before: Vec<ShapeInstance> = batch.instances.clone();
        let draws_before = batch.draws.len();
        batch.cull_hidden();
        assert_eq!(batch.draws.len(), draws_before, "draws keep their places");
        // Every pixel of the old quads is still drawn exactly once by the last quad covering
        // it, and no pixel under the inner interior is drawn by the big rectangle's quads.
        let inner_flat = batch.instances[batch.draws[2].instances.start as usize].quad;
        let drawn_by = |instances: &[ShapeInstance], px: f32, py: f32| {
            instances
                .iter()
                .filter(|i| i.quad[0] <= px && px < i.quad[2] && i.quad[1] <= py && py < i.quad[3])
                .map(|i| i.fill)
                .collect::<Vec<_>>()
        };
        for py in (-2..303).map(|v| v as f32 + 0.5) {
            for px in (-2..403).map(|v| v as f32 + 0.5) {
                let old = drawn_by(&before, px, py);
                let new = drawn_by(&batch.instances, px, py);
                assert_eq!(old.last(), new.last(), "at {px},{py}");
                let hidden = inner_flat[0] <= px
                    && px < inner_flat[2]
                    && inner_flat[1] <= py
                    && py < inner_flat[3];
                assert!(
                    new.len() <= if hidden { 1 } else { old.len() },
                    "at {px},{py}"
                );
            }
        }
        assert!(
            batch.instances.iter().map(|i| area(i.quad)).sum::<f32>()
                < before.iter().map(|i| area(i.quad)).sum::<f32>() - 8000.0,
            "{:?} {:?}",
            batch.instances.iter().map(|i| i.quad).collect::<Vec<_>>(),
            batch.draws
        );
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
