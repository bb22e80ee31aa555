//! The real binary as installed: `tablica run --config FILE` on a real X server (Xvfb), fed by
//! the simulator over loopback with a token, under a stand-in for systemd's notification socket.
//! What facilities staff see from their desk (/health, /metrics, /screenshot.png) and what
//! systemd sees (READY=1, then WATCHDOG=1 while the board is idle) are checked from outside.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::http::get;
use support::procs::{Killed, free_port, xvfb};

/// The simulator on a free loopback port, requiring `token_file`'s token; returns its URL.
fn simulator(token_file: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args([
            "simulate",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "60",
            "--start",
            "11:00",
        ])
        .arg("--token-file")
        .arg(token_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    assert!(url.starts_with("ws://127.0.0.1:"), "simulator said {url:?}");
    (Killed(child), url.trim().to_owned())
}

/// Checks Prometheus text format: every sample line is `name{labels} value` with a float value,
/// every metric has HELP and TYPE before its samples. Returns the samples by name.
fn parse_prometheus(text: &str) -> std::collections::HashMap<String, f64> {
    let mut typed = std::collections::HashSet::new();
    let mut samples = std::collections::HashMap::new();
    let mut helped = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            helped.insert(rest.split(' ').next().unwrap().to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            let name = parts.next().unwrap().to_owned();
            let kind = parts.next().unwrap();
            assert!(["gauge", "counter"].contains(&kind), "{line}");
            typed.insert(name);
        } else {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
            let name = series.split('{').next().unwrap();
            assert!(name.starts_with("tablica_"), "{line}");
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            assert!(
                typed.contains(name) && helped.contains(name),
                "no HELP/TYPE: {line}"
            );
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
            samples.insert(series.to_owned(), value);
        }
    }
    samples
}

