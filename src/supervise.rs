//! Supervised worker threads: a worker that panics or returns while it should still run is
//! started again, after a backoff, and the restart is counted for the health endpoint.
//!
//! The feed and the audio threads run for months on a board nobody watches. A bug that ends
//! one of them must cost a reconnect or a missed chime, not the rest of the day without data or
//! sound; and staff must be able to see on /health that it happened.

use serde::Serialize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A single-threaded tokio runtime with I/O and timers: each network thread (the feed, the health
/// endpoint, the signal watcher) runs its async code on one of its own, so that none of them can
/// stall another or the UI thread.
pub fn thread_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Starts a thread called `name` that runs `task` on its own runtime ([`thread_runtime`]) to its
/// end. A runtime that cannot be built is logged (`what` names the thread's job for people) and
/// ends the thread.
pub fn spawn_with_runtime<F, Fut>(
    name: &str,
    what: &'static str,
    task: F,
) -> std::io::Result<std::thread::JoinHandle<()>>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || match thread_runtime() {
            Ok(runtime) => runtime.block_on(task()),
            Err(e) => tracing::error!("{what}: cannot start its runtime: {e}"),
        })
}

/// The first restart comes this soon; each further one waits twice as long as the last.
const FIRST_DELAY: Duration = Duration::from_millis(100);
/// The longest wait before a restart: a worker that fails at once every time must not spin.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// A worker that ran this long was healthy: the next restart starts backing off afresh.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// How often a worker thread was restarted, and why the last time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Restarts {
    pub count: u64,
    /// The panic message, or why the worker returned.
    pub last_reason: Option<String>,
    /// When the last restart was decided (RFC 3339).
    pub last_at: Option<jiff::Timestamp>,
}

/// How a worker's run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It was asked to stop: the supervisor stops too.
    Stopped,
    /// It returned although it should still be running (the reason is reported).
    Unexpectedly(String),
}

/// Runs `body` until it ends with [`Ended::Stopped`]. A panic or [`Ended::Unexpectedly`] is
/// logged, counted in `restarts`, and followed by `wait(delay)`; `wait` returns false when the
/// worker is to stop meanwhile (shutdown), which ends the supervision.
pub fn supervise(
    name: &str,
    restarts: &Mutex<Restarts>,
    mut body: impl FnMut() -> Ended,
    mut wait: impl FnMut(Duration) -> bool,
) {
    let mut delay = FIRST_DELAY;
    loop {
        let started = Instant::now();
        let reason = match catch_unwind(AssertUnwindSafe(&mut body)) {
            Ok(Ended::Stopped) => return,
            Ok(Ended::Unexpectedly(reason)) => reason,
            Err(payload) => format!("panicked: {}", panic_message(payload.as_ref())),
        };
        if started.elapsed() >= HEALTHY_AFTER {
            delay = FIRST_DELAY;
        }
        let count = {
            let mut r = restarts.lock().unwrap_or_else(PoisonError::into_inner);
            r.count += 1;
            r.last_reason = Some(reason.clone());
            r.last_at = Some(jiff::Timestamp::now());
            r.count
        };
        tracing::error!(
            restarts = count,
            "the {name} thread ended ({reason}); restarting it in {delay:?}"
        );
        if !wait(delay) {
            return;
        }
        delay = (delay * 2).min(MAX_DELAY);
    }
}

/// The text of a panic, as far as it is a string.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    };
    // Bounded: the reason is served on /health and kept for the life of the process.
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_panic_and_an_unexpected_return_are_restarted_and_counted() {
        let restarts = Mutex::new(Restarts::default());
        let runs = Cell::new(0);
        let waits = std::cell::RefCell::new(Vec::new());
        supervise(
            "test",
            &restarts,
            || {
                runs.set(runs.get() + 1);
                match runs.get() {
                    1 => panic!("boom once"),
                    2 => Ended::Unexpectedly("returned early".into()),
                    _ => Ended::Stopped,
                }
            },
            |d| {
                waits.borrow_mut().push(d);
                true
            },
        );
        assert_eq!(runs.get(), 3);
        let r = restarts.into_inner().unwrap();
        assert_eq!(r.count, 2);
        assert_eq!(r.last_reason.as_deref(), Some("returned early"));
        assert!(r.last_at.is_some());
        // Backing off: the second restart waits longer than the first.
        assert_eq!(*waits.borrow(), vec![FIRST_DELAY, FIRST_DELAY * 2]);
    }

    #[test]
    fn a_shutdown_during_the_backoff_ends_the_supervision() {
        let restarts = Mutex::new(Restarts::default());
        let runs = Cell::new(0);
        supervise(
            "test",
            &restarts,
            || {
                runs.set(runs.get() + 1);
                panic!("always")
            },
            |_| false,
        );
        assert_eq!(runs.get(), 1);
        let r = restarts.into_inner().unwrap();
        assert_eq!(r.count, 1);
        assert_eq!(r.last_reason.as_deref(), Some("panicked: always"));
    }
}
