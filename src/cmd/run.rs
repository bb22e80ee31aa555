//! `tablica run` (the board fed by a queue system) and `tablica demo` (the board fed by the
//! built-in simulator).

use super::Size;
use crate::app::{Core, WindowOptions, run_headless, run_window};
use crate::audio::{AudioConfig, Chimes, SoundKind};
use crate::feed::{self, FeedConfig};
use crate::layout::Layout;
use crate::protocol::parse_events;
use crate::scene::{OpeningHours, Status};
use crate::sim::{OfficeConfig, SimConfig, Simulator};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// `tablica run` options.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The queue system's websocket, e.g. ws://10.0.0.5:8765/ or wss://kolejka.example/ws.
    #[arg(long, env = "TABLICA_SERVER", required_unless_present = "events")]
    pub server: Option<String>,
    /// A file holding the bearer token for the server.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// This display's id, sent to the server.
    #[arg(long, env = "TABLICA_DISPLAY_ID", default_value = "tablica")]
    pub display_id: String,
    /// Extra CA certificates (PEM) for wss:// with an office's own certificate authority.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Show the board after a file of events instead of a live server.
    #[arg(long, value_name = "FILE.jsonl")]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// Options of the picture shared by `run` and `demo`.
#[derive(Debug, clap::Args)]
pub struct ScreenArgs {
    /// A layout file (default: the built-in layout for the screen's orientation).
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    /// A normal window instead of fullscreen.
    #[arg(long)]
    pub windowed: bool,
    /// Window size (fullscreen uses the monitor's).
    #[arg(long, value_name = "WxH")]
    pub size: Option<Size>,
    /// Ignore opening hours (never show the closed screen).
    #[arg(long)]
    pub always_open: bool,
    /// No chime.
    #[arg(long)]
    pub mute: bool,
    /// Chime volume, 0.0–1.0.
    #[arg(long, default_value_t = 1.0)]
    pub volume: f32,
}

/// `tablica demo` options.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 20.0)]
    pub speed: f64,
    /// Seed of the simulated day.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Without a display: where to write the board's PNG.
    #[arg(long, default_value = "demo-out/board.png")]
    pub out: PathBuf,
    /// Stop after this many seconds (default: run until closed).
    #[arg(long)]
    pub seconds: Option<u64>,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

fn core(screen: &ScreenArgs, always_open: bool) -> Result<Core, String> {
    let layout = match &screen.layout {
        Some(path) => Some(Layout::load(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let mut status = Status::default();
    if always_open || screen.always_open {
        status.hours = OpeningHours::always();
    }
    let mut core = Core::new(layout, status);
    core.layout_path = screen.layout.clone();
    let chimes = Chimes::start(AudioConfig {
        volume: screen.volume.clamp(0.0, 1.0),
        muted: screen.mute,
        ..AudioConfig::default()
    });
    // Each call sounds when its turn on screen begins, so sound and blinking start together.
    core.set_sound(Box::new(move |call| {
        let kind = if call.recall {
            SoundKind::Recall
        } else {
            SoundKind::Call
        };
        chimes.play(kind, jiff::Timestamp::now());
    }));
    Ok(core)
}

fn read_token(path: &Option<PathBuf>) -> Result<Option<String>, String> {
    let Some(path) = path else {
        return Ok(std::env::var("TABLICA_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("the token file {} is empty", path.display()));
    }
    Ok(Some(token.to_owned()))
}

pub fn run_cli(args: RunArgs) -> ExitCode {
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tablica run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: RunArgs) -> Result<(), String> {
    let mut core = core(&args.screen, false)?;
    if let Some(path) = &args.events {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let events = parse_events(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        core.replay(&events, jiff::Timestamp::now());
        if args.server.is_none() {
            // A board shown from a file has no connection to lose.
            core.status.stale_after = jiff::SignedDuration::MAX;
        }
    }
    let feed_config = match &args.server {
        Some(url) => {
            let mut c = FeedConfig::new(url.clone());
            c.token = read_token(&args.token_file)?;
            c.display_id = args.display_id.clone();
            c.ca_file = args.ca_file.clone();
            Some(c)
        }
        None => None,
    };
    let options = WindowOptions {
        windowed: args.screen.windowed,
        size: args.screen.size.map(|s| (s.width, s.height)),
    };
    run_window(core, options, |waker| {
        feed_config.map(|c| feed::spawn(c, waker))
    })
    .map_err(|e| e.to_string())
}

pub fn demo_cli(args: DemoArgs) -> ExitCode {
    match demo(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tablica demo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo(args: DemoArgs) -> Result<(), String> {
    // The simulator runs on its own runtime in the background, as a real server would.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let today = crate::sim::today();
    let start = jiff::civil::DateTime::from_parts(today, jiff::civil::time(9, 59, 0, 0));
    let mut config = SimConfig::office(OfficeConfig::new(args.seed, start));
    config.speed = args.speed;
    // Open on a busy late morning rather than on an empty hall at opening time.
    config.warm_up_until =
        jiff::civil::DateTime::from_parts(today, jiff::civil::time(11, 40, 0, 0))
            .to_zoned_datetime(crate::protocol::time::warsaw())
            .ok()
            .map(|z| z.timestamp());
    let handle = runtime
        .block_on(Simulator::start(config))
        .map_err(|e| e.to_string())?;
    let url = handle.url().ok_or("the simulator is not listening")?;
    eprintln!("Simulated service point at {url} (speed ×{})", args.speed);
    let core = core(&args.screen, true)?;
    let feed_config = FeedConfig::new(url);
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let result = if has_display {
        let options = WindowOptions {
            windowed: args.screen.windowed,
            size: args.screen.size.map(|s| (s.width, s.height)),
        };
        let seconds = args.seconds;
        run_window(core, options, move |waker| {
            if let Some(s) = seconds {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_secs(s));
                    std::process::exit(0);
                });
            }
            Some(feed::spawn(feed_config, waker))
        })
        .map_err(|e| e.to_string())
    } else {
        let size = args.screen.size.unwrap_or(Size {
            width: 1920,
            height: 1080,
        });
        eprintln!(
            "No display here (DISPLAY and WAYLAND_DISPLAY are unset): rendering the board to {} \
             every 3 seconds instead.",
            args.out.display()
        );
        let mut first = true;
        run_headless(
            core,
            &args.out,
            (size.width, size.height),
            Duration::from_secs(3),
            args.seconds.map(Duration::from_secs),
            |waker| Some(feed::spawn(feed_config, waker)),
            |path| {
                if first {
                    println!("{}", path.display());
                    first = false;
                }
            },
        )
    };
    runtime.block_on(handle.shutdown());
    result
}
