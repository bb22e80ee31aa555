//! Checking a layout and everything it references, for `tablica check` and before a live reload
//! replaces the layout on screen.

use super::asset::{AssetKind, read_asset};
use super::{Layout, LayoutError};
use std::path::Path;

/// Letters the board writes in Polish (and the Ukrainian service names some offices use are
/// checked by the font's own coverage, not required here): a font without them would show boxes.
pub const POLISH_ON_SCREEN: &str =
    "AĄBCĆDEĘFGHIJKLŁMNŃOÓPRSŚTUWYZŹŻaąbcćdeęfghijklłmnńoóprsśtuwyzźż0123456789:–—…,.";

pub use super::asset::MAX_IMAGE_SIDE;

/// Reads a layout file and checks every number in it and every file it references. Returns the
/// layout and its text when there is no problem, else every problem found (a file that cannot be
/// read or parsed gives one). Does I/O: live reload runs it off the display's thread.
pub fn check_file(path: &Path) -> Result<(Layout, String), Vec<LayoutError>> {
    let (layout, text) = Layout::load_all(path)?;
    let problems = check_assets(&layout, &text, path);
    if problems.is_empty() {
        Ok((layout, text))
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
    let mut families: Vec<String> = Vec::new();
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
            Ok((found, missing)) => {
                if !missing.is_empty() {
                    problems.push(
                        LayoutError::key(
                            text,
                            "style.font_files",
                            format!(
                                "font \"{relative}\" ({}) lacks letters the board shows: {missing}",
                                found.join(", ")
                            ),
                        )
                        .in_file(file),
                    );
                }
                families.extend(found);
            }
        }
    }
    let font = layout.style.font.trim();
    if !font.is_empty()
        && !font.eq_ignore_ascii_case(crate::fonts::BUILTIN_FAMILY)
        && !families.iter().any(|fam| fam.eq_ignore_ascii_case(font))
    {
        problems.push(
            LayoutError::key(
                text,
                "style.font",
                format!(
                    "style.font = \"{font}\" is neither the built-in \"{}\" nor a family in \
                     style.font_files{}",
                    crate::fonts::BUILTIN_FAMILY,
                    family_hint(&families)
                ),
            )
            .in_file(file),
        );
    }
    problems
}

/// What to write for `style.font`: the families the font files provide (a designer often knows a
/// font by its file name, not by the family name inside it).
fn family_hint(families: &[String]) -> String {
    match families {
        [] => "; name a font file in style.font_files, or leave style.font out for the built-in \
               font"
            .to_owned(),
        [one] => format!("; the font files provide \"{one}\": write style.font = \"{one}\""),
        many => format!(
            "; the font files provide {}: write one of them",
            many.iter()
                .map(|f| format!("\"{f}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn check_image(path: &Path) -> Result<(), String> {
    let data = read_asset(path, AssetKind::Image).map_err(|e| {
        if e.is_not_found() {
            format!("file not found ({}){}", path.display(), other_case(path))
        } else {
            e.to_string()
        }
    })?;
    if is_svg(path, &data) {
        return Err("is an SVG drawing, and the board draws PNG or JPEG pictures only; export it \
                    as PNG (Inkscape: File → Export; or `rsvg-convert -h 512 logo.svg > logo.png`) \
                    and name the PNG here"
            .to_owned());
    }
    let unreadable = |e: image::ImageError| {
        format!(
            "is not a PNG or JPEG picture the board can read ({e}); open it in an image editor \
             and export it again as PNG"
        )
    };
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| unreadable(image::ImageError::IoError(e)))?
        .into_dimensions()
        .map_err(unreadable)?;
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
        return Err(format!(
            "picture of {w}×{h} pixels is too large (at most {MAX_IMAGE_SIDE} on a side); \
             scale it down, 4096 pixels is plenty even for 4K screens"
        ));
    }
    Ok(())
}

/// "; did you mean `logo.png`?" when the folder holds the file under other capitals (`Logo.PNG`
/// written, `logo.png` on disk): Linux tells them apart, the designer's own computer may not.
fn other_case(path: &Path) -> String {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return String::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return String::new();
    };
    // A folder of thousands of files is only looked through so far.
    entries
        .take(10_000)
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|other| other != name && other.eq_ignore_ascii_case(name))
        .map(|other| {
            format!("; the folder has \"{other}\" — names differ in capitals here, write \"{other}\"")
        })
        .unwrap_or_default()
}

/// Whether a picture is an SVG drawing (by its name or by its first bytes).
fn is_svg(path: &Path, data: &[u8]) -> bool {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("svgz"));
    let head = String::from_utf8_lossy(&data[..data.len().min(512)]).to_ascii_lowercase();
    named || head.contains("<svg")
}

