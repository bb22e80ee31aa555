//! When a spoken call is heard, worked out from the lengths of its sounds, and how long the
//! call's turn on screen must last for it.
//!
//! The sound queue plays a call's chime, waits the queue's gap, then plays the words; the next
//! sound waits another gap. The board holds the call's turn on screen until the words and the
//! gap after them are over (plus a margin for the audio device's latency), so the call being
//! spoken is always the one shown big and the next call's chime starts with its own turn.

use crate::board::{MAX_SPEECH_HOLD, Speech};
use jiff::SignedDuration;
use std::time::Duration;

/// Slack after the words before the next call's turn: the time from queueing a sound to hearing
/// it (the device's buffer, the audio thread's polling) is not zero, and a next chime held up
/// by the queue would start later than its call on screen.
pub const DEVICE_SLACK: Duration = Duration::from_millis(250);

/// When the words of a call are heard, counted from the moment its chime is queued: after the
/// chime (`chime` long) and the queue's `gap`, for `words`. `None` when the turn would have to
/// last longer than [`MAX_SPEECH_HOLD`]: such a call is not spoken, so that a pack with very
/// long phrases cannot freeze the queue of calls on screen or let the voice fall behind it.
pub fn speech_timing(chime: Duration, gap: Duration, words: Duration) -> Option<Speech> {
    let d = |d: Duration| SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX);
    let from = chime.saturating_add(gap);
    let until = from.saturating_add(words);
    let hold = until.saturating_add(gap).saturating_add(DEVICE_SLACK);
    (d(hold) <= MAX_SPEECH_HOLD).then(|| Speech {
        from: d(from),
        until: d(until),
        hold: d(hold),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_follow_the_chime_and_hold_the_turn() {
        let ms = Duration::from_millis;
        let s = speech_timing(ms(1100), ms(400), ms(7940)).unwrap();
        assert_eq!(s.from, SignedDuration::from_millis(1500));
        assert_eq!(s.until, SignedDuration::from_millis(9440));
        assert_eq!(s.hold, SignedDuration::from_millis(10_090));
        assert!(speech_timing(ms(1500), ms(400), Duration::from_secs(19)).is_none());
        assert!(speech_timing(ms(1500), ms(400), Duration::MAX).is_none());
    }
}
