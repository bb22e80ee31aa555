//! The installation's settings: `/etc/tablica/tablica.toml`, environment variables and flags.
//!
//! Precedence, highest first: command-line flags, environment variables (`TABLICA_*`), the
//! config file, built-in defaults. A missing default file means "all defaults"; a file given
//! explicitly with `--config` must exist.
//!
//! A board behind a monitor has nobody to read an error, so a mistake in one key never stops it:
//! every top-level key is read on its own, a key that is wrong is reported (`file:line:col: key:
//! message`) and keeps its default, and the rest of the file still applies. Only a file that is
//! not TOML at all falls back to defaults as a whole.

mod error;
mod section;
#[cfg(test)]
mod tests;
pub mod usable;

pub use error::ConfigError;
pub use usable::{DEFAULT_DISPLAY_ID, Unusable};

use crate::audio::{AudioConfig, QuietPeriod};
use crate::protocol::{MAX_ID_CHARS, MAX_SERVICES};
use crate::scene::OpeningHours;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// Where `tablica run` looks for its config when no `--config` is given.
pub const DEFAULT_PATH: &str = "/etc/tablica/tablica.toml";

/// The health endpoint's default address: loopback only, reached from a desk by SSH tunnel.
pub const DEFAULT_HEALTH: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9471));

/// Everything an installation can set. See packaging/tablica.toml for the commented file.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The queue system's websocket; `None` shows "connecting" until one is configured.
    pub server: Option<String>,
    /// A file holding the bearer token. The token itself is never stored here, printed or
    /// served.
    pub token_file: Option<PathBuf>,
    /// Extra CA certificates (PEM) for `wss://` with an office's own CA.
    pub ca_file: Option<PathBuf>,
    pub display_id: String,
    /// Services to show: sent to the server as a hint, and the services list keeps only these.
    pub services: Option<Vec<String>>,
    pub layout: Option<PathBuf>,
    pub monitor: Option<MonitorChoice>,
    pub rotation: Rotation,
    pub hours: OpeningHours,
    pub audio: AudioConfig,
    /// Spoken calls (docs/VOICE.md).
    pub voice: crate::voice::VoiceConfig,
    /// The health endpoint's address; `None` when switched off.
    pub health: Option<SocketAddr>,
    /// The bearer token the health endpoint requires off loopback (src/health/http.rs).
    pub health_token_file: Option<PathBuf>,
    /// Moves the picture by a few pixels over the hours against burn-in.
    pub pixel_shift: bool,
    /// Keeps a copy of the last frame so that a change redraws only what changed (one more
    /// full-screen buffer: 8 MB at 1920×1080, 33 MB at 4K). `false` draws every frame whole, for
    /// a display short of memory rather than of CPU (docs/BENCHMARKS.md has both costs).
    pub retained_frame: bool,
    pub outside_hours: OutsideHours,
    /// Shows the identify overlay (display id, host, addresses, version, server) all the time,
    /// not only for the first minutes after the start.
    pub identify: bool,
    /// What this display is: the main board, or the display of one counter.
    pub board: BoardSettings,
}

/// `[board]`: what the display shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoardSettings {
    /// The counter (id, or the label people read) whose display this is; `None` for the main
    /// board.
    pub counter: Option<String>,
    /// Whether a counter display chimes and speaks too (off: the main board already does, and
    /// two sounds for every call confuse).
    pub counter_sound: bool,
    /// The queue's page for phones (the booking site's queue view), shown as a QR code where
    /// the layout has a place for one; checked by [`check_queue_url`].
    pub queue_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: None,
            token_file: None,
            ca_file: None,
            display_id: DEFAULT_DISPLAY_ID.into(),
            services: None,
            layout: None,
            monitor: None,
            rotation: Rotation::default(),
            hours: OpeningHours::default(),
            audio: AudioConfig::default(),
            voice: crate::voice::VoiceConfig::default(),
            health: Some(DEFAULT_HEALTH),
            health_token_file: None,
            pixel_shift: false,
            retained_frame: true,
            outside_hours: OutsideHours::default(),
            identify: false,
            board: BoardSettings::default(),
        }
    }
}

