//! The live feed: a websocket subscription to the queue system that survives everything.
//!
//! The client runs on its own thread with its own tokio runtime, so the render loop never waits
//! for the network. Decoded frames reach the display through a bounded channel (a slow display
//! slows the socket down instead of growing memory) and wake it through a [`Waker`]. The board
//! itself stays on the display's thread; the client only needs the `seq` of the last event the
//! board applied, shared through an atomic, to resume after a reconnect.

mod client;
mod limiter;
mod tls;
mod token;

use crate::protocol::{DecodeError, Envelope};
use crate::supervise::Restarts;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;

pub use client::spawn;
pub use limiter::LogLimiter;
pub use token::{MAX_TOKEN_FILE_BYTES, TokenError, read_token_file};

/// What the client tells the display.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedMsg {
    /// A new connection was set up and `hello` sent: its first snapshot replaces the board.
    NewStream,
    /// A decoded event.
    Event(Envelope),
    /// A frame that was rejected; the link is alive all the same.
    Rejected(DecodeError),
    /// The connection state changed.
    Link(LinkState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Connected,
}

/// Asks the client to do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Events were missed: reconnect and resume from the last applied `seq` (the server sends a
    /// snapshot if it cannot resume).
    Resync,
    /// Stop for good.
    Shutdown,
    /// Makes the client's thread panic once, to test its supervision.
    #[doc(hidden)]
    Crash,
}

/// Wakes the display's event loop from another thread: the feed when messages are waiting, the
/// layout watcher when a reloaded layout is ready, the health server when it wants a screenshot.
/// The one waker type of the program.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How to reach the queue system. Its `Debug` shows whether there is a token, never the token.
#[derive(Clone)]
pub struct FeedConfig {
    /// `ws://host:port/path` or `wss://…`.
    pub url: String,
    /// Bearer token for the upgrade request, when it is not in a file. Never logged.
    pub token: Option<String>,
    /// A file holding the bearer token, read again before every connection attempt (so that a
    /// token provisioned or rotated later is used without a restart). Wins over `token`. While
    /// the file is missing, empty or unreadable the client does not connect, reports why
    /// ([`LinkHealth::last_error`]) and tries again with backoff.
    pub token_file: Option<PathBuf>,
    /// This display's id, sent in `hello`.
    pub display_id: String,
    /// Services of interest, sent in `hello` as a hint.
    pub services: Option<Vec<String>>,
    /// Extra CA certificates (PEM) for an office's own certificate authority.
    pub ca_file: Option<PathBuf>,
    /// How often to ping the server.
    pub ping_every: Duration,
    /// No text frame (event or heartbeat) for this long means the connection is dead. Pongs and
    /// pings do not count: they prove the socket, not the queue system behind it.
    pub dead_after: Duration,
    /// Reconnect delays: doubled after each failure from `backoff_min` up to `backoff_max`, with
    /// jitter, and reset after a healthy connection.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Giving up on one connection attempt (TCP, TLS, upgrade) after this long.
    pub connect_timeout: Duration,
    /// Messages waiting for the display, at most.
    pub queue: usize,
}

impl FeedConfig {
    pub fn new(url: impl Into<String>) -> Self {
        FeedConfig {
            url: url.into(),
            token: None,
            token_file: None,
            display_id: "tablica".into(),
            services: None,
            ca_file: None,
            ping_every: Duration::from_secs(10),
            dead_after: Duration::from_secs(30),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            queue: 4096,
        }
    }
}

impl fmt::Debug for FeedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FeedConfig")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_file", &self.token_file)
            .field("display_id", &self.display_id)
            .field("services", &self.services)
            .field("ca_file", &self.ca_file)
            .field("ping_every", &self.ping_every)
            .field("dead_after", &self.dead_after)
            .field("backoff_min", &self.backoff_min)
            .field("backoff_max", &self.backoff_max)
            .field("connect_timeout", &self.connect_timeout)
            .field("queue", &self.queue)
            .finish()
    }
}

/// Why the queue system would not have the display: an upgrade refused with 401 or 403, a close
/// with code 1008 (policy violation), or a token file that gives no token. Kept until a
/// connection brings a text frame again, for /health and the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConnectionError {
    /// `unauthorized` (401), `forbidden` (403), `policy_violation` (close 1008), one of
    /// [`TokenError::kind`], or why no connection could be made: `tls`, `dns`,
    /// `connection_refused`, `unreachable`, `connect_timeout`, `connect`, `bad_url`.
    pub kind: &'static str,
    /// What the server said (status line and body, or the close reason), or what is wrong with
    /// the token file; never the token.
    pub reason: String,
    /// When this error first happened, of the attempts that have failed with it since.
    pub since: jiff::Timestamp,
}

