//! Queue protocol v1: the JSON messages that travel between a queue system and the display.
//!
//! The types here are the single source of truth for the wire format; docs/PROTOCOL.md describes
//! the same thing for a vendor. Decoding is strict about the envelope (`v`, `seq`, `type`: a frame
//! whose envelope is wrong is a [`DecodeError`]) and forgiving about what is inside it: display
//! strings that break a limit are cleaned, absurd numbers are clamped, and data that still cannot
//! be used becomes an [`Event::Invalid`] that keeps its `seq`, so that one bad field never costs a
//! whole message or leaves a hole in the numbering. Unknown fields and event types are accepted
//! and ignored, so that a server that adds to the protocol never breaks an installed display.

mod decode;
mod limits;
pub mod script;
pub mod time;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use decode::{DecodeError, decode_event, decode_hello};
pub use limits::*;
pub use script::{EventLineError, parse_event_lines, parse_events};

/// The protocol version this build speaks; carried as `v` in every message.
pub const PROTOCOL_VERSION: u64 = 1;

/// One server → display message: a numbered event of an office's stream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    /// Always [`PROTOCOL_VERSION`].
    pub v: u64,
    /// Position in the office's stream; grows by exactly 1 per event.
    pub seq: u64,
    /// When the queue system produced the event.
    #[serde(with = "time::rfc3339")]
    pub time: Timestamp,
    #[serde(flatten)]
    pub event: Event,
}

impl Envelope {
    pub fn new(seq: u64, time: Timestamp, event: Event) -> Self {
        Envelope {
            v: PROTOCOL_VERSION,
            seq,
            time,
            event,
        }
    }

    /// The wire form: one JSON text frame.
    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail: every map key is a string.
        serde_json::to_string(self).expect("protocol types always serialise")
    }
}

/// What happened. The `type` strings are those of docs/PROTOCOL.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    #[serde(rename = "snapshot")]
    Snapshot(Snapshot),
    #[serde(rename = "ticket.issued")]
    TicketIssued(TicketIssued),
    #[serde(rename = "ticket.called")]
    TicketCalled(TicketAtCounter),
    #[serde(rename = "ticket.recalled")]
    TicketRecalled(TicketAtCounter),
    #[serde(rename = "ticket.transferred")]
    TicketTransferred(TicketTransferred),
    #[serde(rename = "ticket.served")]
    TicketServed(TicketAtCounter),
    #[serde(rename = "ticket.no_show")]
    TicketNoShow(TicketAtCounter),
    #[serde(rename = "ticket.cancelled")]
    TicketCancelled(TicketCancelled),
    #[serde(rename = "counter.opened")]
    CounterOpened(CounterOpened),
    #[serde(rename = "counter.closed")]
    CounterClosed(CounterClosed),
    #[serde(rename = "service.wait")]
    ServiceWait(ServiceWait),
    #[serde(rename = "announcement.set")]
    AnnouncementSet(Announcement),
    #[serde(rename = "announcement.cleared")]
    AnnouncementCleared(AnnouncementCleared),
    #[serde(rename = "day.reset")]
    DayReset(Empty),
    #[serde(rename = "heartbeat")]
    Heartbeat(Heartbeat),
    /// An event type this build does not know. It still occupies its `seq`, so the stream stays
    /// gap-free for the board; it is never sent.
    #[serde(skip)]
    Unknown(String),
    /// A message whose envelope is valid but whose `data` cannot be used. It still occupies its
    /// `seq` (the board applies it as a no-op), so the next event is not mistaken for a gap and a
    /// server that resends it on resume cannot make the display resynchronise forever. It is
    /// never sent.
    #[serde(skip)]
    Invalid(Invalid),
}

impl Event {
    /// The wire `type` string.
    pub fn type_name(&self) -> &str {
        match self {
            Event::Snapshot(_) => "snapshot",
            Event::TicketIssued(_) => "ticket.issued",
            Event::TicketCalled(_) => "ticket.called",
            Event::TicketRecalled(_) => "ticket.recalled",
            Event::TicketTransferred(_) => "ticket.transferred",
            Event::TicketServed(_) => "ticket.served",
            Event::TicketNoShow(_) => "ticket.no_show",
            Event::TicketCancelled(_) => "ticket.cancelled",
            Event::CounterOpened(_) => "counter.opened",
            Event::CounterClosed(_) => "counter.closed",
            Event::ServiceWait(_) => "service.wait",
            Event::AnnouncementSet(_) => "announcement.set",
            Event::AnnouncementCleared(_) => "announcement.cleared",
            Event::DayReset(_) => "day.reset",
            Event::Heartbeat(_) => "heartbeat",
            Event::Unknown(name) => name,
            Event::Invalid(i) => &i.kind,
        }
    }
}

/// The `data` of events that carry nothing (`day.reset`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// The `data` of a `heartbeat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The server's stream (see [`Snapshot::stream`]); absent from servers older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}

