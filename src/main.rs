//! The `tablica` command: the board, its simulator and the designers' tools.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `0.1.0 (3f2a9c1)`: the commit tells which build a screen runs when versions are equal.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("TABLICA_GIT_COMMIT"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "tablica",
    version = VERSION,
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
    /// Serve boards from a queue system that only publishes a JSON status page.
    Bridge(tablica::bridge::BridgeArgs),
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
    /// Checks the settings: prints those in force and every mistake (exit status 1 if any).
    Config(ConfigArgs),
    /// Voice packs for spoken calls: build the built-in one, check one, list the words to record.
    Voice(tablica::cmd::voice::VoiceArgs),
    /// Says a call as the board would (`say A017 3`), or writes it to a WAV file with --out.
    Say(tablica::cmd::voice::SayArgs),
    /// Watches every display of the city: one web page of screenshots and states.
    Fleet(tablica::cmd::fleet::FleetArgs),
}

#[derive(clap::Args)]
struct ConfigArgs {
    /// The settings file.
    #[arg(long, value_name = "FILE", env = "TABLICA_CONFIG", default_value = tablica::config::DEFAULT_PATH)]
    config: PathBuf,
    /// Print only this key's value (`rotation` prints the degrees, `health` the address).
    #[arg(long)]
    get: Option<String>,
}

fn config_cli(args: ConfigArgs) -> ExitCode {
    use tablica::config;
    let path = Some(args.config.as_path()).filter(|p| p.as_os_str() != config::DEFAULT_PATH);
    let mut loaded = config::resolve(path, config::Flags::default(), |n| std::env::var(n).ok());
    // The whole check (files named, server set) only when asked for the settings as a whole:
    // `--get` serves the kiosk session, which must start even before the board is set up.
    if args.get.is_none() {
        let unusable = config::usable::check(&loaded);
        loaded.errors.extend(unusable.into_iter().map(|u| u.error));
    }
    for e in &loaded.errors {
        eprintln!("{e}");
    }
    let c = &loaded.config;
    match args.get.as_deref() {
        None => {
            match &loaded.file {
                Some(f) => println!("# settings in force, from {}", f.display()),
                None => println!("# {} does not exist: defaults", config::DEFAULT_PATH),
            }
            print!("{}", c.to_toml());
        }
        Some("rotation") => println!("{}", c.rotation.degrees()),
        Some("health") => println!(
            "{}",
            c.health.map_or_else(|| "off".to_owned(), |a| a.to_string())
        ),
        Some(other) => {
            eprintln!("--get knows rotation and health, not `{other}`");
            return ExitCode::from(2);
        }
    }
    if loaded.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The log without `RUST_LOG`: the board's own INFO lines, dependencies' warnings and errors,
/// except wgpu's EGL probe: on a machine where the GL fallback cannot start (no GPU, Vulkan in
/// use) it logs an ERROR on every start that is no fault of the board's. Should GL be the only
/// backend and fail, the board's own "no graphics adapter" error says so.
const DEFAULT_LOG: &str = "warn,tablica=info,wgpu_hal::gles::egl=off";

/// Logs to stderr (the journal), filtered by `RUST_LOG` and, whatever it says, by
/// [`tablica::feed::log_allowed`]: tungstenite logs the upgrade request, bearer token included,
/// at TRACE, so the network libraries are capped by a filter of their own that no directive can
/// lift (a directive added to `RUST_LOG`'s filter could be overridden by a more specific one, and
/// would raise those libraries above the default). Colours only on a terminal.
fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    let cap = filter_fn(|meta| tablica::feed::log_allowed(meta.target(), meta.level()));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_filter(env.and(cap));
    tracing_subscriber::registry().with(output).init();
}

/// Keeps Mesa's Vulkan device-selection layer from probing for a Wayland compositor where there
/// can be none: with no `XDG_RUNTIME_DIR` (Xvfb, an SSH session, a test) libwayland prints "error:
/// XDG_RUNTIME_DIR is invalid or not set" twice on every start, which reads as a fault in the
/// journal and to designers running `preview`. The layer only reorders GPUs to put the one
/// driving the display first; wgpu already prefers a real GPU over the software one.
fn quiet_wayland_probe() {
    let runtime_dir =
        std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| std::path::Path::new(&d).is_dir());
    if !runtime_dir
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
        && std::env::var_os("NODEVICE_SELECT").is_none()
    {
        // SAFETY: called first thing in main, before any thread exists that could read the
        // environment at the same time.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
    }
}

fn main() -> ExitCode {
    quiet_wayland_probe();
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        Command::Simulate(args) => tablica::sim::run_cli(args),
        Command::Bridge(args) => tablica::bridge::run_cli(args),
        Command::Run(args) => tablica::cmd::run::run_cli(args),
        Command::Demo(args) => tablica::cmd::run::demo_cli(args),
        Command::Render(args) => tablica::cmd::render::render_cli(args),
        Command::Check(args) => tablica::cmd::check::check_cli(args),
        Command::Preview(args) => tablica::cmd::render::preview_cli(args),
        Command::Config(args) => config_cli(args),
        Command::Voice(args) => tablica::cmd::voice::voice_cli(args),
        Command::Say(args) => tablica::cmd::voice::say_cli(args),
        Command::Fleet(args) => tablica::cmd::fleet::fleet_cli(args),
    }
}
