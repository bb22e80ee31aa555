//! What the technician sees on the screen itself: the fault marker (also on the closed screen)
//! and the identify overlay, rendered on a real wgpu device, compared with reference images and
//! read back by OCR.
//!
//! Regenerate the references with `TABLICA_UPDATE_GOLDEN=1 cargo test --test problems`, and
//! look at every changed PNG before committing it.

mod support;

use image::RgbaImage;
use support::render::{assert_golden, gpu, ocr};
use tablica::layout::Layout;
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scene::overlay::{self, Identity, Overlay};
use tablica::{scenarios, scene};

fn render(name: &str, overlay: &Overlay, width: u32, height: u32) -> RgbaImage {
    let s = scenarios::build(name).unwrap();
    let layout = Layout::builtin_for(width, height);
    let mut scene = scene::build(&s.board, &layout, &s.status, s.now, width, height);
    overlay::draw(&mut scene.list, overlay);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

fn identity() -> Identity {
    Identity {
        display_id: "galeria-mokotow-2".into(),
        host: "tablica-gm2".into(),
        addresses: vec!["10.20.4.32".into(), "2001:db8:4::32".into()],
        version: "0.1.0 (3f2a9c1)".into(),
        server: Some("wss://kolejka.um.example/ws".into()),
    }
}

fn faults(kinds: &[&str]) -> Overlay {
    Overlay {
        faults: kinds.iter().map(|k| k.to_string()).collect(),
        identify: None,
    }
}

/// Before: a board refused by the server showed the normal closed screen, and a technician
/// installing it before opening time left a broken board behind.
#[test]
fn the_fault_marker_shows_on_the_closed_screen() {
    let image = render("closed", &faults(&["unauthorized"]), 1920, 1080);
    assert_golden("fault-closed-1920x1080", &image);
    let text = ocr(&image);
    assert!(text.contains("Usterka"), "{text}");
    assert!(text.contains("unauthorized"), "{text}");
}

#[test]
fn the_fault_marker_in_portrait_counts_the_others() {
    let image = render("busy", &faults(&["dns", "no_audio_device"]), 1080, 1920);
    assert_golden("fault-busy-1080x1920", &image);
    let text = ocr(&image);
    assert!(text.contains("dns"), "{text}");
    assert!(text.contains("+1"), "{text}");
}

#[test]
fn the_identify_overlay_names_the_board() {
    for (w, h) in [(1920, 1080), (1080, 1920)] {
        let overlay = Overlay {
            faults: vec!["tls".into()],
            identify: Some(identity()),
        };
        let image = render("quiet", &overlay, w, h);
        assert_golden(&format!("identify-{w}x{h}"), &image);
        let text = ocr(&image);
        for needle in [
            "galeria-mokotow-2",
            "tablica-gm2",
            "10.20.4.32",
            "0.1.0",
            "kolejka.um.example",
        ] {
            assert!(
                text.contains(needle),
                "OCR did not read {needle:?}:\n{text}"
            );
        }
    }
}

#[test]
fn no_problem_draws_nothing() {
    let s = scenarios::build("quiet").unwrap();
    let layout = Layout::builtin_for(1920, 1080);
    let scene = scene::build(&s.board, &layout, &s.status, s.now, 1920, 1080);
    let mut list = scene.list.clone();
    overlay::draw(&mut list, &Overlay::default());
    assert_eq!(list, scene.list);
}
