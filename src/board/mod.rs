//! The board's state: a pure reducer over protocol events.
//!
//! [`Board::apply`] takes one event and the current time and returns the effects the shells must
//! carry out (a resynchronisation; calls are reported for counting). The chime does not come from
//! an effect: it sounds when a call's turn on screen begins, which [`Board::advance_at`] returns
//! (the shell calls it on every tick). Nothing here reads a clock, a file or the network, so every
//! state the board can be in can be built in a test and rendered.

mod presenter;
mod wait;

use crate::protocol::time;
use crate::protocol::{
    Announcement, CallInfo, CounterInfo, Envelope, Event, MAX_ANNOUNCEMENTS, MAX_RECENT_CALLS,
    MAX_WAITING, Office, ServiceInfo, Serving, Snapshot, TicketAtCounter,
};
use jiff::{SignedDuration, Timestamp};
use std::collections::VecDeque;

pub use presenter::{MAX_SPEECH_HOLD, Presented, Presenter, Speech};
pub use wait::{Wait, WaitStats};

/// What the shells must do after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A ticket was called to a counter for the first time. Whether and when it is presented
    /// (and sounded) is the presenter's business: see [`Board::advance_at`].
    Call(CallInfo),
    /// A ticket was called again: a distinct sound and look.
    Recall(CallInfo),
    /// The board cannot go on with what the server sends: the event (`got` is its seq) was not
    /// applied, and the client must reconnect. It resumes from [`Board::resume_point`], which is
    /// "no state" (a snapshot, please) whenever the numbering itself cannot be trusted.
    ResyncNeeded {
        last: Option<u64>,
        got: u64,
        why: Resync,
    },
}

/// What the seq of an incoming envelope allows ([`Board::admit`]).
enum Admission {
    /// Apply the event: it is the next one.
    Apply,
    /// Nothing more to do: a duplicate, a message about the numbering (already taken in), or one
    /// that waits for a snapshot that has been asked for.
    Done,
    /// Not applied; the client must resynchronise (the last applied seq, and why).
    Resync(Option<u64>, Resync),
}

/// Why the board asks for a resynchronisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resync {
    /// Events were missed: `got` is beyond the next expected seq.
    Gap,
    /// An event arrived before any usable snapshot: there is nothing to apply it to.
    NoSnapshot,
    /// The seq went backwards on a live connection: the server renumbered.
    Backwards,
    /// A heartbeat names another stream than the board's snapshot: the server restarted.
    OtherStream,
}

impl Resync {
    pub fn describe(self) -> &'static str {
        match self {
            Resync::Gap => "missed events",
            Resync::NoSnapshot => "events before any usable snapshot",
            Resync::Backwards => "the seq went backwards",
            Resync::OtherStream => "the server changed streams",
        }
    }
}

/// A reading of the display's monotonic clock: time since an arbitrary origin, which never jumps
/// when the wall clock is set. The presenter's schedule runs on it, so that a wall-clock step or
/// a stalled UI thread can neither cut a call's turn short nor fire a burst of chimes. The shells
/// read `std::time::Instant`; replays and tests use [`Mono::of_wall`], a timeline where the two
/// clocks agree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mono(SignedDuration);

impl Mono {
    pub const fn new(since_origin: SignedDuration) -> Mono {
        Mono(since_origin)
    }

    /// From a `std::time::Duration` since the origin (saturating: no clock runs for 292 years).
    pub fn from_std(since_origin: std::time::Duration) -> Mono {
        Mono(SignedDuration::try_from(since_origin).unwrap_or(SignedDuration::MAX))
    }

    /// The timeline on which the monotonic clock reads the same as the wall clock: for replays
    /// and tests, where the wall clock does not jump.
    pub fn of_wall(t: Timestamp) -> Mono {
        Mono(t.duration_since(Timestamp::UNIX_EPOCH))
    }

    /// How long after `earlier` this is (negative when before), saturating.
    pub fn since(self, earlier: Mono) -> SignedDuration {
        self.0
            .checked_sub(earlier.0)
            .unwrap_or(if self.0 < earlier.0 {
                SignedDuration::MIN
            } else {
                SignedDuration::MAX
            })
    }

    /// This reading plus `d`, saturating.
    pub fn saturating_add(self, d: SignedDuration) -> Mono {
        Mono(self.0.checked_add(d).unwrap_or(if d.is_negative() {
            SignedDuration::MIN
        } else {
            SignedDuration::MAX
        }))
    }
}

