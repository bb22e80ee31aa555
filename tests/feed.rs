//! The live feed end to end on loopback: the real client (`feed::spawn`) feeding the real `Core`,
//! against the real simulator, a recording proxy in front of it, and hand-written hostile servers.
//!
//! The display runs on the test's thread and is pumped in a loop with short sleeps; servers run
//! on a tokio runtime of their own. Every wait has a limit and fails with what it waited for.

mod support;

use futures_util::SinkExt;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::feed::*;
use tablica::board::{Board, BoardData};
use tablica::feed::{self, FeedMsg, LinkState};
use tablica::protocol::{CallInfo, Envelope, Event, decode_event};
use tablica::scene::{Item, Link};
use tablica::sim::{OfficeConfig, Script, SimConfig, SimHandle, Simulator};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

const SECOND: Duration = Duration::from_secs(1);

/// Monday 30 November 2026, a working day.
fn monday(h: i8, m: i8) -> jiff::civil::DateTime {
    jiff::civil::date(2026, 11, 30).at(h, m, 0, 0)
}

/// The board a display ends with after applying `events` in order.
fn reference(events: &[Envelope]) -> BoardData {
    let mut board = Board::default();
    for e in events {
        board.apply(e, e.time);
    }
    board.data
}

/// The calls the server sent after `after` up to `until`, in order, as the board records them.
fn calls_sent(sim: &SimHandle, after: u64, until: u64) -> Vec<CallInfo> {
    sim.recent_events()
        .iter()
        .map(|t| decode_event(t).expect("the simulator sends valid frames"))
        .filter(|e| e.seq > after && e.seq <= until)
        .filter_map(|e| {
            let (at, recall) = match &e.event {
                Event::TicketCalled(at) => (at, false),
                Event::TicketRecalled(at) => (at, true),
                _ => return None,
            };
            Some(CallInfo {
                ticket: at.ticket.clone(),
                service: at.service.clone(),
                counter: at.counter.clone(),
                time: e.time,
                recall,
                reservation: at.reservation,
            })
        })
        .collect()
}

/// (ticket, time) of every event that finished a ticket (served, no show, transferred,
/// cancelled) in `after..=until`.
fn finished_after(sim: &SimHandle, after: u64, until: u64) -> Vec<(String, jiff::Timestamp)> {
    sim.recent_events()
        .iter()
        .map(|t| decode_event(t).expect("the simulator sends valid frames"))
        .filter(|e| e.seq > after && e.seq <= until)
        .filter_map(|e| {
            let ticket = match &e.event {
                Event::TicketServed(at) | Event::TicketNoShow(at) => at.ticket.clone(),
                Event::TicketTransferred(t) => t.ticket.clone(),
                Event::TicketCancelled(c) => c.ticket.clone(),
                _ => return None,
            };
            Some((ticket, e.time))
        })
        .collect()
}

/// Pauses the simulator and waits until the display has everything it published.
fn settle(rt: &tokio::runtime::Runtime, sim: &SimHandle, display: &mut Display) -> u64 {
    sim.pause();
    // The pacer may be publishing one last event as it is paused.
    std::thread::sleep(Duration::from_millis(50));
    let last = sim.last_seq();
    rt.block_on(sim.wait_for_seq(last));
    display.pump_until(
        5 * SECOND,
        "the display to catch up with the paused simulator",
        |c| c.board.data.last_seq == Some(last),
    );
    last
}

// ---------------------------------------------------------------------------------------------
// 1. Restarts

