//! The simulated queue system: a POM in a Rzeszów mall, served over protocol v1.
//!
//! - [`office`]: a pure, seeded model of the office's day on a virtual clock;
//! - [`script`]: JSON Lines replays of recorded streams;
//! - [`engine`]: numbers the events of either source and applies them to the authoritative
//!   [`Board`](crate::board::Board), whose snapshot is what displays get;
//! - the hub, pacer and server: the log of recent events, the broadcast, real-time pacing and
//!   the websocket listener, which can be stopped and restarted while the office carries on;
//! - [`Simulator`] / [`SimHandle`]: the in-process API; [`run_cli`]: `tablica simulate`.
//!
//! After 18:00 the office closes (waiting tickets are cancelled, counters finish their visit)
//! and the next opening day begins at 09:55 with `day.reset`; the night takes at most
//! [`SimConfig::max_gap`] of real time.

pub mod catalog;
mod cli;
pub mod engine;
pub(crate) mod hub;
pub mod office;
mod pacer;
mod random;
pub mod script;
pub(crate) mod server;
mod simulator;

pub use cli::{SimulateArgs, TOKEN_ENV, run_cli, today};
pub use engine::{Engine, Upcoming};
pub use office::{OfficeConfig, OfficeModel, Produced};
pub use script::{Script, ScriptError};
pub use server::ConnectionError;
pub use simulator::{SimConfig, SimError, SimHandle, SimSource, Simulator};
