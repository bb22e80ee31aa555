//! The queue's code for phones (`[board] queue_url`): rendered on a real wgpu device in every
//! shipped board layout that places it, at every common screen size, and read back from the PNG
//! by a real QR decoder (rqrr) to the exact address; every module a whole number of pixels, pure
//! black or pure white. Without an address there is no code and the panels keep its room.

mod support;

use image::RgbaImage;
use std::path::{Path, PathBuf};
use support::render::gpu;
use tablica::layout::Layout;
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image, save_png};
use tablica::scene::qr::QueueQr;
use tablica::scene::{self, Item, Rect, Status};
use tablica::{layout_files, scenarios};

const SIZES: [(u32, u32); 4] = [(1366, 768), (1920, 1080), (1080, 1920), (3840, 2160)];

/// A typical address, and one at the length limit's order (a long path and a query).
const URLS: [&str; 2] = [
    "https://rezerwacje.ereszow.pl/kolejka",
    "https://rezerwacje.ereszow.pl/kolejka/pom-millenium-hall?widok=telefon&jezyk=pl",
];

/// The shipped board layouts (not the counter displays), each with whether it places a code.
fn board_layouts() -> Vec<(String, Layout)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
    let mut out: Vec<(String, Layout)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let layout = layout_files::load(&p).unwrap();
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                layout,
            )
        })
        .filter(|(_, l)| !l.is_counter)
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn status_with(qr: Option<QueueQr>) -> (tablica::board::Board, Status, jiff::Timestamp) {
    let s = scenarios::build("booked").unwrap();
    let status = Status {
        queue_qr: qr,
        ..s.status
    };
    (s.board, status, s.now)
}

fn draw(layout: &Layout, qr: Option<QueueQr>, w: u32, h: u32) -> RgbaImage {
    let (board, status, now) = status_with(qr);
    let scene = scene::build(&board, layout, &status, now, w, h);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

/// Every QR code rqrr finds in the picture, decoded.
fn decode(image: &RgbaImage) -> Vec<Result<String, String>> {
    let (w, h) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            let p = image.get_pixel(x as u32, y as u32).0;
            // Luma, as a camera's greyscale frame would have it.
            ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8
        });
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| g.decode().map(|(_, text)| text).map_err(|e| e.to_string()))
        .collect()
}

