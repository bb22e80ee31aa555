//! Event-to-frame latency: from the moment a queue system writes a `ticket.called` to the socket
//! to the moment a frame showing that call has been rendered offscreen and read back.
//!
//! A hand-written server on 127.0.0.1 feeds the real client (`feed::spawn`) and the real `Core`;
//! each call is rendered at 1920×1080 with `render_to_image` (lavapipe on machines without a GPU).
//! The display thread sleeps until the client's waker wakes it, as the window shell does. The
//! presenter's minimum display time is set to zero so that every call goes on screen as soon as
//! it arrives (otherwise the bench would measure the 6-second queue).
//!
//! Run with `cargo bench --bench latency`; figures are recorded in docs/BENCHMARKS.md.

use futures_util::{SinkExt, StreamExt};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tablica::app::{Core, renderer_for};
use tablica::feed::{self, FeedConfig};
use tablica::protocol::{
    CounterInfo, Envelope, Event, Office, Snapshot, TicketAtCounter, decode_hello,
};
use tablica::render::{Gpu, OFFSCREEN_FORMAT, render_to_image};
use tablica::scene::{Item, OpeningHours, Scene, Status};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const WARM_UP: u64 = 5;
const CALLS: u64 = 100;
const SIZE: (u32, u32) = (1920, 1080);

fn t0() -> Timestamp {
    "2026-11-30T10:00:00+01:00".parse().unwrap()
}

fn ticket(seq: u64) -> String {
    format!("A{:03}", seq % 1000)
}

fn snapshot() -> Envelope {
    let services = tablica::scenarios::standard_services();
    let counters = (1..=6)
        .map(|i| CounterInfo {
            id: format!("st{i}"),
            label: i.to_string(),
            open: true,
            services: services.iter().map(|s| s.id.clone()).collect(),
            serving: None,
        })
        .collect();
    Envelope::new(
        0,
        t0(),
        Event::Snapshot(Snapshot {
            office: Office {
                id: "pom-bench".into(),
                name: "Punkt Obsługi Mieszkańców".into(),
            },
            services,
            counters,
            recent_calls: vec![],
            announcements: vec![],
            stream: None,
        }),
    )
}

fn called(seq: u64) -> Envelope {
    Envelope::new(
        seq,
        t0() + SignedDuration::from_secs(seq as i64 * 30),
        Event::TicketCalled(TicketAtCounter {
            ticket: ticket(seq),
            service: "dowody".into(),
            counter: Some(format!("st{}", seq % 6 + 1)),
            reservation: false,
        }),
    )
}

/// Serves one display: the snapshot, then one call per request on `calls`, reporting when each
/// was handed to the socket.
async fn serve(
    listener: TcpListener,
    mut calls: mpsc::UnboundedReceiver<u64>,
    sent: std::sync::mpsc::Sender<(u64, Instant)>,
) {
    let (stream, _) = listener.accept().await.expect("the display connects");
    let _ = stream.set_nodelay(true);
    let mut ws = tokio_tungstenite::accept_async(stream)
        .await
        .expect("upgrade");
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                decode_hello(t.as_str()).expect("a valid hello");
                break;
            }
            Some(Ok(_)) => continue,
            other => panic!("no hello: {other:?}"),
        }
    }
    ws.send(Message::text(snapshot().to_json()))
        .await
        .expect("snapshot sent");
    loop {
        tokio::select! {
            seq = calls.recv() => {
                let Some(seq) = seq else { return };
                let frame = Message::text(called(seq).to_json());
                let at = Instant::now();
                ws.send(frame).await.expect("call sent");
                let _ = sent.send((seq, at));
            }
            // Keep reading so that the client's pings are answered.
            m = ws.next() => if m.is_none() { return },
        }
    }
}

fn shows(scene: &Scene, ticket: &str) -> bool {
    scene
        .list
        .items
        .iter()
        .any(|i| matches!(i, Item::Text(t) if t.text == ticket))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} median {:7.2} ms   p99 {:7.2} ms   min {:7.2} ms   max {:7.2} ms   (n = {})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(samples[0]),
        ms(*samples.last().unwrap()),
        samples.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args
        .iter()
        .any(|a| !a.starts_with('-') && !"latency".contains(a.as_str()))
    {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().unwrap();
    let (calls, calls_rx) = mpsc::unbounded_channel();
    let (sent_tx, sent) = std::sync::mpsc::channel();
    rt.spawn(serve(listener, calls_rx, sent_tx));

    let gpu = Gpu::headless().expect("a wgpu adapter (install lavapipe without a GPU)");
    let info = gpu.adapter.get_info();
    let status = Status {
        hours: OpeningHours::always(),
        ..Status::default()
    };
    let mut core = Core::new(None, status);
    core.board.config.min_display = SignedDuration::ZERO;
    let mut renderer = renderer_for(&gpu, core.layout_for(SIZE.0, SIZE.1), OFFSCREEN_FORMAT);
    let display = std::thread::current();
    core.set_feed(feed::spawn(
        FeedConfig::new(format!("ws://{addr}/")),
        Arc::new(move || display.unpark()),
    ));

    let wait = |core: &mut Core, what: &str, cond: &dyn Fn(&Core) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = Timestamp::now();
            core.pump(now);
            core.tick(now);
            if cond(core) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::park_timeout(Duration::from_millis(10));
        }
    };
    wait(&mut core, "the snapshot", &|c| {
        c.board.data.last_seq == Some(0)
    });
    // Pipelines, glyph atlas, and the first frames.
    for _ in 0..3 {
        let scene = core.frame(Timestamp::now(), SIZE.0, SIZE.1);
        render_to_image(&gpu, &mut renderer, &scene.list).expect("frame renders");
    }

    let (mut total, mut delivery, mut drawing) = (Vec::new(), Vec::new(), Vec::new());
    let (mut building, mut rendering, mut repeat) = (Vec::new(), Vec::new(), Vec::new());
    for seq in 1..=WARM_UP + CALLS {
        let label = ticket(seq);
        calls.send(seq).expect("server running");
        wait(&mut core, "the call", &|c| {
            c.board
                .presenter
                .current()
                .is_some_and(|p| p.call.ticket == label)
        });
        let applied = Instant::now();
        let scene = core.frame(Timestamp::now(), SIZE.0, SIZE.1);
        assert!(shows(&scene, &label), "{label} is in the frame");
        let built = Instant::now();
        render_to_image(&gpu, &mut renderer, &scene.list).expect("frame renders");
        let rendered = Instant::now();
        // The same picture once more: what a frame costs when nothing new is drawn.
        render_to_image(&gpu, &mut renderer, &scene.list).expect("frame renders");
        let again = Instant::now();
        let (sent_seq, sent_at) = sent.recv().expect("server reports");
        assert_eq!(sent_seq, seq);
        if seq > WARM_UP {
            total.push(rendered - sent_at);
            delivery.push(applied - sent_at);
            drawing.push(rendered - applied);
            building.push(built - applied);
            rendering.push(rendered - built);
            repeat.push(again - rendered);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    println!(
        "event-to-frame latency, {CALLS} calls, {}×{} offscreen on {} ({:?}, {})",
        SIZE.0, SIZE.1, info.name, info.device_type, info.driver
    );
    report("socket write → frame read", total);
    report("  socket write → on screen", delivery);
    report("  scene + render + readback", drawing);
    report("    scene (Core::frame)", building);
    report("    render + readback", rendering);
    report("same frame again", repeat);
}
