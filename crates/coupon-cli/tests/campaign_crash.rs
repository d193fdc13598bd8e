//! Crash safety with real processes: `coupon campaign run` is started as a child
//! process against the sandbox with random faults (answers dropped after the vendor
//! acted, answers held, latency), killed with SIGKILL at random moments and run
//! again, then run to completion. The sandbox's admin API then shows that every
//! row's coupon was made exactly once and that the journal's issued rows are the
//! vendor's coupons, one to one.
//!
//! The seed is printed; `COUPON_CRASH_SEED=N` replays a run.

#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{BUY, Env, SEND_EPIN};
use coupon_journal::{Campaign, Journal, RowState};
use coupon_sandbox::{FaultKind, FaultSpec};
use serde_json::json;

const ROWS: usize = 2_000;
const KILLS: usize = 20;

fn seed() -> u64 {
    let seed = std::env::var("COUPON_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed: {seed} (COUPON_CRASH_SEED={seed} replays it)");
    seed
}

/// `coupon --config FILE campaign run NAME …` as a child process, its output discarded.
fn spawn_run(env: &Env, journal: &str, name: &str, worker: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_coupon"))
        .current_dir(env.dir.path())
        .env_remove("COUPON_JOURNAL")
        .arg("--config")
        .arg(env.config.path())
        .args(["campaign", "run", name, "--journal", journal, "--rate", "500/s", "--concurrency", "8"])
        .args(["--lease", "4s", "--worker", worker])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("coupon campaign run starts")
}

/// Faults on `path` for the next stretch: the vendor acts and the answer is lost
/// (at once or after a hold), the answer is held, or the request waits.
fn random_faults(env: &Env, rng: &mut fastrand::Rng, path: &str) {
    let admin = env.sandbox.admin();
    let faults = [
        FaultKind::HoldThenDrop { ms: rng.u64(50..400) },
        FaultKind::HoldThenAnswer { ms: rng.u64(50..400) },
        FaultKind::Drop,
        FaultKind::Latency { ms: rng.u64(10..80) },
    ];
    for fault in faults {
        let times = rng.u32(1..6);
        env.block(admin.inject(FaultSpec::new(path, fault).times(times))).unwrap();
    }
}

/// Kills and restarts runs of the campaign `KILLS` times at random moments.
fn kill_at_random(env: &Env, rng: &mut fastrand::Rng, journal: &str, name: &str, path: &str, workers: usize) {
    let mut children: Vec<Child> = (0..workers).map(|w| spawn_run(env, journal, name, &format!("w{w}-0"))).collect();
    for kill in 0..KILLS {
        random_faults(env, rng, path);
        std::thread::sleep(Duration::from_millis(rng.u64(150..1_200)));
        let victim = rng.usize(0..workers);
        let _ = children[victim].kill(); // SIGKILL; it may have finished already
        children[victim].wait().unwrap();
        children[victim] = spawn_run(env, journal, name, &format!("w{victim}-{}", kill + 1));
    }
    for mut child in children {
        let _ = child.kill();
        child.wait().unwrap();
    }
}

/// Runs the campaign to the end with no faults: `run` until it exits 0, with a
/// `reconcile` for rows left in doubt.
fn run_to_completion(env: &Env, journal: &str, name: &str) {
    env.block(env.sandbox.admin().clear_faults()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let run = env.run(&[
            "campaign",
            "run",
            name,
            "--journal",
            journal,
            "--rate",
            "500/s",
            "--concurrency",
            "8",
            "--lease",
            "4s",
        ]);
        match run.code {
            0 => return,
            4 => {
                env.run(&["campaign", "reconcile", name, "--journal", journal]);
            }
            other => assert!(Instant::now() < deadline, "campaign run keeps exiting {other}: {run:#?}"),
        }
        assert!(Instant::now() < deadline, "the campaign did not complete: {run:#?}");
    }
}

async fn open(journal: &str, name: &str) -> (Box<dyn Journal>, Campaign) {
    let j = coupon_journal::open(journal).await.unwrap();
    let c = j.campaign(name).await.unwrap();
    (j, c)
}

