use super::*;
use crate::layout::Layout;
use crate::scenarios;

const SIZES: [(u32, u32); 4] = [(1920, 1080), (1080, 1920), (1366, 768), (3840, 2160)];

fn scene(name: &str, w: u32, h: u32) -> Scene {
    let s = scenarios::build(name).unwrap();
    build(&s.board, &Layout::builtin_for(w, h), &s.status, s.now, w, h)
}

fn texts(scene: &Scene) -> Vec<&str> {
    scene.list.texts().map(|t| t.text.as_str()).collect()
}

fn has(scene: &Scene, needle: &str) -> bool {
    scene.list.texts().any(|t| t.text.contains(needle))
}

#[test]
fn every_scenario_stays_on_screen_at_every_size() {
    for name in scenarios::NAMES {
        for (w, h) in SIZES {
            let s = scene(name, w, h);
            let screen = Rect::new(0.0, 0.0, w as f32, h as f32);
            assert!(!s.list.items.is_empty(), "{name} {w}x{h} is blank");
            for item in &s.list.items {
                let rect = match item {
                    Item::Rect(r) => r.rect,
                    Item::Arrow(a) => a.rect,
                    Item::Text(t) => {
                        assert!(t.size > 0.0 && t.min_size > 0.0 && t.min_size <= t.size);
                        t.rect
                    }
                    Item::Image(i) => i.rect,
                };
                assert!(
                    screen.contains(&rect),
                    "{name} {w}x{h}: {item:?} is off screen"
                );
            }
        }
    }
}

#[test]
fn header_shows_polish_date_and_24_hour_clock() {
    let s = scene("busy", 1920, 1080);
    assert!(
        has(&s, "poniedziałek, 30 listopada 2026"),
        "{:?}",
        texts(&s)
    );
    assert!(has(&s, "12:05"));
    assert!(has(&s, "POM Millenium Hall"));
}

#[test]
fn busy_board_lists_twelve_services_with_polish_plurals() {
    let s = scene("busy", 1920, 1080);
    for word in [
        "22 osoby",
        "14 osób",
        "3 osoby",
        "1 osoba",
        "brak kolejki",
        "ok. 1 godz. 10 min",
    ] {
        assert!(has(&s, word), "missing {word:?} in {:?}", texts(&s));
    }
    let badges = ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "U"];
    for b in badges {
        assert!(s.list.texts().any(|t| t.text == b), "no badge {b}");
    }
    // The current call is the largest text on the board.
    let biggest = s
        .list
        .texts()
        .max_by(|a, b| a.size.total_cmp(&b.size))
        .unwrap();
    assert!(biggest.text == "A017" || biggest.text == "1", "{biggest:?}");
}

#[test]
fn a_snapshot_call_is_shown_without_blinking() {
    let s = scene("quiet", 1920, 1080);
    assert!(has(&s, "C031"));
    assert!(!has(&s, "Ponowne"));
    // Nothing animates: the next change is the clock's minute or the data going stale.
    let sc = scenarios::build("quiet").unwrap();
    let next = s.next_change.unwrap();
    assert!(next.duration_since(sc.now) >= jiff::SignedDuration::from_secs(5));
}

#[test]
fn burst_shows_calls_in_turn_and_schedules_the_next_frame() {
    let sc = scenarios::build("burst").unwrap();
    let current = sc.board.presenter.current().unwrap();
    assert_eq!(current.call.ticket, "C032");
    assert_eq!(sc.board.presenter.pending().len(), 3);
    let s = scene("burst", 1920, 1080);
    // Blinking: the next frame is due within half a second.
    let next = s.next_change.unwrap();
    assert!(next.duration_since(sc.now) <= jiff::SignedDuration::from_millis(500));
    // Queued calls are not yet in the history.
    assert!(!has(&s, "F013"));
}

#[test]
fn recall_looks_different_from_a_first_call() {
    let recall = scene("recall", 1920, 1080);
    assert!(has(&recall, "Ponowne wezwanie"));
    let first = scene("busy", 1920, 1080);
    let panel_fill = |s: &Scene| {
        s.list.items.iter().find_map(|i| match i {
            Item::Rect(r) if r.rect.w > 900.0 && r.rect.y > 100.0 && r.rect.y < 200.0 => {
                Some(r.fill)
            }
            _ => None,
        })
    };
    let layout = Layout::builtin_for(1920, 1080);
    assert_eq!(panel_fill(&recall), Some(layout.colors.recall.0));
    assert_ne!(panel_fill(&first), Some(layout.colors.recall.0));
}

