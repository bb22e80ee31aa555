//! The layout: where each panel sits, its colours, type sizes and texts, read from a TOML file
//! that designers edit (docs/LAYOUT.md).
//!
//! Units: regions are `[x, y, width, height]` in percent of the screen's width and height; type
//! sizes and other lengths are in percent of the screen's *shorter* side, so the same layout file
//! gives the same physical type size on a landscape and a portrait screen of one model.

pub mod check;
mod error;
pub mod watch;

use crate::scene::Color;
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use toml::Spanned;

pub use error::LayoutError;
pub(crate) use error::{line_col, suggest, unknown_key};

/// The built-in landscape layout (1920×1080 and other wide screens).
pub const LANDSCAPE_TOML: &str = include_str!("../../assets/layouts/landscape.toml");
/// The built-in portrait layout (1080×1920 and other tall screens).
pub const PORTRAIT_TOML: &str = include_str!("../../assets/layouts/portrait.toml");

/// A colour written as `"#RRGGBB"` or `"#RRGGBBAA"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hex(pub Color);

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Color::from_hex(&s).map(Hex).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a colour; write it as \"#RRGGBB\" or \"#RRGGBBAA\", e.g. \"#0B1F33\""
            ))
        })
    }
}

/// `[x, y, width, height]` in percent of the screen.
pub type Region = Spanned<[f32; 4]>;

