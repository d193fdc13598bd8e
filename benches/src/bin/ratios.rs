//! Prints the ratios of one quick run of every group as a Markdown table.
//!
//! `cargo run --release -p coupon-benches --bin ratios`
//!
//! It measures by itself (`Instant`, the two sides interleaved batch by batch,
//! medians; see `coupon_benches::measure`) with the very closures the criterion
//! benches run, in about a minute. `cargo bench -p coupon-benches` gives the
//! careful numbers with confidence intervals.
//!
//! `ratios --profile GROUP [ITERATIONS]` runs only the subject of parser group
//! `GROUP` (1 to 5, or its name) in a loop and prints nothing else, for a profiler:
//! `valgrind --tool=callgrind target/release/ratios --profile 4 20`.
//!
//! `ratios --only GROUP` measures one parser group (1 to 5, or its name) and prints
//! its row alone: the quick loop while working on one parser.

use std::time::Duration;

use coupon_benches::calls::{Burst, Calls};
use coupon_benches::measure::{Comparison, compare};
use coupon_benches::pair::Pair;
use coupon_benches::parsers;

const BURST: usize = 1_000;
const BURSTS: usize = 3;

fn mb_per_s(bytes: u64, per_iter: Duration) -> f64 {
    bytes as f64 / per_iter.as_secs_f64() / 1e6
}

fn row(group: &str, what: &str, bytes: u64, c: Comparison, target: &str, met: Option<bool>) {
    let verdict = match met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "-",
    };
    println!(
        "| {group} | {what} | {:.2?} ({:.0} MB/s) | {:.2?} ({:.0} MB/s) | {:.2} | {target} | {verdict} |",
        c.subject,
        mb_per_s(bytes, c.subject),
        c.baseline,
        mb_per_s(bytes, c.baseline),
        c.ratio(),
    );
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(|| "unknown memory".into(), |kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0));
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc unknown".into(), |s| s.trim().to_string());
    format!("{cores} cores, {model}, {mem_gib}, {rustc}")
}

fn burst_of(run: impl Fn() -> Burst) -> Burst {
    let bursts: Vec<Burst> = (0..BURSTS).map(|_| run()).collect();
    let mut latencies: Vec<Duration> = bursts.iter().flat_map(|b| b.latencies.iter().copied()).collect();
    latencies.sort();
    let mut totals: Vec<Duration> = bursts.iter().map(|b| b.total).collect();
    totals.sort();
    Burst { total: totals[totals.len() / 2], latencies, errors: bursts.iter().map(|b| b.errors).sum() }
}

/// The parser group named `group` (its number or its full name); exits 2 naming the groups otherwise.
fn parser_group(group: &str) -> Pair {
    let mut pairs = parsers::pairs();
    let Some(i) = pairs.iter().position(|p| p.group == group || p.group.split('_').next() == Some(group)) else {
        let names: Vec<&str> = pairs.iter().map(|p| p.group).collect();
        eprintln!("error: no parser group {group:?}; the groups are {}", names.join(", "));
        std::process::exit(2);
    };
    pairs.swap_remove(i)
}

/// Runs one parser group's subject `iterations` times.
fn profile(group: &str, iterations: usize) {
    let pair = parser_group(group);
    let done: usize = (0..iterations).map(|_| std::hint::black_box((pair.subject)())).sum();
    eprintln!("{}: {iterations} iterations ({done} items)", pair.group);
}

fn parser_row(pair: &Pair) {
    pair.check();
    let c = compare(&pair.subject, &pair.baseline, Duration::from_secs(4));
    let what = format!("{} vs {}", pair.subject_name, pair.baseline_name);
    let target = pair.target.map_or_else(|| "none".to_string(), |t| format!("≥ {t:.2}"));
    row(pair.group, &what, pair.bytes, c, &target, pair.target.map(|t| c.ratio() >= t));
    if let Some(r) = &pair.reference {
        let c = compare(&pair.subject, &r.work, Duration::from_secs(4));
        let what = format!("{} vs {} (for information)", pair.subject_name, r.name);
        row(&format!("{} (reference)", pair.group), &what, pair.bytes, c, "none", None);
    }
}

fn header() {
    println!("| group | ours vs baseline | ours | baseline | ratio | target | |");
    println!("|---|---|---|---|---|---|---|");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, group, rest @ ..] if flag == "--profile" => {
            let iterations = rest.first().and_then(|n| n.parse().ok()).unwrap_or(100);
            return profile(group, iterations);
        }
        [flag, group] if flag == "--only" => {
            header();
            return parser_row(&parser_group(group));
        }
        _ => {}
    }
    println!("Machine: {}\n", machine());
    println!("ratio = our throughput / the baseline's throughput (baseline time / our time)\n");
    header();
    for pair in parsers::pairs() {
        parser_row(&pair);
    }

    let calls = Calls::start();
    let status = compare(&|| calls.library_status(), &|| calls.bare_status(), Duration::from_secs(6));
    row(
        "6_giftletter_status_call",
        "Giftletter::status vs bare reqwest + Value",
        calls.status_body_len(),
        status,
        "≥ 0.91 (time ≤ 1.10×)",
        Some(status.ratio() >= 1.0 / 1.10),
    );

    let per_call = calls.issue_body_len();
    // Warm the pool (connections) once per side, as criterion's warm-up does.
    let _ = (calls.issue_burst(BURST), calls.bare_issue_burst(BURST));
    let ours = burst_of(|| calls.issue_burst(BURST));
    let bare = burst_of(|| calls.bare_issue_burst(BURST));
    let c = Comparison { subject: ours.total, baseline: bare.total };
    row(
        "7_giftletter_issue_burst",
        "1,000 concurrent issues vs bare reqwest",
        per_call * BURST as u64,
        c,
        "none",
        None,
    );

    println!("\n| group 7 ({BURSTS} bursts of {BURST}) | total (median burst) | p50 | p99 | errors |");
    println!("|---|---|---|---|---|");
    for (side, b) in [("ours (GiftletterAdapter::issue)", &ours), ("baseline (bare reqwest)", &bare)] {
        println!(
            "| {side} | {:.1?} | {:.2?} | {:.2?} | {} |",
            b.total,
            b.percentile(50.0),
            b.percentile(99.0),
            b.errors
        );
    }
    if ours.errors + bare.errors > 0 {
        eprintln!("error: some issues failed; the figures above are not valid");
        std::process::exit(1);
    }
}