/// Which monitor the fullscreen board goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitorChoice {
    /// The output's name as the window system reports it, e.g. `HDMI-A-1`.
    Name(String),
    /// The position in the window system's list of monitors, from 0.
    Index(usize),
}

impl fmt::Display for MonitorChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MonitorChoice::Name(n) => write!(f, "{n}"),
            MonitorChoice::Index(i) => write!(f, "{i}"),
        }
    }
}

impl MonitorChoice {
    /// A number is an index, anything else a name.
    pub fn parse(s: &str) -> MonitorChoice {
        match s.trim().parse() {
            Ok(i) => MonitorChoice::Index(i),
            Err(_) => MonitorChoice::Name(s.trim().to_owned()),
        }
    }
}

/// Clockwise rotation of the picture, for monitors mounted in portrait. The board's renderer turns
/// the picture (src/render/rotate.rs), lays the board out for the turned screen and so uses the
/// portrait layout by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rotation {
    #[default]
    R0,
    R90,
    R180,
    R270,
}

impl Rotation {
    pub fn from_degrees(d: i64) -> Option<Rotation> {
        match d {
            0 => Some(Rotation::R0),
            90 => Some(Rotation::R90),
            180 => Some(Rotation::R180),
            270 => Some(Rotation::R270),
            _ => None,
        }
    }

    pub fn degrees(self) -> u32 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }

    /// Quarter turns clockwise: how many `-r` flags cage needs.
    pub fn quarter_turns(self) -> u32 {
        self.degrees() / 90
    }
}

/// What the screen does while the service point is closed (drawn by the scene: see
/// `scene::ClosedLook`; switching the monitor's power is left to the kiosk session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutsideHours {
    /// The closed screen with the opening hours, at full brightness.
    #[default]
    On,
    /// The closed screen, dimmed.
    Dim,
    /// A black screen (the monitor's power itself is left to the kiosk session, see DEPLOY.md).
    Off,
}

impl fmt::Display for OutsideHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutsideHours::On => "on",
            OutsideHours::Dim => "dim",
            OutsideHours::Off => "off",
        })
    }
}

/// What was read, and what was wrong with it (each error already names its key and place).
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub config: Config,
    /// The file that was read, if any.
    pub file: Option<PathBuf>,
    pub errors: Vec<ConfigError>,
    /// Where each setting in force was written (`server`, `token_file`, ...), so that a check
    /// of what it names can point at it; absent for defaults.
    pub origins: BTreeMap<&'static str, Origin>,
}

/// Where a setting was written: a place in the file, a variable or a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, `environment` or `command line`.
    pub source: String,
    /// 1-based; 0 when the setting has no position (a variable, a flag).
    pub line: usize,
    pub column: usize,
    /// The key, variable or flag as written.
    pub key: String,
}

impl Origin {
    /// An error about the setting, where it was written.
    pub fn error(&self, message: String) -> ConfigError {
        ConfigError {
            source: self.source.clone(),
            line: self.line,
            column: self.column,
            key: self.key.clone(),
            message,
        }
    }
}

/// Reads the config: `path` when given (it must exist), else [`DEFAULT_PATH`] if it exists.
pub fn load(path: Option<&Path>) -> Loaded {
    let (file, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(DEFAULT_PATH), false),
    };
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            let (config, errors, origins) = parse_located(&text, &file);
            Loaded {
                config,
                file: Some(file),
                errors,
                origins,
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Loaded {
            config: Config::default(),
            file: None,
            errors: Vec::new(),
            origins: BTreeMap::new(),
        },
        Err(e) => Loaded {
            config: Config::default(),
            errors: vec![ConfigError::whole(&file, format!("cannot read: {e}"))],
            file: Some(file),
            origins: BTreeMap::new(),
        },
    }
}

/// Parses a config file's text; `file` only names it in errors. Never fails: each key that is
/// wrong keeps its default and adds an error.
pub fn parse(text: &str, file: &Path) -> (Config, Vec<ConfigError>) {
    let (config, errors, _) = parse_located(text, file);
    (config, errors)
}

