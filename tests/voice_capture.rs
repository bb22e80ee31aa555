//! Spoken calls end to end: the real `tablica run` in a window on Xvfb, with the built-in voice
//! pack, fed by a scripted websocket server on 127.0.0.1, playing through real ALSA into the
//! FIFO-paced capture of `support::capture` (see tests/audio.rs for how it works).
//!
//! The server sends a snapshot whose newest call is on screen at once (quietly), then a call and,
//! half a second later, a recall. Then it drops the connection; when the board resumes, it is
//! sent a snapshot with a newer call and a call missed meanwhile, ten minutes old: neither may be
//! heard. In the capture the test finds, in order and each whole, the chime, "numer a dziewięć
//! tysięcy dziewięćset dziewięćdziesiąt dziewięć, stanowisko dwa" (longer than a call's six
//! seconds on screen), the recall sound and "ponownie numer be sto dwadzieścia, stanowisko trzy
//! a", by cross-correlation against the pack's own clips and the built-in sounds, and nothing
//! after them. Screenshots taken meanwhile show that the recall did not take the screen while the
//! call before it was still being said. With `TABLICA_KEEP_CAPTURE=1` (or when a check fails) the scratch
//! directory is kept with the capture (`capture.wav`) and the board's log.

mod support;

use futures_util::SinkExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::capture::{Capture, capture_conf, scratch_dir, write_alsa_conf};
use support::feed::{Flag, HandServer, at, called, keep_alive, runtime, snapshot, text};
use support::procs::{screenshot, spawn_logged, xvfb};
use tablica::audio::{AudioConfig, BUILTIN_CHIME, BUILTIN_RECALL};
use tablica::protocol::{CallInfo, Envelope, Event, TicketAtCounter};
use tablica::voice::pack::{self, VoicePack};

/// The rate the capture and the clips are compared at: plenty for speech, cheap to correlate.
const RATE: u32 = 8000;
/// Each thing heard must correlate at least this well with its source. Unrelated words of the
/// pack correlate below 0.5; resampling by the audio stack and here costs a few hundredths.
const MIN_MATCH: f32 = 0.8;
/// How long the board must stay quiet after it resumed.
const QUIET_AFTER_RESUME: Duration = Duration::from_secs(4);
/// The recall's colour in the built-in layout.
const RECALL: [u8; 3] = [0xFF, 0x8A, 0x3D];

fn builtin_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/voice/pl")
}

/// Low-passes with a box filter of about one output sample and resamples to [`RATE`], so that
/// sources at any rate are compared alike.
fn to_rate(samples: &[f32], rate: u32) -> Vec<f32> {
    let width = (rate as usize).div_ceil(RATE as usize).max(1);
    let mut acc = 0.0;
    let smoothed: Vec<f32> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            acc += s;
            if i >= width {
                acc -= samples[i - width];
            }
            acc / width as f32
        })
        .collect();
    pack::resample(&smoothed, rate, RATE)
}

fn ncc(signal: &[f32], clip: &[f32], at: usize) -> f32 {
    let Some(s) = signal.get(at..at + clip.len()) else {
        return f32::MIN;
    };
    let dot: f32 = s.iter().zip(clip).map(|(a, b)| a * b).sum();
    let ns: f32 = s.iter().map(|a| a * a).sum::<f32>().sqrt();
    let nc: f32 = clip.iter().map(|a| a * a).sum::<f32>().sqrt();
    dot / (ns * nc).max(1e-9)
}

/// Pieces a sound is matched in: a quarter of a second at [`RATE`].
const PIECE: usize = RATE as usize / 4;
/// How far a piece may sit from where the one before it ended: on a loaded machine the audio
/// thread can miss its deadline for a few milliseconds, which shifts the rest of the sound (a
/// glitch, not a cut, and not what these tests are about).
const SLIP: usize = RATE as usize * 3 / 100;

