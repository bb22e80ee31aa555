//! Which time the header's clock shows: the real time, or a simulated office's time that runs
//! faster (the demo's day passes at ×20, and a clock showing the real time beside calls stamped
//! hours later would contradict them).

use jiff::{SignedDuration, Timestamp};

/// The time a board shows in its header, derived from the real time the scene is built for.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ShownClock {
    /// The real time (every installed board).
    #[default]
    Real,
    /// A simulated office's time: `sim_origin` at the real moment `real_origin`, running `speed`
    /// simulated seconds per real second. The header says it is simulated.
    Simulated {
        real_origin: Timestamp,
        sim_origin: Timestamp,
        speed: f64,
    },
}

impl ShownClock {
    /// The time to show at the real moment `now`.
    pub fn at(&self, now: Timestamp) -> Timestamp {
        match *self {
            ShownClock::Real => now,
            ShownClock::Simulated {
                real_origin,
                sim_origin,
                speed,
            } => {
                let real = now.duration_since(real_origin).as_secs_f64();
                let shown = SignedDuration::try_from_secs_f64(real * speed).unwrap_or_default();
                crate::protocol::time::saturating_add(sim_origin, shown)
            }
        }
    }

    /// The real moment the shown minute next changes, so that the scene wakes for it.
    pub fn next_minute(&self, now: Timestamp) -> Option<Timestamp> {
        let shown = self.at(now);
        let next = Timestamp::from_second((shown.as_second().div_euclid(60) + 1) * 60).ok()?;
        match *self {
            ShownClock::Real => Some(next),
            ShownClock::Simulated { speed, .. } => {
                let real = next.duration_since(shown).as_secs_f64() / speed;
                // Rounded up so that the wake finds the new minute already shown.
                let wait =
                    SignedDuration::try_from_secs_f64(real).ok()? + SignedDuration::from_millis(1);
                Some(crate::protocol::time::saturating_add(now, wait))
            }
        }
    }

    /// The words that say the clock is not the real time, for the header; `None` for real time.
    pub fn label(&self) -> Option<String> {
        match *self {
            ShownClock::Real => None,
            ShownClock::Simulated { speed, .. } => {
                let speed = if speed.fract() == 0.0 {
                    format!("{speed:.0}")
                } else {
                    format!("{speed}").replace('.', ",")
                };
                Some(format!("symulacja ×{speed}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn real_time_is_shown_as_it_is() {
        let now = t("2026-12-03T10:15:30Z");
        assert_eq!(ShownClock::Real.at(now), now);
        assert_eq!(
            ShownClock::Real.next_minute(now),
            Some(t("2026-12-03T10:16:00Z"))
        );
        assert_eq!(ShownClock::Real.label(), None);
    }

    #[test]
    fn a_simulated_clock_runs_at_its_speed_and_wakes_for_its_minutes() {
        let clock = ShownClock::Simulated {
            real_origin: t("2026-12-03T12:00:00Z"),
            sim_origin: t("2026-12-03T10:40:00Z"),
            speed: 20.0,
        };
        // Ten real seconds are two hundred simulated ones.
        let now = t("2026-12-03T12:00:10Z");
        assert_eq!(clock.at(now), t("2026-12-03T10:43:20Z"));
        // The next shown minute (10:44) is 40 simulated seconds, 2 real seconds, away.
        let wake = clock.next_minute(now).unwrap();
        let wait = wake.duration_since(now);
        assert!(wait >= SignedDuration::from_secs(2), "{wait}");
        assert!(wait < SignedDuration::from_millis(2010), "{wait}");
        assert!(clock.at(wake) >= t("2026-12-03T10:44:00Z"));
        assert_eq!(clock.label().as_deref(), Some("symulacja ×20"));
        let slow = ShownClock::Simulated {
            real_origin: now,
            sim_origin: now,
            speed: 1.5,
        };
        assert_eq!(slow.label().as_deref(), Some("symulacja ×1,5"));
    }
}
