//! The link: liveness counted in protocol frames, close reasons kept, tokens re-read and never
//! logged, settings checked against the protocol, supervised threads.

use crate::support::feed::*;
use crate::support::http::{get, get_json, request};
use crate::support::procs::{Killed, Lines, xvfb};
use futures_util::{SinkExt, StreamExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tablica::audio::{AudioConfig, Chimes, SoundKind};
use tablica::deploy::{Supervisor, SupervisorOptions};
use tablica::feed::{self, FeedMsg, LinkState};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const SECOND: Duration = Duration::from_secs(1);
const BIN: &str = env!("CARGO_BIN_EXE_tablica");

/// A server that upgrades, reads the hello, sends a snapshot at `seq` and then keeps the
/// connection alive with heartbeats until the display goes away.
async fn serving(stream: tokio::net::TcpStream, record: Record, seq: u64) {
    let Some(mut ws) = record.upgrade(stream).await else {
        return;
    };
    if record.hello(&mut ws).await.is_none() {
        return;
    }
    if ws.send(text(&snapshot(seq))).await.is_err() {
        return;
    }
    keep_alive(&mut ws, seq, || false).await;
}

// ---------------------------------------------------------------------------------------------
// Liveness

#[test]
fn a_pong_only_server_is_dead_within_dead_after_and_reconnected() {
    let rt = runtime();
    // After its snapshot the server says nothing in the protocol: it answers pings with pongs
    // and sends pings and unsolicited pongs of its own, as a proxy in front of a stuck queue
    // system would.
    let server = rt.block_on(HandServer::start(|n, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        if record.hello(&mut ws).await.is_none() {
            return;
        }
        if ws.send(text(&snapshot(10 + n as u64))).await.is_err() {
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                m = ws.next() => match m {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                },
                _ = tick.tick() => {
                    if ws.send(Message::Ping(Vec::new().into())).await.is_err()
                        || ws.send(Message::Pong(Vec::new().into())).await.is_err()
                    {
                        return;
                    }
                }
            }
        }
    }));
    let mut config = fast_config(&server.url());
    config.dead_after = SECOND;
    let mut display = Display::connect(config);
    display.pump_until(5 * SECOND, "the first snapshot", |c| {
        c.board.data.last_seq == Some(10)
    });
    let connected = Instant::now();
    // dead_after is 1 s; the limit leaves room for a loaded machine, not for a link that is
    // kept "alive" by pongs forever.
    display.pump_until(
        8 * SECOND,
        "the pong-only link to be found dead and a new connection's snapshot",
        |c| c.board.data.last_seq == Some(11),
    );
    let took = connected.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "the link was dropped after {took:?}, before dead_after"
    );
    assert!(server.record.accepts() >= 2);
}

// ---------------------------------------------------------------------------------------------
// Tokens: re-read before every attempt

#[test]
fn a_rotated_token_file_is_used_by_the_next_connection() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-one-1a2b\n").unwrap();
    let rt = runtime();
    let close = Flag::default();
    let closing = close.clone();
    let server = rt.block_on(HandServer::start(move |n, stream, record| {
        let closing = closing.clone();
        async move {
            let Some(mut ws) = record.upgrade(stream).await else {
                return;
            };
            if record.hello(&mut ws).await.is_none() {
                return;
            }
            let seq = 10 * (n as u64 + 1);
            if ws.send(text(&snapshot(seq))).await.is_err() {
                return;
            }
            // The first connection lasts until the test has rotated the token.
            let stop = closing.clone();
            if keep_alive(&mut ws, seq, move || n == 0 && stop.is_up()).await {
                let _ = ws.close(None).await;
            }
        }
    }));
    let mut config = fast_config(&server.url());
    config.token_file = Some(token_file.clone());
    let mut display = Display::connect(config);
    display.pump_until(5 * SECOND, "the first connection's snapshot", |c| {
        c.board.data.last_seq == Some(10)
    });
    std::fs::write(&token_file, "tok-two-3c4d\n").unwrap();
    close.raise();
    display.pump_until(5 * SECOND, "the second connection's snapshot", |c| {
        c.board.data.last_seq == Some(20)
    });
    let auth = server.record.get(|s| s.auth.clone());
    assert_eq!(
        auth[..2],
        [
            Some("Bearer tok-one-1a2b".to_owned()),
            Some("Bearer tok-two-3c4d".to_owned())
        ]
    );
}

