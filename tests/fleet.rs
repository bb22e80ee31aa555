//! The fleet view (`tablica fleet`) from outside: its page in a real headless browser (Debian's
//! chromium) with two live boards and one dead address, `--once`'s table and exit status, and a
//! real board (`tablica run` on Xvfb) whose health endpoint listens on the network behind a token.
//!
//! The live boards of the browser test are small stand-ins answering /health with JSON as a
//! board writes it and /screenshot.png with a real board picture (the golden images), so that
//! the page is checked against known states; the last test polls a real board.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::http::{get, request};
use support::procs::{spawn_logged, xvfb};

const ALL_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// `[hours]` lines: open all day every day, or closed every day, so that tests do not depend
/// on the time they run at.
fn hours(open: bool) -> String {
    let v = if open { "00:00-24:00" } else { "closed" };
    ALL_DAYS.map(|d| format!("{d} = \"{v}\"\n")).concat()
}

/// A stand-in board: answers /health with `health` and /screenshot.png with `png`, wanting
/// `token` when one is given. Lives as long as the test process.
fn fake_board(health: String, png: Vec<u8>, token: Option<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                match s.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&head).to_lowercase();
            let authorised =
                token.is_none_or(|t| head.contains(&format!("authorization: bearer {t}\r\n")));
            let (status, kind, body): (&str, &str, &[u8]) = if !authorised {
                ("401 Unauthorized", "text/plain", b"token\n")
            } else if head.starts_with("get /health ") {
                ("200 OK", "application/json", health.as_bytes())
            } else if head.starts_with("get /screenshot.png ") {
                ("200 OK", "image/png", &png)
            } else {
                ("404 Not Found", "text/plain", b"no\n")
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(body);
        }
    });
    addr
}

/// /health as a board writes it.
fn health_json(id: &str, connected: bool, config_errors: &[&str]) -> String {
    serde_json::json!({
        "version": "0.1.0", "git_commit": "3f2a9c1", "display_id": id, "uptime_s": 93784.2,
        "connected": connected, "link": if connected { "connected" } else { "connecting" },
        "last_event_age_s": if connected { Some(2.4) } else { None },
        "last_seq": 1822, "events": 1822, "rejected": 0, "calls": 311, "resyncs": 1,
        "frames_drawn": 5000, "frames_presented": 5000, "last_present_age_s": 0.4,
        "screen_frozen": false, "gpu_resets": 0, "screenshots_rendered": 3,
        "frame_time_p99_ms": 9.1, "screen_width": 1920, "screen_height": 1080,
        "audio": { "device": "HDMI", "error": null },
        "layout_errors": [], "config_errors": config_errors, "watchdog": true,
        "last_connection_error": if connected { serde_json::Value::Null } else {
            serde_json::json!({ "kind": "refused", "reason": "connection refused", "since": "2026-12-03T09:00:00+01:00" })
        },
        "feed_thread": { "restarts": 0 }, "audio_thread": { "restarts": 0 },
    })
    .to_string()
}

/// An address where nothing listens.
fn dead_address() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

fn golden(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name),
    )
    .unwrap()
}

fn display_entry(id: &str, mall: &str, addr: SocketAddr, extra: &str) -> String {
    format!("[[display]]\nid = \"{id}\"\nmall = \"{mall}\"\naddress = \"{addr}\"\n{extra}\n")
}

