//! Checking a layout and everything it references, for `tablica check` and before a live reload
//! replaces the layout on screen.

use super::asset::{AssetKind, read_asset};
use crate::layout::{Layout, LayoutError};
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
    let (layout, text) = super::load_all(path)?;
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
        return Err(
            "is an SVG drawing, and the board draws PNG or JPEG pictures only; export it \
                    as PNG (Inkscape: File → Export; or `rsvg-convert -h 512 logo.svg > logo.png`) \
                    and name the PNG here"
                .to_owned(),
        );
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
            format!(
                "; the folder has \"{other}\" — names differ in capitals here, write \"{other}\""
            )
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

/// The smallest the called ticket and counter may be drawn, as a share of their sizes in the
/// layout: smaller does not read across a waiting hall.
const CALL_SMALLEST: f32 = 0.35;

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
    let key = if layout.is_counter {
        "counter.region"
    } else {
        "current_call.region"
    };
    match call_problem(layout, width, height) {
        None => Ok(()),
        Some(message) => {
            Err(LayoutError::key(text, key, format!("at {width}×{height} {message}")).in_file(file))
        }
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
    let counter = s
        .board
        .data
        .call_counter_label(&shown.call)
        .map(str::to_owned);
    let status = Status {
        hours: OpeningHours::always(),
        notices: Vec::new(),
        design_notes: Vec::new(),
        // A counter layout is proved as the display of the counter the call goes to.
        counter: shown.call.counter.clone().filter(|_| layout.is_counter),
        ..s.status
    };
    let list = scene::build(&s.board, layout, &status, s.now, width, height).list;
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let (section, region) = if layout.is_counter {
        ("[counter]", &layout.counter.region)
    } else {
        ("[current_call]", &layout.current_call.region)
    };
    let [rx, ry, rw, rh] = *region.get_ref();
    let panel = Rect::new(
        (rx / 100.0 * w).round(),
        (ry / 100.0 * h).round(),
        (rw / 100.0 * w).round(),
        (rh / 100.0 * h).round(),
    );
    let line = crate::render::text::LINE_HEIGHT;
    let unit = w.min(h) / 100.0;
    let cc = &layout.current_call;
    let mut wanted: Vec<(&str, &String, f32)> = if layout.is_counter {
        vec![("ticket", &ticket, layout.counter.ticket_size)]
    } else {
        vec![("ticket", &ticket, cc.ticket_size)]
    };
    if let Some(counter) = counter.as_ref().filter(|_| !layout.is_counter) {
        wanted.push(("counter", counter, cc.counter_size));
    }
    for (what, wanted, size) in wanted {
        let item = list
            .texts()
            .filter(|t| &t.text == wanted && panel.contains(&t.rect))
            .max_by(|a, b| a.size.total_cmp(&b.size));
        let Some(item) = item else {
            return Some(format!(
                "the called {what} ({wanted}) would not be drawn at all; give {section} a \
                 larger region"
            ));
        };
        let r = item.rect;
        // The scene never cuts the call (it shrinks it as far as the box needs); what counts
        // here is whether it stays large enough to read across the hall.
        let smallest = size * CALL_SMALLEST * unit;
        let need_w = wanted.chars().count() as f32 * EM_PER_CHAR * smallest;
        let need_h = smallest * line;
        let finite = [r.x, r.y, r.w, r.h, smallest].iter().all(|v| v.is_finite());
        if !finite || r.w + 0.5 < need_w || r.h + 0.5 < need_h {
            return Some(format!(
                "the called {what} ({wanted}) would not be drawn: its box is {:.0}×{:.0} pixels, \
                 too small for it at its smallest size (about {:.0}×{:.0}); give {section} \
                 a larger region, or make style.padding or its label_size smaller",
                r.w.max(0.0),
                r.h.max(0.0),
                need_w,
                need_h,
            ));
        }
    }
    None
}

