//! `coupon serve` in-process, against the sandbox on loopback (one two-thread runtime for the
//! sandbox, the service and the client).
//!
//! - `serve_issue`: N Giftletter issues at concurrency C, `bare_issue` (`Adapter::issue`, no
//!   journal, no HTTP: `campaign_throughput`'s baseline) against `serve_issue` (`POST /v1/issues`
//!   to `coupon_server::serve` on a fresh SQLite journal per iteration, one fresh Idempotency-Key
//!   per issue, one reqwest client with its connection pool). Starting the service, its journal and
//!   its API key is untimed.
//!   Two parts of `serve_issue` alone, at the same N and C: `healthz` (`GET /healthz`: the HTTP
//!   exchange to the service with no handler's work) and `journal_only` (each issue's begin and
//!   answer through the service's group commit, no HTTP, no vendor); the last line gives the ratio
//!   with those two costs and nothing else, `bare / (bare + healthz + journal_only)`, in wall time
//!   (if they do not overlap) and in CPU time (the most it can be where the machine is CPU-bound).
//! - `serve_replay`: R sequential requests per iteration on one service: `healthz` (`GET /healthz`,
//!   the baseline) against `replay` (the same `POST /v1/issues` under the same key again, answered
//!   from the journal); each request's latency is kept, and p50 / p99 / max are printed.
//! - `serve_replicas` (PostgreSQL, only with `COUPON_BENCH_POSTGRES_URL`): 50 ms of latency on every
//!   Giftletter call, M issues sent round-robin at a client concurrency of 48, each replica making
//!   at most 8 vendor calls at once: `1_replica` against `3_replicas` (three `AppState`s and
//!   `serve`s, each with its own worker name and its own journal handle), a fresh schema per
//!   iteration.
//!
//! Environment: `COUPON_BENCH_SERVE_ISSUES` (N, default 2,000), `COUPON_BENCH_SERVE_CONCURRENCY`
//! (C, default 32), `COUPON_BENCH_REPLAYS` (R, default 2,000), `COUPON_BENCH_REPLICA_ISSUES` (M,
//! default 600), `COUPON_BENCH_JOURNAL_DIR` (where the SQLite journals go, default the system's
//! temporary directory; e.g. `/dev/shm` to take the disk's flushes out).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coupon_benches::campaigns::Setup;
use coupon_benches::server::{self, Schema, Service};
use coupon_journal::Journal;
use coupon_sandbox::{FaultKind, FaultSpec};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default)
}

/// The median of the per-iteration times, and how many.
fn median(times: &Mutex<Vec<Duration>>) -> (Duration, usize) {
    let mut t = times.lock().unwrap_or_else(|e| e.into_inner()).clone();
    t.sort();
    (t.get(t.len() / 2).copied().unwrap_or_default(), t.len())
}

/// Runs `one` `iters` times, keeping each time in `times`; their sum, for `iter_custom`.
fn timed(iters: u64, times: &Mutex<Vec<Duration>>, mut one: impl FnMut() -> Duration) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let took = one();
        times.lock().unwrap_or_else(|e| e.into_inner()).push(took);
        total += took;
    }
    total
}

/// Runs `one` `iters` times, keeping each one's time in `times` and its CPU time in `cpus`; the sum of the
/// times, for `iter_custom`.
fn timed_cpu(
    iters: u64,
    times: &Mutex<Vec<Duration>>,
    cpus: &Mutex<Vec<Duration>>,
    mut one: impl FnMut() -> (Duration, Duration),
) -> Duration {
    timed(iters, times, || {
        let (took, cpu) = one();
        cpus.lock().unwrap_or_else(|e| e.into_inner()).push(cpu);
        took
    })
}

