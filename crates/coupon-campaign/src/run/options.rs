//! How a worker sends: rate, concurrency, spending cap, breaker, lease, and its name.

use std::time::Duration;

use crate::rate::Rate;

/// How a worker sends.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RunOptions {
    /// Calls a second, for this worker (`--rate`, default 5/s).
    pub rate: Rate,
    /// Calls in flight at once (`--concurrency`, default 4).
    pub concurrency: usize,
    /// Stop before the campaign could have spent more than this many won (`--max-spend`).
    pub max_spend: Option<i64>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: u32,
    /// How long a claim holds; renewed every third of it while the worker lives.
    pub lease: Duration,
    /// This worker's name in the journal's leases: a name (default: the host's), the
    /// process id and a random suffix.
    pub worker: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            rate: Rate::per_second(5.0).expect("5/s is a rate"),
            concurrency: 4,
            max_spend: None,
            breaker: 5,
            lease: Duration::from_secs(60),
            worker: default_worker(),
        }
    }
}

impl RunOptions {
    /// The defaults: 5/s, 4 in flight, no cap, breaker at 5, 60 s leases.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets [`RunOptions::rate`].
    pub fn rate(mut self, rate: Rate) -> Self {
        self.rate = rate;
        self
    }
    /// Sets [`RunOptions::concurrency`] (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Sets [`RunOptions::max_spend`].
    pub fn max_spend(mut self, won: Option<i64>) -> Self {
        self.max_spend = won;
        self
    }
    /// Sets [`RunOptions::breaker`] (at least 1).
    pub fn breaker(mut self, n: u32) -> Self {
        self.breaker = n.max(1);
        self
    }
    /// The shortest lease: a shorter one is raised to it.
    pub const MIN_LEASE: Duration = Duration::from_secs(1);

    /// Sets [`RunOptions::lease`] (at least [`RunOptions::MIN_LEASE`]).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Self::MIN_LEASE);
        self
    }
    /// Names this worker `NAME:PID:RANDOM` ([`RunOptions::worker`]). The suffix is new
    /// for every call: a worker restarted under the same name must not renew the leases
    /// its killed predecessor left, or those rows would wait on a dead run forever
    /// instead of expiring into doubt and being settled.
    pub fn worker(mut self, name: &str) -> Self {
        self.worker = worker_named(name);
        self
    }
}

/// A worker name unique enough across machines and restarts: the host's name, the
/// process id and a random suffix.
fn default_worker() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".into());
    worker_named(&host)
}

/// `name`, the process id and 32 random bits: not the name of an earlier run.
fn worker_named(name: &str) -> String {
    let mut suffix = [0u8; 4];
    let _ = getrandom::fill(&mut suffix);
    format!("{name}:{}:{:08x}", std::process::id(), u32::from_le_bytes(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_named_twice_is_two_workers_so_a_restart_never_renews_a_dead_runs_leases() {
        let (first, restarted) = (RunOptions::new().worker("batch"), RunOptions::new().worker("batch"));
        assert!(first.worker.starts_with("batch:") && restarted.worker.starts_with("batch:"), "{first:?}");
        assert_ne!(first.worker, restarted.worker);
        assert_ne!(RunOptions::new().worker, RunOptions::new().worker);
    }
}