/// The families a font file holds and the Polish letters it lacks.
pub fn font_coverage(path: &Path) -> Result<(Vec<String>, String), String> {
    let data = read_asset(path, AssetKind::Font).map_err(|e| e.to_string())?;
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

/// Screen sizes at which `tablica check` proves the called number is drawn. A layout given with
/// `--layout` is used on whatever screen it is shown on, so both orientations of the common
/// size; live reload checks again at the size of the screen it runs on.
pub const CHECK_SIZES: [(u32, u32); 2] = [(1920, 1080), (1080, 1920)];

/// The moment of the board the call check draws: a call on screen, a full board around it.
const REPRESENTATIVE: &str = "busy";

/// A generous average advance of a bold ticket character, in font sizes ("A017": digits are about
/// 0.57, capitals up to 0.75).
const EM_PER_CHAR: f32 = 0.62;

/// Proves that `layout` draws the called ticket and counter on a `width`×`height` screen: builds
/// the scene of a representative board (a call on screen) and looks in its display list for both
/// texts inside the current-call panel, each with room for one line at its smallest size. A
/// layout whose regions, padding and sizes are each in range can still combine into a panel with
/// no room for the number (a small panel, large padding) — the worst failure a waiting-room
/// board has. Pure and cheap (one scene, no text shaping), so it runs where the screen size is
/// known: on the display's thread just before a reload is swapped in.
pub fn check_call_drawn(
    layout: &Layout,
    text: &str,
    file: &Path,
    (width, height): (u32, u32),
) -> Result<(), LayoutError> {
    match call_problem(layout, width, height) {
        None => Ok(()),
        Some(message) => Err(LayoutError::key(
            text,
            "current_call.region",
            format!("at {width}×{height} {message}"),
        )
        .in_file(file)),
    }
}

/// What keeps the call from being drawn, if anything.
fn call_problem(layout: &Layout, width: u32, height: u32) -> Option<String> {
    use crate::scene::{self, OpeningHours, Rect, Status};
    let Some(s) = crate::scenarios::build(REPRESENTATIVE) else {
        return Some(format!("the board scenario `{REPRESENTATIVE}` is missing"));
    };
    // A test proves the representative board has a call on screen; without one there is
    // nothing to prove here.
    let shown = s.board.presenter.current()?;
    let ticket = shown.call.ticket.clone();
    let counter = s.board.data.counter_label(&shown.call.counter).to_owned();
    let status = Status {
        hours: OpeningHours::always(),
        notices: Vec::new(),
        ..s.status
    };
    let list = scene::build(&s.board, layout, &status, s.now, width, height).list;
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let [rx, ry, rw, rh] = *layout.current_call.region.get_ref();
    let panel = Rect::new(
        (rx / 100.0 * w).round(),
        (ry / 100.0 * h).round(),
        (rw / 100.0 * w).round(),
        (rh / 100.0 * h).round(),
    );
    let line = crate::render::text::LINE_HEIGHT;
    for (what, wanted) in [("ticket", &ticket), ("counter", &counter)] {
        let item = list
            .texts()
            .filter(|t| &t.text == wanted && panel.contains(&t.rect))
            .max_by(|a, b| a.size.total_cmp(&b.size));
        let Some(item) = item else {
            return Some(format!(
                "the called {what} ({wanted}) would not be drawn at all; give [current_call] a \
                 larger region"
            ));
        };
        let r = item.rect;
        let need_w = wanted.chars().count() as f32 * EM_PER_CHAR * item.min_size;
        let need_h = item.min_size * line;
        let finite = [r.x, r.y, r.w, r.h, item.min_size]
            .iter()
            .all(|v| v.is_finite());
        if !finite || r.w + 0.5 < need_w || r.h + 0.5 < need_h {
            return Some(format!(
                "the called {what} ({wanted}) would not be drawn: its box is {:.0}×{:.0} pixels, \
                 too small for it at its smallest size (about {:.0}×{:.0}); give [current_call] \
                 a larger region, or make style.padding or current_call.label_size smaller",
                r.w.max(0.0),
                r.h.max(0.0),
                need_w,
                need_h,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_representative_board_has_a_call_on_screen() {
        // Without a call on screen the call check would pass every layout.
        let s = crate::scenarios::build(REPRESENTATIVE).unwrap();
        assert!(s.board.presenter.current().is_some());
    }

    #[test]
    fn shipped_layouts_draw_the_call_at_every_size() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
        let sizes = [
            (1920, 1080),
            (1080, 1920),
            (1366, 768),
            (3840, 2160),
            (960, 540),
        ];
        for name in [
            "landscape",
            "portrait",
            "high-contrast",
            "high-contrast-portrait",
        ] {
            let path = dir.join(format!("{name}.toml"));
            let (layout, text) = check_file(&path).unwrap();
            for size in sizes {
                check_call_drawn(&layout, &text, &path, size).unwrap();
            }
        }
    }

    #[test]
    fn a_panel_too_small_for_the_call_is_named() {
        let text = crate::layout::LANDSCAPE_TOML
            .replace("padding = 2.0", "padding = 10.0")
            .replace("[1.5, 13.0, 55.5, 44.0]", "[1.5, 13.0, 30.0, 15.0]");
        let layout = Layout::parse(&text, Path::new(".")).unwrap();
        let e = check_call_drawn(&layout, &text, Path::new("l.toml"), (960, 540)).unwrap_err();
        let line = text.lines().position(|l| l.contains("30.0, 15.0")).unwrap() + 1;
        assert_eq!(e.line, line, "{e}");
        assert!(
            e.message.contains("at 960×540 the called ticket (A017)"),
            "{e}"
        );
    }

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
