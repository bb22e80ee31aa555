//! The display over one counter (`tablica run --counter ID`): every shipped counter layout on a
//! real wgpu device against reference images, in each state a resident can meet at the desk, read
//! back by OCR. Regenerate with `TABLICA_UPDATE_GOLDEN=1 cargo test --test counter_display` and
//! look at every changed PNG.

mod support;

use image::RgbaImage;
use support::render::{assert_golden, gpu, ocr};
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
