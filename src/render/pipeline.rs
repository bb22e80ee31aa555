//! The render pipeline shared by shapes and pictures: one instanced quad (a four-vertex triangle
//! strip) per item, premultiplied-alpha blending over what is already drawn.

use super::shapes::PREMULTIPLIED_OVER;

/// A pipeline drawing one quad per instance of `instance_size` bytes with `attributes`, from
/// `module`'s `vs_main` and `fs_main`.
pub(crate) fn instanced_quads(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    instance_size: usize,
    attributes: &[wgpu::VertexAttribute],
    format: wgpu::TextureFormat,
) -> wgpu::RenderPipeline {
    let fragment = Fragment {
        vertex_entry_point: "vs_main",
        entry_point: "fs_main",
        blend: Some(PREMULTIPLIED_OVER),
    };
    instanced_quads_with(
        device,
        label,
        layout,
        module,
        instance_size,
        attributes,
        format,
        fragment,
    )
}

/// The shader stages of a pipeline: the vertex and fragment entry points, and how the fragment
/// output is blended (`None` replaces what is there, which a software rasteriser does without
/// reading the target).
pub(crate) struct Fragment {
    pub(crate) vertex_entry_point: &'static str,
    pub(crate) entry_point: &'static str,
    pub(crate) blend: Option<wgpu::BlendState>,
}

/// Like [`instanced_quads`], with another fragment entry point or blending.
#[allow(clippy::too_many_arguments)]
pub(crate) fn instanced_quads_with(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    instance_size: usize,
    attributes: &[wgpu::VertexAttribute],
    format: wgpu::TextureFormat,
    fragment: Fragment,
) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some(fragment.vertex_entry_point),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: instance_size as u64,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes,
            })],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::TriangleStrip,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some(fragment.entry_point),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: fragment.blend,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// A vertex buffer of per-item instances that grows (to the next power of two) when a frame
/// holds more items than it has room for, and is reused otherwise.
pub(crate) struct InstanceBuffer<T> {
    label: &'static str,
    buffer: wgpu::Buffer,
    capacity: u64,
    _items: std::marker::PhantomData<T>,
}

impl<T: bytemuck::Pod> InstanceBuffer<T> {
    pub(crate) fn new(device: &wgpu::Device, label: &'static str, capacity: u64) -> Self {
        InstanceBuffer {
            label,
            buffer: Self::create(device, label, capacity),
            capacity,
            _items: std::marker::PhantomData,
        }
    }

    fn create(device: &wgpu::Device, label: &str, count: u64) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: count * std::mem::size_of::<T>() as u64,
            usage: wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// Uploads this frame's instances, growing the buffer when needed.
    pub(crate) fn upload(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, instances: &[T]) {
        if instances.is_empty() {
            return;
        }
        let needed = instances.len() as u64;
        if needed > self.capacity {
            self.capacity = needed.next_power_of_two();
            self.buffer = Self::create(device, self.label, self.capacity);
        }
        queue.write_buffer(&self.buffer, 0, bytemuck::cast_slice(instances));
    }

    pub(crate) fn slice(&self) -> wgpu::BufferSlice<'_> {
        self.buffer.slice(..)
    }
}
