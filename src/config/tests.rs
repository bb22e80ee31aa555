use super::*;
use std::path::Path;

fn parse_ok(text: &str) -> Config {
    let (config, errors) = parse(text, Path::new("t.toml"));
    assert!(errors.is_empty(), "{errors:?}");
    config
}

fn parse_err(text: &str) -> (Config, Vec<String>) {
    let (config, errors) = parse(text, Path::new("t.toml"));
    (config, errors.iter().map(|e| e.to_string()).collect())
}

#[test]
fn empty_file_is_all_defaults() {
    assert_eq!(parse_ok(""), Config::default());
    assert_eq!(Config::default().health, Some(DEFAULT_HEALTH));
}

#[test]
fn packaged_file_is_valid() {
    let text = include_str!("../../packaging/tablica.toml");
    let c = parse_ok(text);
    assert_eq!(c.hours, OpeningHours::default());
    assert_eq!(c.health, Some(DEFAULT_HEALTH));
    assert!(c.pixel_shift);
}

/// The packaged file is where a technician learns the settings: every key the reader knows is
/// in it, set or commented out, because the known keys and the readers come from one table.
#[test]
fn packaged_file_names_every_key() {
    let text = include_str!("../../packaging/tablica.toml");
    let written = |key: &str| {
        text.lines().any(|l| {
            let l = l.trim_start_matches('#').trim_start();
            l.starts_with(&format!("{key} =")) || l.starts_with(&format!("[{key}]"))
        })
    };
    let missing: Vec<&str> = SETTINGS
        .iter()
        .map(|(k, _)| *k)
        .chain(AUDIO.iter().map(|(k, _)| *k))
        .chain(BOARD.iter().map(|(k, _)| *k))
        .filter(|k| !written(k))
        .collect();
    assert!(
        missing.is_empty(),
        "not in packaging/tablica.toml: {missing:?}"
    );
}

#[test]
fn reads_every_key() {
    let c = parse_ok(
        r#"
server = "wss://kolejka.example/ws"
token_file = "/etc/tablica/token"
ca_file = "/etc/tablica/ca.pem"
display_id = "pom-galeria-1"
services = ["A", "B"]
layout = "/etc/tablica/layout.toml"
monitor = "HDMI-A-1"
rotation = 90
health = "0.0.0.0:9999"
pixel_shift = true
retained_frame = false
outside_hours = "off"

[hours]
monday = "8:00-16:00"
saturday = "closed"
sunday = "10:00-14:00"

[audio]
volume = 0.5
quiet_periods = [{ start = "10:00", end = "11:00", volume = 0.5 }]
"#,
    );
    assert_eq!(c.server.as_deref(), Some("wss://kolejka.example/ws"));
    assert_eq!(
        c.token_file.as_deref(),
        Some(Path::new("/etc/tablica/token"))
    );
    assert_eq!(c.display_id, "pom-galeria-1");
    assert_eq!(c.services, Some(vec!["A".into(), "B".into()]));
    assert_eq!(c.monitor, Some(MonitorChoice::Name("HDMI-A-1".into())));
    assert_eq!(c.rotation, Rotation::R90);
    assert_eq!(c.rotation.quarter_turns(), 1);
    assert_eq!(c.health, Some("0.0.0.0:9999".parse().unwrap()));
    assert_eq!(c.outside_hours, OutsideHours::Off);
    assert!(!c.retained_frame);
    assert!(
        Config::default().retained_frame,
        "frames are retained by default"
    );
    assert_eq!(c.hours.days[0], Some((480, 960)));
    assert_eq!(
        c.hours.days[1],
        Some((600, 1080)),
        "unset days keep the default"
    );
    assert_eq!(c.hours.days[5], None);
    assert_eq!(c.hours.days[6], Some((600, 840)));
    assert_eq!(c.audio.volume, 0.5);
    assert_eq!(c.audio.quiet_periods.len(), 1);
    assert_eq!(
        parse_ok("monitor = 1").monitor,
        Some(MonitorChoice::Index(1))
    );
    assert_eq!(parse_ok("health = \"off\"").health, None);
}

#[test]
fn a_bad_audio_key_keeps_its_default_and_the_rest() {
    // Each key of [audio] is read on its own: the misspelt one is reported at its place, the
    // good volume beside it applies.
    let (c, errors) = parse_err("display_id = \"x\"\n[audio]\nvolume = 0.5\nvolme = 2\n");
    assert_eq!(c.display_id, "x");
    assert_eq!(c.audio.volume, 0.5);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("t.toml:4:1: audio.volme: "),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("did you mean `volume`"), "{}", errors[0]);
    // Well-typed but out of range: at the value.
    let (c, errors) = parse_err("[audio]\nvolume = 3.0\n");
    assert_eq!(c.audio, AudioConfig::default());
    assert!(
        errors[0].starts_with("t.toml:2:10: audio.volume: "),
        "{errors:?}"
    );
}

