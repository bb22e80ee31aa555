use super::*;
use crate::protocol::*;
use proptest::prelude::*;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_796_029_200 + secs).unwrap() // 2026-11-30 10:00 Warsaw
}

fn service(id: &str, prefix: &str) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: format!("Usługa {id}"),
        prefix: prefix.into(),
        waiting: 0,
        est_wait_s: None,
        open_counters: 0,
        accepting: true,
        names: Default::default(),
    }
}

fn counter(id: &str, services: &[&str]) -> CounterInfo {
    CounterInfo {
        id: id.into(),
        label: id.into(),
        open: true,
        services: services.iter().map(|s| s.to_string()).collect(),
        serving: None,
    }
}

fn snapshot() -> Snapshot {
    Snapshot {
        office: Office {
            id: "pom".into(),
            name: "POM Galeria Rzeszów".into(),
        },
        services: vec![service("a", "A"), service("b", "B")],
        counters: vec![counter("1", &["a"]), counter("2", &["a", "b"])],
        recent_calls: vec![],
        announcements: vec![],
        stream: None,
    }
}

fn env(seq: u64, secs: i64, event: Event) -> Envelope {
    Envelope::new(seq, t(secs), event)
}

fn at(ticket: &str, service: &str, counter: &str) -> TicketAtCounter {
    TicketAtCounter {
        ticket: ticket.into(),
        service: service.into(),
        counter: Some(counter.into()),
        reservation: false,
    }
}

fn called(seq: u64, secs: i64, ticket: &str, counter: &str) -> Envelope {
    env(seq, secs, Event::TicketCalled(at(ticket, "a", counter)))
}

fn started() -> Board {
    let mut b = Board::default();
    b.apply(&env(10, 0, Event::Snapshot(snapshot())), t(0));
    b
}

#[test]
fn snapshot_replaces_state_without_effects() {
    let mut b = started();
    let mut snap = snapshot();
    snap.recent_calls.push(CallInfo {
        ticket: "A001".into(),
        service: "a".into(),
        counter: Some("1".into()),
        time: t(-30),
        recall: false,
        reservation: false,
    });
    let effects = b.apply(&env(11, 1, Event::Snapshot(snap)), t(1));
    assert!(effects.is_empty());
    assert_eq!(b.data.last_seq, Some(11));
    assert_eq!(b.data.recent_calls.len(), 1);
    // The newest call is on screen, but quietly: it does not flash or sound.
    let shown = b.presenter.current().unwrap();
    assert_eq!(shown.call.ticket, "A001");
    assert!(!shown.fresh);
    assert!(b.advance(t(2)).is_none());
}

#[test]
fn calls_and_recalls_are_distinct_effects() {
    let mut b = started();
    let e = b.apply(&called(11, 1, "A001", "1"), t(1));
    assert!(matches!(&e[..], [Effect::Call(c)] if c.ticket == "A001" && !c.recall));
    let e = b.apply(
        &env(12, 2, Event::TicketRecalled(at("A001", "a", "1"))),
        t(2),
    );
    assert!(matches!(&e[..], [Effect::Recall(c)] if c.ticket == "A001" && c.recall));
    assert_eq!(b.data.recent_calls.len(), 2);
    assert_eq!(
        b.data
            .counter("1")
            .unwrap()
            .serving
            .as_ref()
            .unwrap()
            .ticket,
        "A001"
    );
}

#[test]
fn duplicates_and_old_events_are_ignored() {
    let mut b = started();
    b.apply(&called(11, 1, "A001", "1"), t(1));
    let before = b.data.clone();
    assert!(b.apply(&called(11, 1, "A001", "1"), t(2)).is_empty());
    // An older snapshot within the same stream is stale, not news.
    assert!(
        b.apply(&env(3, 0, Event::Snapshot(snapshot())), t(2))
            .is_empty()
    );
    // A server that repeats older events at the start of a connection sends duplicates.
    b.new_stream();
    assert!(b.apply(&called(5, 1, "A009", "1"), t(2)).is_empty());
    assert_eq!(b.data, before);
}

#[test]
fn a_gap_asks_for_resync_and_is_not_applied() {
    let mut b = started();
    let e = b.apply(&called(13, 1, "A001", "1"), t(1));
    assert_eq!(
        e,
        vec![Effect::ResyncNeeded {
            last: Some(10),
            got: 13,
            why: Resync::Gap
        }]
    );
    assert!(b.data.recent_calls.is_empty());
    assert_eq!(b.data.last_seq, Some(10));
    // A heartbeat announcing a later seq also reveals missed events.
    let e = b.apply(&env(12, 2, Event::Heartbeat(Heartbeat::default())), t(2));
    assert_eq!(
        e,
        vec![Effect::ResyncNeeded {
            last: Some(10),
            got: 12,
            why: Resync::Gap
        }]
    );
    assert!(
        b.apply(&env(10, 2, Event::Heartbeat(Heartbeat::default())), t(2))
            .is_empty()
    );
}

#[test]
fn a_restarted_server_may_renumber_after_a_new_connection() {
    let mut b = started();
    b.apply(&called(11, 1, "A001", "1"), t(1));
    b.new_stream();
    let mut snap = snapshot();
    snap.office.name = "Po restarcie".into();
    b.apply(&env(1, 5, Event::Snapshot(snap)), t(5));
    assert_eq!(b.data.last_seq, Some(1));
    assert_eq!(b.data.office.as_ref().unwrap().name, "Po restarcie");
    let e = b.apply(&called(2, 6, "A002", "2"), t(6));
    assert!(matches!(&e[..], [Effect::Call(_)]));
}

