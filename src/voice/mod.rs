//! Spoken calls: "numer A siedemnaście, stanowisko trzy" after the chime.
//!
//! [`numerals`] turns labels into Polish words and [`phrase`] puts them into the pack's phrase
//! templates; both are pure. [`pack`] loads a voice pack (a folder of one clip per word) and
//! renders a call into one mono buffer; [`timing`] says when the words are heard and how long
//! the call's turn on screen lasts for them. See docs/VOICE.md.

pub mod config;
pub mod numerals;
pub mod pack;
pub mod phrase;
pub mod timing;

pub use config::VoiceConfig;
pub use phrase::{Item, Phrases, Template, TemplateError};

/// The file name (without extension) of a word's clip: the word in lower case with each Polish
/// letter written as ASCII, so that a pack can be copied through any file system, zip tool or
/// e-mail: ą→`a_`, ć→`c_`, ę→`e_`, ł→`l_`, ń→`n_`, ó→`o_`, ś→`s_`, ż→`z_`, and ź→`zi_` (it sounds
/// like "zi"), e.g. "siedemnaście" → `siedemnas_cie`, "żet" → `z_et`. The mapping is one-to-one
/// because words never contain `_`; any other non-ASCII letter becomes `u` and its code point in
/// hex followed by `_` (ü → `u00fc_`).
pub fn clip_stem(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 4);
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ą' => out.push_str("a_"),
            'ć' => out.push_str("c_"),
            'ę' => out.push_str("e_"),
            'ł' => out.push_str("l_"),
            'ń' => out.push_str("n_"),
            'ó' => out.push_str("o_"),
            'ś' => out.push_str("s_"),
            'ż' => out.push_str("z_"),
            'ź' => out.push_str("zi_"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            c => out.push_str(&format!("u{:04x}_", u32::from(c))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_names_are_ascii_and_distinct() {
        assert_eq!(clip_stem("siedemnaście"), "siedemnas_cie");
        assert_eq!(clip_stem("żet"), "z_et");
        assert_eq!(clip_stem("ziet"), "ziet");
        assert_eq!(clip_stem("eł"), "el_");
        assert_eq!(clip_stem("el"), "el");
        assert_eq!(clip_stem("Numer"), "numer");
        assert_eq!(clip_stem("źż"), "zi_z_");
        assert_eq!(clip_stem("ü"), "u00fc_");
        let vocab = Phrases::default().vocabulary();
        let mut stems: Vec<String> = vocab.iter().map(|w| clip_stem(w)).collect();
        assert!(stems.iter().all(|s| s.is_ascii()));
        stems.sort();
        stems.dedup();
        assert_eq!(stems.len(), vocab.len(), "two words share a file name");
    }
}
