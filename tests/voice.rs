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
            vec!["A017"],
            vec!["numer", "a", "siedemnaście", "zapraszamy"],
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

/// Encodes a WAV file as Ogg Vorbis with sox (its Vorbis format comes with `libsox-fmt-base`,
/// listed in scripts/deps).
fn to_ogg(wav: &Path, ogg: &Path) {
    let out = Command::new("sox")
        .arg(wav)
        .args(["-C", "6"])
        .arg(ogg)
        .output()
        .expect("sox runs (scripts/deps installs it)");
    assert!(
        out.status.success() && ogg.is_file(),
        "sox could not write Ogg Vorbis: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A pack may hold Ogg Vorbis clips as well as WAV: by the usual name (`NAME.ogg`) or named in
/// `[clips]`. `voice check` reads them (and names a broken one), the board's loader uses them,
/// and `tablica say` says them.
#[test]
fn a_pack_with_ogg_vorbis_clips_passes_its_check_and_is_spoken() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    copy_pack(p);
    for stem in ["numer", "a", "siedemnas_cie", "stanowisko"] {
        let wav = p.join(format!("{stem}.wav"));
        to_ogg(&wav, &p.join(format!("{stem}.ogg")));
        std::fs::remove_file(wav).unwrap();
    }
    // An office's own file name for a word, in Ogg Vorbis.
    to_ogg(&p.join("trzy.wav"), &p.join("lektor-3.ogg"));
    std::fs::remove_file(p.join("trzy.wav")).unwrap();
    let toml = std::fs::read_to_string(p.join(PACK_FILE)).unwrap();
    std::fs::write(
        p.join(PACK_FILE),
        format!("{toml}\n[clips]\n\"trzy\" = \"lektor-3.ogg\"\n"),
    )
    .unwrap();
    // A broken Ogg file is named by the check, with the file to record again.
    let good = std::fs::read(p.join("stanowisko.ogg")).unwrap();
    std::fs::write(p.join("stanowisko.ogg"), &good[..good.len() / 3]).unwrap();
    let check = || tablica().args(["voice", "check"]).arg(p).output().unwrap();
    let out = check();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("stanowisko.ogg: unreadable"), "{text}");
    std::fs::write(p.join("stanowisko.ogg"), &good).unwrap();
    let out = check();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let (ogg_pack, problems) = VoicePack::load(p).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let (wav_pack, _) = VoicePack::load(&builtin_dir()).unwrap();
    assert_eq!(ogg_pack.spec.clip_file("trzy").0, "lektor-3.ogg");
    assert_eq!(ogg_pack.spec.clip_file("numer").0, "numer.ogg");
    for word in ["numer", "a", "siedemnaście", "stanowisko", "trzy"] {
        // The same word as the WAV it was made from, through a lossy codec: about as long, and
        // alike where it matters.
        let (ogg, wav) = (ogg_pack.clip(word).unwrap(), wav_pack.clip(word).unwrap());
        assert_eq!(ogg_pack.sample_rate, wav_pack.sample_rate);
        let len_diff = ogg.len().abs_diff(wav.len()) as f32 / wav.len() as f32;
        assert!(
            len_diff < 0.1,
            "{word}: {} vs {} samples",
            ogg.len(),
            wav.len()
        );
        let n = ogg.len().min(wav.len());
        let best = (0..=n / 10)
            .flat_map(|shift| [(shift, 0), (0, shift)])
            .map(|(a, b)| {
                let m = n - a.max(b);
                ncc(&ogg[a..a + m], &wav[b..b + m], 0)
            })
            .fold(f32::MIN, f32::max);
        assert!(best > 0.9, "{word}: correlation {best}");
    }

    let out_file = p.join("call.wav");
    let out = tablica()
        .args(["say", "A017", "3", "--voice"])
        .arg(p)
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = pack::decode(std::fs::read(&out_file).unwrap()).unwrap();
    find_in_order(
        &said.samples,
        &ogg_pack,
        &["numer", "a", "siedemnaście", "stanowisko", "trzy"],
        ogg_pack.sample_rate as usize * 3 / 10,
    );
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
        voice.borrow_mut().push(format!(
            "say {} {} {}",
            call.ticket,
            label.unwrap_or("-"),
            call.recall
        ));
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

/// The longest calls of the built-in pack take longer to say than a call's six seconds on
/// screen: "ponownie numer be dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć,
/// stanowisko dwanaście a" is about 7.9 s of words after the recall sound. The board holds such a
/// call's turn until its words (and the sound queue's gap) are over, so the call being said is
/// always the one shown big and the next call's chime never comes during the words; calls that
/// arrive half a second apart are each said whole, in turn.
#[test]
fn the_call_being_said_is_the_one_shown_big_even_when_its_words_outlast_its_turn() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::{Duration, Instant};
    use tablica::app::Core;
    use tablica::audio::{AudioConfig, Sound, SoundKind};
    use tablica::protocol::decode_event;
    use tablica::scene::{OpeningHours, Status};
    use tablica::voice::timing::speech_timing;

    let (pack, _) = VoicePack::load(&builtin_dir()).unwrap();
    let gap = AudioConfig::default().gap;
    let now = jiff::Timestamp::now();
    let start = Instant::now();
    let event = |seq: u64, kind: &str, data: &str| {
        let json = format!(r#"{{"v":1,"seq":{seq},"time":"{now}","type":"{kind}","data":{data}}}"#);
        decode_event(&json).unwrap()
    };
    let snapshot = event(
        1,
        "snapshot",
        r#"{"office":{"id":"pom","name":"POM"},
            "services":[{"id":"b","name":"Meldunki","prefix":"B","waiting":0,"est_wait_s":null,"open_counters":2}],
            "counters":[{"id":"st12a","label":"12A","open":true,"services":["b"],"serving":null},
                        {"id":"st1","label":"1","open":true,"services":["b"],"serving":null}],
            "recent_calls":[],"announcements":[]}"#,
    );
    let calls = [
        event(
            2,
            "ticket.called",
            r#"{"ticket":"B9999","service":"b","counter":"st12a"}"#,
        ),
        event(
            3,
            "ticket.called",
            r#"{"ticket":"B0001","service":"b","counter":"st1"}"#,
        ),
        event(
            4,
            "ticket.recalled",
            r#"{"ticket":"B9999","service":"b","counter":"st12a"}"#,
        ),
        event(
            5,
            "ticket.called",
            r#"{"ticket":"B7777","service":"b","counter":"st1"}"#,
        ),
    ];
    let status = Status {
        hours: OpeningHours::always(),
        ..Default::default()
    };
    let mut core = Core::new(None, status);
    core.replay(&[snapshot], now);
    // (ticket, recall, when its turn began, when its words begin and end), in milliseconds of
    // the test, rounded up: the clock ticks at whole milliseconds, so "from ≤ now < until" is the
    // same in whole milliseconds rounded up as on the board's exact clock.
    let said = Rc::new(RefCell::new(Vec::<(String, bool, i64, i64, i64)>::new()));
    let clock = Rc::new(RefCell::new(0i64));
    let ms_up = |d: jiff::SignedDuration| (d.as_nanos() as i64 + 999_999) / 1_000_000;
    let (log, at) = (said.clone(), clock.clone());
    core.set_voice(Box::new(move |call, label| {
        let words = pack.render_call(&call.ticket, label, call.recall).unwrap();
        let kind = if call.recall {
            SoundKind::Recall
        } else {
            SoundKind::Call
        };
        let chime = Sound::builtin(kind).duration();
        let timing = speech_timing(chime, gap, words.duration()).expect("within the bound");
        let t = *at.borrow();
        log.borrow_mut().push((
            call.ticket.clone(),
            call.recall,
            t,
            t + ms_up(timing.from),
            t + ms_up(timing.until),
        ));
        Some(timing)
    }));
    // The calls arrive half a second apart; the board's clock ticks every 50 ms for a minute.
    let mut arriving = calls.iter();
    for i in 0..1200i64 {
        let ms = i * 50;
        *clock.borrow_mut() = ms;
        let wall = now + jiff::SignedDuration::from_millis(ms);
        let mono = start + Duration::from_millis(ms as u64);
        if i % 10 == 0
            && let Some(e) = arriving.next()
        {
            core.receive(e, wall, mono);
        }
        core.tick_at(wall, mono);
        // Whenever the board shows the speaker mark, the call on screen is the one being said.
        let speaking = core.board.speaking(wall);
        let shown = core.board.presenter.current().map(|p| p.call.clone());
        let saying = said
            .borrow()
            .iter()
            .find(|(_, _, _, from, until)| *from <= ms && ms < *until)
            .map(|(ticket, recall, ..)| (ticket.clone(), *recall));
        assert_eq!(speaking, saying.is_some(), "at {ms} ms");
        if let (Some((ticket, recall)), Some(shown)) = (saying, shown) {
            assert_eq!(
                (shown.ticket.as_str(), shown.recall),
                (ticket.as_str(), recall),
                "at {ms} ms the board shows another call than the one being said"
            );
        }
    }
    let said = said.borrow();
    let order: Vec<_> = said.iter().map(|(t, r, ..)| (t.as_str(), *r)).collect();
    assert_eq!(
        order,
        [
            ("B9999", false),
            ("B0001", false),
            ("B9999", true),
            ("B7777", false)
        ]
    );
    // The recall's words alone outlast the six seconds on screen, so its turn was held longer.
    let recall = &said[2];
    println!(
        "the recall of B9999 to 12A: words for {} ms",
        recall.4 - recall.3
    );
    let gap_ms = gap.as_millis() as i64;
    assert!(recall.4 - recall.2 > 6000 + gap_ms);
    for pair in said.windows(2) {
        let (next_turn, words_end) = (pair[1].2, pair[0].4);
        // The next chime comes after the words and the queue's gap: nothing is cut or delayed.
        assert!(
            next_turn >= words_end + gap_ms,
            "{:?} began at {next_turn} ms, the words before it ended at {words_end} ms",
            pair[1].0
        );
        // And every call had at least its six seconds.
        assert!(next_turn - pair[0].2 >= 6000);
    }
}