/// Contrast every text needs against what it is drawn on (WCAG 2 AA for normal text).
pub const MIN_CONTRAST: f32 = 4.5;
/// Contrast in a layout that declares `high_contrast = true` (WCAG 2 AAA).
pub const MIN_CONTRAST_HIGH: f32 = 7.0;
/// The smallest type a board may draw, in percent of the screen's shorter side (17 px on a 1080
/// pixel side): smaller is not read from the back of a waiting room.
pub const LEGIBLE_PERCENT: f32 = crate::scene::metrics::LEGIBLE_PERCENT;
/// A generous average advance of a character of regular text, in font sizes; bold is wider.
const EM_REGULAR: f32 = 0.5;
const EM_BOLD: f32 = 0.56;

/// The panels a layout places, by the key that places them.
fn panels(layout: &Layout) -> Vec<(&'static str, &crate::layout::Region)> {
    if layout.is_counter {
        return vec![("counter.region", &layout.counter.region)];
    }
    vec![
        ("header.region", &layout.header.region),
        ("current_call.region", &layout.current_call.region),
        ("recent_calls.region", &layout.recent_calls.region),
        ("services.region", &layout.services.region),
        ("footer.region", &layout.footer.region),
    ]
    .into_iter()
    // Last, so that a text in the code's region is counted as its own.
    .chain(layout.qr.region.as_ref().map(|r| ("qr.region", r)))
    .collect()
}

/// The panels the code's region may overlap: they give it their room while a code is shown.
const GIVE_ROOM_TO_QR: [&str; 3] = [
    "current_call.region",
    "recent_calls.region",
    "services.region",
];

/// The address the design check draws as the queue's code: a long one (a path and a query, 62
/// bytes: a version 4 code, 33 modules), so that a layout that passes scans with what offices
/// configure.
pub const REFERENCE_QUEUE_URL: &str =
    "https://rezerwacje.ereszow.pl/kolejka/pom-millenium?widok=tel";

/// The fewest whole pixels a module of the queue's code may have at the layout's own size: 4
/// pixels are 2.5 mm on a 55" 1080p panel, about 2 pixels of a phone camera's 1080p frame at
/// 2 m, what scanners need at the least (docs/LAYOUT.md, "The queue's code").
pub const MIN_MODULE_PX: u32 = 4;

/// The shape the layout is made for: its `orientation` key, else the shape at which fewer of its
/// texts would be cut (a tie is landscape, the common case).
pub fn own_orientation(layout: &Layout) -> crate::layout::Orientation {
    use crate::layout::Orientation::{Landscape, Portrait};
    if let Some(o) = layout.orientation {
        return o;
    }
    // Judged without the queue's code, which takes room the same way at either shape.
    let mut bare = layout.clone();
    bare.qr.region = None;
    let cut = |o: crate::layout::Orientation| {
        type_problems(&bare, o.size()).len() + services_left_out(&bare, o.size())
    };
    if cut(Portrait) < cut(Landscape) {
        Portrait
    } else {
        Landscape
    }
}

/// What ruins a board to the eye though every number is in range: panels that overlap, text
/// whose colour has too little contrast with what it is drawn on, and text that would be cut or
/// drawn too small to read, at the sizes of the layout's own orientation. Pure: it builds the
/// scene of a representative board and measures its display list.
pub fn check_design(layout: &Layout, text: &str, file: &Path) -> Vec<LayoutError> {
    let mut problems = Vec::new();
    let regions = panels(layout);
    for (i, (a_key, a)) in regions.iter().enumerate() {
        for (b_key, b) in &regions[i + 1..] {
            let [ax, ay, aw, ah] = *a.get_ref();
            let [bx, by, bw, bh] = *b.get_ref();
            let w = (ax + aw).min(bx + bw) - ax.max(bx);
            let h = (ay + ah).min(by + bh) - ay.max(by);
            let gives_room = (*b_key == "qr.region" && GIVE_ROOM_TO_QR.contains(a_key))
                || (*a_key == "qr.region" && GIVE_ROOM_TO_QR.contains(b_key));
            // A tenth of a percent is rounding, not a design.
            if w > 0.1 && h > 0.1 && !gives_room {
                problems.push(LayoutError::at(
                    text,
                    b.span(),
                    format!(
                        "{b_key} {} overlaps {a_key} {} by {w:.1} × {h:.1} % of the screen; \
                         one panel would hide the other — move or shrink one of them",
                        show(*b.get_ref()),
                        show(*a.get_ref())
                    ),
                ));
            }
        }
    }
    let size = own_orientation(layout).size();
    if let Some(message) = qr_problem(layout, size) {
        problems.push(LayoutError::key(text, "qr.region", message));
    }
    problems.extend(contrast_problems(layout, text, size));
    for (key, message) in type_problems(layout, size) {
        problems.push(LayoutError::key(text, key, message));
    }
    problems.extend(subtitle_problems(layout, text, size));
    problems.into_iter().map(|p| p.in_file(file)).collect()
}

