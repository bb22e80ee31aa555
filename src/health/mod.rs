//! The health endpoint: what facilities staff see of a board from their desk.
//!
//! `GET /health` (JSON), `GET /metrics` (Prometheus text) and `GET /screenshot.png` (the frame on
//! screen), served by a small HTTP/1.1 server on its own thread and tokio runtime. The UI thread
//! never waits for it: after each frame or wake-up it replaces a [`HealthReport`] under a mutex that
//! the server only holds to clone it. A screenshot is the one thing the server asks of the UI
//! thread, through a bounded queue and a wake-up, and it gives up after a timeout. At most one
//! frame a second ([`SCREENSHOT_REUSE`]) is drawn for screenshots: requests within that time, and
//! requests that come while one is being drawn, get the same PNG, so that clients polling
//! /screenshot.png cannot take the UI thread's time from the board.
//!
//! Every request is bounded: headers at most [`MAX_REQUEST`] bytes, read within
//! [`READ_TIMEOUT`], the whole connection within [`CONNECTION_DEADLINE`]; at most
//! [`MAX_CONNECTIONS`] at once, and when they are all taken a new client displaces the one that
//! has waited longest without sending its request, so idle or trickling clients cannot lock
//! others out of /health. Only `GET` and `HEAD` of the three paths are served. Nothing secret is
//! in any answer: the token is never part of a snapshot. Off loopback every request needs the
//! bearer token of `health_token_file` (see [`Access`] and src/health/http.rs for what is shown).

mod http;
mod metrics;

pub use http::{
    Access, CONNECTION_DEADLINE, MAX_CONNECTIONS, MAX_REQUEST, NeedsToken, READ_TIMEOUT,
    SCREENSHOT_REUSE, serve,
};
pub use metrics::prometheus;

use crate::audio::AudioStatus;
use crate::feed::{ConnectionError, Waker};
use crate::supervise::Restarts;
use image::RgbaImage;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

/// The version and the commit it was built from, e.g. `0.1.0 (3f2a9c1)`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// `git rev-parse --short HEAD` at build time, or "unknown" (see build.rs).
pub const GIT_COMMIT: &str = env!("TABLICA_GIT_COMMIT");

/// What the board reports about itself. Everything is a plain number or string so that it reads
/// the same in JSON and in Prometheus text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HealthReport {
    pub version: &'static str,
    pub git_commit: &'static str,
    pub display_id: String,
    /// Seconds since the process started (filled in when served).
    pub uptime_s: f64,
    /// Connected to the queue system now.
    pub connected: bool,
    /// `connected`, `connecting` or `replay` (showing events from a file).
    pub link: &'static str,
    /// Seconds since the last frame from the server (events, heartbeats); `null` before any.
    pub last_event_age_s: Option<f64>,
    /// The `seq` of the last event applied; `null` before any.
    pub last_seq: Option<u64>,
    pub events: u64,
    pub rejected: u64,
    pub calls: u64,
    pub resyncs: u64,
    /// Frames built since start (a frame built is not yet a frame on the screen; see
    /// `frames_presented`).
    pub frames_drawn: u64,
    /// Frames that reached the screen (were presented) since start.
    pub frames_presented: u64,
    /// Seconds since a frame was last presented; `null` before the first. It grows while the
    /// board is idle (nothing to draw), which is healthy; `screen_frozen` tells the difference.
    pub last_present_age_s: Option<f64>,
    /// A frame has been wanted for longer than the limit and none reached the screen: the
    /// watchdog is not fed, and systemd restarts the board.
    pub screen_frozen: bool,
    /// GPU device losses the board recovered from by rebuilding its drawing.
    pub gpu_resets: u64,
    /// Frames drawn for /screenshot.png (at most one a second; other requests reuse them).
    pub screenshots_rendered: u64,
    /// 99th percentile of the time to build and draw a frame, over the last frames, in ms.
    pub frame_time_p99_ms: f64,
    pub screen_width: u32,
    pub screen_height: u32,
    /// The sound output; `null` when the board has none.
    pub audio: Option<AudioStatus>,
    /// Problems shown on screen (e.g. a broken layout file).
    pub layout_errors: Vec<String>,
    /// Mistakes in the config file or environment (each kept its default).
    pub config_errors: Vec<String>,
    /// Whether systemd's watchdog is being fed (false without one, and while the screen is
    /// frozen).
    pub watchdog: bool,
    /// Why the queue system last refused the board (HTTP 401/403 on the upgrade, a close with
    /// code 1008, or no usable token file): `kind`, `reason` and `since`; `null` once a
    /// connection brings data again.
    pub last_connection_error: Option<ConnectionError>,
    /// Everything that keeps the board from working as installed, each with its `kind`, a
    /// message and `since` when; the same list as the fault marker on screen and
    /// `tablica_problem` in /metrics. Empty when all is well.
    pub problems: Vec<Problem>,
    /// Restarts of the feed's thread after it panicked or ended unexpectedly.
    pub feed_thread: Restarts,
    /// Restarts of the audio thread after it panicked or ended unexpectedly.
    pub audio_thread: Restarts,
    /// When the snapshot was taken, for `last_event_age_s` between publications.
    #[serde(skip)]
    pub taken: Option<Instant>,
}

