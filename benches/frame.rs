//! Frame cost on lavapipe, and the memory used by glyph caches after many distinct calls. Run with
//! `cargo bench --bench frame`; the figures are recorded in docs/BENCHMARKS.md.
//!
//! A *frame* is what a window pays: scene + prepare + render into a texture kept across frames,
//! submitted and waited for until the GPU has finished (no read-back). The *read-back* (copying
//! the finished frame into memory, which only screenshots, previews and tests need) is measured
//! on its own. Set `TABLICA_BENCH_SIZES=1920x1080,...` to measure other sizes, and
//! `TABLICA_BENCH_MEMORY=0` to skip the 10,000-call memory run, `TABLICA_BENCH_ONLY_WHOLE=1` to
//! measure only whole frames, `TABLICA_BENCH_READ_BACK=0` to leave the read-back out of the
//! whole frames' run (for profiling the frames alone), `TABLICA_BENCH_FLOOR=1` to add the clear
//! alone and one full-frame fill (what any frame costs at least), and
//! `TABLICA_BENCH_FORMAT=unorm` (or `offscreen`: the RGBA target offscreen frames use; `srgb`,
//! `bgra-srgb`) for another target format than the BGRA one an X11 window draws into (`srgb`
//! gives the "before" rows of the plain-target change).

use jiff::SignedDuration;
use std::time::{Duration, Instant};
use tablica::layout::Layout;
use tablica::protocol::{Envelope, Event, TicketAtCounter};
use tablica::render::{Gpu, OFFSCREEN_FORMAT, Renderer, read_back};
use tablica::{scenarios, scene};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

/// CPU time used by the whole process so far (every thread: lavapipe rasterises on its own).
/// Unlike wall time, it does not grow when other work on the machine takes the cores.
fn cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

/// What the frames of one run cost.
#[derive(Default)]
struct Times {
    /// The whole frame: scene, prepare, render, wait for the GPU.
    frame: Vec<Duration>,
    /// CPU time of the whole frame, all threads together.
    frame_cpu: Vec<Duration>,
    /// Scene building alone.
    scene: Vec<Duration>,
    /// The renderer's CPU time (prepare + encode).
    cpu: Vec<Duration>,
    /// Copying the finished frame to memory (only with `read_back`).
    read_back: Vec<Duration>,
    /// Share of the frame's pixels redrawn.
    redrawn: Vec<f64>,
}

/// How frames are drawn.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Whole, into the target, as offscreen rendering does.
    Whole,
    /// Into a retained frame, redrawing what changed, then copied to the target, as a window
    /// does.
    Retained,
}

/// Renders `frames` frames of the busy board into one texture kept across frames; with
/// `new_call`, every frame shows a call of a ticket never shown before (new glyph runs, a new text
/// to shape). With `with_read_back`, each finished frame is then copied to memory and timed apart.
fn run(
    gpu: &Gpu,
    renderer: &mut Renderer,
    (w, h): (u32, u32),
    frames: usize,
    new_call: bool,
    with_read_back: bool,
    mode: Mode,
) -> Times {
    let mut s = scenarios::build("busy").unwrap();
    let layout = Layout::builtin_for(w, h);
    let mut now = s.now;
    let mut seq = s.board.data.last_seq.unwrap_or(0);
    let texture = target(gpu, renderer, w, h);
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    let mut times = Times::default();
    for i in 0..frames {
        if new_call {
            seq += 1;
            // Far enough apart that each call is on screen in its own frame.
            now += SignedDuration::from_secs(7);
            let ticket = format!("{}{:03}", (b'A' + (i / 1000 % 7) as u8) as char, i % 1000);
            let e = Envelope::new(
                seq,
                now,
                Event::TicketCalled(TicketAtCounter {
                    ticket,
                    service: "dowody".into(),
                    counter: Some(format!("{}", i % 6 + 1)),
                    reservation: false,
                }),
            );
            s.board.apply(&e, now);
            s.board.heard(now);
        }
        let start = Instant::now();
        let start_cpu = cpu_time();
        s.board.advance(now);
        let scene = scene::build(&s.board, &layout, &s.status, now, w, h);
        let built = Instant::now();
        let stats = match mode {
            Mode::Whole => renderer.render(gpu, &scene.list, &view),
            Mode::Retained => renderer.render_retained(gpu, &scene.list, &texture),
        }
        .expect("frame renders");
        times
            .redrawn
            .push(stats.redrawn_pixels as f64 / (w as f64 * h as f64));
        gpu.device
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("the GPU finishes");
        let done = Instant::now();
        times.frame_cpu.push(cpu_time() - start_cpu);
        times.frame.push(done - start);
        times.scene.push(built - start);
        times.cpu.push(stats.prepare + stats.encode);
        if with_read_back {
            let image = read_back(gpu, &texture).expect("read-back");
            times.read_back.push(done.elapsed());
            std::hint::black_box(image);
        }
    }
    times
}

