//! The board's state: a pure reducer over protocol events.
//!
//! [`Board::apply`] takes one event and the current time and returns the effects the shells must
//! carry out (a chime, a resynchronisation). Nothing here reads a clock, a file or the network, so
//! every state the board can be in can be built in a test and rendered.

mod presenter;
mod wait;

use crate::protocol::{
    Announcement, CallInfo, CounterInfo, Envelope, Event, MAX_ANNOUNCEMENTS, MAX_RECENT_CALLS,
    MAX_WAITING, Office, ServiceInfo, Serving, Snapshot, TicketAtCounter,
};
use jiff::{SignedDuration, Timestamp};
use std::collections::VecDeque;

pub use presenter::{Presented, Presenter};
pub use wait::{Wait, WaitStats};

/// What the shells must do after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A ticket was called to a counter for the first time: chime and show it.
    Call(CallInfo),
    /// A ticket was called again: a distinct sound and look.
    Recall(CallInfo),
    /// Events were missed (`got` is beyond `last + 1`); the event was not applied and the client
    /// must resume or fetch a snapshot.
    ResyncNeeded { last: u64, got: u64 },
}

/// Tunables of the reducer.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardConfig {
    /// How long each call stays the current call at least, even when others are waiting.
    pub min_display: SignedDuration,
    /// How long a new call flashes.
    pub flash: SignedDuration,
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            min_display: SignedDuration::from_secs(6),
            flash: SignedDuration::from_secs(4),
        }
    }
}

/// Everything the board knows that a snapshot can carry. Two boards that have seen the same
/// stream, whether event by event or through a snapshot, have equal `BoardData`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardData {
    pub office: Option<Office>,
    pub services: Vec<ServiceInfo>,
    pub counters: Vec<CounterInfo>,
    /// Newest first, at most [`MAX_RECENT_CALLS`].
    pub recent_calls: VecDeque<CallInfo>,
    pub announcements: Vec<Announcement>,
    /// The `seq` of the last event applied.
    pub last_seq: Option<u64>,
}

impl BoardData {
    pub fn service(&self, id: &str) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| s.id == id)
    }

    fn service_mut(&mut self, id: &str) -> Option<&mut ServiceInfo> {
        self.services.iter_mut().find(|s| s.id == id)
    }

    pub fn counter(&self, id: &str) -> Option<&CounterInfo> {
        self.counters.iter().find(|c| c.id == id)
    }

    fn counter_mut(&mut self, id: &str) -> Option<&mut CounterInfo> {
        self.counters.iter_mut().find(|c| c.id == id)
    }

    /// The label to show for a counter id, falling back to the id for counters the board has not
    /// been told about.
    pub fn counter_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.counter(id).map_or(id, |c| c.label.as_str())
    }

    /// Open counters that serve a service.
    pub fn open_counters_for(&self, service: &str) -> u32 {
        self.counters
            .iter()
            .filter(|c| c.open && c.services.iter().any(|s| s == service))
            .count() as u32
    }

    fn push_call(&mut self, call: CallInfo) {
        self.recent_calls.push_front(call);
        self.recent_calls.truncate(MAX_RECENT_CALLS);
    }
}

/// The board: wire data plus what the display derives from it over time.
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub config: BoardConfig,
    pub data: BoardData,
    /// Which call is on screen and which wait for their turn.
    pub presenter: Presenter,
    /// Observed service durations, for wait estimates the server does not give.
    pub stats: WaitStats,
    /// When the board last heard from the server (any frame, heartbeats included).
    pub last_heard: Option<Timestamp>,
    /// When the last call arrived, by the display's clock (the server's may differ).
    pub last_call_at: Option<Timestamp>,
    /// True between a new connection and its first snapshot: that snapshot is accepted whatever
    /// its `seq`, because a restarted server may have started its numbering again.
    new_stream: bool,
}

impl Board {
    pub fn new(config: BoardConfig) -> Self {
        Board {
            config,
            ..Board::default()
        }
    }

    /// Notes that a new connection to the server began. Its first snapshot replaces the state
    /// even if its `seq` is lower than the last one applied.
    pub fn new_stream(&mut self) {
        self.new_stream = true;
    }

    /// Notes that a frame arrived from the server, valid or not: the link is alive.
    pub fn heard(&mut self, now: Timestamp) {
        self.last_heard = Some(now);
    }

