//! The fullscreen window (winit 0.30): redraws only when something changed or an animation runs.

use super::{Core, renderer_for};
use crate::config::MonitorChoice;
use crate::deploy::Supervisor;
use crate::feed::{Feed, Waker};
use crate::render::{FrameOutcome, Gpu, Renderer, Rotator, Turns, WindowSurface};
use jiff::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, StartCause, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Fullscreen, Window, WindowId};

#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// A normal window instead of fullscreen (for designers and development).
    pub windowed: bool,
    /// The window's size; fullscreen uses the monitor's.
    pub size: Option<(u32, u32)>,
    /// The monitor for fullscreen; `None` for the primary one.
    pub monitor: Option<MonitorChoice>,
    /// How the picture is turned on the panel (monitors mounted in portrait).
    pub turns: Turns,
}

#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("no display to open a window on ({0}); is DISPLAY or WAYLAND_DISPLAY set?")]
    NoDisplay(String),
    #[error("the window system failed: {0}")]
    EventLoop(String),
    #[error("cannot draw into the window: {0}")]
    Gpu(String),
}

/// Wakes the event loop from the feed's thread.
#[derive(Debug, Clone, Copy)]
struct Wake;

/// Opens the window and runs until it is closed. `make_feed` receives the waker that the feed's
/// thread must call when messages are waiting.
pub fn run_window(
    core: Core,
    options: WindowOptions,
    make_feed: impl FnOnce(Waker) -> Option<Feed>,
) -> Result<(), WindowError> {
    run_window_supervised(core, options, None, make_feed)
}

/// [`run_window`] with the deployment shell: health endpoint, systemd watchdog, pixel shift.
pub fn run_window_supervised(
    mut core: Core,
    options: WindowOptions,
    supervisor: Option<Supervisor>,
    make_feed: impl FnOnce(Waker) -> Option<Feed>,
) -> Result<(), WindowError> {
    let event_loop = EventLoop::<Wake>::with_user_event()
        .build()
        .map_err(|e| WindowError::NoDisplay(e.to_string()))?;
    let proxy = event_loop.create_proxy();
    let pending = Arc::new(AtomicBool::new(false));
    let flag = pending.clone();
    // One queued wake-up at a time: a flood of events must not flood winit's own queue.
    let waker: Waker = Arc::new(move || {
        if !flag.swap(true, Ordering::AcqRel) {
            let _ = proxy.send_event(Wake);
        }
    });
    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(event_loop.create_proxy(), stop.clone());
    core.watch_layout(waker.clone());
    if let Some(s) = &supervisor {
        s.set_waker(waker.clone());
    }
    if let Some(feed) = make_feed(waker) {
        core.set_feed(feed);
    }
    let mut app = App {
        core,
        options,
        supervisor,
        pending,
        stop,
        window: None,
        next_change: None,
        error: None,
    };
    event_loop
        .run_app(&mut app)
        .map_err(|e| WindowError::EventLoop(e.to_string()))?;
    match app.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Turns SIGTERM (systemd stopping the service) and SIGINT into an orderly exit: the feed's
/// connection is closed, the audio device released and the window closed, instead of the process
/// vanishing mid-sound.
fn watch_signals(proxy: winit::event_loop::EventLoopProxy<Wake>, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new()
        .name("tablica-signals".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                use tokio::signal::unix::{SignalKind, signal};
                let (Ok(mut term), Ok(mut int)) = (
                    signal(SignalKind::terminate()),
                    signal(SignalKind::interrupt()),
                ) else {
                    return;
                };
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
                tracing::info!("asked to stop; closing the board");
                stop.store(true, Ordering::Release);
                let _ = proxy.send_event(Wake);
            });
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for stop signals: {e}");
    }
}

struct Shown {
    window: Arc<Window>,
    gpu: Gpu,
    surface: WindowSurface,
    renderer: Renderer,
    /// The font files the renderer was built with; a layout naming others needs a new one.
    fonts: Vec<String>,
    /// Made on the first turned frame.
    rotator: Option<Rotator>,
}

