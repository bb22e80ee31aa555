//! The scene's type rules, proved by the renderer's own text fitter (cosmic-text with the
//! built-in fonts, no GPU): what the scene plans is what is drawn.
//!
//! - One type size per column in the services list: the longest name decides, wrapping to two
//!   lines first; no name of the simulator's office, nor the long ones real offices use, is cut
//!   at any common screen size in any shipped layout; the queue details keep their size. The
//!   same boards drawn on a real wgpu device are read back by OCR, every word of every name.

mod support;

use std::path::Path;
use tablica::fonts::builtin_font_system;
use tablica::layout::Layout;
use tablica::render::text::{FittedText, fit};
use tablica::scenarios;
use tablica::scene::{self, Align, DisplayList, Rect, TextItem};

/// The common screen sizes; each layout is proved at those of its own shape (a landscape
/// layout on a portrait screen cuts text, and `check` and `preview` say so).
const SIZES: [(u32, u32); 6] = [
    (1366, 768),
    (1920, 1080),
    (3840, 2160),
    (768, 1366),
    (1080, 1920),
    (2160, 3840),
];

fn sizes_for(layout: &Layout) -> impl Iterator<Item = (u32, u32)> + '_ {
    SIZES
        .into_iter()
        .filter(|&(w, h)| layout.orientation == Some(tablica::layout::Orientation::of(w, h)))
}

fn shipped() -> Vec<(String, Layout)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
    [
        "landscape",
        "portrait",
        "high-contrast",
        "high-contrast-portrait",
        "landscape-uk",
    ]
    .iter()
    .map(|name| {
        let path = dir.join(format!("{name}.toml"));
        (
            name.to_string(),
            tablica::layout_files::load(&path).unwrap(),
        )
    })
    .collect()
}

/// Service names the board must show whole: the simulator's office and long ones of real
/// offices.
fn names() -> Vec<String> {
    let mut names: Vec<String> = tablica::sim::catalog::SERVICES
        .iter()
        .map(|s| s.name.to_owned())
        .collect();
    names.extend(
        [
            "Rejestracja pojazdów i prawa jazdy",
            "Deklaracje śmieciowe",
            "Rzeszowska Karta Mieszkańca",
            "Korespondencja do wszystkich wydziałów",
            // Matters a Rzeszów POM takes, as its list of matters words them.
            "Zameldowanie na pobyt stały lub czasowy",
            "Wniosek o wydanie dowodu osobistego",
            "Zgłoszenie zbycia lub nabycia pojazdu",
            "Wymiana prawa jazdy i dowodu rejestracyjnego",
            "Abonament w Strefie Płatnego Parkowania",
            "Potwierdzanie profilu zaufanego",
            "Rzeszowska Karta Dużej Rodziny",
            "Zaświadczenia z ewidencji ludności",
            "Podatek od nieruchomości",
        ]
        .map(str::to_owned),
    );
    names
}

/// The busy board with `names` as its services' names (as many services as names).
fn board_with(names: &[String], layout: &Layout, (w, h): (u32, u32)) -> DisplayList {
    let mut s = scenarios::build("busy").unwrap();
    assert!(s.board.data.services.len() >= names.len());
    s.board.data.services.truncate(names.len());
    for (service, name) in s.board.data.services.iter_mut().zip(names) {
        service.name = name.clone();
        // Translations, which a layout with languages sets under the name (the Polish-only
        // layouts ignore them): they must not cut the Polish name either.
        service.names = [
            ("uk".to_owned(), format!("Послуга: {name}")),
            ("en".to_owned(), format!("Service: {name}")),
        ]
        .into();
    }
    scene::build(&s.board, layout, &s.status, s.now, w, h).list
}

fn fitted(fonts: &mut glyphon::FontSystem, t: &TextItem) -> FittedText {
    fit(fonts, t)
}

