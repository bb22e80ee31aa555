//! Layout errors that point at the place in the file, the way compilers do: `file:line:col: message`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutError {
    pub file: PathBuf,
    /// 1-based; 0 when the error concerns the whole file.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for LayoutError {}

impl LayoutError {
    pub(crate) fn at(text: &str, span: Range<usize>, message: String) -> Self {
        let (line, column) = line_col(text, span.start);
        LayoutError {
            file: PathBuf::from("<layout>"),
            line,
            column,
            message,
        }
    }

    /// An error about a key, located by searching for it under its table; a key the file does not
    /// write (its default is at fault) gives an error about the whole file.
    pub(crate) fn key(text: &str, dotted: &str, message: String) -> Self {
        match find_key(text, dotted) {
            Some(offset) => LayoutError::at(text, offset..offset, message),
            None => LayoutError {
                file: PathBuf::from("<layout>"),
                line: 0,
                column: 0,
                message,
            },
        }
    }

    pub(crate) fn from_toml(text: &str, e: &toml::de::Error) -> Self {
        let message = suggest(e.message().trim());
        // A number of the wrong kind (`count = -1`, `count = 2.5`, `flash_seconds = "4"`) gets
        // the same plain message, at the same place (its key), as a number out of range.
        if message.starts_with("invalid value") || message.starts_with("invalid type") {
            let rule = e.span().and_then(|span| {
                let key = key_at(text, span.start)?;
                Some((span, super::ranges::number(&key)?))
            });
            if let Some((span, rule)) = rule {
                let literal = text.get(span).unwrap_or("").trim();
                return LayoutError::key(text, rule.key, rule.message(literal));
            }
        }
        match e.span() {
            Some(span) => LayoutError::at(text, span, message),
            None => LayoutError {
                file: PathBuf::from("<layout>"),
                line: 0,
                column: 0,
                message,
            },
        }
    }

    pub(crate) fn in_file(mut self, path: &Path) -> Self {
        self.file = path.to_path_buf();
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The value written for a dotted `table.key`, as the file has it (`inf`, `30`, `"4"`), without a
/// trailing comment; `None` when the file does not write the key.
pub(crate) fn written(text: &str, dotted: &str) -> Option<String> {
    let start = find_key(text, dotted)?;
    let line = text[start..].lines().next()?;
    let value = line.split_once('=')?.1;
    // Numbers never hold `#`; a string that does is cut, which only shortens a message.
    let value = value.split('#').next().unwrap_or(value).trim();
    Some(value.to_owned())
}

/// The dotted `table.key` written on the line that holds byte `offset`, for rewording a parse
/// error that points at a value.
pub(crate) fn key_at(text: &str, offset: usize) -> Option<String> {
    let mut table = String::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            table = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
        } else if (start..end).contains(&offset) {
            let (name, _) = trimmed.split_once('=')?;
            let name = name.trim();
            return Some(if table.is_empty() {
                name.to_owned()
            } else {
                format!("{table}.{name}")
            });
        }
        start = end;
    }
    None
}

/// Finds `key` inside `[table]` for a dotted `table.key`.
fn find_key(text: &str, dotted: &str) -> Option<usize> {
    let (table, key) = dotted.rsplit_once('.')?;
    let header = format!("[{table}]");
    let mut offset = 0;
    let mut in_table = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == header;
        } else if in_table {
            let name = trimmed.split('=').next().unwrap_or("").trim();
            if name == key {
                return Some(offset + (line.len() - line.trim_start().len()));
            }
        }
        offset += line.len();
    }
    None
}

/// Adds "did you mean …?" to serde's unknown-field message.
pub(crate) fn suggest(message: &str) -> String {
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

/// "unknown key `x`; did you mean `y`?" (or the list of known keys when none is close).
pub(crate) fn unknown_key(unknown: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|c| (strsim::levenshtein(unknown, c), *c))
        .min();
    match best {
        Some((d, c)) if d <= 3 || c.contains(unknown) || unknown.contains(c) => {
            format!("unknown key `{unknown}`; did you mean `{c}`?")
        }
        _ => format!("unknown key `{unknown}` (known keys: {})", known.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("żó\nx", 4), (1, 3));
        assert_eq!(line_col("żó\nx", 3), (1, 2));
    }

    #[test]
    fn suggests_the_closest_key() {
        let m = suggest("unknown field `titel`, expected one of `region`, `title`, `title_size`");
        assert!(m.contains("did you mean `title`?"), "{m}");
        let m = suggest("unknown field `zzzzzzzz`, expected `region` or `title`");
        assert!(!m.contains("did you mean"), "{m}");
    }

    #[test]
    fn finds_keys_in_tables() {
        let text = "[a]\nx = 1\n[b]\n  x = 2\n";
        assert_eq!(
            find_key(text, "b.x"),
            Some(text.find("  x = 2").unwrap() + 2)
        );
        assert_eq!(find_key(text, "c.x"), None);
        assert_eq!(written(text, "b.x").as_deref(), Some("2"));
        assert_eq!(
            written("[a]\ny = inf # forever\n", "a.y").as_deref(),
            Some("inf")
        );
        assert_eq!(
            key_at(text, text.find("2").unwrap()).as_deref(),
            Some("b.x")
        );
        assert_eq!(key_at("n = 1\n", 4).as_deref(), Some("n"));
    }
}
