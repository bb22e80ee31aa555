//! `tablica bridge` end to end: a local HTTP server plays a recorded sequence of Warsaw's status
//! page, the bridge polls it, and a real display (the feed client and the core, without a
//! window) behind the bridge gets each new number, the waiting counts, and goes offline when the
//! page fails past the grace period, keeping the last numbers.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::feed::{Display, fast_config, runtime};
use support::procs::{Killed, free_port, xvfb};
use tablica::bridge::{Bridge, BridgeConfig, Mapping, SourceKind};
use tablica::scene::{Link, is_stale};

/// What the fake status page answers now.
#[derive(Clone)]
enum Page {
    Body { body: String, etag: Option<String> },
    Status(u16),
    Slow(Duration),
}

/// A status page on loopback: plain `std::net`, one request per connection.
struct StatusPage {
    addr: SocketAddr,
    page: Arc<Mutex<Page>>,
    /// The request heads received, oldest first.
    requests: Arc<Mutex<Vec<String>>>,
}

impl StatusPage {
    fn start(first: Page) -> StatusPage {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let page = Arc::new(Mutex::new(first));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (page.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (p, r) = (p.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).to_lowercase();
                    r.lock().unwrap().push(head.clone());
                    let page = p.lock().unwrap().clone();
                    let answer = match page {
                        Page::Body { body, etag } => {
                            let matches = etag
                                .as_ref()
                                .is_some_and(|e| head.contains(&format!("if-none-match: {e}")));
                            let tag = etag.map_or(String::new(), |e| format!("ETag: {e}\r\n"));
                            if matches {
                                format!(
                                    "HTTP/1.1 304 Not Modified\r\n{tag}Connection: close\r\n\r\n"
                                )
                            } else {
                                format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{tag}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                    body.len()
                                )
                            }
                        }
                        Page::Status(code) => format!(
                            "HTTP/1.1 {code} Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        ),
                        Page::Slow(d) => {
                            std::thread::sleep(d);
                            return;
                        }
                    };
                    let _ = stream.write_all(answer.as_bytes());
                });
            }
        });
        StatusPage {
            addr,
            page,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/api/action/wsstore_get/?id=test", self.addr)
    }

    fn serve(&self, page: Page) {
        *self.page.lock().unwrap() = page;
    }
}

