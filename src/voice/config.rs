//! The `[voice]` section of the settings: whether calls are spoken, with which pack, how loud.

use super::pack::{PackError, PackSpec};
use std::path::PathBuf;

/// Spoken calls. Off unless switched on: the shipped config and the demo switch it on, and an
/// office without sound (some mall offices) simply leaves it off.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoiceConfig {
    pub enabled: bool,
    /// The voice pack's folder; `None` is the built-in Polish pack.
    pub pack: Option<PathBuf>,
    /// The voice's volume, 0.0–1.0, relative to the chime's: the `[audio]` master volume, quiet
    /// periods and muting apply to the voice too.
    pub volume: f32,
    /// Whether a recall is spoken as well ("ponownie numer …").
    pub recall: bool,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig {
            enabled: false,
            pack: None,
            volume: 1.0,
            recall: true,
        }
    }
}

/// A `[voice]` section that cannot be used as written.
#[derive(Debug, thiserror::Error)]
pub enum VoiceConfigError {
    #[error("volume {0} is not between 0.0 and 1.0")]
    Volume(f32),
    #[error("{0}")]
    Pack(#[from] PackError),
}

impl VoiceConfig {
    /// Checks the volume and, when a pack is named, that its `voice.toml` reads (the clips are
    /// checked by `tablica voice check`, which takes longer).
    pub fn validate(&self) -> Result<(), VoiceConfigError> {
        if !(0.0..=1.0).contains(&self.volume) {
            return Err(VoiceConfigError::Volume(self.volume));
        }
        if let Some(dir) = &self.pack {
            PackSpec::read(dir)?;
        }
        Ok(())
    }

    /// The voice's volume as a factor of the chime's: clamped, and NaN is silent.
    pub fn volume_factor(&self) -> f32 {
        if self.volume.is_nan() {
            0.0
        } else {
            self.volume.clamp(0.0, 1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_from_toml_with_defaults() {
        let c: VoiceConfig = toml::from_str("").unwrap();
        assert_eq!(c, VoiceConfig::default());
        assert!(!c.enabled && c.recall && c.volume == 1.0);
        let c: VoiceConfig =
            toml::from_str("enabled = true\nvolume = 0.7\nrecall = false\npack = \"/x\"\n")
                .unwrap();
        assert!(c.enabled && !c.recall);
        assert_eq!(c.volume_factor(), 0.7);
        assert_eq!(c.pack.as_deref(), Some(std::path::Path::new("/x")));
        assert!(toml::from_str::<VoiceConfig>("speed = 2").is_err());
    }

    #[test]
    fn validation_names_the_mistake() {
        let bad = VoiceConfig {
            volume: 1.5,
            ..VoiceConfig::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("1.5"));
        let missing = VoiceConfig {
            pack: Some("/nonexistent/pack".into()),
            ..VoiceConfig::default()
        };
        assert!(
            missing
                .validate()
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/pack/voice.toml")
        );
        assert!(VoiceConfig::default().validate().is_ok());
        let nan = VoiceConfig {
            volume: f32::NAN,
            ..VoiceConfig::default()
        };
        assert_eq!(nan.volume_factor(), 0.0);
    }
}
