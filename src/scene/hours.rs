//! Opening hours of a service point, in Warsaw time.

use super::polish::{WEEKDAYS, hhmm, weekday_index};
use jiff::ZonedDateTime;

/// Opening and closing time per weekday (Monday first), in minutes after midnight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub days: [Option<(u16, u16)>; 7],
}

impl Default for OpeningHours {
    /// Rzeszów's service points: Monday to Saturday, 10:00–18:00.
    fn default() -> Self {
        let open = Some((10 * 60, 18 * 60));
        OpeningHours {
            days: [open, open, open, open, open, open, None],
        }
    }
}

impl OpeningHours {
    /// Open every day, all day (the demo and designers' previews use this).
    pub fn always() -> Self {
        OpeningHours {
            days: [Some((0, 24 * 60)); 7],
        }
    }

    pub fn is_open(&self, t: &ZonedDateTime) -> bool {
        let minute = t.hour() as u16 * 60 + t.minute() as u16;
        self.days[weekday_index(t)].is_some_and(|(open, close)| (open..close).contains(&minute))
    }

    /// Parses "HH:MM-HH:MM" for one day.
    /// The names of the days as settings files write them, Monday first (the index of `days`).
    pub const DAY_KEYS: [&'static str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];

    /// One day's setting: `"closed"` (any case) is `Some(None)`, `"10:00-18:00"` is
    /// `Some(Some(range))`, anything else `None`.
    pub fn parse_day(s: &str) -> Option<Option<(u16, u16)>> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("closed") {
            Some(None)
        } else {
            Self::parse_range(s).map(Some)
        }
    }

    pub fn parse_range(s: &str) -> Option<(u16, u16)> {
        let (a, b) = s.trim().split_once(['-', '–'])?;
        let parse = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        };
        let (open, close) = (parse(a)?, parse(b)?);
        (open < close).then_some((open, close))
    }

    /// Runs of consecutive days with the same hours: (first day, last day, open, close), Monday
    /// = 0; closed days are left out.
    pub fn groups(&self) -> Vec<(usize, usize, u16, u16)> {
        let mut groups = Vec::new();
        let mut i = 0;
        while i < 7 {
            let Some((open, close)) = self.days[i] else {
                i += 1;
                continue;
            };
            let mut j = i;
            while j + 1 < 7 && self.days[j + 1] == self.days[i] {
                j += 1;
            }
            groups.push((i, j, open, close));
            i = j + 1;
        }
        groups
    }

    /// Lines for people, grouping consecutive days with the same hours:
    /// "poniedziałek – sobota: 10:00 – 18:00".
    pub fn describe(&self) -> Vec<String> {
        self.groups()
            .into_iter()
            .map(|(i, j, open, close)| {
                let days = if i == j {
                    WEEKDAYS[i].to_owned()
                } else {
                    format!("{} – {}", WEEKDAYS[i], WEEKDAYS[j])
                };
                format!("{days}: {} – {}", hhmm(open), hhmm(close))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::time::in_warsaw;

    fn at(s: &str) -> ZonedDateTime {
        in_warsaw(s.parse().unwrap())
    }

    #[test]
    fn default_hours() {
        let h = OpeningHours::default();
        assert!(h.is_open(&at("2026-11-30T09:00:00Z"))); // Monday 10:00 in Warsaw
        assert!(!h.is_open(&at("2026-11-30T08:59:00Z")));
        assert!(!h.is_open(&at("2026-11-30T17:00:00Z"))); // 18:00: closed
        assert!(!h.is_open(&at("2026-12-06T11:00:00Z"))); // Sunday
        assert!(h.is_open(&at("2026-12-05T11:00:00Z"))); // Saturday
        assert_eq!(h.describe(), ["poniedziałek – sobota: 10:00 – 18:00"]);
    }

    #[test]
    fn parses_ranges() {
        assert_eq!(OpeningHours::parse_range("10:00-18:00"), Some((600, 1080)));
        assert_eq!(OpeningHours::parse_range("8:30 – 14:00"), Some((510, 840)));
        assert_eq!(OpeningHours::parse_range("18:00-10:00"), None);
        assert_eq!(OpeningHours::parse_range("25:00-26:00"), None);
        assert_eq!(OpeningHours::parse_range("x"), None);
    }
}
