//! `tablica bridge`: boards for queue systems that only publish a status page.
//!
//! The bridge polls a page (HTTP or HTTPS) that shows an office's queues as JSON, turns each
//! change between two polls into protocol v1 events, and serves them to any number of displays
//! with the simulator's own server (snapshot, resume, heartbeats, streams: `sim::hub` and
//! `sim::server`), so a display cannot tell a bridge from a queue system that pushes events.
//!
//! - [`source`]: fetching the page (timeouts, size limit, conditional requests);
//! - [`warsaw`]: the built-in parser of Warsaw's office-queue page;
//! - [`mapping`]: any other page, described by a mapping file of JSON Pointers;
//! - [`state`]: one poll's view of the office, read alike by both parsers;
//! - [`diff`]: from two polls to events;
//! - [`health`]: the bridge's own `/health`;
//! - [`run`] ([`Bridge`]) and [`cli`]: the poll loop and the command.
//!
//! When the page fails (HTTP errors, timeouts, invalid JSON, a refusal) the bridge keeps its last
//! state; once the failures have lasted longer than the grace period it stops vouching for that
//! state: displays are disconnected at their next heartbeat and refused (HTTP 503) until the page
//! answers again, so each shows its offline banner over the last numbers instead of a board that
//! looks live but is frozen.

pub mod cli;
pub mod diff;
pub mod health;
pub mod mapping;
pub mod run;
pub mod source;
pub mod state;
pub mod warsaw;

pub use cli::{BridgeArgs, run_cli};
pub use mapping::Mapping;
pub use run::{Bridge, BridgeConfig, BridgeError, BridgeHandle, BridgeStatus, SourceKind};
pub use state::OfficeState;

/// Why a page's body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("the page refused: {0}")]
    Refused(String),
    #[error("unexpected shape: {0}")]
    Shape(String),
}

impl SourceError {
    /// A short name for logs and /health.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceError::Json(_) => "invalid_json",
            SourceError::Refused(_) => "refused",
            SourceError::Shape(_) => "unexpected_shape",
        }
    }
}
