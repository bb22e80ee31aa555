//! The fleet view's outputs: the web page, its JSON, and the table `--once` prints. Pure: the
//! time is passed in. Every text that came from a board is escaped before it goes into HTML.

use super::list::Display;
use super::state::{Level, Observed, Verdict, human_duration, order};
use crate::protocol::time::in_warsaw;
use jiff::Timestamp;
use serde_json::json;
use std::fmt::Write;

/// Seconds between the page's own refreshes.
pub const REFRESH_S: u64 = 5;

/// Text for HTML, in an element or a quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Seconds from `then` to `now`, never negative.
fn since(then: Timestamp, now: Timestamp) -> f64 {
    (now.as_millisecond() - then.as_millisecond()).max(0) as f64 / 1000.0
}

/// The age of the board's data now: its age when polled plus the time since.
fn data_age(seen: &Observed, now: Timestamp) -> Option<f64> {
    let h = seen.health.as_ref()?.as_ref().ok()?;
    Some(h.data_age_s? + seen.polled_at.map_or(0.0, |p| since(p, now)))
}

/// One board's facts as (label, value) pairs, the same on the page and in the JSON.
fn facts(seen: &Observed, now: Timestamp) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match seen.health.as_ref() {
        Some(Ok(h)) => {
            out.push(("Link", h.link.clone()));
            out.push((
                "Data",
                data_age(seen, now).map_or_else(
                    || "none yet".into(),
                    |a| format!("{} ago", human_duration(a)),
                ),
            ));
            if !h.screen.is_empty() {
                out.push(("Screen", h.screen.clone()));
            }
            out.push(("Version", h.version.clone()));
            if let Some(u) = h.uptime_s {
                out.push(("Uptime", human_duration(u)));
            }
            if let Some(e) = &h.last_error {
                out.push(("Last error", e.clone()));
            }
        }
        Some(Err(_)) => {
            out.push((
                "Last seen",
                seen.last_seen.map_or_else(
                    || "never".into(),
                    |t| format!("{} ago", human_duration(since(t, now))),
                ),
            ));
        }
        None => {}
    }
    out
}

fn problems(seen: &Observed) -> &[String] {
    match seen.health.as_ref() {
        Some(Ok(h)) => &h.problems,
        _ => &[],
    }
}

/// The whole page. `serial` numbers the pages served (it marks the grid, so that one can tell a
/// grid the page fetched by itself from the one it was loaded with).
pub fn html(displays: &[Display], seen: &[Observed], now: Timestamp, serial: u64) -> String {
    let rows = order(displays, seen, now);
    let mut counts = [0usize; 5];
    for (_, v) in &rows {
        counts[v.level as usize] += 1;
    }
    let mut chips = String::new();
    for level in [
        Level::Unreachable,
        Level::Down,
        Level::Warning,
        Level::Pending,
        Level::Ok,
    ] {
        let n = counts[level as usize];
        if n > 0 || level == Level::Ok {
            let _ = write!(
                chips,
                r#"<span class="chip {w}">{n} {w}</span>"#,
                w = level.word()
            );
        }
    }
    let mut cards = String::new();
    for (i, v) in &rows {
        card(&mut cards, *i, &displays[*i], &seen[*i], v, now);
    }
    let clock = in_warsaw(now).strftime("%Y-%m-%d %H:%M:%S");
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tablica fleet</title>
<noscript><meta http-equiv="refresh" content="{refresh}"></noscript>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Tablica <span>fleet</span></h1>
<div id="summary"><span class="total">{total} displays</span>{chips}<span class="clock">updated {clock} (Warsaw)</span></div>
</header>
<main id="board" data-serial="{serial}">
{cards}</main>
<script>{SCRIPT}</script>
</body>
</html>
"#,
        refresh = REFRESH_S,
        total = displays.len(),
    )
}

