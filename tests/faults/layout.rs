//! Layouts: every number range-checked, reload that proves the candidate draws the call before
//! swapping it in, refusing empty, truncated and non-regular files.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tablica::app::Core;
use tablica::layout::{LANDSCAPE_TOML, Layout, ranges};
use tablica::scenarios;
use tablica::scene::{self, OpeningHours, Status};

/// The screen the reloading board runs at.
const SCREEN: (u32, u32) = (960, 540);

/// `LANDSCAPE_TOML` with `table.key = literal` (replacing the key if the file has it); returns the
/// text and the 1-based line of the key.
fn landscape_with(dotted: &str, literal: &str) -> (String, usize) {
    let (table, key) = dotted.rsplit_once('.').unwrap();
    let header = format!("[{table}]");
    let mut out = Vec::new();
    let mut in_table = false;
    let mut line_no = 0;
    for line in LANDSCAPE_TOML.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == header;
        } else if in_table && trimmed.split('=').next().unwrap().trim() == key {
            continue;
        }
        out.push(line.to_owned());
        if trimmed == header {
            out.push(format!("{key} = {literal}"));
            line_no = out.len();
        }
    }
    assert!(line_no > 0, "no {header} in the landscape layout");
    (out.join("\n") + "\n", line_no)
}

/// Runs `tablica check` on `path` with a time limit; returns (passed, stdout).
fn check(path: &Path) -> (bool, String) {
    let out = Command::new("timeout")
        .arg("20")
        .arg(env!("CARGO_BIN_EXE_tablica"))
        .arg("check")
        .arg(path)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(124),
        "tablica check hung on {}",
        path.display()
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_refuses_nan_inf_huge_and_negative_numbers_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "current_call.flash_seconds",
            "inf",
            "must be a number of seconds between 0 and 60",
        ),
        (
            "current_call.flash_seconds",
            "nan",
            "must be a number of seconds between 0 and 60",
        ),
        (
            "footer.rotate_seconds",
            "-inf",
            "must be a number of seconds between 1 and 600",
        ),
        ("style.padding", "30", "must be a number between 0 and 10"),
        ("style.radius", "-1", "must be a number between 0 and 10"),
        (
            "header.clock_size",
            "1e30",
            "must be a number between 0.5 and 60",
        ),
        (
            "recent_calls.count",
            "-3",
            "must be a whole number between 1 and 24",
        ),
        (
            "services.max_rows",
            "99999999999",
            "must be a whole number between 1 and 30",
        ),
    ];
    for (i, (key, literal, range)) in cases.into_iter().enumerate() {
        let (text, line) = landscape_with(key, literal);
        let path = dir.path().join(format!("case-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let (passed, stdout) = check(&path);
        assert!(!passed, "{key} = {literal} passed the check");
        let want = format!("{}:{line}:1: {key} = {literal}: {range}", path.display());
        assert!(stdout.contains(&want), "wanted {want:?} in {stdout:?}");
    }
}

#[test]
fn check_refuses_a_layout_whose_call_would_not_be_drawn() {
    let dir = tempfile::tempdir().unwrap();
    // Each number in range, together a current-call panel with no room inside its padding.
    let text = LANDSCAPE_TOML
        .replace("padding = 2.0", "padding = 10.0")
        .replace("[1.5, 13.0, 55.5, 44.0]", "[1.5, 13.0, 20.0, 15.0]");
    let line = text.lines().position(|l| l.contains("20.0, 15.0")).unwrap() + 1;
    let path = dir.path().join("tight.toml");
    std::fs::write(&path, &text).unwrap();
    let (passed, stdout) = check(&path);
    assert!(!passed, "{stdout}");
    let want = format!(
        "{}:{line}:1: at 1920×1080 the called ticket",
        path.display()
    );
    assert!(stdout.contains(&want), "wanted {want:?} in {stdout:?}");
}

/// A board at [`SCREEN`] with a call on screen, showing the layout in `path` and watching it.
struct Reloading {
    core: Core,
    now: jiff::Timestamp,
    good: Layout,
}

impl Reloading {
    fn start(path: &Path) -> Reloading {
        let s = scenarios::build("busy").unwrap();
        let status = Status {
            hours: OpeningHours::always(),
            ..s.status
        };
        let good = tablica::layout_files::load(path).unwrap();
        let mut core = Core::new(Some(good.clone()), status);
        core.board = s.board;
        core.board.heard(s.now);
        core.layout_path = Some(path.to_path_buf());
        core.watch_layout(Arc::new(|| {}));
        let mut board = Reloading {
            core,
            now: s.now,
            good,
        };
        // The first frame tells the core the screen's size.
        assert!(board.texts().iter().any(|t| t == "A017"));
        // inotify watches are in place once `watch_layout` returns; a short pause only keeps the
        // first edit from landing in the same instant.
        std::thread::sleep(Duration::from_millis(50));
        board
    }

    fn texts(&mut self) -> Vec<String> {
        let scene = self.core.frame(self.now, SCREEN.0, SCREEN.1);
        scene.list.texts().map(|t| t.text.clone()).collect()
    }

    /// Writes `content` and waits (bounded) for the reload it causes.
    fn edit(&mut self, path: &Path, content: &[u8]) {
        std::fs::write(path, content).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.core.poll_layout(Instant::now()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no reload within 20 s");
    }

    /// The edit was refused: the old layout stays, the call stays on screen, and the error card
    /// names the file and `want`.
    fn assert_refused(&mut self, path: &Path, want: &str) {
        assert_eq!(
            self.core.layout.as_ref(),
            Some(&self.good),
            "a bad layout was swapped in"
        );
        let notices = self.core.status.notices.join("\n");
        assert!(
            notices.contains(&format!("{}", path.display())) && notices.contains(want),
            "wanted {want:?} in the notices {notices:?}"
        );
        let texts = self.texts();
        assert!(
            texts.iter().any(|t| t == "A017"),
            "the call left the screen"
        );
        assert!(
            texts.iter().any(|t| t.contains(want)),
            "no error card with {want:?} in {texts:?}"
        );
    }

    fn assert_accepted(&mut self) {
        assert!(
            self.core.status.notices.is_empty(),
            "{:?}",
            self.core.status.notices
        );
    }
}

#[test]
fn reload_refuses_absurd_numbers_empty_and_cut_short_files_and_hidden_calls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout.toml");
    std::fs::write(&path, LANDSCAPE_TOML).unwrap();
    let mut board = Reloading::start(&path);

    // Before the fix this layout was swapped in and the next frame panicked in the scene.
    let (text, line) = landscape_with("current_call.flash_seconds", "inf");
    board.edit(&path, text.as_bytes());
    board.assert_refused(
        &path,
        &format!(":{line}:1: current_call.flash_seconds = inf: must be a number of seconds"),
    );

    let (text, line) = landscape_with("services.name_size", "nan");
    board.edit(&path, text.as_bytes());
    board.assert_refused(
        &path,
        &format!(":{line}:1: services.name_size = nan: must be"),
    );

    let (text, line) = landscape_with("style.padding", "30");
    board.edit(&path, text.as_bytes());
    board.assert_refused(&path, &format!(":{line}:1: style.padding = 30: must be"));

    // Numbers each in range whose panel has no room for the call at this screen's size.
    let tight = LANDSCAPE_TOML
        .replace("padding = 2.0", "padding = 10.0")
        .replace("[1.5, 13.0, 55.5, 44.0]", "[1.5, 13.0, 30.0, 15.0]");
    board.edit(&path, tight.as_bytes());
    board.assert_refused(
        &path,
        "at 960×540 the called ticket (A017) would not be drawn",
    );

    // A half-written save: empty, then cut short before its last sections.
    board.edit(&path, b"");
    board.assert_refused(&path, "the layout file is empty");
    let cut = LANDSCAPE_TOML.find("[services]").unwrap();
    board.edit(&path, &LANDSCAPE_TOML.as_bytes()[..cut]);
    board.assert_refused(
        &path,
        "has no [services], [footer] sections; is the file cut short?",
    );
    board.edit(&path, &LANDSCAPE_TOML.as_bytes()[..cut + 5]);
    board.assert_refused(&path, &format!("{}:", path.display()));

    // A good file is taken again.
    let good = LANDSCAPE_TOML.replace("#0A1C2E\"\npanel", "#102030\"\npanel");
    board.edit(&path, good.as_bytes());
    board.assert_accepted();
}

/// Makes a FIFO at `path`.
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

#[test]
fn devices_and_fifos_as_fonts_and_pictures_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.png");
    mkfifo(&fifo);
    let font_fifo = dir.path().join("pipe.ttf");
    mkfifo(&font_fifo);
    let cases: [(&str, &str, &str); 4] = [
        (
            "style.font_files",
            "[\"/dev/zero\"]",
            "font \"/dev/zero\": it is a device",
        ),
        (
            "style.font_files",
            "[\"pipe.ttf\"]",
            "font \"pipe.ttf\": it is a FIFO (named pipe)",
        ),
        (
            "header.logo",
            "\"/dev/zero\"",
            "header.logo = \"/dev/zero\": it is a device",
        ),
        (
            "style.background_image",
            "\"pipe.png\"",
            "style.background_image = \"pipe.png\": it is a FIFO",
        ),
    ];
    for (i, (key, literal, want)) in cases.into_iter().enumerate() {
        let (text, line) = landscape_with(key, literal);
        let path = dir.path().join(format!("case-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let started = Instant::now();
        let (passed, stdout) = check(&path);
        assert!(!passed, "{key} = {literal} passed");
        let want = format!("{}:{line}:1: {want}", path.display());
        assert!(stdout.contains(&want), "wanted {want:?} in {stdout:?}");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "slow: {:?}",
            started.elapsed()
        );
    }
    // The renderer's loaders refuse them too, at once.
    let started = Instant::now();
    assert!(tablica::render::load_image(&fifo, 64).is_err());
    assert!(tablica::render::load_image(Path::new("/dev/zero"), 64).is_err());
    let mut fonts = tablica::fonts::builtin_font_system();
    assert!(tablica::fonts::load_font_file(&mut fonts, &font_fifo).is_err());
    assert!(started.elapsed() < Duration::from_secs(5));

    // And live reload: the layout naming a FIFO is refused with the old one kept.
    let path = dir.path().join("layout.toml");
    std::fs::write(&path, LANDSCAPE_TOML).unwrap();
    let mut board = Reloading::start(&path);
    let (text, _) = landscape_with("style.font_files", "[\"pipe.ttf\"]");
    board.edit(&path, text.as_bytes());
    board.assert_refused(&path, "it is a FIFO");
    // The layout file itself replaced by a FIFO: refused, not a hung watcher.
    std::fs::remove_file(&path).unwrap();
    mkfifo(&path);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !board.core.poll_layout(Instant::now()) {
        assert!(Instant::now() < deadline, "no reload within 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    board.assert_refused(&path, "cannot read the layout file: it is a FIFO");
}

/// Every number at each end of its range, in every scenario: the scene stays on screen and the
/// renderer draws it. And values a file cannot hold (NaN, infinities, absurd) still never panic
/// the scene, whatever slipped through.
#[test]
fn extreme_values_never_panic_the_scene_or_the_renderer() {
    let s = scenarios::build("busy").unwrap();
    let sizes = [(960, 540), (540, 960)];
    let mut layouts = Vec::new();
    for pick in [0, 1] {
        let mut layout = Layout::builtin_for(1920, 1080);
        for rule in ranges::NUMBERS {
            rule.set(&mut layout, if pick == 0 { rule.min } else { rule.max });
        }
        layouts.push(layout);
    }
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 1e30, 0.0] {
        let mut layout = Layout::builtin_for(1920, 1080);
        for rule in ranges::NUMBERS {
            rule.set(&mut layout, bad);
        }
        for rule in ranges::REGIONS {
            rule.set(&mut layout, [bad as f32; 4]);
        }
        for name in scenarios::NAMES {
            let sc = scenarios::build(name).unwrap();
            // The board, and the display over a counter (the same layout values drive both).
            let counter = scene::Status {
                counter: Some("1".into()),
                ..sc.status.clone()
            };
            // And the queue's code, whose region and caption take the same absurd values.
            let code = scene::Status {
                queue_qr: Some(scene::qr::QueueQr::encode("https://a.pl/kolejka").unwrap()),
                ..sc.status.clone()
            };
            for status in [&sc.status, &counter, &code] {
                for (w, h) in sizes {
                    let _ = scene::build(&sc.board, &layout, status, sc.now, w, h);
                    let later = sc.now + jiff::SignedDuration::from_secs(2);
                    let _ = scene::build(&sc.board, &layout, status, later, w, h);
                }
            }
        }
    }
    let gpu = match tablica::render::Gpu::headless() {
        Ok(gpu) => gpu,
        Err(e) => panic!("{e}\nthis test needs a wgpu adapter (lavapipe will do)"),
    };
    let mut renderer = tablica::render::Renderer::new(&gpu, tablica::render::OFFSCREEN_FORMAT);
    for layout in &layouts {
        let counter = scene::Status {
            counter: Some("1".into()),
            ..s.status.clone()
        };
        let code = scene::Status {
            queue_qr: Some(scene::qr::QueueQr::encode("https://a.pl/kolejka").unwrap()),
            ..s.status.clone()
        };
        for status in [&s.status, &counter, &code] {
            for (w, h) in sizes {
                let at_start = scene::build(&s.board, layout, status, s.now, w, h);
                tablica::render::render_to_image(&gpu, &mut renderer, &at_start.list).unwrap();
            }
        }
    }
}
