//! Rendering tests on a real wgpu device (lavapipe on machines without a GPU).
//!
//! Golden images live in `tests/golden/NAME.png`. Regenerate them with
//! `TABLICA_UPDATE_GOLDEN=1 cargo test --test render` and look at them before committing. On a
//! mismatch the test writes `target/golden-failures/NAME.actual.png` and `NAME.diff.png`.

mod support;

use std::path::{Path, PathBuf};
use support::render::{assert_golden, gpu};

use image::{Rgba, RgbaImage};
use tablica::render::{Gpu, OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scene::display::{
    Align, ArrowItem, Color, DisplayList, ImageFit, ImageItem, Item, Rect, RectItem, TextItem,
    VAlign,
};

fn renderer() -> Renderer {
    Renderer::new(gpu(), OFFSCREEN_FORMAT)
}

fn render(list: &DisplayList) -> RgbaImage {
    let image = render_to_image(gpu(), &mut renderer(), list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

const NAVY: Color = Color::rgb(12, 27, 51);
const PANEL: Color = Color::rgb(28, 52, 92);
const WHITE: Color = Color::rgb(255, 255, 255);
const YELLOW: Color = Color::rgb(255, 204, 0);
const RED: Color = Color::rgb(220, 30, 30);
const GREEN: Color = Color::rgb(40, 170, 80);
const GREY: Color = Color::rgb(150, 160, 175);

fn scratch_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("render-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small logo-like PNG: a white disc on a green square with a transparent border.
fn logo_png() -> PathBuf {
    let path = scratch_dir().join("logo.png");
    let img = RgbaImage::from_fn(64, 48, |x, y| {
        if !(4..60).contains(&x) || !(4..44).contains(&y) {
            return Rgba([0, 0, 0, 0]);
        }
        let (dx, dy) = (x as f32 - 32.0, y as f32 - 24.0);
        if dx * dx + dy * dy < 14.0 * 14.0 {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([40, 170, 80, 255])
        }
    });
    img.save(&path).unwrap();
    path
}

fn panel(rect: Rect, radius: f32, fill: Color, border: Option<(f32, Color)>) -> Item {
    Item::Rect(RectItem {
        rect,
        radius,
        fill,
        border,
    })
}

/// The landscape board: header, called tickets with arrows to counters, a long service name,
/// pictures (one missing) and a panel covering text drawn before it.
fn landscape() -> DisplayList {
    let mut list = DisplayList::new(1920, 1080, NAVY);
    list.push(panel(
        Rect::new(40.0, 30.0, 1840.0, 140.0),
        24.0,
        PANEL,
        Some((4.0, YELLOW)),
    ));
    list.text(
        TextItem::new(
            "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ 0123456789",
            Rect::new(80.0, 45.0, 1600.0, 110.0),
            72.0,
            WHITE,
        )
        .bold(),
    );
    list.push(Item::Image(ImageItem {
        rect: Rect::new(1700.0, 50.0, 140.0, 100.0),
        path: logo_png(),
        fit: ImageFit::Contain,
        opacity: 1.0,
    }));
    for (row, (ticket, counter)) in [("A042", "7"), ("B108", "12"), ("C007", "3")]
        .into_iter()
        .enumerate()
    {
        let y = 220.0 + row as f32 * 200.0;
        list.push(panel(Rect::new(40.0, y, 1100.0, 170.0), 18.0, PANEL, None));
        list.text(
            TextItem::new(
                ticket,
                Rect::new(80.0, y + 10.0, 420.0, 150.0),
                120.0,
                YELLOW,
            )
            .bold()
            .align(Align::Center),
        );
        list.push(Item::Arrow(ArrowItem {
            rect: Rect::new(540.0, y + 45.0, 200.0, 80.0),
            color: WHITE,
        }));
        list.text(
            TextItem::new(
                counter,
                Rect::new(780.0, y + 10.0, 320.0, 150.0),
                120.0,
                WHITE,
            )
            .bold()
            .align(Align::Right),
        );
    }
    // A long service name in a narrow box: shrinks to its minimum, then wraps and is cut.
    list.push(panel(
        Rect::new(1180.0, 220.0, 700.0, 570.0),
        18.0,
        PANEL,
        Some((2.0, GREY)),
    ));
    list.text(
        TextItem::new(
            "Wydział Spraw Obywatelskich",
            Rect::new(1210.0, 240.0, 300.0, 60.0),
            48.0,
            WHITE,
        )
        .shrink_to(24.0),
    );
    list.text(
        TextItem::new(
            "Rejestracja pojazdów, prawa jazdy, dowody osobiste, meldunki oraz sprawy \
             dotyczące działalności gospodarczej mieszkańców dzielnicy",
            Rect::new(1210.0, 320.0, 300.0, 130.0),
            40.0,
            GREY,
        )
        .shrink_to(26.0)
        .lines(3)
        .valign(VAlign::Top),
    );
    list.text(
        TextItem::new(
            "Czynne do 18:00",
            Rect::new(1210.0, 470.0, 640.0, 60.0),
            40.0,
            WHITE,
        )
        .align(Align::Right),
    );
    // A missing picture must not stop anything after it from being drawn.
    list.push(Item::Image(ImageItem {
        rect: Rect::new(1210.0, 560.0, 200.0, 200.0),
        path: scratch_dir().join("does-not-exist.png"),
        fit: ImageFit::Cover,
        opacity: 1.0,
    }));
    list.push(Item::Image(ImageItem {
        rect: Rect::new(1440.0, 560.0, 400.0, 200.0),
        path: logo_png(),
        fit: ImageFit::Cover,
        opacity: 0.6,
    }));
    // Text, then a panel drawn after it that covers its right half.
    list.text(TextItem::new(
        "Ten tekst jest częściowo zakryty",
        Rect::new(40.0, 840.0, 1100.0, 80.0),
        56.0,
        WHITE,
    ));
    list.push(panel(
        Rect::new(600.0, 830.0, 560.0, 100.0),
        12.0,
        RED,
        Some((6.0, WHITE)),
    ));
    list.text(
        TextItem::new(
            "Komunikat",
            Rect::new(600.0, 830.0, 560.0, 100.0),
            48.0,
            WHITE,
        )
        .bold()
        .align(Align::Center),
    );
    list.push(panel(
        Rect::new(40.0, 960.0, 1840.0, 90.0),
        45.0,
        GREEN,
        None,
    ));
    list.text(
        TextItem::new(
            "Prosimy o przygotowanie dokumentów",
            Rect::new(40.0, 960.0, 1840.0, 90.0),
            44.0,
            WHITE,
        )
        .align(Align::Center),
    );
    list
}

fn portrait() -> DisplayList {
    let mut list = DisplayList::new(1080, 1920, NAVY);
    list.text(
        TextItem::new(
            "Obsługujemy",
            Rect::new(40.0, 40.0, 1000.0, 120.0),
            96.0,
            WHITE,
        )
        .bold()
        .align(Align::Center),
    );
    for row in 0..5 {
        let y = 200.0 + row as f32 * 300.0;
        list.push(panel(
            Rect::new(40.0, y, 1000.0, 260.0),
            40.0,
            PANEL,
            Some((3.0, YELLOW)),
        ));
        list.text(
            TextItem::new(
                format!("A{:03}", 17 + row * 11),
                Rect::new(80.0, y + 30.0, 460.0, 200.0),
                160.0,
                YELLOW,
            )
            .bold(),
        );
        list.push(Item::Arrow(ArrowItem {
            rect: Rect::new(560.0, y + 90.0, 160.0, 80.0),
            color: YELLOW,
        }));
        list.text(
            TextItem::new(
                format!("{}", row + 1),
                Rect::new(740.0, y + 30.0, 260.0, 200.0),
                160.0,
                WHITE,
            )
            .bold()
            .align(Align::Center),
        );
    }
    list
}

fn px(img: &RgbaImage, x: u32, y: u32) -> [u8; 4] {
    img.get_pixel(x, y).0
}

fn close(a: [u8; 4], b: [u8; 4], tolerance: u8) -> bool {
    (0..4).all(|i| a[i].abs_diff(b[i]) <= tolerance)
}

#[test]
fn golden_landscape() {
    let list = landscape();
    let img = render(&list);
    assert_eq!(img.dimensions(), (1920, 1080));
    // Pixel facts that hold whatever the reference says.
    assert!(close(px(&img, 5, 5), NAVY.to_rgba8(), 0), "clear colour");
    assert!(
        close(px(&img, 1150, 880), RED.to_rgba8(), 1),
        "red panel centre-ish"
    );
    assert!(
        close(px(&img, 602, 880), WHITE.to_rgba8(), 1),
        "panel border"
    );
    assert!(
        close(px(&img, 41, 221), NAVY.to_rgba8(), 0),
        "rounded corner is cut"
    );
    assert!(
        close(px(&img, 60, 240), PANEL.to_rgba8(), 0),
        "inside the panel"
    );
    // The missing picture left its area showing the panel; the next picture was drawn.
    assert!(close(px(&img, 1300, 660), PANEL.to_rgba8(), 0));
    assert!(!close(px(&img, 1640, 660), PANEL.to_rgba8(), 8));
    // The arrow: the shaft and the tip area are white, above the shaft is panel.
    assert!(
        close(px(&img, 560, 305), WHITE.to_rgba8(), 0),
        "arrow shaft"
    );
    assert!(close(px(&img, 735, 305), WHITE.to_rgba8(), 10), "arrow tip");
    assert!(
        close(px(&img, 560, 275), PANEL.to_rgba8(), 0),
        "above the shaft"
    );
    assert_golden("landscape", &img);
}

#[test]
fn golden_portrait() {
    let img = render(&portrait());
    assert_eq!(img.dimensions(), (1080, 1920));
    assert_golden("portrait", &img);
}

/// Text pixels appear inside the text's box and nowhere else, even for text far too big for it.
#[test]
fn text_stays_inside_its_box() {
    let boxes = [
        Rect::new(100.0, 100.0, 500.0, 120.0),
        Rect::new(100.5, 300.25, 180.0, 50.0),
        Rect::new(700.0, 100.0, 90.0, 400.0),
    ];
    let mut list = DisplayList::new(1000, 600, NAVY);
    for (i, rect) in boxes.iter().enumerate() {
        list.text(
            TextItem::new("Ąż Żółw ĘŚ gjpqy 8888888888", *rect, 200.0, WHITE)
                .bold()
                .shrink_to(40.0)
                .lines(1 + i as u32)
                .align([Align::Left, Align::Center, Align::Right][i]),
        );
    }
    let img = render(&list);
    let mut inside = [0usize; 3];
    for (x, y, p) in img.enumerate_pixels() {
        if close(p.0, NAVY.to_rgba8(), 0) {
            continue;
        }
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let owner = boxes
            .iter()
            .position(|r| fx > r.x && fx < r.right() && fy > r.y && fy < r.bottom());
        match owner {
            Some(i) => inside[i] += 1,
            None => panic!("text pixel at ({x}, {y}) outside every box: {:?}", p.0),
        }
    }
    for (i, count) in inside.iter().enumerate() {
        assert!(*count > 500, "box {i} has only {count} text pixels");
    }
}

/// The second frame of an unchanged board shapes no text, and a changed clock shapes one text.
#[test]
fn unchanged_texts_are_not_reshaped() {
    let gpu = gpu();
    let mut renderer = renderer();
    let mut list = landscape();
    render_to_image(gpu, &mut renderer, &list).unwrap();
    let view = target_view(gpu, 1920, 1080);
    let stats = renderer.render(gpu, &list, &view).unwrap();
    assert_eq!(stats.texts_shaped, 0);
    assert!(
        stats.text_layers >= 3,
        "text interleaved with panels needs layers"
    );
    list.text(TextItem::new(
        "12:34",
        Rect::new(0.0, 0.0, 200.0, 40.0),
        30.0,
        WHITE,
    ));
    let stats = renderer.render(gpu, &list, &view).unwrap();
    assert_eq!(stats.texts_shaped, 1);
    assert_eq!(gpu.error_count(), 0);
}

/// Bad input draws what it can and never panics.
#[test]
fn bad_items_do_not_crash() {
    let corrupt = scratch_dir().join("corrupt.png");
    std::fs::write(&corrupt, b"\x89PNG\r\n\x1a\ngarbage").unwrap();
    let mut list = DisplayList::new(400, 300, NAVY);
    let nan = f32::NAN;
    list.push(panel(Rect::new(nan, 0.0, 10.0, 10.0), 5.0, RED, None));
    list.push(panel(Rect::new(0.0, 0.0, 0.0, 0.0), 5.0, RED, None));
    list.push(panel(
        Rect::new(0.0, 0.0, 50.0, 50.0),
        nan,
        RED,
        Some((nan, WHITE)),
    ));
    list.push(Item::Arrow(ArrowItem {
        rect: Rect::new(0.0, 0.0, f32::INFINITY, 5.0),
        color: WHITE,
    }));
    list.push(Item::Arrow(ArrowItem {
        rect: Rect::new(300.0, 10.0, 5.0, 80.0),
        color: WHITE,
    }));
    list.text(TextItem::new(
        "",
        Rect::new(0.0, 0.0, 100.0, 100.0),
        20.0,
        WHITE,
    ));
    list.text(TextItem::new(
        "x",
        Rect::new(0.0, 0.0, 100.0, 100.0),
        nan,
        WHITE,
    ));
    list.text(TextItem::new(
        "x",
        Rect::new(-1e30, 0.0, 1e30, 100.0),
        20.0,
        WHITE,
    ));
    for path in [corrupt, PathBuf::from("/nonexistent/x.png")] {
        list.push(Item::Image(ImageItem {
            rect: Rect::new(10.0, 10.0, 100.0, 100.0),
            path,
            fit: ImageFit::Contain,
            opacity: nan,
        }));
    }
    list.push(Item::Image(ImageItem {
        rect: Rect::new(10.0, 10.0, 100.0, 100.0),
        path: PathBuf::from("/nonexistent/x.png"),
        fit: ImageFit::Cover,
        opacity: 1.0,
    }));
    list.push(panel(
        Rect::new(200.0, 200.0, 100.0, 50.0),
        0.0,
        GREEN,
        None,
    ));
    let mut renderer = renderer();
    for _ in 0..3 {
        let img = render_to_image(gpu(), &mut renderer, &list).unwrap();
        assert!(close(px(&img, 250, 225), GREEN.to_rgba8(), 0));
        assert!(close(px(&img, 25, 25), RED.to_rgba8(), 0));
    }
    let empty = DisplayList::new(0, 0, NAVY);
    let img = render_to_image(gpu(), &mut renderer, &empty).unwrap();
    assert_eq!(img.dimensions(), (0, 0));
    assert_eq!(gpu().error_count(), 0);
}

/// A ticket number 400 px tall on a 4K board: a giant glyph the atlas must grow for.
#[test]
fn giant_ticket_number_on_4k() {
    let mut list = DisplayList::new(3840, 2160, NAVY);
    let rect = Rect::new(200.0, 200.0, 3400.0, 700.0);
    list.text(
        TextItem::new("A042 17", rect, 480.0, YELLOW)
            .bold()
            .align(Align::Center),
    );
    let mut renderer = renderer();
    let img = render_to_image(gpu(), &mut renderer, &list).unwrap();
    let yellow = img
        .pixels()
        .filter(|p| close(p.0, YELLOW.to_rgba8(), 2))
        .count();
    assert!(yellow > 100_000, "only {yellow} solid glyph pixels");
    assert_eq!(gpu().error_count(), 0);
}

/// Rough timing of a busy board after warm-up, printed for the record (`--nocapture`).
#[test]
fn frame_time_of_forty_texts() {
    let gpu = gpu();
    let mut renderer = renderer();
    let mut list = landscape();
    while list.texts().count() < 40 {
        let i = list.items.len();
        list.text(TextItem::new(
            format!("Pozycja {i}"),
            Rect::new(
                20.0 + (i % 8) as f32 * 230.0,
                20.0 + (i / 8) as f32 * 40.0,
                220.0,
                36.0,
            ),
            28.0,
            GREY,
        ));
    }
    let view = target_view(gpu, 1920, 1080);
    let frame = |renderer: &mut Renderer| {
        let start = std::time::Instant::now();
        let stats = renderer.render(gpu, &list, &view).unwrap();
        gpu.device
            .poll(wgpu::PollType::wait_indefinitely())
            .unwrap();
        (start.elapsed(), stats)
    };
    let (first, _) = frame(&mut renderer);
    for _ in 0..5 {
        frame(&mut renderer);
    }
    let mut times = Vec::new();
    for _ in 0..20 {
        times.push(frame(&mut renderer));
    }
    times.sort_by_key(|(t, _)| *t);
    let (median, stats) = times[times.len() / 2];
    eprintln!(
        "1920x1080, {} texts: first frame {:?}, median frame {:?} (prepare {:?}, encode {:?}) \
         including GPU wait",
        list.texts().count(),
        first,
        median,
        stats.prepare,
        stats.encode
    );
}

/// A monitor mounted in portrait: the board is laid out upright and turned onto the panel,
/// pixel for pixel.
#[test]
fn turned_boards_land_on_the_panel_the_right_way_round() {
    use tablica::render::{Rotator, Turns, render_turned_to_image};
    // A 200×100 board: red top-left corner, green bottom-right corner, navy elsewhere.
    let mut list = DisplayList::new(200, 100, NAVY);
    list.rect(Rect::new(0.0, 0.0, 20.0, 10.0), 0.0, RED);
    list.rect(Rect::new(180.0, 90.0, 20.0, 10.0), 0.0, GREEN);
    let mut renderer = renderer();
    let mut rotator = Rotator::new(gpu(), OFFSCREEN_FORMAT);
    let mut expect = |turns: u32, size: (u32, u32), red: (u32, u32), green: (u32, u32)| {
        let img = render_turned_to_image(
            gpu(),
            &mut renderer,
            Some((&mut rotator, Turns(turns))),
            &list,
        )
        .unwrap();
        assert_eq!(img.dimensions(), size, "{turns} quarter turns");
        assert!(
            close(px(&img, red.0, red.1), RED.to_rgba8(), 2),
            "{turns}: red at {red:?}"
        );
        assert!(
            close(px(&img, green.0, green.1), GREEN.to_rgba8(), 2),
            "{turns}: green at {green:?}"
        );
        // The turned picture is exactly the upright one, no filtering: corners stay crisp.
        let inside_red = img
            .pixels()
            .filter(|p| close(p.0, RED.to_rgba8(), 2))
            .count();
        assert_eq!(inside_red, 200, "{turns}: red area");
    };
    expect(0, (200, 100), (1, 1), (198, 98));
    // Clockwise: the board's top-left corner goes to the panel's top-right.
    expect(1, (100, 200), (98, 1), (1, 198));
    expect(2, (200, 100), (198, 98), (1, 1));
    expect(3, (100, 200), (1, 198), (98, 1));
    assert_eq!(gpu().error_count(), 0);
}

/// Large rectangles are drawn as a flat interior and four edge strips (cheap on a software
/// rasteriser); the pixels must be those of the single quad shaded by the distance function:
/// fractional positions, corner radii, borders, translucent and outline-only fills, overlapping.
#[test]
fn flat_interiors_draw_the_same_pixels_as_whole_shapes() {
    let mut list = DisplayList::new(640, 480, NAVY);
    let mut k = 0.0_f32;
    for row in 0..3 {
        for col in 0..4 {
            k += 1.0;
            let rect = Rect::new(
                8.0 + col as f32 * 150.0 + k * 0.37,
                10.0 + row as f32 * 150.0 + k * 0.21,
                120.0 + k * 3.3,
                90.0 + k * 2.7,
            );
            let fill = match (row + col) % 4 {
                0 => PANEL,
                1 => YELLOW.with_alpha(0.55),
                2 => WHITE.with_alpha(0.0),
                _ => GREEN,
            };
            let border = (col % 2 == 0).then_some((k * 0.7, RED.with_alpha(0.8)));
            list.items.push(panel(rect, k * 2.5, fill, border));
        }
    }
    // One panel over all the others, translucent, and one covering the whole frame's corner.
    list.items.push(panel(
        Rect::new(100.5, 100.5, 400.0, 250.0),
        18.0,
        GREY.with_alpha(0.4),
        Some((2.5, WHITE)),
    ));
    list.items.push(panel(
        Rect::new(-20.0, 400.0, 200.0, 200.0),
        30.0,
        PANEL,
        None,
    ));
    let split = render(&list);
    let mut whole_renderer = renderer();
    whole_renderer.set_whole_shape_quads(true);
    let whole = render_to_image(gpu(), &mut whole_renderer, &list).expect("frame renders");
    let differing: Vec<(u32, u32)> = split
        .enumerate_pixels()
        .filter(|(x, y, p)| p.0 != whole.get_pixel(*x, *y).0)
        .map(|(x, y, _)| (x, y))
        .take(10)
        .collect();
    assert!(
        differing.is_empty(),
        "pixels differ from whole-quad shapes, first at {differing:?}"
    );
}

/// `list` with its first text changed, as a new call changes the board.
fn with_new_call(list: &DisplayList) -> DisplayList {
    let mut called = list.clone();
    let at = called
        .items
        .iter()
        .position(|i| matches!(i, Item::Text(_)))
        .expect("a text");
    if let Item::Text(t) = &mut called.items[at] {
        t.text = "Z999".into();
    }
    called
}

/// A texture standing in for a window's surface: retained frames are copied into it, and tests
/// read it back.
fn window_stand_in(width: u32, height: u32) -> wgpu::Texture {
    gpu().device.create_texture(&wgpu::TextureDescriptor {
        label: Some("window stand-in"),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: OFFSCREEN_FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
            | wgpu::TextureUsages::COPY_DST
            | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    })
}

/// A window draws into a frame kept across frames and redraws only what changed. Through a run
/// of frames (a new call, a blink, text moving, a panel removed, nothing changed, another
/// background), every frame must match a frame drawn whole, to within one level where a redrawn
/// part's background meets the rest, and the parts that did not change must not be redrawn.
#[test]
fn retained_frames_match_whole_frames_and_redraw_only_what_changed() {
    let base = landscape();
    let mut frames = vec![base.clone()];
    let called = with_new_call(&base);
    frames.push(called.clone());
    let mut blink = called.clone();
    blink.items.push(panel(
        Rect::new(40.5, 40.5, 300.0, 120.0),
        12.0,
        YELLOW.with_alpha(0.5),
        Some((4.0, RED)),
    ));
    frames.push(blink.clone());
    frames.push(called.clone());
    frames.push(called.clone());
    let mut fewer = called.clone();
    fewer.items.remove(1);
    frames.push(fewer);
    let mut other = called.clone();
    other.clear = GREY;
    frames.push(other);
    frames.push(base);

    let mut retained = renderer();
    let mut whole = renderer();
    let (w, h) = (frames[0].width, frames[0].height);
    let target = window_stand_in(w, h);
    let full = w as u64 * h as u64;
    for (n, list) in frames.iter().enumerate() {
        let stats = retained
            .render_retained(gpu(), list, &target)
            .expect("frame renders");
        let got = tablica::render::read_back(gpu(), &target).expect("read-back");
        let want = render_to_image(gpu(), &mut whole, list).expect("frame renders");
        let worst = got
            .pixels()
            .zip(want.pixels())
            .map(|(a, b)| (0..4).map(|i| a.0[i].abs_diff(b.0[i])).max().unwrap())
            .max()
            .unwrap();
        assert!(worst <= 1, "frame {n} differs by {worst} levels");
        match n {
            0 | 6 => assert_eq!(stats.redrawn_pixels, full, "frame {n} is new: whole"),
            // Only the picture is redrawn: its file may have changed under the same item.
            4 => assert!(
                stats.redrawn_pixels < full / 10,
                "frame {n} repeats the last but redrew {} pixels",
                stats.redrawn_pixels
            ),
            1..=3 => assert!(
                stats.redrawn_pixels < full / 4,
                "frame {n} redrew {} of {full} pixels",
                stats.redrawn_pixels
            ),
            _ => {}
        }
    }
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
}

/// A partial redraw is a render pass per changed rectangle. Each pass is given only the shapes
/// that reach into its rectangle: on a software rasteriser a quad the pass's clip drops still
/// costs its set-up, and issuing every quad of the board to every pass made a frame after a call
/// cost more than a whole frame (docs/BENCHMARKS.md, round 5).
#[test]
fn a_partial_redraw_issues_only_the_shapes_it_reaches() {
    let base = landscape();
    let called = with_new_call(&base);
    let mut renderer = renderer();
    let target = window_stand_in(base.width, base.height);
    let whole = renderer
        .render_retained(gpu(), &base, &target)
        .expect("frame renders");
    assert!(whole.quads_issued > 50, "the board has shapes: {whole:?}");
    let partial = renderer
        .render_retained(gpu(), &called, &target)
        .expect("frame renders");
    let full = base.width as u64 * base.height as u64;
    assert!(partial.redrawn_pixels > 0 && partial.redrawn_pixels < full / 4);
    assert!(
        partial.quads_issued < whole.quads_issued / 4,
        "a change of one text issued {} quads; the whole board is {}",
        partial.quads_issued,
        whole.quads_issued
    );
}

/// A portrait screen's upright board is kept across frames too: after a change, the turned
/// picture equals one drawn from scratch (to within one level where a redrawn part's background
/// meets the rest), and a frame that changes a little redraws a little.
#[test]
fn a_turned_board_redraws_what_changed() {
    use tablica::render::{Rotator, Turns, render_turned_to_image};
    let first = landscape();
    let mut second = first.clone();
    second.items.push(panel(
        Rect::new(600.5, 300.5, 200.0, 120.0),
        10.0,
        YELLOW,
        Some((3.0, RED)),
    ));
    let mut renderer = renderer();
    let mut rotator = Rotator::new(gpu(), OFFSCREEN_FORMAT);
    for list in [&first, &second, &first] {
        let kept =
            render_turned_to_image(gpu(), &mut renderer, Some((&mut rotator, Turns(1))), list)
                .expect("frame renders");
        let fresh = render_turned_to_image(
            gpu(),
            &mut self::renderer(),
            Some((&mut Rotator::new(gpu(), OFFSCREEN_FORMAT), Turns(1))),
            list,
        )
        .expect("frame renders");
        let worst = kept
            .pixels()
            .zip(fresh.pixels())
            .map(|(a, b)| (0..4).map(|i| a.0[i].abs_diff(b.0[i])).max().unwrap())
            .max()
            .unwrap();
        assert!(worst <= 1, "turned frame differs by {worst} levels");
    }
    let stats = rotator
        .render(
            gpu(),
            &mut renderer,
            &second,
            Turns(1),
            &target_view(gpu(), first.height, first.width),
        )
        .expect("frame renders");
    let full = first.width as u64 * first.height as u64;
    assert!(
        stats.redrawn_pixels < full / 4,
        "one new panel redrew {} of {full} pixels",
        stats.redrawn_pixels
    );
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
}

/// A board runs for months and shows tens of thousands of distinct ticket numbers: the caches
/// that make frames cheap (shaped texts, glyphs in the atlas) must stay within their bounds
/// rather than grow with every number ever shown. Resident memory over 10,000 calls at 1080p is
/// measured by `cargo bench --bench frame` (docs/BENCHMARKS.md); this checks the bounds.
#[test]
fn ten_thousand_distinct_calls_keep_the_caches_bounded() {
    let gpu = gpu();
    let mut renderer = renderer();
    let view = target_view(gpu, 240, 120);
    let mut most_cached = 0;
    for i in 0..10_000u32 {
        let mut list = DisplayList::new(240, 120, NAVY);
        // A new ticket number every frame, at the hero's size and at a tile's, and the last
        // few calls beside it, as a board shows them.
        let ticket = |n: u32| format!("{}{:03}", (b'A' + (n / 1000 % 20) as u8) as char, n % 1000);
        list.text(TextItem::new(
            ticket(i),
            Rect::new(0.0, 0.0, 240.0, 70.0),
            60.0,
            YELLOW,
        ));
        for k in 1..4 {
            list.text(TextItem::new(
                ticket(i.saturating_sub(k)),
                Rect::new(80.0 * (k - 1) as f32, 75.0, 80.0, 40.0),
                24.0 + k as f32,
                WHITE,
            ));
        }
        let stats = renderer.render(gpu, &list, &view).expect("frame renders");
        assert!(
            !stats.atlas_full && stats.texts_skipped == 0,
            "frame {i}: {stats:?}"
        );
        most_cached = most_cached.max(stats.texts_cached);
        if i % 200 == 0 {
            // Let the GPU catch up, as a window's present does.
            gpu.device
                .poll(wgpu::PollType::wait_indefinitely())
                .unwrap();
        }
    }
    assert!(
        most_cached <= 1024 + 4,
        "the text cache grew past its bound: {most_cached}"
    );
    assert_eq!(gpu.error_count(), 0);
}

/// A view of a fresh offscreen target of `width`×`height` to render into, as a window's surface
/// would be (nothing is read back from it).
fn target_view(gpu: &Gpu, width: u32, height: u32) -> wgpu::TextureView {
    gpu.device
        .create_texture(&wgpu::TextureDescriptor {
            label: None,
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        })
        .create_view(&Default::default())
}

/// A window draws into the surface's format, which on X11 is BGRA, while the goldens are drawn
/// into RGBA offscreen: the two must be the same picture. Before: lavapipe's fast path for
/// rectangles in BGRA targets filled whole 64-pixel tiles of the boards' flat panels with wrong
/// colours (purple blocks over the closed screen, green over a first call's yellow card), which
/// every test missed because none drew in the window's format.
#[test]
fn a_windows_format_draws_what_offscreen_frames_draw() {
    use tablica::layout::Layout;
    use tablica::{scenarios, scene};
    let pairs = [
        (OFFSCREEN_FORMAT, wgpu::TextureFormat::Bgra8Unorm),
        (
            wgpu::TextureFormat::Rgba8UnormSrgb,
            wgpu::TextureFormat::Bgra8UnormSrgb,
        ),
    ];
    for (rgba, bgra) in pairs {
        let mut a = Renderer::new(gpu(), rgba);
        let mut b = Renderer::new(gpu(), bgra);
        // Every scenario at both orientations, and the hand-made boards with a picture (a logo
        // drawn by the image pipeline).
        let mut lists = vec![("landscape", landscape()), ("portrait", portrait())];
        for name in scenarios::NAMES {
            for (w, h) in [(1920, 1080), (1080, 1920)] {
                let s = scenarios::build(name).expect("a scenario");
                let layout = Layout::builtin_for(w, h);
                lists.push((
                    name,
                    scene::build(&s.board, &layout, &s.status, s.now, w, h).list,
                ));
            }
        }
        for (name, list) in &lists {
            let (w, h) = (list.width, list.height);
            let want = render_to_image(gpu(), &mut a, list).expect("frame renders");
            let got = render_to_image(gpu(), &mut b, list).expect("frame renders");
            let differing: Vec<(u32, u32)> = got
                .enumerate_pixels()
                .filter(|(x, y, p)| !close(p.0, want.get_pixel(*x, *y).0, 1))
                .map(|(x, y, _)| (x, y))
                .collect();
            if !differing.is_empty() {
                let dir = scratch_dir();
                let _ = got.save(dir.join(format!("format-{name}-{w}x{h}-{bgra:?}.png")));
            }
            assert!(
                differing.is_empty(),
                "{name} at {w}x{h}: {} pixels differ between {rgba:?} and {bgra:?}, first at \
                 {:?}",
                differing.len(),
                &differing[..differing.len().min(5)]
            );
        }
    }
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
}