/// [`parse`], and where each setting that was read is written.
fn parse_located(
    text: &str,
    file: &Path,
) -> (Config, Vec<ConfigError>, BTreeMap<&'static str, Origin>) {
    let mut config = Config::default();
    let mut errors = Vec::new();
    let mut origins = BTreeMap::new();
    let keys = match section::top_level_keys(text) {
        Ok(keys) => keys,
        Err(e) => {
            errors.push(ConfigError::from_toml(file, text, None, &e));
            return (config, errors, origins);
        }
    };
    let known: Vec<&str> = SETTINGS.iter().map(|(k, _)| *k).collect();
    for key in &keys {
        if !known.contains(&key.get_ref().as_str()) {
            errors.push(ConfigError::at(
                file,
                text,
                key.span().start,
                key.get_ref(),
                error::unknown_key(key.get_ref(), &known),
            ));
        }
    }
    let mut r = Reader {
        text,
        file,
        errors: &mut errors,
        origins: &mut origins,
    };
    for (key, read) in SETTINGS {
        read(&mut r, key, &mut config);
    }
    // In the order of the file, as a person reads it.
    errors.sort_by_key(|e| (e.line, e.column));
    (config, errors, origins)
}

/// Every top-level setting with the code that reads it: the one list from which the known keys
/// (for "did you mean" hints) are derived, so a new setting cannot be read yet reported unknown.
type ReadSetting = fn(&mut Reader<'_>, &'static str, &mut Config);
const SETTINGS: &[(&str, ReadSetting)] = &[
    ("server", |r, key, c| {
        if let Some(v) = r.get::<String>(key) {
            match check_url(v.get_ref()) {
                Ok(()) => c.server = Some(v.into_inner()),
                Err(m) => r.error_at(key, v.span().start, m),
            }
        }
    }),
    ("token_file", |r, key, c| {
        if let Some(v) = r.get::<PathBuf>(key) {
            c.token_file = Some(v.into_inner());
        }
    }),
    ("ca_file", |r, key, c| {
        if let Some(v) = r.get::<PathBuf>(key) {
            c.ca_file = Some(v.into_inner());
        }
    }),
    ("display_id", |r, key, c| {
        if let Some(v) = r.get::<String>(key) {
            match check_display_id(v.get_ref()) {
                Ok(()) => c.display_id = v.into_inner(),
                Err(m) => r.error_at(key, v.span().start, m),
            }
        }
    }),
    ("services", |r, key, c| {
        if let Some(v) = r.get::<Vec<Spanned<String>>>(key) {
            let start = v.span().start;
            let list = v.into_inner();
            // Each id is reported where it is written; the list is used only if all are valid, as
            // the server would refuse a hello carrying a bad one.
            let mut ok = true;
            if let Err(m) = check_services_len(list.len()) {
                r.error_at(key, start, m);
                ok = false;
            }
            for (i, s) in list.iter().enumerate() {
                if let Err(m) = check_id(s.get_ref()) {
                    r.error_at(&format!("services[{i}]"), s.span().start, m);
                    ok = false;
                }
            }
            if ok {
                c.services = Some(list.into_iter().map(Spanned::into_inner).collect());
            }
        }
    }),
    ("layout", |r, key, c| {
        if let Some(v) = r.get::<PathBuf>(key) {
            c.layout = Some(v.into_inner());
        }
    }),
    ("monitor", |r, key, c| {
        if let Some(v) = r.get::<toml::Value>(key) {
            match v.get_ref() {
                toml::Value::String(s) if !s.trim().is_empty() => {
                    c.monitor = Some(MonitorChoice::parse(s));
                }
                toml::Value::Integer(i) if *i >= 0 => {
                    c.monitor = Some(MonitorChoice::Index(*i as usize));
                }
                _ => r.error_at(
                    key,
                    v.span().start,
                    "must be an output's name (\"HDMI-A-1\") or an index from 0".into(),
                ),
            }
        }
    }),
    ("rotation", |r, key, c| {
        if let Some(v) = r.get::<i64>(key) {
            match Rotation::from_degrees(*v.get_ref()) {
                Some(rot) => c.rotation = rot,
                None => r.error_at(
                    key,
                    v.span().start,
                    format!("must be 0, 90, 180 or 270, not {}", v.get_ref()),
                ),
            }
        }
    }),
    ("health", |r, key, c| {
        if let Some(v) = r.get::<String>(key) {
            match parse_health(v.get_ref()) {
                Ok(addr) => c.health = addr,
                Err(m) => r.error_at(key, v.span().start, m),
            }
        }
    }),
    ("health_token_file", |r, key, c| {
        if let Some(v) = r.get::<PathBuf>(key) {
            c.health_token_file = Some(v.into_inner());
        }
    }),
    ("pixel_shift", |r, key, c| {
        if let Some(v) = r.get::<bool>(key) {
            c.pixel_shift = v.into_inner();
        }
    }),
    ("retained_frame", |r, key, c| {
        if let Some(v) = r.get::<bool>(key) {
            c.retained_frame = v.into_inner();
        }
    }),
    ("outside_hours", |r, key, c| {
        if let Some(v) = r.get::<OutsideHours>(key) {
            c.outside_hours = v.into_inner();
        }
    }),
    ("identify", |r, key, c| {
        if let Some(v) = r.get::<bool>(key) {
            c.identify = v.into_inner();
        }
    }),
    ("board", |r, key, c| {
        if let Some(table) = r.table(key) {
            c.board = r.keyed("board", table, BOARD);
        }
    }),
    ("hours", |r, key, c| {
        if let Some(table) = r.table(key) {
            c.hours = r.hours(table);
        }
    }),
    ("audio", |r, key, c| {
        if let Some(table) = r.table(key) {
            c.audio = r.keyed("audio", table, AUDIO);
        }
    }),
    ("voice", |r, key, c| {
        if let Some(v) = r.get::<crate::voice::VoiceConfig>(key) {
            let start = v.span().start;
            let voice = v.into_inner();
            match voice.validate() {
                Ok(()) => c.voice = voice,
                Err(e) => r.error_at(key, start, e.to_string()),
            }
        }
    }),
];

