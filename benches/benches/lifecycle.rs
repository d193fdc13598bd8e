//! After the send.
//!
//! - `sync_by_status`: N issued Giftletter coupons asked about at concurrency C, by
//!   `coupon_campaign::sync` (`ours`: reports off, each answer recorded in a SQLite
//!   journal) and by bare `Adapter::check` calls (`baseline`: no journal). The campaign
//!   is issued once, before the group.
//! - `report_million`: `build_report` + `write_html` of a 1,000,000-row campaign on its
//!   open SQLite journal (`ours`), beside one aggregate over the same rows
//!   (`baseline`); then the `report_memory` program, run as a child process, prints
//!   the whole command's time and peak resident set.
//!
//! Environment: `COUPON_BENCH_SYNC_ROWS` (N, default 10,000), `COUPON_BENCH_SYNC_CONCURRENCY`
//! (C, default 8), `COUPON_BENCH_JOURNAL_DIR` (where the sync's journal goes),
//! `COUPON_BENCH_REPORT_ROWS` (default 1,000,000), `COUPON_BENCH_CACHE_DIR` (where the
//! built report journal is kept, default `coupon-bench-cache` in the target directory).

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use coupon_benches::million;
use coupon_benches::sync::SyncBench;
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

/// `f` run `iters` times, each time kept in `times`; their sum.
fn timed(iters: u64, times: &Mutex<Vec<Duration>>, f: impl Fn() -> Duration) -> Duration {
    (0..iters)
        .map(|_| {
            let took = f();
            times.lock().unwrap_or_else(|e| e.into_inner()).push(took);
            took
        })
        .sum()
}

fn sync_by_status(c: &mut Criterion) {
    let n = env_usize("COUPON_BENCH_SYNC_ROWS", 10_000);
    let concurrency = env_usize("COUPON_BENCH_SYNC_CONCURRENCY", 8);
    let dir = std::env::var_os("COUPON_BENCH_JOURNAL_DIR").map(std::path::PathBuf::from);
    let started = Instant::now();
    let bench = SyncBench::start(n, concurrency, dir.as_deref());
    println!("sync_by_status: {n} coupons issued in {:.1?} (untimed)", started.elapsed());
    // The first sync of a campaign writes every row (never checked → unused) and its
    // history; the group's iterations are the syncs after it, which find what it found.
    let (bare, first) = (bench.bare_checks(), bench.sync());
    println!(
        "sync_by_status: first sync {first:.2?} beside bare checks {bare:.2?}: ratio {:.2}",
        bare.as_secs_f64() / first.as_secs_f64()
    );
    let mut group = c.benchmark_group("sync_by_status");
    group.throughput(Throughput::Elements(n as u64));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    let (bare, ours) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    group.bench_function("baseline", |b| b.iter_custom(|iters| timed(iters, &bare, || bench.bare_checks())));
    group.bench_function("ours", |b| b.iter_custom(|iters| timed(iters, &ours, || bench.sync())));
    group.finish();
    let ((b, bn), (o, on)) = (median(&bare), median(&ours));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "sync_by_status: N = {n}, C = {concurrency}: bare check median {b:.2?} ({:.0} rows/s, {bn} runs), sync median \
         {o:.2?} ({:.0} rows/s, {on} runs), ratio sync/bare = {:.2} (target >= 0.80)",
        rate(b),
        rate(o),
        b.as_secs_f64() / o.as_secs_f64(),
    );
}

fn report_million(c: &mut Criterion) {
    let rows = env_usize("COUPON_BENCH_REPORT_ROWS", million::ROWS as usize) as u64;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let path = runtime.block_on(million::journal(rows));
    let journal = runtime.block_on(coupon_journal::open_existing(&million::url(&path))).expect("the journal opens");
    let campaign = runtime.block_on(journal.campaign(million::NAME)).expect("the campaign");
    let pool = runtime
        .block_on(sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect(&million::url(&path)))
        .expect("a connection for the baseline");
    let (data, page) = runtime.block_on(million::report(&*journal));
    let (issued, _) = runtime.block_on(million::one_scan(&pool, campaign.id.0));
    assert_eq!(data.headline.rows, rows, "every row in the report");
    assert_eq!(data.headline.issued, issued as u64, "the report and the scan see the same rows");
    println!("report_million: {rows} rows, {issued} issued, page {page} bytes");
    let mut group = c.benchmark_group("report_million");
    group.throughput(Throughput::Elements(rows));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("ours", |b| b.iter(|| black_box(runtime.block_on(million::report(&*journal)).1)));
    group.bench_function("baseline", |b| {
        b.iter(|| black_box(runtime.block_on(million::one_scan(&pool, campaign.id.0))))
    });
    group.finish();
    runtime.block_on(journal.close());

    // The whole command in a process of its own: its peak memory is the report's alone.
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_report_memory")).arg(rows.to_string()).output();
    match child {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Ok(out) => println!("report_memory failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => println!("report_memory did not start: {e}"),
    }
}

criterion_group!(benches, sync_by_status, report_million);
criterion_main!(benches);
