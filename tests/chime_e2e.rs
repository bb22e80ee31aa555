//! The chime end to end: the real `tablica run` in a window on Xvfb, fed by the real
//! `tablica simulate` replaying a script over a websocket on 127.0.0.1, playing through real ALSA
//! into a FIFO that this test reads at real-time pace (see `support::capture`).
//!
//! The script (`tests/data/calls.jsonl`) is a snapshot, then three calls and a recall within five
//! seconds. The board shows each call for at least six seconds and sounds it when its turn on
//! screen begins, so the four sounds come about six seconds apart. Then the simulator is killed
//! and started again with the same script on the same port, as when the queue system restarts:
//! the board reconnects and gets a snapshot (the office before the calls, with an older call as
//! the newest one), which must not sound. What the board played is analysed: exactly four
//! sounds, call, call, call, recall, each as long as its source, apart, none after the
//! reconnect.
//!
//! A second test runs the same board with an ALSA configuration that has no usable device: the
//! board shows the calls anyway, stays up and says "no audio device" once.
//!
//! Each test takes about half a minute, mostly waiting for the board's six seconds per call.
//! With `TABLICA_KEEP_CAPTURE=1` (or when a check fails) the scratch directory is kept with the
//! capture (`capture.wav`), screenshots and the processes' logs.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::capture::{
    Capture, Captured, NO_DEVICE_CONF, WINDOW_S, capture_conf, check_sounds, decode_wav, describe,
    find_sounds, kind_of, scratch_dir, write_alsa_conf,
};
use support::procs::{Killed, Lines, screenshot, spawn_logged, xvfb};
use tablica::audio::{BUILTIN_CHIME, BUILTIN_RECALL, SoundKind};

/// Simulated seconds per real second for the first run: the script's snapshot goes out at once
/// and its calls about 3.3 s later (its gaps of 20–68 s shrink to 0.5–1.7 s), four calls within
/// 0.13 s of each other.
const FIRST_SPEED: &str = "40";
/// The restarted simulator plays the same script in real time: the script's gaps are cut to the
/// simulator's 10 s maximum, so nothing but the snapshot comes for 10 s and the calls not for
/// 40 s. The board is stopped long before, so every sound after the reconnect would have come
/// from the board itself.
const RESTART_SPEED: &str = "1";
/// How long the board must stay quiet after it reconnected.
const QUIET_AFTER_RECONNECT: Duration = Duration::from_secs(3);
/// The board's minimum time on screen per call (`BoardConfig::min_display`).
const TURN_S: f64 = 6.0;

const EXPECTED: [SoundKind; 4] = [
    SoundKind::Call,
    SoundKind::Call,
    SoundKind::Call,
    SoundKind::Recall,
];

/// The board's colours (built-in layout).
const BACKGROUND: [u8; 3] = [0x0A, 0x1C, 0x2E];
const RECALL: [u8; 3] = [0xFF, 0x8A, 0x3D];

const NO_DEVICE_MESSAGE: &str = "no audio device; the board carries on silently";

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn calls_chime_in_order_whole_apart_and_not_again_after_a_reconnect() {
    let dir = scratch_dir("tablica-chime-e2e-");
    let capture = Capture::start(dir.path());
    let conf = write_alsa_conf(dir.path(), &capture_conf(&capture.fifo));
    let (_x, display) = xvfb(1280, 720);
    let mut run = Scenario::start(dir.path(), &display, &conf);
    let result = (|| {
        run.connect_first()?;

        // All four calls arrive within a fraction of a second; the board presents them one after
        // another. Wait until four sounds have been heard and have ended, however long that
        // takes on a slow machine (within reason).
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            let so_far = capture.so_far();
            let sounds = find_sounds(&so_far.mono, so_far.rate);
            if sounds.len() > 4 {
                return Err(format!(
                    "more than four sounds; {}",
                    describe(&so_far, &sounds)
                ));
            }
            if sounds.len() == 4 && so_far.seconds() - sounds[3].end > 0.5 {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "four sounds did not come within 45 s; {}",
                    describe(&so_far, &sounds)
                ));
            }
            std::thread::sleep(Duration::from_millis(500));
        }

        // The queue system goes away and comes back with the same script on the same port.
        let killed_at = run.restart_simulator()?;
        let reconnected_at = run.reconnect()?;
        std::thread::sleep(QUIET_AFTER_RECONNECT);
        if !run.board.alive() {
            return Err("the board exited after the reconnect".into());
        }
        Ok((killed_at, reconnected_at))
    })();
    let status = run.board.terminate(Duration::from_secs(5));
    let started = capture.started();
    let audio = capture.finish();
    audio.save_wav(&dir.path().join("capture.wav"));
    let result = result.and_then(|(killed_at, reconnected_at)| {
        let started = started.ok_or("the board never opened the audio device")?;
        let at = |t: Instant| t.saturating_duration_since(started).as_secs_f64();
        check_board_sounds(&audio, at(killed_at), at(reconnected_at))?;
        // The logs agree: one device, four sounds played to their end, no device trouble.
        let log = &run.board_err;
        let counts = (
            log.count("audio device opened"),
            log.count("sound played"),
            log.count("no audio device"),
        );
        if counts != (1, 4, 0) {
            return Err(format!(
                "the board's log has (device opened, sounds played, no device) = {counts:?}, \
                 expected (1, 4, 0); it exited with {status}"
            ));
        }
        Ok(())
    });
    finish(dir, result, &run);
}

