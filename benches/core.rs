//! Throughput of the core: decoding wire frames and applying them to the board.
//!
//! Run with `cargo bench --bench core`; figures are recorded in docs/BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use std::hint::black_box;
use tablica::board::Board;
use tablica::protocol::*;

/// A realistic mix of frames: issues, calls, serves, waits and heartbeats.
fn frames(n: usize) -> (String, Vec<String>) {
    let t0: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    let services = tablica::scenarios::standard_services();
    let snapshot = Envelope::new(
        0,
        t0,
        Event::Snapshot(Snapshot {
            office: Office {
                id: "pom".into(),
                name: "POM".into(),
            },
            services: services.clone(),
            counters: vec![],
            recent_calls: vec![],
            announcements: vec![],
            stream: None,
        }),
    )
    .to_json();
    let out = (0..n)
        .map(|i| {
            let s = &services[i % services.len()];
            let ticket = format!("{}{:03}", s.prefix, i % 1000);
            let at = TicketAtCounter {
                ticket: ticket.clone(),
                service: s.id.clone(),
                counter: Some(format!("{}", i % 6 + 1)),
                reservation: false,
            };
            let event = match i % 5 {
                0 => Event::TicketIssued(TicketIssued {
                    ticket,
                    service: s.id.clone(),
                    reservation: false,
                    waiting: (i % 17) as u32,
                }),
                1 => Event::TicketCalled(at),
                2 => Event::TicketServed(at),
                3 => Event::ServiceWait(ServiceWait {
                    service: s.id.clone(),
                    waiting: (i % 13) as u32,
                    est_wait_s: Some(600),
                    open_counters: 2,
                    accepting: true,
                }),
                _ => Event::Heartbeat(Default::default()),
            };
            Envelope::new(
                i as u64 + 1,
                t0 + SignedDuration::from_secs(i as i64),
                event,
            )
            .to_json()
        })
        .collect();
    (snapshot, out)
}

fn decode_and_apply(c: &mut Criterion) {
    let (snapshot, frames) = frames(10_000);
    let mut group = c.benchmark_group("core");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(decode_event(f).unwrap());
            }
        })
    });
    group.bench_function("decode+apply", |b| {
        b.iter(|| {
            let mut board = Board::default();
            let snap = decode_event(&snapshot).unwrap();
            board.apply(&snap, snap.time);
            for f in &frames {
                let env = decode_event(f).unwrap();
                black_box(board.apply(&env, env.time));
            }
            board
        })
    });
    group.finish();
}

criterion_group!(benches, decode_and_apply);
criterion_main!(benches);
