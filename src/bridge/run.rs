//! The bridge as a library: the poll loop feeding the simulator's hub, the listener serving it,
//! and the account of the page's health that `/health` shows.

use super::diff::{diff, snapshot};
use super::health;
use super::mapping::Mapping;
use super::source::{Fetched, Poller};
use super::state::OfficeState;
use super::{SourceError, warsaw};
use crate::board::BoardData;
use crate::feed::LogLimiter;
use crate::protocol::{Event, Office};
use crate::sim::engine::Engine;
use crate::sim::hub::Hub;
use crate::sim::server::{Listener, ServerConfig};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Which parser reads the page.
#[derive(Debug, Clone)]
pub enum SourceKind {
    Warsaw,
    Json(Box<Mapping>),
}

impl SourceKind {
    pub fn read(&self, body: &[u8]) -> Result<OfficeState, SourceError> {
        match self {
            SourceKind::Warsaw => warsaw::parse(body),
            SourceKind::Json(mapping) => mapping.read(body),
        }
    }
}

/// Everything [`Bridge::start`] needs.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    pub url: String,
    pub source: SourceKind,
    /// Where displays connect (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Time between the starts of two polls.
    pub interval: Duration,
    /// How long one poll may take.
    pub timeout: Duration,
    /// How long the page may fail before displays are told the data is not current.
    pub grace: Duration,
    /// A display sent nothing for this long gets a heartbeat.
    pub heartbeat: Duration,
    pub office: Office,
    /// Where `/health` is served, if anywhere.
    pub health: Option<SocketAddr>,
    /// Bearer token displays must present, if any.
    pub token: Option<String>,
}

impl BridgeConfig {
    /// Defaults for everything but the page.
    pub fn new(url: &str, source: SourceKind) -> BridgeConfig {
        BridgeConfig {
            url: url.to_owned(),
            source,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            grace: Duration::from_secs(60),
            heartbeat: Duration::from_secs(5),
            office: Office {
                id: "urzad".into(),
                name: "Urząd".into(),
            },
            health: None,
            token: None,
        }
    }
}

/// Why the bridge could not start.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0} must be positive")]
    Setting(&'static str),
}

/// What `/health` shows of the bridge.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BridgeStatus {
    pub version: &'static str,
    /// The page polled.
    pub url: String,
    /// Displays are being served (the data is current); false before the first good poll and
    /// once failures outlast the grace period.
    pub serving: bool,
    pub polls: u64,
    /// Polls answered `304 Not Modified`.
    pub not_modified: u64,
    /// Seconds since the page last answered usefully; `null` before it ever did.
    pub last_success_age_s: Option<f64>,
    /// Seconds the page has been failing; `null` while it answers.
    pub failing_for_s: Option<f64>,
    pub last_error: Option<String>,
    /// Failures by kind (`timeout`, `http_status`, `transport`, `invalid_json`, `refused`,
    /// `unexpected_shape`) since the start.
    pub failures: BTreeMap<&'static str, u64>,
    /// Groups on the page at the last good poll.
    pub groups: usize,
    /// The seq of the last event sent to displays.
    pub last_seq: u64,
}

/// The poll loop's record of the page, shared with `/health`.
#[derive(Debug, Default)]
struct Tracker {
    url: String,
    serving: bool,
    polls: u64,
    not_modified: u64,
    last_success: Option<Instant>,
    failing_since: Option<Instant>,
    last_error: Option<String>,
    failures: BTreeMap<&'static str, u64>,
    groups: usize,
}

impl Tracker {
    fn report(&self, last_seq: u64) -> BridgeStatus {
        BridgeStatus {
            version: crate::health::VERSION,
            url: self.url.clone(),
            serving: self.serving,
            polls: self.polls,
            not_modified: self.not_modified,
            last_success_age_s: self.last_success.map(|t| t.elapsed().as_secs_f64()),
            failing_for_s: self.failing_since.map(|t| t.elapsed().as_secs_f64()),
            last_error: self.last_error.clone(),
            failures: self.failures.clone(),
            groups: self.groups,
            last_seq,
        }
    }
}

/// Starts bridges.
pub struct Bridge;

impl Bridge {
    /// Starts the listener (refusing displays until the first good poll), the poll loop and,
    /// if asked, `/health`.
    pub async fn start(config: BridgeConfig) -> Result<BridgeHandle, BridgeError> {
        for (name, d) in [
            ("interval", config.interval),
            ("timeout", config.timeout),
            ("heartbeat", config.heartbeat),
        ] {
            if d.is_zero() {
                return Err(BridgeError::Setting(name));
            }
        }
        let mut engine = Engine::pushed(Timestamp::now());
        let stream = format!("bridge-{:016x}", rand::random::<u64>());
        tracing::info!(%stream, url = %config.url, "a new stream");
        engine.set_stream(stream);
        let hub = Arc::new(Hub::new(engine, 10_000, 4096, 1.0));
        hub.set_available(false);
        let server = Arc::new(ServerConfig {
            token: config.token.clone(),
            heartbeat: config.heartbeat,
            hello_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(10),
            max_connections: 256,
        });
        let listener = Listener::bind(config.listen, hub.clone(), server)
            .await
            .map_err(|source| BridgeError::Bind {
                addr: config.listen,
                source,
            })?;
        let tracker = Arc::new(Mutex::new(Tracker {
            url: config.url.clone(),
            ..Tracker::default()
        }));
        let health = match config.health {
            Some(addr) => {
                let (tracker, hub) = (tracker.clone(), hub.clone());
                let report = Arc::new(move || lock(&tracker).report(hub.last_seq()));
                let bound = health::bind(addr, report)
                    .await
                    .map_err(|source| BridgeError::Bind { addr, source })?;
                Some(bound)
            }
            None => None,
        };
        let poll = tokio::spawn(poll_loop(hub.clone(), config, tracker.clone()));
        Ok(BridgeHandle {
            hub,
            addr: listener.addr(),
            listener: Some(listener),
            health,
            poll,
            tracker,
        })
    }
}