#[test]
fn display_follows_a_simulator_restarted_20_times_and_sounds_every_call_once() {
    let rt = runtime();
    let mut config = SimConfig::office(OfficeConfig::new(11, monday(10, 30)));
    config.speed = 600.0;
    config.heartbeat = Duration::from_millis(200);
    // Every event stays resumable, so the display never needs a snapshot after the first.
    config.history = 100_000;
    let sim = rt
        .block_on(Simulator::start(config))
        .expect("simulator starts");
    sim.pause();
    std::thread::sleep(Duration::from_millis(50));
    let addr = sim.addr().unwrap();
    let first = sim.last_seq();

    let mut display = Display::connect(fast_config(&url(addr)));
    // At 600 times real speed a cut of a fraction of a second is minutes of the office's time,
    // and calls replayed by the resume would be history (older than the cutoff) by the server's
    // clock; this test is about sounding each call once, not about staleness.
    display.core.board.config.stale_after = SignedDuration::from_hours(24);
    display.pump_until(5 * SECOND, "the first snapshot", |c| {
        c.board.data.last_seq == Some(first)
    });
    sim.resume();

    for i in 0..20u64 {
        let before = display.last_seq();
        display.pump_until(5 * SECOND, "events to flow", |c| {
            c.board.data.last_seq > before
        });
        rt.block_on(sim.stop_listener());
        let stopped_at = sim.last_seq();
        display.pump_until(5 * SECOND, "the display to notice the cut", |c| {
            c.status.link != Link::Connected
        });
        display.pump_for(Duration::from_millis(20 + 15 * (i % 8)));
        rt.block_on(sim.start_listener(addr))
            .expect("the same port can be bound again");
        display.pump_until(
            5 * SECOND,
            &format!("the display to resume after restart {}", i + 1),
            |c| {
                c.status.link == Link::Connected
                    && c.board.data.last_seq.is_some_and(|s| s > stopped_at)
            },
        );
    }

    let last = settle(&rt, &sim, &mut display);
    assert_eq!(display.core.board.data, sim.board_data());
    assert_eq!(display.core.board.data.last_seq, Some(last));

    let expected = calls_sent(&sim, first, last);
    assert!(
        expected.len() >= 20,
        "the office should have called people during the test, got {} calls",
        expected.len()
    );
    let sounds = display.sounds();
    let mut seen = HashSet::new();
    for call in &sounds {
        let key = (
            call.ticket.clone(),
            call.counter.clone(),
            call.time,
            call.recall,
        );
        assert!(seen.insert(key), "sounded twice: {call:?}");
    }
    // Every call sounded once, in order, except a call still waiting for its turn on screen
    // when its ticket was finished (served, no show, transferred, cancelled): the presenter
    // drops those rather than send a resident to a counter done with them. At 600 times real
    // speed on a loaded machine that happens to a recall now and then.
    let finished = finished_after(&sim, first, last);
    let mut rest = sounds.iter().peekable();
    for call in &expected {
        if rest.peek() == Some(&call) {
            rest.next();
        } else {
            assert!(
                finished
                    .iter()
                    .any(|(ticket, at)| *ticket == call.ticket && *at >= call.time),
                "{call:?} never sounded, and its ticket was not finished after it;\n\
                 sounded: {sounds:?}"
            );
        }
    }
    assert!(rest.next().is_none(), "sounded out of order: {sounds:?}");
    assert!(sounds.len() * 10 >= expected.len() * 9, "most calls sound");
    assert_eq!(display.core.counters.calls, expected.len() as u64);
    assert_eq!(display.core.counters.rejected, 0);
    assert_eq!(display.core.counters.resyncs, 0);
    rt.block_on(sim.shutdown());
}

// ---------------------------------------------------------------------------------------------
// 2. Hostile servers

fn frame_text(seq: u64, kind: &str, data: &str) -> String {
    format!(
        r#"{{"v":1,"seq":{seq},"type":"{kind}","time":"2026-11-30T10:00:12+01:00","data":{data}}}"#
    )
}

