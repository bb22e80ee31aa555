//! One call on screen at a time.
//!
//! Calls that arrive in a burst must not flash past unseen: each becomes the current call in turn
//! and stays so for at least the minimum display time. The schedule runs on the display's
//! monotonic clock, passed in as a [`Mono`]: a call's turn starts at a tick no earlier than the
//! previous call's start plus the minimum display time, and at most one call starts per tick, so
//! neither a wall-clock step nor a stalled UI thread can cut a call short or fire a burst of
//! chimes. The wall clock only says when a turn began for the picture (the flash). A replay that
//! ticks at each deadline ([`super::Board::catch_up`]) gives the same schedule as a live board.

use super::Mono;
use crate::protocol::CallInfo;
use jiff::{SignedDuration, Timestamp};
use std::collections::VecDeque;

/// Most calls waiting for their turn on screen. At the default six seconds each this is twenty
/// minutes of calls; anything beyond it is a flood, not a burst, and the oldest are dropped.
pub const MAX_PENDING: usize = 200;

/// The longest a spoken call may hold its turn on screen. A pack with long phrases or gaps (or a
/// counter label read digit by digit) must not freeze the queue of calls; a call that would take
/// longer is not spoken at all (the shell checks, see `cmd::voice::call_voice`).
pub const MAX_SPEECH_HOLD: SignedDuration = SignedDuration::from_secs(20);

/// When a presented call's words are heard, counted from the start of its turn on screen (its
/// chime and the sound queue's gap come first). The shell works it out from the lengths of the
/// chime and of the rendered phrase when the turn begins, so the picture follows the words from
/// the board's state and the time alone, not from the audio thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Speech {
    /// When the words begin, after the start of the turn.
    pub from: SignedDuration,
    /// When they end.
    pub until: SignedDuration,
    /// How long the turn lasts at least, so that the next call's chime comes only after the
    /// words (and the queue's gap after them): at most [`MAX_SPEECH_HOLD`].
    pub hold: SignedDuration,
}

/// The call on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub call: CallInfo,
    /// When its turn on screen began, by the wall clock the picture is drawn for.
    pub since: Timestamp,
    /// When its turn on screen began, by the monotonic clock the schedule runs on.
    pub started: Mono,
    /// False for a call put on screen by a snapshot: it does not flash and does not sound.
    pub fresh: bool,
    /// When its words are heard, if it is spoken ([`Presenter::speak`]).
    pub speech: Option<Speech>,
}

impl Presented {
    /// How long this call's turn lasts at least: the minimum time on screen, or longer while
    /// its words are being said.
    fn turn(&self, min_display: SignedDuration) -> SignedDuration {
        match self.speech {
            Some(s) => min_display.max(s.hold.clamp(SignedDuration::ZERO, MAX_SPEECH_HOLD)),
            None => min_display,
        }
    }

    /// When (by the wall clock of the picture) its words begin and end, if it is spoken.
    pub fn speech_span(&self) -> Option<(Timestamp, Timestamp)> {
        let s = self.speech.filter(|_| self.fresh)?;
        let at = |d| crate::protocol::time::saturating_add(self.since, d);
        Some((at(s.from), at(s.until)))
    }

    /// Whether its words are being said at `now`.
    pub fn speaking(&self, now: Timestamp) -> bool {
        self.speech_span()
            .is_some_and(|(from, until)| from <= now && now < until)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presenter {
    current: Option<Presented>,
    /// Calls waiting for their turn, with the monotonic time each arrived.
    pending: VecDeque<(CallInfo, Mono)>,
}

impl Presenter {
    pub fn current(&self) -> Option<&Presented> {
        self.current.as_ref()
    }

    pub fn pending(&self) -> impl ExactSizeIterator<Item = &CallInfo> {
        self.pending.iter().map(|(c, _)| c)
    }

    pub fn clear(&mut self) {
        self.current = None;
        self.pending.clear();
    }

    pub fn enqueue(&mut self, call: CallInfo, mono: Mono) {
        if self.pending.len() >= MAX_PENDING {
            tracing::warn!(
                dropped = %self.pending[0].0.ticket,
                "more than {MAX_PENDING} calls waiting for the screen; dropping the oldest"
            );
            self.pending.pop_front();
        }
        self.pending.push_back((call, mono));
    }

    /// Drops the queued calls of a ticket that was served, cancelled, transferred or not shown
    /// meanwhile: calling it now would send a resident to a counter that is done with them. The
    /// call on screen stays; it had its turn.
    pub fn forget(&mut self, ticket: &str) {
        self.pending.retain(|(c, _)| c.ticket != ticket);
    }

    /// What a snapshot puts on screen: its newest call quietly (no flash, no sound), or nothing;
    /// calls queued before it are dropped unsounded. The call already on screen stays as it is
    /// if it is the same one.
    pub fn replace_quietly(&mut self, newest: Option<CallInfo>, mono: Mono) {
        self.pending.clear();
        let Some(call) = newest else {
            self.current = None;
            return;
        };
        if self.current.as_ref().is_some_and(|p| p.call == call) {
            return;
        }
        self.current = Some(Presented {
            since: call.time,
            started: mono,
            call,
            fresh: false,
            speech: None,
        });
    }

    /// Notes when the words of the call on screen are heard (the shell, as its turn begins);
    /// its turn then lasts until they and the gap after them are over. Nothing for a call put
    /// on screen quietly by a snapshot: it is not spoken.
    pub fn speak(&mut self, speech: Speech) {
        if let Some(cur) = self.current.as_mut().filter(|c| c.fresh) {
            cur.speech = Some(speech);
        }
    }

    /// When the next queued call's turn comes: when it arrived, but not before the current
    /// call's minimum time on screen and its words are over. A call put on screen quietly by a
    /// snapshot is history already and gives way at once.
    pub fn next_start(&self, min_display: SignedDuration) -> Option<Mono> {
        let (_, arrived) = self.pending.front()?;
        Some(match &self.current {
            Some(cur) if cur.fresh => cur
                .started
                .saturating_add(cur.turn(min_display))
                .max(*arrived),
            _ => *arrived,
        })
    }

    /// Drops queued calls that `fresh` says are history now, then starts the next queued call if
    /// its turn has come by `mono`; returns it. At most one call starts per call of this.
    pub fn advance(
        &mut self,
        now: Timestamp,
        mono: Mono,
        min_display: SignedDuration,
        fresh: impl Fn(&CallInfo) -> bool,
    ) -> Option<CallInfo> {
        let before = self.pending.len();
        self.pending.retain(|(c, _)| fresh(c));
        if self.pending.len() < before {
            tracing::info!(
                dropped = before - self.pending.len(),
                "queued calls became history before their turn; not presenting them"
            );
        }
        let start = self.next_start(min_display)?;
        if start > mono {
            return None;
        }
        let (call, _) = self.pending.pop_front()?;
        self.current = Some(Presented {
            call: call.clone(),
            since: now,
            started: mono,
            fresh: true,
            speech: None,
        });
        Some(call)
    }

    pub fn is_current_or_pending(&self, call: &CallInfo) -> bool {
        self.current.as_ref().is_some_and(|p| &p.call == call)
            || self.pending.iter().any(|(c, _)| c == call)
    }
}
