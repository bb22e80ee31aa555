//! `tablica render` and `tablica preview`: boards as PNG files, no display needed.

use super::Size;
use crate::app::renderer_for;
use crate::board::{Board, Mono};
use crate::layout::Layout;
use crate::protocol::{parse_events, time::parse_rfc3339};
use crate::render::{Gpu, OFFSCREEN_FORMAT, Renderer, render_to_image, save_png};
use crate::scenarios;
use crate::scene::{self, OpeningHours, Status};
use image::RgbaImage;
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `tablica render` options.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// A JSON Lines file of wire events (docs/PROTOCOL.md) to apply, in order.
    #[arg(long, value_name = "FILE.jsonl", required_unless_present = "scenario")]
    pub events: Option<PathBuf>,
    /// A built-in scenario instead of an events file (quiet, busy, burst, recall, booked, no-counter,
    /// offline, closed, long-names, connecting, ukrainian).
    #[arg(long, conflicts_with = "events")]
    pub scenario: Option<String>,
    /// The moment to show, RFC 3339 (default: the time of the last event).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A layout file (default: the built-in layout for the size's orientation).
    #[arg(long, value_name = "FILE")]
    pub layout: Option<PathBuf>,
    #[arg(long, default_value = "1920x1080", value_name = "WxH")]
    pub size: Size,
    /// Ignore opening hours (never show the closed screen).
    #[arg(long)]
    pub always_open: bool,
    /// Where to write the PNG.
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    /// Draw the display of this counter (its id) instead of the board.
    #[arg(long, value_name = "ID")]
    pub counter: Option<String>,
    /// The queue's page for phones, drawn as a QR code where the layout has a place for it
    /// (the config's `[board] queue_url`).
    #[arg(long, value_name = "URL")]
    pub queue_url: Option<super::QueueUrl>,
}

/// `tablica preview` options.
#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// The layout file to preview (default: the built-in layouts).
    pub layout: Option<PathBuf>,
    /// A scenario name, or `all` for every scenario and a contact sheet.
    #[arg(long, default_value = "all")]
    pub scenario: String,
    /// Screen sizes, comma-separated (default: the layout file's own orientation, 1920x1080 or
    /// 1080x1920; both for the built-in layouts).
    #[arg(long, value_delimiter = ',')]
    pub size: Vec<Size>,
    /// Folder for the PNGs.
    #[arg(long, default_value = "preview")]
    pub out: PathBuf,
    /// Draw the display of this counter (its id) instead of the board.
    #[arg(long, value_name = "ID")]
    pub counter: Option<String>,
    /// The queue's page for phones, drawn as a QR code where the layout has a place for it
    /// [default: an example address, so that designers see the code; "none" for a board
    /// without one].
    #[arg(long, value_name = "URL", default_value = PREVIEW_QUEUE_URL)]
    pub queue_url: String,
}

/// The address the preview draws as the queue's code unless told otherwise: a real-looking
/// length, so that the code has the size it will have on site.
pub const PREVIEW_QUEUE_URL: &str = "https://rezerwacje.ereszow.pl/kolejka";

/// Fails with a message for people; the caller prints it.
type CmdResult<T> = Result<T, String>;

pub fn render_cli(args: RenderArgs) -> ExitCode {
    let result = render(&args);
    if result.is_ok() {
        println!("{}", args.out.display());
    }
    super::exit_code("render", result)
}

