//! The built-in parser of the Warsaw office-queue status page (`api.um.warszawa.pl`,
//! `wsstore_get`), one office per URL:
//!
//! ```json
//! {"result": {"date": "2026-12-03", "time": "10:02", "grupy": [
//!   {"status": "1", "czasObslugi": "00:04", "lp": "1", "idGrupy": "158", "liczbaCzynnychStan": 3,
//!    "nazwaGrupy": "A: ODPADY KOMUNALNE", "literaGrupy": "A", "liczbaKlwKolejce": 5,
//!    "aktualnyNumer": 89}]}}
//! ```
//!
//! and, when the service refuses, `{"result": "false", "error": "…"}`. Numbers come as numbers
//! or strings, `aktualnyNumer` as `""` before the first call, `status` and `lp` as `null` for
//! some groups; [`Group::from_raw`] reads them all alike. `czasObslugi` is read as the page's
//! expected wait in minutes (whole minutes or `HH:MM`), which is what the city's own queue page
//! shows next to each group; docs/BRIDGE.md says so for the technician.

use super::SourceError;
use super::state::{Group, OfficeState, RawGroup, WaitUnit, dedupe_ids};
use crate::protocol::MAX_SERVICES;
use serde_json::Value;

/// Parses one response body.
pub fn parse(body: &[u8]) -> Result<OfficeState, SourceError> {
    let root: Value = serde_json::from_slice(body).map_err(|e| SourceError::Json(e.to_string()))?;
    let result = root
        .get("result")
        .ok_or_else(|| SourceError::Shape("no `result`".into()))?;
    if !result.is_object() {
        // `{"result": "false", "error": "Błędny klucz"}`: the service answered, but not with data.
        let error = root
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        return Err(SourceError::Refused(error.chars().take(200).collect()));
    }
    let list = result
        .get("grupy")
        .and_then(Value::as_array)
        .ok_or_else(|| SourceError::Shape("no `result.grupy` list".into()))?;
    let mut groups: Vec<Group> = list
        .iter()
        .filter(|g| g.is_object())
        .take(MAX_SERVICES)
        .enumerate()
        .map(|(i, g)| {
            let raw = RawGroup {
                id: g.get("idGrupy"),
                prefix: g.get("literaGrupy"),
                name: g.get("nazwaGrupy"),
                current: g.get("aktualnyNumer"),
                waiting: g.get("liczbaKlwKolejce"),
                wait: g.get("czasObslugi"),
                open_counters: g.get("liczbaCzynnychStan"),
                running: g.get("status"),
            };
            Group::from_raw(raw, i, WaitUnit::Minutes)
        })
        .collect();
    dedupe_ids(&mut groups);
    let date = result
        .get("date")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(OfficeState { date, groups })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORDED: &str = include_str!("../../tests/data/bridge/warsaw-1.json");

    #[test]
    fn reads_the_recorded_response() {
        let state = parse(RECORDED.as_bytes()).unwrap();
        assert_eq!(state.date.as_deref(), Some("2026-12-03"));
        assert_eq!(state.groups.len(), 5);
        let a = &state.groups[0];
        assert_eq!(a.id, "g158");
        assert_eq!(a.prefix, "A");
        assert_eq!(
            a.name,
            "ODPADY KOMUNALNE, UŻYTKOWANIE WIECZYSTE, PRZEKSZTAŁCENIA"
        );
        assert_eq!(a.current.as_ref().map(|c| c.ticket.as_str()), Some("A12"));
        assert_eq!(
            (a.waiting, a.est_wait_s, a.open_counters),
            (3, Some(600), 2)
        );
        // Strings where numbers are expected, as the real service sends them.
        let p = state.groups.iter().find(|g| g.prefix == "P").unwrap();
        assert_eq!(p.current.as_ref().map(|c| c.ticket.as_str()), Some("P41"));
        assert_eq!(
            (p.waiting, p.open_counters, p.est_wait_s),
            (7, 3, Some(240))
        );
        // Nobody called yet, status null, no counters.
        let h = state.groups.iter().find(|g| g.prefix == "H").unwrap();
        assert_eq!(h.current, None);
        assert_eq!(h.running, None);
        assert!(!h.open());
        // Status "0" with a desk still open: the group is open (see Group::open).
        let g = state.groups.iter().find(|g| g.prefix == "G").unwrap();
        assert_eq!(g.running, Some(false));
        assert!(g.open());
    }

    /// A closed office as the service answers: every number zero, `status` and `lp` null.
    #[test]
    fn reads_a_closed_office() {
        let body = include_bytes!("../../tests/data/bridge/warsaw-closed.json");
        let state = parse(body).unwrap();
        assert_eq!(state.date.as_deref(), Some("2015-04-19"));
        let [u] = &state.groups[..] else {
            panic!("{state:?}")
        };
        assert_eq!((u.prefix.as_str(), u.name.as_str()), ("U", "URODZENIA"));
        assert_eq!(u.current, None, "0 is nobody called yet, not U0");
        assert_eq!((u.waiting, u.open_counters, u.running), (0, 0, None));
        assert!(!u.open());
    }

    #[test]
    fn refusals_and_garbage_are_errors() {
        let refused = parse(br#"{"result":"false","error":"Niepoprawny klucz API"}"#);
        assert!(
            matches!(&refused, Err(SourceError::Refused(m)) if m == "Niepoprawny klucz API"),
            "{refused:?}"
        );
        assert!(matches!(
            parse(b"<html>502</html>"),
            Err(SourceError::Json(_))
        ));
        assert!(matches!(parse(br#"{"x":1}"#), Err(SourceError::Shape(_))));
        assert!(matches!(
            parse(br#"{"result":{"date":"2026-12-03"}}"#),
            Err(SourceError::Shape(_))
        ));
    }

    #[test]
    fn repeated_group_ids_are_made_unique() {
        let body = br#"{"result":{"grupy":[
            {"idGrupy":"0","literaGrupy":"A","nazwaGrupy":"Meldunki i dowody","aktualnyNumer":89},
            {"idGrupy":"0","literaGrupy":"B","nazwaGrupy":"Wydawanie dowodow","aktualnyNumer":82}]}}"#;
        let state = parse(body).unwrap();
        let ids: Vec<&str> = state.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["g0", "g0-2"]);
    }
}
