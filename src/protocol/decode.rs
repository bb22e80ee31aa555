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
use std::collections::BTreeMap;

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
/// A frame whose envelope (`v`, `seq`, `type`) is wrong is an error. Past the envelope nothing is
/// fatal: display strings are cleaned, numbers clamped, lists cut to their limits, and data that
/// still cannot be used (a wrong type, a missing field, a bad identifier or `time`) gives an
/// [`Event::Invalid`] that keeps the frame's `seq`. Unknown event types decode to
/// [`Event::Unknown`]; unknown fields are ignored.
pub fn decode_event(text: &str) -> Result<Envelope, DecodeError> {
    check_size(text)?;
    let raw: RawEnvelope = read_json(text, "")?;
    let v = raw.v.ok_or_else(|| DecodeError::field("v", "missing"))?;
    if v != PROTOCOL_VERSION {
        return Err(DecodeError::Version(v));
    }
    let seq = raw
        .seq
        .ok_or_else(|| DecodeError::field("seq", "missing"))?;
    if seq > MAX_SEQ {
        return Err(DecodeError::field(
            "seq",
            format!("{seq} is larger than {MAX_SEQ}"),
        ));
    }
    let kind = raw
        .kind
        .ok_or_else(|| DecodeError::field("type", "missing"))?;
    check_id(("", "type"), &kind)?;
    let data = raw.data;
    let invalid = |error: DecodeError| {
        // A snapshot's stream is read on its own, so that the board can follow the server's
        // numbering even when the rest of the snapshot is unusable.
        let stream = if kind == "snapshot" {
            data.and_then(|d| serde_json::from_str::<StreamOnly>(d.get()).ok())
                .and_then(|s| s.stream)
                .filter(|s| check_stream(("", ""), s).is_ok())
        } else {
            None
        };
        Event::Invalid(Invalid {
            kind: kind.to_string(),
            error,
            stream,
        })
    };
    let time = raw
        .time
        .ok_or_else(|| DecodeError::field("time", "missing"))
        .and_then(|t| time::parse_rfc3339(&t).map_err(|p| DecodeError::field("time", p)));
    let time = match time {
        Ok(t) => t,
        // The envelope's number is good, so the message still occupies its place in the stream;
        // the board never reads the time of an invalid event.
        Err(e) => return Ok(Envelope::new(seq, Timestamp::UNIX_EPOCH, invalid(e))),
    };
    let event = match kind.as_ref() {
        "snapshot" => checked(data).map(Event::Snapshot),
        "ticket.issued" => checked(data).map(Event::TicketIssued),
        "ticket.called" => checked(data).map(Event::TicketCalled),
        "ticket.recalled" => checked(data).map(Event::TicketRecalled),
        "ticket.transferred" => checked(data).map(Event::TicketTransferred),
        "ticket.served" => checked(data).map(Event::TicketServed),
        "ticket.no_show" => checked(data).map(Event::TicketNoShow),
        "ticket.cancelled" => checked(data).map(Event::TicketCancelled),
        "counter.opened" => checked(data).map(Event::CounterOpened),
        "counter.closed" => checked(data).map(Event::CounterClosed),
        "service.wait" => checked(data).map(Event::ServiceWait),
        "announcement.set" => checked(data).map(Event::AnnouncementSet),
        "announcement.cleared" => checked(data).map(Event::AnnouncementCleared),
        "day.reset" => Ok(Event::DayReset(Empty {})),
        // Old servers send `{}` or no data at all.
        "heartbeat" => match data {
            None => Ok(Event::Heartbeat(Heartbeat::default())),
            Some(_) => checked(data).map(Event::Heartbeat),
        },
        other => {
            tracing::debug!(r#type = other, seq, "ignoring unknown event type");
            Ok(Event::Unknown(other.to_owned()))
        }
    };
    let event = event.unwrap_or_else(invalid);
    Ok(Envelope::new(seq, time, event))
}

#[derive(Deserialize)]
struct StreamOnly {
    stream: Option<String>,
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
    if let Some(stream) = &hello.stream {
        check_stream(("", "stream"), stream)?;
    }
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
    de.end()
        .map_err(|e| DecodeError::Json(strip_position(&e.to_string())))?;
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
    let mut value: T = read_json(data.get(), "data")?;
    value.check("data")?;
    Ok(value)
}

/// Validation of values beyond their JSON types. Display strings, numbers and lists are cleaned
/// in place; identifiers and ticket labels are checked, because the board matches on them and a
/// cleaned one would match the wrong thing.
trait Check {
    fn check(&mut self, path: &str) -> Result<(), DecodeError>;
}

/// Cleans a string that people read and nothing matches on: control characters (a line break
/// from a copy-paste) become spaces and an over-long text is cut to `max` characters ending in
/// "…". The limits stay what servers MUST send; the display is lenient so that one sloppy name
/// costs nobody their call. An empty result is an error: there is nothing to show.
fn clean_display(
    field: Loc,
    value: &mut String,
    max: usize,
    what: &str,
) -> Result<(), DecodeError> {
    if value.chars().any(char::is_control) {
        *value = value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
    }
    if value.trim().is_empty() {
        return Err(DecodeError::field(loc(field), format!("empty {what}")));
    }
    if value.chars().count() > max {
        let mut cut: String = value.chars().take(max.saturating_sub(1)).collect();
        cut.truncate(cut.trim_end().len());
        cut.push('…');
        *value = cut;
    }
    Ok(())
}

/// Cuts a list that is longer than the protocol allows, keeping its first entries (for
/// `recent_calls`, the newest).
fn cut_list<T>(list: &mut Vec<T>, max: usize) {
    list.truncate(max);
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

fn check_stream(field: Loc, value: &str) -> Result<(), DecodeError> {
    check_str(field, value, MAX_STREAM_CHARS, "stream")
}

/// Clamps the numbers of a service's queue to what is plausible: an absurd count or estimate is
/// a server's bug, and showing the limit (or no estimate) beats dropping the whole message.
fn clean_wait(waiting: &mut u32, est: &mut Option<u32>, open: &mut u32) {
    *waiting = (*waiting).min(MAX_WAITING);
    if est.is_some_and(|e| e > MAX_EST_WAIT_S) {
        *est = None;
    }
    *open = (*open).min(MAX_COUNTERS as u32);
}

impl Check for Snapshot {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "office.id"), &self.office.id)?;
        clean_display(
            (p, "office.name"),
            &mut self.office.name,
            MAX_NAME_CHARS,
            "name",
        )?;
        if let Some(stream) = &self.stream {
            check_stream((p, "stream"), stream)?;
        }
        cut_list(&mut self.services, MAX_SERVICES);
        for (i, s) in self.services.iter_mut().enumerate() {
            let q = format!("{p}.services[{i}]");
            check_id((&q, "id"), &s.id)?;
            if clean_display((&q, "name"), &mut s.name, MAX_NAME_CHARS, "name").is_err() {
                s.name = s.id.clone();
            }
            if clean_display((&q, "prefix"), &mut s.prefix, MAX_PREFIX_CHARS, "prefix").is_err() {
                s.prefix = "?".into();
            }
            clean_wait(&mut s.waiting, &mut s.est_wait_s, &mut s.open_counters);
            clean_names(&q, &mut s.names);
        }
        cut_list(&mut self.counters, MAX_COUNTERS);
        for (i, c) in self.counters.iter_mut().enumerate() {
            let q = format!("{p}.counters[{i}]");
            check_id((&q, "id"), &c.id)?;
            if clean_display((&q, "label"), &mut c.label, MAX_LABEL_CHARS, "label").is_err() {
                c.label = c.id.clone();
            }
            check_services((&q, "services"), &mut c.services)?;
            if let Some(s) = &c.serving {
                check_ticket((&q, "serving.ticket"), &s.ticket)?;
                check_id((&q, "serving.service"), &s.service)?;
            }
        }
        cut_list(&mut self.recent_calls, MAX_RECENT_CALLS);
        for (i, c) in self.recent_calls.iter().enumerate() {
            let q = format!("{p}.recent_calls[{i}]");
            check_ticket((&q, "ticket"), &c.ticket)?;
            check_id((&q, "service"), &c.service)?;
            check_counter((&q, "counter"), c.counter.as_deref())?;
        }
        cut_list(&mut self.announcements, MAX_ANNOUNCEMENTS);
        for (i, a) in self.announcements.iter_mut().enumerate() {
            a.check(&format!("{p}.announcements[{i}]"))?;
        }
        Ok(())
    }
}

