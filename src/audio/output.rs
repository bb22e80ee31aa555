//! The audio device: opening it, playing one sound to its end, noticing when it is gone.

use super::error::AudioError;
use super::sounds::Sound;
use rodio::{OutputStream, OutputStreamBuilder, Sink};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a playing sound is checked for its end, a device error or shutdown.
const POLL: Duration = Duration::from_millis(10);

/// A sound that has not finished this long after its length has passed is stuck: the device
/// stopped pulling samples without reporting an error (seen with unplugged USB speakers).
const STALL_MARGIN: Duration = Duration::from_secs(3);

/// How a [`Output::play`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayOutcome {
    /// Every sample was handed to the device.
    Finished,
    /// The device reported an error or stopped taking samples.
    DeviceLost,
    /// Shutdown was requested; the sound was stopped.
    Interrupted,
}

/// An open output stream with one sink that plays the queued sounds one at a time.
pub struct Output {
    // The sink must go before the stream: dropping the stream closes the device.
    sink: Sink,
    stream: OutputStream,
    failed: Arc<AtomicBool>,
}

impl Output {
    /// Opens the system's default output device. `on_error` is called from the device's own
    /// thread when the stream fails; cpal may call it in a tight loop, so it must be cheap.
    pub fn open<F>(on_error: F) -> Result<Output, AudioError>
    where
        F: Fn() + Clone + Send + 'static,
    {
        super::quiet_alsa_here();
        let failed = Arc::new(AtomicBool::new(false));
        let flag = failed.clone();
        let builder = OutputStreamBuilder::from_default_device()
            .map_err(|e| AudioError::NoDevice(e.to_string()))?
            .with_error_callback(move |_error: rodio::cpal::StreamError| {
                // Only the first error is passed on: a vanished ALSA device makes cpal report
                // the same error for every period, thousands of times a second.
                if !flag.swap(true, Ordering::SeqCst) {
                    on_error();
                }
            });
        let mut stream = builder.open_stream_or_fallback().map_err(|e| {
            #[cfg(target_os = "linux")]
            tracing::debug!(
                alsa_messages = super::alsa_quiet::swallowed(),
                "the ALSA library's own messages were not printed"
            );
            AudioError::NoDevice(e.to_string())
        })?;
        // The worker logs the stream's life itself; rodio's message on drop would only repeat it.
        stream.log_on_drop(false);
        let sink = Sink::connect_new(stream.mixer());
        let config = stream.config();
        tracing::debug!(
            channels = config.channel_count(),
            sample_rate = config.sample_rate(),
            format = ?config.sample_format(),
            "audio stream opened"
        );
        Ok(Output {
            sink,
            stream,
            failed,
        })
    }

    /// True once the device has reported an error; the output should then be dropped and
    /// opened again.
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Plays `sound` at `volume` and returns when all of it has been handed to the device, the
    /// device is lost, or `interrupted()` turns true.
    pub fn play(&self, sound: &Sound, volume: f32, interrupted: impl Fn() -> bool) -> PlayOutcome {
        self.sink.append(sound.source(volume));
        let deadline = Instant::now() + sound.duration() + STALL_MARGIN;
        loop {
            if self.sink.empty() {
                return PlayOutcome::Finished;
            }
            // `stop`, not `clear`: `clear` waits for the device to take the next samples, which
            // a lost device never does.
            if self.failed() || Instant::now() > deadline {
                self.sink.stop();
                return PlayOutcome::DeviceLost;
            }
            if interrupted() {
                self.sink.stop();
                return PlayOutcome::Interrupted;
            }
            std::thread::sleep(POLL);
        }
    }

    /// The stream's sample rate, for logs.
    pub fn sample_rate(&self) -> u32 {
        self.stream.config().sample_rate()
    }
}
