//! Polling the boards and serving the page.
//!
//! Each board is polled every [`Options::interval`], the boards' start times spread over the
//! interval so that polls do not come in bursts, at most [`Options::concurrency`] at once, each
//! request within a timeout. What a poll brings replaces what the last one brought: one /health
//! and one screenshot per board are all that is kept.
//!
//! The page's server is as small as the boards' own (src/health/http.rs): one GET per
//! connection, a bounded request, a deadline on each connection, a fixed number of connections
//! at once (more are closed at once: the page is for a few people, not the public).

use super::client::{self, MAX_HEALTH, MAX_SCREENSHOT};
use super::list::{Display, FleetList};
use super::page;
use super::state::{Health, Observed, Shot};
use jiff::Timestamp;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Connections to the page served at once.
const MAX_CONNECTIONS: usize = 64;
/// A request line and headers, at most.
const MAX_REQUEST: usize = 8 * 1024;
/// A browser sends its request at once; a connection that has not within this time is closed,
/// so that idle connections cannot hold the slots for long.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Everything about one connection to the page ends by then.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(20);

/// How the fleet is polled.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time between two polls of one board.
    pub interval: Duration,
    /// Boards polled at once.
    pub concurrency: usize,
    /// For /health; a screenshot gets three times as long (it is drawn, encoded and sent).
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            interval: Duration::from_secs(10),
            concurrency: 8,
            timeout: Duration::from_secs(5),
        }
    }
}

/// What is known of the fleet, shared by the pollers and the page.
struct Fleet {
    displays: Vec<Display>,
    seen: Mutex<Vec<Observed>>,
    /// Pages served so far.
    pages: std::sync::atomic::AtomicU64,
}

impl Fleet {
    fn new(list: FleetList) -> Fleet {
        let seen = vec![Observed::default(); list.displays.len()];
        Fleet {
            displays: list.displays,
            seen: Mutex::new(seen),
            pages: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Vec<Observed>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Polls board `i` once and records what it said; its screenshot too when `shot` (the
    /// table of `--once` has no use for one, and the board need not draw it).
    async fn poll(&self, i: usize, options: &Options, shot: bool) {
        let d = &self.displays[i];
        let token = match d.token.as_ref().map(|t| t.get()).transpose() {
            Ok(t) => t,
            Err(e) => {
                self.record(i, Err(format!("no token to send: {e}")), None);
                return;
            }
        };
        let token = token.as_deref();
        let health = client::get(&d.address, "/health", token, MAX_HEALTH, options.timeout)
            .await
            .map_err(|e| e.to_string())
            .and_then(|body| {
                Health::from_json(&body)
                    .ok_or_else(|| "answers, but not with a board's /health".to_owned())
            });
        let shot = match &health {
            Ok(_) if shot => Some(
                client::get(
                    &d.address,
                    "/screenshot.png",
                    token,
                    MAX_SCREENSHOT,
                    options.timeout * 3,
                )
                .await
                .map_err(|e| format!("screenshot: {e}"))
                .and_then(|png| {
                    png.starts_with(b"\x89PNG\r\n\x1a\n")
                        .then_some(png)
                        .ok_or_else(|| "screenshot: not a PNG".to_owned())
                }),
            ),
            _ => None,
        };
        self.record(i, health, shot);
    }

    fn record(
        &self,
        i: usize,
        health: Result<Health, String>,
        shot: Option<Result<Vec<u8>, String>>,
    ) {
        let now = Timestamp::now();
        let mut seen = self.seen();
        let s = &mut seen[i];
        s.polled_at = Some(now);
        if health.is_ok() {
            s.last_seen = Some(now);
        }
        s.health = Some(health);
        match shot {
            Some(Ok(png)) => {
                let seq = s.shot.as_ref().map_or(1, |old| old.seq + 1);
                // The old picture is dropped here: one per board.
                s.shot = Some(Shot {
                    png: Arc::new(png),
                    at: now,
                    seq,
                });
                s.shot_error = None;
            }
            Some(Err(e)) => s.shot_error = Some(e),
            None => {}
        }
    }
}

/// Polls every board once (at most `concurrency` at once) and returns the table and whether any
/// board needs someone (unreachable, or disconnected during its opening hours).
pub async fn once(list: FleetList, options: &Options) -> (String, bool) {
    let fleet = Arc::new(Fleet::new(list));
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..fleet.displays.len() {
        let (fleet, permits, options) = (fleet.clone(), permits.clone(), options.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            fleet.poll(i, &options, false).await;
        });
    }
    while tasks.join_next().await.is_some() {}
    let now = Timestamp::now();
    let seen = fleet.seen().clone();
    let rows = super::state::order(&fleet.displays, &seen, now);
    let fails = rows.iter().any(|(_, v)| v.fails);
    (page::table(&fleet.displays, &seen, now), fails)
}

/// Polls the boards forever and serves the page on `listener`.
pub async fn run(list: FleetList, listener: TcpListener, options: Options) {
    let fleet = Arc::new(Fleet::new(list));
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let n = fleet.displays.len().max(1) as u32;
    for i in 0..fleet.displays.len() {
        let (fleet, permits, options) = (fleet.clone(), permits.clone(), options.clone());
        tokio::spawn(async move {
            // Spread the boards over the interval; the first round of all starts within it.
            tokio::time::sleep(options.interval.min(Duration::from_secs(2)) * i as u32 / n).await;
            let mut ticks = tokio::time::interval(options.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Ok(_permit) = permits.acquire().await else {
                    return;
                };
                fleet.poll(i, &options, true).await;
            }
        });
    }
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("fleet view: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        // Over the limit the connection is closed at once: dropping it.
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            continue;
        };
        let fleet = fleet.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(CONNECTION_DEADLINE, serve_one(stream, &fleet)).await;
            drop(permit);
        });
    }
}

