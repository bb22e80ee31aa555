//! The core boundary, enforced by a test.
//!
//! protocol, board, scene, the layout model and colours are the pure core: they take data and the
//! time as arguments and return data, and never touch files, sockets, clocks, the GPU, windows or
//! threads. That is what lets a test replay a day of events in milliseconds, and what lets the
//! scene be compared without a screen. docs/ARCHITECTURE.md ("The core boundary") says why this
//! is a test rather than a separate crate.
//!
//! The test reads the core's sources and fails when one names an API of the shells. It checks the
//! code the program runs: a module's unit tests (`tests.rs`, and whatever follows the first
//! `#[cfg(test)]` of a file) may use files and clocks.

use std::path::{Path, PathBuf};

/// The core's source folders and files, relative to `src/`.
pub const CORE: &[&str] = &["protocol", "board", "scene", "layout", "color.rs"];

/// What the core must not name, and why. Matched as whole words (`Instant` does not match
/// `Instantly`), so a path prefix such as `std::fs` also catches `std::fs::read`.
const FORBIDDEN: &[(&str, &str)] = &[
    ("std::fs", "files"),
    ("std::net", "sockets"),
    ("std::thread", "threads"),
    ("std::process", "processes"),
    ("std::env", "the environment"),
    ("std::sync::mpsc", "threads"),
    ("std::sync::Mutex", "threads"),
    ("std::io::stdin", "the terminal"),
    ("File", "files"),
    ("Instant", "the monotonic clock (pass `Mono` in)"),
    ("SystemTime", "the wall clock (pass `Timestamp` in)"),
    ("Timestamp::now", "the wall clock (pass `Timestamp` in)"),
    ("Zoned::now", "the wall clock (pass `Timestamp` in)"),
    ("wgpu", "the GPU"),
    ("glyphon", "the GPU"),
    ("winit", "windows"),
    ("tokio", "async I/O"),
    ("tokio_tungstenite", "sockets"),
    ("notify", "file watching"),
    ("rodio", "sound"),
    ("libc", "the operating system"),
    ("rand", "randomness (pass a seed or the values in)"),
    ("crate::app", "the shell"),
    ("crate::audio", "the shell"),
    ("crate::cmd", "the shell"),
    ("crate::config", "the shell"),
    ("crate::deploy", "the shell"),
    ("crate::feed", "the shell"),
    ("crate::fonts", "the shell"),
    ("crate::health", "the shell"),
    ("crate::layout_files", "the shell"),
    ("crate::render", "the shell"),
    ("crate::scenarios", "test fixtures"),
    ("crate::sim", "the shell"),
    ("crate::supervise", "the shell"),
    ("crate::voice", "the shell"),
];

/// Names a grouped import (`use std::{fs, net}`) may bring in from `std`.
const FORBIDDEN_IN_STD_GROUP: &[&str] = &["fs", "net", "thread", "process", "env"];

/// The code of a file that the program runs: without its unit tests and comments.
fn runtime_code(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.lines()
        .map(|l| {
            let trimmed = l.trim_start();
            if trimmed.starts_with("//") { "" } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `code` names `path` as whole words.
fn names(code: &str, path: &str) -> bool {
    code.match_indices(path).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + path.len()..].chars().next();
        !before.is_some_and(is_word_char)
            && !after.is_some_and(is_word_char)
            // A string such as "a file" is text for people, not an API.
            && before.is_none_or(|c| c != '"')
    })
}

/// Every problem in one file's runtime code.
fn problems_in(file: &Path, text: &str) -> Vec<String> {
    let code = runtime_code(text);
    let mut found = Vec::new();
    for (path, why) in FORBIDDEN {
        if names(&code, path) {
            found.push(format!("{} names `{path}` ({why})", file.display()));
        }
    }
    for (at, _) in code.match_indices("std::{") {
        let group = &code[at..code[at..].find('}').map_or(code.len(), |end| at + end)];
        for name in FORBIDDEN_IN_STD_GROUP {
            if names(group, name) {
                found.push(format!("{} imports `std::{name}`", file.display()));
            }
        }
    }
    found
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            rust_files(&e, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs")
        && path.file_name().is_some_and(|n| n != "tests.rs")
    {
        out.push(path.to_path_buf());
    }
}

#[test]
fn the_core_touches_no_files_sockets_clocks_gpu_windows_or_threads() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for part in CORE {
        let path = src.join(part);
        assert!(path.exists(), "{} is gone; update CORE", path.display());
        rust_files(&path, &mut files);
    }
    assert!(files.len() > 10, "found only {files:?}");
    let problems: Vec<String> = files
        .iter()
        .flat_map(|f| problems_in(f, &std::fs::read_to_string(f).unwrap()))
        .collect();
    assert!(
        problems.is_empty(),
        "the pure core reaches into the shell; pass data or time in instead:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_catches_what_it_should_and_nothing_else() {
    let bad = |code: &str| !problems_in(Path::new("x.rs"), code).is_empty();
    assert!(bad("use std::fs;"));
    assert!(bad("let t = std::fs::read(p);"));
    assert!(bad("use std::{collections::VecDeque, thread};"));
    assert!(bad("let now = Instant::now();"));
    assert!(bad("let now = jiff::Timestamp::now();"));
    assert!(bad("use crate::render::Renderer;"));
    assert!(bad("fn f(d: &wgpu::Device) {}"));
    assert!(!bad("// reads std::fs in the shell"));
    assert!(!bad("let t = Mono::from_std(since);"));
    assert!(!bad("let rand_ish = 1; let notify_me = 2;"));
    assert!(!bad("#[cfg(test)]\nmod tests { use std::fs; }"));
    assert!(!bad("let s = \"File not found\";"));
}
