//! displays.toml: which boards the fleet view watches.
//!
//! ```toml
//! # Optional: opening hours for every board (the default is Monday–Saturday 10:00–18:00).
//! [hours]
//! saturday = "10:00-14:00"
//!
//! [[display]]
//! id = "galeria-1"
//! mall = "Galeria Rzeszów"
//! address = "10.20.1.11:9471"
//! token_file = "/etc/tablica/fleet/galeria.token"   # or token = "…"; none on loopback
//! hours = { sunday = "10:00-16:00" }                  # optional, this board only
//! ```
//!
//! Unlike a board's own settings, a mistake here stops the command: it runs at a desk, in front
//! of the person who made it.

use crate::scene::OpeningHours;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// More boards than any city has; a bigger list is a mistake, and each board costs a screenshot
/// of memory.
pub const MAX_DISPLAYS: usize = 500;

/// The boards to watch, in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetList {
    pub displays: Vec<Display>,
}

/// One board.
#[derive(Debug, Clone, PartialEq)]
pub struct Display {
    pub id: String,
    pub mall: String,
    /// `host:port` of its health endpoint.
    pub address: String,
    pub token: Option<Token>,
    pub hours: OpeningHours,
}

/// The bearer token a board's health endpoint wants.
#[derive(Clone, PartialEq)]
pub enum Token {
    Inline(String),
    /// Read before each poll, so a rotated token is picked up without a restart.
    File(PathBuf),
}

impl std::fmt::Debug for Token {
    // Never print the token itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Inline(_) => write!(f, "Inline(…)"),
            Token::File(p) => write!(f, "File({})", p.display()),
        }
    }
}

impl Token {
    /// The token now; a file that cannot give one is an error in words.
    pub fn get(&self) -> Result<String, String> {
        match self {
            Token::Inline(t) => Ok(t.clone()),
            Token::File(p) => crate::feed::read_token_file(p).map_err(|e| e.to_string()),
        }
    }
}

/// Why displays.toml cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("cannot read {0}: {1}")]
    Unreadable(PathBuf, String),
    #[error("{0}: {1}")]
    Invalid(PathBuf, String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    hours: BTreeMap<String, String>,
    #[serde(default)]
    display: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    #[serde(default)]
    mall: String,
    address: String,
    token: Option<String>,
    token_file: Option<PathBuf>,
    #[serde(default)]
    hours: BTreeMap<String, String>,
}

