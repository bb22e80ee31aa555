//! Every number a layout may hold, with its unit and the range that makes sense for it.
//!
//! This table is the one place that says what a number may be: [`super::Layout`]'s validation
//! checks every entry, parse errors about a number (a negative count, a word where a number
//! belongs) are reworded from it, docs/LAYOUT.md lists the same ranges, and a test proves that no
//! numeric key of the layout is missing from it. NaN and infinities fail every range, because a
//! range test on them is false.

use super::Layout;

/// What a number measures, which says how to read the range in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Percent of the screen's shorter side (type sizes, corners, padding, outlines).
    ShortSide,
    /// Seconds.
    Seconds,
    /// A whole number of things (calls, columns, rows).
    Count,
    /// Percent of the height of the panel the key belongs to.
    PanelHeight,
}

/// One numeric key and its valid range (both ends included).
pub struct Number {
    /// `table.key`, as written in the file.
    pub key: &'static str,
    pub min: f64,
    pub max: f64,
    pub unit: Unit,
    /// What it is, for people: "how long a new call blinks".
    pub what: &'static str,
    get: fn(&Layout) -> f64,
    set: fn(&mut Layout, f64),
}

impl Number {
    /// The number in `layout`.
    pub fn get(&self, layout: &Layout) -> f64 {
        (self.get)(layout)
    }

    /// Puts `value` into `layout` (as its field's type takes it: counts saturate), bypassing
    /// validation; for tests that feed the scene values a file could not.
    pub fn set(&self, layout: &mut Layout, value: f64) {
        (self.set)(layout, value)
    }

    /// Whether `value` is allowed.
    pub fn allows(&self, value: f64) -> bool {
        let whole = self.unit != Unit::Count || value.fract() == 0.0;
        whole && (self.min..=self.max).contains(&value)
    }

    /// "a number of seconds between 0 and 60".
    pub fn range(&self) -> String {
        let (min, max) = (self.min, self.max);
        match self.unit {
            Unit::ShortSide => {
                format!("a number between {min} and {max} (percent of the screen's shorter side)")
            }
            Unit::Seconds => format!("a number of seconds between {min} and {max}"),
            Unit::Count => format!("a whole number between {min} and {max}"),
            Unit::PanelHeight => {
                format!("a number between {min} and {max} (percent of the panel's height)")
            }
        }
    }

    /// `value` as a person would write it: `4`, `0.1`, `inf`, `NaN`.
    pub fn show(&self, value: f64) -> String {
        if self.unit == Unit::Count && value.is_finite() {
            format!("{}", value as i64)
        } else {
            // Every layout number but the counts is an `f32`; its shortest form is what people
            // wrote (`1.6`, not `1.600000023841858`).
            format!("{}", value as f32)
        }
    }

    /// The message for a value outside the range; `written` is the value as the file has it.
    pub fn message(&self, written: &str) -> String {
        let default = self.show(self.get(&Layout::default()));
        format!(
            "{} = {written}: must be {} ({}); write e.g. {} = {default}",
            self.key,
            self.range(),
            self.what,
            self.key.rsplit('.').next().unwrap_or(self.key),
        )
    }
}

/// Type sizes: below half a percent nothing is legible, above 60 one letter fills the screen.
const TYPE: (f64, f64) = (0.5, 60.0);
/// The called number must be readable from across the hall.
const CALL_TYPE: (f64, f64) = (4.0, 60.0);

macro_rules! number {
    ($table:ident . $field:ident, $range:expr, $unit:expr, $what:expr) => {
        Number {
            key: concat!(stringify!($table), ".", stringify!($field)),
            min: $range.0,
            max: $range.1,
            unit: $unit,
            what: $what,
            get: |l| f64::from(l.$table.$field),
            // `as` saturates (and maps NaN to 0 for counts), which is what a test of extremes wants.
            set: |l, v| l.$table.$field = v as _,
        }
    };
}