/// A temporary directory for a SQLite journal, in `COUPON_BENCH_JOURNAL_DIR` when set.
fn journal_dir() -> tempfile::TempDir {
    match std::env::var_os("COUPON_BENCH_JOURNAL_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("a temporary directory")
}

fn journal_dir_name() -> String {
    std::env::var_os("COUPON_BENCH_JOURNAL_DIR")
        .map_or_else(|| std::env::temp_dir().display().to_string(), |d| d.to_string_lossy().into_owned())
}

/// A fresh SQLite journal in `dir`.
fn sqlite_journal(setup: &Setup, dir: &tempfile::TempDir) -> Arc<dyn Journal> {
    let url = format!("sqlite:{}", dir.path().join("journal.db").display());
    Arc::from(setup.runtime.block_on(coupon_journal::open(&url)).expect("the journal opens"))
}

/// One `serve_issue` iteration: a fresh journal, service and key (untimed), then `n` issues over HTTP.
fn serve_issue_once(setup: &Setup, http: &reqwest::Client, n: usize, concurrency: usize) -> (Duration, Duration) {
    let dir = journal_dir();
    let journal = sqlite_journal(setup, &dir);
    let bodies: Vec<Vec<u8>> = (0..n).map(|i| server::issue_body(setup, i)).collect();
    setup.runtime.block_on(async {
        let service = Service::start(Arc::clone(&journal), Arc::clone(&setup.adapter), server::config(64)).await;
        let token = server::api_key(&*journal).await;
        let bases = [service.base.clone()];
        server::warm(http, &bases, &token).await;
        let started = server::process_cpu();
        let took = server::send_issues(http, &bases, &token, &server::fresh_prefix("issue"), bodies, concurrency).await;
        let cpu = server::cpu_since(started);
        service.stop().await;
        journal.close().await;
        (took, cpu)
    })
}

/// One `healthz` iteration: a service on a fresh journal (untimed), then `n` `GET /healthz` at `concurrency`.
fn healthz_once(setup: &Setup, http: &reqwest::Client, n: usize, concurrency: usize) -> (Duration, Duration) {
    let dir = journal_dir();
    let journal = sqlite_journal(setup, &dir);
    setup.runtime.block_on(async {
        let service = Service::start(Arc::clone(&journal), Arc::clone(&setup.adapter), server::config(64)).await;
        let started = server::process_cpu();
        let took = server::send_healthz(http, &service.base, n, concurrency).await;
        let cpu = server::cpu_since(started);
        service.stop().await;
        journal.close().await;
        (took, cpu)
    })
}

/// One `journal_only` iteration: a fresh journal and the writes (untimed), then `n` begins and answers.
fn journal_once(setup: &Setup, n: usize, concurrency: usize) -> (Duration, Duration) {
    let dir = journal_dir();
    let journal = sqlite_journal(setup, &dir);
    let bodies: Vec<Vec<u8>> = (0..n).map(|i| server::issue_body(setup, i)).collect();
    let writes = server::journal_writes(&bodies, &server::fresh_prefix("journal"), "bench-worker");
    setup.runtime.block_on(async {
        let started = server::process_cpu();
        let took = server::journal_only(Arc::clone(&journal), writes, concurrency).await;
        let cpu = server::cpu_since(started);
        journal.close().await;
        (took, cpu)
    })
}

fn serve_issue(c: &mut Criterion, setup: &Setup) {
    let n = env_usize("COUPON_BENCH_SERVE_ISSUES", 2_000);
    let concurrency = env_usize("COUPON_BENCH_SERVE_CONCURRENCY", 32);
    let http = server::client();
    let mut group = c.benchmark_group("serve_issue");
    group.throughput(Throughput::Elements(n as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    let runs = || (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    let (bare, served, hop, journal) = (runs(), runs(), runs(), runs());
    group.bench_function("bare_issue", |b| {
        b.iter_custom(|iters| {
            timed_cpu(iters, &bare.0, &bare.1, || server::with_cpu(|| setup.bare_issue(n, concurrency)))
        })
    });
    group.bench_function("serve_issue", |b| {
        b.iter_custom(|iters| timed_cpu(iters, &served.0, &served.1, || serve_issue_once(setup, &http, n, concurrency)))
    });
    // Two parts of serve_issue alone, to tell what its ratio can reach on this machine.
    group.bench_function("healthz", |b| {
        b.iter_custom(|iters| timed_cpu(iters, &hop.0, &hop.1, || healthz_once(setup, &http, n, concurrency)))
    });
    group.bench_function("journal_only", |b| {
        b.iter_custom(|iters| timed_cpu(iters, &journal.0, &journal.1, || journal_once(setup, n, concurrency)))
    });
    group.finish();
    let ((b, bn), (s, sn), (h, _), (j, _)) = (median(&bare.0), median(&served.0), median(&hop.0), median(&journal.0));
    let per_issue = |cpus: &Mutex<Vec<Duration>>| median(cpus).0.as_secs_f64() * 1e6 / n as f64;
    let (bc, sc, hc, jc) = (per_issue(&bare.1), per_issue(&served.1), per_issue(&hop.1), per_issue(&journal.1));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "serve_issue: N = {n}, C = {concurrency}, journal in {}: bare_issue median {b:.2?} ({:.0} issues/s, {bn} runs), \
         serve_issue median {s:.2?} ({:.0} issues/s, {sn} runs), ratio serve_issue/bare_issue = {:.2} (target >= 0.7)",
        journal_dir_name(),
        rate(b),
        rate(s),
        b.as_secs_f64() / s.as_secs_f64(),
    );
    println!(
        "serve_issue parts: healthz median {h:.2?} (the HTTP exchange alone), journal_only median {j:.2?} (the \
         begins and answers alone); the ratio with both and nothing else, if they do not overlap, \
         bare_issue / (bare_issue + healthz + journal_only) = {:.2}; CPU time per issue (all threads, median): \
         bare_issue {bc:.0} µs, serve_issue {sc:.0} µs, healthz {hc:.0} µs, journal_only {jc:.0} µs, \
         bare_issue / (bare_issue + healthz + journal_only) in CPU = {:.2}",
        b.as_secs_f64() / (b + h + j).as_secs_f64(),
        bc / (bc + hc + jc),
    );
}

/// `r` sequential requests made by `request`, each one's latency pushed to `latencies`; the total.
fn sequential<F, Fut>(setup: &Setup, r: usize, latencies: &Mutex<Vec<Duration>>, request: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut each = Vec::with_capacity(r);
    let total = setup.runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..r {
            let t = Instant::now();
            request().await;
            each.push(t.elapsed());
        }
        started.elapsed()
    });
    latencies.lock().unwrap_or_else(|e| e.into_inner()).extend(each);
    total
}

fn serve_replay(c: &mut Criterion, setup: &Setup) {
    let r = env_usize("COUPON_BENCH_REPLAYS", 2_000);
    let http = server::client();
    let dir = journal_dir();
    let journal = sqlite_journal(setup, &dir);
    let (service, token) = setup.runtime.block_on(async {
        let service = Service::start(Arc::clone(&journal), Arc::clone(&setup.adapter), server::config(64)).await;
        let token = server::api_key(&*journal).await;
        (service, token)
    });
    let body = server::issue_body(setup, 0);
    let idem = server::fresh_prefix("replay");
    let (status, first) = setup.runtime.block_on(server::post_issue(&http, &service.base, &token, &idem, body.clone()));
    assert_eq!((status, first["state"].as_str()), (201, Some("issued")), "{first}");
    let replay = || {
        let request = http
            .post(format!("{}/v1/issues", service.base))
            .bearer_auth(&token)
            .header("Idempotency-Key", &idem)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
        async move {
            let response = request.send().await.expect("the service answers");
            assert_eq!(response.status(), 201);
            assert_eq!(response.headers().get("Idempotent-Replayed").and_then(|v| v.to_str().ok()), Some("true"));
            response.bytes().await.expect("the replayed body");
        }
    };
    let healthz = || {
        let request = http.get(format!("{}/healthz", service.base));
        async move {
            let response = request.send().await.expect("the service answers");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("the health body");
        }
    };
    let mut group = c.benchmark_group("serve_replay");
    group.throughput(Throughput::Elements(r as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    let (health_each, replay_each) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    let (health_runs, replay_runs) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    group.bench_function("healthz", |b| {
        b.iter_custom(|iters| timed(iters, &health_runs, || sequential(setup, r, &health_each, healthz)))
    });
    group.bench_function("replay", |b| {
        b.iter_custom(|iters| timed(iters, &replay_runs, || sequential(setup, r, &replay_each, replay)))
    });
    group.finish();
    setup.runtime.block_on(async {
        service.stop().await;
        journal.close().await;
    });
    for (name, each) in [("healthz", &health_each), ("replay", &replay_each)] {
        let each = each.lock().unwrap_or_else(|e| e.into_inner());
        let (p50, p99, max) = server::percentiles(&each);
        println!(
            "serve_replay: {name}: {} sequential requests (batches of {r}, journal in {}): p50 {p50:.2?}, p99 {p99:.2?}, \
             max {max:.2?}{}",
            each.len(),
            journal_dir_name(),
            if name == "replay" { " (target p99 < 5 ms)" } else { "" },
        );
    }
}

/// One `serve_replicas` iteration: a fresh schema, `replicas` services on their own journal handles and a
/// key (untimed), then `m` issues sent round-robin at a concurrency of 48.
fn replicas_once(setup: &Setup, http: &reqwest::Client, base_url: &str, replicas: usize, m: usize) -> Duration {
    let bodies: Vec<Vec<u8>> = (0..m).map(|i| server::issue_body(setup, i)).collect();
    setup.runtime.block_on(async {
        let schema = Schema::create(base_url).await;
        let mut journals: Vec<Arc<dyn Journal>> = Vec::new();
        for _ in 0..replicas {
            journals.push(Arc::from(coupon_journal::open(&schema.url).await.expect("the PostgreSQL journal opens")));
        }
        let mut services = Vec::new();
        for j in &journals {
            services.push(Service::start(Arc::clone(j), Arc::clone(&setup.adapter), server::config(8)).await);
        }
        let workers: std::collections::BTreeSet<&str> = services.iter().map(|s| s.state.worker()).collect();
        assert_eq!(workers.len(), replicas, "each replica has its own worker name");
        let token = server::api_key(&*journals[0]).await;
        let bases: Vec<String> = services.iter().map(|s| s.base.clone()).collect();
        server::warm(http, &bases, &token).await;
        let took = server::send_issues(http, &bases, &token, &server::fresh_prefix("replicas"), bodies, 48).await;
        for s in services {
            s.stop().await;
        }
        for j in journals {
            j.close().await;
        }
        schema.drop_schema().await;
        took
    })
}

fn serve_replicas(c: &mut Criterion, setup: &Setup) {
    let Ok(url) = std::env::var("COUPON_BENCH_POSTGRES_URL") else {
        println!(
            "serve_replicas: skipped (set COUPON_BENCH_POSTGRES_URL to a PostgreSQL URL, e.g. from `.ci/postgres start`)"
        );
        return;
    };
    let m = env_usize("COUPON_BENCH_REPLICA_ISSUES", 600);
    let http = server::client();
    let admin = setup.sandbox.admin();
    setup
        .runtime
        .block_on(admin.inject(FaultSpec::new("/giftletter/", FaultKind::Latency { ms: 50 }).times(u32::MAX)))
        .expect("the latency fault is queued");
    let mut group = c.benchmark_group("serve_replicas");
    group.throughput(Throughput::Elements(m as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    let (one, three) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    for (id, replicas, times) in [("1_replica", 1, &one), ("3_replicas", 3, &three)] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| timed(iters, times, || replicas_once(setup, &http, &url, replicas, m)))
        });
    }
    group.finish();
    setup.runtime.block_on(admin.clear_faults()).expect("the faults are cleared");
    let ((o, on), (t, tn)) = (median(&one), median(&three));
    println!(
        "serve_replicas: M = {m}, 50 ms per Giftletter call, 8 calls per replica, client concurrency 48: \
         1 replica median {o:.2?} ({on} runs), 3 replicas median {t:.2?} ({tn} runs), ratio 3/1 = {:.2} (target >= 2.5)",
        o.as_secs_f64() / t.as_secs_f64(),
    );
}

fn server_groups(c: &mut Criterion) {
    let setup = Setup::start();
    serve_issue(c, &setup);
    serve_replay(c, &setup);
    serve_replicas(c, &setup);
}

criterion_group!(benches, server_groups);
criterion_main!(benches);
