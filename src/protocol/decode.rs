//! Turning untrusted text frames into [`Envelope`]s and [`Hello`]s.
//!
//! Decoding runs in two steps: the envelope is read with the event's `data` kept as raw JSON, then
//! the `data` is read into the struct its `type` names. Every failure names the field it concerns
//! (`data.services[3].waiting`), because the person reading the log is a queue-system vendor who
//! needs to know which part of their message was wrong.

use super::*;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Why a frame was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame of {len} bytes is larger than the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("field `{field}`: {problem}")]
    Field { field: String, problem: String },
    #[error("protocol version {0} is not supported (this display speaks v1)")]
    Version(u64),
}

impl DecodeError {
    /// A short stable name of the kind of error, for counting and rate-limited logging.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::Json(_) => "invalid_json",
            DecodeError::Field { .. } => "invalid_field",
            DecodeError::Version(_) => "unsupported_version",
        }
    }

    fn field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        DecodeError::Field {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

#[derive(Deserialize)]
struct RawEnvelope<'a> {
    v: Option<u64>,
    seq: Option<u64>,
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

/// Decodes one server → display text frame.
///
/// Unknown event types decode to [`Event::Unknown`] (they still carry a `seq`); unknown fields are
/// ignored.
pub fn decode_event(text: &str) -> Result<Envelope, DecodeError> {
    check_size(text)?;
    let raw: RawEnvelope = read_json(text, "")?;
    let v = raw.v.ok_or_else(|| DecodeError::field("v", "missing"))?;
    if v != PROTOCOL_VERSION {
        return Err(DecodeError::Version(v));
    }
    let seq = raw.seq.ok_or_else(|| DecodeError::field("seq", "missing"))?;
    if seq > MAX_SEQ {
        return Err(DecodeError::field("seq", format!("{seq} is larger than {MAX_SEQ}")));
    }
    let kind = raw.kind.ok_or_else(|| DecodeError::field("type", "missing"))?;
    let time = raw.time.ok_or_else(|| DecodeError::field("time", "missing"))?;
    let time = time::parse_rfc3339(&time).map_err(|p| DecodeError::field("time", p))?;
    let data = raw.data;
    let event = match kind.as_ref() {
        "snapshot" => Event::Snapshot(checked(data)?),
        "ticket.issued" => Event::TicketIssued(checked(data)?),
        "ticket.called" => Event::TicketCalled(checked(data)?),
        "ticket.recalled" => Event::TicketRecalled(checked(data)?),
        "ticket.transferred" => Event::TicketTransferred(checked(data)?),
        "ticket.served" => Event::TicketServed(checked(data)?),
        "ticket.no_show" => Event::TicketNoShow(checked(data)?),
        "ticket.cancelled" => Event::TicketCancelled(checked(data)?),
        "counter.opened" => Event::CounterOpened(checked(data)?),
        "counter.closed" => Event::CounterClosed(checked(data)?),
        "service.wait" => Event::ServiceWait(checked(data)?),
        "announcement.set" => Event::AnnouncementSet(checked(data)?),
        "announcement.cleared" => Event::AnnouncementCleared(checked(data)?),
        "day.reset" => Event::DayReset(Empty {}),
        "heartbeat" => Event::Heartbeat(Empty {}),
        other => {
            check_id(("", "type"), other)?;
            tracing::debug!(r#type = other, seq, "ignoring unknown event type");
            Event::Unknown(other.to_owned())
        }
    };
    Ok(Envelope::new(seq, time, event))
}

/// Decodes the display's `hello` (used by the simulator and by test servers).
pub fn decode_hello(text: &str) -> Result<Hello, DecodeError> {
    check_size(text)?;
    let hello: Hello = read_json(text, "")?;
    if hello.kind != "hello" {
        return Err(DecodeError::field(
            "type",
            format!("expected \"hello\", got {:?}", hello.kind),
        ));
    }
    if hello.v != PROTOCOL_VERSION {
        return Err(DecodeError::Version(hello.v));
    }
    check_id(("", "display"), &hello.display)?;
    if let Some(seq) = hello.resume_from
        && seq > MAX_SEQ
    {
        return Err(DecodeError::field("resume_from", "too large"));
    }
    if let Some(services) = &hello.services {
        check_len(("", "services"), services.len(), MAX_SERVICES)?;
        for (i, s) in services.iter().enumerate() {
            check_id(("services", &format!("[{i}]")), s)?;
        }
    }
    Ok(hello)
}

fn check_size(text: &str) -> Result<(), DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge {
            len: text.len(),
            max: MAX_FRAME_BYTES,
        });
    }
    Ok(())
}

