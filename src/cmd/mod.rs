//! The subcommands of the `tablica` binary, as library code so tests can drive them.

pub mod check;
pub mod fleet;
pub mod render;
pub mod run;
pub mod voice;

use std::fmt;
use std::process::ExitCode;
use std::str::FromStr;

/// A command's exit status: success, or the error on standard error after the command's name
/// (`tablica run: …`) and failure. Every subcommand ends through this.
pub fn exit_code<T, E: fmt::Display>(command: &str, result: Result<T, E>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tablica {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A screen size written as `WIDTHxHEIGHT`, e.g. `1920x1080`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a size; write WIDTHxHEIGHT, e.g. 1920x1080");
        let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let (width, height): (u32, u32) =
            (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
        // 8K is the largest screen anyone mounts in a waiting room; beyond it a typo is likelier.
        if !(16..=7680).contains(&width) || !(16..=7680).contains(&height) {
            return Err(format!("{s}: each side must be between 16 and 7680 pixels"));
        }
        Ok(Size { width, height })
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// `--queue-url`: the queue page for phones, checked and encoded as a QR code once, when the
/// command line is read (a bad address stops the command with the config check's message).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueUrl(pub crate::scene::qr::QueueQr);

impl FromStr for QueueUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::config::check_queue_url(s)?;
        crate::scene::qr::QueueQr::encode(s)
            .map(QueueUrl)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes() {
        assert_eq!(
            "1920x1080".parse::<Size>().unwrap(),
            Size {
                width: 1920,
                height: 1080
            }
        );
        assert_eq!("1080×1920".parse::<Size>().unwrap().height, 1920);
        assert!("1920".parse::<Size>().is_err());
        assert!("0x0".parse::<Size>().is_err());
        assert!("99999x1".parse::<Size>().is_err());
    }
}
