//! The office as one poll of a status page saw it, in the bridge's own terms: groups (services)
//! with their current number, queue length, wait and open counters.
//!
//! Both sources (the built-in Warsaw parser and the generic JSON mapping) pick the raw values out
//! of the page and hand them to [`Group::from_raw`], so the two read numbers, strings and nulls
//! exactly alike: status pages in the wild send `7`, `"7"`, `""` and `null` for the same field.

use crate::protocol::{
    MAX_EST_WAIT_S, MAX_ID_CHARS, MAX_NAME_CHARS, MAX_TICKET_CHARS, MAX_WAITING,
};
use serde_json::Value;

/// One poll's view of the office.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficeState {
    /// The page's own date (Warsaw: `result.date`), if it gives one: a new date is a new day.
    pub date: Option<String>,
    pub groups: Vec<Group>,
}

/// The number a group has called last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// For ordering: a smaller number than before means the day started again.
    pub number: u64,
    /// The ticket as residents read it, e.g. "A89".
    pub ticket: String,
}

/// One queue (Warsaw: a `grupa`), which becomes one protocol service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The protocol service id: `g` and the page's group id, e.g. "g158".
    pub id: String,
    /// The ticket prefix, e.g. "A".
    pub prefix: String,
    pub name: String,
    /// `None` while the group has called nobody (Warsaw sends `""`, `0` or `null`).
    pub current: Option<Current>,
    pub waiting: u32,
    pub est_wait_s: Option<u32>,
    pub open_counters: u32,
    /// The page's own running flag (Warsaw: `status` "1"/"0"); `None` when it sends none.
    pub running: Option<bool>,
}

impl Group {
    /// Whether the group's counter is shown open. Warsaw reports `status` "0" for groups that
    /// stopped issuing tickets while desks still serve the people already waiting; a group with
    /// open counters is therefore open whatever its status says, and status alone decides only
    /// when the page sends no counter count (see [`Group::from_raw`]).
    pub fn open(&self) -> bool {
        self.open_counters > 0
    }
}

/// The raw values of one group, as found on the page.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawGroup<'a> {
    pub id: Option<&'a Value>,
    pub prefix: Option<&'a Value>,
    pub name: Option<&'a Value>,
    pub current: Option<&'a Value>,
    pub waiting: Option<&'a Value>,
    pub wait: Option<&'a Value>,
    pub open_counters: Option<&'a Value>,
    pub running: Option<&'a Value>,
}

/// How a page writes its wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitUnit {
    /// Whole minutes (`"12"`), or hours and minutes (`"00:12"`), as Warsaw writes `czasObslugi`.
    Minutes,
    Seconds,
}

impl Group {
    /// Normalises one group; `index` numbers groups without an id. Values that cannot be read
    /// count as absent (a count of 0, no wait, no current number) rather than failing the whole
    /// page: one odd field must not freeze every queue of the office.
    pub fn from_raw(raw: RawGroup<'_>, index: usize, unit: WaitUnit) -> Group {
        let prefix = text(raw.prefix).unwrap_or_default();
        let id = text(raw.id)
            .map(|id| format!("g{id}"))
            .unwrap_or_else(|| format!("g-{}", index + 1));
        let id: String = id
            .chars()
            .filter(|c| !c.is_control() && !c.is_whitespace())
            .take(MAX_ID_CHARS)
            .collect();
        let name = clean_name(&text(raw.name).unwrap_or_default(), &prefix);
        Group {
            current: current(raw.current, &prefix),
            waiting: count(raw.waiting).unwrap_or(0).min(u64::from(MAX_WAITING)) as u32,
            est_wait_s: wait(raw.wait, unit).filter(|s| *s <= MAX_EST_WAIT_S),
            open_counters: match count(raw.open_counters) {
                Some(n) => n.min(128) as u32,
                // A page (or mapping) without a counter count: a running group has one desk.
                None if raw.open_counters.is_none() && flag(raw.running) == Some(true) => 1,
                None => 0,
            },
            running: flag(raw.running),
            id,
            prefix,
            name,
        }
    }
}

/// A string or a number as text; `None` for null, empty strings and anything else.
fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A count written as a number or a string of digits.
fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `"1"`, `1`, `true` → running; `"0"`, `0`, `false` → not; anything else → unknown.
fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        other => match count(Some(other))? {
            0 => Some(false),
            _ => Some(true),
        },
    }
}

/// A wait in seconds. Minutes come as a number (`60`, `"60"`) or as `"HH:MM"`.
fn wait(v: Option<&Value>, unit: WaitUnit) -> Option<u32> {
    let value = v?;
    if let Value::String(s) = value
        && let Some((h, m)) = s.trim().split_once(':')
    {
        let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
        return h.checked_mul(3600)?.checked_add(m.checked_mul(60)?);
    }
    let n = u32::try_from(count(Some(value))?).ok()?;
    match unit {
        WaitUnit::Minutes => n.checked_mul(60),
        WaitUnit::Seconds => Some(n),
    }
}

