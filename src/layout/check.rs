//! Checking a layout and everything it references, for `tablica check` and before a live reload
//! replaces the layout on screen.

use super::{Layout, LayoutError};
use std::path::{Path, PathBuf};

/// Letters the board writes in Polish (and the Ukrainian service names some offices use are
/// checked by the font's own coverage, not required here): a font without them would show boxes.
pub const POLISH_ON_SCREEN: &str =
    "AĄBCĆDEĘFGHIJKLŁMNŃOÓPRSŚTUWYZŹŻaąbcćdeęfghijklłmnńoóprsśtuwyzźż0123456789:–—…,.";

/// Largest picture side accepted; larger pictures would take GPU memory the mini-PC lacks.
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// Reads a layout file and checks what it references. Returns the layout when there is no
/// problem, else every problem found (parse errors stop the check at the first).
pub fn check_file(path: &Path) -> Result<Layout, Vec<LayoutError>> {
    let layout = Layout::load(path).map_err(|e| vec![e])?;
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let problems = check_assets(&layout, &text, path);
    if problems.is_empty() {
        Ok(layout)
    } else {
        Err(problems)
    }
}

/// Checks pictures and fonts a parsed layout names.
pub fn check_assets(layout: &Layout, text: &str, file: &Path) -> Vec<LayoutError> {
    let mut problems = Vec::new();
    let mut images: Vec<(&str, &str)> = Vec::new();
    if let Some(logo) = &layout.header.logo {
        images.push(("header.logo", logo));
    }
    if let Some(bg) = &layout.style.background_image {
        images.push(("style.background_image", bg));
    }
    for (key, relative) in images {
        if let Err(message) = check_image(&layout.asset(relative)) {
            problems.push(
                LayoutError::key(text, key, format!("{key} = \"{relative}\": {message}"))
                    .in_file(file),
            );
        }
    }
    for relative in &layout.style.font_files {
        let path = layout.asset(relative);
        match font_coverage(&path) {
            Err(message) => problems.push(
                LayoutError::key(
                    text,
                    "style.font_files",
                    format!("font \"{relative}\": {message}"),
                )
                .in_file(file),
            ),
            Ok((families, missing)) if !missing.is_empty() => problems.push(
                LayoutError::key(
                    text,
                    "style.font_files",
                    format!(
                        "font \"{relative}\" ({}) lacks letters the board shows: {missing}",
                        families.join(", ")
                    ),
                )
                .in_file(file),
            ),
            Ok(_) => {}
        }
    }
    let font = layout.style.font.trim();
    if !font.is_empty() && !font.eq_ignore_ascii_case(crate::fonts::BUILTIN_FAMILY) {
        let known = layout.style.font_files.iter().any(|f| {
            font_coverage(&layout.asset(f))
                .map(|(families, _)| families.iter().any(|fam| fam.eq_ignore_ascii_case(font)))
                .unwrap_or(false)
        });
        if !known {
            problems.push(
                LayoutError::key(
                    text,
                    "style.font",
                    format!(
                        "style.font = \"{font}\" is neither the built-in \"{}\" nor a family in \
                         style.font_files",
                        crate::fonts::BUILTIN_FAMILY
                    ),
                )
                .in_file(file),
            );
        }
    }
    problems
}

fn check_image(path: &Path) -> Result<(), String> {
    if !path.exists() {
        return Err(format!("file not found ({})", path.display()));
    }
    let (w, h) = image::image_dimensions(path)
        .map_err(|e| format!("not a readable PNG or JPEG picture: {e}"))?;
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(format!(
            "picture of {w}×{h} pixels is too large (at most {MAX_IMAGE_SIDE} on a side); \
             scale it down, 4096 pixels is plenty even for 4K screens"
        ));
    }
    Ok(())
}

/// The families a font file holds and the Polish letters it lacks.
pub fn font_coverage(path: &Path) -> Result<(Vec<String>, String), String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read it ({e})"))?;
    let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    let mut families = Vec::new();
    let mut missing: Option<String> = None;
    for index in 0..faces {
        let face = ttf_parser::Face::parse(&data, index)
            .map_err(|e| format!("not a font file TrueType/OpenType can read ({e})"))?;
        for name in face.names() {
            if name.name_id == ttf_parser::name_id::FAMILY
                && let Some(n) = name.to_string()
                && !families.contains(&n)
            {
                families.push(n);
            }
        }
        let lacks: String = POLISH_ON_SCREEN
            .chars()
            .filter(|c| face.glyph_index(*c).is_none())
            .collect();
        // A collection covers the letters if one of its faces does.
        missing = Some(match missing {
            Some(m) if m.len() <= lacks.len() => m,
            _ => lacks,
        });
    }
    Ok((families, missing.unwrap_or_default()))
}

/// Folders a live reload must watch: the layout's own and those of files it references.
pub fn watched_dirs(layout: &Layout, layout_path: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![
        layout_path
            .parent()
            .map_or(PathBuf::from("."), Path::to_path_buf),
    ];
    let referenced = layout
        .header
        .logo
        .iter()
        .chain(layout.style.background_image.iter())
        .chain(layout.style.font_files.iter());
    for r in referenced {
        if let Some(dir) = layout.asset(r).parent() {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_font_covers_polish() {
        let dir = std::env::temp_dir().join(format!("tablica-font-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("noto.ttf");
        std::fs::write(&path, crate::fonts::NOTO_SANS_BOLD).unwrap();
        let (families, missing) = font_coverage(&path).unwrap();
        assert_eq!(families, ["Noto Sans"]);
        assert_eq!(missing, "");
        std::fs::write(&path, b"not a font").unwrap();
        assert!(font_coverage(&path).is_err());
    }
}