/// One thing that keeps the board from working as installed: a start-up or connection problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// A stable name: `config`, `no_server`, `layout`, `token_missing`, `unauthorized`, `tls`,
    /// `dns`, `connection_refused`, `no_audio_device`, `monitor_not_found`, ...
    pub kind: String,
    /// What is wrong, for a person; never a secret.
    pub message: String,
    /// When the board first saw it, of the run of it that is still going on.
    pub since: jiff::Timestamp,
}

/// Remembers since when each kind of problem has been going on, so that a problem seen at
/// every look keeps its first time, and one that went away starts afresh when it returns.
#[derive(Debug, Default)]
pub struct Problems {
    since: std::collections::BTreeMap<String, jiff::Timestamp>,
}

impl Problems {
    /// The problems now, from `(kind, message, since if its source knows it)`, at most one per
    /// kind (the first), in the order given.
    pub fn update(
        &mut self,
        current: Vec<(String, String, Option<jiff::Timestamp>)>,
        now: jiff::Timestamp,
    ) -> Vec<Problem> {
        let mut out: Vec<Problem> = Vec::with_capacity(current.len());
        for (kind, message, known) in current {
            if out.iter().any(|p| p.kind == kind) {
                continue;
            }
            let since = *self
                .since
                .entry(kind.clone())
                .and_modify(|t| {
                    if let Some(k) = known {
                        *t = k;
                    }
                })
                .or_insert(known.unwrap_or(now));
            out.push(Problem {
                kind,
                message,
                since,
            });
        }
        self.since.retain(|k, _| out.iter().any(|p| &p.kind == k));
        out
    }
}

/// A frame for `/screenshot.png`, asked of the UI thread.
pub struct ScreenshotRequest {
    pub reply: tokio::sync::oneshot::Sender<Result<RgbaImage, String>>,
}

/// What the UI thread and the server share.
pub struct Shared {
    snapshot: Mutex<HealthReport>,
    started: Instant,
    screenshots: SyncSender<ScreenshotRequest>,
    /// Wakes the UI thread's event loop; set once the loop exists.
    waker: OnceLock<Waker>,
    /// The last screenshot answer and when it was asked of the UI thread. An async mutex: a
    /// request that comes while a frame is being drawn waits for that frame instead of asking
    /// for another.
    last_screenshot: tokio::sync::Mutex<Option<(Instant, http::Cached)>>,
    /// Frames asked of the UI thread for screenshots.
    screenshots_rendered: AtomicU64,
    /// Until when `POST /identify` asked for the identify overlay.
    identify_until: Mutex<Option<Instant>>,
    /// `DELETE /identify` was asked: the overlay shown after the start is over.
    identify_dismissed: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// The shared state and the receiving end of screenshot requests, which belongs to the UI
    /// thread.
    pub fn new(snapshot: HealthReport) -> (Arc<Shared>, Receiver<ScreenshotRequest>) {
        // Two waiting requests at most: screenshots are for a person looking, not for polling.
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let shared = Arc::new(Shared {
            snapshot: Mutex::new(snapshot),
            started: Instant::now(),
            screenshots: tx,
            waker: OnceLock::new(),
            last_screenshot: tokio::sync::Mutex::new(None),
            screenshots_rendered: AtomicU64::new(0),
            identify_until: Mutex::new(None),
            identify_dismissed: std::sync::atomic::AtomicBool::new(false),
        });
        (shared, rx)
    }

