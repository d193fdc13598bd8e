//! A token bucket per API key: a key over its rate gets `429` with `Retry-After`, before its
//! request is read. Keys are told apart by their public id (the part before the secret), so
//! the limit costs no journal read; a made-up key is refused by authentication anyway.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::auth::keys;
use crate::config::RateLimit;
use crate::problem::Problem;
use crate::state::AppState;

/// How many buckets are kept before the full ones are dropped.
const MAX_BUCKETS: usize = 10_000;

/// The buckets.
#[derive(Debug)]
pub struct Buckets {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Buckets {
    /// Buckets of `limit` each.
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, buckets: Mutex::default() }
    }

    /// Takes a token from `key`'s bucket; otherwise, how many seconds until one is there.
    pub fn take(&self, key: &str) -> Result<(), f64> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        let now = Instant::now();
        let burst = f64::from(self.limit.burst.max(1));
        // Ids are read before the key is checked, so made-up ones must not grow the map without end: a full
        // bucket (one untouched long enough to refill) is the same as none, and is dropped.
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            let refill = std::time::Duration::from_secs_f64(burst / self.limit.per_second.max(f64::MIN_POSITIVE));
            buckets.retain(|_, (_, at)| now.duration_since(*at) < refill);
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.limit.per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - *tokens) / self.limit.per_second.max(f64::MIN_POSITIVE))
        }
    }
}

/// The middleware.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key_id = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| keys::parse(t.trim()).map(|p| p.id.to_string()));
    if let Some(id) = key_id {
        if let Err(wait) = state.buckets().take(&id) {
            state.metrics().rate_limited();
            let seconds = wait.ceil().max(1.0) as u64;
            return Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "this API key is over its rate of {} requests a second (burst {}); retry after {seconds} s",
                    state.config().rate_per_key.per_second,
                    state.config().rate_per_key.burst
                ),
            )
            .retryable(true)
            .with("retry_after_seconds", seconds)
            .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_with_the_wait() {
        let b = Buckets::new(RateLimit { per_second: 1.0, burst: 2 });
        assert!(b.take("a").is_ok() && b.take("a").is_ok());
        let wait = b.take("a").unwrap_err();
        assert!(wait > 0.0 && wait <= 1.0, "{wait}");
        assert!(b.take("b").is_ok(), "buckets are per key");
    }
}