#[test]
fn without_an_audio_device_the_board_shows_the_calls_and_stays_up() {
    let dir = scratch_dir("tablica-chime-e2e-nodev-");
    let conf = write_alsa_conf(dir.path(), NO_DEVICE_CONF);
    let (_x, display) = xvfb(1280, 720);
    let mut run = Scenario::start(dir.path(), &display, &conf);
    let result = (|| {
        run.connect_first()?;
        // The recall is the last call: once its colour is on screen, every call has had its
        // turn (the first about 18 s earlier) and asked for its sound.
        let shot = dir.path().join("board.png");
        let deadline = Instant::now() + Duration::from_secs(45);
        let image = loop {
            std::thread::sleep(Duration::from_secs(1));
            if !run.board.alive() {
                return Err("the board exited".into());
            }
            let image = screenshot(&run.display, &shot);
            let recall_px = image.pixels().filter(|p| p.0[..3] == RECALL).count();
            if recall_px > 1000 {
                break image;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the recall was not on screen within 45 s; see {}",
                    shot.display()
                ));
            }
        };
        // The window shows the board: its background where no panel is.
        let corner = image.get_pixel(1275, 715).0;
        if corner[..3] != BACKGROUND {
            return Err(format!(
                "the corner is {corner:?}, not the board's background; see {}",
                shot.display()
            ));
        }
        let log = &run.board_err;
        // Every call asked for its sound and each was skipped, not kept to be played late.
        if log
            .wait_for("sound skipped", 4, Duration::from_secs(3))
            .is_none()
        {
            return Err(format!(
                "expected four skipped sounds, the log has {}",
                log.count("sound skipped")
            ));
        }
        std::thread::sleep(Duration::from_secs(1));
        if !run.board.alive() {
            return Err("the board exited after the calls".into());
        }
        let counts = (
            log.count(NO_DEVICE_MESSAGE),
            log.count("audio device opened"),
            log.count("sound skipped"),
        );
        if counts != (1, 0, 4) {
            return Err(format!(
                "the board's log has (no-device warnings, devices opened, sounds skipped) = \
                 {counts:?}, expected (1, 0, 4)"
            ));
        }
        Ok(())
    })();
    run.board.terminate(Duration::from_secs(5));
    finish(dir, result, &run);
}

