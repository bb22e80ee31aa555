//! The memory floor of issue 15: a bare winit window with a wgpu surface, cleared to a new colour
//! every 2 s, on the same adapter choice as tablica (Vulkan first). `scripts/compare-browser`
//! measures it beside tablica, so that what tablica adds on top of the graphics driver is read
//! from one session's figures rather than from a number taken on another machine.
//!
//! usage: cargo run --release --example bare_window   (inside an X display; Ctrl-C stops it)

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::window::{Window, WindowId};

struct Shown {
    window: Arc<Window>,
    device: wgpu::Device,
    queue: wgpu::Queue,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
}

#[derive(Default)]
struct Bare {
    shown: Option<Shown>,
    frames: u64,
    next: Option<Instant>,
}

impl Bare {
    fn show(event_loop: &ActiveEventLoop) -> Shown {
        let window = Arc::new(
            event_loop
                .create_window(
                    Window::default_attributes()
                        .with_title("bare")
                        .with_inner_size(winit::dpi::PhysicalSize::new(1920, 1080)),
                )
                .expect("a window"),
        );
        let mut desc = wgpu::InstanceDescriptor::new_with_display_handle(Box::new(window.clone()));
        desc.backends = wgpu::Backends::PRIMARY;
        let instance = wgpu::Instance::new(desc.with_env());
        let surface = instance.create_surface(window.clone()).expect("a surface");
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            compatible_surface: Some(&surface),
            ..Default::default()
        }))
        .expect("an adapter");
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            memory_hints: wgpu::MemoryHints::MemoryUsage,
            required_limits: wgpu::Limits::downlevel_defaults(),
            ..Default::default()
        }))
        .expect("a device");
        let size = window.inner_size();
        let mut config = surface
            .get_default_config(&adapter, size.width.max(1), size.height.max(1))
            .expect("a surface configuration");
        config.desired_maximum_frame_latency = 1;
        surface.configure(&device, &config);
        Shown {
            window,
            device,
            queue,
            surface,
            config,
        }
    }

    fn draw(&mut self) {
        let Some(shown) = &self.shown else { return };
        let frame = match shown.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame)
            | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => frame,
            _ => {
                shown.surface.configure(&shown.device, &shown.config);
                return;
            }
        };
        let view = frame.texture.create_view(&Default::default());
        let mut encoder = shown.device.create_command_encoder(&Default::default());
        let shade = (self.frames % 5) as f64 / 5.0;
        encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("clear"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color {
                        r: 0.05,
                        g: 0.2 + 0.3 * shade,
                        b: 0.4,
                        a: 1.0,
                    }),
                    store: wgpu::StoreOp::Store,
                },
            })],
            ..Default::default()
        });
        shown.queue.submit([encoder.finish()]);
        shown.window.pre_present_notify();
        shown.queue.present(frame);
        self.frames += 1;
    }
}

impl ApplicationHandler for Bare {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.shown.is_none() {
            self.shown = Some(Self::show(event_loop));
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                if let Some(shown) = &mut self.shown {
                    shown.config.width = size.width.max(1);
                    shown.config.height = size.height.max(1);
                    shown.surface.configure(&shown.device, &shown.config);
                    shown.window.request_redraw();
                }
            }
            WindowEvent::RedrawRequested => self.draw(),
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        // A new colour every 2 s, as the board gets a new call every 2 s in the comparison.
        let now = Instant::now();
        let next = *self.next.get_or_insert(now);
        if now >= next {
            if let Some(shown) = &self.shown {
                shown.window.request_redraw();
            }
            self.next = Some(now + Duration::from_secs(2));
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(self.next.expect("set above")));
    }
}

fn main() {
    let event_loop = EventLoop::new().expect("an event loop (is DISPLAY set?)");
    event_loop
        .run_app(&mut Bare::default())
        .expect("the event loop runs");
}