fn render(args: &RenderArgs) -> CmdResult<()> {
    let mut language = None;
    let (board, status, now) = match (&args.events, &args.scenario) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let events = parse_events(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            // As a display that ticked at every deadline would have shown them: each call in
            // turn, for its minimum time.
            let mut board = Board::default();
            for e in &events {
                board.catch_up(e.time, Mono::of_wall(e.time));
                board.apply(e, e.time);
            }
            let last = events.last().map(|e| e.time);
            let now = match &args.at {
                Some(at) => parse_rfc3339(at).map_err(|e| format!("--at {at}: {e}"))?,
                None => last.ok_or_else(|| format!("{} holds no events", path.display()))?,
            };
            (board, Status::default(), now)
        }
        (None, Some(name)) => {
            let s = scenario(name)?;
            let now = match &args.at {
                Some(at) => parse_rfc3339(at).map_err(|e| format!("--at {at}: {e}"))?,
                None => s.now,
            };
            language = s.language.clone();
            (s.board, s.status, now)
        }
        (None, None) => return Err("give --events FILE or --scenario NAME".into()),
    };
    let mut board = board;
    board.catch_up(now, Mono::of_wall(now));
    let mut status = status;
    status.queue_qr = args.queue_url.as_ref().map(|u| u.0.clone());
    if args.always_open {
        status.hours = OpeningHours::always();
    }
    let mut layout = load_layout(args.layout.as_deref(), args.size, args.counter.is_some())?;
    // A scenario about languages is drawn in them, on the same layout.
    if let Some(language) = language {
        layout.language = language;
    }
    status.counter = args.counter.clone().or_else(|| {
        layout.is_counter.then(|| {
            board
                .presenter
                .current()
                .and_then(|p| p.call.counter.clone())
                .unwrap_or_else(|| "1".to_owned())
        })
    });
    let gpu = Gpu::headless().map_err(|e| e.to_string())?;
    let mut renderer = renderer_for(&gpu, &layout, OFFSCREEN_FORMAT);
    let image = draw(
        &gpu,
        &mut renderer,
        &board,
        &layout,
        &status,
        now,
        args.size,
    )?;
    save_png(&image, &args.out).map_err(|e| e.to_string())
}

fn scenario(name: &str) -> CmdResult<scenarios::Scenario> {
    scenarios::build(name).ok_or_else(|| {
        format!(
            "unknown scenario `{name}`; known: {}",
            scenarios::NAMES.join(", ")
        )
    })
}

fn load_layout(path: Option<&Path>, size: Size, counter: bool) -> CmdResult<Layout> {
    match path {
        Some(p) => crate::layout_files::load(p).map_err(|e| e.to_string()),
        None if counter => Ok(Layout::builtin_counter(size.width, size.height).clone()),
        None => Ok(Layout::builtin_for(size.width, size.height)),
    }
}

fn draw(
    gpu: &Gpu,
    renderer: &mut Renderer,
    board: &Board,
    layout: &Layout,
    status: &Status,
    now: Timestamp,
    size: Size,
) -> CmdResult<RgbaImage> {
    let scene = scene::build(board, layout, status, now, size.width, size.height);
    render_to_image(gpu, renderer, &scene.list).map_err(|e| e.to_string())
}

pub fn preview_cli(args: PreviewArgs) -> ExitCode {
    let result = preview(&args);
    for f in result.iter().flatten() {
        println!("{}", f.display());
    }
    super::exit_code("preview", result)
}

