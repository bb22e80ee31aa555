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
        if let Some(plain) = e
            .span()
            .and_then(|span| plain_message(text, e.message(), span))
        {
            return LayoutError::at(text, e.span().unwrap_or(0..0), plain);
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

/// The parser's own words (written for programmers) said plainly, with the fix, for the mistakes
/// designers make: a decimal comma, a value of the wrong kind, a region with too few numbers, a key
/// or section written twice, a key in the wrong section. `None` leaves the message as it is.
fn plain_message(text: &str, message: &str, span: Range<usize>) -> Option<String> {
    let message = message.trim();
    let line = line_at(text, span.start);
    let key = key_at(text, span.start);
    // `title_size = 4,2`: TOML stops at the comma, which Polish writes for the decimal point.
    if message.starts_with("unexpected key or value")
        && let Some((name, value)) = line.split_once('=')
        && let Some((whole, fraction)) =
            value.split('#').next().unwrap_or("").trim().split_once(',')
        && !whole.is_empty()
        && whole
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.chars().all(|c| c.is_ascii_digit())
    {
        let name = name.trim();
        return Some(format!(
            "`{name} = {whole},{fraction}`: numbers take a decimal point, not a comma; write \
             `{name} = {whole}.{fraction}`"
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid length ")
        && let Some((found, wanted)) = rest.split_once(", expected an array of length ")
    {
        let key = key.unwrap_or_else(|| "region".to_owned());
        return Some(format!(
            "{key} has {found} number{} but takes {wanted}: [x, y, width, height] in percent of \
             the screen, e.g. region = [1.5, 13.0, 55.5, 44.0]",
            if found == "1" { "" } else { "s" }
        ));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ")
        && let Some((found, wanted)) = rest.split_once(", expected ")
    {
        let key = key.unwrap_or_else(|| "this value".to_owned());
        let wanted = match wanted.trim() {
            "f32" | "f64" => "a number such as 4.2, without quotes",
            "u32" | "u64" | "usize" | "i64" | "i32" => "a whole number such as 6, without quotes",
            "a string" => "text in double quotes, e.g. \"Kolejki\"",
            "a boolean" => "true or false, without quotes",
            "a sequence" => "a list in square brackets, e.g. [1.5, 13.0, 55.5, 44.0]",
            other => other,
        };
        let found = found
            .replace("string ", "the text ")
            .replace("floating point ", "the number ")
            .replace("integer ", "the number ");
        return Some(format!("{key}: found {found} where it takes {wanted}"));
    }
    if message.starts_with("duplicate key") {
        let name: String = text
            .get(span.clone())
            .unwrap_or("")
            .trim()
            .trim_matches(|c| c == '[' || c == ']' || c == '"')
            .to_owned();
        let before = &text[..span.start.min(text.len())];
        let is_table = line.trim_start().starts_with('[');
        return Some(if is_table {
            let first = first_line_of(before, |l| l.trim() == format!("[{name}]"));
            format!(
                "the section [{name}] is written twice{}; put its keys together under one \
                 [{name}] and delete the other",
                first
                    .map(|n| format!(" (first on line {n})"))
                    .unwrap_or_default()
            )
        } else {
            let table = key
                .as_deref()
                .and_then(|k| k.rsplit_once('.'))
                .map(|(t, _)| format!(" in [{t}]"))
                .unwrap_or_default();
            let first = first_line_of(before, |l| {
                l.split('=').next().is_some_and(|k| k.trim() == name)
            });
            format!(
                "`{name}` is written twice{table}{}; keep one and delete the other",
                first
                    .map(|n| format!(" (first on line {n})"))
                    .unwrap_or_default()
            )
        });
    }
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((unknown, _)) = rest.split_once('`')
    {
        let here = key
            .as_deref()
            .and_then(|k| k.rsplit_once('.'))
            .map(|(t, _)| t.to_owned());
        let elsewhere: Vec<String> = super::section_keys()
            .into_iter()
            .filter(|(section, keys)| {
                Some(section) != here.as_ref() && keys.iter().any(|k| k == unknown)
            })
            .map(|(section, _)| format!("[{section}]"))
            .collect();
        if !elsewhere.is_empty() {
            let here = here
                .map(|t| format!("[{t}]"))
                .unwrap_or("this section".into());
            return Some(format!(
                "`{unknown}` does not belong in {here}; it is a key of {}: move the line there",
                elsewhere.join(" or ")
            ));
        }
    }
    None
}

/// The whole line that holds byte `offset`.
fn line_at(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    text.get(start..end).unwrap_or("")
}

/// The 1-based number of the first line of `before` that `matches`.
fn first_line_of(before: &str, matches: impl Fn(&str) -> bool) -> Option<usize> {
    before.lines().position(matches).map(|i| i + 1)
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
