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
//! fails) for `sox FILE -n stat`.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tablica::audio::{AudioConfig, AudioState, BUILTIN_CHIME, BUILTIN_RECALL, Chimes, SoundKind};

/// The gap the capture scenario configures between sounds.
const GAP: Duration = Duration::from_millis(400);

/// Set in the child processes; names the scenario's extra input where it needs one.
const CHILD_ENV: &str = "TABLICA_AUDIO_CHILD";

// ---------------------------------------------------------------------------------------------
// Parent tests

#[test]
fn four_queued_sounds_are_captured_in_order_whole_and_apart() {
    let dir = scratch_dir();
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
    let dir = scratch_dir();
    let conf = write_alsa_conf(dir.path(), NO_DEVICE_CONF);
    let output = run_child("child_without_device", &conf, dir.path(), &[]);
    finish(dir, check_child(&output), &output);
}

#[test]
fn sound_comes_back_when_the_device_appears() {
    let dir = scratch_dir();
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

fn scratch_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tablica-audio-")
        .tempdir()
        .unwrap()
}

/// A default device that cannot be opened: a card that does not exist.
const NO_DEVICE_CONF: &str = "pcm.!default { type hw card 63 }\nctl.!default { type hw card 63 }";

fn capture_conf(fifo: &Path) -> String {
    format!(
        "pcm.!default {{ type file slave.pcm \"null\" file \"{}\" format \"wav\" }}\n\
         ctl.!default {{ type hw card 63 }}",
        fifo.display()
    )
}

/// The system's configuration first (it defines the `null` device and the plugin types), then
/// the scenario's override of the default device.
fn alsa_conf_text(overrides: &str) -> String {
    format!("</usr/share/alsa/alsa.conf>\n{overrides}\n")
}

fn write_alsa_conf(dir: &Path, overrides: &str) -> PathBuf {
    let path = dir.join("asound.conf");
    std::fs::write(&path, alsa_conf_text(overrides)).unwrap();
    path
}

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

// ---------------------------------------------------------------------------------------------
// Capturing through a FIFO at real-time pace

struct Capture {
    fifo: PathBuf,
    stop: Arc<AtomicBool>,
    reader: JoinHandle<Captured>,
}

/// What the child played, downmixed to mono.
struct Captured {
    mono: Vec<f32>,
    rate: u32,
}

impl Capture {
    fn start(dir: &Path) -> Capture {
        let fifo = dir.join("capture.fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
        // Read and write: holding a write end means the child's opens never block waiting for
        // a reader and its closes (ALSA opens the device several times) never end our reads.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let stop = stop.clone();
            std::thread::spawn(move || read_paced(file, &stop))
        };
        Capture { fifo, stop, reader }
    }

    /// Stops reading (once the child has exited) and decodes what was read.
    fn finish(self) -> Captured {
        self.stop.store(true, Ordering::SeqCst);
        self.reader.join().unwrap()
    }
}

