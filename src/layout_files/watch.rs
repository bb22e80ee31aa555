//! Live reload: watching a layout file and the files it references.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over the
//! original, delete and recreate), so the watcher observes the *folders*, ignores editors'
//! temporary and hidden files, and waits for a short quiet spell before reloading, so that one
//! save is one reload.
//!
//! Reading and checking happen on the watcher's own thread: a layout names fonts of many
//! megabytes and pictures to decode, and a slow disk or network share must not stall the board's
//! frames. The display's thread receives a checked layout (with its text, for placing errors) and
//! only decides whether to swap it in.

use super::check::{check_file, watched_dirs};
use crate::feed::Waker;
use crate::layout::{Layout, LayoutError};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// A change is acted on once no other has come for this long.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// What the watcher's thread hands the display: a layout that passed every check that needs no
/// screen (with the text it was read from), or every problem found.
pub type Reloaded = Result<(Layout, String), Vec<LayoutError>>;

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
        let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else {
                return;
            };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            if event.paths.iter().all(|p| is_temporary(p)) {
                return;
            }
            let _ = tx.send(Msg::Changed);
        })?;
        let dirs = match layout {
            Some(l) => watched_dirs(l, path),
            None => vec![path.parent().map_or(PathBuf::from("."), Path::to_path_buf)],
        };
        let mut worker = Worker {
            path: path.to_path_buf(),
            watcher,
            dirs: Vec::new(),
        };
        worker.watch(dirs);
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
        let result = check_file(&self.path);
        match &result {
            Ok((layout, _)) => {
                tracing::info!("layout read and checked");
                let dirs = watched_dirs(layout, &self.path);
                self.watch(dirs);
            }
            Err(problems) => {
                for p in problems {
                    tracing::error!("layout not reloaded: {p}");
                }
            }
        }
        result
    }

    fn watch(&mut self, dirs: Vec<PathBuf>) {
        for dir in &dirs {
            if !self.dirs.contains(dir) {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
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