/// Reads JSON into `T`, turning serde's errors into ones that name the field by its full path
/// (`prefix` is prepended, e.g. `data`).
fn read_json<'de, T: Deserialize<'de>>(text: &'de str, prefix: &str) -> Result<T, DecodeError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = strip_position(&inner.to_string());
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return DecodeError::Json(message);
        }
        let mut field = join_path(prefix, if path == "." { "" } else { &path });
        // serde reports a missing field at its parent; name the field itself.
        let problem = match message.strip_prefix("missing field `") {
            Some(rest) => {
                let name = rest.trim_end_matches('`');
                field = join_path(&field, name);
                "missing".to_owned()
            }
            None => message,
        };
        if field.is_empty() {
            DecodeError::Json(problem)
        } else {
            DecodeError::field(field, problem)
        }
    })?;
    de.end().map_err(|e| DecodeError::Json(strip_position(&e.to_string())))?;
    Ok(value)
}

fn join_path(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}.{b}"),
    }
}

/// serde_json appends " at line L column C"; the field path says more than that to a vendor.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn checked<T: DeserializeOwned + Check>(data: Option<&RawValue>) -> Result<T, DecodeError> {
    let data = data.ok_or_else(|| DecodeError::field("data", "missing"))?;
    let value: T = read_json(data.get(), "data")?;
    value.check("data")?;
    Ok(value)
}

/// Validation of values beyond their JSON types.
trait Check {
    fn check(&self, path: &str) -> Result<(), DecodeError>;
}

fn no_control(field: Loc, value: &str) -> Result<(), DecodeError> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(DecodeError::field(
            loc(field),
            format!("contains the control character U+{:04X}", c as u32),
        ));
    }
    Ok(())
}

fn check_str(field: Loc, value: &str, max: usize, what: &str) -> Result<(), DecodeError> {
    if value.trim().is_empty() {
        return Err(DecodeError::field(loc(field), format!("empty {what}")));
    }
    let n = value.chars().count();
    if n > max {
        return Err(DecodeError::field(
            loc(field),
            format!("{what} of {n} characters is longer than {max}"),
        ));
    }
    no_control(field, value)
}

fn check_id(field: Loc, value: &str) -> Result<(), DecodeError> {
    check_str(field, value, MAX_ID_CHARS, "id")
}

fn check_ticket(field: Loc, value: &str) -> Result<(), DecodeError> {
    check_str(field, value, MAX_TICKET_CHARS, "ticket label")
}

/// Where a value sits: a parent path and the field's name, joined only when reporting an error so
/// that valid frames cost no allocations for it.
type Loc<'a> = (&'a str, &'a str);

fn loc((parent, name): Loc) -> String {
    join_path(parent, name)
}

fn check_len(field: Loc, len: usize, max: usize) -> Result<(), DecodeError> {
    if len > max {
        return Err(DecodeError::field(
            loc(field),
            format!("{len} entries, more than the {max} allowed"),
        ));
    }
    Ok(())
}

fn check_max(field: Loc, value: u32, max: u32) -> Result<(), DecodeError> {
    if value > max {
        return Err(DecodeError::field(
            loc(field),
            format!("{value} is larger than {max}"),
        ));
    }
    Ok(())
}

