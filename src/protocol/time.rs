//! Wall-clock helpers: RFC 3339 on the wire, Europe/Warsaw on screen.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime};
use std::sync::OnceLock;

/// The time zone of every resident-service point this program serves.
pub fn warsaw() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        // The tz database is bundled into the binary (jiff's `tzdb-bundle-always`), so this
        // lookup does not depend on the machine; the fixed offset is only a last resort.
        TimeZone::get("Europe/Warsaw").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)))
    })
    .clone()
}

/// A timestamp as a date and time in Warsaw.
pub fn in_warsaw(t: Timestamp) -> ZonedDateTime {
    t.to_zoned_datetime(warsaw())
}

/// Formats a timestamp as RFC 3339 with Warsaw's offset, e.g. `2026-11-30T11:02:13+01:00`.
pub fn format_rfc3339(t: Timestamp) -> String {
    in_warsaw(t).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses an RFC 3339 timestamp; an offset (or `Z`) is required.
pub fn parse_rfc3339(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|e| format!("not an RFC 3339 time with offset ({e})"))
}

/// Adds a duration to a timestamp, saturating instead of panicking: times come from the network
/// and may sit at the very end of the representable range.
pub fn saturating_add(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `#[serde(with = "time::rfc3339")]` for `Timestamp` fields.
pub mod rfc3339 {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        super::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}
