//! Named moments of a board, built from protocol events, for previews, golden images and tests.
//!
//! Each scenario is a stream of wire events applied to a fresh board plus the moment to show, so
//! the pictures exercise the same reducer as a live display.

use crate::board::{Board, Mono};
use crate::layout::{Lang, Language, LanguageMode, Layout};
use crate::protocol::*;
use crate::scene::{Link, Status};
use jiff::{SignedDuration, Timestamp};

/// A board at a moment, ready to be turned into a scene.
pub struct Scenario {
    pub name: &'static str,
    pub board: Board,
    pub status: Status,
    pub now: Timestamp,
    /// The languages the scenario is about, put into whatever layout draws it (see
    /// [`Scenario::layout`]); `None` keeps the layout's own.
    pub language: Option<Language>,
}

impl Scenario {
    /// `base` as this scenario is drawn with: the same layout, in the scenario's languages
    /// when the layout is Polish only (a layout with languages of its own is previewed in them).
    pub fn layout(&self, base: &Layout) -> Layout {
        let mut layout = base.clone();
        if let Some(language) = &self.language
            && base.language.shown().len() == 1
        {
            layout.language = language.clone();
        }
        layout
    }
}

/// Monday 30 November 2026 at the given Warsaw time.
fn at(hh: i64, mm: i64, ss: i64) -> Timestamp {
    // 2026-11-30T00:00:00+01:00
    let midnight = Timestamp::from_second(1_795_993_200).expect("valid date");
    midnight + SignedDuration::from_secs(hh * 3600 + mm * 60 + ss)
}

fn svc(id: &str, name: &str, prefix: &str, waiting: u32, est: Option<u32>) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: name.into(),
        prefix: prefix.into(),
        waiting,
        est_wait_s: est,
        open_counters: 1,
        accepting: true,
        names: Default::default(),
    }
}

fn counter(id: &str, open: bool, services: &[&str]) -> CounterInfo {
    CounterInfo {
        id: id.into(),
        label: id.into(),
        open,
        services: services.iter().map(|s| s.to_string()).collect(),
        serving: None,
    }
}

fn call(ticket: &str, service: &str, counter: &str, time: Timestamp, recall: bool) -> CallInfo {
    CallInfo {
        ticket: ticket.into(),
        service: service.into(),
        counter: Some(counter.into()),
        time,
        recall,
        reservation: false,
    }
}

/// The seven services of a Rzeszów POM.
pub fn standard_services() -> Vec<ServiceInfo> {
    vec![
        svc("dowody", "Dowody osobiste", "A", 4, Some(14 * 60)),
        svc("meldunki", "Meldunki i PESEL", "B", 2, None),
        svc("pojazdy", "Rejestracja pojazdów", "C", 7, Some(42 * 60)),
        svc("prawo-jazdy", "Prawo jazdy", "D", 1, Some(5 * 60)),
        svc("karta", "Karta Mieszkańca", "E", 0, None),
        svc("odpady", "Odpady komunalne", "F", 3, None),
        svc(
            "kancelaria",
            "Kancelaria — pisma do wszystkich wydziałów",
            "G",
            22,
            Some(70 * 60),
        ),
    ]
}

fn standard_counters() -> Vec<CounterInfo> {
    vec![
        counter("1", true, &["dowody", "meldunki"]),
        counter("2", true, &["dowody", "karta"]),
        counter("3", true, &["pojazdy", "prawo-jazdy"]),
        counter("4", true, &["pojazdy"]),
        counter("5", true, &["odpady", "kancelaria", "karta"]),
        counter("6", false, &["kancelaria"]),
    ]
}

fn office() -> Office {
    Office {
        id: "pom-millenium".into(),
        name: "POM Millenium Hall, al. Kopisto 1".into(),
    }
}

fn history(now: Timestamp) -> Vec<CallInfo> {
    let ago = |m: i64| now - SignedDuration::from_mins(m);
    vec![
        call("C031", "pojazdy", "3", ago(2), false),
        call("A016", "dowody", "1", ago(4), false),
        call("B007", "meldunki", "2", ago(6), true),
        call("F012", "odpady", "5", ago(9), false),
        call("A015", "dowody", "2", ago(11), false),
        call("D004", "prawo-jazdy", "3", ago(13), false),
        call("G052", "kancelaria", "5", ago(15), false),
    ]
}