/// Frames the display must reject one by one while keeping the connection: frames without a
/// usable envelope, and frames whose data cannot be used. The latter keep their seq (here 11, a
/// duplicate of the last event applied, so that the good events' numbering stays as it is).
/// Display strings over their limits and absurd numbers are not garbage any more: they are
/// cleaned and accepted (src/protocol/tests.rs, tests/faults/data.rs).
fn garbage() -> Vec<Message> {
    let called = |ticket: &str| {
        frame_text(
            11,
            "ticket.called",
            &format!(r#"{{"ticket":"{ticket}","service":"dowody","counter":"st1"}}"#),
        )
    };
    vec![
        // Over the protocol's 64 KiB, under the client's websocket limit.
        Message::text(frame_text(
            12,
            "ticket.issued",
            &format!(r#"{{"pad":"{}"}}"#, "x".repeat(100_000)),
        )),
        Message::binary(b"{}".to_vec()),
        // Invalid UTF-8 (a text frame could not carry it).
        Message::binary(vec![0xff, 0xfe, 0xfd, 0x80]),
        Message::text("{not json"),
        Message::text(""),
        Message::text("[1,2,3]"),
        Message::text("[".repeat(30_000) + &"]".repeat(30_000)),
        Message::text(frame_text(12, "ticket.issued", &"[".repeat(30_000))),
        Message::text(
            r#"{"v":1,"seq":1e400,"type":"heartbeat","time":"2026-11-30T10:00:12+01:00","data":{}}"#,
        ),
        Message::text(called("A123456789")),
        Message::text(called("A\\u0007")),
        Message::text(called("")),
        Message::text(frame_text(11, "ticket.called", "{}")),
        Message::text(frame_text(12, "x\\u0001y", "{}")),
        Message::text(called("A001").replace(r#""v":1"#, r#""v":2"#)),
        Message::text(called("A001").replace(r#""seq":11"#, r#""seq":1152921504606846976"#)),
        Message::text(called("A001").replace("+01:00", "")),
    ]
}

#[test]
fn garbage_is_rejected_and_the_last_good_state_kept() {
    let rt = runtime();
    let kill = Flag::default();
    let garbage_count = garbage().len() as u64;
    let server = {
        let kill = kill.clone();
        rt.block_on(HandServer::start(move |n, stream, record| {
            let kill = kill.clone();
            async move {
                let Some(mut ws) = record.upgrade(stream).await else {
                    return;
                };
                if record.hello(&mut ws).await.is_none() {
                    return;
                }
                match n {
                    0 => {
                        for m in [text(&snapshot(10)), text(&called(11, "A001", "st1"))] {
                            let _ = ws.send(m).await;
                        }
                        for m in garbage() {
                            let _ = ws.send(m).await;
                        }
                        // An unknown event type is not garbage: it occupies its seq.
                        let unknown = frame_text(12, "queue.paused", r#"{"reason":"lunch"}"#);
                        let _ = ws.send(Message::text(unknown)).await;
                        let _ = ws.send(text(&heartbeat(12))).await;
                        let _ = ws.send(text(&called(13, "A002", "st2"))).await;
                        if keep_alive(&mut ws, 13, || kill.is_up()).await {
                            // A text frame that is not UTF-8: the websocket itself breaks.
                            let raw = Frame::message(
                                vec![0xc3, 0x28, 0xff],
                                OpCode::Data(Data::Text),
                                true,
                            );
                            let _ = ws.send(Message::Frame(raw)).await;
                            keep_alive(&mut ws, 13, || false).await;
                        }
                    }
                    1 => {
                        // Over the client's own message limit: the websocket breaks again.
                        let huge = frame_text(
                            13,
                            "ticket.issued",
                            &format!(r#"{{"pad":"{}"}}"#, "x".repeat(200_000)),
                        );
                        let _ = ws.send(Message::text(huge)).await;
                        keep_alive(&mut ws, 13, || false).await;
                    }
                    _ => {
                        let _ = ws.send(text(&called(14, "A003", "st3"))).await;
                        keep_alive(&mut ws, 14, || false).await;
                    }
                }
            }
        }))
    };

    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the good events around the garbage", |c| {
        c.board.data.last_seq == Some(13) && c.counters.rejected >= garbage_count
    });
    let unknown = Envelope::new(12, at(12), Event::Unknown("queue.paused".into()));
    let good = reference(&[
        snapshot(10),
        called(11, "A001", "st1"),
        unknown.clone(),
        called(13, "A002", "st2"),
    ]);
    assert_eq!(display.core.board.data, good);
    assert_eq!(display.core.counters.rejected, garbage_count);
    assert_eq!(
        display.core.counters.resyncs, 0,
        "rejected frames are not gaps"
    );
    assert_eq!(
        server.record.accepts(),
        1,
        "garbage does not cost the connection"
    );
    assert_eq!(display.core.status.link, Link::Connected);

    kill.raise();
    display.pump_until(
        5 * SECOND,
        "the display to come back after two broken links",
        |c| c.board.data.last_seq == Some(14),
    );
    assert_eq!(server.record.accepts(), 3);
    let resumes = server.record.resumes();
    assert_eq!(resumes, [None, Some(13), Some(13)]);
    let expected = reference(&[
        snapshot(10),
        called(11, "A001", "st1"),
        unknown,
        called(13, "A002", "st2"),
        called(14, "A003", "st3"),
    ]);
    assert_eq!(display.core.board.data, expected);
    let tickets: Vec<String> = display.sounds().into_iter().map(|c| c.ticket).collect();
    assert_eq!(tickets, ["A001", "A002", "A003"]);
}

#[test]
fn a_silent_server_is_declared_dead_after_dead_after() {
    let rt = runtime();
    let silent_since: Arc<Mutex<Option<Instant>>> = Arc::default();
    let server = {
        let silent_since = silent_since.clone();
        rt.block_on(HandServer::start(move |n, stream, record| {
            let silent_since = silent_since.clone();
            async move {
                let Some(mut ws) = record.upgrade(stream).await else {
                    return;
                };
                if record.hello(&mut ws).await.is_none() {
                    return;
                }
                if n == 0 {
                    let _ = ws.send(text(&snapshot(10))).await;
                    let _ = ws.send(text(&called(11, "A001", "st1"))).await;
                    *silent_since.lock().unwrap() = Some(Instant::now());
                    // Neither read (so no pongs) nor write, but keep the socket open.
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    drop(ws);
                } else {
                    let _ = ws.send(text(&called(12, "A002", "st2"))).await;
                    keep_alive(&mut ws, 12, || false).await;
                }
            }
        }))
    };
    let mut config = fast_config(&server.url());
    config.dead_after = Duration::from_millis(800);
    let dead_after = config.dead_after;
    let mut display = Display::connect(config);
    display.pump_until(5 * SECOND, "the first events", |c| {
        c.board.data.last_seq == Some(11)
    });
    let good = display.core.board.data.clone();
    display.pump_until(5 * SECOND, "a second connection", |c| {
        assert!(
            c.board.data == good || c.board.data.last_seq == Some(12),
            "the state is kept while the link is dead and reconnecting"
        );
        server.record.accepts() == 2
    });
    let silent = silent_since
        .lock()
        .unwrap()
        .expect("the server went silent");
    let reconnected = server.record.get(|s| s.accepts[1]);
    let waited = reconnected - silent;
    assert!(
        waited >= dead_after && waited < dead_after + 2 * SECOND,
        "reconnected {waited:?} after the server went silent (dead_after {dead_after:?})"
    );
    display.pump_until(5 * SECOND, "the event after the reconnect", |c| {
        c.board.data.last_seq == Some(12)
    });
    assert_eq!(server.record.hellos()[1].resume_from, Some(11));
}

#[test]
fn servers_that_close_at_once_or_never_upgrade_get_retries_with_backoff() {
    // Modes: what the server does with the next connection.
    const GOOD: u64 = 0;
    const CLOSE_AT_ONCE: u64 = 1;
    const NEVER_UPGRADE: u64 = 2;
    const RESUME: u64 = 3;
    let rt = runtime();
    let mode = Arc::new(AtomicU64::new(GOOD));
    let modes: Arc<Mutex<Vec<u64>>> = Arc::default();
    let server = {
        let (mode, modes) = (mode.clone(), modes.clone());
        rt.block_on(HandServer::start(move |_, stream, record| {
            let (mode, modes) = (mode.clone(), modes.clone());
            async move {
                let m = mode.load(Ordering::SeqCst);
                modes.lock().unwrap().push(m);
                if m == NEVER_UPGRADE {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    drop(stream);
                    return;
                }
                let Some(mut ws) = record.upgrade(stream).await else {
                    return;
                };
                if record.hello(&mut ws).await.is_none() {
                    return;
                }
                match m {
                    GOOD => {
                        let _ = ws.send(text(&snapshot(10))).await;
                        let _ = ws.send(text(&called(11, "A001", "st1"))).await;
                        keep_alive(&mut ws, 11, || mode.load(Ordering::SeqCst) != GOOD).await;
                        let _ = ws.close(None).await;
                    }
                    CLOSE_AT_ONCE => {
                        let _ = ws.close(None).await;
                    }
                    _ => {
                        let _ = ws.send(text(&called(12, "A002", "st2"))).await;
                        keep_alive(&mut ws, 12, || false).await;
                    }
                }
            }
        }))
    };
    let mut config = fast_config(&server.url());
    config.connect_timeout = Duration::from_millis(500);
    let mut display = Display::connect(config);
    display.pump_until(5 * SECOND, "the first events", |c| {
        c.board.data.last_seq == Some(11)
    });
    let good = display.core.board.data.clone();
    let accepts_in = |m: u64| -> Vec<Instant> {
        let modes = modes.lock().unwrap().clone();
        let times = server.record.get(|s| s.accepts.clone());
        times
            .into_iter()
            .zip(modes)
            .filter(|(_, mode)| *mode == m)
            .map(|(t, _)| t)
            .collect()
    };
    let gaps =
        |times: &[Instant]| -> Vec<Duration> { times.windows(2).map(|w| w[1] - w[0]).collect() };

    // Upgrades, then closes at once: reconnects, each time a little later.
    mode.store(CLOSE_AT_ONCE, Ordering::SeqCst);
    display.pump_until(2 * SECOND, "the first refused connection", |_| {
        !accepts_in(CLOSE_AT_ONCE).is_empty()
    });
    display.pump_for(SECOND);
    let closing = accepts_in(CLOSE_AT_ONCE);
    let first = closing[0];
    let within_a_second = closing.iter().filter(|t| **t - first <= SECOND).count();
    assert!(
        (4..=20).contains(&within_a_second),
        "{within_a_second} attempts within a second (backoff 20 ms to 200 ms): {:?}",
        gaps(&closing)
    );
    let g = gaps(&closing);
    let (first_gap, last_gap) = (g[0], *g.last().unwrap());
    assert!(
        first_gap < Duration::from_millis(150)
            && last_gap >= Duration::from_millis(140)
            && first_gap < last_gap,
        "the delay grows from about 20 ms to about 200 ms: {g:?}"
    );
    assert_eq!(display.core.board.data, good);

    // Accepts TCP and never answers the upgrade: each attempt gives up after connect_timeout.
    mode.store(NEVER_UPGRADE, Ordering::SeqCst);
    display.pump_until(2 * SECOND, "two silent upgrades", |_| {
        accepts_in(NEVER_UPGRADE).len() >= 2
    });
    let g = gaps(&accepts_in(NEVER_UPGRADE));
    assert!(
        g[0] >= Duration::from_millis(500) && g[0] < Duration::from_millis(1500),
        "attempts spaced by connect_timeout (500 ms) plus backoff: {g:?}"
    );
    assert_eq!(display.core.board.data, good);
    assert_eq!(display.core.status.link, Link::Connecting);

    mode.store(RESUME, Ordering::SeqCst);
    display.pump_until(3 * SECOND, "the display to reconnect and resume", |c| {
        c.board.data.last_seq == Some(12)
    });
    let last_hello = server.record.hellos().last().cloned().unwrap();
    assert_eq!(last_hello.resume_from, Some(11));
    assert_eq!(display.core.status.link, Link::Connected);
}

#[test]
fn a_flood_of_50000_events_is_taken_with_bounded_memory() {
    const N: u64 = 50_000;
    let rt = runtime();
    let sent = Arc::new(AtomicU64::new(0));
    let server = {
        let sent = sent.clone();
        rt.block_on(HandServer::start(move |_, stream, record| {
            let sent = sent.clone();
            async move {
                let Some(mut ws) = record.upgrade(stream).await else {
                    return;
                };
                if record.hello(&mut ws).await.is_none() {
                    return;
                }
                let _ = ws.send(text(&snapshot(0))).await;
                // Each frame carries 2 KB of padding in an unknown field (ignored), so that
                // 50 000 of them (100 MB) cannot all sit in socket buffers.
                let pad = "x".repeat(2000);
                for seq in 1..=N {
                    let mut frame = issued(seq, (seq % 1000) as u32).to_json();
                    frame.insert_str(frame.len() - 2, &format!(r#","pad":"{pad}""#));
                    if ws.feed(Message::text(frame)).await.is_err() {
                        return;
                    }
                    if seq % 64 == 0 && ws.flush().await.is_err() {
                        return;
                    }
                    sent.store(seq, Ordering::SeqCst);
                }
                let _ = ws.flush().await;
                keep_alive(&mut ws, N, || false).await;
            }
        }))
    };
    let mut config = fast_config(&server.url());
    config.queue = 256;
    // A display busy elsewhere must not be declared dead by its own client meanwhile.
    config.dead_after = 10 * SECOND;
    let mut display = Display::connect(config);

    // The display does not take anything for a while: the server must be held back.
    wait_until(5 * SECOND, "the flood to start", || {
        sent.load(Ordering::SeqCst) > 0
    });
    std::thread::sleep(Duration::from_millis(700));
    let held = sent.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    let still = sent.load(Ordering::SeqCst);
    assert!(
        still < N && still - held < 500,
        "a stalled display must hold the server back: {held} then {still} of {N} sent"
    );

    let started = Instant::now();
    display.pump_until(20 * SECOND, "the whole flood", |c| {
        c.board.data.last_seq == Some(N)
    });
    eprintln!("flood of {N} events taken in {:?}", started.elapsed());
    // The snapshot, the flood, and any heartbeats.
    assert!(display.core.counters.events > N);
    assert_eq!(display.core.counters.rejected, 0);
    assert_eq!(display.core.counters.resyncs, 0);
    assert_eq!(
        server.record.accepts(),
        1,
        "the flood did not cost the connection"
    );
    let dowody = display.core.board.data.service("dowody").unwrap();
    assert_eq!(dowody.waiting, (N % 1000) as u32);
}

// ---------------------------------------------------------------------------------------------
// 3. Resume

/// A script of `n` events after a snapshot, one simulated second apart: calls and new tickets.
fn steady_script(n: u64) -> Script {
    let mut lines = vec![snapshot(0).to_json()];
    for seq in 1..=n {
        let e = if seq % 2 == 0 {
            called(
                seq,
                &format!("A{:03}", seq % 1000),
                &format!("st{}", seq % 6 + 1),
            )
        } else {
            issued(seq, (seq % 40) as u32)
        };
        lines.push(e.to_json());
    }
    Script::parse(&lines.join("\n"), "steady").expect("script parses")
}

#[test]
fn a_short_cut_resumes_without_a_snapshot_and_a_long_one_takes_one() {
    let rt = runtime();
    let mut config = SimConfig::script(steady_script(5000));
    config.speed = 40.0; // 40 events a second
    config.history = 50;
    config.heartbeat = Duration::from_millis(200);
    let sim = rt
        .block_on(Simulator::start(config))
        .expect("simulator starts");
    let addr = sim.addr().unwrap();
    let proxy = rt.block_on(Proxy::start(addr));
    let mut display = Display::connect(fast_config(&proxy.url()));
    display.pump_until(5 * SECOND, "the first events", |c| {
        c.board.data.last_seq.is_some_and(|s| s >= 20)
    });

    // A short cut: a handful of events pass while the server is away.
    rt.block_on(sim.stop_listener());
    let stopped_at = sim.last_seq();
    display.pump_for(Duration::from_millis(50));
    rt.block_on(sim.start_listener(addr)).expect("rebinds");
    display.pump_until(5 * SECOND, "the display to resume", |c| {
        c.board.data.last_seq.is_some_and(|s| s > stopped_at + 5)
    });
    let sessions = proxy.sessions();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let resumed = &sessions[1];
    let from = resumed
        .hello
        .as_ref()
        .and_then(|h| h.resume_from)
        .expect("the display resumes from its last seq");
    assert!(from >= 20 && from <= stopped_at, "resume_from {from}");
    assert_eq!(
        resumed.snapshots(),
        0,
        "resumed without a snapshot: {resumed:?}"
    );
    let events = resumed.events();
    assert_eq!(
        events[0],
        from + 1,
        "the server continued right after resume_from"
    );
    assert!(events.windows(2).all(|w| w[1] == w[0] + 1));

    // A long cut: more events than the server keeps pass while it is away.
    rt.block_on(sim.stop_listener());
    let cut_at = sim.last_seq();
    let passed = rt
        .block_on(async { tokio::time::timeout(5 * SECOND, sim.wait_for_seq(cut_at + 80)).await });
    assert!(passed.is_ok(), "80 events within 5 s");
    rt.block_on(sim.start_listener(addr)).expect("rebinds");
    display.pump_until(5 * SECOND, "the display to come back", |c| {
        c.board.data.last_seq.is_some_and(|s| s > cut_at + 80)
    });
    let sessions = proxy.sessions();
    assert_eq!(sessions.len(), 3, "{sessions:?}");
    let after_long = &sessions[2];
    let from = after_long.hello.as_ref().and_then(|h| h.resume_from);
    assert!(from.is_some_and(|f| f <= cut_at), "resume_from {from:?}");
    assert_eq!(after_long.frames[0].1, "snapshot", "{after_long:?}");
    assert_eq!(after_long.snapshots(), 1);

    settle(&rt, &sim, &mut display);
    assert_eq!(display.core.board.data, sim.board_data());
    assert_eq!(display.core.counters.resyncs, 0);
}

// ---------------------------------------------------------------------------------------------
// 4. A burst of calls

#[test]
fn a_burst_of_50_calls_in_a_second_is_presented_in_order_each_for_the_minimum_time() {
    let rt = runtime();
    let mut lines = vec![snapshot(0).to_json()];
    let tickets: Vec<String> = (1..=50).map(|i| format!("A{i:03}")).collect();
    for (i, t) in tickets.iter().enumerate() {
        let seq = i as u64 + 1;
        lines.push(called(seq, t, &format!("st{}", seq % 6 + 1)).to_json());
    }
    let mut config = SimConfig::script(Script::parse(&lines.join("\n"), "burst").unwrap());
    config.speed = 50.0; // one simulated second apart: 20 ms, 50 calls in a second
    let sim = rt
        .block_on(Simulator::start(config))
        .expect("simulator starts");
    let mut display = Display::connect(fast_config(&sim.url().unwrap()));
    // The test drives the presenter's clock itself.
    display.present_all = false;
    // Fifty calls at six seconds each take five minutes, longer than calls stay news; this test
    // is about the schedule, not staleness.
    display.core.board.config.stale_after = SignedDuration::from_hours(24);
    let first_arrival = Instant::now();
    display.pump_until(5 * SECOND, "the 50 calls", |c| c.counters.calls == 50);
    let arrived = Timestamp::now();
    let arrived_mono = Instant::now();
    eprintln!("50 calls arrived within {:?}", first_arrival.elapsed());
    assert!(
        display.sounds().is_empty(),
        "nothing sounds before the clock moves"
    );

    let min_display = display.core.board.config.min_display;
    let step = SignedDuration::from_millis(100);
    let mut starts: Vec<(String, Timestamp, Timestamp)> = Vec::new(); // ticket, since, sounded
    let mut now = arrived;
    let end = arrived + min_display * 52;
    while now < end {
        now += step;
        let before = display.sounds.borrow().len();
        let mono = arrived_mono + Duration::try_from(now.duration_since(arrived)).unwrap();
        display.core.tick_at(now, mono);
        let sounds = display.sounds();
        assert!(
            sounds.len() <= before + 1,
            "two calls started in one 100 ms step at {now}: {:?}",
            &sounds[before..]
        );
        if sounds.len() == before + 1 {
            let current = display.core.board.presenter.current().unwrap().clone();
            assert_eq!(
                current.call, sounds[before],
                "the sounded call is on screen"
            );
            assert!(current.fresh);
            // On screen means in the picture.
            let scene = display.core.frame(now, 1920, 1080);
            let shown =
                scene.list.items.iter().any(
                    |item| matches!(item, Item::Text(t) if t.text.contains(&current.call.ticket)),
                );
            assert!(
                shown,
                "{} is drawn while it is the current call",
                current.call.ticket
            );
            starts.push((current.call.ticket.clone(), current.since, now));
        }
    }
    let order: Vec<String> = starts.iter().map(|(t, ..)| t.clone()).collect();
    assert_eq!(
        order, tickets,
        "every call presented, in order, none skipped"
    );
    for w in starts.windows(2) {
        let shown_for = w[1].1.duration_since(w[0].1);
        assert!(
            shown_for >= min_display,
            "{} was on screen only {shown_for} before {}",
            w[0].0,
            w[1].0
        );
    }
    // The first call's turn began when it arrived, before the test's clock started; every later
    // one must sound within one step of its turn.
    assert_eq!(starts[0].2, arrived + step, "the first call sounds at once");
    for (ticket, since, sounded) in &starts[1..] {
        let late = sounded.duration_since(*since);
        assert!(
            late >= SignedDuration::ZERO && late < step,
            "{ticket} sounded {late} after its turn began"
        );
    }
    assert_eq!(display.core.board.presenter.pending().len(), 0);
}

// ---------------------------------------------------------------------------------------------
// 5. Gaps

#[test]
fn a_gap_makes_the_display_resume_from_its_last_applied_seq() {
    let rt = runtime();
    let server = rt.block_on(HandServer::scripted(|n| {
        match n {
            // 13 is missing.
            0 => vec![
                snapshot(10),
                called(11, "A001", "st1"),
                issued(12, 5),
                called(14, "A003", "st3"),
                issued(15, 7),
            ],
            // 16 is missing: only the heartbeat tells.
            1 => vec![
                called(13, "A002", "st2"),
                called(14, "A003", "st3"),
                issued(15, 7),
                heartbeat(17),
            ],
            _ => vec![issued(16, 8), called(17, "A004", "st4")],
        }
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the state after two resyncs", |c| {
        c.board.data.last_seq == Some(17)
    });
    let resumes = server.record.resumes();
    assert_eq!(resumes, [None, Some(12), Some(15)]);
    assert_eq!(display.core.counters.resyncs, 2);
    assert_eq!(
        display.core.board.data,
        reference(&[
            snapshot(10),
            called(11, "A001", "st1"),
            issued(12, 5),
            called(13, "A002", "st2"),
            called(14, "A003", "st3"),
            issued(15, 7),
            issued(16, 8),
            called(17, "A004", "st4"),
        ])
    );
    let tickets: Vec<String> = display.sounds().into_iter().map(|c| c.ticket).collect();
    assert_eq!(tickets, ["A001", "A002", "A003", "A004"], "each call once");
}

// ---------------------------------------------------------------------------------------------
// 6. Tokens

#[test]
fn the_token_is_sent_a_wrong_one_is_retried_and_neither_is_logged() {
    const RIGHT: &str = "tok-RIGHT-5f1c9a";
    const WRONG: &str = "tok-WRONG-77aa3b";
    capture_logs();
    let rt = runtime();
    let mut config = SimConfig::script(steady_script(10));
    config.token = Some(RIGHT.into());
    config.heartbeat = Duration::from_millis(200);
    let sim = rt
        .block_on(Simulator::start(config))
        .expect("simulator starts");
    let url = sim.url().unwrap();

    // The right token: the simulator lets the display in.
    let mut good = fast_config(&url);
    good.token = Some(RIGHT.into());
    let mut display = Display::connect(good);
    display.pump_until(5 * SECOND, "the snapshot behind the token", |c| {
        c.board.data.office.is_some()
    });

    // A wrong one: refused with 401 again and again, with backoff, and the client carries on.
    let mut bad = fast_config(&url);
    bad.token = Some(WRONG.into());
    let mut feed = feed::spawn(bad, Arc::new(|| {}));
    let started = Instant::now();
    let mut attempts = 0;
    while started.elapsed() < SECOND {
        match feed.recv_timeout(Duration::from_millis(50)) {
            Some(FeedMsg::Link(LinkState::Connecting)) => attempts += 1,
            Some(other) => panic!("a refused display got {other:?}"),
            None => {}
        }
    }
    assert!(
        (2..=20).contains(&attempts),
        "{attempts} attempts in a second with a wrong token"
    );
    assert!(
        feed.recv_timeout(SECOND).is_some(),
        "the client is still trying"
    );
    drop(feed);

    let logs = captured_logs();
    assert!(
        logs.contains("401"),
        "the refusals were logged (so the capture works):\n{logs}"
    );
    for token in [RIGHT, WRONG] {
        assert!(
            !logs.contains(token),
            "the token {token} leaked into the logs"
        );
    }
}

#[test]
fn a_server_that_always_skips_a_seq_is_not_hammered() {
    let rt = runtime();
    // Every stream it sends has a hole: resuming from 10 gets 12.
    let server = rt.block_on(HandServer::scripted(|n| match n {
        0 => vec![snapshot(10), issued(12, 1)],
        _ => vec![issued(12, 1)],
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the snapshot", |c| {
        c.board.data.last_seq == Some(10)
    });
    display.pump_for(SECOND);
    let connections = server.record.accepts();
    assert!(
        connections <= 20,
        "{connections} connections in a second to a server whose every stream has a gap \
         (backoff 20 ms to 200 ms)"
    );
    assert!(connections >= 2, "the display did try to resynchronise");
    assert_eq!(display.core.board.data, reference(&[snapshot(10)]));
}

#[test]
fn the_client_stops_promptly_even_while_connecting() {
    let rt = runtime();
    // Accepts TCP and never answers the upgrade.
    let server = rt.block_on(HandServer::start(|_, stream, _| async move {
        tokio::time::sleep(Duration::from_secs(20)).await;
        drop(stream);
    }));
    let mut config = fast_config(&server.url());
    config.connect_timeout = Duration::from_secs(10);
    let display = Display::connect(config);
    wait_until(5 * SECOND, "the connection attempt", || {
        server.record.accepts() == 1
    });
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    drop(display);
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(500),
        "dropping the display took {took:?} (the upgrade would time out after 10 s)"
    );
}
