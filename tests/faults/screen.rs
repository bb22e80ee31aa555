//! The screen itself: GPU device loss, presented frames and the watchdog, chimes on the board's
//! clock, health endpoint under load.
//!
//! Each test runs the real binary as installed (`tablica run --config FILE`) in a window on Xvfb
//! with lavapipe, usually fed by the real simulator over loopback. The faults of hardware and
//! compositors are provoked with the board's test-only environment variables
//! (`TABLICA_FAULT_LOSE_GPU_AFTER`, `TABLICA_FAULT_NO_REDRAWS`); systemd is played by a datagram
//! socket bound where `NOTIFY_SOCKET` points.

use crate::support::feed;
use crate::support::http::get;
use crate::support::procs::{Killed, Lines, spawn_logged, xvfb};
use futures_util::SinkExt;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long /health may take while others misbehave. It answers in milliseconds; this leaves
/// room for a loaded 2-core test machine drawing with a software renderer, and is still well
/// below the 5 s for which a silent client used to hold a connection slot.
const HEALTH_PROMPT: Duration = Duration::from_secs(2);

use crate::support::procs::free_port;

fn health(addr: SocketAddr) -> Option<serde_json::Value> {
    match get(addr, "/health")? {
        (200, body) => serde_json::from_slice(&body).ok(),
        _ => None,
    }
}

/// Polls /health until `cond` holds; fails naming `what` after `limit`.
fn health_until(
    addr: SocketAddr,
    limit: Duration,
    what: &str,
    board: &Board,
    mut cond: impl FnMut(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + limit;
    let mut last = None;
    loop {
        if let Some(v) = health(addr) {
            if cond(&v) {
                return v;
            }
            last = Some(v);
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}; last /health: {last:?}\nboard's log:\n{}",
            board.err.text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The real board in a window on its own Xvfb, with a health endpoint and a stand-in for
/// systemd's notification socket.
struct Board {
    // Dropped in order: the board before its X server.
    process: Killed,
    err: Lines,
    _x: Killed,
    health: SocketAddr,
    notify: UnixDatagram,
    _dir: tempfile::TempDir,
}

struct BoardSetup<'a> {
    server: Option<String>,
    /// `WATCHDOG_USEC`, or no watchdog.
    watchdog_usec: Option<&'a str>,
    env: Vec<(&'a str, &'a str)>,
    muted: bool,
}

impl Board {
    fn start(setup: BoardSetup) -> Board {
        let dir = tempfile::tempdir().unwrap();
        let (x, display) = xvfb(640, 360);
        let health = free_port();
        let config = dir.path().join("tablica.toml");
        let server = setup
            .server
            .map(|s| format!("server = \"{s}\"\n"))
            .unwrap_or_default();
        std::fs::write(
            &config,
            format!(
                "{server}display_id = \"pom-faults\"\nhealth = \"{health}\"\npixel_shift = false\n\n\
                 [audio]\nmuted = {}\n",
                setup.muted
            ),
        )
        .unwrap();
        let notify_path: PathBuf = dir.path().join("notify");
        let notify = UnixDatagram::bind(&notify_path).unwrap();
        notify
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_tablica"));
        command
            .args(["run", "--always-open", "--config"])
            .arg(&config)
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("TABLICA_SERVER")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env("NOTIFY_SOCKET", &notify_path)
            // alsa.conf also loads ~/.asoundrc; the board's sound goes nowhere here anyway.
            .env("HOME", dir.path())
            .env("RUST_LOG", "info,tablica::audio=debug");
        if let Some(usec) = setup.watchdog_usec {
            command.env("WATCHDOG_USEC", usec);
        }
        for (k, v) in &setup.env {
            command.env(k, v);
        }
        let (process, _out, err) = spawn_logged(&mut command);
        Board {
            process,
            err,
            _x: x,
            health,
            notify,
            _dir: dir,
        }
    }

    /// Waits for systemd's READY=1, sent after the first frame reached the screen.
    fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut buf = [0u8; 256];
        loop {
            assert!(
                Instant::now() < deadline,
                "no READY=1 within 60 s\nboard's log:\n{}",
                self.err.text()
            );
            if let Ok(n) = self.notify.recv(&mut buf)
                && String::from_utf8_lossy(&buf[..n]).contains("READY=1")
            {
                return;
            }
        }
    }
}

/// The simulator on a free loopback port; returns it with its URL.
fn simulator(speed: &str) -> (Killed, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tablica"));
    command.args([
        "simulate",
        "--listen",
        "127.0.0.1:0",
        "--speed",
        speed,
        "--start",
        "11:00",
    ]);
    let (process, out, _err) = spawn_logged(&mut command);
    let (_, url) = out
        .wait_for("ws://127.0.0.1:", 1, Duration::from_secs(15))
        .expect("the simulator did not start listening within 15 s");
    (process, url.trim().to_owned())
}

/// Keeps asking for /health every 100 ms until `stop`; returns the slowest answer.
fn watch_health(addr: SocketAddr, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let mut worst = Duration::ZERO;
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            let answer = get(addr, "/health");
            let took = started.elapsed();
            assert!(
                matches!(answer, Some((200, _))),
                "/health failed: {answer:?}"
            );
            worst = worst.max(took);
            std::thread::sleep(Duration::from_millis(100));
        }
        worst
    })
}