#[test]
fn every_frame_counts_as_hearing_from_the_server() {
    let mut b = started();
    b.apply(&env(10, 0, Event::Heartbeat(Heartbeat::default())), t(30));
    assert_eq!(b.data_age(t(45)), Some(SignedDuration::from_secs(15)));
    b.heard(t(50));
    assert_eq!(b.data_age(t(50)), Some(SignedDuration::ZERO));
}

#[test]
fn waiting_counts_follow_tickets() {
    let mut b = started();
    b.apply(
        &env(
            11,
            1,
            Event::TicketIssued(TicketIssued {
                ticket: "A001".into(),
                service: "a".into(),
                reservation: false,
                waiting: 3,
            }),
        ),
        t(1),
    );
    assert_eq!(b.data.service("a").unwrap().waiting, 3);
    b.apply(&called(12, 2, "A001", "1"), t(2));
    assert_eq!(b.data.service("a").unwrap().waiting, 2);
    b.apply(
        &env(
            13,
            3,
            Event::TicketCancelled(TicketCancelled {
                ticket: "A002".into(),
                service: "a".into(),
            }),
        ),
        t(3),
    );
    assert_eq!(b.data.service("a").unwrap().waiting, 1);
    b.apply(
        &env(
            14,
            4,
            Event::TicketTransferred(TicketTransferred {
                ticket: "A001".into(),
                from_service: "a".into(),
                to_service: "b".into(),
            }),
        ),
        t(4),
    );
    assert_eq!(b.data.service("b").unwrap().waiting, 1);
    assert!(b.data.counter("1").unwrap().serving.is_none());
}

#[test]
fn server_estimate_wins_and_local_estimate_uses_observed_durations() {
    let mut b = started();
    // Two counters serve "a"; each visit observed takes 5 minutes.
    for (i, seq) in (11..17).step_by(2).enumerate() {
        let start = i as i64 * 400;
        let ticket = format!("A00{i}");
        b.apply(&called(seq, start, &ticket, "1"), t(start));
        b.apply(
            &env(
                seq + 1,
                start + 300,
                Event::TicketServed(at(&ticket, "a", "1")),
            ),
            t(start + 300),
        );
    }
    assert_eq!(b.stats.service_time_s("a"), 300);
    let mut svc = b.data.service("a").unwrap().clone();
    svc.waiting = 4;
    assert_eq!(
        b.wait(&svc),
        Wait::About {
            seconds: 600,
            local: true
        }
    );
    svc.est_wait_s = Some(1200);
    assert_eq!(
        b.wait(&svc),
        Wait::About {
            seconds: 1200,
            local: false
        }
    );
    svc.waiting = 0;
    assert_eq!(b.wait(&svc), Wait::NoQueue);
    // Nobody serves "b" and the server gave no estimate.
    let mut other = b.data.service("b").unwrap().clone();
    b.data.counters.iter_mut().for_each(|c| c.open = false);
    other.waiting = 2;
    assert_eq!(b.wait(&other), Wait::Unknown);
}

#[test]
fn burst_of_calls_is_presented_one_at_a_time_none_skipped() {
    let mut b = started();
    for i in 0..5u64 {
        b.apply(&called(11 + i, 0, &format!("A10{i}"), "1"), t(0));
    }
    let mut shown = Vec::new();
    let mut starts = Vec::new();
    for s in 0..40 {
        if let Some(call) = b.advance(t(s)) {
            shown.push(call.ticket);
            starts.push(b.presenter.current().unwrap().since);
        }
    }
    assert_eq!(shown, ["A100", "A101", "A102", "A103", "A104"]);
    for pair in starts.windows(2) {
        assert_eq!(pair[1].duration_since(pair[0]), b.config.min_display);
    }
    // While calls are queued, history shows neither the one on screen nor the queued ones.
    let mut b2 = started();
    for i in 0..3u64 {
        b2.apply(&called(11 + i, 0, &format!("A20{i}"), "1"), t(0));
    }
    b2.advance(t(0));
    assert_eq!(b2.history().count(), 0);
    b2.advance(t(7));
    let history: Vec<_> = b2.history().map(|c| c.ticket.clone()).collect();
    assert_eq!(history, ["A200"]);
}

#[test]
fn presenter_schedule_is_the_same_live_or_replayed() {
    let events: Vec<_> = (0..4u64)
        .map(|i| called(11 + i, i as i64, &format!("A00{i}"), "2"))
        .collect();
    // Live: a shell that ticks every 100 ms.
    let mut live = started();
    let mut live_starts = Vec::new();
    for ms in (0..100_000).step_by(100) {
        let now = t(0) + SignedDuration::from_millis(ms);
        for e in events.iter().filter(|e| e.time == now) {
            live.apply(e, e.time);
        }
        live_starts.extend(live.advance(now).map(|c| (c.ticket, now)));
    }
    // Replayed: catching up at each event and at the end.
    let mut replay = started();
    let mut replay_starts = Vec::new();
    for e in &events {
        replay_starts.extend(replay.catch_up(e.time, Mono::of_wall(e.time)));
        replay.apply(e, e.time);
    }
    replay_starts.extend(replay.catch_up(t(100), Mono::of_wall(t(100))));
    let replay_tickets: Vec<_> = replay_starts.into_iter().map(|c| c.ticket).collect();
    let live_tickets: Vec<_> = live_starts.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(live_tickets, replay_tickets);
    let live_times: Vec<_> = live_starts.iter().map(|(_, at)| *at).collect();
    assert_eq!(live_times, [t(0), t(6), t(12), t(18)]);
    assert_eq!(live.presenter.current(), replay.presenter.current());
}

