use super::*;
use crate::audio::synth::encode_wav;
use crate::voice::clip_stem;

const RATE: u32 = 8000;

/// A stand-in for a spoken word: `lead` s of silence, a tone burst of `len` s at `amp`, `tail` s of
/// silence. The frequency differs per word so that clips can be told apart.
fn word_samples(freq: f32, amp: f32, lead: f32, len: f32, tail: f32, rate: u32) -> Vec<f32> {
    let n = |s: f32| (s * rate as f32) as usize;
    let mut v = vec![0.0; n(lead)];
    v.extend(
        (0..n(len)).map(|i| amp * (std::f32::consts::TAU * freq * i as f32 / rate as f32).sin()),
    );
    v.extend(vec![0.0; n(tail)]);
    v
}

fn wav(samples: &[f32], rate: u32) -> Vec<u8> {
    let pcm: Vec<i16> = samples
        .iter()
        .map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16)
        .collect();
    encode_wav(&pcm, rate)
}

/// A complete pack in a temporary folder: every word a tone of its own, at amplitude 0.3.
fn full_pack(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(PACK_FILE), toml).unwrap();
    let spec = PackSpec::read(dir.path()).unwrap();
    for (i, word) in spec.vocabulary().iter().enumerate() {
        let s = word_samples(200.0 + 10.0 * i as f32, 0.3, 0.05, 0.1, 0.05, RATE);
        std::fs::write(
            dir.path().join(format!("{}.wav", clip_stem(word))),
            wav(&s, RATE),
        )
        .unwrap();
    }
    dir
}

fn rms(s: &[f32]) -> f32 {
    (s.iter().map(|x| x * x).sum::<f32>() / s.len().max(1) as f32).sqrt()
}

#[test]
fn clips_are_brought_to_one_loudness() {
    let quiet = RawClip {
        sample_rate: RATE,
        samples: word_samples(300.0, 0.03, 0.1, 0.3, 0.1, RATE),
    };
    let loud = RawClip {
        sample_rate: RATE,
        samples: word_samples(300.0, 0.6, 0.1, 0.3, 0.1, RATE),
    };
    let (q, l) = (prepare(&quiet), prepare(&loud));
    let (rq, rl) = (rms(&q), rms(&l));
    assert!((rq / rl - 1.0).abs() < 0.05, "quiet {rq} vs loud {rl}");
    assert!((rl - TARGET_RMS).abs() < 0.02, "{rl}");
    assert!(q.iter().chain(&l).all(|s| s.abs() <= PEAK_LIMIT + 1e-3));
}

#[test]
fn a_spiky_clip_is_limited_by_its_peak() {
    let mut samples = word_samples(300.0, 0.01, 0.0, 0.3, 0.0, RATE);
    samples[100] = 0.9;
    let out = prepare(&RawClip {
        sample_rate: RATE,
        samples,
    });
    let peak = out.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak <= PEAK_LIMIT + 1e-3, "{peak}");
}

#[test]
fn leading_and_trailing_silence_is_trimmed_even_over_room_noise() {
    let mut samples = word_samples(300.0, 0.4, 0.4, 0.2, 0.6, RATE);
    // Room noise at about −60 dBFS, as a phone records it.
    let mut seed = 1u32;
    for s in &mut samples {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *s += ((seed >> 16) as f32 / 32768.0 - 1.0) * 0.001;
    }
    let out = prepare(&RawClip {
        sample_rate: RATE,
        samples,
    });
    let secs = out.len() as f32 / RATE as f32;
    // The 0.2 s word and at most one 10 ms window of margin on each side (plus a window's
    // rounding): none of the 1 s of silence around it.
    assert!(
        (0.2..=0.235).contains(&secs),
        "{secs} s left after trimming"
    );
    // The ends fade in and out rather than starting mid-wave.
    assert!(out[0].abs() < 0.01 && out[out.len() - 1].abs() < 0.01);
}

