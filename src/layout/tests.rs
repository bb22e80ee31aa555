use super::*;
use crate::color::Color;

fn parse(text: &str) -> Result<Layout, LayoutError> {
    Layout::parse(text, Path::new("/tmp"))
}

#[test]
fn builtin_layouts_parse_and_differ_by_orientation() {
    let land = Layout::builtin_for(1920, 1080);
    let port = Layout::builtin_for(1080, 1920);
    assert_eq!(land.name, "Domyślny poziomy");
    assert_eq!(port.name, "Domyślny pionowy");
    // The landscape file spells out the defaults, so a missing key means the same thing.
    let sections: String = SECTIONS.iter().map(|s| format!("[{s}]\n")).collect();
    let defaults = parse(&sections).unwrap();
    assert_eq!(defaults.colors, land.colors);
    assert_eq!(defaults.services.max_rows, land.services.max_rows);
    assert_eq!(defaults.current_call, land.current_call);
}

/// `LANDSCAPE_TOML` with `table.key = literal` (replacing the key if the file has it); returns the
/// text and the 1-based line of the key.
fn landscape_with(dotted: &str, literal: &str) -> (String, usize) {
    let (table, key) = dotted.rsplit_once('.').unwrap();
    let header = format!("[{table}]");
    let mut out = Vec::new();
    let mut in_table = false;
    let mut line_no = 0;
    // The counter display's keys live in the counter layouts.
    let base = if table == "counter" {
        COUNTER_LANDSCAPE_TOML
    } else {
        LANDSCAPE_TOML
    };
    for line in base.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_table = trimmed == header;
        } else if in_table && trimmed.split('=').next().unwrap().trim() == key {
            continue;
        }
        out.push(line.to_owned());
        if trimmed == header {
            out.push(format!("{key} = {literal}"));
            line_no = out.len();
        }
    }
    // `[language]` is optional, and the shipped landscape layout is Polish only.
    if line_no == 0 && table == "language" {
        out.push(header.clone());
        out.push(format!("{key} = {literal}"));
        line_no = out.len();
    }
    assert!(line_no > 0, "no {header} in the landscape layout");
    (out.join("\n") + "\n", line_no)
}

#[test]
fn every_number_in_a_layout_has_a_declared_range() {
    // Walk every key a layout has (its defaults, serialised) and find each number's rule, so a
    // field added without a range fails here.
    fn walk(prefix: &str, value: &toml::Value, found: &mut Vec<String>) {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, found);
                }
            }
            toml::Value::Integer(_) | toml::Value::Float(_) => found.push(prefix.to_owned()),
            toml::Value::Array(a) if a.iter().any(|v| v.is_integer() || v.is_float()) => {
                found.push(prefix.to_owned())
            }
            _ => {}
        }
    }
    let mut full = Layout::default();
    // The optional region is left out when unset; it must have a range all the same.
    full.qr.region = Some(toml::Spanned::new(0..0, [0.0, 0.0, 1.0, 1.0]));
    let value = toml::Value::try_from(full).unwrap();
    let mut found = Vec::new();
    walk("", &value, &mut found);
    assert!(found.len() >= 25, "{found:?}");
    for key in &found {
        let declared =
            ranges::number(key).is_some() || ranges::REGIONS.iter().any(|r| r.key == key);
        assert!(declared, "{key} has no range in layout/ranges.rs");
    }
    assert_eq!(found.len(), ranges::NUMBERS.len() + ranges::REGIONS.len());
}