fn check_wait(path: &str, waiting: u32, est: Option<u32>, open: u32) -> Result<(), DecodeError> {
    check_max((path, "waiting"), waiting, MAX_WAITING)?;
    if let Some(est) = est {
        check_max((path, "est_wait_s"), est, MAX_EST_WAIT_S)?;
    }
    check_max((path, "open_counters"), open, MAX_COUNTERS as u32)
}

impl Check for Snapshot {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "office.id"), &self.office.id)?;
        check_str(
            (p, "office.name"),
            &self.office.name,
            MAX_NAME_CHARS,
            "name",
        )?;
        check_len((p, "services"), self.services.len(), MAX_SERVICES)?;
        for (i, s) in self.services.iter().enumerate() {
            let q = format!("{p}.services[{i}]");
            check_id((&q, "id"), &s.id)?;
            check_str((&q, "name"), &s.name, MAX_NAME_CHARS, "name")?;
            check_str((&q, "prefix"), &s.prefix, MAX_PREFIX_CHARS, "prefix")?;
            check_wait(&q, s.waiting, s.est_wait_s, s.open_counters)?;
        }
        check_len((p, "counters"), self.counters.len(), MAX_COUNTERS)?;
        for (i, c) in self.counters.iter().enumerate() {
            let q = format!("{p}.counters[{i}]");
            check_id((&q, "id"), &c.id)?;
            check_str((&q, "label"), &c.label, MAX_LABEL_CHARS, "label")?;
            check_services((&q, "services"), &c.services)?;
            if let Some(s) = &c.serving {
                check_ticket((&q, "serving.ticket"), &s.ticket)?;
                check_id((&q, "serving.service"), &s.service)?;
            }
        }
        check_len(
            (p, "recent_calls"),
            self.recent_calls.len(),
            MAX_RECENT_CALLS,
        )?;
        for (i, c) in self.recent_calls.iter().enumerate() {
            let q = format!("{p}.recent_calls[{i}]");
            check_ticket((&q, "ticket"), &c.ticket)?;
            check_id((&q, "service"), &c.service)?;
            check_id((&q, "counter"), &c.counter)?;
        }
        check_len(
            (p, "announcements"),
            self.announcements.len(),
            MAX_ANNOUNCEMENTS,
        )?;
        for (i, a) in self.announcements.iter().enumerate() {
            a.check(&format!("{p}.announcements[{i}]"))?;
        }
        Ok(())
    }
}

fn check_services(field: Loc, services: &[String]) -> Result<(), DecodeError> {
    check_len(field, services.len(), MAX_SERVICES)?;
    for (i, s) in services.iter().enumerate() {
        check_id((field.0, &format!("{}[{i}]", field.1)), s)?;
    }
    Ok(())
}

impl Check for TicketIssued {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)?;
        check_max((p, "waiting"), self.waiting, MAX_WAITING)
    }
}

impl Check for TicketAtCounter {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)?;
        check_id((p, "counter"), &self.counter)
    }
}

impl Check for TicketTransferred {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "from_service"), &self.from_service)?;
        check_id((p, "to_service"), &self.to_service)
    }
}

impl Check for TicketCancelled {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)
    }
}

impl Check for CounterOpened {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "counter"), &self.counter)?;
        check_str((p, "label"), &self.label, MAX_LABEL_CHARS, "label")?;
        check_services((p, "services"), &self.services)
    }
}

impl Check for CounterClosed {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "counter"), &self.counter)
    }
}

impl Check for ServiceWait {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "service"), &self.service)?;
        check_wait(p, self.waiting, self.est_wait_s, self.open_counters)
    }
}

impl Check for Announcement {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "id"), &self.id)?;
        check_str((p, "text"), &self.text, MAX_TEXT_CHARS, "text")
    }
}

impl Check for AnnouncementCleared {
    fn check(&self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "id"), &self.id)
    }
}