fn recording(name: &str) -> String {
    let path = format!("{}/tests/data/bridge/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn body(name: &str) -> Page {
    Page::Body {
        body: recording(name),
        etag: None,
    }
}

const LIMIT: Duration = Duration::from_secs(20);

fn fast(url: &str, source: SourceKind) -> BridgeConfig {
    let mut config = BridgeConfig::new(url, source);
    config.interval = Duration::from_millis(100);
    config.timeout = Duration::from_millis(400);
    config.grace = Duration::from_millis(800);
    config.heartbeat = Duration::from_millis(300);
    config.health = Some("127.0.0.1:0".parse().unwrap());
    config.office.name = "Urząd Dzielnicy Bielany".into();
    config
}

fn waiting(display: &Display, service: &str) -> Option<u32> {
    display.core.board.data.service(service).map(|s| s.waiting)
}

fn called(display: &Display) -> Vec<String> {
    display.sounds().into_iter().map(|c| c.ticket).collect()
}

#[test]
fn a_display_behind_the_bridge_follows_the_page_and_goes_offline_when_it_fails() {
    let rt = runtime();
    let page = StatusPage::start(body("warsaw-1.json"));
    let bridge = rt
        .block_on(Bridge::start(fast(&page.url(), SourceKind::Warsaw)))
        .unwrap();
    let health = bridge.health_addr().unwrap();
    let mut display = Display::connect(fast_config(&bridge.url()));

    // The first poll: the office's groups, their numbers shown quietly.
    display.pump_until(LIMIT, "the office from the first poll", |core| {
        core.board.data.services.len() == 5
    });
    let data = &display.core.board.data;
    assert_eq!(
        data.office.as_ref().unwrap().name,
        "Urząd Dzielnicy Bielany"
    );
    let a = data.service("g158").unwrap();
    assert_eq!(
        (a.prefix.as_str(), a.waiting, a.est_wait_s),
        ("A", 3, Some(600))
    );
    assert!(
        data.counters.is_empty(),
        "the page names no desks, so the bridge invents none"
    );
    assert!(
        data.recent_calls.iter().all(|c| c.counter.is_none()),
        "{:?}",
        data.recent_calls
    );
    assert!(
        data.recent_calls.iter().any(|c| c.ticket == "A12"),
        "{:?}",
        data.recent_calls
    );
    assert!(called(&display).is_empty(), "a snapshot never chimes");

    // New numbers: each one is a call (with its chime), and the queues follow the page.
    page.serve(body("warsaw-2.json"));
    display.pump_until(LIMIT, "A13 and P43 called", |core| {
        core.board
            .data
            .service("g168")
            .is_some_and(|s| s.waiting == 5)
    });
    display.pump_for(Duration::from_millis(100));
    assert_eq!(called(&display), ["A13", "P43"]);
    assert_eq!(waiting(&display, "g158"), Some(2));
    assert_eq!(waiting(&display, "g190"), Some(6));

    page.serve(body("warsaw-3.json"));
    display.pump_until(LIMIT, "H1 called", |core| {
        core.board
            .data
            .service("g165")
            .is_some_and(|s| s.open_counters > 0)
            && core
                .board
                .data
                .service("g190")
                .is_some_and(|s| s.waiting == 5)
    });
    display.pump_for(Duration::from_millis(100));
    assert_eq!(called(&display), ["A13", "P43", "P44", "H1"]);
    assert_eq!(
        display.core.board.data.service("g190").unwrap().est_wait_s,
        Some(300)
    );

    // A group appears: a fresh snapshot, the calls so far kept.
    page.serve(Page::Body {
        body: recording("warsaw-4.json"),
        etag: Some("\"w4\"".into()),
    });
    display.pump_until(LIMIT, "group R", |core| core.board.data.services.len() == 6);
    let recent: Vec<&str> = display
        .core
        .board
        .data
        .recent_calls
        .iter()
        .map(|c| c.ticket.as_str())
        .collect();
    assert_eq!(recent[..4], ["H1", "P44", "P43", "A13"]);

    // Conditional requests: the page's ETag comes back, and a 304 changes nothing.
    support::feed::wait_until(LIMIT, "a conditional request", || {
        page.requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.contains("if-none-match: \"w4\""))
    });
    support::feed::wait_until(LIMIT, "a 304 counted", || bridge.status().not_modified > 0);
    let status = support::http::get_json(health, "/health");
    assert_eq!(status["serving"], true);
    assert_eq!(status["groups"], 6);

    // The page fails in every way it can: the bridge keeps its last state; past the grace
    // period the display shows that its data is not current, over the last numbers.
    let seq_before = bridge.status().last_seq;
    for failure in [
        Page::Status(500),
        Page::Body {
            body: recording("warsaw-refused.json"),
            etag: None,
        },
        Page::Body {
            body: "<html>502 Bad Gateway</html>".into(),
            etag: None,
        },
        Page::Slow(Duration::from_secs(2)),
    ] {
        page.serve(failure);
        display.pump_for(Duration::from_millis(600));
    }
    display.pump_until(LIMIT, "the offline banner", |core| {
        core.status.link == Link::Connecting
            && is_stale(&core.board, &core.status, jiff::Timestamp::now())
    });
    assert_eq!(display.core.board.data.services.len(), 6, "last state kept");
    assert_eq!(display.core.board.data.recent_calls[0].ticket, "H1");
    let status = bridge.status();
    assert!(!status.serving);
    assert_eq!(
        status.last_seq, seq_before,
        "nothing published from failures"
    );
    for kind in ["http_status", "refused", "invalid_json", "timeout"] {
        assert!(
            status.failures.get(kind).copied().unwrap_or(0) > 0,
            "{kind} counted: {:?}",
            status.failures
        );
    }
    let (code, text) = support::http::get(health, "/health").unwrap();
    assert_eq!(code, 503, "{}", String::from_utf8_lossy(&text));
    // It stays offline: the bridge refuses displays while it has nothing current.
    display.pump_for(Duration::from_millis(1500));
    assert_eq!(display.core.status.link, Link::Connecting);

    // The page is back: the display reconnects and carries on.
    page.serve(body("warsaw-4.json"));
    display.pump_until(LIMIT, "back online", |core| {
        core.status.link == Link::Connected
            && !is_stale(&core.board, &core.status, jiff::Timestamp::now())
    });
    assert!(bridge.status().serving);
    rt.block_on(bridge.shutdown());
}