#[test]
fn next_deadline_covers_flash_and_queue() {
    let mut b = started();
    assert_eq!(b.next_deadline(t(0)), None);
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.apply(&called(12, 0, "A002", "1"), t(0));
    assert_eq!(b.next_deadline(t(0)), Some(t(0)));
    b.advance(t(0));
    assert_eq!(b.next_deadline(t(0)), Some(t(4))); // flash ends
    assert_eq!(b.next_deadline(t(5)), Some(t(6))); // next call's turn
    b.advance(t(6));
    assert_eq!(b.next_deadline(t(11)), None);
}

fn secs(s: f64) -> SignedDuration {
    SignedDuration::from_secs_f64(s)
}

/// Words from 1.9 s to 9.8 s of the turn, holding it until 10.5 s: a recall of "B9999" to
/// counter "12A" with the built-in pack after the recall chime.
fn long_speech() -> Speech {
    Speech {
        from: secs(1.9),
        until: secs(9.8),
        hold: secs(10.5),
    }
}

#[test]
fn a_spoken_call_keeps_its_turn_until_its_words_are_over() {
    let mut b = started();
    b.apply(&called(11, 0, "B9999", "1"), t(0));
    b.apply(&called(12, 0, "A002", "1"), t(0));
    assert_eq!(b.advance(t(0)).unwrap().ticket, "B9999");
    b.speak(long_speech());
    // The minimum time on screen is over, the words are not: the next call waits.
    assert_eq!(b.advance(t(6)), None);
    assert_eq!(b.advance(t(10)), None);
    assert_eq!(
        b.next_tick(),
        Some(Mono::of_wall(t(0)).saturating_add(secs(10.5)))
    );
    assert_eq!(b.presenter.current().unwrap().call.ticket, "B9999");
    let next = crate::protocol::time::saturating_add(t(10), secs(0.5));
    assert_eq!(b.advance(next).unwrap().ticket, "A002");
    // A short phrase does not shorten the minimum time on screen.
    b.apply(&called(13, 11, "A003", "1"), t(11));
    b.speak(Speech {
        from: secs(1.9),
        until: secs(3.0),
        hold: secs(3.5),
    });
    assert_eq!(b.advance(t(16)), None);
    assert_eq!(b.advance(t(17)).unwrap().ticket, "A003");
}

#[test]
fn speaking_lasts_exactly_while_the_words_are_said() {
    let mut b = started();
    b.apply(&called(11, 0, "B9999", "1"), t(0));
    assert!(
        !b.speaking(t(0)),
        "nothing spoken before a call is presented"
    );
    b.advance(t(0));
    assert!(!b.speaking(t(1)), "an unspoken call shows no speaker mark");
    b.speak(long_speech());
    let at = |s| crate::protocol::time::saturating_add(t(0), secs(s));
    assert!(!b.speaking(at(1.8)), "the chime is not the words");
    assert!(b.speaking(at(1.9)));
    assert!(b.speaking(at(9.7)));
    assert!(!b.speaking(at(9.8)));
    // The picture is woken when the words begin and when they end (and when the flash ends).
    assert_eq!(b.next_deadline(t(0)), Some(at(1.9)));
    assert_eq!(b.next_deadline(at(1.9)), Some(t(4)));
    assert_eq!(b.next_deadline(t(4)), Some(at(9.8)));
    assert_eq!(b.next_deadline(at(9.8)), None);
}

#[test]
fn a_quiet_call_from_a_snapshot_is_never_spoken_and_a_hold_is_bounded() {
    let mut b = started();
    let mut snap = snapshot();
    snap.recent_calls.push(CallInfo {
        ticket: "A001".into(),
        service: "a".into(),
        counter: Some("1".into()),
        time: t(-30),
        recall: false,
        reservation: false,
    });
    b.apply(&env(11, 1, Event::Snapshot(snap)), t(1));
    b.speak(long_speech());
    assert!(b.presenter.current().unwrap().speech.is_none());
    assert!(!b.speaking(t(3)));
    // A hold beyond the bound (a broken pack's timing) cannot freeze the queue of calls.
    b.apply(&called(12, 2, "A002", "1"), t(2));
    b.apply(&called(13, 2, "A003", "1"), t(2));
    assert_eq!(b.advance(t(2)).unwrap().ticket, "A002");
    b.speak(Speech {
        from: secs(1.0),
        until: secs(3600.0),
        hold: secs(3600.0),
    });
    let bound = Mono::of_wall(t(2)).saturating_add(MAX_SPEECH_HOLD);
    assert_eq!(b.next_tick(), Some(bound));
}

#[test]
fn booked_visits_and_closed_issuing_reach_the_state() {
    let mut b = started();
    let booked = TicketAtCounter {
        reservation: true,
        ..at("R001", "a", "1")
    };
    let effects = b.apply(&env(11, 1, Event::TicketCalled(booked.clone())), t(1));
    assert!(matches!(&effects[..], [Effect::Call(c)] if c.reservation));
    assert!(b.data.recent_calls[0].reservation, "history keeps the mark");
    assert!(
        b.advance(t(1)).is_some_and(|c| c.reservation),
        "so does the call on screen"
    );
    let effects = b.apply(&env(12, 2, Event::TicketRecalled(booked)), t(2));
    assert!(matches!(&effects[..], [Effect::Recall(c)] if c.reservation));
    b.apply(&called(13, 3, "A001", "2"), t(3));
    assert!(!b.data.recent_calls[0].reservation);
    assert!(
        b.to_snapshot().recent_calls[1].reservation,
        "and the board's snapshot"
    );

    let wait = |seq, accepting| {
        env(
            seq,
            4,
            Event::ServiceWait(ServiceWait {
                service: "b".into(),
                waiting: 9,
                est_wait_s: Some(600),
                open_counters: 1,
                accepting,
            }),
        )
    };
    b.apply(&wait(14, false), t(4));
    let s = b.data.service("b").unwrap();
    assert!(!s.accepting);
    assert_eq!(s.waiting, 9, "the people already waiting are still counted");
    b.apply(&env(15, 5, Event::DayReset(Empty {})), t(5));
    assert!(
        b.data.service("b").unwrap().accepting,
        "a new day issues tickets again"
    );
    b.apply(&wait(16, false), t(6));
    b.apply(&wait(17, true), t(6));
    assert!(b.data.service("b").unwrap().accepting);
}

