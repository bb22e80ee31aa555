//! What gets installed: the version line, `tablica config` as the kiosk script uses it, the
//! packaging files agreeing with each other, and the board starting under cage (wlroots'
//! headless backend) the way tablica.service starts it.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::http::get;

const BIN: &str = env!("CARGO_BIN_EXE_tablica");

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap()
}

#[test]
fn version_names_the_commit() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let expected_commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let commit = line
        .trim()
        .strip_prefix(concat!("tablica ", env!("CARGO_PKG_VERSION"), " ("))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line}"));
    match expected_commit {
        // Built from this checkout; a commit made after the build would differ, so only the
        // shape is certain when they do not match.
        Some(c) if c == commit => {}
        _ => assert!(
            commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        ),
    }
}

#[test]
fn config_check_and_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, "rotation = 270\n").unwrap();
    let get = |key: &str| {
        let out = Command::new(BIN)
            .args(["config", "--get", key, "--config"])
            .arg(&file)
            .env_remove("TABLICA_ROTATION")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    assert_eq!(get("rotation"), (Some(0), "270\n".to_owned()));
    std::fs::write(&file, "rotation = 0\n").unwrap();
    assert_eq!(get("rotation"), (Some(0), "0\n".to_owned()));
    // A mistake: reported with its place, exit status 1, the rest still printed.
    std::fs::write(&file, "rotation = 45\n").unwrap();
    let out = Command::new(BIN)
        .args(["config", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("t.toml:1:12: rotation: must be 0, 90, 180 or 270"),
        "{err}"
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("rotation = 0")
    );
    // The packaged file is well written but names no server: the check fails and says what to
    // set, while `--get` (the kiosk session's) still answers.
    let out = Command::new(BIN)
        .args(["config", "--config"])
        .arg(repo("packaging/tablica.toml"))
        .env_remove("TABLICA_SERVER")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("tablica.toml: server: not set"), "{err}");
    assert!(err.contains("set server = \"wss://"), "{err}");
    let out = Command::new(BIN)
        .args(["config", "--get", "rotation", "--config"])
        .arg(repo("packaging/tablica.toml"))
        .env_remove("TABLICA_ROTATION")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn config_fails_on_settings_that_stop_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    let token = dir.path().join("token");
    std::fs::write(&token, "").unwrap();
    std::fs::write(
        &file,
        format!(
            "server = \"wss://kolejka.example/ws\"\ndisplay_id = \"galeria-1\"\n\
             token_file = \"{}\"\nca_file = \"{}\"\n",
            token.display(),
            dir.path().join("ca.pem").display()
        ),
    )
    .unwrap();
    let run = || {
        let out = Command::new(BIN)
            .args(["config", "--config"])
            .arg(&file)
            .env_remove("TABLICA_SERVER")
            .env_remove("TABLICA_TOKEN_FILE")
            .env_remove("TABLICA_CA_FILE")
            .env_remove("TABLICA_DISPLAY_ID")
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, err) = run();
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("t.toml:3:14: token_file: the token file"),
        "{err}"
    );
    assert!(err.contains("is empty"), "{err}");
    assert!(err.contains("t.toml:4:11: ca_file: cannot read"), "{err}");
    // Fixed: the token written, the CA line removed.
    std::fs::write(&token, "s3cret\n").unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("ca_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, text).unwrap();
    let (code, err) = run();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn packaging_files_agree() {
    let unit = read("packaging/tablica.service");
    for line in [
        "Type=notify",
        "NotifyAccess=all",
        "WatchdogSec=30",
        "Restart=always",
        "ExecStart=/usr/lib/tablica/kiosk",
        "User=tablica",
        "After=network-online.target",
        "StartLimitIntervalSec=0",
    ] {
        assert!(
            unit.lines().any(|l| l.trim_start().starts_with(line)),
            "unit lacks {line}"
        );
    }
    // Starting must not depend on the network being up.
    assert!(!unit.contains("Requires=network-online.target"));
    // systemd's own check of the unit, where systemd is installed; the kiosk script is not
    // installed here, so a stand-in command takes its place.
    if have("systemd-analyze") {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("tablica.service");
        std::fs::write(
            &copy,
            unit.replace("ExecStart=/usr/lib/tablica/kiosk", "ExecStart=/bin/true"),
        )
        .unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&copy)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            out.status.success() && said.trim().is_empty(),
            "systemd-analyze: {said}"
        );
    }
    let kiosk = read("packaging/kiosk");
    assert!(kiosk.contains("unset WATCHDOG_PID"));
    assert!(kiosk.contains("exec /usr/bin/cage -d -- /usr/bin/tablica run --config"));
    let status = Command::new("sh")
        .arg("-n")
        .arg(repo("packaging/kiosk"))
        .status()
        .unwrap();
    assert!(status.success(), "packaging/kiosk is not valid sh");
    // Every asset cargo-deb is asked to package exists (the binary is built by cargo deb).
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    for asset in deb["assets"].as_array().unwrap() {
        let source = asset[0].as_str().unwrap();
        if source.starts_with("target/") {
            continue;
        }
        let pattern = source.trim_end_matches('*');
        assert!(repo(pattern).exists(), "asset {source} is missing");
    }
    assert_eq!(
        deb["conf-files"].as_array().unwrap()[0].as_str(),
        Some("/etc/tablica/tablica.toml")
    );
    assert!(deb["depends"].as_str().unwrap().contains("cage"));
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// The kiosk as tablica.service runs it: cage, with wlroots' headless backend instead of a
/// monitor, running `tablica run --config`. cage refuses to run as root, so as root the test
/// runs it as `nobody`.
#[test]
fn the_board_starts_under_cage() {
    if !have("cage") || !have("Xwayland") {
        // CI installs both (cage and xwayland); say loudly where they are missing.
        eprintln!("SKIPPED: cage or Xwayland is not installed (apt-get install cage xwayland)");
        return;
    }
    let root = is_root();
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime).unwrap();
    set_mode(dir.path(), 0o755);
    set_mode(&runtime, 0o700);
    let health = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = dir.path().join("tablica.toml");
    std::fs::write(&config, format!("health = \"{health}\"\nrotation = 0\n")).unwrap();
    set_mode(&config, 0o644);
    let mut cmd = if root {
        std::os::unix::fs::chown(&runtime, Some(65534), Some(65534)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "cage"]);
        c
    } else {
        Command::new("cage")
    };
    cmd.args(["-d", "--", BIN, "run", "--always-open", "--config"])
        .arg(&config)
        .current_dir(dir.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", dir.path())
        .env("WLR_BACKENDS", "headless")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("WLR_RENDERER", "pixman")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("NOTIFY_SOCKET")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _cage = Killed(cmd.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let json = loop {
        if let Some((200, body)) = get(health, "/health") {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if v["frames_drawn"].as_u64().is_some_and(|f| f > 0) {
                break v;
            }
        }
        assert!(Instant::now() < deadline, "no frame under cage within 60 s");
        std::thread::sleep(Duration::from_millis(300));
    };
    // The headless output's default size, filled by the board.
    assert_eq!(
        (
            json["screen_width"].as_u64(),
            json["screen_height"].as_u64()
        ),
        (Some(1280), Some(720))
    );
    let (code, png) = get(health, "/screenshot.png").unwrap();
    assert_eq!(code, 200);
    let shot = image::load_from_memory(&png).unwrap().into_rgba8();
    assert_eq!(shot.dimensions(), (1280, 720));
    assert_eq!(shot.get_pixel(1279, 719).0[..3], [0x0A, 0x1C, 0x2E]);
}

fn is_root() -> bool {
    // /proc/self/status's Uid line: real, effective, saved, filesystem.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
