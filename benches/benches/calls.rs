//! Groups 6–7: whole calls against the sandbox on loopback beside bare reqwest.
//!
//! Group 7 times bursts with `iter_custom` (one iteration = one burst of
//! [`BURST`] concurrent issues) and prints the latency percentiles and errors of
//! all the bursts it ran; any error fails the run.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Duration;

use coupon_benches::calls::{Burst, Calls};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

/// Concurrent issues per burst.
const BURST: usize = 1_000;

fn whole_call(c: &mut Criterion, calls: &Calls) {
    let mut group = c.benchmark_group("6_giftletter_status_call");
    group.throughput(Throughput::Bytes(calls.status_body_len()));
    group.sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    group.bench_function("ours", |b| b.iter(|| black_box(calls.library_status())));
    group.bench_function("baseline", |b| b.iter(|| black_box(calls.bare_status())));
    group.finish();
}

/// Every burst's latencies and errors, pooled, for one side.
fn report(side: &str, bursts: &Mutex<Vec<Burst>>) {
    let bursts = bursts.lock().unwrap_or_else(|e| e.into_inner());
    let mut latencies: Vec<Duration> = bursts.iter().flat_map(|b| b.latencies.iter().copied()).collect();
    latencies.sort();
    let errors: usize = bursts.iter().map(|b| b.errors).sum();
    let pooled = Burst { total: bursts.iter().map(|b| b.total).sum(), latencies, errors };
    println!(
        "7_giftletter_issue_burst/{side}: {} bursts of {BURST}: p50 {:.2?}, p99 {:.2?}, errors {errors}",
        bursts.len(),
        pooled.percentile(50.0),
        pooled.percentile(99.0),
    );
    assert_eq!(errors, 0, "{side}: every issue of every burst must succeed");
}

/// Times bursts of `run` (one iteration = one burst), keeping each burst in `pool`.
fn bursts(group: &mut BenchmarkGroup<'_, WallTime>, id: &str, pool: &Mutex<Vec<Burst>>, run: impl Fn() -> Burst) {
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let burst = run();
                total += burst.total;
                pool.lock().unwrap_or_else(|e| e.into_inner()).push(burst);
            }
            total
        })
    });
}

fn concurrency(c: &mut Criterion, calls: &Calls) {
    let mut group = c.benchmark_group("7_giftletter_issue_burst");
    group.throughput(Throughput::Bytes(calls.issue_body_len() * BURST as u64));
    // A burst takes a large fraction of a second: the fewest samples criterion
    // allows, each one burst.
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    let (ours, bare) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    bursts(&mut group, "ours", &ours, || calls.issue_burst(BURST));
    bursts(&mut group, "baseline", &bare, || calls.bare_issue_burst(BURST));
    group.finish();
    report("ours", &ours);
    report("baseline", &bare);
}

fn call_groups(c: &mut Criterion) {
    let calls = Calls::start();
    whole_call(c, &calls);
    concurrency(c, &calls);
}

criterion_group!(benches, call_groups);
criterion_main!(benches);
