//! Just enough HTTP/1.1 for three read-only paths, written by hand so that every limit is ours:
//! one request per connection, bounded header size, a deadline on each connection, and room for
//! a new client whenever the slots are held by clients that have not said what they want.
//!
//! # Who may read it
//!
//! On a loopback address (the default, 127.0.0.1:9471) the endpoint is open: only someone logged
//! in on the board, or coming through an SSH tunnel, can reach it. On any other address (so that
//! the fleet view, `tablica fleet`, can poll it over the office network) every request must carry
//! `Authorization: Bearer <token>` with the token in `health_token_file`; one without it, or with
//! a wrong one, gets `401 Unauthorized` and nothing else. Without a token file the endpoint does
//! not listen on such an address at all ([`Access::for_address`]). The file is read again for each
//! request, so a rotated token applies at once, and a file that cannot be read refuses everyone.
//!
//! The token is read-only in effect: what it opens is exactly what loopback shows, and nothing
//! here changes the board. That is: the display id, version and commit, uptime, whether and how
//! the board is connected (never the server's token or the token file's contents), counters,
//! frame times, screen size, audio state, config and layout errors as text (file paths included),
//! and the picture on the screen (/screenshot.png), which shows what the waiting room shows.

use super::{Shared, prometheus};
use crate::feed::read_token_file;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Request line and headers, at most (no request here has a body).
pub const MAX_REQUEST: usize = 8 * 1024;
/// A client must have sent its whole request within this time.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Writing an answer (a screenshot is a few hundred kB) must finish within this time.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the UI thread has to hand over a frame.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(10);
/// Everything about one connection (reading, waiting for a screenshot, writing) ends by then: a
/// client reading its answer a byte at a time holds its slot no longer.
pub const CONNECTION_DEADLINE: Duration = Duration::from_secs(20);
/// A screenshot younger than this is sent again instead of drawing a new one.
pub const SCREENSHOT_REUSE: Duration = Duration::from_secs(1);
/// Connections served at once. When all are taken, a new one displaces the connection that has
/// waited longest for its request; when all are busy answering, it waits in the kernel's
/// backlog, at most [`CONNECTION_DEADLINE`].
pub const MAX_CONNECTIONS: usize = 16;

/// The connections being served, and those among them still waiting for their request.
struct Slots {
    state: Mutex<SlotState>,
    /// A connection ended: a slot may be free.
    freed: Notify,
}

#[derive(Default)]
struct SlotState {
    active: usize,
    next_id: u64,
    /// Oldest first: (id, how to tell it to give way).
    reading: VecDeque<(u64, Arc<Notify>)>,
}

/// One admitted connection; its slot is given back when it is dropped.
struct Slot {
    slots: Arc<Slots>,
    id: u64,
    evicted: Arc<Notify>,
}

impl Slots {
    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection, if one is free or can be taken from a connection that has
    /// not sent its request yet (which is told to give way and ends at once).
    fn try_admit(self: &Arc<Self>) -> Option<Slot> {
        let mut s = self.lock();
        // Displaced connections end as soon as they are next polled; until then they still
        // count, and a burst of new ones may not push the total past twice the limit.
        if s.active >= 2 * MAX_CONNECTIONS {
            return None;
        }
        if s.active >= MAX_CONNECTIONS {
            let (_, evicted) = s.reading.pop_front()?;
            // `notify_one` keeps the signal if the connection is not waiting on it yet.
            evicted.notify_one();
        }
        s.active += 1;
        s.next_id += 1;
        let id = s.next_id;
        let evicted = Arc::new(Notify::new());
        s.reading.push_back((id, evicted.clone()));
        Some(Slot {
            slots: self.clone(),
            id,
            evicted,
        })
    }

    async fn admit(self: &Arc<Self>) -> Slot {
        loop {
            if let Some(slot) = self.try_admit() {
                return slot;
            }
            self.freed.notified().await;
        }
    }
}

impl Slot {
    /// The request has been read: from now on the connection is being answered and keeps its
    /// slot until it ends.
    fn read_done(&self) {
        self.slots.lock().reading.retain(|(id, _)| *id != self.id);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        {
            let mut s = self.slots.lock();
            s.reading.retain(|(id, _)| *id != self.id);
            s.active -= 1;
        }
        self.slots.freed.notify_one();
    }
}

/// Who may read the endpoint (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Anyone who can connect: the address is loopback.
    Open,
    /// Requests must carry the bearer token held in this file.
    Token(PathBuf),
}

/// Why the endpoint will not listen where it was asked to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "health = \"{0}\" is reachable from the network: set health_token_file to a file holding \
     the token that the fleet view sends, or keep health on 127.0.0.1"
)]
pub struct NeedsToken(pub SocketAddr);