#[test]
fn a_token_file_provisioned_after_the_start_is_picked_up() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|_, stream, record| {
        serving(stream, record, 10)
    }));
    let mut config = fast_config(&server.url());
    config.token_file = Some(token_file.clone());
    let mut display = Display::connect(config);
    display.pump_until(5 * SECOND, "the missing token file on /health", |c| {
        c.feed_health()
            .and_then(|h| h.last_error)
            .is_some_and(|e| e.kind == "token_missing" && e.reason.contains("token"))
    });
    assert_eq!(
        server.record.accepts(),
        0,
        "without its token the board does not knock"
    );
    std::fs::write(&token_file, "tok-late-9f8e\n").unwrap();
    display.pump_until(5 * SECOND, "the snapshot once the token is there", |c| {
        c.board.data.last_seq == Some(10)
    });
    assert_eq!(
        server.record.get(|s| s.auth.clone()),
        [Some("Bearer tok-late-9f8e".to_owned())]
    );
    display.pump_until(5 * SECOND, "the error to clear once data flows", |c| {
        c.feed_health().is_some_and(|h| h.last_error.is_none())
    });
}

// ---------------------------------------------------------------------------------------------
// Close reasons

#[test]
fn a_1008_close_is_kept_with_its_reason_and_logged() {
    capture_logs();
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|_, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        if record.hello(&mut ws).await.is_none() {
            return;
        }
        let frame = CloseFrame {
            code: CloseCode::Policy,
            reason: "display pom-x not registered".into(),
        };
        let _ = ws.close(Some(frame)).await;
        while let Some(Ok(_)) = ws.next().await {}
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the 1008 close on the feed's health", |c| {
        c.feed_health().and_then(|h| h.last_error).is_some_and(|e| {
            e.kind == "policy_violation" && e.reason == "display pom-x not registered"
        })
    });
    let logs = captured_logs();
    assert!(
        logs.contains("1008") && logs.contains("display pom-x not registered"),
        "the close was logged with its code and reason:\n{logs}"
    );
}

use crate::support::procs::free_port;

#[test]
fn a_401_is_shown_on_health_with_its_reason() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|_, stream, _| async move {
        // The error type is tungstenite's callback signature, not ours to shrink.
        #[allow(clippy::result_large_err)]
        let refuse = |_: &Request, _: Response| -> Result<Response, ErrorResponse> {
            Err(http::Response::builder()
                .status(401)
                .body(Some("token expired for pom-x".to_owned()))
                .unwrap())
        };
        let _ = tokio_tungstenite::accept_hdr_async(stream, refuse).await;
    }));
    let addr = free_port();
    let mut supervisor = Supervisor::start(SupervisorOptions {
        health: Some(addr),
        display_id: "test-display".into(),
        ..SupervisorOptions::default()
    });
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the 401 on the feed's health", |c| {
        c.feed_health()
            .and_then(|h| h.last_error)
            .is_some_and(|e| e.kind == "unauthorized")
    });
    supervisor.after_wake(&display.core);
    let health = get_json(addr, "/health");
    let error = &health["last_connection_error"];
    assert_eq!(error["kind"], "unauthorized", "{health}");
    let reason = error["reason"].as_str().unwrap();
    assert!(
        reason.contains("401") && reason.contains("token expired for pom-x"),
        "{reason}"
    );
    let since: jiff::Timestamp = error["since"].as_str().unwrap().parse().unwrap();
    assert!(since <= jiff::Timestamp::now());
    // Refused again and again: `since` stays the time of the first refusal.
    let first = display
        .core
        .feed_health()
        .unwrap()
        .last_error
        .unwrap()
        .since;
    let accepts = server.record.accepts();
    wait_until(5 * SECOND, "more refused attempts", || {
        server.record.accepts() >= accepts + 2
    });
    assert_eq!(
        display
            .core
            .feed_health()
            .unwrap()
            .last_error
            .unwrap()
            .since,
        first
    );
    assert_eq!(health["feed_thread"]["count"], 0, "{health}");
}

// ---------------------------------------------------------------------------------------------
// Supervised threads

