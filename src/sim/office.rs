//! The simulated office: a discrete-event model of days at a POM.
//!
//! Everything happens on a virtual clock kept in Unix seconds; nothing here reads the wall clock,
//! so a seed and a start time determine every event. The model keeps an agenda of things that will
//! happen (a resident arrives, a counter finishes a visit, a clerk goes to lunch) and, when asked
//! for the next event, works through the agenda until something visible to the display happens.
//!
//! Days follow one another: at 18:00 the waiting tickets are cancelled, counters finish their
//! current visit and close, the day's notices are cleared, and the next opening day (Monday to
//! Saturday) begins at 09:55 with `day.reset`. The night in between is marked compressible so that
//! the server does not make anyone wait sixteen real hours for the next morning.

use super::catalog::{self, COUNTERS, CounterSpec, SERVICES};
use super::random;
use crate::board::Board;
use crate::protocol::{
    Announcement, AnnouncementCleared, CounterClosed, CounterInfo, CounterOpened, Empty, Envelope,
    Event, MAX_EST_WAIT_S, Office, ServiceInfo, ServiceWait, Snapshot, TicketAtCounter,
    TicketCancelled, TicketIssued, TicketTransferred, time::warsaw,
};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, VecDeque};

/// What determines a simulated run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeConfig {
    /// Seed of the random generator: the same seed and start give the same events.
    pub seed: u64,
    /// Warsaw date and time at which the simulated clock starts. Everything the office did that
    /// day before this time is generated at once (a display connecting sees it as the snapshot);
    /// a Sunday start moves to Monday, when the office is open.
    pub start: DateTime,
}

impl OfficeConfig {
    pub fn new(seed: u64, start: DateTime) -> Self {
        OfficeConfig { seed, start }
    }
}

/// One event the model produced, with its virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct Produced {
    pub at: Timestamp,
    pub event: Event,
    /// True for the first event after the night (or of the run): the quiet time before it may be
    /// skipped.
    pub after_night: bool,
}

/// Chances of the things that go differently from a plain visit.
const P_RECALL: f64 = 0.05;
const P_NO_SHOW_AFTER_RECALL: f64 = 0.45;
const P_NO_SHOW_WITHOUT_RECALL: f64 = 0.01;
const P_TRANSFER: f64 = 0.03;
const P_IMPATIENT: f64 = 0.08;
const P_RESERVATION_SLOT: f64 = 0.45;
const P_PAYMENT_OUTAGE: f64 = 0.4;

/// A ticket in the office: waiting in a queue or at a counter.
#[derive(Debug, Clone)]
struct Ticket {
    id: u64,
    label: String,
    service: usize,
    reservation: bool,
    /// Orders the queue: when the resident started waiting (a transferred ticket keeps its
    /// original time, so it is not sent to the back of the line).
    since: i64,
}

#[derive(Debug)]
struct Counter {
    spec: &'static CounterSpec,
    open: bool,
    /// Finish the current visit, then close.
    closing: bool,
    /// When closing for a break: when the counter opens again.
    back_at: Option<i64>,
    serving: Option<Ticket>,
    /// A `Call` is already on the agenda; a second would only find the counter busy.
    call_pending: bool,
}

#[derive(Debug, Clone)]
enum Action {
    DayBegin,
    Arrival,
    Reservation { service: usize },
    Open(usize),
    BreakStart(usize),
    Call(usize),
    Recall(usize),
    NoShow(usize),
    Finish(usize),
    GiveUp(u64),
    Announce { id: String, text: String },
    Clear(String),
    DispenserStop,
    DayClose,
}

/// The office model. See the module documentation.
pub struct OfficeModel {
    rng: ChaCha8Rng,
    day: Date,
    first_day: bool,
    /// Things that will happen, in time order; the second key keeps same-time actions in the
    /// order they were planned, which makes the run deterministic.
    agenda: BTreeMap<(i64, u64), Action>,
    planned: u64,
    now: i64,
    out: VecDeque<Produced>,
    queues: Vec<Vec<Ticket>>,
    counters: Vec<Counter>,
    numbers: Vec<u32>,
    reservations: u32,
    next_ticket_id: u64,
    dispensing: bool,
    /// Per service: whether walk-in tickets are still issued today. The dispenser stops a
    /// service as soon as its queue already reaches closing time, as real offices do, so that
    /// nobody takes a ticket that will not be served; booked visits still check in.
    accepting: Vec<bool>,
    day_closing: bool,
    after_night: bool,
    /// Notices put up today (cleared at closing).
    day_notices: Vec<String>,
    /// What the display shows, kept with the display's own reducer so that `service.wait` is
    /// sent exactly when the display's numbers differ from the office's.
    view: Board,
    view_seq: u64,
}

