//! Data from the server: poison fields and events, empty boards, snapshots as truth, stale calls
//! after an outage, stream identity and seq going backwards.
//!
//! Each test runs the real client and the real `Core` against a hand-written server (or the
//! simulator) on loopback.

use crate::support::feed::*;
use futures_util::SinkExt;
use jiff::{SignedDuration, Timestamp};
use std::time::{Duration, Instant};
use tablica::protocol::{CallInfo, Envelope, Event, Heartbeat, Snapshot};
use tablica::sim::{Script, SimConfig, Simulator};

const SECOND: Duration = Duration::from_secs(1);

/// A frame written by hand, as a sloppy server would send it.
fn raw(seq: u64, kind: &str, data: &str) -> String {
    format!(
        r#"{{"v":1,"seq":{seq},"type":"{kind}","time":"{}","data":{data}}}"#,
        at(seq)
    )
}

fn with_stream(mut e: Envelope, stream: &str) -> Envelope {
    match &mut e.event {
        Event::Snapshot(s) => s.stream = Some(stream.into()),
        Event::Heartbeat(h) => h.stream = Some(stream.into()),
        _ => {}
    }
    e
}

fn snapshot_with(seq: u64, f: impl FnOnce(&mut Snapshot)) -> Envelope {
    let mut e = snapshot(seq);
    if let Event::Snapshot(s) = &mut e.event {
        f(s);
    }
    e
}

fn tickets(calls: &[CallInfo]) -> Vec<String> {
    calls.iter().map(|c| c.ticket.clone()).collect()
}

#[test]
fn a_snapshot_with_a_two_line_announcement_is_shown_not_rejected() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|_, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        if record.hello(&mut ws).await.is_none() {
            return;
        }
        // A vendor's copy-paste: a line break in a notice and a counter label that is too long.
        let mut snap = snapshot(10).to_json();
        snap = snap.replace(
            r#""announcements":[]"#,
            r#""announcements":[{"id":"n1","text":"Pierwsza linia\nDruga linia"}]"#,
        );
        snap = snap.replace(r#""label":"1""#, r#""label":"Stanowisko numer jeden""#);
        let _ = ws.send(snap.into()).await;
        let _ = ws.send(text(&called(11, "A001", "st1"))).await;
        keep_alive(&mut ws, 11, || false).await;
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the call after the snapshot", |c| {
        c.board.data.last_seq == Some(11)
    });
    let data = &display.core.board.data;
    assert_eq!(data.announcements[0].text, "Pierwsza linia Druga linia");
    assert_eq!(data.counter_label("st1"), "Stanowisko nume…");
    assert!(data.office.is_some());
    assert_eq!(tickets(&display.sounds()), ["A001"]);
    assert_eq!(display.core.counters.rejected, 0);
    assert_eq!(display.core.counters.resyncs, 0);
}

#[test]
fn a_poison_event_resent_on_resume_does_not_make_the_display_resync_forever() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|_, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        let Some(hello) = record.hello(&mut ws).await else {
            return;
        };
        // The server's log: a call whose counter id is far too long, then a good call.
        let poison = raw(
            11,
            "ticket.called",
            &format!(
                r#"{{"ticket":"A001","service":"dowody","counter":"{}"}}"#,
                "x".repeat(40)
            ),
        );
        let log = [poison, called(12, "A002", "st2").to_json()];
        let from = match hello.resume_from {
            None => {
                let _ = ws.send(text(&snapshot(10))).await;
                10
            }
            Some(n) => n,
        };
        for (i, frame) in log.iter().enumerate() {
            if 11 + i as u64 > from {
                let _ = ws.send(frame.clone().into()).await;
            }
        }
        keep_alive(&mut ws, 12, || false).await;
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the call after the poison event", |c| {
        c.board.data.last_seq == Some(12)
    });
    // Long enough for several reconnects at the test's backoff, had there been any.
    display.pump_for(SECOND);
    assert_eq!(server.record.accepts(), 1, "one connection, no resync loop");
    assert_eq!(display.core.counters.resyncs, 0);
    assert_eq!(
        display.core.counters.rejected, 1,
        "the poison event is counted"
    );
    assert_eq!(tickets(&display.sounds()), ["A002"]);
}

