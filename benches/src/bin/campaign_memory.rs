//! Peak memory of a large campaign file: writes a CSV of `ROWS` rows (default
//! 1,000,000; `phone,name,key`), then checks it with `campaign::plan` (a dry run)
//! and loads it with `campaign::create` into a fresh SQLite journal, against the
//! sandbox's Giftletter adapter on loopback, and prints each step's time and the
//! process's peak resident set (`VmHWM`, reset before each step where Linux allows).
//!
//! `cargo run --release -p coupon-benches --bin campaign_memory [ROWS] [DIR]`
//! (`DIR`: where the CSV and the journal go, default the system's temporary directory).
//!
//! Environment: `COUPON_BENCH_MEMORY_NO_KEY=1` writes `phone,name` (no `key`
//! column); `COUPON_BENCH_MEMORY_PLAN_ONLY=1` stops after `plan`.

use std::time::Instant;

use coupon_benches::campaigns::{Setup, peak_rss_kib, reset_peak_rss, rss_kib, spec, write_csv_with};
use coupon_campaign as campaign;

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn main() {
    let with_key = !flag("COUPON_BENCH_MEMORY_NO_KEY");
    let plan_only = flag("COUPON_BENCH_MEMORY_PLAN_ONLY");
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().map_or(1_000_000, |a| a.parse().expect("ROWS is a number"));
    let dir = match args.next() {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .expect("a temporary directory");
    let setup = Setup::start();
    println!("started: rss {}, peak {}", mib(rss_kib()), mib(peak_rss_kib()));

    let csv = dir.path().join("rows.csv");
    let t = Instant::now();
    write_csv_with(&csv, rows, with_key).expect("the CSV is written");
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {rows} rows ({}, {:.1} MB) in {:.2?}",
        if with_key { "phone,name,key" } else { "phone,name" },
        size as f64 / 1e6,
        t.elapsed()
    );

    let options = setup.options();
    let resettable = reset_peak_rss();
    let before = rss_kib();
    let t = Instant::now();
    let plan = setup
        .runtime
        .block_on(campaign::plan(&*setup.adapter, std::fs::File::open(&csv).expect("the CSV opens"), &options))
        .expect("the plan");
    let took = t.elapsed();
    assert!(
        plan.accepted && plan.rows == rows as u64,
        "{} rows, {} invalid, {:?}",
        plan.rows,
        plan.invalid,
        plan.errors
    );
    println!(
        "plan: {} rows in {took:.2?} ({:.0} rows/s); rss before {}, peak during {}{}",
        plan.rows,
        plan.rows as f64 / took.as_secs_f64(),
        mib(before),
        mib(peak_rss_kib()),
        if resettable { "" } else { " (peak since the start: clear_refs refused)" },
    );
    if plan_only {
        return;
    }

    let url = format!("sqlite:{}", dir.path().join("journal.db").display());
    let journal = setup.runtime.block_on(coupon_journal::open(&url)).expect("the journal opens");
    let resettable = reset_peak_rss();
    let before = rss_kib();
    let t = Instant::now();
    let created = setup
        .runtime
        .block_on(campaign::create(&*journal, &*setup.adapter, &spec("memory"), || std::fs::File::open(&csv), &options))
        .expect("the campaign is created");
    let took = t.elapsed();
    assert_eq!(created.stored.added, rows as u64);
    let db = std::fs::metadata(dir.path().join("journal.db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "create: {} rows stored in {took:.2?} ({:.0} rows/s, journal {:.1} MB); rss before {}, peak during {}{}",
        created.stored.added,
        created.stored.added as f64 / took.as_secs_f64(),
        db as f64 / 1e6,
        mib(before),
        mib(peak_rss_kib()),
        if resettable { "" } else { " (peak since the start: clear_refs refused)" },
    );
    let catalog = setup.runtime.block_on(setup.sandbox.admin().stats()).map(|s| format!("{s:?}")).unwrap_or_default();
    println!("sandbox stats: {catalog}");
}
