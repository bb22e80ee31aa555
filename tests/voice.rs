//! Spoken calls end to end: the committed Polish pack, `tablica voice check` and `tablica say`.

use std::path::{Path, PathBuf};
use std::process::Command;
use tablica::voice::pack::{self, PACK_FILE, PackSpec, VoicePack};

/// The committed pack may not grow past this: it is in every checkout and every package.
const MAX_PACK_BYTES: u64 = 3 * 1024 * 1024;

fn builtin_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice/pl")
}

fn tablica() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tablica"))
}

fn copy_pack(to: &Path) {
    for entry in std::fs::read_dir(builtin_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_committed_pack_is_complete_audible_unclipped_and_small() {
    let dir = builtin_dir();
    let spec = PackSpec::read(&dir).unwrap();
    assert_eq!(spec.language, "pl");
    let problems = pack::check(&spec);
    assert!(problems.is_empty(), "{problems:#?}");
    let mut total = 0;
    for word in spec.vocabulary() {
        let (file, exists) = spec.clip_file(&word);
        assert!(exists, "{file}");
        let clip = pack::read_clip(&dir.join(&file)).unwrap();
        let secs = clip.samples.len() as f32 / clip.sample_rate as f32;
        // One word: long enough to be heard, short enough not to be a sentence.
        assert!((0.1..=1.5).contains(&secs), "{file}: {secs} s");
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        total += entry.unwrap().metadata().unwrap().len();
    }
    println!("committed pack: {} KiB", total / 1024);
    assert!(total < MAX_PACK_BYTES, "{total} bytes");
    let notice = std::fs::read_to_string(dir.join("NOTICE")).unwrap();
    assert!(notice.contains("espeak-ng") && notice.contains("GPL"));
}

#[test]
fn voice_check_names_the_files_to_record_again() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    copy_pack(p);
    std::fs::remove_file(p.join("siedemnas_cie.wav")).unwrap();
    std::fs::write(p.join("igrek.wav"), b"RIFF garbage").unwrap();
    let silent = tablica::audio::synth::encode_wav(&[0i16; 8000], 16_000);
    std::fs::write(p.join("stanowisko.wav"), silent).unwrap();
    let square: Vec<i16> = (0..8000)
        .map(|i| {
            if (i / 20) % 2 == 0 {
                i16::MAX
            } else {
                i16::MIN
            }
        })
        .collect();
    std::fs::write(
        p.join("ponownie.wav"),
        tablica::audio::synth::encode_wav(&square, 16_000),
    )
    .unwrap();

    let out = tablica().args(["voice", "check"]).arg(p).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    for (file, what) in [
        ("siedemnas_cie.wav", "missing"),
        ("igrek.wav", "unreadable"),
        ("stanowisko.wav", "silent"),
        ("ponownie.wav", "clipped"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{file}: {what}"))),
            "{file} {what}:\n{stdout}"
        );
    }

    // The good pack passes; a folder without voice.toml fails with the file's name.
    let ok = tablica()
        .args(["voice", "check"])
        .arg(builtin_dir())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    std::fs::remove_file(p.join(PACK_FILE)).unwrap();
    let none = tablica().args(["voice", "check"]).arg(p).output().unwrap();
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("voice.toml"));
}

#[test]
fn voice_words_lists_every_file_to_record() {
    let out = tablica().args(["voice", "words"]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l == "siedemnas_cie.wav\tsiedemnaście")
    );
    assert!(stdout.lines().any(|l| l == "z_et.wav\tżet"));
    let spec = PackSpec::read(&builtin_dir()).unwrap();
    assert_eq!(stdout.lines().count(), spec.vocabulary().len());
}

/// Normalised cross-correlation of `clip` with `signal` at `at`.
fn ncc(signal: &[f32], clip: &[f32], at: usize) -> f32 {
    let s = &signal[at..at + clip.len()];
    let dot: f32 = s.iter().zip(clip).map(|(a, b)| a * b).sum();
    let ns: f32 = s.iter().map(|a| a * a).sum::<f32>().sqrt();
    let nc: f32 = clip.iter().map(|a| a * a).sum::<f32>().sqrt();
    dot / (ns * nc).max(1e-9)
}