#[test]
fn health_metrics_screenshot_and_watchdog_of_the_running_board() {
    let dir = tempfile::tempdir().unwrap();
    let token = "s3cret-t0ken-never-shown";
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let (_sim, url) = simulator(&token_file);
    let (_x, display) = xvfb(1280, 720);
    let health = free_port();
    let config = dir.path().join("tablica.toml");
    std::fs::write(
        &config,
        format!(
            "server = \"{url}\"\ntoken_file = \"{}\"\ndisplay_id = \"pom-test\"\n\
             health = \"{health}\"\npixel_shift = false\n\n[hours]\n{}\n[audio]\nmuted = true\n",
            token_file.display(),
            [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday"
            ]
            .map(|d| format!("{d} = \"00:00-24:00\"\n"))
            .concat(),
        ),
    )
    .unwrap();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let board = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["run", "--config"])
        .arg(&config)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("TABLICA_SERVER")
        .env("NOTIFY_SOCKET", &notify_path)
        // A short watchdog (2 s), so that keep-alives come every 2/3 s even while idle.
        .env("WATCHDOG_USEC", "2000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _board = Killed(board);

    // systemd is told the board is up after its first frame.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut buf = [0u8; 256];
    loop {
        assert!(Instant::now() < deadline, "no READY=1 within 60 s");
        if let Ok(n) = notify.recv(&mut buf) {
            eprintln!("notify: {:?}", String::from_utf8_lossy(&buf[..n]));
            if String::from_utf8_lossy(&buf[..n]).contains("READY=1") {
                break;
            }
        }
    }

    // Connected with the token, and the simulated office's events applied.
    let deadline = Instant::now() + Duration::from_secs(60);
    let json = loop {
        if let Some((200, body)) = get(health, "/health") {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if v["connected"] == true && v["last_seq"].as_u64().is_some_and(|s| s > 0) {
                break v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "not connected with events within 60 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    for key in [
        "version",
        "git_commit",
        "uptime_s",
        "connected",
        "last_event_age_s",
        "last_seq",
        "frames_drawn",
        "frames_presented",
        "last_present_age_s",
        "screen_frozen",
        "gpu_resets",
        "screenshots_rendered",
        "frame_time_p99_ms",
        "audio",
        "layout_errors",
        "config_errors",
    ] {
        assert!(json.get(key).is_some(), "/health lacks {key}: {json}");
    }
    assert_eq!(json["display_id"], "pom-test");
    assert_eq!(json["watchdog"], true);
    assert_eq!(json["audio"]["state"], "muted");
    assert_eq!(json["config_errors"].as_array().unwrap().len(), 0, "{json}");
    assert!(json["frames_drawn"].as_u64().unwrap() > 0, "{json}");
    assert!(json["frames_presented"].as_u64().unwrap() > 0, "{json}");
    assert!(json["last_present_age_s"].as_f64().is_some(), "{json}");
    assert_eq!(json["screen_frozen"], false, "{json}");
    assert!(json["frame_time_p99_ms"].as_f64().unwrap() > 0.0);
    assert!(json["last_event_age_s"].as_f64().unwrap() < 30.0);
    assert_eq!(json["screen_width"], 1280);

    let (code, body) = get(health, "/metrics").unwrap();
    assert_eq!(code, 200);
    let text = String::from_utf8(body).unwrap();
    let samples = parse_prometheus(&text);
    assert_eq!(samples["tablica_connected"], 1.0);
    assert!(samples["tablica_last_seq"] > 0.0);
    assert!(samples["tablica_frames_drawn_total"] > 0.0);
    assert!(samples["tablica_frames_presented_total"] > 0.0);
    assert_eq!(samples["tablica_screen_frozen"], 0.0);
    assert!(!text.contains(token), "the token leaked into /metrics");
    assert!(
        !json.to_string().contains(token),
        "the token leaked into /health"
    );

    // The frame on screen: the whole 1280×720 board, on its background colour.
    let (code, png) = get(health, "/screenshot.png").unwrap();
    assert_eq!(code, 200);
    let shot = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .unwrap()
        .into_rgba8();
    shot.save(Path::new(env!("CARGO_TARGET_TMPDIR")).join("health-screenshot.png"))
        .unwrap();
    assert_eq!(shot.dimensions(), (1280, 720));
    assert_eq!(
        shot.get_pixel(1278, 718).0[..3],
        [0x0A, 0x1C, 0x2E],
        "background"
    );
    assert_eq!(get(health, "/nothing").unwrap().0, 404);

    // Keep-alives keep coming: at least every WatchdogSec/2 = 1 s, even between events.
    let mut pings = Vec::new();
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        if let Ok(n) = notify.recv(&mut buf)
            && &buf[..n] == b"WATCHDOG=1"
        {
            pings.push(Instant::now());
        }
    }
    // The board aims at one every WatchdogSec/3; a busy test machine may delay one a little,
    // but never near WatchdogSec, when systemd would restart it.
    assert!(pings.len() >= 4, "{} keep-alives in 4 s", pings.len());
    let longest = pings.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        longest < Duration::from_millis(1500),
        "a gap of {longest:?} between keep-alives"
    );
}

#[test]
fn a_broken_config_still_starts_the_board_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (_x, display) = xvfb(640, 360);
    let health = free_port();
    let config = dir.path().join("tablica.toml");
    std::fs::write(
        &config,
        format!("server = \"http://wrong\"\nhealth = \"{health}\"\n[audio]\nvolme = 2\n"),
    )
    .unwrap();
    let board = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["run", "--config"])
        .arg(&config)
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("NOTIFY_SOCKET")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _board = Killed(board);
    let deadline = Instant::now() + Duration::from_secs(60);
    let json = loop {
        if let Some((200, body)) = get(health, "/health") {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if v["frames_drawn"].as_u64().is_some_and(|f| f > 0) {
                break v;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the board did not start within 60 s"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(json["link"], "connecting");
    let errors: Vec<String> = json["config_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].ends_with(":1:10: server: `http://wrong` is not a websocket URL; write ws://HOST:PORT/ or wss://HOST/PATH"), "{errors:?}");
    assert!(
        errors[1].contains(":4:1: audio.volme: unknown key `volme`; did you mean `volume`?"),
        "{errors:?}"
    );
    // The board shows its "connecting" picture, on its background.
    let (code, png) = get(health, "/screenshot.png").unwrap();
    assert_eq!(code, 200);
    let shot = image::load_from_memory(&png).unwrap().into_rgba8();
    assert_eq!(shot.dimensions(), (640, 360));
    assert_eq!(shot.get_pixel(1, 358).0[..3], [0x0A, 0x1C, 0x2E]);
}
