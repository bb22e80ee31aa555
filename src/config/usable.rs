//! Whether the settings can work: what `tablica config` checks beyond each key's own form.
//!
//! A key can be well written and still stop the board: a token file that is not there, a CA
//! file that is not PEM, a layout that does not load, no server at all. `tablica run` starts
//! anyway (the board says on screen and on /health what is wrong, and the feed reads the token
//! and CA again before each attempt, so fixing a file needs no restart), but the technician who
//! runs `tablica config` before leaving must hear about every one of them, at the place where
//! the setting is written.

use super::{ConfigError, DEFAULT_PATH, Loaded, Origin};
use crate::feed::read_token_file;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use std::path::Path;

/// The `display_id` a board has when nobody named it.
pub const DEFAULT_DISPLAY_ID: &str = "tablica";

/// What `kind` a problem is, for /health and /metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// `no_server`, `token_missing`, `token_empty`, `token_unreadable`, `token_invalid`,
    /// `ca_file`, `layout` or `display_id`.
    pub kind: &'static str,
    pub error: ConfigError,
}

/// Every setting in `loaded` that will stop the board from showing the queue, each located
/// where it is written (the file's line, the variable, the flag). Reads the files the settings
/// name, so call it where I/O is fine (`tablica config`, start-up).
pub fn check(loaded: &Loaded) -> Vec<Unusable> {
    let c = &loaded.config;
    let mut out = Vec::new();
    let origin = |key: &'static str| {
        loaded.origins.get(key).cloned().unwrap_or_else(|| Origin {
            source: loaded
                .file
                .as_ref()
                .map_or_else(|| DEFAULT_PATH.to_owned(), |f| f.display().to_string()),
            line: 0,
            column: 0,
            key: key.to_owned(),
        })
    };
    let mut push = |kind, error| out.push(Unusable { kind, error });
    if c.server.is_none() {
        push(
            "no_server",
            origin("server").error(
                "not set, so the board can show no queue; set server = \"wss://HOST/PATH\" (or \
                 \"ws://HOST:PORT/\") to the queue system's address"
                    .into(),
            ),
        );
    }
    if let Some(path) = &c.token_file
        && let Err(e) = read_token_file(path)
    {
        push(e.kind(), origin("token_file").error(e.to_string()));
    }
    if let Some(path) = &c.ca_file
        && let Err(m) = check_ca(path)
    {
        push("ca_file", origin("ca_file").error(m));
    }
    if let Some(path) = &c.layout
        && let Err(e) = crate::layout_files::load(path)
    {
        push(
            "layout",
            origin("layout").error(format!("the layout does not load: {e}")),
        );
    }
    // A pack of the office's own lektor that cannot say a call would leave the board silent
    // where residents expect to hear their number: the clips a call needs must all be there.
    if c.voice.enabled
        && let Some(dir) = &c.voice.pack
    {
        let problem = match crate::voice::pack::VoicePack::load(dir) {
            Err(e) => Some(format!(
                "the voice pack {} does not load: {e}",
                dir.display()
            )),
            Ok((_, problems)) => {
                let unusable: Vec<String> = problems
                    .iter()
                    .filter(|p| !matches!(p.fault, crate::voice::pack::ClipFault::Clipped { .. }))
                    .map(ToString::to_string)
                    .collect();
                (!unusable.is_empty()).then(|| {
                    format!(
                        "the voice pack {} cannot say every call ({}); `tablica voice check {}` \
                         lists what to record",
                        dir.display(),
                        unusable.join("; "),
                        dir.display()
                    )
                })
            }
        };
        if let Some(problem) = problem {
            push("voice_pack", origin("voice").error(problem));
        }
    }
    // A board cannot know whether it is the only display at its queue system, so the rule is
    // simple: with a server set, the display must be named. The id is what the queue system,
    // /health and the fleet view tell displays apart by; two boards both called "tablica" are
    // one display to all of them.
    if c.server.is_some() && c.display_id == DEFAULT_DISPLAY_ID {
        push(
            "display_id",
            origin("display_id").error(format!(
                "still the default \"{DEFAULT_DISPLAY_ID}\"; give each display its own name, \
                 e.g. display_id = \"galeria-1\""
            )),
        );
    }
    out
}

/// The CA file holds at least one PEM certificate that parses.
fn check_ca(path: &Path) -> Result<(), String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // A CA bundle is a few hundred kilobytes at most; anything larger is the wrong file.
    if !meta.is_file() || meta.len() > 4 * 1024 * 1024 {
        return Err(format!("{shown} is not a PEM certificate file"));
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{shown} is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "{shown} holds no certificate (no -----BEGIN CERTIFICATE----- block)"
        ));
    }
    let mut roots = rustls::RootCertStore::empty();
    for (i, cert) in certs.into_iter().enumerate() {
        roots
            .add(cert)
            .map_err(|e| format!("certificate {} in {shown} does not load: {e}", i + 1))?;
    }
    Ok(())
}