impl OfficeModel {
    pub fn new(config: &OfficeConfig) -> Self {
        let mut day = config.start.date();
        if day.weekday() == Weekday::Sunday {
            day = day.tomorrow().unwrap_or(day);
        }
        let start = DateTime::from_parts(day, config.start.time());
        let now = to_unix(start);
        let mut model = OfficeModel {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            day,
            first_day: true,
            agenda: BTreeMap::new(),
            planned: 0,
            now,
            out: VecDeque::new(),
            queues: vec![Vec::new(); SERVICES.len()],
            counters: COUNTERS
                .iter()
                .map(|spec| Counter {
                    spec,
                    open: false,
                    closing: false,
                    back_at: None,
                    serving: None,
                    call_pending: false,
                })
                .collect(),
            numbers: vec![0; SERVICES.len()],
            reservations: 0,
            next_ticket_id: 0,
            dispensing: false,
            accepting: vec![true; SERVICES.len()],
            day_closing: false,
            // Time before the office opens is as empty as a night, and as skippable.
            after_night: true,
            day_notices: Vec::new(),
            view: Board::default(),
            view_seq: 0,
        };
        let snapshot = Envelope::new(0, model.start_time(), Event::Snapshot(initial_snapshot()));
        model.view.apply(&snapshot, snapshot.time);
        let begins = model.at_min(catalog::DAY_BEGINS_MIN);
        model.plan(begins, Action::DayBegin);
        model
    }

    /// The virtual time at which the run starts (the time of the initial snapshot).
    pub fn start_time(&self) -> Timestamp {
        timestamp(self.now)
    }

    /// The next event, without taking it.
    pub fn peek(&mut self) -> Option<&Produced> {
        while self.out.is_empty() {
            let ((at, _), action) = self.agenda.pop_first()?;
            self.now = self.now.max(at);
            self.handle(action);
            self.sync_waits();
        }
        self.out.front()
    }

    /// Takes the next event.
    pub fn next_event(&mut self) -> Option<Produced> {
        self.peek()?;
        self.out.pop_front()
    }

    /// People waiting per service, in catalogue order (for tests and plausibility checks).
    pub fn waiting(&self) -> Vec<usize> {
        self.queues.iter().map(Vec::len).collect()
    }

    fn plan(&mut self, at: i64, action: Action) {
        self.planned += 1;
        self.agenda.insert((at, self.planned), action);
    }

    fn plan_in(&mut self, lo: i64, hi: i64, action: Action) {
        let at = self.now + random::between(&mut self.rng, lo, hi);
        self.plan(at, action);
    }

    /// Unix seconds of a Warsaw wall-clock minute of the current day.
    fn at_min(&self, minute: u32) -> i64 {
        let dt = self.day.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        to_unix(dt)
    }

    fn emit(&mut self, event: Event) {
        let at = timestamp(self.now);
        self.view_seq += 1;
        self.view
            .apply(&Envelope::new(self.view_seq, at, event.clone()), at);
        // The model has no screen: calls need not wait for their turn on it.
        self.view.presenter.clear();
        let after_night = std::mem::take(&mut self.after_night);
        self.out.push_back(Produced {
            at,
            event,
            after_night,
        });
    }