#[test]
fn a_bad_server_is_reported_and_left_unset() {
    let (c, errors) = parse_err("server = \"http://x\"\ndisplay_id = \"d\"\n");
    assert_eq!(c.server, None);
    assert_eq!(c.display_id, "d");
    assert!(errors[0].starts_with("t.toml:1:10: server: "), "{errors:?}");
    assert!(errors[0].contains("websocket"), "{errors:?}");
    assert!(check_url("ws://10.0.0.5:8765/").is_ok());
    assert!(check_url("wss:///x").is_err());
}

#[test]
fn bad_values_name_their_key_and_place() {
    let (c, errors) = parse_err("rotation = 45\nhealth = \"nowhere\"\nmonitor = -1\n");
    assert_eq!(c, Config::default());
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with("t.toml:1:12: rotation: must be 0, 90"),
        "{errors:?}"
    );
    assert!(errors[1].starts_with("t.toml:2:10: health: "), "{errors:?}");
    assert!(
        errors[2].starts_with("t.toml:3:11: monitor: "),
        "{errors:?}"
    );
    let (_, errors) = parse_err("rotation = \"ninety\"\n");
    assert!(
        errors[0].starts_with("t.toml:1:12: rotation: "),
        "{errors:?}"
    );
}

#[test]
fn a_bad_day_keeps_its_default_and_the_other_days_apply() {
    let (c, errors) = parse_err("[hours]\nmonday = \"9-17\"\ntuesday = \"closed\"\n");
    assert_eq!(c.hours.days[0], OpeningHours::default().days[0]);
    assert_eq!(c.hours.days[1], None);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("t.toml:2:10: hours.monday: "),
        "{errors:?}"
    );
    let (_, errors) = parse_err("[hours]\nmonady = \"closed\"\n");
    assert!(errors[0].contains("did you mean `monday`"), "{errors:?}");
}

#[test]
fn unknown_keys_are_reported_with_a_hint() {
    let (c, errors) = parse_err("sever = \"ws://x/\"\ndisplay_id = \"d\"\n");
    assert_eq!(c.display_id, "d");
    assert!(
        errors[0].starts_with("t.toml:1:1: sever: unknown key"),
        "{errors:?}"
    );
    assert!(errors[0].contains("did you mean `server`"), "{errors:?}");
}

#[test]
fn a_file_that_is_not_toml_gives_defaults_and_a_position() {
    let (c, errors) = parse_err("display_id = \"x\"\nthis is not toml\n");
    assert_eq!(c, Config::default());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("t.toml:2:"), "{errors:?}");
}

#[test]
fn missing_default_file_is_fine_but_a_missing_given_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let loaded = load(Some(&missing));
    assert_eq!(loaded.config, Config::default());
    assert_eq!(loaded.errors.len(), 1);
    assert!(loaded.errors[0].to_string().contains("cannot read"));
}

#[test]
fn environment_overrides_the_file() {
    let (mut c, mut errors) = parse(
        "server = \"ws://file/\"\ndisplay_id = \"file\"\n",
        Path::new("t.toml"),
    );
    let env = |name: &str| match name {
        "TABLICA_SERVER" => Some("ws://env:1/".to_owned()),
        "TABLICA_ROTATION" => Some("270".to_owned()),
        "TABLICA_SERVICES" => Some("A, B,".to_owned()),
        "TABLICA_HEALTH" => Some("bad".to_owned()),
        "TABLICA_DISPLAY_ID" => Some("  ".to_owned()),
        _ => None,
    };
    apply_env(&mut c, &mut errors, env);
    assert_eq!(c.server.as_deref(), Some("ws://env:1/"));
    assert_eq!(c.display_id, "file", "an empty variable does not count");
    assert_eq!(c.rotation, Rotation::R270);
    assert_eq!(c.services, Some(vec!["A".into(), "B".into()]));
    assert_eq!(c.health, Some(DEFAULT_HEALTH));
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .to_string()
            .starts_with("environment: TABLICA_HEALTH: ")
    );
}

