//! Audio settings and the pure rule that turns them and the time of day into a volume.

use super::error::AudioError;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Settings of the sound output. Every field has a default, so an empty `[audio]` table works.
///
/// In TOML:
/// ```toml
/// volume = 0.8
/// muted = false
/// gap_ms = 400
/// call_sound = "/etc/tablica/gong.ogg"
/// quiet_periods = [{ start = "00:00", end = "11:00", volume = 0.5 }]
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioConfig {
    /// Master volume, 0.0 (silent) to 1.0 (the sound as recorded). Out-of-range values are
    /// clamped.
    pub volume: f32,
    /// Silences every sound; the queue and the device are still managed so that unmuting works.
    pub muted: bool,
    /// Times of day (Europe/Warsaw) with a reduced volume, multiplied by the master volume.
    pub quiet_periods: Vec<QuietPeriod>,
    /// A WAV or OGG file replacing the built-in call chime.
    pub call_sound: Option<PathBuf>,
    /// A WAV or OGG file replacing the built-in recall sound.
    pub recall_sound: Option<PathBuf>,
    /// Silence between the end of one sound and the start of the next.
    #[serde(rename = "gap_ms", deserialize_with = "millis")]
    pub gap: Duration,
    /// How often to try to open the audio device again while there is none.
    #[serde(rename = "device_retry_ms", deserialize_with = "millis")]
    pub device_retry: Duration,
    /// Sounds waiting to be played at most; beyond it the oldest waiting sound is dropped.
    pub queue_capacity: usize,
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            volume: 1.0,
            muted: false,
            quiet_periods: Vec::new(),
            call_sound: None,
            recall_sound: None,
            gap: Duration::from_millis(400),
            device_retry: Duration::from_secs(30),
            queue_capacity: 64,
        }
    }
}

impl AudioConfig {
    /// Checks the values a person may have got wrong. [`super::Chimes::start`] accepts any
    /// config (it clamps what it must), so call this where the config is loaded to report
    /// mistakes.
    pub fn validate(&self) -> Result<(), AudioError> {
        let check = |what: String, v: f32| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(AudioError::InvalidVolume { what, value: v })
            }
        };
        check("volume".into(), self.volume)?;
        for p in &self.quiet_periods {
            check(format!("quiet period {}–{}", p.start, p.end), p.volume)?;
        }
        if self.queue_capacity == 0 {
            return Err(AudioError::ZeroQueueCapacity);
        }
        Ok(())
    }

    /// The volume, 0.0 to 1.0, at which a sound starting at `local` (a Warsaw wall-clock time)
    /// plays: zero when muted, else the master volume times the quietest quiet period that
    /// covers `local`. Pure, so that the schedule can be tested for every minute of the day.
    pub fn volume_at(&self, local: jiff::civil::Time) -> f32 {
        if self.muted {
            return 0.0;
        }
        let minute = ClockTime::of(local);
        let period = self
            .quiet_periods
            .iter()
            .filter(|p| p.covers(minute))
            .map(|p| clamp_volume(p.volume))
            .fold(1.0_f32, f32::min);
        clamp_volume(self.volume) * period
    }

    /// [`Self::volume_at`] for an instant, read on the Warsaw wall clock.
    pub fn volume_for(&self, now: jiff::Timestamp) -> f32 {
        self.volume_at(crate::protocol::time::in_warsaw(now).time())
    }
}

/// Volumes outside 0..=1 are clamped; NaN counts as silent rather than as full volume, because a
/// config that surprises the office by blaring is worse than one that is quiet.
fn clamp_volume(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }
}

/// A time of day with a reduced volume. When `end` is earlier than `start` the period runs over
/// midnight (e.g. 18:00–08:00); when they are equal it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietPeriod {
    pub start: ClockTime,
    /// Exclusive: at `end` the period is over.
    pub end: ClockTime,
    pub volume: f32,
}

impl QuietPeriod {
    fn covers(&self, t: ClockTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// A wall-clock time to the minute, "HH:MM" from 00:00 to 24:00 (24:00 only makes sense as the
/// end of a period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockTime {
    minutes: u16,
}

impl ClockTime {
    /// `hour` 0–24 and `minute` 0–59, not after 24:00.
    pub fn new(hour: u8, minute: u8) -> Option<ClockTime> {
        let minutes = u16::from(hour) * 60 + u16::from(minute);
        (hour <= 24 && minute < 60 && minutes <= 24 * 60).then_some(ClockTime { minutes })
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.minutes
    }

    fn of(t: jiff::civil::Time) -> ClockTime {
        // Hours and minutes from jiff are always in range, so this never falls back.
        ClockTime::new(t.hour() as u8, t.minute() as u8).unwrap_or(ClockTime { minutes: 0 })
    }
}

impl FromStr for ClockTime {
    type Err = AudioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AudioError::InvalidClockTime(s.to_owned());
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if m.len() != 2 {
            return Err(bad());
        }
        let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        ClockTime::new(h, m).ok_or_else(bad)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes / 60, self.minutes % 60)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    Ok(Duration::from_millis(u64::deserialize(d)?))
}