struct App {
    core: Core,
    options: WindowOptions,
    supervisor: Option<Supervisor>,
    pending: Arc<AtomicBool>,
    /// Set when the process is asked to stop (SIGTERM from systemd, Ctrl-C).
    stop: Arc<AtomicBool>,
    window: Option<Shown>,
    /// When the picture next changes by itself.
    next_change: Option<Instant>,
    error: Option<WindowError>,
}

impl App {
    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<Shown, WindowError> {
        let mut attrs = Window::default_attributes().with_title("Tablica");
        if let Some((w, h)) = self.options.size {
            attrs = attrs.with_inner_size(PhysicalSize::new(w, h));
        }
        if !self.options.windowed {
            attrs = attrs
                .with_fullscreen(Some(Fullscreen::Borderless(None)))
                .with_decorations(false);
            // Without a window manager (a bare X server, some kiosk setups) the fullscreen
            // request may be ignored: ask for the monitor's whole area as well.
            let chosen = crate::deploy::monitor::chosen(event_loop, self.options.monitor.as_ref());
            if chosen.is_some() {
                attrs = attrs.with_fullscreen(Some(Fullscreen::Borderless(chosen.clone())));
            }
            if self.options.size.is_none()
                && let Some(monitor) = chosen
                    .or_else(|| event_loop.primary_monitor())
                    .or_else(|| event_loop.available_monitors().next())
            {
                attrs = attrs
                    .with_inner_size(monitor.size())
                    .with_position(monitor.position());
            }
        }
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .map_err(|e| WindowError::EventLoop(e.to_string()))?,
        );
        if !self.options.windowed {
            // Nobody uses a mouse on a waiting-room screen; a cursor in the middle of the board
            // would only hide a number.
            window.set_cursor_visible(false);
        }
        let (gpu, surface) =
            WindowSurface::create(window.clone()).map_err(|e| WindowError::Gpu(e.to_string()))?;
        let layout = self.core.layout_for(1920, 1080);
        let renderer = renderer_for(&gpu, &layout, surface.format());
        Ok(Shown {
            window,
            gpu,
            surface,
            renderer,
            fonts: layout.style.font_files.clone(),
            rotator: None,
        })
    }

    fn redraw(&mut self) {
        let Some(shown) = &mut self.window else {
            return;
        };
        let _span = tracing::debug_span!("frame").entered();
        let started = Instant::now();
        let now = Timestamp::now();
        let panel = shown.surface.size();
        let turns = self.options.turns;
        let (width, height) = turns.board_size(panel.width, panel.height);
        let size = winit::dpi::PhysicalSize::new(width, height);
        let layout = self.core.layout_for(size.width, size.height);
        if layout.style.font_files != shown.fonts {
            shown.renderer = renderer_for(&shown.gpu, &layout, shown.surface.format());
            shown.fonts = layout.style.font_files.clone();
        }
        let mut scene = self.core.frame(now, size.width, size.height);
        self.next_change = scene.next_change.map(|t| instant_at(t, now));
        if let Some(s) = &self.supervisor {
            s.before_draw(&mut scene.list, now);
        }
        let outcome = if turns.0 == 0 {
            shown
                .surface
                .draw(&shown.gpu, &mut shown.renderer, &scene.list)
        } else {
            match shown.surface.acquire(&shown.gpu) {
                Err(skipped) => Ok(FrameOutcome::Skipped(skipped)),
                Ok(frame) => {
                    let rotator = shown
                        .rotator
                        .get_or_insert_with(|| Rotator::new(&shown.gpu, shown.surface.format()));
                    let drawn = rotator.render(
                        &shown.gpu,
                        &mut shown.renderer,
                        &scene.list,
                        turns,
                        &frame.view,
                    );
                    shown.surface.present(&shown.gpu, frame);
                    drawn.map(FrameOutcome::Presented)
                }
            }
        };
        match outcome {
            Ok(FrameOutcome::Presented(_)) => {
                if let Some(s) = &mut self.supervisor {
                    s.after_frame(&self.core, started.elapsed(), &scene.list);
                }
            }
            Ok(FrameOutcome::Skipped(reason)) => {
                tracing::debug!(?reason, "frame skipped; trying again shortly");
                self.next_change = Some(Instant::now() + Duration::from_millis(100));
            }
            Err(e) => {
                tracing::error!("frame failed: {e}");
                self.next_change = Some(Instant::now() + Duration::from_secs(1));
            }
        }
    }
}