#[test]
fn the_warsaw_mapping_feeds_a_display_as_the_built_in_parser_does() {
    let rt = runtime();
    let page = StatusPage::start(body("warsaw-1.json"));
    let map = format!("{}/examples/bridge/warsaw.toml", env!("CARGO_MANIFEST_DIR"));
    let mapping = Mapping::load(std::path::Path::new(&map)).unwrap();
    let built_in = rt
        .block_on(Bridge::start(fast(&page.url(), SourceKind::Warsaw)))
        .unwrap();
    let mapped = rt
        .block_on(Bridge::start(fast(
            &page.url(),
            SourceKind::Json(Box::new(mapping)),
        )))
        .unwrap();
    let mut a = Display::connect(fast_config(&built_in.url()));
    let mut b = Display::connect(fast_config(&mapped.url()));
    for (step, name) in ["warsaw-1.json", "warsaw-2.json", "warsaw-3.json"]
        .iter()
        .enumerate()
    {
        page.serve(body(name));
        for d in [&mut a, &mut b] {
            d.pump_until(LIMIT, name, |core| match step {
                0 => core.board.data.services.len() == 5,
                1 => core
                    .board
                    .data
                    .service("g168")
                    .is_some_and(|s| s.waiting == 5),
                _ => core
                    .board
                    .data
                    .service("g165")
                    .is_some_and(|s| s.open_counters > 0),
            });
        }
    }
    a.pump_for(Duration::from_millis(200));
    b.pump_for(Duration::from_millis(200));
    let strip = |d: &Display| {
        let mut data = d.core.board.data.clone();
        data.stream = None;
        data.last_seq = None;
        for c in data.recent_calls.iter_mut() {
            c.time = jiff::Timestamp::UNIX_EPOCH;
        }
        data
    };
    assert_eq!(strip(&a), strip(&b));
    assert_eq!(called(&a), called(&b));
    assert_eq!(called(&a), ["A13", "P43", "P44", "H1"]);
}