impl FleetList {
    pub fn load(path: &Path) -> Result<FleetList, ListError> {
        // A list of a few hundred boards is a few tens of kB; refuse to read a huge file whole.
        let meta = std::fs::metadata(path)
            .map_err(|e| ListError::Unreadable(path.to_path_buf(), e.to_string()))?;
        if meta.len() > 4 * 1024 * 1024 {
            return Err(ListError::Invalid(
                path.to_path_buf(),
                "larger than 4 MiB; is this the list of displays?".into(),
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| ListError::Unreadable(path.to_path_buf(), e.to_string()))?;
        FleetList::parse(&text).map_err(|m| ListError::Invalid(path.to_path_buf(), m))
    }

    /// Parses the file's text; the error says where and what.
    pub fn parse(text: &str) -> Result<FleetList, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let base =
            hours(&OpeningHours::default(), &file.hours).map_err(|m| format!("[hours]: {m}"))?;
        if file.display.is_empty() {
            return Err("no [[display]] entries".into());
        }
        if file.display.len() > MAX_DISPLAYS {
            return Err(format!(
                "{} displays; at most {MAX_DISPLAYS}",
                file.display.len()
            ));
        }
        let mut displays: Vec<Display> = Vec::with_capacity(file.display.len());
        for (i, e) in file.display.into_iter().enumerate() {
            let at = |m: String| format!("display #{} ({}): {m}", i + 1, e.id);
            if e.id.trim().is_empty() {
                return Err(format!("display #{}: id is empty", i + 1));
            }
            if displays.iter().any(|d| d.id == e.id) {
                return Err(at("the same id appears twice".into()));
            }
            let address = address(&e.address).map_err(at)?;
            let token = match (e.token, e.token_file) {
                (Some(_), Some(_)) => return Err(at("give token or token_file, not both".into())),
                (Some(t), None) if t.trim().is_empty() => return Err(at("token is empty".into())),
                (Some(t), None) => Some(Token::Inline(t.trim().to_owned())),
                (None, Some(f)) => Some(Token::File(f)),
                (None, None) => None,
            };
            let hours = hours(&base, &e.hours).map_err(|m| at(format!("hours: {m}")))?;
            displays.push(Display {
                id: e.id,
                mall: e.mall,
                address,
                token,
                hours,
            });
        }
        Ok(FleetList { displays })
    }
}

/// `host:port`, also written as `http://host:port/`.
fn address(s: &str) -> Result<String, String> {
    let a = s.trim();
    let a = a.strip_prefix("http://").unwrap_or(a).trim_end_matches('/');
    let bad = || format!("address `{s}` is not HOST:PORT, e.g. 10.20.1.11:9471");
    let (host, port) = a.rsplit_once(':').ok_or_else(bad)?;
    if host.is_empty() || a.contains('/') || a.contains(char::is_whitespace) {
        return Err(bad());
    }
    port.parse::<u16>().map_err(|_| bad())?;
    Ok(a.to_owned())
}

/// `base` with the days `days` names changed.
fn hours(base: &OpeningHours, days: &BTreeMap<String, String>) -> Result<OpeningHours, String> {
    let mut out = base.clone();
    for (day, value) in days {
        let Some(i) = OpeningHours::DAY_KEYS.iter().position(|d| d == day) else {
            return Err(format!("`{day}` is not a day; write monday … sunday"));
        };
        out.days[i] = OpeningHours::parse_day(value)
            .ok_or_else(|| format!("{day} = \"{value}\": write \"10:00-18:00\" or \"closed\""))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_list() {
        let list = FleetList::parse(
            r#"
[hours]
saturday = "10:00-14:00"

[[display]]
id = "galeria-1"
mall = "Galeria Rzeszów"
address = "http://10.20.1.11:9471/"
token = " abc "

[[display]]
id = "millenium-1"
address = "board.local:9471"
token_file = "/etc/t"
hours = { sunday = "10:00-16:00", saturday = "closed" }
"#,
        )
        .unwrap();
        let [a, b] = &list.displays[..] else { panic!() };
        assert_eq!(a.address, "10.20.1.11:9471");
        assert_eq!(a.token, Some(Token::Inline("abc".into())));
        assert_eq!(a.hours.days[5], Some((600, 840)));
        assert_eq!(a.hours.days[6], None);
        assert_eq!(b.hours.days[5], None);
        assert_eq!(b.hours.days[6], Some((600, 960)));
        assert_eq!(b.hours.days[0], Some((600, 1080)));
        assert_eq!(format!("{:?}", a.token), "Some(Inline(…))");
    }

    #[test]
    fn mistakes_say_where() {
        let err = |t: &str| FleetList::parse(t).unwrap_err();
        assert!(err("").contains("no [[display]]"));
        assert!(err("[[display]]\nid = \"a\"\naddress = \"x\"\n").contains("not HOST:PORT"));
        assert!(err("[[display]]\nid = \"a\"\naddress = \"x:1\"\nadress = 1\n").contains("adress"));
        assert!(
            err("[[display]]\nid = \"a\"\naddress = \"x:1\"\n[[display]]\nid = \"a\"\naddress = \"y:1\"\n")
                .contains("twice")
        );
        assert!(
            err("[hours]\nsundy = \"closed\"\n[[display]]\nid = \"a\"\naddress = \"x:1\"\n")
                .contains("sundy")
        );
        assert!(
            err("[[display]]\nid = \"a\"\naddress = \"x:1\"\nhours = { monday = \"10-18\" }\n")
                .contains("monday")
        );
    }
}