fn snapshot(
    services: Vec<ServiceInfo>,
    counters: Vec<CounterInfo>,
    calls: Vec<CallInfo>,
) -> Snapshot {
    Snapshot {
        office: office(),
        services,
        counters,
        recent_calls: calls,
        announcements: vec![Announcement {
            id: "dowod".into(),
            text: "Przygotuj dowód osobisty przed podejściem do stanowiska.".into(),
        }],
        stream: None,
    }
}

/// A board fed wire events by hand, the way the live feed feeds one, numbering them as it goes.
struct ScenarioFeed {
    board: Board,
    seq: u64,
}

impl ScenarioFeed {
    fn new(snapshot: Snapshot, time: Timestamp) -> Self {
        let mut board = Board::default();
        board.apply(&Envelope::new(1, time, Event::Snapshot(snapshot)), time);
        ScenarioFeed { board, seq: 1 }
    }

    fn send(&mut self, time: Timestamp, event: Event) {
        self.seq += 1;
        self.board
            .apply(&Envelope::new(self.seq, time, event), time);
        self.board.catch_up(time, Mono::of_wall(time));
    }

    fn call(&mut self, time: Timestamp, ticket: &str, service: &str, counter: &str) {
        self.send(
            time,
            Event::TicketCalled(TicketAtCounter {
                ticket: ticket.into(),
                service: service.into(),
                counter: Some(counter.into()),
                reservation: false,
            }),
        );
    }
}

/// What a scenario builds: the board, the status beside it and the moment to show.
type Moment = (Board, Status, Timestamp);

/// Builds one scenario from the status every scenario starts with.
type Make = fn(Status) -> Moment;

/// Every scenario with the function that builds it, in the order a contact sheet shows them. The
/// one list: [`NAMES`] and [`build`] are derived from it.
const SCENARIOS: [(&str, Make); 11] = [
    ("quiet", quiet),
    ("busy", busy),
    ("burst", burst),
    ("recall", recall),
    ("booked", booked),
    ("no-counter", no_counter),
    ("offline", offline),
    ("closed", closed),
    ("long-names", long_names),
    ("connecting", connecting),
    ("ukrainian", ukrainian),
];

/// The languages of a scenario that is about them.
fn language_of(name: &str) -> Option<Language> {
    (name == "ukrainian").then(|| Language {
        languages: vec![Lang::Pl, Lang::Uk],
        mode: LanguageMode::Subtitle,
        ..Language::default()
    })
}

const NAME_LIST: [&str; SCENARIOS.len()] = {
    let mut names = [""; SCENARIOS.len()];
    let mut i = 0;
    while i < SCENARIOS.len() {
        names[i] = SCENARIOS[i].0;
        i += 1;
    }
    names
};

/// Every scenario's name, in the order a contact sheet shows them.
pub const NAMES: &[&str] = &NAME_LIST;

/// Builds a named scenario; `None` for an unknown name.
pub fn build(name: &str) -> Option<Scenario> {
    let &(name, make) = SCENARIOS.iter().find(|(n, _)| *n == name)?;
    let status = Status {
        link: Link::Replay,
        ..Status::default()
    };
    let (mut board, status, now) = make(status);
    board.catch_up(now, Mono::of_wall(now));
    Some(Scenario {
        name,
        board,
        status,
        now,
        language: language_of(name),
    })
}

fn quiet(status: Status) -> Moment {
    let t0 = at(11, 20, 0);
    let mut services = standard_services();
    for s in &mut services {
        s.waiting = s.waiting.min(2);
        s.est_wait_s = s.est_wait_s.map(|e| e.min(600));
    }
    let feed = ScenarioFeed::new(snapshot(services, standard_counters(), history(t0)), t0);
    (feed.board, status, t0 + SignedDuration::from_secs(20))
}