/// The frames a window draws in the seconds after a call (the called number flashing, the clock),
/// each into the retained frame: the board is drawn every 100 ms for 6 s after each call, and the
/// frames in which something changed are counted (a window draws only those).
fn after_a_call(gpu: &Gpu, renderer: &mut Renderer, (w, h): (u32, u32), calls: usize) -> Times {
    let mut s = scenarios::build("busy").unwrap();
    let layout = Layout::builtin_for(w, h);
    let mut now = s.now;
    let mut seq = s.board.data.last_seq.unwrap_or(0);
    let texture = target(gpu, renderer, w, h);
    let mut times = Times::default();
    for i in 0..calls.min(10) {
        seq += 1;
        now += SignedDuration::from_secs(30);
        let e = Envelope::new(
            seq,
            now,
            Event::TicketCalled(TicketAtCounter {
                ticket: format!("B{:03}", i + 100),
                service: "dowody".into(),
                counter: Some(format!("{}", i % 6 + 1)),
                reservation: false,
            }),
        );
        s.board.apply(&e, now);
        s.board.heard(now);
        for step in 0..60 {
            let start = Instant::now();
            let start_cpu = cpu_time();
            s.board.advance(now);
            let scene = scene::build(&s.board, &layout, &s.status, now, w, h);
            let built = start.elapsed();
            let stats = renderer
                .render_retained(gpu, &scene.list, &texture)
                .expect("frame renders");
            gpu.device
                .poll(wgpu::PollType::wait_indefinitely())
                .expect("the GPU finishes");
            let (cpu, wall) = (cpu_time() - start_cpu, start.elapsed());
            now += SignedDuration::from_millis(100);
            // The call's own frame is measured by "new call each"; these are the ones after it.
            if step == 0 || stats.redrawn_pixels == 0 {
                continue;
            }
            times.frame_cpu.push(cpu);
            times.frame.push(wall);
            times.scene.push(built);
            times.cpu.push(stats.prepare + stats.encode);
            times
                .redrawn
                .push(stats.redrawn_pixels as f64 / (w as f64 * h as f64));
        }
    }
    times
}

/// The floor under any frame: `frames` frames of an empty list (the clear alone) and of one
/// opaque rectangle over the whole frame (the cheapest way to shade every pixel once).
fn floor(
    gpu: &Gpu,
    renderer: &mut Renderer,
    (w, h): (u32, u32),
    frames: usize,
    fill: bool,
) -> Times {
    use tablica::scene::display::{Color, DisplayList, Item, Rect, RectItem};
    let texture = target(gpu, renderer, w, h);
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    let mut list = DisplayList::new(w, h, Color::rgb(10, 20, 40));
    if fill {
        list.items.push(Item::Rect(RectItem {
            rect: Rect::new(0.0, 0.0, w as f32, h as f32),
            radius: 0.0,
            fill: Color::rgb(20, 40, 60),
            border: None,
        }));
    }
    let mut times = Times::default();
    for _ in 0..frames {
        let start = Instant::now();
        let start_cpu = cpu_time();
        renderer.render(gpu, &list, &view).expect("frame renders");
        gpu.device
            .poll(wgpu::PollType::wait_indefinitely())
            .expect("the GPU finishes");
        times.frame_cpu.push(cpu_time() - start_cpu);
        times.frame.push(start.elapsed());
        times.scene.push(Duration::ZERO);
        times.cpu.push(Duration::ZERO);
        times.redrawn.push(1.0);
    }
    times
}

