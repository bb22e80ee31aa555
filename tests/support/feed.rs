//! Helpers for the end-to-end feed tests: a display without a window (the real client and the
//! real [`Core`]), hand-written websocket servers, a recording proxy, and log capture.
//!
//! Everything listens on 127.0.0.1 only, and every wait has a limit that fails the test with a
//! message saying what was awaited.

use futures_util::{SinkExt, StreamExt};
use jiff::{SignedDuration, Timestamp};
use std::cell::RefCell;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tablica::app::Core;
use tablica::feed::{self, FeedConfig};
use tablica::protocol::{
    CallInfo, CounterInfo, Envelope, Event, Hello, Office, Snapshot, TicketAtCounter, TicketIssued,
    decode_event, decode_hello,
};
use tablica::scene::{OpeningHours, Status};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// How often the display loop looks for news.
pub const STEP: Duration = Duration::from_millis(5);

/// A runtime for the servers; the display runs on the test's own thread (a `Core` is not `Send`).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Client timings short enough for tests.
pub fn fast_config(url: &str) -> FeedConfig {
    FeedConfig {
        display_id: "test-display".into(),
        backoff_min: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        ping_every: Duration::from_millis(200),
        dead_after: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        ..FeedConfig::new(url)
    }
}

pub fn url(addr: SocketAddr) -> String {
    format!("ws://{addr}/")
}

/// Polls `cond` until it holds; fails the test naming `what` after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(STEP);
    }
}

/// A display without a window: the real client feeding the real core, driven from the test's
/// thread. Call sounds are recorded in `sounds`.
pub struct Display {
    pub core: Core,
    pub sounds: Rc<RefCell<Vec<CallInfo>>>,
    /// Present every queued call after each pump, so every call starts (and sounds) at once; off
    /// for tests that drive the presenter's clock themselves.
    pub present_all: bool,
}

impl Display {
    pub fn connect(config: FeedConfig) -> Display {
        // Open around the clock: what the board shows must not depend on when the test runs.
        let status = Status {
            hours: OpeningHours::always(),
            ..Status::default()
        };
        let mut core = Core::new(None, status);
        let sounds = Rc::new(RefCell::new(Vec::new()));
        let recorder = sounds.clone();
        core.set_sound(Box::new(move |call: &CallInfo| {
            recorder.borrow_mut().push(call.clone())
        }));
        core.set_feed(feed::spawn(config, Arc::new(|| {})));
        Display {
            core,
            sounds,
            present_all: true,
        }
    }

    pub fn pump(&mut self) {
        let now = Timestamp::now();
        self.core.pump(now);
        if self.present_all {
            // The presenter starts at most one call per tick, each after the previous one's
            // minimum time on screen; without that minimum, ticking until nothing starts
            // presents every queued call now.
            let min_display = self.core.board.config.min_display;
            self.core.board.config.min_display = SignedDuration::ZERO;
            while self.core.tick(now) {}
            self.core.board.config.min_display = min_display;
        }
    }

