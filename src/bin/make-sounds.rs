//! Writes the built-in sounds to assets/sounds/ (`cargo run --bin make-sounds`).
//!
//! The files are committed and embedded into the binary; this program is how they were made.
//! Run it again after changing `tablica::audio::synth`; a unit test fails while the committed
//! files and the synthesis disagree.

use std::path::Path;
use tablica::audio::synth;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/sounds");
    std::fs::create_dir_all(&dir)?;
    for (name, samples) in [
        ("chime.wav", synth::chime()),
        ("recall.wav", synth::recall()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, synth::encode_wav(&samples, synth::SAMPLE_RATE))?;
        println!(
            "{}: {:.2} s",
            path.display(),
            samples.len() as f64 / f64::from(synth::SAMPLE_RATE)
        );
    }
    Ok(())
}
