//! The layout's files on disk: reading a layout file, checking it and everything it names (fonts,
//! pictures), and watching them for live reload.
//!
//! This is shell code: it touches the file system, and the watcher runs a thread. The layout
//! *model* ([`crate::layout`]) only parses text it is given, so that it stays part of the pure
//! core (see docs/ARCHITECTURE.md, "The core boundary").

pub mod asset;
pub mod check;
pub mod watch;

use crate::layout::{Layout, LayoutError};
use std::path::Path;

/// Proves that `layout` draws the called ticket and counter on a screen of each size (see
/// [`check::check_call_drawn`]); `Err` holds one problem per size where it would not. Both
/// `tablica check` and live reload ask this before calling a layout good.
pub fn prove_call_drawn(
    layout: &Layout,
    text: &str,
    file: &Path,
    sizes: &[(u32, u32)],
) -> Result<(), Vec<LayoutError>> {
    let problems: Vec<LayoutError> = sizes
        .iter()
        .filter_map(|&size| check::check_call_drawn(layout, text, file, size).err())
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Reads and checks a layout file (the first problem only; see [`load_all`]).
pub fn load(path: &Path) -> Result<Layout, LayoutError> {
    load_all(path)
        .map(|(layout, _)| layout)
        .map_err(|mut problems| problems.swap_remove(0))
}

/// Reads and checks a layout file; returns the layout and the text it was read from, or every
/// problem found (a file that cannot be read or parsed gives one).
pub fn load_all(path: &Path) -> Result<(Layout, String), Vec<LayoutError>> {
    let whole_file = |message: String| {
        vec![LayoutError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message,
        }]
    };
    let bytes = asset::read_asset(path, asset::AssetKind::Layout).map_err(|e| {
        whole_file(match e {
            asset::AssetError::Io(io) => format!("cannot read the layout file ({io})"),
            other => format!("cannot read the layout file: {other}"),
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        whole_file(format!(
            "the layout file is not UTF-8 text (byte {} is not); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut layout = Layout::parse_all(&text, dir).map_err(|problems| {
        problems
            .into_iter()
            .map(|e| e.in_file(path))
            .collect::<Vec<_>>()
    })?;
    layout.header.logo_aspect = layout
        .header
        .logo
        .as_ref()
        .and_then(|logo| picture_aspect(&layout.asset(logo)));
    Ok((layout, text))
}

/// A picture's width over its height, from its header; `None` for a file that cannot be read as
/// a picture (the asset check says why).
fn picture_aspect(path: &Path) -> Option<f32> {
    let data = asset::read_asset(path, asset::AssetKind::Image).ok()?;
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()?;
    (w > 0 && h > 0).then(|| w as f32 / h as f32)
}
