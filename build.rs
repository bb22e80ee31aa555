//! Records the git commit the binary is built from, for `tablica --version` and /health.
//! Outside a git checkout (a source tarball, a .deb built from one) it is "unknown", unless the
//! packager sets TABLICA_GIT_COMMIT.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=TABLICA_GIT_COMMIT");
    let commit = std::env::var("TABLICA_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_owned());
    // Build again when HEAD moves: HEAD itself (a checkout) and the refs it may point to (a
    // commit). In a worktree these live in different folders.
    for dir in [
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ]
    .into_iter()
    .flatten()
    {
        let mut files = vec![format!("{dir}/HEAD"), format!("{dir}/packed-refs")];
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            files.push(format!("{dir}/{head}"));
        }
        // A path that does not exist would make cargo run this script on every build.
        for f in files.iter().filter(|f| std::path::Path::new(f).exists()) {
            println!("cargo:rerun-if-changed={f}");
        }
    }
    println!("cargo:rustc-env=TABLICA_GIT_COMMIT={commit}");
}
