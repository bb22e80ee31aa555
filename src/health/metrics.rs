//! The snapshot as Prometheus text (exposition format 0.0.4).

use super::HealthReport;
use crate::audio::AudioState;
use std::fmt::Write;

/// Every number of the snapshot with a `tablica_` name, HELP and TYPE.
pub fn prometheus(s: &HealthReport) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
        let _ = writeln!(out, "# HELP tablica_{name} {help}");
        let _ = writeln!(out, "# TYPE tablica_{name} {kind}");
        let _ = writeln!(out, "tablica_{name} {value}");
    };
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    metric(
        "uptime_seconds",
        "gauge",
        "Seconds since the board started.",
        s.uptime_s,
    );
    metric(
        "connected",
        "gauge",
        "1 when connected to the queue system.",
        flag(s.connected),
    );
    // NaN is Prometheus's "no value": there has been no event yet.
    metric(
        "last_event_age_seconds",
        "gauge",
        "Seconds since the last frame from the queue system.",
        s.last_event_age_s.unwrap_or(f64::NAN),
    );
    metric(
        "last_seq",
        "gauge",
        "Sequence number of the last event applied.",
        s.last_seq.map_or(f64::NAN, |q| q as f64),
    );
    metric(
        "events_total",
        "counter",
        "Events applied.",
        s.events as f64,
    );
    metric(
        "rejected_total",
        "counter",
        "Frames rejected as invalid.",
        s.rejected as f64,
    );
    metric(
        "calls_total",
        "counter",
        "Calls and recalls.",
        s.calls as f64,
    );
    metric(
        "resyncs_total",
        "counter",
        "Resynchronisations after missed events.",
        s.resyncs as f64,
    );
    metric(
        "frames_drawn_total",
        "counter",
        "Frames drawn.",
        s.frames_drawn as f64,
    );
    metric(
        "frames_presented_total",
        "counter",
        "Frames that reached the screen.",
        s.frames_presented as f64,
    );
    metric(
        "last_present_age_seconds",
        "gauge",
        "Seconds since a frame last reached the screen (grows while idle).",
        s.last_present_age_s.unwrap_or(f64::NAN),
    );
    metric(
        "screen_frozen",
        "gauge",
        "1 when frames are wanted but none reach the screen.",
        flag(s.screen_frozen),
    );
    metric(
        "gpu_resets_total",
        "counter",
        "GPU device losses recovered from.",
        s.gpu_resets as f64,
    );
    metric(
        "screenshots_rendered_total",
        "counter",
        "Frames drawn for /screenshot.png.",
        s.screenshots_rendered as f64,
    );
    metric(
        "frame_time_p99_seconds",
        "gauge",
        "99th percentile of the time to build and draw a frame, recent frames.",
        s.frame_time_p99_ms / 1000.0,
    );
    metric(
        "layout_errors",
        "gauge",
        "Layout problems shown on screen.",
        s.layout_errors.len() as f64,
    );
    metric(
        "config_errors",
        "gauge",
        "Mistakes in the config.",
        s.config_errors.len() as f64,
    );
    metric(
        "watchdog",
        "gauge",
        "1 when systemd's watchdog is fed.",
        flag(s.watchdog),
    );
    metric(
        "problems",
        "gauge",
        "Problems keeping the board from working as installed (see /health).",
        s.problems.len() as f64,
    );
    if let Some(a) = &s.audio {
        metric(
            "audio_device_available",
            "gauge",
            "1 when an audio output device is open.",
            flag(a.device_available),
        );
        metric(
            "audio_played_total",
            "counter",
            "Sounds played to their end.",
            a.played as f64,
        );
        metric(
            "audio_dropped_total",
            "counter",
            "Sounds dropped, queue full.",
            a.dropped as f64,
        );
        metric(
            "audio_skipped_total",
            "counter",
            "Sounds not played (muted, no device).",
            a.skipped as f64,
        );
        let _ = writeln!(
            out,
            "# HELP tablica_audio_state The sound output's state (1 for the current one)."
        );
        let _ = writeln!(out, "# TYPE tablica_audio_state gauge");
        for (name, state) in [
            ("starting", AudioState::Starting),
            ("idle", AudioState::Idle),
            ("playing", AudioState::Playing),
            ("muted", AudioState::Muted),
            ("no_device", AudioState::NoDevice),
        ] {
            let _ = writeln!(
                out,
                "tablica_audio_state{{state=\"{name}\"}} {}",
                flag(a.state == state)
            );
        }
    }
    if !s.problems.is_empty() {
        let _ = writeln!(
            out,
            "# HELP tablica_problem 1 for each kind of problem going on now."
        );
        let _ = writeln!(out, "# TYPE tablica_problem gauge");
        for p in &s.problems {
            let _ = writeln!(out, "tablica_problem{{kind=\"{}\"}} 1", label(&p.kind));
        }
        let _ = writeln!(
            out,
            "# HELP tablica_problem_since_seconds When each problem going on began (Unix time)."
        );
        let _ = writeln!(out, "# TYPE tablica_problem_since_seconds gauge");
        for p in &s.problems {
            let _ = writeln!(
                out,
                "tablica_problem_since_seconds{{kind=\"{}\"}} {}",
                label(&p.kind),
                p.since.as_second()
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP tablica_build_info Version and commit of the running board."
    );
    let _ = writeln!(out, "# TYPE tablica_build_info gauge");
    let _ = writeln!(
        out,
        "tablica_build_info{{version=\"{}\",git_commit=\"{}\",display_id=\"{}\"}} 1",
        label(s.version),
        label(s.git_commit),
        label(&s.display_id)
    );
    out
}

/// Escapes a label value (backslash, quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
