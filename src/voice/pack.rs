//! Voice packs: a folder with a `voice.toml` and one clip per word.
//!
//! ```toml
//! language = "pl"
//! name = "Lektor UM Rzeszów"          # optional, for logs
//! [phrases]                           # optional; these are the defaults
//! call = "numer {ticket}, stanowisko {counter}"
//! recall = "ponownie numer {ticket}, stanowisko {counter}"
//! call_no_counter = "numer {ticket}, zapraszamy"            # a call that names no counter
//! recall_no_counter = "ponownie numer {ticket}, zapraszamy"
//! [gaps]                              # optional; milliseconds
//! word_ms = 60                        # between words
//! pause_ms = 250                      # at a comma or full stop of the phrase
//! [clips]                             # optional: a word's file when it is not the usual name
//! "siedemnaście" = "17.wav"
//! ```
//!
//! A word's clip is `clip_stem(word).wav` or `.ogg` (see [`super::clip_stem`]) unless `[clips]`
//! names another file. Clips are decoded to mono, trimmed of leading and trailing silence and
//! brought to one loudness when loaded, so that a pack recorded on a phone in one sitting sounds
//! even; a call is then the clips one after another with the pack's gaps, in one buffer.

use super::phrase::{Item, Phrases, Template, TemplateError};
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The pack's description file in its folder.
pub const PACK_FILE: &str = "voice.toml";
/// The extensions tried, in order, for a word's clip.
pub const CLIP_EXTENSIONS: [&str; 2] = ["wav", "ogg"];
/// A clip file larger than this is not read: a spoken word is well under a second, and 1 MiB is
/// over 10 s of 48 kHz 16-bit mono.
pub const MAX_CLIP_BYTES: u64 = 1024 * 1024;
/// A clip longer than this, before trimming, is refused: it cannot be one word.
pub const MAX_CLIP_SECONDS: u32 = 5;
/// Largest `voice.toml` read.
const MAX_PACK_FILE_BYTES: u64 = 64 * 1024;
/// Largest gap accepted, in milliseconds.
pub const MAX_GAP_MS: u32 = 2000;

/// Analysis window for trimming and loudness: 10 ms.
const WINDOW_S: f32 = 0.010;
/// A clip whose loudest 10 ms is quieter than this (−45 dBFS RMS) has nothing usable in it.
const SILENT_RMS: f32 = 0.005_6;
/// Trimming keeps everything from the first to the last window within 35 dB of the loudest one
/// (and above −60 dBFS), which cuts room noise but keeps the soft ends of "ść" and "sz".
const TRIM_BELOW_LOUDEST: f32 = 0.017_8;
const TRIM_FLOOR: f32 = 0.001;
/// A sample at or above this magnitude is at full scale.
const FULL_SCALE: f32 = 0.99;
/// This many full-scale samples in a row mean the recording was clipped (a single full-scale
/// sample can be a peak-normalised file; a flat top of several cannot).
const CLIPPED_RUN: usize = 3;
/// Loudness after normalisation: the RMS of the speech (windows above the trimming threshold),
/// −20 dBFS, with the peak limited to −1 dBFS.
const TARGET_RMS: f32 = 0.1;
const PEAK_LIMIT: f32 = 0.89;
/// Fade at each end of a trimmed clip, so that cutting mid-wave does not click.
const FADE_S: f32 = 0.005;

/// What went wrong with one clip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipFault {
    /// No file for the word.
    Missing,
    /// The file exists but cannot be read or decoded, or is too large or too long.
    Unreadable(String),
    /// Nothing audible in the file.
    Silent,
    /// The recording is clipped (`runs` flat tops at full scale): re-record it quieter.
    Clipped { runs: usize },
}

/// One clip's problem, with the exact file name to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipProblem {
    pub word: String,
    /// The file, relative to the pack folder: the one found, or the one to record.
    pub file: String,
    pub fault: ClipFault,
}

