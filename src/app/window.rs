//! The fullscreen window (winit 0.30): redraws only when something changed or an animation runs.
//!
//! The board's own clock, not the window system, moves the call presentation: the loop wakes at
//! the board's next deadline and ticks it whether or not a frame is delivered, so a compositor
//! that stops asking for frames neither silences nor bunches the chimes. A lost GPU device is
//! rebuilt with its surface and renderer; a screen whose wanted frames never arrive stops the
//! watchdog (see [`crate::deploy`]).

use super::{Clock, Core, renderer_for};
use crate::config::MonitorChoice;
use crate::deploy::Supervisor;
use crate::feed::{Feed, Waker};
use crate::render::{FrameOutcome, Gpu, Renderer, Rotator, Skipped, Turns, WindowSurface};
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
    /// Keep the last frame and redraw only what changed (`retained_frame` in the settings).
    pub retained_frame: bool,
    /// The time the board runs on: the real clock, or one stopped at a moment (`run --at`).
    pub clock: Clock,
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
        board_next: None,
        error: None,
        faults: Faults::from_env(),
        presented: 0,
        gpu_rebuilds: 0,
        gpu_retry: None,
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
    let spawned =
        crate::supervise::spawn_with_runtime("tablica-signals", "stop signals", || async move {
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
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for stop signals: {e}");
    }
}

/// What draws into the window, all made with one GPU device. A lost device takes all of it
/// with it, so it is rebuilt as a whole.
struct Drawing {
    gpu: Gpu,
    surface: WindowSurface,
    renderer: Renderer,
    /// The font files the renderer was built with; a layout naming others needs a new one.
    fonts: Vec<String>,
    /// Made on the first turned frame.
    rotator: Option<Rotator>,
}

impl Drawing {
    fn new(
        window: &Arc<Window>,
        core: &Core,
        retained_frame: bool,
    ) -> Result<Drawing, WindowError> {
        let (gpu, surface) = WindowSurface::create(window.clone(), retained_frame)
            .map_err(|e| WindowError::Gpu(e.to_string()))?;
        let layout = core.layout_for(1920, 1080);
        let renderer = renderer_for(&gpu, layout, surface.format());
        Ok(Drawing {
            gpu,
            surface,
            renderer,
            fonts: layout.style.font_files.clone(),
            rotator: None,
        })
    }
}

struct Shown {
    window: Arc<Window>,
    /// `None` while the GPU connection is being rebuilt after a device loss.
    drawing: Option<Drawing>,
}

/// Rebuilding the GPU connection this many times in a row without a frame reaching the screen
/// ends the process with an error, for systemd (or the login loop) to start it afresh.
const GPU_REBUILDS: u32 = 3;

/// Faults the tests provoke in the real binary, from environment variables that no installation
/// sets. They only ever make the board fail the way real hardware and compositors do.
#[derive(Debug, Default)]
struct Faults {
    /// `TABLICA_FAULT_LOSE_GPU_AFTER=N`: destroy the GPU device after the N-th presented frame,
    /// once, as a driver reset would.
    lose_gpu_after: Option<u64>,
    /// `TABLICA_FAULT_NO_REDRAWS=1`: once a frame has been presented, ignore every redraw the
    /// window system delivers, as a compositor that stops asking for frames.
    no_redraws: bool,
}

impl Faults {
    fn from_env() -> Faults {
        let faults = Faults {
            lose_gpu_after: std::env::var("TABLICA_FAULT_LOSE_GPU_AFTER")
                .ok()
                .and_then(|v| v.trim().parse().ok()),
            no_redraws: std::env::var_os("TABLICA_FAULT_NO_REDRAWS").is_some_and(|v| v == "1"),
        };
        if faults.lose_gpu_after.is_some() || faults.no_redraws {
            tracing::warn!(?faults, "faults provoked for a test");
        }
        faults
    }
}

