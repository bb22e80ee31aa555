//! The fleet view: every board of the city on one page, from one desk.
//!
//! `tablica fleet --displays displays.toml` polls each board's health endpoint (`/health` and
//! `/screenshot.png`, with the board's bearer token when it listens on the office network) and
//! serves one page: a grid of the screenshots with each board's state, problems first, refreshed
//! by itself. Browsers only ever talk to the fleet server, which answers from its cache, so the
//! number of people watching never adds load on the boards. `--once` polls every board once,
//! prints the same as a table and says by its exit status whether a board needs someone.
//!
//! Parts: [`list`] reads displays.toml, [`state`] turns a board's /health answer into what the
//! page shows and sorts boards by how urgently they need someone (pure: time is passed in),
//! [`client`] is the small HTTP client that polls, [`page`] writes the HTML and the table, and
//! [`server`] runs the polling and serves the page. Everything is bounded: at most
//! [`list::MAX_DISPLAYS`] boards, one screenshot of at most [`client::MAX_SCREENSHOT`] bytes kept
//! per board, a fixed number of polls at once, a timeout on each.

pub mod client;
pub mod list;
pub mod page;
pub mod server;
pub mod state;

pub use list::{Display, FleetList, ListError, Token};
pub use server::{Options, once, run};
pub use state::{Health, Level, Observed, Verdict};
