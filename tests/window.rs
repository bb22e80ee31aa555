//! The real binary in a real window on a real X server (Xvfb): it fills the screen, shows the
//! board, and sits idle when nothing happens.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::procs::{Killed, screenshot, xvfb};

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("window");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fullscreen_board_under_xvfb_then_idle() {
    let (_x, display) = xvfb(1920, 1080);
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calls.jsonl");
    // A sound card that is not there, whatever this machine has: alsa-lib's default device then
    // wants to print a screenful of its own errors for every attempt to open it.
    let log_path = out_dir().join("fullscreen.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tablica"))
        .args(["run", "--always-open", "--events"])
        .arg(&events)
        .env("DISPLAY", &display)
        .env("ALSA_CARD", "NoSuchCard")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("NODEVICE_SELECT")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let pid = child.id();
    let _board = Killed(child);
    let shot = out_dir().join("fullscreen.png");
    // The file ends with three calls and a recall within five seconds: the board presents them
    // one after another (six seconds each), so the recall of A022 is on screen about 13 s after
    // start. It blinks, then settles with the recall colour's frame around the panel.
    let deadline = Instant::now() + Duration::from_secs(45);
    let image = loop {
        std::thread::sleep(Duration::from_millis(500));
        let image = screenshot(&display, &shot);
        assert_eq!(image.dimensions(), (1920, 1080));
        let frame_px = image.get_pixel(31, 400).0;
        let panel = image.get_pixel(60, 605).0;
        if frame_px[..3] == [0xFF, 0x8A, 0x3D] && panel[..3] == [0x12, 0x30, 0x4D] {
            break image;
        }
        assert!(
            Instant::now() < deadline,
            "the settled recall is not on screen after 45 s; see {}",
            shot.display()
        );
    };
    // The whole screen is the board: its background reaches the bottom-right corner.
    let corner = image.get_pixel(1915, 1075).0;
    assert_eq!(corner[..3], [0x0A, 0x1C, 0x2E], "background at the corner");
    // Idle means idle: with nothing happening the process sleeps. A busy loop would use about
    // 100 ticks a second; drawing the clock once a minute uses none. The settled colours also
    // show in the dark half of the recall's blinking, which redraws twice a second for the
    // flash's 4 s (each frame is real work on lavapipe): wait until the flash is surely over.
    std::thread::sleep(Duration::from_secs(5));
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(4));
    let used = cpu_ticks(pid) - before;
    assert!(used <= 20, "the idle board used {used} CPU ticks in 4 s");
    // The journal is for people: no screenfuls from C libraries about a missing sound card or a
    // Wayland session that an X11 kiosk does not have; the board says so in its own lines.
    let log = std::fs::read_to_string(&log_path).unwrap();
    for noise in ["ALSA lib", "XDG_RUNTIME_DIR"] {
        assert!(!log.contains(noise), "{noise:?} in the log:\n{log}");
    }
    assert!(
        log.contains("no audio device"),
        "the board says in its own words that sound is off:\n{log}"
    );
}

/// Pixels of `a` and `b` that differ by more than `tolerance` in any channel, and an image that
/// shows them in red over a dimmed `b`.
fn differences(
    a: &image::RgbaImage,
    b: &image::RgbaImage,
    tolerance: u8,
) -> (u64, image::RgbaImage) {
    let mut diff = image::RgbaImage::new(b.width(), b.height());
    let mut count = 0;
    for (x, y, pb) in b.enumerate_pixels() {
        let pa = a.get_pixel(x, y);
        let differs = (0..3).any(|c| pa[c].abs_diff(pb[c]) > tolerance);
        count += u64::from(differs);
        diff.put_pixel(
            x,
            y,
            if differs {
                image::Rgba([255, 0, 0, 255])
            } else {
                image::Rgba([pb[0] / 3, pb[1] / 3, pb[2] / 3, 255])
            },
        );
    }
    (count, diff)
}

/// The real window, end to end (its surface format, the retained frame it draws into and copies
/// from, the X server's copy of it), shows what an offscreen render of the same moment draws.
/// Every golden test renders offscreen; this is what ties them to what a display shows. It
/// caught nothing less than a driver's fast path that painted wrong colours into X11 windows
/// only (docs/BENCHMARKS.md, "A defect found on the way"): put back, 413,696 pixels differ.
#[test]
fn a_window_shows_what_an_offscreen_render_draws() {
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calls.jsonl");
    // Two seconds after the file's last event: a call on screen, previous calls, queues.
    let at = "2026-11-30T11:02:20+01:00";
    for (width, height) in [(1920, 1080), (1080, 1920)] {
        let name = format!("{width}x{height}");
        let reference_path = out_dir().join(format!("offscreen-{name}.png"));
        let rendered = Command::new(env!("CARGO_BIN_EXE_tablica"))
            .args(["render", "--always-open", "--events"])
            .arg(&events)
            .args(["--at", at, "--size", &name, "--out"])
            .arg(&reference_path)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(rendered.success(), "tablica render failed");
        let reference = image::open(&reference_path).unwrap().into_rgba8();

        let (_x, display) = xvfb(width, height);
        let log_path = out_dir().join(format!("stopped-{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_tablica"))
            .args(["run", "--always-open", "--health", "off", "--events"])
            .arg(&events)
            .args(["--at", at])
            .env("DISPLAY", &display)
            .env("ALSA_CARD", "NoSuchCard")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .unwrap();
        let _board = Killed(child);
        let shot = out_dir().join(format!("stopped-{name}.png"));
        // The window comes up within a second; until it has drawn, the screen is X's.
        let deadline = Instant::now() + Duration::from_secs(30);
        let (differing, diff) = loop {
            std::thread::sleep(Duration::from_millis(500));
            let image = screenshot(&display, &shot);
            assert_eq!(image.dimensions(), (width, height));
            let (differing, diff) = differences(&image, &reference, 2);
            if differing == 0 || Instant::now() > deadline {
                break (differing, diff);
            }
        };
        let diff_path = out_dir().join(format!("stopped-{name}-diff.png"));
        diff.save(&diff_path).unwrap();
        assert_eq!(
            differing,
            0,
            "{name}: {differing} pixels of the window ({}) differ from the offscreen render ({}); \
             in red in {}; the board's log: {}",
            shot.display(),
            reference_path.display(),
            diff_path.display(),
            log_path.display()
        );
    }
}