/// The analysis can fail: it tells the two sounds apart, and rejects one cut short, two run
/// together and a missing one.
#[test]
fn the_analysis_rejects_cut_overlapping_and_missing_sounds() {
    let chime = decode_wav(BUILTIN_CHIME);
    let recall = decode_wav(BUILTIN_RECALL);
    let rate = chime.rate;
    assert_eq!(recall.rate, rate);
    let silence = |s: f64| vec![0.0_f32; (s * f64::from(rate)) as usize];
    let track = |parts: &[&[f32]]| Captured {
        mono: parts.concat(),
        rate,
    };
    let whole = |a: &Captured| find_sounds(&a.mono, a.rate)[0];
    assert_eq!(
        kind_of(&chime.mono, rate, &whole(&chime)),
        Some(SoundKind::Call)
    );
    assert_eq!(
        kind_of(&recall.mono, rate, &whole(&recall)),
        Some(SoundKind::Recall)
    );

    let gap = silence(1.0);
    let good = track(&[&gap, &chime.mono, &gap, &recall.mono, &gap]);
    check_sounds(&good, &[SoundKind::Call, SoundKind::Recall]).unwrap();
    // In the wrong order, or one missing.
    assert!(check_sounds(&good, &[SoundKind::Recall, SoundKind::Call]).is_err());
    assert!(check_sounds(&good, &[SoundKind::Call]).is_err());
    // Cut short: the chime stops 0.3 s early.
    let cut = &chime.mono[..chime.mono.len() - (0.3 * f64::from(rate)) as usize];
    let cut = track(&[&gap, cut, &gap, &recall.mono, &gap]);
    assert!(check_sounds(&cut, &[SoundKind::Call, SoundKind::Recall]).is_err());
    // Overlapping: the recall starts while the chime still rings.
    let mut mixed = chime.mono.clone();
    let offset = (0.8 * f64::from(rate)) as usize;
    mixed.resize(offset + recall.mono.len(), 0.0);
    for (i, s) in recall.mono.iter().enumerate() {
        mixed[offset + i] += s;
    }
    let overlap = track(&[&gap, &mixed, &gap]);
    assert!(check_sounds(&overlap, &[SoundKind::Call, SoundKind::Recall]).is_err());
}

// ---------------------------------------------------------------------------------------------
// The analysis of the board's sounds