/// Reads the WAV stream the file plugin writes, no faster than its sample rate.
fn read_paced(mut file: File, stop: &AtomicBool) -> Captured {
    let mut bytes = Vec::new();
    let mut header: Option<(WavFormat, Instant)> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let budget = match &header {
            None => 64,
            Some((format, since)) => {
                let due = format.data_offset
                    + (since.elapsed().as_secs_f64() * f64::from(format.byte_rate())) as usize;
                due.saturating_sub(bytes.len())
            }
        };
        let stopping = stop.load(Ordering::SeqCst);
        // Once the child has exited, what is left in the pipe is read at once.
        let want = if stopping {
            buf.len()
        } else {
            budget.min(buf.len())
        };
        let got = if want == 0 {
            0
        } else {
            match file.read(&mut buf[..want]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
                Err(e) => panic!("reading the capture FIFO: {e}"),
            }
        };
        bytes.extend_from_slice(&buf[..got]);
        if header.is_none() {
            header = WavFormat::parse(&bytes).map(|format| (format, Instant::now()));
        }
        if got == 0 {
            if stopping {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    match header {
        Some((format, _)) => format.decode_mono(&bytes[format.data_offset..]),
        None => Captured {
            mono: Vec::new(),
            rate: 44_100,
        },
    }
}

impl Captured {
    /// Writes the capture as 16-bit mono WAV, for listening and `sox FILE -n stat`.
    fn save_wav(&self, path: &Path) {
        let samples: Vec<i16> = self
            .mono
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
            .collect();
        std::fs::write(path, tablica::audio::synth::encode_wav(&samples, self.rate)).unwrap();
    }
}

/// The parts of a WAV header that matter here. The sizes in the header are not used: written to
/// a FIFO, the file plugin cannot go back to fill them in.
#[derive(Debug, Clone, Copy)]
struct WavFormat {
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    data_offset: usize,
}

impl WavFormat {
    fn parse(bytes: &[u8]) -> Option<WavFormat> {
        if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return None;
        }
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let mut at = 12;
        let mut fmt = None;
        while at + 8 <= bytes.len() {
            let id = &bytes[at..at + 4];
            let len = u32_at(at + 4) as usize;
            if id == b"fmt " {
                if at + 8 + 16 > bytes.len() {
                    return None;
                }
                fmt = Some((
                    u16_at(at + 8),
                    u16_at(at + 10),
                    u32_at(at + 12),
                    u16_at(at + 22),
                ));
            } else if id == b"data" {
                let (tag, channels, rate, bits) = fmt?;
                return Some(WavFormat {
                    tag,
                    channels,
                    rate,
                    bits,
                    data_offset: at + 8,
                });
            }
            at += 8 + len + (len & 1);
        }
        None
    }

    fn byte_rate(&self) -> u32 {
        self.rate * u32::from(self.channels) * u32::from(self.bits / 8)
    }

    /// Decodes interleaved samples and averages the channels. ALSA's file plugin labels 32-bit
    /// float as integer PCM, so 32-bit data is read as float when it looks like float.
    fn decode_mono(&self, data: &[u8]) -> Captured {
        let values: Vec<f32> = match (self.tag, self.bits) {
            (1, 16) => data
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                .collect(),
            (_, 32) => {
                let floats: Vec<f32> = data
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                if self.tag == 3 || floats.iter().all(|f| f.is_finite() && f.abs() <= 4.0) {
                    floats
                } else {
                    data.chunks_exact(4)
                        .map(|c| i32::from_le_bytes(c.try_into().unwrap()) as f32 / 2_147_483_648.0)
                        .collect()
                }
            }
            other => panic!("unexpected capture format {other:?} ({self:?})"),
        };
        let channels = usize::from(self.channels.max(1));
        Captured {
            mono: values
                .chunks_exact(channels)
                .map(|frame| frame.iter().sum::<f32>() / channels as f32)
                .collect(),
            rate: self.rate,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Finding and recognising sounds

/// Analysis window: 10 ms.
const WINDOW_S: f64 = 0.01;
/// A window is "sound" above −40 dBFS RMS.
const THRESHOLD_RMS: f32 = 0.01;
/// Silence shorter than this does not separate two sounds.
const MIN_SILENCE_S: f64 = 0.15;

/// A sound found in a recording, in seconds from its start.
#[derive(Debug, Clone, Copy)]
struct Found {
    start: f64,
    end: f64,
}

impl Found {
    fn len(&self) -> f64 {
        self.end - self.start
    }
}

/// Onset detection: windows whose energy is above the threshold, grouped into sounds wherever
/// at least [`MIN_SILENCE_S`] of silence lies between them.
fn find_sounds(samples: &[f32], rate: u32) -> Vec<Found> {
    let window = (f64::from(rate) * WINDOW_S).round() as usize;
    let loud: Vec<bool> = samples
        .chunks(window)
        .map(|w| (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt() > THRESHOLD_RMS)
        .collect();
    let min_silence = (MIN_SILENCE_S / WINDOW_S).round() as usize;
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (i, _) in loud.iter().enumerate().filter(|(_, l)| **l) {
        match found.last_mut() {
            Some((_, end)) if i - *end < min_silence => *end = i + 1,
            _ => found.push((i, i + 1)),
        }
    }
    found
        .into_iter()
        .map(|(s, e)| Found {
            start: s as f64 * WINDOW_S,
            end: e as f64 * WINDOW_S,
        })
        .collect()
}

/// Energy of one frequency in a stretch of samples (Goertzel).
fn energy_at(samples: &[f32], rate: u32, freq: f64) -> f64 {
    let w = std::f64::consts::TAU * freq / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0_f64, 0.0_f64);
    for &x in samples {
        let s0 = f64::from(x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// Which built-in sound a found sound is, by the pitch its end rings at: the call ends on C5,
/// the recall an octave higher on C6.
fn kind_of(samples: &[f32], rate: u32, found: &Found) -> SoundKind {
    let from = ((found.start + found.len() * 0.6) * f64::from(rate)) as usize;
    let to = ((found.end * f64::from(rate)) as usize).min(samples.len());
    let tail = &samples[from..to];
    if energy_at(tail, rate, 523.25) > energy_at(tail, rate, 1046.5) {
        SoundKind::Call
    } else {
        SoundKind::Recall
    }
}

/// The length the detector measures for a built-in sound on its own.
fn source_length(wav: &[u8]) -> f64 {
    let format = WavFormat::parse(wav).unwrap();
    let source = format.decode_mono(&wav[format.data_offset..]);
    let found = find_sounds(&source.mono, source.rate);
    assert_eq!(
        found.len(),
        1,
        "a built-in sound must be one sound: {found:?}"
    );
    found[0].len()
}

fn check_four_sounds(audio: &Captured) -> Result<(), String> {
    let sounds = find_sounds(&audio.mono, audio.rate);
    let summary = format!(
        "found {sounds:?} in {:.2} s",
        audio.mono.len() as f64 / f64::from(audio.rate)
    );
    if sounds.len() != 4 {
        return Err(format!("expected 4 sounds, {summary}"));
    }
    let expected = [
        SoundKind::Call,
        SoundKind::Call,
        SoundKind::Call,
        SoundKind::Recall,
    ];
    let kinds: Vec<SoundKind> = sounds
        .iter()
        .map(|s| kind_of(&audio.mono, audio.rate, s))
        .collect();
    if kinds != expected {
        return Err(format!("expected {expected:?}, heard {kinds:?}; {summary}"));
    }
    // Not cut short (nor stretched): each sound as long as its source, within two windows.
    for (found, kind) in sounds.iter().zip(kinds) {
        let source = match kind {
            SoundKind::Call => source_length(BUILTIN_CHIME),
            SoundKind::Recall => source_length(BUILTIN_RECALL),
        };
        if (found.len() - source).abs() > 2.0 * WINDOW_S + 1e-9 {
            return Err(format!(
                "a {kind:?} lasted {:.3} s, its source {source:.3} s; {summary}",
                found.len()
            ));
        }
    }
    // Never overlapping: the configured gap, give or take scheduling, between each pair.
    for pair in sounds.windows(2) {
        let gap = pair[1].start - pair[0].end;
        if gap < GAP.as_secs_f64() * 0.75 {
            return Err(format!("a gap of only {gap:.3} s; {summary}"));
        }
        if gap > GAP.as_secs_f64() + 1.0 {
            return Err(format!(
                "a gap of {gap:.3} s, far over the configured one; {summary}"
            ));
        }
    }
    // Played at full volume: the built-in sounds peak at −3 dBFS.
    let peak = audio.mono.iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    if !(0.6..=0.75).contains(&peak) {
        return Err(format!("peak {peak:.3}, expected about 0.708; {summary}"));
    }
    Ok(())
}
