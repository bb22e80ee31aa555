//! What the fleet view knows of each board, and how urgently each needs someone. Pure: the time
//! is passed in.
//!
//! A board's /health answer is read leniently, field by field: boards of different versions
//! answer with more or fewer fields, and a field the view does not know is no reason to call a
//! working board broken.

use super::list::Display;
use crate::protocol::time::in_warsaw;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

/// How many problems of one board are shown, at most (a board may list many layout errors).
const MAX_PROBLEMS: usize = 8;
/// Characters of one problem's text, at most.
const MAX_TEXT: usize = 300;

/// The parts of a /health answer the page shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    pub display_id: String,
    pub connected: bool,
    /// `connected`, `connecting`, `replay`.
    pub link: String,
    /// Seconds since the last frame from the queue system, when the board was asked.
    pub data_age_s: Option<f64>,
    /// Why the queue system last refused the board, in words.
    pub last_error: Option<String>,
    pub version: String,
    pub uptime_s: Option<f64>,
    /// The screen: size, rotation or mode as the board reports it, and "frozen" when it is.
    pub screen: String,
    pub screen_frozen: bool,
    /// Config, layout and other problems the board reports.
    pub problems: Vec<String>,
}

impl Health {
    /// Reads a /health answer; `None` when it is not a JSON object.
    pub fn from_json(bytes: &[u8]) -> Option<Health> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        let o = v.as_object()?;
        let text = |k: &str| o.get(k).and_then(Value::as_str).map(clip);
        let num = |k: &str| o.get(k).and_then(Value::as_f64).filter(|x| x.is_finite());
        let version = match (text("version"), text("git_commit")) {
            (Some(v), Some(c)) if c != "unknown" => format!("{v} ({c})"),
            (Some(v), _) => v,
            (None, _) => "?".into(),
        };
        let screen_frozen = o.get("screen_frozen").and_then(Value::as_bool) == Some(true);
        let mut screen = match (num("screen_width"), num("screen_height")) {
            (Some(w), Some(h)) if w > 0.0 && h > 0.0 => format!("{w}×{h}"),
            _ => String::new(),
        };
        for key in ["screen_mode", "mode", "screen"] {
            if let Some(m) = text(key) {
                screen = if screen.is_empty() {
                    m
                } else {
                    format!("{m}, {screen}")
                };
                break;
            }
        }
        if screen_frozen {
            screen.push_str(if screen.is_empty() {
                "frozen"
            } else {
                ", frozen"
            });
        }
        let mut problems = Vec::new();
        for key in ["problems", "config_errors", "layout_errors"] {
            for p in o.get(key).and_then(Value::as_array).into_iter().flatten() {
                if let Some(p) = describe(p) {
                    problems.push(p);
                }
            }
        }
        if let Some(audio) = o.get("audio").and_then(Value::as_object)
            && let Some(e) = audio.get("error").and_then(Value::as_str)
        {
            problems.push(clip(&format!("audio: {e}")));
        }
        problems.dedup();
        problems.truncate(MAX_PROBLEMS);
        Some(Health {
            display_id: text("display_id").unwrap_or_default(),
            connected: o.get("connected").and_then(Value::as_bool) == Some(true),
            link: text("link").unwrap_or_else(|| "?".into()),
            data_age_s: num("last_event_age_s"),
            last_error: o.get("last_connection_error").and_then(describe),
            version,
            uptime_s: num("uptime_s"),
            screen,
            screen_frozen,
            problems,
        })
    }
}

