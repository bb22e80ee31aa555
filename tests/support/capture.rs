//! Capturing what a process plays through ALSA on a machine without a sound card, and finding
//! the built-in sounds in it.
//!
//! ALSA reads its configuration once per process, when a program first opens a device. A test
//! points `ALSA_CONFIG_PATH` at a file written for it (and `HOME` at a scratch directory, so
//! that no `~/.asoundrc` interferes). The capture configuration routes the default device
//! through ALSA's `file` plugin into a FIFO. The `null` plugin behind it takes samples as fast
//! as they come, so a plain file would receive minutes of audio per second; reading the FIFO
//! no faster than the stream's byte rate makes the pipe's back-pressure pace playback like a
//! sound card would.
//!
//! Written to a FIFO, the WAV header's sizes are never filled in: the reader ignores them and
//! decodes whatever it has read, so a process that is killed still leaves a usable capture.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tablica::audio::{BUILTIN_CHIME, BUILTIN_RECALL, SoundKind};

// ---------------------------------------------------------------------------------------------
// ALSA configurations

/// A default device that cannot be opened: a card that does not exist.
pub const NO_DEVICE_CONF: &str =
    "pcm.!default { type hw card 63 }\nctl.!default { type hw card 63 }";

/// The default device writes WAV into `fifo`.
pub fn capture_conf(fifo: &Path) -> String {
    format!(
        "pcm.!default {{ type file slave.pcm \"null\" file \"{}\" format \"wav\" }}\n\
         ctl.!default {{ type hw card 63 }}",
        fifo.display()
    )
}

/// The system's configuration first (it defines the `null` device and the plugin types), then
/// the scenario's override of the default device.
pub fn alsa_conf_text(overrides: &str) -> String {
    format!("</usr/share/alsa/alsa.conf>\n{overrides}\n")
}

/// Writes `dir/asound.conf`; point `ALSA_CONFIG_PATH` at the returned path.
pub fn write_alsa_conf(dir: &Path, overrides: &str) -> PathBuf {
    let path = dir.join("asound.conf");
    std::fs::write(&path, alsa_conf_text(overrides)).unwrap();
    path
}

/// A scratch directory for one test: its ALSA config, FIFO, `HOME`, captures and logs.
pub fn scratch_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Capturing through a FIFO at real-time pace

/// A FIFO in the scratch directory and the thread reading it.
pub struct Capture {
    pub fifo: PathBuf,
    stop: Arc<AtomicBool>,
    live: Arc<Mutex<Live>>,
    reader: JoinHandle<()>,
}

/// What has been read so far.
#[derive(Default)]
struct Live {
    bytes: Vec<u8>,
    /// The stream's format and when its header arrived (time zero of the capture).
    header: Option<(WavFormat, Instant)>,
}

/// What was played, downmixed to mono.
pub struct Captured {
    pub mono: Vec<f32>,
    pub rate: u32,
}

