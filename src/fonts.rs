//! The fonts the board draws with.
//!
//! The board ships Noto Sans (regular and bold, SIL Open Font Licence, see `assets/fonts/OFL.txt`)
//! inside the binary. The [`FontSystem`] built here holds only those faces plus any files a
//! designer names explicitly: system fonts are never scanned, so the same display list renders to
//! the same pixels on every machine and start-up does not depend on what happens to be installed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use glyphon::FontSystem;
use glyphon::cosmic_text::fontdb;
use thiserror::Error;

use crate::layout_files::asset::{AssetError, AssetKind, read_asset};

/// Family name of the built-in font.
pub const BUILTIN_FAMILY: &str = "Noto Sans";

/// Noto Sans Regular, embedded.
pub static NOTO_SANS_REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSans-Regular.ttf");
/// Noto Sans Bold, embedded.
pub static NOTO_SANS_BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSans-Bold.ttf");

/// The locale handed to cosmic-text. It is fixed rather than read from the environment because it
/// steers font fallback, and the picture must not depend on the machine's `LANG`.
const LOCALE: &str = "pl-PL";

/// A designer-named font file that could not be used.
#[derive(Debug, Error)]
pub enum FontError {
    #[error("cannot use font file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: AssetError,
    },
    #[error("font file {path} contains no usable font face")]
    NoFaces { path: PathBuf },
}

/// Builds a font system holding only the built-in Noto Sans faces.
pub fn builtin_font_system() -> FontSystem {
    let mut db = fontdb::Database::new();
    db.load_font_source(fontdb::Source::Binary(Arc::new(NOTO_SANS_REGULAR)));
    db.load_font_source(fontdb::Source::Binary(Arc::new(NOTO_SANS_BOLD)));
    // Generic families ("sans-serif", …) resolve to the built-in font, so text that names no
    // family or an unknown one still finds a face without any system lookup.
    db.set_sans_serif_family(BUILTIN_FAMILY);
    db.set_serif_family(BUILTIN_FAMILY);
    db.set_monospace_family(BUILTIN_FAMILY);
    FontSystem::new_with_locale_and_db(LOCALE.to_owned(), db)
}

/// Loads one extra font file (TTF/OTF/TTC) into `fonts` and returns the family names it added.
pub fn load_font_file(fonts: &mut FontSystem, path: &Path) -> Result<Vec<String>, FontError> {
    // The one bounded reader for files a layout names: a regular file of at most 32 MiB, so a
    // path to /dev/zero or a FIFO costs a log line rather than the board.
    let data = read_asset(path, AssetKind::Font).map_err(|source| FontError::Read {
        path: path.to_owned(),
        source,
    })?;
    let db = fonts.db_mut();
    let ids = db.load_font_source(fontdb::Source::Binary(Arc::new(data)));
    if ids.is_empty() {
        return Err(FontError::NoFaces {
            path: path.to_owned(),
        });
    }
    let mut families: Vec<String> = ids
        .iter()
        .filter_map(|id| db.face(*id))
        .flat_map(|face| face.families.iter().map(|(name, _)| name.clone()))
        .collect();
    families.sort();
    families.dedup();
    Ok(families)
}

/// Builds the font system with the built-in font plus every file in `extra`.
///
/// A file that cannot be loaded is logged and skipped: the board keeps running with the built-in
/// font rather than refusing to start over a typo in a layout.
pub fn font_system_with(extra: &[PathBuf]) -> FontSystem {
    let mut fonts = builtin_font_system();
    for path in extra {
        match load_font_file(&mut fonts, path) {
            Ok(families) => tracing::info!(path = %path.display(), ?families, "loaded font"),
            Err(err) => tracing::warn!(%err, "using the built-in font instead"),
        }
    }
    fonts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_only_noto_sans() {
        let fonts = builtin_font_system();
        let faces: Vec<_> = fonts.db().faces().collect();
        assert_eq!(faces.len(), 2);
        for face in faces {
            assert!(face.families.iter().any(|(n, _)| n == BUILTIN_FAMILY));
        }
    }

    #[test]
    fn missing_file_is_a_typed_error_and_builtin_survives() {
        let mut fonts = builtin_font_system();
        let err = load_font_file(&mut fonts, Path::new("/nonexistent/font.ttf")).unwrap_err();
        assert!(matches!(err, FontError::Read { .. }));
        assert_eq!(fonts.db().faces().count(), 2);
    }

    #[test]
    fn garbage_file_has_no_faces() {
        let dir = std::env::temp_dir().join(format!("tablica-fonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("garbage.ttf");
        std::fs::write(&path, b"not a font").unwrap();
        let mut fonts = builtin_font_system();
        let err = load_font_file(&mut fonts, &path).unwrap_err();
        assert!(matches!(err, FontError::NoFaces { .. }));
        let fonts = font_system_with(&[path]);
        assert_eq!(fonts.db().faces().count(), 2);
    }

    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let mut fonts = builtin_font_system();
        let err = load_font_file(&mut fonts, Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let fonts = font_system_with(&[PathBuf::from("/dev/zero")]);
        assert_eq!(fonts.db().faces().count(), 2);
    }

    #[test]
    fn loading_a_real_file_reports_its_family() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/NotoSans-Bold.ttf");
        let mut fonts = builtin_font_system();
        let families = load_font_file(&mut fonts, &path).unwrap();
        assert_eq!(families, vec![BUILTIN_FAMILY.to_owned()]);
    }
}
