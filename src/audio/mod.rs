//! Sound: the call chime and the recall sound, played one after another on a dedicated thread.
//!
//! [`Chimes`] is the handle the UI thread holds. [`Chimes::play`] only puts a request into a
//! bounded queue and returns; the audio thread plays the requests strictly in order, each to its
//! end, with a short gap between them, so a burst of calls is heard as a row of chimes rather
//! than one cut-off chime or a noise of overlapping ones. Without an audio device the board
//! carries on silently, says so once in the log and in [`Chimes::state`], and keeps trying to
//! open the device so that sound comes back by itself. See docs/AUDIO.md.

#[cfg(target_os = "linux")]
mod alsa_quiet;
mod config;
mod error;
mod output;
mod queue;
mod sounds;
pub mod synth;
mod worker;

pub use config::{AudioConfig, ClockTime, QuietPeriod};
pub use error::AudioError;
use queue::{Request, SoundQueue};
/// Keeps alsa-lib's own error text (a screenful per attempt on a PC without a sound card) off
/// stderr for devices opened on the calling thread; the caller reports the failure in one line.
pub fn quiet_alsa_here() {
    #[cfg(target_os = "linux")]
    alsa_quiet::quiet_this_thread();
}

use sounds::SoundSet;
pub use sounds::{BUILTIN_CHIME, BUILTIN_RECALL, MAX_SOUND_SECONDS, Sound};

use crate::supervise::{Ended, Restarts, supervise};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Which sound to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SoundKind {
    /// A ticket called for the first time: the "ding-dong".
    Call,
    /// A ticket called again: three rising tones.
    Recall,
}

/// What the sound output is doing, for the health endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioState {
    /// The audio thread has not yet tried to open the device.
    Starting,
    /// The device is open and nothing is playing.
    Idle,
    /// A sound is playing or waiting out the gap before it.
    Playing,
    /// Sound is switched off in the config (muted or master volume zero).
    Muted,
    /// There is no usable audio device; sounds are skipped and the device is retried.
    NoDevice,
}

/// A snapshot of the sound output for the health endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct AudioStatus {
    pub state: AudioState,
    /// Whether an output device is open, independent of muting.
    pub device_available: bool,
    /// Sounds played to their end since start.
    pub played: u64,
    /// Sounds dropped because the queue was full.
    pub dropped: u64,
    /// Sounds not played because sound was muted, the volume was zero, or there was no device.
    pub skipped: u64,
    /// Sounds waiting in the queue now.
    pub queued: usize,
}

/// How long dropping [`Chimes`] waits for the audio thread to end. A device stuck in the driver
/// must not keep the application from exiting.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// The sound output: a handle to the audio thread. Dropping it stops the thread.
pub struct Chimes {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Chimes {
    /// Starts the audio thread and returns at once, whether or not there is an audio device.
    /// Any config is accepted: volumes are clamped, a zero queue capacity becomes one, and
    /// custom sounds that fail to load are replaced by the built-in ones (and logged). Use
    /// [`AudioConfig::validate`] to report mistakes to a person.
    ///
    /// The thread is supervised: a worker that panics (a driver, a decoder) is started again
    /// after a backoff, and [`Chimes::restarts`] counts it.
    pub fn start(config: AudioConfig) -> Chimes {
        let shared = Arc::new(Shared::new(config));
        let worker_shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("tablica-audio".into())
            .spawn(move || {
                let s = &worker_shared;
                supervise(
                    "audio",
                    &s.restarts,
                    || {
                        // A request taken by a worker that died is not being played any more.
                        s.lock().busy = false;
                        worker::run(s.clone());
                        if s.shutting_down() {
                            Ended::Stopped
                        } else {
                            Ended::Unexpectedly("the audio worker returned".into())
                        }
                    },
                    |delay| !s.sleep_unless_shutdown(delay),
                );
            });
        let thread = match spawned {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the audio thread; the board stays silent");
                shared.set_device_state(AudioState::NoDevice);
                None
            }
        };
        Chimes { shared, thread }
    }

    /// Queues `kind` to play after every sound already queued, at the volume its config gives
    /// for `now` on the Warsaw wall clock. Never blocks: it only takes a lock the audio thread
    /// holds for a few instructions.
    pub fn play(&self, kind: SoundKind, now: jiff::Timestamp) {
        self.enqueue(kind, None, 1.0, now);
    }

