//! The board in Polish with Ukrainian (and English) words, drawn on a real wgpu device: OCR reads
//! the Polish and the Ukrainian texts on the same picture in subtitle mode, rotate mode changes
//! the fixed words' language with the time while the numbers stay, and golden images keep the
//! look.
//!
//! Regenerate the references with `TABLICA_UPDATE_GOLDEN=1 cargo test --test languages`, and
//! look at every changed PNG before committing it.

mod support;

use image::RgbaImage;
use jiff::{SignedDuration, Timestamp};
use support::render::{assert_golden, gpu, ocr_in};
use tablica::layout::{Lang, Language, LanguageMode, Layout};
use tablica::render::{OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::scene::languages;
use tablica::{scenarios, scene};

fn render(layout: &Layout, s: &scenarios::Scenario, now: Timestamp, w: u32, h: u32) -> RgbaImage {
    let scene = scene::build(&s.board, layout, &s.status, now, w, h);
    let mut renderer = Renderer::new(gpu(), OFFSCREEN_FORMAT);
    let image = render_to_image(gpu(), &mut renderer, &scene.list).expect("frame renders");
    assert_eq!(gpu().error_count(), 0, "wgpu reported errors");
    image
}

/// The "ukrainian" scenario as it is previewed: the built-in layout, Polish with Ukrainian
/// subtitles.
fn subtitled(w: u32, h: u32) -> RgbaImage {
    let s = scenarios::build("ukrainian").unwrap();
    let layout = s.layout(&Layout::builtin_for(w, h));
    assert_eq!(layout.language.mode, LanguageMode::Subtitle);
    render(&layout, &s, s.now, w, h)
}

/// Words OCR is asked to find, lower-cased; a word counts as read when OCR's text holds it.
fn missing<'a>(read: &str, words: &[&'a str]) -> Vec<&'a str> {
    let read = read.to_lowercase();
    words
        .iter()
        .copied()
        .filter(|w| !read.contains(&w.to_lowercase()))
        .collect()
}

#[test]
fn subtitle_mode_landscape() {
    assert_golden("board-ukrainian-1920x1080", &subtitled(1920, 1080));
}

#[test]
fn subtitle_mode_portrait() {
    assert_golden("board-ukrainian-1080x1920", &subtitled(1080, 1920));
}

/// A resident reads the board in either language: the Polish titles and labels and their
/// Ukrainian subtitles, and the services' Ukrainian names, from one picture.
#[test]
fn ocr_reads_polish_and_ukrainian_on_the_same_board() {
    let polish = [
        "Kolejki",
        "Poprzednie",
        "Stanowisko",
        "Numer",
        "Dowody",
        "A017",
    ];
    let ukrainian = [
        "Черги",
        "Попередні",
        "Вікно",
        "Номер",
        "Посвідчення",
        "мешканця",
    ];
    for (w, h) in [(1920, 1080), (1080, 1920)] {
        let image = subtitled(w, h);
        let read = ocr_in(&image, "pol+ukr");
        let lost: Vec<&str> = missing(&read, &polish)
            .into_iter()
            .chain(missing(&read, &ukrainian))
            .collect();
        assert!(lost.is_empty(), "{w}x{h}: not read {lost:?} in:\n{read}");
    }
}

/// Rotate mode: at moments in different turns the fixed words are Polish, then Ukrainian, then
/// English; the called ticket and counter and the services' Polish names stay in every turn.
#[test]
fn rotate_mode_changes_the_words_and_keeps_the_numbers() {
    let s = scenarios::build("ukrainian").unwrap();
    let language = Language {
        languages: vec![Lang::Pl, Lang::Uk, Lang::En],
        mode: LanguageMode::Rotate,
        rotate_seconds: 4.0,
    };
    let mut layout = Layout::builtin_for(1920, 1080).clone();
    layout.language = language.clone();
    // The first moment of each language from the scenario's on, within its minute (the clock
    // must not change between the pictures).
    let moment = |lang: Lang| {
        (0..16)
            .map(|i| s.now + SignedDuration::from_secs(i))
            .find(|t| languages::at(&language, *t).main == lang)
            .unwrap()
    };
    let cases = [
        (Lang::Pl, ["Kolejki", "Stanowisko"], "pol"),
        (Lang::Uk, ["Черги", "Вікно"], "pol+ukr"),
        (Lang::En, ["Queues", "Counter"], "pol+eng"),
    ];
    for (lang, words, model) in cases {
        let t = moment(lang);
        let image = render(&layout, &s, t, 1920, 1080);
        let read = ocr_in(&image, model);
        let lost = missing(&read, &words);
        assert!(lost.is_empty(), "{lang:?}: not read {lost:?} in:\n{read}");
        // The numbers and names never turn away: the called ticket is read in every turn, and
        // the picture holds the same tickets, counters and Polish names (OCR takes a Latin C
        // for a Cyrillic one on a Ukrainian model, so the list says which texts are drawn).
        let lost = missing(&read, &["A017"]);
        assert!(lost.is_empty(), "{lang:?}: not read {lost:?} in:\n{read}");
        let scene = scene::build(&s.board, &layout, &s.status, t, 1920, 1080);
        for kept in [
            "A017",
            "2",
            "C031",
            "R011",
            "Dowody osobiste",
            "Karta Mieszkańca",
        ] {
            assert!(
                scene.list.texts().any(|x| x.text == kept),
                "{lang:?}: {kept} gone"
            );
        }
        // The board asks to be drawn again when the words turn.
        let switch = languages::at(&language, t).next_switch.unwrap();
        assert!(scene.next_change.is_some_and(|n| n <= switch), "{lang:?}");
        let other = cases.iter().find(|c| c.0 != lang && c.0 != Lang::Pl);
        if lang != Lang::Pl {
            // Not Polish any more: the Polish title is gone.
            assert!(!read.contains("Kolejki"), "{lang:?}:\n{read}");
        } else if let Some(other) = other {
            assert!(!read.contains(other.1[0]), "{lang:?}:\n{read}");
        }
    }
}