    fn handle(&mut self, action: Action) {
        match action {
            Action::DayBegin => self.begin_day(),
            Action::Arrival => self.arrival(),
            Action::Reservation { service } => {
                if self.dispensing {
                    self.reservations += 1;
                    let label = format!("{}{:03}", catalog::RESERVATION_PREFIX, self.reservations);
                    self.issue(service, label, true);
                }
            }
            Action::Open(c) => self.open_counter(c),
            Action::BreakStart(c) => {
                let counter = &self.counters[c];
                if counter.open && !counter.closing && !self.day_closing {
                    let back = self.now + random::between(&mut self.rng, 25 * 60, 35 * 60);
                    let counter = &mut self.counters[c];
                    counter.closing = true;
                    counter.back_at = Some(back);
                    if counter.serving.is_none() && !counter.call_pending {
                        self.close_counter(c);
                    }
                }
            }
            Action::Call(c) => self.call(c),
            Action::Recall(c) => {
                let Some(t) = self.counters[c].serving.clone() else {
                    return;
                };
                self.emit(Event::TicketRecalled(self.at_counter(&t, c)));
                if random::chance(&mut self.rng, P_NO_SHOW_AFTER_RECALL) {
                    self.plan_in(60, 120, Action::NoShow(c));
                } else {
                    let s = random::service_time_s(&mut self.rng, SERVICES[t.service].mean_s);
                    self.plan(self.now + s, Action::Finish(c));
                }
            }
            Action::NoShow(c) => {
                if let Some(t) = self.counters[c].serving.take() {
                    self.emit(Event::TicketNoShow(self.at_counter(&t, c)));
                    self.schedule_call(c, 10, 30);
                }
            }
            Action::Finish(c) => self.finish(c),
            Action::GiveUp(id) => {
                for q in 0..self.queues.len() {
                    if let Some(i) = self.queues[q].iter().position(|t| t.id == id) {
                        let t = self.queues[q].remove(i);
                        self.emit(Event::TicketCancelled(TicketCancelled {
                            ticket: t.label,
                            service: SERVICES[t.service].id.into(),
                        }));
                        return;
                    }
                }
            }
            Action::Announce { id, text } => {
                if !self.day_notices.contains(&id) {
                    self.day_notices.push(id.clone());
                }
                self.emit(Event::AnnouncementSet(Announcement { id, text }));
            }
            Action::Clear(id) => self.clear_notice(&id),
            Action::DispenserStop => {
                self.dispensing = false;
                self.accepting.iter_mut().for_each(|a| *a = false);
                let next = if self.day.weekday() == Weekday::Saturday {
                    "w poniedziałek"
                } else {
                    "jutro"
                };
                self.handle(Action::Announce {
                    id: catalog::ANN_CLOSING_ID.into(),
                    text: format!("Wydawanie biletów zakończone. Zapraszamy {next} od 10:00."),
                });
            }
            Action::DayClose => self.close_day(),
        }
    }

    fn begin_day(&mut self) {
        if !self.first_day {
            self.emit(Event::DayReset(Empty {}));
        }
        self.first_day = false;
        self.day_closing = false;
        self.numbers.iter_mut().for_each(|n| *n = 0);
        self.accepting.iter_mut().for_each(|a| *a = true);
        self.reservations = 0;
        self.emit(Event::AnnouncementSet(Announcement {
            id: catalog::ANN_DOCUMENTS_ID.into(),
            text: catalog::ANN_DOCUMENTS.into(),
        }));
        // Early in the week the staff remind residents of the coming short Saturday.
        if self.day.weekday().to_monday_one_offset() <= 5 && random::chance(&mut self.rng, 0.5) {
            let saturday = saturday_of_week(self.day);
            let text = format!(
                "W sobotę {} {} punkt czynny do 14:00.",
                saturday.day(),
                catalog::MONTHS_GENITIVE[(saturday.month() - 1) as usize]
            );
            self.handle(Action::Announce {
                id: catalog::ANN_SATURDAY_ID.into(),
                text,
            });
        }
        for c in 0..self.counters.len() {
            let spec = self.counters[c].spec;
            if !random::chance(&mut self.rng, spec.staffed) {
                continue;
            }
            let opens = self.at_min(spec.opens_min) + random::between(&mut self.rng, 0, 240);
            self.plan(opens, Action::Open(c));
            if let Some(b) = spec.break_min {
                let at = self.at_min(b) + random::between(&mut self.rng, -300, 300);
                self.plan(at, Action::BreakStart(c));
            }
        }
        let opens = self.at_min(catalog::OPENS_MIN);
        self.dispensing = true;
        self.plan(opens, Action::Arrival);
        for slot in (catalog::OPENS_MIN + 15..=catalog::CLOSES_MIN - 30).step_by(15) {
            if random::chance(&mut self.rng, P_RESERVATION_SLOT) {
                let service = random::weighted(&mut self.rng, SERVICES.iter().map(|s| s.weight));
                let at = self.at_min(slot) - random::between(&mut self.rng, 0, 600);
                self.plan(at, Action::Reservation { service });
            }
        }
        if random::chance(&mut self.rng, P_PAYMENT_OUTAGE) {
            let at = self.at_min(11 * 60) + random::between(&mut self.rng, 0, 3 * 3600 + 1800);
            let until = at + random::between(&mut self.rng, 20 * 60, 60 * 60);
            self.plan(
                at,
                Action::Announce {
                    id: catalog::ANN_PAYMENTS_ID.into(),
                    text: catalog::ANN_PAYMENTS.into(),
                },
            );
            self.plan(until, Action::Clear(catalog::ANN_PAYMENTS_ID.into()));
        }
        self.plan(
            self.at_min(catalog::DISPENSER_STOPS_MIN - 30),
            Action::Announce {
                id: catalog::ANN_CLOSING_ID.into(),
                text: catalog::ANN_CLOSING_SOON.into(),
            },
        );
        self.plan(
            self.at_min(catalog::DISPENSER_STOPS_MIN),
            Action::DispenserStop,
        );
        self.plan(self.at_min(catalog::CLOSES_MIN), Action::DayClose);
    }