    /// Queues a spoken call (docs/VOICE.md) after every sound already queued, normally the
    /// chime of the same call, at `volume` times the chime's volume for `now`: the master
    /// volume, quiet periods and muting silence the voice too.
    pub fn speak(&self, kind: SoundKind, speech: Sound, volume: f32, now: jiff::Timestamp) {
        self.enqueue(kind, Some(speech), volume, now);
    }

    fn enqueue(&self, kind: SoundKind, speech: Option<Sound>, factor: f32, now: jiff::Timestamp) {
        let mut inner = self.shared.lock();
        // NaN would pass the "volume zero" test below and reach the device; it counts as silent.
        let factor = if factor.is_nan() {
            0.0
        } else {
            factor.clamp(0.0, 1.0)
        };
        let volume = inner.config.volume_for(now) * factor;
        if volume <= 0.0 {
            drop(inner);
            self.shared.skipped.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(?kind, "sound skipped: muted or volume zero at this time");
            return;
        }
        if let Some(dropped) = inner.queue.push(Request {
            kind,
            volume,
            speech,
        }) {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            // One warning per overflow, not one per dropped sound: a flood of calls must not
            // become a flood of log lines.
            if !inner.overflow_reported {
                inner.overflow_reported = true;
                tracing::warn!(
                    capacity = inner.queue.len(),
                    dropped = ?dropped.kind,
                    "sound queue full; dropping the oldest waiting sounds"
                );
            }
        }
        drop(inner);
        self.shared.wake.notify_all();
    }

    /// Whether a sound queued at `now` at `factor` times the chime's volume would be heard at
    /// all, as far as the settings go (muting, the volume, quiet periods): a spoken call that
    /// is skipped must not show the speaker mark.
    pub fn audible(&self, factor: f32, now: jiff::Timestamp) -> bool {
        let volume = self.shared.lock().config.volume_for(now);
        !factor.is_nan() && volume * factor.clamp(0.0, 1.0) > 0.0
    }

    /// How long `kind`'s sound lasts and the queue's gap after each sound: what a spoken call
    /// queued after the chime waits for, and the next call's chime after the words. From the
    /// configured sounds as loaded, not from the audio thread's progress.
    pub fn timing(&self, kind: SoundKind) -> (Duration, Duration) {
        let inner = self.shared.lock();
        (inner.sounds.get(kind).duration(), inner.config.gap)
    }

    /// [`Self::play`] at the current time.
    pub fn play_now(&self, kind: SoundKind) {
        self.play(kind, jiff::Timestamp::now());
    }

    /// Replaces the config. Volume and muting apply to sounds requested from now on; changed
    /// sound files are loaded by the audio thread before its next sound.
    pub fn set_config(&self, config: AudioConfig) {
        let reload = {
            let inner = self.shared.lock();
            config.call_sound != inner.config.call_sound
                || config.recall_sound != inner.config.recall_sound
        };
        // Read outside the lock: the audio thread must not wait for files.
        let sounds = reload.then(|| {
            Arc::new(SoundSet::load(
                config.call_sound.as_deref(),
                config.recall_sound.as_deref(),
            ))
        });
        let mut inner = self.shared.lock();
        if let Some(sounds) = sounds {
            inner.sounds = sounds;
        }
        let dropped = inner.queue.set_capacity(config.queue_capacity);
        self.shared
            .dropped
            .fetch_add(dropped as u64, Ordering::Relaxed);
        self.shared
            .muted
            .store(is_muted(&config), Ordering::Relaxed);
        inner.config = Arc::new(config);
        inner.config_changed = true;
        drop(inner);
        self.shared.wake.notify_all();
    }

    pub fn state(&self) -> AudioState {
        self.shared.state()
    }

