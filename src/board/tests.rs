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
    }
}

fn env(seq: u64, secs: i64, event: Event) -> Envelope {
    Envelope::new(seq, t(secs), event)
}

fn at(ticket: &str, service: &str, counter: &str) -> TicketAtCounter {
    TicketAtCounter {
        ticket: ticket.into(),
        service: service.into(),
        counter: counter.into(),
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
        counter: "1".into(),
        time: t(-30),
        recall: false,
    });
    let effects = b.apply(&env(11, 1, Event::Snapshot(snap)), t(1));
    assert!(effects.is_empty());
    assert_eq!(b.data.last_seq, Some(11));
    assert_eq!(b.data.recent_calls.len(), 1);
    // The newest call is on screen, but quietly: it does not flash or sound.
    let shown = b.presenter.current().unwrap();
    assert_eq!(shown.call.ticket, "A001");
    assert!(!shown.fresh);
    assert!(b.advance(t(2)).is_empty());
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
    assert!(b.apply(&called(5, 1, "A009", "1"), t(2)).is_empty());
    // An older snapshot within the same stream is stale, not news.
    assert!(
        b.apply(&env(3, 0, Event::Snapshot(snapshot())), t(2))
            .is_empty()
    );
    assert_eq!(b.data, before);
}

#[test]
fn a_gap_asks_for_resync_and_is_not_applied() {
    let mut b = started();
    let e = b.apply(&called(13, 1, "A001", "1"), t(1));
    assert_eq!(e, vec![Effect::ResyncNeeded { last: 10, got: 13 }]);
    assert!(b.data.recent_calls.is_empty());
    assert_eq!(b.data.last_seq, Some(10));
    // A heartbeat announcing a later seq also reveals missed events.
    let e = b.apply(&env(12, 2, Event::Heartbeat(Empty {})), t(2));
    assert_eq!(e, vec![Effect::ResyncNeeded { last: 10, got: 12 }]);
    assert!(
        b.apply(&env(10, 2, Event::Heartbeat(Empty {})), t(2))
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
    b.apply(&env(10, 0, Event::Heartbeat(Empty {})), t(30));
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
        for call in b.advance(t(s)) {
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
    let mut live = started();
    for e in &events {
        live.apply(e, e.time);
        live.advance(e.time);
    }
    live.advance(t(100));
    let mut replay = started();
    for e in &events {
        replay.apply(e, e.time);
    }
    replay.advance(t(100));
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
    let tac = (ticket.clone(), svc.clone(), ctr.clone()).prop_map(|(ticket, service, counter)| {
        TicketAtCounter {
            ticket,
            service,
            counter,
        }
    });
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
        1 => (svc, 0u32..30, proptest::option::of(0u32..5000), 0u32..4).prop_map(|(service, waiting, est_wait_s, open_counters)| {
            Event::ServiceWait(ServiceWait { service, waiting, est_wait_s, open_counters })
        }),
        1 => (prop::sample::select(vec!["n1", "n2"]), "[a-zżółć ]{1,20}").prop_map(|(id, text)| {
            Event::AnnouncementSet(Announcement { id: id.into(), text })
        }),
        1 => prop::sample::select(vec!["n1", "n2"]).prop_map(|id| Event::AnnouncementCleared(AnnouncementCleared { id: id.into() })),
        1 => Just(Event::Heartbeat(Empty {})),
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
        counter: "1".into(),
        time: t(3600),
        recall: false,
    });
    b.apply(&env(1, 3600, Event::Snapshot(snap)), t(0));
    b.apply(&called(2, 3601, "A002", "2"), t(1));
    let started = b.advance(t(1));
    assert_eq!(started.len(), 1);
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
            counter: "1".into(),
            time: t(secs),
            recall: false,
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
    assert!(b.advance(t(91)).is_empty(), "and no sound");
}