/// Finds each `(name, template)` in order, each starting within 1.5 s of the end of the one
/// before and heard whole: its quarter seconds one after another (each within [`SLIP`] of where
/// the one before ended) match it as a whole, so that a sound cut short, overlapped or replaced
/// does not pass. Returns where each was found or what
/// was not; nothing may be heard after the last.
fn find_in_order(signal: &[f32], items: &[(String, Vec<f32>)]) -> Result<Vec<usize>, String> {
    // The first sound is looked for from just before anything is heard: when that is depends on
    // how fast the board came up.
    let onset = signal.iter().position(|s| s.abs() > 0.01).unwrap_or(0);
    let mut cursor = onset.saturating_sub(RATE as usize / 10);
    let mut found = Vec::new();
    let secs = |a: usize| a as f32 / RATE as f32;
    for (name, template) in items {
        let not_heard = |what: String, found: &[usize]| {
            let so_far: Vec<_> = found.iter().map(|a| format!("{:.2}", secs(*a))).collect();
            Err(format!("{name} {what}; found so far at {so_far:?}"))
        };
        // Where it starts: the best match of its first piece (a piece from its middle can match
        // elsewhere: the chime's two tones share their harmonics). Coarse, then fine.
        let probe = &template[..PIECE.min(template.len())];
        let last = cursor + RATE as usize * 3 / 2;
        let best = |range: &mut dyn Iterator<Item = usize>| {
            range
                .map(|at| (at, ncc(signal, probe, at)))
                .fold((0, f32::MIN), |b, x| if x.1 > b.1 { x } else { b })
        };
        let (coarse, _) = best(&mut (cursor..=last).step_by(4));
        let (at, _) = best(&mut (coarse.saturating_sub(4)..=coarse + 4));
        // Its start, then each piece after the one before (a short tail joins the last piece).
        let mut pieces: Vec<(usize, usize)> = (0..template.len())
            .step_by(PIECE)
            .map(|p| (p, (p + PIECE).min(template.len())))
            .collect();
        if pieces.len() > 1 && pieces[pieces.len() - 1].1 - pieces[pieces.len() - 1].0 < PIECE / 2 {
            let (_, end) = pieces.pop().unwrap();
            pieces.last_mut().unwrap().1 = end;
        }
        // Each piece where it fits best, within the slip from where the one before ended; then
        // the match of the whole, piece by piece: loud parts count most, as they do for the ear.
        let mut expected = at;
        let mut start = None;
        let (mut dot, mut heard, mut source) = (0.0f32, 0.0f32, 0.0f32);
        for (from, to) in pieces {
            let piece = &template[from..to];
            let (best, _) = (expected.saturating_sub(SLIP)..=expected + SLIP)
                .map(|a| (a, ncc(signal, piece, a)))
                .fold((0, f32::MIN), |b, x| if x.1 > b.1 { x } else { b });
            let Some(there) = signal.get(best..best + piece.len()) else {
                return not_heard(format!("cut off at {:.2} s", secs(best)), &found);
            };
            dot += there.iter().zip(piece).map(|(a, b)| a * b).sum::<f32>();
            heard += there.iter().map(|a| a * a).sum::<f32>();
            source += piece.iter().map(|a| a * a).sum::<f32>();
            start.get_or_insert(best);
            expected = best + piece.len();
        }
        let score = dot / (heard.sqrt() * source.sqrt()).max(1e-9);
        if score < MIN_MATCH {
            return not_heard(
                format!(
                    "not heard whole after {:.2} s (best match {score:.2} at {:.2} s)",
                    secs(cursor),
                    secs(at)
                ),
                &found,
            );
        }
        found.push(start.unwrap_or(at));
        cursor = expected;
    }
    let after = signal[cursor.min(signal.len())..]
        .iter()
        .fold(0.0f32, |m, s| m.max(s.abs()));
    if after > 0.01 {
        return Err(format!("sound after the last word (peak {after})"));
    }
    Ok(found)
}