/// How many services of the representative board the services panel leaves out beyond its
/// `max_rows` because their rows would be drawn too small to read (the scene lists the busiest
/// that fit): a sign of a layout drawn at a shape it was not made for.
fn services_left_out(layout: &Layout, size: (u32, u32)) -> usize {
    let Some(s) = crate::scenarios::build(REPRESENTATIVE) else {
        return 0;
    };
    let Some(list) = representative_scene(layout, size) else {
        return 0;
    };
    let services = &s.board.data.services;
    let listed = services
        .iter()
        .filter(|sv| list.texts().any(|t| t.text == sv.name))
        .count();
    services
        .len()
        .min(layout.services.max_rows as usize)
        .saturating_sub(listed)
}

/// A code region too small to scan at the layout's own size.
fn qr_problem(layout: &Layout, (width, height): (u32, u32)) -> Option<String> {
    layout.qr.region.as_ref()?;
    let qr = crate::scene::qr::QueueQr::encode(REFERENCE_QUEUE_URL).ok()?;
    let place = crate::scene::queue_code_placement(layout, &qr, width, height)?;
    (place.module_px < MIN_MODULE_PX).then(|| {
        format!(
            "at {width}×{height} the queue's code gets {} px a module for a {}-character \
             address; it needs at least {MIN_MODULE_PX} to scan from across the room: give \
             [qr] a larger region (its shorter side holds the code and its quiet zone, {} \
             modules) or a smaller caption_size",
            place.module_px,
            REFERENCE_QUEUE_URL.len(),
            qr.width_with_quiet_zone()
        )
    })
}

fn show([x, y, w, h]: [f32; 4]) -> String {
    format!("[{x}, {y}, {w}, {h}]")
}

/// The scene the design checks measure: a busy board with a call on screen, open, no notices.
fn representative_scene(
    layout: &Layout,
    (width, height): (u32, u32),
) -> Option<crate::scene::DisplayList> {
    use crate::scene::{self, OpeningHours, Status};
    let s = crate::scenarios::build(REPRESENTATIVE)?;
    // A counter layout is measured as the display of the counter with the call on screen.
    let counter = layout
        .is_counter
        .then(|| {
            s.board
                .presenter
                .current()
                .and_then(|p| p.call.counter.clone())
        })
        .flatten();
    // With the queue's code where the layout places one, so that the panels that give it room
    // are measured at the size they have then.
    let queue_qr = layout
        .qr
        .region
        .as_ref()
        .and_then(|_| crate::scene::qr::QueueQr::encode(REFERENCE_QUEUE_URL).ok());
    let status = Status {
        hours: OpeningHours::always(),
        notices: Vec::new(),
        design_notes: Vec::new(),
        counter,
        queue_qr,
        ..s.status
    };
    Some(scene::build(&s.board, layout, &status, s.now, width, height).list)
}

/// Texts of the representative board that subtitle mode shows without their subtitles, for
/// want of room (the Polish text keeps its size and the subtitles are left out).
fn subtitle_problems(layout: &Layout, text: &str, size: (u32, u32)) -> Vec<LayoutError> {
    use crate::scene::{self, OpeningHours, Status};
    if layout.language.shown().len() < 2 || layout.is_counter {
        return Vec::new();
    }
    let Some(s) = crate::scenarios::build(REPRESENTATIVE) else {
        return Vec::new();
    };
    let status = Status {
        hours: OpeningHours::always(),
        notices: Vec::new(),
        design_notes: Vec::new(),
        ..s.status
    };
    let scene = scene::build(&s.board, layout, &status, s.now, size.0, size.1);
    scene
        .subtitles_left_out
        .iter()
        .map(|t| {
            let excerpt: String = t.chars().take(40).collect();
            LayoutError::key(
                text,
                "language.languages",
                format!(
                    "at {}×{} \"{excerpt}\" is shown without its subtitles: its box has no \
                     room for them at their smallest size; give its panel more room or show \
                     fewer languages",
                    size.0, size.1
                ),
            )
        })
        .collect()
}