fn busy(status: Status) -> Moment {
    let t0 = at(12, 5, 0);
    let mut services = standard_services();
    let extra = [
        ("zgony", "Rejestracja zgonów", "H", 3),
        ("dzialalnosc", "Działalność gospodarcza (CEIDG)", "J", 9),
        ("podatki", "Podatki i opłaty lokalne", "K", 5),
        ("parkowanie", "Strefa płatnego parkowania", "L", 12),
        (
            "ukraina",
            "Sprawy obywateli Ukrainy / Громадяни України",
            "U",
            14,
        ),
    ];
    for (id, name, prefix, waiting) in extra {
        services.push(svc(id, name, prefix, waiting, None));
    }
    let mut counters = standard_counters();
    counters.push(counter("7", true, &["zgony", "dzialalnosc", "podatki"]));
    counters.push(counter("8", true, &["parkowanie", "ukraina"]));
    let mut feed = ScenarioFeed::new(snapshot(services, counters, history(t0)), t0);
    feed.call(t0 + SignedDuration::from_secs(5), "A017", "dowody", "1");
    (feed.board, status, t0 + SignedDuration::from_secs(30))
}

/// An office behind `tablica bridge`, whose status page says which number is called but not to
/// which desk: the calls name no counter, the board invites the number ("Zapraszamy") and lists
/// the earlier ones alone, and each service's open desks are the page's own count.
fn no_counter(status: Status) -> Moment {
    let t0 = at(11, 20, 0);
    let calls = history(t0)
        .into_iter()
        .map(|c| CallInfo { counter: None, ..c })
        .collect();
    let mut feed = ScenarioFeed::new(snapshot(standard_services(), vec![], calls), t0);
    feed.send(
        t0,
        Event::TicketCalled(TicketAtCounter {
            ticket: "A017".into(),
            service: "dowody".into(),
            counter: None,
            reservation: false,
        }),
    );
    // Past the blink: the card as it stays while the resident walks up.
    (feed.board, status, t0 + SignedDuration::from_secs(8))
}

fn burst(status: Status) -> Moment {
    let t0 = at(13, 40, 0);
    let mut feed = ScenarioFeed::new(
        snapshot(standard_services(), standard_counters(), history(t0)),
        t0,
    );
    let burst = [
        ("A018", "dowody", "1"),
        ("C032", "pojazdy", "4"),
        ("F013", "odpady", "5"),
        ("R004", "meldunki", "2"),
        ("D005", "prawo-jazdy", "3"),
    ];
    for (i, (ticket, service, counter)) in burst.iter().enumerate() {
        feed.call(
            t0 + SignedDuration::from_millis(200 * i as i64),
            ticket,
            service,
            counter,
        );
    }
    // Seven seconds in: the second call of the burst is on screen and blinking.
    (feed.board, status, t0 + SignedDuration::from_millis(6_100))
}

fn recall(status: Status) -> Moment {
    let t0 = at(14, 10, 0);
    let mut feed = ScenarioFeed::new(
        snapshot(standard_services(), standard_counters(), history(t0)),
        t0,
    );
    feed.send(
        t0,
        Event::TicketRecalled(TicketAtCounter {
            ticket: "B007".into(),
            service: "meldunki".into(),
            counter: Some("2".into()),
            reservation: false,
        }),
    );
    (feed.board, status, t0 + SignedDuration::from_millis(100))
}

/// Late afternoon in a mall: a visit booked online is called (an earlier one is in the list),
/// and two services have stopped issuing tickets because their queues already reach closing
/// time, their residents still waiting.
fn booked(status: Status) -> Moment {
    let t0 = at(16, 50, 0);
    let mut services = standard_services();
    for s in &mut services {
        if s.id == "pojazdy" || s.id == "kancelaria" {
            s.accepting = false;
        }
    }
    let mut calls = history(t0);
    calls[1] = CallInfo {
        reservation: true,
        ..call("R011", "dowody", "1", calls[1].time, false)
    };
    let mut feed = ScenarioFeed::new(snapshot(services, standard_counters(), calls), t0);
    feed.send(
        t0,
        Event::TicketCalled(TicketAtCounter {
            ticket: "R012".into(),
            service: "pojazdy".into(),
            counter: Some("4".into()),
            reservation: true,
        }),
    );
    // Past the blink: the card as it stays while the resident walks up.
    (feed.board, status, t0 + SignedDuration::from_secs(8))
}

