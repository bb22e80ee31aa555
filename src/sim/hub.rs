//! The hub: the engine, the log of recent events and the broadcast to displays, behind one lock.
//!
//! Publishing an event (apply to the board, append to the log, broadcast) and subscribing a
//! display (choose a snapshot or the events after its `resume_from`, then join the broadcast)
//! happen under the same lock, so a display never misses or sees twice an event published while it
//! was joining. The hub outlives any listener: stopping the server drops the displays, not the
//! office.

use super::engine::{Engine, Upcoming};
use crate::board::BoardData;
use crate::protocol::{Envelope, Event, Heartbeat, MAX_FRAME_BYTES, Snapshot};
use jiff::{SignedDuration, Timestamp};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// One message as sent: serialised once, shared by every display.
#[derive(Debug, Clone)]
pub struct WireFrame {
    pub seq: u64,
    /// Snapshots carry the seq of the last event they include, so they are told apart here.
    pub snapshot: bool,
    pub text: Utf8Bytes,
}

impl WireFrame {
    fn new(envelope: &Envelope) -> WireFrame {
        let text = envelope.to_json();
        if text.len() > MAX_FRAME_BYTES {
            // Only a script with an oversized snapshot can get here; the display will reject the
            // frame and say why, which is the most useful thing to happen to such a script.
            tracing::error!(
                seq = envelope.seq,
                r#type = envelope.event.type_name(),
                bytes = text.len(),
                "frame larger than the protocol allows"
            );
        }
        WireFrame {
            seq: envelope.seq,
            snapshot: matches!(envelope.event, Event::Snapshot(_)),
            text: text.into(),
        }
    }
}

/// How far the stream has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub last_seq: u64,
    /// The source has ended (a script played to its end).
    pub finished: bool,
}

/// What a display gets when it joins: the frames to send first, then the live broadcast.
pub struct Subscription {
    pub backlog: Vec<WireFrame>,
    pub live: broadcast::Receiver<WireFrame>,
    /// True when the backlog continues the display's own stream (no snapshot).
    pub resumed: bool,
    /// The seq the display is at once it has the backlog.
    pub last_seq: u64,
}

/// Maps real time to the virtual time heartbeats carry.
struct Clock {
    /// Virtual time of the last published event and when (really) it was published.
    at: Timestamp,
    real: Instant,
    /// The next event's time: virtual time shown in heartbeats never passes it.
    next: Option<Timestamp>,
    /// The source has ended (a script played to its end): its clock stops with its last event.
    /// Otherwise heartbeats after a sped-up script would age its last calls by minutes a second,
    /// and a display judges calls older than two minutes by the server's clock as history.
    stopped: bool,
}

struct State {
    engine: Engine,
    log: VecDeque<WireFrame>,
    clock: Clock,
}

pub struct Hub {
    state: Mutex<State>,
    /// While set, nothing is published. Checked under the state lock, so that once
    /// [`Hub::hold`] returns not one more event goes out (a paused simulator is really still).
    held: std::sync::atomic::AtomicBool,
    live: broadcast::Sender<WireFrame>,
    progress: watch::Sender<Progress>,
    history: usize,
    speed: f64,
    /// Whether displays are served. A bridge whose source has failed for longer than its grace
    /// period clears it: the listener then refuses new displays and closes its connections at
    /// their next heartbeat, so that every display shows its offline banner over the last
    /// known state instead of a board that looks live but is frozen.
    available: std::sync::atomic::AtomicBool,
}

