//! What an unattended board needs besides the board: the health endpoint's numbers, systemd's
//! readiness and watchdog, burn-in protection, and the choice of monitor.
//!
//! [`Supervisor`] lives on the UI thread, inside the window loop. The loop calls it after each
//! frame and each wake-up; it never blocks there (publishing is a short mutex swap, keep-alives
//! are non-blocking datagrams), and it tells the loop when it next needs to run so that the
//! watchdog is fed while the board is idle.
//!
//! The watchdog is fed only while frames reach the screen or nothing needs drawing
//! ([`frames::FrameWatch`]): a loop that keeps running behind a frozen picture gets the board
//! restarted, not reported healthy.

pub mod frames;
pub mod identity;
pub mod monitor;
pub mod sd_notify;
pub mod shift;

use crate::app::Core;
use crate::audio::AudioState;
use crate::audio::Chimes;
use crate::feed::Waker;
use crate::health::{self, HealthReport, Problems, ScreenshotRequest, Shared};
use crate::scene::overlay::{self, Identity, Overlay};
use crate::scene::{DisplayList, Link};
use frames::FrameWatch;
use image::RgbaImage;
use jiff::Timestamp;
use sd_notify::Notifier;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// Frames whose times make up the p99 on /health.
const FRAME_WINDOW: usize = 256;

/// How long the identify overlay is shown after the start: long enough for a technician to
/// walk from the machine to the screen, short enough to be gone before residents come.
pub const IDENTIFY_AFTER_START: Duration = Duration::from_secs(180);

/// What the supervisor is set up with (from the config).
#[derive(Default)]
pub struct SupervisorOptions {
    /// Problems found at the start that last until a restart (`kind`, message): mistakes in
    /// the config, no server. Those the feed reports live (token, TLS, refusals) are not here.
    pub problems: Vec<(String, String)>,
    /// What the identify overlay shows; `None` for no overlay.
    pub identity: Option<Identity>,
    /// Show the identify overlay all the time (the config's `identify = true`).
    pub identify_always: bool,
    /// How long the identify overlay is shown after the start ([`IDENTIFY_AFTER_START`] for
    /// `tablica run`).
    pub identify_at_start: Duration,
    /// Where to serve /health; `None` for no endpoint.
    pub health: Option<SocketAddr>,
    /// The bearer token /health requires when `health` is not loopback.
    pub health_token_file: Option<std::path::PathBuf>,
    pub display_id: String,
    /// Config mistakes, reported on /health.
    pub config_errors: Vec<String>,
    /// Burn-in protection.
    pub pixel_shift: bool,
    /// The sound output, for its state on /health.
    pub chimes: Option<Arc<Chimes>>,
}

pub struct Supervisor {
    health: Option<Arc<Shared>>,
    screenshots: Option<Receiver<ScreenshotRequest>>,
    base: HealthReport,
    chimes: Option<Arc<Chimes>>,
    notifier: Option<Notifier>,
    watchdog: Option<Duration>,
    last_ping: Instant,
    ready: bool,
    frames: FrameWatch,
    /// Whether the screen was frozen at the last look, to log and publish only the changes.
    frozen: bool,
    /// GPU device losses recovered from.
    gpu_resets: u64,
    frame_ms: VecDeque<f64>,
    pixel_shift: bool,
    /// The last frame drawn, for screenshots.
    last_list: Option<DisplayList>,
    startup_problems: Vec<(String, String)>,
    problems: Problems,
    identity: Option<Identity>,
    identify_always: bool,
    identify_at_start: Duration,
    started: Instant,
    /// What is drawn over the board now (fault marker, identify card).
    overlay: Overlay,
}

impl Supervisor {
    /// Starts the health endpoint (a failure to bind is logged; the board runs without it) and
    /// picks up systemd's notification socket and watchdog from the environment.
    pub fn start(options: SupervisorOptions) -> Supervisor {
        let base = HealthReport {
            version: health::VERSION,
            git_commit: health::GIT_COMMIT,
            display_id: options.display_id,
            link: "connecting",
            config_errors: options.config_errors,
            ..HealthReport::default()
        };
        let (health, screenshots) = match options.health {
            Some(addr) => {
                let (shared, rx) = Shared::new(base.clone());
                match health::start(addr, shared.clone(), options.health_token_file) {
                    Ok(local) => {
                        tracing::info!("health endpoint on http://{local}/health");
                        (Some(shared), Some(rx))
                    }
                    Err(e) => {
                        tracing::error!("health endpoint: cannot listen on {addr}: {e}");
                        (None, None)
                    }
                }
            }
            None => (None, None),
        };
        let notifier = Notifier::from_env();
        let watchdog = notifier.as_ref().and(sd_notify::watchdog_period());
        if let Some(p) = watchdog {
            tracing::info!("systemd watchdog: keep-alive within {p:?}");
        }
        Supervisor {
            health,
            screenshots,
            base: HealthReport {
                watchdog: watchdog.is_some(),
                ..base
            },
            chimes: options.chimes,
            notifier,
            watchdog,
            last_ping: Instant::now(),
            ready: false,
            frames: FrameWatch::new(frames::frozen_after(watchdog)),
            frozen: false,
            gpu_resets: 0,
            frame_ms: VecDeque::with_capacity(FRAME_WINDOW),
            pixel_shift: options.pixel_shift,
            last_list: None,
            startup_problems: options.problems,
            problems: Problems::default(),
            identity: options.identity,
            identify_always: options.identify_always,
            identify_at_start: options.identify_at_start,
            started: Instant::now(),
            overlay: Overlay::default(),
        }
    }

