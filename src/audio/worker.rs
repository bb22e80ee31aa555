//! The audio thread: takes requests off the queue and plays them one by one.

use super::output::{Output, PlayOutcome};
use super::sounds::SoundSet;
use super::{AudioConfig, AudioState, Request, Shared};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// After a device that was working fails, the next attempt to open it comes this soon (or after
/// the configured retry interval, if shorter): a stream that failed once often opens again at
/// once (a driver reset), but a device that keeps failing must not be reopened in a tight loop.
const REOPEN_AFTER_LOSS: Duration = Duration::from_secs(2);

/// While nothing is queued, failed attempts to open the device back off, doubling up to this
/// interval (or the configured retry interval, if longer). Each failed attempt makes ALSA print
/// several lines to stderr on a machine without a sound card, and those add up over months.
const MAX_IDLE_RETRY: Duration = Duration::from_secs(300);

/// Runs the audio thread until shutdown. The output stream is dropped on return, which closes
/// the device (and finalises a capture file in tests).
pub(super) fn run(shared: Arc<Shared>) {
    let (config, sounds) = {
        let inner = shared.lock();
        (inner.config.clone(), inner.sounds.clone())
    };
    let mut worker = Worker {
        sounds,
        config,
        shared,
        output: None,
        last_attempt: None,
        idle_retry: Duration::ZERO,
        missing_reported: false,
        last_end: None,
    };
    // Open the device straight away: the first chime should not wait for it, and the health
    // endpoint should know early whether there is sound.
    worker.open_if_due(Instant::now());
    while let Some(request) = worker.next_request() {
        worker.play(request);
        worker.shared.lock().busy = false;
    }
    tracing::debug!("audio thread stopping");
}

struct Worker {
    shared: Arc<Shared>,
    config: Arc<AudioConfig>,
    sounds: Arc<SoundSet>,
    output: Option<Output>,
    /// When opening the device was last tried.
    last_attempt: Option<Instant>,
    /// How long after `last_attempt` to try again while nothing is queued; a queued sound
    /// brings the next attempt forward to `device_retry` after the last.
    idle_retry: Duration,
    /// "No device" has been logged and no device has been opened since: do not log it again.
    missing_reported: bool,
    /// When the last sound ended, for the gap before the next one.
    last_end: Option<Instant>,
}

impl Worker {
    /// Waits for the next request, meanwhile handling config changes, device errors and
    /// device retries. Returns `None` on shutdown.
    fn next_request(&mut self) -> Option<Request> {
        loop {
            let mut inner = self.shared.lock();
            if self.shared.shutting_down() {
                return None;
            }
            if self.shared.crash.swap(false, Ordering::SeqCst) {
                drop(inner);
                panic!("the audio worker was asked to crash (test hook)");
            }
            if inner.config_changed {
                inner.config_changed = false;
                let config = inner.config.clone();
                self.sounds = inner.sounds.clone();
                drop(inner);
                self.apply_config(config);
                continue;
            }
            if inner.device_error {
                inner.device_error = false;
                drop(inner);
                self.check_device();
                continue;
            }
            if let Some(request) = inner.queue.pop() {
                inner.busy = true;
                if inner.queue.is_empty() {
                    inner.overflow_reported = false;
                }
                return Some(request);
            }
            if self.output.is_some() {
                // An open device needs no attention until something is queued or it reports
                // an error; both wake this wait.
                drop(self.shared.wake.wait(inner));
            } else {
                let now = Instant::now();
                let next = self.next_attempt(false);
                if now >= next {
                    drop(inner);
                    self.open_if_due(self.next_attempt(false));
                } else {
                    drop(self.shared.wake.wait_timeout(inner, next - now));
                }
            }
        }
    }

