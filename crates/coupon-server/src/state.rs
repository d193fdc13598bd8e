//! What every handler shares: the journal, the installed adapters, the settings, this
//! replica's name, the metrics, and the money-moving calls in flight.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use coupon_core::{Adapter, Capabilities};
use coupon_journal::{ApiKey, Journal};
use tokio::sync::watch;

use crate::config::ServeConfig;
use crate::ops::metrics::Metrics;
use crate::problem::Problem;

/// The service's shared state (cheap to clone).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    journal: Arc<dyn Journal>,
    adapters: BTreeMap<String, Arc<dyn Adapter>>,
    config: ServeConfig,
    worker: String,
    metrics: Metrics,
    keys: KeyCache,
    tasks: Arc<Tasks>,
    commits: crate::commit::GroupCommit,
    buckets: crate::ops::rate::Buckets,
    stopping: watch::Sender<bool>,
    jobs: crate::campaigns::jobs::Jobs,
}

impl AppState {
    /// The state of a service on `journal` with `adapters` (each under its vendor's name).
    pub fn new(journal: Arc<dyn Journal>, adapters: Vec<Arc<dyn Adapter>>, config: ServeConfig) -> Self {
        let adapters = adapters.into_iter().map(|a| (a.vendor().as_str().to_string(), a)).collect();
        let (stopping, _) = watch::channel(false);
        let keys = KeyCache { journal: journal.clone(), ttl: config.key_cache, cached: Mutex::default() };
        let commits = crate::commit::GroupCommit::new(journal.clone());
        Self(Arc::new(Inner {
            journal,
            adapters,
            worker: worker_name(),
            metrics: Metrics::default(),
            keys,
            tasks: Arc::new(Tasks::new(config.max_concurrent_calls)),
            commits,
            buckets: crate::ops::rate::Buckets::new(config.rate_per_key),
            stopping,
            jobs: crate::campaigns::jobs::Jobs::default(),
            config,
        }))
    }

    /// The journal.
    pub fn journal(&self) -> &dyn Journal {
        self.0.journal.as_ref()
    }

    /// The journal, shared.
    pub fn journal_arc(&self) -> Arc<dyn Journal> {
        self.0.journal.clone()
    }

    /// The settings.
    pub fn config(&self) -> &ServeConfig {
        &self.0.config
    }

    /// This replica's name: the owner of its leases.
    pub fn worker(&self) -> &str {
        &self.0.worker
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The API keys, looked up through a short cache.
    pub fn keys(&self) -> &KeyCache {
        &self.0.keys
    }

    /// The installed and configured adapters, by vendor name.
    pub fn adapters(&self) -> &BTreeMap<String, Arc<dyn Adapter>> {
        &self.0.adapters
    }

    /// `vendor`'s adapter, or `404` naming the configured ones (`field` is the request's field that named it).
    pub fn adapter(&self, vendor: &str, field: &str) -> Result<Arc<dyn Adapter>, Problem> {
        self.0.adapters.get(vendor).cloned().ok_or_else(|| {
            let known: Vec<&str> = self.0.adapters.keys().map(String::as_str).collect();
            Problem::not_found(format!(
                "no vendor `{vendor}` is configured in this service; the configured ones are: {}",
                known.join(", ")
            ))
            .field(field)
        })
    }

    /// `vendor`'s adapter when it offers `operation` (an `op` name), else `404` or `501` naming the capability.
    pub fn adapter_for(&self, vendor: &str, field: &str, operation: &str) -> Result<Arc<dyn Adapter>, Problem> {
        let adapter = self.adapter(vendor, field)?;
        let caps: Capabilities = adapter.capabilities();
        if !caps.offers(operation) {
            return Err(Problem::unsupported(vendor, operation));
        }
        Ok(adapter)
    }

    /// The money-moving calls in flight (finished and recorded before the process exits).
    pub fn tasks(&self) -> &Arc<Tasks> {
        &self.0.tasks
    }

    /// The group commit of the requests in flight.
    pub fn commits(&self) -> &crate::commit::GroupCommit {
        &self.0.commits
    }

    /// The per-key rate limit's buckets.
    pub fn buckets(&self) -> &crate::ops::rate::Buckets {
        &self.0.buckets
    }

    /// The campaign jobs (runs, reconciles, syncs, cancels, resends) of this replica.
    pub fn jobs(&self) -> &crate::campaigns::jobs::Jobs {
        &self.0.jobs
    }

    /// Whether the service is shutting down, and a receiver that changes when it starts to.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.0.stopping.subscribe()
    }