    /// Lets the health endpoint wake the UI thread for a screenshot.
    pub fn set_waker(&self, waker: Waker) {
        if let Some(h) = &self.health {
            h.set_waker(waker);
        }
    }

    /// Draws the fault marker and the identify overlay over the frame about to be drawn, and
    /// applies burn-in protection to it.
    pub fn before_draw(&self, list: &mut DisplayList, now: Timestamp) {
        // Whether to identify is decided by the time of this frame, so that the card goes
        // when its time is up rather than one publication later.
        let identify = self
            .identity
            .clone()
            .filter(|_| self.identifying(Instant::now()));
        if identify.is_some() || !self.overlay.faults.is_empty() {
            overlay::draw(
                list,
                &Overlay {
                    faults: self.overlay.faults.clone(),
                    identify,
                },
            );
        }
        if self.pixel_shift {
            shift::shift(list, shift::offset_at(now));
        }
    }

    /// A frame was asked of the window system (a redraw requested).
    pub fn frame_wanted(&mut self) {
        self.frames.wanted(Instant::now());
    }

    /// The window cannot show a frame now (hidden, zero size): nothing needs drawing.
    pub fn nothing_to_draw(&mut self) {
        self.frames.nothing_to_draw();
    }

    /// The GPU device was lost and the window's drawing is being rebuilt.
    pub fn gpu_reset(&mut self) {
        self.gpu_resets += 1;
    }

    /// After a frame reached the screen (was presented): `took` is the time to build and draw
    /// it.
    pub fn after_frame(&mut self, core: &Core, took: Duration, list: &DisplayList) {
        self.frames.presented(Instant::now());
        if self.frame_ms.len() == FRAME_WINDOW {
            self.frame_ms.pop_front();
        }
        self.frame_ms.push_back(took.as_secs_f64() * 1000.0);
        // Reuse the previous list's allocation: this runs on every frame.
        match &mut self.last_list {
            Some(l) => l.clone_from(list),
            None => self.last_list = Some(list.clone()),
        }
        // Publish first: whoever hears READY=1 may look at /health at once.
        self.publish(core);
        if !self.ready {
            self.ready = true;
            self.sd_notify("READY=1\nSTATUS=showing the board");
        }
        self.keepalive();
    }

    /// After the loop woke for the feed or the health endpoint. Returns whether what is drawn
    /// over the board changed (a problem came or went, identify was asked for), so that the
    /// loop draws a frame.
    pub fn after_wake(&mut self, core: &Core) -> bool {
        let before = self.overlay.clone();
        self.publish(core);
        self.keepalive();
        self.overlay != before
    }

    /// Answers waiting screenshot requests by drawing the last frame again with `render`.
    pub fn serve_screenshots(
        &mut self,
        mut render: impl FnMut(&DisplayList) -> Result<RgbaImage, String>,
    ) {
        let Some(rx) = &self.screenshots else {
            return;
        };
        while let Ok(request) = rx.try_recv() {
            let result = match &self.last_list {
                Some(list) => render(list),
                None => Err("no frame drawn yet".to_owned()),
            };
            let _ = request.reply.send(result);
        }
    }

    /// Feeds systemd's watchdog when a quarter of its period has passed since the last time,
    /// unless the screen is frozen. Called from the UI thread's loop only, so a frozen UI thread
    /// stops the keep-alives too, and either way systemd restarts the board.
    pub fn keepalive(&mut self) {
        let now = Instant::now();
        let frozen = self.frames.frozen(now);
        if frozen != self.frozen {
            self.frozen = frozen;
            if frozen {
                tracing::error!(
                    limit = ?self.frames.limit(),
                    presented = self.frames.presented_count(),
                    "no frame has reached the screen although one was wanted; the screen is \
                     frozen, so the watchdog is no longer fed (systemd restarts the board)"
                );
            } else {
                tracing::warn!("frames reach the screen again");
            }
            let fed = self.watchdog.is_some() && !frozen;
            if let Some(h) = &self.health {
                h.update(|s| {
                    s.screen_frozen = frozen;
                    s.watchdog = fed;
                });
            }
        }
        let Some(period) = self.watchdog else {
            return;
        };
        if !frozen && self.last_ping.elapsed() >= period / 4 {
            self.last_ping = now;
            self.sd_notify("WATCHDOG=1");
        }
    }