/// Every number in a layout other than the regions (which [`REGIONS`] lists).
pub const NUMBERS: &[Number] = &[
    number!(
        language.rotate_seconds,
        (2.0, 600.0),
        Unit::Seconds,
        "how long each language stays in rotate mode"
    ),
    number!(
        style.radius,
        (0.0, 10.0),
        Unit::ShortSide,
        "corner rounding of panels"
    ),
    number!(
        style.padding,
        (0.0, 10.0),
        Unit::ShortSide,
        "space between a panel's edge and its content"
    ),
    number!(
        style.border,
        (0.0, 3.0),
        Unit::ShortSide,
        "outline width of panels"
    ),
    number!(
        header.title_size,
        TYPE,
        Unit::ShortSide,
        "type size of the title"
    ),
    number!(
        header.office_size,
        TYPE,
        Unit::ShortSide,
        "type size of the office name"
    ),
    number!(
        header.clock_size,
        TYPE,
        Unit::ShortSide,
        "type size of the clock"
    ),
    number!(
        header.date_size,
        TYPE,
        Unit::ShortSide,
        "type size of the date"
    ),
    number!(
        header.logo_height,
        (10.0, 100.0),
        Unit::PanelHeight,
        "height of the logo"
    ),
    number!(
        current_call.label_size,
        TYPE,
        Unit::ShortSide,
        "type size of \"Numer\" and \"Stanowisko\""
    ),
    number!(
        current_call.ticket_size,
        CALL_TYPE,
        Unit::ShortSide,
        "type size of the called ticket number"
    ),
    number!(
        current_call.counter_size,
        CALL_TYPE,
        Unit::ShortSide,
        "type size of the called counter"
    ),
    number!(
        current_call.flash_seconds,
        (0.0, 60.0),
        Unit::Seconds,
        "how long a new call blinks"
    ),
    number!(
        recent_calls.title_size,
        TYPE,
        Unit::ShortSide,
        "type size of the heading"
    ),
    number!(
        recent_calls.count,
        (1.0, 24.0),
        Unit::Count,
        "how many earlier calls to show"
    ),
    number!(
        recent_calls.columns,
        (1.0, 6.0),
        Unit::Count,
        "in how many columns"
    ),
    number!(
        recent_calls.ticket_size,
        TYPE,
        Unit::ShortSide,
        "type size of the earlier calls"
    ),
    number!(
        services.title_size,
        TYPE,
        Unit::ShortSide,
        "type size of the heading"
    ),
    number!(
        services.max_rows,
        (1.0, 30.0),
        Unit::Count,
        "most services listed"
    ),
    number!(
        services.name_size,
        TYPE,
        Unit::ShortSide,
        "type size of service names"
    ),
    number!(
        services.detail_size,
        TYPE,
        Unit::ShortSide,
        "type size of who waits and for how long"
    ),
    number!(
        footer.text_size,
        TYPE,
        Unit::ShortSide,
        "type size of announcements"
    ),
    number!(
        footer.rotate_seconds,
        (1.0, 600.0),
        Unit::Seconds,
        "how long each announcement stays"
    ),
    number!(
        counter.label_size,
        TYPE,
        Unit::ShortSide,
        "type size of \"Stanowisko 3\" on a counter display"
    ),
    number!(
        counter.ticket_size,
        CALL_TYPE,
        Unit::ShortSide,
        "type size of the ticket on a counter display"
    ),
    number!(
        counter.service_size,
        TYPE,
        Unit::ShortSide,
        "type size of the service and the state on a counter display"
    ),
    number!(
        qr.caption_size,
        TYPE,
        Unit::ShortSide,
        "type size of the caption of the queue's code"
    ),
];

/// One panel's place: `[x, y, width, height]` in percent of the screen's width and height.
pub struct RegionKey {
    pub key: &'static str,
    /// `None` for an optional region the layout leaves out (`qr.region`).
    get: fn(&Layout) -> Option<&super::Region>,
    set: fn(&mut Layout, [f32; 4]),
}

impl RegionKey {
    pub fn get<'a>(&self, layout: &'a Layout) -> Option<&'a super::Region> {
        (self.get)(layout)
    }

    /// Puts `value` into `layout` without validation (for tests).
    pub fn set(&self, layout: &mut Layout, value: [f32; 4]) {
        (self.set)(layout, value)
    }

    /// Checks `[x, y, width, height]`: every number within 0–100, width and height above 0, and
    /// the panel on the screen.
    pub fn problem(&self, [x, y, w, h]: [f32; 4]) -> Option<String> {
        let key = self.key;
        let within = |v: f32| (0.0..=100.0).contains(&v);
        if ![x, y, w, h].into_iter().all(within) {
            return Some(format!(
                "{key} = [{x}, {y}, {w}, {h}]: each of x, y, width and height must be a number \
                 between 0 and 100 (percent of the screen's width and height)"
            ));
        }
        if w <= 0.0 || h <= 0.0 {
            return Some(format!(
                "{key} = [{x}, {y}, {w}, {h}]: width and height must be greater than 0"
            ));
        }
        // A hundredth of a percent of slack lets `[1.5, 93, 97, 5.5]`-style sums that are 100 in
        // decimal but not in binary through.
        if x + w > 100.01 || y + h > 100.01 {
            return Some(format!(
                "{key} [{x}, {y}, {w}, {h}] reaches off the screen; x + width and y + height \
                 must stay within 100 (percent)"
            ));
        }
        None
    }
}

macro_rules! region {
    ($table:ident) => {
        RegionKey {
            key: concat!(stringify!($table), ".region"),
            get: |l| Some(&l.$table.region),
            set: |l, v| *l.$table.region.get_mut() = v,
        }
    };
}

/// Every region in a layout.
pub const REGIONS: &[RegionKey] = &[
    region!(header),
    region!(current_call),
    region!(recent_calls),
    region!(services),
    region!(footer),
    region!(counter),
    RegionKey {
        key: "qr.region",
        get: |l| l.qr.region.as_ref(),
        set: |l, v| l.qr.region = Some(toml::Spanned::new(0..0, v)),
    },
];

/// The rule for `table.key`, if it is a number.
pub fn number(key: &str) -> Option<&'static Number> {
    NUMBERS.iter().find(|n| n.key == key)
}