/// The `Instant` corresponding to wall-clock time `t`, given that it is `now`.
fn instant_at(t: Timestamp, now: Timestamp) -> Instant {
    let ahead = t.duration_since(now);
    let ahead = Duration::try_from(ahead).unwrap_or(Duration::ZERO);
    // Never sleep longer than a minute: the wall clock may jump (NTP, DST is handled by jiff).
    Instant::now() + ahead.min(Duration::from_secs(60))
}

impl ApplicationHandler<Wake> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        match self.open(event_loop) {
            Ok(shown) => {
                shown.window.request_redraw();
                self.window = Some(shown);
            }
            Err(e) => {
                tracing::error!("{e}");
                self.error = Some(e);
                event_loop.exit();
            }
        }
    }

    fn new_events(&mut self, _event_loop: &ActiveEventLoop, cause: StartCause) {
        // A wake-up only for the watchdog draws nothing.
        if let StartCause::ResumeTimeReached { .. } = cause {
            let reloaded = self.core.poll_layout(Instant::now());
            let due = self.next_change.is_some_and(|at| at <= Instant::now());
            if (reloaded || due)
                && let Some(shown) = &self.window
            {
                shown.window.request_redraw();
            }
        }
    }

    fn user_event(&mut self, event_loop: &ActiveEventLoop, _event: Wake) {
        if self.stop.load(Ordering::Acquire) {
            event_loop.exit();
            return;
        }
        self.pending.store(false, Ordering::Release);
        let fed = self.core.pump(Timestamp::now());
        let reloaded = self.core.poll_layout(Instant::now());
        if (fed || reloaded)
            && let Some(shown) = &self.window
        {
            shown.window.request_redraw();
        }
        if let Some(s) = &mut self.supervisor {
            s.after_wake(&self.core);
            if let Some(shown) = &mut self.window {
                s.serve_screenshots(|list| {
                    crate::render::render_to_image(&shown.gpu, &mut shown.renderer, list)
                        .map_err(|e| e.to_string())
                });
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                if let Some(shown) = &mut self.window {
                    shown.surface.resize(&shown.gpu, size);
                    shown.window.request_redraw();
                }
            }
            WindowEvent::ScaleFactorChanged { .. } => {
                if let Some(shown) = &self.window {
                    shown.window.request_redraw();
                }
            }
            WindowEvent::RedrawRequested => self.redraw(),
            WindowEvent::KeyboardInput { event, .. }
                if self.options.windowed
                    && event.state == ElementState::Pressed
                    && event.logical_key == Key::Named(NamedKey::Escape) =>
            {
                event_loop.exit();
            }
            _ => {}
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        // Idle means idle: sleep until the next change the scene announced (or a settled layout
        // edit is due), or until woken (and, under systemd's watchdog, until the next keep-alive
        // is due).
        let keepalive = self.supervisor.as_mut().and_then(|s| {
            s.keepalive();
            s.next_wake()
        });
        let next = match (self.next_change, self.core.reload_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match next {
            Some(at) if at <= Instant::now() => {
                if let Some(shown) = &self.window {
                    shown.window.request_redraw();
                }
                event_loop.set_control_flow(ControlFlow::Wait);
            }
            Some(at) => event_loop
                .set_control_flow(ControlFlow::WaitUntil(keepalive.map_or(at, |k| k.min(at)))),
            None => event_loop.set_control_flow(match keepalive {
                Some(k) => ControlFlow::WaitUntil(k),
                None => ControlFlow::Wait,
            }),
        }
    }
}
