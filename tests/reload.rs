//! Live reload end to end: a running board (headless) whose layout file is edited the ways
//! editors edit files. The real watcher, the real reload and real frames on lavapipe.

mod support;

use image::RgbaImage;
use jiff::Timestamp;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::render::gpu;
use tablica::app::Core;
use tablica::layout::{LANDSCAPE_TOML, Layout};
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scenarios;
use tablica::scene::{OpeningHours, Status};

fn layout_text(background: &str) -> String {
    LANDSCAPE_TOML.replace(
        "background  = \"#0A1C2E\"",
        &format!("background  = \"{background}\""),
    )
}

struct Board {
    core: Core,
    renderer: Renderer,
    now: Timestamp,
}

impl Board {
    fn frame(&mut self) -> (RgbaImage, Vec<String>) {
        let scene = self.core.frame(self.now, 960, 540);
        let texts = scene.list.texts().map(|t| t.text.clone()).collect();
        (
            render_to_image(gpu(), &mut self.renderer, &scene.list).unwrap(),
            texts,
        )
    }

    fn background(&mut self) -> [u8; 3] {
        let px = self.frame().0.get_pixel(2, 2).0;
        [px[0], px[1], px[2]]
    }

    /// Waits (bounded) until the watcher has noticed a change and the reload happened.
    fn wait_reload(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.core.poll_layout(Instant::now()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no reload within 10 s");
    }
}

/// The busy board, open, drawn with the layout at `path` and watching it for edits.
fn watched_board(path: &std::path::Path) -> Board {
    let s = scenarios::build("busy").unwrap();
    let status = Status {
        hours: OpeningHours::always(),
        ..s.status
    };
    let mut core = Core::new(Some(tablica::layout_files::load(path).unwrap()), status);
    core.board = s.board;
    core.board.heard(s.now);
    core.layout_path = Some(path.to_path_buf());
    core.watch_layout(Arc::new(|| {}));
    Board {
        core,
        renderer: Renderer::new(gpu(), OFFSCREEN_FORMAT),
        now: s.now,
    }
}

#[test]
fn edits_show_at_once_and_mistakes_keep_the_last_good_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout.toml");
    std::fs::write(&path, layout_text("#0A1C2E")).unwrap();
    let mut board = watched_board(&path);
    assert_eq!(board.background(), [0x0A, 0x1C, 0x2E]);
    // Give the watcher a moment to be armed before the first edit.
    std::thread::sleep(Duration::from_millis(200));

    // A valid edit written in place shows on the next frame, board state untouched.
    std::fs::write(&path, layout_text("#402000")).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x40, 0x20, 0x00]);
    assert!(board.core.status.notices.is_empty());
    assert!(
        board.frame().1.iter().any(|t| t == "A017"),
        "the board kept its state"
    );

    // A mistake keeps the previous look and shows where the mistake is.
    let broken = layout_text("#40200");
    std::fs::write(&path, &broken).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x40, 0x20, 0x00]);
    let line = broken.lines().position(|l| l.contains("#40200")).unwrap() + 1;
    let where_ = format!("{}:{line}:15:", path.display());
    let texts = board.frame().1;
    assert!(
        texts.iter().any(|t| t.contains(&where_)),
        "no error card with {where_} in {texts:?}"
    );

    // Saving by writing a new file and renaming it over the old one (as many editors do).
    let tmp = dir.path().join("layout.toml.new");
    std::fs::write(&tmp, layout_text("#004020")).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x00, 0x40, 0x20]);
    assert!(
        board.core.status.notices.is_empty(),
        "{:?}",
        board.core.status.notices
    );

    // Editors' swap files next to the layout do not cause reloads.
    std::fs::write(dir.path().join(".layout.toml.swp"), "garbage").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(!board.core.poll_layout(Instant::now()));

    // Deleting the file keeps the last layout and says so; putting it back recovers.
    std::fs::remove_file(&path).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x00, 0x40, 0x20]);
    assert!(
        board
            .core
            .status
            .notices
            .iter()
            .any(|n| n.contains("cannot read"))
    );
    std::fs::write(&path, layout_text("#0A1C2E")).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x0A, 0x1C, 0x2E]);
    assert!(board.core.status.notices.is_empty());
}

