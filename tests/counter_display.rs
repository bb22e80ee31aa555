//! The display over one counter (`tablica run --counter ID`): the shipped counter layouts on a
//! real wgpu device against reference images, for each state a resident can meet at the desk,
//! and read back by OCR. Regenerate with `TABLICA_UPDATE_GOLDEN=1 cargo test --test
//! counter_display` and look at every changed PNG.

mod support;

use image::RgbaImage;
use support::render::{assert_golden, gpu};
use tablica::layout::Layout;
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image, save_png};
use tablica::scenarios;
use tablica::scene::{self, Status};

/// The scenario `name` as counter `counter`'s display, with `layout` (else the built-in one for
/// the size).
fn render(name: &str, counter: &str, layout: Option<&str>, width: u32, height: u32) -> RgbaImage {
    let s = scenarios::build(name).unwrap();
    let layout = match layout {
        Some(file) => {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/layouts")
                .join(file);
            Layout::parse(
                &std::fs::read_to_string(&path).unwrap(),
                path.parent().unwrap(),
            )
            .unwrap()
        }
        None => Layout::builtin_counter(width, height).clone(),
    };
    let status = Status {
        counter: Some(counter.into()),
        ..s.status
    };
    let scene = scene::build(&s.board, &layout, &status, s.now, width, height);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

fn golden(name: &str, counter: &str, layout: Option<&str>, width: u32, height: u32) -> RgbaImage {
    let image = render(name, counter, layout, width, height);
    let variant = layout.map_or("builtin".to_owned(), |f| {
        f.trim_end_matches(".toml").to_owned()
    });
    assert_golden(
        &format!("counter-{name}-{counter}-{variant}-{width}x{height}"),
        &image,
    );
    image
}

fn ocr(image: &RgbaImage, name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join(format!("{name}.png"));
    // Tesseract reads type of ordinary sizes best; a counter display's ticket is several
    // hundred pixels high, so the picture is read at half size.
    let half = image::imageops::resize(
        image,
        image.width() / 2,
        image.height() / 2,
        image::imageops::FilterType::Triangle,
    );
    save_png(&half, &png).unwrap();
    let out = std::process::Command::new("tesseract")
        .arg(&png)
        .arg("stdout")
        .args(["-l", "pol", "--psm", "11"])
        .output()
        .expect("tesseract runs (apt-get install tesseract-ocr tesseract-ocr-pol)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn reads(image: &RgbaImage, name: &str, needles: &[&str]) {
    let text = ocr(image, name);
    // Very large type comes back letter-spaced ("B 0 0 7"): compared without spaces.
    let squeezed = text.replace(' ', "");
    for needle in needles {
        assert!(
            squeezed.contains(&needle.replace(' ', "")),
            "{name}: OCR did not read {needle:?}; it read:\n{text}"
        );
    }
}

/// A landscape panel over counter 1, which has just called A017: the ticket, "Zapraszamy" and
/// the service.
#[test]
fn serving_on_a_landscape_panel() {
    let image = golden("busy", "1", None, 1920, 1080);
    reads(
        &image,
        "serving",
        &["Stanowisko 1", "A017", "Zapraszamy", "Dowody osobiste"],
    );
}

/// A recall on a bar display says so in words, not only by its colour.
#[test]
fn a_recall_on_a_bar_display() {
    let image = golden("recall", "2", None, 1920, 480);
    reads(
        &image,
        "recall",
        &["Stanowisko 2", "B007", "Ponowne wezwanie"],
    );
    golden("recall", "2", None, 1280, 400);
}

/// A closed counter on a small panel, and the same in high contrast.
#[test]
fn a_closed_counter_on_a_small_panel() {
    let image = golden("busy", "6", None, 800, 480);
    reads(&image, "closed", &["Stanowisko 6", "nieczynne"]);
    golden("busy", "6", Some("counter-high-contrast.toml"), 800, 480);
}

/// An open counter between residents: it asks to wait and names the last number it served.
#[test]
fn waiting_for_the_next_call() {
    let image = golden("recall", "3", Some("counter-landscape.toml"), 1920, 1080);
    reads(&image, "waiting", &["Stanowisko 3", "Prosimy czekać"]);
}

/// Offline: the old state dimmed, the reason on the alert colour.
#[test]
fn offline() {
    let image = golden("offline", "2", None, 800, 480);
    reads(&image, "offline", &["Brak połączenia"]);
}
