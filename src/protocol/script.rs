//! JSON Lines files of wire events: one envelope per line, as a server would send them. Used by
//! `tablica render`, `tablica simulate --script` and tests. Blank lines and lines starting with
//! `#` are ignored, so scripts can carry comments.

use super::{DecodeError, Envelope, Event, decode_event};

/// A line of a script that is not a valid event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct ScriptError {
    /// 1-based.
    pub line: usize,
    pub error: DecodeError,
}

/// Parses a whole script.
pub fn parse_events(text: &str) -> Result<Vec<Envelope>, ScriptError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if line_text.is_empty() || line_text.starts_with('#') {
            continue;
        }
        let envelope =
            decode_event(line_text).map_err(|error| ScriptError { line: i + 1, error })?;
        // A live display consumes unusable data as a no-op; a file is written by a person, who
        // is better served by the line and the field.
        if let Event::Invalid(invalid) = envelope.event {
            return Err(ScriptError {
                line: i + 1,
                error: invalid.error,
            });
        }
        events.push(envelope);
    }
    Ok(events)
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
