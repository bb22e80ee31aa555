//! The board without a display: the same core, rendered to a PNG file every few seconds.

use super::{Core, renderer_for};
use crate::feed::{Feed, Waker};
use crate::render::{Gpu, OFFSCREEN_FORMAT, render_to_image, save_png};
use jiff::Timestamp;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Renders the board to `out` (replaced atomically, so a viewer never sees half a file) every
/// `every`, until `stop_after` has passed (forever when `None`). Calls `on_frame` after each
/// written frame.
pub fn run_headless(
    mut core: Core,
    out: &Path,
    (width, height): (u32, u32),
    every: Duration,
    stop_after: Option<Duration>,
    make_feed: impl FnOnce(Waker) -> Option<Feed>,
    mut on_frame: impl FnMut(&Path),
) -> Result<(), String> {
    core.watch_layout(Arc::new(|| {}));
    if let Some(feed) = make_feed(Arc::new(|| {})) {
        core.set_feed(feed);
    }
    let gpu = Gpu::headless().map_err(|e| e.to_string())?;
    let mut renderer = renderer_for(&gpu, &core.layout_for(width, height), OFFSCREEN_FORMAT);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp = out.with_extension("png.tmp");
    let started = Instant::now();
    let mut next_frame = Instant::now();
    loop {
        core.pump(Timestamp::now());
        core.poll_layout(Instant::now());
        core.tick(Timestamp::now());
        let now = Instant::now();
        if now >= next_frame {
            let scene = core.frame(Timestamp::now(), width, height);
            let image =
                render_to_image(&gpu, &mut renderer, &scene.list).map_err(|e| e.to_string())?;
            save_png(&image, &tmp).map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, out)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            on_frame(out);
            next_frame = now + every;
        }
        if stop_after.is_some_and(|d| started.elapsed() >= d) {
            return Ok(());
        }
        // Presentations still advance between pictures, so every call's sound plays on time.
        std::thread::sleep(Duration::from_millis(50));
    }
}
