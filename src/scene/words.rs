//! The board's fixed words in Polish, Ukrainian and English.
//!
//! Each language has a table under `assets/i18n/`, built into the binary so that a missing or
//! damaged file on the display cannot blank the board. Polish is the board's own language and
//! the fallback: a key that another table lacks (or a table that does not parse at all) is shown
//! in Polish, key by key, so a half-finished translation degrades to Polish words, never to an
//! empty box.
//!
//! Plurals follow each language's rules: Polish and Ukrainian have three forms for counted nouns
//! (one, few, many; "1 особа", "2 особи", "5 осіб"), English two (one, other).

use crate::layout::Lang;
use crate::scene::hours::OpeningHours;
use jiff::ZonedDateTime;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The built-in tables, one per language.
pub const PL_TOML: &str = include_str!("../../assets/i18n/pl.toml");
pub const UK_TOML: &str = include_str!("../../assets/i18n/uk.toml");
pub const EN_TOML: &str = include_str!("../../assets/i18n/en.toml");

/// One language's words by key; nested tables and arrays are flattened to `people.one` and
/// `weekdays.0`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    words: HashMap<String, String>,
}

impl Table {
    /// Reads a table; text that does not parse gives an empty table (every key then falls back
    /// to Polish), because a translation must never stop the board.
    pub fn parse(text: &str) -> Table {
        let mut words = HashMap::new();
        if let Ok(table) = text.parse::<toml::Table>() {
            for (key, value) in table {
                flatten(key, value, &mut words);
            }
        }
        Table { words }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.words.get(key).map(String::as_str)
    }

    /// The built-in table of `lang`, parsed once for the whole run.
    pub fn builtin(lang: Lang) -> &'static Table {
        static PL: OnceLock<Table> = OnceLock::new();
        static UK: OnceLock<Table> = OnceLock::new();
        static EN: OnceLock<Table> = OnceLock::new();
        let (cell, text) = match lang {
            Lang::Pl => (&PL, PL_TOML),
            Lang::Uk => (&UK, UK_TOML),
            Lang::En => (&EN, EN_TOML),
        };
        cell.get_or_init(|| Table::parse(text))
    }
}

fn flatten(key: String, value: toml::Value, out: &mut HashMap<String, String>) {
    match value {
        toml::Value::String(s) => {
            out.insert(key, s);
        }
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(format!("{key}.{k}"), v, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.into_iter().enumerate() {
                flatten(format!("{key}.{i}"), v, out);
            }
        }
        // Numbers, booleans and dates are not words; a table holding one where a word belongs
        // falls back to Polish for that key.
        _ => {}
    }
}

/// A plural form: which of a noun's forms a count takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Few,
    Many,
    Other,
}

impl Plural {
    /// The form's key in the tables.
    pub fn key(self) -> &'static str {
        match self {
            Plural::One => "one",
            Plural::Few => "few",
            Plural::Many => "many",
            Plural::Other => "other",
        }
    }

    /// The form `lang` gives the count `n`.
    pub fn of(lang: Lang, n: u64) -> Plural {
        let (last, last_two) = (n % 10, n % 100);
        let few = (2..=4).contains(&last) && !(12..=14).contains(&last_two);
        match lang {
            // "1 osoba", but "21 osób": only one itself takes the singular.
            Lang::Pl if n == 1 => Plural::One,
            Lang::Pl if few => Plural::Few,
            Lang::Pl => Plural::Many,
            // "1 особа" and "21 особа", but "11 осіб".
            Lang::Uk if last == 1 && last_two != 11 => Plural::One,
            Lang::Uk if few => Plural::Few,
            Lang::Uk => Plural::Many,
            Lang::En if n == 1 => Plural::One,
            Lang::En => Plural::Other,
        }
    }
}

/// The words of one language, with Polish behind every key it lacks.
#[derive(Debug, Clone, Copy)]
pub struct Words<'a> {
    pub lang: Lang,
    own: &'a Table,
    polish: &'a Table,
}

impl Words<'static> {
    /// The built-in words of `lang`.
    pub fn of(lang: Lang) -> Words<'static> {
        Words {
            lang,
            own: Table::builtin(lang),
            polish: Table::builtin(Lang::Pl),
        }
    }
}

