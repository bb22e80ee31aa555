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
        });
    }

    /// When the next queued call's turn comes: when it arrived, but not before the current
    /// call's minimum time on screen is over. A call put on screen quietly by a snapshot is
    /// history already and gives way at once.
    pub fn next_start(&self, min_display: SignedDuration) -> Option<Mono> {
        let (_, arrived) = self.pending.front()?;
        Some(match &self.current {
            Some(cur) if cur.fresh => cur.started.saturating_add(min_display).max(*arrived),
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
        });
        Some(call)
    }

    pub fn is_current_or_pending(&self, call: &CallInfo) -> bool {
        self.current.as_ref().is_some_and(|p| &p.call == call)
            || self.pending.iter().any(|(c, _)| c == call)
    }
}
