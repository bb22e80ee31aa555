//! The soak: the release board under Xvfb + lavapipe for many minutes, fed by the simulator at high
//! speed through a proxy that cuts, delays, goes pong-only and restarts the simulator with a new
//! stream, while clients hammer the health endpoint. It samples /health and /proc every ten
//! seconds and fails when memory, threads or file handles keep growing, presented frames stop,
//! the data gets old outside the faults, or the token shows up in the board's output.
//!
//! `scripts/soak [--minutes N]` builds the release binaries and runs this; docs/RELIABILITY.md
//! has the figures of a long run. Everything listens on 127.0.0.1 only, and the run ends by
//! itself after `--minutes`.

use futures_util::{SinkExt, StreamExt};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// How the proxy treats the link at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Mode {
    /// Frames pass both ways.
    Pass = 0,
    /// Every connection is dropped and new ones are refused.
    Cut = 1,
    /// Server frames arrive two seconds late.
    Delay = 2,
    /// The websocket stays up and answers pings, but no text frame gets through.
    PongOnly = 3,
}

impl Mode {
    fn from_u8(v: u8) -> Mode {
        match v {
            1 => Mode::Cut,
            2 => Mode::Delay,
            3 => Mode::PongOnly,
            _ => Mode::Pass,
        }
    }
}

/// One step of the fault schedule, repeated for the whole soak.
#[derive(Debug, Clone, Copy)]
enum Step {
    Mode(Mode, u64),
    /// The simulator is killed and started again: a new stream, its numbering from 1.
    RestartSimulator,
}

/// The faults, in order, with how many seconds each lasts; the cycle takes five minutes.
const SCHEDULE: &[Step] = &[
    Step::Mode(Mode::Pass, 50),
    Step::Mode(Mode::Cut, 15),
    Step::Mode(Mode::Pass, 50),
    Step::Mode(Mode::Delay, 30),
    Step::Mode(Mode::Pass, 40),
    Step::Mode(Mode::PongOnly, 45),
    Step::Mode(Mode::Pass, 40),
    Step::RestartSimulator,
    Step::Mode(Mode::Pass, 30),
];

/// Every fault once in two minutes, for the smoke in `scripts/test`. The pong-only spell is
/// longer than the board's 30-second dead-link timeout so that the timeout is exercised.
const SMOKE: &[Step] = &[
    Step::Mode(Mode::Pass, 15),
    Step::Mode(Mode::Cut, 8),
    Step::Mode(Mode::Pass, 12),
    Step::Mode(Mode::Delay, 8),
    Step::Mode(Mode::Pass, 2),
    Step::Mode(Mode::PongOnly, 35),
    Step::RestartSimulator,
    Step::Mode(Mode::Pass, 60),
];

/// Runs of at most this many minutes use [`SMOKE`].
const SMOKE_MINUTES: f64 = 3.0;

/// After a fault the board may need this long to reconnect: its reconnect backoff doubles from
/// half a second up to 30 s, so after a 15-second cut the next try can be 16 s away.
const RECOVERY: Duration = Duration::from_secs(40);
/// The same for the smoke's shorter faults.
const SMOKE_RECOVERY: Duration = Duration::from_secs(25);
/// Samples in the board's first seconds (window, device, first connection) are not judged for
/// data age.
const START_UP_S: f64 = 20.0;
/// Data older than this outside the faults fails the soak (heartbeats come every 5 s).
const MAX_DATA_AGE_S: f64 = 35.0;
const SAMPLE_EVERY: Duration = Duration::from_secs(10);

