//! The layout: where each panel sits, its colours, type sizes and texts, read from a TOML file
//! that designers edit (docs/LAYOUT.md).
//!
//! Units: regions are `[x, y, width, height]` in percent of the screen's width and height; type
//! sizes and other lengths are in percent of the screen's *shorter* side, so the same layout file
//! gives the same physical type size on a landscape and a portrait screen of one model.

mod error;
pub mod ranges;

use crate::color::Color;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use toml::Spanned;

pub use error::LayoutError;
pub(crate) use error::{line_col, suggest, unknown_key, written};

/// The built-in landscape layout (1920×1080 and other wide screens).
pub const LANDSCAPE_TOML: &str = include_str!("../../assets/layouts/landscape.toml");
/// The built-in portrait layout (1080×1920 and other tall screens).
pub const PORTRAIT_TOML: &str = include_str!("../../assets/layouts/portrait.toml");

/// The built-in counter display for landscape panels (1920×1080).
pub const COUNTER_LANDSCAPE_TOML: &str =
    include_str!("../../assets/layouts/counter-landscape.toml");
/// The built-in counter display for small panels (800×480 and anything up to 1024 wide).
pub const COUNTER_SMALL_TOML: &str = include_str!("../../assets/layouts/counter-small.toml");
/// The built-in counter display for bar screens (1920×480, 1280×400).
pub const COUNTER_BAR_TOML: &str = include_str!("../../assets/layouts/counter-bar.toml");

/// A colour written as `"#RRGGBB"` or `"#RRGGBBAA"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hex(pub Color);

/// Written back as `"#RRGGBBAA"` (serialising a layout lets a test walk every key it has).
impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let [r, g, b, a] = self.0.to_rgba8();
        s.serialize_str(&format!("#{r:02X}{g:02X}{b:02X}{a:02X}"))
    }
}

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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Header {
    pub region: Region,
    pub title: String,
    pub title_size: f32,
    /// The office name from the queue system, under the title.
    pub office_size: f32,
    pub clock_size: f32,
    pub date_size: f32,
    /// A logo (PNG or JPEG), relative to the layout file.
    pub logo: Option<String>,
    /// The logo's height, in percent of the header's height; its width follows the picture's
    /// own proportions (at most 40 % of the header's width).
    pub logo_height: f32,
    /// Where the logo sits: `"left"`, before the title, or `"right"`, after the clock.
    pub logo_align: LogoAlign,
    /// The logo picture's width over its height, read from the file by whoever loads the
    /// layout (the model reads no files); `None` until then, drawn as 1.6.
    #[serde(skip)]
    pub logo_aspect: Option<f32>,
}

/// Which end of the header the logo sits at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoAlign {
    #[default]
    Left,
    Right,
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
            logo_height: 100.0,
            logo_align: LogoAlign::Left,
            logo_aspect: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CurrentCall {
    pub region: Region,
    /// "Zapraszamy", "Numer", "Stanowisko".
    pub label_size: f32,
    pub ticket_size: f32,
    pub counter_size: f32,
    /// How long a new call blinks, in seconds.
    pub flash_seconds: f32,
    /// Said under a called ticket when the queue system names no counter, in place of the
    /// arrow and the counter.
    pub no_counter_text: String,
}

impl Default for CurrentCall {
    fn default() -> Self {
        CurrentCall {
            region: region(1.5, 13.0, 55.5, 44.0),
            label_size: 3.4,
            ticket_size: 20.0,
            counter_size: 20.0,
            flash_seconds: 4.0,
            no_counter_text: "Zapraszamy".into(),
        }
    }
}

/// What a counter display shows: "Stanowisko 3", the ticket it serves (very big), the service
/// and the counter's state. The parts stack in a column, or sit side by side on a bar display
/// (a region more than 2.2 times as wide as high).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CounterPanel {
    pub region: Region,
    /// The word before the counter's label.
    pub title: String,
    /// "Stanowisko 3".
    pub label_size: f32,
    pub ticket_size: f32,
    /// The service's name and the state line.
    pub service_size: f32,
    /// Over a served ticket while its call is new.
    pub serving_text: String,
    /// Over a served ticket while its repeated call is new.
    pub recall_text: String,
    /// An open counter serving nobody.
    pub waiting_text: String,
    /// A closed counter (or one the queue system does not know).
    pub closed_text: String,
}