#[test]
fn service_names_share_one_size_and_are_never_cut() {
    let mut fonts = builtin_font_system();
    let names = names();
    let mut report = String::new();
    let mut cut = Vec::new();
    for (layout_name, layout) in shipped() {
        // As many names at once as the layout lists: full columns, every name in one of them.
        for (size, names) in sizes_for(&layout).flat_map(|size| {
            names
                .chunks(layout.services.max_rows as usize)
                .map(move |c| (size, c))
        }) {
            let list = board_with(names, &layout, size);
            let mut sizes = Vec::new();
            for name in names {
                let item = list
                    .texts()
                    .find(|t| &t.text == name)
                    .unwrap_or_else(|| panic!("{layout_name} {size:?}: {name} not drawn"));
                let f = fitted(&mut fonts, item);
                if f.ellipsized || f.is_empty() {
                    cut.push(format!(
                        "{layout_name} {size:?}: {name:?} is cut ({} px in {:?})",
                        f.size, item.rect
                    ));
                }
                sizes.push(f.size);
                report += &format!(
                    "{layout_name} {}x{}: {name:?} {} px, {} line(s)\n",
                    size.0,
                    size.1,
                    f.size,
                    f.lines.len()
                );
            }
            assert!(
                sizes.iter().all(|s| *s == sizes[0]),
                "{layout_name} {size:?}: names in sizes {sizes:?}"
            );
            // Who waits and for how long keep the size they have beside short names.
            let short: Vec<String> = names.iter().map(|_| "Meldunki".to_owned()).collect();
            let plain = board_with(&short, &layout, size);
            let [x, y, w, h] = *layout.services.region.get_ref();
            let panel = Rect::new(
                x / 100.0 * size.0 as f32 - 1.0,
                y / 100.0 * size.1 as f32 - 1.0,
                w / 100.0 * size.0 as f32 + 2.0,
                h / 100.0 * size.1 as f32 + 2.0,
            );
            let details = |list: &DisplayList, fonts: &mut glyphon::FontSystem| -> Vec<f32> {
                list.texts()
                    .filter(|t| t.align == Align::Right && panel.contains(&t.rect))
                    .map(|t| fitted(fonts, t).size)
                    .collect()
            };
            let with_long = details(&list, &mut fonts);
            assert!(!with_long.is_empty());
            assert_eq!(
                with_long,
                details(&plain, &mut fonts),
                "{layout_name} {size:?}: long names changed the queue details' sizes"
            );
        }
    }
    eprintln!("{report}");
    assert!(cut.is_empty(), "{cut:#?}");
}

/// Ticket numbers, counters, the service letters, the clock and the date are never cut: set
/// smaller as far as their box needs rather than ending in "…" (a cut number is a wrong one) —
/// with long tickets and counter labels, in every shipped layout at every size of its shape, and
/// in a layout whose call and history panels are squeezed far below what their type asks for.
#[test]
fn numbers_counters_and_the_date_are_never_cut() {
    let mut fonts = builtin_font_system();
    let mut s = scenarios::build("long-names").unwrap();
    for c in &mut s.board.data.counters {
        c.label = format!("Kasa nr 1{}", c.label);
    }
    let local = tablica::protocol::time::in_warsaw(s.now);
    let mut must: Vec<String> = tablica::scene::polish::date_forms(&local).to_vec();
    must.push(tablica::scene::polish::clock(&local));
    let current = s.board.presenter.current().unwrap().call.clone();
    must.push(current.ticket.clone());
    assert!(current.ticket.chars().count() >= 8, "a long ticket");
    for call in s.board.history() {
        must.push(call.ticket.clone());
    }
    for c in &s.board.data.counters {
        must.push(c.label.clone());
    }
    for svc in &s.board.data.services {
        must.push(svc.prefix.clone());
    }
    let mut layouts = shipped();
    let mut squeezed = layouts[0].1.clone();
    squeezed.current_call.region = toml::Spanned::new(0..0, [1.5, 13.0, 22.0, 20.0]);
    squeezed.recent_calls.region = toml::Spanned::new(0..0, [1.5, 58.5, 20.0, 33.0]);
    squeezed.header.region = toml::Spanned::new(0..0, [1.5, 1.5, 50.0, 10.0]);
    layouts.push(("squeezed".into(), squeezed));
    let mut shrunk = 0;
    for (name, layout) in &layouts {
        for size in sizes_for(layout) {
            let list = scene::build(&s.board, layout, &s.status, s.now, size.0, size.1).list;
            let mut seen = 0;
            for t in list.texts().filter(|t| must.contains(&t.text)) {
                let f = fitted(&mut fonts, t);
                assert!(
                    !f.ellipsized && !f.is_empty(),
                    "{name} {size:?}: {:?} cut ({} px in {:?})",
                    t.text,
                    f.size,
                    t.rect
                );
                assert_eq!(
                    f.lines
                        .iter()
                        .map(|l| l.text.split_whitespace().collect::<String>())
                        .collect::<String>(),
                    t.text.split_whitespace().collect::<String>(),
                    "{name} {size:?}: not all of {:?} is drawn",
                    t.text
                );
                seen += 1;
                shrunk += usize::from(f.shrunk);
            }
            // The call, the history, the service letters, the clock and the date.
            assert!(seen >= 10, "{name} {size:?}: only {seen} texts checked");
        }
    }
    assert!(
        shrunk > 0,
        "the squeezed layout shrinks them, and that is all it does"
    );
}