#[test]
fn day_reset_clears_the_day() {
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.apply(&env(12, 1, Event::DayReset(Empty {})), t(1));
    assert!(b.data.recent_calls.is_empty());
    assert!(b.presenter.current().is_none());
    assert!(b.data.counters.iter().all(|c| c.serving.is_none()));
    assert_eq!(b.data.services.len(), 2);
}

#[test]
fn network_times_at_the_edge_of_the_range_do_not_panic() {
    let mut b = started();
    let e = Envelope::new(11, Timestamp::MAX, Event::TicketCalled(at("A1", "a", "1")));
    b.apply(&e, Timestamp::MAX);
    b.advance(Timestamp::MAX);
    let _ = b.next_deadline(Timestamp::MAX);
    let e = Envelope::new(12, Timestamp::MIN, Event::TicketServed(at("A1", "a", "1")));
    b.apply(&e, Timestamp::MIN);
}

// ---- Properties over arbitrary event streams ----

fn arb_event() -> impl Strategy<Value = Event> {
    let ticket = prop::sample::select(vec!["A1", "A2", "B1", "B2", "R1"]).prop_map(String::from);
    let svc = prop::sample::select(vec!["a", "b", "x"]).prop_map(String::from);
    let ctr = prop::sample::select(vec!["1", "2", "9"]).prop_map(String::from);
    // Calls that name no counter are mixed in: a bridge sends only those.
    let call_ctr = prop::option::of(ctr.clone());
    let tac = (ticket.clone(), svc.clone(), call_ctr, any::<bool>()).prop_map(
        |(ticket, service, counter, reservation)| TicketAtCounter {
            ticket,
            service,
            counter,
            reservation,
        },
    );
    prop_oneof![
        3 => tac.clone().prop_map(Event::TicketCalled),
        1 => tac.clone().prop_map(Event::TicketRecalled),
        2 => tac.clone().prop_map(Event::TicketServed),
        1 => tac.prop_map(Event::TicketNoShow),
        2 => (ticket.clone(), svc.clone(), any::<bool>(), 0u32..20).prop_map(|(ticket, service, reservation, waiting)| {
            Event::TicketIssued(TicketIssued { ticket, service, reservation, waiting })
        }),
        1 => (ticket.clone(), svc.clone(), svc.clone()).prop_map(|(ticket, from_service, to_service)| {
            Event::TicketTransferred(TicketTransferred { ticket, from_service, to_service })
        }),
        1 => (ticket, svc.clone()).prop_map(|(ticket, service)| Event::TicketCancelled(TicketCancelled { ticket, service })),
        1 => (ctr.clone(), prop::collection::vec(svc.clone(), 0..3)).prop_map(|(counter, services)| {
            Event::CounterOpened(CounterOpened { label: counter.clone(), counter, services })
        }),
        1 => ctr.prop_map(|counter| Event::CounterClosed(CounterClosed { counter })),
        1 => (svc, 0u32..30, proptest::option::of(0u32..5000), 0u32..4, any::<bool>()).prop_map(|(service, waiting, est_wait_s, open_counters, accepting)| {
            Event::ServiceWait(ServiceWait { service, waiting, est_wait_s, open_counters, accepting })
        }),
        1 => (prop::sample::select(vec!["n1", "n2"]), "[a-zżółć ]{1,20}").prop_map(|(id, text)| {
            Event::AnnouncementSet(Announcement { id: id.into(), text })
        }),
        1 => prop::sample::select(vec!["n1", "n2"]).prop_map(|id| Event::AnnouncementCleared(AnnouncementCleared { id: id.into() })),
        1 => Just(Event::Heartbeat(Heartbeat::default())),
        1 => Just(Event::DayReset(Empty {})),
        1 => Just(Event::Unknown("ticket.future".into())),
    ]
}

/// A stream that starts with a snapshot at seq 1 and numbers every event consecutively (a
/// heartbeat repeats the current seq, as the protocol says).
fn arb_stream() -> impl Strategy<Value = Vec<Envelope>> {
    prop::collection::vec(arb_event(), 0..150).prop_map(|events| {
        let mut out = vec![env(1, 0, Event::Snapshot(snapshot()))];
        let mut seq = 1;
        for (i, event) in events.into_iter().enumerate() {
            if !matches!(event, Event::Heartbeat(_)) {
                seq += 1;
            }
            out.push(env(seq, i as i64 + 1, event));
        }
        out
    })
}

fn run(stream: &[Envelope]) -> Board {
    let mut b = Board::default();
    for e in stream {
        b.apply(e, e.time);
    }
    b
}

