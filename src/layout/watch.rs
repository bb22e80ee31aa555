//! Live reload: watching a layout file and the files it references.
//!
//! Editors save in many ways (write in place, write a temporary file and rename it over the
//! original, delete and recreate), so the watcher observes the *folders*, ignores editors'
//! temporary and hidden files, and waits for a short quiet spell before reloading, so that one
//! save is one reload.

use super::check::{check_file, watched_dirs};
use super::{Layout, LayoutError};
use notify::{EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A change is acted on once no other has come for this long.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Called from the watcher's thread when something changed (wakes the display).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

pub struct LayoutWatcher {
    path: PathBuf,
    watcher: notify::RecommendedWatcher,
    dirs: Vec<PathBuf>,
    rx: mpsc::Receiver<()>,
    due: Option<Instant>,
}

impl LayoutWatcher {
    /// Watches `path` (and, once loaded, the folders of the files `layout` references).
    pub fn new(
        path: &Path,
        layout: Option<&Layout>,
        notify: Notify,
    ) -> Result<Self, notify::Error> {
        let (tx, rx) = mpsc::channel();
        let wake = notify;
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
            if tx.send(()).is_ok() {
                wake();
            }
        })?;
        let mut this = LayoutWatcher {
            path: path.to_path_buf(),
            watcher,
            dirs: Vec::new(),
            rx,
            due: None,
        };
        let dirs = match layout {
            Some(l) => watched_dirs(l, path),
            None => vec![path.parent().map_or(PathBuf::from("."), Path::to_path_buf)],
        };
        this.watch(dirs);
        Ok(this)
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

    /// When the pending reload is due, for scheduling a wake-up.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Takes notice of changes; once they have settled, reloads and checks the layout.
    pub fn poll(&mut self, now: Instant) -> Option<Result<Layout, Vec<LayoutError>>> {
        let mut changed = false;
        while self.rx.try_recv().is_ok() {
            changed = true;
        }
        if changed {
            // The display wakes again at `due()` to reload once the quiet spell is over.
            self.due = Some(now + DEBOUNCE);
            return None;
        }
        match self.due {
            Some(due) if now >= due => {
                self.due = None;
                let _span =
                    tracing::info_span!("layout_reload", path = %self.path.display()).entered();
                let result = check_file(&self.path);
                match &result {
                    Ok(layout) => {
                        tracing::info!("layout reloaded");
                        let dirs = watched_dirs(layout, &self.path);
                        self.watch(dirs);
                    }
                    Err(problems) => {
                        for p in problems {
                            tracing::error!("layout not reloaded: {p}");
                        }
                    }
                }
                Some(result)
            }
            _ => None,
        }
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