    /// When the loop must run again at the latest, even with nothing to draw: a third of the
    /// watchdog period after the last keep-alive, and the moment a waiting frame would make the
    /// screen count as frozen (to stop the keep-alives and say so on /health). `None` without
    /// a watchdog and nothing waiting (the board sleeps).
    pub fn next_wake(&self) -> Option<Instant> {
        let now = Instant::now();
        // While frozen no keep-alive goes out, so the last one's schedule lies in the past:
        // look again a little later rather than spin.
        let ping = self
            .watchdog
            .map(|p| (self.last_ping + p / 3).max(now + p / 6));
        let freeze = self.frames.frozen_at().filter(|_| !self.frozen);
        match (ping, freeze) {
            (Some(a), Some(b)) => Some(a.min(b + Duration::from_millis(1))),
            (a, b) => a.or(b.map(|b| b + Duration::from_millis(1))),
        }
    }

    fn sd_notify(&self, state: &str) {
        if let Some(n) = &self.notifier
            && let Err(e) = n.send(state)
        {
            tracing::debug!("sd_notify {state:?}: {e}");
        }
    }

    /// Everything going on now that keeps the board from working as installed, as
    /// `(kind, message, since if known)`, the most telling first.
    fn current_problems(&self, core: &Core) -> Vec<(String, String, Option<Timestamp>)> {
        let mut out = Vec::new();
        if let Some(e) = core.feed_health().and_then(|f| f.last_error) {
            out.push((e.kind.to_owned(), e.reason, Some(e.since)));
        }
        for (kind, message) in &self.startup_problems {
            out.push((kind.clone(), message.clone(), None));
        }
        for notice in &core.status.notices {
            out.push(("layout".to_owned(), notice.clone(), None));
        }
        if let Some(m) = monitor::not_found() {
            out.push(("monitor_not_found".to_owned(), m, None));
        }
        // A counter display set to a counter the queue system does not know can only say
        // "Stanowisko nieczynne" on screen; the technician learns why here.
        let data = &core.board.data;
        if let Some(name) = &core.status.counter
            && data.last_seq.is_some()
            && data.counter_by_id_or_label(name).is_none()
        {
            let known: Vec<String> = data
                .counters
                .iter()
                .map(|c| format!("{} (\"{}\")", c.id, c.label))
                .collect();
            out.push((
                "unknown_counter".to_owned(),
                format!(
                    "board.counter = \"{name}\" names no counter of the queue system; it has {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
                None,
            ));
        }
        if let Some(c) = &self.chimes
            && c.status().state == AudioState::NoDevice
        {
            out.push((
                "no_audio_device".to_owned(),
                "no sound output device; calls are shown but not heard".to_owned(),
                None,
            ));
        }
        if self.frozen {
            out.push((
                "screen_frozen".to_owned(),
                "frames are wanted but none reaches the screen".to_owned(),
                None,
            ));
        }
        out
    }

    /// Whether the identify overlay is to be shown now.
    fn identifying(&self, instant: Instant) -> bool {
        let dismissed = self.health.as_ref().is_some_and(|h| h.identify_dismissed());
        self.identify_always
            || (instant.duration_since(self.started) < self.identify_at_start && !dismissed)
            || self
                .health
                .as_ref()
                .and_then(|h| h.identify_until())
                .is_some_and(|until| instant < until)
    }

    fn publish(&mut self, core: &Core) {
        let now = Timestamp::now();
        let problems = self.problems.update(self.current_problems(core), now);
        self.overlay = Overlay {
            faults: problems.iter().map(|p| p.kind.clone()).collect(),
            identify: self
                .identity
                .clone()
                .filter(|_| self.identifying(Instant::now())),
        };
        let Some(health) = &self.health else {
            return;
        };
        let (connected, link) = match core.status.link {
            Link::Connected => (true, "connected"),
            Link::Connecting => (false, "connecting"),
            Link::Replay => (false, "replay"),
        };
        let feed = core.feed_health().unwrap_or_default();
        let (width, height) = self
            .last_list
            .as_ref()
            .map_or((0, 0), |l| (l.width, l.height));
        let instant = Instant::now();
        health.publish(HealthReport {
            connected,
            link,
            last_event_age_s: core
                .board
                .data_age(now)
                .map(|d| health::round3(d.as_secs_f64().max(0.0))),
            last_seq: core.board.data.last_seq,
            events: core.counters.events,
            rejected: core.counters.rejected,
            calls: core.counters.calls,
            resyncs: core.counters.resyncs,
            frames_drawn: core.counters.frames,
            frames_presented: self.frames.presented_count(),
            last_present_age_s: self
                .frames
                .last_present_age(instant)
                .map(|d| health::round3(d.as_secs_f64())),
            screen_frozen: self.frozen,
            gpu_resets: self.gpu_resets,
            watchdog: self.watchdog.is_some() && !self.frozen,
            frame_time_p99_ms: health::round3(health::p99(self.frame_ms.iter().copied())),
            screen_width: width,
            screen_height: height,
            audio: self.chimes.as_ref().map(|c| c.status()),
            layout_errors: core.status.notices.clone(),
            last_connection_error: feed.last_error,
            problems,
            feed_thread: feed.restarts,
            audio_thread: self
                .chimes
                .as_ref()
                .map(|c| c.restarts())
                .unwrap_or_default(),
            ..self.base.clone()
        });
    }
}