/// A table's keys and values, each with where it is written.
type Entries = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// Reads one key of a table into its part of the settings.
type ReadKey<T> = fn(&mut Reader<'_>, &str, &Spanned<toml::Value>, &mut T);

/// Every key of `[board]` with the code that reads it.
const BOARD: &[(&str, ReadKey<BoardSettings>)] = &[
    ("counter", |r, key, value, b| {
        if let Some(v) = r.typed::<String>(key, value) {
            match check_id(&v) {
                Ok(()) => b.counter = Some(v),
                Err(m) => r.error_at(key, value.span().start, m),
            }
        }
    }),
    ("counter_sound", |r, key, value, b| {
        if let Some(v) = r.typed::<bool>(key, value) {
            b.counter_sound = v;
        }
    }),
    ("queue_url", |r, key, value, b| {
        if let Some(v) = r.typed::<String>(key, value) {
            match check_queue_url(&v) {
                Ok(()) => b.queue_url = Some(v),
                Err(m) => r.error_at(key, value.span().start, m),
            }
        }
    }),
];

/// Every key of `[audio]` with the code that reads it; the known keys are derived from it.
const AUDIO: &[(&str, ReadKey<AudioConfig>)] = &[
    ("volume", |r, key, value, a| {
        if let Some(v) = r.typed::<f64>(key, value) {
            if (0.0..=1.0).contains(&v) {
                a.volume = v as f32;
            } else {
                r.error_at(
                    key,
                    value.span().start,
                    format!("{v} is out of range; write 0.0 (silent) to 1.0 (full)"),
                );
            }
        }
    }),
    ("muted", |r, key, value, a| {
        if let Some(v) = r.typed::<bool>(key, value) {
            a.muted = v;
        }
    }),
    ("quiet_periods", |r, key, value, a| {
        if let Some(v) = r.typed::<Vec<QuietPeriod>>(key, value) {
            match v.iter().find(|p| !(0.0..=1.0).contains(&p.volume)) {
                Some(p) => r.error_at(
                    key,
                    value.span().start,
                    format!(
                        "the volume {} of {}–{} is out of range; write 0.0 to 1.0",
                        p.volume, p.start, p.end
                    ),
                ),
                None => a.quiet_periods = v,
            }
        }
    }),
    ("call_sound", |r, key, value, a| {
        if let Some(v) = r.typed::<PathBuf>(key, value) {
            a.call_sound = Some(v);
        }
    }),
    ("recall_sound", |r, key, value, a| {
        if let Some(v) = r.typed::<PathBuf>(key, value) {
            a.recall_sound = Some(v);
        }
    }),
    ("gap_ms", |r, key, value, a| {
        if let Some(v) = r.typed::<u64>(key, value) {
            a.gap = Duration::from_millis(v);
        }
    }),
    ("device_retry_ms", |r, key, value, a| {
        if let Some(v) = r.typed::<u64>(key, value) {
            a.device_retry = Duration::from_millis(v);
        }
    }),
    ("queue_capacity", |r, key, value, a| {
        match r.typed::<usize>(key, value) {
            Some(0) => r.error_at(key, value.span().start, "must be at least 1".into()),
            Some(v) => a.queue_capacity = v,
            None => {}
        }
    }),
];

struct Reader<'a> {
    text: &'a str,
    file: &'a Path,
    errors: &'a mut Vec<ConfigError>,
    origins: &'a mut BTreeMap<&'static str, Origin>,
}

