//! The GPU connection: instance, adapter, device and queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use thiserror::Error;
use winit::window::Window;

/// Failure to get a usable GPU (or CPU rasteriser such as lavapipe).
#[derive(Debug, Error)]
pub enum GpuError {
    #[error("no graphics adapter available (backends {backends:?}): {source}")]
    NoAdapter {
        backends: wgpu::Backends,
        #[source]
        source: wgpu::RequestAdapterError,
    },
    #[error("adapter {adapter} refused to create a device: {source}")]
    RequestDevice {
        adapter: String,
        #[source]
        source: wgpu::RequestDeviceError,
    },
    #[error("cannot create a drawing surface for the window: {0}")]
    CreateSurface(#[from] wgpu::CreateSurfaceError),
}

/// Textures larger than this on a side are never needed by a board (4K is 3840 wide) and would
/// only let the glyph atlas grow to gigabytes, so the device is asked for no more.
const MAX_TEXTURE_SIDE: u32 = 8192;

/// The sets of backends tried in turn: Vulkan (and the other primary APIs) first, and OpenGL only
/// where none of them gives an adapter. Starting the OpenGL backend next to Vulkan is not free
/// even when Vulkan wins: it opens EGL, which loads Mesa's OpenGL driver and initialises it,
/// which cost about 6 MB of resident memory and tens of milliseconds of start-up on lavapipe for
/// an adapter that is never used. `WGPU_BACKEND` still chooses, as wgpu documents.
fn backend_tries() -> Vec<wgpu::Backends> {
    if std::env::var_os("WGPU_BACKEND").is_some() {
        return vec![wgpu::Backends::all()];
    }
    vec![wgpu::Backends::PRIMARY, wgpu::Backends::all()]
}

/// Instance, adapter, device and queue, created once and shared by everything that draws.
pub struct Gpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    errors: Arc<AtomicU64>,
    /// Set by wgpu's device-lost callback: a driver reset, a GPU hang or an unplugged adapter.
    /// A lost device never comes back; everything made with it has to be made again.
    lost: Arc<AtomicBool>,
}

impl Gpu {
    /// Connects to a GPU for offscreen rendering.
    ///
    /// Honours `WGPU_BACKEND`, `WGPU_ADAPTER_NAME`, `WGPU_POWER_PREF` and friends, and accepts a
    /// CPU adapter (lavapipe), which is what tests and headless machines have.
    pub fn headless() -> Result<Gpu, GpuError> {
        let mut last = None;
        for backends in backend_tries() {
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
            desc.backends = backends;
            let instance = wgpu::Instance::new(desc.with_env());
            match pollster::block_on(Self::with_instance(instance, None)) {
                Ok(gpu) => return Ok(gpu),
                Err(err) => last = Some(err),
            }
        }
        Err(last.expect("at least one set of backends is tried"))
    }

    /// Connects to a GPU able to present to `window` and creates the window's surface.
    pub fn for_window(window: Arc<Window>) -> Result<(Gpu, wgpu::Surface<'static>), GpuError> {
        let mut last = None;
        for backends in backend_tries() {
            // The display handle matters to the GL backend (Wayland in particular); the window
            // keeps the display connection alive for as long as the instance lives.
            let mut desc =
                wgpu::InstanceDescriptor::new_with_display_handle(Box::new(window.clone()));
            desc.backends = backends;
            let instance = wgpu::Instance::new(desc.with_env());
            let surface = match instance.create_surface(window.clone()) {
                Ok(surface) => surface,
                Err(err) => {
                    last = Some(GpuError::CreateSurface(err));
                    continue;
                }
            };
            match pollster::block_on(Self::with_instance(instance, Some(&surface))) {
                Ok(gpu) => return Ok((gpu, surface)),
                Err(err) => last = Some(err),
            }
        }
        Err(last.expect("at least one set of backends is tried"))
    }

    async fn with_instance(
        instance: wgpu::Instance,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Gpu, GpuError> {
        let backends = wgpu::Backends::from_env().unwrap_or_default();
        let adapter = match wgpu::util::initialize_adapter_from_env(&instance, surface).await {
            Ok(adapter) => adapter,
            Err(_) => instance
                .request_adapter(&wgpu::RequestAdapterOptions {
                    power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
                    force_fallback_adapter: false,
                    compatible_surface: surface,
                    ..Default::default()
                })
                .await
                .map_err(|source| GpuError::NoAdapter { backends, source })?,
        };
        let info = adapter.get_info();
        tracing::info!(
            name = %info.name,
            backend = ?info.backend,
            device_type = ?info.device_type,
            driver = %info.driver,
            "graphics adapter"
        );
        let supported = adapter.limits();
        let required_limits = wgpu::Limits {
            max_texture_dimension_2d: supported.max_texture_dimension_2d.min(MAX_TEXTURE_SIDE),
            ..wgpu::Limits::downlevel_defaults()
        };
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("tablica"),
                required_features: wgpu::Features::empty(),
                required_limits,
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                ..Default::default()
            })
            .await
            .map_err(|source| GpuError::RequestDevice {
                adapter: info.name.clone(),
                source,
            })?;
        // wgpu's default reaction to a validation or out-of-memory error is to panic. A board on
        // a wall must keep showing the last frames it can, so errors are logged and counted
        // instead; tests assert that the count stays zero.
        let errors = Arc::new(AtomicU64::new(0));
        let counter = errors.clone();
        device.on_uncaptured_error(Arc::new(move |err: wgpu::Error| {
            counter.fetch_add(1, Ordering::Relaxed);
            tracing::error!(%err, "GPU error");
        }));
        // Without this callback a lost device would only show as every later frame failing
        // quietly (a frozen or black screen); with it the owner rebuilds the GPU connection.
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            flag.store(true, Ordering::Release);
            tracing::error!(?reason, %message, "GPU device lost");
        });
        Ok(Gpu {
            instance,
            adapter,
            device,
            queue,
            errors,
            lost,
        })
    }

    /// Whether the device has been lost. Polls the device first: wgpu reports some losses (a
    /// destroyed device among them) only while it is being maintained, and a board whose frames
    /// are all being skipped would otherwise never maintain it.
    pub fn is_lost(&self) -> bool {
        if !self.lost.load(Ordering::Acquire) {
            let _ = self.device.poll(wgpu::PollType::Poll);
        }
        self.lost.load(Ordering::Acquire)
    }

    /// Number of GPU errors (validation, out of memory) reported since the device was created.
    pub fn error_count(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Largest texture side this device accepts.
    pub fn max_texture_side(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }
}
