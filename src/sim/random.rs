//! The few distributions the office model needs, built on a seeded generator so that a seed
//! fully determines a simulated day.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Seconds until the next event of a Poisson process with `per_hour` events per hour.
pub fn exponential_s(rng: &mut ChaCha8Rng, per_hour: f64) -> f64 {
    // `random::<f64>()` is in [0, 1); 1 - u is in (0, 1], so the logarithm is finite.
    let u: f64 = rng.random();
    -(1.0 - u).ln() * 3600.0 / per_hour
}

/// A standard normal variate (Box–Muller), enough for spreading service times.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A service time around `mean_s`: log-normal, so mostly near the mean with a long tail of
/// complicated matters, clamped to what a counter visit can plausibly take.
pub fn service_time_s(rng: &mut ChaCha8Rng, mean_s: u32) -> i64 {
    const SIGMA: f64 = 0.4;
    // exp(σ²/2) corrects the log-normal's mean back to `mean_s`.
    let median = f64::from(mean_s) / (SIGMA * SIGMA / 2.0).exp();
    let t = median * (SIGMA * normal(rng)).exp();
    t.clamp(90.0, f64::from(mean_s) * 4.0) as i64
}

/// A whole number of seconds in `lo..=hi`.
pub fn between(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    rng.random_range(lo..=hi)
}

/// Picks an index with probability proportional to its weight.
pub fn weighted(rng: &mut ChaCha8Rng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (i, w) in weights.enumerate() {
        if pick < w {
            return i;
        }
        pick -= w;
    }
    0
}

/// True with probability `p`.
pub fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}