/// A problem as text: a string, or an object's kind and reason/message.
fn describe(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(clip(s)),
        Value::Object(o) => {
            let get = |k: &str| o.get(k).and_then(Value::as_str);
            let kind = get("kind");
            let what = get("reason").or(get("message")).or(get("detail"));
            match (kind, what) {
                (Some(k), Some(w)) => Some(clip(&format!("{k}: {w}"))),
                (Some(t), None) | (None, Some(t)) => Some(clip(t)),
                (None, None) => None,
            }
        }
        _ => None,
    }
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The last screenshot of a board: the only large thing kept, one per board.
#[derive(Debug, Clone, PartialEq)]
pub struct Shot {
    pub png: Arc<Vec<u8>>,
    pub at: Timestamp,
    /// Counts screenshots of this board, for URLs that change when the picture does.
    pub seq: u64,
}

/// Everything known of one board.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// When the last poll of /health ended; `None` before the first.
    pub polled_at: Option<Timestamp>,
    /// The last poll's result: the board's state, or why there was none.
    pub health: Option<Result<Health, String>>,
    /// When /health last answered.
    pub last_seen: Option<Timestamp>,
    pub shot: Option<Shot>,
    /// Why the last screenshot could not be fetched (the older one, if any, is still shown).
    pub shot_error: Option<String>,
}

/// How urgently a board needs someone; the order of the page, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Its health endpoint does not answer (or refuses the token).
    Unreachable,
    /// Not connected to the queue system while the service point is open, or a frozen screen.
    Down,
    /// Reports problems, or is disconnected while closed.
    Warning,
    /// Not polled yet.
    Pending,
    Ok,
}

impl Level {
    /// A word for the page and the table.
    pub fn word(self) -> &'static str {
        match self {
            Level::Unreachable => "unreachable",
            Level::Down => "down",
            Level::Warning => "warning",
            Level::Pending => "waiting",
            Level::Ok => "ok",
        }
    }
}

/// A board's state in one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub level: Level,
    pub summary: String,
    /// `--once` exits non-zero for this board: unreachable, or disconnected while open.
    pub fails: bool,
}

/// Judges one board at `now`.
pub fn verdict(display: &Display, seen: &Observed, now: Timestamp) -> Verdict {
    let open = display.hours.is_open(&in_warsaw(now));
    let v = |level, summary: String, fails| Verdict {
        level,
        summary,
        fails,
    };
    match &seen.health {
        None => v(Level::Pending, "not polled yet".into(), false),
        Some(Err(e)) => v(Level::Unreachable, e.clone(), true),
        Some(Ok(h)) if !h.connected && open => v(
            Level::Down,
            format!(
                "not connected to the queue system ({}) during opening hours{}",
                h.link,
                because(h)
            ),
            true,
        ),
        Some(Ok(h)) if h.screen_frozen => v(Level::Down, "screen frozen".into(), false),
        Some(Ok(h)) if !h.connected => v(
            Level::Warning,
            format!("not connected ({}){}; closed now", h.link, because(h)),
            false,
        ),
        Some(Ok(h)) => match h.problems.first().or(h.last_error.as_ref()) {
            Some(p) => v(Level::Warning, p.clone(), false),
            None => v(Level::Ok, "working".into(), false),
        },
    }
}

/// ": why", when the board said why it is not connected.
fn because(h: &Health) -> String {
    h.last_error
        .as_ref()
        .map_or_else(String::new, |e| format!(": {e}"))
}

/// The order of the page and the table: most urgent first, then by mall and id.
pub fn order(displays: &[Display], seen: &[Observed], now: Timestamp) -> Vec<(usize, Verdict)> {
    let mut rows: Vec<(usize, Verdict)> = displays
        .iter()
        .zip(seen)
        .enumerate()
        .map(|(i, (d, s))| (i, verdict(d, s, now)))
        .collect();
    rows.sort_by(|(a, va), (b, vb)| {
        (va.level, &displays[*a].mall, &displays[*a].id).cmp(&(
            vb.level,
            &displays[*b].mall,
            &displays[*b].id,
        ))
    });
    rows
}