#[test]
fn a_feed_thread_that_panics_is_restarted_and_counted() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|n, stream, record| {
        serving(stream, record, 10 + n as u64)
    }));
    let mut feed = feed::spawn(fast_config(&server.url()), Arc::new(|| {}));
    let until_snapshot = |feed: &mut feed::Feed, seq: u64| {
        let deadline = Instant::now() + 5 * SECOND;
        loop {
            assert!(Instant::now() < deadline, "no snapshot {seq}");
            if let Some(FeedMsg::Event(e)) = feed.recv_timeout(Duration::from_millis(50))
                && e.seq == seq
            {
                return;
            }
        }
    };
    until_snapshot(&mut feed, 10);
    assert_eq!(feed.health().restarts.count, 0);
    feed.crash_for_test();
    // The display is told the link is down, then the restarted client connects again.
    let deadline = Instant::now() + 5 * SECOND;
    loop {
        assert!(Instant::now() < deadline, "no Connecting after the crash");
        if let Some(FeedMsg::Link(LinkState::Connecting)) =
            feed.recv_timeout(Duration::from_millis(50))
        {
            break;
        }
    }
    until_snapshot(&mut feed, 11);
    let restarts = feed.health().restarts;
    assert_eq!(restarts.count, 1);
    assert!(
        restarts
            .last_reason
            .as_deref()
            .is_some_and(|r| r.contains("panicked") && r.contains("crash")),
        "{restarts:?}"
    );
    // Dropping the feed still stops the supervised thread promptly.
    let started = Instant::now();
    drop(feed);
    assert!(started.elapsed() < 5 * SECOND);
}

#[test]
fn an_audio_thread_that_panics_is_restarted_and_plays_again() {
    let chimes = Chimes::start(AudioConfig::default());
    assert_eq!(chimes.restarts().count, 0);
    chimes.crash_for_test();
    wait_until(10 * SECOND, "the audio thread's restart", || {
        chimes.restarts().count == 1
    });
    let reason = chimes.restarts().last_reason.unwrap_or_default();
    assert!(reason.contains("panicked"), "{reason}");
    // The restarted worker takes requests again (played, or skipped without a device).
    chimes.play_now(SoundKind::Call);
    assert!(
        chimes.wait_idle(20 * SECOND),
        "the restarted audio thread works"
    );
    let status = chimes.status();
    assert_eq!(status.played + status.skipped, 1, "{status:?}");
}

// ---------------------------------------------------------------------------------------------
// Settings against the protocol