/// Reads `names` as any JSON value and keeps its string entries: a server that sends something
/// else there (a list, a number) costs the board its translations, not the whole message.
pub(super) fn lenient_names<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let serde_json::Value::Object(map) = value else {
        return Ok(BTreeMap::new());
    };
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect())
}

/// Keeps the usable translated names of a service: at most [`MAX_NAME_TRANSLATIONS`] of them,
/// under plain language codes, each cleaned like the Polish name. A bad entry is dropped rather
/// than costing the service, because the Polish name is always there to show.
fn clean_names(path: &str, names: &mut BTreeMap<String, String>) {
    let mut kept = BTreeMap::new();
    for (lang, mut name) in std::mem::take(names) {
        if kept.len() >= MAX_NAME_TRANSLATIONS {
            break;
        }
        let lang_ok = !lang.is_empty()
            && lang.chars().count() <= MAX_LANGUAGE_CHARS
            && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if lang_ok && clean_display((path, "names"), &mut name, MAX_NAME_CHARS, "name").is_ok() {
            kept.insert(lang, name);
        }
    }
    *names = kept;
}

fn check_services(field: Loc, services: &mut Vec<String>) -> Result<(), DecodeError> {
    cut_list(services, MAX_SERVICES);
    for (i, s) in services.iter().enumerate() {
        check_id((field.0, &format!("{}[{i}]", field.1)), s)?;
    }
    Ok(())
}