/// The office: counters 1–6, the third labelled "3A" (said "trzy a"), with `newest` as the
/// snapshot's newest call, made at the snapshot's time.
fn office(seq: u64, newest: (&str, &str)) -> Envelope {
    let mut e = snapshot(seq);
    if let Event::Snapshot(s) = &mut e.event {
        s.counters[2].label = "3A".into();
        s.recent_calls.push(CallInfo {
            ticket: newest.0.into(),
            service: "dowody".into(),
            counter: Some(newest.1.into()),
            time: at(seq),
            recall: false,
            reservation: false,
        });
    }
    e
}

fn recalled(seq: u64, ticket: &str, counter: &str) -> Envelope {
    Envelope::new(
        seq,
        at(seq),
        Event::TicketRecalled(TicketAtCounter {
            ticket: ticket.into(),
            service: "dowody".into(),
            counter: Some(counter.into()),
            reservation: false,
        }),
    )
}

#[test]
fn the_real_board_says_a_call_and_a_recall_whole_after_their_chimes_and_nothing_on_resume() {
    let dir = scratch_dir("tablica-voice-e2e-");
    let capture = Capture::start(dir.path());
    let conf = write_alsa_conf(dir.path(), &capture_conf(&capture.fifo));
    let (_x, display) = xvfb(640, 360);
    let (go, stop) = (Flag::default(), Flag::default());
    let rt = runtime();
    let server = {
        let (go, stop) = (go.clone(), stop.clone());
        rt.block_on(HandServer::start(move |n, stream, rec| {
            let (go, stop) = (go.clone(), stop.clone());
            async move {
                let Some(mut ws) = rec.upgrade(stream).await else {
                    return;
                };
                if rec.hello(&mut ws).await.is_none() {
                    return;
                }
                if n == 0 {
                    // A snapshot's call is on screen at once, and never heard.
                    let _ = ws.send(text(&office(100, ("C011", "st1")))).await;
                    while !go.is_up() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    let _ = ws.send(text(&called(101, "A9999", "st2"))).await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    let _ = ws.send(text(&recalled(102, "B120", "st3"))).await;
                    // Until the test has heard both, then the connection drops.
                    keep_alive(&mut ws, 102, || stop.is_up()).await;
                } else {
                    // The board resumes after 102: a snapshot with a newer call on screen, and
                    // a call from ten minutes ago that it missed. Both are history.
                    let _ = ws.send(text(&office(103, ("A024", "st1")))).await;
                    let mut missed = called(104, "A025", "st1");
                    missed.time = at(104) - jiff::SignedDuration::from_mins(10);
                    let _ = ws.send(text(&missed)).await;
                    keep_alive(&mut ws, 104, || false).await;
                }
            }
        }))
    };
    let settings = dir.path().join("tablica.toml");
    std::fs::write(
        &settings,
        format!(
            "[voice]\nenabled = true\npack = \"{}\"\n",
            builtin_dir().display()
        ),
    )
    .unwrap();
    let (mut board, _out, log) = spawn_logged(
        Command::new(env!("CARGO_BIN_EXE_tablica"))
            .args(["run", "--config"])
            .arg(&settings)
            .args(["--server", &server.url(), "--health", "off"])
            .args(["--always-open", "--windowed", "--size", "640x360"])
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("ALSA_CONFIG_PATH", &conf)
            // alsa.conf also loads ~/.asoundrc, which could send the sound elsewhere.
            .env("HOME", dir.path())
            // The audio thread's debug lines say which sounds were played or skipped.
            .env("RUST_LOG", "info,tablica::audio=debug"),
    );
    // (when a screenshot was begun and ended, pixels of the recall's colour in it)
    let mut shots: Vec<(Instant, Instant, usize)> = Vec::new();
    let result = (|| {
        log.wait_for("connected resume_from=None", 1, Duration::from_secs(30))
            .ok_or("the board did not connect within 30 s")?;
        log.wait_for("calls are spoken", 1, Duration::from_secs(5))
            .ok_or("the board did not load its voice")?;
        log.wait_for("audio device opened", 1, Duration::from_secs(10))
            .ok_or("the board did not open the audio device")?;
        std::thread::sleep(Duration::from_secs(1));
        go.raise();
        // Chime, words, recall sound, words: four sounds played to their end, however long that
        // takes on a slow machine (within reason). Meanwhile, what the screen shows.
        let deadline = Instant::now() + Duration::from_secs(45);
        let png = dir.path().join("screen.png");
        while log.count("sound played") < 4 {
            if Instant::now() > deadline {
                return Err(format!(
                    "{} sounds played within 45 s",
                    log.count("sound played")
                ));
            }
            let before = Instant::now();
            let image = screenshot(&display, &png);
            let recall_px = image.pixels().filter(|p| p.0[..3] == RECALL).count();
            shots.push((before, Instant::now(), recall_px));
            // A few a second: enough to see the screen change, and little load on the machine
            // the board's audio thread shares.
            std::thread::sleep(Duration::from_millis(200));
        }
        stop.raise();
        let (resumed, _) = log
            .wait_for(
                "connected resume_from=Some(102)",
                1,
                Duration::from_secs(15),
            )
            .ok_or("the board did not resume from 102 within 15 s")?;
        std::thread::sleep(QUIET_AFTER_RESUME);
        if !board.alive() {
            return Err("the board exited".to_owned());
        }
        Ok(resumed)
    })();
    board.terminate(Duration::from_secs(5));
    let started = capture.started();
    let audio = capture.finish();
    audio.save_wav(&dir.path().join("capture.wav"));
    let result = result.and_then(|resumed| {
        let started = started.ok_or("the board never opened the audio device")?;
        let after = audio.seconds() - resumed.saturating_duration_since(started).as_secs_f64();
        if after < QUIET_AFTER_RESUME.as_secs_f64() - 1.0 {
            return Err(format!("only {after:.2} s captured after the resume"));
        }
        let counts = (log.count("sound played"), log.count("sound skipped"));
        if counts != (4, 0) {
            return Err(format!("(played, skipped) = {counts:?}, expected (4, 0)"));
        }
        let expected = expected_sounds();
        let found = find_in_order(&to_rate(&audio.mono, audio.rate), &expected)?;
        // The recall's turn came after the call's words and the queue's gap (its chime was not
        // held back by them), a turn on screen after the call's.
        let secs = |samples: usize| samples as f64 / f64::from(RATE);
        let words_end = secs(found[9] + expected[9].1.len());
        let recall_at = secs(found[10]);
        let gap = AudioConfig::default().gap.as_secs_f64();
        let turn = recall_at - secs(found[0]);
        if recall_at - words_end < gap - 0.05 || !(6.0..=11.0).contains(&turn) {
            return Err(format!(
                "the recall sound at {recall_at:.2} s, {turn:.2} s after the call's chime; the \
                 call's words ended at {words_end:.2} s"
            ));
        }
        eprintln!(
            "heard at {:?} s",
            found.iter().map(|f| secs(*f)).collect::<Vec<_>>()
        );
        // While the call was being said, the recall was not on screen (it would show in its
        // colour, big or in the list); after its turn began, it was.
        let words_start = secs(found[1]);
        let at = |t: Instant| t.saturating_duration_since(started).as_secs_f64();
        let during: Vec<_> = shots
            .iter()
            .filter(|(from, to, _)| at(*from) >= words_start && at(*to) <= words_end)
            .collect();
        if let Some((from, _, px)) = during.iter().find(|(_, _, px)| *px > 0) {
            return Err(format!(
                "the recall was on screen ({px} pixels) at {:.2} s, while the call before it \
                 was being said ({words_start:.2}–{words_end:.2} s)",
                at(*from)
            ));
        }
        let later = shots
            .iter()
            .filter(|(from, _, px)| at(*from) > recall_at + 0.5 && *px > 500)
            .count();
        if during.len() < 5 || later == 0 {
            return Err(format!(
                "{} screenshots while the call was said, {later} of the recall after its turn",
                during.len()
            ));
        }
        Ok(())
    });
    let keep = std::env::var_os("TABLICA_KEEP_CAPTURE").is_some();
    if let Err(e) = result {
        let kept = dir.keep();
        std::fs::write(kept.join("board.log"), log.text()).unwrap();
        panic!(
            "{e}\nfiles kept in {}\n--- board log\n{}",
            kept.display(),
            log.text()
        );
    }
    if keep {
        let kept = dir.keep();
        std::fs::write(kept.join("board.log"), log.text()).unwrap();
        eprintln!("files kept in {}", kept.display());
    }
}