    fn arrival(&mut self) {
        if !self.dispensing {
            return;
        }
        // Thinning: candidates come at the busiest rate and are kept in proportion to the rate of
        // the current hour, which gives arrivals that vary by hour.
        let hour = ((self.now - self.at_min(0)) / 3600) as i8;
        let keep = catalog::arrivals_per_hour(hour) / catalog::MAX_ARRIVALS_PER_HOUR;
        if random::chance(&mut self.rng, keep) {
            let service = random::weighted(&mut self.rng, SERVICES.iter().map(|s| s.weight));
            if !self.accepting[service] {
                // The dispenser shows "no more tickets today" for this matter; the resident
                // leaves without a ticket.
                return self.plan_next_arrival();
            }
            self.numbers[service] += 1;
            let label = format!(
                "{}{:03}",
                SERVICES[service].prefix,
                self.numbers[service] % 1000
            );
            let id = self.issue(service, label, false);
            if random::chance(&mut self.rng, P_IMPATIENT) {
                self.plan_in(20 * 60, 60 * 60, Action::GiveUp(id));
            }
        }
        self.plan_next_arrival();
    }

    fn plan_next_arrival(&mut self) {
        let gap = random::exponential_s(&mut self.rng, catalog::MAX_ARRIVALS_PER_HOUR);
        let next = self.now + gap.ceil() as i64;
        if next < self.at_min(catalog::DISPENSER_STOPS_MIN) {
            self.plan(next, Action::Arrival);
        }
    }

    fn issue(&mut self, service: usize, label: String, reservation: bool) -> u64 {
        self.next_ticket_id += 1;
        let id = self.next_ticket_id;
        self.queues[service].push(Ticket {
            id,
            label: label.clone(),
            service,
            reservation,
            since: self.now,
        });
        self.emit(Event::TicketIssued(TicketIssued {
            ticket: label,
            service: SERVICES[service].id.into(),
            reservation,
            waiting: self.queues[service].len() as u32,
        }));
        self.wake(service);
        id
    }

    /// Lets idle counters that serve `service` notice the new ticket.
    fn wake(&mut self, service: usize) {
        for c in 0..self.counters.len() {
            let k = &self.counters[c];
            if k.open && !k.closing && k.serving.is_none() && k.spec.services.contains(&service) {
                self.schedule_call(c, 5, 20);
            }
        }
    }

    fn schedule_call(&mut self, c: usize, lo: i64, hi: i64) {
        if !self.counters[c].call_pending {
            self.counters[c].call_pending = true;
            self.plan_in(lo, hi, Action::Call(c));
        }
    }