#[test]
fn events_before_any_snapshot_are_not_applied_and_a_snapshot_is_asked_for() {
    let rt = runtime();
    let server = rt.block_on(HandServer::scripted(|n| {
        match n {
            // A server that forgot the snapshot: a counter the board has never heard of.
            0 => vec![called(11, "A001", "st9"), issued(12, 3)],
            _ => vec![snapshot(20), called(21, "A002", "st2")],
        }
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the board after the snapshot", |c| {
        c.board.data.last_seq == Some(21)
    });
    let resumes = server.record.resumes();
    assert_eq!(
        resumes,
        [None, None],
        "the second hello asks for a snapshot"
    );
    let data = &display.core.board.data;
    assert!(data.counter("st9").is_none());
    assert_eq!(
        tickets(&data.recent_calls.iter().cloned().collect::<Vec<_>>()),
        ["A002"]
    );
    assert_eq!(tickets(&display.sounds()), ["A002"], "A001 was never shown");
}

#[test]
fn a_seq_going_backwards_on_a_live_connection_resyncs_instead_of_freezing() {
    let rt = runtime();
    let server = rt.block_on(HandServer::scripted(|n| {
        match n {
            // The queue system restarts behind a proxy that keeps the connection, and numbers
            // from 1 again.
            0 => vec![
                snapshot(10),
                called(11, "A001", "st1"),
                called(12, "A002", "st2"),
                called(1, "B001", "st3"),
                called(2, "B002", "st4"),
            ],
            _ => vec![snapshot(2), called(3, "B003", "st5")],
        }
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the renumbered stream", |c| {
        c.board.data.last_seq == Some(3)
    });
    let resumes = server.record.resumes();
    assert_eq!(
        resumes,
        [None, None],
        "numbers that went back are not resumed from"
    );
    assert_eq!(display.core.counters.resyncs, 1);
    assert_eq!(tickets(&display.sounds()), ["A001", "A002", "B003"]);
}

#[test]
fn a_heartbeat_of_another_stream_makes_the_display_take_the_new_streams_snapshot() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|n, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        if record.hello(&mut ws).await.is_none() {
            return;
        }
        if n == 0 {
            let _ = ws.send(text(&with_stream(snapshot(10), "old"))).await;
            let _ = ws.send(text(&called(11, "A001", "st1"))).await;
            // Restarted behind a proxy, with the same numbers: only the stream tells.
            let _ = ws.send(text(&with_stream(heartbeat(11), "new"))).await;
        } else {
            let snap = snapshot_with(11, |s| {
                s.stream = Some("new".into());
                s.office.name = "Po restarcie".into();
            });
            let _ = ws.send(text(&snap)).await;
        }
        keep_alive(&mut ws, 11, || false).await;
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the new stream's snapshot", |c| {
        c.board.data.stream.as_deref() == Some("new")
    });
    let hellos = server.record.hellos();
    assert_eq!(hellos[1].resume_from, None);
    assert_eq!(
        display.core.board.data.office.as_ref().unwrap().name,
        "Po restarcie"
    );
}

/// Two scripts whose numbers overlap: the second server's log holds the seq the display reached
/// with the first.
fn overlapping_script(office: &str, calls: u64, prefix: &str) -> Script {
    let snap = snapshot_with(0, |s| s.office.name = office.into());
    let mut lines = vec![snap.to_json()];
    for seq in 1..=calls {
        lines.push(called(seq, &format!("{prefix}{seq:03}"), "st1").to_json());
    }
    Script::parse(&lines.join("\n"), office).expect("script parses")
}

#[test]
fn a_restarted_simulator_with_overlapping_numbers_is_not_resumed_across_streams() {
    let rt = runtime();
    let first = rt
        .block_on(Simulator::start(SimConfig {
            speed: 1000.0,
            ..SimConfig::script(overlapping_script("Pierwszy", 5, "A"))
        }))
        .expect("first simulator starts");
    let addr = first.addr().unwrap();
    let mut display = Display::connect(fast_config(&first.url().unwrap()));
    display.pump_until(5 * SECOND, "the first run's last event", |c| {
        c.board.data.last_seq == Some(5)
    });
    let first_stream = display.core.board.data.stream.clone();
    assert!(first_stream.is_some(), "the simulator names its stream");
    rt.block_on(first.shutdown());
    // The restarted server has no log of the first run and numbers from 1 again, past 5.
    let second = rt
        .block_on(Simulator::start(SimConfig {
            listen: addr,
            speed: 1000.0,
            ..SimConfig::script(overlapping_script("Drugi", 20, "B"))
        }))
        .expect("second simulator starts on the same address");
    display.pump_until(10 * SECOND, "the second run's state", |c| {
        c.board.data == second.board_data() && c.board.data.last_seq == Some(20)
    });
    assert_ne!(display.core.board.data.stream, first_stream);
    assert!(
        display
            .core
            .board
            .data
            .recent_calls
            .iter()
            .all(|c| c.ticket.starts_with('B')),
        "nothing of the first run is left"
    );
}