/// A layout that loads but spoils the look (muted text at 1.3:1 on its panel) is shown, with
/// what the design check finds in it on the board, file:line included, clear of the call; the
/// notes go when the file is fixed, and stay while a broken edit keeps that layout on screen.
#[test]
fn design_problems_show_on_the_board_after_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout.toml");
    std::fs::write(&path, layout_text("#0A1C2E")).unwrap();
    let mut board = watched_board(&path);
    std::thread::sleep(Duration::from_millis(200));

    let dull =
        layout_text("#402000").replace("muted       = \"#A8BED3\"", "muted       = \"#2A4058\"");
    std::fs::write(&path, &dull).unwrap();
    board.wait_reload();
    // The new layout is on screen...
    assert_eq!(board.background(), [0x40, 0x20, 0x00]);
    // ...with what is wrong with it, where, and by how much.
    let line = dull.lines().position(|l| l.contains("#2A4058")).unwrap() + 1;
    let where_ = format!("{}:{line}:", path.display());
    let (image, texts) = board.frame();
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&where_) && t.contains("contrast 1.3:1")),
        "no design note with {where_} in {texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("Układ wczytany; ")));
    assert!(texts.iter().any(|t| t == "A017"), "the call is still drawn");
    assert!(board.core.status.notices.is_empty(), "not an error");
    // The amber edge of the card is drawn (the card is not only in the display list).
    let amber = image
        .pixels()
        .filter(|p| p.0[0] > 0xD0 && (0x98..0xC8).contains(&p.0[1]) && p.0[2] < 0x40)
        .count();
    assert!(amber > 500, "no amber card edge ({amber} pixels)");

    // A broken edit keeps this layout, and its notes, under the error.
    std::fs::write(&path, layout_text("#40200")).unwrap();
    board.wait_reload();
    assert!(!board.core.status.notices.is_empty());
    assert!(!board.core.status.design_notes.is_empty());

    // Fixed: no notes.
    std::fs::write(&path, layout_text("#004020")).unwrap();
    board.wait_reload();
    assert_eq!(board.background(), [0x00, 0x40, 0x20]);
    assert!(
        board.core.status.design_notes.is_empty(),
        "{:?}",
        board.core.status.design_notes
    );
    assert!(
        !board
            .frame()
            .1
            .iter()
            .any(|t| t.starts_with("Układ wczytany; "))
    );
}

/// `preview` prints what the design check finds, with file:line:col, before drawing.
#[test]
fn preview_prints_design_problems() {
    let out_dir = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/layouts/muted-low-contrast.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["preview", "--scenario", "busy"])
        .arg(&fixture)
        .arg("--out")
        .arg(out_dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let want = format!("warning: {}:17:1: text in colors.muted", fixture.display());
    assert!(stderr.contains(&want), "wanted {want:?} in {stderr}");
    assert!(stderr.contains("contrast 1.3:1"), "{stderr}");
}

/// The landscape layout with `line` added at the start of `[table]`; returns the text and the
/// 1-based line number of the added line.
fn landscape_with(table: &str, line: &str) -> (String, usize) {
    let header = format!("[{table}]\n");
    let at = LANDSCAPE_TOML.find(&header).unwrap() + header.len();
    let text = format!("{}{line}\n{}", &LANDSCAPE_TOML[..at], &LANDSCAPE_TOML[at..]);
    let number = LANDSCAPE_TOML[..at].lines().count() + 1;
    (text, number)
}

#[test]
fn check_reports_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let (logo, logo_line) = landscape_with("header", "logo = \"herb.png\"");
    let (font, font_line) = landscape_with("style", "font_files = [\"Lato.ttf\"]");
    let logo_expected = format!(":{logo_line}:1: header.logo = \"herb.png\": file not found");
    let font_expected = format!(":{font_line}:1: font \"Lato.ttf\": cannot read it");
    let cases: &[(&str, &str, &str)] = &[
        ("syntax.toml", "[header\ntitle = \"x\"\n", ":1:"),
        (
            "unknown-key.toml",
            "[header]\ntitel = \"Witamy\"\n",
            ":2:1: unknown key `titel`; did you mean `title`?",
        ),
        (
            "bad-colour.toml",
            "[colors]\naccent = \"żółty\"\n",
            ":2:10: `żółty` is not a colour",
        ),
        (
            "off-screen.toml",
            "[footer]\nregion = [0, 95, 100, 10]\n",
            ":2:10: footer.region [0, 95, 100, 10] reaches off the screen",
        ),
        ("missing-logo.toml", &logo, &logo_expected),
        ("missing-font.toml", &font, &font_expected),
        (
            "tiny-text.toml",
            "\n[services]\nname_size = 0.1\n",
            ":3:1: services.name_size = 0.1",
        ),
        (
            "cut-short.toml",
            "[colors]\n[style]\n[header]\n",
            ":4:1: the layout has no [current_call], [recent_calls], [services], [footer] sections",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{name} passed the check");
        let want = format!("{}{expected}", path.display());
        assert!(
            stdout.contains(&want),
            "{name}: wanted {want:?}, got {stdout:?}"
        );
    }
    // A font without Polish letters is named with the letters it lacks. The test font is Noto
    // Sans cut down to ASCII (pyftsubset --unicodes=U+0020-007E), under the same OFL licence.
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fonts");
    let path = dir.path().join("latin-font.toml");
    let (text, _) = landscape_with(
        "style",
        &format!("font_files = [\"{}/latin-only.ttf\"]", fonts.display()),
    );
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("lacks letters the board shows: ĄĆĘŁŃÓŚŹŻąćęłńóśźż–—…"),
        "{stdout}"
    );
    let ok = dir.path().join("ok.toml");
    std::fs::write(&ok, LANDSCAPE_TOML).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
        .arg("check")
        .arg(&ok)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Counts reloads the watcher hands over.
