//! The simulated resident-service point (placeholder; see issue 2).

use std::process::ExitCode;

/// `tablica simulate` options.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {}

pub fn run_cli(_args: SimulateArgs) -> ExitCode {
    ExitCode::FAILURE
}