#[test]
fn printed_config_reads_back_the_same() {
    let c = parse_ok(
        "server = \"ws://a:1/\"\nservices = [\"A\"]\nmonitor = 2\nrotation = 180\n[hours]\nsunday = \"09:00-12:00\"\n",
    );
    let again = parse_ok(&c.to_toml());
    assert_eq!(again.server, c.server);
    assert_eq!(again.services, c.services);
    assert_eq!(again.monitor, c.monitor);
    assert_eq!(again.rotation, c.rotation);
    assert_eq!(again.hours, c.hours);
}

#[test]
fn flags_override_environment_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tablica.toml");
    std::fs::write(
        &file,
        "server = \"ws://file/\"\ndisplay_id = \"file\"\nlayout = \"/f.toml\"\n",
    )
    .unwrap();
    let env = |name: &str| match name {
        "TABLICA_SERVER" => Some("ws://env/".to_owned()),
        "TABLICA_DISPLAY_ID" => Some("env".to_owned()),
        _ => None,
    };
    let flags = Flags {
        server: Some("ws://flag/".into()),
        health: Some("127.0.0.1:1234".into()),
        ..Flags::default()
    };
    let loaded = resolve(Some(&file), flags, env);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let c = loaded.config;
    assert_eq!(c.server.as_deref(), Some("ws://flag/"));
    assert_eq!(c.display_id, "env");
    assert_eq!(c.layout.as_deref(), Some(Path::new("/f.toml")));
    assert_eq!(c.health, Some("127.0.0.1:1234".parse().unwrap()));
}

#[test]
fn ids_sent_in_hello_are_checked_against_the_protocol_with_their_place() {
    let long = "d".repeat(MAX_ID_CHARS + 1);
    let (c, errors) = parse_err(&format!(
        "display_id = \"{long}\"\nservices = [\"A\", \"\", \"{}\", \"B\\tC\"]\n",
        "s".repeat(MAX_ID_CHARS + 1)
    ));
    assert_eq!(c.display_id, "tablica", "a refused id keeps the default");
    assert_eq!(c.services, None, "a list with a refused id is not sent");
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors[0].starts_with("t.toml:1:14: display_id: "),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("at most 32"), "{}", errors[0]);
    assert!(errors[1].starts_with("t.toml:2:18: services[1]: must not be empty"));
    assert!(
        errors[2].starts_with("t.toml:2:22: services[2]: "),
        "{}",
        errors[2]
    );
    assert!(errors[3].contains("services[3]") && errors[3].contains("U+0009"));

    // Exactly at the limits is fine, in characters rather than bytes.
    let ok = "ż".repeat(MAX_ID_CHARS);
    let c = parse_ok(&format!("display_id = \"{ok}\"\nservices = [\"{ok}\"]\n"));
    assert_eq!(c.display_id, ok);

    let (_, errors) = parse_err("services = []\n");
    assert!(
        errors[0].starts_with("t.toml:1:12: services: "),
        "{errors:?}"
    );
    let many: Vec<String> = (0..=MAX_SERVICES).map(|i| format!("\"s{i}\"")).collect();
    let (c, errors) = parse_err(&format!("services = [{}]\n", many.join(", ")));
    assert_eq!(c.services, None);
    assert!(errors[0].contains("at most 64"), "{errors:?}");
}

#[test]
fn ids_from_the_environment_and_flags_are_checked_too() {
    let mut c = Config::default();
    let mut errors = Vec::new();
    let long = "e".repeat(MAX_ID_CHARS + 1);
    let env = |name: &str| match name {
        "TABLICA_DISPLAY_ID" => Some(long.clone()),
        "TABLICA_SERVICES" => Some(format!("A,{long}")),
        _ => None,
    };
    apply_env(&mut c, &mut errors, env);
    assert_eq!(c.display_id, "tablica");
    assert_eq!(c.services, None);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown[0].starts_with("environment: TABLICA_DISPLAY_ID: "));
    assert!(shown[1].starts_with("environment: TABLICA_SERVICES: services[1]: "));

    let flags = Flags {
        display_id: Some("bad\u{7}id".into()),
        ..Flags::default()
    };
    let loaded = resolve(Some(Path::new("/nonexistent/t.toml")), flags, |_| None);
    assert_eq!(loaded.config.display_id, "tablica");
    assert!(
        loaded
            .errors
            .iter()
            .any(|e| e.to_string().starts_with("command line: --display-id: ")),
        "{:?}",
        loaded.errors
    );
}