impl Reader<'_> {
    /// The value of a top-level key, if the file has it and it has the right type; a wrong one
    /// is reported where it is wrong (inside a table too) and gives `None`, i.e. the default.
    fn get<T: serde::de::DeserializeOwned>(&mut self, key: &'static str) -> Option<Spanned<T>> {
        match section::read::<Spanned<T>>(self.text, key) {
            Ok(v) => {
                if let Some(v) = &v {
                    let (line, column) = error::line_col(self.text, v.span().start);
                    self.origins.insert(
                        key,
                        Origin {
                            source: self.file.display().to_string(),
                            line,
                            column,
                            key: key.to_owned(),
                        },
                    );
                }
                v
            }
            Err(e) => {
                self.errors
                    .push(ConfigError::from_toml(self.file, self.text, Some(key), &e));
                None
            }
        }
    }

    fn error_at(&mut self, key: &str, offset: usize, message: String) {
        self.errors
            .push(ConfigError::at(self.file, self.text, offset, key, message));
    }

    /// A table's entries, each read on its own later; `None` when absent or not a table.
    fn table(&mut self, key: &'static str) -> Option<Entries> {
        let v = self.get::<toml::Value>(key)?;
        if !v.get_ref().is_table() {
            self.error_at(
                key,
                v.span().start,
                format!(
                    "must be a table: write `[{key}]` on a line of its own and its keys below it"
                ),
            );
            return None;
        }
        match section::read::<Entries>(self.text, key) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors
                    .push(ConfigError::from_toml(self.file, self.text, Some(key), &e));
                None
            }
        }
    }

    /// A value of a table's key as `T`; a wrong type is reported at the value, in plain words.
    fn typed<T: serde::de::DeserializeOwned>(
        &mut self,
        key: &str,
        v: &Spanned<toml::Value>,
    ) -> Option<T> {
        match T::deserialize(v.get_ref().clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                let message = error::plain(e.message(), Some((key, v.get_ref())));
                self.error_at(key, v.span().start, message);
                None
            }
        }
    }

    fn unknown(&mut self, table: &str, key: &Spanned<String>, known: &[&str]) {
        self.error_at(
            &format!("{table}.{}", key.get_ref()),
            key.span().start,
            error::unknown_key(key.get_ref(), known),
        );
    }

    /// Opening hours day by day: a day that is wrong keeps its default, the others apply, and
    /// an unknown key is reported without discarding its neighbours.
    fn hours(&mut self, table: Entries) -> OpeningHours {
        let mut result = OpeningHours::default();
        for (name, value) in &table {
            let days = OpeningHours::DAY_KEYS;
            let Some(i) = days.iter().position(|d| d == name.get_ref()) else {
                self.unknown("hours", name, &days);
                continue;
            };
            let key = format!("hours.{}", days[i]);
            let Some(text) = self.typed::<String>(&key, value) else {
                continue;
            };
            match OpeningHours::parse_day(&text) {
                Some(day) => result.days[i] = day,
                None => self.error_at(
                    &key,
                    value.span().start,
                    format!(
                        "`{}` is not opening hours; write \"10:00-18:00\" or \"closed\"",
                        text.trim()
                    ),
                ),
            }
        }
        result
    }

    /// A table's settings key by key, each read by its entry in `readers` (the one list of the
    /// table's keys): a wrong or unknown key is reported where it is written and the others
    /// apply (a misspelt `muted` must not reset the volume).
    fn keyed<T: Default>(
        &mut self,
        section: &str,
        table: Entries,
        readers: &[(&str, ReadKey<T>)],
    ) -> T {
        let mut out = T::default();
        for (name, value) in &table {
            let key = format!("{section}.{}", name.get_ref());
            match readers.iter().find(|(k, _)| k == name.get_ref()) {
                Some((_, read)) => read(self, &key, value, &mut out),
                None => {
                    let known: Vec<&str> = readers.iter().map(|(k, _)| *k).collect();
                    self.unknown(section, name, &known);
                }
            }
        }
        out
    }
}