impl Capture {
    pub fn start(dir: &Path) -> Capture {
        let fifo = dir.join("capture.fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
        // Read and write: holding a write end means the player's opens never block waiting for
        // a reader and its closes (ALSA opens the device several times) never end our reads.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo)
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let live = Arc::new(Mutex::new(Live::default()));
        let reader = {
            let (stop, live) = (stop.clone(), live.clone());
            std::thread::spawn(move || read_paced(file, &stop, &live))
        };
        Capture {
            fifo,
            stop,
            live,
            reader,
        }
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When the WAV header arrived: the moment that time zero of the capture stands for.
    pub fn started(&self) -> Option<Instant> {
        self.live().header.map(|(_, at)| at)
    }

    /// What has been read so far, decoded (for waiting until the sounds have come).
    pub fn so_far(&self) -> Captured {
        decode(&self.live())
    }

    /// Stops reading (once the player has exited: what is left in the pipe is read at once) and
    /// decodes everything read.
    pub fn finish(self) -> Captured {
        self.stop.store(true, Ordering::SeqCst);
        self.reader.join().unwrap();
        decode(&self.live.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

fn decode(live: &Live) -> Captured {
    match live.header {
        Some((format, _)) => format.decode_mono(&live.bytes[format.data_offset..]),
        None => Captured {
            mono: Vec::new(),
            rate: 44_100,
        },
    }
}

/// Reads the WAV stream the file plugin writes, no faster than its sample rate.
fn read_paced(mut file: File, stop: &AtomicBool, live: &Mutex<Live>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let (have, header) = {
            let live = live.lock().unwrap_or_else(|e| e.into_inner());
            (live.bytes.len(), live.header)
        };
        let budget = match &header {
            None => 64,
            Some((format, since)) => {
                let due = format.data_offset
                    + (since.elapsed().as_secs_f64() * f64::from(format.byte_rate())) as usize;
                due.saturating_sub(have)
            }
        };
        let stopping = stop.load(Ordering::SeqCst);
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
        if got > 0 {
            let mut live = live.lock().unwrap_or_else(|e| e.into_inner());
            live.bytes.extend_from_slice(&buf[..got]);
            if live.header.is_none() {
                live.header = WavFormat::parse(&live.bytes).map(|f| (f, Instant::now()));
            }
        }
        if got == 0 {
            if stopping {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Captured {
    /// Seconds of sound read.
    pub fn seconds(&self) -> f64 {
        self.mono.len() as f64 / f64::from(self.rate)
    }

    /// Writes the capture as 16-bit mono WAV, for listening and `sox FILE -n stat`.
    pub fn save_wav(&self, path: &Path) {
        let samples: Vec<i16> = self
            .mono
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * 32767.0).round() as i16)
            .collect();
        std::fs::write(path, tablica::audio::synth::encode_wav(&samples, self.rate)).unwrap();
    }

    pub fn peak(&self) -> f32 {
        self.mono.iter().fold(0.0_f32, |m, s| m.max(s.abs()))
    }
}

/// The parts of a WAV header that matter here. The sizes in the header are not used: written to
/// a FIFO, the file plugin cannot go back to fill them in.
#[derive(Debug, Clone, Copy)]
pub struct WavFormat {
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    data_offset: usize,
}

impl WavFormat {
    pub fn parse(bytes: &[u8]) -> Option<WavFormat> {
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
    pub fn decode_mono(&self, data: &[u8]) -> Captured {
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

/// Decodes a whole WAV file (the built-in sounds).
pub fn decode_wav(wav: &[u8]) -> Captured {
    let format = WavFormat::parse(wav).expect("a WAV file");
    format.decode_mono(&wav[format.data_offset..])
}

// ---------------------------------------------------------------------------------------------
// Finding and recognising sounds

/// Analysis window: 10 ms.
pub const WINDOW_S: f64 = 0.01;
/// A window is "sound" above −40 dBFS RMS.
const THRESHOLD_RMS: f32 = 0.01;
/// Silence shorter than this does not separate two sounds.
const MIN_SILENCE_S: f64 = 0.15;
/// Peak of the built-in sounds at full volume: −3 dBFS.
pub const BUILTIN_PEAK: f32 = 0.708;

/// A sound found in a recording, in seconds from its start.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub start: f64,
    pub end: f64,
}

impl Found {
    pub fn len(&self) -> f64 {
        self.end - self.start
    }
}

/// Onset detection: windows whose energy is above the threshold, grouped into sounds wherever
/// at least [`MIN_SILENCE_S`] of silence lies between them.
pub fn find_sounds(samples: &[f32], rate: u32) -> Vec<Found> {
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
pub fn energy_at(samples: &[f32], rate: u32, freq: f64) -> f64 {
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

/// How much more the winning pitch must ring than the other for a sound to be recognised.
const KIND_MARGIN: f64 = 4.0;

/// Which built-in sound a found sound is, by the pitch its end rings at: the call ends on C5,
/// the recall an octave higher on C6. `None` when neither clearly wins (a mixture, a foreign
/// sound).
pub fn kind_of(samples: &[f32], rate: u32, found: &Found) -> Option<SoundKind> {
    let from = ((found.start + found.len() * 0.6) * f64::from(rate)) as usize;
    let to = ((found.end * f64::from(rate)) as usize).min(samples.len());
    let tail = &samples[from.min(to)..to];
    let (c5, c6) = (energy_at(tail, rate, 523.25), energy_at(tail, rate, 1046.5));
    if c5 > c6 * KIND_MARGIN {
        Some(SoundKind::Call)
    } else if c6 > c5 * KIND_MARGIN {
        Some(SoundKind::Recall)
    } else {
        None
    }
}

/// The length the detector measures for a built-in sound on its own.
pub fn source_length(kind: SoundKind) -> f64 {
    let wav = match kind {
        SoundKind::Call => BUILTIN_CHIME,
        SoundKind::Recall => BUILTIN_RECALL,
    };
    let source = decode_wav(wav);
    let found = find_sounds(&source.mono, source.rate);
    assert_eq!(
        found.len(),
        1,
        "a built-in sound must be one sound: {found:?}"
    );
    found[0].len()
}

/// A one-line account of what was found, for failure messages.
pub fn describe(audio: &Captured, sounds: &[Found]) -> String {
    let list: Vec<String> = sounds
        .iter()
        .map(|s| {
            let kind = kind_of(&audio.mono, audio.rate, s)
                .map_or_else(|| "unrecognised".to_owned(), |k| format!("{k:?}"));
            format!("{kind} {:.2}–{:.2} s", s.start, s.end)
        })
        .collect();
    format!(
        "found [{}] in {:.2} s of capture",
        list.join(", "),
        audio.seconds()
    )
}

/// Checks that `audio` holds exactly the `expected` built-in sounds, in that order, each as long
/// as its source (not cut short, nor two run together), at full volume. Returns where they
/// are; the caller checks the spacing its scenario implies.
pub fn check_sounds(audio: &Captured, expected: &[SoundKind]) -> Result<Vec<Found>, String> {
    let sounds = find_sounds(&audio.mono, audio.rate);
    let summary = describe(audio, &sounds);
    if sounds.len() != expected.len() {
        return Err(format!(
            "expected {} sounds ({expected:?}), {summary}",
            expected.len()
        ));
    }
    let kinds: Vec<Option<SoundKind>> = sounds
        .iter()
        .map(|s| kind_of(&audio.mono, audio.rate, s))
        .collect();
    let wanted: Vec<Option<SoundKind>> = expected.iter().copied().map(Some).collect();
    if kinds != wanted {
        return Err(format!("expected {expected:?}, heard {kinds:?}; {summary}"));
    }
    // Not cut short (nor stretched): each sound as long as its source, within two windows.
    for (found, &kind) in sounds.iter().zip(expected) {
        let source = source_length(kind);
        if (found.len() - source).abs() > 2.0 * WINDOW_S + 1e-9 {
            return Err(format!(
                "a {kind:?} lasted {:.3} s, its source {source:.3} s; {summary}",
                found.len()
            ));
        }
    }
    // Played at full volume: the built-in sounds peak at −3 dBFS.
    let peak = audio.peak();
    if !(0.6..=0.75).contains(&peak) {
        return Err(format!(
            "peak {peak:.3}, expected about {BUILTIN_PEAK}; {summary}"
        ));
    }
    Ok(sounds)
}
