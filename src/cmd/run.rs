//! `tablica run` (the board fed by a queue system) and `tablica demo` (the board fed by the
//! built-in simulator).

use super::Size;
use crate::app::{Clock, Core, WindowOptions, run_headless, run_window, run_window_supervised};
use crate::audio::{Chimes, SoundKind};
use crate::config::OutsideHours;
use crate::config::{self, Config};
use crate::deploy::{Supervisor, SupervisorOptions};
use crate::feed::{self, FeedConfig};
use crate::protocol::parse_events;
use crate::render::Turns;
use crate::scene::ClosedLook;
use crate::scene::overlay::Identity;
use crate::scene::{Link, OpeningHours, ShownClock, Status};
use crate::sim::{OfficeConfig, SimConfig, Simulator};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `tablica run` options.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The settings file (docs/DEPLOY.md); a missing default file means defaults.
    #[arg(long, value_name = "FILE", env = "TABLICA_CONFIG", default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// The queue system's websocket, e.g. ws://10.0.0.5:8765/ or wss://kolejka.example/ws
    /// [env: TABLICA_SERVER; config: server].
    #[arg(long)]
    pub server: Option<String>,
    /// A file holding the bearer token for the server.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// This display's id, sent to the server [default: tablica].
    #[arg(long)]
    pub display_id: Option<String>,
    /// The monitor for fullscreen: an output's name or an index from 0.
    #[arg(long)]
    pub monitor: Option<String>,
    /// The health endpoint's address (IP:PORT), or "off" [default: 127.0.0.1:9471].
    #[arg(long, value_name = "ADDR")]
    pub health: Option<String>,
    /// Extra CA certificates (PEM) for wss:// with an office's own certificate authority.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Show the board after a file of events instead of a live server.
    #[arg(long, value_name = "FILE.jsonl")]
    pub events: Option<PathBuf>,
    /// With --events: stop the board's clock at this moment (RFC 3339), so that the window shows
    /// exactly what `tablica render --events FILE --at TIME` draws (to check a display, or a
    /// layout at a given hour, against an offscreen render).
    #[arg(long, value_name = "TIME", requires = "events")]
    pub at: Option<String>,
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
    /// Chime volume, 0.0–1.0 [default: 1.0, or the config's audio.volume].
    #[arg(long)]
    pub volume: Option<f32>,
    /// Turn the picture clockwise for a monitor mounted in portrait: 0, 90, 180 or 270 [default:
    /// the config's rotation].
    #[arg(long, value_name = "DEGREES", value_parser = ["0", "90", "180", "270"])]
    pub rotation: Option<String>,
    /// Be the display over this counter (its id, or the label people read) instead of the
    /// waiting room's board [default: the config's board.counter].
    #[arg(long, value_name = "ID")]
    pub counter: Option<String>,
    /// The queue's page for phones, drawn as a QR code where the layout has a place for it
    /// [default: the config's board.queue_url].
    #[arg(long, value_name = "URL")]
    pub queue_url: Option<super::QueueUrl>,
}