#[test]
fn a_30_minute_outage_replays_old_calls_silently_into_the_history() {
    const OUTAGE: SignedDuration = SignedDuration::from_mins(30);
    let outage = Duration::try_from(OUTAGE).unwrap();
    let rt = runtime();
    // The server's clock at the first connection.
    let t = at(100);
    let back = Flag::default();
    let resume = back.clone();
    let server = rt.block_on(HandServer::start(move |_, stream, record| {
        let resume = resume.clone();
        async move {
            let Some(mut ws) = record.upgrade(stream).await else {
                return;
            };
            let Some(hello) = record.hello(&mut ws).await else {
                return;
            };
            if hello.resume_from.is_none() {
                // The snapshot's time is the server's clock now. Then the link is cut.
                let _ = ws.send(text(&snapshot(100))).await;
                return;
            }
            // Thirty minutes later the display is back and resumes: a call every 12 s meanwhile.
            while !resume.is_up() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            for k in 0..150u64 {
                let mut e = called(101 + k, &format!("A{k:03}"), &format!("st{}", k % 6 + 1));
                e.time = t + SignedDuration::from_secs(6 + 12 * k as i64);
                let _ = ws.send(text(&e)).await;
            }
            // Heartbeats carry the server's clock, thirty minutes on.
            let hb = Envelope::new(250, t + OUTAGE, Event::Heartbeat(Heartbeat::default()));
            while ws.send(text(&hb)).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.present_all = false;
    display.pump_until(5 * SECOND, "the first snapshot", |c| {
        c.board.data.last_seq == Some(100)
    });
    // From here on the display's clocks read thirty minutes later: the outage, without the wait.
    let later = |i: Instant| i + outage;
    back.raise();
    let deadline = Instant::now() + 10 * SECOND;
    while display.core.board.data.last_seq != Some(250) {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for the resume"
        );
        display
            .core
            .pump_at(Timestamp::now() + OUTAGE, later(Instant::now()));
        std::thread::sleep(STEP);
    }
    // Two and a half minutes of ticks every 100 ms on the monotonic clock.
    let start = later(Instant::now());
    let mut started_at = Vec::new();
    for step in 0..1500u32 {
        let mono = start + Duration::from_millis(100) * step;
        let wall = Timestamp::now() + OUTAGE + SignedDuration::from_millis(100 * step as i64);
        let before = display.sounds().len();
        display.core.tick_at(wall, mono);
        assert!(
            display.sounds().len() <= before + 1,
            "a burst at step {step}"
        );
        if display.sounds().len() > before {
            started_at.push(mono);
        }
    }
    let sounds = display.sounds();
    assert!(
        !sounds.is_empty(),
        "the calls of the last two minutes are news"
    );
    // Calls are 12 s apart: allow one interval for the real time the test itself took.
    let cutoff = t + OUTAGE - SignedDuration::from_secs(120 + 12);
    for c in &sounds {
        assert!(c.time >= cutoff, "{} from {} was chimed", c.ticket, c.time);
    }
    assert!(
        sounds.len() <= 11,
        "only fresh calls: {:?}",
        tickets(&sounds)
    );
    for w in started_at.windows(2) {
        assert!(w[1] - w[0] >= Duration::from_secs(6));
    }
    // Every call is in the history all the same (as many as it keeps).
    assert_eq!(display.core.board.data.recent_calls.len(), 100);
    assert_eq!(display.core.board.data.recent_calls[0].ticket, "A149");
}

#[test]
fn an_unusable_snapshot_keeps_the_board_and_its_numbering_is_followed_without_a_loop() {
    let rt = runtime();
    let server = rt.block_on(HandServer::start(|n, stream, record| async move {
        let Some(mut ws) = record.upgrade(stream).await else {
            return;
        };
        if record.hello(&mut ws).await.is_none() {
            return;
        }
        if n == 0 {
            let _ = ws.send(text(&snapshot(10))).await;
            let _ = ws.send(text(&called(11, "A001", "st1"))).await;
            // The queue system restarts; the link drops.
            return;
        }
        // It answers with a snapshot whose data cannot be used (a ticket label far too long),
        // then goes on numbering after it.
        let poison = snapshot_with(50, |s| {
            s.stream = Some("after-restart".into());
            s.recent_calls = vec![CallInfo {
                ticket: "A-MUCH-TOO-LONG".into(),
                service: "dowody".into(),
                counter: Some("st2".into()),
                time: at(50),
                recall: false,
                reservation: false,
            }];
        });
        let _ = ws.send(text(&poison)).await;
        let _ = ws.send(text(&called(51, "A002", "st2"))).await;
        let _ = ws
            .send(text(&with_stream(heartbeat(51), "after-restart")))
            .await;
        keep_alive(&mut ws, 51, || false).await;
    }));
    let mut display = Display::connect(fast_config(&server.url()));
    display.pump_until(5 * SECOND, "the event after the unusable snapshot", |c| {
        c.board.data.last_seq == Some(51)
    });
    display.pump_for(SECOND);
    assert_eq!(server.record.accepts(), 2, "no resync loop");
    assert_eq!(display.core.counters.rejected, 1);
    let data = &display.core.board.data;
    assert!(data.office.is_some(), "the old board stays");
    assert_eq!(
        data.counter_label("st2"),
        "2",
        "counters stay known by label"
    );
    assert_eq!(data.stream.as_deref(), Some("after-restart"));
    assert_eq!(tickets(&display.sounds()), ["A001", "A002"]);
}
