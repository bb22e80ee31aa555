//! From two successive polls to protocol events: what a queue system that pushes events would
//! have sent between them.
//!
//! - a group's current number changes to another number → `ticket.called`, naming no counter;
//!   the same number again is nothing, and a number that disappears (`""` after closing) is
//!   nothing either;
//! - a number going back (89 → 1), or a new date on the page, is a new day: `day.reset`, then a
//!   call for every group that has a number, then every group's numbers;
//! - waiting, wait or open counters change, or a call took someone off the queue →
//!   `service.wait` with the page's numbers (the page, not the display's arithmetic, is right);
//! - a group appears, disappears, or changes its name or letter → the protocol has no event for
//!   that, so the bridge sends a fresh `snapshot` ([`Diff::rebuild`]).
//!
//! The status page names no counters, so the bridge sends none: its calls name no counter (the
//! boards show "Zapraszamy" under the number) and each service's open desks are the page's own
//! count. See docs/BRIDGE.md.

use super::state::{Group, OfficeState};
use crate::protocol::{
    CallInfo, Empty, Event, Office, ServiceInfo, ServiceWait, Snapshot, TicketAtCounter,
};
use jiff::Timestamp;

/// What changed between two polls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diff {
    /// Events in the order they are to be sent.
    pub events: Vec<Event>,
    /// The office's shape changed: send a fresh snapshot after the events.
    pub rebuild: bool,
}

/// The events between `prev` and `next`.
pub fn diff(prev: &OfficeState, next: &OfficeState) -> Diff {
    let rebuild = shape(prev) != shape(next);
    let new_day = match (&prev.date, &next.date) {
        (Some(a), Some(b)) if a != b => true,
        _ => next.groups.iter().any(|g| {
            let before = prev.groups.iter().find(|p| p.id == g.id);
            matches!(
                (before.and_then(|p| p.current.as_ref()), g.current.as_ref()),
                (Some(a), Some(b)) if b.number < a.number
            )
        }),
    };
    let mut events = Vec::new();
    if new_day {
        events.push(Event::DayReset(Empty {}));
    }
    for g in &next.groups {
        let Some(before) = prev.groups.iter().find(|p| p.id == g.id) else {
            continue;
        };
        let called = match (&before.current, &g.current) {
            (_, None) => false,
            (Some(a), Some(b)) => new_day || a.ticket != b.ticket,
            (None, Some(_)) => true,
        };
        if called && let Some(c) = &g.current {
            events.push(Event::TicketCalled(TicketAtCounter {
                ticket: c.ticket.clone(),
                service: g.id.clone(),
                // A status page names neither the desk nor booked visits.
                counter: None,
                reservation: false,
            }));
        }
        let numbers = (g.waiting, g.est_wait_s, g.open_counters);
        let numbers_before = (before.waiting, before.est_wait_s, before.open_counters);
        if called || new_day || numbers != numbers_before {
            events.push(Event::ServiceWait(wait_of(g)));
        }
    }
    Diff { events, rebuild }
}

/// What the displays need to know about the office's shape: which groups, named how.
fn shape(state: &OfficeState) -> Vec<(&str, &str, &str)> {
    state
        .groups
        .iter()
        .map(|g| (g.id.as_str(), g.prefix.as_str(), g.name.as_str()))
        .collect()
}

fn label_of(g: &Group) -> String {
    if g.prefix.is_empty() {
        g.id.clone()
    } else {
        g.prefix.clone()
    }
}

fn wait_of(g: &Group) -> ServiceWait {
    ServiceWait {
        service: g.id.clone(),
        waiting: g.waiting,
        // The page's wait means nothing while nobody waits or no desk is open.
        est_wait_s: g.est_wait_s.filter(|_| g.open()),
        open_counters: g.open_counters,
        // A status page does not say when issuing stops for the day.
        accepting: true,
    }
}

