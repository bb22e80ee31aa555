//! Plays the engine's events in (scaled) real time.
//!
//! Event *i* is published at `start + Σ gap_k / speed`, counted from deadlines rather than from
//! when the previous event went out, so a slow moment does not make the whole day late. Gaps the
//! source marks compressible (the night, a pause in a script) are cut to `max_gap`. What is
//! published never depends on this timing: the engine alone decides the events.

use super::hub::Hub;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Events published between voluntary yields, so that a very high speed cannot starve the
/// connections sharing the runtime.
const BURST: u32 = 64;

pub async fn run(hub: Arc<Hub>, speed: f64, max_gap: Duration, mut paused: watch::Receiver<bool>) {
    let mut cursor = hub.start_time();
    let mut deadline = Instant::now();
    let mut burst = 0;
    loop {
        if *paused.borrow() {
            if paused.wait_for(|p| !*p).await.is_err() {
                return;
            }
            // Carry on from now rather than catching up on the paused time.
            deadline = Instant::now();
        }
        let Some(next) = hub.peek() else {
            tracing::info!(
                last_seq = hub.last_seq(),
                "script finished; serving heartbeats"
            );
            hub.mark_finished();
            return;
        };
        let virtual_gap = next.at.duration_since(cursor).as_secs_f64().max(0.0);
        let mut gap = Duration::from_secs_f64((virtual_gap / speed).min(1e7));
        if next.compressible {
            gap = gap.min(max_gap);
        }
        let due = deadline + gap;
        if due > Instant::now() {
            burst = 0;
            tokio::select! {
                _ = tokio::time::sleep_until(due) => {}
                changed = paused.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // Re-evaluate: paused, or resumed before the event was due.
                    continue;
                }
            }
        } else {
            burst += 1;
            if burst >= BURST {
                burst = 0;
                tokio::task::yield_now().await;
            }
        }
        deadline = due;
        cursor = cursor.max(next.at);
        hub.publish_next();
    }
}