impl Default for CounterPanel {
    fn default() -> Self {
        CounterPanel {
            region: region(2.0, 2.0, 96.0, 96.0),
            title: "Stanowisko".into(),
            label_size: 9.0,
            ticket_size: 34.0,
            service_size: 5.0,
            serving_text: "Zapraszamy".into(),
            recall_text: "Ponowne wezwanie".into(),
            waiting_text: "Prosimy czekać na wywołanie".into(),
            closed_text: "Stanowisko nieczynne".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
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

/// A language the board's fixed words can be shown in (tables under `assets/i18n/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Pl,
    Uk,
    En,
}

/// How a board with more than one language shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageMode {
    /// Polish big, the other languages smaller under it.
    #[default]
    Subtitle,
    /// The fixed words switch language every `rotate_seconds`, Polish every other time.
    Rotate,
}

/// `[language]`: which languages the board's fixed words are shown in, and how. Optional: a
/// layout without it is Polish only.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Language {
    /// E.g. `["pl", "uk", "en"]`. Polish is always shown, and first, whether listed or not.
    pub languages: Vec<Lang>,
    pub mode: LanguageMode,
    /// How long each language stays in `rotate` mode, in seconds.
    pub rotate_seconds: f32,
}

impl Default for Language {
    fn default() -> Self {
        Language {
            languages: vec![Lang::Pl],
            mode: LanguageMode::Subtitle,
            rotate_seconds: 8.0,
        }
    }
}

impl Language {
    /// The languages shown: Polish first, then the others in the layout's order, each once.
    pub fn shown(&self) -> Vec<Lang> {
        let mut shown = vec![Lang::Pl];
        for l in &self.languages {
            if !shown.contains(l) {
                shown.push(*l);
            }
        }
        shown
    }
}

/// The code residents scan to follow the queue on their phone (`[board] queue_url` in the
/// installation's config), with a caption. A layout without a region shows no code; with one, the
/// code is drawn only when a URL is configured, and the panels its region overlaps give it their
/// room then (and keep it otherwise).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QrPanel {
    pub region: Option<Region>,
    /// Said beside or over the code.
    pub caption: String,
    pub caption_size: f32,
}

impl Default for QrPanel {
    fn default() -> Self {
        QrPanel {
            region: None,
            caption: "Sprawdź kolejkę w telefonie".into(),
            caption_size: 3.2,
        }
    }
}

/// The shape of screen a layout is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    Landscape,
    Portrait,
}

impl Orientation {
    /// The common screen size of this shape, in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Orientation::Landscape => (1920, 1080),
            Orientation::Portrait => (1080, 1920),
        }
    }

    /// The shape of a `width`×`height` screen.
    pub fn of(width: u32, height: u32) -> Orientation {
        if height > width {
            Orientation::Portrait
        } else {
            Orientation::Landscape
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Orientation::Landscape => "landscape",
            Orientation::Portrait => "portrait",
        }
    }
}

/// A whole layout file.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Layout {
    /// A name for people, e.g. "Domyślny poziomy".
    pub name: String,
    /// The screen shape the layout is drawn for; `check` proves that type fits at this shape's
    /// sizes and `preview` draws it by default. Unset: guessed from how the layout fits.
    pub orientation: Option<Orientation>,
    /// A layout for residents with poor sight: `check` asks 7:1 contrast of every text instead
    /// of 4.5:1 (WCAG AAA instead of AA).
    pub high_contrast: bool,
    pub colors: Colors,
    pub style: Style,
    pub header: Header,
    pub current_call: CurrentCall,
    pub recent_calls: RecentCalls,
    pub services: Services,
    pub footer: Footer,
    /// The queue's code for phones (optional: a layout without `[qr]` never shows one).
    pub qr: QrPanel,
    /// The display over one counter (`tablica run --counter ID`); a file with this section is a
    /// counter layout, and needs only `[colors]`, `[style]` and `[counter]`.
    pub counter: CounterPanel,
    /// The languages of the fixed words; optional (Polish only).
    pub language: Language,
    /// Whether the file has a `[counter]` section: a counter display's layout, checked and
    /// previewed as one.
    #[serde(skip)]
    pub is_counter: bool,
    /// The folder relative paths in the file are resolved against.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Layout {
    /// The built-in layout for a screen of this size: portrait when taller than wide (a copy of
    /// [`Layout::builtin`]).
    pub fn builtin_for(width: u32, height: u32) -> Layout {
        Layout::builtin(width, height).clone()
    }

    /// The built-in counter display for a screen of this shape: a bar (more than 2.2 times as
    /// wide as high), a small panel (up to 1024 pixels wide), or a landscape panel.
    pub fn builtin_counter(width: u32, height: u32) -> &'static Layout {
        static LANDSCAPE: OnceLock<Layout> = OnceLock::new();
        static SMALL: OnceLock<Layout> = OnceLock::new();
        static BAR: OnceLock<Layout> = OnceLock::new();
        let (cell, text) = if width as f32 > height as f32 * 2.2 {
            (&BAR, COUNTER_BAR_TOML)
        } else if width <= 1024 {
            (&SMALL, COUNTER_SMALL_TOML)
        } else {
            (&LANDSCAPE, COUNTER_LANDSCAPE_TOML)
        };
        cell.get_or_init(|| {
            Layout::parse(text, Path::new("assets/layouts")).expect("built-in layouts are valid")
        })
    }

    /// The built-in layout for a screen of this size, parsed once for the whole run.
    pub fn builtin(width: u32, height: u32) -> &'static Layout {
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
    }

    /// Parses layout text; relative paths in it are resolved against `base_dir`. Returns the first
    /// problem (see [`Layout::parse_all`]).
    pub fn parse(text: &str, base_dir: &Path) -> Result<Layout, LayoutError> {
        Layout::parse_all(text, base_dir).map_err(|mut problems| problems.swap_remove(0))
    }

    /// Parses layout text and checks every number and section; returns every problem found, in
    /// the order of the file (a syntax error stops the check at once and is the only one).
    pub fn parse_all(text: &str, base_dir: &Path) -> Result<Layout, Vec<LayoutError>> {
        if is_blank(text) {
            return Err(vec![LayoutError {
                file: PathBuf::from("<layout>"),
                line: 0,
                column: 0,
                message: format!(
                    "the layout file is empty; a layout names at least its sections {}",
                    section_list()
                ),
            }]);
        }
        let mut layout: Layout =
            toml::from_str(text).map_err(|e| vec![LayoutError::from_toml(text, &e)])?;
        layout.base_dir = base_dir.to_path_buf();
        layout.is_counter = text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.get("counter").is_some_and(toml::Value::is_table));
        let mut problems = layout.validate(text);
        problems.extend(missing_sections(text));
        problems.sort_by_key(|p| (p.line == 0, p.line, p.column));
        if problems.is_empty() {
            Ok(layout)
        } else {
            Err(problems)
        }
    }

    /// Resolves a path written in the layout.
    pub fn asset(&self, relative: &str) -> PathBuf {
        self.base_dir.join(relative)
    }

    /// Every number against its range (see [`ranges`]).
    fn validate(&self, text: &str) -> Vec<LayoutError> {
        let mut problems = Vec::new();
        for rule in ranges::REGIONS {
            let Some(r) = rule.get(self) else { continue };
            if let Some(message) = rule.problem(*r.get_ref()) {
                problems.push(LayoutError::at(text, r.span(), message));
            }
        }
        for rule in ranges::NUMBERS {
            let value = rule.get(self);
            if !rule.allows(value) {
                let written = written(text, rule.key).unwrap_or_else(|| rule.show(value));
                problems.push(LayoutError::key(text, rule.key, rule.message(&written)));
            }
        }
        problems
    }
}