fn card(out: &mut String, index: usize, d: &Display, seen: &Observed, v: &Verdict, now: Timestamp) {
    let word = v.level.word();
    let shot = match &seen.shot {
        Some(s) => format!(
            r#"<img src="/shot/{index}.png?v={seq}" alt="screen of {id}" loading="lazy">"#,
            seq = s.seq,
            id = escape(&d.id)
        ),
        None => {
            let why = seen.shot_error.as_deref().unwrap_or(match v.level {
                Level::Pending => "waiting for the first poll",
                Level::Unreachable => "no picture: the display does not answer",
                _ => "no screenshot",
            });
            format!(r#"<div class="noshot">{}</div>"#, escape(why))
        }
    };
    let stale = match (&seen.shot, v.level) {
        (Some(s), Level::Unreachable) => format!(
            r#"<div class="stale">picture from {} ago</div>"#,
            human_duration(since(s.at, now))
        ),
        _ => String::new(),
    };
    let mut facts_html = String::new();
    for (k, val) in facts(seen, now) {
        // Said already, in the line above.
        if k == "Last error" && v.summary.contains(&val) {
            continue;
        }
        let _ = write!(facts_html, "<dt>{k}</dt><dd>{}</dd>", escape(&val));
    }
    let mut problems_html = String::new();
    for p in problems(seen).iter().filter(|p| **p != v.summary) {
        let _ = write!(problems_html, "<li>{}</li>", escape(p));
    }
    if !problems_html.is_empty() {
        problems_html = format!(r#"<ul class="problems">{problems_html}</ul>"#);
    }
    let mall = if d.mall.is_empty() {
        String::new()
    } else {
        format!("{} · ", escape(&d.mall))
    };
    let _ = writeln!(
        out,
        r#"<article class="card {word}" data-id="{id}" data-level="{word}">
<div class="shot">{shot}{stale}</div>
<div class="body">
<div class="title"><span class="pill">{word}</span><h2>{id}</h2></div>
<div class="where">{mall}{address}</div>
<p class="summary">{summary}</p>
<dl>{facts_html}</dl>{problems_html}
</div>
</article>"#,
        id = escape(&d.id),
        address = escape(&d.address),
        summary = escape(&v.summary),
    );
}

/// The same as JSON (`/fleet.json`), for scripts and monitoring.
pub fn json(displays: &[Display], seen: &[Observed], now: Timestamp) -> serde_json::Value {
    let boards: Vec<serde_json::Value> = order(displays, seen, now)
        .into_iter()
        .map(|(i, v)| {
            let (d, s) = (&displays[i], &seen[i]);
            json!({
                "id": d.id,
                "mall": d.mall,
                "address": d.address,
                "level": v.level,
                "summary": v.summary,
                "fails": v.fails,
                "health": s.health.as_ref().and_then(|h| h.as_ref().ok()),
                "data_age_s": data_age(s, now),
                "polled_at": s.polled_at.map(|t| t.to_string()),
                "last_seen": s.last_seen.map(|t| t.to_string()),
                "screenshot": s.shot.as_ref().map(|shot| format!("/shot/{i}.png?v={}", shot.seq)),
            })
        })
        .collect();
    json!({ "now": now.to_string(), "displays": boards })
}

/// The table `--once` prints, most urgent first.
pub fn table(displays: &[Display], seen: &[Observed], now: Timestamp) -> String {
    let rows = order(displays, seen, now);
    let header = [
        "STATE", "DISPLAY", "MALL", "ADDRESS", "LINK", "DATA", "VERSION", "UPTIME", "PROBLEM",
    ];
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|s| (*s).to_owned()).collect()];
    for (i, v) in rows {
        let (d, s) = (&displays[i], &seen[i]);
        let h = s.health.as_ref().and_then(|h| h.as_ref().ok());
        let dash = || "-".to_owned();
        lines.push(vec![
            v.level.word().to_uppercase(),
            d.id.clone(),
            d.mall.clone(),
            d.address.clone(),
            h.map_or_else(dash, |h| h.link.clone()),
            data_age(s, now).map_or_else(dash, |a| format!("{} ago", human_duration(a))),
            h.map_or_else(dash, |h| h.version.clone()),
            h.and_then(|h| h.uptime_s).map_or_else(dash, human_duration),
            // One line per board: newlines in a board's text would break the table.
            v.summary.replace(['\n', '\r', '\t'], " "),
        ]);
    }
    let mut widths = vec![0; header.len()];
    for l in &lines {
        for (w, cell) in widths.iter_mut().zip(l) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for l in &lines {
        let mut line = String::new();
        for (j, cell) in l.iter().enumerate() {
            if j + 1 == l.len() {
                line.push_str(cell);
            } else {
                let pad = widths[j] - cell.chars().count();
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Refreshes the page in place: fetches it again and swaps the summary and the grid, so the
/// page does not flash. Screenshots keep their URL while the picture is the same, and the
/// browser shows them from its cache.
const SCRIPT: &str = r#"
setInterval(async () => {
  try {
    const r = await fetch(location.pathname, { cache: "no-store" });
    if (!r.ok) return;
    const doc = new DOMParser().parseFromString(await r.text(), "text/html");
    for (const id of ["summary", "board"]) {
      const fresh = doc.getElementById(id);
      if (fresh) document.getElementById(id).replaceWith(fresh);
    }
    document.body.classList.remove("offline");
  } catch (e) {
    document.body.classList.add("offline");
  }
}, 5000);
"#;

const STYLE: &str = r#"
:root { --bg: #eef1f5; --card: #fff; --ink: #17202e; --muted: #5b6675; --line: #d9dee6;
  --red: #b42318; --orange: #c4320a; --amber: #b54708; --green: #067647; --grey: #667085; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 "DejaVu Sans", "Segoe UI", system-ui, sans-serif; }
header { background: #14213d; color: #fff; padding: 14px 24px; display: flex;
  align-items: center; gap: 24px; flex-wrap: wrap; }
h1 { margin: 0; font-size: 22px; font-weight: 700; letter-spacing: .3px; }
h1 span { font-weight: 400; opacity: .75; }
#summary { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; flex: 1; }
.total { font-weight: 600; margin-right: 6px; }
.chip { padding: 3px 10px; border-radius: 999px; font-size: 13px; font-weight: 600;
  background: rgba(255,255,255,.12); }
.chip.unreachable { background: var(--red); }
.chip.down { background: var(--orange); }
.chip.warning { background: var(--amber); }
.chip.ok { background: var(--green); }
.clock { margin-left: auto; opacity: .8; font-size: 13px; }
body.offline .clock::after { content: " · fleet server not answering"; color: #ffb4a8; }
main { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 18px;
  padding: 20px 24px; }
.card { background: var(--card); border-radius: 10px; overflow: hidden;
  box-shadow: 0 1px 3px rgba(16,24,40,.12); border-top: 5px solid var(--grey); }
.card.unreachable { border-top-color: var(--red); }
.card.down { border-top-color: var(--orange); }
.card.warning { border-top-color: var(--amber); }
.card.ok { border-top-color: var(--green); }
.shot { position: relative; aspect-ratio: 16 / 9; background: #1d2433; }
.shot img { width: 100%; height: 100%; object-fit: contain; display: block; }
.noshot { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; color: #aab3c2; font-size: 14px; padding: 16px; text-align: center; }
.stale { position: absolute; left: 0; right: 0; bottom: 0; background: rgba(180,35,24,.85);
  color: #fff; font-size: 12px; padding: 3px 10px; }
.card.unreachable .shot img { filter: grayscale(1) brightness(.6); }
.body { padding: 12px 16px 14px; }
.title { display: flex; align-items: center; gap: 10px; }
h2 { margin: 0; font-size: 18px; overflow-wrap: anywhere; }
.pill { text-transform: uppercase; font-size: 11px; font-weight: 700; letter-spacing: .6px;
  color: #fff; background: var(--grey); padding: 2px 8px; border-radius: 4px; }
.unreachable .pill { background: var(--red); }
.down .pill { background: var(--orange); }
.warning .pill { background: var(--amber); }
.ok .pill { background: var(--green); }
.where { color: var(--muted); font-size: 13px; margin-top: 2px; overflow-wrap: anywhere; }
.summary { margin: 8px 0; font-weight: 600; overflow-wrap: anywhere; }
.ok .summary { font-weight: 400; color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0;
  font-size: 13px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.problems { margin: 8px 0 0; padding-left: 18px; color: var(--amber); font-size: 13px; }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::state::Health;
    use crate::scene::OpeningHours;

    #[test]
    fn board_text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let d = Display {
            id: "<b>".into(),
            mall: "M".into(),
            address: "x:1".into(),
            token: None,
            hours: OpeningHours::always(),
        };
        let seen = Observed {
            health: Some(Ok(Health {
                problems: vec!["<script>alert(1)</script>".into()],
                connected: true,
                ..Health::default()
            })),
            ..Observed::default()
        };
        let now: Timestamp = "2026-11-30T11:00:00Z".parse().unwrap();
        let page = html(
            std::slice::from_ref(&d),
            std::slice::from_ref(&seen),
            now,
            1,
        );
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;b&gt;"));
        let t = table(&[d], &[seen], now);
        assert!(t.starts_with("STATE"), "{t}");
        assert!(t.contains("WARNING"), "{t}");
    }

    #[test]
    fn an_unreachable_board_keeps_its_last_picture_with_its_age() {
        let d = Display {
            id: "a".into(),
            mall: String::new(),
            address: "x:1".into(),
            token: None,
            hours: OpeningHours::always(),
        };
        let now: Timestamp = "2026-11-30T11:00:00Z".parse().unwrap();
        let seen = Observed {
            health: Some(Err("cannot connect: connection refused".into())),
            last_seen: Some("2026-11-30T10:58:00Z".parse().unwrap()),
            shot: Some(crate::fleet::state::Shot {
                png: std::sync::Arc::new(vec![1]),
                at: "2026-11-30T10:57:00Z".parse().unwrap(),
                seq: 7,
            }),
            ..Observed::default()
        };
        let page = html(
            std::slice::from_ref(&d),
            std::slice::from_ref(&seen),
            now,
            1,
        );
        assert!(page.contains(r#"<img src="/shot/0.png?v=7""#), "{page}");
        assert!(page.contains("picture from 3 min ago"), "{page}");
        assert!(page.contains("<dd>2 min ago</dd>"), "{page}");
        let json = json(&[d], &[seen], now);
        assert_eq!(json["displays"][0]["level"], "unreachable");
        assert_eq!(json["displays"][0]["screenshot"], "/shot/0.png?v=7");
    }
}