/// The panel key whose region holds pixel rectangle `r`, for saying where a text is.
fn panel_of(layout: &Layout, r: &crate::scene::Rect, (w, h): (u32, u32)) -> &'static str {
    let (cx, cy) = (
        (r.x + r.w / 2.0) / w as f32 * 100.0,
        (r.y + r.h / 2.0) / h as f32 * 100.0,
    );
    panels(layout)
        .iter()
        .rev()
        .find(|(_, reg)| {
            let [x, y, rw, rh] = *reg.get_ref();
            cx >= x && cx <= x + rw && cy >= y && cy <= y + rh
        })
        .map_or("the board", |(k, _)| k.trim_end_matches(".region"))
}

/// Every text colour against what is under the middle of its box, composited the way the
/// renderer draws (later items over earlier ones).
fn contrast_problems(layout: &Layout, text: &str, size: (u32, u32)) -> Vec<LayoutError> {
    use crate::scene::{Color, Item};
    let Some(list) = representative_scene(layout, size) else {
        return Vec::new();
    };
    let minimum = if layout.high_contrast {
        MIN_CONTRAST_HIGH
    } else {
        MIN_CONTRAST
    };
    let mut seen: Vec<([u8; 4], [u8; 4])> = Vec::new();
    let mut problems = Vec::new();
    let mut under = Vec::new();
    for item in &list.items {
        match item {
            Item::Rect(r) => under.push(r),
            Item::Text(t) if !t.text.trim().is_empty() => {
                let (cx, cy) = (t.rect.x + t.rect.w / 2.0, t.rect.y + t.rect.h / 2.0);
                let mut bg = Color {
                    a: 1.0,
                    ..list.clear
                };
                for r in &under {
                    let rr = r.rect;
                    if cx >= rr.x && cx <= rr.x + rr.w && cy >= rr.y && cy <= rr.y + rr.h {
                        bg = over(r.fill, bg);
                    }
                }
                let fg = over(t.color, bg);
                let ratio = contrast(fg, bg);
                let pair = (fg.to_rgba8(), bg.to_rgba8());
                if ratio + 0.005 < minimum && !seen.contains(&pair) {
                    seen.push(pair);
                    let fg_key = colour_key(layout, t.color);
                    let bg_key = backdrop_key(layout, bg).unwrap_or("background");
                    let hex = |c: Color| {
                        let [r, g, b, _] = c.to_rgba8();
                        format!("#{r:02X}{g:02X}{b:02X}")
                    };
                    let message = format!(
                        "text in colors.{} ({}) on colors.{bg_key} ({}) has contrast {ratio:.1}:1, \
                         below {minimum}:1{} — e.g. \"{}\" in [{}]; make the text lighter or what \
                         it stands on darker (or the other way round)",
                        fg_key.unwrap_or("?"),
                        hex(fg),
                        hex(bg),
                        if layout.high_contrast {
                            " (high_contrast = true)"
                        } else {
                            ""
                        },
                        t.text,
                        panel_of(layout, &t.rect, size),
                    );
                    let key =
                        fg_key.map_or_else(|| "colors.text".to_owned(), |k| format!("colors.{k}"));
                    problems.push(LayoutError::key(text, &key, message));
                }
            }
            _ => {}
        }
    }
    problems
}

/// The `[colors]` key whose colour is `c` (text colours first), if any.
fn colour_key(layout: &Layout, c: crate::scene::Color) -> Option<&'static str> {
    keyed_colours(layout)
        .into_iter()
        .find(|(_, h)| same(*h, c))
        .map(|(name, _)| name)
}

/// The `[colors]` key of a backdrop colour `c` (panels and backgrounds first), if any.
fn backdrop_key(layout: &Layout, c: crate::scene::Color) -> Option<&'static str> {
    keyed_colours(layout)
        .into_iter()
        .rev()
        .find(|(_, h)| same(*h, c))
        .map(|(name, _)| name)
}

