use super::*;
use crate::protocol::time::in_warsaw;

/// The expected word for `n` people, written from the grammar books' rules as a reader states
/// them (by the number's last digits as text), not from [`Plural::of`].
fn expected_people(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| digits.ends_with(s));
    let teen = ends(&["11", "12", "13", "14"]);
    let word = match lang {
        Lang::Pl => {
            if n == 1 {
                "osoba"
            } else if !teen && ends(&["2", "3", "4"]) {
                "osoby"
            } else {
                "osób"
            }
        }
        Lang::Uk => {
            if !teen && ends(&["1"]) {
                "особа"
            } else if !teen && ends(&["2", "3", "4"]) {
                "особи"
            } else {
                "осіб"
            }
        }
        Lang::En => {
            if n == 1 {
                "person"
            } else {
                "people"
            }
        }
    };
    format!("{n} {word}")
}

#[test]
fn people_plurals_from_0_to_1000_in_every_language() {
    for lang in [Lang::Pl, Lang::Uk, Lang::En] {
        let words = Words::of(lang);
        for n in 0..=1000u32 {
            assert_eq!(
                words.people(n),
                expected_people(lang, n.into()),
                "{lang:?} {n}"
            );
        }
    }
}

#[test]
fn ukrainian_plurals_named_in_the_issue() {
    let uk = Words::of(Lang::Uk);
    for (n, want) in [
        (1, "1 особа"),
        (2, "2 особи"),
        (5, "5 осіб"),
        (11, "11 осіб"),
        (12, "12 осіб"),
        (14, "14 осіб"),
        (21, "21 особа"),
        (22, "22 особи"),
        (111, "111 осіб"),
        (0, "0 осіб"),
    ] {
        assert_eq!(uk.people(n), want);
    }
    let en = Words::of(Lang::En);
    assert_eq!(en.people(1), "1 person");
    assert_eq!(en.people(2), "2 people");
    assert_eq!(en.people(0), "0 people");
}

#[test]
fn minute_plurals_from_0_to_1000() {
    for n in 0..=1000u64 {
        let uk = Words::of(Lang::Uk).count("minutes", n);
        let word = match Plural::of(Lang::Uk, n) {
            Plural::One => "хвилина",
            Plural::Few => "хвилини",
            _ => "хвилин",
        };
        assert_eq!(uk, format!("{n} {word}"));
        let en = Words::of(Lang::En).count("minutes", n);
        assert_eq!(en, format!("{n} minute{}", if n == 1 { "" } else { "s" }));
    }
}

#[test]
fn waits_in_each_language() {
    let pl = Words::of(Lang::Pl);
    assert_eq!(pl.wait(10), "ok. 1 minuta");
    assert_eq!(pl.wait(14 * 60), "ok. 15 minut");
    assert_eq!(pl.wait(70 * 60), "ok. 1 godz. 10 min");
    assert_eq!(pl.wait(120 * 60), "ok. 2 godz.");
    // The Polish words are the ones the board always showed.
    for s in [
        0,
        10,
        59,
        61,
        300,
        601,
        840,
        1320,
        4200,
        7200,
        86_400,
        u32::MAX,
    ] {
        assert_eq!(pl.wait(s), crate::scene::polish::wait(s), "{s}");
    }
    let uk = Words::of(Lang::Uk);
    assert_eq!(uk.wait(14 * 60), "бл. 15 хвилин");
    assert_eq!(uk.wait(2 * 60), "бл. 2 хвилини");
    assert_eq!(uk.wait(70 * 60), "бл. 1 год. 10 хв");
    let en = Words::of(Lang::En);
    assert_eq!(en.wait(60), "about 1 minute");
    assert_eq!(en.wait(120 * 60), "about 2 h");
}

#[test]
fn dates_in_each_language() {
    let z = in_warsaw("2026-11-30T11:05:00Z".parse().unwrap());
    assert_eq!(
        Words::of(Lang::Pl).date_forms(&z),
        crate::scene::polish::date_forms(&z)
    );
    assert_eq!(
        Words::of(Lang::Uk).date_forms(&z)[0],
        "понеділок, 30 листопада 2026"
    );
    assert_eq!(
        Words::of(Lang::En).date_forms(&z)[0],
        "Monday, 30 November 2026"
    );
    let hours = OpeningHours::default();
    assert_eq!(Words::of(Lang::Pl).hours(&hours), hours.describe());
    assert_eq!(
        Words::of(Lang::Uk).hours(&hours),
        ["понеділок – субота: 10:00 – 18:00"]
    );
}

/// Every built-in table parses and has every key the Polish one has, so no word on a Ukrainian
/// or English board is Polish by accident.
#[test]
fn every_table_has_every_key() {
    let polish = Table::parse(PL_TOML);
    assert!(polish.words.len() > 40, "{}", polish.words.len());
    for (lang, text) in [(Lang::Uk, UK_TOML), (Lang::En, EN_TOML)] {
        let table = Table::parse(text);
        for key in polish.words.keys() {
            // English has no "few" or "many"; its plural keys are checked by the plural tests.
            let plural = key.ends_with(".few") || key.ends_with(".many") || key.ends_with(".one");
            if !plural {
                assert!(table.get(key).is_some(), "{lang:?} lacks {key}");
            }
        }
    }
}

#[test]
fn a_broken_or_partial_table_falls_back_to_polish_key_by_key() {
    let polish = Table::parse(PL_TOML);
    let broken = Table::parse("services_title = \"Черги\"\nthis is not toml = = =");
    let words = Words::from_tables(Lang::Uk, &broken, &polish);
    assert_eq!(words.get("services_title"), "Kolejki");
    assert_eq!(words.people(2), "2 osoby");
    assert_eq!(words.wait(300), "ok. 5 minut");
    let partial = Table::parse("services_title = \"Черги\"\n[people]\nfew = \"{n} особи\"\n");
    let words = Words::from_tables(Lang::Uk, &partial, &polish);
    assert_eq!(words.get("services_title"), "Черги");
    assert_eq!(words.get("recent_title"), "Poprzednie wywołania");
    assert_eq!(words.people(3), "3 особи");
    // A form the table lacks is Polish, by Polish rules.
    assert_eq!(words.people(5), "5 osób");
    // A word of the wrong type is no word.
    let typed = Table::parse("services_title = 3\n");
    let words = Words::from_tables(Lang::En, &typed, &polish);
    assert_eq!(words.get("services_title"), "Kolejki");
}