impl Access {
    /// Open on loopback; elsewhere only with a token file, and not at all without one.
    pub fn for_address(
        addr: SocketAddr,
        token_file: Option<PathBuf>,
    ) -> Result<Access, NeedsToken> {
        if addr.ip().is_loopback() {
            return Ok(Access::Open);
        }
        match token_file {
            Some(path) => Ok(Access::Token(path)),
            None => Err(NeedsToken(addr)),
        }
    }

    /// Whether a request with these headers may be answered. The token file is read for each
    /// request (a few bytes, a local file) so that rotating it needs no restart.
    fn allows(&self, head: &str) -> bool {
        let Access::Token(path) = self else {
            return true;
        };
        let Some(given) = bearer(head) else {
            return false;
        };
        match read_token_file(path) {
            Ok(token) => same(given.as_bytes(), token.as_bytes()),
            Err(e) => {
                tracing::warn!("health endpoint: refusing requests: {e}");
                false
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
fn bearer(head: &str) -> Option<&str> {
    head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("authorization") {
            return None;
        }
        let value = value.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    })
}

/// Compares without stopping at the first difference, so that answer times do not tell how much
/// of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accepts connections forever.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>, access: Access) {
    let access = Arc::new(access);
    let slots = Arc::new(Slots {
        state: Mutex::new(SlotState::default()),
        freed: Notify::new(),
    });
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!("health endpoint: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let slot = slots.admit().await;
        let shared = shared.clone();
        let access = access.clone();
        tokio::spawn(async move {
            // The deadline covers the whole connection; when it passes the connection is simply
            // dropped, which closes it.
            let _ =
                tokio::time::timeout(CONNECTION_DEADLINE, handle(stream, &shared, &access, &slot))
                    .await;
            drop(slot);
        });
    }
}

/// An answer.
#[derive(Clone)]
pub(super) struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Arc<Vec<u8>>,
}

/// A screenshot answer kept for reuse (the PNG, or why there is none).
pub(super) type Cached = Response;

impl Response {
    fn text(status: &'static str, body: &str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Arc::new(body.as_bytes().to_vec()),
        }
    }
}

async fn handle(mut stream: TcpStream, shared: &Shared, access: &Access, slot: &Slot) {
    let read = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream));
    let request = tokio::select! {
        // Displaced by a newer client while still silent.
        () = slot.evicted.notified() => return,
        read = read => match read {
            Ok(Ok(head)) => head,
            Ok(Err(Some(response))) => {
                slot.read_done();
                let _ = write(&mut stream, response, false).await;
                return;
            }
            // A client that said nothing or went away gets nothing.
            Ok(Err(None)) | Err(_) => return,
        },
    };
    slot.read_done();
    let (method, path) = match parse_request_line(&request) {
        Some(m) => m,
        None => {
            let _ = write(
                &mut stream,
                Response::text("400 Bad Request", "bad request\n"),
                false,
            )
            .await;
            return;
        }
    };
    let head_only = method == "HEAD";
    let response = if !access.allows(&request) {
        Response::text(
            "401 Unauthorized",
            "this endpoint needs Authorization: Bearer <token> (health_token_file)\n",
        )
    } else if method == "POST" && path == "/identify" {
        // The one request that changes anything, and only the picture for a minute: the
        // identify overlay, so that a technician can tell which physical screen this is.
        shared.identify(IDENTIFY_FOR);
        Response::text("200 OK", "the identify overlay is shown for 60 s\n")
    } else if method == "DELETE" && path == "/identify" {
        // The technician has seen which screen this is: the board without the card at once,
        // rather than for the rest of the minutes after a start.
        shared.dismiss_identify();
        Response::text("200 OK", "the identify overlay is hidden\n")
    } else if method != "GET" && method != "HEAD" {
        Response::text(
            "405 Method Not Allowed",
            "only GET (and POST or DELETE /identify)\n",
        )
    } else {
        route(path, shared).await
    };
    let _ = write(&mut stream, response, head_only).await;
}

