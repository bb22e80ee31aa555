use super::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn server() -> (
    Arc<Shared>,
    Receiver<ScreenshotRequest>,
    std::net::SocketAddr,
) {
    let (shared, rx) = Shared::new(HealthReport {
        version: VERSION,
        git_commit: GIT_COMMIT,
        display_id: "test".into(),
        connected: true,
        link: "connected",
        last_seq: Some(42),
        last_event_age_s: Some(1.5),
        ..HealthReport::default()
    });
    let addr = start("127.0.0.1:0".parse().unwrap(), shared.clone(), None).unwrap();
    (shared, rx, addr)
}

/// Sends `request` raw and returns (status line, body).
fn raw(addr: std::net::SocketAddr, request: &[u8]) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&out[..end]).to_string();
    let status = head.lines().next().unwrap_or("").to_owned();
    (status, out[end + 4..].to_vec())
}

fn get(addr: std::net::SocketAddr, path: &str) -> (String, Vec<u8>) {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    )
}

#[test]
fn health_json_and_metrics() {
    let (_shared, _rx, addr) = server();
    let (status, body) = get(addr, "/health");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["connected"], true);
    assert_eq!(v["last_seq"], 42);
    assert_eq!(v["display_id"], "test");
    assert!(v["last_event_age_s"].as_f64().unwrap() >= 1.5);
    assert!(v["uptime_s"].as_f64().is_some());
    let (status, body) = get(addr, "/metrics");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("\ntablica_last_seq 42\n"), "{text}");
    assert!(
        text.contains("# TYPE tablica_connected gauge\ntablica_connected 1\n"),
        "{text}"
    );
}

#[test]
fn unknown_paths_methods_and_garbage() {
    let (_shared, _rx, addr) = server();
    assert_eq!(get(addr, "/").0, "HTTP/1.1 404 Not Found");
    assert_eq!(
        get(addr, "/../etc/tablica/token").0,
        "HTTP/1.1 404 Not Found"
    );
    let (status, _) = raw(addr, b"POST /health HTTP/1.1\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert_eq!(
        raw(addr, b"\x00\x01\x02 nonsense\r\n\r\n").0,
        "HTTP/1.1 400 Bad Request"
    );
    let (status, body) = raw(addr, b"HEAD /health HTTP/1.1\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.is_empty());
}

#[test]
fn oversized_requests_are_refused() {
    let (_shared, _rx, addr) = server();
    let mut request = b"GET /health HTTP/1.1\r\nX: ".to_vec();
    request.extend(std::iter::repeat_n(b'a', MAX_REQUEST * 2));
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The server may close while we are still writing; what it answered is what counts.
    let _ = s.write_all(&request);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert!(
        out.starts_with(b"HTTP/1.1 431"),
        "{}",
        String::from_utf8_lossy(&out[..out.len().min(100)])
    );
}

/// Time for one /health request, asserting it succeeded.
fn timed_health(addr: std::net::SocketAddr) -> Duration {
    let started = std::time::Instant::now();
    let (status, _) = get(addr, "/health");
    assert_eq!(status, "HTTP/1.1 200 OK");
    started.elapsed()
}

/// How long /health may take while others misbehave: it takes milliseconds; this leaves room for
/// a loaded test machine and is still far below [`READ_TIMEOUT`], which is how long a silent
/// client held its slot before.
const PROMPT: Duration = Duration::from_secs(2);

#[test]
fn silent_clients_do_not_block_others() {
    let (_shared, _rx, addr) = server();
    // More idle connections than the server serves at once, each saying nothing.
    let idle: Vec<TcpStream> = (0..MAX_CONNECTIONS + 4)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    // A newcomer displaces the one that has waited longest for its request: it is served at
    // once, not when the silent ones time out.
    for _ in 0..3 {
        let took = timed_health(addr);
        assert!(took < PROMPT, "/health took {took:?} behind silent clients");
    }
    drop(idle);
}

#[test]
fn trickling_clients_do_not_block_others() {
    let (_shared, _rx, addr) = server();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Clients that send their request a byte a second, reconnecting when cut off, more of them
    // than there are slots.
    let tricklers: Vec<_> = (0..MAX_CONNECTIONS + 4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Ok(mut s) = TcpStream::connect(addr) else {
                        continue;
                    };
                    for b in b"GET /health HTTP/1.1\r\n\r\n" {
                        if stop.load(std::sync::atomic::Ordering::Relaxed)
                            || s.write_all(&[*b]).is_err()
                        {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let until = std::time::Instant::now() + Duration::from_secs(3);
    let mut worst = Duration::ZERO;
    while std::time::Instant::now() < until {
        worst = worst.max(timed_health(addr));
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in tricklers {
        t.join().unwrap();
    }
    assert!(
        worst < PROMPT,
        "/health took up to {worst:?} among trickling clients"
    );
}

#[test]
fn screenshots_are_drawn_at_most_once_a_second_and_shared() {
    let (shared, rx, addr) = server();
    let drawn = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let count = drawn.clone();
    // A stand-in for the UI thread that takes its time over each frame.
    std::thread::spawn(move || {
        while let Ok(req) = rx.recv() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            let image = RgbaImage::from_pixel(64, 32, image::Rgba([1, 2, 3, 255]));
            let _ = req.reply.send(Ok(image));
        }
    });
    let started = std::time::Instant::now();
    let hammer = Duration::from_secs(3);
    let clients: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                while started.elapsed() < hammer {
                    answers.push(get(addr, "/screenshot.png").0);
                }
                answers
            })
        })
        .collect();
    let answers: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    let drawn = drawn.load(std::sync::atomic::Ordering::SeqCst);
    assert!(answers.len() > 8, "{} answers", answers.len());
    assert!(
        answers.iter().all(|a| a == "HTTP/1.1 200 OK"),
        "{:?}",
        answers
            .iter()
            .filter(|a| *a != "HTTP/1.1 200 OK")
            .collect::<Vec<_>>()
    );
    assert!(
        drawn as f64 <= elapsed.ceil() + 1.0,
        "{drawn} frames drawn for {} screenshots in {elapsed:.1} s",
        answers.len()
    );
    let v: serde_json::Value = serde_json::from_slice(&get(addr, "/health").1).unwrap();
    assert_eq!(v["screenshots_rendered"], drawn);
    let _ = shared;
}

