//! JSON Lines files of wire events: one envelope per line, as a server would send them. Used by
//! `tablica render`, `tablica run --events`, the simulator's script mode (which builds on
//! [`parse_event_lines`]) and tests. Blank lines and lines starting with `#` are ignored, so files
//! can carry comments.

use super::{DecodeError, Envelope, Event, decode_event};

/// A line of a file of events that is not a valid event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct EventLineError {
    /// 1-based.
    pub line: usize,
    pub error: DecodeError,
}

/// Parses a whole file of events: each envelope with its 1-based line number, in file order.
pub fn parse_event_lines(text: &str) -> Result<Vec<(usize, Envelope)>, EventLineError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if line_text.is_empty() || line_text.starts_with('#') {
            continue;
        }
        let envelope =
            decode_event(line_text).map_err(|error| EventLineError { line: i + 1, error })?;
        // A live display consumes unusable data as a no-op; a file is written by a person, who
        // is better served by the line and the field.
        if let Event::Invalid(invalid) = envelope.event {
            return Err(EventLineError {
                line: i + 1,
                error: invalid.error,
            });
        }
        events.push((i + 1, envelope));
    }
    Ok(events)
}

/// Parses a whole file of events (see [`parse_event_lines`]).
pub fn parse_events(text: &str) -> Result<Vec<Envelope>, EventLineError> {
    parse_event_lines(text).map(|lines| lines.into_iter().map(|(_, e)| e).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_comments_and_names_bad_lines() {
        let text = "# a comment\n\n{\"v\":1,\"seq\":1,\"type\":\"heartbeat\",\"time\":\"2026-11-30T10:00:00Z\"}\n{oops\n";
        let err = parse_events(text).unwrap_err();
        assert_eq!(err.line, 4);
        // Data the live display would skip is an error in a file, naming line and field.
        let bad = "{\"v\":1,\"seq\":1,\"type\":\"ticket.called\",\"time\":\"2026-11-30T10:00:00Z\",\"data\":{}}";
        let err = parse_events(bad).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.to_string().contains("data.ticket"), "{err}");
        let ok = parse_events(&text.replace("{oops\n", "")).unwrap();
        assert_eq!(ok.len(), 1);
    }
}