/// Long announcements keep the layout's type size and page through: every part, as the
/// renderer sets it, fits its line whole at that size, in every shipped layout at every size of
/// its shape.
#[test]
fn announcement_parts_fit_at_full_size() {
    let mut fonts = builtin_font_system();
    let mut s = scenarios::build("long-names").unwrap();
    for (name, layout) in shipped() {
        for (w, h) in sizes_for(&layout) {
            let footer = layout.footer.region.get_ref()[1] / 100.0 * h as f32;
            let mut now = s.now;
            let mut parts = 0;
            for _ in 0..12 {
                s.board.heard(now);
                let scene = scene::build(&s.board, &layout, &s.status, now, w, h);
                let t = scene
                    .list
                    .texts()
                    .find(|t| t.rect.y >= footer - 1.0)
                    .unwrap();
                let f = fitted(&mut fonts, t);
                assert!(
                    !f.ellipsized && !f.is_empty(),
                    "{name} {w}x{h}: {:?} cut",
                    t.text
                );
                // At most a little under the layout's size (a few letters too many), never
                // shrunk to fit a long text.
                assert!(
                    f.size >= (t.size * 0.88 * 2.0).floor() / 2.0,
                    "{name} {w}x{h}: {:?} shrunk to {} px",
                    t.text,
                    f.size
                );
                parts += usize::from(t.text.ends_with(')'));
                now = scene.next_change.unwrap();
            }
            assert!(parts >= 2, "{name} {w}x{h}: the long one is not in parts");
        }
    }
}

/// The booked board in `layout` at `size`, with or without the queue's code for phones.
fn booked(layout: &Layout, (w, h): (u32, u32), code: bool) -> DisplayList {
    let s = scenarios::build("booked").unwrap();
    let status = scene::Status {
        queue_qr: code
            .then(|| scene::qr::QueueQr::encode("https://rezerwacje.ereszow.pl/kolejka").unwrap()),
        ..s.status
    };
    scene::build(&s.board, layout, &status, s.now, w, h).list
}

/// "umówiona" by an earlier booked call is drawn at least at the legible size (1.6 % of the
/// shorter side) in every shipped layout at every size of its shape, with and without the
/// queue's code narrowing the list: on its own line under the number where the cell is too short
/// to hold it beside or under the number at that size. Neither it nor the number is cut.
#[test]
fn the_booked_mark_in_earlier_calls_is_legible() {
    let mut fonts = builtin_font_system();
    let mut small = Vec::new();
    for (name, layout) in shipped() {
        for size in sizes_for(&layout) {
            let legible =
                tablica::scene::metrics::LEGIBLE_PERCENT / 100.0 * size.0.min(size.1) as f32;
            for code in [false, true] {
                let list = booked(&layout, size, code);
                let mark = list
                    .texts()
                    .find(|t| t.text == "umówiona")
                    .unwrap_or_else(|| panic!("{name} {size:?}: no mark"));
                let f = fitted(&mut fonts, mark);
                if f.size + 0.5 < legible || f.ellipsized || f.is_empty() {
                    small.push(format!(
                        "{name} {size:?} code={code}: \"umówiona\" at {} px (legible {legible:.1}), \
                         cut: {}, in {:?}",
                        f.size, f.ellipsized, mark.rect
                    ));
                }
                let number = list.texts().find(|t| t.text == "R011").unwrap();
                let n = fitted(&mut fonts, number);
                assert!(!n.ellipsized, "{name} {size:?}: R011 cut");
                // The mark sits in the number's cell, not over its neighbours.
                assert!(
                    mark.rect.y >= number.rect.y - 0.5,
                    "{name} {size:?}: {:?} over {:?}",
                    mark.rect,
                    number.rect
                );
            }
        }
    }
    assert!(small.is_empty(), "{small:#?}");
}

