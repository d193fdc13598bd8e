//! Groups 1–5: each parser (and the signature) beside its limit, in one criterion
//! group per document, throughput in bytes. Ids: `ours` and `baseline` (and
//! `reference`, a further limit shown for information, in the report's group).

use std::hint::black_box;
use std::time::Duration;

use coupon_benches::parsers;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn parser_groups(c: &mut Criterion) {
    for pair in parsers::pairs() {
        pair.check();
        let mut group = c.benchmark_group(pair.group);
        group.throughput(Throughput::Bytes(pair.bytes));
        // Microseconds per iteration: 20 samples over 3 s keep the file under a minute.
        group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
        if pair.bytes > 1_000_000 {
            // The report takes tens of milliseconds: fewer samples of equal size fit.
            group.sample_size(10).sampling_mode(SamplingMode::Flat);
        }
        let (subject, baseline) = (&pair.subject, &pair.baseline);
        group.bench_function("ours", |b| b.iter(|| black_box(subject())));
        group.bench_function("baseline", |b| b.iter(|| black_box(baseline())));
        if let Some(reference) = &pair.reference {
            group.bench_function("reference", |b| b.iter(|| black_box((reference.work)())));
        }
        group.finish();
    }
}

criterion_group!(benches, parser_groups);
criterion_main!(benches);