/// What Tesseract reads on a screenshot (saved under the target dir as `name`.png for people).
fn ocr(png: &[u8], name: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bridge");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    // Sparse text (psm 11) reads the short lines of a board best, automatic layout (psm 3)
    // the rows of the queue panel: a needle may be in either reading.
    ["11", "3"]
        .iter()
        .map(|psm| {
            let out = Command::new("tesseract")
                .arg(&path)
                .arg("stdout")
                .args(["-l", "pol", "--psm", psm])
                .output()
                .expect("tesseract runs (apt-get install tesseract-ocr tesseract-ocr-pol)");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Screenshots the board until Tesseract reads every needle; fails with the last reading.
fn board_reads(health: SocketAddr, name: &str, needles: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The identify card shown for the minutes after a start covers the queue column: the
        // technician's way to be done with it (asked each time: the board may not listen yet).
        let _ = support::http::request(health, "DELETE", "/identify", None);
        let text = match support::http::get(health, "/screenshot.png") {
            Some((200, png)) => {
                // The earlier calls' cards, read on their own as well: Tesseract misses big
                // short tickets, light on dark, on a busy whole screen.
                let image = image::load_from_memory(&png).unwrap();
                let (w, h) = (image.width(), image.height());
                // Dark text on light reads far better: grey, then inverted.
                let mut calls = image
                    .crop_imm(0, h * 62 / 100, w * 58 / 100, h * 30 / 100)
                    .grayscale();
                calls.invert();
                let mut cropped = Vec::new();
                calls
                    .write_to(
                        &mut std::io::Cursor::new(&mut cropped),
                        image::ImageFormat::Png,
                    )
                    .unwrap();
                ocr(&png, name) + "\n" + &ocr(&cropped, &format!("{name}-calls"))
            }
            _ => String::new(),
        };
        // Tesseract sometimes runs the words of a banner together: compare without spaces.
        let squeezed = |t: &str| t.split_whitespace().collect::<String>();
        if needles
            .iter()
            .all(|n| squeezed(&text).contains(&squeezed(n)))
        {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "the board did not read {needles:?} within 60 s; last reading:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(700));
    }
}

/// Done means: `tablica bridge --source warsaw --url http://127.0.0.1:PORT/...` against a
/// replayed recording feeds a `tablica run` display that shows the office's queues and calls.
#[test]
fn the_real_bridge_feeds_the_real_board() {
    let page = StatusPage::start(body("warsaw-1.json"));
    // The board and the bridge share a token, as they do when the bridge listens on the LAN.
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "bridge-token-1234\n").unwrap();
    let mut bridge = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["bridge", "--source", "warsaw", "--url", &page.url()])
        .arg("--token-file")
        .arg(&token)
        .args(["--listen", "127.0.0.1:0", "--interval", "1", "--grace", "2"])
        .args(["--office-name", "Urząd Dzielnicy Bielany"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(bridge.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let _bridge = Killed(bridge);
    assert!(
        url.starts_with("ws://127.0.0.1:"),
        "the bridge said {url:?}"
    );

    let (_x, display) = xvfb(1920, 1080);
    let config = dir.path().join("tablica.toml");
    std::fs::write(&config, "").unwrap();
    let health = free_port();
    let board = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["run", "--always-open", "--mute", "--config"])
        .arg(&config)
        .args(["--server", url.trim(), "--health", &health.to_string()])
        .args(["--display-id", "bridge-test"])
        .arg("--token-file")
        .arg(&token)
        .env("DISPLAY", &display)
        .env("ALSA_CARD", "NoSuchCard")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("XDG_RUNTIME_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _board = Killed(board);

    // The office as the page has it: its name, the numbers called, the queues (the identify
    // card of the first minutes is taken away by `board_reads`).
    board_reads(
        health,
        "first-poll",
        &["Bielany", "P41", "ODPADY KOMUNALNE", "3 osoby", "7 osób"],
    );
    // A display without the token is turned away.
    let addr = url.trim().trim_start_matches("ws://").trim_end_matches('/');
    let mut ws = std::net::TcpStream::connect(addr).unwrap();
    ws.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    ws.write_all(
        b"GET / HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .unwrap();
    let mut answer = [0u8; 12];
    ws.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 401");
    // New numbers on the page are calls on the board (A13, then P43 on the card, A13 first of
    // the earlier calls); the queue counts follow.
    page.serve(body("warsaw-2.json"));
    // The page names no desk: the card invites the number instead of pointing to a counter.
    board_reads(
        health,
        "new-numbers",
        &["A13", "6 osób", "5 osób", "Zapraszamy"],
    );
    // The page fails: past the grace period the board says its data is not current, over the
    // last numbers.
    page.serve(Page::Status(503));
    board_reads(health, "page-down", &["Brak połączenia", "A13"]);
    // And back: P44 and H1 are called, P44 goes to the earlier calls after its turn.
    page.serve(body("warsaw-3.json"));
    let text = board_reads(health, "page-back", &["P44"]);
    let squeezed: String = text.split_whitespace().collect();
    assert!(!squeezed.contains("Brakpołączenia"), "{text}");
}
