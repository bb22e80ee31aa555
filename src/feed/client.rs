//! The websocket client: connect, say hello, forward frames, ping, reconnect forever.

use super::token::{TokenError, read_token_file};
use super::{
    ConnectionError, Control, Feed, FeedConfig, FeedMsg, LinkState, LogLimiter, NO_SEQ,
    SharedHealth, Waker, tls,
};
use crate::protocol::{DecodeError, Hello, MAX_FRAME_BYTES, decode_event};
use crate::supervise::{Ended, supervise};
use futures_util::{SinkExt, StreamExt};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};
use tracing::{Instrument, debug, info, info_span, warn};

/// The websocket of one connection.
type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a connection ended.
#[derive(Debug, thiserror::Error)]
enum ConnectionEnd {
    #[error("invalid server address {0}")]
    BadUrl(String),
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
    #[error("could not connect within {0:?}")]
    ConnectTimeout(Duration),
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("the server refused the connection: {reason}")]
    Refused { status: u16, reason: String },
    #[error("{0}")]
    Token(TokenError),
    #[error("no text frame (event or heartbeat) from the server for {0:?}; the connection is dead")]
    Dead(Duration),
    #[error("the server closed the connection{0}")]
    Closed(CloseInfo),
    #[error("the connection broke: {0}")]
    Broken(String),
    #[error("resynchronising after missed events")]
    Resync,
    #[error("shutting down")]
    Shutdown,
}

impl ConnectionEnd {
    fn kind(&self) -> &'static str {
        match self {
            ConnectionEnd::BadUrl(_) => "bad_url",
            ConnectionEnd::Tls(_) => "tls",
            ConnectionEnd::ConnectTimeout(_) => "connect_timeout",
            ConnectionEnd::Connect(_) => "connect",
            ConnectionEnd::Refused { .. } => "refused",
            ConnectionEnd::Token(e) => e.kind(),
            ConnectionEnd::Dead(_) => "dead",
            ConnectionEnd::Closed(_) => "closed",
            ConnectionEnd::Broken(_) => "broken",
            ConnectionEnd::Resync => "resync",
            ConnectionEnd::Shutdown => "shutdown",
        }
    }

    /// The error to keep for /health's problems: the queue system refusing this display, no
    /// token, and what stops a connection from being made at all (TLS, DNS, refused, timeout).
    /// A connection that broke after working is not one: the link state and the data's age
    /// report it, and the next attempt may well succeed.
    fn refusal(&self) -> Option<(&'static str, String)> {
        match self {
            ConnectionEnd::Tls(e) => Some(("tls", e.to_string())),
            ConnectionEnd::BadUrl(m) => Some(("bad_url", m.clone())),
            ConnectionEnd::ConnectTimeout(_) => Some(("connect_timeout", self.to_string())),
            ConnectionEnd::Connect(m) => Some((connect_kind(m), m.clone())),
            ConnectionEnd::Refused {
                status: 401,
                reason,
            } => Some(("unauthorized", reason.clone())),
            ConnectionEnd::Refused {
                status: 403,
                reason,
            } => Some(("forbidden", reason.clone())),
            ConnectionEnd::Closed(CloseInfo(Some((1008, reason)))) => {
                Some(("policy_violation", reason.clone()))
            }
            ConnectionEnd::Token(e) => Some((e.kind(), e.to_string())),
            _ => None,
        }
    }
}

/// What kind of failure to connect a message from the network libraries describes. They give
/// only text (an `io::Error` or rustls's error, formatted), so the words are matched.
fn connect_kind(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("failed to lookup address")
        || m.contains("name or service not known")
        || m.contains("temporary failure in name resolution")
        || m.contains("no address associated")
    {
        "dns"
    } else if m.contains("connection refused") {
        "connection_refused"
    } else if m.contains("certificate") || m.contains("tls") {
        "tls"
    } else if m.contains("unreachable") {
        "unreachable"
    } else {
        "connect"
    }
}

/// The code and reason of a close frame, if the server sent one.
#[derive(Debug)]
struct CloseInfo(Option<(u16, String)>);

impl fmt::Display for CloseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            None => Ok(()),
            Some((code, reason)) if reason.is_empty() => write!(f, " with code {code}"),
            Some((code, reason)) => write!(f, " with code {code}: {reason}"),
        }
    }
}

