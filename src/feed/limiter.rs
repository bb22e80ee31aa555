//! Rate-limited logging: while the network is down or a server misbehaves, the same problem
//! happens thousands of times, and a log line for each would fill the disk of a machine nobody
//! looks at.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Logs the first occurrence of each kind of problem, then at most one summary per interval.
#[derive(Debug)]
pub struct LogLimiter {
    every: Duration,
    kinds: HashMap<&'static str, (Instant, u64)>,
}

impl LogLimiter {
    pub fn new(every: Duration) -> Self {
        LogLimiter {
            every,
            kinds: HashMap::new(),
        }
    }

    /// Returns `Some(suppressed)` when a line for `kind` should be written now, with the number
    /// of occurrences left unlogged since the last one. Kinds are static strings, so the table
    /// stays as small as the code's list of problems.
    pub fn allow(&mut self, kind: &'static str, now: Instant) -> Option<u64> {
        match self.kinds.get_mut(kind) {
            None => {
                self.kinds.insert(kind, (now, 0));
                Some(0)
            }
            Some((last, suppressed)) => {
                if now.duration_since(*last) >= self.every {
                    let n = *suppressed;
                    *last = now;
                    *suppressed = 0;
                    Some(n)
                } else {
                    *suppressed += 1;
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_then_one_per_interval() {
        let mut l = LogLimiter::new(Duration::from_secs(60));
        let t = Instant::now();
        assert_eq!(l.allow("x", t), Some(0));
        for i in 1..1000 {
            assert_eq!(l.allow("x", t + Duration::from_millis(i)), None);
        }
        assert_eq!(l.allow("y", t), Some(0));
        assert_eq!(l.allow("x", t + Duration::from_secs(61)), Some(999));
    }
}