fn offline(status: Status) -> Moment {
    let t0 = at(12, 41, 0);
    let mut feed = ScenarioFeed::new(
        snapshot(standard_services(), standard_counters(), history(t0)),
        t0,
    );
    feed.call(t0, "A017", "dowody", "1");
    let status = Status {
        link: Link::Connecting,
        ..status
    };
    (feed.board, status, at(12, 47, 30))
}

fn closed(status: Status) -> Moment {
    let t0 = at(17, 55, 0);
    let feed = ScenarioFeed::new(
        snapshot(standard_services(), standard_counters(), history(t0)),
        t0,
    );
    (feed.board, status, at(19, 30, 0))
}

fn long_names(status: Status) -> Moment {
    let t0 = at(10, 45, 0);
    let mut services = standard_services();
    services[0].name = "Wydawanie i unieważnianie dowodów osobistych oraz zgłaszanie utraty lub uszkodzenia dokumentu".into();
    services[2].name =
        "Rejestracja, czasowa rejestracja i wyrejestrowanie pojazdów, tablice indywidualne".into();
    services[6].waiting = 1234;
    let mut snap = snapshot(services, standard_counters(), history(t0));
    snap.office.name =
        "Punkt Obsługi Mieszkańców w Galerii Handlowej Nowy Świat, ul. Krakowska 20, Rzeszów"
            .into();
    snap.announcements = vec![Announcement {
        id: "long".into(),
        text: "Szanowni Państwo, w związku z awarią systemu Centralnej Ewidencji Pojazdów rejestracja pojazdów może potrwać dłużej niż zwykle. Za utrudnienia przepraszamy. Osoby z rezerwacją internetową prosimy o zgłoszenie się do stanowiska nr 4 z potwierdzeniem rezerwacji.".into(),
    }];
    let mut feed = ScenarioFeed::new(snap, t0);
    feed.call(t0, "R-123456", "pojazdy", "4");
    (feed.board, status, t0 + SignedDuration::from_secs(10))
}

fn connecting(status: Status) -> Moment {
    let status = Status {
        link: Link::Connecting,
        ..status
    };
    (Board::default(), status, at(10, 0, 5))
}

/// The board in Polish with Ukrainian subtitles (for residents from Ukraine, many in the malls'
/// service points): the services with their names in Ukrainian and English as the queue system
/// sends them, a call on screen and a booked visit in the list.
fn ukrainian(status: Status) -> Moment {
    let t0 = at(12, 5, 0);
    let mut services = standard_services();
    let names = [
        ("dowody", "Посвідчення особи", "ID cards"),
        (
            "meldunki",
            "Реєстрація проживання і PESEL",
            "Residence registration and PESEL",
        ),
        (
            "pojazdy",
            "Реєстрація транспортних засобів",
            "Vehicle registration",
        ),
        ("prawo-jazdy", "Посвідчення водія", "Driving licences"),
        ("karta", "Картка мешканця", "Resident Card"),
        ("odpady", "Побутові відходи", "Municipal waste"),
    ];
    for s in &mut services {
        if let Some((_, uk, en)) = names.iter().find(|(id, ..)| *id == s.id) {
            s.names.insert("uk".into(), (*uk).into());
            s.names.insert("en".into(), (*en).into());
        }
    }
    // A service without translations keeps its Polish name alone.
    services[3].waiting = 0;
    services[4].accepting = false;
    let mut calls = history(t0);
    calls[1] = CallInfo {
        reservation: true,
        ..call("R011", "dowody", "1", calls[1].time, false)
    };
    let mut feed = ScenarioFeed::new(snapshot(services, standard_counters(), calls), t0);
    feed.call(t0, "A017", "dowody", "2");
    (feed.board, status, t0 + SignedDuration::from_secs(8))
}