struct App {
    core: Core,
    options: WindowOptions,
    supervisor: Option<Supervisor>,
    pending: Arc<AtomicBool>,
    /// Set when the process is asked to stop (SIGTERM from systemd, Ctrl-C).
    stop: Arc<AtomicBool>,
    window: Option<Shown>,
    /// When the picture next changes by itself (from the last frame's scene).
    next_change: Option<Instant>,
    /// When the board's presentation next moves on (a queued call's turn): the board's own
    /// clock, which wakes the loop whether or not the window system asks for frames.
    board_next: Option<Instant>,
    error: Option<WindowError>,
    faults: Faults,
    /// Frames presented, for the faults' schedule.
    presented: u64,
    /// GPU rebuilds since a frame last reached the screen.
    gpu_rebuilds: u32,
    /// When to try rebuilding the GPU connection again after a failed attempt.
    gpu_retry: Option<Instant>,
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
        let drawing = Drawing::new(&window, &self.core, self.options.retained_frame)?;
        Ok(Shown {
            window,
            drawing: Some(drawing),
        })
    }

    /// Asks the window system for a frame, and notes that one is wanted: a frame that never
    /// comes is a frozen screen.
    fn want_frame(&mut self) {
        if let Some(shown) = &self.window {
            shown.window.request_redraw();
            if let Some(s) = &mut self.supervisor {
                s.frame_wanted();
            }
        }
    }

    /// Brings the board's presentation up to now: the calls whose turn on screen has come start,
    /// and their sounds play, whether or not a frame is drawn. The shell's one call of
    /// [`Core::tick`].
    fn tick(&mut self) {
        let (now, at) = self.options.clock.now();
        let due = self.core.board.next_deadline(now).is_some_and(|t| t <= now);
        self.core.tick_at(now, at);
        if due {
            self.want_frame();
        }
        if self.options.clock.is_stopped() {
            // Time does not pass: no call's turn ends and no flash goes out by itself.
            self.board_next = None;
            return;
        }
        // Another call may be due at once (the presenter may start one per tick); waking for it
        // a few milliseconds later keeps a presenter that does not move from spinning the loop.
        // The next call's turn is taken on the monotonic clock (a wall-clock step must not move
        // a chime); the wall-clock deadline adds the end of a flash.
        let soon = Instant::now() + Duration::from_millis(5);
        let flash = self
            .core
            .board
            .next_deadline(now)
            .map(|t| instant_at(t, now));
        self.board_next = match (self.core.next_tick(), flash) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
        .map(|t| t.max(soon));
    }

    /// The GPU device was lost: drops everything made with it and makes it all again. After
    /// [`GPU_REBUILDS`] attempts without a frame on the screen, ends the loop with an error.
    fn rebuild_gpu(&mut self, event_loop: &ActiveEventLoop) {
        let Some(shown) = &mut self.window else {
            return;
        };
        // The old surface must be gone before a new one is made for the same window: a window
        // has one swapchain at a time.
        shown.drawing = None;
        self.gpu_retry = None;
        if self.gpu_rebuilds >= GPU_REBUILDS {
            let e = WindowError::Gpu(format!(
                "the GPU was lost and {GPU_REBUILDS} attempts to start drawing again failed"
            ));
            tracing::error!("{e}; exiting for a fresh start");
            self.error = Some(e);
            event_loop.exit();
            return;
        }
        self.gpu_rebuilds += 1;
        match Drawing::new(&shown.window, &self.core, self.options.retained_frame) {
            Ok(drawing) => {
                tracing::warn!(attempt = self.gpu_rebuilds, "GPU connection rebuilt");
                shown.drawing = Some(drawing);
                if let Some(s) = &mut self.supervisor {
                    s.gpu_reset();
                }
                self.want_frame();
            }
            Err(e) => {
                tracing::error!(
                    attempt = self.gpu_rebuilds,
                    "cannot rebuild the GPU connection: {e}"
                );
                self.gpu_retry = Some(Instant::now() + Duration::from_secs(2));
            }
        }
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) {
        let lost = match self.window.as_ref().map(|s| &s.drawing) {
            None => return,
            Some(None) => true,
            Some(Some(d)) => d.gpu.is_lost(),
        };
        if lost {
            if self.gpu_retry.is_none_or(|at| at <= Instant::now()) {
                self.rebuild_gpu(event_loop);
            }
            return;
        }
        let Some(Shown {
            drawing: Some(d), ..
        }) = &mut self.window
        else {
            return;
        };
        let _span = tracing::debug_span!("frame").entered();
        let started = Instant::now();
        let (now, at) = self.options.clock.now();
        let panel = d.surface.size();
        let turns = self.options.turns;
        let (width, height) = turns.board_size(panel.width, panel.height);
        let size = winit::dpi::PhysicalSize::new(width, height);
        let layout = self.core.layout_for(size.width, size.height);
        if layout.style.font_files != d.fonts {
            d.renderer = renderer_for(&d.gpu, layout, d.surface.format());
            d.fonts = layout.style.font_files.clone();
        }
        let mut scene = self.core.frame_at(now, at, size.width, size.height);
        self.next_change = scene
            .next_change
            .filter(|_| !self.options.clock.is_stopped())
            .map(|t| instant_at(t, now));
        if let Some(s) = &self.supervisor {
            s.before_draw(&mut scene.list, now);
        }

        let outcome = if turns.0 == 0 {
            d.surface.draw(&d.gpu, &mut d.renderer, &scene.list)
        } else {
            match d.surface.acquire(&d.gpu) {
                Err(skipped) => Ok(FrameOutcome::Skipped(skipped)),
                Ok(frame) => {
                    let rotator = d
                        .rotator
                        .get_or_insert_with(|| Rotator::new(&d.gpu, d.surface.format()));
                    let drawn =
                        rotator.render(&d.gpu, &mut d.renderer, &scene.list, turns, &frame.view);
                    d.surface.present(&d.gpu, frame);
                    drawn.map(FrameOutcome::Presented)
                }
            }
        };
        match outcome {
            Ok(FrameOutcome::Presented(_)) => {
                self.presented += 1;
                if self.presented == 1 {
                    // How long a board takes to show something after it is started (a restart by
                    // the watchdog, a power cut): reported in docs/BENCHMARKS.md.
                    tracing::info!(
                        since_process_start_ms = process_age().map(|d| d.as_millis() as u64),
                        frame_ms = started.elapsed().as_millis() as u64,
                        "first frame presented"
                    );
                }
                self.gpu_rebuilds = 0;
                if let Some(s) = &mut self.supervisor {
                    s.after_frame(&self.core, started.elapsed(), &scene.list);
                }
                if self.faults.lose_gpu_after == Some(self.presented) {
                    tracing::warn!("destroying the GPU device (provoked fault)");
                    d.gpu.device.destroy();
                    // The loss is noticed on the next frame, as a real one would be.
                    self.want_frame();
                }
            }
            Ok(FrameOutcome::Skipped(reason)) => {
                tracing::debug!(?reason, "frame skipped; trying again shortly");
                if matches!(reason, Skipped::Occluded | Skipped::ZeroSize)
                    && let Some(s) = &mut self.supervisor
                {
                    // Nothing can be shown: not drawing is not being frozen.
                    s.nothing_to_draw();
                }
                self.next_change = Some(Instant::now() + Duration::from_millis(100));
            }
            Err(e) => {
                tracing::error!("frame failed: {e}");
                self.next_change = Some(Instant::now() + Duration::from_secs(1));
            }
        }
    }

    /// Answers waiting screenshot requests (rate-limited by the health endpoint).
    fn serve_screenshots(&mut self) {
        let Some(s) = &mut self.supervisor else {
            return;
        };
        let mut drawing = self.window.as_mut().and_then(|w| w.drawing.as_mut());
        s.serve_screenshots(|list| match drawing.as_deref_mut() {
            Some(d) if !d.gpu.is_lost() => {
                crate::render::render_to_image(&d.gpu, &mut d.renderer, list)
                    .map_err(|e| e.to_string())
            }
            _ => Err("the GPU connection is being rebuilt; try again shortly".to_owned()),
        });
    }
}

