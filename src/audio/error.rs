//! Errors of the audio shell.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{what}: volume {value} is not between 0.0 and 1.0")]
    InvalidVolume { what: String, value: f32 },
    #[error("\"{0}\" is not a time of day as HH:MM (00:00–24:00)")]
    InvalidClockTime(String),
    #[error("queue_capacity must be at least 1")]
    ZeroQueueCapacity,
    #[error("cannot read sound file {path}: {source}")]
    ReadSound {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sound file {path} is {len} bytes, more than the {max} allowed")]
    SoundFileTooLarge { path: PathBuf, len: u64, max: u64 },
    #[error("cannot decode sound {name}: {message}")]
    DecodeSound { name: String, message: String },
    #[error("sound {name} lasts more than the {max} s allowed")]
    SoundTooLong { name: String, max: u32 },
    #[error("sound {name} is silent or empty")]
    SoundEmpty { name: String },
    #[error("no audio output device: {0}")]
    NoDevice(String),
}
