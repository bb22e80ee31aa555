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
            None => message,
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

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// "unknown key `x`; did you mean `y`?" for a top-level key.
pub(crate) fn unknown_key(unknown: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|c| (strsim::levenshtein(unknown, c), *c))
        .min();
    match best {
        Some((d, c)) if d <= 3 => format!("unknown key `{unknown}`; did you mean `{c}`?"),
        _ => format!("unknown key `{unknown}` (known keys: {})", known.join(", ")),
    }
}

/// Adds "did you mean" to serde's "unknown field `x`, expected one of `a`, `b`".
fn suggest(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_owned();
    };
    let candidates: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    unknown_key(unknown, &candidates)
}
