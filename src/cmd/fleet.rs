//! `tablica fleet`: every board of the city on one page (see src/fleet/).

use crate::fleet::{self, FleetList};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct FleetArgs {
    /// The list of displays (id, mall, address, token; see docs/DEPLOY.md).
    #[arg(long, value_name = "FILE")]
    pub displays: PathBuf,
    /// Where to serve the page (port 0 picks a free one; the address is printed).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:9470")]
    pub listen: SocketAddr,
    /// Poll every board once, print a table and exit: 1 when a board is unreachable or not
    /// connected during its opening hours, 0 otherwise.
    #[arg(long)]
    pub once: bool,
    /// Seconds between two polls of one board.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// Seconds a board has to answer /health (a screenshot gets three times as long).
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=120))]
    pub timeout: u64,
    /// Boards polled at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub concurrency: u64,
}

/// Exit status 2 for a list or address that cannot be used, 1 for a board that needs someone
/// (`--once`).
pub fn fleet_cli(args: FleetArgs) -> ExitCode {
    let list = match FleetList::load(&args.displays) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tablica fleet: {e}");
            return ExitCode::from(2);
        }
    };
    let options = fleet::Options {
        interval: Duration::from_secs(args.interval),
        concurrency: args.concurrency as usize,
        timeout: Duration::from_secs(args.timeout),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tablica fleet: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async move {
        if args.once {
            let (table, fails) = fleet::once(list, &options).await;
            print!("{table}");
            return if fails {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
        let (listener, local) = match fleet::server::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("tablica fleet: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        // On stdout, alone on its line, so that scripts (and tests) can pick the address up.
        println!("http://{local}/");
        eprintln!(
            "tablica fleet: watching {} displays from {}",
            list.displays.len(),
            args.displays.display()
        );
        fleet::run(list, listener, options).await;
        ExitCode::SUCCESS
    })
}