/// What is known of a message whose data could not be used ([`Event::Invalid`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The message's `type`.
    pub kind: String,
    /// Why its data could not be used, naming the field.
    pub error: DecodeError,
    /// For a snapshot: its `stream`, when that much of it could be read, so that the board can
    /// follow the server's numbering even when the rest of the snapshot is unusable.
    pub stream: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub id: String,
    pub name: String,
}

/// One service (a kind of matter a resident comes for) with its queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub id: String,
    /// Polish name shown on the board, e.g. "Dowody osobiste".
    pub name: String,
    /// Ticket prefix, e.g. "A".
    pub prefix: String,
    /// People waiting for this service.
    pub waiting: u32,
    /// The queue system's estimate of the wait, in seconds; `null` when it has none.
    pub est_wait_s: Option<u32>,
    /// Open counters that serve this service.
    pub open_counters: u32,
    /// False when the office stopped issuing tickets for this service today (the queue already
    /// reaches closing time). Absent from servers older than it: true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub accepting: bool,
    /// The name in other languages, by language code ("uk", "en"); the board keeps the Polish
    /// `name` for any language missing here. Absent from servers older than it: none.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "decode::lenient_names"
    )]
    pub names: BTreeMap<String, String>,
}

/// The default of flags that old servers never send and that mean "as always" when true.
fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The ticket a counter is serving right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Serving {
    pub ticket: String,
    pub service: String,
}

/// One counter (stanowisko).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterInfo {
    pub id: String,
    /// What the board shows after "Stanowisko", e.g. "3".
    pub label: String,
    pub open: bool,
    /// Ids of the services this counter serves.
    pub services: Vec<String>,
    pub serving: Option<Serving>,
}

/// A call of a ticket to a counter, as kept in the board's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallInfo {
    pub ticket: String,
    pub service: String,
    /// The counter the ticket was called to; `None` when the queue system does not say (a
    /// status page polled by the bridge names no counter). Absent and `null` read the same.
    #[serde(default)]
    pub counter: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub time: Timestamp,
    /// True when this was a repeated call of a ticket already called.
    pub recall: bool,
    /// True when the ticket is a visit booked in advance. Absent from servers older than it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reservation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    pub text: String,
}

/// The whole state of an office at one `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub office: Office,
    pub services: Vec<ServiceInfo>,
    pub counters: Vec<CounterInfo>,
    /// Newest first.
    pub recent_calls: Vec<CallInfo>,
    pub announcements: Vec<Announcement>,
    /// An opaque name of the server's event stream (at most [`MAX_STREAM_CHARS`] characters):
    /// `seq` numbers are only comparable within one stream. A server that starts a new numbering
    /// (a restart without its log) starts a new stream. Absent from servers older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketIssued {
    pub ticket: String,
    pub service: String,
    /// True for a visit booked online (these tickets carry their own prefix).
    pub reservation: bool,
    /// People waiting for the service after this ticket joined.
    pub waiting: u32,
}

/// `ticket.called`, `ticket.recalled`, `ticket.served` and `ticket.no_show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAtCounter {
    pub ticket: String,
    pub service: String,
    /// `None` when the queue system does not say which counter (see [`CallInfo::counter`]).
    #[serde(default)]
    pub counter: Option<String>,
    /// True when the ticket is a visit booked in advance; read from `ticket.called` and
    /// `ticket.recalled`. Absent from servers older than it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reservation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTransferred {
    pub ticket: String,
    pub from_service: String,
    pub to_service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketCancelled {
    pub ticket: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterOpened {
    pub counter: String,
    pub label: String,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterClosed {
    pub counter: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceWait {
    pub service: String,
    pub waiting: u32,
    pub est_wait_s: Option<u32>,
    pub open_counters: u32,
    /// See [`ServiceInfo::accepting`]; absent: true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub accepting: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnouncementCleared {
    pub id: String,
}

/// The display's first frame after connecting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Always "hello".
    #[serde(rename = "type")]
    pub kind: String,
    pub v: u64,
    /// The display's id, for the server's logs.
    pub display: String,
    /// The last `seq` the display applied; the server sends what follows it if it still can.
    pub resume_from: Option<u64>,
    /// Only these services are of interest (`null`: all).
    pub services: Option<Vec<String>>,
    /// The stream of the display's last snapshot (`null`: none, or a server without streams).
    /// A server resumes only within the same stream. Absent from displays older than it.
    #[serde(default)]
    pub stream: Option<String>,
}

impl Hello {
    pub fn new(display: &str, resume_from: Option<u64>, services: Option<Vec<String>>) -> Self {
        Hello {
            kind: "hello".into(),
            v: PROTOCOL_VERSION,
            display: display.into(),
            resume_from,
            services,
            stream: None,
        }
    }

    /// The same hello, naming the stream `resume_from` belongs to.
    pub fn in_stream(mut self, stream: Option<String>) -> Self {
        self.stream = stream;
        self
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("protocol types always serialise")
    }
}

#[cfg(test)]
mod tests;
