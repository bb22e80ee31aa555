use super::*;
use crate::fonts::builtin_font_system;
use crate::scene::display::Color;

const WHITE: Color = Color::rgb(255, 255, 255);

fn assert_inside(fitted: &FittedText, item: &TextItem) {
    let extent = fitted.extent(item.rect);
    assert!(
        item.rect.contains(&extent),
        "text {:?} at {} px: extent {:?} leaves box {:?}",
        item.text,
        fitted.size,
        extent,
        item.rect
    );
    assert!(fitted.lines.len() <= item.max_lines.max(1) as usize);
    assert!(fitted.size <= item.size);
}

#[test]
fn short_text_keeps_its_size() {
    let mut fonts = builtin_font_system();
    let item =
        TextItem::new("A123", Rect::new(0.0, 0.0, 400.0, 100.0), 60.0, WHITE).shrink_to(20.0);
    let fitted = fit(&mut fonts, &item);
    assert_eq!(fitted.size, 60.0);
    assert!(!fitted.shrunk && !fitted.ellipsized);
    assert_eq!(fitted.lines.len(), 1);
    assert_eq!(fitted.lines[0].text, "A123");
    assert_inside(&fitted, &item);
}

#[test]
fn wide_text_shrinks_but_not_below_min_size() {
    let mut fonts = builtin_font_system();
    let item = TextItem::new(
        "Wydział Komunikacji",
        Rect::new(10.0, 10.0, 300.0, 80.0),
        60.0,
        WHITE,
    )
    .shrink_to(20.0);
    let fitted = fit(&mut fonts, &item);
    assert!(fitted.shrunk, "should shrink, got {}", fitted.size);
    assert!(fitted.size >= 20.0 && fitted.size < 60.0);
    assert!(!fitted.ellipsized);
    assert_eq!(fitted.lines[0].text, "Wydział Komunikacji");
    // Shrinking stops at the first size that fits: one step larger would not fit.
    assert!(
        fitted.lines[0].width > 300.0 * 0.9,
        "shrunk too far: {:?}",
        fitted.lines
    );
    assert_inside(&fitted, &item);
}

#[test]
fn too_long_text_is_ellipsized_on_one_line() {
    let mut fonts = builtin_font_system();
    let item = TextItem::new(
        "Sprawy meldunkowe, dowody osobiste i prawa jazdy dla mieszkańców dzielnicy",
        Rect::new(0.0, 0.0, 260.0, 50.0),
        40.0,
        WHITE,
    )
    .shrink_to(24.0);
    let fitted = fit(&mut fonts, &item);
    assert_eq!(fitted.size, 24.0);
    assert!(fitted.ellipsized);
    assert_eq!(fitted.lines.len(), 1);
    assert!(fitted.lines[0].ellipsis);
    assert!(fitted.lines[0].text.starts_with("Sprawy"));
    assert_inside(&fitted, &item);
}

#[test]
fn long_text_wraps_to_max_lines_then_ellipsizes() {
    let mut fonts = builtin_font_system();
    let item = TextItem::new(
        "Sprawy meldunkowe, dowody osobiste i prawa jazdy dla mieszkańców dzielnicy Śródmieście",
        Rect::new(0.0, 0.0, 300.0, 200.0),
        40.0,
        WHITE,
    )
    .shrink_to(30.0)
    .lines(3);
    let fitted = fit(&mut fonts, &item);
    assert_eq!(fitted.size, 30.0);
    assert_eq!(fitted.lines.len(), 3, "{:?}", fitted.lines);
    assert!(fitted.ellipsized);
    assert!(fitted.lines[2].ellipsis);
    assert!(!fitted.lines[0].ellipsis);
    for line in &fitted.lines {
        assert!(
            !line.text.starts_with(' ') && line.x == 0.0,
            "line indented: {line:?}"
        );
    }
    assert_inside(&fitted, &item);
}

#[test]
fn wrapping_is_limited_by_box_height_too() {
    let mut fonts = builtin_font_system();
    // Room for two lines of 30 px (36 px line boxes) but five are allowed.
    let item = TextItem::new(
        "Sprawy meldunkowe, dowody osobiste i prawa jazdy dla mieszkańców dzielnicy",
        Rect::new(0.0, 0.0, 250.0, 80.0),
        30.0,
        WHITE,
    )
    .lines(5);
    let fitted = fit(&mut fonts, &item);
    assert_eq!(fitted.lines.len(), 2);
    assert!(fitted.ellipsized);
    assert_inside(&fitted, &item);
}

#[test]
fn empty_and_blank_text_draw_nothing() {
    let mut fonts = builtin_font_system();
    for text in ["", "   ", "\n\t"] {
        let item = TextItem::new(text, Rect::new(0.0, 0.0, 100.0, 50.0), 20.0, WHITE);
        let fitted = fit(&mut fonts, &item);
        assert!(fitted.is_empty());
        assert!(fitted.buffer().is_none());
    }
}

