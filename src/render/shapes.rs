//! The shape pipeline: rounded rectangles with borders and block arrows, as instanced quads
//! shaded with signed distance functions (see `shaders/shapes.wgsl`).

use bytemuck::{Pod, Zeroable};

use super::color::to_target;
use super::text::rect_is_drawable;
use crate::scene::display::{ArrowItem, RectItem};

/// One shape, as the vertex shader reads it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Pod, Zeroable)]
pub(crate) struct ShapeInstance {
    rect: [f32; 4],
    /// Corner radius, border width, kind (0 rectangle, 1 arrow), unused.
    params: [f32; 4],
    fill: [f32; 4],
    border: [f32; 4],
}

const KIND_RECT: f32 = 0.0;
const KIND_ARROW: f32 = 1.0;

/// Builds the instance for a rectangle, or `None` if it would draw nothing.
pub(crate) fn rect_instance(item: &RectItem, srgb: bool) -> Option<ShapeInstance> {
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
    })
}

/// Builds the instance for an arrow, or `None` if it would draw nothing.
pub(crate) fn arrow_instance(item: &ArrowItem, srgb: bool) -> Option<ShapeInstance> {
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
    })
}

/// Premultiplied-alpha "over" blending, matching the premultiplied output of the shaders.
pub(crate) const PREMULTIPLIED_OVER: wgpu::BlendState =
    wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING;

pub(crate) struct ShapePipeline {
    pipeline: wgpu::RenderPipeline,
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
        const ATTRIBUTES: [wgpu::VertexAttribute; 4] = wgpu::vertex_attr_array![0 => Float32x4, 1 => Float32x4, 2 => Float32x4, 3 => Float32x4];
        let pipeline = super::pipeline::instanced_quads(
            device,
            "shapes",
            &layout,
            &module,
            std::mem::size_of::<ShapeInstance>(),
            &ATTRIBUTES,
            format,
        );
        ShapePipeline {
            pipeline,
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

    /// Draws instances `range` of those uploaded this frame.
    pub(crate) fn draw(
        &self,
        pass: &mut wgpu::RenderPass<'_>,
        globals: &wgpu::BindGroup,
        range: std::ops::Range<u32>,
    ) {
        if range.is_empty() {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, globals, &[]);
        pass.set_vertex_buffer(0, self.instances.slice());
        pass.draw(0..4, range);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::display::{Color, Rect};

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