#[test]
fn offline_banner_says_how_old_the_data_is() {
    let s = scene("offline", 1920, 1080);
    assert!(
        has(&s, "Brak połączenia z systemem kolejkowym — dane z 12:41"),
        "{:?}",
        texts(&s)
    );
    // The last known board stays visible.
    assert!(has(&s, "A017"));
    assert!(has(&s, "Dowody osobiste"));
    assert!(!has(&scene("busy", 1920, 1080), "Brak połączenia"));
}

#[test]
fn closed_screen_outside_opening_hours() {
    let s = scene("closed", 1920, 1080);
    assert!(has(&s, "Punkt jest teraz nieczynny"));
    assert!(has(&s, "poniedziałek – sobota: 10:00 – 18:00"));
    assert!(!has(&s, "Kolejki"));
}

#[test]
fn connecting_screen_is_not_blank() {
    let s = scene("connecting", 1080, 1920);
    assert!(has(&s, "Łączenie z systemem kolejkowym"));
}

#[test]
fn long_texts_may_shrink_and_wrap() {
    let s = scene("long-names", 1920, 1080);
    let name = s
        .list
        .texts()
        .find(|t| t.text.starts_with("Wydawanie i unieważnianie"))
        .unwrap();
    assert!(name.max_lines >= 2);
    // One size for the names column, fixed (the renderer does not shrink one name of it).
    assert_eq!(name.min_size, name.size);
    let other = s
        .list
        .texts()
        .find(|t| t.text == "Meldunki i PESEL")
        .unwrap();
    assert_eq!(other.size, name.size);
    assert!(has(&s, "1234 osoby"));
}

#[test]
fn layout_notices_are_shown() {
    let sc = scenarios::build("quiet").unwrap();
    let status = Status {
        notices: vec!["layout.toml:3:9: `#12` is not a colour".into()],
        ..sc.status
    };
    let s = build(
        &sc.board,
        &Layout::builtin_for(1920, 1080),
        &status,
        sc.now,
        1920,
        1080,
    );
    assert!(has(&s, "layout.toml:3:9"));
}

/// What the design check finds in a layout that loaded is shown on the board for the designer,
/// in a card of its own that never covers the current call, on a landscape and a portrait
/// screen; a broken file's error outranks it.
/// The amber card's fill.
const NOTES_FILL: Color = Color::rgb(0x1E, 0x18, 0x04);

#[test]
fn design_notes_are_shown_clear_of_the_call() {
    let sc = scenarios::build("busy").unwrap();
    let note = "layout.toml:17:1: text in colors.muted (#2A4058) on colors.panel (#12304D) \
                has contrast 1.3:1, below 4.5:1";
    let status = Status {
        design_notes: vec![note.into()],
        ..sc.status.clone()
    };
    for (w, h) in SIZES {
        let layout = Layout::builtin_for(w, h);
        let s = build(&sc.board, &layout, &status, sc.now, w, h);
        assert!(has(&s, note), "{w}x{h}: {:?}", texts(&s));
        assert!(has(&s, "Układ wczytany; 1 uwaga do poprawy"), "{w}x{h}");
        assert!(has(&s, "A017"), "{w}x{h}: the call is still drawn");
        let [x, y, rw, rh] = *layout.current_call.region.get_ref();
        let call = Rect::new(
            x / 100.0 * w as f32,
            y / 100.0 * h as f32,
            rw / 100.0 * w as f32,
            rh / 100.0 * h as f32,
        );
        let card = s
            .list
            .items
            .iter()
            .rev()
            .find_map(|i| match i {
                Item::Rect(r) if r.fill == NOTES_FILL => Some(r.rect),
                _ => None,
            })
            .unwrap();
        let apart = card.right() <= call.x + 1.0
            || card.x >= call.right() - 1.0
            || card.bottom() <= call.y + 1.0
            || card.y >= call.bottom() - 1.0;
        assert!(apart, "{w}x{h}: the card {card:?} covers the call {call:?}");
    }
    // A layout whose call panel sits at the bottom right, where the card would go.
    let mut low = Layout::builtin_for(1920, 1080);
    low.current_call.region = toml::Spanned::new(0..0, [45.0, 55.0, 53.0, 37.0]);
    let s = build(&sc.board, &low, &status, sc.now, 1920, 1080);
    let card = s
        .list
        .items
        .iter()
        .rev()
        .find_map(|i| match i {
            Item::Rect(r) if r.fill == NOTES_FILL => Some(r.rect),
            _ => None,
        })
        .unwrap();
    assert!(card.bottom() <= 0.55 * 1080.0 + 1.0, "{card:?}");
    // A broken file's error is what the card says then.
    let broken = Status {
        notices: vec!["layout.toml:3:9: `#12` is not a colour".into()],
        ..status
    };
    let s = build(&sc.board, &low, &broken, sc.now, 1920, 1080);
    assert!(has(&s, "layout.toml:3:9"));
    assert!(!has(&s, note));
}