impl std::fmt::Display for ClipProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (word, file) = (&self.word, &self.file);
        match &self.fault {
            ClipFault::Missing => write!(f, "{file}: missing (record \"{word}\")"),
            ClipFault::Unreadable(why) => write!(f, "{file}: unreadable ({why}) for \"{word}\""),
            ClipFault::Silent => write!(f, "{file}: silent (re-record \"{word}\")"),
            ClipFault::Clipped { runs } => write!(
                f,
                "{file}: clipped in {runs} places (re-record \"{word}\" quieter)"
            ),
        }
    }
}

/// A pack that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{path}: phrase `{key}`: {source}")]
    Phrase {
        path: PathBuf,
        key: &'static str,
        source: TemplateError,
    },
    #[error("{path}: gap {key} = {value} ms is more than {max} ms", max = MAX_GAP_MS)]
    Gap {
        path: PathBuf,
        key: &'static str,
        value: u32,
    },
    #[error("{path}: clip file `{file}` for \"{word}\" must be a plain file name inside the pack")]
    ClipPath {
        path: PathBuf,
        word: String,
        file: String,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    language: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    phrases: PhrasesFile,
    #[serde(default)]
    gaps: Gaps,
    #[serde(default)]
    clips: BTreeMap<String, String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PhrasesFile {
    call: Option<String>,
    recall: Option<String>,
    call_no_counter: Option<String>,
    recall_no_counter: Option<String>,
}

/// The silences a call is put together with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gaps {
    /// Between two words.
    pub word_ms: u32,
    /// At a pause of the phrase (a comma), instead of the word gap.
    pub pause_ms: u32,
}

impl Default for Gaps {
    fn default() -> Self {
        Gaps {
            word_ms: 60,
            pause_ms: 250,
        }
    }
}

/// A pack's `voice.toml`, read and checked, with no audio loaded yet.
#[derive(Debug, Clone)]
pub struct PackSpec {
    pub dir: PathBuf,
    pub language: String,
    pub name: Option<String>,
    pub phrases: Phrases,
    pub gaps: Gaps,
    /// Words whose clip is not at the usual file name.
    pub clips: BTreeMap<String, String>,
}

impl PackSpec {
    /// Reads `dir/voice.toml`.
    pub fn read(dir: &Path) -> Result<PackSpec, PackError> {
        let path = dir.join(PACK_FILE);
        let read_err = |source| PackError::Read {
            path: path.clone(),
            source,
        };
        let len = std::fs::metadata(&path).map_err(read_err)?.len();
        if len > MAX_PACK_FILE_BYTES {
            return Err(PackError::Toml {
                path,
                message: format!("{len} bytes; a voice.toml is at most {MAX_PACK_FILE_BYTES}"),
            });
        }
        let text = std::fs::read_to_string(&path).map_err(read_err)?;
        Self::parse(dir, &text)
    }

