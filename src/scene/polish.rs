//! Polish words on the board: plurals, waits, dates and times.
//!
//! Polish has three plural forms for counted nouns: one ("1 osoba"), few for numbers ending in
//! 2–4 except 12–14 ("2 osoby", "22 osoby") and many for the rest ("5 osób", "12 osób").

use jiff::ZonedDateTime;

/// Picks the Polish plural form for `n`.
pub fn plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        return one;
    }
    let (last, last_two) = (n % 10, n % 100);
    if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
        few
    } else {
        many
    }
}

/// "1 osoba", "3 osoby", "12 osób".
pub fn people(n: u32) -> String {
    format!("{n} {}", plural(n.into(), "osoba", "osoby", "osób"))
}

/// "1 minuta", "22 minuty", "25 minut".
pub fn minutes(n: u64) -> String {
    format!("{n} {}", plural(n, "minuta", "minuty", "minut"))
}

/// An estimated wait in words: "ok. 5 minut", "ok. 1 godz. 10 min", "ok. 2 godz.".
///
/// Short waits are given to the minute; longer ones are rounded to five minutes, because a
/// precise-looking "ok. 37 minut" promises more than any estimate can keep.
pub fn wait(seconds: u32) -> String {
    let mins = u64::from(seconds).div_ceil(60).max(1);
    if mins <= 10 {
        return format!("ok. {}", minutes(mins));
    }
    let rounded = mins.div_ceil(5) * 5;
    if rounded < 60 {
        return format!("ok. {}", minutes(rounded));
    }
    let (h, m) = (rounded / 60, rounded % 60);
    if m == 0 {
        format!("ok. {h} godz.")
    } else {
        format!("ok. {h} godz. {m} min")
    }
}

pub const WEEKDAYS: [&str; 7] = [
    "poniedziałek",
    "wtorek",
    "środa",
    "czwartek",
    "piątek",
    "sobota",
    "niedziela",
];

pub const WEEKDAYS_SHORT: [&str; 7] = ["pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."];

/// Month names in the genitive, as used in dates ("30 listopada").
pub const MONTHS_GENITIVE: [&str; 12] = [
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

/// Monday = 0.
pub fn weekday_index(t: &ZonedDateTime) -> usize {
    t.weekday().to_monday_zero_offset() as usize
}

/// "poniedziałek, 30 listopada 2026".
pub fn date(t: &ZonedDateTime) -> String {
    format!(
        "{}, {} {} {}",
        WEEKDAYS[weekday_index(t)],
        t.day(),
        MONTHS_GENITIVE[(t.month() - 1) as usize],
        t.year()
    )
}

/// The date in ever shorter forms, longest first: "poniedziałek, 30 listopada 2026",
/// "30 listopada 2026", "30.11.2026". A narrow header takes the first that fits rather than
/// cutting the date.
pub fn date_forms(t: &ZonedDateTime) -> [String; 3] {
    [
        date(t),
        format!(
            "{} {} {}",
            t.day(),
            MONTHS_GENITIVE[(t.month() - 1) as usize],
            t.year()
        ),
        format!("{:02}.{:02}.{}", t.day(), t.month(), t.year()),
    ]
}

/// "09:05" — 24-hour, always two digits.
pub fn clock(t: &ZonedDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "10:00" from minutes after midnight.
pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::time::in_warsaw;

    #[test]
    fn people_plurals() {
        let cases = [
            (1, "1 osoba"),
            (2, "2 osoby"),
            (3, "3 osoby"),
            (4, "4 osoby"),
            (5, "5 osób"),
            (11, "11 osób"),
            (12, "12 osób"),
            (14, "14 osób"),
            (21, "21 osób"),
            (22, "22 osoby"),
            (104, "104 osoby"),
            (112, "112 osób"),
            (0, "0 osób"),
        ];
        for (n, want) in cases {
            assert_eq!(people(n), want);
        }
    }

    #[test]
    fn minute_plurals() {
        assert_eq!(minutes(1), "1 minuta");
        assert_eq!(minutes(22), "22 minuty");
        assert_eq!(minutes(25), "25 minut");
        assert_eq!(minutes(13), "13 minut");
    }

    #[test]
    fn waits_in_words() {
        assert_eq!(wait(10), "ok. 1 minuta");
        assert_eq!(wait(120), "ok. 2 minuty");
        assert_eq!(wait(300), "ok. 5 minut");
        assert_eq!(wait(14 * 60), "ok. 15 minut");
        assert_eq!(wait(22 * 60), "ok. 25 minut");
        assert_eq!(wait(70 * 60), "ok. 1 godz. 10 min");
        assert_eq!(wait(120 * 60), "ok. 2 godz.");
        assert_eq!(wait(u32::MAX), "ok. 1193046 godz. 30 min");
    }

    #[test]
    fn polish_dates_in_warsaw() {
        let t: jiff::Timestamp = "2026-11-30T11:05:00Z".parse().unwrap();
        let z = in_warsaw(t);
        assert_eq!(date(&z), "poniedziałek, 30 listopada 2026");
        assert_eq!(clock(&z), "12:05");
        // Summer time: UTC+2.
        let z = in_warsaw("2026-07-04T07:30:00Z".parse().unwrap());
        assert_eq!(date(&z), "sobota, 4 lipca 2026");
        assert_eq!(clock(&z), "09:30");
    }
}