/// The chime, "numer a dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć, stanowisko dwa",
/// the recall sound and "ponownie numer be sto dwadzieścia, stanowisko trzy a": names and
/// templates at [`RATE`].
fn expected_sounds() -> Vec<(String, Vec<f32>)> {
    let (pack, problems) = VoicePack::load(&builtin_dir()).unwrap();
    assert!(problems.is_empty());
    let clip = |w: &str| {
        (
            format!("\"{w}\""),
            to_rate(pack.clip(w).unwrap(), pack.sample_rate),
        )
    };
    let chime = |name: &str, bytes: &[u8]| {
        let raw = pack::decode(bytes.to_vec()).unwrap();
        (name.to_owned(), to_rate(&raw.samples, raw.sample_rate))
    };
    let mut expected = vec![chime("the call chime", BUILTIN_CHIME)];
    for w in [
        "numer",
        "a",
        "dziewięć",
        "tysięcy",
        "dziewięćset",
        "dziewięćdziesiąt",
        "dziewięć",
        "stanowisko",
        "dwa",
    ] {
        expected.push(clip(w));
    }
    expected.push(chime("the recall sound", BUILTIN_RECALL));
    for w in [
        "ponownie",
        "numer",
        "be",
        "sto",
        "dwadzieścia",
        "stanowisko",
        "trzy",
        "a",
    ] {
        expected.push(clip(w));
    }
    expected
}

