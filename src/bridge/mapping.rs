//! The generic source: a mapping file says, with JSON Pointers (RFC 6901), where a status page
//! keeps its groups and each group's values, so another city's page needs a file, not code.
//! `examples/bridge/warsaw.toml` maps Warsaw's page and gives the same state as the built-in
//! parser (a test checks it). The format is described in docs/BRIDGE.md.

use super::SourceError;
use super::state::{Group, OfficeState, RawGroup, WaitUnit, dedupe_ids};
use crate::protocol::MAX_SERVICES;
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A mapping file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The list of groups.
    pub groups: String,
    /// The page's date, if it has one (a new date is a new day).
    #[serde(default)]
    pub date: Option<String>,
    /// How the page writes waits.
    #[serde(default = "minutes")]
    pub wait_unit: WaitUnit,
    /// How the page says it refuses to answer.
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// Within each group.
    pub group: GroupPointers,
}

fn minutes() -> WaitUnit {
    WaitUnit::Minutes
}

/// `when` pointing at a value equal to `is` (compared as text) means the page refused;
/// `message` points at its reason.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub when: String,
    pub is: String,
    #[serde(default)]
    pub message: Option<String>,
}

/// Pointers relative to one group; every one is optional except `current`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupPointers {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub current: String,
    #[serde(default)]
    pub waiting: Option<String>,
    #[serde(default)]
    pub wait: Option<String>,
    #[serde(default)]
    pub open_counters: Option<String>,
    #[serde(default)]
    pub running: Option<String>,
}

/// Why a mapping file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot read the mapping {path}: {source}", path = path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the mapping {path} is not valid: {message}", path = path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
            path: path.to_owned(),
            source,
        })?;
        Mapping::parse(&text).map_err(|message| MappingError::Invalid {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses and checks a mapping: every pointer must be empty or start with `/`.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| e.to_string())?;
        let g = &mapping.group;
        let pointers = [Some(&mapping.groups), mapping.date.as_ref()]
            .into_iter()
            .chain([
                g.id.as_ref(),
                g.prefix.as_ref(),
                g.name.as_ref(),
                Some(&g.current),
                g.waiting.as_ref(),
                g.wait.as_ref(),
                g.open_counters.as_ref(),
                g.running.as_ref(),
            ])
            .chain(
                mapping
                    .refusal
                    .iter()
                    .flat_map(|r| [Some(&r.when), r.message.as_ref()]),
            )
            .flatten();
        for p in pointers {
            if !(p.is_empty() || p.starts_with('/')) {
                return Err(format!(
                    "`{p}` is not a JSON Pointer: write it from the root, e.g. `/result/grupy`"
                ));
            }
        }
        Ok(mapping)
    }

    /// Reads one response body.
    pub fn read(&self, body: &[u8]) -> Result<OfficeState, SourceError> {
        let root: Value =
            serde_json::from_slice(body).map_err(|e| SourceError::Json(e.to_string()))?;
        if let Some(r) = &self.refusal
            && let Some(v) = root.pointer(&r.when)
            && as_text(v).as_deref() == Some(r.is.as_str())
        {
            let message = r
                .message
                .as_deref()
                .and_then(|p| root.pointer(p))
                .and_then(as_text)
                .unwrap_or_else(|| "no reason given".into());
            return Err(SourceError::Refused(message.chars().take(200).collect()));
        }
        let list = root
            .pointer(&self.groups)
            .and_then(Value::as_array)
            .ok_or_else(|| SourceError::Shape(format!("no list at `{}`", self.groups)))?;
        let g = &self.group;
        let mut groups: Vec<Group> = list
            .iter()
            .filter(|v| v.is_object())
            .take(MAX_SERVICES)
            .enumerate()
            .map(|(i, v)| {
                let raw = RawGroup {
                    id: at(v, &g.id),
                    prefix: at(v, &g.prefix),
                    name: at(v, &g.name),
                    current: v.pointer(&g.current),
                    waiting: at(v, &g.waiting),
                    wait: at(v, &g.wait),
                    open_counters: at(v, &g.open_counters),
                    running: at(v, &g.running),
                };
                Group::from_raw(raw, i, self.wait_unit)
            })
            .collect();
        dedupe_ids(&mut groups);
        let date = self
            .date
            .as_deref()
            .and_then(|p| root.pointer(p))
            .and_then(as_text);
        Ok(OfficeState { date, groups })
    }
}

/// The value at an optional pointer within one group.
fn at<'v>(group: &'v Value, pointer: &Option<String>) -> Option<&'v Value> {
    pointer.as_deref().and_then(|p| group.pointer(p))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::warsaw;

    const WARSAW: &str = include_str!("../../examples/bridge/warsaw.toml");

    #[test]
    fn the_warsaw_example_reads_every_recording_as_the_built_in_parser_does() {
        let mapping = Mapping::parse(WARSAW).unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bridge");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let body = std::fs::read(&path).unwrap();
                let built_in = warsaw::parse(&body);
                let mapped = mapping.read(&body);
                assert_eq!(
                    format!("{built_in:?}"),
                    format!("{mapped:?}"),
                    "{}",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen >= 3, "the recordings are there");
        let refused = br#"{"result":"false","error":"Brak danych"}"#;
        assert_eq!(
            format!("{:?}", mapping.read(refused)),
            format!("{:?}", warsaw::parse(refused))
        );
    }

    #[test]
    fn another_citys_page_needs_only_a_mapping() {
        let mapping = Mapping::parse(
            r#"
            groups = "/data/queues"
            wait_unit = "seconds"
            [group]
            id = "/code"
            prefix = "/letter"
            name = "/title"
            current = "/now/ticket"
            waiting = "/people"
            wait = "/waitSeconds"
            "#,
        )
        .unwrap();
        let body = br#"{"data":{"queues":[
            {"code":7,"letter":"C","title":"Rejestracja pojazdow","now":{"ticket":"C017"},"people":"4","waitSeconds":300}]}}"#;
        let state = mapping.read(body).unwrap();
        let g = &state.groups[0];
        assert_eq!(g.id, "g7");
        assert_eq!(g.current.as_ref().unwrap().ticket, "C017");
        assert_eq!(
            (g.waiting, g.est_wait_s, g.open_counters),
            (4, Some(300), 0)
        );
    }

    #[test]
    fn pointers_must_be_pointers() {
        let bad = "groups = \"result.grupy\"\n[group]\ncurrent = \"/n\"\n";
        assert!(Mapping::parse(bad).unwrap_err().contains("JSON Pointer"));
        assert!(Mapping::parse("groups = \"/g\"\n[group]\ncurrent = \"/n\"\nextra = 1\n").is_err());
    }
}
