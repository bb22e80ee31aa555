use super::*;

fn frame(kind: &str, data: &str) -> String {
    format!(r#"{{"v":1,"seq":7,"type":"{kind}","time":"2026-11-30T11:02:13+01:00","data":{data}}}"#)
}

fn field_of(err: DecodeError) -> String {
    match err {
        DecodeError::Field { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// The field named by a frame whose envelope is fine but whose data cannot be used: it decodes
/// to an invalid event that keeps its seq.
fn invalid_field(text: &str) -> String {
    let env = decode_event(text).unwrap_or_else(|e| panic!("{text}: rejected whole: {e}"));
    assert_eq!(env.seq, 7, "an invalid event keeps its seq");
    match env.event {
        Event::Invalid(i) => field_of(i.error),
        other => panic!("{text}: expected an invalid event, got {other:?}"),
    }
}

#[test]
fn decodes_a_call() {
    let env = decode_event(&frame(
        "ticket.called",
        r#"{"ticket":"A017","service":"dowody","counter":"3"}"#,
    ))
    .unwrap();
    assert_eq!(env.seq, 7);
    assert_eq!(env.time.to_string(), "2026-11-30T10:02:13Z");
    assert_eq!(
        env.event,
        Event::TicketCalled(TicketAtCounter {
            ticket: "A017".into(),
            service: "dowody".into(),
            counter: Some("3".into()),
            reservation: false,
        })
    );
}

#[test]
fn round_trips_every_event_type() {
    let t: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
    let at = TicketAtCounter {
        ticket: "B004".into(),
        service: "meldunki".into(),
        counter: Some("2".into()),
        reservation: false,
    };
    let events = vec![
        Event::Snapshot(Snapshot {
            office: Office {
                id: "pom-millenium".into(),
                name: "POM Millenium Hall".into(),
            },
            services: vec![ServiceInfo {
                id: "meldunki".into(),
                name: "Meldunki i PESEL".into(),
                prefix: "B".into(),
                waiting: 4,
                est_wait_s: None,
                open_counters: 1,
                accepting: true,
                names: Default::default(),
            }],
            counters: vec![CounterInfo {
                id: "2".into(),
                label: "2".into(),
                open: true,
                services: vec!["meldunki".into()],
                serving: Some(Serving {
                    ticket: "B003".into(),
                    service: "meldunki".into(),
                }),
            }],
            recent_calls: vec![CallInfo {
                ticket: "B003".into(),
                service: "meldunki".into(),
                counter: Some("2".into()),
                time: t,
                recall: false,
                reservation: false,
            }],
            announcements: vec![Announcement {
                id: "a1".into(),
                text: "Zażółć gęślą jaźń".into(),
            }],
            stream: Some("2026-11-30T06:00:00Z#1".into()),
        }),
        Event::TicketIssued(TicketIssued {
            ticket: "R012".into(),
            service: "meldunki".into(),
            reservation: true,
            waiting: 5,
        }),
        Event::TicketCalled(at.clone()),
        Event::TicketRecalled(at.clone()),
        Event::TicketServed(at.clone()),
        Event::TicketNoShow(at),
        Event::TicketTransferred(TicketTransferred {
            ticket: "B004".into(),
            from_service: "meldunki".into(),
            to_service: "dowody".into(),
        }),
        Event::TicketCancelled(TicketCancelled {
            ticket: "B009".into(),
            service: "meldunki".into(),
        }),
        Event::CounterOpened(CounterOpened {
            counter: "5".into(),
            label: "5".into(),
            services: vec!["dowody".into()],
        }),
        Event::CounterClosed(CounterClosed {
            counter: "5".into(),
        }),
        Event::ServiceWait(ServiceWait {
            service: "meldunki".into(),
            waiting: 3,
            est_wait_s: Some(900),
            open_counters: 2,
            accepting: true,
        }),
        Event::AnnouncementSet(Announcement {
            id: "a2".into(),
            text: "Przerwa techniczna".into(),
        }),
        Event::AnnouncementCleared(AnnouncementCleared { id: "a2".into() }),
        Event::DayReset(Empty {}),
        Event::Heartbeat(Heartbeat::default()),
        Event::Heartbeat(Heartbeat {
            stream: Some("s-1".into()),
        }),
    ];
    for (i, event) in events.into_iter().enumerate() {
        let env = Envelope::new(i as u64 + 1, t, event);
        let json = env.to_json();
        assert!(
            json.contains("\"time\":\"2026-11-30T11:00:00+01:00\""),
            "{json}"
        );
        assert_eq!(decode_event(&json).unwrap(), env, "{json}");
    }
}

#[test]
fn unknown_types_and_fields_are_tolerated() {
    let env = decode_event(&frame("ticket.teleported", r#"{"whatever":[1,2]}"#)).unwrap();
    assert_eq!(env.event, Event::Unknown("ticket.teleported".into()));
    let env = decode_event(&frame(
        "ticket.called",
        r#"{"ticket":"A1","service":"s","counter":"1","colour":"red","extra":{"x":null}}"#,
    ))
    .unwrap();
    assert!(matches!(env.event, Event::TicketCalled(_)));
    let with_extra_top =
        r#"{"v":1,"seq":1,"type":"heartbeat","time":"2026-11-30T11:02:13Z","server":"x"}"#;
    assert!(decode_event(with_extra_top).is_ok());
}

#[test]
fn rejects_invalid_json() {
    for bad in ["", "{", "not json", "[1,2", "{\"v\":1}}", "\u{0}"] {
        assert!(
            matches!(decode_event(bad), Err(DecodeError::Json(_))),
            "{bad:?} gave {:?}",
            decode_event(bad)
        );
    }
    // Valid JSON that is not an object names no field but is still rejected cleanly.
    assert!(decode_event("[1,2,3]").is_err());
    assert!(decode_event("null").is_err());
}

#[test]
fn rejects_oversized_frames() {
    let text = format!(
        r#"{{"v":1,"seq":1,"type":"x","time":"2026-11-30T11:02:13Z","pad":"{}"}}"#,
        "a".repeat(MAX_FRAME_BYTES)
    );
    assert!(matches!(
        decode_event(&text),
        Err(DecodeError::TooLarge { .. })
    ));
}

#[test]
fn names_the_field_with_a_wrong_type() {
    let field = invalid_field(&frame(
        "service.wait",
        r#"{"service":"a","waiting":"many","est_wait_s":null,"open_counters":1}"#,
    ));
    assert_eq!(field, "data.waiting");
    let err = decode_event(r#"{"v":1,"seq":"7","type":"heartbeat","time":"2026-11-30T11:02:13Z"}"#)
        .unwrap_err();
    assert_eq!(field_of(err), "seq");
    let field = invalid_field(&frame("ticket.called", r#"{"ticket":"A1","counter":"1"}"#));
    assert_eq!(field, "data.service");
    let field = invalid_field(&frame(
        "snapshot",
        r#"{"office":{"id":"o","name":"n"},"services":[{"id":"a","name":"A","prefix":"A","waiting":-1,"est_wait_s":null,"open_counters":0}],"counters":[],"recent_calls":[],"announcements":[]}"#,
    ));
    assert_eq!(field, "data.services[0].waiting");
}

#[test]
fn a_bad_envelope_is_rejected_but_bad_data_keeps_its_seq() {
    // Without a usable v, seq or type, the frame has no place in the stream: rejected.
    let no_seq = r#"{"v":1,"type":"heartbeat","time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(field_of(decode_event(no_seq).unwrap_err()), "seq");
    let v2 = r#"{"v":2,"seq":1,"type":"heartbeat","time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(decode_event(v2).unwrap_err(), DecodeError::Version(2));
    let huge_seq =
        r#"{"v":1,"seq":9007199254740992,"type":"heartbeat","time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(field_of(decode_event(huge_seq).unwrap_err()), "seq");
    let no_type = r#"{"v":1,"seq":1,"time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(field_of(decode_event(no_type).unwrap_err()), "type");
    // With them, a bad time or bad data costs only the data: the seq stays taken.
    let no_time = r#"{"v":1,"seq":7,"type":"ticket.called","data":{}}"#;
    assert_eq!(invalid_field(no_time), "time");
    let naive = r#"{"v":1,"seq":7,"type":"heartbeat","time":"2026-11-30T11:02:13"}"#;
    assert_eq!(invalid_field(naive), "time");
    let no_data = r#"{"v":1,"seq":7,"type":"ticket.called","time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(invalid_field(no_data), "data");
    // Old servers send heartbeats with empty or no data.
    let bare = r#"{"v":1,"seq":7,"type":"heartbeat","time":"2026-11-30T11:02:13Z"}"#;
    assert_eq!(
        decode_event(bare).unwrap().event,
        Event::Heartbeat(Heartbeat::default())
    );
}

#[test]
fn identifiers_and_tickets_stay_strict() {
    let cases = [
        (
            frame(
                "ticket.called",
                r#"{"ticket":"A123456789","service":"s","counter":"1"}"#,
            ),
            "data.ticket",
        ),
        (
            frame(
                "ticket.called",
                r#"{"ticket":"A1\u0007","service":"s","counter":"1"}"#,
            ),
            "data.ticket",
        ),
        (
            frame(
                "ticket.called",
                r#"{"ticket":"  ","service":"s","counter":"1"}"#,
            ),
            "data.ticket",
        ),
        (
            frame(
                "counter.opened",
                &format!(
                    r#"{{"counter":"{}","label":"1","services":[]}}"#,
                    "c".repeat(33)
                ),
            ),
            "data.counter",
        ),
        (
            frame(
                "heartbeat",
                &format!(r#"{{"stream":"{}"}}"#, "s".repeat(65)),
            ),
            "data.stream",
        ),
    ];
    for (text, field) in cases {
        assert_eq!(invalid_field(&text), field, "{text}");
    }
}

#[test]
fn display_strings_are_cleaned_and_numbers_clamped() {
    let env = decode_event(&frame(
        "announcement.set",
        r#"{"id":"a","text":"Dwie\nlinie\tz tabulatorem"}"#,
    ))
    .unwrap();
    assert_eq!(
        env.event,
        Event::AnnouncementSet(Announcement {
            id: "a".into(),
            text: "Dwie linie z tabulatorem".into()
        })
    );
    let env = decode_event(&frame(
        "announcement.set",
        &format!(r#"{{"id":"a","text":"{}"}}"#, "ś".repeat(500)),
    ))
    .unwrap();
    let Event::AnnouncementSet(a) = env.event else {
        panic!("{env:?}")
    };
    assert_eq!(a.text.chars().count(), MAX_TEXT_CHARS);
    assert!(a.text.ends_with('…'));
    let env = decode_event(&frame(
        "service.wait",
        r#"{"service":"a","waiting":100001,"est_wait_s":99999999,"open_counters":1000}"#,
    ))
    .unwrap();
    assert_eq!(
        env.event,
        Event::ServiceWait(ServiceWait {
            service: "a".into(),
            waiting: MAX_WAITING,
            est_wait_s: None,
            open_counters: MAX_COUNTERS as u32,
            accepting: true,
        })
    );
    let env = decode_event(&frame(
        "counter.opened",
        r#"{"counter":"st1","label":"\u0000","services":[]}"#,
    ))
    .unwrap();
    assert!(
        matches!(&env.event, Event::CounterOpened(c) if c.label == "st1"),
        "an unreadable label falls back to the id: {env:?}"
    );
}

#[test]
fn a_snapshot_with_a_two_line_announcement_is_accepted() {
    let calls: Vec<String> = (0..150)
        .map(|i| {
            format!(r#"{{"ticket":"A{i:03}","service":"a","counter":"1","time":"2026-11-30T11:00:00Z","recall":false}}"#)
        })
        .collect();
    let data = format!(
        r#"{{"office":{{"id":"o","name":"{}"}},"services":[],"counters":[{{"id":"1","label":"Stanowisko numer jeden","open":true,"services":[],"serving":null}}],"recent_calls":[{}],"announcements":[{{"id":"x","text":"Pierwsza linia\nDruga linia"}}],"stream":"abc"}}"#,
        "P".repeat(200),
        calls.join(",")
    );
    let env = decode_event(&frame("snapshot", &data)).unwrap();
    let Event::Snapshot(s) = env.event else {
        panic!("{env:?}")
    };
    assert_eq!(s.announcements[0].text, "Pierwsza linia Druga linia");
    assert_eq!(s.office.name.chars().count(), MAX_NAME_CHARS);
    assert_eq!(s.counters[0].label.chars().count(), MAX_LABEL_CHARS);
    assert_eq!(s.recent_calls.len(), MAX_RECENT_CALLS, "cut, newest kept");
    assert_eq!(s.recent_calls[0].ticket, "A000");
    assert_eq!(s.stream.as_deref(), Some("abc"));
}

#[test]
fn an_unusable_snapshot_still_names_its_stream() {
    let env = decode_event(&frame(
        "snapshot",
        r#"{"office":{"id":"o"},"stream":"s-2","services":[]}"#,
    ))
    .unwrap();
    let Event::Invalid(i) = env.event else {
        panic!("{env:?}")
    };
    assert_eq!(i.kind, "snapshot");
    assert_eq!(i.stream.as_deref(), Some("s-2"));
    assert_eq!(field_of(i.error), "data.office.name");
}

#[test]
fn accepts_polish_and_ukrainian_text_at_the_limit() {
    let text = "Ż".repeat(MAX_TEXT_CHARS);
    let env = decode_event(&frame(
        "announcement.set",
        &format!(r#"{{"id":"a","text":"{text}"}}"#),
    ))
    .unwrap();
    assert!(matches!(env.event, Event::AnnouncementSet(a) if a.text == text));
    let env = decode_event(&frame(
        "announcement.set",
        r#"{"id":"ua","text":"Шановні відвідувачі, зачекайте, будь ласка."}"#,
    ));
    assert!(env.is_ok());
}

#[test]
fn hello_round_trips_and_is_checked() {
    let hello = Hello::new("pom-1-hall", Some(42), Some(vec!["dowody".into()]));
    assert_eq!(decode_hello(&hello.to_json()).unwrap(), hello);
    let fresh = Hello::new("d", None, None);
    assert!(fresh.to_json().contains("\"resume_from\":null"));
    assert!(fresh.to_json().contains("\"stream\":null"));
    let streamed = Hello::new("d", Some(7), None).in_stream(Some("s-1".into()));
    assert_eq!(decode_hello(&streamed.to_json()).unwrap(), streamed);
    // A display older than streams sends none.
    let old =
        decode_hello(r#"{"type":"hello","v":1,"display":"d","resume_from":3,"services":null}"#)
            .unwrap();
    assert_eq!(old.stream, None);
    assert!(
        decode_hello(r#"{"type":"helo","v":1,"display":"d","resume_from":null,"services":null}"#)
            .is_err()
    );
    assert!(
        decode_hello(r#"{"type":"hello","v":1,"display":"","resume_from":null,"services":null}"#)
            .is_err()
    );
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC*") {
        let _ = decode_event(&s);
        let _ = decode_hello(&s);
    }

    #[test]
    fn never_panics_on_mutated_frames(
        kind in proptest::sample::select(vec![
            "snapshot", "ticket.issued", "ticket.called", "service.wait", "counter.opened",
            "announcement.set", "heartbeat", "day.reset",
        ]),
        data in "\\{(\"[a-z_]{1,12}\":(-?[0-9]{1,12}|\"[^\"\\\\]{0,20}\"|null|true|\\[\\]|\\{\\}),?){0,6}\\}",
    ) {
        let _ = decode_event(&frame(kind, &data));
    }
}

#[test]
fn old_messages_decode_with_the_defaults_of_the_additions() {
    let env = decode_event(&frame(
        "service.wait",
        r#"{"service":"dowody","waiting":3,"est_wait_s":null,"open_counters":1}"#,
    ))
    .unwrap();
    assert!(matches!(env.event, Event::ServiceWait(w) if w.accepting));
    let snap = r#"{"office":{"id":"o","name":"POM"},"counters":[],"announcements":[],
        "services":[{"id":"a","name":"Dowody","prefix":"A","waiting":1,"est_wait_s":null,"open_counters":1}],
        "recent_calls":[{"ticket":"A1","service":"a","counter":"1","time":"2026-11-30T11:00:00+01:00","recall":false}]}"#;
    let Event::Snapshot(s) = decode_event(&frame("snapshot", snap)).unwrap().event else {
        panic!("a snapshot");
    };
    assert!(s.services[0].accepting);
    assert!(s.services[0].names.is_empty());
    assert!(!s.recent_calls[0].reservation);
    // What this display sends on (the simulator, the board's own snapshot) stays what old
    // displays read: the defaults are not written.
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        !json.contains("accepting") && !json.contains("names") && !json.contains("reservation")
    );
}

#[test]
fn booked_visits_are_marked_in_calls_recalls_and_history() {
    for kind in ["ticket.called", "ticket.recalled"] {
        let env = decode_event(&frame(
            kind,
            r#"{"ticket":"R003","service":"dowody","counter":"3","reservation":true}"#,
        ))
        .unwrap();
        match env.event {
            Event::TicketCalled(e) | Event::TicketRecalled(e) => assert!(e.reservation, "{kind}"),
            other => panic!("{kind}: {other:?}"),
        }
    }
    let snap = r#"{"office":{"id":"o","name":"POM"},"services":[],"counters":[],"announcements":[],
        "recent_calls":[{"ticket":"R3","service":"a","counter":"1","time":"2026-11-30T11:00:00+01:00","recall":false,"reservation":true}]}"#;
    let Event::Snapshot(s) = decode_event(&frame("snapshot", snap)).unwrap().event else {
        panic!("a snapshot");
    };
    assert!(s.recent_calls[0].reservation);
    // A flag of the wrong type is a wrong type, as for every other field.
    let field = invalid_field(&frame(
        "ticket.called",
        r#"{"ticket":"R003","service":"dowody","counter":"3","reservation":"yes"}"#,
    ));
    assert_eq!(field, "data.reservation");
}

#[test]
fn a_service_may_stop_issuing_tickets() {
    let env = decode_event(&frame(
        "service.wait",
        r#"{"service":"dowody","waiting":12,"est_wait_s":5400,"open_counters":2,"accepting":false}"#,
    ))
    .unwrap();
    let Event::ServiceWait(w) = env.event else {
        panic!("a service.wait");
    };
    assert!(!w.accepting);
    assert_eq!(w.waiting, 12);
    let snap = r#"{"office":{"id":"o","name":"POM"},"counters":[],"announcements":[],"recent_calls":[],
        "services":[{"id":"a","name":"Dowody","prefix":"A","waiting":1,"est_wait_s":null,"open_counters":1,"accepting":false}]}"#;
    let Event::Snapshot(s) = decode_event(&frame("snapshot", snap)).unwrap().event else {
        panic!("a snapshot");
    };
    assert!(!s.services[0].accepting);
}

#[test]
fn translated_names_are_cleaned_and_bounded() {
    let long = "я".repeat(MAX_NAME_CHARS + 50);
    let mut names = vec![
        r#""uk":"Паспорти\nта ID-картки""#.to_owned(),
        r#""en":"Identity cards""#.to_owned(),
        r#""":"no language""#.to_owned(),
        r#""x y":"a space in the code""#.to_owned(),
        r#""de":"   ""#.to_owned(),
        r#""fr":42"#.to_owned(),
        format!(r#""be":"{long}""#),
    ];
    names.extend((0..20).map(|i| format!(r#""zz{i:02}":"Name {i}""#)));
    let snap = format!(
        r#"{{"office":{{"id":"o","name":"POM"}},"counters":[],"announcements":[],"recent_calls":[],
        "services":[{{"id":"a","name":"Dowody","prefix":"A","waiting":1,"est_wait_s":null,"open_counters":1,"names":{{{}}}}},
                    {{"id":"b","name":"Meldunki","prefix":"B","waiting":0,"est_wait_s":null,"open_counters":1,"names":["uk"]}}]}}"#,
        names.join(",")
    );
    let Event::Snapshot(s) = decode_event(&frame("snapshot", &snap)).unwrap().event else {
        panic!("a snapshot: one bad translation never costs the message");
    };
    let n = &s.services[0].names;
    assert_eq!(
        n["uk"], "Паспорти та ID-картки",
        "a line break becomes a space"
    );
    assert_eq!(n["en"], "Identity cards");
    assert_eq!(n["be"].chars().count(), MAX_NAME_CHARS);
    assert!(n["be"].ends_with('…'));
    for dropped in ["", "x y", "de", "fr"] {
        assert!(!n.contains_key(dropped), "{dropped:?} is dropped");
    }
    // Past the bound the first codes in order are kept.
    assert_eq!(n.len(), MAX_NAME_TRANSLATIONS, "bounded");
    assert!(n.contains_key("zz04") && !n.contains_key("zz05"));
    assert!(
        s.services[1].names.is_empty(),
        "names that are not an object are ignored"
    );
    assert_eq!(s.services[1].name, "Meldunki");
}

#[test]
fn a_call_may_name_no_counter() {
    for data in [
        r#"{"ticket":"A017","service":"dowody","counter":null}"#,
        r#"{"ticket":"A017","service":"dowody"}"#,
    ] {
        for kind in ["ticket.called", "ticket.recalled", "ticket.served"] {
            match decode_event(&frame(kind, data)).unwrap().event {
                Event::TicketCalled(e) | Event::TicketRecalled(e) | Event::TicketServed(e) => {
                    assert_eq!(e.counter, None, "{kind} {data}")
                }
                other => panic!("{kind} {data}: {other:?}"),
            }
        }
    }
    let snap = r#"{"office":{"id":"o","name":"POM"},"services":[],"counters":[],"announcements":[],
        "recent_calls":[{"ticket":"A3","service":"a","counter":null,"time":"2026-11-30T11:00:00+01:00","recall":false},
                        {"ticket":"A2","service":"a","time":"2026-11-30T10:59:00+01:00","recall":false}]}"#;
    let Event::Snapshot(s) = decode_event(&frame("snapshot", snap)).unwrap().event else {
        panic!("a snapshot");
    };
    assert!(s.recent_calls.iter().all(|c| c.counter.is_none()));
    // No counter is written as null, so that the field keeps its place in the message.
    let text = serde_json::to_string(&s.recent_calls[0]).unwrap();
    assert!(text.contains(r#""counter":null"#), "{text}");
    // A counter that is given is still checked like every identifier.
    for bad in [r#""""#, "3", "[]"] {
        let field = invalid_field(&frame(
            "ticket.called",
            &format!(r#"{{"ticket":"A017","service":"dowody","counter":{bad}}}"#),
        ));
        assert_eq!(field, "data.counter", "{bad}");
    }
}
