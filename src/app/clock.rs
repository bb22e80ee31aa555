//! The time a window's board runs on: the real clock, or one stopped at a moment.
//!
//! A stopped clock makes a window a pure picture of one moment, the same picture
//! `tablica render --at` draws offscreen. That is what lets a test compare the real window (its
//! surface format, its retained frame, the X server's copy of it) with an offscreen render pixel
//! for pixel, which is how a defect that only windows had would be caught.

use std::time::Instant;

use jiff::Timestamp;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Clock {
    /// The real time (every installed board).
    #[default]
    Running,
    /// Stopped at the wall-clock moment `wall`, which the monotonic clock read as `at`.
    Stopped { wall: Timestamp, at: Instant },
}

impl Clock {
    /// A clock stopped at `wall` from now on.
    pub fn stopped_at(wall: Timestamp) -> Self {
        Clock::Stopped {
            wall,
            at: Instant::now(),
        }
    }

    /// The time now: the wall clock for what is shown, the monotonic one for turns on screen.
    pub fn now(&self) -> (Timestamp, Instant) {
        match *self {
            Clock::Running => (Timestamp::now(), Instant::now()),
            Clock::Stopped { wall, at } => (wall, at),
        }
    }

    /// True if time does not pass: nothing changes by itself, so nothing is scheduled.
    pub fn is_stopped(&self) -> bool {
        matches!(self, Clock::Stopped { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_clock_reads_the_same_moment_every_time() {
        let wall: Timestamp = "2026-03-16T10:15:00+01:00".parse().unwrap();
        let clock = Clock::stopped_at(wall);
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now(), first);
        assert_eq!(first.0, wall);
        assert!(clock.is_stopped());
    }

    #[test]
    fn a_running_clock_moves() {
        let clock = Clock::Running;
        let (_, a) = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let (_, b) = clock.now();
        assert!(b > a);
        assert!(!clock.is_stopped());
    }
}
