//! Script mode: a JSON Lines file of wire envelopes, replayed to every display.
//!
//! Each line is one envelope exactly as docs/PROTOCOL.md describes it; blank lines and lines
//! starting with `#` are ignored. The file's `seq` values are kept when they form a valid stream
//! (each event one above the previous one, a snapshot never below it); otherwise the whole script
//! is renumbered from 1, so that a hand-written file need not get its numbers right.

use crate::protocol::{DecodeError, Envelope, Event, parse_event_lines};
use std::path::{Path, PathBuf};

/// Why a script cannot be played.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("cannot read script {path}: {source}", path = path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{name}, line {line}: {source}")]
    Line {
        name: String,
        line: usize,
        source: DecodeError,
    },
    #[error("{name}, line {line}: unknown event type `{kind}` cannot be replayed")]
    UnknownType {
        name: String,
        line: usize,
        kind: String,
    },
    #[error("{name} contains no events")]
    Empty { name: String },
}

/// A parsed script, ready to play.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    events: Vec<Envelope>,
    renumber: bool,
}

impl Script {
    /// Reads and parses a script file.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScriptError::Read {
            path: path.to_owned(),
            source,
        })?;
        Script::parse(&text, &path.display().to_string())
    }

    /// Parses script text; `name` is used in error messages. The lines are protocol's file of
    /// events ([`parse_event_lines`]); a script also leaves out heartbeats and refuses event types
    /// this program cannot replay.
    pub fn parse(text: &str, name: &str) -> Result<Script, ScriptError> {
        let lines = parse_event_lines(text).map_err(|e| ScriptError::Line {
            name: name.to_owned(),
            line: e.line,
            source: e.error,
        })?;
        let mut events = Vec::new();
        for (line, envelope) in lines {
            match &envelope.event {
                // The server sends its own heartbeats to each display.
                Event::Heartbeat(_) => continue,
                Event::Unknown(kind) => {
                    return Err(ScriptError::UnknownType {
                        name: name.to_owned(),
                        line,
                        kind: kind.clone(),
                    });
                }
                _ => events.push(envelope),
            }
        }
        if events.is_empty() {
            return Err(ScriptError::Empty {
                name: name.to_owned(),
            });
        }
        let renumber = !numbering_is_valid(&events);
        Ok(Script { events, renumber })
    }

    /// The envelopes in file order (heartbeats left out), with the file's numbering.
    pub fn events(&self) -> &[Envelope] {
        &self.events
    }

    /// True when the file's `seq` values are replaced by the server's own.
    pub fn renumbered(&self) -> bool {
        self.renumber
    }

    pub(crate) fn into_parts(self) -> (Vec<Envelope>, bool) {
        (self.events, self.renumber)
    }
}

/// A stream the server can pass on unchanged: events step by exactly one, a snapshot carries the
/// seq of the last event before it (or a higher one, as after a restart), never a lower one.
fn numbering_is_valid(events: &[Envelope]) -> bool {
    let mut last: Option<u64> = None;
    for e in events {
        let ok = match (&e.event, last) {
            (Event::Snapshot(_), None) => true,
            (Event::Snapshot(_), Some(l)) => e.seq >= l,
            (_, None) => e.seq >= 1,
            (_, Some(l)) => Some(e.seq) == l.checked_add(1),
        };
        if !ok {
            return false;
        }
        last = Some(e.seq);
    }
    true
}