struct Args {
    minutes: f64,
    tablica: PathBuf,
    size: String,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut args = Args {
        minutes: 20.0,
        tablica: exe.with_file_name("tablica"),
        size: "480x270".into(),
        out: PathBuf::from("soak-out"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--minutes" => {
                args.minutes = value()?
                    .parse()
                    .ok()
                    .filter(|m: &f64| m.is_finite() && *m > 0.0 && *m <= 24.0 * 60.0)
                    .ok_or("--minutes takes a number of minutes above 0")?
            }
            "--tablica" => args.tablica = value()?.into(),
            "--size" => args.size = value()?,
            "--out" => args.out = value()?.into(),
            "-h" | "--help" => {
                return Err(
                    "usage: tablica-soak [--minutes N] [--tablica PATH] [--size WxH] \
                     [--out DIR]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// A child that is killed when dropped, so that a failing soak leaves nothing behind.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    fn spawn(cmd: &mut Command, what: &str) -> Result<Proc, String> {
        cmd.spawn()
            .map(Proc)
            .map_err(|e| format!("cannot start {what}: {e}"))
    }

    fn alive(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

fn log_file(dir: &Path, name: &str) -> Result<std::fs::File, String> {
    std::fs::File::create(dir.join(name)).map_err(|e| format!("{name}: {e}"))
}

fn start_simulator(args: &Args, port: u16, token: &Path) -> Result<Proc, String> {
    let log = log_file(&args.out, "simulator.log")?;
    let mut cmd = Command::new(&args.tablica);
    cmd.args(["simulate", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--speed", "60", "--start", "10:00"])
        .arg("--token-file")
        .arg(token)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log);
    Proc::spawn(&mut cmd, "the simulator")
}

fn start_xvfb(out: &Path) -> Result<(Proc, String), String> {
    let number = (90..200)
        .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
        .ok_or("no free X display number")?;
    let display = format!(":{number}");
    let log = log_file(out, "xvfb.log")?;
    let mut cmd = Command::new("Xvfb");
    cmd.args([
        display.as_str(),
        "-screen",
        "0",
        "1280x720x24",
        "-nolisten",
        "tcp",
    ])
    .stdout(Stdio::null())
    .stderr(log);
    let xvfb = Proc::spawn(&mut cmd, "Xvfb (apt-get install xvfb)")?;
    let socket = format!("/tmp/.X11-unix/X{number}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        if Instant::now() > deadline {
            return Err("Xvfb did not start within 20 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((xvfb, display))
}

/// The websocket proxy between the board and the simulator; its mode is read for every frame.
async fn proxy(listener: TcpListener, upstream: u16, mode: Arc<AtomicU8>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if Mode::from_u8(mode.load(Ordering::Relaxed)) == Mode::Cut {
            drop(stream);
            continue;
        }
        tokio::spawn(proxy_one(stream, upstream, mode.clone()));
    }
}

async fn proxy_one(stream: TcpStream, upstream: u16, mode: Arc<AtomicU8>) {
    let auth = Arc::new(Mutex::new(None));
    let seen = auth.clone();
    // The error type is tungstenite's callback signature, not ours to shrink.
    #[allow(clippy::result_large_err)]
    let callback = move |req: &Request, resp: Response| {
        if let Some(v) = req.headers().get("authorization") {
            *seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(v.clone());
        }
        Ok(resp)
    };
    let Ok(Ok(client)) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::accept_hdr_async(stream, callback),
    )
    .await
    else {
        return;
    };
    let Ok(mut request) = format!("ws://127.0.0.1:{upstream}/").into_client_request() else {
        return;
    };
    if let Some(v) = auth.lock().unwrap_or_else(|e| e.into_inner()).take() {
        request.headers_mut().insert("authorization", v);
    }
    let Ok(Ok((server, _))) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(request),
    )
    .await
    else {
        return;
    };
    let (mut client_tx, mut client_rx) = client.split();
    let (mut server_tx, mut server_rx) = server.split();
    let (delayed_tx, mut delayed_rx) = tokio::sync::mpsc::channel::<(Instant, Message)>(4096);
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        let now_mode = Mode::from_u8(mode.load(Ordering::Relaxed));
        if now_mode == Mode::Cut {
            return;
        }
        tokio::select! {
            m = client_rx.next() => match m {
                Some(Ok(m @ Message::Text(_))) => {
                    if server_tx.send(m).await.is_err() { return; }
                }
                // Pings from the board are answered by tungstenite on this side.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            m = server_rx.next() => match m {
                // Every frame goes through the delay line, late or not, so that frames held
                // back while delaying never overtake newer ones.
                Some(Ok(m @ Message::Text(_))) => {
                    let late = match now_mode {
                        Mode::PongOnly => continue,
                        Mode::Delay => Duration::from_secs(2),
                        _ => Duration::ZERO,
                    };
                    if delayed_tx.try_send((Instant::now() + late, m)).is_err() { return; }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            Some((due, m)) = delayed_rx.recv() => {
                tokio::time::sleep_until(due.into()).await;
                if client_tx.send(m).await.is_err() { return; }
            }
            _ = tick.tick() => {}
        }
    }
}

/// A plain HTTP GET on loopback; returns the status line's code and the body.
fn http_get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<(u16, Vec<u8>), String> {
    let mut s = StdStream::connect_timeout(&addr, timeout).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&buf[..split]);
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status code")?;
    Ok((code, buf[split + 4..].to_vec()))
}

/// One row of the soak's record.
#[derive(Debug, Clone, Default)]
struct Sample {
    t: f64,
    rss_kib: u64,
    pss_kib: u64,
    threads: u64,
    fds: u64,
    frames: u64,
    data_age_s: Option<f64>,
    connected: bool,
    /// No fault overlapped the recovery time before this sample, and the board had started.
    clean: bool,
}

fn proc_field(pid: u32, file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|text| {
            text.lines().find(|l| l.starts_with(key)).and_then(|l| {
                l[key.len()..]
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse().ok())
            })
        })
        .unwrap_or(0)
}

fn fd_count(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count() as u64)
}

/// Latencies of /health answers seen by the hammering clients, in milliseconds.
#[derive(Default)]
struct Latencies(Mutex<Vec<f64>>);

impl Latencies {
    fn push(&self, ms: f64) {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: keep a reservoir of the latest ones plus the maximum seen.
        if v.len() >= 100_000 {
            v.remove(0);
        }
        v.push(ms);
    }

