//! The `tablica` command: the board, its simulator and the designers' tools.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tablica",
    version,
    about = "Waiting-room queue display for resident-service points"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a simulated queue system: a websocket server speaking protocol v1.
    Simulate(tablica::sim::SimulateArgs),
    /// The board, fullscreen, fed by the queue system.
    Run(tablica::cmd::run::RunArgs),
    /// The board fed by a built-in simulated service point (no server needed).
    Demo(tablica::cmd::run::DemoArgs),
    /// Renders the board after a file of events (or a built-in scenario) to a PNG.
    Render(tablica::cmd::render::RenderArgs),
    /// Checks a layout file and everything it references.
    Check(tablica::cmd::check::CheckArgs),
    /// Renders every scenario with a layout to PNGs, for designers.
    Preview(tablica::cmd::render::PreviewArgs),
}

fn main() -> ExitCode {
    // tungstenite logs the whole upgrade request, bearer token included, at trace level: cap it
    // whatever RUST_LOG says, so that a token never reaches a log file.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
        .add_directive("tungstenite=debug".parse().expect("valid directive"))
        .add_directive("tokio_tungstenite=debug".parse().expect("valid directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Simulate(args) => tablica::sim::run_cli(args),
        Command::Run(args) => tablica::cmd::run::run_cli(args),
        Command::Demo(args) => tablica::cmd::run::demo_cli(args),
        Command::Render(args) => tablica::cmd::render::render_cli(args),
        Command::Check(args) => tablica::cmd::check::check_cli(args),
        Command::Preview(args) => tablica::cmd::render::preview_cli(args),
    }
}
