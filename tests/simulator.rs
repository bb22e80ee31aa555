//! The simulator end to end: the office engine on its own, and the websocket server on loopback
//! (127.0.0.1:0) with real tokio-tungstenite clients.

use futures_util::{SinkExt, StreamExt};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use tablica::board::{Board, BoardData, Effect};
use tablica::protocol::{Envelope, Event, Heartbeat, Hello, decode_event, decode_hello};
use tablica::sim::{Engine, OfficeConfig, Script, SimConfig, SimHandle, SimulateArgs, Simulator};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Monday 30 November 2026, a working day.
fn monday(h: i8, m: i8) -> jiff::civil::DateTime {
    jiff::civil::date(2026, 11, 30).at(h, m, 0, 0)
}

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

async fn office(
    seed: u64,
    start: (i8, i8),
    speed: f64,
    tweak: impl FnOnce(&mut SimConfig),
) -> SimHandle {
    let mut config = SimConfig::office(OfficeConfig::new(seed, monday(start.0, start.1)));
    config.speed = speed;
    tweak(&mut config);
    Simulator::start(config).await.expect("simulator starts")
}

async fn connect(addr: SocketAddr, token: Option<&str>) -> Result<Client, tungstenite::Error> {
    let mut request = format!("ws://{addr}/").into_client_request()?;
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

async fn hello(addr: SocketAddr, resume_from: Option<u64>, stream: Option<&str>) -> Client {
    let mut ws = connect(addr, None).await.expect("connects");
    send_hello(&mut ws, resume_from, stream).await;
    ws
}

async fn send_hello(ws: &mut Client, resume_from: Option<u64>, stream: Option<&str>) {
    let hello = Hello::new("test-display", resume_from, None).in_stream(stream.map(str::to_owned));
    ws.send(Message::text(hello.to_json()))
        .await
        .expect("hello sent");
}

/// The next frame, decoded; heartbeats included.
async fn frame(ws: &mut Client) -> Envelope {
    loop {
        let msg = timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("connection open")
            .expect("frame received");
        if let Message::Text(text) = msg {
            return decode_event(text.as_str()).unwrap_or_else(|e| panic!("{e}: {text}"));
        }
    }
}

/// The next frame that is not a heartbeat.
async fn event(ws: &mut Client) -> Envelope {
    loop {
        let e = frame(ws).await;
        if !matches!(e.event, Event::Heartbeat(_)) {
            return e;
        }
    }
}

fn is_snapshot(e: &Envelope) -> bool {
    matches!(e.event, Event::Snapshot(_))
}

#[tokio::test]
async fn hello_gets_a_snapshot_then_consecutive_events_with_polish_names() {
    let sim = office(1, (10, 30), 600.0, |_| {}).await;
    let mut ws = hello(sim.addr().unwrap(), None, None).await;
    let first = frame(&mut ws).await;
    let Event::Snapshot(snapshot) = &first.event else {
        panic!("expected a snapshot first, got {}", first.event.type_name());
    };
    let names: Vec<&str> = snapshot.services.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"Dowody osobiste"), "{names:?}");
    assert!(names.contains(&"Rejestracja pojazdów"), "{names:?}");
    assert!(
        names.contains(&"Kancelaria — pisma do wszystkich wydziałów"),
        "{names:?}"
    );
    let mut last = first.seq;
    for _ in 0..40 {
        let e = frame(&mut ws).await;
        match e.event {
            Event::Heartbeat(_) => assert_eq!(e.seq, last, "a heartbeat carries the current seq"),
            _ => {
                assert_eq!(e.seq, last + 1, "seq grows by exactly one");
                last = e.seq;
            }
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn two_clients_get_the_same_stream() {
    let sim = office(2, (9, 55), 4000.0, |_| {}).await;
    let addr = sim.addr().unwrap();
    let stream = sim.stream();
    let stream = stream.as_deref();
    let (mut a, mut b) = (
        hello(addr, Some(0), stream).await,
        hello(addr, Some(0), stream).await,
    );
    for seq in 1..=150 {
        let (x, y) = (event(&mut a).await, event(&mut b).await);
        assert_eq!(x.seq, seq);
        assert_eq!(x, y);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn resume_from_a_recent_seq_continues_without_a_snapshot() {
    let sim = office(3, (10, 0), 1200.0, |c| {
        c.heartbeat = Duration::from_millis(200)
    })
    .await;
    sim.wait_for_seq(60).await;
    let stream = sim.stream();
    assert!(stream.is_some(), "every run has a stream");
    let mut ws = hello(sim.addr().unwrap(), Some(40), stream.as_deref()).await;
    for seq in 41..=70 {
        let e = event(&mut ws).await;
        assert!(!is_snapshot(&e));
        assert_eq!(e.seq, seq);
    }
    // The same numbers from another stream (or from a display that names none) are not resumed
    // from: they may belong to another numbering of the office.
    for other in [Some("a-previous-run"), None] {
        let mut ws = hello(sim.addr().unwrap(), Some(40), other).await;
        let e = event(&mut ws).await;
        let Event::Snapshot(s) = &e.event else {
            panic!(
                "{other:?}: expected a snapshot, got {}",
                e.event.type_name()
            );
        };
        assert_eq!(s.stream, stream);
    }
    // Heartbeats name the stream too (they come when nothing else does).
    sim.pause();
    let e = loop {
        let e = frame(&mut ws).await;
        if matches!(e.event, Event::Heartbeat(_)) {
            break e;
        }
    };
    assert_eq!(e.event, Event::Heartbeat(Heartbeat { stream }));
    sim.shutdown().await;
}

#[tokio::test]
async fn resume_from_an_ancient_or_unknown_seq_gets_a_snapshot() {
    let sim = office(4, (11, 0), 1200.0, |c| c.history = 20).await;
    sim.wait_for_seq(100).await;
    let stream = sim.stream();
    for resume_from in [Some(5), Some(1_000_000), None] {
        let mut ws = hello(sim.addr().unwrap(), resume_from, stream.as_deref()).await;
        let first = event(&mut ws).await;
        assert!(is_snapshot(&first), "resume_from {resume_from:?}");
        assert!(first.seq >= 100);
        let next = event(&mut ws).await;
        assert_eq!(next.seq, first.seq + 1);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused_with_401() {
    let sim = office(5, (10, 0), 60.0, |c| {
        c.token = Some("tajny-token-POM".into())
    })
    .await;
    let addr = sim.addr().unwrap();
    for token in [None, Some("zly-token")] {
        match connect(addr, token).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 401),
            Err(e) => panic!("expected HTTP 401 for {token:?}, got {e}"),
            Ok(_) => panic!("connected with token {token:?}"),
        }
    }
    let mut ws = connect(addr, Some("tajny-token-POM"))
        .await
        .expect("accepted");
    send_hello(&mut ws, None, None).await;
    assert!(is_snapshot(&event(&mut ws).await));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_bad_hello_closes_the_connection() {
    let sim = office(6, (10, 0), 60.0, |c| {
        c.hello_timeout = Duration::from_millis(300)
    })
    .await;
    let addr = sim.addr().unwrap();

    let mut silent = connect(addr, None).await.unwrap();
    let end = timeout(Duration::from_secs(3), async {
        loop {
            match silent.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "a display that never says hello is dropped");

    let mut rude = connect(addr, None).await.unwrap();
    rude.send(Message::text(r#"{"type":"hi","v":1,"display":"x"}"#))
        .await
        .unwrap();
    let msg = timeout(Duration::from_secs(3), rude.next()).await.unwrap();
    match msg {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(frame.code, CloseCode::Policy);
            assert!(frame.reason.as_str().contains("type"), "{}", frame.reason);
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
    sim.shutdown().await;
}

/// Reads until the client's board has applied `target`, applying everything to `board`.
async fn follow(ws: &mut Client, board: &mut Board, target: u64) {
    while board.data.last_seq != Some(target) {
        let e = frame(ws).await;
        let effects = board.apply(&e, e.time);
        assert!(
            !effects
                .iter()
                .any(|f| matches!(f, Effect::ResyncNeeded { .. })),
            "gap before seq {}",
            e.seq
        );
    }
}

#[tokio::test]
async fn script_replay_reaches_every_client() {
    let script = Script::load(&data("calls.jsonl")).expect("script parses");
    assert!(
        !script.renumbered(),
        "calls.jsonl is numbered consecutively"
    );
    let mut config = SimConfig::script(script);
    config.speed = 100.0;
    config.heartbeat = Duration::from_millis(200);
    let sim = Simulator::start(config).await.unwrap();
    let addr = sim.addr().unwrap();
    let (mut a, mut b) = (hello(addr, None, None).await, hello(addr, None, None).await);
    let last = sim.wait_finished().await;
    assert_eq!(last, 108);
    let expected = sim.board_data();
    for ws in [&mut a, &mut b] {
        let mut board = Board::default();
        follow(ws, &mut board, last).await;
        assert_eq!(board.data, expected);
        let calls: Vec<(&str, bool)> = board
            .data
            .recent_calls
            .iter()
            .map(|c| (c.ticket.as_str(), c.recall))
            .collect();
        assert_eq!(
            &calls[..4],
            &[
                ("A022", true),
                ("C012", false),
                ("R003", false),
                ("A022", false)
            ]
        );
        // After the script, heartbeats keep the link alive and carry the last seq.
        let hb = frame(ws).await;
        assert!(matches!(hb.event, Event::Heartbeat(_)));
        assert_eq!(hb.seq, last);
    }
    // A display connecting after the end gets the final state.
    let mut late = hello(addr, None, None).await;
    let first = event(&mut late).await;
    assert_eq!(first.seq, last);
    assert!(is_snapshot(&first));
    sim.shutdown().await;
}

#[test]
fn scripts_with_every_event_type_parse_and_bad_lines_are_named() {
    let script = Script::load(&data("day-sample.jsonl")).expect("day-sample parses");
    let types: HashSet<&str> = script
        .events()
        .iter()
        .map(|e| e.event.type_name())
        .collect();
    for t in [
        "snapshot",
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.transferred",
        "ticket.served",
        "ticket.no_show",
        "ticket.cancelled",
        "counter.opened",
        "counter.closed",
        "service.wait",
        "announcement.set",
        "announcement.cleared",
        "day.reset",
    ] {
        assert!(types.contains(t), "day-sample.jsonl lacks {t}");
    }

    let bad = "# komentarz\n\n{\"v\":1,\"seq\":1,\"time\":\"2026-11-30T10:00:00+01:00\",\"type\":\"ticket.called\",\"data\":{\"ticket\":\"A001\",\"counter\":\"st1\"}}\n";
    let err = Script::parse(bad, "zly.jsonl").unwrap_err().to_string();
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("data.service"), "{err}");

    // Numbers that do not form a stream are replaced by the server's own.
    let line = |seq: u64, ticket: &str| {
        format!(
            r#"{{"v":1,"seq":{seq},"time":"2026-11-30T10:00:00+01:00","type":"ticket.cancelled","data":{{"ticket":"{ticket}","service":"dowody"}}}}"#
        )
    };
    let gappy = [line(5, "A001"), line(9, "A002"), line(9, "A003")].join("\n");
    let script = Script::parse(&gappy, "gappy").unwrap();
    assert!(script.renumbered());
    let seqs: Vec<u64> = Engine::script(script).map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
}

#[test]
fn the_same_seed_gives_the_same_events() {
    let run = |seed| -> Vec<Envelope> {
        Engine::office(&OfficeConfig::new(seed, monday(9, 58)))
            .take(500)
            .collect()
    };
    let (a, b) = (run(42), run(42));
    assert_eq!(a.len(), 500);
    assert_eq!(a, b);
    assert_ne!(a, run(43), "another seed, another day");
}

#[tokio::test]
async fn a_display_fed_the_stream_ends_equal_to_the_simulator() {
    let sim = office(7, (10, 0), 6000.0, |_| {}).await;
    let mut ws = hello(sim.addr().unwrap(), None, None).await;
    let mut board = Board::default();
    sim.wait_for_seq(300).await;
    sim.pause();
    let target = sim.last_seq();
    follow(&mut ws, &mut board, target).await;
    assert_eq!(board.data, sim.board_data());
    assert_eq!(board.to_snapshot(), sim.board_snapshot());
    sim.shutdown().await;
}

/// What a reconnecting display saw.
struct Seen {
    board: BoardData,
    /// Seq of the snapshot it started from, and of every snapshot after it.
    snapshots: Vec<u64>,
    /// (seq, ticket) of every call it chimed for.
    calls: Vec<(u64, String)>,
}

/// A display that reconnects with `resume_from` whenever the link drops, as the real one does,
/// until it has applied the seq sent on `target`.
async fn resilient_display(
    addr: SocketAddr,
    mut target: tokio::sync::watch::Receiver<Option<u64>>,
) -> Seen {
    let mut board = Board::default();
    let mut seen = Seen {
        board: BoardData::default(),
        snapshots: Vec::new(),
        calls: Vec::new(),
    };
    loop {
        let Ok(Ok(mut ws)) = timeout(Duration::from_secs(1), connect(addr, None)).await else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let (resume_from, stream) = board.resume_point();
        send_hello(&mut ws, resume_from, stream).await;
        loop {
            if let Some(t) = *target.borrow()
                && board.data.last_seq >= Some(t)
            {
                seen.board = board.data;
                return seen;
            }
            let msg = tokio::select! {
                m = ws.next() => m,
                _ = target.changed() => continue,
            };
            let Some(Ok(msg)) = msg else { break };
            let Message::Text(text) = msg else { continue };
            let e = decode_event(text.as_str()).expect("valid frame");
            if is_snapshot(&e) {
                seen.snapshots.push(e.seq);
            }
            for effect in board.apply(&e, e.time) {
                match effect {
                    Effect::Call(c) => seen.calls.push((e.seq, c.ticket)),
                    Effect::ResyncNeeded { last, got, why } => {
                        panic!("{why:?}: {last:?} then {got}")
                    }
                    Effect::Recall(_) => {}
                }
            }
        }
    }
}

#[tokio::test]
async fn killing_the_listener_twenty_times_loses_and_repeats_nothing() {
    let sim = office(8, (9, 55), 2400.0, |c| {
        c.heartbeat = Duration::from_millis(100)
    })
    .await;
    let addr = sim.addr().unwrap();
    let (target_tx, target) = tokio::sync::watch::channel(None);
    let display = tokio::spawn(resilient_display(addr, target));
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        sim.stop_listener().await;
        assert_eq!(sim.addr(), None);
        tokio::time::sleep(Duration::from_millis(15)).await;
        sim.start_listener(addr)
            .await
            .expect("the port is free again");
    }
    sim.pause();
    let last = sim.last_seq();
    assert!(
        last > 100,
        "the office went on while the listener restarted ({last} events)"
    );
    target_tx.send_replace(Some(last));
    let seen = timeout(Duration::from_secs(5), display)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.board, sim.board_data());
    assert_eq!(
        seen.snapshots.len(),
        1,
        "every reconnect resumed: {:?}",
        seen.snapshots
    );
    let expected: Vec<(u64, String)> = sim
        .recent_events()
        .iter()
        .map(|t| decode_event(t).unwrap())
        .filter(|e| e.seq > seen.snapshots[0])
        .filter_map(|e| match e.event {
            Event::TicketCalled(c) => Some((e.seq, c.ticket)),
            _ => None,
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(seen.calls, expected, "every call shown exactly once");
    sim.shutdown().await;
}

#[test]
fn a_whole_simulated_day_is_valid_and_plausible() {
    let mut engine = Engine::office(&OfficeConfig::new(2026, monday(9, 58)));
    let mut issued: HashSet<String> = HashSet::new();
    let mut types: HashMap<String, usize> = HashMap::new();
    let mut last = engine.last_seq();
    let mut days = 0;
    // Services whose tickets stopped today, and how many stopped before the dispenser's end.
    let mut stopped: HashSet<String> = HashSet::new();
    let mut stopped_early = 0;
    let mut booked_calls = 0;
    while days < 2 {
        let e = engine.advance().expect("the office never ends");
        assert_eq!(e.seq, last + 1);
        last = e.seq;
        let json = e.to_json();
        let back = decode_event(&json).unwrap_or_else(|err| panic!("{err}: {json}"));
        assert_eq!(back, e, "round trip");
        *types.entry(e.event.type_name().to_owned()).or_default() += 1;
        let local = tablica::protocol::time::in_warsaw(e.time);
        match &e.event {
            Event::DayReset(_) => {
                days += 1;
                assert_eq!((local.hour(), local.minute()), (9, 55));
                let board = engine.board_data();
                assert!(
                    board.counters.iter().all(|c| !c.open),
                    "all closed overnight"
                );
                issued.clear();
                stopped.clear();
                assert!(
                    board.services.iter().all(|s| s.accepting),
                    "a new day issues"
                );
            }
            Event::TicketIssued(t) => {
                assert!(t.waiting <= 60, "{} waiting for {}", t.waiting, t.service);
                assert!(t.ticket.len() <= 8);
                assert_eq!(t.reservation, t.ticket.starts_with('R'));
                assert!(
                    (10..18).contains(&local.hour()),
                    "tickets only in opening hours"
                );
                assert!(issued.insert(t.ticket.clone()), "{} issued twice", t.ticket);
                assert!(
                    t.reservation || !stopped.contains(&t.service),
                    "{} issued for {} after its tickets stopped",
                    t.ticket,
                    t.service
                );
            }
            Event::TicketCalled(t) | Event::TicketRecalled(t) => {
                assert_eq!(t.reservation, t.ticket.starts_with('R'), "{t:?}");
                booked_calls += usize::from(t.reservation);
                assert!(
                    issued.contains(&t.ticket),
                    "{} called but never issued",
                    t.ticket
                );
            }
            Event::ServiceWait(w) => {
                if w.accepting {
                    assert!(
                        !stopped.contains(&w.service),
                        "stopped stays stopped: {w:?}"
                    );
                } else if stopped.insert(w.service.clone())
                    && (local.hour(), local.minute()) < (17, 45)
                {
                    stopped_early += 1;
                    // Stopped because the queue reaches closing time.
                    let est = w.est_wait_s.expect("an estimate that reaches closing time");
                    let closes = local.date().at(18, 0, 0, 0);
                    let served_by = local
                        .datetime()
                        .saturating_add(jiff::SignedDuration::from_secs(est.into()));
                    assert!(served_by >= closes, "{w:?} at {local}");
                }
                let shown = engine.board_data().service(&w.service).unwrap().accepting;
                assert_eq!(shown, w.accepting, "the simulator's snapshot says the same");
                assert_eq!(w.est_wait_s.is_none(), w.open_counters == 0, "{w:?}");
                assert!(w.est_wait_s.unwrap_or(0) <= 4 * 3600, "{w:?}");
            }
            _ => {}
        }
        for s in &engine.board_data().services {
            assert!(s.waiting <= 60, "{} waiting for {}", s.waiting, s.id);
        }
        if matches!(e.event, Event::CounterClosed(_)) && local.hour() >= 18 {
            let board = engine.board_data();
            if board.counters.iter().all(|c| !c.open) {
                assert!(
                    board.services.iter().all(|s| s.waiting == 0),
                    "nobody left waiting"
                );
            }
        }
    }
    for t in [
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.transferred",
        "ticket.served",
        "ticket.no_show",
        "ticket.cancelled",
        "counter.opened",
        "counter.closed",
        "service.wait",
        "announcement.set",
        "announcement.cleared",
        "day.reset",
    ] {
        assert!(
            types.get(t).copied().unwrap_or(0) > 0,
            "no {t} in a day: {types:?}"
        );
    }
    assert!(
        stopped_early > 0,
        "no service stopped its tickets before 17:45"
    );
    assert!(booked_calls > 0, "no booked visit called");
    let issued_per_day = types["ticket.issued"] / 2;
    assert!(
        (150..600).contains(&issued_per_day),
        "{issued_per_day} tickets a day"
    );
}

/// Every ```json block of docs/PROTOCOL.md decodes: the hello with `decode_hello`, the rest with
/// `decode_event`.
#[test]
fn protocol_doc_examples_decode() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/PROTOCOL.md"))
            .expect("docs/PROTOCOL.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```json") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(blocks.len() >= 16, "only {} json examples", blocks.len());
    let mut types = HashSet::new();
    for block in &blocks {
        let value: serde_json::Value =
            serde_json::from_str(block).unwrap_or_else(|e| panic!("{e}: {block}"));
        if value["type"] == "hello" {
            decode_hello(block).unwrap_or_else(|e| panic!("{e}: {block}"));
            types.insert("hello".to_owned());
        } else {
            let e = decode_event(block).unwrap_or_else(|e| panic!("{e}: {block}"));
            assert!(
                !matches!(e.event, Event::Unknown(_) | Event::Invalid(_)),
                "{block}"
            );
            types.insert(e.event.type_name().to_owned());
        }
    }
    assert_eq!(types.len(), 16, "one example per message type: {types:?}");
}

fn args(script: Option<&str>, listen: SocketAddr) -> SimulateArgs {
    SimulateArgs {
        listen,
        seed: Some(1),
        speed: 60.0,
        script: script.map(Into::into),
        token_file: None,
        heartbeat_s: 5,
        start: jiff::civil::time(10, 0, 0, 0),
        date: None,
        history: 100,
    }
}

#[test]
fn the_command_fails_cleanly_on_an_unreadable_script_or_a_busy_port() {
    let free: SocketAddr = "127.0.0.1:0".parse().unwrap();
    assert_eq!(
        tablica::sim::run_cli(args(Some("/nonexistent/skrypt.jsonl"), free)),
        ExitCode::FAILURE
    );
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = busy.local_addr().unwrap();
    assert_eq!(tablica::sim::run_cli(args(None, taken)), ExitCode::FAILURE);
}

/// A counter display (`only_counter`) fed the simulated office's stream for two hours presents
/// exactly the calls and recalls to its own counter, in order, and ends with that counter's
/// state equal to the simulator's. It is replayed on the events' own clock, as a display that
/// kept up would have seen them.
#[tokio::test]
async fn a_counter_display_follows_exactly_its_own_counter_for_two_hours() {
    counter_display_for_two_hours(None).await;
}

/// The same with the `services` hint a counter display's installation may send (the services of
/// its desk): the server still sends every event (PROTOCOL.md §2), and the display follows its
/// counter as exactly.
#[tokio::test]
async fn a_counter_display_with_a_services_hint_follows_its_counter_as_well() {
    counter_display_for_two_hours(Some(vec!["dowody".into(), "meldunki".into()])).await;
}

async fn counter_display_for_two_hours(services: Option<Vec<String>>) {
    use tablica::board::{BoardConfig, Mono};
    let sim = office(11, (10, 0), 6000.0, |_| {}).await;
    let mut ws = connect(sim.addr().unwrap(), None).await.expect("connects");
    let hello = Hello::new("stanowisko-2", None, services);
    ws.send(Message::text(hello.to_json()))
        .await
        .expect("hello sent");
    let mut board = Board::new(BoardConfig {
        only_counter: Some("st2".into()),
        ..BoardConfig::default()
    });
    let mut main_board = Board::default();
    let end = monday(12, 0).in_tz("Europe/Warsaw").unwrap().timestamp();
    let (mut presented, mut expected, mut elsewhere) = (Vec::new(), Vec::new(), 0);
    loop {
        let e = frame(&mut ws).await;
        if matches!(e.event, Event::Heartbeat(_)) {
            continue;
        }
        let mono = Mono::of_wall(e.time);
        while let Some(call) = board.advance_at(e.time, mono) {
            presented.push((call.ticket, call.recall));
        }
        while main_board.advance_at(e.time, mono).is_some() {}
        match &e.event {
            Event::TicketCalled(c) | Event::TicketRecalled(c)
                if c.counter.as_deref() == Some("st2") =>
            {
                expected.push((
                    c.ticket.clone(),
                    matches!(e.event, Event::TicketRecalled(_)),
                ));
            }
            Event::TicketCalled(_) | Event::TicketRecalled(_) => elsewhere += 1,
            _ => {}
        }
        board.apply_at(&e, e.time, mono);
        main_board.apply_at(&e, e.time, mono);
        if e.time >= end {
            break;
        }
    }
    // Whatever is still queued gets its turn.
    let later = end + jiff::SignedDuration::from_mins(10);
    while let Some(call) = board.advance_at(later, Mono::of_wall(later)) {
        presented.push((call.ticket, call.recall));
    }
    assert!(expected.len() >= 8, "two hours at counter 2: {expected:?}");
    assert!(elsewhere >= 10, "calls to the other counters: {elsewhere}");
    assert_eq!(
        presented, expected,
        "the calls to counter 2, and only those"
    );
    assert_eq!(board.data.counter("st2"), main_board.data.counter("st2"));
    assert_eq!(
        board.data, main_board.data,
        "the state is the whole office's"
    );
    sim.shutdown().await;
}