fn failure_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("queue-code");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_shipped_board_layout_places_a_code_that_reads_back_at_every_size() {
    let layouts = board_layouts();
    let with_code: Vec<&(String, Layout)> = layouts
        .iter()
        .filter(|(_, l)| l.qr.region.is_some())
        .collect();
    // The landscape, portrait and both high-contrast boards.
    assert_eq!(
        with_code.len(),
        4,
        "{:?}",
        layouts.iter().map(|l| &l.0).collect::<Vec<_>>()
    );
    let mut failures = Vec::new();
    for (name, layout) in &with_code {
        for (w, h) in SIZES {
            for url in URLS {
                let qr = QueueQr::encode(url).unwrap();
                let image = draw(layout, Some(qr.clone()), w, h);
                let decoded = decode(&image);
                let place = scene::queue_code_placement(layout, &qr, w, h).unwrap();
                if decoded != vec![Ok(url.to_owned())] {
                    let path = failure_dir().join(format!("{name}-{w}x{h}.png"));
                    save_png(&image, &path).unwrap();
                    failures.push(format!(
                        "{name} at {w}x{h}, {} px a module: decoded {decoded:?}; see {}",
                        place.module_px,
                        path.display()
                    ));
                    continue;
                }
                // Crisp: the square is whole modules of pure black and pure white, each module
                // one colour edge to edge.
                assert!(place.module_px >= 2, "{name} {w}x{h}: {place:?}");
                let m = place.module_px;
                let (x0, y0) = (place.square.x as u32, place.square.y as u32);
                let n = qr.width_with_quiet_zone() as u32;
                assert_eq!(place.square.w as u32, n * m);
                for my in 0..n {
                    for mx in 0..n {
                        let dark =
                            mx >= 4 && my >= 4 && qr.is_dark((mx - 4) as usize, (my - 4) as usize);
                        let want = if dark { [0, 0, 0] } else { [255, 255, 255] };
                        // Every pixel of a module, but the outer ring of the quiet zone, where the
                        // white card's corners are rounded.
                        if mx == 0 || my == 0 || mx == n - 1 || my == n - 1 {
                            continue;
                        }
                        for py in 0..m {
                            for px in 0..m {
                                let p = image.get_pixel(x0 + mx * m + px, y0 + my * m + py).0;
                                assert_eq!(
                                    [p[0], p[1], p[2]],
                                    want,
                                    "{name} {w}x{h}: module ({mx}, {my}) pixel ({px}, {py})"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// How big the code is where it matters: a 55" 1080p panel (0.63 mm a pixel) read from 2 m.
/// docs/LAYOUT.md ("The queue's code") says why these numbers.
#[test]
fn the_code_is_big_enough_to_scan_from_two_metres_on_a_55_inch_screen() {
    let qr = QueueQr::encode(URLS[0]).unwrap();
    for (name, layout) in board_layouts() {
        if layout.qr.region.is_none() {
            continue;
        }
        let (w, h) = tablica::layout_files::check::own_orientation(&layout).size();
        let place = scene::queue_code_placement(&layout, &qr, w, h).unwrap();
        let module_mm = place.module_px as f32 * 0.63;
        let code_mm = module_mm * qr.width() as f32;
        assert!(
            place.module_px >= 6 && code_mm >= 100.0,
            "{name} at {w}x{h}: {} px a module, {module_mm:.1} mm, a code {code_mm:.0} mm wide",
            place.module_px
        );
        // The longest address the config takes still gets 4 px (2.5 mm) a module.
        let longest = format!(
            "https://a.pl/{}",
            "x".repeat(tablica::scene::qr::MAX_URL_BYTES - 13)
        );
        let big = QueueQr::encode(&longest).unwrap();
        let place = scene::queue_code_placement(&layout, &big, w, h).unwrap();
        assert!(place.module_px >= 4, "{name}: {place:?}");
    }
}

fn panel_rects(list: &scene::DisplayList) -> Vec<Rect> {
    list.items
        .iter()
        .filter_map(|i| match i {
            Item::Rect(r) => Some(r.rect),
            _ => None,
        })
        .collect()
}

/// Without an address there is no code, and the panels the code's region overlaps keep their
/// whole regions; with one, they end before it.
#[test]
fn without_an_address_no_code_is_drawn_and_the_panels_keep_its_room() {
    for (name, layout) in board_layouts() {
        let Some(region) = layout.qr.region.clone() else {
            continue;
        };
        for (w, h) in SIZES {
            let pixels = |r: &tablica::layout::Region| {
                let [x, y, rw, rh] = *r.get_ref();
                Rect::new(
                    (x / 100.0 * w as f32).round(),
                    (y / 100.0 * h as f32).round(),
                    (rw / 100.0 * w as f32).round(),
                    (rh / 100.0 * h as f32).round(),
                )
            };
            let (board, status, now) = status_with(None);
            let without = scene::build(&board, &layout, &status, now, w, h).list;
            let qr = QueueQr::encode(URLS[0]).unwrap();
            let (board, status, now) = status_with(Some(qr));
            let with = scene::build(&board, &layout, &status, now, w, h).list;
            let white = |list: &scene::DisplayList| {
                list.items.iter().any(
                    |i| matches!(i, Item::Rect(r) if r.fill == scene::Color::rgb(255, 255, 255)),
                )
            };
            assert!(
                !white(&without),
                "{name} {w}x{h}: a code without an address"
            );
            assert!(white(&with), "{name} {w}x{h}: no code with an address");
            assert!(
                !without.texts().any(|t| t.text.contains("telefon")),
                "{name} {w}x{h}: a caption without a code"
            );
            let q = pixels(&region);
            for (panel, r) in [
                ("current_call", &layout.current_call.region),
                ("recent_calls", &layout.recent_calls.region),
                ("services", &layout.services.region),
            ] {
                let full = pixels(r);
                let overlaps = q.x < full.right()
                    && q.right() > full.x
                    && q.y < full.bottom()
                    && q.bottom() > full.y;
                // Panels are the first rectangle drawn at their region's corner.
                let at = |list: &scene::DisplayList| {
                    panel_rects(list)
                        .into_iter()
                        .find(|p| p.x == full.x && p.y == full.y)
                        .unwrap_or_else(|| panic!("{name} {w}x{h}: no {panel} panel"))
                };
                assert_eq!(at(&without), full, "{name} {w}x{h}: {panel} without a code");
                let shown = at(&with);
                if overlaps {
                    assert!(
                        shown.right() < q.x || shown.bottom() < q.y,
                        "{name} {w}x{h}: {panel} {shown:?} under the code {q:?}"
                    );
                    assert!(
                        shown.w * shown.h < full.w * full.h,
                        "{name} {w}x{h}: {panel} gave no room"
                    );
                } else {
                    assert_eq!(shown, full, "{name} {w}x{h}: {panel} shrank for nothing");
                }
            }
        }
    }
}

/// `tablica preview` draws the queue's code by default (an example address, so that designers
/// see it without a server), on the contact sheet too; `--queue-url` chooses the address, and
/// `none` shows the board without one. `render --queue-url` draws a given one; a bad address is
/// refused with the config check's words, never a panic.
#[test]
fn preview_and_render_draw_the_code_without_a_server() {
    let bin = env!("CARGO_BIN_EXE_tablica");
    let dir = tempfile::tempdir().unwrap();
    let preview = |url: Option<&str>, out: &Path| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(["preview", "--size", "1920x1080", "--out"])
            .arg(out);
        if let Some(u) = url {
            cmd.args(["--queue-url", u]);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let read = |p: PathBuf| {
        image::open(&p)
            .unwrap_or_else(|e| panic!("{p:?}: {e}"))
            .to_rgba8()
    };
    let default = dir.path().join("default");
    preview(None, &default);
    assert_eq!(
        decode(&read(default.join("booked-1920x1080.png"))),
        vec![Ok(tablica::cmd::render::PREVIEW_QUEUE_URL.to_owned())]
    );
    // The contact sheet shows every scenario at a quarter of its size: the code is there, as a
    // black-and-white square in the booked board's thumbnail.
    assert!(default.join("contact-sheet-1920x1080.png").exists());
    let none = dir.path().join("none");
    preview(Some("none"), &none);
    assert_eq!(decode(&read(none.join("booked-1920x1080.png"))), Vec::new());
    let png = dir.path().join("render.png");
    let url = "https://kolejka.example.pl/p/7";
    let o = std::process::Command::new(bin)
        .args(["render", "--scenario", "busy", "--queue-url", url, "--out"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(decode(&read(png)), vec![Ok(url.to_owned())]);
    let o = std::process::Command::new(bin)
        .args([
            "render",
            "--scenario",
            "busy",
            "--queue-url",
            "kolejka.pl",
            "--out",
        ])
        .arg(dir.path().join("bad.png"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("not a web address"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
