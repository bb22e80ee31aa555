use super::*;
use jiff::civil::time;

fn period(start: &str, end: &str, volume: f32) -> QuietPeriod {
    QuietPeriod {
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
        volume,
    }
}

fn config(volume: f32, periods: Vec<QuietPeriod>) -> AudioConfig {
    AudioConfig {
        volume,
        quiet_periods: periods,
        ..AudioConfig::default()
    }
}

#[test]
fn chimes_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Chimes>();
}

// --- volume and quiet periods

#[test]
fn without_quiet_periods_the_master_volume_applies_all_day() {
    let c = config(0.8, vec![]);
    assert_eq!(c.volume_at(time(0, 0, 0, 0)), 0.8);
    assert_eq!(c.volume_at(time(23, 59, 59, 0)), 0.8);
}

#[test]
fn a_quiet_period_includes_its_start_and_excludes_its_end() {
    let c = config(1.0, vec![period("00:00", "11:00", 0.5)]);
    assert_eq!(c.volume_at(time(0, 0, 0, 0)), 0.5);
    assert_eq!(c.volume_at(time(10, 59, 59, 999_999_999)), 0.5);
    assert_eq!(c.volume_at(time(11, 0, 0, 0)), 1.0);
    assert_eq!(c.volume_at(time(15, 0, 0, 0)), 1.0);
}

#[test]
fn quiet_periods_scale_the_master_volume() {
    let c = config(0.6, vec![period("08:00", "11:00", 0.5)]);
    assert_eq!(c.volume_at(time(9, 0, 0, 0)), 0.3);
    assert_eq!(c.volume_at(time(12, 0, 0, 0)), 0.6);
}

#[test]
fn a_period_ending_before_it_starts_runs_over_midnight() {
    let c = config(1.0, vec![period("18:00", "08:00", 0.2)]);
    assert_eq!(c.volume_at(time(17, 59, 0, 0)), 1.0);
    assert_eq!(c.volume_at(time(18, 0, 0, 0)), 0.2);
    assert_eq!(c.volume_at(time(23, 30, 0, 0)), 0.2);
    assert_eq!(c.volume_at(time(3, 0, 0, 0)), 0.2);
    assert_eq!(c.volume_at(time(8, 0, 0, 0)), 1.0);
}

#[test]
fn an_empty_period_never_applies_and_24_00_ends_the_day() {
    let c = config(1.0, vec![period("10:00", "10:00", 0.1)]);
    assert_eq!(c.volume_at(time(10, 0, 0, 0)), 1.0);
    let c = config(1.0, vec![period("20:00", "24:00", 0.1)]);
    assert_eq!(c.volume_at(time(23, 59, 0, 0)), 0.1);
    assert_eq!(c.volume_at(time(0, 0, 0, 0)), 1.0);
}

#[test]
fn where_periods_overlap_the_quietest_wins() {
    let c = config(
        1.0,
        vec![period("07:00", "12:00", 0.7), period("09:00", "10:00", 0.3)],
    );
    assert_eq!(c.volume_at(time(8, 0, 0, 0)), 0.7);
    assert_eq!(c.volume_at(time(9, 30, 0, 0)), 0.3);
    assert_eq!(c.volume_at(time(11, 0, 0, 0)), 0.7);
}

#[test]
fn muting_silences_everything() {
    let c = AudioConfig {
        muted: true,
        ..config(1.0, vec![])
    };
    assert_eq!(c.volume_at(time(12, 0, 0, 0)), 0.0);
}

#[test]
fn out_of_range_volumes_are_clamped_and_nan_is_silent() {
    assert_eq!(config(1.7, vec![]).volume_at(time(12, 0, 0, 0)), 1.0);
    assert_eq!(config(-0.5, vec![]).volume_at(time(12, 0, 0, 0)), 0.0);
    assert_eq!(config(f32::NAN, vec![]).volume_at(time(12, 0, 0, 0)), 0.0);
    let c = config(1.0, vec![period("00:00", "24:00", f32::NAN)]);
    assert_eq!(c.volume_at(time(12, 0, 0, 0)), 0.0);
}

