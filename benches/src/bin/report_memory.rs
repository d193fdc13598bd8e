//! Time and peak memory of `report --html` on a 1,000,000-row campaign, in a process of
//! its own: opens the cached journal (`coupon_benches::million`, built first if
//! missing), builds the report from its figures and writes the page to a file, as the
//! CLI's `report --html FILE` does, then prints the time and the process's peak
//! resident set (`VmHWM`).
//!
//! `cargo run --release -p coupon-benches --bin report_memory [ROWS]`
//!
//! The last line is for programs (the `lifecycle` bench runs this one as a child):
//! `report_memory rows=R seconds=S peak_kib=K page_bytes=B`.

use std::time::Instant;

use coupon_benches::campaigns::{peak_rss_kib, reset_peak_rss, rss_kib};
use coupon_benches::million;

fn main() {
    let rows: u64 = std::env::args().nth(1).map_or(million::ROWS, |a| a.parse().expect("ROWS is a number"));
    // Like the CLI's: a multi-thread runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let path = runtime.block_on(million::journal(rows));
    // A journal built just now by this process is not what is measured.
    let reset = reset_peak_rss();
    let start_kib = rss_kib();
    let page = tempfile::NamedTempFile::new().expect("a file for the page");
    let started = Instant::now();
    let (data, bytes) = runtime.block_on(async {
        let journal = coupon_journal::open_existing(&million::url(&path)).await.expect("the journal opens");
        let campaign = journal.campaign(million::NAME).await.expect("the campaign");
        let data = coupon_campaign::build_report(&*journal, &campaign, million::WITHIN_DAYS).await.expect("the report");
        let mut file = std::fs::File::create(page.path()).expect("the page's file");
        coupon_campaign::report::write_html(&data, &mut file).expect("the page is written");
        journal.close().await;
        let bytes = std::fs::metadata(page.path()).map(|m| m.len()).unwrap_or(0);
        (data, bytes)
    });
    let took = started.elapsed();
    let peak = peak_rss_kib().unwrap_or(0);
    println!(
        "report --html of {} rows ({} issued, {} used): {took:.2?}, page {bytes} bytes; rss at start {} KiB, peak {} KiB{}",
        data.headline.rows,
        data.headline.issued,
        data.headline.used,
        start_kib.unwrap_or(0),
        peak,
        if reset { "" } else { " (since the process started: clear_refs refused)" }
    );
    println!("report_memory rows={rows} seconds={:.3} peak_kib={peak} page_bytes={bytes}", took.as_secs_f64());
}