    /// Parses the text of a `voice.toml` belonging to the pack in `dir`.
    pub fn parse(dir: &Path, text: &str) -> Result<PackSpec, PackError> {
        let path = dir.join(PACK_FILE);
        let file: PackFile = toml::from_str(text).map_err(|e| PackError::Toml {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let phrase = |key: &'static str, text: Option<String>, default: &Template| match text {
            None => Ok(default.clone()),
            Some(t) => {
                let parsed = if key.ends_with("_no_counter") {
                    Template::parse_without_counter(&t)
                } else {
                    Template::parse(&t)
                };
                parsed.map_err(|source| PackError::Phrase {
                    path: path.clone(),
                    key,
                    source,
                })
            }
        };
        let defaults = Phrases::default();
        let given = file.phrases;
        let phrases = Phrases {
            call: phrase("call", given.call, &defaults.call)?,
            recall: phrase("recall", given.recall, &defaults.recall)?,
            call_no_counter: phrase(
                "call_no_counter",
                given.call_no_counter,
                &defaults.call_no_counter,
            )?,
            recall_no_counter: phrase(
                "recall_no_counter",
                given.recall_no_counter,
                &defaults.recall_no_counter,
            )?,
        };
        for (key, value) in [
            ("word_ms", file.gaps.word_ms),
            ("pause_ms", file.gaps.pause_ms),
        ] {
            if value > MAX_GAP_MS {
                return Err(PackError::Gap { path, key, value });
            }
        }
        let mut clips = BTreeMap::new();
        for (word, file_name) in file.clips {
            // A clip is a file of the pack, never a path out of it: a pack is copied around as
            // one folder, and must not read whatever a path in it points to.
            let plain = Path::new(&file_name)
                .file_name()
                .is_some_and(|n| n == file_name.as_str());
            if !plain || file_name.starts_with('.') {
                return Err(PackError::ClipPath {
                    path,
                    word,
                    file: file_name,
                });
            }
            clips.insert(word.to_lowercase(), file_name);
        }
        Ok(PackSpec {
            dir: dir.to_owned(),
            language: file.language,
            name: file.name,
            phrases,
            gaps: file.gaps,
            clips,
        })
    }

    /// Every word this pack needs a clip for: its phrases' words, the numeral words and the
    /// letter names.
    pub fn vocabulary(&self) -> Vec<String> {
        self.phrases.vocabulary()
    }

    /// The file a word's clip is read from: the `[clips]` entry, else the first of
    /// `STEM.wav`, `STEM.ogg` that exists, else (for messages) `STEM.wav`.
    pub fn clip_file(&self, word: &str) -> (String, bool) {
        let word = word.to_lowercase();
        if let Some(f) = self.clips.get(&word) {
            return (f.clone(), self.dir.join(f).is_file());
        }
        let stem = super::clip_stem(&word);
        for ext in CLIP_EXTENSIONS {
            let name = format!("{stem}.{ext}");
            if self.dir.join(&name).is_file() {
                return (name, true);
            }
        }
        (format!("{stem}.{}", CLIP_EXTENSIONS[0]), false)
    }
}

/// A clip as decoded: mono, at its own rate.
#[derive(Debug, Clone)]
pub struct RawClip {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}

/// Decodes a WAV or Ogg Vorbis file held in memory to mono.
pub fn decode(bytes: Vec<u8>) -> Result<RawClip, String> {
    use rodio::Source;
    let decoder = rodio::Decoder::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let channels = usize::from(decoder.channels());
    let sample_rate = decoder.sample_rate();
    if channels == 0 || !(4000..=192_000).contains(&sample_rate) {
        return Err(format!("{channels} channels at {sample_rate} Hz"));
    }
    let max = MAX_CLIP_SECONDS as usize * sample_rate as usize * channels;
    // One sample more than allowed tells "too long" from "exactly at the limit" without
    // decoding the rest of a long file.
    let interleaved: Vec<f32> = decoder.take(max + 1).collect();
    if interleaved.len() > max {
        return Err(format!("longer than {MAX_CLIP_SECONDS} s"));
    }
    let samples = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    Ok(RawClip {
        sample_rate,
        samples,
    })
}

/// Reads and decodes a clip file.
pub fn read_clip(path: &Path) -> Result<RawClip, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_CLIP_BYTES {
        return Err(format!("{len} bytes, more than {MAX_CLIP_BYTES}"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    decode(bytes)
}

/// Root mean square of each 10 ms window.
fn window_rms(samples: &[f32], sample_rate: u32) -> (usize, Vec<f32>) {
    let window = ((sample_rate as f32 * WINDOW_S) as usize).max(1);
    let rms = samples
        .chunks(window)
        .map(|w| (w.iter().map(|s| s * s).sum::<f32>() / w.len() as f32).sqrt())
        .collect();
    (window, rms)
}

/// How many flat tops at full scale (runs of [`CLIPPED_RUN`] or more samples) a clip has.
pub fn clipped_runs(samples: &[f32]) -> usize {
    let mut runs = 0;
    let mut run = 0;
    for s in samples {
        if s.abs() >= FULL_SCALE {
            run += 1;
            if run == CLIPPED_RUN {
                runs += 1;
            }
        } else {
            run = 0;
        }
    }
    runs
}

/// Whether nothing in the clip is loud enough to be speech.
pub fn is_silent(clip: &RawClip) -> bool {
    let (_, rms) = window_rms(&clip.samples, clip.sample_rate);
    rms.iter().copied().fold(0.0, f32::max) < SILENT_RMS
}

/// Trims leading and trailing silence, brings the speech to the target loudness and fades the
/// ends. A silent clip comes back empty.
pub fn prepare(clip: &RawClip) -> Vec<f32> {
    let (window, rms) = window_rms(&clip.samples, clip.sample_rate);
    let loudest = rms.iter().copied().fold(0.0, f32::max);
    if loudest < SILENT_RMS {
        return Vec::new();
    }
    let threshold = (loudest * TRIM_BELOW_LOUDEST).max(TRIM_FLOOR);
    let first = rms.iter().position(|r| *r >= threshold).unwrap_or(0);
    let last = rms.iter().rposition(|r| *r >= threshold).unwrap_or(0);
    // One window of margin each side keeps the onset of a plosive.
    let start = first.saturating_sub(1) * window;
    let end = ((last + 2) * window).min(clip.samples.len());
    let mut out = clip.samples[start..end].to_vec();
    // Loudness: RMS over the speech windows only, so that pauses inside a word do not count.
    let speech: Vec<f32> = rms[first..=last]
        .iter()
        .copied()
        .filter(|r| *r >= threshold)
        .collect();
    let speech_rms =
        (speech.iter().map(|r| r * r).sum::<f32>() / speech.len().max(1) as f32).sqrt();
    let peak = out.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let gain = (TARGET_RMS / speech_rms.max(1e-6)).min(PEAK_LIMIT / peak.max(1e-6));
    let fade = ((clip.sample_rate as f32 * FADE_S) as usize).clamp(1, out.len() / 2 + 1);
    let len = out.len();
    for (i, s) in out.iter_mut().enumerate() {
        let edge = i.min(len - 1 - i);
        let ramp = if edge < fade {
            edge as f32 / fade as f32
        } else {
            1.0
        };
        *s *= gain * ramp;
    }
    out
}

/// Linear-interpolation resampling: enough for speech clips between common rates.
pub fn resample(samples: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || samples.is_empty() {
        return samples.to_vec();
    }
    let out_len = (samples.len() as u64 * u64::from(to) / u64::from(from)).max(1) as usize;
    let step = f64::from(from) / f64::from(to);
    (0..out_len)
        .map(|i| {
            let pos = i as f64 * step;
            let j = pos.floor() as usize;
            let frac = (pos - j as f64) as f32;
            let a = samples[j.min(samples.len() - 1)];
            let b = samples[(j + 1).min(samples.len() - 1)];
            a + (b - a) * frac
        })
        .collect()
}

/// Inspects every clip of a pack without keeping the audio: what `tablica voice check` prints.
/// Returns the problems in vocabulary order (empty: the pack is complete).
pub fn check(spec: &PackSpec) -> Vec<ClipProblem> {
    spec.vocabulary()
        .into_iter()
        .filter_map(|word| {
            let (file, exists) = spec.clip_file(&word);
            let fault = if !exists {
                Some(ClipFault::Missing)
            } else {
                match read_clip(&spec.dir.join(&file)) {
                    Err(why) => Some(ClipFault::Unreadable(why)),
                    Ok(clip) if is_silent(&clip) => Some(ClipFault::Silent),
                    Ok(clip) => match clipped_runs(&clip.samples) {
                        0 => None,
                        runs => Some(ClipFault::Clipped { runs }),
                    },
                }
            };
            fault.map(|fault| ClipProblem { word, file, fault })
        })
        .collect()
}

/// A loaded pack: every usable clip trimmed, normalised and at one sample rate.
#[derive(Debug, Clone)]
pub struct VoicePack {
    pub spec: PackSpec,
    pub sample_rate: u32,
    clips: HashMap<String, Arc<[f32]>>,
}

/// A call put together: one mono buffer and where each word lies in it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
    pub segments: Vec<Segment>,
}

/// One word's place in a [`Rendered`] call, in samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub word: String,
    pub start: usize,
    pub len: usize,
}

/// Words a call needs that the pack has no usable clip for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the voice pack has no clip for {}", .0.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "))]
pub struct MissingWords(pub Vec<String>);

impl VoicePack {
    /// Loads the pack in `dir`. Clips that are missing, unreadable or silent are left out and
    /// returned as problems (a call needing one of them is not spoken; see [`Self::render`]);
    /// clipped clips are used but reported. Only a broken `voice.toml` fails the whole load.
    pub fn load(dir: &Path) -> Result<(VoicePack, Vec<ClipProblem>), PackError> {
        let spec = PackSpec::read(dir)?;
        let mut problems = Vec::new();
        let mut raw: Vec<(String, RawClip)> = Vec::new();
        for word in spec.vocabulary() {
            let (file, exists) = spec.clip_file(&word);
            let problem = |fault| ClipProblem {
                word: word.clone(),
                file: file.clone(),
                fault,
            };
            if !exists {
                problems.push(problem(ClipFault::Missing));
                continue;
            }
            match read_clip(&spec.dir.join(&file)) {
                Err(why) => problems.push(problem(ClipFault::Unreadable(why))),
                Ok(clip) if is_silent(&clip) => problems.push(problem(ClipFault::Silent)),
                Ok(clip) => {
                    let runs = clipped_runs(&clip.samples);
                    if runs > 0 {
                        problems.push(problem(ClipFault::Clipped { runs }));
                    }
                    raw.push((word, clip));
                }
            }
        }
        // The most common rate among the clips, so that as few as possible are resampled.
        let mut rates: HashMap<u32, usize> = HashMap::new();
        for (_, c) in &raw {
            *rates.entry(c.sample_rate).or_default() += 1;
        }
        let sample_rate = rates
            .into_iter()
            .max_by_key(|(rate, n)| (*n, *rate))
            .map_or(16_000, |(rate, _)| rate);
        let clips = raw
            .into_iter()
            .map(|(word, clip)| {
                let prepared = resample(&prepare(&clip), clip.sample_rate, sample_rate);
                (word, Arc::from(prepared))
            })
            .collect();
        Ok((
            VoicePack {
                spec,
                sample_rate,
                clips,
            },
            problems,
        ))
    }

