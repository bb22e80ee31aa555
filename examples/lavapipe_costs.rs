//! What the software rasteriser (lavapipe) charges for the kinds of drawing a board does, each
//! alone in a 1920×1080 frame: a clear, N quads filled with a constant, an interpolated or a
//! texture-sampled colour, with and without blending, as instances or as plain triangles, and a
//! whole-frame texture copy. Medians of 40 frames, submitted and waited for. The figures behind
//! docs/BENCHMARKS.md's "Round 5: what lavapipe charges".
//!
//! `cargo run --release --example lavapipe_costs`; environment: `N` quads per frame (default 1),
//! `SZ` their size as a fraction of the frame's width and height (default 1: the whole frame;
//! smaller quads are spread over it), `FMT=bgra` for the BGRA target an X11 window has instead of
//! RGBA.
use std::time::Instant;

const W: u32 = 1920;
const H: u32 = 1080;

const SHADER: &str = r#"
struct V { @builtin(position) pos: vec4<f32>, @location(0) c: vec4<f32>, @location(1) uv: vec2<f32> };
struct F { @builtin(position) pos: vec4<f32>, @location(0) @interpolate(flat) c: vec4<f32> };
@group(0) @binding(0) var tex: texture_2d<f32>;
@group(0) @binding(1) var samp: sampler;

fn corner(i: u32) -> vec2<f32> { return vec2<f32>(f32(i & 1u), f32(i >> 1u)); }