#[test]
fn the_volume_never_exceeds_the_master_volume_at_any_minute() {
    let c = config(
        0.9,
        vec![
            period("22:00", "06:00", 0.1),
            period("06:00", "11:00", 0.5),
            period("10:30", "10:45", 2.0),
        ],
    );
    for minute in 0..24 * 60 {
        let v = c.volume_at(time((minute / 60) as i8, (minute % 60) as i8, 0, 0));
        assert!((0.0..=0.9).contains(&v), "{minute}: {v}");
    }
}

#[test]
fn volume_for_reads_the_warsaw_wall_clock() {
    let c = config(1.0, vec![period("00:00", "11:00", 0.5)]);
    // 09:30 UTC is 10:30 in Warsaw in winter (quiet) and 11:30 in summer (not quiet).
    assert_eq!(c.volume_for("2026-11-30T09:30:00Z".parse().unwrap()), 0.5);
    assert_eq!(c.volume_for("2026-07-01T09:30:00Z".parse().unwrap()), 1.0);
}

// --- config parsing and validation

#[test]
fn clock_times_parse_strictly() {
    assert_eq!("07:05".parse::<ClockTime>().unwrap().minutes(), 7 * 60 + 5);
    assert_eq!("7:05".parse::<ClockTime>().unwrap().minutes(), 7 * 60 + 5);
    assert_eq!("24:00".parse::<ClockTime>().unwrap().minutes(), 24 * 60);
    for bad in [
        "", "7", "07:5", "07:60", "24:01", "25:00", "-1:00", "07:00:00", "ab:cd",
    ] {
        assert!(bad.parse::<ClockTime>().is_err(), "{bad:?}");
    }
    assert_eq!("09:00".parse::<ClockTime>().unwrap().to_string(), "09:00");
}

#[test]
fn the_config_reads_from_toml_with_defaults() {
    let c: AudioConfig = toml::from_str(
        r#"
        volume = 0.8
        gap_ms = 250
        call_sound = "/srv/gong.ogg"
        quiet_periods = [{ start = "00:00", end = "11:00", volume = 0.5 }]
        "#,
    )
    .unwrap();
    assert_eq!(c.volume, 0.8);
    assert_eq!(c.gap, Duration::from_millis(250));
    assert_eq!(
        c.call_sound.as_deref(),
        Some(std::path::Path::new("/srv/gong.ogg"))
    );
    assert_eq!(c.recall_sound, None);
    assert_eq!(c.quiet_periods, vec![period("00:00", "11:00", 0.5)]);
    assert_eq!(c.device_retry, Duration::from_secs(30));
    assert_eq!(c.queue_capacity, 64);
    assert_eq!(
        toml::from_str::<AudioConfig>("").unwrap(),
        AudioConfig::default()
    );
    assert!(toml::from_str::<AudioConfig>("volum = 1.0").is_err());
    assert!(
        toml::from_str::<AudioConfig>(
            "quiet_periods = [{ start = \"8\", end = \"9:00\", volume = 0.5 }]"
        )
        .is_err()
    );
}

#[test]
fn validation_reports_out_of_range_values() {
    assert!(AudioConfig::default().validate().is_ok());
    assert!(config(1.5, vec![]).validate().is_err());
    assert!(
        config(1.0, vec![period("08:00", "09:00", -0.1)])
            .validate()
            .is_err()
    );
    assert!(config(f32::NAN, vec![]).validate().is_err());
    let zero = AudioConfig {
        queue_capacity: 0,
        ..AudioConfig::default()
    };
    assert!(matches!(
        zero.validate(),
        Err(AudioError::ZeroQueueCapacity)
    ));
}

// --- queue