/// The journal's rows, every one settled: nothing pending, sending or in doubt.
async fn settled_rows(journal: &str, name: &str) -> Vec<coupon_journal::Row> {
    let (j, c) = open(journal, name).await;
    let counts = j.counts(&c).await.unwrap();
    assert_eq!(counts.issued as usize, ROWS, "every row issued: {counts:?}");
    let rows = j.rows(&c, None, None, ROWS + 1).await.unwrap();
    assert!(rows.iter().all(|r| r.state == RowState::Issued));
    // The kills and faults did their job: rows were left in doubt and settled.
    let settled = rows.iter().filter(|r| r.reconciled_at.is_some()).count();
    let unknown_details = rows.iter().filter(|r| r.details_unknown.is_some()).count();
    eprintln!("{settled} rows were settled after a doubt; {unknown_details} issued with details unknown");
    assert!(settled > 0, "no row was ever in doubt: the test did not test anything");
    j.close().await;
    rows
}

/// Every row's reference has exactly one Giftletter coupon, and the journal's order
/// ids are those coupons'.
fn assert_giftletter_exactly_once(env: &Env, rows: &[coupon_journal::Row]) {
    let issued = env.block(env.sandbox.admin().issued("giftletter")).unwrap();
    assert_eq!(issued.len(), ROWS, "one coupon per row, no more");
    let mut by_ref: HashMap<&str, Vec<&coupon_sandbox::IssuedItem>> = HashMap::new();
    for item in &issued {
        by_ref.entry(item.partner_ref.as_deref().expect("co_tid")).or_default().push(item);
    }
    for row in rows {
        let coupons = by_ref.get(row.partner_ref.as_str()).map_or(0, Vec::len);
        assert_eq!(coupons, 1, "line {}: {coupons} coupons for {}", row.line, row.partner_ref);
        if let Some(order) = &row.order_id {
            assert_eq!(order, &by_ref[row.partner_ref.as_str()][0].order, "line {}", row.line);
        } else {
            assert!(row.details_unknown.is_some(), "line {}: issued without an order id says why", row.line);
        }
    }
}