    /// How long ago the board last heard from the server.
    pub fn data_age(&self, now: Timestamp) -> Option<SignedDuration> {
        self.last_heard.map(|t| now.duration_since(t))
    }

    /// Applies one event received at `now`.
    ///
    /// Duplicates and events older than the last applied one are no-ops; an event beyond the next
    /// expected `seq` is not applied and asks for a resynchronisation. A snapshot replaces the
    /// state when it is not older than the state (or is the first of a new stream, see
    /// [`Board::new_stream`]) and never chimes.
    pub fn apply(&mut self, envelope: &Envelope, now: Timestamp) -> Vec<Effect> {
        self.heard(now);
        let seq = envelope.seq;
        let mut effects = Vec::new();
        match &envelope.event {
            Event::Snapshot(snapshot) => {
                let current = self.data.last_seq.is_none_or(|last| seq >= last);
                if current || self.new_stream {
                    self.apply_snapshot(snapshot, seq);
                    self.new_stream = false;
                }
                return effects;
            }
            Event::Heartbeat(_) => {
                if let Some(last) = self.data.last_seq
                    && seq > last
                {
                    effects.push(Effect::ResyncNeeded { last, got: seq });
                }
                return effects;
            }
            _ => {}
        }
        if let Some(last) = self.data.last_seq {
            if seq <= last {
                return effects;
            }
            if seq > last + 1 {
                effects.push(Effect::ResyncNeeded { last, got: seq });
                return effects;
            }
        }
        self.data.last_seq = Some(seq);
        self.new_stream = false;
        let time = envelope.time;
        match &envelope.event {
            Event::TicketIssued(e) => {
                if let Some(s) = self.data.service_mut(&e.service) {
                    s.waiting = e.waiting;
                }
            }
            Event::TicketCalled(e) => {
                let call = self.call(e, time, false);
                if let Some(s) = self.data.service_mut(&e.service) {
                    s.waiting = s.waiting.saturating_sub(1);
                }
                self.presenter.enqueue(call.clone(), now);
                self.last_call_at = Some(now);
                effects.push(Effect::Call(call));
            }
            Event::TicketRecalled(e) => {
                let call = self.call(e, time, true);
                self.presenter.enqueue(call.clone(), now);
                self.last_call_at = Some(now);
                effects.push(Effect::Recall(call));
            }
            Event::TicketServed(e) => {
                if let Some(started) = self.started_at(e) {
                    self.stats.observe(&e.service, time.duration_since(started));
                }
                self.free_counter(&e.counter, &e.ticket);
            }
            Event::TicketNoShow(e) => self.free_counter(&e.counter, &e.ticket),
            Event::TicketTransferred(e) => {
                for c in &mut self.data.counters {
                    if c.serving.as_ref().is_some_and(|s| s.ticket == e.ticket) {
                        c.serving = None;
                    }
                }
                if let Some(s) = self.data.service_mut(&e.to_service) {
                    s.waiting = (s.waiting + 1).min(MAX_WAITING);
                }
            }
            Event::TicketCancelled(e) => {
                if let Some(s) = self.data.service_mut(&e.service) {
                    s.waiting = s.waiting.saturating_sub(1);
                }
            }
            Event::CounterOpened(e) => {
                let counter = CounterInfo {
                    id: e.counter.clone(),
                    label: e.label.clone(),
                    open: true,
                    services: e.services.clone(),
                    serving: None,
                };
                let full = self.data.counters.len() >= crate::protocol::MAX_COUNTERS;
                match self.data.counter_mut(&e.counter) {
                    Some(c) => *c = counter,
                    // Bounded like a snapshot's list: a flood of new ids cannot grow memory.
                    None if full => {
                        tracing::warn!(counter = %e.counter, "too many counters; ignoring")
                    }
                    None => self.data.counters.push(counter),
                }
            }
            Event::CounterClosed(e) => {
                if let Some(c) = self.data.counter_mut(&e.counter) {
                    c.open = false;
                    c.serving = None;
                }
            }
            Event::ServiceWait(e) => {
                if let Some(s) = self.data.service_mut(&e.service) {
                    s.waiting = e.waiting;
                    s.est_wait_s = e.est_wait_s;
                    s.open_counters = e.open_counters;
                }
            }
            Event::AnnouncementSet(a) => {
                let list = &mut self.data.announcements;
                match list.iter_mut().find(|x| x.id == a.id) {
                    Some(x) => x.text = a.text.clone(),
                    None => {
                        if list.len() >= MAX_ANNOUNCEMENTS {
                            list.remove(0);
                        }
                        list.push(a.clone());
                    }
                }
            }
            Event::AnnouncementCleared(a) => self.data.announcements.retain(|x| x.id != a.id),
            Event::DayReset(_) => {
                self.data.recent_calls.clear();
                for c in &mut self.data.counters {
                    c.serving = None;
                }
                for s in &mut self.data.services {
                    s.waiting = 0;
                    s.est_wait_s = None;
                }
                self.presenter.clear();
                self.stats.clear();
            }
            Event::Snapshot(_) | Event::Heartbeat(_) | Event::Unknown(_) => {}
        }
        effects
    }