fn req(kind: SoundKind, volume: f32) -> Request {
    Request {
        kind,
        volume,
        speech: None,
    }
}

#[test]
fn the_queue_keeps_order() {
    let mut q = SoundQueue::new(8);
    for i in 0..5 {
        assert_eq!(q.push(req(SoundKind::Call, i as f32)), None);
    }
    let volumes: Vec<f32> = std::iter::from_fn(|| q.pop()).map(|r| r.volume).collect();
    assert_eq!(volumes, [0.0, 1.0, 2.0, 3.0, 4.0]);
    assert!(q.is_empty());
}

#[test]
fn a_full_queue_drops_the_oldest_waiting_sound() {
    let mut q = SoundQueue::new(3);
    for i in 0..3 {
        q.push(req(SoundKind::Call, i as f32));
    }
    assert_eq!(
        q.push(req(SoundKind::Recall, 3.0)),
        Some(req(SoundKind::Call, 0.0))
    );
    assert_eq!(q.len(), 3);
    let volumes: Vec<f32> = std::iter::from_fn(|| q.pop()).map(|r| r.volume).collect();
    assert_eq!(volumes, [1.0, 2.0, 3.0]);
}

#[test]
fn the_queue_stays_bounded_under_a_flood() {
    let mut q = SoundQueue::new(64);
    let dropped = (0..10_000)
        .filter_map(|i| q.push(req(SoundKind::Call, i as f32)))
        .count();
    assert_eq!((q.len(), dropped), (64, 10_000 - 64));
    assert_eq!(q.pop().unwrap().volume, (10_000 - 64) as f32);
}

#[test]
fn shrinking_the_queue_drops_the_oldest() {
    let mut q = SoundQueue::new(5);
    for i in 0..5 {
        q.push(req(SoundKind::Call, i as f32));
    }
    assert_eq!(q.set_capacity(2), 3);
    assert_eq!(q.pop().unwrap().volume, 3.0);
    assert_eq!(SoundQueue::new(0).push(req(SoundKind::Call, 0.0)), None);
}

// --- sounds

/// The committed WAV files are what the synthesis makes (to the last bit, give or take one
/// for differences between platforms' `sin`): regenerate with `cargo run --bin make-sounds`.
#[test]
fn the_committed_sounds_are_the_synthesised_ones() {
    for (file, samples) in [
        (BUILTIN_CHIME, synth::chime()),
        (BUILTIN_RECALL, synth::recall()),
    ] {
        let expected = synth::encode_wav(&samples, synth::SAMPLE_RATE);
        assert_eq!(
            file.len(),
            expected.len(),
            "run `cargo run --bin make-sounds`"
        );
        assert_eq!(file[..44], expected[..44]);
        let differ = file[44..]
            .chunks_exact(2)
            .zip(samples.iter())
            .filter(|(b, s)| (i16::from_le_bytes([b[0], b[1]]) - **s).abs() > 1)
            .count();
        assert_eq!(differ, 0, "run `cargo run --bin make-sounds`");
    }
}

#[test]
fn the_sounds_peak_at_minus_3_dbfs_and_start_and_end_silent() {
    for (samples, seconds) in [(synth::chime(), 1.5), (synth::recall(), 1.1)] {
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
        let dbfs = 20.0 * (f64::from(peak) / 32767.0).log10();
        assert!((dbfs + 3.0).abs() < 0.01, "{dbfs}");
        assert_eq!(samples[0], 0);
        assert_eq!(*samples.last().unwrap(), 0);
        assert!(
            samples[..5].iter().all(|s| s.abs() < 300),
            "attack must be soft"
        );
        let length = samples.len() as f64 / f64::from(synth::SAMPLE_RATE);
        assert!((length - seconds).abs() < 1e-3);
    }
}