#[test]
fn tablica_config_reports_ids_the_protocol_refuses_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tablica.toml");
    let long = "x".repeat(33);
    std::fs::write(
        &file,
        format!("display_id = \"{long}\"\nservices = [\"A\", \"B\\u0007\"]\n"),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["config", "--config"])
        .arg(&file)
        .env_remove("TABLICA_DISPLAY_ID")
        .env_remove("TABLICA_SERVICES")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let path = file.display();
    assert!(
        err.contains(&format!("{path}:1:14: display_id: ")) && err.contains("at most 32"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{path}:2:18: services[1]: ")) && err.contains("U+0007"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// The token never reaches a log

/// One `tablica run` against its own loopback server, with its own token.
struct Board {
    _process: Killed,
    out: Lines,
    err: Lines,
    server: HandServer,
    token: String,
}

fn start_board(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    display: &str,
    name: &str,
    rust_log: Option<&str>,
) -> Board {
    let server = rt.block_on(HandServer::start(|_, stream, record| {
        serving(stream, record, 10)
    }));
    let token = format!("tok-{name}-SECRET-4e9d");
    let token_file = dir.join(format!("{name}.token"));
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let mut command = Command::new(BIN);
    command
        .args(["run", "--server", &server.url(), "--token-file"])
        .arg(&token_file)
        .args(["--config", "/nonexistent/tablica.toml"])
        .args(["--health", "off", "--windowed", "--size", "320x240"])
        .args(["--always-open", "--mute"])
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("TABLICA_CONFIG")
        .env_remove("TABLICA_TOKEN")
        .env_remove("TABLICA_SERVER")
        // The colours must go because stderr is not a terminal, not because of NO_COLOR.
        .env_remove("NO_COLOR")
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match rust_log {
        Some(l) => command.env("RUST_LOG", l),
        None => command.env_remove("RUST_LOG"),
    };
    let mut child = command.spawn().expect("tablica runs");
    let out = Lines::read(child.stdout.take().unwrap());
    let err = Lines::read(child.stderr.take().unwrap());
    Board {
        _process: Killed(child),
        out,
        err,
        server,
        token,
    }
}

#[test]
fn the_token_never_reaches_the_log_whatever_rust_log_says() {
    let dir = tempfile::tempdir().unwrap();
    let (_x, display) = xvfb(640, 480);
    let rt = runtime();
    let boards = [
        ("trace", Some("trace")),
        // A directive for the very module that logs the request is the most specific there is.
        (
            "handshake",
            Some("info,tungstenite::handshake::client=trace,tokio_tungstenite=trace,http=trace"),
        ),
        ("default", None),
    ]
    .map(|(name, log)| (name, start_board(&rt, dir.path(), &display, name, log)));
    for (name, board) in &boards {
        // The server saw the token, so the request carrying it has been made (and logged, if
        // anything logs it); the board's own line after the hello follows it in the log.
        wait_until(60 * SECOND, &format!("the {name} board's upgrade"), || {
            board
                .server
                .record
                .get(|s| s.auth.contains(&Some(format!("Bearer {}", board.token))))
        });
        assert!(
            board.err.wait_for("feed::client", 1, 60 * SECOND).is_some(),
            "the {name} board logged its connection:\n{}",
            board.err.text()
        );
    }
    // The token first: it is what must never happen.
    for (name, board) in &boards {
        for (stream, text) in [("stdout", board.out.text()), ("stderr", board.err.text())] {
            assert!(
                !text.contains(&board.token) && !text.contains("SECRET"),
                "the {name} board's {stream} has the token"
            );
        }
    }
    for (name, board) in &boards {
        for (stream, text) in [("stdout", board.out.text()), ("stderr", board.err.text())] {
            assert!(
                !text.contains('\u{1b}'),
                "the {name} board's {stream} has terminal colours though it is a pipe"
            );
        }
    }
    assert!(
        boards[0].1.err.text().contains("TRACE"),
        "RUST_LOG=trace does log at TRACE (so the check means something)"
    );
    // Without RUST_LOG: the board's INFO lines and nothing below WARN from the libraries.
    let default = boards[2].1.err.text();
    for line in default.lines() {
        assert!(
            !line.contains(" DEBUG ") && !line.contains(" TRACE "),
            "the default log has a debug line: {line}"
        );
        if line.contains(" INFO ") {
            assert!(line.contains("tablica"), "a library's INFO line: {line}");
        }
    }
}

/// Before: a board whose server refused TCP connections said so only in the journal; /health
/// had no problem to show (`last_connection_error` kept only refusals by the server).
#[test]
fn a_refused_connection_is_a_problem_on_health_metrics_and_screen() {
    let dead = free_port();
    let addr = free_port();
    let mut supervisor = Supervisor::start(SupervisorOptions {
        health: Some(addr),
        display_id: "test-display".into(),
        problems: vec![(
            "config".into(),
            "t.toml:3:1: hours.sundy: unknown key".into(),
        )],
        ..SupervisorOptions::default()
    });
    let mut display = Display::connect(fast_config(&url(dead)));
    display.pump_until(
        5 * SECOND,
        "the refused connection on the feed's health",
        |c| {
            c.feed_health()
                .and_then(|h| h.last_error)
                .is_some_and(|e| e.kind == "connection_refused")
        },
    );
    assert!(supervisor.after_wake(&display.core), "the marker is drawn");
    let health = get_json(addr, "/health");
    let problems = health["problems"].as_array().expect("a problems list");
    let kinds: Vec<&str> = problems
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["connection_refused", "config"], "{health}");
    let since: jiff::Timestamp = problems[0]["since"].as_str().unwrap().parse().unwrap();
    assert!(since <= jiff::Timestamp::now());
    let (status, metrics) = get(addr, "/metrics").unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    assert_eq!(status, 200, "{metrics}");
    assert!(
        metrics.contains("tablica_problem{kind=\"connection_refused\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tablica_problems 2"), "{metrics}");
    // The marker goes over the frame about to be drawn.
    let mut list =
        tablica::scene::DisplayList::new(1920, 1080, tablica::scene::Color::rgb(0, 0, 0));
    supervisor.before_draw(&mut list, jiff::Timestamp::now());
    let texts: Vec<&str> = list.texts().map(|t| t.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Usterka") && t.contains("connection_refused")),
        "{texts:?}"
    );
    // The identify overlay is on for the first minutes only where there is an identity.
    assert!(
        !texts.iter().any(|t| t.contains("IDENTYFIKACJA")),
        "{texts:?}"
    );
}

/// `POST /identify` shows the identify card; nothing else is accepted but GET.
#[test]
fn post_identify_shows_the_card() {
    let addr = free_port();
    let mut supervisor = Supervisor::start(SupervisorOptions {
        health: Some(addr),
        display_id: "galeria-1".into(),
        identity: Some(tablica::scene::overlay::Identity {
            display_id: "galeria-1".into(),
            ..Default::default()
        }),
        ..SupervisorOptions::default()
    });
    let display = Display::connect(fast_config(&url(free_port())));
    let card = |supervisor: &mut Supervisor| {
        supervisor.after_wake(&display.core);
        let mut list =
            tablica::scene::DisplayList::new(1080, 1920, tablica::scene::Color::rgb(0, 0, 0));
        supervisor.before_draw(&mut list, jiff::Timestamp::now());
        list.texts().any(|t| t.text == "galeria-1")
    };
    assert!(!card(&mut supervisor), "no card before it is asked for");
    let (status, _) = request(addr, "POST", "/health", None).unwrap();
    assert_eq!(status, 405);
    let (status, body) = request(addr, "POST", "/identify", None).unwrap();
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("60 s"), "{body}");
    assert!(card(&mut supervisor), "the card names the display");
    // Seen: `DELETE /identify` takes it away at once.
    let (status, _) = request(addr, "DELETE", "/identify", None).unwrap();
    assert_eq!(status, 200);
    assert!(!card(&mut supervisor), "the card is gone");
}

