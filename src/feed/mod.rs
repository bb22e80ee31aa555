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

use crate::protocol::{DecodeError, Envelope};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

pub use client::spawn;
pub use limiter::LogLimiter;

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
}

/// Wakes the display's event loop when messages are waiting.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// How to reach the queue system.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// `ws://host:port/path` or `wss://…`.
    pub url: String,
    /// Bearer token for the upgrade request. Never logged.
    pub token: Option<String>,
    /// This display's id, sent in `hello`.
    pub display_id: String,
    /// Services of interest, sent in `hello` as a hint.
    pub services: Option<Vec<String>>,
    /// Extra CA certificates (PEM) for an office's own certificate authority.
    pub ca_file: Option<PathBuf>,
    /// How often to ping the server.
    pub ping_every: Duration,
    /// No frame (nor pong) for this long means the connection is dead.
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

/// The display's end of the feed.
pub struct Feed {
    rx: mpsc::Receiver<FeedMsg>,
    control: mpsc::UnboundedSender<Control>,
    last_seq: Arc<AtomicU64>,
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

    /// Waits up to `timeout` for a message (for displays without a window).
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