proptest! {
    #[test]
    fn prefix_then_snapshot_equals_full_stream(stream in arb_stream(), cut in 0usize..150) {
        let full = run(&stream);
        let cut = cut.min(stream.len());
        let mut resumed = run(&stream[..cut]);
        let last = full.data.last_seq.unwrap();
        let snap = Envelope::new(last, stream.last().unwrap().time, Event::Snapshot(full.to_snapshot()));
        let effects = resumed.apply(&snap, snap.time);
        prop_assert!(effects.is_empty(), "a snapshot never chimes");
        prop_assert_eq!(&resumed.data, &full.data);
    }

    #[test]
    fn duplicates_never_change_state(stream in arb_stream(), picks in prop::collection::vec(any::<prop::sample::Index>(), 1..20)) {
        let mut b = run(&stream);
        let before = b.data.clone();
        for pick in picks {
            let e = pick.get(&stream);
            // A snapshot is the truth whenever the board takes it; re-sent events are not.
            if matches!(e.event, Event::Snapshot(_)) {
                continue;
            }
            let effects = b.apply(e, e.time);
            prop_assert!(effects.iter().all(|f| !matches!(f, Effect::Call(_) | Effect::Recall(_))));
        }
        prop_assert_eq!(&b.data, &before);
    }

    #[test]
    fn one_call_effect_per_called_event(stream in arb_stream()) {
        let mut b = Board::default();
        let mut calls = 0;
        for e in &stream {
            calls += b.apply(e, e.time).iter().filter(|f| matches!(f, Effect::Call(_))).count();
        }
        let expected = stream.iter().filter(|e| matches!(e.event, Event::TicketCalled(_))).count();
        prop_assert_eq!(calls, expected);
    }

    #[test]
    fn arbitrary_sequences_never_panic_and_stay_bounded(events in prop::collection::vec((arb_event(), 0u64..400, -5i64..5), 0..300)) {
        let mut b = Board::default();
        let mut now = 0;
        for (event, seq, dt) in events {
            now += dt;
            let e = env(seq, now, event);
            b.apply(&e, t(now));
            b.advance(t(now));
            let _ = b.next_deadline(t(now));
            for s in b.data.services.clone() {
                let _ = b.wait(&s);
            }
            let _ = b.history().count();
        }
        prop_assert!(b.data.recent_calls.len() <= MAX_RECENT_CALLS);
        prop_assert!(b.presenter.pending().len() <= presenter::MAX_PENDING);
    }
}

#[test]
fn a_quiet_snapshot_call_gives_way_at_once_even_with_a_clock_ahead() {
    // The server's clock is an hour ahead of the display's: the snapshot's newest call seems to
    // lie in the future. It must not hold back the next call.
    let mut b = Board::default();
    let mut snap = snapshot();
    snap.recent_calls.push(CallInfo {
        ticket: "A001".into(),
        service: "a".into(),
        counter: Some("1".into()),
        time: t(3600),
        recall: false,
        reservation: false,
    });
    b.apply(&env(1, 3600, Event::Snapshot(snap)), t(0));
    b.apply(&called(2, 3601, "A002", "2"), t(1));
    let started = b.advance(t(1));
    assert!(started.is_some());
    assert_eq!(b.presenter.current().unwrap().call.ticket, "A002");
}

#[test]
fn a_snapshot_after_an_outage_shows_its_newest_call_quietly() {
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.advance(t(0));
    // Cut off; meanwhile A002 was called. The reconnect brings a snapshot with it.
    let mut snap = snapshot();
    for (ticket, secs) in [("A002", 60), ("A001", 0)] {
        snap.recent_calls.push(CallInfo {
            ticket: ticket.into(),
            service: "a".into(),
            counter: Some("1".into()),
            time: t(secs),
            recall: false,
            reservation: false,
        });
    }
    b.new_stream();
    assert!(
        b.apply(&env(20, 90, Event::Snapshot(snap)), t(90))
            .is_empty()
    );
    let current = b.presenter.current().unwrap();
    assert_eq!(current.call.ticket, "A002");
    assert!(
        !current.fresh,
        "no blinking for a call made while the display was cut off"
    );
    assert!(b.advance(t(91)).is_none(), "and no sound");
}

// ---- Hardening (issue 10) ----

fn call_info(ticket: &str, secs: i64) -> CallInfo {
    CallInfo {
        ticket: ticket.into(),
        service: "a".into(),
        counter: Some("1".into()),
        time: t(secs),
        recall: false,
        reservation: false,
    }
}

fn heartbeat(seq: u64, secs: i64, stream: Option<&str>) -> Envelope {
    env(
        seq,
        secs,
        Event::Heartbeat(Heartbeat {
            stream: stream.map(str::to_owned),
        }),
    )
}

#[test]
fn an_empty_board_applies_no_event_and_asks_for_a_snapshot() {
    let mut b = Board::default();
    let e = b.apply(&called(5, 0, "A001", "st9"), t(0));
    assert_eq!(
        e,
        vec![Effect::ResyncNeeded {
            last: None,
            got: 5,
            why: Resync::NoSnapshot
        }]
    );
    assert!(b.data.recent_calls.is_empty());
    assert!(b.data.counters.is_empty());
    assert!(b.presenter.current().is_none() && b.presenter.pending().len() == 0);
    assert_eq!(b.resume_point(), (None, None));
    assert!(b.advance(t(1)).is_none(), "nothing to sound");
    // Heartbeats say nothing to an empty board; a snapshot starts it.
    assert!(b.apply(&heartbeat(5, 1, None), t(1)).is_empty());
    b.apply(&env(5, 2, Event::Snapshot(snapshot())), t(2));
    assert!(b.is_synced());
    assert_eq!(b.resume_point(), (Some(5), None));
    assert!(matches!(
        &b.apply(&called(6, 3, "A001", "1"), t(3))[..],
        [Effect::Call(_)]
    ));
}

