//! The display over one counter (`tablica run --counter ID`): every shipped counter layout on a
//! real wgpu device against reference images, in each state a resident can meet at the desk, read
//! back by OCR. Regenerate with `TABLICA_UPDATE_GOLDEN=1 cargo test --test counter_display` and
//! look at every changed PNG.

mod support;

use image::RgbaImage;
use support::render::{assert_golden, changed_box, gpu, ocr};
use tablica::board::Board;
use tablica::layout::Layout;
use tablica::protocol::{Envelope, Event, TicketTransferred};
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scenarios;
use tablica::scene::{self, Status};

/// Every shipped counter layout with the panel size it is made for.
const LAYOUTS: [(&str, u32, u32); 5] = [
    ("counter-landscape", 1920, 1080),
    ("counter-bar", 1920, 480),
    ("counter-bar", 1280, 400),
    ("counter-small", 800, 480),
    ("counter-high-contrast", 1920, 1080),
];

fn layout(name: &str) -> Layout {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
    let text = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
    Layout::parse(&text, &dir).unwrap()
}

/// The scenario `name`, changed by `change`, drawn as counter `counter`'s display.
fn render(
    name: &str,
    change: impl Fn(&mut Board, jiff::Timestamp),
    counter: &str,
    layout: &Layout,
    (width, height): (u32, u32),
) -> (RgbaImage, Vec<String>) {
    let mut s = scenarios::build(name).unwrap();
    change(&mut s.board, s.now);
    let status = Status {
        counter: Some(counter.into()),
        ..s.status
    };
    let scene = scene::build(&s.board, layout, &status, s.now, width, height);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    let texts = scene.list.texts().map(|t| t.text.clone()).collect();
    (image, texts)
}

/// What Tesseract reads in the picture at half size and, in grey, at full size: it reads type of
/// ordinary sizes best, and a counter display holds both a ticket several hundred pixels high and
/// lines of ordinary text; and its own thresholding loses white type on a dark red band unless
/// the picture is grey, while grey loses dark type on orange.
fn ocr_twice(image: &RgbaImage) -> String {
    let half = image::imageops::resize(
        image,
        image.width() / 2,
        image.height() / 2,
        image::imageops::FilterType::Triangle,
    );
    let grey = image::DynamicImage::ImageLuma8(image::imageops::grayscale(image)).to_rgba8();
    format!("{}\n{}", ocr(&half), ocr(&grey))
}

/// The state `state` (a name for the golden files) in every shipped counter layout: each matches
/// its reference image, OCR reads `needles` in each, and the ticket `ticket` is drawn whole.
/// (The ticket is checked in the scene, not by OCR: Tesseract reads a bold "B007" three hundred
/// pixels high as "E 0 07" as often as not; the golden image holds its pixels.)
fn every_layout(
    state: &str,
    scenario: &str,
    change: impl Fn(&mut Board, jiff::Timestamp),
    counter: &str,
    ticket: Option<&str>,
    needles: &[&str],
) {
    for (file, w, h) in LAYOUTS {
        let (image, texts) = render(scenario, &change, counter, &layout(file), (w, h));
        if let Some(ticket) = ticket {
            assert!(texts.iter().any(|t| t == ticket), "{file}: {texts:?}");
        }
        let name = format!("{file}-{state}-{w}x{h}");
        assert_golden(&name, &image);
        let text = ocr_twice(&image);
        // Large type comes back letter-spaced: compared without spaces.
        let plain = |t: &str| t.replace(' ', "");
        let squeezed = plain(&text);
        for needle in needles {
            assert!(
                squeezed.contains(&plain(needle)),
                "{name}: OCR did not read {needle:?}; it read:\n{text}"
            );
        }
    }
}

fn unchanged(_: &mut Board, _: jiff::Timestamp) {}

/// Counter 1 has just called A017: the ticket, "Zapraszamy" and the service.
#[test]
fn serving() {
    every_layout(
        "serving",
        "busy",
        unchanged,
        "1",
        Some("A017"),
        &["Stanowisko 1", "Zapraszamy"],
    );
}

/// A recall says so in words, not only by its colour.
#[test]
fn a_recall() {
    every_layout(
        "recall",
        "recall",
        unchanged,
        "2",
        Some("B007"),
        &["Stanowisko 2", "Ponowne wezwanie"],
    );
}