#[test]
fn an_unknown_day_keeps_its_neighbours() {
    // Before: `sundy` made the whole [hours] table fail and `monday` stayed 10:00–18:00, and
    // the "10-18" mistake beside it was never reported.
    let (c, errors) =
        parse_err("[hours]\nmonday = \"08:00-20:00\"\nsundy = \"closed\"\ntuesday = \"10-18\"\n");
    assert_eq!(c.hours.days[0], Some((8 * 60, 20 * 60)), "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("t.toml:3:1: hours.sundy: unknown key `sundy`; did you mean `sunday`?"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("t.toml:4:11: hours.tuesday:"),
        "{errors:?}"
    );
    assert!(errors[1].contains("10-18"), "{errors:?}");
}

#[test]
fn an_unknown_audio_key_keeps_the_volume() {
    // Before: `mutted` reset the whole [audio] table, so the volume went back to 1.0.
    let (c, errors) = parse_err("[audio]\nvolume = 0.3\nmutted = true\n");
    assert_eq!(c.audio.volume, 0.3);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("t.toml:3:1: audio.mutted: unknown key `mutted`; did you mean `muted`?"),
        "{errors:?}"
    );
}

#[test]
fn audio_mistakes_are_reported_at_their_key() {
    // Before: an [audio] error was reported at 1:1, and one bad value threw the table away.
    let (c, errors) = parse_err("rotation = 0\n\n[audio]\nmuted = true\nvolume = 1.5\n");
    assert!(c.audio.muted);
    assert_eq!(c.audio.volume, 1.0);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("t.toml:5:10: audio.volume: 1.5 is out of range"),
        "{errors:?}"
    );
}

#[test]
fn type_errors_are_in_plain_words() {
    let (c, errors) = parse_err("rotation = \"90\"\n");
    assert_eq!(c.rotation, Rotation::R0);
    assert_eq!(
        errors,
        vec![
            "t.toml:1:12: rotation: expected a whole number (without quotes), found the text \
             \"90\"; write rotation = 90"
                .to_owned()
        ]
    );
    let (_, errors) = parse_err("pixel_shift = \"yes\"\n[audio]\nmuted = \"true\"\n");
    assert!(
        !errors.iter().any(|e| e.contains("expected a boolean")),
        "{errors:?}"
    );
    assert!(
        errors[0].contains(
            "pixel_shift: expected true or false (without quotes), found the text \"yes\""
        ),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("t.toml:3:9: audio.muted:")
            && errors[1].ends_with("write muted = true"),
        "{errors:?}"
    );
    let (_, errors) = parse_err("outside_hours = \"dimm\"\n");
    assert!(
        errors[0].contains("\"dimm\" is not allowed here; write \"on\", \"dim\" or \"off\""),
        "{errors:?}"
    );
}

fn loaded(text: &str, dir: &Path) -> Loaded {
    let file = dir.join("tablica.toml");
    std::fs::write(&file, text).unwrap();
    load(Some(&file))
}

fn unusable(text: &str, dir: &Path) -> Vec<(&'static str, String)> {
    usable::check(&loaded(text, dir))
        .into_iter()
        .map(|u| (u.kind, u.error.to_string()))
        .collect()
}

#[test]
fn a_complete_config_is_usable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("token"), "s3cret\n").unwrap();
    let text = format!(
        "server = \"wss://kolejka.example/ws\"\ntoken_file = \"{}\"\ndisplay_id = \"galeria-1\"\n",
        d.join("token").display()
    );
    assert_eq!(unusable(&text, d), vec![]);
}

#[test]
fn settings_that_cannot_work_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("empty"), "  \n").unwrap();
    std::fs::write(d.join("ca.pem"), "not a certificate\n").unwrap();
    let text = format!(
        "server = \"wss://kolejka.example/ws\"\n\
         token_file = \"{}\"\n\
         ca_file = \"{}\"\n\
         layout = \"{}\"\n",
        d.join("empty").display(),
        d.join("ca.pem").display(),
        d.join("missing-layout.toml").display(),
    );
    let found = unusable(&text, d);
    let kinds: Vec<_> = found.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        vec!["token_empty", "ca_file", "layout", "display_id"],
        "{found:?}"
    );
    let file = d.join("tablica.toml").display().to_string();
    assert!(
        found[0]
            .1
            .starts_with(&format!("{file}:2:14: token_file: the token file")),
        "{found:?}"
    );
    assert!(
        found[1].1.starts_with(&format!("{file}:3:11: ca_file:")),
        "{found:?}"
    );
    assert!(found[1].1.contains("no certificate"), "{found:?}");
    assert!(
        found[2]
            .1
            .starts_with(&format!("{file}:4:10: layout: the layout does not load")),
        "{found:?}"
    );
    // display_id was never written: the file is named, without a line.
    assert!(
        found[3]
            .1
            .starts_with(&format!("{file}: display_id: still the default")),
        "{found:?}"
    );
    // A missing token file too.
    let text = format!(
        "server = \"ws://10.0.0.5:8765/\"\ndisplay_id = \"a\"\ntoken_file = \"{}\"\n",
        d.join("nope").display()
    );
    assert_eq!(unusable(&text, d)[0].0, "token_missing");
}

