//! Spoken calls through real ALSA: the board's voice hook and sound queue, played into the
//! FIFO-paced capture of `support::capture` (see tests/audio.rs for how it works).
//!
//! A child process (this test binary again, running one ignored `child_*` test) starts the sound
//! output with the built-in voice pack, then sounds a call and, half a second later, a recall,
//! each as the board does: its chime, then its words. The parent finds in the capture, in order
//! and each whole, the chime, "numer a dwadzieścia dwa, stanowisko dwa", the recall sound and
//! "ponownie numer …", by cross-correlation against the pack's own clips, and nothing after them.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::capture::{Capture, capture_conf, scratch_dir, write_alsa_conf};
use tablica::audio::{AudioConfig, BUILTIN_CHIME, BUILTIN_RECALL, Chimes, SoundKind};
use tablica::protocol::CallInfo;
use tablica::voice::VoiceConfig;
use tablica::voice::pack::{self, VoicePack};

const CHILD_ENV: &str = "TABLICA_VOICE_CHILD";
/// The rate the capture and the clips are compared at: plenty for speech, cheap to correlate.
const RATE: u32 = 8000;
/// Each thing heard must correlate at least this well with its source. Unrelated words of the
/// pack correlate below 0.5; resampling by the audio stack and here costs a few hundredths.
const MIN_MATCH: f32 = 0.8;

fn builtin_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice/pl")
}

/// Low-passes with a box filter of about one output sample and resamples to [`RATE`], so that
/// sources at any rate are compared alike.
fn to_rate(samples: &[f32], rate: u32) -> Vec<f32> {
    let width = (rate as usize).div_ceil(RATE as usize).max(1);
    let mut acc = 0.0;
    let smoothed: Vec<f32> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            acc += s;
            if i >= width {
                acc -= samples[i - width];
            }
            acc / width as f32
        })
        .collect();
    pack::resample(&smoothed, rate, RATE)
}

fn ncc(signal: &[f32], clip: &[f32], at: usize) -> f32 {
    let Some(s) = signal.get(at..at + clip.len()) else {
        return f32::MIN;
    };
    let dot: f32 = s.iter().zip(clip).map(|(a, b)| a * b).sum();
    let ns: f32 = s.iter().map(|a| a * a).sum::<f32>().sqrt();
    let nc: f32 = clip.iter().map(|a| a * a).sum::<f32>().sqrt();
    dot / (ns * nc).max(1e-9)
}

/// Finds each `(name, template)` in order, each starting within 1.5 s of the end of the one
/// before; returns where each was found or what was not.
fn find_in_order(signal: &[f32], items: &[(String, Vec<f32>)]) -> Result<Vec<usize>, String> {
    let mut cursor = 0;
    let mut found = Vec::new();
    for (name, template) in items {
        let offset = template.len().saturating_sub(512) / 2;
        let probe = &template[offset..(offset + 512).min(template.len())];
        let last = cursor + RATE as usize * 3 / 2;
        let (at, _) = (cursor..=last)
            .map(|at| (at, ncc(signal, probe, at + offset)))
            .fold((0, f32::MIN), |b, x| if x.1 > b.1 { x } else { b });
        let whole = ncc(signal, template, at);
        if whole < MIN_MATCH {
            return Err(format!(
                "{name} not heard after {:.2} s (best match {whole:.2} at {:.2} s); found so far at {:?}",
                cursor as f32 / RATE as f32,
                at as f32 / RATE as f32,
                found
                    .iter()
                    .map(|a| format!("{:.2}", *a as f32 / RATE as f32))
                    .collect::<Vec<_>>()
            ));
        }
        found.push(at);
        cursor = at + template.len();
    }
    let after = signal[cursor.min(signal.len())..]
        .iter()
        .fold(0.0f32, |m, s| m.max(s.abs()));
    if after > 0.01 {
        return Err(format!("sound after the last word (peak {after})"));
    }
    Ok(found)
}

#[test]
fn a_call_and_a_recall_half_a_second_apart_are_heard_whole_chime_then_words() {
    let dir = scratch_dir("tablica-voice-");
    let capture = Capture::start(dir.path());
    let conf = write_alsa_conf(dir.path(), &capture_conf(&capture.fifo));
    let output = run_child("child_calls_and_recalls_with_voice", &conf, dir.path());
    let audio = capture.finish();
    audio.save_wav(&dir.path().join("capture.wav"));

    let (pack, problems) = VoicePack::load(&builtin_dir()).unwrap();
    assert!(problems.is_empty());
    let clip = |w: &str| {
        (
            format!("\"{w}\""),
            to_rate(pack.clip(w).unwrap(), pack.sample_rate),
        )
    };
    let chime = |name: &str, bytes: &[u8]| {
        let raw = pack::decode(bytes.to_vec()).unwrap();
        (name.to_owned(), to_rate(&raw.samples, raw.sample_rate))
    };
    let mut expected = vec![chime("the call chime", BUILTIN_CHIME)];
    for w in ["numer", "a", "dwadzieścia", "dwa", "stanowisko", "dwa"] {
        expected.push(clip(w));
    }
    expected.push(chime("the recall sound", BUILTIN_RECALL));
    for w in [
        "ponownie",
        "numer",
        "be",
        "sto",
        "dwadzieścia",
        "stanowisko",
        "trzy",
        "a",
    ] {
        expected.push(clip(w));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = if !(output.status.success() && stdout.contains("1 passed")) {
        Err(format!("child failed ({})", output.status))
    } else {
        find_in_order(&to_rate(&audio.mono, audio.rate), &expected).map(|_| ())
    };
    if let Err(e) = result {
        let kept = dir.keep();
        panic!(
            "{e}\nfiles kept in {}\n--- child stdout\n{stdout}\n--- child stderr\n{}",
            kept.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
#[ignore = "run by a_call_and_a_recall_half_a_second_apart_are_heard_whole_chime_then_words"]
fn child_calls_and_recalls_with_voice() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter("tablica=debug")
        .with_writer(std::io::stderr)
        .try_init();
    let chimes = std::sync::Arc::new(Chimes::start(AudioConfig {
        gap: Duration::from_millis(400),
        ..AudioConfig::default()
    }));
    let config = VoiceConfig {
        enabled: true,
        pack: Some(builtin_dir()),
        ..VoiceConfig::default()
    };
    let mut voice = tablica::cmd::voice::call_voice(&config, chimes.clone()).expect("voice on");
    let call = |ticket: &str, counter: &str, recall: bool| CallInfo {
        ticket: ticket.into(),
        service: "dowody".into(),
        counter: counter.into(),
        time: jiff::Timestamp::now(),
        recall,
    };
    // As `Core::tick` does when a call's turn on screen begins: the chime, then the words.
    chimes.play(SoundKind::Call, jiff::Timestamp::now());
    voice(&call("A022", "st2", false), "2");
    std::thread::sleep(Duration::from_millis(500));
    chimes.play(SoundKind::Recall, jiff::Timestamp::now());
    voice(&call("B120", "st3", true), "3A");
    assert!(
        chimes.wait_idle(Duration::from_secs(25)),
        "sounds did not finish"
    );
    let status = chimes.status();
    assert_eq!(status.played, 4, "{status:?}");
    // Dropping closes the stream, which lets the file plugin flush and close the FIFO.
    drop(voice);
    drop(std::sync::Arc::into_inner(chimes).expect("the only handle left"));
}

fn run_child(test: &str, alsa_conf: &Path, home: &Path) -> std::process::Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
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
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    // Generous for a loaded machine: the sounds themselves last about 12 s.
    let deadline = Instant::now() + Duration::from_secs(60);
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
