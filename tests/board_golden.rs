//! The board's scenarios rendered on a real wgpu device and compared with reference images, plus a
//! legibility check: OCR must read what a resident needs to read.
//!
//! Regenerate the references with `TABLICA_UPDATE_GOLDEN=1 cargo test --test board_golden`, and
//! look at every changed PNG before committing it.

mod support;

use image::RgbaImage;
use support::render::{assert_golden, gpu, ocr};
use tablica::layout::Layout;
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::{scenarios, scene};

fn render(name: &str, width: u32, height: u32) -> RgbaImage {
    let s = scenarios::build(name).unwrap();
    let layout = s.layout(&Layout::builtin_for(width, height));
    let scene = scene::build(&s.board, &layout, &s.status, s.now, width, height);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

fn golden(name: &str, width: u32, height: u32) {
    let image = render(name, width, height);
    assert_golden(&format!("board-{name}-{width}x{height}"), &image);
}

/// The booked board with the queue's code for phones, in a shipped layout file.
fn golden_with_code(layout_file: &str, width: u32, height: u32) {
    let s = scenarios::build("booked").unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/layouts")
        .join(format!("{layout_file}.toml"));
    let layout = tablica::layout_files::load(&path).unwrap();
    let status = scene::Status {
        queue_qr: Some(
            scene::qr::QueueQr::encode("https://rezerwacje.ereszow.pl/kolejka").unwrap(),
        ),
        ..s.status
    };
    let scene = scene::build(&s.board, &layout, &status, s.now, width, height);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    assert_golden(
        &format!("queue-code-{layout_file}-{width}x{height}"),
        &image,
    );
}

/// The code at the foot of the queues column, the queues listing the busiest that stay legible.
#[test]
fn queue_code_landscape() {
    golden_with_code("landscape", 1920, 1080);
}

/// The code beside the earlier calls, caption over it.
#[test]
fn queue_code_portrait() {
    golden_with_code("portrait", 1080, 1920);
}

/// Dark on white on the high-contrast board too: phones read no inverted code.
#[test]
fn queue_code_high_contrast() {
    golden_with_code("high-contrast", 1920, 1080);
}

#[test]
fn quiet() {
    golden("quiet", 1920, 1080);
}

#[test]
fn busy_with_twelve_services() {
    golden("busy", 1920, 1080);
}

#[test]
fn burst_of_calls() {
    golden("burst", 1920, 1080);
}

#[test]
fn recall() {
    golden("recall", 1920, 1080);
}

/// A booked visit called ("Wizyta umówiona — numer"), an earlier one marked "umówiona" in the
/// list, and two services whose tickets for today are all given out.
#[test]
fn booked_visit_and_tickets_closed_for_today() {
    golden("booked", 1920, 1080);
}

#[test]
fn portrait_booked_visit_and_tickets_closed_for_today() {
    golden("booked", 1080, 1920);
}

/// Calls that name no counter (a board behind `tablica bridge`): the number with "Zapraszamy"
/// instead of an arrow to a counter, the earlier numbers alone.
#[test]
fn calls_without_a_counter() {
    golden("no-counter", 1920, 1080);
}

#[test]
fn portrait_calls_without_a_counter() {
    golden("no-counter", 1080, 1920);
}

/// A call without a counter reads as the number and the invitation, at both orientations.
#[test]
fn a_call_without_a_counter_reads_as_an_invitation() {
    for (w, h) in [(1920, 1080), (1080, 1920)] {
        let text = ocr(&render("no-counter", w, h));
        for needle in ["A017", "Zapraszamy", "C031"] {
            assert!(
                text.contains(needle),
                "{w}x{h}: OCR did not read {needle:?}; it read:\n{text}"
            );
        }
        assert!(!text.contains("Stanowisko"), "{w}x{h}: {text}");
    }
}

#[test]
fn offline_banner() {
    golden("offline", 1920, 1080);
}

/// The offline board keeps the last call and the lists, dimmed, so nobody takes them for live.
#[test]
fn portrait_offline_banner() {
    golden("offline", 1080, 1920);
}

/// A long announcement in parts, at the layout's type size: the part on screen at the moment
/// of the scenario and the one after it (at the scene's next change).
#[test]
fn announcement_in_parts() {
    let mut s = scenarios::build("long-names").unwrap();
    let (w, h) = (1080, 1920);
    let layout = Layout::builtin_for(w, h);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let first = scene::build(&s.board, &layout, &s.status, s.now, w, h);
    let image = render_to_image(gpu(), &mut renderer, &first.list).unwrap();
    assert_golden("board-announcement-part-1-1080x1920", &image);
    let next = first.next_change.unwrap();
    s.board.heard(next);
    let second = scene::build(&s.board, &layout, &s.status, next, w, h);
    let image = render_to_image(gpu(), &mut renderer, &second.list).unwrap();
    assert_golden("board-announcement-part-2-1080x1920", &image);
}

#[test]
fn closed() {
    golden("closed", 1920, 1080);
}

#[test]
fn long_names() {
    golden("long-names", 1920, 1080);
}

#[test]
fn portrait_busy() {
    golden("busy", 1080, 1920);
}

#[test]
fn portrait_recall() {
    golden("recall", 1080, 1920);
}

#[test]
fn small_and_4k_screens() {
    golden("busy", 1366, 768);
    // At 4K only the structure is compared against the 1080p picture scaled up: same layout.
    let big = render("busy", 3840, 2160);
    let small = render("busy", 1920, 1080);
    let down = image::imageops::resize(&big, 1920, 1080, image::imageops::FilterType::Triangle);
    let d = support::render::difference(&small, &down);
    assert!(
        d.mean < 6.0,
        "4K board differs from 1080p in layout: mean {}",
        d.mean
    );
}

/// What residents must read, read back by Tesseract with its Polish model.
#[test]
fn a_resident_can_read_the_call_and_the_queues() {
    let image = render("busy", 1920, 1080);
    // The called number is about 216 px tall, far above the glyph sizes Tesseract is trained on:
    // whether it reads it at full size depends on what stands beside it (it lost the "7" next to
    // the arrow of the centred call group). A copy at half size is read too; the small texts
    // are read at full size.
    let half = image::imageops::resize(&image, 960, 540, image::imageops::FilterType::Triangle);
    let text = ocr(&image) + &ocr(&half);
    for needle in [
        "A017",
        "Stanowisko",
        "Dowody osobiste",
        "Rejestracja pojazdów",
        "22 osoby",
        "poniedziałek, 30 listopada 2026",
        "Przygotuj dowód osobisty",
    ] {
        assert!(
            text.contains(needle),
            "OCR did not read {needle:?}; it read:\n{text}"
        );
    }
}

/// Long names of real offices' services, whole on the portrait board: its names column takes
/// one size, and the longest wrap onto two lines instead of ending in "…".
#[test]
fn long_service_names_read_whole_in_portrait() {
    let mut s = scenarios::build("busy").unwrap();
    let names = [
        "Rzeszowska Karta Mieszkańca",
        "Rejestracja pojazdów i prawa jazdy",
        "Deklaracje śmieciowe",
        "Korespondencja do wszystkich wydziałów",
    ];
    for (service, name) in s.board.data.services.iter_mut().zip(names) {
        service.name = name.into();
    }
    let (w, h) = (1080, 1920);
    let scene = scene::build(&s.board, &Layout::builtin_for(w, h), &s.status, s.now, w, h);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).unwrap();
    let text = ocr(&image);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Those that take one line are read whole...
    for needle in &names[..3] {
        assert!(
            flat.contains(needle),
            "OCR did not read {needle:?}; it read:\n{text}"
        );
    }
    // ...and a name on two lines comes back as its two lines, read apart.
    for needle in ["Korespondencja do wszystkich", "wydziałów"] {
        assert!(
            flat.contains(needle),
            "OCR did not read {needle:?}; it read:\n{text}"
        );
    }
    assert!(!flat.contains('…'), "{text}");
}