/// The analysis can fail: a sound cut short, one overlapped by the next, a word left out or one
/// after the last are found; a glitch of a few milliseconds inside a sound is not a cut.
#[test]
fn the_analysis_rejects_cut_overlapped_missing_and_extra_sounds() {
    let expected = expected_sounds();
    let items = &expected[..4]; // the chime, "numer", "a", "dziewięć"
    let silence = |s: f32| vec![0.0f32; (s * RATE as f32) as usize];
    let track = |parts: &[&[f32]]| parts.concat();
    let (chime, numer, a, nine) = (&items[0].1, &items[1].1, &items[2].1, &items[3].1);
    let gap = silence(0.3);
    let good = track(&[&gap, chime, &gap, numer, &gap, a, &gap, nine, &gap]);
    find_in_order(&good, items).unwrap();
    // A glitch: 10 ms missing in the middle of the chime.
    let glitch = [&chime[..4000], &chime[4080..]].concat();
    let glitched = track(&[&gap, &glitch, &gap, numer, &gap, a, &gap, nine, &gap]);
    find_in_order(&glitched, items).unwrap();
    // The chime cut 0.3 s short.
    let cut = &chime[..chime.len() - 2400];
    let cut = track(&[&gap, cut, &gap, numer, &gap, a, &gap, nine, &gap]);
    assert!(find_in_order(&cut, items).is_err());
    // "numer" starting while the chime still rings.
    let mut mixed = chime.clone();
    let from = chime.len() - 3000;
    mixed.resize(from + numer.len(), 0.0);
    for (i, s) in numer.iter().enumerate() {
        mixed[from + i] += s;
    }
    let overlapped = track(&[&gap, &mixed, &gap, a, &gap, nine, &gap]);
    assert!(find_in_order(&overlapped, items).is_err());
    // A word left out, or one too many.
    let missing = track(&[&gap, chime, &gap, numer, &gap, nine, &gap]);
    assert!(find_in_order(&missing, items).is_err());
    let extra = track(&[&gap, chime, &gap, numer, &gap, a, &gap, nine, &gap, a, &gap]);
    assert!(find_in_order(&extra, items).is_err());
}
