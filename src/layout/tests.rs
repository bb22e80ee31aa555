use super::*;
use crate::scene::Color;

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
    let defaults = parse("").unwrap();
    assert_eq!(defaults.colors, land.colors);
    assert_eq!(defaults.services.max_rows, land.services.max_rows);
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
    let e = Layout::load(&path).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:1:8:", path.display())),
        "{e}"
    );
    let e = Layout::load(&dir.join("missing.toml")).unwrap_err();
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
    let l = Layout::load(&path).unwrap();
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