/// `killed_s` and `reconnected_s`: when the simulator was killed and the board reconnected, in
/// seconds of the capture.
fn check_board_sounds(audio: &Captured, killed_s: f64, reconnected_s: f64) -> Result<(), String> {
    let times =
        format!("simulator killed at {killed_s:.2} s, board reconnected at {reconnected_s:.2} s");
    let sounds = check_sounds(audio, &EXPECTED).map_err(|e| format!("{e}; {times}"))?;
    let summary = format!("{}; {times}", describe(audio, &sounds));
    for pair in sounds.windows(2) {
        // Never overlapping: silence between each pair.
        let gap = pair[1].start - pair[0].end;
        if gap < 0.3 {
            return Err(format!("a gap of only {gap:.3} s; {summary}"));
        }
        // Each sounds when its turn on screen begins, one turn after the other.
        let step = pair[1].start - pair[0].start;
        if !(TURN_S - 0.5..=TURN_S + 2.0).contains(&step) {
            return Err(format!(
                "sounds {step:.2} s apart, expected one turn on screen ({TURN_S} s); {summary}"
            ));
        }
    }
    // None after the reconnect: all four were over before the simulator went away, and the
    // capture goes on long enough after the reconnect for a late sound to have been heard.
    if sounds[3].end > killed_s {
        return Err(format!(
            "the last sound ended after the simulator was killed; {summary}"
        ));
    }
    let after = audio.seconds() - reconnected_s;
    if after < QUIET_AFTER_RECONNECT.as_secs_f64() - 0.5 - WINDOW_S {
        return Err(format!(
            "only {after:.2} s were captured after the reconnect; {summary}"
        ));
    }
    eprintln!("{summary}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The processes

/// The board and the simulator feeding it.
struct Scenario {
    dir: PathBuf,
    display: String,
    port: u16,
    board: Killed,
    board_err: Lines,
    sim: Option<Simulator>,
    /// Simulators that have been replaced, for the logs.
    old_sims: Vec<Simulator>,
}

struct Simulator {
    process: Killed,
    err: Lines,
    started: Instant,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calls.jsonl")
}

/// A port nothing listens on: bound and released at once.
impl Scenario {
    /// Starts the board first, pointed at a port where nothing listens yet (as when a display
    /// boots before the queue system): its first connection fails and it retries.
    fn start(dir: &Path, display: &str, alsa_conf: &Path) -> Scenario {
        let port = support::procs::free_port().port();
        let (board, _out, board_err) = spawn_logged(
            Command::new(env!("CARGO_BIN_EXE_tablica"))
                .args(["run", "--server", &format!("ws://127.0.0.1:{port}/")])
                .args(["--always-open", "--windowed", "--size", "1280x720"])
                .env("DISPLAY", display)
                .env_remove("WAYLAND_DISPLAY")
                .env("ALSA_CONFIG_PATH", alsa_conf)
                // alsa.conf also loads ~/.asoundrc, which could send the sound elsewhere.
                .env("HOME", dir)
                // The audio thread's debug lines say which sounds were played or skipped.
                .env("RUST_LOG", "info,tablica::audio=debug"),
        );
        Scenario {
            dir: dir.to_owned(),
            display: display.to_owned(),
            port,
            board,
            board_err,
            sim: None,
            old_sims: Vec::new(),
        }
    }

    fn start_simulator(&mut self, speed: &str) -> Result<(), String> {
        let (process, out, err) = spawn_logged(
            Command::new(env!("CARGO_BIN_EXE_tablica"))
                .args(["simulate", "--listen", &format!("127.0.0.1:{}", self.port)])
                .arg("--script")
                .arg(script())
                .args(["--speed", speed]),
        );
        // It prints its URL once it listens.
        let started = out
            .wait_for("ws://127.0.0.1:", 1, Duration::from_secs(10))
            .map(|(at, _)| at);
        self.sim = Some(Simulator {
            process,
            err,
            started: started.unwrap_or_else(Instant::now),
        });
        started
            .map(|_| ())
            .ok_or_else(|| "the simulator did not start listening within 10 s".into())
    }

    /// Waits until the board is up and trying to connect, starts the simulator and waits for
    /// the board to connect, early enough for the calls to come live rather than in its first
    /// snapshot.
    fn connect_first(&mut self) -> Result<(), String> {
        self.board_err
            .wait_for("connection failed", 1, Duration::from_secs(20))
            .ok_or("the board did not try to connect within 20 s")?;
        self.start_simulator(FIRST_SPEED)?;
        let started = self.sim.as_ref().unwrap().started;
        let (at, _) = self
            .board_err
            .wait_for("connected resume_from=None", 1, Duration::from_secs(10))
            .ok_or("the board did not connect within 10 s")?;
        let after = at.saturating_duration_since(started);
        if after > Duration::from_millis(2500) {
            return Err(format!(
                "the board connected {after:?} after the simulator started, too late to get \
                 the calls (due after about 3.3 s) live"
            ));
        }
        Ok(())
    }

    /// Kills the simulator and starts it again on the same port; returns when it was killed.
    fn restart_simulator(&mut self) -> Result<Instant, String> {
        let mut old = self.sim.take().unwrap();
        let _ = old.process.0.kill();
        let _ = old.process.0.wait();
        let killed_at = Instant::now();
        self.old_sims.push(old);
        self.start_simulator(RESTART_SPEED)?;
        Ok(killed_at)
    }

    /// Waits for the board to reconnect and checks that the simulator answered with a snapshot
    /// (the board's events are ahead of the restarted simulator's); returns when it reconnected.
    fn reconnect(&mut self) -> Result<Instant, String> {
        let (at, line) = self
            .board_err
            .wait_for("connected resume_from=Some(", 1, Duration::from_secs(15))
            .ok_or("the board did not reconnect within 15 s")?;
        if !line.contains("resume_from=Some(108)") {
            return Err(format!(
                "the board resumed from an unexpected place: {line}"
            ));
        }
        let sim = self.sim.as_ref().unwrap();
        let (_, served) = sim
            .err
            .wait_for("display connected", 1, Duration::from_secs(5))
            .ok_or("the restarted simulator did not see the board")?;
        if !served.contains("resumed=false") {
            return Err(format!("the board was not sent a snapshot: {served}"));
        }
        Ok(at)
    }
}

/// Passes, or keeps the scratch directory with the logs and fails. With `TABLICA_KEEP_CAPTURE`
/// set the directory is kept either way.
fn finish(dir: tempfile::TempDir, result: Result<(), String>, run: &Scenario) {
    let mut logs = format!("--- board stderr\n{}\n", run.board_err.text());
    for (i, sim) in run.old_sims.iter().chain(&run.sim).enumerate() {
        logs.push_str(&format!(
            "--- simulator {} stderr\n{}\n",
            i + 1,
            sim.err.text()
        ));
    }
    std::fs::write(run.dir.join("logs.txt"), &logs).unwrap();
    if result.is_ok() && std::env::var_os("TABLICA_KEEP_CAPTURE").is_some() {
        eprintln!("files kept in {}", dir.keep().display());
        return;
    }
    if let Err(e) = result {
        let kept = dir.keep();
        panic!("{e}\nfiles kept in {}\n{logs}", kept.display());
    }
}