#[test]
fn the_builtin_sounds_decode() {
    let call = Sound::builtin(SoundKind::Call);
    assert_eq!((call.channels, call.sample_rate), (1, 44_100));
    assert_eq!(call.duration(), Duration::from_millis(1500));
    let recall = Sound::builtin(SoundKind::Recall);
    assert_eq!(recall.duration(), Duration::from_millis(1100));
}

#[test]
fn a_custom_sound_file_replaces_the_builtin_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("beep.wav");
    let samples: Vec<i16> = (0..4800)
        .map(|i| ((i as f32 * 0.1).sin() * 10_000.0) as i16)
        .collect();
    std::fs::write(&path, synth::encode_wav(&samples, 48_000)).unwrap();
    let set = sounds::SoundSet::load(Some(&path), None);
    assert_eq!(set.call.sample_rate, 48_000);
    assert_eq!(set.call.duration(), Duration::from_millis(100));
    assert_eq!(set.recall.duration(), Duration::from_millis(1100));
}

#[test]
fn an_unusable_sound_file_falls_back_to_the_builtin_one() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.wav");
    std::fs::write(&garbage, b"RIFF, but not really").unwrap();
    let silent = dir.path().join("silent.wav");
    std::fs::write(&silent, synth::encode_wav(&[0; 1000], 44_100)).unwrap();
    let missing = dir.path().join("missing.ogg");
    for path in [&garbage, &silent, &missing] {
        let set = sounds::SoundSet::load(Some(path), Some(path));
        assert_eq!(set.call.duration(), Duration::from_millis(1500), "{path:?}");
        assert_eq!(
            set.recall.duration(),
            Duration::from_millis(1100),
            "{path:?}"
        );
    }
    assert!(matches!(
        Sound::load(&garbage),
        Err(AudioError::DecodeSound { .. })
    ));
    assert!(matches!(
        Sound::load(&silent),
        Err(AudioError::SoundEmpty { .. })
    ));
    assert!(matches!(
        Sound::load(&missing),
        Err(AudioError::ReadSound { .. })
    ));
}

#[test]
fn a_sound_longer_than_the_limit_is_refused() {
    let rate = 8_000;
    let samples: Vec<i16> = (0..rate * (MAX_SOUND_SECONDS + 1))
        .map(|i| ((i as f32 * 0.3).sin() * 5_000.0) as i16)
        .collect();
    let bytes = synth::encode_wav(&samples, rate);
    assert!(matches!(
        Sound::decode("long", bytes),
        Err(AudioError::SoundTooLong { .. })
    ));
}

/// A spoken call's words follow its chime: the UI thread knows the chime's length and whether
/// anything is heard at all from the config, without asking the audio thread.
#[test]
fn the_handle_knows_each_sounds_length_and_whether_it_is_heard() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("beep.wav");
    let samples: Vec<i16> = (0..4800)
        .map(|i| ((i as f32 * 0.1).sin() * 10_000.0) as i16)
        .collect();
    std::fs::write(&path, synth::encode_wav(&samples, 48_000)).unwrap();
    let chimes = Chimes::start(AudioConfig {
        call_sound: Some(path),
        gap: Duration::from_millis(250),
        muted: true,
        ..AudioConfig::default()
    });
    let now = jiff::Timestamp::now();
    assert_eq!(
        chimes.timing(SoundKind::Call),
        (Duration::from_millis(100), Duration::from_millis(250))
    );
    assert_eq!(
        chimes.timing(SoundKind::Recall).0,
        Duration::from_millis(1100)
    );
    assert!(!chimes.audible(1.0, now), "muted");
    // A new config with the built-in sounds: their lengths, at once.
    chimes.set_config(AudioConfig::default());
    assert_eq!(
        chimes.timing(SoundKind::Call),
        (Duration::from_millis(1500), Duration::from_millis(400))
    );
    assert!(chimes.audible(1.0, now));
    assert!(!chimes.audible(0.0, now) && !chimes.audible(f32::NAN, now));
}