fn lock(tracker: &Mutex<Tracker>) -> std::sync::MutexGuard<'_, Tracker> {
    // The tracker holds plain counters, consistent between whole updates.
    tracker.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running bridge.
pub struct BridgeHandle {
    hub: Arc<Hub>,
    addr: SocketAddr,
    listener: Option<Listener>,
    health: Option<(SocketAddr, JoinHandle<()>)>,
    poll: JoinHandle<()>,
    tracker: Arc<Mutex<Tracker>>,
}

impl BridgeHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://host:port/` for displays.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    pub fn health_addr(&self) -> Option<SocketAddr> {
        self.health.as_ref().map(|(a, _)| *a)
    }

    pub fn status(&self) -> BridgeStatus {
        lock(&self.tracker).report(self.hub.last_seq())
    }

    /// The state displays are given.
    pub fn board_data(&self) -> BoardData {
        self.hub.board_data()
    }

    /// Stops polling, closes the port and drops every display.
    pub async fn shutdown(mut self) {
        self.poll.abort();
        if let Some((_, task)) = self.health.take() {
            task.abort();
        }
        if let Some(l) = self.listener.take() {
            l.stop().await;
        }
    }
}

impl Drop for BridgeHandle {
    fn drop(&mut self) {
        self.poll.abort();
        if let Some((_, task)) = &self.health {
            task.abort();
        }
        if let Some(l) = &self.listener {
            l.abort();
        }
    }
}

/// Polls forever: fetch on a blocking thread, read, diff, publish; account for failures.
async fn poll_loop(hub: Arc<Hub>, config: BridgeConfig, tracker: Arc<Mutex<Tracker>>) {
    let mut poller = None;
    let mut last: Option<OfficeState> = None;
    let mut logs = LogLimiter::new(Duration::from_secs(60));
    loop {
        let started = tokio::time::Instant::now();
        let mut p = poller
            .take()
            .unwrap_or_else(|| Poller::new(&config.url, config.timeout));
        let fetched = tokio::task::spawn_blocking(move || {
            let r = p.fetch();
            (p, r)
        })
        .await;
        let outcome = match fetched {
            Ok((p, result)) => {
                poller = Some(p);
                match result {
                    Ok(Fetched::Body(body)) => config
                        .source
                        .read(&body)
                        .map(Some)
                        .map_err(|e| (e.kind(), e.to_string())),
                    Ok(Fetched::NotModified) => Ok(None),
                    Err(e) => Err((e.kind(), e.to_string())),
                }
            }
            // A panic in the HTTP client loses only this poll; a new client is made next time.
            Err(e) => Err(("panic", e.to_string())),
        };
        let now = Instant::now();
        {
            let mut t = lock(&tracker);
            t.polls += 1;
            match &outcome {
                Ok(state) => {
                    if state.is_none() {
                        t.not_modified += 1;
                    }
                    if t.failing_since.take().is_some() {
                        tracing::info!(url = %config.url, "the page answers again");
                    }
                    t.last_success = Some(now);
                }
                Err((kind, message)) => {
                    *t.failures.entry(kind).or_default() += 1;
                    t.failing_since.get_or_insert(now);
                    t.last_error = Some(format!("{kind}: {message}"));
                    if let Some(suppressed) = logs.allow(kind, now) {
                        tracing::warn!(url = %config.url, kind, error = %message, suppressed, "poll failed; keeping the last state");
                    }
                }
            }
        }
        if let Ok(Some(state)) = outcome {
            publish(&hub, &config.office, last.as_ref(), &state);
            lock(&tracker).groups = state.groups.len();
            last = Some(state);
        }
        let serving = {
            let mut t = lock(&tracker);
            let failing_too_long = t
                .failing_since
                .is_some_and(|since| now.duration_since(since) > config.grace);
            let serving = last.is_some() && !failing_too_long;
            if t.serving != serving {
                if serving {
                    tracing::info!("serving displays");
                } else if last.is_some() {
                    tracing::warn!(grace = ?config.grace, "the page has failed for longer than the grace period; displays go offline");
                }
            }
            t.serving = serving;
            serving
        };
        hub.set_available(serving);
        tokio::time::sleep_until(started + config.interval).await;
    }
}

/// Publishes what changed from `prev` to `next` (everything, as a snapshot, the first time).
fn publish(hub: &Hub, office: &Office, prev: Option<&OfficeState>, next: &OfficeState) {
    let now = Timestamp::now();
    let Some(prev) = prev else {
        let s = snapshot(office, next, vec![], now);
        hub.publish([(now, Event::Snapshot(s))]);
        return;
    };
    let d = diff(prev, next);
    if !d.events.is_empty() {
        hub.publish(d.events.into_iter().map(|e| (now, e)));
    }
    if d.rebuild {
        let recent = hub.snapshot().recent_calls;
        let s = snapshot(office, next, recent, now);
        hub.publish([(now, Event::Snapshot(s))]);
    }
}
