//! Frame time on lavapipe (scene + prepare + render + wait for the GPU) and the memory used by
//! glyph caches after many distinct calls. Run with `cargo bench --bench frame`; the figures are
//! recorded in docs/BENCHMARKS.md.

use jiff::SignedDuration;
use std::time::{Duration, Instant};
use tablica::layout::Layout;
use tablica::protocol::{Envelope, Event, TicketAtCounter};
use tablica::render::{Gpu, OFFSCREEN_FORMAT, Renderer, render_to_image};
use tablica::{scenarios, scene};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples[((samples.len() - 1) as f64 * p).round() as usize]
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

/// Renders `frames` frames of the busy board; with `new_call`, every frame shows a call of a
/// ticket never shown before (new glyph runs, a new text to shape).
fn run(
    gpu: &Gpu,
    renderer: &mut Renderer,
    (w, h): (u32, u32),
    frames: usize,
    new_call: bool,
) -> Vec<Duration> {
    let mut s = scenarios::build("busy").unwrap();
    let layout = Layout::builtin_for(w, h);
    let mut now = s.now;
    let mut seq = s.board.data.last_seq.unwrap_or(0);
    let mut times = Vec::with_capacity(frames);
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
                    counter: format!("{}", i % 6 + 1),
                    reservation: false,
                }),
            );
            s.board.apply(&e, now);
            s.board.heard(now);
        }
        let start = Instant::now();
        s.board.advance(now);
        let scene = scene::build(&s.board, &layout, &s.status, now, w, h);
        render_to_image(gpu, renderer, &scene.list).expect("frame renders");
        times.push(start.elapsed());
    }
    times
}

fn report(name: &str, mut times: Vec<Duration>) {
    let median = percentile(&mut times, 0.5);
    let p99 = percentile(&mut times, 0.99);
    println!(
        "{name:<34} median {:>7.2} ms   p99 {:>7.2} ms",
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

fn main() {
    let gpu = Gpu::headless().expect("a wgpu adapter (lavapipe will do)");
    let info = gpu.adapter.get_info();
    println!(
        "adapter: {} ({:?}, {})",
        info.name, info.device_type, info.driver
    );
    println!("(offscreen, including the copy back to memory that a window does not need)");
    for (w, h) in [(1920, 1080), (3840, 2160)] {
        let mut renderer = Renderer::new(&gpu, OFFSCREEN_FORMAT);
        run(&gpu, &mut renderer, (w, h), 5, false);
        report(
            &format!("{w}x{h} steady"),
            run(&gpu, &mut renderer, (w, h), 60, false),
        );
        report(
            &format!("{w}x{h} new call each frame"),
            run(&gpu, &mut renderer, (w, h), 60, true),
        );
    }
    let mut renderer = Renderer::new(&gpu, OFFSCREEN_FORMAT);
    run(&gpu, &mut renderer, (1920, 1080), 1000, true);
    let after_1k = rss_mib();
    run(&gpu, &mut renderer, (1920, 1080), 9000, true);
    let after_10k = rss_mib();
    println!("resident memory after 1,000 distinct calls:  {after_1k:.1} MiB");
    println!(
        "resident memory after 10,000 distinct calls: {after_10k:.1} MiB (growth {:.1} MiB)",
        after_10k - after_1k
    );
}