#[test]
fn silence_and_clipping_are_detected() {
    let silent = RawClip {
        sample_rate: RATE,
        samples: word_samples(300.0, 0.002, 0.1, 0.3, 0.1, RATE),
    };
    assert!(is_silent(&silent));
    assert!(prepare(&silent).is_empty());
    let clipped: Vec<f32> = word_samples(300.0, 3.0, 0.0, 0.1, 0.0, RATE)
        .into_iter()
        .map(|s| s.clamp(-1.0, 1.0))
        .collect();
    assert!(clipped_runs(&clipped) > 10);
    // A peak-normalised clip touching full scale once is not clipped.
    let mut fine = word_samples(300.0, 0.5, 0.0, 0.1, 0.0, RATE);
    fine[10] = 1.0;
    assert_eq!(clipped_runs(&fine), 0);
}

#[test]
fn resampling_keeps_duration_and_shape() {
    let s = word_samples(200.0, 0.5, 0.0, 0.5, 0.0, 22_050);
    let r = resample(&s, 22_050, 16_000);
    assert_eq!(r.len(), 8000);
    let expected = word_samples(200.0, 0.5, 0.0, 0.5, 0.0, 16_000);
    let err = r
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(err < 0.02, "{err}");
}

#[test]
fn a_complete_pack_renders_a_call_word_by_word_with_its_gaps() {
    let dir = full_pack("language = \"pl\"\n[gaps]\nword_ms = 100\npause_ms = 300\n");
    let (pack, problems) = VoicePack::load(dir.path()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(pack.sample_rate, RATE);
    let call = pack.render_call("A017", Some("3"), false).unwrap();
    let words: Vec<&str> = call.segments.iter().map(|s| s.word.as_str()).collect();
    assert_eq!(words, ["numer", "a", "siedemnaście", "stanowisko", "trzy"]);
    for (seg, next) in call.segments.iter().zip(&call.segments[1..]) {
        let gap = next.start - (seg.start + seg.len);
        // The comma of the phrase stands after the ticket.
        let want = if seg.word == "siedemnaście" {
            2400
        } else {
            800
        };
        assert_eq!(gap, want, "after {}", seg.word);
        assert_eq!(
            &call.samples[seg.start..seg.start + seg.len],
            pack.clip(&seg.word).unwrap()
        );
    }
    let last = call.segments.last().unwrap();
    assert_eq!(call.samples.len(), last.start + last.len);
    let recall = pack.render_call("A017", Some("3"), true).unwrap();
    assert_eq!(recall.segments[0].word, "ponownie");
    // The WAV says the same.
    let back = decode(call.to_wav()).unwrap();
    assert_eq!(back.sample_rate, RATE);
    assert_eq!(back.samples.len(), call.samples.len());
}

#[test]
fn missing_unreadable_silent_and_clipped_clips_are_named_by_file() {
    let dir = full_pack("language = \"pl\"\n");
    let p = dir.path();
    std::fs::remove_file(p.join("siedemnas_cie.wav")).unwrap();
    std::fs::write(p.join("z_et.wav"), b"not a wav file at all").unwrap();
    std::fs::write(
        p.join("trzy.wav"),
        wav(&word_samples(300.0, 0.001, 0.0, 0.3, 0.0, RATE), RATE),
    )
    .unwrap();
    let clipped: Vec<f32> = word_samples(300.0, 3.0, 0.0, 0.2, 0.0, RATE);
    std::fs::write(p.join("numer.wav"), wav(&clipped, RATE)).unwrap();
    let spec = PackSpec::read(p).unwrap();
    let problems = check(&spec);
    let got: Vec<(&str, &str)> = problems
        .iter()
        .map(|pr| (pr.word.as_str(), pr.file.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("numer", "numer.wav"),
            ("trzy", "trzy.wav"),
            ("siedemnaście", "siedemnas_cie.wav"),
            ("żet", "z_et.wav"),
        ]
    );
    assert!(matches!(problems[0].fault, ClipFault::Clipped { .. }));
    assert_eq!(problems[1].fault, ClipFault::Silent);
    assert_eq!(problems[2].fault, ClipFault::Missing);
    assert!(matches!(problems[3].fault, ClipFault::Unreadable(_)));
    assert_eq!(
        problems[2].to_string(),
        "siedemnas_cie.wav: missing (record \"siedemnaście\")"
    );

    // Loading reports the same and still loads the rest; a call needing a lost word is refused
    // with its name, a call that does not need one is rendered (the clipped clip is used).
    let (pack, load_problems) = VoicePack::load(p).unwrap();
    assert_eq!(load_problems, problems);
    assert_eq!(
        pack.render_call("A017", Some("3"), false).unwrap_err(),
        MissingWords(vec!["siedemnaście".into(), "trzy".into()])
    );
    assert!(pack.render_call("A018", Some("4"), false).is_ok());
}

#[test]
fn the_clips_table_names_other_files_but_never_outside_the_pack() {
    let dir = full_pack("language = \"pl\"\n");
    let p = dir.path();
    std::fs::rename(p.join("numer.wav"), p.join("Numer-take2.wav")).unwrap();
    let toml = "language = \"pl\"\n[clips]\n\"numer\" = \"Numer-take2.wav\"\n";
    std::fs::write(p.join(PACK_FILE), toml).unwrap();
    let spec = PackSpec::read(p).unwrap();
    assert_eq!(
        spec.clip_file("numer"),
        ("Numer-take2.wav".to_owned(), true)
    );
    assert!(check(&spec).is_empty());
    for bad in [
        "../numer.wav",
        "/etc/passwd",
        "sub/numer.wav",
        ".hidden.wav",
    ] {
        let toml = format!("language = \"pl\"\n[clips]\n\"numer\" = \"{bad}\"\n");
        assert!(
            matches!(PackSpec::parse(p, &toml), Err(PackError::ClipPath { .. })),
            "{bad}"
        );
    }
}

#[test]
fn clips_at_other_rates_are_resampled_to_the_packs() {
    let dir = full_pack("language = \"pl\"\n");
    let p = dir.path();
    let s = word_samples(300.0, 0.3, 0.0, 0.2, 0.0, 16_000);
    std::fs::write(p.join("numer.wav"), wav(&s, 16_000)).unwrap();
    let (pack, problems) = VoicePack::load(p).unwrap();
    assert!(problems.is_empty());
    assert_eq!(pack.sample_rate, RATE);
    let n = pack.clip("numer").unwrap().len() as f32 / RATE as f32;
    assert!((0.19..0.23).contains(&n), "{n}");
}

#[test]
fn bad_voice_toml_is_refused_with_the_place() {
    let p = Path::new("/packs/x");
    let err = PackSpec::parse(
        p,
        "language = \"pl\"\n[phrases]\ncall = \"numer {tiket}\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("/packs/x/voice.toml") && err.contains("{tiket}"),
        "{err}"
    );
    assert!(matches!(
        PackSpec::parse(p, "language = \"pl\"\nspeed = 2\n"),
        Err(PackError::Toml { .. })
    ));
    assert!(matches!(
        PackSpec::parse(p, "language = \"pl\"\n[gaps]\nword_ms = 60000\n"),
        Err(PackError::Gap { .. })
    ));
    assert!(matches!(
        PackSpec::read(Path::new("/nonexistent/pack")),
        Err(PackError::Read { .. })
    ));
    // An office's own phrase changes the words the pack needs.
    let spec = PackSpec::parse(
        p,
        "language = \"pl\"\n[phrases]\ncall = \"zapraszamy {ticket} do stanowiska {counter}\"\n",
    )
    .unwrap();
    let v = spec.vocabulary();
    assert!(v.iter().any(|w| w == "zapraszamy") && v.iter().any(|w| w == "stanowiska"));
    assert!(
        v.iter().any(|w| w == "ponownie"),
        "the default recall phrase stays"
    );
    // A phrase for calls that name no counter cannot say one.
    let err = PackSpec::parse(
        p,
        "language = \"pl\"\n[phrases]\ncall_no_counter = \"numer {ticket}, stanowisko {counter}\"\n",
    )
    .unwrap_err();
    assert!(
        matches!(
            &err,
            PackError::Phrase {
                key: "call_no_counter",
                source: TemplateError::CounterUnknown,
                ..
            }
        ),
        "{err}"
    );
    let spec = PackSpec::parse(
        p,
        "language = \"pl\"\n[phrases]\nrecall_no_counter = \"jeszcze raz {ticket}\"\n",
    )
    .unwrap();
    assert_eq!(
        spec.phrases.recall_no_counter.source(),
        "jeszcze raz {ticket}"
    );
    assert!(spec.vocabulary().iter().any(|w| w == "jeszcze"));
}