    fn summary(&self) -> (usize, f64, f64, f64) {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            v.get(((v.len() as f64 - 1.0) * q).round() as usize)
                .copied()
        };
        (
            v.len(),
            at(0.5).unwrap_or(0.0),
            at(0.99).unwrap_or(0.0),
            v.last().copied().unwrap_or(0.0),
        )
    }
}

fn hammer(health: SocketAddr, stop: Arc<AtomicBool>, lat: Arc<Latencies>) {
    for i in 0..3 {
        let stop = stop.clone();
        let lat = lat.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if i == 0 {
                    let started = Instant::now();
                    if http_get(health, "/health", Duration::from_secs(10)).is_ok() {
                        lat.push(started.elapsed().as_secs_f64() * 1000.0);
                    }
                    std::thread::sleep(Duration::from_millis(100));
                } else {
                    let _ = http_get(health, "/screenshot.png", Duration::from_secs(10));
                    std::thread::sleep(Duration::from_millis(150));
                }
            }
        });
    }
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// The verdict on a run's samples: what went wrong, if anything.
fn judge(samples: &[Sample], frames_stalled_s: f64) -> Vec<String> {
    let mut problems = Vec::new();
    // The first minute (or fifth of a short run) is warm-up: caches, the glyph atlas, pools.
    let total = samples.last().map_or(0.0, |s| s.t);
    let warm = (total / 5.0).min(60.0);
    let steady: Vec<&Sample> = samples.iter().filter(|s| s.t >= warm).collect();
    if steady.len() >= 4 {
        let q = steady.len() / 4;
        let first = &steady[..q.max(1)];
        let last = &steady[steady.len() - q.max(1)..];
        let grow = |f: fn(&Sample) -> u64| {
            (
                median(first.iter().map(|s| f(s)).collect()),
                median(last.iter().map(|s| f(s)).collect()),
            )
        };
        let (a, b) = grow(|s| s.rss_kib);
        let allowed = (a / 20).max(6 * 1024);
        if b > a + allowed {
            problems.push(format!(
                "memory keeps growing: RSS median {} MiB early, {} MiB at the end",
                a / 1024,
                b / 1024
            ));
        }
        let (a, b) = grow(|s| s.threads);
        if b > a + 2 {
            problems.push(format!("threads keep growing: {a} → {b}"));
        }
        let (a, b) = grow(|s| s.fds);
        if b > a + 6 {
            problems.push(format!("file handles keep growing: {a} → {b}"));
        }
    }
    if frames_stalled_s > 60.0 {
        problems.push(format!(
            "no frame was presented for {frames_stalled_s:.0} s"
        ));
    }
    for s in samples.iter().filter(|s| s.clean) {
        match s.data_age_s {
            Some(age) if age > MAX_DATA_AGE_S => problems.push(format!(
                "at {:.0} s, outside the faults, the data was {age:.0} s old",
                s.t
            )),
            None => problems.push(format!(
                "at {:.0} s, outside the faults, the board had no data at all",
                s.t
            )),
            _ => {}
        }
    }
    problems
}

