//! End-to-end tests of the sound output through real ALSA, on machines without a sound card.
//!
//! ALSA reads its configuration once, when a program first opens a device, so each scenario runs
//! in a child process: this test binary again, running one `child_*` test (ignored in normal
//! runs) with `ALSA_CONFIG_PATH` pointing at a config written for it. The capture config routes
//! the default device through ALSA's `file` plugin into a FIFO that the parent reads at
//! real-time pace. The `null` plugin behind it takes samples as fast as they come, so a plain
//! file would receive minutes of audio per second; reading the FIFO at the sample rate makes the
//! pipe's back-pressure pace the stream like a sound card would. The parent then finds the
//! sounds in what it read and checks their number, order, kind, length and the silences between
//! them. The captured audio is also written as a WAV next to the config (kept when a check
//! fails) for `sox FILE -n stat`. The capture and the analysis live in `tests/support/capture.rs`,
//! shared with `tests/chime_e2e.rs` (the same checks on the real binary).

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::capture::{
    Capture, Captured, NO_DEVICE_CONF, alsa_conf_text, capture_conf, check_sounds, find_sounds,
    scratch_dir, write_alsa_conf,
};
use tablica::audio::{AudioConfig, AudioState, Chimes, SoundKind};

/// The gap the capture scenario configures between sounds.
const GAP: Duration = Duration::from_millis(400);

/// Set in the child processes; names the scenario's extra input where it needs one.
const CHILD_ENV: &str = "TABLICA_AUDIO_CHILD";

// ---------------------------------------------------------------------------------------------
// Parent tests

#[test]
fn four_queued_sounds_are_captured_in_order_whole_and_apart() {
    let dir = scratch_dir("tablica-audio-");
    let capture = Capture::start(dir.path());
    let conf = write_alsa_conf(dir.path(), &capture_conf(&capture.fifo));
    let output = run_child("child_plays_call_call_call_recall", &conf, dir.path(), &[]);
    let audio = capture.finish();
    let result = check_child(&output).and_then(|()| {
        audio.save_wav(&dir.path().join("capture.wav"));
        check_four_sounds(&audio)
    });
    finish(dir, result, &output);
}

#[test]
fn without_a_device_the_board_carries_on_silently() {
    let dir = scratch_dir("tablica-audio-");
    let conf = write_alsa_conf(dir.path(), NO_DEVICE_CONF);
    let output = run_child("child_without_device", &conf, dir.path(), &[]);
    finish(dir, check_child(&output), &output);
}

#[test]
fn sound_comes_back_when_the_device_appears() {
    let dir = scratch_dir("tablica-audio-");
    let capture = Capture::start(dir.path());
    let conf = write_alsa_conf(dir.path(), NO_DEVICE_CONF);
    let later = dir.path().join("later.conf");
    std::fs::write(&later, alsa_conf_text(&capture_conf(&capture.fifo))).unwrap();
    let output = run_child(
        "child_device_appears",
        &conf,
        dir.path(),
        &[(CHILD_ENV, later.to_str().unwrap())],
    );
    let audio = capture.finish();
    let result = check_child(&output).and_then(|()| {
        audio.save_wav(&dir.path().join("capture.wav"));
        let sounds = find_sounds(&audio.mono, audio.rate);
        if sounds.len() == 1 {
            Ok(())
        } else {
            Err(format!(
                "expected the one call after the device appeared, found {sounds:?}"
            ))
        }
    });
    finish(dir, result, &output);
}

// ---------------------------------------------------------------------------------------------
// Child scenarios: each does nothing unless started by a parent test.