/// The logo takes `logo_height` percent of the header's height, its own proportions, and the
/// end of the header `logo_align` names; the title or the clock make room for it.
#[test]
fn logo_keys_size_and_place_the_logo() {
    use crate::layout::LogoAlign;
    let sc = scenarios::build("busy").unwrap();
    let mut layout = Layout::builtin_for(1920, 1080);
    layout.header.logo = Some("herb.png".into());
    layout.header.logo_height = 60.0;
    layout.header.logo_aspect = Some(3.0);
    let [x, y, w, h] = *layout.header.region.get_ref();
    let header = Rect::new(
        (x / 100.0 * 1920.0).round(),
        (y / 100.0 * 1080.0).round(),
        (w / 100.0 * 1920.0).round(),
        (h / 100.0 * 1080.0).round(),
    );
    let logo = |s: &Scene| {
        s.list
            .items
            .iter()
            .find_map(|i| match i {
                Item::Image(i) if i.path.ends_with("herb.png") => Some(i.rect),
                _ => None,
            })
            .unwrap()
    };
    let text_rect = |s: &Scene, text: &str| s.list.texts().find(|t| t.text == text).unwrap().rect;
    let s = build(&sc.board, &layout, &sc.status, sc.now, 1920, 1080);
    let at_left = logo(&s);
    assert!((at_left.h - header.h * 0.6).abs() < 0.01, "{at_left:?}");
    assert!((at_left.w - at_left.h * 3.0).abs() < 0.01, "{at_left:?}");
    assert_eq!(at_left.x, header.x);
    assert!((at_left.y + at_left.h / 2.0 - (header.y + header.h / 2.0)).abs() < 0.01);
    assert!(text_rect(&s, &layout.header.title).x >= at_left.right());

    layout.header.logo_align = LogoAlign::Right;
    let s = build(&sc.board, &layout, &sc.status, sc.now, 1920, 1080);
    let at_right = logo(&s);
    assert!(
        (at_right.right() - header.right()).abs() < 0.01,
        "{at_right:?}"
    );
    assert_eq!(text_rect(&s, &layout.header.title).x, header.x);
    assert!(text_rect(&s, "12:05").right() <= at_right.x);

    // A very wide picture keeps its proportions within 40 % of the header's width.
    layout.header.logo_aspect = Some(20.0);
    layout.header.logo_height = 100.0;
    let wide = logo(&build(&sc.board, &layout, &sc.status, sc.now, 1920, 1080));
    assert!((wide.w - header.w * 0.4).abs() < 0.01);
    assert!((wide.w / wide.h - 20.0).abs() < 0.01);
}

