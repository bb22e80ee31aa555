//! Whether frames reach the screen: the difference between a board that is idle (nothing to
//! draw, which is healthy) and one whose screen is frozen (frames wanted but none presented).
//!
//! The UI thread can keep running while its picture is stuck: a compositor that stops handing
//! out frames, a swapchain that times out on every acquire, a GPU that fails every submission.
//! Feeding systemd's watchdog from the loop alone would report such a board healthy for ever, so
//! the watchdog is fed only while no wanted frame has been waiting longer than a limit. Time is
//! passed in, so the rules are tested without waiting.

use std::time::{Duration, Instant};

/// How long a wanted frame may wait before the screen counts as frozen, without a watchdog.
pub const FROZEN_AFTER: Duration = Duration::from_secs(15);
/// The least time a frame may wait, however short the watchdog: a slow software renderer on a
/// busy machine can take a few seconds over its first frame.
pub const MIN_FROZEN_AFTER: Duration = Duration::from_secs(5);

/// The limit for a watchdog of `period` (`None`: no watchdog): half the period, so that systemd
/// restarts a frozen board within one and a half periods, but never less than
/// [`MIN_FROZEN_AFTER`].
pub fn frozen_after(period: Option<Duration>) -> Duration {
    period.map_or(FROZEN_AFTER, |p| (p / 2).max(MIN_FROZEN_AFTER))
}

/// Frames wanted and presented.
#[derive(Debug, Clone)]
pub struct FrameWatch {
    frozen_after: Duration,
    presented: u64,
    last_present: Option<Instant>,
    /// Since when a frame has been wanted and none presented; `None` when nothing waits.
    wanted_since: Option<Instant>,
}

impl FrameWatch {
    pub fn new(frozen_after: Duration) -> FrameWatch {
        FrameWatch {
            frozen_after,
            presented: 0,
            last_present: None,
            wanted_since: None,
        }
    }

    /// A frame was asked for (a redraw requested). Asking again while one waits keeps the
    /// first moment: what counts is how long the screen has been behind.
    pub fn wanted(&mut self, now: Instant) {
        self.wanted_since.get_or_insert(now);
    }

    /// A frame reached the screen.
    pub fn presented(&mut self, now: Instant) {
        self.presented += 1;
        self.last_present = Some(now);
        self.wanted_since = None;
    }

    /// The window cannot show anything now (hidden, or of zero size): nothing needs drawing, and
    /// an idle board is a healthy one.
    pub fn nothing_to_draw(&mut self) {
        self.wanted_since = None;
    }

    /// A frame has been wanted for longer than the limit and none was presented.
    pub fn frozen(&self, now: Instant) -> bool {
        self.wanted_since
            .is_some_and(|t| now.saturating_duration_since(t) > self.frozen_after)
    }

    /// When the screen will count as frozen if no frame is presented by then.
    pub fn frozen_at(&self) -> Option<Instant> {
        self.wanted_since.map(|t| t + self.frozen_after)
    }

    pub fn presented_count(&self) -> u64 {
        self.presented
    }

    /// Time since the last frame was presented; `None` before the first.
    pub fn last_present_age(&self, now: Instant) -> Option<Duration> {
        self.last_present.map(|t| now.saturating_duration_since(t))
    }

    pub fn limit(&self) -> Duration {
        self.frozen_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn an_idle_board_is_never_frozen() {
        let t0 = Instant::now();
        let mut w = FrameWatch::new(5 * S);
        w.wanted(t0);
        w.presented(t0 + S);
        // Hours without anything to draw.
        assert!(!w.frozen(t0 + 3600 * S));
        assert_eq!(w.presented_count(), 1);
        assert_eq!(w.last_present_age(t0 + 11 * S), Some(10 * S));
    }

    #[test]
    fn a_wanted_frame_that_never_comes_is_a_frozen_screen() {
        let t0 = Instant::now();
        let mut w = FrameWatch::new(5 * S);
        w.wanted(t0);
        // Asked for again and again: the first request is what counts.
        for s in 1..=6 {
            w.wanted(t0 + s * S);
        }
        assert!(!w.frozen(t0 + 5 * S));
        assert!(w.frozen(t0 + 6 * S));
        assert_eq!(w.frozen_at(), Some(t0 + 5 * S));
        // One frame on the screen ends it.
        w.presented(t0 + 7 * S);
        assert!(!w.frozen(t0 + 100 * S));
        assert_eq!(w.frozen_at(), None);
    }

    #[test]
    fn a_hidden_window_needs_nothing_drawn() {
        let t0 = Instant::now();
        let mut w = FrameWatch::new(5 * S);
        w.wanted(t0);
        w.nothing_to_draw();
        assert!(!w.frozen(t0 + 60 * S));
        assert_eq!(w.last_present_age(t0), None);
    }

    #[test]
    fn the_limit_follows_the_watchdog() {
        assert_eq!(frozen_after(None), FROZEN_AFTER);
        assert_eq!(frozen_after(Some(30 * S)), 15 * S);
        assert_eq!(frozen_after(Some(2 * S)), MIN_FROZEN_AFTER);
    }
}