impl Check for Heartbeat {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        if let Some(stream) = &self.stream {
            check_stream((p, "stream"), stream)?;
        }
        Ok(())
    }
}

impl Check for TicketIssued {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)?;
        self.waiting = self.waiting.min(MAX_WAITING);
        Ok(())
    }
}

impl Check for TicketAtCounter {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)?;
        check_counter((p, "counter"), self.counter.as_deref())
    }
}

/// A call's counter: absent or `null` is allowed (the queue system does not say), but a counter
/// that is given must be a valid id, as everywhere else.
fn check_counter(field: (&str, &str), counter: Option<&str>) -> Result<(), DecodeError> {
    counter.map_or(Ok(()), |c| check_id(field, c))
}

impl Check for TicketTransferred {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "from_service"), &self.from_service)?;
        check_id((p, "to_service"), &self.to_service)
    }
}

impl Check for TicketCancelled {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_ticket((p, "ticket"), &self.ticket)?;
        check_id((p, "service"), &self.service)
    }
}

impl Check for CounterOpened {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "counter"), &self.counter)?;
        if clean_display((p, "label"), &mut self.label, MAX_LABEL_CHARS, "label").is_err() {
            self.label = self.counter.clone();
        }
        check_services((p, "services"), &mut self.services)
    }
}

impl Check for CounterClosed {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "counter"), &self.counter)
    }
}

impl Check for ServiceWait {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "service"), &self.service)?;
        clean_wait(
            &mut self.waiting,
            &mut self.est_wait_s,
            &mut self.open_counters,
        );
        Ok(())
    }
}

impl Check for Announcement {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "id"), &self.id)?;
        clean_display((p, "text"), &mut self.text, MAX_TEXT_CHARS, "text")
    }
}

impl Check for AnnouncementCleared {
    fn check(&mut self, p: &str) -> Result<(), DecodeError> {
        check_id((p, "id"), &self.id)
    }
}
