//! The per-worker token bucket: `--rate` calls a second on average, bursts of at
//! most one second's worth, halved on a "slow down" answer and won back slowly.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A rate, in calls per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate(f64);

impl Rate {
    /// `per_second` calls a second; refused unless finite and positive.
    pub fn per_second(per_second: f64) -> Option<Rate> {
        (per_second.is_finite() && per_second > 0.0).then_some(Rate(per_second))
    }

    /// Calls per second.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl std::str::FromStr for Rate {
    type Err = String;

    /// `10`, `10/s`, `600/m`, `0.5/s`.
    fn from_str(s: &str) -> Result<Rate, String> {
        let s = s.trim();
        let (n, per) = match s.split_once('/') {
            Some((n, unit)) => match unit.trim() {
                "s" | "sec" | "second" => (n, 1.0),
                "m" | "min" | "minute" => (n, 60.0),
                "h" | "hour" => (n, 3600.0),
                other => return Err(format!("rate `{s}`: unknown unit `{other}` (use /s, /m or /h)")),
            },
            None => (s, 1.0),
        };
        let n: f64 = n.trim().parse().map_err(|_| format!("rate `{s}`: expected a number of calls, like 5/s"))?;
        Rate::per_second(n / per).ok_or_else(|| format!("rate `{s}` must be more than zero"))
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/s", self.0)
    }
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Instant,
    rate: f64,
    successes: u32,
}

/// A token bucket shared by a worker's tasks.
#[derive(Debug)]
pub struct Bucket {
    max_rate: f64,
    state: Mutex<State>,
}

/// The slowest a bucket goes after "slow down" answers, as a share of its rate.
const FLOOR: f64 = 1.0 / 16.0;
/// Successes in a row that win back a quarter of the rate lost.
const RECOVER_AFTER: u32 = 20;

impl Bucket {
    /// A full bucket at `rate`.
    pub fn new(rate: Rate) -> Self {
        let burst = rate.0.max(1.0);
        Self {
            max_rate: rate.0,
            state: Mutex::new(State { tokens: burst, last: Instant::now(), rate: rate.0, successes: 0 }),
        }
    }

    /// Waits for `n` tokens and takes them.
    pub async fn take(&self, n: usize) {
        for _ in 0..n {
            loop {
                let wait = {
                    let mut s = self.state.lock().await;
                    let now = Instant::now();
                    let burst = s.rate.max(1.0);
                    s.tokens = (s.tokens + now.duration_since(s.last).as_secs_f64() * s.rate).min(burst);
                    s.last = now;
                    if s.tokens >= 1.0 {
                        s.tokens -= 1.0;
                        None
                    } else {
                        Some(Duration::from_secs_f64((1.0 - s.tokens) / s.rate))
                    }
                };
                match wait {
                    None => break,
                    Some(d) => tokio::time::sleep(d).await,
                }
            }
        }
    }

    /// A "slow down" answer: halve the rate (not below 1/16 of the configured one)
    /// and empty the bucket.
    pub async fn slow_down(&self) {
        let mut s = self.state.lock().await;
        s.rate = (s.rate / 2.0).max(self.max_rate * FLOOR);
        s.tokens = 0.0;
        s.successes = 0;
    }

    /// A call went through: after enough in a row, win back some of the rate.
    pub async fn went_through(&self) {
        let mut s = self.state.lock().await;
        s.successes += 1;
        if s.successes >= RECOVER_AFTER && s.rate < self.max_rate {
            s.rate = (s.rate + (self.max_rate - s.rate) / 4.0).min(self.max_rate);
            s.successes = 0;
        }
    }

    /// The current rate, in calls per second.
    pub async fn rate(&self) -> f64 {
        self.state.lock().await.rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_with_units() {
        assert_eq!("10/s".parse::<Rate>().unwrap().get(), 10.0);
        assert_eq!("5".parse::<Rate>().unwrap().get(), 5.0);
        assert_eq!("120/m".parse::<Rate>().unwrap().get(), 2.0);
        assert!("0/s".parse::<Rate>().is_err());
        assert!("5/d".parse::<Rate>().unwrap_err().contains("unknown unit"));
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_paces_calls_and_slows_down_on_request() {
        let bucket = Bucket::new(Rate::per_second(10.0).unwrap());
        let start = Instant::now();
        bucket.take(10).await; // the first second's burst
        assert!(start.elapsed() < Duration::from_millis(5));
        bucket.take(10).await;
        let paced = start.elapsed();
        assert!(paced >= Duration::from_millis(990) && paced <= Duration::from_millis(1_100), "{paced:?}");
        bucket.slow_down().await;
        assert_eq!(bucket.rate().await, 5.0);
        let before = Instant::now();
        bucket.take(5).await;
        assert!(before.elapsed() >= Duration::from_millis(990), "half the rate: 5 calls take a second");
        for _ in 0..RECOVER_AFTER {
            bucket.went_through().await;
        }
        assert_eq!(bucket.rate().await, 6.25);
    }
}