/// Finds each word's clip in `signal`, in order: each must match (correlation above 0.95) after
/// the end of the one before, within `max_gap` samples. The search correlates a 1024-sample probe
/// from the middle of the clip (a whole-clip search is too slow unoptimised) and then checks the
/// whole clip at the best place.
fn find_in_order(signal: &[f32], pack: &VoicePack, words: &[&str], max_gap: usize) {
    let mut cursor = 0;
    for word in words {
        let clip = pack.clip(word).unwrap_or_else(|| panic!("no clip {word}"));
        let offset = clip.len().saturating_sub(1024) / 2;
        let probe = &clip[offset..(offset + 1024).min(clip.len())];
        let last = (cursor + max_gap).min(signal.len().saturating_sub(clip.len()));
        let best_at = (cursor..=last)
            .map(|at| (at, ncc(signal, probe, at + offset)))
            .fold((0, f32::MIN), |b, x| if x.1 > b.1 { x } else { b })
            .0;
        let whole = ncc(signal, clip, best_at);
        assert!(
            whole > 0.95,
            "\"{word}\" not found after sample {cursor} (best correlation {whole} at {best_at})"
        );
        cursor = best_at + clip.len();
    }
    // Nothing but silence after the last word.
    assert!(
        signal.len() - cursor < 100,
        "{} samples after the last word",
        signal.len() - cursor
    );
}

#[test]
fn say_writes_the_clips_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let (pack, problems) = VoicePack::load(&builtin_dir()).unwrap();
    assert!(problems.is_empty());
    // Gaps are at most the pause (250 ms) plus rounding.
    let max_gap = pack.sample_rate as usize * 3 / 10;
    for (args, words) in [
        (
            vec!["A017", "3"],
            vec!["numer", "a", "siedemnaście", "stanowisko", "trzy"],
        ),
        (
            vec!["B120", "3A", "--recall"],
            vec![
                "ponownie",
                "numer",
                "be",
                "sto",
                "dwadzieścia",
                "stanowisko",
                "trzy",
                "a",
            ],
        ),
    ] {
        let out_file = tmp.path().join("call.wav");
        let out = tablica()
            .arg("say")
            .args(&args)
            .arg("--voice")
            .arg(builtin_dir())
            .arg("--out")
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wav = pack::decode(std::fs::read(&out_file).unwrap()).unwrap();
        assert_eq!(wav.sample_rate, pack.sample_rate);
        find_in_order(&wav.samples, &pack, &words, max_gap);
    }
}

#[test]
fn say_refuses_a_call_the_pack_cannot_speak_and_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    copy_pack(tmp.path());
    std::fs::remove_file(tmp.path().join("siedemnas_cie.wav")).unwrap();
    let out = tablica()
        .args(["say", "A017", "3", "--out"])
        .arg(tmp.path().join("x.wav"))
        .arg("--voice")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("siedemnas_cie.wav"), "{stderr}");
    assert!(!tmp.path().join("x.wav").exists());
}

