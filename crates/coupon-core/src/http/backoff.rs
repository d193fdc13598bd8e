//! Exponential backoff with injectable jitter.

use std::fmt::Debug;
use std::time::Duration;

use super::retry::RetryPolicy;

/// A source of jitter samples in `[0, 1)`. Injected so tests are exact.
pub trait Jitter: Send + Sync + Debug {
    /// The next sample.
    fn sample(&self) -> f64;
}

/// Uniform random jitter (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn sample(&self) -> f64 {
        fastrand::f64()
    }
}

/// The same sample every time (tests).
#[derive(Clone, Copy, Debug)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn sample(&self) -> f64 {
        self.0
    }
}

/// The wait before retry number `retry` (0 for the first retry):
/// `base · 2^retry`, capped at `max_delay`, then scaled into `[½, 1]` of
/// itself by the jitter sample, so concurrent clients spread out but never
/// retry sooner than half the nominal delay.
///
/// ```
/// use std::time::Duration;
/// use coupon_core::http::{backoff_delay, RetryPolicy};
/// let p = RetryPolicy::default();
/// assert_eq!(backoff_delay(&p, 0, 1.0), Duration::from_millis(500));
/// assert_eq!(backoff_delay(&p, 1, 0.0), Duration::from_millis(500));
/// assert_eq!(backoff_delay(&p, 10, 1.0), Duration::from_secs(5));
/// ```
pub fn backoff_delay(policy: &RetryPolicy, retry: u32, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(20));
    let nominal = policy.base_delay.saturating_mul(factor).min(policy.max_delay);
    let j = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 1.0 };
    nominal.mul_f64(0.5 + 0.5 * j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_bounds_for_any_jitter() {
        let p = RetryPolicy::default();
        for retry in 0..12 {
            let nominal = (p.base_delay * 2u32.pow(retry)).min(p.max_delay);
            for j in [0.0, 0.001, 0.25, 0.5, 0.999, 1.0, -3.0, 7.0, f64::NAN] {
                let d = backoff_delay(&p, retry, j);
                assert!(d >= nominal / 2 && d <= nominal, "retry {retry} jitter {j}: {d:?}");
                assert!(d <= Duration::from_secs(5));
            }
        }
    }

    #[test]
    fn grows_by_doubling_until_the_cap() {
        let p = RetryPolicy::default();
        let got: Vec<u128> = (0..6).map(|r| backoff_delay(&p, r, 1.0).as_millis()).collect();
        assert_eq!(got, vec![500, 1000, 2000, 4000, 5000, 5000]);
        assert_eq!(backoff_delay(&p, u32::MAX, 1.0), Duration::from_secs(5));
    }

    /// The client waits what the injected jitter says: with a 400 ms base, a
    /// sample of 1.0 waits the full 400 ms and 0.0 waits half, where a jitter
    /// source the client ignored would land anywhere in between.
    #[tokio::test]
    async fn injected_jitter_is_used_as_given() {
        use std::sync::Arc;
        use std::time::Instant;

        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        use crate::Vendor;
        use crate::http::{Call, HttpClient, HttpConfig};

        for (sample, at_least, below) in [(1.0, 400, u64::MAX), (0.0, 200, 380)] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url: url::Url = format!("http://{}/", listener.local_addr().unwrap()).parse().unwrap();
            let server = tokio::spawn(async move {
                let mut arrivals = Vec::new();
                for answer in ["503 Service Unavailable", "200 OK"] {
                    let (mut sock, _) = listener.accept().await.unwrap();
                    let mut buf = vec![0u8; 4096];
                    let mut got = Vec::new();
                    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => got.extend_from_slice(&buf[..n]),
                        }
                    }
                    arrivals.push(Instant::now());
                    let reply = format!("HTTP/1.1 {answer}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                    let _ = sock.write_all(reply.as_bytes()).await;
                    let _ = sock.shutdown().await;
                }
                arrivals[1] - arrivals[0]
            });
            let mut config = HttpConfig::default();
            config.retry.base_delay = Duration::from_millis(400);
            let client = HttpClient::with_jitter(Vendor::new("test"), config, Arc::new(FixedJitter(sample))).unwrap();
            let r = client.send(Call::get("read", url)).await.unwrap();
            assert_eq!(r.attempts(), 2);
            let gap = server.await.unwrap();
            let expected = backoff_delay(&client.config().retry, 0, sample);
            assert_eq!(expected, Duration::from_millis(at_least));
            assert!(gap >= expected, "jitter {sample}: the retry came {gap:?} after the first attempt");
            assert!(gap < Duration::from_millis(below), "jitter {sample}: {gap:?}");
        }
        assert!((0.0..1.0).contains(&RandomJitter.sample()));
    }
}