/// Binds `addr`; the address actually bound (port 0 picks one).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let l = TcpListener::bind(addr).await?;
    let local = l.local_addr()?;
    Ok((l, local))
}

struct Answer {
    status: &'static str,
    content_type: &'static str,
    cache: &'static str,
    body: Arc<Vec<u8>>,
}

impl Answer {
    fn new(status: &'static str, content_type: &'static str, body: Vec<u8>) -> Answer {
        Answer {
            status,
            content_type,
            cache: "no-store",
            body: Arc::new(body),
        }
    }
}

async fn serve_one(mut stream: TcpStream, fleet: &Fleet) {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head = loop {
        let n = match tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) | Err(_) => return,
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break String::from_utf8_lossy(&buf[..end]).into_owned();
        }
        if buf.len() > MAX_REQUEST {
            return;
        }
    };
    let mut parts = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or(target);
    let answer = if method != "GET" && method != "HEAD" {
        Answer::new(
            "405 Method Not Allowed",
            "text/plain",
            b"only GET\n".to_vec(),
        )
    } else {
        route(path, fleet)
    };
    let head_line = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: {}\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.content_type,
        answer.body.len(),
        answer.cache
    );
    let _ = stream.write_all(head_line.as_bytes()).await;
    if method != "HEAD" {
        let _ = stream.write_all(&answer.body).await;
    }
    let _ = stream.shutdown().await;
}

fn route(path: &str, fleet: &Fleet) -> Answer {
    let now = Timestamp::now();
    match path {
        "/" | "/index.html" => {
            let seen = fleet.seen().clone();
            let serial = 1 + fleet
                .pages
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let html = page::html(&fleet.displays, &seen, now, serial);
            Answer::new("200 OK", "text/html; charset=utf-8", html.into_bytes())
        }
        "/fleet.json" => {
            let seen = fleet.seen().clone();
            let json = page::json(&fleet.displays, &seen, now);
            Answer::new(
                "200 OK",
                "application/json",
                serde_json::to_vec_pretty(&json).unwrap_or_default(),
            )
        }
        _ => {
            let shot = path
                .strip_prefix("/shot/")
                .and_then(|p| p.strip_suffix(".png"))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| fleet.seen().get(i).and_then(|s| s.shot.clone()));
            match shot {
                Some(s) => Answer {
                    status: "200 OK",
                    content_type: "image/png",
                    // The page's URL changes with each new picture: this one never changes.
                    cache: "private, max-age=3600",
                    body: s.png,
                },
                None => Answer::new("404 Not Found", "text/plain", b"not found\n".to_vec()),
            }
        }
    }
}
