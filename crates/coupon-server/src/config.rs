//! The service's settings, with the defaults `coupon serve` starts with.

use std::time::Duration;

/// How the service runs. Every field has a default (`ServeConfig::default()`); `coupon serve` sets them
/// from its flags.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServeConfig {
    /// How long an idempotency key (and its answer) is kept after its request: 30 days.
    pub idempotency_retention: Duration,
    /// How often the purge of expired keys runs: hourly.
    pub purge_every: Duration,
    /// How long a replica holds a request it is sending before another replica may treat it as a doubt
    /// (the sender crashed): 5 minutes, well beyond any adapter's total timeout.
    pub send_lease: Duration,
    /// How often the reconciler looks for doubts: every 2 seconds.
    pub reconcile_every: Duration,
    /// How soon after a doubt the reconciler first asks the vendor: 2 seconds.
    pub first_check: Duration,
    /// The largest JSON body: 64 KiB.
    pub body_limit: usize,
    /// The largest campaign upload (multipart): 64 MiB.
    pub upload_limit: usize,
    /// The longest a request may take before `503`: 60 seconds. A money-moving call already sent finishes
    /// and is recorded regardless (its answer is then read with `GET /v1/issues/{key}`).
    pub request_timeout: Duration,
    /// Requests per second each API key may make (a token bucket), and its burst.
    pub rate_per_key: RateLimit,
    /// How long SIGTERM waits for requests and money-moving calls in flight: 30 seconds.
    pub shutdown_grace: Duration,
    /// How many money-moving vendor calls this replica makes at once (64): each opens a connection of its
    /// own, so this bounds what one replica asks of a vendor and of the machine; more requests wait their turn.
    /// Several replicas multiply it.
    pub max_concurrent_calls: usize,
    /// How long a looked-up API key is trusted before it is read again (a revocation takes effect within it).
    pub key_cache: Duration,
}

/// A token bucket: `per_second` sustained, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Tokens added per second.
    pub per_second: f64,
    /// The bucket's size.
    pub burst: u32,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            idempotency_retention: Duration::from_secs(30 * 24 * 3600),
            purge_every: Duration::from_secs(3600),
            send_lease: Duration::from_secs(300),
            reconcile_every: Duration::from_secs(2),
            first_check: Duration::from_secs(2),
            body_limit: 64 * 1024,
            upload_limit: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            rate_per_key: RateLimit { per_second: 200.0, burst: 400 },
            shutdown_grace: Duration::from_secs(30),
            key_cache: Duration::from_secs(5),
            max_concurrent_calls: 64,
        }
    }
}