#[test]
fn a_snapshot_without_calls_clears_the_screen_and_the_queue() {
    let mut b = started();
    for i in 0..3u64 {
        b.apply(&called(11 + i, 0, &format!("A00{i}"), "1"), t(0));
    }
    assert_eq!(b.advance(t(0)).unwrap().ticket, "A000");
    b.new_stream();
    assert!(
        b.apply(&env(1, 2, Event::Snapshot(snapshot())), t(2))
            .is_empty()
    );
    assert!(
        b.presenter.current().is_none(),
        "the call on screen is gone"
    );
    assert_eq!(b.presenter.pending().len(), 0, "and so are the queued ones");
    for s in 2..60 {
        assert!(
            b.advance(t(s)).is_none(),
            "no chime for the old stream's calls"
        );
    }
    // With calls, its newest is on screen quietly and the old queue is gone all the same.
    let mut b = started();
    for i in 0..3u64 {
        b.apply(&called(11 + i, 0, &format!("A00{i}"), "1"), t(0));
    }
    b.advance(t(0));
    let mut snap = snapshot();
    snap.recent_calls = vec![call_info("B001", 1)];
    b.apply(&env(20, 2, Event::Snapshot(snap)), t(2));
    assert_eq!(b.presenter.current().unwrap().call.ticket, "B001");
    assert!(!b.presenter.current().unwrap().fresh);
    assert!(b.advance(t(30)).is_none());
}

#[test]
fn old_calls_after_an_outage_go_to_history_silently() {
    let mut b = started();
    b.apply(&heartbeat(10, 0, None), t(0));
    // Cut off for 30 minutes; the resume replays the calls made meanwhile, all at once.
    let now = 1800;
    let mut seq = 10;
    for (i, secs) in [60, 600, 1600, 1750, 1790].iter().enumerate() {
        seq += 1;
        b.apply(&called(seq, *secs, &format!("A{i:03}"), "1"), t(now));
    }
    assert_eq!(b.data.recent_calls.len(), 5, "every call is in the history");
    let queued: Vec<_> = b.presenter.pending().map(|c| c.ticket.clone()).collect();
    assert_eq!(
        queued,
        ["A003", "A004"],
        "only calls of the last two minutes are news"
    );
    let mut sounded = Vec::new();
    for s in now..now + 60 {
        sounded.extend(b.advance(t(s)).map(|c| c.ticket));
    }
    assert_eq!(sounded, ["A003", "A004"]);
    let history: Vec<_> = b.history().map(|c| c.ticket.clone()).collect();
    assert_eq!(history, ["A003", "A002", "A001", "A000"]);
}

#[test]
fn the_cutoff_is_measured_on_the_servers_clock() {
    // The display's clock is an hour behind the server's: what counts is the server's.
    let mut b = started();
    b.apply(&heartbeat(10, 3600, None), t(0));
    b.apply(&called(11, 3590, "A001", "1"), t(1));
    b.apply(&called(12, 3000, "A002", "1"), t(1));
    let queued: Vec<_> = b.presenter.pending().map(|c| c.ticket.clone()).collect();
    assert_eq!(queued, ["A001"]);
}

#[test]
fn queued_calls_that_became_history_meanwhile_are_dropped() {
    let mut b = started();
    b.apply(&heartbeat(10, 0, None), t(0));
    for i in 0..3u64 {
        b.apply(&called(11 + i, 0, &format!("A00{i}"), "1"), t(0));
    }
    assert_eq!(b.advance(t(0)).unwrap().ticket, "A000");
    // A001 is served before its turn: calling it now would send its owner back to the counter.
    b.apply(&env(14, 1, Event::TicketServed(at("A001", "a", "1"))), t(1));
    assert_eq!(b.advance(t(6)).unwrap().ticket, "A002");
    // A call that waits in the queue past the cutoff is history too, never chimed late.
    let mut b = started();
    b.apply(&heartbeat(10, 0, None), t(0));
    for i in 0..40u64 {
        b.apply(&called(11 + i, 0, &format!("B{i:03}"), "1"), t(0));
    }
    let mut sounded = 0;
    for s in 0..600 {
        if let Some(c) = b.advance(t(s)) {
            assert!(
                s - c.time.as_second() + t(0).as_second() <= 120,
                "{} at {s}",
                c.ticket
            );
            sounded += 1;
        }
    }
    assert_eq!(
        sounded, 21,
        "one every 6 s for the two minutes, the rest is history"
    );
    assert_eq!(b.presenter.pending().len(), 0);
}

#[test]
fn a_stalled_shell_catches_up_one_call_per_minimum_time() {
    let mut b = started();
    b.apply(&heartbeat(10, 0, None), t(0));
    for i in 0..5u64 {
        b.apply(&called(11 + i, 0, &format!("A00{i}"), "1"), t(0));
    }
    let mono = |s: i64| Mono::of_wall(t(0)).saturating_add(SignedDuration::from_secs(s));
    assert!(b.advance_at(t(0), mono(0)).is_some());
    // The UI thread stalls for 100 s, during which the wall clock is also set back an hour.
    let wall = t(100) - SignedDuration::from_hours(1);
    assert!(b.advance_at(wall, mono(100)).is_some(), "one call starts");
    assert!(b.advance_at(wall, mono(100)).is_none(), "not a burst");
    assert!(b.advance_at(wall, mono(105)).is_none());
    assert!(b.advance_at(wall, mono(106)).is_some());
}

#[test]
fn an_invalid_event_occupies_its_seq() {
    let mut b = started();
    let invalid = Event::Invalid(Invalid {
        kind: "ticket.called".into(),
        error: DecodeError::Json("broken".into()),
        stream: None,
    });
    let before = b.data.clone();
    assert!(b.apply(&env(11, 1, invalid.clone()), t(1)).is_empty());
    assert_eq!(b.data.last_seq, Some(11));
    assert_eq!(b.invalid, 1);
    assert_eq!(b.data.recent_calls, before.recent_calls);
    // The next event follows it: no gap, no resync.
    assert!(matches!(
        &b.apply(&called(12, 2, "A001", "1"), t(2))[..],
        [Effect::Call(_)]
    ));
    // An unusable heartbeat takes no seq: it would have taken the next event's place.
    let bad_heartbeat = Event::Invalid(Invalid {
        kind: "heartbeat".into(),
        error: DecodeError::Json("broken".into()),
        stream: None,
    });
    assert!(b.apply(&env(13, 3, bad_heartbeat), t(3)).is_empty());
    assert_eq!(b.data.last_seq, Some(12));
    assert!(matches!(
        &b.apply(&called(13, 4, "A002", "1"), t(4))[..],
        [Effect::Call(_)]
    ));
}