/// A017 is sent to another service while at counter 1: the desk waits for its next call and
/// names the last number it called.
#[test]
fn after_a_transfer() {
    let transfer = |board: &mut Board, now: jiff::Timestamp| {
        let seq = board.data.last_seq.unwrap() + 1;
        let event = Event::TicketTransferred(TicketTransferred {
            ticket: "A017".into(),
            from_service: "dowody".into(),
            to_service: "meldunki".into(),
        });
        board.apply(&Envelope::new(seq, now, event), now);
    };
    every_layout(
        "transferred",
        "busy",
        transfer,
        "1",
        None,
        &["Stanowisko 1", "Prosimy czekać", "Ostatni numer"],
    );
}

/// A closed counter, set up by its label.
#[test]
fn closed() {
    every_layout(
        "closed",
        "busy",
        unchanged,
        "6",
        None,
        &["Stanowisko 6", "nieczynne"],
    );
}

/// Offline: the old state dimmed, the reason on the alert colour.
#[test]
fn offline() {
    every_layout(
        "offline",
        "offline",
        unchanged,
        "2",
        None,
        &["Stanowisko 2", "Brak połączenia"],
    );
}

/// Without a layout file the panel's shape picks the built-in one.
#[test]
fn the_built_in_layout_follows_the_panel() {
    for (file, w, h) in LAYOUTS.iter().filter(|(f, ..)| !f.contains("contrast")) {
        assert_eq!(
            Layout::builtin_counter(*w, *h).name,
            layout(file).name,
            "{w}x{h} takes {file}"
        );
    }
}

/// With sound on, a counter display marks the call's words as the board does: a small speaker in
/// the panel's bottom right corner while they are said, and nothing before or after them.
#[test]
fn a_spoken_call_shows_the_speaker_mark_while_its_words_are_said() {
    use jiff::SignedDuration;
    use tablica::board::Speech;
    // The words began a second before the scenario's moment and end two seconds after it.
    let speak = |board: &mut Board, now: jiff::Timestamp| {
        let since = board.presenter.current().expect("a call on screen").since;
        let elapsed = now.duration_since(since);
        board.speak(Speech {
            from: elapsed - SignedDuration::from_secs(1),
            until: elapsed + SignedDuration::from_secs(2),
            hold: elapsed + SignedDuration::from_secs(3),
        });
    };
    for (name, w, h) in LAYOUTS {
        let layout = layout(name);
        let (quiet, _) = render("busy", unchanged, "1", &layout, (w, h));
        let (spoken, _) = render("busy", speak, "1", &layout, (w, h));
        let (x0, y0, x1, y1) =
            changed_box(&spoken, &quiet).unwrap_or_else(|| panic!("{name} {w}x{h}: no mark"));
        let [rx, ry, rw, rh] = *layout.counter.region.get_ref();
        let right = (rx + rw) / 100.0 * w as f32;
        let bottom = (ry + rh) / 100.0 * h as f32;
        let unit = w.min(h) as f32 / 100.0;
        let mark = format!("{name} {w}x{h}: mark at ({x0}, {y0})–({x1}, {y1})");
        spoken
            .save(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("speaking-{name}-{w}x{h}.png")),
            )
            .unwrap();
        // Small: about the labels' size (a bar's labels are large for its height).
        assert!(
            ((x1 - x0) as f32) < 15.0 * unit && ((y1 - y0) as f32) < 15.0 * unit,
            "{mark}"
        );
        assert!(
            x1 as f32 <= right && x0 as f32 > right - 20.0 * unit,
            "{mark}"
        );
        assert!(
            y1 as f32 <= bottom && y0 as f32 > bottom - 20.0 * unit,
            "{mark}"
        );
        // Two seconds on, past the words, the picture is the quiet one's at that moment.
        let later = |board: &mut Board, now: jiff::Timestamp| {
            speak(board, now - SignedDuration::from_secs(2));
        };
        let (after, _) = render("busy", later, "1", &layout, (w, h));
        assert_eq!(
            after.as_raw(),
            quiet.as_raw(),
            "{name} {w}x{h}: a mark after the words"
        );
    }
}
