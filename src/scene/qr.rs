//! The "follow the queue on your phone" code: a URL encoded once as a QR code's module matrix,
//! which the scene draws as whole-pixel rectangles every frame without encoding it again.
//!
//! Encoding is pure (no I/O), so it belongs to the core; the shell encodes the configured URL
//! once at start and hands the matrix to the scene in [`super::Status`].

use std::fmt;
use std::sync::Arc;

/// The light margin around the code that scanners need to find it, in modules (ISO/IEC 18004
/// asks for four).
pub const QUIET_ZONE: usize = 4;

/// The longest URL the board encodes, in bytes: it fits a version 7 code at medium error
/// correction (45 modules across, 122 bytes), which still gets 4 whole pixels a module (2.5 mm
/// on a 55" 1080p screen) in the shipped layouts at 1080 pixels — a longer address makes
/// modules too small to scan from across a waiting room.
pub const MAX_URL_BYTES: usize = 120;

/// A URL as a QR code, ready to draw.
#[derive(Clone)]
pub struct QueueQr {
    url: Arc<str>,
    /// Modules across (without the quiet zone).
    width: usize,
    /// Row by row, `true` for a dark module.
    dark: Arc<[bool]>,
}

/// Why a URL cannot be shown as the queue's code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error(
        "the address is {0} bytes; at most {MAX_URL_BYTES} fit a code that scans from across the room"
    )]
    TooLong(usize),
    #[error("the address cannot be encoded: {0}")]
    Encoding(String),
}

impl QueueQr {
    /// Encodes `url` at medium error correction (about 15 % of the code may be lost to glare or
    /// dirt), in the smallest version that holds it.
    pub fn encode(url: &str) -> Result<QueueQr, QrError> {
        if url.len() > MAX_URL_BYTES {
            return Err(QrError::TooLong(url.len()));
        }
        let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| QrError::Encoding(e.to_string()))?;
        let width = code.width();
        let dark: Arc<[bool]> = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Ok(QueueQr {
            url: url.into(),
            width,
            dark,
        })
    }

    /// The URL the code holds.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Modules across the code itself, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules across the code with its quiet zone on both sides.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The dark modules as horizontal runs `(row, first column, length)`: one rectangle per run
    /// draws the code with a few hundred items instead of a thousand squares.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((y, start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// The whole pixels per module that a square `side` pixels wide gives the code and its quiet
    /// zone; 0 when it cannot hold one pixel per module.
    pub fn pixels_per_module(&self, side: f32) -> u32 {
        pixels_per_module(self.width_with_quiet_zone(), side)
    }
}

/// Whole pixels per module for a code `modules` wide (quiet zone included) in `side` pixels.
pub fn pixels_per_module(modules: usize, side: f32) -> u32 {
    if !side.is_finite() || side <= 0.0 || modules == 0 {
        return 0;
    }
    (side / modules as f32).floor().min(u32::MAX as f32) as u32
}

/// Two codes are the same picture when they hold the same URL (the matrix follows from it).
impl PartialEq for QueueQr {
    fn eq(&self, other: &Self) -> bool {
        self.url == other.url
    }
}

impl fmt::Debug for QueueQr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueueQr")
            .field("url", &self.url)
            .field("width", &self.width)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_url_is_a_small_version_and_runs_cover_every_dark_module() {
        let qr = QueueQr::encode("https://rezerwacje.ereszow.pl/kolejka").unwrap();
        // 37 bytes at medium correction: version 3, 29 modules across.
        assert_eq!(qr.width(), 29);
        let dark: usize = (0..29)
            .flat_map(|y| (0..29).map(move |x| (x, y)))
            .filter(|&(x, y)| qr.is_dark(x, y))
            .count();
        let in_runs: usize = qr.runs().iter().map(|r| r.2).sum();
        assert_eq!(dark, in_runs);
        // The finder pattern's top-left corner is dark.
        assert!(qr.is_dark(0, 0));
    }

    #[test]
    fn the_longest_allowed_url_encodes_and_a_longer_one_is_refused() {
        let long = format!("https://example.pl/{}", "a".repeat(MAX_URL_BYTES - 19));
        assert_eq!(long.len(), MAX_URL_BYTES);
        let qr = QueueQr::encode(&long).unwrap();
        assert!(qr.width() <= 45, "{}", qr.width());
        let longer = format!("{long}b");
        assert_eq!(
            QueueQr::encode(&longer).unwrap_err(),
            QrError::TooLong(MAX_URL_BYTES + 1)
        );
    }

    #[test]
    fn pixels_per_module_are_whole_and_never_panic() {
        assert_eq!(pixels_per_module(37, 259.0), 7);
        assert_eq!(pixels_per_module(37, 258.9), 6);
        assert_eq!(pixels_per_module(37, f32::NAN), 0);
        assert_eq!(pixels_per_module(37, -1.0), 0);
        assert_eq!(pixels_per_module(0, 100.0), 0);
    }
}