/// A websocket URL the feed can use: `ws://` or `wss://` with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("ws://")
        .or_else(|| url.strip_prefix("wss://"))
        .ok_or_else(|| {
            format!("`{url}` is not a websocket URL; write ws://HOST:PORT/ or wss://HOST/PATH")
        })?;
    let host = rest.split(['/', '?']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`{url}` has no host"));
    }
    Ok(())
}

/// A queue page residents can open from the board's QR code: `http://` or `https://` with a
/// host, in printable ASCII (what a phone's camera app opens as written), short enough for a code
/// that scans from across the room (`scene::qr::MAX_URL_BYTES`).
pub fn check_queue_url(url: &str) -> Result<(), String> {
    let max = crate::scene::qr::MAX_URL_BYTES;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "`{url}` is not a web address; write https://HOST/PATH, e.g. \
                 https://rezerwacje.example.pl/kolejka"
            )
        })?;
    if let Some(c) = url.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "`{url}` contains {c:?}; write the address without spaces, with other characters \
             percent-encoded (%C4%85 for ą)"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    if url.len() > max {
        return Err(format!(
            "the address is {} characters; at most {max} fit a QR code that scans from across \
             the waiting room: use a shorter address (a redirect from a short path works)",
            url.len()
        ));
    }
    crate::scene::qr::QueueQr::encode(url).map_err(|e| e.to_string())?;
    Ok(())
}

/// The server's URL fit to show on a screen or a page: without `user:password@` and without
/// the query and fragment, where a token might be carried.
pub fn public_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match scheme {
        Some(s) => format!("{s}://{host}{path}"),
        None => format!("{host}{path}"),
    }
}

/// An id sent in the protocol's `hello` (the display's, a service's): what docs/PROTOCOL.md
/// allows, so that a server never refuses the board over its own settings.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let n = id.chars().count();
    if n > MAX_ID_CHARS {
        return Err(format!(
            "`{id}` has {n} characters; the protocol allows at most {MAX_ID_CHARS}"
        ));
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!(
            "contains the control character U+{:04X}; the protocol allows none",
            c as u32
        ));
    }
    Ok(())
}

fn check_display_id(id: &str) -> Result<(), String> {
    check_id(id)
}

/// The services sent in `hello`: at least one (leave the key out for all) and at most the
/// protocol's [`MAX_SERVICES`].
fn check_services_len(n: usize) -> Result<(), String> {
    if n == 0 {
        return Err("an empty list would show no service; leave `services` out for all".into());
    }
    if n > MAX_SERVICES {
        return Err(format!(
            "{n} services; the protocol allows at most {MAX_SERVICES}"
        ));
    }
    Ok(())
}

/// A whole list of services, for the environment and checks without positions.
pub fn check_services(services: &[String]) -> Result<(), String> {
    check_services_len(services.len())?;
    for (i, s) in services.iter().enumerate() {
        check_id(s).map_err(|m| format!("services[{i}]: {m}"))?;
    }
    Ok(())
}

/// `"127.0.0.1:9471"`, or `"off"` for no health endpoint.
pub fn parse_health(s: &str) -> Result<Option<SocketAddr>, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        format!("`{s}` is not an address; write IP:PORT, e.g. 127.0.0.1:9471, or \"off\"")
    })
}