#[test]
fn defaults_and_shipped_layouts_are_within_every_range() {
    let defaults = Layout::default();
    for rule in ranges::NUMBERS {
        assert!(rule.allows(rule.get(&defaults)), "default {}", rule.key);
    }
    for rule in ranges::REGIONS {
        if let Some(r) = rule.get(&defaults) {
            assert_eq!(rule.problem(*r.get_ref()), None);
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        crate::layout_files::load(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn absurd_numbers_are_refused_with_line_column_and_range() {
    for rule in ranges::NUMBERS {
        let mut bad = vec!["nan", "inf", "-inf", "-1", "1e30"];
        if rule.unit == ranges::Unit::Count {
            bad.push("2.5");
            bad.push("4294967296");
        }
        let too_big = format!("{}", rule.max + 1.0);
        bad.push(&too_big);
        for literal in bad {
            let (text, line) = landscape_with(rule.key, literal);
            let e = parse(&text).unwrap_err();
            assert_eq!((e.line, e.column), (line, 1), "{}={literal}: {e}", rule.key);
            let field = rule.key.rsplit('.').next().unwrap();
            assert!(
                e.message
                    .contains(&format!("{} = {literal}: must be", rule.key)),
                "{e}"
            );
            assert!(e.message.contains(&rule.range()), "{e}");
            assert!(e.message.contains(&format!("write e.g. {field} = ")), "{e}");
        }
    }
    let (text, _) = landscape_with("current_call.flash_seconds", "inf");
    let e = parse(&text).unwrap_err();
    assert!(
        e.message.starts_with(
            "current_call.flash_seconds = inf: must be a number of seconds between 0 and 60"
        ),
        "{e}"
    );
    // Regions: every number in 0–100.
    for literal in [
        "[nan, 0, 10, 10]",
        "[0, 0, inf, 10]",
        "[-5, 0, 10, 10]",
        "[0, 0, 10, 1e30]",
    ] {
        let (text, line) = landscape_with("header.region", literal);
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, line, "{literal}: {e}");
        assert!(e.message.contains("header.region"), "{e}");
    }
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let (text, _) = landscape_with("style.padding", "30");
    let text = text.replace("flash_seconds = 4.0", "flash_seconds = inf");
    let problems = Layout::parse_all(&text, Path::new(".")).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0]
            .message
            .starts_with("style.padding = 30: must be a number between 0 and 10")
    );
    assert!(
        problems[1]
            .message
            .starts_with("current_call.flash_seconds = inf")
    );
}

#[test]
fn empty_and_cut_short_files_are_refused() {
    for empty in ["", "\n\n", "# only a comment\n"] {
        let e = parse(empty).unwrap_err();
        assert!(e.message.contains("the layout file is empty"), "{e}");
    }
    // Cut anywhere before its last section, a layout is refused: by the syntax (cut mid-line)
    // or for the sections it lacks.
    let footer = LANDSCAPE_TOML.find("[footer]").unwrap();
    let mut cut = 0;
    while cut < footer + "[footer]".len() {
        if LANDSCAPE_TOML.is_char_boundary(cut) {
            let prefix = &LANDSCAPE_TOML[..cut];
            assert!(parse(prefix).is_err(), "a layout cut at byte {cut} passed");
        }
        cut += 1;
    }
    let e = parse(&LANDSCAPE_TOML[..footer]).unwrap_err();
    assert!(
        e.message
            .contains("has no [footer] section; is the file cut short?"),
        "{e}"
    );
    assert_eq!(e.line, LANDSCAPE_TOML[..footer].lines().count() + 1, "{e}");
}

#[test]
fn errors_point_at_line_and_column() {
    let e = parse("[colors]\ntext = \"#12345\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 8), "{e}");
    assert!(e.message.contains("not a colour"), "{e}");

    let e = parse("[header]\ntitel = \"x\"\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("did you mean `title`"), "{e}");

    let e = parse("[services]\nregion = [50, 10, 60, 20]\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 10), "{e}");
    assert!(e.message.contains("off the screen"), "{e}");

    let e = parse("[footer]\ntext_size = 0\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");

    let e = parse("[header\n").unwrap_err();
    assert_eq!(e.line, 1, "{e}");
}

#[test]
fn load_names_the_file() {
    let dir = std::env::temp_dir().join(format!("tablica-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.toml");
    std::fs::write(&path, "name = 3\n").unwrap();
    let e = crate::layout_files::load(&path).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:1:8:", path.display())),
        "{e}"
    );
    let e = crate::layout_files::load(&dir.join("missing.toml")).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

/// WCAG 2 contrast ratio of two opaque sRGB colours.
fn contrast(a: Color, b: Color) -> f32 {
    fn lum(c: Color) -> f32 {
        let ch = |v: f32| {
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b)
    }
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn high_contrast_theme_meets_wcag_aaa() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/layouts/high-contrast.toml");
    let l = crate::layout_files::load(&path).unwrap();
    let c = &l.colors;
    let pairs = [
        ("text on panel", c.text, c.panel),
        ("text on panel_alt", c.text, c.panel_alt),
        ("text on background", c.text, c.background),
        ("muted on panel", c.muted, c.panel),
        ("muted on panel_alt", c.muted, c.panel_alt),
        ("muted on background", c.muted, c.background),
        ("accent on panel", c.accent, c.panel),
        ("accent_text on accent", c.accent_text, c.accent),
        ("recall on panel", c.recall, c.panel),
        ("recall on panel_alt", c.recall, c.panel_alt),
        ("recall_text on recall", c.recall_text, c.recall),
        ("alert_text on alert", c.alert_text, c.alert),
        ("text on panel_alt", c.text, c.panel_alt),
    ];
    for (what, fg, bg) in pairs {
        let ratio = contrast(fg.0, bg.0);
        assert!(ratio >= 7.0, "{what}: {ratio:.2}:1 is below 7:1");
    }
    assert!(
        l.style.border > 0.0,
        "panels must be outlined on a black background"
    );
    let default = Layout::builtin_for(1920, 1080);
    assert!(l.current_call.ticket_size >= default.current_call.ticket_size);
    assert!(l.services.name_size > default.services.name_size);
}

#[test]
fn default_theme_text_is_readable() {
    let c = Layout::builtin_for(1920, 1080).colors;
    assert!(contrast(c.text.0, c.panel.0) >= 7.0);
    assert!(contrast(c.muted.0, c.panel.0) >= 4.5);
    assert!(contrast(c.accent.0, c.panel.0) >= 4.5);
    assert!(contrast(c.accent_text.0, c.accent.0) >= 7.0);
    assert!(contrast(c.alert_text.0, c.alert.0) >= 4.5);
}

proptest::proptest! {
    /// Random edits of a valid layout (bytes replaced, lines dropped or duplicated) never panic
    /// the loader: every outcome is a layout or an error with a position inside the file.
    #[test]
    fn mutated_layouts_never_panic(
        edits in proptest::collection::vec((0usize..4000, 0u8..4, proptest::char::any()), 1..8)
    ) {
        let mut text: Vec<char> = LANDSCAPE_TOML.chars().collect();
        for (pos, kind, ch) in edits {
            if text.is_empty() {
                break;
            }
            let i = pos % text.len();
            match kind {
                0 => text[i] = ch,
                1 => { text.remove(i); }
                2 => text.insert(i, ch),
                _ => {
                    // Duplicate the line holding `i` (duplicate keys, repeated tables).
                    let s: String = text.iter().collect();
                    let start = s[..s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)].rfind('\n').map_or(0, |p| p + 1);
                    let end = s[start..].find('\n').map_or(s.len(), |p| start + p + 1);
                    let line = s[start..end].to_owned();
                    text = format!("{}{}{}", &s[..end], line, &s[end..]).chars().collect();
                }
            }
        }
        let text: String = text.into_iter().collect();
        match parse(&text) {
            Ok(_) => {}
            Err(e) => {
                let lines = text.lines().count().max(1);
                proptest::prop_assert!(e.line <= lines + 1, "{e} beyond {lines} lines");
                proptest::prop_assert!(!e.message.is_empty());
            }
        }
    }
}

/// A counter layout names only `[colors]`, `[style]` and `[counter]`; a board layout still
/// needs every board section; the built-in counter layout follows the panel's shape.
#[test]
fn counter_layouts_need_their_own_sections_only() {
    for text in [COUNTER_LANDSCAPE_TOML, COUNTER_SMALL_TOML, COUNTER_BAR_TOML] {
        let layout = parse(text).unwrap();
        assert!(layout.counter.ticket_size > layout.counter.label_size);
    }
    let e = parse("[colors]\n[style]\n").unwrap_err();
    assert!(e.message.contains("[header]"), "{e}");
    let e = parse("[colors]\n[counter]\n").unwrap_err();
    assert!(e.message.contains("no [style] section"), "{e}");
    assert!(!e.message.contains("[header]"), "{e}");
    let name = |w, h| Layout::builtin_counter(w, h).name.clone();
    assert_eq!(name(1920, 480), "Stanowisko (pasek)");
    assert_eq!(name(1280, 400), "Stanowisko (pasek)");
    assert_eq!(name(800, 480), "Stanowisko (mały panel)");
    assert_eq!(name(1920, 1080), "Stanowisko (poziomy)");
}

/// Loading a layout reads its logo's proportions (the model reads no files; the scene sizes the
/// logo by them), and the logo keys parse.
#[test]
fn loading_reads_the_logos_proportions() {
    let dir = tempfile::tempdir().unwrap();
    let logo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/layouts/logo.png");
    std::fs::copy(&logo, dir.path().join("herb.png")).unwrap();
    let text = crate::layout::LANDSCAPE_TOML.replacen(
        "[header]\n",
        "[header]\nlogo = \"herb.png\"\nlogo_height = 70\nlogo_align = \"right\"\n",
        1,
    );
    let path = dir.path().join("layout.toml");
    std::fs::write(&path, text).unwrap();
    let l = crate::layout_files::load(&path).unwrap();
    // The test picture is 16×8.
    assert_eq!(l.header.logo_aspect, Some(2.0));
    assert_eq!(l.header.logo_height, 70.0);
    assert_eq!(l.header.logo_align, crate::layout::LogoAlign::Right);
}

#[test]
fn languages_are_read_and_an_unknown_one_is_a_layout_error() {
    let text = format!(
        "{LANDSCAPE_TOML}\n[language]\nlanguages = [\"uk\", \"en\"]\nmode = \"rotate\"\nrotate_seconds = 6\n"
    );
    let layout = parse(&text).unwrap();
    assert_eq!(layout.language.mode, LanguageMode::Rotate);
    assert_eq!(layout.language.rotate_seconds, 6.0);
    // Polish is always shown, and first.
    assert_eq!(layout.language.shown(), [Lang::Pl, Lang::Uk, Lang::En]);
    assert_eq!(parse(LANDSCAPE_TOML).unwrap().language.shown(), [Lang::Pl]);
    let text = format!("{LANDSCAPE_TOML}\n[language]\nlanguages = [\"pl\", \"de\"]\n");
    let e = parse(&text).unwrap_err();
    assert!(e.message.contains("de"), "{e}");
    assert!(e.message.contains("uk"), "{e}");
    assert_eq!(e.line, text.lines().count(), "{e}");
    let text = format!("{LANDSCAPE_TOML}\n[language]\nmode = \"flash\"\n");
    let e = parse(&text).unwrap_err();
    assert!(e.message.contains("subtitle"), "{e}");
}