impl Hub {
    /// `history`: events kept for resuming; `buffer`: events a display may fall behind the
    /// broadcast before it is given a fresh snapshot instead.
    pub fn new(engine: Engine, history: usize, buffer: usize, speed: f64) -> Hub {
        let (live, _) = broadcast::channel(buffer.max(1));
        let progress = watch::Sender::new(Progress {
            last_seq: engine.last_seq(),
            finished: false,
        });
        Hub {
            held: std::sync::atomic::AtomicBool::new(false),
            state: Mutex::new(State {
                clock: Clock {
                    at: engine.last_time(),
                    real: Instant::now(),
                    next: None,
                    stopped: false,
                },
                engine,
                log: VecDeque::new(),
            }),
            live,
            progress,
            history: history.max(1),
            speed,
            available: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock would be a bug elsewhere; the state itself is still
        // consistent between whole operations, so keep serving rather than poison every display.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins a display: events after `resume_from` when it belongs to this stream and the log
    /// still holds them all, else a snapshot.
    pub fn subscribe(&self, resume_from: Option<u64>, stream: Option<&str>) -> Subscription {
        let state = self.lock();
        let last = state.engine.last_seq();
        let first_kept = state.log.front().map_or(last + 1, |f| f.seq);
        // Numbers of another stream (a display that saw this simulator's previous run) mean
        // nothing here, however well they seem to fit.
        let same_stream = stream == state.engine.stream();
        match resume_from {
            Some(n) if same_stream && n <= last && n + 1 >= first_kept => Subscription {
                backlog: state.log.iter().filter(|f| f.seq > n).cloned().collect(),
                live: self.live.subscribe(),
                resumed: true,
                last_seq: last,
            },
            _ => Self::snapshot_subscription(&state, &self.live),
        }
    }

    /// A fresh snapshot and a new place in the broadcast, for a display that fell behind.
    pub fn resync(&self) -> Subscription {
        let state = self.lock();
        Self::snapshot_subscription(&state, &self.live)
    }

    fn snapshot_subscription(state: &State, live: &broadcast::Sender<WireFrame>) -> Subscription {
        Subscription {
            backlog: vec![WireFrame::new(&state.engine.snapshot_envelope())],
            live: live.subscribe(),
            resumed: false,
            last_seq: state.engine.last_seq(),
        }
    }

    /// When the next event is due (`None` when the source has ended).
    pub fn peek(&self) -> Option<Upcoming> {
        let mut state = self.lock();
        let next = state.engine.peek();
        state.clock.next = next.map(|u| u.at);
        next
    }

    /// Stops (or resumes) publishing; when this returns, no publication is under way.
    pub fn hold(&self, on: bool) {
        let _state = self.lock();
        self.held.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Takes, applies, logs and broadcasts the next event; returns its seq (`None` when the
    /// source is exhausted or the hub is held).
    pub fn publish_next(&self) -> Option<u64> {
        let seq = {
            let mut state = self.lock();
            if self.held.load(std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            self.publish_locked(&mut state)?
        };
        self.progress.send_modify(|p| p.last_seq = seq);
        Some(seq)
    }

    /// Pushes events observed outside (a pushed engine: the bridge) and publishes them all under
    /// one lock, so that a display joining meanwhile gets either none or all of them. Returns
    /// the last seq.
    pub fn publish(&self, events: impl IntoIterator<Item = (Timestamp, Event)>) -> u64 {
        let seq = {
            let mut state = self.lock();
            for (time, event) in events {
                state.engine.push(time, event);
                self.publish_locked(&mut state);
            }
            state.engine.last_seq()
        };
        self.progress.send_modify(|p| p.last_seq = seq);
        seq
    }

    fn publish_locked(&self, state: &mut State) -> Option<u64> {
        let envelope = state.engine.advance()?;
        let frame = WireFrame::new(&envelope);
        state.log.push_back(frame.clone());
        while state.log.len() > self.history {
            state.log.pop_front();
        }
        // No receivers is fine: nobody is watching yet.
        let _ = self.live.send(frame);
        state.clock.at = state.clock.at.max(envelope.time);
        state.clock.real = Instant::now();
        Some(envelope.seq)
    }

    /// See the field's documentation.
    pub fn set_available(&self, on: bool) {
        self.available
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_available(&self) -> bool {
        self.available.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn mark_finished(&self) {
        self.lock().clock.stopped = true;
        self.progress.send_modify(|p| p.finished = true);
    }

    /// A heartbeat for a display that has everything up to `seq`.
    pub fn heartbeat(&self, seq: u64) -> WireFrame {
        let stream = self.lock().engine.stream().map(str::to_owned);
        WireFrame::new(&Envelope::new(
            seq,
            self.virtual_now(),
            Event::Heartbeat(Heartbeat { stream }),
        ))
    }

    /// The simulated time now: the last event's time plus the real time since, at the
    /// simulation's speed, but never past the next event.
    pub fn virtual_now(&self) -> Timestamp {
        let state = self.lock();
        let clock = &state.clock;
        if clock.stopped {
            return clock.at;
        }
        let elapsed = clock.real.elapsed().as_secs_f64() * self.speed;
        let since = SignedDuration::try_from_secs_f64(elapsed.min(1e9)).unwrap_or_default();
        let now = crate::protocol::time::saturating_add(clock.at, since);
        match clock.next {
            Some(next) => now.min(next).max(clock.at),
            None => now,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.lock().engine.last_seq()
    }

    pub fn snapshot(&self) -> Snapshot {
        self.lock().engine.snapshot()
    }

    pub fn snapshot_envelope(&self) -> Envelope {
        self.lock().engine.snapshot_envelope()
    }

    pub fn board_data(&self) -> BoardData {
        self.lock().engine.board_data().clone()
    }

    /// The kept events, oldest first, as sent.
    pub fn log(&self) -> Vec<WireFrame> {
        self.lock().log.iter().cloned().collect()
    }

    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// The virtual time the stream starts from (for pacing).
    pub fn start_time(&self) -> Timestamp {
        self.lock().engine.last_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::decode_event;
    use crate::sim::office::OfficeConfig;

    fn hub(history: usize, buffer: usize) -> Hub {
        let start = jiff::civil::date(2026, 11, 30).at(10, 0, 0, 0);
        Hub::new(
            Engine::office(&OfficeConfig::new(7, start)),
            history,
            buffer,
            60.0,
        )
    }

    #[test]
    fn resume_within_the_log_continues_and_outside_it_snapshots() {
        let hub = hub(50, 16);
        for _ in 0..100 {
            hub.publish_next();
        }
        let recent = hub.subscribe(Some(90), None);
        assert!(recent.resumed);
        let seqs: Vec<u64> = recent.backlog.iter().map(|f| f.seq).collect();
        assert_eq!(seqs, (91..=100).collect::<Vec<_>>());
        let edge = hub.subscribe(Some(50), None);
        assert!(edge.resumed, "the log holds 51..=100, so 50 can resume");
        for (n, resumed) in [(Some(49), false), (Some(101), false), (None, false)] {
            let s = hub.subscribe(n, None);
            assert_eq!(s.resumed, resumed, "resume_from {n:?}");
            assert_eq!(s.backlog.len(), 1);
            let snapshot = decode_event(s.backlog[0].text.as_str()).unwrap();
            assert_eq!(snapshot.seq, 100);
            assert!(matches!(snapshot.event, Event::Snapshot(_)));
        }
    }

    #[test]
    fn a_lagging_receiver_is_told_and_can_resync() {
        let hub = hub(1000, 4);
        let mut sub = hub.subscribe(None, None);
        for _ in 0..10 {
            hub.publish_next();
        }
        assert!(matches!(
            sub.live.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        let fresh = hub.resync();
        assert_eq!(fresh.last_seq, 10);
        assert!(!fresh.resumed);
    }

    #[test]
    fn events_pushed_from_outside_are_numbered_logged_and_resumable() {
        let start = jiff::Timestamp::UNIX_EPOCH;
        let hub = Hub::new(Engine::pushed(start), 100, 16, 1.0);
        let empty = hub.snapshot();
        assert_eq!(hub.publish([(start, Event::Snapshot(empty))]), 0);
        let called = |t: &str| {
            Event::TicketCalled(crate::protocol::TicketAtCounter {
                ticket: t.into(),
                service: "s".into(),
                counter: Some("c".into()),
                reservation: false,
            })
        };
        assert_eq!(
            hub.publish([(start, called("A1")), (start, called("A2"))]),
            2
        );
        let resumed = hub.subscribe(Some(1), None);
        assert!(resumed.resumed);
        assert_eq!(resumed.backlog.len(), 1);
        assert_eq!(
            decode_event(resumed.backlog[0].text.as_str()).unwrap().seq,
            2
        );
        assert!(hub.is_available());
        hub.set_available(false);
        assert!(!hub.is_available());
    }

    #[test]
    fn heartbeats_carry_the_given_seq_and_decode() {
        let hub = hub(10, 4);
        hub.publish_next();
        let hb = decode_event(hub.heartbeat(1).text.as_str()).unwrap();
        assert_eq!(hb.seq, 1);
        assert!(matches!(hb.event, Event::Heartbeat(_)));
    }
}