    /// The prepared clip of a word, if the pack has one.
    pub fn clip(&self, word: &str) -> Option<&[f32]> {
        self.clips.get(&word.to_lowercase()).map(|c| &c[..])
    }

    /// What is said for a call of `ticket` at `counter` (`None`: the call names no counter).
    pub fn render_call(
        &self,
        ticket: &str,
        counter: Option<&str>,
        recall: bool,
    ) -> Result<Rendered, MissingWords> {
        self.render(&self.spec.phrases.render(ticket, counter, recall))
    }

    /// Puts the items' clips one after another with the pack's gaps. Fails, naming them, when
    /// any word has no clip: half a call is worse than none, since the screen still shows it.
    pub fn render(&self, items: &[Item]) -> Result<Rendered, MissingWords> {
        let missing: Vec<String> = super::phrase::words(items)
            .into_iter()
            .filter(|w| self.clip(w).is_none())
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(MissingWords(missing));
        }
        let ms = |ms: u32| (u64::from(ms) * u64::from(self.sample_rate) / 1000) as usize;
        let mut samples = Vec::new();
        let mut segments = Vec::new();
        let mut gap = 0;
        for item in items {
            match item {
                Item::Pause => gap = ms(self.spec.gaps.pause_ms),
                Item::Word(w) => {
                    let clip = self.clip(w).unwrap_or_default();
                    if !segments.is_empty() {
                        samples.resize(samples.len() + gap, 0.0);
                    }
                    segments.push(Segment {
                        word: w.clone(),
                        start: samples.len(),
                        len: clip.len(),
                    });
                    samples.extend_from_slice(clip);
                    gap = ms(self.spec.gaps.word_ms);
                }
            }
        }
        Ok(Rendered {
            sample_rate: self.sample_rate,
            samples,
            segments,
        })
    }
}

impl Rendered {
    /// The call as a 16-bit mono WAV file.
    pub fn to_wav(&self) -> Vec<u8> {
        let pcm: Vec<i16> = self
            .samples
            .iter()
            .map(|s| (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16)
            .collect();
        crate::audio::synth::encode_wav(&pcm, self.sample_rate)
    }

    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(
            self.samples.len() as f64 / f64::from(self.sample_rate.max(1)),
        )
    }
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