    fn open_counter(&mut self, c: usize) {
        if self.day_closing || self.counters[c].open {
            return;
        }
        let counter = &mut self.counters[c];
        counter.open = true;
        counter.closing = false;
        let spec = counter.spec;
        self.emit(Event::CounterOpened(CounterOpened {
            counter: spec.id.into(),
            label: spec.label.into(),
            services: spec
                .services
                .iter()
                .map(|&s| SERVICES[s].id.into())
                .collect(),
        }));
        self.clear_notice(&break_notice_id(spec));
        self.schedule_call(c, 5, 30);
    }

    fn close_counter(&mut self, c: usize) {
        let counter = &mut self.counters[c];
        counter.open = false;
        counter.closing = false;
        let spec = counter.spec;
        let back = counter.back_at.take();
        self.emit(Event::CounterClosed(CounterClosed {
            counter: spec.id.into(),
        }));
        if let Some(back) = back {
            self.plan(back, Action::Open(c));
            let until = crate::protocol::time::in_warsaw(timestamp(back)).strftime("%H:%M");
            self.handle(Action::Announce {
                id: break_notice_id(spec),
                text: format!("Stanowisko {} — przerwa do {until}.", spec.label),
            });
        }
        if self.day_closing && self.counters.iter().all(|k| !k.open) {
            self.end_day();
        }
    }

    fn call(&mut self, c: usize) {
        self.counters[c].call_pending = false;
        let counter = &self.counters[c];
        if !counter.open || counter.serving.is_some() {
            return;
        }
        if counter.closing {
            self.close_counter(c);
            return;
        }
        let Some(ticket) = self.next_for(c) else {
            return;
        };
        self.emit(Event::TicketCalled(self.at_counter(&ticket, c)));
        let mean = SERVICES[ticket.service].mean_s;
        self.counters[c].serving = Some(ticket);
        if random::chance(&mut self.rng, P_RECALL) {
            self.plan_in(45, 90, Action::Recall(c));
        } else if random::chance(&mut self.rng, P_NO_SHOW_WITHOUT_RECALL) {
            self.plan_in(120, 180, Action::NoShow(c));
        } else {
            let s = random::service_time_s(&mut self.rng, mean);
            self.plan(self.now + s, Action::Finish(c));
        }
    }

    /// Takes the ticket a counter calls next: booked visits first, then whoever has waited
    /// longest for any of the counter's services.
    fn next_for(&mut self, c: usize) -> Option<Ticket> {
        let services = self.counters[c].spec.services;
        let (service, index) = services
            .iter()
            .flat_map(|&s| {
                self.queues[s]
                    .iter()
                    .enumerate()
                    .map(move |(i, t)| (s, i, t))
            })
            .min_by_key(|(_, _, t)| (!t.reservation, t.since, t.id))
            .map(|(s, i, _)| (s, i))?;
        Some(self.queues[service].remove(index))
    }

    fn finish(&mut self, c: usize) {
        let Some(mut t) = self.counters[c].serving.take() else {
            return;
        };
        let to = SERVICES[t.service].transfer_to;
        let someone_serves_it = self
            .counters
            .iter()
            .any(|k| k.open && !k.closing && k.spec.services.contains(&to));
        if !self.day_closing && someone_serves_it && random::chance(&mut self.rng, P_TRANSFER) {
            self.emit(Event::TicketTransferred(TicketTransferred {
                ticket: t.label.clone(),
                from_service: SERVICES[t.service].id.into(),
                to_service: SERVICES[to].id.into(),
            }));
            t.service = to;
            self.queues[to].push(t);
            self.wake(to);
        } else {
            self.emit(Event::TicketServed(self.at_counter(&t, c)));
        }
        self.schedule_call(c, 15, 45);
    }

    fn close_day(&mut self) {
        self.dispensing = false;
        self.day_closing = true;
        let waiting: Vec<Ticket> = self.queues.iter_mut().flat_map(std::mem::take).collect();
        for t in waiting {
            self.emit(Event::TicketCancelled(TicketCancelled {
                ticket: t.label,
                service: SERVICES[t.service].id.into(),
            }));
        }
        for c in 0..self.counters.len() {
            let k = &mut self.counters[c];
            k.back_at = None;
            if k.open {
                k.closing = true;
                if k.serving.is_none() && !k.call_pending {
                    self.close_counter(c);
                }
            }
        }
        // Counters on a break past closing time do not come back today.
        self.agenda
            .retain(|_, a| !matches!(a, Action::Open(_) | Action::BreakStart(_)));
        if self.counters.iter().all(|k| !k.open) {
            self.end_day();
        }
    }