    /// Restarts of the audio thread after it panicked or ended unexpectedly, for /health.
    pub fn restarts(&self) -> Restarts {
        self.shared
            .restarts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes the audio worker panic once, at its next look at the queue (it is restarted by its
    /// supervisor). For tests.
    #[doc(hidden)]
    pub fn crash_for_test(&self) {
        self.shared.crash.store(true, Ordering::SeqCst);
        drop(self.shared.lock());
        self.shared.wake.notify_all();
    }

    /// Sounds played to their end since start.
    pub fn played(&self) -> u64 {
        self.shared.played.load(Ordering::Relaxed)
    }

    pub fn status(&self) -> AudioStatus {
        let queued = self.shared.lock().queue.len();
        let device = self.shared.device_state();
        AudioStatus {
            state: self.shared.state(),
            device_available: matches!(device, AudioState::Idle | AudioState::Playing),
            played: self.played(),
            dropped: self.shared.dropped.load(Ordering::Relaxed),
            skipped: self.shared.skipped.load(Ordering::Relaxed),
            queued,
        }
    }

    /// Blocks until every queued sound has been played (or skipped) and the last one has ended,
    /// or `timeout` passes; returns whether it got idle. For tests and orderly shutdown, never
    /// for the UI thread.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let inner = self.shared.lock();
                if inner.queue.is_empty() && !inner.busy {
                    return true;
                }
            }
            if Instant::now() >= deadline || self.thread.is_none() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Chimes {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Taking the lock before notifying ensures the thread is either before its check of
        // `shutdown` or already waiting, so the wake-up cannot be lost.
        drop(self.shared.lock());
        self.shared.wake.notify_all();
        let Some(handle) = self.thread.take() else {
            return;
        };
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while !handle.is_finished() {
            if Instant::now() >= deadline {
                tracing::warn!("the audio thread did not stop in time; leaving it behind");
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if handle.join().is_err() {
            tracing::error!("the audio thread panicked");
        }
    }
}

fn is_muted(config: &AudioConfig) -> bool {
    config.muted || config.volume.is_nan() || config.volume <= 0.0
}

/// State shared by the handle, the audio thread and the device's error callback.
struct Shared {
    inner: Mutex<Inner>,
    /// Signalled when a request is queued, the config changes, the device fails or shutdown is
    /// requested.
    wake: Condvar,
    shutdown: AtomicBool,
    muted: AtomicBool,
    /// The worker's view of the device: Starting, Idle, Playing or NoDevice.
    device_state: AtomicU8,
    played: AtomicU64,
    dropped: AtomicU64,
    skipped: AtomicU64,
    /// The supervisor's count of worker restarts.
    restarts: Mutex<Restarts>,
    /// Test hook: the worker panics when it sees this (see [`Chimes::crash_for_test`]).
    crash: AtomicBool,
}

struct Inner {
    queue: SoundQueue,
    config: Arc<AudioConfig>,
    /// The configured sounds, loaded once when the config is given (by [`Chimes::start`] and
    /// [`Chimes::set_config`]), so that the UI thread knows their lengths ([`Chimes::timing`])
    /// and the worker need not read files.
    sounds: Arc<SoundSet>,
    config_changed: bool,
    /// Set by the device's error callback.
    device_error: bool,
    /// The worker has taken a request and not finished it.
    busy: bool,
    overflow_reported: bool,
}

impl Shared {
    fn new(config: AudioConfig) -> Shared {
        Shared {
            inner: Mutex::new(Inner {
                queue: SoundQueue::new(config.queue_capacity),
                config_changed: false,
                device_error: false,
                busy: false,
                overflow_reported: false,
                sounds: Arc::new(SoundSet::load(
                    config.call_sound.as_deref(),
                    config.recall_sound.as_deref(),
                )),
                config: Arc::new(config.clone()),
            }),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            muted: AtomicBool::new(is_muted(&config)),
            device_state: AtomicU8::new(AudioState::Starting as u8),
            played: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            restarts: Mutex::new(Restarts::default()),
            crash: AtomicBool::new(false),
        }
    }

    /// Locks the shared state. A panic while it was held cannot leave it inconsistent (every
    /// update is a single assignment or queue operation), so a poisoned lock is used as is
    /// rather than spreading the panic to the UI thread.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn state(&self) -> AudioState {
        if self.muted.load(Ordering::Relaxed) {
            AudioState::Muted
        } else {
            self.device_state()
        }
    }

    fn device_state(&self) -> AudioState {
        match self.device_state.load(Ordering::Relaxed) {
            x if x == AudioState::Idle as u8 => AudioState::Idle,
            x if x == AudioState::Playing as u8 => AudioState::Playing,
            x if x == AudioState::NoDevice as u8 => AudioState::NoDevice,
            _ => AudioState::Starting,
        }
    }

    fn set_device_state(&self, state: AudioState) {
        self.device_state.store(state as u8, Ordering::Relaxed);
    }

    fn shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    /// Waits `d` or until shutdown is requested; returns whether it is shutting down.
    fn sleep_unless_shutdown(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut inner = self.lock();
        loop {
            if self.shutting_down() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            inner = match self.wake.wait_timeout(inner, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Called from the device's thread when the stream fails.
    fn report_device_error(&self) {
        self.lock().device_error = true;
        self.wake.notify_all();
    }
}

#[cfg(test)]
mod tests;