#[test]
fn voice_build_makes_a_pack_that_passes_its_check() {
    if Command::new("espeak-ng").arg("--version").output().is_err() {
        eprintln!("espeak-ng is not installed (scripts/deps installs it): not building a pack");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tablica()
        .args(["voice", "build", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = tablica()
        .args(["voice", "check"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(tmp.path().join("NOTICE").is_file());
    // The generated voice.toml is the committed one: regenerating changes only audio.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(PACK_FILE)).unwrap(),
        std::fs::read_to_string(builtin_dir().join(PACK_FILE)).unwrap()
    );
}

#[test]
fn the_word_list_in_docs_voice_md_matches_the_code() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/VOICE.md"))
        .unwrap();
    let spec = PackSpec::read(&builtin_dir()).unwrap();
    let expected: Vec<String> = spec
        .vocabulary()
        .iter()
        .map(|w| format!("{}\t{w}", tablica::voice::clip_stem(w) + ".wav"))
        .collect();
    let listed: Vec<&str> = doc.lines().filter(|l| l.contains(".wav\t")).collect();
    assert_eq!(
        listed, expected,
        "regenerate the list with `tablica voice words`"
    );
}

/// The board's hooks: every call whose turn on screen begins is spoken right after its chime,
/// with the counter's label (not its id); the calls of a snapshot, first or after a reconnect,
/// are neither chimed nor spoken.
#[test]
fn the_board_speaks_each_live_call_after_its_chime_and_never_a_snapshots() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use tablica::app::Core;
    use tablica::protocol::decode_event;
    use tablica::scene::{OpeningHours, Status};

    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calls.jsonl"),
    )
    .unwrap();
    let events: Vec<_> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| decode_event(l).unwrap())
        .collect();
    let status = Status {
        hours: OpeningHours::always(),
        ..Default::default()
    };
    let mut core = Core::new(None, status);
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let (chimes, voice) = (heard.clone(), heard.clone());
    core.set_sound(Box::new(move |call| {
        chimes.borrow_mut().push(format!("chime {}", call.ticket))
    }));
    core.set_voice(Box::new(move |call, label| {
        voice
            .borrow_mut()
            .push(format!("say {} {label} {}", call.ticket, call.recall));
        None
    }));
    // The office's state first, then the calls as they arrive live, a second apart, with the
    // board's clock ticking every second: each call starts (and sounds) in its turn.
    let first_call = events
        .iter()
        .position(|e| matches!(e.event, tablica::protocol::Event::TicketCalled(_)))
        .unwrap();
    let now = jiff::Timestamp::now();
    let start = std::time::Instant::now();
    core.replay(&events[..first_call], now);
    let mut live = events[first_call..].iter();
    for i in 0..40u64 {
        let wall = now + jiff::SignedDuration::from_secs(i as i64);
        let at = start + std::time::Duration::from_secs(i);
        if let Some(e) = live.next() {
            core.receive(e, wall, at);
        }
        core.tick_at(wall, at);
    }
    assert_eq!(
        *heard.borrow(),
        [
            "chime A022",
            "say A022 2 false",
            "chime R003",
            "say R003 1 false",
            "chime C012",
            "say C012 3 false",
            "chime A022",
            "say A022 2 true",
        ]
    );
    // The queue system restarts: the same snapshot again says nothing.
    heard.borrow_mut().clear();
    for i in 40..80u64 {
        let wall = now + jiff::SignedDuration::from_secs(i as i64);
        let at = start + std::time::Duration::from_secs(i);
        if i == 40 {
            core.receive(&events[0], wall, at);
        }
        core.tick_at(wall, at);
    }
    assert!(heard.borrow().is_empty(), "{:?}", heard.borrow());
}

#[test]
fn the_settings_file_has_a_voice_section() {
    use tablica::config;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("tablica.toml");
    let pack = builtin_dir();
    std::fs::write(
        &file,
        format!(
            "[voice]\nenabled = true\npack = \"{}\"\nvolume = 0.5\nrecall = false\n",
            pack.display()
        ),
    )
    .unwrap();
    let loaded = config::resolve(Some(&file), config::Flags::default(), |_| None);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let v = &loaded.config.voice;
    assert!(v.enabled && !v.recall && v.volume == 0.5 && v.pack.as_deref() == Some(&*pack));
    let printed = loaded.config.to_toml();
    assert!(printed.contains("[voice]\nenabled = true"), "{printed}");
    // What `tablica config` prints reads back the same.
    std::fs::write(&file, &printed).unwrap();
    let again = config::resolve(Some(&file), config::Flags::default(), |_| None);
    assert_eq!(again.config.voice, loaded.config.voice);

    std::fs::write(
        &file,
        "[voice]\nenabled = true\nvolume = 2.0\npack = \"/nowhere\"\n",
    )
    .unwrap();
    let bad = config::resolve(Some(&file), config::Flags::default(), |_| None);
    assert_eq!(bad.errors.len(), 1, "{:?}", bad.errors);
    assert!(
        bad.errors[0].to_string().contains("volume 2"),
        "{}",
        bad.errors[0]
    );
    assert!(!bad.config.voice.enabled, "a broken section is not applied");
    // Off unless switched on.
    assert!(!config::Config::default().voice.enabled);
}