    /// Pumps for `d`.
    pub fn pump_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.pump();
            std::thread::sleep(STEP);
        }
        self.pump();
    }

    /// Pumps until `cond` holds; fails the test naming `what` after `limit`.
    pub fn pump_until(&mut self, limit: Duration, what: &str, mut cond: impl FnMut(&Core) -> bool) {
        let deadline = Instant::now() + limit;
        loop {
            self.pump();
            if cond(&self.core) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {limit:?} waiting for {what}; the display is at seq {:?}, \
                 link {:?}, counters {:?}",
                self.core.board.data.last_seq,
                self.core.status.link,
                self.core.counters,
            );
            std::thread::sleep(STEP);
        }
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.core.board.data.last_seq
    }

    pub fn sounds(&self) -> Vec<CallInfo> {
        self.sounds.borrow().clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Events

/// 30 November 2026, 10:00 in Warsaw.
pub fn t0() -> Timestamp {
    "2026-11-30T10:00:00+01:00".parse().unwrap()
}

pub fn at(seq: u64) -> Timestamp {
    t0() + SignedDuration::from_secs(seq as i64)
}

pub fn snapshot(seq: u64) -> Envelope {
    let services = tablica::scenarios::standard_services();
    let counters = (1..=6)
        .map(|i| CounterInfo {
            id: format!("st{i}"),
            label: i.to_string(),
            open: true,
            services: services.iter().map(|s| s.id.clone()).collect(),
            serving: None,
        })
        .collect();
    Envelope::new(
        seq,
        at(seq),
        Event::Snapshot(Snapshot {
            office: Office {
                id: "pom-test".into(),
                name: "Punkt Obsługi Mieszkańców — test".into(),
            },
            services,
            counters,
            recent_calls: vec![],
            announcements: vec![],
            stream: None,
        }),
    )
}

pub fn called(seq: u64, ticket: &str, counter: &str) -> Envelope {
    Envelope::new(
        seq,
        at(seq),
        Event::TicketCalled(TicketAtCounter {
            ticket: ticket.into(),
            service: "dowody".into(),
            counter: Some(counter.into()),
            reservation: false,
        }),
    )
}

pub fn issued(seq: u64, waiting: u32) -> Envelope {
    Envelope::new(
        seq,
        at(seq),
        Event::TicketIssued(TicketIssued {
            ticket: format!("A{:03}", seq % 1000),
            service: "dowody".into(),
            reservation: false,
            waiting,
        }),
    )
}

pub fn heartbeat(seq: u64) -> Envelope {
    Envelope::new(seq, at(seq), Event::Heartbeat(Default::default()))
}

pub fn text(e: &Envelope) -> Message {
    Message::text(e.to_json())
}

// ---------------------------------------------------------------------------------------------
// Hand-written servers

pub type ServerWs = WebSocketStream<TcpStream>;

/// What a hand server saw.
#[derive(Debug, Default)]
pub struct Seen {
    /// When each TCP connection was accepted.
    pub accepts: Vec<Instant>,
    /// The `Authorization` header of each upgrade.
    pub auth: Vec<Option<String>>,
    /// Each hello, in order.
    pub hellos: Vec<Hello>,
}

#[derive(Clone, Default)]
pub struct Record(Arc<Mutex<Seen>>);

impl Record {
    pub fn get<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.0.lock().unwrap())
    }

    pub fn accepts(&self) -> usize {
        self.get(|s| s.accepts.len())
    }

    /// Each connection's `resume_from`, in the order the hellos came.
    pub fn resumes(&self) -> Vec<Option<u64>> {
        self.hellos().iter().map(|h| h.resume_from).collect()
    }

    pub fn hellos(&self) -> Vec<Hello> {
        self.get(|s| s.hellos.clone())
    }

    /// Upgrades a connection, noting its `Authorization` header.
    pub async fn upgrade(&self, stream: TcpStream) -> Option<ServerWs> {
        let seen = self.0.clone();
        // The error type is tungstenite's callback signature, not ours to shrink.
        #[allow(clippy::result_large_err)]
        let callback = move |req: &Request, resp: Response| {
            let auth = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            seen.lock().unwrap().auth.push(auth);
            Ok(resp)
        };
        tokio_tungstenite::accept_hdr_async(stream, callback)
            .await
            .ok()
    }

    /// Reads and records the display's hello.
    pub async fn hello(&self, ws: &mut ServerWs) -> Option<Hello> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(t) = msg {
                let hello = decode_hello(t.as_str()).ok()?;
                self.0.lock().unwrap().hellos.push(hello.clone());
                return Some(hello);
            }
        }
    }
}

/// A listener on 127.0.0.1 that hands each connection, numbered from 0, to `behave`.
pub struct HandServer {
    pub addr: SocketAddr,
    pub record: Record,
    task: JoinHandle<()>,
}

impl HandServer {
    pub async fn start<F, Fut>(behave: F) -> HandServer
    where
        F: Fn(usize, TcpStream, Record) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let record = Record::default();
        let rec = record.clone();
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            let mut n = 0;
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        rec.0.lock().unwrap().accepts.push(Instant::now());
                        conns.spawn(behave(n, stream, rec.clone()));
                        n += 1;
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        HandServer { addr, record, task }
    }

    /// A server that, on its `n`th connection, takes the hello, sends `script(n)` and then keeps
    /// the connection alive with heartbeats at the last seq it sent, so that only the display's
    /// own decision (a resync, a timeout) ends it.
    pub async fn scripted(
        script: impl Fn(usize) -> Vec<Envelope> + Send + Sync + 'static,
    ) -> HandServer {
        HandServer::start(move |n, stream, record| {
            let frames = script(n);
            async move {
                let Some(mut ws) = record.upgrade(stream).await else {
                    return;
                };
                if record.hello(&mut ws).await.is_none() {
                    return;
                }
                for e in &frames {
                    let _ = ws.send(text(e)).await;
                }
                let last = frames.last().map_or(0, |e| e.seq);
                keep_alive(&mut ws, last, || false).await;
            }
        })
        .await
    }

    pub fn url(&self) -> String {
        url(self.addr)
    }
}

