//! Deterministic synthesis of the built-in sounds.
//!
//! The sounds are made by code rather than downloaded so that anyone can see, change and
//! regenerate them (`cargo run --bin make-sounds`), and so that their licence is the project's.
//! Each sound is a sum of struck, bell-like tones: a handful of partials that decay
//! exponentially, higher partials faster, as in a struck metal bar. A soft raised-cosine attack
//! keeps the strike from clicking, and a fade at the very end brings the last sample to zero.

/// Sample rate of the built-in sounds.
pub const SAMPLE_RATE: u32 = 44_100;

/// Peak level of the built-in sounds: −3 dBFS, loud enough to be heard across a waiting room
/// without clipping after resampling.
pub const PEAK: f64 = 0.707_945_784_384_137_9;

/// Rise time of a strike. Under ~5 ms a sine onset clicks; 12 ms still sounds like a strike.
const ATTACK_S: f64 = 0.012;

/// Length of the fade that ends each sound, so that the sound never stops on a non-zero sample.
const FADE_OUT_S: f64 = 0.15;

/// Note frequencies (equal temperament, A4 = 440 Hz).
const C5: f64 = 523.251_130_601_197_3;
const E5: f64 = 659.255_113_825_74;
const G5: f64 = 783.990_871_963_498_8;
const C6: f64 = 1_046.502_261_202_394_5;

/// One partial of a bell-like tone, relative to the strike's fundamental.
struct Partial {
    ratio: f64,
    amplitude: f64,
    /// Time constant of the exponential decay, relative to the strike's `decay_s`.
    decay: f64,
}

/// A mellow, nearly harmonic spectrum: a chime bar rather than a church bell, whose strongly
/// inharmonic partials sound alarming. The slightly sharp fourth partial adds the metallic
/// shimmer of a struck bar and dies within a tenth of a second.
const PARTIALS: [Partial; 4] = [
    Partial {
        ratio: 1.0,
        amplitude: 1.0,
        decay: 1.0,
    },
    Partial {
        ratio: 2.0,
        amplitude: 0.28,
        decay: 0.5,
    },
    Partial {
        ratio: 3.0,
        amplitude: 0.10,
        decay: 0.3,
    },
    Partial {
        ratio: 4.16,
        amplitude: 0.05,
        decay: 0.15,
    },
];

/// One struck tone within a sound.
struct Strike {
    start_s: f64,
    frequency: f64,
    decay_s: f64,
    gain: f64,
}

/// The call sound: a two-tone "ding-dong", E5 then C5, ~1.5 s.
///
/// A falling major third is the interval of a doorbell, which residents already read as
/// "someone is being called". Both notes sit where ageing ears keep most of their hearing.
pub fn chime() -> Vec<i16> {
    render(
        &[
            Strike {
                start_s: 0.0,
                frequency: E5,
                decay_s: 0.45,
                gain: 1.0,
            },
            Strike {
                start_s: 0.5,
                frequency: C5,
                decay_s: 0.5,
                gain: 1.0,
            },
        ],
        1.5,
    )
}

/// The recall sound: three quick rising tones, E5, G5, C6, ~1.1 s.
///
/// It differs from the call in direction (rising, not falling), in structure (three strikes, not
/// two) and in its last pitch (an octave above the call's), so that it is recognised by someone
/// who only half hears it, not merely by being louder.
pub fn recall() -> Vec<i16> {
    render(
        &[
            Strike {
                start_s: 0.0,
                frequency: E5,
                decay_s: 0.22,
                gain: 0.9,
            },
            Strike {
                start_s: 0.18,
                frequency: G5,
                decay_s: 0.22,
                gain: 0.9,
            },
            Strike {
                start_s: 0.36,
                frequency: C6,
                decay_s: 0.35,
                gain: 1.0,
            },
        ],
        1.1,
    )
}

/// Renders strikes into 16-bit mono samples of `length_s` seconds, normalised to [`PEAK`].
fn render(strikes: &[Strike], length_s: f64) -> Vec<i16> {
    let rate = f64::from(SAMPLE_RATE);
    let len = (length_s * rate).round() as usize;
    let mut samples: Vec<f64> = (0..len)
        .map(|i| {
            let t = i as f64 / rate;
            strikes.iter().map(|s| strike_at(s, t)).sum::<f64>() * fade_out(t, length_s)
        })
        .collect();
    let peak = samples.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
    if peak > 0.0 {
        let scale = PEAK / peak;
        samples.iter_mut().for_each(|s| *s *= scale);
    }
    samples
        .into_iter()
        .map(|s| (s * f64::from(i16::MAX)).round() as i16)
        .collect()
}

/// The value of one strike at time `t` (seconds from the start of the sound).
fn strike_at(strike: &Strike, t: f64) -> f64 {
    let t = t - strike.start_s;
    if t < 0.0 {
        return 0.0;
    }
    let attack = if t < ATTACK_S {
        0.5 - 0.5 * (std::f64::consts::PI * t / ATTACK_S).cos()
    } else {
        1.0
    };
    let tone: f64 = PARTIALS
        .iter()
        .map(|p| {
            let decay = (-t / (strike.decay_s * p.decay)).exp();
            let phase = std::f64::consts::TAU * strike.frequency * p.ratio * t;
            p.amplitude * decay * phase.sin()
        })
        .sum();
    strike.gain * attack * tone
}

/// A raised-cosine fade over the last [`FADE_OUT_S`] of a sound.
fn fade_out(t: f64, length_s: f64) -> f64 {
    let left = length_s - t;
    if left >= FADE_OUT_S {
        1.0
    } else {
        0.5 - 0.5 * (std::f64::consts::PI * left.max(0.0) / FADE_OUT_S).cos()
    }
}

/// Encodes 16-bit mono samples as a canonical 44-byte-header PCM WAV file.
pub fn encode_wav(samples: &[i16], sample_rate: u32) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 36);
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}