/// The designer's critique of the first board: the call is one group centred in its card, the
/// arrow midway between the numbers and level with them, each label centred over its number;
/// the services' rows use the panel's height; the details' heading mirrors the details.
#[test]
fn the_call_is_one_centred_group_and_rows_fill_the_panel() {
    for (w, h) in SIZES {
        let sc = scenarios::build("quiet").unwrap();
        let layout = Layout::builtin_for(w, h);
        let s = build(&sc.board, &layout, &sc.status, sc.now, w, h);
        let text = |t: &str| s.list.texts().find(|x| x.text == t).unwrap().clone();
        let ticket = text("C031");
        let counter = s
            .list
            .texts()
            .filter(|x| x.text == "3")
            .max_by(|a, b| a.size.total_cmp(&b.size))
            .unwrap()
            .clone();
        let arrow = s
            .list
            .items
            .iter()
            .find_map(|i| match i {
                Item::Arrow(a) => Some(a.rect),
                _ => None,
            })
            .unwrap();
        let [x, _, rw, _] = *layout.current_call.region.get_ref();
        let card_mid = (x + rw / 2.0) / 100.0 * w as f32;
        let group_mid = (ticket.rect.x + counter.rect.right()) / 2.0;
        let unit = w.min(h) as f32 / 100.0;
        assert!(
            (group_mid - card_mid).abs() < 4.0 * unit,
            "{w}x{h}: group centred at {group_mid}, card at {card_mid}"
        );
        let before = arrow.x - ticket.rect.right();
        let after = counter.rect.x - arrow.right();
        assert!((before - after).abs() < 1.0, "{w}x{h}: {before} / {after}");
        let arrow_mid = arrow.y + arrow.h / 2.0;
        let numbers_mid = ticket.rect.y + ticket.rect.h / 2.0;
        assert!((arrow_mid - numbers_mid).abs() < 1.0, "{w}x{h}");
        let label = text("Numer");
        assert!(
            (label.rect.x + label.rect.w / 2.0 - (ticket.rect.x + ticket.rect.w / 2.0)).abs() < 1.0,
            "{w}x{h}: \"Numer\" is centred over the ticket"
        );
        assert_eq!(label.align, Align::Center);
        assert_eq!(text("Stanowisko").align, Align::Center);

        // Seven services fill the panel: the last row ends at the panel's inner bottom.
        let [_, y, _, rh] = *layout.services.region.get_ref();
        let panel_bottom = (y + rh) / 100.0 * h as f32 - layout.style.padding * unit;
        let last = text("Kancelaria — pisma do wszystkich wydziałów");
        assert!(
            (last.rect.bottom() - panel_bottom).abs() < 2.0 * unit,
            "{w}x{h}: the last row ends at {}, the panel at {panel_bottom}",
            last.rect.bottom()
        );
        let czeka = text("Czeka");
        assert_eq!(czeka.weight, Weight::Bold, "{w}x{h}");
        assert!(!has(&s, "Czeka / czas"));
    }
}

/// The installation's service filter is a scene input: the listed services follow it, and the
/// board's state keeps every service (the shell used to delete the others from the reducer's
/// state after each event).
#[test]
fn services_shown_filters_the_list_not_the_board() {
    let sc = scenarios::build("busy").unwrap();
    let first = sc.board.data.services[0].clone();
    let second = sc.board.data.services[1].clone();
    let status = Status {
        services_shown: Some(vec![first.id.clone()]),
        ..sc.status.clone()
    };
    let layout = Layout::builtin_for(1920, 1080);
    let s = build(&sc.board, &layout, &status, sc.now, 1920, 1080);
    assert!(has(&s, &first.name), "{:?}", texts(&s));
    assert!(!has(&s, &second.name), "{:?}", texts(&s));
    let all = build(&sc.board, &layout, &sc.status, sc.now, 1920, 1080);
    assert!(has(&all, &second.name));
}