    /// Replaces the snapshot (UI thread; the lock is only ever held to copy it).
    pub fn publish(&self, mut snapshot: HealthReport) {
        snapshot.taken = Some(Instant::now());
        *self.snapshot.lock().unwrap_or_else(PoisonError::into_inner) = snapshot;
    }

    /// Changes the snapshot in place (UI thread).
    pub fn update(&self, f: impl FnOnce(&mut HealthReport)) {
        f(&mut self.snapshot.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The current snapshot, with uptime and ages brought up to now.
    pub fn snapshot(&self) -> HealthReport {
        let mut s = self
            .snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        s.uptime_s = round3(self.started.elapsed().as_secs_f64());
        if let Some(taken) = s.taken {
            // Ages were measured when the snapshot was published; they have grown since.
            let since = taken.elapsed().as_secs_f64();
            s.last_event_age_s = s.last_event_age_s.map(|age| round3(age + since));
            s.last_present_age_s = s.last_present_age_s.map(|age| round3(age + since));
        }
        s.screenshots_rendered = self.screenshots_rendered.load(Ordering::Relaxed);
        s
    }

    /// Shows the identify overlay for `how_long` from now (`POST /identify`), and wakes the UI
    /// thread to draw it.
    pub fn identify(&self, how_long: std::time::Duration) {
        *self
            .identify_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + how_long);
        if let Some(wake) = self.waker.get() {
            wake();
        }
    }

    /// Hides the identify overlay now (`DELETE /identify`), the one shown after the start too,
    /// and wakes the UI thread to draw the board without it.
    pub fn dismiss_identify(&self) {
        *self
            .identify_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
        self.identify_dismissed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(wake) = self.waker.get() {
            wake();
        }
    }

    /// Whether `DELETE /identify` has hidden the overlay shown after the start.
    pub fn identify_dismissed(&self) -> bool {
        self.identify_dismissed
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Until when the identify overlay was asked for by `POST /identify`.
    pub fn identify_until(&self) -> Option<Instant> {
        *self
            .identify_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_waker(&self, waker: Waker) {
        let _ = self.waker.set(waker);
    }

    /// Asks the UI thread for the frame on screen; `None` when too many are waiting.
    pub fn request_screenshot(
        &self,
    ) -> Option<tokio::sync::oneshot::Receiver<Result<RgbaImage, String>>> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        match self.screenshots.try_send(ScreenshotRequest { reply: tx }) {
            Ok(()) => {
                self.screenshots_rendered.fetch_add(1, Ordering::Relaxed);
                if let Some(wake) = self.waker.get() {
                    wake();
                }
                Some(rx)
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => None,
        }
    }
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The 99th percentile of `samples` (nearest rank), 0 for none.
pub fn p99(samples: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = samples.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((v.len() as f64) * 0.99).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// Starts the server on `addr` on its own thread. Binding happens before this returns, so an
/// address in use is reported to the caller (who logs it and carries on without health). An
/// address other than loopback needs `token_file` (see [`Access`]); without one this refuses
/// with an `InvalidInput` error that says so, and nothing listens.
pub fn start(
    addr: std::net::SocketAddr,
    shared: Arc<Shared>,
    token_file: Option<std::path::PathBuf>,
) -> std::io::Result<std::net::SocketAddr> {
    let access = Access::for_address(addr, token_file)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    crate::supervise::spawn_with_runtime("tablica-health", "health endpoint", || async move {
        match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => serve(l, shared, access).await,
            Err(e) => tracing::error!("health endpoint: {e}"),
        }
    })?;
    Ok(local)
}

#[cfg(test)]
mod tests;
