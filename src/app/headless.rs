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
    let mut gpu = Gpu::headless().map_err(|e| e.to_string())?;
    let mut renderer = renderer_for(&gpu, core.layout_for(width, height), OFFSCREEN_FORMAT);
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let tmp = out.with_extension("png.tmp");
    let started = Instant::now();
    let mut next_frame = Instant::now();
    let mut rebuilds = 0u32;
    loop {
        core.pump(Timestamp::now());
        core.poll_layout(Instant::now());
        // The board's clock moves the presentation between pictures, so every call's sound
        // plays on time: the loop's one call of `Core::tick`.
        let now = Timestamp::now();
        core.tick(now);
        let board_next = core.board.next_deadline(now);
        if Instant::now() >= next_frame {
            let scene = core.frame(Timestamp::now(), width, height);
            match render_to_image(&gpu, &mut renderer, &scene.list) {
                Ok(image) => {
                    rebuilds = 0;
                    save_png(&image, &tmp).map_err(|e| e.to_string())?;
                    std::fs::rename(&tmp, out)
                        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
                    on_frame(out);
                }
                // A lost device is made again, a few times in a row at most; anything else (or
                // a device that keeps getting lost) ends the run with the error.
                Err(e) if gpu.is_lost() && rebuilds < 3 => {
                    rebuilds += 1;
                    tracing::warn!(attempt = rebuilds, "GPU device lost ({e}); rebuilding");
                    gpu = Gpu::headless().map_err(|e| e.to_string())?;
                    renderer = renderer_for(&gpu, core.layout_for(width, height), OFFSCREEN_FORMAT);
                    continue;
                }
                Err(e) => return Err(e.to_string()),
            }
            next_frame = Instant::now() + every;
        }
        if stop_after.is_some_and(|d| started.elapsed() >= d) {
            return Ok(());
        }
        // Sleep until the next picture or the board's next deadline, and no longer than a
        // moment: the feed has no way to wake this loop, so it looks for news every 50 ms.
        let mut wake = next_frame.min(Instant::now() + Duration::from_millis(50));
        if let Some(t) = board_next {
            let ahead = Duration::try_from(t.duration_since(Timestamp::now())).unwrap_or_default();
            wake = wake.min(Instant::now() + ahead);
        }
        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
    }
}