/// The whole office as one snapshot. `recent_calls` are the calls the displays already know
/// (newest first); when there are none (the bridge has just started) each group's current
/// number stands as its last call, at `now`, so that a display shows the office's numbers from
/// the first moment (quietly: a snapshot never chimes).
pub fn snapshot(
    office: &Office,
    state: &OfficeState,
    recent_calls: Vec<CallInfo>,
    now: Timestamp,
) -> Snapshot {
    let recent_calls = if recent_calls.is_empty() {
        state
            .groups
            .iter()
            .filter_map(|g| {
                g.current.as_ref().map(|c| CallInfo {
                    ticket: c.ticket.clone(),
                    service: g.id.clone(),
                    counter: None,
                    time: now,
                    recall: false,
                    reservation: false,
                })
            })
            .collect()
    } else {
        recent_calls
    };
    Snapshot {
        office: office.clone(),
        services: state
            .groups
            .iter()
            .map(|g| {
                let w = wait_of(g);
                ServiceInfo {
                    id: g.id.clone(),
                    name: if g.name.is_empty() {
                        label_of(g)
                    } else {
                        g.name.clone()
                    },
                    prefix: g.prefix.clone(),
                    waiting: w.waiting,
                    est_wait_s: w.est_wait_s,
                    open_counters: w.open_counters,
                    accepting: true,
                    names: Default::default(),
                }
            })
            .collect(),
        counters: vec![],
        recent_calls,
        announcements: vec![],
        stream: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::state::Current;

    fn group(id: &str, prefix: &str, current: u64, waiting: u32, counters: u32) -> Group {
        Group {
            id: id.into(),
            prefix: prefix.into(),
            name: format!("Sprawy {prefix}"),
            current: (current > 0).then(|| Current {
                number: current,
                ticket: format!("{prefix}{current}"),
            }),
            waiting,
            est_wait_s: Some(600),
            open_counters: counters,
            running: Some(true),
        }
    }

    fn office(groups: Vec<Group>) -> OfficeState {
        OfficeState {
            date: Some("2026-12-03".into()),
            groups,
        }
    }

    fn names(d: &Diff) -> Vec<String> {
        d.events
            .iter()
            .map(|e| match e {
                Event::TicketCalled(c) => format!("called {}", c.ticket),
                Event::ServiceWait(w) => format!("wait {} {}", w.service, w.waiting),
                other => other.type_name().to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_new_number_is_a_call_and_the_same_number_is_nothing() {
        let a = office(vec![group("g1", "A", 12, 3, 2), group("g2", "B", 4, 1, 1)]);
        let b = office(vec![group("g1", "A", 13, 2, 2), group("g2", "B", 4, 1, 1)]);
        assert_eq!(names(&diff(&a, &b)), ["called A13", "wait g1 2"]);
        assert_eq!(diff(&b, &b), Diff::default());
        // A number jump is one call: the numbers in between were never on the page.
        let c = office(vec![group("g1", "A", 16, 0, 2), group("g2", "B", 4, 1, 1)]);
        assert_eq!(names(&diff(&b, &c)), ["called A16", "wait g1 0"]);
    }

    #[test]
    fn counts_alone_are_a_service_wait() {
        let a = office(vec![group("g1", "A", 12, 3, 2)]);
        let b = office(vec![group("g1", "A", 12, 5, 2)]);
        assert_eq!(names(&diff(&a, &b)), ["wait g1 5"]);
        let mut c = b.clone();
        c.groups[0].est_wait_s = Some(900);
        assert_eq!(names(&diff(&b, &c)), ["wait g1 5"]);
    }

    #[test]
    fn a_number_going_back_starts_a_new_day() {
        let evening = office(vec![group("g1", "A", 89, 0, 1), group("g2", "B", 40, 0, 1)]);
        let mut morning = office(vec![group("g1", "A", 1, 4, 2), group("g2", "B", 0, 2, 1)]);
        morning.date = evening.date.clone();
        assert_eq!(
            names(&diff(&evening, &morning)),
            ["day.reset", "called A1", "wait g1 4", "wait g2 2"]
        );
    }

    #[test]
    fn a_new_date_starts_a_new_day_even_with_the_same_number() {
        let a = office(vec![group("g1", "A", 5, 0, 1)]);
        let mut b = a.clone();
        b.date = Some("2026-12-04".into());
        assert_eq!(
            names(&diff(&a, &b)),
            ["day.reset", "called A5", "wait g1 0"]
        );
    }

    #[test]
    fn a_number_disappearing_after_closing_is_nothing() {
        let a = office(vec![group("g1", "A", 89, 0, 0)]);
        let b = office(vec![group("g1", "A", 0, 0, 0)]);
        assert_eq!(diff(&a, &b), Diff::default());
        // The next morning's first number is a call, and the desk opens again.
        let c = office(vec![group("g1", "A", 1, 0, 1)]);
        assert_eq!(names(&diff(&b, &c)), ["called A1", "wait g1 0"]);
        let Event::ServiceWait(w) = &diff(&b, &c).events[1] else {
            panic!()
        };
        assert_eq!(w.open_counters, 1);
    }

    #[test]
    fn groups_appearing_or_disappearing_rebuild_the_office() {
        let a = office(vec![group("g1", "A", 12, 3, 2)]);
        let b = office(vec![group("g1", "A", 13, 2, 2), group("g2", "B", 1, 0, 1)]);
        let d = diff(&a, &b);
        assert!(d.rebuild);
        assert_eq!(
            names(&d),
            ["called A13", "wait g1 2"],
            "calls of known groups still go out"
        );
        assert!(diff(&b, &a).rebuild);
        let mut renamed = a.clone();
        renamed.groups[0].name = "Inne sprawy".into();
        assert!(diff(&a, &renamed).rebuild);
    }

    #[test]
    fn desks_closing_and_opening_are_the_services_open_counters() {
        let a = office(vec![group("g1", "A", 12, 3, 2)]);
        let b = office(vec![group("g1", "A", 12, 3, 0)]);
        assert_eq!(names(&diff(&a, &b)), ["wait g1 3"]);
        let Event::ServiceWait(w) = &diff(&a, &b).events[0] else {
            panic!()
        };
        assert_eq!(w.open_counters, 0);
        assert_eq!(w.est_wait_s, None, "no desk open: no wait to promise");
        assert_eq!(names(&diff(&b, &a)), ["wait g1 3"]);
    }

    #[test]
    fn calls_name_no_counter() {
        let a = office(vec![group("g1", "A", 12, 3, 2)]);
        let b = office(vec![group("g1", "A", 13, 2, 2)]);
        let Event::TicketCalled(call) = &diff(&a, &b).events[0] else {
            panic!()
        };
        assert_eq!(
            call.counter, None,
            "the page does not say which desk called"
        );
    }

    #[test]
    fn the_recorded_sequence() {
        let read = |n: u32| {
            let path = format!(
                "{}/tests/data/bridge/warsaw-{n}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            crate::bridge::warsaw::parse(&std::fs::read(path).unwrap()).unwrap()
        };
        let (s1, s2, s3, s4) = (read(1), read(2), read(3), read(4));
        assert_eq!(
            names(&diff(&s1, &s2)),
            [
                "called A13",
                "wait g158 2",
                "called P43",
                "wait g190 6",
                "wait g168 5"
            ]
        );
        let d = diff(&s2, &s3);
        assert_eq!(
            names(&d),
            ["called P44", "wait g190 5", "called H1", "wait g165 0"]
        );
        assert!(!d.rebuild);
        let d = diff(&s3, &s4);
        assert!(d.rebuild && d.events.is_empty(), "{d:?}");
        // Polls of an unchanged page send nothing.
        assert_eq!(diff(&s4, &s4), Diff::default());
    }

    #[test]
    fn the_first_snapshot_shows_the_current_numbers() {
        let state = office(vec![group("g1", "A", 12, 3, 2), group("g2", "B", 0, 0, 0)]);
        let o = Office {
            id: "urzad".into(),
            name: "Urząd".into(),
        };
        let s = snapshot(&o, &state, vec![], Timestamp::UNIX_EPOCH);
        assert_eq!(s.services.len(), 2);
        assert!(s.counters.is_empty(), "the page names no counters");
        assert_eq!(
            (s.services[0].open_counters, s.services[1].open_counters),
            (2, 0)
        );
        let calls: Vec<&str> = s.recent_calls.iter().map(|c| c.ticket.as_str()).collect();
        assert_eq!(calls, ["A12"]);
        assert!(s.recent_calls.iter().all(|c| c.counter.is_none()));
    }
}