fn create_giftletter(env: &Env, journal: &str, name: &str) {
    let mut csv = String::from("phone,name,key\n");
    for i in 0..ROWS {
        csv.push_str(&format!("010-{:04}-{:04},고객{i},k{i}\n", 2000 + i / 10_000, i % 10_000));
    }
    let path = env.dir.path().join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    let run = env.run(&[
        "campaign",
        "create",
        name,
        "--vendor",
        "giftletter",
        "--csv",
        path.to_str().unwrap(),
        "--journal",
        journal,
        "--goods",
        common::GOODS,
        "--callback",
        "1588-1234",
        "--title",
        "봄 이벤트 당첨",
        "--content-template",
        "{name}님, 당첨을 축하드려요!",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("journal.db").display())
}

#[test]
fn giftletter_runs_killed_twenty_times_issue_every_row_exactly_once() {
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    let journal = sqlite_url(env.dir.path());
    create_giftletter(&env, &journal, "crash");
    kill_at_random(&env, &mut rng, &journal, "crash", SEND_EPIN, 1);
    run_to_completion(&env, &journal, "crash");
    let rows = env.block(settled_rows(&journal, "crash"));
    assert_giftletter_exactly_once(&env, &rows);
}

#[test]
fn giftimbiz_runs_killed_twenty_times_buy_every_listing_exactly_once() {
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    let journal = sqlite_url(env.dir.path());
    let admin = env.sandbox.admin();
    let added = env.block(admin.vendor_post("giftimbiz", "listings", &json!({"count": ROWS, "price": 1000}))).unwrap();
    let mut csv = String::from("phone,goods,product_name,amount\n");
    for l in added["listings"].as_array().unwrap() {
        let goods = format!("{}:{}", l["gm_idx"].as_str().unwrap(), l["md_idx"].as_str().unwrap());
        csv.push_str(&format!("010-3000-0001,{goods},\"{}\",1000\n", l["product"].as_str().unwrap()));
    }
    let path = env.dir.path().join("gm.csv");
    std::fs::write(&path, csv).unwrap();
    let run = env.run(&[
        "campaign",
        "create",
        "gm",
        "--vendor",
        "giftimbiz",
        "--csv",
        path.to_str().unwrap(),
        "--journal",
        &journal,
        "--allow-duplicate-recipients",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    kill_at_random(&env, &mut rng, &journal, "gm", BUY, 1);
    run_to_completion(&env, &journal, "gm");
    let rows = env.block(settled_rows(&journal, "gm"));
    // Each listing sells once: a second purchase of a row's listing would have left
    // the row refused or a purchase without a row. Neither happened.
    let bought = env.block(admin.issued("giftimbiz")).unwrap();
    assert_eq!(bought.len(), ROWS, "one purchase per row, no more");
    let mut orders: HashMap<&str, usize> = HashMap::new();
    for b in &bought {
        *orders.entry(b.order.as_str()).or_default() += 1;
    }
    for row in &rows {
        let order = row.order_id.as_deref().expect("GiftiMbiz's history gives the order id");
        assert_eq!(orders.get(order), Some(&1), "line {}: its purchase, once", row.line);
    }
}

#[test]
fn giftishow_runs_killed_twenty_times_send_every_row_exactly_once_and_pay_once() {
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    let journal = sqlite_url(env.dir.path());
    let admin = env.sandbox.admin();
    let start_balance = 1_000_000_000;
    env.block(admin.vendor_post("giftishow", "bizmoney", &json!({ "balance": start_balance }))).unwrap();
    let samples = env.block(async {
        let url = format!("{}/_sandbox/samples", env.sandbox.base_url());
        reqwest::get(url).await.unwrap().json::<serde_json::Value>().await.unwrap()
    });
    let goods = samples["giftishow"]["issue"]["product_id"].as_str().unwrap().to_owned();
    let mut csv = String::from("phone,name,key\n");
    for i in 0..ROWS {
        csv.push_str(&format!("010-{:04}-{:04},고객{i},k{i}\n", 4000 + i / 10_000, i % 10_000));
    }
    let path = env.dir.path().join("gs.csv");
    std::fs::write(&path, csv).unwrap();
    let run = env.run(&[
        "campaign",
        "create",
        "gs",
        "--vendor",
        "giftishow",
        "--csv",
        path.to_str().unwrap(),
        "--journal",
        &journal,
        "--goods",
        &goods,
        "--callback",
        "1588-0000",
        "--title",
        "봄 이벤트 당첨",
        "--content-template",
        "{name}님, 당첨을 축하드려요!",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
    kill_at_random(&env, &mut rng, &journal, "gs", "/giftishow/bizApi/send", 1);
    run_to_completion(&env, &journal, "gs");
    let rows = env.block(settled_rows(&journal, "gs"));
    let sent = env.block(admin.issued("giftishow")).unwrap();
    assert_eq!(sent.len(), ROWS, "one coupon per row, no more");
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for item in &sent {
        *by_ref.entry(item.partner_ref.as_deref().expect("tr_id")).or_default() += 1;
    }
    for row in &rows {
        assert_eq!(by_ref.get(row.partner_ref.as_str()), Some(&1), "line {}: its coupon, once", row.line);
        if let Some(order) = &row.order_id {
            assert_eq!(order, row.partner_ref.as_str(), "line {}: the order is the tr_id", row.line);
        }
    }
    // And paid once each: the bizmoney spent is the rows' price, no more.
    let balance = env.block(admin.vendor_get("giftishow", "bizmoney")).unwrap()["balance"].as_u64().unwrap();
    let charged: u64 = sent.iter().map(|i| i.details["charged"].as_u64().expect("what a coupon was charged")).sum();
    assert_eq!(start_balance - balance, charged, "the balance moved by exactly the coupons' charges");
    assert!(
        sent.iter().all(|i| i.details["charged"] == sent[0].details["charged"]),
        "one price, charged once per coupon"
    );
}

/// The URL of the test PostgreSQL server: required in CI, else the test is skipped.
fn postgres_url() -> Option<String> {
    match std::env::var("COUPON_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but COUPON_TEST_POSTGRES_URL is unset: the PostgreSQL crash test cannot run")
        }
        _ => {
            eprintln!("COUPON_TEST_POSTGRES_URL is unset: skipping the PostgreSQL crash test");
            None
        }
    }
}

#[test]
fn three_workers_sharing_postgresql_killed_at_random_issue_every_row_exactly_once() {
    let Some(journal) = postgres_url() else { return };
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    // One journal for many test runs: a fresh campaign name each time.
    let name = format!("crash-{:016x}", rng.u64(..));
    create_giftletter(&env, &journal, &name);
    kill_at_random(&env, &mut rng, &journal, &name, SEND_EPIN, 3);
    run_to_completion(&env, &journal, &name);
    let rows = env.block(settled_rows(&journal, &name));
    assert_giftletter_exactly_once(&env, &rows);
}
