//! `report_html`: the campaign report's page of a 1,000,000-row campaign (93 days,
//! 500 products, 200 doubts listed), `ours` (`write_html`) beside `baseline` (the
//! same data as JSON), throughput in bytes of the page.

use std::hint::black_box;
use std::time::Duration;

use coupon_benches::report;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn report_html(c: &mut Criterion) {
    let data = report::million_row_report();
    let (page, json) = (report::html(&data), report::json(&data));
    assert!(page > 0 && json > 0, "both sides write something");
    println!("report_html: the page is {page} bytes, its JSON {json} bytes");
    let mut group = c.benchmark_group("report_html");
    group.throughput(Throughput::Bytes(page as u64));
    group.sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    group.bench_function("ours", |b| b.iter(|| black_box(report::html(black_box(&data)))));
    group.bench_function("baseline", |b| b.iter(|| black_box(report::json(black_box(&data)))));
    group.finish();
}

criterion_group!(benches, report_html);
criterion_main!(benches);