fn in_child() -> bool {
    if std::env::var_os(CHILD_ENV).is_none() {
        return false;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter("tablica=debug")
        .with_writer(std::io::stderr)
        .try_init();
    true
}

#[test]
#[ignore = "run by four_queued_sounds_are_captured_in_order_whole_and_apart"]
fn child_plays_call_call_call_recall() {
    if !in_child() {
        return;
    }
    let chimes = Chimes::start(AudioConfig {
        gap: GAP,
        ..AudioConfig::default()
    });
    let now = jiff::Timestamp::now();
    for kind in [
        SoundKind::Call,
        SoundKind::Call,
        SoundKind::Call,
        SoundKind::Recall,
    ] {
        chimes.play(kind, now);
    }
    assert!(
        chimes.wait_idle(Duration::from_secs(20)),
        "sounds did not finish"
    );
    let status = chimes.status();
    assert_eq!(status.played, 4, "{status:?}");
    assert_eq!(status.state, AudioState::Idle, "{status:?}");
    // Dropping closes the stream, which lets the file plugin flush and close the FIFO.
    drop(chimes);
}

#[test]
#[ignore = "run by without_a_device_the_board_carries_on_silently"]
fn child_without_device() {
    if !in_child() {
        return;
    }
    let started = Instant::now();
    let chimes = Chimes::start(AudioConfig::default());
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "start blocked"
    );
    for kind in [SoundKind::Call, SoundKind::Recall, SoundKind::Call] {
        let t = Instant::now();
        chimes.play(kind, jiff::Timestamp::now());
        assert!(t.elapsed() < Duration::from_millis(20), "play blocked");
    }
    assert!(
        wait_for_state(&chimes, AudioState::NoDevice),
        "{:?}",
        chimes.status()
    );
    assert!(chimes.wait_idle(Duration::from_secs(5)));
    let status = chimes.status();
    assert_eq!((status.played, status.skipped), (0, 3), "{status:?}");
    assert!(!status.device_available);
    let t = Instant::now();
    drop(chimes);
    assert!(t.elapsed() < Duration::from_secs(3), "shutdown hung");
}

#[test]
#[ignore = "run by sound_comes_back_when_the_device_appears"]
fn child_device_appears() {
    if !in_child() {
        return;
    }
    let later = std::env::var(CHILD_ENV).unwrap();
    let chimes = Chimes::start(AudioConfig {
        device_retry: Duration::from_millis(300),
        ..AudioConfig::default()
    });
    assert!(
        wait_for_state(&chimes, AudioState::NoDevice),
        "{:?}",
        chimes.status()
    );
    // A call while there is no device is skipped, not kept to be played late.
    chimes.play(SoundKind::Recall, jiff::Timestamp::now());
    assert!(chimes.wait_idle(Duration::from_secs(5)));
    // "Plug in" the device: ALSA rereads its config when the file changes, and a rename gives
    // the file a new inode, which it always notices.
    let conf = std::env::var("ALSA_CONFIG_PATH").unwrap();
    std::fs::rename(later, conf).unwrap();
    assert!(
        wait_for_state(&chimes, AudioState::Idle),
        "{:?}",
        chimes.status()
    );
    chimes.play(SoundKind::Call, jiff::Timestamp::now());
    assert!(chimes.wait_idle(Duration::from_secs(10)));
    let status = chimes.status();
    assert_eq!((status.played, status.skipped), (1, 1), "{status:?}");
    drop(chimes);
}

fn wait_for_state(chimes: &Chimes, state: AudioState) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if chimes.state() == state {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Running children

fn run_child(
    test: &str,
    alsa_conf: &Path,
    home: &Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env("ALSA_CONFIG_PATH", alsa_conf)
        // alsa.conf also loads ~/.asoundrc, which could send the sound to a real device.
        .env("HOME", home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    // Read the pipes on threads so that a chatty child cannot block on a full pipe.
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn drain(mut from: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = from.read_to_end(&mut out);
        out
    })
}

fn check_child(output: &std::process::Output) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && stdout.contains("1 passed") {
        Ok(())
    } else {
        Err(format!("child failed ({})", output.status))
    }
}

/// Passes, or keeps the scratch directory and fails with the child's output. With
/// `TABLICA_KEEP_CAPTURE` set the directory is kept either way, to listen to the capture.
fn finish(dir: tempfile::TempDir, result: Result<(), String>, output: &std::process::Output) {
    if result.is_ok() && std::env::var_os("TABLICA_KEEP_CAPTURE").is_some() {
        eprintln!("files kept in {}", dir.keep().display());
        return;
    }
    if let Err(e) = result {
        let kept = dir.keep();
        panic!(
            "{e}\nfiles kept in {}\n--- child stdout\n{}\n--- child stderr\n{}",
            kept.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn check_four_sounds(audio: &Captured) -> Result<(), String> {
    let sounds = check_sounds(
        audio,
        &[
            SoundKind::Call,
            SoundKind::Call,
            SoundKind::Call,
            SoundKind::Recall,
        ],
    )?;
    // Never overlapping: the configured gap, give or take scheduling, between each pair.
    for pair in sounds.windows(2) {
        let gap = pair[1].start - pair[0].end;
        if gap < GAP.as_secs_f64() * 0.75 {
            return Err(format!("a gap of only {gap:.3} s; found {sounds:?}"));
        }
        if gap > GAP.as_secs_f64() + 1.0 {
            return Err(format!(
                "a gap of {gap:.3} s, far over the configured one; found {sounds:?}"
            ));
        }
    }
    Ok(())
}