/// Settings from the environment, each overriding the file. Tests pass their own lookup.
pub fn apply_env(
    config: &mut Config,
    errors: &mut Vec<ConfigError>,
    var: impl Fn(&str) -> Option<String>,
) {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let mut bad = |name: &str, message: String| {
        errors.push(ConfigError::env(name, message));
    };
    if let Some(v) = var("TABLICA_SERVER") {
        match check_url(&v) {
            Ok(()) => config.server = Some(v),
            Err(m) => bad("TABLICA_SERVER", m),
        }
    }
    if let Some(v) = var("TABLICA_TOKEN_FILE") {
        config.token_file = Some(v.into());
    }
    if let Some(v) = var("TABLICA_CA_FILE") {
        config.ca_file = Some(v.into());
    }
    if let Some(v) = var("TABLICA_DISPLAY_ID") {
        match check_display_id(&v) {
            Ok(()) => config.display_id = v,
            Err(m) => bad("TABLICA_DISPLAY_ID", m),
        }
    }
    if let Some(v) = var("TABLICA_SERVICES") {
        let list: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        match check_services(&list) {
            Ok(()) => config.services = Some(list),
            Err(m) => bad("TABLICA_SERVICES", m),
        }
    }
    if let Some(v) = var("TABLICA_LAYOUT") {
        config.layout = Some(v.into());
    }
    if let Some(v) = var("TABLICA_MONITOR") {
        config.monitor = Some(MonitorChoice::parse(&v));
    }
    if let Some(v) = var("TABLICA_ROTATION") {
        match v.trim().parse().ok().and_then(Rotation::from_degrees) {
            Some(r) => config.rotation = r,
            None => bad("TABLICA_ROTATION", "must be 0, 90, 180 or 270".into()),
        }
    }
    if let Some(v) = var("TABLICA_HEALTH") {
        match parse_health(&v) {
            Ok(a) => config.health = a,
            Err(m) => bad("TABLICA_HEALTH", m),
        }
    }
}

impl Config {
    /// The effective settings as TOML, for `tablica config` and troubleshooting. Shows the token
    /// file's path, never the token.
    pub fn to_toml(&self) -> String {
        use std::fmt::Write;
        let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let p = |p: &Path| q(&p.display().to_string());
        let mut out = String::new();
        let mut line = |s: String| {
            let _ = writeln!(out, "{s}");
        };
        match &self.server {
            Some(s) => line(format!("server = {}", q(s))),
            None => line("# server: not set".into()),
        }
        if let Some(f) = &self.token_file {
            line(format!("token_file = {}", p(f)));
        }
        if let Some(f) = &self.ca_file {
            line(format!("ca_file = {}", p(f)));
        }
        line(format!("display_id = {}", q(&self.display_id)));
        if let Some(s) = &self.services {
            let list: Vec<String> = s.iter().map(|s| q(s)).collect();
            line(format!("services = [{}]", list.join(", ")));
        }
        if let Some(l) = &self.layout {
            line(format!("layout = {}", p(l)));
        }
        match &self.monitor {
            Some(MonitorChoice::Name(n)) => line(format!("monitor = {}", q(n))),
            Some(MonitorChoice::Index(i)) => line(format!("monitor = {i}")),
            None => {}
        }
        line(format!("rotation = {}", self.rotation.degrees()));
        line(format!(
            "health = {}",
            q(&self
                .health
                .map_or_else(|| "off".to_owned(), |a| a.to_string()))
        ));
        if let Some(f) = &self.health_token_file {
            line(format!("health_token_file = {}", p(f)));
        }
        line(format!("pixel_shift = {}", self.pixel_shift));
        line(format!("retained_frame = {}", self.retained_frame));
        line(format!(
            "outside_hours = {}",
            q(&self.outside_hours.to_string())
        ));
        line(format!("identify = {}", self.identify));
        if let Some(u) = &self.board.queue_url {
            line("\n[board]".into());
            line(format!("queue_url = {}", q(u)));
        }
        line("\n[hours]".into());
        let names = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ];
        for (name, day) in names.iter().zip(self.hours.days) {
            let v = match day {
                Some((a, b)) => format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60),
                None => "closed".into(),
            };
            line(format!("{name} = {}", q(&v)));
        }
        line("\n[audio]".into());
        line(format!("volume = {}", self.audio.volume));
        line(format!("muted = {}", self.audio.muted));
        line("\n[voice]".into());
        line(format!("enabled = {}", self.voice.enabled));
        if let Some(p) = &self.voice.pack {
            line(format!("pack = {}", q(&p.display().to_string())));
        }
        line(format!("volume = {}", self.voice.volume));
        line(format!("recall = {}", self.voice.recall));
        out
    }
}