/// Tunables of the reducer.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardConfig {
    /// How long each call stays the current call at least, even when others are waiting.
    pub min_display: SignedDuration,
    /// How long a new call flashes.
    pub flash: SignedDuration,
    /// A call older than this by the server's clock is history, not news: it goes straight into
    /// the recent calls without being presented or sounded (after an outage, a resume replays
    /// calls residents have long answered).
    pub stale_after: SignedDuration,
    /// A counter display's counter: only calls to it are presented (flash and sound); calls to
    /// other counters update the state silently. `None` on the main board.
    pub only_counter: Option<String>,
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            min_display: SignedDuration::from_secs(6),
            flash: SignedDuration::from_secs(4),
            stale_after: SignedDuration::from_mins(2),
            only_counter: None,
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
    /// The server's stream the numbering belongs to (`None` for servers without streams).
    pub stream: Option<String>,
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

    /// The counter with this id, else the one with this label (a counter display may be set up
    /// with the number people read, "3", rather than the queue system's id).
    pub fn counter_by_id_or_label(&self, name: &str) -> Option<&CounterInfo> {
        self.counter(name)
            .or_else(|| self.counters.iter().find(|c| c.label == name))
    }

    fn counter_mut(&mut self, id: &str) -> Option<&mut CounterInfo> {
        self.counters.iter_mut().find(|c| c.id == id)
    }

    /// The label to show for a counter id, falling back to the id for counters the board has not
    /// been told about.
    pub fn counter_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.counter(id).map_or(id, |c| c.label.as_str())
    }

    /// The label of the counter a call went to, or `None` for a call that names no counter.
    pub fn call_counter_label<'a>(&'a self, call: &'a CallInfo) -> Option<&'a str> {
        call.counter.as_deref().map(|id| self.counter_label(id))
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
    /// When the last fresh call arrived, by the display's clock (the server's may differ).
    pub last_call_at: Option<Timestamp>,
    /// Invalid messages applied as no-ops (counted here too, so that tests and the health
    /// endpoint can see them).
    pub invalid: u64,
    /// True between a new connection and its first snapshot: that snapshot is accepted whatever
    /// its `seq`, because a restarted server may have started its numbering again.
    new_stream: bool,
    /// True once a snapshot was applied and the numbering since can be trusted. Until then (and
    /// again after the numbering broke) no event is applied, and the board resumes from nothing
    /// so that the server sends a snapshot.
    synced: bool,
    /// The highest seq seen on this connection: a lower one means the server went backwards.
    connection_high: Option<u64>,
    /// The server's clock minus the monotonic clock, as seen in its messages: `server's now =
    /// mono + offset`. Heartbeats set it (they are sent now); events only raise it (they may have
    /// been produced long ago, as in a resume after an outage). Measuring against the server's
    /// own clock makes a skewed display clock irrelevant; measuring along the monotonic clock
    /// makes a wall-clock step irrelevant.
    server_offset: Option<SignedDuration>,
    /// The wall and monotonic clocks at the last [`Board::advance_at`], to put the presenter's
    /// monotonic deadlines on the wall clock the picture is drawn for.
    clock: Option<(Timestamp, Mono)>,
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
        self.connection_high = None;
    }

    /// Whether a snapshot was applied and events since follow it.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    /// Where a new connection resumes: the last applied seq and its stream, or nothing (the
    /// server then sends a snapshot) before a snapshot or after the numbering broke.
    pub fn resume_point(&self) -> (Option<u64>, Option<&str>) {
        if self.synced {
            (self.data.last_seq, self.data.stream.as_deref())
        } else {
            (None, None)
        }
    }

    /// Notes that a frame arrived from the server, valid or not: the link is alive.
    pub fn heard(&mut self, now: Timestamp) {
        self.last_heard = Some(now);
    }

    /// How long ago the board last heard from the server.
    pub fn data_age(&self, now: Timestamp) -> Option<SignedDuration> {
        self.last_heard.map(|t| now.duration_since(t))
    }

    /// The server's clock at monotonic time `mono`, as far as its messages tell.
    pub fn server_now(&self, mono: Mono) -> Option<Timestamp> {
        self.server_offset
            .map(|o| time::saturating_add(Timestamp::UNIX_EPOCH, mono.saturating_add(o).0))
    }

    /// Whether a call is news at monotonic time `mono`: not older than the cutoff by the
    /// server's clock.
    fn is_fresh(&self, call: &CallInfo, mono: Mono) -> bool {
        is_fresh(self.server_offset, self.config.stale_after, call, mono)
    }

    /// Applies one event received at `now`, on the timeline where the monotonic clock reads the
    /// wall clock (replays, tests, the simulator): see [`Board::apply_at`].
    pub fn apply(&mut self, envelope: &Envelope, now: Timestamp) -> Vec<Effect> {
        self.apply_at(envelope, now, Mono::of_wall(now))
    }

    /// Applies one event received at wall time `now` and monotonic time `mono`.
    ///
    /// Until a snapshot has been applied, events are not applied and ask for one. Duplicates
    /// (a seq not above the last applied, at the start of a connection) are no-ops; a seq below
    /// one already seen on this connection, or a heartbeat of another stream, means the server
    /// renumbered and asks for a snapshot; an event beyond the next expected seq is not applied
    /// and asks for a resume. A snapshot replaces the state when it is not older than the state,
    /// is the first of a new connection or belongs to another stream, and never chimes. An
    /// invalid message occupies its seq as a no-op.
    pub fn apply_at(&mut self, envelope: &Envelope, now: Timestamp, mono: Mono) -> Vec<Effect> {
        self.heard(now);
        self.observe_server_clock(envelope, mono);
        match self.admit(envelope, mono) {
            Admission::Apply => self.reduce(envelope, now, mono).into_iter().collect(),
            Admission::Done => Vec::new(),
            Admission::Resync(last, why) => vec![Effect::ResyncNeeded {
                last,
                got: envelope.seq,
                why,
            }],
        }
    }

    /// Decides what an envelope's seq allows, and takes in the messages that are about the
    /// numbering itself (snapshots, heartbeats, unusable ones of either). An event admitted for
    /// applying has its seq recorded as the last applied.
    fn admit(&mut self, envelope: &Envelope, mono: Mono) -> Admission {
        let seq = envelope.seq;
        match &envelope.event {
            Event::Snapshot(snapshot) => {
                if self.takes_snapshot(seq, snapshot.stream.as_deref()) {
                    self.apply_snapshot(snapshot, seq, mono);
                }
                return Admission::Done;
            }
            Event::Invalid(invalid) if invalid.kind == "snapshot" => {
                self.invalid += 1;
                // A snapshot that cannot be used leaves the state as it was (better an old board
                // than an empty one), but its numbering is taken on: the events after it follow
                // it, and asking again would only bring the same snapshot back.
                if self.synced && self.takes_snapshot(seq, invalid.stream.as_deref()) {
                    self.data.last_seq = Some(seq);
                    self.data.stream = invalid.stream.clone();
                    self.new_stream = false;
                    self.connection_high = Some(seq);
                }
                return Admission::Done;
            }
            // A heartbeat carries the current seq rather than a new one: an unusable one must not
            // take the place of the next event.
            Event::Invalid(invalid) if invalid.kind == "heartbeat" => {
                self.invalid += 1;
                return Admission::Done;
            }
            Event::Heartbeat(h) => {
                if !self.synced {
                    return Admission::Done;
                }
                let last = self.data.last_seq;
                if h.stream.is_some() && h.stream != self.data.stream {
                    self.synced = false;
                    return Admission::Resync(last, Resync::OtherStream);
                } else if last.is_some_and(|l| seq < l)
                    || self.connection_high.is_some_and(|h| seq < h)
                {
                    self.synced = false;
                    return Admission::Resync(last, Resync::Backwards);
                } else if last.is_some_and(|l| seq > l) {
                    return Admission::Resync(last, Resync::Gap);
                }
                self.connection_high = self.connection_high.max(Some(seq));
                return Admission::Done;
            }
            _ => {}
        }
        if let Event::Invalid(_) = &envelope.event {
            self.invalid += 1;
        }
        if !self.synced {
            return Admission::Resync(None, Resync::NoSnapshot);
        }
        if self.connection_high.is_some_and(|h| seq < h) {
            self.synced = false;
            return Admission::Resync(self.data.last_seq, Resync::Backwards);
        }
        if let Some(last) = self.data.last_seq {
            if seq > last + 1 {
                // Not counted as seen: the numbering on this connection is what was applied.
                return Admission::Resync(Some(last), Resync::Gap);
            }
            self.connection_high = self.connection_high.max(Some(seq));
            if seq <= last {
                return Admission::Done;
            }
        }
        self.connection_high = self.connection_high.max(Some(seq));
        self.data.last_seq = Some(seq);
        self.new_stream = false;
        Admission::Apply
    }

    /// Applies one admitted event to the office's data and the presenter; returns the call it
    /// reports, if any.
    fn reduce(&mut self, envelope: &Envelope, now: Timestamp, mono: Mono) -> Option<Effect> {
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
                self.present(&call, now, mono);
                return Some(Effect::Call(call));
            }
            Event::TicketRecalled(e) => {
                let call = self.call(e, time, true);
                self.present(&call, now, mono);
                return Some(Effect::Recall(call));
            }
            Event::TicketServed(e) => {
                if let Some(started) = self.started_at(e) {
                    self.stats.observe(&e.service, time.duration_since(started));
                }
                self.free_counter(e.counter.as_deref(), &e.ticket);
                self.presenter.forget(&e.ticket);
            }
            Event::TicketNoShow(e) => {
                self.free_counter(e.counter.as_deref(), &e.ticket);
                self.presenter.forget(&e.ticket);
            }
            Event::TicketTransferred(e) => {
                for c in &mut self.data.counters {
                    if c.serving.as_ref().is_some_and(|s| s.ticket == e.ticket) {
                        c.serving = None;
                    }
                }
                if let Some(s) = self.data.service_mut(&e.to_service) {
                    s.waiting = (s.waiting + 1).min(MAX_WAITING);
                }
                self.presenter.forget(&e.ticket);
            }
            Event::TicketCancelled(e) => {
                if let Some(s) = self.data.service_mut(&e.service) {
                    s.waiting = s.waiting.saturating_sub(1);
                }
                self.presenter.forget(&e.ticket);
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
                    s.accepting = e.accepting;
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
                    // A new day: the office issues tickets again.
                    s.accepting = true;
                }
                self.presenter.clear();
                self.stats.clear();
            }
            Event::Snapshot(_) | Event::Heartbeat(_) | Event::Unknown(_) | Event::Invalid(_) => {}
        }
        None
    }

    /// Whether a snapshot with this seq and stream replaces the state.
    fn takes_snapshot(&self, seq: u64, stream: Option<&str>) -> bool {
        let current = self.data.last_seq.is_none_or(|last| seq >= last);
        let other_stream = stream != self.data.stream.as_deref();
        !self.synced || current || self.new_stream || other_stream
    }

    fn observe_server_clock(&mut self, envelope: &Envelope, mono: Mono) {
        let offset = envelope.time.duration_since(Timestamp::UNIX_EPOCH);
        let offset = offset.checked_sub(mono.0).unwrap_or(SignedDuration::ZERO);
        match &envelope.event {
            // The time of an invalid message may be the thing that was wrong with it.
            Event::Invalid(_) => {}
            Event::Heartbeat(_) => self.server_offset = Some(offset),
            _ => self.server_offset = self.server_offset.max(Some(offset)),
        }
    }

    /// Queues a call for its turn on screen if it is news; an old one is history already.
    fn present(&mut self, call: &CallInfo, now: Timestamp, mono: Mono) {
        // The installation may name its counter by id ("st3") or by the label people read ("3").
        // A call that names no counter can't be told apart, so no counter display presents it.
        let elsewhere = self.config.only_counter.as_ref().is_some_and(|own| {
            call.counter.as_ref() != Some(own) && self.data.call_counter_label(call) != Some(own)
        });
        if elsewhere {
            // A counter display: residents at this desk are not concerned.
        } else if self.is_fresh(call, mono) {
            self.presenter.enqueue(call.clone(), mono);
            self.last_call_at = Some(now);
        } else {
            tracing::debug!(ticket = %call.ticket, time = %call.time, "an old call: history, not news");
        }
    }

    fn call(&mut self, e: &TicketAtCounter, time: Timestamp, recall: bool) -> CallInfo {
        let call = CallInfo {
            ticket: e.ticket.clone(),
            service: e.service.clone(),
            counter: e.counter.clone(),
            time,
            recall,
            reservation: e.reservation,
        };
        if let Some(c) = e
            .counter
            .as_deref()
            .and_then(|id| self.data.counter_mut(id))
        {
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

    fn free_counter(&mut self, counter: Option<&str>, ticket: &str) {
        if let Some(c) = counter.and_then(|id| self.data.counter_mut(id))
            && c.serving.as_ref().is_some_and(|s| s.ticket == ticket)
        {
            c.serving = None;
        }
    }

    fn apply_snapshot(&mut self, s: &Snapshot, seq: u64, mono: Mono) {
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
            stream: s.stream.clone(),
        };
        self.synced = true;
        self.new_stream = false;
        self.connection_high = Some(seq);
        // A snapshot is the truth: calls queued from before it are dropped unsounded, and its
        // newest call (if any) is the one on screen, quietly: it was either shown before the
        // reconnect or is already history for the people in the hall.
        self.presenter
            .replace_quietly(self.data.recent_calls.front().cloned(), mono);
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
            stream: self.data.stream.clone(),
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

    /// Moves the call presentation forward on the timeline where the monotonic clock reads the
    /// wall clock: see [`Board::advance_at`].
    pub fn advance(&mut self, now: Timestamp) -> Option<CallInfo> {
        self.advance_at(now, Mono::of_wall(now))
    }

    /// Moves the call presentation forward to monotonic time `mono` (wall time `now`, for the
    /// picture): queued calls that became history meanwhile are dropped, and at most one call
    /// starts its turn, when the current one has had its minimum time on screen. Returns the call
    /// that started (its sound should play now). Because at most one starts per tick, a shell that
    /// stalled for minutes catches up one call per minimum display time, never in a burst.
    pub fn advance_at(&mut self, now: Timestamp, mono: Mono) -> Option<CallInfo> {
        self.clock = Some((now, mono));
        let (offset, stale_after) = (self.server_offset, self.config.stale_after);
        self.presenter
            .advance(now, mono, self.config.min_display, |call| {
                is_fresh(offset, stale_after, call, mono)
            })
    }

    /// Presents every call whose turn comes by `now`, as a shell that ticked exactly at each
    /// deadline would have (for replays: `tablica render --events`, `tablica run --events`, the
    /// scenarios). Returns the calls that started.
    pub fn catch_up(&mut self, now: Timestamp, mono: Mono) -> Vec<CallInfo> {
        let mut started = Vec::new();
        while let Some(turn) = self.next_tick() {
            let turn = turn.max(self.clock.map_or(turn, |(_, m)| m));
            if turn > mono {
                break;
            }
            match self.advance_at(time::saturating_add(now, -mono.since(turn)), turn) {
                Some(call) => started.push(call),
                None => break,
            }
        }
        started.extend(self.advance_at(now, mono));
        started
    }

    /// Calls already presented, newest first, without the one on screen and those still queued.
    pub fn history(&self) -> impl Iterator<Item = &CallInfo> {
        self.data
            .recent_calls
            .iter()
            .filter(|c| !self.presenter.is_current_or_pending(c))
    }

    /// The monotonic time at which the next queued call's turn comes (now or later), for a
    /// shell's timer; `None` when nothing is queued.
    pub fn next_tick(&self) -> Option<Mono> {
        self.presenter.next_start(self.config.min_display)
    }

    /// Notes when the words of the call whose turn just began are heard: see
    /// [`Presenter::speak`]. The shell calls it right after [`Board::advance_at`] started the
    /// call and its sound was queued.
    pub fn speak(&mut self, speech: Speech) {
        self.presenter.speak(speech);
    }

    /// Whether the words of the call on screen are being said at `now` (the picture shows a
    /// speaker mark meanwhile, for those who cannot hear).
    pub fn speaking(&self, now: Timestamp) -> bool {
        self.presenter.current().is_some_and(|p| p.speaking(now))
    }

    /// The next moment at which the picture changes by itself (a queued call's turn, the end of a
    /// flash, the start or end of the words of the call on screen), for scheduling the next
    /// frame without polling.
    pub fn next_deadline(&self, now: Timestamp) -> Option<Timestamp> {
        let turn = self.next_tick().map(|turn| match self.clock {
            Some((wall, mono)) => time::saturating_add(wall, turn.since(mono)).max(now),
            None => now,
        });
        let current = self.presenter.current().filter(|p| p.fresh);
        let flash_end = current.map(|p| time::saturating_add(p.since, self.config.flash));
        let speech = current.and_then(Presented::speech_span);
        [
            flash_end,
            speech.map(|(from, _)| from),
            speech.map(|(_, until)| until),
        ]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .chain(turn)
        .min()
    }
}

fn is_fresh(
    offset: Option<SignedDuration>,
    stale_after: SignedDuration,
    call: &CallInfo,
    mono: Mono,
) -> bool {
    let Some(offset) = offset else {
        return true;
    };
    let server_now = time::saturating_add(Timestamp::UNIX_EPOCH, mono.saturating_add(offset).0);
    server_now.duration_since(call.time) <= stale_after
}

#[cfg(test)]
mod tests;