#[test]
fn an_unusable_snapshot_keeps_the_state_but_takes_its_numbering() {
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.new_stream();
    let poison = Event::Invalid(Invalid {
        kind: "snapshot".into(),
        error: DecodeError::Json("broken".into()),
        stream: Some("s-2".into()),
    });
    assert!(b.apply(&env(500, 1, poison.clone()), t(1)).is_empty());
    assert_eq!(
        b.data.recent_calls.len(),
        1,
        "better an old board than an empty one"
    );
    assert_eq!(b.data.last_seq, Some(500));
    assert_eq!(b.resume_point(), (Some(500), Some("s-2")));
    assert!(matches!(
        &b.apply(&called(501, 2, "A002", "1"), t(2))[..],
        [Effect::Call(_)]
    ));
    assert!(b.apply(&heartbeat(501, 3, Some("s-2")), t(3)).is_empty());
    // An empty board has nothing to keep: it still needs a usable snapshot.
    let mut b = Board::default();
    b.apply(&env(500, 1, poison), t(1));
    assert!(!b.is_synced());
    assert_eq!(b.resume_point(), (None, None));
}

#[test]
fn a_heartbeat_of_another_stream_asks_for_a_snapshot() {
    let mut b = Board::default();
    let mut snap = snapshot();
    snap.stream = Some("s-1".into());
    b.apply(&env(10, 0, Event::Snapshot(snap.clone())), t(0));
    assert_eq!(b.resume_point(), (Some(10), Some("s-1")));
    assert!(b.apply(&heartbeat(10, 1, Some("s-1")), t(1)).is_empty());
    // An old server's heartbeat names no stream: nothing to compare.
    assert!(b.apply(&heartbeat(10, 1, None), t(1)).is_empty());
    let e = b.apply(&heartbeat(10, 2, Some("s-2")), t(2));
    assert!(matches!(
        &e[..],
        [Effect::ResyncNeeded {
            why: Resync::OtherStream,
            ..
        }]
    ));
    assert_eq!(b.resume_point(), (None, None));
    assert!(
        !b.data.recent_calls.is_empty() || b.data.office.is_some(),
        "still shown"
    );
    // A snapshot of another stream replaces the state whatever its seq.
    let mut b = Board::default();
    b.apply(&env(10, 0, Event::Snapshot(snap.clone())), t(0));
    snap.stream = Some("s-2".into());
    snap.office.name = "Nowy strumień".into();
    b.apply(&env(3, 1, Event::Snapshot(snap)), t(1));
    assert_eq!(b.data.last_seq, Some(3));
    assert_eq!(b.data.office.as_ref().unwrap().name, "Nowy strumień");
}

#[test]
fn a_seq_going_backwards_on_a_connection_asks_for_a_snapshot() {
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.apply(&called(12, 1, "A002", "1"), t(1));
    // The server renumbered behind a proxy that kept the connection: 3 is not a duplicate.
    let e = b.apply(&called(3, 2, "A003", "1"), t(2));
    assert!(matches!(
        &e[..],
        [Effect::ResyncNeeded {
            why: Resync::Backwards,
            ..
        }]
    ));
    assert_eq!(b.resume_point(), (None, None));
    // So is a heartbeat below the last seq applied.
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    let e = b.apply(&heartbeat(4, 1, None), t(1));
    assert!(matches!(
        &e[..],
        [Effect::ResyncNeeded {
            why: Resync::Backwards,
            ..
        }]
    ));
    // But a server that repeats events at the start of a resumed connection only sends
    // duplicates.
    let mut b = started();
    b.apply(&called(11, 0, "A001", "1"), t(0));
    b.apply(&called(12, 1, "A002", "1"), t(1));
    b.new_stream();
    assert!(b.apply(&called(11, 0, "A001", "1"), t(2)).is_empty());
    assert!(b.apply(&called(12, 1, "A002", "1"), t(2)).is_empty());
    assert!(b.is_synced());
    assert!(matches!(
        &b.apply(&called(13, 2, "A003", "1"), t(2))[..],
        [Effect::Call(_)]
    ));
}