/// "bilety na dziś wydane" in place of a wait keeps the size of the other waits in a wide list
/// (the portrait layouts, one line a service in columns): in the wait's narrow column it wraps to
/// two lines at that size (its row grows for them) instead of shrinking onto one line; it is
/// never cut. (A narrow list, with who waits over how long, sets it a little smaller on its line.)
#[test]
fn tickets_closed_for_today_keep_the_waits_size() {
    let mut fonts = builtin_font_system();
    let mut shrunk = Vec::new();
    let wide = shipped()
        .into_iter()
        .filter(|(_, l)| l.orientation == Some(tablica::layout::Orientation::Portrait));
    for (name, layout) in wide {
        for size in sizes_for(&layout) {
            for code in [false, true] {
                let list = booked(&layout, size, code);
                let wait = list
                    .texts()
                    .find(|t| t.text == "ok. 15 minut")
                    .unwrap_or_else(|| panic!("{name} {size:?}: no wait"));
                let normal = fitted(&mut fonts, wait).size;
                for closed in list.texts().filter(|t| t.text == "bilety na dziś wydane") {
                    let f = fitted(&mut fonts, closed);
                    if f.size + 0.01 < normal || f.ellipsized || f.is_empty() {
                        shrunk.push(format!(
                            "{name} {size:?} code={code}: {} px on {} line(s) beside waits of \
                             {normal} px, cut: {}",
                            f.size,
                            f.lines.len(),
                            f.ellipsized
                        ));
                    }
                }
            }
        }
    }
    assert!(shrunk.is_empty(), "{shrunk:#?}");
}

/// What the fitter proves, read off the picture: every word of every name, on the boards the
/// fitter test measures, drawn on a real device at 1366×768, 1920×1080 and 3840×2160 (wide
/// layouts) and 1080×1920 (tall ones), in every shipped layout.
#[test]
fn ocr_reads_every_service_name_whole() {
    use support::render::{gpu, ocr_in};
    use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
    let names = names();
    let mut lost = Vec::new();
    for (layout_name, layout) in shipped() {
        let sizes: &[(u32, u32)] = match layout.orientation {
            Some(tablica::layout::Orientation::Portrait) => &[(1080, 1920)],
            _ => &[(1366, 768), (1920, 1080), (3840, 2160)],
        };
        let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
        for &size in sizes {
            for chunk in names.chunks(layout.services.max_rows as usize) {
                let list = board_with(chunk, &layout, size);
                let image = render_to_image(gpu(), &mut renderer, &list).expect("frame renders");
                for name in chunk {
                    // Each name's own box, read alone: what the board drew there.
                    let item = list.texts().find(|t| &t.text == name).unwrap();
                    let read = ocr_in(&for_ocr(&image, item.rect), "pol").to_lowercase();
                    // Tesseract sometimes splits a word ("wyd ziałów"); the words are looked
                    // for in what it read with the spaces taken out.
                    let joined: String = read.split_whitespace().collect();
                    if read.contains('…') || read.contains("...") {
                        lost.push(format!(
                            "{layout_name} {size:?}: {name:?} cut, read {read:?}"
                        ));
                    }
                    let words = name
                        .split_whitespace()
                        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                        .filter(|w| w.chars().count() >= 2);
                    for word in words {
                        if !joined.contains(&word.to_lowercase()) {
                            lost.push(format!(
                                "{layout_name} {size:?}: {word:?} of {name:?}, read {read:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(lost.is_empty(), "not read: {lost:#?}");
}

/// The box `r` of `image` (with a margin), dark text on light as Tesseract reads best (the
/// boards are light on dark): turned grey by luminance, inverted, and enlarged when small.
fn for_ocr(image: &image::RgbaImage, r: Rect) -> image::RgbaImage {
    let (w, h) = image.dimensions();
    let x = (r.x - 6.0).max(0.0) as u32;
    let y = (r.y - 6.0).max(0.0) as u32;
    let rw = ((r.w + 12.0) as u32).min(w - x);
    let rh = ((r.h + 12.0) as u32).min(h - y);
    let part = image::imageops::crop_imm(image, x, y, rw, rh).to_image();
    let grey = image::RgbaImage::from_fn(rw, rh, |px, py| {
        let [r, g, b, _] = part.get_pixel(px, py).0;
        let l = (0.2126 * r as f32 + 0.7152 * g as f32 + 0.0722 * b as f32) as u8;
        image::Rgba([255 - l, 255 - l, 255 - l, 255])
    });
    if rh < 80 {
        image::imageops::resize(
            &grey,
            rw * 2,
            rh * 2,
            image::imageops::FilterType::CatmullRom,
        )
    } else {
        grey
    }
}