/// Reads up to the blank line ending the headers. `Err(Some(_))` is an answer to send (the
/// request is too large), `Err(None)` a connection to drop.
async fn read_head(stream: &mut TcpStream) -> Result<String, Option<Response>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| None)?;
        if n == 0 {
            return Err(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n").or_else(|| find(&buf, b"\n\n")) {
            buf.truncate(end);
            return String::from_utf8(buf)
                .map_err(|_| Some(Response::text("400 Bad Request", "bad request\n")));
        }
        if buf.len() > MAX_REQUEST {
            return Err(Some(Response::text(
                "431 Request Header Fields Too Large",
                "request too large\n",
            )));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How long `POST /identify` shows the identify overlay.
pub const IDENTIFY_FOR: Duration = Duration::from_secs(60);

/// `GET /path HTTP/1.1` → ("GET", "/path"), the query string dropped.
fn parse_request_line(head: &str) -> Option<(&str, &str)> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let path = target.split('?').next().unwrap_or(target);
    Some((method, path))
}

async fn route(path: &str, shared: &Shared) -> Response {
    match path {
        "/health" => {
            let body = serde_json::to_vec_pretty(&shared.snapshot()).unwrap_or_default();
            Response {
                status: "200 OK",
                content_type: "application/json",
                body: Arc::new(body),
            }
        }
        "/metrics" => Response {
            status: "200 OK",
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: Arc::new(prometheus(&shared.snapshot()).into_bytes()),
        },
        "/screenshot.png" => screenshot(shared).await,
        _ => Response::text(
            "404 Not Found",
            "not found; try /health, /metrics or /screenshot.png\n",
        ),
    }
}

/// The frame on screen as a PNG: the last one if it is younger than [`SCREENSHOT_REUSE`], else
/// a new one. Requests are served one at a time, so those that come while a frame is being drawn
/// get that frame.
async fn screenshot(shared: &Shared) -> Response {
    let mut last = shared.last_screenshot.lock().await;
    if let Some((at, cached)) = last.as_ref()
        && at.elapsed() < SCREENSHOT_REUSE
    {
        return cached.clone();
    }
    let asked = Instant::now();
    let response = fresh_screenshot(shared).await;
    // Failures are kept too: a board that cannot draw one is not asked again at once.
    *last = Some((asked, response.clone()));
    response
}

async fn fresh_screenshot(shared: &Shared) -> Response {
    let Some(reply) = shared.request_screenshot() else {
        return Response::text("503 Service Unavailable", "busy; try again\n");
    };
    let image = match tokio::time::timeout(SCREENSHOT_TIMEOUT, reply).await {
        Ok(Ok(Ok(image))) => image,
        Ok(Ok(Err(e))) => return Response::text("500 Internal Server Error", &format!("{e}\n")),
        Ok(Err(_)) => return Response::text("503 Service Unavailable", "no frame to show\n"),
        Err(_) => {
            return Response::text(
                "504 Gateway Timeout",
                "the display did not answer in time\n",
            );
        }
    };
    // Encoding takes tens of milliseconds for a full-HD frame: off the async thread.
    let png = tokio::task::spawn_blocking(move || {
        let mut out = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .map(|()| out.into_inner())
    })
    .await;
    match png {
        Ok(Ok(body)) => Response {
            status: "200 OK",
            content_type: "image/png",
            body: Arc::new(body),
        },
        Ok(Err(e)) => Response::text("500 Internal Server Error", &format!("{e}\n")),
        Err(e) => Response::text("500 Internal Server Error", &format!("{e}\n")),
    }
}

async fn write(stream: &mut TcpStream, r: Response, head_only: bool) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         Connection: close\r\n\r\n",
        r.status,
        r.content_type,
        r.body.len()
    );
    let send = async {
        stream.write_all(head.as_bytes()).await?;
        if !head_only {
            stream.write_all(&r.body).await?;
        }
        stream.shutdown().await
    };
    tokio::time::timeout(WRITE_TIMEOUT, send)
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            parse_request_line("GET /health?x=1 HTTP/1.1\r\nHost: a"),
            Some(("GET", "/health"))
        );
        assert_eq!(parse_request_line("GET /health"), None);
        assert_eq!(parse_request_line("GET / HTTP/2 x"), None);
        assert_eq!(parse_request_line(""), None);
    }

    #[test]
    fn bearer_headers() {
        assert_eq!(
            bearer("GET / HTTP/1.1\r\nHost: a\r\nauthorization:  Bearer abc \r\n"),
            Some("abc")
        );
        assert_eq!(bearer("GET / HTTP/1.1\r\nAuthorization: Basic abc"), None);
        assert_eq!(bearer("GET / HTTP/1.1\r\nAuthorization: Bearer "), None);
        // The request line is not a header, whatever it says.
        assert_eq!(bearer("Authorization: Bearer x\r\nHost: a"), None);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }

    #[test]
    fn only_loopback_is_open_without_a_token() {
        let lo: SocketAddr = "127.0.0.1:9471".parse().unwrap();
        let lan: SocketAddr = "0.0.0.0:9471".parse().unwrap();
        assert_eq!(Access::for_address(lo, None), Ok(Access::Open));
        assert_eq!(
            Access::for_address("[::1]:9471".parse().unwrap(), Some("/t".into())),
            Ok(Access::Open)
        );
        assert_eq!(Access::for_address(lan, None), Err(NeedsToken(lan)));
        assert!(
            NeedsToken(lan)
                .to_string()
                .contains("set health_token_file")
        );
        assert_eq!(
            Access::for_address(lan, Some("/t".into())),
            Ok(Access::Token("/t".into()))
        );
    }
}