    fn call(&mut self, e: &TicketAtCounter, time: Timestamp, recall: bool) -> CallInfo {
        let call = CallInfo {
            ticket: e.ticket.clone(),
            service: e.service.clone(),
            counter: e.counter.clone(),
            time,
            recall,
        };
        if let Some(c) = self.data.counter_mut(&e.counter) {
            c.serving = Some(Serving {
                ticket: e.ticket.clone(),
                service: e.service.clone(),
            });
        }
        self.data.push_call(call.clone());
        call
    }

    /// When the counter began serving the ticket: the time of its first call there.
    fn started_at(&self, e: &TicketAtCounter) -> Option<Timestamp> {
        self.data
            .recent_calls
            .iter()
            .find(|c| !c.recall && c.ticket == e.ticket && c.counter == e.counter)
            .map(|c| c.time)
    }

    fn free_counter(&mut self, counter: &str, ticket: &str) {
        if let Some(c) = self.data.counter_mut(counter)
            && c.serving.as_ref().is_some_and(|s| s.ticket == ticket)
        {
            c.serving = None;
        }
    }

    fn apply_snapshot(&mut self, s: &Snapshot, seq: u64) {
        self.data = BoardData {
            office: Some(s.office.clone()),
            services: s.services.clone(),
            counters: s.counters.clone(),
            recent_calls: s
                .recent_calls
                .iter()
                .take(MAX_RECENT_CALLS)
                .cloned()
                .collect(),
            announcements: s.announcements.clone(),
            last_seq: Some(seq),
        };
        // The newest call becomes the one on screen, quietly: it was either shown before the
        // reconnect or is already history for the people in the hall.
        if let Some(newest) = self.data.recent_calls.front() {
            self.presenter.show_quietly(newest.clone());
        }
    }

    /// The snapshot a server would send for this state.
    pub fn to_snapshot(&self) -> Snapshot {
        Snapshot {
            office: self.data.office.clone().unwrap_or(Office {
                id: "office".into(),
                name: "Punkt Obsługi Mieszkańców".into(),
            }),
            services: self.data.services.clone(),
            counters: self.data.counters.clone(),
            recent_calls: self.data.recent_calls.iter().cloned().collect(),
            announcements: self.data.announcements.clone(),
        }
    }

    /// The wait a resident taking a ticket for `service` now can expect.
    pub fn wait(&self, service: &ServiceInfo) -> Wait {
        let open = if self.data.counters.is_empty() {
            service.open_counters
        } else {
            self.data.open_counters_for(&service.id)
        };
        wait::estimate(service, open, &self.stats)
    }

    /// Moves the call presentation forward to `now`; returns the calls whose turn on screen began
    /// (their sound should play now).
    pub fn advance(&mut self, now: Timestamp) -> Vec<CallInfo> {
        self.presenter.advance(now, self.config.min_display)
    }

    /// Calls already presented, newest first, without the one on screen and those still queued.
    pub fn history(&self) -> impl Iterator<Item = &CallInfo> {
        self.data
            .recent_calls
            .iter()
            .filter(|c| !self.presenter.is_current_or_pending(c))
    }

    /// The next moment at which the picture changes by itself (a queued call's turn, the end of a
    /// flash), for scheduling the next frame without polling.
    pub fn next_deadline(&self, now: Timestamp) -> Option<Timestamp> {
        self.presenter
            .next_deadline(now, self.config.min_display, self.config.flash)
    }
}

/// Adds a duration to a timestamp, saturating instead of panicking: times come from the network
/// and may sit at the very end of the representable range.
pub fn add(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests;
