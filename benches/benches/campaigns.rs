//! Campaigns against the sandbox on loopback.
//!
//! - `campaign_throughput`: the same N Giftletter issues at concurrency C, sent
//!   bare (`bare_issue`: `Adapter::issue`, no journal) and by the journal's runner
//!   (`journal_run`: a fresh SQLite journal per iteration, the campaign created
//!   outside the timed region, `Runner::run` timed).
//! - `campaign_workers` (PostgreSQL, only with `COUPON_BENCH_POSTGRES_URL`): M rows
//!   with 50 ms of latency on every Giftletter call, one worker vs four.
//!
//! Environment: `COUPON_BENCH_CAMPAIGN_ROWS` (N, default 2,000),
//! `COUPON_BENCH_CAMPAIGN_CONCURRENCY` (C, default 8), `COUPON_BENCH_JOURNAL_DIR`
//! (where the SQLite journals go, default the system's temporary directory; e.g.
//! `/dev/shm` to take the disk's flushes out), `COUPON_BENCH_WORKER_ROWS` (M, default 200).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coupon_benches::campaigns::{Setup, unlimited};
use coupon_journal::Journal;
use coupon_sandbox::{FaultKind, FaultSpec};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(default)
}

/// A campaign name no other iteration of this process uses.
fn fresh_name(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{n}", std::process::id())
}

/// The median of the per-iteration times, and how many.
fn median(times: &Mutex<Vec<Duration>>) -> (Duration, usize) {
    let mut t = times.lock().unwrap_or_else(|e| e.into_inner()).clone();
    t.sort();
    (t.get(t.len() / 2).copied().unwrap_or_default(), t.len())
}

fn throughput(c: &mut Criterion, setup: &Setup) {
    let n = env_usize("COUPON_BENCH_CAMPAIGN_ROWS", 2_000);
    let concurrency = env_usize("COUPON_BENCH_CAMPAIGN_CONCURRENCY", 8);
    let journal_dir = std::env::var_os("COUPON_BENCH_JOURNAL_DIR");
    let mut group = c.benchmark_group("campaign_throughput");
    group.throughput(Throughput::Elements(n as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    let (bare, journal) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    group.bench_function("bare_issue", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let took = setup.bare_issue(n, concurrency);
                bare.lock().unwrap_or_else(|e| e.into_inner()).push(took);
                total += took;
            }
            total
        })
    });
    group.bench_function("journal_run", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Untimed: a fresh journal and the campaign's creation.
                let dir = match &journal_dir {
                    Some(d) => tempfile::tempdir_in(d),
                    None => tempfile::tempdir(),
                }
                .expect("a temporary directory");
                let url = format!("sqlite:{}", dir.path().join("journal.db").display());
                let j: Arc<dyn Journal> =
                    Arc::from(setup.runtime.block_on(coupon_journal::open(&url)).expect("the journal opens"));
                let campaign = setup.create(&*j, &fresh_name("throughput"), &dir.path().join("rows.csv"), n);
                // Timed: the run.
                let took = setup.journal_run(Arc::clone(&j), campaign, n as u64, unlimited(concurrency, "bench"));
                journal.lock().unwrap_or_else(|e| e.into_inner()).push(took);
                total += took;
                drop(j);
            }
            total
        })
    });
    group.finish();
    let ((b, bn), (j, jn)) = (median(&bare), median(&journal));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "campaign_throughput: N = {n}, C = {concurrency}, journal in {}: bare_issue median {b:.2?} ({:.0} rows/s, {bn} runs), \
         journal_run median {j:.2?} ({:.0} rows/s, {jn} runs), ratio journal_run/bare_issue = {:.2}",
        journal_dir
            .as_ref()
            .map_or_else(|| std::env::temp_dir().display().to_string(), |d| d.to_string_lossy().into_owned()),
        rate(b),
        rate(j),
        b.as_secs_f64() / j.as_secs_f64(),
    );
}

/// One iteration of `campaign_workers`: a fresh campaign of `m` rows, run by one
/// runner per journal in `journals` concurrently (concurrency 1 each); the time
/// from the first run's start to the last one's end.
fn workers_run(setup: &Setup, journals: &[Arc<dyn Journal>], m: usize) -> Duration {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let campaign = setup.create(&*journals[0], &fresh_name("workers"), &dir.path().join("rows.csv"), m);
    let runners: Vec<_> = journals
        .iter()
        .enumerate()
        .map(|(i, j)| {
            coupon_campaign::Runner::new(
                Arc::clone(j),
                Arc::clone(&setup.adapter),
                campaign.clone(),
                unlimited(1, &format!("bench-worker-{i}")),
            )
            .expect("a runner")
        })
        .collect();
    let took = setup.runtime.block_on(async {
        let started = tokio::time::Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for runner in runners {
            tasks.spawn(async move {
                let (_keep, interrupt) = tokio::sync::watch::channel(false);
                runner.run(interrupt, &|_| {}).await
            });
        }
        let mut issued = 0;
        while let Some(joined) = tasks.join_next().await {
            let report = joined.expect("a worker task").expect("the run");
            issued += report.progress.issued;
        }
        assert_eq!(issued, m as u64, "every row issued once, by one worker or another");
        started.elapsed()
    });
    let counts = setup.runtime.block_on(journals[0].counts(&campaign)).expect("the counts");
    assert_eq!(counts.issued, m as u64);
    took
}

fn workers(c: &mut Criterion, setup: &Setup) {
    let Ok(url) = std::env::var("COUPON_BENCH_POSTGRES_URL") else {
        println!(
            "campaign_workers: skipped (set COUPON_BENCH_POSTGRES_URL to a PostgreSQL URL, e.g. from `.ci/postgres start`)"
        );
        return;
    };
    let m = env_usize("COUPON_BENCH_WORKER_ROWS", 200);
    let journals: Vec<Arc<dyn Journal>> = (0..4)
        .map(|_| Arc::from(setup.runtime.block_on(coupon_journal::open(&url)).expect("the PostgreSQL journal opens")))
        .collect();
    let admin = setup.sandbox.admin();
    setup
        .runtime
        .block_on(admin.inject(FaultSpec::new("/giftletter/", FaultKind::Latency { ms: 50 }).times(u32::MAX)))
        .expect("the latency fault is queued");
    let mut group = c.benchmark_group("campaign_workers");
    group.throughput(Throughput::Elements(m as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(20));
    let (one, four) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    for (id, n, times) in [("1_worker", 1, &one), ("4_workers", 4, &four)] {
        group.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let took = workers_run(setup, &journals[..n], m);
                    times.lock().unwrap_or_else(|e| e.into_inner()).push(took);
                    total += took;
                }
                total
            })
        });
    }
    group.finish();
    setup.runtime.block_on(admin.clear_faults()).expect("the faults are cleared");
    let ((o, on), (f, fnum)) = (median(&one), median(&four));
    println!(
        "campaign_workers: M = {m}, 50 ms per Giftletter call: 1 worker median {o:.2?} ({on} runs), \
         4 workers median {f:.2?} ({fnum} runs), ratio 4/1 = {:.2}",
        o.as_secs_f64() / f.as_secs_f64(),
    );
}

fn campaign_groups(c: &mut Criterion) {
    let setup = Setup::start();
    throughput(c, &setup);
    workers(c, &setup);
}

criterion_group!(benches, campaign_groups);
criterion_main!(benches);