fn preview(args: &PreviewArgs) -> CmdResult<Vec<PathBuf>> {
    let names: Vec<&str> = if args.scenario == "all" {
        scenarios::NAMES.to_vec()
    } else {
        vec![scenario(&args.scenario)?.name]
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let queue_qr = match args.queue_url.trim() {
        "" | "none" => None,
        url => Some(
            url.parse::<super::QueueUrl>()
                .map_err(|e| format!("--queue-url: {e}"))?
                .0,
        ),
    };
    let sizes = preview_sizes(args)?;
    let gpu = Gpu::headless().map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    for &size in &sizes {
        let layout = load_layout(args.layout.as_deref(), size, args.counter.is_some())?;
        let mut renderer = renderer_for(&gpu, &layout, OFFSCREEN_FORMAT);
        let mut sheet = Vec::new();
        for name in &names {
            let s = scenario(name)?;
            // A scenario about languages is drawn in them, on the same layout.
            let layout = s.layout(&layout);
            // A counter layout is drawn as a counter's display even without --counter: as the
            // counter the scenario's call goes to, else counter 1.
            let counter = args.counter.clone().or_else(|| {
                layout.is_counter.then(|| {
                    s.board
                        .presenter
                        .current()
                        .and_then(|p| p.call.counter.clone())
                        .unwrap_or_else(|| "1".to_owned())
                })
            });
            let status = Status {
                counter,
                queue_qr: queue_qr.clone(),
                ..s.status
            };
            let image = draw(&gpu, &mut renderer, &s.board, &layout, &status, s.now, size)?;
            let path = args.out.join(format!("{name}-{size}.png"));
            save_png(&image, &path).map_err(|e| e.to_string())?;
            written.push(path);
            sheet.push((name, image));
        }
        if sheet.len() > 1 {
            let path = args.out.join(format!("contact-sheet-{size}.png"));
            save_png(&contact_sheet(&sheet), &path).map_err(|e| e.to_string())?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The sizes to draw: those asked for, else the layout file's own orientation (both for the
/// built-in layouts). Says on stderr what the design check finds in the file, and when a size of
/// the other orientation is asked for, since a layout made for one shape cuts text on the other.
fn preview_sizes(args: &PreviewArgs) -> CmdResult<Vec<Size>> {
    let Some(path) = &args.layout else {
        if args.counter.is_some() && args.size.is_empty() {
            // The usual counter hardware: a landscape panel, a bar, a small panel.
            return Ok([(1920, 1080), (1920, 480), (800, 480)]
                .map(|(width, height)| Size { width, height })
                .to_vec());
        }
        return Ok(if args.size.is_empty() {
            vec![
                Size {
                    width: 1920,
                    height: 1080,
                },
                Size {
                    width: 1080,
                    height: 1920,
                },
            ]
        } else {
            args.size.clone()
        });
    };
    let (layout, text) = crate::layout_files::load_all(path).map_err(|problems| {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    for problem in crate::layout_files::check::check_design(&layout, &text, path) {
        eprintln!("warning: {problem}");
    }
    let own = crate::layout_files::check::own_orientation(&layout);
    if args.size.is_empty() {
        let (w, h) = own.size();
        eprintln!(
            "{}: a {} layout, drawn at {w}x{h} (ask for other sizes with --size)",
            path.display(),
            own.word()
        );
        return Ok(vec![Size {
            width: w,
            height: h,
        }]);
    }
    for size in &args.size {
        let shape = crate::layout::Orientation::of(size.width, size.height);
        if shape != own {
            eprintln!(
                "note: {} is a {} layout and {size} is a {} screen: expect cut or crowded text \
                 there; a {} screen takes a layout of its own (docs/LAYOUT.md, \"A landscape and a \
                 portrait pair\")",
                path.display(),
                own.word(),
                shape.word(),
                shape.word()
            );
        }
    }
    Ok(args.size.clone())
}

/// Every scenario side by side, scaled down, four to a row.
fn contact_sheet(images: &[(&&str, RgbaImage)]) -> RgbaImage {
    let (w, h) = images[0].1.dimensions();
    let scale = 480.0 / w.max(h) as f32;
    let (tw, th) = ((w as f32 * scale) as u32, (h as f32 * scale) as u32);
    let cols = 4.min(images.len()) as u32;
    let rows = (images.len() as u32).div_ceil(cols);
    let gap = 16;
    let mut sheet = RgbaImage::from_pixel(
        cols * (tw + gap) + gap,
        rows * (th + gap) + gap,
        image::Rgba([40, 40, 40, 255]),
    );
    for (i, (_, img)) in images.iter().enumerate() {
        let thumb = image::imageops::resize(img, tw, th, image::imageops::FilterType::Triangle);
        let (col, row) = (i as u32 % cols, i as u32 / cols);
        image::imageops::overlay(
            &mut sheet,
            &thumb,
            (gap + col * (tw + gap)) as i64,
            (gap + row * (th + gap)) as i64,
        );
    }
    sheet
}