fn target(gpu: &Gpu, renderer: &Renderer, w: u32, h: u32) -> wgpu::Texture {
    gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("bench frame"),
        size: wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: renderer.format(),
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
            | wgpu::TextureUsages::COPY_SRC
            | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(name: &str, mut times: Times) {
    if times.frame.is_empty() {
        println!("{name:<30} no frames");
        return;
    }
    let median = percentile(&mut times.frame, 0.5);
    let p99 = percentile(&mut times.frame, 0.99);
    let frame_cpu = percentile(&mut times.frame_cpu, 0.5);
    let scene = percentile(&mut times.scene, 0.5);
    let cpu = percentile(&mut times.cpu, 0.5);
    print!(
        "{name:<30} frame median {:>7.2} ms  p99 {:>7.2} ms  CPU {:>7.2} ms  (scene {:.2} ms, renderer CPU {:.2} ms)",
        ms(median),
        ms(p99),
        ms(frame_cpu),
        ms(scene),
        ms(cpu),
    );
    let redrawn = times.redrawn.iter().sum::<f64>() / times.redrawn.len().max(1) as f64;
    print!("  redrawn {:.0}%", redrawn * 100.0);
    if !times.read_back.is_empty() {
        print!(
            "  read-back median {:.2} ms",
            ms(percentile(&mut times.read_back, 0.5))
        );
    }
    println!();
}

fn sizes() -> Vec<(u32, u32)> {
    let spec = std::env::var("TABLICA_BENCH_SIZES")
        .unwrap_or_else(|_| "1366x768,1920x1080,1080x1920,3840x2160".into());
    spec.split(',')
        .filter_map(|s| {
            let (w, h) = s.trim().split_once('x')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .collect()
}

fn main() {
    let gpu = Gpu::headless().expect("a wgpu adapter (lavapipe will do)");
    let info = gpu.adapter.get_info();
    println!(
        "adapter: {} ({:?}, {})",
        info.name, info.device_type, info.driver
    );
    let frames: usize = std::env::var("TABLICA_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let format = match std::env::var("TABLICA_BENCH_FORMAT").as_deref() {
        Ok("unorm") => wgpu::TextureFormat::Rgba8Unorm,
        Ok("bgra") => wgpu::TextureFormat::Bgra8Unorm,
        Ok("bgra-srgb") => wgpu::TextureFormat::Bgra8UnormSrgb,
        Ok("srgb") => wgpu::TextureFormat::Rgba8UnormSrgb,
        Ok("offscreen") => OFFSCREEN_FORMAT,
        // What a window on X11 draws into: lavapipe offers its surface as BGRA, and
        // `surface_format` picks the plain one. Frames are measured in it because a window's
        // frames are what a display pays for; offscreen frames (tests, screenshots) are RGBA.
        _ => wgpu::TextureFormat::Bgra8Unorm,
    };
    let whole = std::env::var("TABLICA_BENCH_WHOLE_SHAPES").is_ok_and(|v| v == "1");
    for (w, h) in sizes() {
        let mut renderer = Renderer::new(&gpu, format);
        renderer.set_whole_shape_quads(whole);
        run(&gpu, &mut renderer, (w, h), 5, false, false, Mode::Whole);
        report(
            &format!("{w}x{h} whole"),
            run(
                &gpu,
                &mut renderer,
                (w, h),
                frames,
                false,
                !std::env::var("TABLICA_BENCH_READ_BACK").is_ok_and(|v| v == "0"),
                Mode::Whole,
            ),
        );
        if std::env::var("TABLICA_BENCH_FLOOR").is_ok_and(|v| v == "1") {
            report(
                &format!("{w}x{h} clear only"),
                floor(&gpu, &mut renderer, (w, h), frames, false),
            );
            report(
                &format!("{w}x{h} one full-frame fill"),
                floor(&gpu, &mut renderer, (w, h), frames, true),
            );
        }
        if std::env::var("TABLICA_BENCH_ONLY_WHOLE").is_ok_and(|v| v == "1") {
            continue;
        }
        report(
            &format!("{w}x{h} whole, new call each"),
            run(
                &gpu,
                &mut renderer,
                (w, h),
                frames,
                true,
                false,
                Mode::Whole,
            ),
        );
        report(
            &format!("{w}x{h} retained, new call each"),
            run(
                &gpu,
                &mut renderer,
                (w, h),
                frames,
                true,
                false,
                Mode::Retained,
            ),
        );
        report(
            &format!("{w}x{h} retained, after a call"),
            after_a_call(&gpu, &mut renderer, (w, h), frames),
        );
    }
    if std::env::var("TABLICA_BENCH_MEMORY").is_ok_and(|v| v == "0") {
        return;
    }
    let mut renderer = Renderer::new(&gpu, OFFSCREEN_FORMAT);
    run(
        &gpu,
        &mut renderer,
        (1920, 1080),
        1000,
        true,
        false,
        Mode::Whole,
    );
    let after_1k = rss_mib();
    run(
        &gpu,
        &mut renderer,
        (1920, 1080),
        9000,
        true,
        false,
        Mode::Whole,
    );
    let after_10k = rss_mib();
    println!("resident memory after 1,000 distinct calls:  {after_1k:.1} MiB");
    println!(
        "resident memory after 10,000 distinct calls: {after_10k:.1} MiB (growth {:.1} MiB)",
        after_10k - after_1k
    );
}