/// Every scenario in every language and mode, on the board and on a counter display, draws words
/// and never a table's key: a key the code asks for and no table has would be shown as itself
/// (`closed_for_today`), which this catches.
#[test]
fn no_key_is_ever_shown_for_a_word() {
    let is_key = |t: &str| {
        t.contains('_')
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
    };
    for name in scenarios::NAMES {
        let s = scenarios::build(name).unwrap();
        for (w, h) in [(1920, 1080), (1080, 1920)] {
            for mode in [LanguageMode::Subtitle, LanguageMode::Rotate] {
                let language = Language {
                    languages: vec![Lang::Pl, Lang::Uk, Lang::En],
                    mode,
                    rotate_seconds: 2.0,
                };
                let mut layout = Layout::builtin_for(w, h).clone();
                layout.language = language;
                for counter in [None, Some("1".to_owned())] {
                    let status = scene::Status {
                        counter: counter.clone(),
                        ..s.status.clone()
                    };
                    // Four turns of 2 s: Polish, Ukrainian, Polish, English.
                    for i in 0..4 {
                        let t = s.now + SignedDuration::from_secs(2 * i);
                        let list = scene::build(&s.board, &layout, &status, t, w, h).list;
                        for text in list.texts() {
                            assert!(
                                !is_key(&text.text),
                                "{name} {w}x{h} {mode:?} {counter:?}: {:?}",
                                text.text
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The words a queue system or a layout adds to the board speak the board's languages too: the
/// invitation under a call that names no counter, and the caption of the queue's code.
#[test]
fn the_invitation_and_the_codes_caption_are_translated() {
    let subtitles = |s: &scenarios::Scenario, layout: &Layout, w, h| {
        let mut layout = layout.clone();
        layout.language = Language {
            languages: vec![Lang::Pl, Lang::Uk, Lang::En],
            mode: LanguageMode::Subtitle,
            rotate_seconds: 8.0,
        };
        let mut status = s.status.clone();
        status.queue_qr =
            Some(scene::qr::QueueQr::encode("https://rezerwacje.ereszow.pl/kolejka").unwrap());
        let list = scene::build(&s.board, &layout, &status, s.now, w, h).list;
        list.texts().map(|t| t.text.clone()).collect::<Vec<_>>()
    };
    let s = scenarios::build("no-counter").unwrap();
    // The wide board has room for their subtitles; the tall one's call card and code panel do
    // not, and leave them out (as check and preview say), never the Polish.
    let texts = subtitles(&s, &Layout::builtin_for(1080, 1920), 1080, 1920);
    for word in ["Zapraszamy", "A017"] {
        assert!(texts.iter().any(|t| t == word), "1080x1920: no {word:?}");
    }
    for (w, h) in [(1920, 1080)] {
        let texts = subtitles(&s, &Layout::builtin_for(w, h), w, h);
        for word in ["Zapraszamy", "Запрошуємо", "Please come forward", "Номер"] {
            assert!(
                texts.iter().any(|t| t == word),
                "{w}x{h}: no {word:?} in {texts:?}"
            );
        }
        assert!(
            texts.iter().any(|t| t.contains("Перевірте чергу")),
            "{w}x{h}: the code's caption has no Ukrainian line: {texts:?}"
        );
    }
    // In rotate mode the invitation turns with the other fixed words.
    let mut layout = Layout::builtin_for(1920, 1080).clone();
    layout.language = Language {
        languages: vec![Lang::Pl, Lang::Uk, Lang::En],
        mode: LanguageMode::Rotate,
        rotate_seconds: 4.0,
    };
    let t = (0..16)
        .map(|i| s.now + SignedDuration::from_secs(i))
        .find(|t| languages::at(&layout.language, *t).main == Lang::Uk)
        .unwrap();
    let list = scene::build(&s.board, &layout, &s.status, t, 1920, 1080).list;
    assert!(list.texts().any(|x| x.text == "Запрошуємо"));
    assert!(list.texts().any(|x| x.text == "A017"), "the number stays");
}