impl<'a> Words<'a> {
    /// Words of `lang` from `own`, falling back to `polish` (tests give tables of their own).
    pub fn from_tables(lang: Lang, own: &'a Table, polish: &'a Table) -> Words<'a> {
        Words { lang, own, polish }
    }

    /// The word for `key`: this language's, else Polish, else the key itself (which a test
    /// keeps out of the built-in Polish table).
    pub fn get(&self, key: &'a str) -> &'a str {
        self.own
            .get(key)
            .or_else(|| self.polish.get(key))
            .unwrap_or(key)
    }

    /// The word for `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &'a str, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }

    /// A count with its noun in the right form: `count("people", 2)` is "2 особи" in Ukrainian.
    pub fn count(&self, noun: &str, n: u64) -> String {
        let own = format!("{noun}.{}", Plural::of(self.lang, n).key());
        let template = self.own.get(&own).unwrap_or_else(|| {
            // Polish forms by Polish rules: a table without the noun reads wholly in Polish.
            let polish = format!("{noun}.{}", Plural::of(Lang::Pl, n).key());
            self.polish.get(&polish).unwrap_or("{n}")
        });
        fill(template, &[("n", &n.to_string())])
    }

    /// "1 osoba", "3 особи", "12 people".
    pub fn people(&self, n: u32) -> String {
        self.count("people", n.into())
    }

    /// An estimated wait in words: "ok. 5 minut", "бл. 1 год. 10 хв", "about 2 h".
    ///
    /// Short waits are given to the minute; longer ones are rounded to five minutes, because a
    /// precise-looking "ok. 37 minut" promises more than any estimate can keep.
    pub fn wait(&self, seconds: u32) -> String {
        let mins = u64::from(seconds).div_ceil(60).max(1);
        let rounded = if mins <= 10 {
            mins
        } else {
            mins.div_ceil(5) * 5
        };
        if rounded < 60 {
            let minutes = self.count("minutes", rounded);
            return self.fill("wait_minutes", &[("minutes", &minutes)]);
        }
        let (h, m) = (rounded / 60, rounded % 60);
        let (h, m) = (h.to_string(), m.to_string());
        if m == "0" {
            self.fill("wait_hours", &[("h", &h)])
        } else {
            self.fill("wait_hours_minutes", &[("h", &h), ("m", &m)])
        }
    }

    /// Monday = 0.
    pub fn weekday(&self, i: usize) -> &'a str {
        self.get(WEEKDAY_KEYS[i % 7])
    }

    /// January = 0, in the form a date uses.
    pub fn month(&self, i: usize) -> &'a str {
        self.get(MONTH_KEYS[i % 12])
    }

    /// The date in ever shorter forms, longest first: "poniedziałek, 30 listopada 2026",
    /// "30 listopada 2026", "30.11.2026". A narrow header takes the first that fits rather than
    /// cutting the date.
    pub fn date_forms(&self, t: &ZonedDateTime) -> [String; 3] {
        let weekday = self.weekday(t.weekday().to_monday_zero_offset() as usize);
        let month = self.month((t.month() - 1) as usize);
        let (day, year) = (t.day().to_string(), t.year().to_string());
        let values = [
            ("weekday", weekday),
            ("day", day.as_str()),
            ("month", month),
            ("year", year.as_str()),
        ];
        [
            self.fill("date_long", &values),
            self.fill("date_medium", &values),
            format!("{:02}.{:02}.{}", t.day(), t.month(), t.year()),
        ]
    }

    /// Opening hours for people, grouping consecutive days with the same hours:
    /// "poniedziałek – sobota: 10:00 – 18:00".
    pub fn hours(&self, hours: &OpeningHours) -> Vec<String> {
        hours
            .groups()
            .into_iter()
            .map(|(first, last, open, close)| {
                let days = if first == last {
                    self.weekday(first).to_owned()
                } else {
                    format!("{} – {}", self.weekday(first), self.weekday(last))
                };
                format!(
                    "{days}: {} – {}",
                    super::polish::hhmm(open),
                    super::polish::hhmm(close)
                )
            })
            .collect()
    }
}

const WEEKDAY_KEYS: [&str; 7] = [
    "weekdays.0",
    "weekdays.1",
    "weekdays.2",
    "weekdays.3",
    "weekdays.4",
    "weekdays.5",
    "weekdays.6",
];

const MONTH_KEYS: [&str; 12] = [
    "months.0",
    "months.1",
    "months.2",
    "months.3",
    "months.4",
    "months.5",
    "months.6",
    "months.7",
    "months.8",
    "months.9",
    "months.10",
    "months.11",
];

/// `template` with each `{name}` replaced by its value; unknown names are left as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests;