#[test]
fn footer_rotates_announcements() {
    let mut sc = scenarios::build("quiet").unwrap();
    sc.board
        .data
        .announcements
        .push(crate::protocol::Announcement {
            id: "b".into(),
            text: "Druga wiadomość".into(),
        });
    let layout = Layout::builtin_for(1920, 1080);
    let mut seen = std::collections::BTreeSet::new();
    for step in 0..4 {
        let now = sc.now + jiff::SignedDuration::from_secs(step * 10);
        sc.board.heard(now);
        let s = build(&sc.board, &layout, &sc.status, now, 1920, 1080);
        let footer = s.list.texts().last().unwrap().text.clone();
        seen.insert(footer);
        assert!(s.next_change.unwrap().duration_since(now) <= jiff::SignedDuration::from_secs(10));
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
}

/// A long announcement is not shrunk or cut: it is shown in parts at the layout's size, one
/// after the other, each change of part announced as the scene's next change; every word comes,
/// in order, and the short announcement still takes its turn.
#[test]
fn long_announcements_page_through_at_full_size() {
    let mut sc = scenarios::build("long-names").unwrap();
    let long = sc.board.data.announcements[0].text.clone();
    sc.board
        .data
        .announcements
        .push(crate::protocol::Announcement {
            id: "b".into(),
            text: "Druga wiadomość".into(),
        });
    for (w, h) in SIZES {
        let layout = Layout::builtin_for(w, h);
        let unit = w.min(h) as f32 / 100.0;
        let footer = layout.footer.region.get_ref()[1] / 100.0 * h as f32;
        let mut now = sc.now;
        let mut pages: Vec<String> = Vec::new();
        // Follow the board's own wake-ups through a whole cycle and a little more.
        for _ in 0..40 {
            sc.board.heard(now);
            let s = build(&sc.board, &layout, &sc.status, now, w, h);
            let t = s
                .list
                .texts()
                .find(|t| t.rect.y >= footer - 1.0)
                .unwrap()
                .clone();
            assert_eq!(
                t.size,
                layout.footer.text_size * unit,
                "{w}x{h}: {}",
                t.text
            );
            if pages.last() != Some(&t.text) {
                pages.push(t.text.clone());
            }
            let next = s.next_change.unwrap();
            let wait = next.duration_since(now);
            assert!(
                wait >= jiff::SignedDuration::from_millis(1)
                    && wait <= jiff::SignedDuration::from_secs(10),
                "{w}x{h}: next change in {wait:?}"
            );
            now = next;
        }
        let first = pages
            .iter()
            .position(|p| p.ends_with(" (1/") || p.contains(" (1/"))
            .unwrap_or_else(|| panic!("{w}x{h}: never in parts: {pages:?}"));
        let n: usize = pages[first]
            .rsplit_once('/')
            .unwrap()
            .1
            .trim_end_matches(')')
            .parse()
            .unwrap();
        assert!(n >= 2, "{w}x{h}");
        let parts = &pages[first..first + n];
        let mut words = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let (text, mark) = p.rsplit_once(' ').unwrap();
            assert_eq!(mark, format!("({}/{n})", i + 1), "{w}x{h}: {parts:?}");
            words.extend(text.split_whitespace().map(str::to_owned));
        }
        assert_eq!(
            words,
            long.split_whitespace().collect::<Vec<_>>(),
            "{w}x{h}: the parts are the announcement"
        );
        assert!(pages.iter().any(|p| p == "Druga wiadomość"), "{w}x{h}");
        assert!(!pages.iter().any(|p| p.contains('…')), "{w}x{h}");
    }
}

#[test]
fn closed_screen_can_be_dimmed_or_black() {
    let sc = scenarios::build("closed").unwrap();
    let layout = Layout::builtin_for(1920, 1080);
    let look = |closed_look| {
        let status = Status {
            closed_look,
            ..sc.status.clone()
        };
        build(&sc.board, &layout, &status, sc.now, 1920, 1080)
    };
    let dim = look(ClosedLook::Dim);
    assert!(has(&dim, "Punkt jest teraz nieczynny"));
    let Some(Item::Rect(veil)) = dim.list.items.last() else {
        panic!("no veil over the dimmed screen");
    };
    assert_eq!(veil.rect, Rect::new(0.0, 0.0, 1920.0, 1080.0));
    assert!(veil.fill.a > 0.5);
    let black = look(ClosedLook::Black);
    assert!(black.list.items.is_empty());
    assert_eq!(black.list.clear, Color::rgb(0, 0, 0));
    // The board comes back by itself: the clock's next minute is still scheduled.
    assert!(black.next_change.is_some());
    // Open hours are unaffected.
    let open = scenarios::build("busy").unwrap();
    let status = Status {
        closed_look: ClosedLook::Black,
        ..open.status
    };
    let s = build(&open.board, &layout, &status, open.now, 1920, 1080);
    assert!(has(&s, "A017"));
}