impl Drop for HandServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Keeps a connection alive (answering pings, sending a heartbeat at `seq` every 100 ms) until
/// `stop` returns true (then returns true, leaving the connection open) or the display goes away
/// (false).
pub async fn keep_alive(ws: &mut ServerWs, seq: u64, stop: impl Fn() -> bool) -> bool {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            m = ws.next() => match m {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return false,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => {
                if stop() {
                    return true;
                }
                if ws.send(text(&heartbeat(seq))).await.is_err() {
                    return false;
                }
            }
        }
    }
}

/// A flag the test thread raises for a server task.
#[derive(Clone, Default)]
pub struct Flag(Arc<std::sync::atomic::AtomicBool>);

impl Flag {
    pub fn raise(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_up(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// A recording proxy

/// One display connection as seen by the proxy.
#[derive(Debug, Clone, Default)]
pub struct ProxyConn {
    pub hello: Option<Hello>,
    /// Whether the upstream server could be reached.
    pub upstream: bool,
    /// (seq, type) of every frame the server sent, heartbeats included.
    pub frames: Vec<(u64, String)>,
}

impl ProxyConn {
    pub fn snapshots(&self) -> usize {
        self.frames.iter().filter(|(_, t)| t == "snapshot").count()
    }

    pub fn events(&self) -> Vec<u64> {
        self.frames
            .iter()
            .filter(|(_, t)| t != "heartbeat")
            .map(|(s, _)| *s)
            .collect()
    }
}

/// A websocket proxy on 127.0.0.1 that forwards displays to `upstream` and records what the
/// server told each of them. When the upstream is down it closes the display's connection.
pub struct Proxy {
    pub addr: SocketAddr,
    conns: Arc<Mutex<Vec<ProxyConn>>>,
    task: JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let conns: Arc<Mutex<Vec<ProxyConn>>> = Arc::default();
        let all = conns.clone();
        let task = tokio::spawn(async move {
            let mut tasks = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        tasks.spawn(proxy_one(stream, upstream, all.clone()));
                    }
                    Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                }
            }
        });
        Proxy { addr, conns, task }
    }

    pub fn url(&self) -> String {
        url(self.addr)
    }

    pub fn conns(&self) -> Vec<ProxyConn> {
        self.conns.lock().unwrap().clone()
    }

    /// The connections that reached the server.
    pub fn sessions(&self) -> Vec<ProxyConn> {
        self.conns().into_iter().filter(|c| c.upstream).collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy_one(stream: TcpStream, upstream: SocketAddr, conns: Arc<Mutex<Vec<ProxyConn>>>) {
    let Ok(mut down) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let Some(Ok(Message::Text(hello))) = down.next().await else {
        return;
    };
    let index = {
        let mut c = conns.lock().unwrap();
        c.push(ProxyConn {
            hello: decode_hello(hello.as_str()).ok(),
            ..ProxyConn::default()
        });
        c.len() - 1
    };
    let Ok((mut up, _)) = tokio_tungstenite::connect_async(url(upstream)).await else {
        let _ = down.close(None).await;
        return;
    };
    conns.lock().unwrap()[index].upstream = true;
    if up.send(Message::Text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            m = down.next() => match m {
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    if up.send(m).await.is_err() { break }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            m = up.next() => match m {
                Some(Ok(Message::Text(t))) => {
                    if let Ok(e) = decode_event(t.as_str()) {
                        conns.lock().unwrap()[index]
                            .frames
                            .push((e.seq, e.event.type_name().to_owned()));
                    }
                    if down.send(Message::Text(t)).await.is_err() { break }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = down.close(None).await;
    let _ = up.close(None).await;
}

// ---------------------------------------------------------------------------------------------
// Log capture

/// Everything logged in this test binary (at debug level, `log` records included) once
/// [`captured_logs`] has been called, up to a few MiB.
pub fn captured_logs() -> String {
    let buf = log_buffer();
    String::from_utf8_lossy(&buf.lock().unwrap()).into_owned()
}

/// Installs the capturing subscriber (once per binary); call before starting what should be
/// captured.
pub fn capture_logs() {
    log_buffer();
}

const LOG_CAP: usize = 8 << 20;

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || LogWriter(sink.clone()))
            .try_init()
            .expect("the log capture is the only subscriber of this binary");
        buf
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let mut buf = self.0.lock().unwrap();
        if buf.len() < LOG_CAP {
            buf.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
