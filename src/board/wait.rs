//! Estimated waits.
//!
//! The queue system's own estimate (`est_wait_s`) wins whenever it sends one. When it sends `null`
//! the board estimates from what it has seen itself (docs/PROTOCOL.md, "Wait estimates"):
//!
//! ```text
//! wait = ceil(waiting × median_service_time / open_counters_serving_it)
//! ```
//!
//! where `median_service_time` is the median of the last [`SAMPLES`] observed service durations
//! of that service (from `ticket.called` to `ticket.served` at the same counter), or
//! [`DEFAULT_SERVICE_S`] before any were observed.

use crate::protocol::{MAX_SERVICES, ServiceInfo};
use jiff::SignedDuration;
use std::collections::VecDeque;

/// Observed durations kept per service.
pub const SAMPLES: usize = 20;
/// Assumed service time before any was observed: ten minutes, a typical visit at a POM.
pub const DEFAULT_SERVICE_S: u32 = 600;
/// Durations outside this range are not service times (a counter left open over lunch, a
/// mis-click) and are not counted.
const PLAUSIBLE_S: std::ops::RangeInclusive<i64> = 20..=3 * 3600;

/// What the board says about the wait for a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Nobody is waiting.
    NoQueue,
    /// About this many seconds; `local` when the board estimated it itself.
    About { seconds: u32, local: bool },
    /// People wait but no open counter serves the service, and the server gave no estimate.
    Unknown,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitStats {
    per_service: Vec<(String, VecDeque<u32>)>,
}

impl WaitStats {
    pub fn observe(&mut self, service: &str, duration: SignedDuration) {
        let secs = duration.as_secs();
        if !PLAUSIBLE_S.contains(&secs) {
            return;
        }
        let samples = match self.per_service.iter().position(|(s, _)| s == service) {
            Some(i) => &mut self.per_service[i].1,
            None => {
                // Service ids come from the network: keep the table as bounded as the services.
                if self.per_service.len() >= MAX_SERVICES {
                    self.per_service.remove(0);
                }
                self.per_service.push((service.to_owned(), VecDeque::new()));
                &mut self.per_service.last_mut().expect("just pushed").1
            }
        };
        if samples.len() == SAMPLES {
            samples.pop_front();
        }
        samples.push_back(secs as u32);
    }

    /// The median observed service time, or the default before any observation.
    pub fn service_time_s(&self, service: &str) -> u32 {
        let Some((_, samples)) = self.per_service.iter().find(|(s, _)| s == service) else {
            return DEFAULT_SERVICE_S;
        };
        if samples.is_empty() {
            return DEFAULT_SERVICE_S;
        }
        let mut sorted: Vec<u32> = samples.iter().copied().collect();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    }

    pub fn clear(&mut self) {
        self.per_service.clear();
    }
}

/// The wait for `service` with `open` counters serving it.
pub fn estimate(service: &ServiceInfo, open: u32, stats: &WaitStats) -> Wait {
    if service.waiting == 0 {
        return Wait::NoQueue;
    }
    if let Some(seconds) = service.est_wait_s {
        return Wait::About {
            seconds,
            local: false,
        };
    }
    if open == 0 {
        return Wait::Unknown;
    }
    let total = u64::from(service.waiting) * u64::from(stats.service_time_s(&service.id));
    let seconds = total.div_ceil(u64::from(open));
    Wait::About {
        seconds: seconds.min(u64::from(u32::MAX)) as u32,
        local: true,
    }
}