/// Settings given on the command line; each one given wins over the environment and the file.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub server: Option<String>,
    pub token_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub display_id: Option<String>,
    pub layout: Option<PathBuf>,
    pub monitor: Option<String>,
    pub health: Option<String>,
}

fn given(source: &str, key: &str) -> Origin {
    Origin {
        source: source.into(),
        line: 0,
        column: 0,
        key: key.into(),
    }
}

/// The settings in force: defaults, then the file, then the environment (`var`), then `flags`.
pub fn resolve(path: Option<&Path>, flags: Flags, var: impl Fn(&str) -> Option<String>) -> Loaded {
    let mut loaded = load(path);
    // A variable or flag that is given wins over the file, and a check of what it names must
    // point at it rather than at the file's line.
    for (key, name) in [
        ("server", "TABLICA_SERVER"),
        ("token_file", "TABLICA_TOKEN_FILE"),
        ("ca_file", "TABLICA_CA_FILE"),
        ("display_id", "TABLICA_DISPLAY_ID"),
        ("layout", "TABLICA_LAYOUT"),
    ] {
        if var(name).is_some_and(|v| !v.trim().is_empty()) {
            loaded.origins.insert(key, given("environment", name));
        }
    }
    for (key, flag, given_here) in [
        ("server", "--server", flags.server.is_some()),
        ("token_file", "--token-file", flags.token_file.is_some()),
        ("ca_file", "--ca-file", flags.ca_file.is_some()),
        ("display_id", "--display-id", flags.display_id.is_some()),
        ("layout", "--layout", flags.layout.is_some()),
    ] {
        if given_here {
            loaded.origins.insert(key, given("command line", flag));
        }
    }
    apply_env(&mut loaded.config, &mut loaded.errors, var);
    let c = &mut loaded.config;
    let mut bad = |flag: &str, message: String| {
        loaded.errors.push(ConfigError {
            source: "command line".into(),
            line: 0,
            column: 0,
            key: flag.into(),
            message,
        });
    };
    if let Some(v) = flags.server {
        // A wrong URL given by hand is still used: the feed reports it and keeps retrying, and
        // the person who typed it sees the error at once.
        if let Err(m) = check_url(&v) {
            bad("--server", m);
        }
        c.server = Some(v);
    }
    if let Some(v) = flags.token_file {
        c.token_file = Some(v);
    }
    if let Some(v) = flags.ca_file {
        c.ca_file = Some(v);
    }
    if let Some(v) = flags.display_id {
        // Unlike a wrong URL, a wrong id is not used: the server would refuse every hello.
        match check_display_id(&v) {
            Ok(()) => c.display_id = v,
            Err(m) => bad("--display-id", m),
        }
    }
    if let Some(v) = flags.layout {
        c.layout = Some(v);
    }
    if let Some(v) = flags.monitor {
        c.monitor = Some(MonitorChoice::parse(&v));
    }
    if let Some(v) = flags.health {
        match parse_health(&v) {
            Ok(a) => c.health = a,
            Err(m) => bad("--health", m),
        }
    }
    // Checked on the settings in force, wherever each came from: the endpoint refuses to listen
    // on the network without a token, and `tablica config` must say so before the board does.
    if let Some(addr) = c.health
        && let Err(e) = crate::health::Access::for_address(addr, c.health_token_file.clone())
    {
        loaded.errors.push(ConfigError {
            source: loaded
                .file
                .as_ref()
                .map_or_else(|| "settings".into(), |f| f.display().to_string()),
            line: 0,
            column: 0,
            key: "health".into(),
            message: e.to_string(),
        });
    }
    loaded
}
