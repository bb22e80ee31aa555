//! What a simulated POM offers: its services, its counters and the notices its staff put up.
//!
//! The numbers are deliberately plain tables so that whoever tunes the simulation to a real point
//! can do so without reading the model.

/// One service with its queue parameters.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSpec {
    pub id: &'static str,
    pub name: &'static str,
    /// The name in Ukrainian and English, sent as the service's `names`.
    pub names: [(&'static str, &'static str); 2],
    pub prefix: &'static str,
    /// Mean time at the counter, in seconds.
    pub mean_s: u32,
    /// Relative share of walk-in residents who come for this service.
    pub weight: u32,
    /// The service a resident is most often sent on to when the counter cannot finish the matter.
    pub transfer_to: usize,
}

/// Index constants keep the counter table below readable.
const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
const D: usize = 3;
const E: usize = 4;
const F: usize = 5;
const G: usize = 6;

pub const SERVICES: [ServiceSpec; 7] = [
    ServiceSpec {
        id: "dowody",
        name: "Dowody osobiste",
        names: [("uk", "Посвідчення особи"), ("en", "ID cards")],
        prefix: "A",
        mean_s: 480,
        weight: 25,
        transfer_to: B,
    },
    ServiceSpec {
        id: "meldunki",
        name: "Meldunki i PESEL",
        names: [
            ("uk", "Реєстрація проживання і PESEL"),
            ("en", "Residence registration and PESEL"),
        ],
        prefix: "B",
        mean_s: 420,
        weight: 15,
        transfer_to: A,
    },
    ServiceSpec {
        id: "pojazdy",
        name: "Rejestracja pojazdów",
        names: [
            ("uk", "Реєстрація транспортних засобів"),
            ("en", "Vehicle registration"),
        ],
        prefix: "C",
        mean_s: 900,
        weight: 20,
        transfer_to: D,
    },
    ServiceSpec {
        id: "prawo-jazdy",
        name: "Prawo jazdy",
        names: [("uk", "Посвідчення водія"), ("en", "Driving licences")],
        prefix: "D",
        mean_s: 600,
        weight: 10,
        transfer_to: C,
    },
    ServiceSpec {
        id: "karta-mieszkanca",
        name: "Karta Mieszkańca",
        names: [("uk", "Картка мешканця"), ("en", "Resident Card")],
        prefix: "E",
        mean_s: 300,
        weight: 15,
        transfer_to: G,
    },
    ServiceSpec {
        id: "odpady",
        name: "Odpady komunalne",
        names: [("uk", "Побутові відходи"), ("en", "Municipal waste")],
        prefix: "F",
        mean_s: 360,
        weight: 8,
        transfer_to: G,
    },
    ServiceSpec {
        id: "kancelaria",
        name: "Kancelaria — pisma do wszystkich wydziałów",
        names: [
            ("uk", "Канцелярія — листи до всіх відділів"),
            ("en", "Office — letters to all departments"),
        ],
        prefix: "G",
        mean_s: 240,
        weight: 12,
        transfer_to: A,
    },
];

/// Prefix of tickets for visits booked online; their numbering is shared by all services.
pub const RESERVATION_PREFIX: &str = "R";

/// The point being simulated.
pub const OFFICE_ID: &str = "pom-millenium-hall";
pub const OFFICE_NAME: &str = "Punkt Obsługi Mieszkańców — Millenium Hall";

/// A counter's working day, in minutes after midnight; the model adds a few minutes of jitter.
#[derive(Debug, Clone, Copy)]
pub struct CounterSpec {
    pub id: &'static str,
    pub label: &'static str,
    pub services: &'static [usize],
    pub opens_min: u32,
    /// Start of the lunch break, if the counter takes one.
    pub break_min: Option<u32>,
    /// Chance that the counter is staffed at all on a given day (an afternoon reinforcement is
    /// not there every day).
    pub staffed: f64,
}

pub const COUNTERS: [CounterSpec; 7] = [
    CounterSpec {
        id: "st1",
        label: "1",
        services: &[A, B, G],
        opens_min: 10 * 60,
        break_min: Some(12 * 60),
        staffed: 1.0,
    },
    CounterSpec {
        id: "st2",
        label: "2",
        services: &[A, B, E],
        opens_min: 10 * 60,
        break_min: Some(12 * 60 + 30),
        staffed: 1.0,
    },
    CounterSpec {
        id: "st3",
        label: "3",
        services: &[C, D],
        opens_min: 10 * 60,
        break_min: Some(13 * 60),
        staffed: 1.0,
    },
    CounterSpec {
        id: "st4",
        label: "4",
        services: &[C, D, F],
        // A late start: the clerk comes in after a morning meeting.
        opens_min: 10 * 60 + 20,
        break_min: Some(13 * 60 + 30),
        staffed: 1.0,
    },
    CounterSpec {
        id: "st5",
        label: "5",
        services: &[E, F, G],
        opens_min: 10 * 60,
        break_min: Some(14 * 60),
        staffed: 1.0,
    },
    CounterSpec {
        id: "st6",
        label: "6",
        services: &[A, B, E, G],
        opens_min: 11 * 60,
        break_min: None,
        staffed: 1.0,
    },
    CounterSpec {
        id: "st7",
        label: "7",
        services: &[A, C, G],
        // Reinforcement for the after-work rush.
        opens_min: 15 * 60,
        break_min: None,
        staffed: 0.6,
    },
];

/// Walk-in arrivals per hour, indexed by the hour of the day (10:00 … 17:00).
pub fn arrivals_per_hour(hour: i8) -> f64 {
    match hour {
        10 => 26.0,
        11 => 36.0,
        12 => 48.0,
        13 => 44.0,
        14 => 34.0,
        15 => 50.0,
        16 => 48.0,
        17 => 30.0,
        _ => 0.0,
    }
}

/// The highest of [`arrivals_per_hour`], for thinning.
pub const MAX_ARRIVALS_PER_HOUR: f64 = 50.0;

/// Opening hours, in minutes after midnight.
pub const OPENS_MIN: u32 = 10 * 60;
pub const CLOSES_MIN: u32 = 18 * 60;
/// The ticket dispenser stops a quarter of an hour before closing, so that those already waiting
/// can still be served.
pub const DISPENSER_STOPS_MIN: u32 = 17 * 60 + 45;
/// When the staff switch the system on and the new day begins (`day.reset` from the second day).
pub const DAY_BEGINS_MIN: u32 = 9 * 60 + 55;

pub const ANN_DOCUMENTS_ID: &str = "dokumenty";
pub const ANN_DOCUMENTS: &str = "Przygotuj dowód osobisty przed podejściem do stanowiska.";
pub const ANN_PAYMENTS_ID: &str = "platnosci";
pub const ANN_PAYMENTS: &str =
    "Płatność kartą chwilowo niedostępna — prosimy o płatność BLIK-iem lub gotówką.";
pub const ANN_SATURDAY_ID: &str = "sobota";
pub const ANN_CLOSING_ID: &str = "koniec-biletow";
pub const ANN_CLOSING_SOON: &str = "Wydawanie biletów kończy się o 17:45.";

/// Polish month names in the genitive, as in "5 grudnia".
pub use crate::scene::polish::MONTHS_GENITIVE;
