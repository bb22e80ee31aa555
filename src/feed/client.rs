//! The websocket client: connect, say hello, forward frames, ping, reconnect forever.

use super::{Control, Feed, FeedConfig, FeedMsg, LinkState, LogLimiter, NO_SEQ, Waker, tls};
use crate::protocol::{DecodeError, Hello, MAX_FRAME_BYTES, decode_event};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};
use tracing::{Instrument, debug, info, info_span, warn};

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
    #[error("no frame from the server for {0:?}; the connection is dead")]
    Dead(Duration),
    #[error("the server closed the connection")]
    Closed,
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
            ConnectionEnd::Dead(_) => "dead",
            ConnectionEnd::Closed => "closed",
            ConnectionEnd::Broken(_) => "broken",
            ConnectionEnd::Resync => "resync",
            ConnectionEnd::Shutdown => "shutdown",
        }
    }
}

/// A connection that lasted this long was healthy: the next failure starts backing off afresh.
const HEALTHY_AFTER: Duration = Duration::from_secs(10);

/// Starts the client on its own thread.
pub fn spawn(config: FeedConfig, waker: Waker) -> Feed {
    let (tx, rx) = mpsc::channel(config.queue.max(16));
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let last_seq = Arc::new(AtomicU64::new(NO_SEQ));
    let shared = last_seq.clone();
    let stream = Arc::new(std::sync::Mutex::new(None));
    let shared_stream = stream.clone();
    let thread = std::thread::Builder::new()
        .name("tablica-feed".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    tracing::error!("cannot start the network runtime: {e}");
                    return;
                }
            };
            let client = Client {
                config,
                tx,
                control: control_rx,
                last_seq: shared,
                stream: shared_stream,
                waker,
                limiter: LogLimiter::new(Duration::from_secs(60)),
            };
            runtime.block_on(client.run());
        })
        .ok();
    Feed {
        rx,
        control: control_tx,
        last_seq,
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
}

impl Client {
    async fn run(mut self) {
        let mut backoff = self.config.backoff_min;
        let mut attempt: u64 = 0;
        let mut previous_resync = false;
        loop {
            attempt += 1;
            let started = Instant::now();
            let span = info_span!("connection", url = %self.config.url, attempt);
            let end = self.connection().instrument(span).await;
            if matches!(end, ConnectionEnd::Shutdown) || self.tx.is_closed() {
                return;
            }
            self.notify(FeedMsg::Link(LinkState::Connecting)).await;
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
                    if matches!(c, Some(Control::Shutdown) | None) {
                        return;
                    }
                }
            }
        }
    }

    /// Hands a message to the display, waiting for room (backpressure, never unbounded).
    async fn notify(&self, msg: FeedMsg) -> bool {
        let ok = self.tx.send(msg).await.is_ok();
        (self.waker)();
        ok
    }

    async fn connection(&mut self) -> ConnectionEnd {
        let mut request = match self.config.url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => return ConnectionEnd::BadUrl(format!("{}: {e}", self.config.url)),
        };
        if let Some(token) = &self.config.token {
            match HeaderValue::from_str(&format!("Bearer {}", token.trim())) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    request.headers_mut().insert("Authorization", v);
                }
                Err(_) => return ConnectionEnd::BadUrl("token has invalid characters".into()),
            }
        }
        let connector = if self.config.url.starts_with("wss:") {
            match tls::client_config(self.config.ca_file.as_deref()) {
                Ok(c) => Some(Connector::Rustls(c)),
                Err(e) => return e.into(),
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
                    if matches!(c, Some(Control::Shutdown) | None) {
                        return ConnectionEnd::Shutdown;
                    }
                    // A resync asked for now is what this new connection does anyway.
                }
            }
        };
        let mut ws = match connected {
            Err(_) => return ConnectionEnd::ConnectTimeout(self.config.connect_timeout),
            Ok(Err(e)) => return ConnectionEnd::Connect(e.to_string()),
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
            return ConnectionEnd::Broken(e.to_string());
        }
        info!(resume_from = ?resume, stream = ?hello.stream, "connected");
        if !self.notify(FeedMsg::NewStream).await
            || !self.notify(FeedMsg::Link(LinkState::Connected)).await
        {
            return ConnectionEnd::Shutdown;
        }
        let mut ping = tokio::time::interval(self.config.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ping.tick().await;
        let mut last_heard = Instant::now();
        loop {
            let dead_at = last_heard + self.config.dead_after;
            tokio::select! {
                frame = ws.next() => {
                    last_heard = Instant::now();
                    let msg = match frame {
                        None => return ConnectionEnd::Closed,
                        Some(Err(e)) => return ConnectionEnd::Broken(e.to_string()),
                        Some(Ok(m)) => m,
                    };
                    let forward = match msg {
                        Message::Text(text) => Some(self.decode(text.as_str())),
                        Message::Binary(b) => Some(self.reject(DecodeError::Json(format!(
                            "binary frame of {} bytes; protocol v1 uses text frames", b.len()
                        )))),
                        Message::Close(_) => return ConnectionEnd::Closed,
                        // Pings are answered by tungstenite; pongs only prove liveness.
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
                    };
                    if let Some(m) = forward && !self.notify(m).await {
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