    fn play(&mut self, request: Request) {
        self.check_device();
        self.open_if_due(self.next_attempt(true));
        let Some(output) = &self.output else {
            // A sound that cannot play now is not kept for later: heard minutes late, after
            // the device returns, it would call residents who have already gone in.
            self.shared.skipped.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(kind = ?request.kind, "no audio device; sound skipped");
            return;
        };
        self.shared.set_device_state(AudioState::Playing);
        let gap_over = self.last_end.map(|end| end + self.config.gap);
        if gap_over.is_some_and(|at| !self.sleep_until(at)) {
            return;
        }
        let sound = match &request.speech {
            Some(speech) => speech,
            None => self.sounds.get(request.kind),
        };
        let shared = &self.shared;
        let outcome = output.play(sound, request.volume, || shared.shutting_down());
        match outcome {
            PlayOutcome::Finished => {
                self.shared.played.fetch_add(1, Ordering::Relaxed);
                self.shared.set_device_state(AudioState::Idle);
                self.last_end = Some(Instant::now());
                tracing::debug!(kind = ?request.kind, volume = request.volume, "sound played");
            }
            PlayOutcome::DeviceLost => {
                self.shared.skipped.fetch_add(1, Ordering::Relaxed);
                self.lose_device("the device failed while playing");
            }
            PlayOutcome::Interrupted => {}
        }
    }

    /// Sleeps until `deadline` unless shutdown is requested first; returns false on shutdown.
    fn sleep_until(&self, deadline: Instant) -> bool {
        let mut inner = self.shared.lock();
        loop {
            if self.shared.shutting_down() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            inner = match self.shared.wake.wait_timeout(inner, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn apply_config(&mut self, config: Arc<AudioConfig>) {
        if config.device_retry != self.config.device_retry {
            self.idle_retry = config.device_retry;
        }
        self.config = config;
    }

    /// Drops the output if its device has reported an error.
    fn check_device(&mut self) {
        if self.output.as_ref().is_some_and(Output::failed) {
            self.lose_device("the device reported an error");
        }
    }

    fn lose_device(&mut self, why: &str) {
        if let Some(output) = self.output.take() {
            // Closing a stream whose device hangs can block in the driver; that must not stop
            // this thread from playing once a device is back.
            let closed = std::thread::Builder::new()
                .name("tablica-audio-close".into())
                .spawn(move || drop(output));
            if let Err(e) = closed {
                tracing::debug!(error = %e, "closing the lost stream on this thread instead");
            }
        }
        self.shared.set_device_state(AudioState::NoDevice);
        self.last_attempt = Some(Instant::now());
        self.idle_retry = REOPEN_AFTER_LOSS.min(self.config.device_retry);
        if !self.missing_reported {
            self.missing_reported = true;
            tracing::warn!(
                reason = why,
                retry_s = self.config.device_retry.as_secs_f32(),
                "audio device lost; the board carries on silently and keeps trying to reopen it"
            );
        }
    }

    /// When the next attempt to open the device is due, `for_sound` or while idle.
    fn next_attempt(&self, for_sound: bool) -> Instant {
        let Some(last) = self.last_attempt else {
            return Instant::now();
        };
        let after = if for_sound {
            self.config.device_retry.min(self.idle_retry)
        } else {
            self.idle_retry
        };
        last + after
    }

    /// Tries to open the device if there is none and `due` has come.
    fn open_if_due(&mut self, due: Instant) {
        let now = Instant::now();
        if self.output.is_some() || now < due {
            return;
        }
        self.last_attempt = Some(now);
        let shared = Arc::downgrade(&self.shared);
        // A weak reference: the stream lives inside the worker, which the shared state does not
        // own, but a weak one also cannot keep anything alive past shutdown.
        let on_error = move || {
            if let Some(shared) = shared.upgrade() {
                shared.report_device_error();
            }
        };
        match Output::open(on_error) {
            Ok(output) => {
                if self.missing_reported {
                    tracing::info!(
                        sample_rate = output.sample_rate(),
                        "audio device available again"
                    );
                } else {
                    tracing::info!(sample_rate = output.sample_rate(), "audio device opened");
                }
                self.missing_reported = false;
                self.output = Some(output);
                self.shared.set_device_state(AudioState::Idle);
            }
            Err(e) => {
                self.idle_retry = (self.idle_retry * 2).clamp(
                    self.config.device_retry,
                    MAX_IDLE_RETRY.max(self.config.device_retry),
                );
                self.shared.set_device_state(AudioState::NoDevice);
                if self.missing_reported {
                    tracing::debug!(error = %e, "audio device still unavailable");
                } else {
                    self.missing_reported = true;
                    tracing::warn!(
                        error = %e,
                        retry_s = self.config.device_retry.as_secs_f32(),
                        "no audio device; the board carries on silently and keeps trying to open one"
                    );
                }
            }
        }
    }
}
