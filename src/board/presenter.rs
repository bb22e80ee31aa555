//! One call on screen at a time.
//!
//! Calls that arrive in a burst must not flash past unseen: each becomes the current call in turn
//! and stays so for at least the minimum display time. The schedule is a pure function of arrival
//! times (call *i* starts at `max(arrival_i, start_{i-1} + min_display)`), so a frame rendered for
//! any moment is the same whether the board was watched live or replayed from a file.

use super::add;
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
    /// When its turn on screen began.
    pub since: Timestamp,
    /// False for a call put on screen by a snapshot: it does not flash and does not sound.
    pub fresh: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presenter {
    current: Option<Presented>,
    pending: VecDeque<(CallInfo, Timestamp)>,
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

    pub fn enqueue(&mut self, call: CallInfo, now: Timestamp) {
        if self.pending.len() >= MAX_PENDING {
            tracing::warn!(
                dropped = %self.pending[0].0.ticket,
                "more than {MAX_PENDING} calls waiting for the screen; dropping the oldest"
            );
            self.pending.pop_front();
        }
        self.pending.push_back((call, now));
    }

    /// Puts a call on screen without a flash (a snapshot's newest call: either already shown, or
    /// made while the display was cut off and now history), unless calls are queued for their
    /// turn or it is already on screen.
    pub fn show_quietly(&mut self, call: CallInfo) {
        let shown = self.current.as_ref().is_some_and(|p| p.call == call);
        if !shown && self.pending.is_empty() {
            self.current = Some(Presented {
                since: call.time,
                call,
                fresh: false,
            });
        }
    }

    /// When the next queued call gets its turn.
    fn next_start(&self, min_display: SignedDuration) -> Option<Timestamp> {
        let (_, arrived) = self.pending.front()?;
        Some(match &self.current {
            // A call put on screen quietly by a snapshot is history already: it gives way at once.
            Some(cur) if cur.fresh => add(cur.since, min_display).max(*arrived),
            _ => *arrived,
        })
    }

    /// Starts every queued call whose turn has come by `now`; returns them in order.
    pub fn advance(&mut self, now: Timestamp, min_display: SignedDuration) -> Vec<CallInfo> {
        let mut started = Vec::new();
        while let Some(start) = self.next_start(min_display) {
            if start > now {
                break;
            }
            let Some((call, _)) = self.pending.pop_front() else {
                break;
            };
            started.push(call.clone());
            self.current = Some(Presented {
                call,
                since: start,
                fresh: true,
            });
        }
        started
    }

    pub fn is_current_or_pending(&self, call: &CallInfo) -> bool {
        self.current.as_ref().is_some_and(|p| &p.call == call)
            || self.pending.iter().any(|(c, _)| c == call)
    }

    /// The next moment the picture changes by itself: a queued call's turn or a flash's end.
    pub fn next_deadline(
        &self,
        now: Timestamp,
        min_display: SignedDuration,
        flash: SignedDuration,
    ) -> Option<Timestamp> {
        let flash_end = self
            .current
            .as_ref()
            .filter(|p| p.fresh)
            .map(|p| add(p.since, flash))
            .filter(|t| *t > now);
        match (self.next_start(min_display), flash_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
