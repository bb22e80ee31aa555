//! The speaker mark on the current call while its words are said (docs/VOICE.md), for people who
//! cannot hear: rendered on a real wgpu device, it shows exactly while the words are heard, in
//! the call card's corner, and leaves every other picture as it was (the boards' reference images
//! are compared unchanged before the words and after them).
//!
//! Regenerate the speaking references with `TABLICA_UPDATE_GOLDEN=1 cargo test --test
//! speaking_mark`, and look at every changed PNG before committing it.

mod support;

use image::RgbaImage;
use jiff::{SignedDuration, Timestamp};
use support::render::{assert_golden, changed_box, gpu, ocr};
use tablica::board::Speech;
use tablica::layout::Layout;
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scenarios::{self, Scenario};
use tablica::scene;

/// A scenario whose call on screen is being spoken: its words began a second before the
/// scenario's moment (`offset` shifts that moment against the words) and last three seconds.
fn spoken(name: &str, offset: SignedDuration) -> Scenario {
    let mut s = scenarios::build(name).unwrap();
    let since = s.board.presenter.current().expect("a call on screen").since;
    let elapsed = s.now.duration_since(since);
    s.board.speak(Speech {
        from: elapsed - SignedDuration::from_secs(1),
        until: elapsed + SignedDuration::from_secs(2),
        hold: elapsed + SignedDuration::from_secs(3),
    });
    s.now += offset;
    s
}

fn render(s: &Scenario, width: u32, height: u32) -> RgbaImage {
    let layout = Layout::builtin_for(width, height);
    let scene = scene::build(&s.board, &layout, &s.status, s.now, width, height);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

/// The mark is there while the words are heard, and only then: before them (the chime) and after
/// them the picture is the same board's without words. It is small and sits in the call card's
/// bottom right corner.
fn shows_only_while_speaking(name: &str, width: u32, height: u32) -> RgbaImage {
    let speaking = render(&spoken(name, SignedDuration::ZERO), width, height);
    assert_golden(&format!("speaking-{name}-{width}x{height}"), &speaking);
    // Before the words (during the chime) and after them, the same board without any words.
    for offset in [
        SignedDuration::from_millis(-1001),
        SignedDuration::from_secs(2),
    ] {
        let mut unspoken = scenarios::build(name).unwrap();
        unspoken.now += offset;
        assert!(
            changed_box(
                &render(&spoken(name, offset), width, height),
                &render(&unspoken, width, height)
            )
            .is_none(),
            "{name} {width}x{height}: a mark outside the words"
        );
    }
    let unspoken = render(&scenarios::build(name).unwrap(), width, height);
    let (x0, y0, x1, y1) = changed_box(&speaking, &unspoken).expect("the mark is drawn");
    let layout = Layout::builtin_for(width, height);
    let [cx, cy, cw, ch] = *layout.current_call.region.get_ref();
    let unit = width.min(height) as f32 / 100.0;
    let (card_x, card_y) = (cx * width as f32 / 100.0, cy * height as f32 / 100.0);
    let card_right = card_x + cw * width as f32 / 100.0;
    let card_bottom = card_y + ch * height as f32 / 100.0;
    let mark = format!("mark at ({x0}, {y0})–({x1}, {y1}), card to x {card_right} y {card_bottom}");
    // Small: about the labels' size, no more than 8 % of the shorter side in either direction.
    assert!(
        ((x1 - x0) as f32) < 8.0 * unit && ((y1 - y0) as f32) < 8.0 * unit,
        "{mark}"
    );
    // In the card's bottom right corner.
    assert!(
        x1 as f32 <= card_right && x0 as f32 > card_right - 10.0 * unit,
        "{mark}"
    );
    assert!(
        y1 as f32 <= card_bottom && y0 as f32 > card_bottom - 10.0 * unit,
        "{mark}"
    );
    speaking
}

#[test]
fn landscape_busy() {
    shows_only_while_speaking("busy", 1920, 1080);
}

/// Portrait leaves the least room beside "Stanowisko"; the recall's card is lit at this moment.
#[test]
fn portrait_recall_and_its_labels_still_read() {
    let image = shows_only_while_speaking("recall", 1080, 1920);
    // The call card only: Tesseract reads a crop more reliably than the whole board.
    let card = image::imageops::crop_imm(&image, 0, 150, 1080, 520).to_image();
    let text = ocr(&card);
    for needle in ["Stanowisko", "B007"] {
        assert!(
            text.contains(needle),
            "OCR did not read {needle:?}:\n{text}"
        );
    }
}

#[test]
fn landscape_recall_lit() {
    shows_only_while_speaking("recall", 1920, 1080);
}

/// The picture is woken when the words begin and end, so the mark neither lingers nor comes late
/// on a board that is otherwise idle.
#[test]
fn the_scene_asks_to_be_redrawn_at_the_words_edges() {
    let s = spoken("busy", SignedDuration::ZERO);
    let layout = Layout::builtin_for(1920, 1080);
    let next =
        |now: Timestamp| scene::build(&s.board, &layout, &s.status, now, 1920, 1080).next_change;
    let end = s.now + SignedDuration::from_secs(2);
    assert_eq!(next(s.now), Some(end));
    let start = s.now - SignedDuration::from_secs(1);
    assert_eq!(next(start - SignedDuration::from_millis(500)), Some(start));
    let quiet = scene::build(&s.board, &layout, &s.status, end, 1920, 1080);
    let speaking = scene::build(&s.board, &layout, &s.status, s.now, 1920, 1080);
    assert!(speaking.list.items.len() > quiet.list.items.len());
}