@vertex fn vs_strip(@builtin(vertex_index) i: u32, @location(0) rect: vec4<f32>) -> V {
  let c = corner(i);
  let p = mix(rect.xy, rect.zw, c);
  var o: V; o.pos = vec4<f32>(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
  o.c = vec4<f32>(0.1, 0.2, 0.4, 1.0); o.uv = c; return o;
}
@vertex fn vs_flat(@builtin(vertex_index) i: u32, @location(0) rect: vec4<f32>) -> F {
  let c = corner(i);
  let p = mix(rect.xy, rect.zw, c);
  var o: F; o.pos = vec4<f32>(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
  o.c = vec4<f32>(0.1, 0.2, 0.4, 1.0); return o;
}
@vertex fn vs_list(@location(0) p: vec2<f32>) -> V {
  var o: V; o.pos = vec4<f32>(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
  o.c = vec4<f32>(0.1, 0.2, 0.4, 1.0); o.uv = p; return o;
}
@fragment fn fs_const() -> @location(0) vec4<f32> { return vec4<f32>(0.1, 0.2, 0.4, 1.0); }
@fragment fn fs_interp(v: V) -> @location(0) vec4<f32> { return v.c; }
@fragment fn fs_flat(v: F) -> @location(0) vec4<f32> { return v.c; }
@fragment fn fs_tex(v: V) -> @location(0) vec4<f32> { return textureSample(tex, samp, v.uv); }
@fragment fn fs_tex_tint(v: V) -> @location(0) vec4<f32> { return textureSample(tex, samp, v.uv) * v.c; }
"#;

fn main() {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle().with_env());
    let adapter = pollster::block_on(instance.request_adapter(&Default::default())).unwrap();
    let info = adapter.get_info();
    let (device, queue) = pollster::block_on(adapter.request_device(&Default::default())).unwrap();
    let format: wgpu::TextureFormat = match std::env::var("FMT").as_deref() {
        Ok("bgra") => wgpu::TextureFormat::Bgra8Unorm,
        _ => wgpu::TextureFormat::Rgba8Unorm,
    };
    let target = device.create_texture(&wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width: W,
            height: H,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
            | wgpu::TextureUsages::COPY_DST
            | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let src = device.create_texture(&wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width: W,
            height: H,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::TEXTURE_BINDING
            | wgpu::TextureUsages::COPY_SRC
            | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    let view = target.create_view(&Default::default());
    let src_view = src.create_view(&Default::default());
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: None,
        source: wgpu::ShaderSource::Wgsl(SHADER.into()),
    });
    let sampler = device.create_sampler(&wgpu::SamplerDescriptor::default());
    let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: None,
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
    let bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &bgl,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(&src_view),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::Sampler(&sampler),
            },
        ],
    });
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: None,
        bind_group_layouts: &[Some(&bgl)],
        immediate_size: 0,
    });
    let inst_attr = [wgpu::VertexAttribute {
        format: wgpu::VertexFormat::Float32x4,
        offset: 0,
        shader_location: 0,
    }];
    let list_attr = [wgpu::VertexAttribute {
        format: wgpu::VertexFormat::Float32x2,
        offset: 0,
        shader_location: 0,
    }];
    let pipe = |vs: &str, fs: &str, blend: Option<wgpu::BlendState>, list: bool| {
        device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: None,
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some(vs),
                compilation_options: Default::default(),
                buffers: &[Some(if list {
                    wgpu::VertexBufferLayout {
                        array_stride: 8,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &list_attr,
                    }
                } else {
                    wgpu::VertexBufferLayout {
                        array_stride: 16,
                        step_mode: wgpu::VertexStepMode::Instance,
                        attributes: &inst_attr,
                    }
                })],
            },
            primitive: wgpu::PrimitiveState {
                topology: if list {
                    wgpu::PrimitiveTopology::TriangleList
                } else {
                    wgpu::PrimitiveTopology::TriangleStrip
                },
                ..Default::default()
            },
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some(fs),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        })
    };
    use wgpu::util::DeviceExt;
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let sz: f32 = std::env::var("SZ")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    println!(
        "adapter: {} ({:?}, {}), target {format:?}; {n} quad(s) of {sz} × the frame",
        info.name, info.device_type, info.driver
    );
    // Spread over the frame by the golden ratio, so that small quads fall on many tiles.
    let pos = |i: u32| -> [f32; 2] {
        let k = i as f32 * 0.618034;
        [k.fract() * (1.0 - sz), (k * 0.37).fract() * (1.0 - sz)]
    };
    let rects: Vec<[f32; 4]> = (0..n)
        .map(|i| {
            let p = pos(i);
            [p[0], p[1], p[0] + sz, p[1] + sz]
        })
        .collect();
    let inst = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: None,
        contents: bytemuck::cast_slice(&rects),
        usage: wgpu::BufferUsages::VERTEX,
    });
    let mut verts: Vec<[f32; 2]> = Vec::new();
    for r in &rects {
        let (a, b, c, d) = (r[0], r[1], r[2], r[3]);
        verts.extend_from_slice(&[[a, b], [c, b], [a, d], [a, d], [c, b], [c, d]]);
    }
    let list = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: None,
        contents: bytemuck::cast_slice(&verts),
        usage: wgpu::BufferUsages::VERTEX,
    });
    let blend = Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING);
    // Name, vertex stage (`vs_list` draws plain triangles, the others one instance per quad),
    // fragment stage, blended. The first row draws nothing: the clear alone.
    let table: [(&str, &str, &str, bool); 11] = [
        ("clear", "", "", false),
        ("const", "vs_strip", "fs_const", false),
        ("interp", "vs_strip", "fs_interp", false),
        ("flat", "vs_flat", "fs_flat", false),
        ("interp+blend", "vs_strip", "fs_interp", true),
        ("list interp", "vs_list", "fs_interp", false),
        ("list const", "vs_list", "fs_const", false),
        ("list tex", "vs_list", "fs_tex", false),
        ("tex", "vs_strip", "fs_tex", false),
        ("tex+blend", "vs_strip", "fs_tex", true),
        ("tex tint+blend", "vs_strip", "fs_tex_tint", true),
    ];
    let cases: Vec<(&str, Option<wgpu::RenderPipeline>, bool)> = table
        .iter()
        .map(|&(name, vs, fs, blended)| {
            let list = vs == "vs_list";
            let pipeline =
                (!vs.is_empty()).then(|| pipe(vs, fs, if blended { blend } else { None }, list));
            (name, pipeline, list)
        })
        .collect();
    let frames = 40;
    for (name, pipeline, is_list) in &cases {
        let mut times = Vec::new();
        for _ in 0..frames {
            let t = Instant::now();
            let mut enc = device.create_command_encoder(&Default::default());
            {
                let mut pass = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: None,
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
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
                if let Some(p) = pipeline {
                    pass.set_pipeline(p);
                    pass.set_bind_group(0, &bg, &[]);
                    if *is_list {
                        pass.set_vertex_buffer(0, list.slice(..));
                        pass.draw(0..6 * n, 0..1);
                    } else {
                        pass.set_vertex_buffer(0, inst.slice(..));
                        pass.draw(0..4, 0..n);
                    }
                }
            }
            queue.submit([enc.finish()]);
            device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!("{name:16} {:6.2} ms", times[frames / 2]);
    }
    // A whole frame copied from another texture (its content does not matter to the cost).
    let mut times = Vec::new();
    for _ in 0..frames {
        let t = Instant::now();
        let mut enc = device.create_command_encoder(&Default::default());
        enc.copy_texture_to_texture(
            src.as_image_copy(),
            target.as_image_copy(),
            wgpu::Extent3d {
                width: W,
                height: H,
                depth_or_array_layers: 1,
            },
        );
        queue.submit([enc.finish()]);
        device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("{:16} {:6.2} ms", "copy", times[frames / 2]);
}