/// The current ticket: a bare number gets the group's prefix ("A" + 89 → "A89"); a label that
/// already has letters ("A089") is kept as it is, without spaces. 0, "" and null: none yet.
fn current(v: Option<&Value>, prefix: &str) -> Option<Current> {
    let raw = text(v)?;
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let (ticket, number) = if compact.chars().all(|c| c.is_ascii_digit()) {
        let number: u64 = compact.parse().ok()?;
        (format!("{prefix}{number}"), number)
    } else {
        let digits: String = compact
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        (compact.clone(), digits.parse().ok()?)
    };
    let valid = number > 0
        && ticket.chars().count() <= MAX_TICKET_CHARS
        && !ticket.chars().any(char::is_control);
    valid.then_some(Current { number, ticket })
}

/// Warsaw names start with the group's letter ("A: ODPADY KOMUNALNE| UŻYTKOWANIE WIECZYSTE")
/// and separate matters with bars; the board shows the letter on its own already.
fn clean_name(name: &str, prefix: &str) -> String {
    let mut rest = name.trim();
    if !prefix.is_empty()
        && let Some(after) = rest.strip_prefix(prefix)
        && let Some(after) = after.trim_start().strip_prefix([':', '-'])
    {
        rest = after;
    }
    let spaced = rest.replace('|', ", ");
    let words: Vec<&str> = spaced
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ").replace(" ,", ",");
    joined.chars().take(MAX_NAME_CHARS).collect()
}

/// Makes every group's id unique (a page may repeat a group id: the first keeps it, later ones
/// get "-2", "-3", …).
pub fn dedupe_ids(groups: &mut [Group]) {
    let mut seen = std::collections::HashSet::new();
    for g in groups.iter_mut() {
        let base = g.id.clone();
        let mut n = 1;
        while !seen.insert(g.id.clone()) {
            n += 1;
            let suffix = format!("-{n}");
            let keep = MAX_ID_CHARS.saturating_sub(suffix.len());
            g.id = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_come_as_numbers_strings_empty_or_null() {
        let (a, b, c, d, e) = (json!(7), json!("7"), json!(""), json!(null), json!(" 12 "));
        assert_eq!(count(Some(&a)), Some(7));
        assert_eq!(count(Some(&b)), Some(7));
        assert_eq!(count(Some(&c)), None);
        assert_eq!(count(Some(&d)), None);
        assert_eq!(count(Some(&e)), Some(12));
        assert_eq!(count(None), None);
    }

    #[test]
    fn waits_are_minutes_or_hours_and_minutes() {
        let m = WaitUnit::Minutes;
        assert_eq!(wait(Some(&json!("60")), m), Some(3600));
        assert_eq!(wait(Some(&json!(10)), m), Some(600));
        assert_eq!(wait(Some(&json!("00:04")), m), Some(240));
        assert_eq!(wait(Some(&json!("1:30")), m), Some(5400));
        assert_eq!(wait(Some(&json!("x")), m), None);
        assert_eq!(wait(Some(&json!(null)), m), None);
        assert_eq!(wait(Some(&json!(90)), WaitUnit::Seconds), Some(90));
    }

    #[test]
    fn current_numbers_get_the_prefix_and_nothing_called_is_none() {
        let c = current(Some(&json!(89)), "A").unwrap();
        assert_eq!((c.ticket.as_str(), c.number), ("A89", 89));
        let c = current(Some(&json!("089")), "B").unwrap();
        assert_eq!((c.ticket.as_str(), c.number), ("B89", 89));
        let c = current(Some(&json!("A 089")), "A").unwrap();
        assert_eq!((c.ticket.as_str(), c.number), ("A089", 89));
        for none in [
            json!(0),
            json!(""),
            json!(null),
            json!("0"),
            json!("ABCDEFGHIJ1"),
        ] {
            assert_eq!(current(Some(&none), "A"), None, "{none}");
        }
    }

    #[test]
    fn status_flags() {
        assert_eq!(flag(Some(&json!("1"))), Some(true));
        assert_eq!(flag(Some(&json!("0"))), Some(false));
        assert_eq!(flag(Some(&json!(1))), Some(true));
        assert_eq!(flag(Some(&json!(null))), None);
    }

    #[test]
    fn warsaw_names_lose_their_letter_and_bars() {
        assert_eq!(
            clean_name("A: ODPADY KOMUNALNE| UŻYTKOWANIE WIECZYSTE", "A"),
            "ODPADY KOMUNALNE, UŻYTKOWANIE WIECZYSTE"
        );
        assert_eq!(clean_name("Meldunki i dowody", "A"), "Meldunki i dowody");
        assert_eq!(
            clean_name("H: ODBIÓR  PASZPORTÓW", "H"),
            "ODBIÓR PASZPORTÓW"
        );
    }

    #[test]
    fn open_counters_keep_a_stopped_group_open() {
        let raw = |status: Value, counters: Value| {
            let (s, c) = (status, counters);
            Group::from_raw(
                RawGroup {
                    running: Some(&s),
                    open_counters: Some(&c),
                    ..RawGroup::default()
                },
                0,
                WaitUnit::Minutes,
            )
            .open()
        };
        assert!(
            raw(json!("0"), json!(2)),
            "status 0 with open desks still serves"
        );
        assert!(raw(json!("1"), json!(1)));
        assert!(
            !raw(json!("1"), json!(0)),
            "running with no desk open: nobody calls"
        );
        assert!(!raw(json!("0"), json!(0)));
    }
}