#[test]
fn numbers_no_layout_file_can_hold_never_panic_the_scene() {
    // The layout's check keeps every number in range; the scene must not rely on it, because a
    // panic here is a crash on every frame (a black screen).
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 1e30, 0.0] {
        let mut layout = Layout::builtin_for(1920, 1080);
        for rule in crate::layout::ranges::NUMBERS {
            rule.set(&mut layout, bad);
        }
        for name in ["busy", "recall", "burst"] {
            let s = scenarios::build(name).unwrap();
            for later in [0, 1, 3, 7] {
                let now = s.now + jiff::SignedDuration::from_secs(later);
                let _ = build(&s.board, &layout, &s.status, now, 960, 540);
            }
        }
    }
}

/// Offline, the old call and lists stay (a resident may still look for their number) but are
/// veiled, so nobody takes them for live; a live board has no veil.
#[test]
fn offline_board_dims_the_call_and_lists_without_hiding_them() {
    let veiled = |s: &Scene, text: &str| {
        let at = s
            .list
            .items
            .iter()
            .position(|i| matches!(i, Item::Text(t) if t.text == text))
            .unwrap_or_else(|| panic!("{text} is not drawn"));
        let Item::Text(t) = &s.list.items[at] else {
            unreachable!()
        };
        s.list.items[at..].iter().any(|i| {
            matches!(i, Item::Rect(r) if r.fill.a > 0.4 && r.fill.a < 0.8 && r.rect.contains(&t.rect))
        })
    };
    for (w, h) in SIZES {
        let offline = scene("offline", w, h);
        for text in ["A017", "C031", "Dowody osobiste"] {
            assert!(veiled(&offline, text), "{w}x{h}: {text} is not dimmed");
        }
        // The banner itself stays bright.
        assert!(!veiled(
            &offline,
            texts(&offline)
                .into_iter()
                .find(|t| t.starts_with("Brak połączenia"))
                .unwrap()
        ));
        let live = scene("busy", w, h);
        assert!(!veiled(&live, "A017"), "{w}x{h}: a live call is dimmed");
    }
}

/// The date is never cut: a landscape layout on a portrait screen (a narrow right-hand column)
/// writes a shorter date instead of "poniedziałek, 30 listopa…".
#[test]
fn the_date_takes_a_shorter_form_instead_of_being_cut() {
    let s = scenarios::build("busy").unwrap();
    let landscape = Layout::builtin_for(1920, 1080);
    let narrow = build(&s.board, &landscape, &s.status, s.now, 1080, 1920);
    let date = narrow
        .list
        .texts()
        .find(|t| t.text.contains("2026"))
        .expect("a date is drawn");
    assert!(
        date.text.chars().count() as f32 * 0.6 * date.min_size <= date.rect.w,
        "{:?} does not fit {}",
        date.text,
        date.rect.w
    );
    assert!(!date.text.starts_with("poniedziałek"), "{}", date.text);
    // Where there is room the full form stays.
    let wide = scene("busy", 1920, 1080);
    assert!(has(&wide, "poniedziałek, 30 listopada 2026"));
}

/// The demo's office runs at ×20 from late morning: its header shows the simulated time and
/// says so, and wakes for the simulated minutes (every 3 real seconds), not the real ones.
#[test]
fn a_simulated_clock_is_shown_and_labelled() {
    let sc = scenarios::build("quiet").unwrap();
    let sim_origin: jiff::Timestamp = "2026-11-30T10:40:00Z".parse().unwrap(); // 11:40 in Warsaw
    let status = Status {
        clock: crate::scene::ShownClock::Simulated {
            real_origin: sc.now,
            sim_origin,
            speed: 20.0,
        },
        ..sc.status.clone()
    };
    let layout = Layout::builtin_for(1920, 1080);
    let now = sc.now + jiff::SignedDuration::from_secs(30);
    let s = build(&sc.board, &layout, &status, now, 1920, 1080);
    assert!(has(&s, "11:50"), "{:?}", texts(&s));
    assert!(has(&s, "symulacja ×20"), "{:?}", texts(&s));
    let wait = s.next_change.unwrap().duration_since(now);
    assert!(wait <= jiff::SignedDuration::from_millis(3001), "{wait}");
    let real = build(&sc.board, &layout, &sc.status, now, 1920, 1080);
    assert!(!has(&real, "symulacja"));
}