impl ScreenArgs {
    /// The rotation asked for on the command line, else `configured` (in degrees).
    fn turns(&self, configured: u32) -> Turns {
        let degrees = self
            .rotation
            .as_deref()
            .and_then(|d| d.parse().ok())
            .unwrap_or(configured);
        Turns::from_degrees(degrees)
    }
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

fn core(
    screen: &ScreenArgs,
    always_open: bool,
    settings: &Config,
) -> Result<(Core, Arc<Chimes>), String> {
    let layout_path = screen.layout.clone().or_else(|| settings.layout.clone());
    let mut status = Status {
        hours: settings.hours.clone(),
        closed_look: match settings.outside_hours {
            OutsideHours::On => ClosedLook::Normal,
            OutsideHours::Dim => ClosedLook::Dim,
            OutsideHours::Off => ClosedLook::Black,
        },
        services_shown: settings.services.clone(),
        counter: screen
            .counter
            .clone()
            .or_else(|| settings.board.counter.clone()),
        // Encoded once here: the scene draws the same matrix every frame. The config's address
        // was checked when it was read (a bad one is reported and left unset), so it encodes.
        queue_qr: match &screen.queue_url {
            Some(u) => Some(u.0.clone()),
            None => settings
                .board
                .queue_url
                .as_deref()
                .and_then(|u| crate::scene::qr::QueueQr::encode(u).ok()),
        },
        ..Status::default()
    };
    // A counter display is silent unless the office wants it: the main board already chimes and
    // speaks every call, and a second sound from the desk would double it.
    let counter_silent = status.counter.is_some() && !settings.board.counter_sound;
    let loaded = match &layout_path {
        Some(path) if screen.layout.is_some() => Some(
            crate::layout_files::load_all(path)
                .map_err(|mut problems| problems.swap_remove(0).to_string())?,
        ),
        // A broken layout named in the installation's config must not stop the board (systemd
        // would restart it in a loop): the built-in layout, and the error on screen.
        Some(path) => match crate::layout_files::load_all(path) {
            Ok(l) => Some(l),
            Err(mut problems) => {
                let e = problems.swap_remove(0);
                tracing::error!("{e}; using the built-in layout");
                status.notices.push(e.to_string());
                None
            }
        },
        None => None,
    };
    // What spoils the look is on the board from the start, as after a live reload.
    if let (Some((layout, text)), Some(path)) = (&loaded, &layout_path) {
        for p in crate::layout_files::check::check_design(layout, text, path) {
            tracing::warn!("layout: {p}");
            status.design_notes.push(p.to_string());
        }
    }
    let mut layout = loaded.map(|(layout, _)| layout);
    // A counter display's layout on the waiting room's board would draw the board's sections
    // at their defaults: say so and use the built-in board until a counter is set.
    if status.counter.is_none()
        && let Some(l) = layout.as_ref().filter(|l| l.is_counter)
    {
        let message = format!(
            "{} is a counter display's layout; set --counter ID (or [board] counter) to use it",
            l.name
        );
        tracing::error!("{message}; using the built-in board");
        status.notices.push(message);
        layout = None;
    }
    if always_open || screen.always_open {
        status.hours = OpeningHours::always();
    }
    let mut core = Core::new(layout, status);
    core.layout_path = layout_path;
    let mut audio = settings.audio.clone();
    if let Some(v) = screen.volume {
        audio.volume = v.clamp(0.0, 1.0);
    }
    audio.muted |= screen.mute || counter_silent;
    let chimes = Arc::new(Chimes::start(audio));
    let sounds = chimes.clone();
    // Each call sounds when its turn on screen begins, so sound and blinking start together.
    core.set_sound(Box::new(move |call| {
        let kind = if call.recall {
            SoundKind::Recall
        } else {
            SoundKind::Call
        };
        sounds.play(kind, jiff::Timestamp::now());
    }));
    if counter_silent {
        tracing::info!(
            "a counter display: no chime or voice (board.counter_sound = true for them)"
        );
    } else if let Some(voice) = super::voice::call_voice(&settings.voice, chimes.clone()) {
        core.set_voice(voice);
    }
    Ok((core, chimes))
}

pub fn run_cli(args: RunArgs) -> ExitCode {
    super::exit_code("run", run(args))
}

fn run(args: RunArgs) -> Result<(), String> {
    let loaded = config::resolve(
        Some(args.config.as_path()).filter(|p| p.as_os_str() != config::DEFAULT_PATH),
        config::Flags {
            server: args.server.clone(),
            token_file: args.token_file.clone(),
            ca_file: args.ca_file.clone(),
            display_id: args.display_id.clone(),
            layout: None,
            monitor: args.monitor.clone(),
            health: args.health.clone(),
        },
        |name| std::env::var(name).ok(),
    );
    match &loaded.file {
        Some(f) => tracing::info!("settings from {}", f.display()),
        None => tracing::info!("no {}: default settings", config::DEFAULT_PATH),
    }
    for e in &loaded.errors {
        tracing::error!("config: {e}");
    }
    // Problems that last until a restart, for /health and the fault marker. What the feed
    // reads again before every attempt (token, CA) it reports itself, live; a broken layout is
    // on screen as a notice already.
    let mut problems: Vec<(String, String)> = loaded
        .errors
        .iter()
        .map(|e| ("config".to_owned(), e.to_string()))
        .collect();
    for u in config::usable::check(&loaded) {
        if matches!(u.kind, "no_server" | "display_id") {
            // No server is logged below, with the ways to set one.
            if u.kind == "display_id" {
                tracing::error!("config: {}", u.error);
            }
            problems.push((u.kind.to_owned(), u.error.to_string()));
        }
    }
    if args.events.is_some() {
        problems.retain(|(kind, _)| kind != "no_server");
    }
    let settings = loaded.config;
    let (mut core, chimes) = core(&args.screen, false, &settings)?;
    let mut clock = Clock::Running;
    if let Some(path) = &args.events {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let events = parse_events(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let at = args
            .at
            .as_deref()
            .map(|at| {
                crate::protocol::time::parse_rfc3339(at).map_err(|e| format!("--at {at}: {e}"))
            })
            .transpose()?;
        match (at, events.last()) {
            (Some(at), Some(last)) => {
                // As `tablica render --at` draws it: every event at its own time, the board
                // caught up to `at` as a display that ticked at every deadline would be, and
                // the clock stopped there.
                core.replay(&events, last.time);
                let ahead =
                    std::time::Duration::try_from(at.duration_since(last.time)).unwrap_or_default();
                let instant = std::time::Instant::now() + ahead;
                let mono = core.mono(instant);
                core.board.catch_up(at, mono);
                clock = Clock::Stopped {
                    wall: at,
                    at: instant,
                };
            }
            (Some(at), None) => clock = Clock::stopped_at(at),
            // Shown as if the events had just arrived: their calls are presented from now.
            (None, _) => core.replay(&events, jiff::Timestamp::now()),
        }
        if settings.server.is_none() {
            // A board shown from a file has no connection to lose.
            core.status.stale_after = jiff::SignedDuration::MAX;
        }
    }
    let feed_config = match &settings.server {
        Some(url) => {
            let mut c = FeedConfig::new(url.clone());
            // The token file is read by the feed before every connection attempt: a token
            // provisioned or rotated later is used without a restart. Until there is one the
            // board says "connecting", /health says why, and it keeps trying: better than a
            // service that fails to start until someone comes.
            match &settings.token_file {
                Some(path) => c.token_file = Some(path.clone()),
                None => {
                    c.token = std::env::var("TABLICA_TOKEN")
                        .ok()
                        .filter(|t| !t.trim().is_empty());
                }
            }
            c.display_id = settings.display_id.clone();
            c.ca_file = settings.ca_file.clone();
            c.services = settings.services.clone();
            Some(c)
        }
        None => {
            if args.events.is_none() {
                tracing::error!(
                    "no queue system configured: set `server` in {} (or --server, TABLICA_SERVER)",
                    args.config.display()
                );
                core.status.link = Link::Connecting;
            }
            None
        }
    };
    let options = WindowOptions {
        windowed: args.screen.windowed,
        size: args.screen.size.map(|s| (s.width, s.height)),
        monitor: settings.monitor.clone(),
        turns: args.screen.turns(settings.rotation.degrees()),
        retained_frame: settings.retained_frame,
        clock,
    };
    let supervisor = Supervisor::start(SupervisorOptions {
        health: settings.health,
        health_token_file: settings.health_token_file.clone(),
        display_id: settings.display_id.clone(),
        config_errors: loaded.errors.iter().map(|e| e.to_string()).collect(),
        problems,
        identity: Some(Identity {
            display_id: settings.display_id.clone(),
            host: crate::deploy::identity::host_name(),
            addresses: crate::deploy::identity::addresses(),
            version: format!("{} ({})", crate::health::VERSION, crate::health::GIT_COMMIT),
            server: settings.server.as_deref().map(config::public_url),
        }),
        identify_always: settings.identify,
        // A stopped clock makes the window a picture of one moment, to compare with an
        // offscreen render: the installer's card at start would only cover part of it.
        identify_at_start: if clock.is_stopped() {
            Duration::ZERO
        } else {
            crate::deploy::IDENTIFY_AFTER_START
        },
        pixel_shift: settings.pixel_shift,
        chimes: Some(chimes),
    });
    run_window_supervised(core, options, Some(supervisor), |waker| {
        feed_config.map(|c| feed::spawn(c, waker))
    })
    .map_err(|e| e.to_string())
}

pub fn demo_cli(args: DemoArgs) -> ExitCode {
    super::exit_code("demo", demo(args))
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
    // The demo speaks its calls: it is where an office first hears the board.
    let mut settings = Config::default();
    settings.voice.enabled = true;
    let (mut core, _chimes) = core(&args.screen, true, &settings)?;
    // The header shows the simulated office's time, and says so: calls stamped 11:40 under a
    // clock showing the real time would contradict each other.
    core.status.clock = ShownClock::Simulated {
        real_origin: jiff::Timestamp::now(),
        sim_origin: handle.virtual_now(),
        speed: args.speed,
    };
    let feed_config = FeedConfig::new(url);
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let result = if has_display {
        let options = WindowOptions {
            windowed: args.screen.windowed,
            size: args.screen.size.map(|s| (s.width, s.height)),
            monitor: None,
            turns: args.screen.turns(0),
            retained_frame: true,
            clock: Clock::Running,
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