#[test]
fn screenshot_hammering_slows_neither_health_nor_the_board() {
    let (_sim, url) = simulator("60");
    let board = Board::start(BoardSetup {
        server: Some(url),
        watchdog_usec: None,
        env: vec![],
        muted: true,
    });
    board.ready();
    let before = health_until(
        board.health,
        Duration::from_secs(60),
        "a connected board",
        &board,
        |v| v["connected"] == true,
    );
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_health(board.health, stop.clone());
    let started = Instant::now();
    let hammer = Duration::from_secs(4);
    let addr = board.health;
    let clients: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                while started.elapsed() < hammer {
                    codes.push(get(addr, "/screenshot.png").map_or(0, |(c, _)| c));
                }
                codes
            })
        })
        .collect();
    let codes: Vec<u16> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let worst = watcher.join().unwrap();
    eprintln!(
        "{} screenshots in {elapsed:?}; /health at worst {worst:?}",
        codes.len()
    );
    assert!(
        worst < HEALTH_PROMPT,
        "/health took {worst:?} while screenshots were hammered"
    );
    assert!(codes.len() >= 8, "only {} screenshots served", codes.len());
    let refused = codes.iter().filter(|c| **c != 200).count();
    assert_eq!(
        refused,
        0,
        "{refused} of {} screenshot requests not answered with a picture",
        codes.len()
    );
    let after = health(board.health).unwrap();
    let rendered = after["screenshots_rendered"].as_u64().unwrap()
        - before["screenshots_rendered"].as_u64().unwrap();
    // At most one frame a second is drawn for them, whatever the number of requests.
    assert!(
        rendered <= elapsed.as_secs() + 2,
        "{rendered} frames drawn for {} screenshots in {elapsed:?}",
        codes.len()
    );
    assert!(board.process.0.id() > 0);
}

#[test]
fn idle_and_trickling_clients_do_not_lock_out_health() {
    let board = Board::start(BoardSetup {
        server: None,
        watchdog_usec: None,
        env: vec![],
        muted: true,
    });
    board.ready();
    let addr = board.health;
    health_until(addr, Duration::from_secs(30), "/health", &board, |_| true);
    // Connections that never say anything, more than the endpoint serves at once.
    let idle: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    // Clients that send a byte a second and reconnect when they are cut off.
    let tricklers: Vec<_> = (0..20)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut s) = TcpStream::connect(addr) else {
                        std::thread::sleep(Duration::from_millis(100));
                        continue;
                    };
                    for b in b"GET /health HTTP/1.1\r\n\r\n" {
                        if stop.load(Ordering::Relaxed) || s.write_all(&[*b]).is_err() {
                            break;
                        }
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let watcher = watch_health(addr, stop.clone());
    std::thread::sleep(Duration::from_secs(6));
    stop.store(true, Ordering::Relaxed);
    let worst = watcher.join().unwrap();
    for t in tricklers {
        t.join().unwrap();
    }
    drop(idle);
    assert!(
        worst < HEALTH_PROMPT,
        "/health took {worst:?} among idle and trickling clients"
    );
}