/// Text from the server made fit for a log line and /health: control characters become
/// spaces and it is cut at `max` characters.
fn printable(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out.trim().to_owned()
}

/// What a refused upgrade said: `HTTP 401 Unauthorized: <body>`.
fn refusal_reason(
    response: &tokio_tungstenite::tungstenite::http::Response<Option<Vec<u8>>>,
) -> String {
    let status = response.status();
    let mut reason = format!(
        "HTTP {} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim()
    .to_owned();
    if let Some(body) = response.body() {
        let body = printable(&String::from_utf8_lossy(body), 200);
        if !body.is_empty() {
            reason.push_str(": ");
            reason.push_str(&body);
        }
    }
    reason
}

/// Panics if a test asked the client to (see [`Feed::crash_for_test`]).
fn crash_if_asked(c: &Option<Control>) {
    if matches!(c, Some(Control::Crash)) {
        panic!("the feed client was asked to crash (test hook)");
    }
}

/// A connection that lasted this long was healthy: the next failure starts backing off afresh.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);

/// Starts the client on its own thread. The thread is supervised: if the client panics or
/// returns while the display still wants it, it is started again after a backoff, with the
/// same channels, and the restart is counted in [`Feed::health`].
pub fn spawn(config: FeedConfig, waker: Waker) -> Feed {
    let (tx, rx) = mpsc::channel(config.queue.max(16));
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let last_seq = Arc::new(AtomicU64::new(NO_SEQ));
    let health = Arc::new(SharedHealth::default());
    let shared = last_seq.clone();
    let client_health = health.clone();
    let stream = Arc::new(std::sync::Mutex::new(None));
    let shared_stream = stream.clone();
    let thread = std::thread::Builder::new()
        .name("tablica-feed".into())
        .spawn(move || {
            // Only to see that the display went away while waiting to restart.
            let display = tx.clone();
            let mut client = Client {
                config,
                tx,
                control: control_rx,
                last_seq: shared,
                stream: shared_stream,
                waker,
                limiter: LogLimiter::new(Duration::from_secs(60)),
                health: client_health.clone(),
                runs: 0,
            };
            supervise(
                "feed",
                &client_health.restarts,
                || {
                    // A fresh runtime each run: a panic may have left the last one mid-task.
                    match crate::supervise::thread_runtime() {
                        Ok(rt) => rt.block_on(client.run()),
                        Err(e) => {
                            Ended::Unexpectedly(format!("cannot start the network runtime: {e}"))
                        }
                    }
                },
                |delay| {
                    let until = Instant::now() + delay;
                    while Instant::now() < until {
                        if display.is_closed() {
                            return false;
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    !display.is_closed()
                },
            );
        })
        .ok();
    Feed {
        rx,
        control: control_tx,
        last_seq,
        health,
        stream,
        thread,
    }
}

struct Client {
    config: FeedConfig,
    tx: mpsc::Sender<FeedMsg>,
    control: mpsc::UnboundedReceiver<Control>,
    last_seq: Arc<AtomicU64>,
    stream: Arc<std::sync::Mutex<Option<String>>>,
    waker: Waker,
    limiter: LogLimiter,
    health: Arc<SharedHealth>,
    /// How many times `run` was started (more than once after restarts).
    runs: u64,
}

impl Client {
    /// Connects and reconnects until the display stops it.
    async fn run(&mut self) -> Ended {
        self.runs += 1;
        if self.runs > 1 {
            // The previous run may have ended mid-connection: the display must not believe it
            // is still connected.
            if !self.deliver(FeedMsg::Link(LinkState::Connecting)).await {
                return Ended::Stopped;
            }
        }
        let mut backoff = self.config.backoff_min;
        let mut attempt: u64 = 0;
        let mut previous_resync = false;
        loop {
            attempt += 1;
            let started = Instant::now();
            let span = info_span!("connection", url = %self.config.url, attempt);
            let end = self.connection().instrument(span).await;
            if matches!(end, ConnectionEnd::Shutdown) || self.tx.is_closed() {
                return Ended::Stopped;
            }
            self.keep_refusal(&end);
            self.deliver(FeedMsg::Link(LinkState::Connecting)).await;
            let healthy = started.elapsed() >= HEALTHY_AFTER;
            // A resync reconnects at once, but not twice in a row: a server whose every stream
            // has a gap would otherwise be reconnected to as fast as it answers, forever.
            let resync = matches!(end, ConnectionEnd::Resync);
            let at_once = resync && (!previous_resync || healthy);
            previous_resync = resync;
            if healthy || at_once {
                backoff = self.config.backoff_min;
            }
            if let Some(suppressed) = self.limiter.allow(end.kind(), Instant::now()) {
                let extra = if suppressed > 0 {
                    format!(" ({suppressed} more like this since the last report)")
                } else {
                    String::new()
                };
                if matches!(end, ConnectionEnd::Resync) {
                    info!("{end}{extra}");
                } else {
                    warn!("{end}; reconnecting in about {backoff:?}{extra}");
                }
            }
            let delay = if at_once {
                Duration::ZERO
            } else {
                jitter(backoff)
            };
            if !at_once && !healthy {
                backoff = (backoff * 2).min(self.config.backoff_max);
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                c = self.control.recv() => {
                    crash_if_asked(&c);
                    if matches!(c, Some(Control::Shutdown) | None) {
                        return Ended::Stopped;
                    }
                }
            }
        }
    }

    /// Keeps the reason the queue system refused the display for /health, with the time it
    /// first happened (a run of the same refusal keeps its first time).
    fn keep_refusal(&self, end: &ConnectionEnd) {
        let Some((kind, reason)) = end.refusal() else {
            return;
        };
        let mut last = self
            .health
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if last
            .as_ref()
            .is_none_or(|e| e.kind != kind || e.reason != reason)
        {
            *last = Some(ConnectionError {
                kind,
                reason,
                since: jiff::Timestamp::now(),
            });
        }
    }

    /// A text frame came: the queue system has the display, whatever refused it before.
    fn accepted(&self) {
        *self
            .health
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Hands a message to the display, waiting for room (backpressure, never unbounded).
    async fn deliver(&self, msg: FeedMsg) -> bool {
        let ok = self.tx.send(msg).await.is_ok();
        (self.waker)();
        ok
    }

    /// One connection: the handshake, then reading until it ends.
    async fn connection(&mut self) -> ConnectionEnd {
        match self.handshake().await {
            Ok(ws) => self.read_loop(ws).await,
            Err(end) => end,
        }
    }

    /// Connects (with the token and TLS the config names), sends the hello that resumes the
    /// board's stream, and tells the display a new stream begins.
    async fn handshake(&mut self) -> Result<Socket, ConnectionEnd> {
        let mut request = match self.config.url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => return Err(ConnectionEnd::BadUrl(format!("{}: {e}", self.config.url))),
        };
        // Read again for every attempt: a token provisioned or rotated meanwhile is used now.
        let token = match &self.config.token_file {
            Some(path) => match read_token_file(path) {
                Ok(t) => Some(t),
                Err(e) => return Err(ConnectionEnd::Token(e)),
            },
            None => self.config.token.as_ref().map(|t| t.trim().to_owned()),
        };
        if let Some(token) = &token {
            match HeaderValue::from_str(&format!("Bearer {token}")) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    request.headers_mut().insert("Authorization", v);
                }
                Err(_) => return Err(ConnectionEnd::BadUrl("token has invalid characters".into())),
            }
        }
        let connector = if self.config.url.starts_with("wss:") {
            match tls::client_config(self.config.ca_file.as_deref()) {
                Ok(c) => Some(Connector::Rustls(c)),
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME_BYTES * 2))
            .max_frame_size(Some(MAX_FRAME_BYTES * 2));
        let connect = connect_async_tls_with_config(request, Some(ws_config), true, connector);
        let connect = tokio::time::timeout(self.config.connect_timeout, connect);
        tokio::pin!(connect);
        // Shutting down must not wait for a server that does not answer the upgrade.
        let connected = loop {
            tokio::select! {
                r = &mut connect => break r,
                c = self.control.recv() => {
                    crash_if_asked(&c);
                    if matches!(c, Some(Control::Shutdown) | None) {
                        return Err(ConnectionEnd::Shutdown);
                    }
                    // A resync asked for now is what this new connection does anyway.
                }
            }
        };
        let mut ws = match connected {
            Err(_) => return Err(ConnectionEnd::ConnectTimeout(self.config.connect_timeout)),
            Ok(Err(WsError::Http(response))) => {
                return Err(ConnectionEnd::Refused {
                    status: response.status().as_u16(),
                    reason: refusal_reason(&response),
                });
            }
            Ok(Err(e)) => return Err(ConnectionEnd::Connect(e.to_string())),
            Ok(Ok((ws, _response))) => ws,
        };
        // The stream names the numbering `resume` belongs to (a server resumes only within it);
        // both are read under one lock so that they belong together.
        let (resume, stream) = {
            let stream = self.stream.lock().unwrap_or_else(|e| e.into_inner());
            match self.last_seq.load(Ordering::Relaxed) {
                NO_SEQ => (None, None),
                seq => (Some(seq), stream.clone()),
            }
        };
        let hello = Hello::new(
            &self.config.display_id,
            resume,
            self.config.services.clone(),
        )
        .in_stream(stream);
        if let Err(e) = ws.send(Message::text(hello.to_json())).await {
            return Err(ConnectionEnd::Broken(e.to_string()));
        }
        info!(resume_from = ?resume, stream = ?hello.stream, "connected");
        if !self.deliver(FeedMsg::NewStream).await
            || !self.deliver(FeedMsg::Link(LinkState::Connected)).await
        {
            return Err(ConnectionEnd::Shutdown);
        }
        Ok(ws)
    }

    /// Reads the connection until it ends: forwards text frames, pings, and gives up on a
    /// connection from which no text frame came for `dead_after`.
    async fn read_loop(&mut self, mut ws: Socket) -> ConnectionEnd {
        let mut ping = tokio::time::interval(self.config.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        // Only text frames (events, heartbeats) prove that the queue system is alive: pongs come
        // from whatever holds the socket open (a proxy, a server whose queue logic is stuck).
        let mut last_heard = Instant::now();
        let mut heard_any = false;
        loop {
            let dead_at = last_heard + self.config.dead_after;
            tokio::select! {
                frame = ws.next() => {
                    let msg = match frame {
                        None => return ConnectionEnd::Closed(CloseInfo(None)),
                        Some(Err(e)) => return ConnectionEnd::Broken(e.to_string()),
                        Some(Ok(m)) => m,
                    };
                    let forward = match msg {
                        Message::Text(text) => {
                            last_heard = Instant::now();
                            if !heard_any {
                                heard_any = true;
                                self.accepted();
                            }
                            Some(self.decode(text.as_str()))
                        }
                        Message::Binary(b) => Some(self.reject(DecodeError::Json(format!(
                            "binary frame of {} bytes; protocol v1 uses text frames", b.len()
                        )))),
                        Message::Close(frame) => {
                            return ConnectionEnd::Closed(CloseInfo(frame.map(|f| {
                                (u16::from(f.code), printable(f.reason.as_str(), 200))
                            })));
                        }
                        // Pings are answered by tungstenite; neither they nor pongs prove that
                        // the queue system is alive.
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
                    };
                    if let Some(m) = forward && !self.deliver(m).await {
                        return ConnectionEnd::Shutdown;
                    }
                }
                _ = ping.tick() => {
                    if let Err(e) = ws.send(Message::Ping(Bytes::new())).await {
                        return ConnectionEnd::Broken(e.to_string());
                    }
                }
                _ = tokio::time::sleep_until(dead_at.into()) => {
                    return ConnectionEnd::Dead(self.config.dead_after);
                }
                c = self.control.recv() => match c {
                    Some(Control::Crash) => crash_if_asked(&c),
                    Some(Control::Resync) => {
                        let _ = ws.close(None).await;
                        return ConnectionEnd::Resync;
                    }
                    Some(Control::Shutdown) | None => {
                        let _ = ws.close(None).await;
                        return ConnectionEnd::Shutdown;
                    }
                },
            }
        }
    }

    fn decode(&mut self, text: &str) -> FeedMsg {
        match decode_event(text) {
            Ok(e) => FeedMsg::Event(e),
            Err(e) => self.reject(e),
        }
    }

    fn reject(&mut self, e: DecodeError) -> FeedMsg {
        if let Some(suppressed) = self.limiter.allow(e.kind(), Instant::now()) {
            warn!(suppressed, "rejected a frame from the server: {e}");
        } else {
            debug!("rejected a frame from the server: {e}");
        }
        FeedMsg::Rejected(e)
    }
}

/// ±25 % so that many displays of one office do not reconnect in lockstep after an outage.
fn jitter(d: Duration) -> Duration {
    let factor = 0.75 + rand::random::<f64>() * 0.5;
    d.mul_f64(factor)
}
