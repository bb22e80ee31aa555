//! Config errors that say where: `file:line:col: key: message`, like layout errors.

use std::fmt;
use std::path::{Path, PathBuf};

/// One mistake in the config; the key it concerns keeps its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, or `environment` for a variable.
    pub source: String,
    /// 1-based; 0 when the error has no position.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The key (`audio`, `hours.monday`) or variable at fault; empty for the whole file.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    pub(crate) fn whole(file: &Path, message: String) -> Self {
        ConfigError {
            source: file.display().to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message,
        }
    }

    pub(crate) fn at(file: &Path, text: &str, offset: usize, key: &str, message: String) -> Self {
        let (line, column) = line_col(text, offset);
        ConfigError {
            source: file.display().to_string(),
            line,
            column,
            key: key.to_owned(),
            message,
        }
    }

    pub(crate) fn env(name: &str, message: String) -> Self {
        ConfigError {
            source: "environment".into(),
            line: 0,
            column: 0,
            key: name.to_owned(),
            message,
        }
    }

    pub(crate) fn from_toml(
        file: &Path,
        text: &str,
        key: Option<&str>,
        e: &toml::de::Error,
    ) -> Self {
        let message = e.message().trim().to_owned();
        let message = match message.strip_prefix("unknown field `") {
            Some(_) => suggest(&message),
            None => {
                // The text written at the error, for a hint like "write rotation = 90".
                let written = e
                    .span()
                    .and_then(|span| text.get(span))
                    .map(|raw| raw.trim().trim_matches(['"', '\'']).to_owned());
                match (key, written) {
                    (Some(key), Some(w)) => plain(&message, Some((key, &toml::Value::String(w)))),
                    _ => plain(&message, None),
                }
            }
        };
        let mut error = match e.span() {
            Some(span) => ConfigError::at(file, text, span.start, "", message),
            None => ConfigError::whole(file, message),
        };
        error.key = key.unwrap_or("").to_owned();
        error
    }

    /// The file, if the error is in one.
    pub fn file(&self) -> Option<PathBuf> {
        (self.source != "environment").then(|| PathBuf::from(&self.source))
    }
}

/// A serde message in words a technician reads: `invalid type: string "90", expected i64`
/// becomes `expected a whole number, found the text "90"; write it without quotes`. `value` is
/// the key and the value found, when known, for the hint. Messages it does not know are kept.
pub(crate) fn plain(message: &str, value: Option<(&str, &toml::Value)>) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((found, expected)) = rest.split_once('`')
    {
        let allowed: Vec<String> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|s| format!("\"{s}\""))
            .collect();
        return format!(
            "\"{found}\" is not allowed here; write {}",
            or_list(&allowed)
        );
    }
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return message.to_owned();
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_owned();
    };
    let expected = match expected.trim() {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize"
        | "an integer" => "a whole number (without quotes)",
        "f32" | "f64" | "a float" => "a number (without quotes), e.g. 0.5",
        "a boolean" => "true or false (without quotes)",
        "a string" | "a borrowed string" | "path string" => "text in quotes",
        "a sequence" => "a list in brackets, e.g. [\"A\", \"B\"]",
        other => other,
    };
    let found_words = if let Some(s) = found.strip_prefix("string ") {
        format!("the text {s}")
    } else if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", n.trim_matches('`'))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        b.trim_matches('`').to_owned()
    } else if found == "sequence" {
        "a list".to_owned()
    } else if found == "map" {
        "a table".to_owned()
    } else {
        found.to_owned()
    };
    let mut out = format!("expected {expected}, found {found_words}");
    // The commonest slip: a number or true/false written in quotes.
    if let Some((key, toml::Value::String(s))) = value.filter(|_| found.starts_with("string ")) {
        let key = key.rsplit('.').next().unwrap_or(key);
        let t = s.trim();
        if t.parse::<f64>().is_ok() || t == "true" || t == "false" {
            out.push_str(&format!("; write {key} = {t}"));
        }
    }
    out
}

/// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(crate) use crate::layout::unknown_key;
pub(crate) use crate::layout::{line_col, suggest};