fn counting_watcher(
    path: &Path,
    layout: &Layout,
) -> (
    tablica::layout_files::watch::LayoutWatcher,
    Arc<std::sync::atomic::AtomicUsize>,
) {
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let watcher = tablica::layout_files::watch::LayoutWatcher::new(
        path,
        Some(layout),
        Arc::new(move || {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }),
    )
    .unwrap();
    (watcher, count)
}

/// Waits (bounded) until `count` has grown past `from`.
fn wait_count(count: &std::sync::atomic::AtomicUsize, from: usize, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if count.load(std::sync::atomic::Ordering::SeqCst) > from {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no reload within 10 s after {what}");
}

/// The board's log written into the layout's folder once made every log line a reload (33–41
/// per 10 s). Only the layout file and the files it names count; the font here is a symbolic
/// link into another folder, and an edit of the file it leads to counts too.
#[test]
fn unrelated_writes_in_the_folder_do_not_reload() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let path = dir.path().join("layout.toml");
    let (text, _) = landscape_with("header", "logo = \"logo.png\"");
    let text = text.replacen(
        "[style]\n",
        "[style]\nfont_files = [\"fonts/board.ttf\"]\n",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    std::fs::write(dir.path().join("logo.png"), b"first").unwrap();
    std::fs::create_dir(dir.path().join("fonts")).unwrap();
    let font_target = elsewhere.path().join("Real-Font.ttf");
    std::fs::write(&font_target, b"first").unwrap();
    std::os::unix::fs::symlink(&font_target, dir.path().join("fonts/board.ttf")).unwrap();
    let layout = tablica::layout_files::load(&path).unwrap();
    let (mut watcher, count) = counting_watcher(&path, &layout);
    std::thread::sleep(Duration::from_millis(200));

    // Ten seconds of a log growing line by line, plus other files coming and going, next to the
    // layout, next to the font link and next to the font itself.
    let log = dir.path().join("tablica.log");
    let until = Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    while Instant::now() < until {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        writeln!(f, "2026-12-03T09:00:00Z INFO frame {n}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), format!("{n}")).unwrap();
        std::fs::write(dir.path().join("fonts/other.ttf"), format!("{n}")).unwrap();
        std::fs::write(elsewhere.path().join("other.ttf"), format!("{n}")).unwrap();
        n += 1;
        // Longer than the watcher's quiet spell, so that the old watcher reloaded every time.
        std::thread::sleep(Duration::from_millis(300));
    }
    // Let any reload the writes caused come through before counting.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        count.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "unrelated writes caused reloads"
    );
    assert!(watcher.poll().is_none());

    // Edits of the layout, the logo, and the file the font link leads to each reload.
    let before = count.load(std::sync::atomic::Ordering::SeqCst);
    std::fs::write(dir.path().join("logo.png"), b"second").unwrap();
    wait_count(&count, before, "editing the logo");
    std::thread::sleep(Duration::from_millis(500));
    let before = count.load(std::sync::atomic::Ordering::SeqCst);
    std::fs::write(&font_target, b"second").unwrap();
    wait_count(&count, before, "editing the font the link leads to");
    std::thread::sleep(Duration::from_millis(500));
    let before = count.load(std::sync::atomic::Ordering::SeqCst);
    std::fs::write(&path, text.replace("#0A1C2E", "#402000")).unwrap();
    wait_count(&count, before, "editing the layout");
}

/// Each fixture in tests/data/layouts starts with `# expect: LINE:COL: words` — a mistake a
/// designer made, where `check` must place it, and words of the plain message (with the fix)
/// it must give.
#[test]
fn check_fixtures_say_what_is_wrong_and_how_to_fix_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/layouts");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    let mut checked = 0;
    for path in fixtures {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(expect) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
        else {
            continue;
        };
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!out.status.success(), "{name} passed the check");
        let (place, words) = expect.split_once(": ").unwrap();
        let at = format!("{}:{place}: ", path.display());
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&at) && l.contains(words)),
            "{name}: wanted {at}…{words}…, got {stdout:?}"
        );
        // Programmers' words the parser uses must not reach a designer.
        for jargon in [
            "f32",
            "invalid length",
            "invalid type",
            "ImageError",
            "format could",
        ] {
            assert!(!stdout.contains(jargon), "{name}: {jargon:?} in {stdout:?}");
        }
        checked += 1;
    }
    assert!(checked >= 9, "only {checked} fixtures");
}

/// `preview` needs no display; Mesa's device-selection layer probing Wayland printed
/// "XDG_RUNTIME_DIR is invalid" twice on every run.
#[test]
fn preview_says_nothing_about_displays() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args([
            "preview",
            "--scenario",
            "quiet",
            "--size",
            "320x180",
            "--out",
        ])
        .arg(out_dir.path())
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("NODEVICE_SELECT")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
    // Nor about a GL fallback it does not use.
    assert!(!stderr.contains("EGL"), "{stderr}");
}