fn same(a: crate::scene::Color, b: crate::scene::Color) -> bool {
    a.with_alpha(1.0).to_rgba8() == b.with_alpha(1.0).to_rgba8()
}

fn keyed_colours(layout: &Layout) -> [(&'static str, crate::scene::Color); 12] {
    let k = &layout.colors;
    [
        ("text", k.text),
        ("muted", k.muted),
        ("accent_text", k.accent_text),
        ("recall_text", k.recall_text),
        ("alert_text", k.alert_text),
        ("accent", k.accent),
        ("recall", k.recall),
        ("alert", k.alert),
        ("border", k.border),
        ("panel_alt", k.panel_alt),
        ("panel", k.panel),
        ("background", k.background),
    ]
    .map(|(name, hex)| (name, hex.0))
}

/// `top` drawn over the opaque `bottom`.
fn over(top: crate::scene::Color, bottom: crate::scene::Color) -> crate::scene::Color {
    let a = top.a.clamp(0.0, 1.0);
    crate::scene::Color {
        r: top.r * a + bottom.r * (1.0 - a),
        g: top.g * a + bottom.g * (1.0 - a),
        b: top.b * a + bottom.b * (1.0 - a),
        a: 1.0,
    }
}

/// WCAG 2 contrast ratio of two opaque sRGB colours (1 to 21).
pub fn contrast(a: crate::scene::Color, b: crate::scene::Color) -> f32 {
    let lum = |c: crate::scene::Color| {
        let ch = |v: f32| {
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b)
    };
    let (la, lb) = (lum(a), lum(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Texts of the representative board that would be cut (ellipsized) even at their smallest size,
/// or drawn below [`LEGIBLE_PERCENT`]: `(size key, message)`. Widths are estimated with a
/// generous average advance, so a text reported here is cut on any ordinary font.
fn type_problems(layout: &Layout, (width, height): (u32, u32)) -> Vec<(&'static str, String)> {
    let Some(list) = representative_scene(layout, (width, height)) else {
        return Vec::new();
    };
    let legible = LEGIBLE_PERCENT / 100.0 * width.min(height) as f32;
    let line = crate::render::text::LINE_HEIGHT;
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    for t in list.texts() {
        let chars = t.text.chars().count() as f32;
        if chars == 0.0 || t.rect.w <= 0.0 {
            continue;
        }
        let em = if t.weight == crate::scene::Weight::Bold {
            EM_BOLD
        } else {
            EM_REGULAR
        };
        let lines = t.max_lines.clamp(1, 8) as f32;
        // The size at which the text fits its box, by width over its lines and by height, on
        // as many of its lines as suit it best.
        let fits = (1..=lines as u32)
            .map(|k| {
                let k = k as f32;
                (t.rect.w * k / (chars * em)).min(t.rect.h / (line * k).max(1.0))
            })
            .fold(0.0_f32, f32::max)
            .min(t.size);
        let panel = panel_of(layout, &t.rect, (width, height));
        let key = size_key(panel);
        let excerpt: String = t.text.chars().take(40).collect();
        if fits + 0.5 < t.min_size * 0.8 {
            problems.push((
                key,
                format!(
                    "at {width}×{height} \"{excerpt}\" in [{panel}] would be cut: its box is \
                     {:.0}×{:.0} px, it needs about {:.0} px of width at its smallest size \
                     {:.0} px; give [{panel}] a larger region or smaller type",
                    t.rect.w,
                    t.rect.h,
                    chars * em * t.min_size / lines,
                    t.min_size
                ),
            ));
        } else if fits.max(t.min_size) + 0.5 < legible {
            problems.push((
                key,
                format!(
                    "at {width}×{height} \"{excerpt}\" in [{panel}] would be drawn at about \
                     {:.0} px, below the legible {legible:.0} px ({LEGIBLE_PERCENT} % of the \
                     shorter side); give [{panel}] a larger region or fewer rows",
                    fits.max(t.min_size)
                ),
            ));
        }
    }
    problems.dedup_by(|a, b| a.0 == b.0);
    problems
}

/// The key a designer changes for type in a panel (its region, located in the file).
fn size_key(panel: &str) -> &'static str {
    match panel {
        "header" => "header.region",
        "current_call" => "current_call.region",
        "recent_calls" => "recent_calls.region",
        "services" => "services.region",
        "footer" => "footer.region",
        "counter" => "counter.region",
        "qr" => "qr.region",
        _ => "header.region",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_layouts_pass_the_design_check_and_know_their_shape() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
        for (name, shape) in [
            ("landscape.toml", crate::layout::Orientation::Landscape),
            ("portrait.toml", crate::layout::Orientation::Portrait),
            ("high-contrast.toml", crate::layout::Orientation::Landscape),
            (
                "high-contrast-portrait.toml",
                crate::layout::Orientation::Portrait,
            ),
            ("landscape-uk.toml", crate::layout::Orientation::Landscape),
        ] {
            let path = dir.join(name);
            let (mut layout, text) = crate::layout_files::load_all(&path).unwrap();
            let problems = check_design(&layout, &text, &path);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            // Without its `orientation` key the shape is guessed from how its type fits.
            layout.orientation = None;
            assert_eq!(own_orientation(&layout), shape, "{name}");
        }
    }

    /// A recent-calls panel too narrow for its title's subtitles beside it: the board shows the
    /// Polish title alone, and `check` (and `preview`, which prints the check) says so.
    #[test]
    fn subtitles_left_out_are_reported() {
        let text = format!(
            "{}\n[language]\nlanguages = [\"pl\", \"uk\", \"en\"]\n",
            crate::layout::LANDSCAPE_TOML
        );
        let mut layout = Layout::parse(&text, Path::new(".")).unwrap();
        let fine = subtitle_problems(&layout, &text, (1920, 1080));
        assert!(fine.is_empty(), "{fine:?}");
        *layout.recent_calls.region.get_mut() = [1.5, 58.5, 30.0, 33.0];
        let problems = subtitle_problems(&layout, &text, (1920, 1080));
        assert!(
            problems.iter().any(|p| p
                .message
                .contains("\"Poprzednie wywołania\" is shown without")),
            "{problems:?}"
        );
        // A Polish-only layout has no subtitles to leave out.
        layout.language = Default::default();
        assert!(subtitle_problems(&layout, &text, (1920, 1080)).is_empty());
    }

    /// The queue's code region is measured like the panels: too small to scan is a design
    /// problem at `qr.region`; over the header it overlaps; over the panels that give it room it
    /// does not.
    #[test]
    fn a_queue_code_too_small_to_scan_or_over_the_header_is_reported() {
        let path = Path::new("assets/layouts/landscape.toml");
        let with_region = |region: &str| {
            let text = crate::layout::LANDSCAPE_TOML.replace(
                "region       = [58.5, 62.5, 40.0, 29.0]",
                &format!("region       = {region}"),
            );
            assert!(crate::layout::LANDSCAPE_TOML.contains("[58.5, 62.5, 40.0, 29.0]"));
            let layout = Layout::parse(&text, Path::new("assets/layouts")).unwrap();
            check_design(&layout, &text, path)
        };
        assert_eq!(with_region("[58.5, 62.5, 40.0, 29.0]"), Vec::new());
        let small = with_region("[58.5, 80.0, 40.0, 11.5]");
        assert!(
            small
                .iter()
                .any(|p| p.message.contains("px a module")
                    && p.message.contains("[qr] a larger region")),
            "{small:?}"
        );
        let over_header = with_region("[58.5, 5.0, 40.0, 29.0]");
        assert!(
            over_header
                .iter()
                .any(|p| p.message.contains("qr.region") && p.message.contains("header.region")),
            "{over_header:?}"
        );
        assert!(
            !over_header
                .iter()
                .any(|p| p.message.contains("overlaps services.region")),
            "{over_header:?}"
        );
    }

    #[test]
    fn contrast_is_wcag() {
        use crate::scene::Color;
        let black = Color::rgb(0, 0, 0);
        let white = Color::rgb(255, 255, 255);
        assert!((contrast(black, white) - 21.0).abs() < 0.01);
        assert!((contrast(white, white) - 1.0).abs() < 0.01);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast(Color::rgb(0x76, 0x76, 0x76), white) - 4.54).abs() < 0.02);
    }

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
