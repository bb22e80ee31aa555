//! `tablica bridge`: the bridge as a command.

use super::mapping::{Mapping, MappingError};
use super::run::{Bridge, BridgeConfig, BridgeError, SourceKind};
use crate::protocol::Office;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Which parser reads the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// Warsaw's office-queue page (api.um.warszawa.pl, wsstore_get).
    Warsaw,
    /// Any JSON page, described by --map FILE.toml.
    Json,
}

/// `tablica bridge` options.
#[derive(Debug, Clone, clap::Args)]
pub struct BridgeArgs {
    /// How to read the page.
    #[arg(long, value_enum)]
    pub source: SourceArg,
    /// The status page (http:// or https://).
    #[arg(long)]
    pub url: String,
    /// Where displays connect (their `server` is ws://THIS/).
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,
    /// Seconds between polls.
    #[arg(long, value_name = "S", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// The office's name on the boards.
    #[arg(long, value_name = "NAME", default_value = "Urząd")]
    pub office_name: String,
    /// The mapping of a `--source json` page (see examples/bridge/warsaw.toml).
    #[arg(long, value_name = "FILE.toml")]
    pub map: Option<PathBuf>,
    /// Seconds the page may fail before displays show that the data is not current.
    #[arg(long, value_name = "S", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub grace: u64,
    /// Seconds one poll may take.
    #[arg(long, value_name = "S", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Serve the bridge's /health here (e.g. 127.0.0.1:9472).
    #[arg(long, value_name = "ADDR")]
    pub health: Option<SocketAddr>,
    /// Require `Authorization: Bearer <token>` from displays, with the token in this file (the
    /// boards' `token_file`).
    #[arg(long, value_name = "F")]
    pub token_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("--source json needs --map FILE.toml")]
    NoMap,
    #[error("--map is for --source json; --source warsaw has its parser built in")]
    MapWithWarsaw,
    #[error("--url must start with http:// or https://")]
    Url,
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Token(#[from] crate::feed::TokenError),
    #[error(transparent)]
    Start(#[from] BridgeError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(#[source] std::io::Error),
}

/// Runs the bridge until Ctrl-C.
pub fn run_cli(args: BridgeArgs) -> ExitCode {
    crate::cmd::exit_code("bridge", run(args))
}

fn run(args: BridgeArgs) -> Result<(), CliError> {
    let config = config(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let handle = Bridge::start(config).await?;
        println!("{}", handle.url());
        tokio::signal::ctrl_c().await.map_err(CliError::Signal)?;
        tracing::info!("Ctrl-C: shutting down");
        handle.shutdown().await;
        Ok(())
    })
}

fn config(args: &BridgeArgs) -> Result<BridgeConfig, CliError> {
    let source = match (args.source, &args.map) {
        (SourceArg::Warsaw, None) => SourceKind::Warsaw,
        (SourceArg::Warsaw, Some(_)) => return Err(CliError::MapWithWarsaw),
        (SourceArg::Json, Some(path)) => SourceKind::Json(Box::new(Mapping::load(path)?)),
        (SourceArg::Json, None) => return Err(CliError::NoMap),
    };
    let lower = args.url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(CliError::Url);
    }
    let mut config = BridgeConfig::new(&args.url, source);
    config.listen = args.listen;
    config.interval = Duration::from_secs(args.interval);
    config.grace = Duration::from_secs(args.grace);
    config.timeout = Duration::from_secs(args.timeout);
    config.health = args.health;
    config.token = match &args.token_file {
        Some(path) => Some(crate::feed::read_token_file(path)?),
        None => None,
    };
    config.office = Office {
        id: "urzad".into(),
        name: args.office_name.trim().to_owned(),
    };
    Ok(config)
}
