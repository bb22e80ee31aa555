//! Live reload: watching a layout file and the files it references.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over the
//! original, delete and recreate), so the watcher observes the *folders* that hold the layout and
//! the files it names, but acts only on events that touch one of those files: a folder also holds
//! other things (the board's own log, written many times a second, once fed every line back as an
//! edit). Each file is known by the path it is named by and, where that is a symbolic link, by the
//! file the link leads to, both with their folders canonicalised. The watcher then waits for a
//! short quiet spell before reloading, so that one save is one reload.
//!
//! Reading and checking happen on the watcher's own thread: a layout names fonts of many
//! megabytes and pictures to decode, and a slow disk or network share must not stall the board's
//! frames. The display's thread receives a checked layout (with its text, for placing errors) and
//! only decides whether to swap it in.

use super::check::check_file;
use crate::feed::Waker;
use crate::layout::{Layout, LayoutError};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A change is acted on once no other has come for this long.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// What the watcher's thread hands the display: a layout that passed every check that needs no
/// screen, or every problem found.
pub type Reloaded = Result<Checked, Vec<LayoutError>>;

/// A layout read and checked off the display's thread.
#[derive(Debug)]
pub struct Checked {
    pub layout: Layout,
    /// The text it was read from, for placing errors.
    pub text: String,
    /// What spoils the look ([`check_design`](super::check::check_design)): it does not stop a
    /// reload (the designer is mid-edit and wants to see the result), but the board shows it.
    pub design: Vec<LayoutError>,
}

enum Msg {
    Changed,
    Stop,
}

pub struct LayoutWatcher {
    control: mpsc::Sender<Msg>,
    results: mpsc::Receiver<Reloaded>,
}

impl LayoutWatcher {
    /// Watches `path` (and the folders of the files `layout` references) on a thread of its own.
    pub fn new(path: &Path, layout: Option<&Layout>, wake: Waker) -> Result<Self, notify::Error> {
        let (control, rx) = mpsc::channel();
        let tx = control.clone();
        let files = Arc::new(RwLock::new(Vec::<PathBuf>::new()));
        let wanted = Arc::clone(&files);
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                return;
            };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            // A poisoned lock only means a panic elsewhere; the list itself is still whole.
            let wanted = wanted
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !event.paths.iter().any(|p| is_watched(p, &wanted)) {
                return;
            }
            let _ = tx.send(Msg::Changed);
        })?;
        let mut worker = Worker {
            path: path.to_path_buf(),
            watcher,
            dirs: Vec::new(),
            files,
        };
        worker.watch(watched_files(layout, path));
        let (results_tx, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("layout-watch".into())
            .spawn(move || worker.run(&rx, &results_tx, &wake))
            .map_err(notify::Error::io)?;
        Ok(LayoutWatcher { control, results })
    }

    /// When a reload is due on the display's thread: never, since the watcher's thread does the
    /// waiting and wakes the display when a result is ready.
    pub fn due(&self) -> Option<std::time::Instant> {
        None
    }

    /// The newest reload result, if one has come since the last call. Never blocks.
    pub fn poll(&mut self) -> Option<Reloaded> {
        // Only the newest matters; older results describe files that have changed since.
        self.results.try_iter().last()
    }
}

impl Drop for LayoutWatcher {
    fn drop(&mut self) {
        // The thread may be busy reading; it sees this when it next waits and ends then.
        let _ = self.control.send(Msg::Stop);
    }
}

struct Worker {
    path: PathBuf,
    watcher: notify::RecommendedWatcher,
    dirs: Vec<PathBuf>,
    /// The files whose changes count (shared with the watcher's callback).
    files: Arc<RwLock<Vec<PathBuf>>>,
}

