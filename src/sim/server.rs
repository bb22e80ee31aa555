//! The websocket listener and one task per display.
//!
//! A [`Listener`] owns its accept loop and every connection task; stopping it closes the port and
//! drops every display at once (as a crashed server would), while the hub and the office carry on.

use super::hub::{Hub, Subscription, WireFrame};
use crate::protocol::{DecodeError, Hello, MAX_FRAME_BYTES, decode_hello};
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, broadcast, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::Instrument;

/// How the server treats displays.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Required `Authorization: Bearer` token, if any.
    pub token: Option<String>,
    /// A display that has been sent nothing for this long gets a heartbeat.
    pub heartbeat: Duration,
    /// How long a new connection may take to upgrade and say hello.
    pub hello_timeout: Duration,
    /// How long one frame may take to go out before the display is considered stuck.
    pub send_timeout: Duration,
    /// Displays served at once; further connections are closed at once.
    pub max_connections: usize,
}

/// Why a display's connection ended abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("websocket handshake failed: {0}")]
    Handshake(#[source] tungstenite::Error),
    #[error("no hello within {0:?}")]
    HelloTimeout(Duration),
    #[error("connection closed before the hello")]
    ClosedBeforeHello,
    #[error("first frame was not a text frame")]
    HelloNotText,
    #[error("invalid hello: {0}")]
    BadHello(#[source] DecodeError),
    #[error("sending failed: {0}")]
    Send(#[source] tungstenite::Error),
    #[error("display did not take a frame within {0:?}; dropping it")]
    SendTimeout(Duration),
    #[error("receiving failed: {0}")]
    Receive(#[source] tungstenite::Error),
}

/// A running listener; see the module documentation.
pub struct Listener {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Listener {
    /// Binds `addr` and starts accepting displays.
    pub async fn bind(
        addr: SocketAddr,
        hub: Arc<Hub>,
        config: Arc<ServerConfig>,
    ) -> std::io::Result<Listener> {
        let socket = TcpListener::bind(addr).await?;
        let addr = socket.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(
            accept_loop(socket, hub, config, stopped)
                .instrument(tracing::info_span!("listener", %addr)),
        );
        tracing::info!(%addr, "listening");
        Ok(Listener { addr, stop, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes the port and drops every display; returns once all of them are gone.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await
            && e.is_panic()
        {
            tracing::error!("listener task panicked: {e}");
        }
    }

    /// Stops without waiting (for `Drop`).
    pub fn abort(&self) {
        self.task.abort();
    }
}

async fn accept_loop(
    socket: TcpListener,
    hub: Arc<Hub>,
    config: Arc<ServerConfig>,
    mut stopped: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = socket.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        tracing::warn!(%peer, max = config.max_connections, "too many displays; refusing");
                        continue;
                    };
                    let span = tracing::info_span!("display", %peer, id = tracing::field::Empty);
                    let (hub, config) = (hub.clone(), config.clone());
                    connections.spawn(
                        async move {
                            match serve(stream, &hub, &config).await {
                                Ok(()) => tracing::info!("display disconnected"),
                                Err(e) => tracing::info!(error = %e, "connection ended"),
                            }
                            drop(permit);
                        }
                        .instrument(span),
                    );
                }
                Err(e) => {
                    // Usually out of file descriptors: wait a little instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // Reap finished connections so the set does not grow with every display ever seen.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(socket);
    let dropped = connections.len();
    connections.shutdown().await;
    tracing::info!(dropped, "listener stopped");
}

type Ws = WebSocketStream<TcpStream>;

async fn serve(stream: TcpStream, hub: &Hub, config: &ServerConfig) -> Result<(), ConnectionError> {
    let _ = stream.set_nodelay(true);
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let token = config.token.clone();
    let available = hub.is_available();
    #[allow(clippy::result_large_err)]
    let check = move |request: &Request, response: Response| {
        if !available {
            return Err(unavailable());
        }
        authorize(token.as_deref(), request, response)
    };
    let started = Instant::now();
    let mut ws = timeout(
        config.hello_timeout,
        tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(ws_config)),
    )
    .await
    .map_err(|_| ConnectionError::HelloTimeout(config.hello_timeout))?
    .map_err(ConnectionError::Handshake)?;

    let left = config.hello_timeout.saturating_sub(started.elapsed());
    let hello = match timeout(left, read_hello(&mut ws)).await {
        Ok(Ok(hello)) => hello,
        Ok(Err(e)) => {
            let code = match e {
                ConnectionError::HelloNotText => CloseCode::Unsupported,
                _ => CloseCode::Policy,
            };
            close(&mut ws, code, &e.to_string()).await;
            return Err(e);
        }
        Err(_) => {
            close(&mut ws, CloseCode::Policy, "no hello").await;
            return Err(ConnectionError::HelloTimeout(config.hello_timeout));
        }
    };
    tracing::Span::current().record("id", hello.display.as_str());
    let subscription = hub.subscribe(hello.resume_from, hello.stream.as_deref());
    tracing::info!(
        resume_from = ?hello.resume_from,
        stream = ?hello.stream,
        resumed = subscription.resumed,
        backlog = subscription.backlog.len(),
        services = ?hello.services,
        "display connected"
    );
    stream_events(&mut ws, hub, config, subscription).await
}

/// Checks the bearer token during the upgrade; a refusal is an HTTP 401 with a short reason.
// The error type is tungstenite's callback signature, not ours to shrink.
#[allow(clippy::result_large_err)]
fn authorize(
    token: Option<&str>,
    request: &Request,
    response: Response,
) -> Result<Response, ErrorResponse> {
    let Some(token) = token else {
        return Ok(response);
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
        return Ok(response);
    }
    let reason = if given.is_none() {
        "missing bearer token"
    } else {
        "wrong bearer token"
    };
    tracing::warn!(reason, "refusing display");
    let mut refusal = ErrorResponse::new(Some(format!("401 Unauthorized: {reason}\n")));
    *refusal.status_mut() = StatusCode::UNAUTHORIZED;
    refusal.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    Err(refusal)
}

/// The refusal of a server that has nothing current to serve (a bridge whose source is down):
/// HTTP 503, so that the display keeps its last state, shows it as offline and tries again.
fn unavailable() -> ErrorResponse {
    let mut refusal = ErrorResponse::new(Some(
        "503 Service Unavailable: the queue system's data is not current\n".to_owned(),
    ));
    *refusal.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    refusal
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    refusal
}

/// Compares secrets without revealing through timing how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn read_hello(ws: &mut Ws) -> Result<Hello, ConnectionError> {
    loop {
        match ws.next().await {
            None | Some(Ok(Message::Close(_))) => return Err(ConnectionError::ClosedBeforeHello),
            Some(Err(e)) => return Err(ConnectionError::Receive(e)),
            Some(Ok(Message::Text(text))) => {
                return decode_hello(text.as_str()).map_err(ConnectionError::BadHello);
            }
            // Pings are answered by tungstenite itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(_)) => return Err(ConnectionError::HelloNotText),
        }
    }
}

async fn close(ws: &mut Ws, code: CloseCode, reason: &str) {
    // A close reason must fit a control frame (123 bytes); cut on a character boundary.
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let frame = CloseFrame {
        code,
        reason: reason[..end].into(),
    };
    let _ = timeout(Duration::from_secs(1), ws.close(Some(frame))).await;
}

async fn send(ws: &mut Ws, frame: &WireFrame, limit: Duration) -> Result<(), ConnectionError> {
    timeout(limit, ws.send(Message::Text(frame.text.clone())))
        .await
        .map_err(|_| ConnectionError::SendTimeout(limit))?
        .map_err(ConnectionError::Send)
}

/// Sends the backlog, then live events and heartbeats, until the display goes away.
async fn stream_events(
    ws: &mut Ws,
    hub: &Hub,
    config: &ServerConfig,
    subscription: Subscription,
) -> Result<(), ConnectionError> {
    let Subscription {
        backlog,
        mut live,
        mut last_seq,
        ..
    } = subscription;
    for frame in &backlog {
        send(ws, frame, config.send_timeout).await?;
    }
    let mut quiet_since = Instant::now();
    loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Err(e)) => return Err(ConnectionError::Receive(e)),
                // After the hello a display has nothing to say; anything else is ignored.
                Some(Ok(_)) => {}
            },
            event = live.recv() => match event {
                Ok(frame) => {
                    // Frames the display already got in its backlog come again on the live
                    // channel only if it joined mid-publish; the hub's lock rules that out, but
                    // a duplicate must never reach a display, so check anyway.
                    if frame.seq > last_seq || frame.snapshot {
                        send(ws, &frame, config.send_timeout).await?;
                        last_seq = frame.seq;
                        quiet_since = Instant::now();
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "display fell behind; sending a fresh snapshot");
                    let fresh = hub.resync();
                    live = fresh.live;
                    for frame in &fresh.backlog {
                        send(ws, frame, config.send_timeout).await?;
                    }
                    last_seq = fresh.last_seq;
                    quiet_since = Instant::now();
                }
                // The hub is gone: the simulator is shutting down.
                Err(broadcast::error::RecvError::Closed) => {
                    close(ws, CloseCode::Away, "simulator shutting down").await;
                    return Ok(());
                }
            },
            _ = tokio::time::sleep_until(quiet_since + config.heartbeat) => {
                if !hub.is_available() {
                    // No heartbeat for data nobody can vouch for: the display goes offline now
                    // rather than after its dead-link timeout, and keeps its last state.
                    close(ws, CloseCode::Again, "queue system unavailable").await;
                    return Ok(());
                }
                send(ws, &hub.heartbeat(last_seq), config.send_timeout).await?;
                quiet_since = Instant::now();
            }
        }
    }
}