#[test]
fn degenerate_boxes_and_sizes_do_not_panic() {
    let mut fonts = builtin_font_system();
    let rects = [
        Rect::new(0.0, 0.0, 0.0, 0.0),
        Rect::new(0.0, 0.0, -5.0, 20.0),
        Rect::new(f32::NAN, 0.0, 100.0, 20.0),
        Rect::new(0.0, 0.0, f32::INFINITY, 20.0),
        Rect::new(0.0, 0.0, 3.0, 3.0),
        Rect::new(0.0, 0.0, 1.0, 500.0),
    ];
    let sizes = [f32::NAN, -1.0, 0.0, 0.1, 12.0, 1.0e9];
    for rect in rects {
        for size in sizes {
            let mut item = TextItem::new("Zażółć gęślą jaźń", rect, size, WHITE).lines(3);
            item.min_size = f32::NAN;
            let fitted = fit(&mut fonts, &item);
            if !fitted.is_empty() {
                assert_inside(&fitted, &item);
            }
        }
    }
}

#[test]
fn short_box_lowers_the_size_instead_of_overflowing() {
    let mut fonts = builtin_font_system();
    let item = TextItem::new("B042", Rect::new(0.0, 0.0, 500.0, 60.0), 100.0, WHITE);
    let fitted = fit(&mut fonts, &item);
    assert!(fitted.size <= 50.0);
    assert_inside(&fitted, &item);
}

#[test]
fn alignment_places_lines_in_the_box() {
    let mut fonts = builtin_font_system();
    let rect = Rect::new(100.0, 50.0, 600.0, 200.0);
    let base = TextItem::new("Okienko 7", rect, 40.0, WHITE);
    let left = fit(
        &mut fonts,
        &base.clone().align(Align::Left).valign(VAlign::Top),
    );
    let center = fit(&mut fonts, &base.clone().align(Align::Center));
    let right = fit(
        &mut fonts,
        &base.clone().align(Align::Right).valign(VAlign::Bottom),
    );
    let w = left.lines[0].width;
    assert_eq!(left.lines[0].x, 0.0);
    assert!((center.lines[0].x - (600.0 - w) / 2.0).abs() < 0.5);
    assert!((right.lines[0].x - (600.0 - w)).abs() < 0.5);
    assert_eq!(left.top, 0.0);
    assert!((center.top - (200.0 - 48.0) / 2.0).abs() < 0.01);
    assert!((right.top - (200.0 - 48.0)).abs() < 0.01);
    for f in [&left, &center, &right] {
        assert!(rect.contains(&f.extent(rect)));
    }
}

#[test]
fn huge_text_is_cut_before_shaping() {
    let mut fonts = builtin_font_system();
    let text = "ą".repeat(200_000);
    let item = TextItem::new(text, Rect::new(0.0, 0.0, 800.0, 60.0), 40.0, WHITE);
    let start = std::time::Instant::now();
    let fitted = fit(&mut fonts, &item);
    assert!(fitted.ellipsized);
    assert!(start.elapsed().as_secs() < 5);
}

#[test]
fn cache_reuses_shaped_text_and_sweeps_old_entries() {
    let mut fonts = builtin_font_system();
    let mut cache = TextCache::new(4);
    let label = TextItem::new("Numer", Rect::new(0.0, 0.0, 200.0, 50.0), 30.0, WHITE);
    for second in 0..20 {
        let clock = TextItem::new(
            format!("12:00:{second:02}"),
            Rect::new(0.0, 0.0, 200.0, 50.0),
            30.0,
            WHITE,
        );
        let a = cache.fit(&mut fonts, &label);
        let b = cache.fit(&mut fonts, &clock);
        assert!(cache.get(&a).is_some() && cache.get(&b).is_some());
        cache.end_frame();
        assert!(cache.len() <= 5);
    }
    // The label was shaped once, each clock value once.
    assert_eq!(cache.misses(), 21);
    // Moving or recolouring a text does not re-shape it.
    let mut moved = label.clone();
    moved.rect.x = 500.0;
    moved.color = Color::rgb(255, 0, 0);
    cache.fit(&mut fonts, &moved);
    assert_eq!(cache.misses(), 21);
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn fitted_text_never_leaves_its_box(
            text in "[a-zA-ZąćęłńóśźżĄĆĘŁŃÓŚŹŻ0-9 ,.]{0,80}",
            w in 1.0f32..900.0,
            h in 1.0f32..300.0,
            size in 4.0f32..200.0,
            min_frac in 0.1f32..1.0,
            max_lines in 1u32..4,
            align in 0u8..3,
        ) {
            let mut fonts = builtin_font_system();
            let align = [Align::Left, Align::Center, Align::Right][align as usize];
            let item = TextItem::new(text, Rect::new(3.0, 7.0, w, h), size, WHITE)
                .shrink_to(size * min_frac)
                .lines(max_lines)
                .align(align);
            let fitted = fit(&mut fonts, &item);
            if !fitted.is_empty() {
                assert_inside(&fitted, &item);
            }
        }
    }
}

#[test]
fn a_no_break_space_keeps_its_words_on_one_line() {
    assert_eq!(normalise(" a\n b\u{a0}c  "), "a b\u{a0}c");
}
