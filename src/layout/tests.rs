use super::*;

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