#[test]
fn screenshots_come_from_the_ui_thread() {
    let (shared, rx, addr) = server();
    let woken = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = woken.clone();
    shared.set_waker(Arc::new(move || {
        flag.store(true, std::sync::atomic::Ordering::SeqCst)
    }));
    // A stand-in for the UI thread: answers each request with a small frame.
    std::thread::spawn(move || {
        while let Ok(req) = rx.recv() {
            let image = RgbaImage::from_pixel(64, 32, image::Rgba([0x0A, 0x1C, 0x2E, 255]));
            let _ = req.reply.send(Ok(image));
        }
    });
    let (status, body) = get(addr, "/screenshot.png");
    assert_eq!(status, "HTTP/1.1 200 OK");
    let image = image::load_from_memory(&body).unwrap().into_rgba8();
    assert_eq!(image.dimensions(), (64, 32));
    assert_eq!(image.get_pixel(3, 3).0, [0x0A, 0x1C, 0x2E, 255]);
    assert!(woken.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn percentiles() {
    assert_eq!(p99([]), 0.0);
    assert_eq!(p99([5.0]), 5.0);
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(p99(v), 99.0);
    let v: Vec<f64> = (1..=1000).map(f64::from).collect();
    assert_eq!(p99(v), 990.0);
}

#[test]
fn a_problem_keeps_its_first_time_until_it_goes() {
    let t = |s: i64| jiff::Timestamp::from_second(1_800_000_000 + s).unwrap();
    let p = |kind: &str| (kind.to_owned(), format!("{kind} happened"), None);
    let mut problems = Problems::default();
    let now = problems.update(vec![p("dns"), p("config"), p("dns")], t(0));
    assert_eq!(now.len(), 2, "one entry per kind");
    assert_eq!((now[0].kind.as_str(), now[0].since), ("dns", t(0)));
    let now = problems.update(vec![p("dns")], t(10));
    assert_eq!(now[0].since, t(0), "still going: the first time stays");
    let now = problems.update(vec![p("config")], t(20));
    assert_eq!(now[0].since, t(20), "gone and back: a new run");
    // A source that knows its own start is believed.
    let now = problems.update(vec![("tls".into(), "x".into(), Some(t(5)))], t(30));
    assert_eq!(now[0].since, t(5));
}

#[test]
fn problems_in_metrics() {
    let since = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let s = HealthReport {
        problems: vec![Problem {
            kind: "unauthorized".into(),
            message: "HTTP 401".into(),
            since,
        }],
        ..HealthReport::default()
    };
    let text = prometheus(&s);
    assert!(text.contains("tablica_problems 1\n"), "{text}");
    assert!(
        text.contains("tablica_problem{kind=\"unauthorized\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("tablica_problem_since_seconds{kind=\"unauthorized\"} 1800000000\n"),
        "{text}"
    );
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["problems"][0]["kind"], "unauthorized");
    assert_eq!(json["problems"][0]["since"], "2027-01-15T08:00:00Z");
}