    fn end_day(&mut self) {
        for id in std::mem::take(&mut self.day_notices) {
            self.emit(Event::AnnouncementCleared(AnnouncementCleared { id }));
        }
        let mut next = self.day;
        loop {
            match next.tomorrow() {
                Ok(d) => next = d,
                // The end of the calendar (year 9999): the office simply stays closed.
                Err(_) => return,
            }
            if next.weekday() != Weekday::Sunday {
                break;
            }
        }
        self.day = next;
        self.after_night = true;
        // Whatever was still planned for today (a late announcement) is void now.
        self.agenda.clear();
        self.plan(self.at_min(catalog::DAY_BEGINS_MIN), Action::DayBegin);
    }

    fn clear_notice(&mut self, id: &str) {
        if let Some(i) = self.day_notices.iter().position(|n| n == id) {
            let id = self.day_notices.remove(i);
            self.emit(Event::AnnouncementCleared(AnnouncementCleared { id }));
        }
    }

    fn at_counter(&self, t: &Ticket, c: usize) -> TicketAtCounter {
        TicketAtCounter {
            ticket: t.label.clone(),
            service: SERVICES[t.service].id.into(),
            counter: Some(self.counters[c].spec.id.into()),
            reservation: t.reservation,
        }
    }

    /// Sends `service.wait` for every service whose numbers on the display differ from the
    /// office's own, after stopping the tickets of any service whose queue already reaches
    /// closing time.
    fn sync_waits(&mut self) {
        let closes = self.at_min(catalog::CLOSES_MIN);
        for (s, spec) in SERVICES.iter().enumerate() {
            let waiting = self.queues[s].len() as u32;
            let open = self
                .counters
                .iter()
                .filter(|k| k.open && k.spec.services.contains(&s))
                .count() as u32;
            let est = estimate_s(waiting, spec.mean_s, open);
            if est.is_some_and(|e| self.now + i64::from(e) >= closes) {
                // Once stopped, the dispenser stays stopped for the day, as in real offices:
                // the residents it turned away have gone home.
                self.accepting[s] = false;
            }
            let accepting = self.accepting[s];
            let shown = self.view.data.service(spec.id);
            if shown.is_some_and(|v| {
                v.waiting == waiting
                    && v.est_wait_s == est
                    && v.open_counters == open
                    && v.accepting == accepting
            }) {
                continue;
            }
            self.emit(Event::ServiceWait(ServiceWait {
                service: spec.id.into(),
                waiting,
                est_wait_s: est,
                open_counters: open,
                accepting,
            }));
        }
    }
}

/// The office's own wait estimate: everyone ahead shares the open counters serving the service,
/// each visit taking the service's mean time; rounded up to whole minutes so the board does not
/// flicker. `None` when no open counter serves the service.
pub fn estimate_s(waiting: u32, mean_s: u32, open: u32) -> Option<u32> {
    if open == 0 {
        return None;
    }
    let s = (u64::from(waiting) * u64::from(mean_s)).div_ceil(u64::from(open));
    Some((s.div_ceil(60) * 60).min(u64::from(MAX_EST_WAIT_S)) as u32)
}

/// The state of the office before anything happened: every service without a queue, every
/// counter closed.
pub fn initial_snapshot() -> Snapshot {
    Snapshot {
        office: Office {
            id: catalog::OFFICE_ID.into(),
            name: catalog::OFFICE_NAME.into(),
        },
        services: SERVICES
            .iter()
            .map(|s| ServiceInfo {
                id: s.id.into(),
                name: s.name.into(),
                prefix: s.prefix.into(),
                waiting: 0,
                est_wait_s: None,
                open_counters: 0,
                accepting: true,
                names: s
                    .names
                    .iter()
                    .map(|(code, name)| ((*code).to_owned(), (*name).to_owned()))
                    .collect(),
            })
            .collect(),
        counters: COUNTERS
            .iter()
            .map(|c| CounterInfo {
                id: c.id.into(),
                label: c.label.into(),
                open: false,
                services: c.services.iter().map(|&s| SERVICES[s].id.into()).collect(),
                serving: None,
            })
            .collect(),
        recent_calls: Vec::new(),
        announcements: Vec::new(),
        stream: None,
    }
}