fn json_u64(v: &serde_json::Value, keys: &[&str]) -> u64 {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(serde_json::Value::as_u64))
        .unwrap_or(0)
}

fn run(args: Args) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let token = format!("soak-secret-{:016x}", rand::random::<u64>());
    let token_file = args.out.join("token");
    std::fs::write(&token_file, &token).map_err(|e| e.to_string())?;
    let sim_port = free_port();
    let proxy_port = free_port();
    let health: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let config = args.out.join("tablica.toml");
    std::fs::write(&config, "display_id = \"soak\"\n").map_err(|e| e.to_string())?;

    let mode = Arc::new(AtomicU8::new(Mode::Pass as u8));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listener = runtime
        .block_on(TcpListener::bind(("127.0.0.1", proxy_port)))
        .map_err(|e| format!("proxy: {e}"))?;
    runtime.spawn(proxy(listener, sim_port, mode.clone()));

    let mut simulator = start_simulator(&args, sim_port, &token_file)?;
    let (_xvfb, display) = start_xvfb(&args.out)?;
    let board_log = args.out.join("board.log");
    let mut cmd = Command::new(&args.tablica);
    cmd.arg("run")
        .arg("--config")
        .arg(&config)
        .args(["--server", &format!("ws://127.0.0.1:{proxy_port}/")])
        .arg("--token-file")
        .arg(&token_file)
        .args(["--health", &health.to_string()])
        .args([
            "--windowed",
            "--size",
            &args.size,
            "--always-open",
            "--mute",
        ])
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        // Everything the transport would say about the upgrade request, to prove the cap holds.
        .env(
            "RUST_LOG",
            "info,tungstenite=trace,tokio_tungstenite=trace,http=trace",
        )
        .stdout(log_file(&args.out, "board.out")?)
        .stderr(std::fs::File::create(&board_log).map_err(|e| e.to_string())?);
    let mut board = Proc::spawn(&mut cmd, "the board")?;
    let pid = board.0.id();

    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Latencies::default());
    hammer(health, stop.clone(), latencies.clone());

    let started = Instant::now();
    let end = started + Duration::from_secs_f64(args.minutes * 60.0);
    let mut step = 0usize;
    let mut step_ends = started;
    let smoke = args.minutes <= SMOKE_MINUTES;
    let (schedule, recovery) = if smoke {
        (SMOKE, SMOKE_RECOVERY)
    } else {
        (SCHEDULE, RECOVERY)
    };
    let mut last_fault_end: Option<Instant> = None;
    let mut next_sample = started + SAMPLE_EVERY;
    let mut samples = Vec::new();
    let mut last_frames = (0u64, started);
    let mut worst_stall = 0.0f64;
    let mut restarts = 0u32;
    let mut csv =
        String::from("t_s,rss_kib,pss_kib,threads,fds,frames,data_age_s,connected,clean\n");
    let mut problems = Vec::new();
    println!(
        "soak: {} min, board pid {pid} on {display} at {}, health {health}; output in {}",
        args.minutes,
        args.size,
        args.out.display()
    );
    while Instant::now() < end {
        let now = Instant::now();
        if now >= step_ends {
            let current = Mode::from_u8(mode.load(Ordering::Relaxed));
            if current != Mode::Pass {
                last_fault_end = Some(now);
            }
            match schedule[step % schedule.len()] {
                Step::Mode(m, secs) => {
                    mode.store(m as u8, Ordering::Relaxed);
                    step_ends = now + Duration::from_secs(secs);
                    if m != Mode::Pass {
                        println!(
                            "  {:>5.0} s  fault: {m:?} for {secs} s",
                            now.duration_since(started).as_secs_f64()
                        );
                    }
                }
                Step::RestartSimulator => {
                    println!(
                        "  {:>5.0} s  fault: simulator restarted (new stream)",
                        now.duration_since(started).as_secs_f64()
                    );
                    drop(simulator);
                    simulator = start_simulator(&args, sim_port, &token_file)?;
                    restarts += 1;
                    last_fault_end = Some(Instant::now());
                    step_ends = now;
                }
            }
            step += 1;
        }
        if !board.alive() {
            problems.push("the board exited".to_owned());
            break;
        }
        if !simulator.alive() {
            simulator = start_simulator(&args, sim_port, &token_file)?;
        }
        if now >= next_sample {
            next_sample += SAMPLE_EVERY;
            let t = now.duration_since(started).as_secs_f64();
            let in_fault = Mode::from_u8(mode.load(Ordering::Relaxed)) != Mode::Pass;
            let clean = !in_fault
                && t >= START_UP_S
                && last_fault_end.is_none_or(|e| now.duration_since(e) > recovery);
            let mut s = Sample {
                t,
                rss_kib: proc_field(pid, "status", "VmRSS:"),
                pss_kib: proc_field(pid, "smaps_rollup", "Pss:"),
                threads: proc_field(pid, "status", "Threads:"),
                fds: fd_count(pid),
                clean,
                ..Sample::default()
            };
            match http_get(health, "/health", Duration::from_secs(10)) {
                Ok((_, body)) => {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    s.frames = json_u64(&v, &["frames_presented", "frames_drawn"]);
                    s.data_age_s = v
                        .get("last_event_age_s")
                        .and_then(serde_json::Value::as_f64);
                    s.connected =
                        v.get("connected").and_then(serde_json::Value::as_bool) == Some(true);
                }
                Err(e) => problems.push(format!("at {t:.0} s /health did not answer: {e}")),
            }
            if s.frames > last_frames.0 {
                last_frames = (s.frames, now);
            }
            worst_stall = worst_stall.max(now.duration_since(last_frames.1).as_secs_f64());
            csv.push_str(&format!(
                "{:.0},{},{},{},{},{},{},{},{}\n",
                s.t,
                s.rss_kib,
                s.pss_kib,
                s.threads,
                s.fds,
                s.frames,
                s.data_age_s.map_or(String::new(), |a| format!("{a:.1}")),
                s.connected,
                s.clean
            ));
            println!(
                "  {:>5.0} s  rss {:>6} KiB  pss {:>6} KiB  threads {:>3}  fds {:>3}  frames {:>6}  age {:>5}  {}",
                s.t,
                s.rss_kib,
                s.pss_kib,
                s.threads,
                s.fds,
                s.frames,
                s.data_age_s.map_or("-".into(), |a| format!("{a:.0}s")),
                if s.connected { "connected" } else { "offline" }
            );
            samples.push(s);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    stop.store(true, Ordering::Relaxed);
    let _ = std::fs::write(args.out.join("samples.csv"), &csv);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while board.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(board);

    problems.extend(judge(&samples, worst_stall));
    let output = std::fs::read_to_string(&board_log).unwrap_or_default()
        + &std::fs::read_to_string(args.out.join("board.out")).unwrap_or_default();
    if output.contains(&token) {
        problems.push("the token appears in the board's output".into());
    }
    let (n, p50, p99, max) = latencies.summary();
    let first = samples.iter().find(|s| s.t >= 60.0).or(samples.first());
    let last = samples.last();
    let report = format!(
        "soak summary: {:.1} min, {} samples, {restarts} simulator restarts\n\
         memory: RSS {} → {} MiB (max {} MiB), PSS {} → {} MiB\n\
         threads: {} → {}, file handles: {} → {}\n\
         frames presented: {}, longest time without a new frame at a sample: {worst_stall:.0} s\n\
         worst data age outside the faults: {}\n\
         /health under screenshot load: {n} answers, median {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms\n",
        started.elapsed().as_secs_f64() / 60.0,
        samples.len(),
        first.map_or(0, |s| s.rss_kib / 1024),
        last.map_or(0, |s| s.rss_kib / 1024),
        samples.iter().map(|s| s.rss_kib).max().unwrap_or(0) / 1024,
        first.map_or(0, |s| s.pss_kib / 1024),
        last.map_or(0, |s| s.pss_kib / 1024),
        first.map_or(0, |s| s.threads),
        last.map_or(0, |s| s.threads),
        first.map_or(0, |s| s.fds),
        last.map_or(0, |s| s.fds),
        last.map_or(0, |s| s.frames),
        samples
            .iter()
            .filter(|s| s.clean)
            .filter_map(|s| s.data_age_s)
            .max_by(f64::total_cmp)
            .map_or("-".into(), |a| format!("{a:.1} s")),
    );
    print!("{report}");
    let _ = std::fs::write(args.out.join("summary.txt"), &report);
    Ok(problems)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(problems) if problems.is_empty() => {
            println!("soak: PASSED");
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            for p in &problems {
                println!("soak: FAILED: {p}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("soak: cannot run: {e}");
            ExitCode::from(2)
        }
    }
}