/// What happens to the presenter in one step of the property below.
#[derive(Debug, Clone)]
enum Step {
    /// Calls arrive whose `time` lies this many seconds before the server's now.
    Arrive(Vec<u32>),
    Heartbeat,
    /// The shell ticks this many milliseconds later.
    Tick(u32),
    /// The UI thread stalls for ten minutes.
    Stall,
    /// The display's wall clock is set by this many seconds (±1 h).
    WallJump(i32),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => prop::collection::vec(prop_oneof![3 => 0u32..30, 1 => 0u32..600], 1..6).prop_map(Step::Arrive),
        1 => Just(Step::Heartbeat),
        6 => (0u32..3000).prop_map(Step::Tick),
        1 => Just(Step::Stall),
        1 => prop::sample::select(vec![-3600, 3600]).prop_map(Step::WallJump),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random arrivals, wall-clock jumps of an hour and ten-minute stalls: every presented call
    /// gets at least the minimum display time on the monotonic clock, at most one starts per
    /// tick, and no call older than the cutoff (by the server's clock) is ever chimed.
    #[test]
    fn the_presenter_survives_clock_jumps_and_stalls(steps in prop::collection::vec(arb_step(), 1..200)) {
        let server0 = t(0);
        let mut mono = Mono::of_wall(t(0));
        let origin = mono;
        let mut wall_skew = SignedDuration::ZERO;
        // The server's clock runs with the monotonic one; the display's wall clock may not.
        let server_now = |mono: Mono| server0 + mono.since(origin);
        let mut b = Board::default();
        b.apply_at(&Envelope::new(1, server0, Event::Snapshot(snapshot())), server0, mono);
        let mut seq = 1;
        let mut last_start: Option<Mono> = None;
        let mut n = 0;
        for step in steps {
            let wall = server_now(mono) + wall_skew;
            match step {
                Step::Arrive(ages) => {
                    for age in ages {
                        seq += 1;
                        n += 1;
                        let time = server_now(mono) - SignedDuration::from_secs(i64::from(age));
                        let e = Envelope::new(seq, time, Event::TicketCalled(at(&format!("A{n}"), "a", "1")));
                        b.apply_at(&e, wall, mono);
                    }
                }
                Step::Heartbeat => {
                    let e = Envelope::new(seq, server_now(mono), Event::Heartbeat(Heartbeat::default()));
                    b.apply_at(&e, wall, mono);
                }
                Step::Tick(_) | Step::Stall => {
                    let dt = match step {
                        Step::Tick(ms) => SignedDuration::from_millis(i64::from(ms)),
                        _ => SignedDuration::from_mins(10),
                    };
                    mono = mono.saturating_add(dt);
                    let wall = server_now(mono) + wall_skew;
                    let before = b.presenter.pending().len();
                    if let Some(call) = b.advance_at(wall, mono) {
                        prop_assert!(before >= 1);
                        if let Some(prev) = last_start {
                            prop_assert!(mono.since(prev) >= b.config.min_display,
                                "a call started {} after the previous one", mono.since(prev));
                        }
                        let age = server_now(mono).duration_since(call.time);
                        prop_assert!(age <= b.config.stale_after, "{} chimed {age} old", call.ticket);
                        prop_assert_eq!(&b.presenter.current().unwrap().call, &call);
                        last_start = Some(mono);
                    }
                    // At most one per tick: an immediate second tick starts nothing.
                    prop_assert!(b.advance_at(wall, mono).is_none());
                }
                Step::WallJump(secs) => wall_skew += SignedDuration::from_secs(i64::from(secs)),
            }
        }
    }
}

/// A counter display presents (flashes and sounds) only the calls to its own counter; the
/// others still update the state it shows (who each counter serves, the recent calls).
#[test]
fn a_counter_display_presents_only_its_own_counter() {
    let mut b = Board::new(BoardConfig {
        only_counter: Some("2".into()),
        ..BoardConfig::default()
    });
    b.apply(&env(10, 0, Event::Snapshot(snapshot())), t(0));
    b.apply(&called(11, 0, "A100", "1"), t(0));
    b.apply(&called(12, 0, "A101", "2"), t(0));
    b.apply(&called(13, 1, "A102", "1"), t(1));
    let mut shown = Vec::new();
    for s in 0..30 {
        if let Some(call) = b.advance(t(s)) {
            shown.push(call.ticket);
        }
    }
    assert_eq!(shown, ["A101"], "only the call to counter 2, at once");
    assert_eq!(b.data.recent_calls.len(), 3, "every call is still history");
    let main = {
        let mut m = started();
        m.apply(&called(11, 0, "A100", "1"), t(0));
        m.apply(&called(12, 0, "A101", "2"), t(0));
        let mut n = 0;
        for s in 0..30 {
            n += usize::from(m.advance(t(s)).is_some());
        }
        n
    };
    assert_eq!(main, 2, "the main board presents both");
}

/// A call that names no counter (a bridge over a status page) is news on the main board, with
/// its effect, and leaves every counter as it was; a counter display cannot tell it is its own,
/// so it only keeps it as history.
#[test]
fn a_call_without_a_counter_is_presented_on_the_board_only() {
    let nowhere = |seq, secs, ticket: &str| {
        let mut e = at(ticket, "a", "1");
        e.counter = None;
        env(seq, secs, Event::TicketCalled(e))
    };
    let mut m = started();
    let effects = m.apply(&nowhere(11, 0, "A100"), t(0));
    assert!(
        matches!(&effects[..], [Effect::Call(c)] if c.counter.is_none()),
        "{effects:?}"
    );
    let call = m.advance(t(0)).expect("the call's turn");
    assert_eq!(
        (call.ticket.as_str(), call.counter.as_deref()),
        ("A100", None)
    );
    assert_eq!(m.data.call_counter_label(&call), None);
    assert!(
        m.data.counters.iter().all(|c| c.serving.is_none()),
        "no counter serves it"
    );
    // Served and no-show without a counter free nothing and break nothing.
    let mut served = at("A100", "a", "1");
    served.counter = None;
    m.apply(&env(12, 1, Event::TicketServed(served)), t(1));
    assert_eq!(m.data.recent_calls[0].ticket, "A100");

    for own in ["1", "2"] {
        let mut d = Board::new(BoardConfig {
            only_counter: Some(own.into()),
            ..BoardConfig::default()
        });
        d.apply(&env(10, 0, Event::Snapshot(snapshot())), t(0));
        d.apply(&nowhere(11, 0, "A100"), t(0));
        assert!((0..30).all(|s| d.advance(t(s)).is_none()), "counter {own}");
        assert_eq!(d.data.recent_calls.len(), 1, "still history");
    }
}