/// The display over counter 1 while it serves A017, after A017 is sent to another service
/// (`ticket.transferred`): the desk is free again, waiting for its next call, and names the last
/// number it called. Counter 6 (closed) says so; a counter given by its label is found.
#[test]
fn a_counter_display_after_a_transfer_and_when_closed() {
    use crate::protocol::{Envelope, Event, TicketTransferred};
    let sc = scenarios::build("busy").unwrap();
    let layout = Layout::builtin_counter(1920, 1080);
    let status = |counter: &str| Status {
        counter: Some(counter.into()),
        ..sc.status.clone()
    };
    let before = build(&sc.board, layout, &status("1"), sc.now, 1920, 1080);
    assert!(has(&before, "A017"), "{:?}", texts(&before));
    assert!(has(&before, "Stanowisko 1"), "{:?}", texts(&before));
    let mut board = sc.board.clone();
    let seq = board.data.last_seq.unwrap() + 1;
    board.apply(
        &Envelope::new(
            seq,
            sc.now,
            Event::TicketTransferred(TicketTransferred {
                ticket: "A017".into(),
                from_service: "dowody".into(),
                to_service: "meldunki".into(),
            }),
        ),
        sc.now,
    );
    let after = build(&board, layout, &status("1"), sc.now, 1920, 1080);
    assert!(has(&after, "Prosimy czekać"), "{:?}", texts(&after));
    assert!(has(&after, "Ostatni numer: A017"), "{:?}", texts(&after));
    let closed = build(&board, layout, &status("6"), sc.now, 1920, 1080);
    assert!(has(&closed, "Stanowisko nieczynne"), "{:?}", texts(&closed));
    // Nothing of the waiting room's board is drawn on a counter display.
    assert!(!has(&closed, "Kolejki"), "{:?}", texts(&closed));
}

/// A booked visit is named in words in the big card and in the list of earlier calls, and a
/// service that stopped issuing says so in place of its wait, still counting who waits.
#[test]
fn booked_visits_and_tickets_closed_for_today_are_said_in_words() {
    for (w, h) in SIZES {
        let s = scene("booked", w, h);
        let texts = texts(&s);
        assert!(
            texts.contains(&"Wizyta umówiona — numer"),
            "{w}x{h}: {texts:?}"
        );
        assert!(texts.contains(&"R012"), "{w}x{h}");
        assert!(
            texts.contains(&"R011"),
            "{w}x{h}: the earlier booked call is listed"
        );
        assert_eq!(
            texts.iter().filter(|t| **t == "umówiona").count(),
            1,
            "{w}x{h}: only the booked one of the earlier calls is marked"
        );
        let closed = texts
            .iter()
            .filter(|t| **t == build::CLOSED_FOR_TODAY)
            .count();
        assert_eq!(closed, 2, "{w}x{h}: {texts:?}");
        assert!(
            texts.contains(&"22 osoby"),
            "{w}x{h}: the waiting still show"
        );
        assert!(texts.contains(&"6 osób"), "{w}x{h}: 7 less the one called");
    }
    let s = scene("busy", 1920, 1080);
    assert!(
        !has(&s, "umówiona") && !has(&s, "wydane"),
        "nothing marked otherwise"
    );
}

/// The display over the counter a booked visit is called to says it is a booked visit, in words.
#[test]
fn a_counter_display_says_a_booked_visit() {
    let sc = scenarios::build("booked").unwrap();
    let shown = sc.board.presenter.current().expect("a call on screen");
    assert!(
        shown.call.reservation,
        "the booked scenario calls a booked visit"
    );
    let status = Status {
        counter: shown.call.counter.clone(),
        ..sc.status.clone()
    };
    let s = build(
        &sc.board,
        Layout::builtin_counter(1920, 1080),
        &status,
        sc.now,
        1920,
        1080,
    );
    assert!(
        texts(&s).iter().any(|t| t.contains("wizyta umówiona")),
        "{:?}",
        texts(&s)
    );
}
