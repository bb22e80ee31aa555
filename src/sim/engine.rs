//! The engine: a source of events (the office model or a script), numbered and applied to the
//! authoritative [`Board`].
//!
//! Every event the server sends has first been applied here, and a snapshot is always this
//! board's `to_snapshot()`, so a display that applies the stream ends in the same state as the
//! simulator. The engine is synchronous and reads no clock; the server decides when to take the
//! next event.

use super::office::{OfficeConfig, OfficeModel, initial_snapshot};
use super::script::Script;
use crate::board::{Board, BoardData};
use crate::protocol::{Envelope, Event, Snapshot};
use jiff::Timestamp;
use std::collections::VecDeque;

/// When the next event is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upcoming {
    /// Its virtual time.
    pub at: Timestamp,
    /// The quiet time before it may be shortened (a night, a long pause in a script).
    pub compressible: bool,
}

enum Source {
    Office(Box<OfficeModel>),
    Script {
        events: VecDeque<Envelope>,
        renumber: bool,
    },
    /// Events handed in from outside as they are observed (the bridge); numbered on the way out.
    Pushed(VecDeque<Envelope>),
}

/// See the module documentation.
pub struct Engine {
    source: Source,
    board: Board,
    last_seq: u64,
    last_time: Timestamp,
}

impl Engine {
    /// An engine running the simulated office. Its state starts as [`initial_snapshot`] at seq 0.
    pub fn office(config: &OfficeConfig) -> Engine {
        let model = OfficeModel::new(config);
        let start = model.start_time();
        let mut board = Board::default();
        board.apply(
            &Envelope::new(0, start, Event::Snapshot(initial_snapshot())),
            start,
        );
        Engine {
            source: Source::Office(Box::new(model)),
            board,
            last_seq: 0,
            last_time: start,
        }
    }

    /// An engine replaying a script. Until its first event the state is an empty board.
    pub fn script(script: Script) -> Engine {
        let (events, renumber) = script.into_parts();
        let (last_seq, last_time) = match events.first() {
            Some(first) if !renumber => {
                let before = match first.event {
                    Event::Snapshot(_) => first.seq,
                    _ => first.seq.saturating_sub(1),
                };
                (before, first.time)
            }
            Some(first) => (0, first.time),
            None => (0, Timestamp::UNIX_EPOCH),
        };
        // The authoritative board starts as an empty office, so that the script's events apply
        // even when it does not begin with a snapshot (a board applies no event before one).
        let mut board = Board::default();
        let empty = board.to_snapshot();
        board.apply(
            &Envelope::new(last_seq, last_time, Event::Snapshot(empty)),
            last_time,
        );
        Engine {
            source: Source::Script {
                events: events.into(),
                renumber,
            },
            board,
            last_seq,
            last_time,
        }
    }

    /// An engine fed from outside with [`Engine::push`] (`tablica bridge`). Until its first
    /// event the state is an empty board at `start`.
    pub fn pushed(start: Timestamp) -> Engine {
        let mut board = Board::default();
        let empty = board.to_snapshot();
        board.apply(&Envelope::new(0, start, Event::Snapshot(empty)), start);
        Engine {
            source: Source::Pushed(VecDeque::new()),
            board,
            last_seq: 0,
            last_time: start,
        }
    }

    /// Queues an event of a pushed engine, to be numbered and applied by the next
    /// [`Engine::advance`]. Other engines own their events and ignore this.
    pub fn push(&mut self, time: Timestamp, event: Event) {
        if let Source::Pushed(events) = &mut self.source {
            events.push_back(Envelope::new(0, time, event));
        }
    }

    /// When the next event is due; `None` when the source has ended (only scripts end).
    pub fn peek(&mut self) -> Option<Upcoming> {
        match &mut self.source {
            Source::Office(model) => model.peek().map(|p| Upcoming {
                at: p.at,
                compressible: p.after_night,
            }),
            Source::Script { events, .. } => events.front().map(|e| Upcoming {
                at: e.time,
                compressible: true,
            }),
            Source::Pushed(events) => events.front().map(|e| Upcoming {
                at: e.time,
                compressible: false,
            }),
        }
    }

    /// Takes the next event, numbers it and applies it to the board.
    pub fn advance(&mut self) -> Option<Envelope> {
        let envelope = match &mut self.source {
            Source::Office(model) => {
                let p = model.next_event()?;
                Envelope::new(self.last_seq + 1, p.at, p.event)
            }
            Source::Script { events, renumber } => {
                let mut e = events.pop_front()?;
                if *renumber {
                    e.seq = match e.event {
                        Event::Snapshot(_) => self.last_seq,
                        _ => self.last_seq + 1,
                    };
                }
                e
            }
            Source::Pushed(events) => {
                let mut e = events.pop_front()?;
                e.seq = match e.event {
                    Event::Snapshot(_) => self.last_seq,
                    _ => self.last_seq + 1,
                };
                e
            }
        };
        let mut envelope = envelope;
        if let Event::Snapshot(s) = &mut envelope.event {
            // A script's snapshot belongs to this run's stream like every other event.
            s.stream = self.board.data.stream.clone();
        }
        self.board.apply(&envelope, envelope.time);
        // The simulator has no screen, so calls need not queue for their turn on it.
        self.board.presenter.clear();
        self.last_seq = envelope.seq;
        self.last_time = envelope.time;
        Some(envelope)
    }

    /// The authoritative state.
    pub fn board(&self) -> &Board {
        &self.board
    }

    pub fn board_data(&self) -> &BoardData {
        &self.board.data
    }

    /// Names this run's stream (carried by its snapshots and heartbeats). A server that starts
    /// again without its log starts a new stream, so that no display resumes across the two.
    pub fn set_stream(&mut self, stream: String) {
        self.board.data.stream = Some(stream);
    }

    pub fn stream(&self) -> Option<&str> {
        self.board.data.stream.as_deref()
    }

    /// The seq of the last event taken (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The virtual time of the last event taken (the start time before any).
    pub fn last_time(&self) -> Timestamp {
        self.last_time
    }

    pub fn snapshot(&self) -> Snapshot {
        self.board.to_snapshot()
    }

    /// The `snapshot` message for the current state: it carries the seq of the last event it
    /// includes.
    pub fn snapshot_envelope(&self) -> Envelope {
        Envelope::new(
            self.last_seq,
            self.last_time,
            Event::Snapshot(self.snapshot()),
        )
    }
}

/// The engine as a stream of envelopes, for tests and offline tools.
impl Iterator for Engine {
    type Item = Envelope;

    fn next(&mut self) -> Option<Envelope> {
        self.advance()
    }
}