#[test]
fn a_frozen_screen_stops_the_watchdog_and_says_so() {
    // The simulator's office keeps changing, so frames keep being wanted; once the first has
    // been presented the "compositor" delivers no more.
    let (_sim, url) = simulator("60");
    let board = Board::start(BoardSetup {
        server: Some(url),
        watchdog_usec: Some("2000000"),
        env: vec![("TABLICA_FAULT_NO_REDRAWS", "1")],
        muted: true,
    });
    board.ready();
    // Keep-alives stop: systemd would restart the board after WatchdogSec (2 s) without one.
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut last_ping = Instant::now();
    let mut buf = [0u8; 64];
    loop {
        if let Ok(n) = board.notify.recv(&mut buf)
            && &buf[..n] == b"WATCHDOG=1"
        {
            last_ping = Instant::now();
        }
        if last_ping.elapsed() > Duration::from_secs(4) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the watchdog is still fed 40 s after the screen froze\nboard's log:\n{}",
            board.err.text()
        );
    }
    let v = health_until(
        board.health,
        Duration::from_secs(10),
        "a frozen screen on /health",
        &board,
        |v| v["screen_frozen"] == true,
    );
    assert_eq!(v["watchdog"], false, "{v}");
    assert_eq!(v["frames_presented"], 1, "{v}");
    assert!(v["last_present_age_s"].as_f64().unwrap() > 4.0, "{v}");
    assert!(
        board.err.count("the screen is frozen") >= 1,
        "{}",
        board.err.text()
    );
}

#[test]
fn a_lost_gpu_is_rebuilt_and_the_board_carries_on() {
    let (_sim, url) = simulator("60");
    let mut board = Board::start(BoardSetup {
        server: Some(url),
        watchdog_usec: None,
        env: vec![("TABLICA_FAULT_LOSE_GPU_AFTER", "2")],
        muted: true,
    });
    board.ready();
    let v = health_until(
        board.health,
        Duration::from_secs(60),
        "frames presented after the GPU was rebuilt",
        &board,
        |v| v["gpu_resets"].as_u64() >= Some(1) && v["frames_presented"].as_u64() > Some(3),
    );
    assert_eq!(v["screen_frozen"], false, "{v}");
    assert!(board.process.alive(), "the board exited");
    assert!(
        board.err.count("GPU device lost") >= 1,
        "{}",
        board.err.text()
    );
    // The rebuilt device draws screenshots too.
    let (code, png) = get(board.health, "/screenshot.png").unwrap();
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&png));
    let shot = image::load_from_memory(&png).unwrap().into_rgba8();
    assert_eq!(shot.dimensions(), (640, 360));
}

#[test]
fn chimes_keep_the_boards_time_when_no_frames_are_drawn() {
    // A queue system that sends the office, then (when the test says) four calls at once, which
    // the board presents and sounds one after another, six seconds each.
    let rt = feed::runtime();
    let go = feed::Flag::default();
    let flag = go.clone();
    let server = rt.block_on(feed::HandServer::start(move |_, stream, record| {
        let go = flag.clone();
        async move {
            let Some(mut ws) = record.upgrade(stream).await else {
                return;
            };
            if record.hello(&mut ws).await.is_none()
                || ws.send(feed::text(&feed::snapshot(1))).await.is_err()
                || !feed::keep_alive(&mut ws, 1, || go.is_up()).await
            {
                return;
            }
            for (seq, ticket, counter) in [
                (2, "A001", "st1"),
                (3, "A002", "st2"),
                (4, "A003", "st3"),
                (5, "A004", "st4"),
            ] {
                if ws
                    .send(feed::text(&feed::called(seq, ticket, counter)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            feed::keep_alive(&mut ws, 5, || false).await;
        }
    }));
    let board = Board::start(BoardSetup {
        server: Some(server.url()),
        watchdog_usec: None,
        env: vec![("TABLICA_FAULT_NO_REDRAWS", "1")],
        muted: true,
    });
    // After the first frame no redraw is ever delivered again.
    board.ready();
    health_until(
        board.health,
        Duration::from_secs(30),
        "the office applied",
        &board,
        |v| v["last_seq"].as_u64() >= Some(1),
    );
    go.raise();
    let chime = "sound skipped";
    let last = board.err.wait_for(chime, 4, Duration::from_secs(60));
    let chimes: Vec<Instant> = (1..=4)
        .filter_map(|n| board.err.wait_for(chime, n, Duration::ZERO))
        .map(|(at, _)| at)
        .collect();
    assert!(
        last.is_some(),
        "{} of 4 chimes within 60 s without redraws\nboard's log:\n{}",
        chimes.len(),
        board.err.text()
    );
    let gaps: Vec<Duration> = chimes.windows(2).map(|w| w[1] - w[0]).collect();
    eprintln!("gaps between chimes: {gaps:?}");
    // Six seconds each on screen; never bunched, never held back for long.
    for gap in &gaps {
        assert!(
            *gap > Duration::from_millis(4500) && *gap < Duration::from_secs(9),
            "chimes {gaps:?} apart\nboard's log:\n{}",
            board.err.text()
        );
    }
    // No frame reached the screen meanwhile: the chimes came from the board's clock alone.
    let v = health(board.health).unwrap();
    assert_eq!(v["frames_presented"], 1, "{v}");
    drop(server);
}
