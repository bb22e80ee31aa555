//! Every WGSL shader in `shaders/` parses and validates with naga, so a typo fails `cargo test`
//! instead of the first frame on a display.

use std::path::Path;

#[test]
fn every_shader_parses_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("shaders/ exists") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("wgsl") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("readable shader");
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|err| {
            panic!(
                "{} does not parse:\n{}",
                path.display(),
                err.emit_to_string(&source)
            )
        });
        naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::empty(),
        )
        .validate(&module)
        .unwrap_or_else(|err| {
            panic!(
                "{} does not validate:\n{}",
                path.display(),
                err.emit_to_string(&source)
            )
        });
        for entry_point in ["vs_main", "fs_main"] {
            assert!(
                module.entry_points.iter().any(|e| e.name == entry_point),
                "{} lacks entry point {entry_point}",
                path.display()
            );
        }
        checked.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    checked.sort();
    assert_eq!(checked, ["image.wgsl", "rotate.wgsl", "shapes.wgsl"]);
}