/// The `Instant` corresponding to wall-clock time `t`, given that it is `now`.
/// How long ago this process started, from the kernel's accounting (10 ms resolution); `None`
/// where /proc does not say.
fn process_age() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Field 22 (starttime) is the 20th after the name: state is field 3.
    let start_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks_per_s > 0.0)
        .then(|| Duration::from_secs_f64((uptime - start_ticks / ticks_per_s).max(0.0)))
}

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
                self.window = Some(shown);
                self.want_frame();
            }
            Err(e) => {
                tracing::error!("{e}");
                self.error = Some(e);
                event_loop.exit();
            }
        }
    }

    fn new_events(&mut self, event_loop: &ActiveEventLoop, cause: StartCause) {
        // A wake-up only for the watchdog draws nothing.
        if let StartCause::ResumeTimeReached { .. } = cause {
            if self.core.poll_layout(Instant::now()) {
                self.want_frame();
            }
            if self.gpu_retry.is_some_and(|at| at <= Instant::now()) {
                self.rebuild_gpu(event_loop);
            }
        }
    }

    fn user_event(&mut self, event_loop: &ActiveEventLoop, _event: Wake) {
        if self.stop.load(Ordering::Acquire) {
            event_loop.exit();
            return;
        }
        self.pending.store(false, Ordering::Release);
        let (now, at) = self.options.clock.now();
        let fed = self.core.pump_at(now, at);
        let reloaded = self.core.poll_layout(Instant::now());
        if fed || reloaded {
            self.want_frame();
        }
        // A problem that came or went, or identify asked for, changes what is drawn over the
        // board.
        let overlay_changed = self
            .supervisor
            .as_mut()
            .is_some_and(|s| s.after_wake(&self.core));
        if overlay_changed {
            self.want_frame();
        }
        self.serve_screenshots();
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::CloseRequested => event_loop.exit(),
            WindowEvent::Resized(size) => {
                if let Some(Shown {
                    drawing: Some(d), ..
                }) = &mut self.window
                {
                    d.surface.resize(&d.gpu, size);
                }
                self.want_frame();
            }
            // A change that alters the size in pixels is followed by `Resized`, which resizes
            // the surface; the picture is redrawn either way.
            WindowEvent::ScaleFactorChanged { .. } => self.want_frame(),
            WindowEvent::RedrawRequested => {
                if self.faults.no_redraws && self.presented > 0 {
                    return;
                }
                self.redraw(event_loop);
            }
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
        // The board's clock moves the presentation, so calls start and sound on time even when
        // the window system delivers no frames (an occluded window, a stalled compositor).
        self.tick();
        // A device lost while the board is idle is noticed here, not only at the next change.
        let lost = self
            .window
            .as_ref()
            .and_then(|w| w.drawing.as_ref())
            .is_some_and(|d| d.gpu.is_lost());
        if lost {
            self.want_frame();
        }
        if self.next_change.is_some_and(|at| at <= Instant::now()) {
            // The frame asked for now sets the next change; until it is drawn there is none, so
            // a window system that withholds frames does not spin this loop.
            self.next_change = None;
            self.want_frame();
        }
        // Idle means idle: sleep until the next change the scene announced, the board's next
        // deadline, a settled layout edit or a GPU retry is due, or until woken (and, under
        // systemd's watchdog, until the next keep-alive is due).
        let keepalive = self.supervisor.as_mut().and_then(|s| {
            s.keepalive();
            s.next_wake()
        });
        let next = [
            self.next_change,
            self.board_next,
            self.core.reload_due(),
            self.gpu_retry,
            keepalive,
        ]
        .into_iter()
        .flatten()
        .min();
        event_loop.set_control_flow(match next {
            Some(at) => ControlFlow::WaitUntil(at),
            None => ControlFlow::Wait,
        });
    }
}