/// Every section and the keys it takes, read from the layout's own fields (so that it cannot
/// drift from them), for telling a designer which section a misplaced key belongs in.
pub(crate) fn section_keys() -> Vec<(String, Vec<String>)> {
    let mut full = Layout::default();
    // Keys that are left out when unset must still be listed.
    full.header.logo = Some(String::new());
    full.style.background_image = Some(String::new());
    full.qr.region = Some(region(0.0, 0.0, 1.0, 1.0));
    let Ok(toml::Value::Table(table)) = toml::Value::try_from(&full) else {
        return Vec::new();
    };
    table
        .into_iter()
        .filter_map(|(section, value)| match value {
            toml::Value::Table(t) => Some((section, t.keys().cloned().collect())),
            _ => None,
        })
        .collect()
}

/// The sections every layout file names. Each may be empty (its keys keep their defaults), but
/// each must be there: a file cut short by a failed copy or a half-finished save then shows as an
/// error instead of quietly falling back to defaults for the part that is missing.
pub const SECTIONS: [&str; 7] = [
    "colors",
    "style",
    "header",
    "current_call",
    "recent_calls",
    "services",
    "footer",
];

/// The sections every counter layout file names.
pub const COUNTER_SECTIONS: [&str; 3] = ["colors", "style", "counter"];

fn section_list() -> String {
    SECTIONS.map(|s| format!("[{s}]")).join(", ")
}

/// Whether `text` holds nothing but blank lines and comments.
fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#'))
}

/// An error at the end of the file for each section it lacks (the end is where a cut-short file
/// stops).
fn missing_sections(text: &str) -> Vec<LayoutError> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    // A counter layout draws only the counter panel on the layout's colours and style.
    let required: &[&str] = if table.get("counter").is_some_and(toml::Value::is_table) {
        &COUNTER_SECTIONS
    } else {
        &SECTIONS
    };
    let missing: Vec<String> = required
        .iter()
        .filter(|s| !table.get(**s).is_some_and(toml::Value::is_table))
        .map(|s| format!("[{s}]"))
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let kind = if required.len() == COUNTER_SECTIONS.len() {
        "A counter layout"
    } else {
        "A layout"
    };
    let message = format!(
        "the layout has no {} section{}; is the file cut short? {kind} names every section — \
         {} — even one left empty to keep its defaults",
        missing.join(", "),
        if missing.len() == 1 { "" } else { "s" },
        required
            .iter()
            .map(|s| format!("[{s}]"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![LayoutError::at(text, text.len()..text.len(), message)]
}

#[cfg(test)]
mod tests;