    /// Starts the shutdown: background loops stop taking new work.
    pub fn begin_shutdown(&self) {
        self.0.stopping.send_replace(true);
    }
}

/// `host-pid-random`: unique among replicas, readable in the journal's lease columns.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "serve".into());
    let mut tail = [0u8; 3];
    let _ = getrandom::fill(&mut tail);
    format!("{host}-{}-{}", std::process::id(), crate::auth::keys::hex(&tail))
}

/// API keys by id, each trusted for the settings' `key_cache` after it was read.
pub struct KeyCache {
    journal: Arc<dyn Journal>,
    ttl: std::time::Duration,
    cached: Mutex<HashMap<String, (Instant, Option<ApiKey>)>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl KeyCache {
    /// The key with this id, as stored (revoked ones too).
    pub async fn lookup(&self, id: &str) -> Result<Option<ApiKey>, Problem> {
        if let Some((at, key)) = self.cached.lock().map_err(|_| Problem::internal("key cache poisoned"))?.get(id) {
            if at.elapsed() < self.ttl {
                return Ok(key.clone());
            }
        }
        let key = self.journal.api_key(id).await?;
        let mut cached = self.cached.lock().map_err(|_| Problem::internal("key cache poisoned"))?;
        // Unknown ids are cached too (a flood of made-up keys costs one read each per ttl), but bounded.
        if cached.len() > 10_000 {
            cached.clear();
        }
        cached.insert(id.to_string(), (Instant::now(), key.clone()));
        Ok(key)
    }
}

/// The money-moving calls in flight: counted (shutdown waits on them) and bounded (the settings'
/// `max_concurrent_calls`).
#[derive(Debug)]
pub struct Tasks {
    count: Mutex<usize>,
    idle: tokio::sync::Notify,
    permits: Arc<tokio::sync::Semaphore>,
}

impl Tasks {
    /// At most `limit` calls at once (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            count: Mutex::new(0),
            idle: tokio::sync::Notify::new(),
            permits: Arc::new(tokio::sync::Semaphore::new(limit.max(1))),
        }
    }

    /// A turn to call a vendor. Taken once the request is stored (a replay needs none), waiting at most a
    /// tenth of the send lease ([`crate::issues::flow::turn`]), so no request waits out its lease for it.
    pub async fn permit(&self) -> Permit {
        // The semaphore is never closed: a permit always comes.
        Permit { _held: self.permits.clone().acquire_owned().await.ok() }
    }

    /// Runs `work` to its end on its own task, counted, even if the request that started it is dropped
    /// (its client hung up, its deadline fired): a call that may have reached the vendor is always recorded.
    pub async fn run_to_end<F, T>(self: &Arc<Self>, permit: Permit, work: F) -> Option<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let guard = TaskGuard::enter(self.clone());
        tokio::spawn(async move {
            let _guard = guard;
            let _permit = permit;
            work.await
        })
        .await
        .ok()
    }

    /// How many are in flight.
    pub fn in_flight(&self) -> usize {
        self.count.lock().map(|c| *c).unwrap_or(0)
    }

    /// Waits until none is in flight.
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// A turn to call a vendor ([`Tasks::permit`]), given back when dropped.
#[derive(Debug)]
pub struct Permit {
    _held: Option<tokio::sync::OwnedSemaphorePermit>,
}

struct TaskGuard(Arc<Tasks>);

impl TaskGuard {
    fn enter(tasks: Arc<Tasks>) -> Self {
        if let Ok(mut c) = tasks.count.lock() {
            *c += 1;
        }
        Self(tasks)
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if let Ok(mut c) = self.0.count.lock() {
            *c = c.saturating_sub(1);
            if *c == 0 {
                self.0.idle.notify_waiters();
            }
        }
    }
}