/// `tablica fleet --once` on `list`: (exit code, stdout).
fn once(dir: &Path, list: &str) -> (i32, String) {
    let path = dir.join("displays.toml");
    std::fs::write(&path, list).unwrap();
    let out = Command::new("timeout")
        .args([
            "60",
            env!("CARGO_BIN_EXE_tablica"),
            "fleet",
            "--once",
            "--timeout",
            "3",
        ])
        .arg("--displays")
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Runs chromium headless on `url` with `args`; its stdout. Each run gets its own profile.
fn chromium(url: &str, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("timeout")
        .args([
            "60",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .args([
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("chromium runs (apt-get install chromium; scripts/deps installs it)");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_page_in_a_real_browser_shows_the_dead_board_first() {
    let dir = tempfile::tempdir().unwrap();
    let busy = fake_board(
        health_json("galeria-1", true, &[]),
        golden("board-busy-1920x1080.png"),
        None,
    );
    let warned = fake_board(
        health_json(
            "millenium-2",
            true,
            &["/etc/tablica/tablica.toml:14:1: hours.sundy: unknown day; did you mean `sunday`?"],
        ),
        golden("board-quiet-1920x1080.png"),
        Some("fleet-token-2"),
    );
    let dead = dead_address();
    let list = format!(
        "[hours]\n{}\n{}{}{}",
        hours(true),
        display_entry("galeria-1", "Galeria Rzeszów", busy, ""),
        display_entry(
            "millenium-2",
            "Millenium Hall",
            warned,
            "token = \"fleet-token-2\""
        ),
        display_entry("nowy-swiat-3", "Nowy Świat", dead, ""),
    );
    let path = dir.path().join("displays.toml");
    std::fs::write(&path, list).unwrap();
    let (_fleet, out, err) = spawn_logged(
        Command::new(env!("CARGO_BIN_EXE_tablica"))
            .args(["fleet", "--listen", "127.0.0.1:0", "--interval", "2"])
            .arg("--displays")
            .arg(&path),
    );
    let (_, line) = out
        .wait_for("http://", 1, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("no address printed: {}", err.text()));
    let url = line.trim().to_owned();
    let addr: SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();

    // Wait until every board has been polled and both live ones have a picture.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some((200, body)) = get(addr, "/fleet.json") {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let boards = v["displays"].as_array().unwrap();
            let polled = boards.iter().all(|b| !b["polled_at"].is_null());
            let shots = boards
                .iter()
                .filter(|b| b["screenshot"].is_string())
                .count();
            if polled && shots == 2 {
                let levels: Vec<&str> = boards
                    .iter()
                    .map(|b| b["level"].as_str().unwrap())
                    .collect();
                assert_eq!(levels, ["unreachable", "warning", "ok"], "{v:#}");
                break;
            }
        }
        assert!(Instant::now() < deadline, "not all polled within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }

    // The browser's view of the page: dead first, then the one with a config error, then the
    // healthy one; both pictures there and served by the fleet server.
    let dom = chromium(&url, &["--dump-dom", "--virtual-time-budget=3000"]);
    let order: Vec<&str> = dom
        .split("data-id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(order, ["nowy-swiat-3", "millenium-2", "galeria-1"], "{dom}");
    assert!(dom.contains("data-level=\"unreachable\""), "{dom}");
    assert!(dom.contains("cannot connect"), "{dom}");
    assert!(dom.contains("hours.sundy"), "{dom}");
    let images: Vec<&str> = dom
        .split("<img src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(images.len(), 2, "{dom}");
    for src in images {
        let (code, png) = get(addr, &src.replace("&amp;", "&")).unwrap();
        assert_eq!(code, 200);
        assert!(
            png == golden("board-busy-1920x1080.png") || png == golden("board-quiet-1920x1080.png")
        );
    }

    // The page refreshes itself: with the browser's clock run ahead past two refreshes, the grid
    // is one the page fetched by itself (a later page than the one it was loaded with).
    let (_, page) = get(addr, "/").unwrap();
    let serial = |html: &str| -> u64 {
        html.split("data-serial=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = serial(&String::from_utf8_lossy(&page));
    let dom = chromium(&url, &["--dump-dom", "--virtual-time-budget=11000"]);
    assert!(serial(&dom) >= before + 2, "{before} {dom}");
    assert!(dom.contains("data-id=\"nowy-swiat-3\""), "{dom}");

    // A picture of the page, for a person to look at (kept under target/).
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet-page.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,900",
            "--virtual-time-budget=3000",
        ],
    );
    let img = image::open(&shot).expect("chromium wrote the screenshot");
    assert_eq!((img.width(), img.height()), (1400, 900));
    eprintln!("page screenshot: {}", shot.display());
}

#[test]
fn once_exit_status_says_whether_a_board_needs_someone() {
    let dir = tempfile::tempdir().unwrap();
    let png = golden("board-closed-1920x1080.png");
    let up = fake_board(health_json("a", true, &[]), png.clone(), None);
    let down = fake_board(health_json("b", false, &[]), png.clone(), None);
    let locked = fake_board(health_json("c", true, &[]), png, Some("right"));
    let open = format!("[hours]\n{}", hours(true));
    let closed = format!("[hours]\n{}", hours(false));

    let (code, table) = once(
        dir.path(),
        &format!("{open}{}", display_entry("a", "M", up, "")),
    );
    assert_eq!(code, 0, "{table}");
    assert!(table.starts_with("STATE"), "{table}");
    assert!(table.lines().nth(1).unwrap().starts_with("OK "), "{table}");

    // A dead address: unreachable, listed first, exit 1.
    let (code, table) = once(
        dir.path(),
        &format!(
            "{open}{}{}",
            display_entry("a", "M", up, ""),
            display_entry("dead", "M", dead_address(), "")
        ),
    );
    assert_eq!(code, 1, "{table}");
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("UNREACHABLE  dead"),
        "{table}"
    );

    // Disconnected while open: exit 1; the same while closed: exit 0.
    let (code, table) = once(
        dir.path(),
        &format!("{open}{}", display_entry("b", "M", down, "")),
    );
    assert_eq!(code, 1, "{table}");
    assert!(table.contains("during opening hours"), "{table}");
    let (code, table) = once(
        dir.path(),
        &format!("{closed}{}", display_entry("b", "M", down, "")),
    );
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("closed now"), "{table}");

    // A token file (read when polling), and a wrong token: unreachable with the reason.
    let token_file = dir.path().join("c.token");
    std::fs::write(&token_file, "right\n").unwrap();
    let with_file = format!("token_file = \"{}\"", token_file.display());
    let (code, table) = once(
        dir.path(),
        &format!("{open}{}", display_entry("c", "M", locked, &with_file)),
    );
    assert_eq!(code, 0, "{table}");
    let (code, table) = once(
        dir.path(),
        &format!(
            "{open}{}",
            display_entry("c", "M", locked, "token = \"wrong\"")
        ),
    );
    assert_eq!(code, 1, "{table}");
    assert!(table.contains("token refused (401)"), "{table}");

    // A list that cannot be used: exit 2, with where.
    let (code, _) = once(
        dir.path(),
        "[[display]]\nid = \"x\"\naddress = \"nowhere\"\n",
    );
    assert_eq!(code, 2);
}

#[test]
fn health_off_loopback_needs_a_token_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tablica.toml");
    std::fs::write(&config, "health = \"0.0.0.0:9471\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["config", "--config"])
        .arg(&config)
        .env_remove("TABLICA_HEALTH")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("health_token_file"), "{err}");
    std::fs::write(
        &config,
        "health = \"0.0.0.0:9471\"\nhealth_token_file = \"/etc/tablica/health.token\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["config", "--config"])
        .arg(&config)
        .env_remove("TABLICA_HEALTH")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("health"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("health_token_file = "));
}

#[test]
fn a_real_board_on_the_network_answers_only_with_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("health.token");
    std::fs::write(&token_file, "desk-token-1\n").unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_x, display) = xvfb(1280, 720);
    let config = dir.path().join("tablica.toml");
    // No server: the board shows "connecting", which the fleet view must report.
    std::fs::write(
        &config,
        format!(
            "display_id = \"pom-real\"\nhealth = \"0.0.0.0:{port}\"\nhealth_token_file = \"{}\"\n\
             pixel_shift = false\n[hours]\n{}[audio]\nmuted = true\n",
            token_file.display(),
            hours(true)
        ),
    )
    .unwrap();
    let (_board, _out, err) = spawn_logged(
        Command::new(env!("CARGO_BIN_EXE_tablica"))
            .args(["run", "--config"])
            .arg(&config)
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("TABLICA_SERVER")
            .env_remove("TABLICA_HEALTH"),
    );
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some((code, _)) = get(addr, "/health") {
            break code;
        }
        assert!(
            Instant::now() < deadline,
            "no health endpoint within 60 s: {}",
            err.text()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // Listening on all addresses: a request without the token is refused, whatever the path.
    assert_eq!(code, 401);
    assert_eq!(get(addr, "/metrics").unwrap().0, 401);
    assert_eq!(
        request(addr, "GET", "/screenshot.png", Some("wrong"))
            .unwrap()
            .0,
        401
    );
    let (code, body) = request(addr, "GET", "/health", Some("desk-token-1")).unwrap();
    assert_eq!(code, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["display_id"], "pom-real");
    // The token is rotated: the new one works at once, the old one no longer.
    std::fs::write(&token_file, "desk-token-2\n").unwrap();
    assert_eq!(
        request(addr, "GET", "/health", Some("desk-token-1"))
            .unwrap()
            .0,
        401
    );
    assert_eq!(
        request(addr, "GET", "/health", Some("desk-token-2"))
            .unwrap()
            .0,
        200
    );

    // The fleet view with the token: reachable, not connected while open → exit 1 with why;
    // without the token: unreachable.
    let with_token = format!("token_file = \"{}\"", token_file.display());
    let open = format!("[hours]\n{}", hours(true));
    let (code, table) = once(
        dir.path(),
        &format!(
            "{open}{}",
            display_entry("pom-real", "M", addr, &with_token)
        ),
    );
    assert_eq!(code, 1, "{table}");
    assert!(table.contains("DOWN"), "{table}");
    assert!(table.contains("not connected"), "{table}");
    let closed = format!("[hours]\n{}", hours(false));
    let (code, table) = once(
        dir.path(),
        &format!(
            "{closed}{}",
            display_entry("pom-real", "M", addr, &with_token)
        ),
    );
    assert_eq!(code, 0, "{table}");
    let (code, table) = once(
        dir.path(),
        &format!("{closed}{}", display_entry("pom-real", "M", addr, "")),
    );
    assert_eq!(code, 1, "{table}");
    assert!(table.contains("token refused"), "{table}");
}
