//! Turning the picture for monitors mounted in portrait (or upside down).
//!
//! The board is drawn upright at its own size into a texture, then copied onto the screen turned
//! by quarter turns, pixel for pixel (no filtering, so text stays as sharp as unturned). Doing it
//! here rather than in the display driver or compositor keeps the setting in tablica's config and
//! works the same under any compositor.

use super::{FrameStats, Gpu, RenderError, Renderer};
use crate::scene::DisplayList;

/// Quarter turns clockwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Turns(pub u32);

impl Turns {
    pub fn from_degrees(degrees: u32) -> Turns {
        Turns((degrees / 90) % 4)
    }

    /// The size to lay the board out at for a screen of `width`×`height`.
    pub fn board_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.0 % 2 == 1 {
            (height, width)
        } else {
            (width, height)
        }
    }
}

pub struct Rotator {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    params: wgpu::Buffer,
    board: Option<(wgpu::Texture, wgpu::TextureView)>,
    /// What the upright board texture shows: it is kept across frames, and only what changed
    /// is redrawn into it.
    shows: super::renderer::Shows,
}

impl Rotator {
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Rotator {
        let device = &gpu.device;
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("rotate"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/rotate.wgsl").into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("rotate"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: false },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("rotate"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("rotate"),
            layout: Some(&pipeline_layout),
            vertex: wgpu::VertexState {
                module: &shader,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            fragment: Some(wgpu::FragmentState {
                module: &shader,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: wgpu::MultisampleState::default(),
            multiview_mask: None,
            cache: None,
        });
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("rotate params"),
            size: 16,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Rotator {
            pipeline,
            layout,
            params,
            board: None,
            shows: None,
        }
    }

    /// Draws `list` (laid out upright) onto `target`, turned by `turns`.
    pub fn render(
        &mut self,
        gpu: &Gpu,
        renderer: &mut Renderer,
        list: &DisplayList,
        turns: Turns,
        target: &wgpu::TextureView,
    ) -> Result<FrameStats, RenderError> {
        let (w, h) = (list.width.max(1), list.height.max(1));
        let stale = self
            .board
            .as_ref()
            .is_none_or(|(t, _)| t.width() != w || t.height() != h);
        if stale {
            let texture = gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("upright board"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: renderer.format(),
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            });
            let view = texture.create_view(&Default::default());
            self.board = Some((texture, view));
            self.shows = None;
        }
        let Some((_, board_view)) = &self.board else {
            unreachable!("created above");
        };
        let stats = renderer.render_kept(gpu, list, board_view, &mut self.shows)?;
        gpu.queue.write_buffer(
            &self.params,
            0,
            bytemuck::cast_slice(&[turns.0 % 4, 0, 0, 0]),
        );
        let bind_group = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("rotate"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(board_view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: self.params.as_entire_binding(),
                },
            ],
        });
        let mut encoder = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("rotate"),
            });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("rotate"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.draw(0..3, 0..1);
        }
        gpu.queue.submit([encoder.finish()]);
        Ok(stats)
    }
}