/// What the feed reports about itself besides its messages (shared with the display's thread).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkHealth {
    pub last_error: Option<ConnectionError>,
    /// Restarts of the client's thread after it panicked or ended unexpectedly.
    pub restarts: Restarts,
}

/// [`LinkHealth`] shared between the client's thread and the display.
#[derive(Debug, Default)]
pub(crate) struct SharedHealth {
    pub(crate) last_error: Mutex<Option<ConnectionError>>,
    pub(crate) restarts: Mutex<Restarts>,
}

impl SharedHealth {
    fn get(&self) -> LinkHealth {
        LinkHealth {
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            restarts: self
                .restarts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }
}

/// Libraries that see the upgrade request, bearer token included: tungstenite logs the whole
/// request at TRACE. Their records are capped at [`NETWORK_LOG_CAP`] whatever `RUST_LOG` says.
pub const NETWORK_TARGETS: &[&str] = &["tungstenite", "tokio_tungstenite", "http"];

/// The most verbose level the [`NETWORK_TARGETS`] may log at.
pub const NETWORK_LOG_CAP: tracing::Level = tracing::Level::INFO;

/// Whether a record may be logged at all: false for the network libraries' records above
/// [`NETWORK_LOG_CAP`]. The binary applies it as a filter of its own next to `RUST_LOG`'s, so
/// that no `RUST_LOG` (`trace`, `tungstenite::handshake=trace`) can bring the token into a log.
pub fn log_allowed(target: &str, level: &tracing::Level) -> bool {
    let network = NETWORK_TARGETS.iter().any(|t| {
        target
            .strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    });
    !network || *level <= NETWORK_LOG_CAP
}

/// The display's end of the feed.
pub struct Feed {
    rx: mpsc::Receiver<FeedMsg>,
    control: mpsc::UnboundedSender<Control>,
    last_seq: Arc<AtomicU64>,
    health: Arc<SharedHealth>,
    /// The stream `last_seq` belongs to, for the hello.
    stream: Arc<std::sync::Mutex<Option<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// `last_seq` value meaning "nothing applied yet".
const NO_SEQ: u64 = u64::MAX;

impl Feed {
    /// The next waiting message, without blocking.
    pub fn try_recv(&mut self) -> Option<FeedMsg> {
        self.rx.try_recv().ok()
    }

    /// Waits up to `timeout` for a message, polling every few milliseconds. For tests and tools
    /// that drive a feed by hand; the display's loops never block on the feed: they are woken by
    /// the [`Waker`] and drain it with [`Feed::try_recv`].
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<FeedMsg> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(m) = self.try_recv() {
                return Some(m);
            }
            if std::time::Instant::now() >= deadline || self.rx.is_closed() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Records the `seq` of the last event the board applied and the stream it belongs to, for
    /// resuming (`None`: the board needs a snapshot).
    pub fn applied(&self, seq: Option<u64>, stream: Option<&str>) {
        // Both under the lock, so that the client never pairs one stream's seq with another's
        // name.
        let mut shared = self.stream.lock().unwrap_or_else(|e| e.into_inner());
        self.last_seq
            .store(seq.unwrap_or(NO_SEQ), Ordering::Relaxed);
        if shared.as_deref() != stream {
            *shared = stream.map(str::to_owned);
        }
    }

    pub fn send(&self, control: Control) {
        let _ = self.control.send(control);
    }

    /// The last connection error and the thread's restarts, for /health.
    pub fn health(&self) -> LinkHealth {
        self.health.get()
    }

    /// Makes the client's thread panic once (it is restarted by its supervisor). For tests.
    #[doc(hidden)]
    pub fn crash_for_test(&self) {
        self.send(Control::Crash);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Shutdown);
        // Dropping the receiver also unblocks a client waiting for room in the queue.
        self.rx.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod log_cap_tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn the_network_libraries_are_capped_and_nothing_else() {
        for target in [
            "tungstenite",
            "tungstenite::handshake::client",
            "tokio_tungstenite",
            "http::header",
        ] {
            assert!(!log_allowed(target, &Level::TRACE), "{target}");
            assert!(!log_allowed(target, &Level::DEBUG), "{target}");
            assert!(log_allowed(target, &Level::INFO), "{target}");
            assert!(log_allowed(target, &Level::WARN), "{target}");
        }
        for target in ["tablica::feed", "tungstenite_like", "httparse", "wgpu_core"] {
            assert!(log_allowed(target, &Level::TRACE), "{target}");
        }
    }

    #[test]
    fn the_config_debug_never_shows_the_token() {
        let mut c = FeedConfig::new("ws://127.0.0.1:1/");
        c.token = Some("tok-SECRET-1".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("tok-SECRET-1"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
}
