//! A quick, self-contained measurement for the ratios table: `Instant` around
//! batches of iterations, the two sides of a group interleaved batch by batch so
//! that load from elsewhere on the machine falls on both alike, medians kept.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median time per iteration of each side.
#[derive(Clone, Copy, Debug)]
pub struct Comparison {
    /// The subject's time per iteration.
    pub subject: Duration,
    /// The baseline's time per iteration.
    pub baseline: Duration,
}

impl Comparison {
    /// Subject throughput as a fraction of the baseline's (baseline time / subject time).
    pub fn ratio(&self) -> f64 {
        self.baseline.as_secs_f64() / self.subject.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// How many iterations of `work` fill about `batch` (at least one).
fn iterations_for(work: &dyn Fn() -> usize, batch: Duration) -> u32 {
    let mut n = 1u32;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            black_box(work());
        }
        let took = t.elapsed();
        if took >= batch / 4 || n >= 1 << 24 {
            let per = took.as_secs_f64() / f64::from(n);
            return ((batch.as_secs_f64() / per.max(1e-9)) as u32).clamp(1, 1 << 26);
        }
        n *= 4;
    }
}

fn batch(work: &dyn Fn() -> usize, n: u32) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        black_box(work());
    }
    t.elapsed() / n
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs both sides for about `budget` in all, `rounds` interleaved batches each.
pub fn compare(subject: &dyn Fn() -> usize, baseline: &dyn Fn() -> usize, budget: Duration) -> Comparison {
    const ROUNDS: u32 = 15;
    let per_batch = budget / (2 * ROUNDS);
    // Calibration doubles as warm-up.
    let (ns, nb) = (iterations_for(subject, per_batch), iterations_for(baseline, per_batch));
    let (mut s, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        s.push(batch(subject, ns));
        b.push(batch(baseline, nb));
    }
    Comparison { subject: median(s), baseline: median(b) }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    #[test]
    fn the_ratio_is_the_subjects_share_of_the_baselines_throughput() {
        let c = Comparison { subject: Duration::from_micros(40), baseline: Duration::from_micros(10) };
        assert_eq!(c.ratio(), 0.25);
    }

    #[test]
    fn both_sides_run_in_every_round() {
        let (s, b) = (Cell::new(0u32), Cell::new(0u32));
        let subject = || {
            s.set(s.get() + 1);
            1
        };
        let baseline = || {
            b.set(b.get() + 1);
            1
        };
        compare(&subject, &baseline, Duration::from_millis(30));
        assert!(s.get() >= 15 && b.get() >= 15, "{} {}", s.get(), b.get());
    }
}