/// "3 s", "4 min", "2 h 5 min", "3 d 4 h": an age or a duration for people.
pub fn human_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "?".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::OpeningHours;

    fn display(id: &str, mall: &str) -> Display {
        Display {
            id: id.into(),
            mall: mall.into(),
            address: "x:1".into(),
            token: None,
            hours: OpeningHours::default(),
        }
    }

    const MONDAY_NOON: &str = "2026-11-30T11:00:00Z";
    const MONDAY_NIGHT: &str = "2026-11-30T22:00:00Z";

    fn health(json: &str) -> Observed {
        Observed {
            health: Some(Ok(Health::from_json(json.as_bytes()).unwrap())),
            ..Observed::default()
        }
    }

    #[test]
    fn reads_health_leniently() {
        let h = Health::from_json(
            br#"{"version":"0.1.0","git_commit":"abc","connected":true,"link":"connected",
                "last_event_age_s":2.5,"uptime_s":100,"screen_width":1920,"screen_height":1080,
                "config_errors":["t.toml:3:1: rotation: must be 0, 90, 180 or 270"],
                "problems":[{"kind":"token_missing","reason":"no file","since":"x"}, 7],
                "last_connection_error":{"kind":"unauthorized","reason":"HTTP 401"},
                "audio":{"error":"no device"},"new_field":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(h.version, "0.1.0 (abc)");
        assert_eq!(h.screen, "1920×1080");
        assert_eq!(h.data_age_s, Some(2.5));
        assert_eq!(h.last_error.as_deref(), Some("unauthorized: HTTP 401"));
        assert_eq!(
            h.problems,
            [
                "token_missing: no file",
                "t.toml:3:1: rotation: must be 0, 90, 180 or 270",
                "audio: no device"
            ]
        );
        assert!(Health::from_json(b"[1]").is_none());
        assert!(Health::from_json(b"not json").is_none());
        let huge = format!("{{\"problems\":[\"{}\"]}}", "x".repeat(10_000));
        let h = Health::from_json(huge.as_bytes()).unwrap();
        assert!(h.problems[0].chars().count() <= MAX_TEXT + 1);
        assert_eq!(h.version, "?");
    }

    #[test]
    fn problems_first_and_what_fails() {
        let displays = [
            display("ok", "A"),
            display("dead", "B"),
            display("off", "A"),
            display("warn", "A"),
        ];
        let seen = [
            health(r#"{"connected":true}"#),
            Observed {
                health: Some(Err("cannot connect: refused".into())),
                ..Observed::default()
            },
            health(
                r#"{"connected":false,"link":"connecting",
                    "last_connection_error":{"kind":"unauthorized","reason":"HTTP 401"}}"#,
            ),
            health(r#"{"connected":true,"layout_errors":["bad"]}"#),
        ];
        let noon: Timestamp = MONDAY_NOON.parse().unwrap();
        let rows = order(&displays, &seen, noon);
        let ids: Vec<&str> = rows.iter().map(|(i, _)| displays[*i].id.as_str()).collect();
        assert_eq!(ids, ["dead", "off", "warn", "ok"]);
        let fails: Vec<bool> = rows.iter().map(|(_, v)| v.fails).collect();
        assert_eq!(fails, [true, true, false, false]);
        assert_eq!(
            rows[1].1.summary,
            "not connected to the queue system (connecting) during opening hours: \
             unauthorized: HTTP 401"
        );
        // At night the disconnected board is only a warning, and does not fail `--once`.
        let night: Timestamp = MONDAY_NIGHT.parse().unwrap();
        let v = verdict(&displays[2], &seen[2], night);
        assert_eq!((v.level, v.fails), (Level::Warning, false));
        assert_eq!(
            verdict(&displays[0], &Observed::default(), noon).level,
            Level::Pending
        );
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(3.4), "3 s");
        assert_eq!(human_duration(125.0), "2 min");
        assert_eq!(human_duration(7500.0), "2 h 5 min");
        assert_eq!(human_duration(200_000.0), "2 d 7 h");
        assert_eq!(human_duration(f64::NAN), "?");
    }
}