/// The journal gets one line for a problem that repeats, not one per attempt.
#[test]
fn a_repeated_connection_failure_is_logged_once() {
    capture_logs();
    let dead = free_port();
    let mut display = Display::connect(fast_config(&url(dead)));
    display.pump_until(5 * SECOND, "the refused connection", |c| {
        c.feed_health()
            .and_then(|h| h.last_error)
            .is_some_and(|e| e.kind == "connection_refused")
    });
    // With backoff capped at 200 ms, a few more seconds are many more attempts.
    let until = Instant::now() + 2 * SECOND;
    display.pump_until(5 * SECOND, "more attempts", |_| Instant::now() >= until);
    let logs = captured_logs();
    // The log is shared by the tests of this binary and its lines do not name the URL: two
    // other tests here connect to dead ports as well, one line each. Without the limiter there
    // would be a line per attempt, ten or more in these seconds.
    let lines = logs
        .lines()
        .filter(|l| l.contains("Connection refused"))
        .count();
    assert!((1..=3).contains(&lines), "{lines} lines:\n{logs}");
}

/// A counter display set to a counter the queue system does not have shows "Stanowisko
/// nieczynne", which a technician cannot tell from a closed desk: /health names the mistake and
/// the counters there are. Set by its label ("3") it is found.
#[test]
fn a_counter_display_for_an_unknown_counter_is_a_problem_on_health() {
    let rt = runtime();
    let server = rt.block_on(HandServer::scripted(|_| vec![snapshot(10)]));
    let addr = free_port();
    let mut supervisor = Supervisor::start(SupervisorOptions {
        health: Some(addr),
        display_id: "stanowisko-9".into(),
        ..SupervisorOptions::default()
    });
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the snapshot", |c| {
        c.board.data.last_seq == Some(10)
    });
    let kinds = |supervisor: &mut Supervisor, display: &Display| {
        supervisor.after_wake(&display.core);
        let health = get_json(addr, "/health");
        let problems = health["problems"].as_array().unwrap().clone();
        problems
            .iter()
            .map(|p| {
                (
                    p["kind"].as_str().unwrap().to_owned(),
                    p["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    display.core.status.counter = Some("st9".into());
    let problems = kinds(&mut supervisor, &display);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, "unknown_counter");
    assert!(
        problems[0].1.contains("\"st9\"") && problems[0].1.contains("st3 (\"3\")"),
        "{problems:?}"
    );
    display.core.status.counter = Some("3".into());
    assert_eq!(kinds(&mut supervisor, &display), []);
}