fn break_notice_id(spec: &CounterSpec) -> String {
    format!("przerwa-{}", spec.id)
}

/// The Saturday of a date's week (Monday to Sunday).
fn saturday_of_week(day: Date) -> Date {
    let ahead = (6 - i64::from(day.weekday().to_monday_one_offset())).max(0);
    day.checked_add(jiff::SignedDuration::from_hours(24 * ahead))
        .unwrap_or(day)
}

/// Unix seconds of a Warsaw wall-clock time.
fn to_unix(dt: DateTime) -> i64 {
    dt.to_zoned_datetime(warsaw())
        .map(|z| z.timestamp().as_second())
        // Only reachable at the edges of the calendar; UTC is then as good as anything.
        .unwrap_or_else(|_| {
            dt.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0)
        })
}

fn timestamp(unix: i64) -> Timestamp {
    Timestamp::from_second(unix).unwrap_or(Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The display's reducer, fed the office's events, counts the same queues and open counters
    /// as the office itself whenever the office is between two actions.
    #[test]
    fn the_display_counts_what_the_office_counts() {
        let start = jiff::civil::date(2026, 12, 5).at(9, 0, 0, 0);
        let mut model = OfficeModel::new(&OfficeConfig::new(11, start));
        let mut board = Board::default();
        let t0 = model.start_time();
        board.apply(
            &Envelope::new(0, t0, Event::Snapshot(initial_snapshot())),
            t0,
        );
        let mut checked = 0;
        for seq in 1..=6000 {
            let p = model.next_event().expect("the office never ends");
            board.apply(&Envelope::new(seq, p.at, p.event), p.at);
            if !model.out.is_empty() {
                continue;
            }
            checked += 1;
            for (s, spec) in SERVICES.iter().enumerate() {
                let shown = board.data.service(spec.id).unwrap();
                assert_eq!(
                    shown.waiting as usize,
                    model.queues[s].len(),
                    "{} at seq {seq}",
                    spec.id
                );
            }
            for k in &model.counters {
                assert_eq!(
                    board.data.counter(k.spec.id).unwrap().open,
                    k.open,
                    "{}",
                    k.spec.id
                );
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn a_sunday_start_moves_to_monday_and_saturdays_say_see_you_monday() {
        let sunday = jiff::civil::date(2026, 12, 6).at(9, 58, 0, 0);
        let model = OfficeModel::new(&OfficeConfig::new(1, sunday));
        let monday = in_warsaw_date(model.start_time());
        assert_eq!(monday, jiff::civil::date(2026, 12, 7));

        let saturday = jiff::civil::date(2026, 12, 5).at(17, 50, 0, 0);
        let mut model = OfficeModel::new(&OfficeConfig::new(1, saturday));
        let closing = std::iter::from_fn(|| model.next_event())
            .find_map(|p| match p.event {
                Event::AnnouncementSet(a) if a.text.starts_with("Wydawanie biletów zakończone") => {
                    Some(a.text)
                }
                _ => None,
            })
            .unwrap();
        assert!(closing.contains("w poniedziałek"), "{closing}");
    }

    fn in_warsaw_date(t: Timestamp) -> Date {
        crate::protocol::time::in_warsaw(t).date()
    }

    #[test]
    fn estimates_round_up_to_minutes_and_need_an_open_counter() {
        assert_eq!(estimate_s(3, 480, 0), None);
        assert_eq!(estimate_s(0, 480, 2), Some(0));
        assert_eq!(estimate_s(3, 480, 2), Some(720));
        assert_eq!(estimate_s(1, 100, 3), Some(60));
        assert_eq!(estimate_s(100_000, 900, 1), Some(MAX_EST_WAIT_S));
    }
}