#[test]
fn the_packaged_file_says_to_set_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let found = unusable(include_str!("../../packaging/tablica.toml"), dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "no_server");
    assert!(found[0].1.contains("server: not set"), "{found:?}");
    assert!(found[0].1.contains("set server = \"wss://"), "{found:?}");
}

#[test]
fn a_variable_is_blamed_where_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tablica.toml");
    std::fs::write(&file, "server = \"ws://a:1/\"\ndisplay_id = \"x\"\n").unwrap();
    let l = resolve(Some(&file), Flags::default(), |n| {
        (n == "TABLICA_TOKEN_FILE").then(|| "/nonexistent/token".to_owned())
    });
    let found = usable::check(&l);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .error
            .to_string()
            .starts_with("environment: TABLICA_TOKEN_FILE: the token file"),
        "{found:?}"
    );
}

#[test]
fn the_public_url_has_no_secrets() {
    assert_eq!(
        public_url("wss://user:pa55@kolejka.example:443/ws?token=abc#x"),
        "wss://kolejka.example:443/ws"
    );
    assert_eq!(public_url("ws://10.0.0.5:8765/"), "ws://10.0.0.5:8765/");
    assert_eq!(public_url("ws://a@b?c"), "ws://b");
    assert!(parse_ok("identify = true").identify);
}

#[test]
fn a_voice_pack_that_cannot_say_a_call_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("token"), "s3cret\n").unwrap();
    // A copy of the built-in pack with one word's clip gone.
    let pack = d.join("lektor");
    std::fs::create_dir(&pack).unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice/pl");
    for entry in std::fs::read_dir(&builtin).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), pack.join(entry.file_name())).unwrap();
    }
    let base = format!(
        "server = \"wss://kolejka.example/ws\"\n\
         display_id = \"galeria-1\"\n\
         token_file = \"{}\"\n\
         [voice]\n\
         enabled = true\n\
         pack = \"{}\"\n",
        d.join("token").display(),
        pack.display(),
    );
    assert_eq!(unusable(&base, d), vec![], "the whole pack is usable");
    std::fs::remove_file(pack.join("siedemnas_cie.wav")).unwrap();
    let found = unusable(&base, d);
    let kinds: Vec<_> = found.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds, vec!["voice_pack"], "{found:?}");
    assert!(
        found[0].1.contains("siedemnas_cie.wav: missing"),
        "{found:?}"
    );
}

#[test]
fn the_queue_url_is_read_checked_and_printed() {
    let c = parse_ok("[board]\nqueue_url = \"https://rezerwacje.ereszow.pl/kolejka\"\n");
    assert_eq!(
        c.board.queue_url.as_deref(),
        Some("https://rezerwacje.ereszow.pl/kolejka")
    );
    assert_eq!(parse_ok(&c.to_toml()).board.queue_url, c.board.queue_url);
    // Each mistake is reported where it is written, and leaves no code on the board.
    let long = format!("https://a.pl/{}", "x".repeat(200));
    for (value, says) in [
        ("ftp://a.pl/kolejka", "not a web address"),
        ("https:///kolejka", "has no host"),
        ("https://a.pl/kolejka dziś", "without spaces"),
        ("https://a.pl/kolejka/ą", "percent-encoded"),
        (long.as_str(), "at most 120"),
    ] {
        let (c, errors) = parse_err(&format!("[board]\nqueue_url = \"{value}\"\n"));
        assert_eq!(c.board.queue_url, None, "{value}");
        assert_eq!(errors.len(), 1, "{value}: {errors:?}");
        assert!(
            errors[0].starts_with("t.toml:2:13: board.queue_url: "),
            "{errors:?}"
        );
        assert!(errors[0].contains(says), "{value}: {errors:?}");
    }
    let (c, errors) = parse_err("[board]\nqueue_url = 5\n");
    assert_eq!((c.board.queue_url, errors.len()), (None, 1));
}
