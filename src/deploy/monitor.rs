//! Choosing the monitor the fullscreen board goes on, by output name or index.

use crate::config::MonitorChoice;
use std::sync::{Mutex, PoisonError};

/// Why the configured monitor was not used, for /health's problems and the fault marker; set
/// by [`chosen`] on the UI thread, read by the supervisor.
static NOT_FOUND: Mutex<Option<String>> = Mutex::new(None);

/// The configured monitor that was not found, if it was not.
pub fn not_found() -> Option<String> {
    NOT_FOUND
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The index of the monitor `choice` names among `names` (the window system's order), or `None`
/// when it names none (the caller then uses the primary monitor and says so).
pub fn pick(names: &[Option<String>], choice: &MonitorChoice) -> Option<usize> {
    match choice {
        MonitorChoice::Index(i) => (*i < names.len()).then_some(*i),
        MonitorChoice::Name(want) => names
            .iter()
            .position(|n| n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(want))),
    }
}

/// The window system's monitor that `choice` names; `None` (the primary one) when there is no
/// choice or it names none, which is logged with the monitors there are.
pub fn chosen(
    event_loop: &winit::event_loop::ActiveEventLoop,
    choice: Option<&MonitorChoice>,
) -> Option<winit::monitor::MonitorHandle> {
    let choice = choice?;
    let monitors: Vec<_> = event_loop.available_monitors().collect();
    let names: Vec<Option<String>> = monitors.iter().map(|m| m.name()).collect();
    let picked = pick(&names, choice);
    *NOT_FOUND.lock().unwrap_or_else(PoisonError::into_inner) = match picked {
        Some(_) => None,
        None => Some(format!(
            "monitor `{choice}` not found; showing on the primary one"
        )),
    };
    match picked {
        Some(i) => monitors.into_iter().nth(i),
        None => {
            let list: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{i}: {}", n.as_deref().unwrap_or("(no name)")))
                .collect();
            tracing::error!(
                "monitor `{choice}` not found; using the primary one (there are: {})",
                list.join(", ")
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name_or_index() {
        let names = vec![Some("eDP-1".to_owned()), None, Some("HDMI-A-1".to_owned())];
        assert_eq!(
            pick(&names, &MonitorChoice::Name("hdmi-a-1".into())),
            Some(2)
        );
        assert_eq!(pick(&names, &MonitorChoice::Name("DP-3".into())), None);
        assert_eq!(pick(&names, &MonitorChoice::Index(1)), Some(1));
        assert_eq!(pick(&names, &MonitorChoice::Index(3)), None);
    }
}
