//! `coupon serve` in-process against the sandbox on loopback: the service started on a
//! journal of its own (`coupon_server::serve` on a loopback port), an API key, the issue
//! bodies a client sends, a client with a connection pool, and the PostgreSQL schemas the
//! replica group runs in.
//!
//! The vendor is the Giftletter adapter of [`crate::campaigns::Setup`], the one the bare
//! baseline calls, so both sides issue the same coupons through the same adapter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use coupon::Adapter;
use coupon_journal::{ApiKey, IdemBegin, IdemFinish, IdemFinishOf, IdemState, Journal};
use coupon_server::{AppState, RateLimit, ServeConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::campaigns::{MESSAGE, Setup, TITLE, phone};
use crate::flight::at_most;

/// The service's settings for a bench: the defaults, with at most `max_concurrent_calls` vendor calls at
/// once, and the per-key rate limit out of the way (one key sends every request here, far above the
/// default 200 a second a key).
pub fn config(max_concurrent_calls: usize) -> ServeConfig {
    let mut c = ServeConfig::default();
    c.max_concurrent_calls = max_concurrent_calls;
    c.rate_per_key = RateLimit { per_second: 1e9, burst: 1_000_000 };
    c
}

/// A running service: its address, its state, and what stops it.
pub struct Service {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its state (its worker name, its journal).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Service {
    /// Starts `coupon_server::serve` on a loopback port, on `journal`, with `adapter` as its only vendor.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound: nothing could be measured.
    pub async fn start(journal: Arc<dyn Journal>, adapter: Arc<dyn Adapter>, config: ServeConfig) -> Self {
        let state = AppState::new(journal, vec![adapter], config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(coupon_server::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self { base, state, shutdown: Some(tx), task: Some(task) }
    }

    /// Stops it as SIGTERM would, and waits until it has.
    ///
    /// # Panics
    ///
    /// When the service ends with an error.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the service's task").expect("the service stops cleanly");
        }
    }
}

/// Stores a fresh API key with the `issue` and `read` scopes in `journal`; the whole key (the bearer token).
///
/// # Panics
///
/// When the key cannot be made or stored.
pub async fn api_key(journal: &dyn Journal) -> String {
    let made = coupon_server::auth::keys::generate().expect("randomness for a key");
    let record = ApiKey {
        id: made.id.clone(),
        name: format!("bench-{}", made.id),
        scopes: vec!["issue".into(), "read".into()],
        secret_hash: made.secret_hash.clone(),
        created_at: coupon::chrono::Utc::now(),
        revoked_at: None,
    };
    journal.create_api_key(&record).await.expect("the API key is stored");
    made.token
}

/// A client as a back end would keep one: a pool of keep-alive connections, no proxy.
///
/// # Panics
///
/// When the client cannot be built.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("a reqwest client")
}

/// The `POST /v1/issues` body of row `i`: what [`Setup::issue_request`] sends bare (the sample goods and
/// callback, the same title and message, row `i`'s mobile number), as JSON bytes.
pub fn issue_body(setup: &Setup, i: usize) -> Vec<u8> {
    let body = json!({
        "vendor": "giftletter",
        "product": setup.goods,
        "to": phone(i),
        "callback": setup.callback.expose_digits(),
        "title": TITLE,
        "message": MESSAGE,
    });
    serde_json::to_vec(&body).expect("JSON")
}

/// An Idempotency-Key prefix no other call of this process uses.
pub fn fresh_prefix(name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{name}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// One `POST /v1/issues` to `base` under `idem`; its status and its body read as JSON.
///
/// # Panics
///
/// When the request fails at the transport or the answer is not JSON.
pub async fn post_issue(http: &reqwest::Client, base: &str, token: &str, idem: &str, body: Vec<u8>) -> (u16, Value) {
    let response = http
        .post(format!("{base}/v1/issues"))
        .bearer_auth(token)
        .header("Idempotency-Key", idem)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("the service answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("the answer's body");
    (status, serde_json::from_slice(&bytes).expect("a JSON answer"))
}

/// Makes each service read the key and opens a connection to it, untimed: one authenticated read of an issue
/// that does not exist (`404`).
///
/// # Panics
///
/// When a service does not answer `404`.
pub async fn warm(http: &reqwest::Client, bases: &[String], token: &str) {
    for base in bases {
        let r =
            http.get(format!("{base}/v1/issues/warm-up")).bearer_auth(token).send().await.expect("the service answers");
        assert_eq!(r.status(), 404, "an authenticated read of an unknown key");
    }
}

/// Sends `bodies` as issues under fresh keys (`prefix-i`), to `bases` in turn (round-robin), at most
/// `concurrency` at once; the time from the first send to the last answer. Every one must be issued (`201`).
///
/// # Panics
///
/// When an answer is not `201 issued`: the bench would time an error path.
pub async fn send_issues(
    http: &reqwest::Client,
    bases: &[String],
    token: &str,
    prefix: &str,
    bodies: Vec<Vec<u8>>,
    concurrency: usize,
) -> Duration {
    let token: Arc<str> = Arc::from(token);
    let jobs = bodies.into_iter().enumerate().map(|(i, body)| {
        let (http, base, token, idem) =
            (http.clone(), bases[i % bases.len()].clone(), Arc::clone(&token), format!("{prefix}-{i}"));
        async move { post_issue(&http, &base, &token, &idem, body).await }
    });
    let (took, answers) = at_most(concurrency, jobs).await;
    for (status, body) in answers {
        assert_eq!((status, body["state"].as_str()), (201, Some("issued")), "{body}");
    }
    took
}

/// Latencies in order: the median, the 99th percentile and the largest.
pub fn percentiles(latencies: &[Duration]) -> (Duration, Duration, Duration) {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let at = |q: f64| {
        let i = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
        sorted.get(i.min(sorted.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    (at(0.5), at(0.99), sorted.last().copied().unwrap_or_default())
}

/// A PostgreSQL schema of its own, created with a random name in the server `base` names, dropped by
/// [`Schema::drop_schema`]: each replica-group run starts from an empty journal.
pub struct Schema {
    /// The journal URL: `base` with the schema as its search path.
    pub url: String,
    admin: sqlx::PgPool,
    name: String,
}

impl Schema {
    /// Creates one.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached or the schema cannot be made.
    pub async fn create(base: &str) -> Self {
        let mut random = [0u8; 6];
        for b in &mut random {
            *b = fastrand::u8(..);
        }
        let name = format!("coupon_bench_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let admin =
            sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(base).await.expect("PostgreSQL answers");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}"))).execute(&admin).await.expect("a schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        Self { url: format!("{base}{sep}options[search_path]={name}"), admin, name }
    }

    /// Drops the schema and all it holds.
    ///
    /// # Panics
    ///
    /// When the schema cannot be dropped.
    pub async fn drop_schema(self) {
        let sql = format!("DROP SCHEMA {} CASCADE", self.name);
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&self.admin).await.expect("the schema is dropped");
        self.admin.close().await;
    }
}

/// Sends `n` `GET /healthz` to `base`, at most `concurrency` at once: the HTTP exchange of a request to the
/// service alone (the same client, connections and runtime as [`send_issues`], no handler's work); the time
/// from the first send to the last answer.
///
/// # Panics
///
/// When an answer is not `200`.
pub async fn send_healthz(http: &reqwest::Client, base: &str, n: usize, concurrency: usize) -> Duration {
    let jobs = (0..n).map(|_| {
        let (http, url) = (http.clone(), format!("{base}/healthz"));
        async move {
            let response = http.get(url).send().await.expect("the service answers");
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            status
        }
    });
    let (took, statuses) = at_most(concurrency, jobs).await;
    assert!(statuses.iter().all(|s| *s == 200), "every healthz answers 200");
    took
}

/// What `POST /v1/issues` writes to the journal for `bodies` under the keys `prefix-i`: each one's begin (its
/// canonical request, fingerprint and a fresh partner reference, as the service makes them) and a `201`
/// answer of the size the service stores.
///
/// # Panics
///
/// When a body is not one the service takes.
pub fn journal_writes(bodies: &[Vec<u8>], prefix: &str, worker: &str) -> Vec<(IdemBegin, IdemFinishOf)> {
    use coupon_server::issues::body::{IssueBody, fingerprint, new_partner_ref};
    bodies
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let body: IssueBody = serde_json::from_slice(bytes).expect("an issue body");
            let checked = body.check().expect("a valid issue body");
            let partner_ref = new_partner_ref().expect("randomness");
            let key = format!("{prefix}-{i}");
            let answer = json!({
                "key": key, "state": "issued", "vendor": checked.body.vendor, "product": checked.body.product,
                "partner_ref": partner_ref.as_str(), "order": format!("ORDER{i:012}"), "pin": format!("{i:016}"),
                "to": checked.body.to, "details_unknown": null,
            });
            let begin = IdemBegin {
                scope: "bench".into(),
                key: key.clone(),
                op: "issue".into(),
                target: None,
                fingerprint: fingerprint("issue", &checked.canonical),
                vendor: checked.body.vendor.clone(),
                partner_ref: Some(partner_ref.as_str().to_string()),
                request: checked.canonical.clone(),
                order_id: None,
                owner: worker.to_string(),
                lease: Duration::from_secs(300),
            };
            let finish = IdemFinishOf {
                scope: begin.scope.clone(),
                key,
                owner: worker.to_string(),
                finish: IdemFinish {
                    state: IdemState::Done,
                    outcome: "issued".into(),
                    status: 201,
                    response: answer.to_string(),
                    order_id: Some(format!("ORDER{i:012}")),
                    first_check: Duration::from_secs(2),
                },
            };
            (begin, finish)
        })
        .collect()
}

/// The journal's part of `POST /v1/issues` alone: each of `writes`' begins, then its answer, through the
/// service's group commit (as the service writes them, batched with the others in flight), at most
/// `concurrency` at once; no HTTP, no vendor call. The time from the first begin to the last answer.
///
/// # Panics
///
/// When a begin is not stored or an answer not applied.
pub async fn journal_only(
    journal: Arc<dyn Journal>,
    writes: Vec<(IdemBegin, IdemFinishOf)>,
    concurrency: usize,
) -> Duration {
    let commits = Arc::new(coupon_server::commit::GroupCommit::new(journal));
    let jobs = writes.into_iter().map(|(begin, finish)| {
        let commits = Arc::clone(&commits);
        async move { (commits.begin(begin).await, commits.finish(finish).await) }
    });
    let (took, written) = at_most(concurrency, jobs).await;
    for w in written {
        assert_eq!(w, (Some(true), Some(true)), "stored, then answered");
    }
    took
}

/// The CPU time this process has used so far, all its threads (user and system, from `/proc/self/stat`, in
/// clock ticks of 10 ms); None where that file is not Linux's.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's `(name)`, which may hold spaces: state is the first, utime the 12th.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The process's CPU time since `started` (a [`process_cpu`] reading); zero where it cannot be read.
pub fn cpu_since(started: Option<Duration>) -> Duration {
    process_cpu().zip(started).map(|(now, then)| now.saturating_sub(then)).unwrap_or_default()
}

/// Runs `work`, answering its own figure (the time it reports) and the process's CPU time it took.
pub fn with_cpu(work: impl FnOnce() -> Duration) -> (Duration, Duration) {
    let started = process_cpu();
    let took = work();
    (took, cpu_since(started))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_from_the_sorted_latencies() {
        let ms: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let (p50, p99, max) = percentiles(&ms);
        assert_eq!((p50, p99, max), (Duration::from_millis(50), Duration::from_millis(99), Duration::from_millis(100)));
    }

    #[test]
    fn process_cpu_counts_what_the_process_burns() {
        let before = process_cpu().expect("Linux's /proc/self/stat");
        let mut x = 0u64;
        while process_cpu().expect("still readable") < before + Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let (took, cpu) = with_cpu(|| Duration::from_millis(1));
        assert_eq!(took, Duration::from_millis(1), "the work's own figure is kept");
        assert!(cpu < Duration::from_secs(1), "{cpu:?}");
        // Work that burns 50 ms of CPU is counted as at least most of it (the clock ticks every 10 ms).
        let (_, burnt) = with_cpu(|| {
            let spin = process_cpu().expect("readable");
            while process_cpu().expect("readable") < spin + Duration::from_millis(50) {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            Duration::ZERO
        });
        assert!(burnt >= Duration::from_millis(40), "{burnt:?}");
    }
}