fn region(x: f32, y: f32, w: f32, h: f32) -> Region {
    Spanned::new(0..0, [x, y, w, h])
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Colors {
    /// The screen behind the panels.
    pub background: Hex,
    /// Panels (current call, recent calls, services).
    pub panel: Hex,
    /// Every other row in lists.
    pub panel_alt: Hex,
    /// Main text.
    pub text: Hex,
    /// Secondary text: labels, dates, hints.
    pub muted: Hex,
    /// The current call and the service letters.
    pub accent: Hex,
    /// Text on the accent colour.
    pub accent_text: Hex,
    /// A repeated call.
    pub recall: Hex,
    /// Text on the recall colour.
    pub recall_text: Hex,
    /// The "no connection" banner.
    pub alert: Hex,
    /// Text on the alert colour.
    pub alert_text: Hex,
    /// Panel outlines (drawn when `style.border` is above 0).
    pub border: Hex,
}

impl Default for Colors {
    fn default() -> Self {
        let c = |s| Hex(Color::from_hex(s).expect("built-in colour"));
        Colors {
            background: c("#0A1C2E"),
            panel: c("#12304D"),
            panel_alt: c("#163858"),
            text: c("#FFFFFF"),
            muted: c("#A8BED3"),
            accent: c("#FFC629"),
            accent_text: c("#0A1C2E"),
            recall: c("#FF8A3D"),
            recall_text: c("#0A1C2E"),
            alert: c("#C62828"),
            alert_text: c("#FFFFFF"),
            border: c("#FFFFFF"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Style {
    /// Corner radius of panels.
    pub radius: f32,
    /// Space between a panel's edge and its content.
    pub padding: f32,
    /// Width of panel outlines (0: none).
    pub border: f32,
    /// Font family name; empty for the built-in Noto Sans.
    pub font: String,
    /// Extra font files to load, relative to the layout file.
    pub font_files: Vec<String>,
    /// A picture behind everything, relative to the layout file.
    pub background_image: Option<String>,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            radius: 1.6,
            padding: 2.0,
            border: 0.0,
            font: String::new(),
            font_files: Vec::new(),
            background_image: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Header {
    pub region: Region,
    pub title: String,
    pub title_size: f32,
    /// The office name from the queue system, under the title.
    pub office_size: f32,
    pub clock_size: f32,
    pub date_size: f32,
    /// A logo at the left, relative to the layout file.
    pub logo: Option<String>,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            region: region(1.5, 1.5, 97.0, 10.0),
            title: "Punkt Obsługi Mieszkańców".into(),
            title_size: 4.2,
            office_size: 2.8,
            clock_size: 6.4,
            date_size: 2.6,
            logo: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CurrentCall {
    pub region: Region,
    /// "Zapraszamy", "Numer", "Stanowisko".
    pub label_size: f32,
    pub ticket_size: f32,
    pub counter_size: f32,
    /// How long a new call blinks, in seconds.
    pub flash_seconds: f32,
}

impl Default for CurrentCall {
    fn default() -> Self {
        CurrentCall {
            region: region(1.5, 13.0, 55.5, 44.0),
            label_size: 3.4,
            ticket_size: 20.0,
            counter_size: 20.0,
            flash_seconds: 4.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecentCalls {
    pub region: Region,
    pub title: String,
    pub title_size: f32,
    /// How many earlier calls to show.
    pub count: u32,
    /// In how many columns.
    pub columns: u32,
    pub ticket_size: f32,
}

impl Default for RecentCalls {
    fn default() -> Self {
        RecentCalls {
            region: region(1.5, 58.5, 55.5, 33.0),
            title: "Poprzednie wywołania".into(),
            title_size: 2.8,
            count: 6,
            columns: 3,
            ticket_size: 6.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Services {
    pub region: Region,
    pub title: String,
    pub title_size: f32,
    /// Most services listed; the rest are left out (the busiest are kept).
    pub max_rows: u32,
    pub name_size: f32,
    pub detail_size: f32,
}

impl Default for Services {
    fn default() -> Self {
        Services {
            region: region(58.5, 13.0, 40.0, 78.5),
            title: "Kolejki".into(),
            title_size: 2.8,
            max_rows: 12,
            name_size: 3.0,
            detail_size: 2.5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Footer {
    pub region: Region,
    pub text_size: f32,
    /// Seconds each announcement stays before the next one.
    pub rotate_seconds: f32,
}

impl Default for Footer {
    fn default() -> Self {
        Footer {
            region: region(1.5, 93.0, 97.0, 5.5),
            text_size: 2.6,
            rotate_seconds: 10.0,
        }
    }
}

/// A whole layout file.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Layout {
    /// A name for people, e.g. "Domyślny poziomy".
    pub name: String,
    pub colors: Colors,
    pub style: Style,
    pub header: Header,
    pub current_call: CurrentCall,
    pub recent_calls: RecentCalls,
    pub services: Services,
    pub footer: Footer,
    /// The folder relative paths in the file are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Layout {
    /// The built-in layout for a screen of this size: portrait when taller than wide.
    pub fn builtin_for(width: u32, height: u32) -> Layout {
        static LANDSCAPE: OnceLock<Layout> = OnceLock::new();
        static PORTRAIT: OnceLock<Layout> = OnceLock::new();
        let (cell, text) = if height > width {
            (&PORTRAIT, PORTRAIT_TOML)
        } else {
            (&LANDSCAPE, LANDSCAPE_TOML)
        };
        cell.get_or_init(|| {
            Layout::parse(text, Path::new("assets/layouts")).expect("built-in layouts are valid")
        })
        .clone()
    }

    /// Reads and checks a layout file.
    pub fn load(path: &Path) -> Result<Layout, LayoutError> {
        let text = std::fs::read_to_string(path).map_err(|e| LayoutError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the layout file: {e}"),
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Layout::parse(&text, dir).map_err(|e| e.in_file(path))
    }

    /// Parses layout text; relative paths in it are resolved against `base_dir`.
    pub fn parse(text: &str, base_dir: &Path) -> Result<Layout, LayoutError> {
        let mut layout: Layout =
            toml::from_str(text).map_err(|e| LayoutError::from_toml(text, &e))?;
        layout.base_dir = base_dir.to_path_buf();
        layout.validate(text)?;
        Ok(layout)
    }

    /// Resolves a path written in the layout.
    pub fn asset(&self, relative: &str) -> PathBuf {
        self.base_dir.join(relative)
    }

    fn validate(&self, text: &str) -> Result<(), LayoutError> {
        let regions = [
            ("header.region", &self.header.region),
            ("current_call.region", &self.current_call.region),
            ("recent_calls.region", &self.recent_calls.region),
            ("services.region", &self.services.region),
            ("footer.region", &self.footer.region),
        ];
        for (name, r) in regions {
            let [x, y, w, h] = *r.get_ref();
            let finite = [x, y, w, h].iter().all(|v| v.is_finite());
            if !finite || w <= 0.0 || h <= 0.0 {
                return Err(LayoutError::at(
                    text,
                    r.span(),
                    format!("{name}: width and height must be greater than 0"),
                ));
            }
            if x < 0.0 || y < 0.0 || x + w > 100.01 || y + h > 100.01 {
                return Err(LayoutError::at(
                    text,
                    r.span(),
                    format!(
                        "{name} [{x}, {y}, {w}, {h}] reaches off the screen; x + width and \
                         y + height must stay within 100 (percent)"
                    ),
                ));
            }
        }
        let sizes = [
            ("header.title_size", self.header.title_size),
            ("header.office_size", self.header.office_size),
            ("header.clock_size", self.header.clock_size),
            ("header.date_size", self.header.date_size),
            ("current_call.label_size", self.current_call.label_size),
            ("current_call.ticket_size", self.current_call.ticket_size),
            ("current_call.counter_size", self.current_call.counter_size),
            ("recent_calls.title_size", self.recent_calls.title_size),
            ("recent_calls.ticket_size", self.recent_calls.ticket_size),
            ("services.title_size", self.services.title_size),
            ("services.name_size", self.services.name_size),
            ("services.detail_size", self.services.detail_size),
            ("footer.text_size", self.footer.text_size),
        ];
        for (name, size) in sizes {
            if !(size.is_finite() && (0.5..=60.0).contains(&size)) {
                return Err(LayoutError::key(
                    text,
                    name,
                    format!("{name} = {size}: type sizes must be between 0.5 and 60"),
                ));
            }
        }
        if !(1..=24).contains(&self.recent_calls.count)
            || !(1..=6).contains(&self.recent_calls.columns)
        {
            return Err(LayoutError::key(
                text,
                "recent_calls.count",
                "recent_calls.count must be 1–24 and recent_calls.columns 1–6".into(),
            ));
        }
        if !(self.style.border.is_finite() && (0.0..=3.0).contains(&self.style.border)) {
            return Err(LayoutError::key(
                text,
                "style.border",
                "style.border must be between 0 and 3".into(),
            ));
        }
        if !(1..=30).contains(&self.services.max_rows) {
            return Err(LayoutError::key(
                text,
                "services.max_rows",
                "services.max_rows must be 1–30".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
