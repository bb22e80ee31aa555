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

pub(crate) use crate::layout::unknown_key;
use crate::layout::{line_col, suggest};