impl Worker {
    fn run(&mut self, rx: &mpsc::Receiver<Msg>, results: &mpsc::Sender<Reloaded>, wake: &Waker) {
        loop {
            match rx.recv() {
                Ok(Msg::Changed) => {}
                Ok(Msg::Stop) | Err(_) => return,
            }
            // Wait for a quiet spell, so that one save is one reload.
            loop {
                match rx.recv_timeout(DEBOUNCE) {
                    Ok(Msg::Changed) => continue,
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Ok(Msg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            let result = self.reload();
            if results.send(result).is_err() {
                return;
            }
            wake();
        }
    }

    fn reload(&mut self) -> Reloaded {
        let _span = tracing::info_span!("layout_reload", path = %self.path.display()).entered();
        match check_file(&self.path) {
            Ok((layout, text)) => {
                tracing::info!("layout read and checked");
                // Said in the log as `check` says it, and on the board (see `Checked::design`).
                let design = super::check::check_design(&layout, &text, &self.path);
                for p in &design {
                    tracing::warn!("layout: {p}");
                }
                let files = watched_files(Some(&layout), &self.path);
                self.watch(files);
                Ok(Checked {
                    layout,
                    text,
                    design,
                })
            }
            Err(problems) => {
                for p in &problems {
                    tracing::error!("layout not reloaded: {p}");
                }
                Err(problems)
            }
        }
    }

    /// Watches the folders of `files` and acts on changes to `files` only.
    fn watch(&mut self, files: Vec<PathBuf>) {
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        *self
            .files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = files;
        for dir in &dirs {
            if !self.dirs.contains(dir) {
                if let Err(e) = self.watcher.watch(dir, RecursiveMode::NonRecursive) {
                    tracing::warn!("cannot watch {} for layout changes: {e}", dir.display());
                }
            }
        }
        for old in &self.dirs {
            if !dirs.contains(old) {
                let _ = self.watcher.unwatch(old);
            }
        }
        self.dirs = dirs;
    }
}

/// The files whose changes call for a reload: the layout file and every file it names (logo,
/// background picture, fonts), each by the path it is named by and by the file it leads to when
/// that is a symbolic link. Folders are canonicalised so that the paths compare equal to the ones
/// the operating system reports for the watched folders.
pub fn watched_files(layout: Option<&Layout>, layout_path: &Path) -> Vec<PathBuf> {
    let mut named = vec![layout_path.to_path_buf()];
    if let Some(layout) = layout {
        let referenced = layout
            .header
            .logo
            .iter()
            .chain(layout.style.background_image.iter())
            .chain(layout.style.font_files.iter());
        named.extend(referenced.map(|r| layout.asset(r)));
    }
    let mut files = Vec::new();
    for path in named {
        files.push(in_canonical_dir(&path));
        // A link's target lives in its own folder; an edit there is an edit of the layout.
        // A missing file has no target yet: it is watched by name until it appears.
        if let Ok(target) = std::fs::canonicalize(&path) {
            files.push(target);
        }
    }
    files.sort();
    files.dedup();
    files
}

/// `path` with its folder canonicalised and its own name kept (a link stays a link).
fn in_canonical_dir(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match path.file_name() {
        Some(name) => dir.join(name),
        None => dir,
    }
}

/// Whether an event's path is one of `files`. The event names the path under the folder as it
/// was watched (canonical), so an exact match suffices; editors' temporary files never match.
fn is_watched(path: &Path, files: &[PathBuf]) -> bool {
    !is_temporary(path) && files.iter().any(|f| f == path)
}

/// Editors' temporary, backup and hidden files: `.layout.toml.swp`, `layout.toml~`, `4913`
/// (vim's probe), `*.tmp`, `*.part`, `#layout.toml#`.
pub fn is_temporary(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return true;
    };
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".part")
        || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_are_ignored() {
        for name in [
            ".layout.toml.swp",
            "layout.toml~",
            "4913",
            "x.tmp",
            "#layout.toml#",
        ] {
            assert!(is_temporary(Path::new(name)), "{name}");
        }
        for name in ["layout.toml", "logo.png", "Lato-Bold.ttf"] {
            assert!(!is_temporary(Path::new(name)), "{name}");
        }
    }
}
