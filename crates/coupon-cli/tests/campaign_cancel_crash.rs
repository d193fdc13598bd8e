//! Crash safety of `coupon campaign cancel` with real processes: a campaign of
//! `ROWS` coupons is issued, `USED` of them are redeemed at the vendor, then
//! `cancel --unused` is started as a child process against the sandbox with random
//! faults on the cancel path and on the status path that settles doubts (answers
//! dropped after the vendor acted, answers held, latency), killed with SIGKILL at
//! random moments and started again, then run to completion. The sandbox's own
//! records then show every unused coupon cancelled exactly once and no used coupon
//! ever asked to cancel, and the journal agrees row by row.
//!
//! The seed is printed; `COUPON_CRASH_SEED=N` replays a run.

#![cfg(unix)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Env;
use coupon_journal::{CancelState, CouponState, RowState};
use coupon_sandbox::{AgeRedeem, CouponRecord, FaultKind, FaultSpec, Pick, RecordState};
use serde_json::json;

const ROWS: usize = 500;
const USED: usize = 200;
/// Kills once the cancel has begun.
const KILLS: usize = 20;
/// Kills before, which may land in the sync `cancel` runs first.
const SYNC_KILLS: usize = 5;

/// A vendor under test: its emulator and the paths faults go on.
struct Vendor {
    name: &'static str,
    /// The money-moving cancel.
    cancel: &'static str,
    /// The look-up that syncs coupons and settles doubts.
    status: &'static str,
    /// What the journal keeps as a coupon's order id, from the vendor's record.
    order: fn(&CouponRecord) -> &str,
}

const GIFTLETTER: Vendor = Vendor {
    name: "giftletter",
    cancel: "/giftletter/CancelSendEPin",
    status: "/giftletter/StatusSendEPin",
    order: |r| r.order.as_str(),
};
/// Giftishow names a coupon by our `tr_id` in every call: that is the journal's order id.
const GIFTISHOW: Vendor = Vendor {
    name: "giftishow",
    cancel: "/giftishow/bizApi/cancel",
    status: "/giftishow/bizApi/coupons",
    order: |r| r.partner_ref.as_deref().unwrap_or_default(),
};

fn seed() -> u64 {
    let seed = std::env::var("COUPON_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed: {seed} (COUPON_CRASH_SEED={seed} replays it)");
    seed
}

/// The flags every cancel here runs with.
fn cancel_args<'a>(name: &'a str, journal: &'a str) -> Vec<&'a str> {
    vec![
        "campaign",
        "cancel",
        name,
        "--unused",
        "--yes",
        "--journal",
        journal,
        "--rate",
        "500/s",
        "--concurrency",
        "8",
        "--lease",
        "4s",
    ]
}

/// `coupon --config FILE campaign cancel NAME --unused --yes …` as a child process;
/// its stderr kept in `stderr`, for a failure's message.
fn spawn_cancel(env: &Env, journal: &str, name: &str, worker: &str, stderr: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_coupon"))
        .current_dir(env.dir.path())
        .env_remove("COUPON_JOURNAL")
        .arg("--config")
        .arg(env.config.path())
        .args(cancel_args(name, journal))
        .args(["--worker", worker])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("coupon campaign cancel starts")
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

/// One cancel process of worker `w`, and where its stderr goes.
struct Worker {
    child: Child,
    stderr: std::path::PathBuf,
}

impl Worker {
    fn start(env: &Env, journal: &str, name: &str, w: usize, start: usize) -> Self {
        let stderr = env.dir.path().join(format!("cancel-w{w}-{start}.stderr"));
        Self { child: spawn_cancel(env, journal, name, &format!("w{w}"), &stderr), stderr }
    }

    /// Kills it (SIGKILL) unless it ended by itself: answers whether it was still
    /// running. One that ended must have ended as `cancel` may (done, doubts left,
    /// stopped by the breaker), never with an error.
    fn kill(mut self) -> bool {
        if let Some(status) = self.child.try_wait().unwrap() {
            let code = status.code();
            assert!(
                matches!(code, Some(0 | 3 | 4)),
                "a cancel ended by itself with {status}:\n{}",
                std::fs::read_to_string(&self.stderr).unwrap_or_default()
            );
            return false;
        }
        let _ = self.child.kill();
        self.child.wait().unwrap();
        true
    }
}

/// Kills and restarts `workers` cancels of the campaign at random moments, with
/// faults on the vendor's cancel and status paths: `SYNC_KILLS` times while they may
/// still be syncing first, then `KILLS` times once the cancel has begun.
fn kill_at_random(env: &Env, rng: &mut fastrand::Rng, journal: &str, name: &str, vendor: &Vendor, workers: usize) {
    let mut running: Vec<Worker> = (0..workers).map(|w| Worker::start(env, journal, name, w, 0)).collect();
    let (mut hit, mut while_open) = (0, 0);
    for kill in 1..=SYNC_KILLS + KILLS {
        random_faults(env, rng, vendor.cancel);
        if rng.bool() {
            random_faults(env, rng, vendor.status);
        }
        std::thread::sleep(Duration::from_millis(rng.u64(150..1_200)));
        if kill > SYNC_KILLS {
            wait_for_the_cancel_to_begin(env, journal, name);
        }
        let victim = rng.usize(0..workers);
        let replacement = Worker::start(env, journal, name, victim, kill);
        hit += usize::from(std::mem::replace(&mut running[victim], replacement).kill());
        let c = figures(env, journal, name).cancel;
        while_open += usize::from(c.selected + c.cancelling + c.unknown > 0);
    }
    for worker in running {
        hit += usize::from(worker.kill());
    }
    eprintln!(
        "{hit} of {} cancels were killed while running, {while_open} kills with cancels open",
        SYNC_KILLS + KILLS + workers
    );
    assert!(while_open > 0, "no cancel was ever killed: the test did not test anything");
}

/// Waits until the cancels have synced and selected the rows (the first kills may
/// have landed in the sync, which records a page of answers at a time).
fn wait_for_the_cancel_to_begin(env: &Env, journal: &str, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let c = figures(env, journal, name).cancel;
        if c.selected + c.cancelling + c.cancelled + c.unknown + c.refused > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the cancels never got past their sync");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The campaign's figures, read from the journal while the workers run.
fn figures(env: &Env, journal: &str, name: &str) -> coupon_journal::Figures {
    env.block(async {
        let j = coupon_journal::open_existing(journal).await.unwrap();
        let c = j.campaign(name).await.unwrap();
        let f = j.figures(&c).await.unwrap();
        j.close().await;
        f
    })
}

/// With the faults gone, `cancel --unused` until it exits 0 with no doubt left.
fn cancel_to_completion(env: &Env, journal: &str, name: &str) {
    env.block(env.sandbox.admin().clear_faults()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut args = cancel_args(name, journal);
    args.push("--json");
    for attempt in 1.. {
        let run = env.run(&args);
        match run.code {
            0 if run.doc()["cancel"]["doubts_left"] == 0 => {
                eprintln!("cancel completed on attempt {attempt}");
                return;
            }
            // Doubts left, or stopped: another cancel settles them and goes on.
            0 | 3 | 4 => {}
            other => panic!("cancel exited {other}: {run:#?}"),
        }
        assert!(Instant::now() < deadline && attempt < 30, "the cancel never completed: {run:#?}");
    }
}

/// A campaign of `ROWS` rows of `vendor`, each with its own phone, issued to the end
/// with no fault.
fn issue_campaign(env: &Env, journal: &str, name: &str, vendor: &str, goods: &str) {
    let mut csv = String::from("phone,name,key\n");
    for i in 0..ROWS {
        csv.push_str(&format!("010-6{:03}-{:04},고객{i},k{i}\n", i / 10_000, i % 10_000));
    }
    let path = env.dir.path().join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    let create = env.run(&[
        "campaign",
        "create",
        name,
        "--vendor",
        vendor,
        "--csv",
        path.to_str().unwrap(),
        "--journal",
        journal,
        "--goods",
        goods,
        "--callback",
        "1588-1234",
        "--title",
        "봄 이벤트 당첨",
        "--content-template",
        "{name}님, 당첨을 축하드려요!",
    ]);
    assert_eq!(create.code, 0, "{create:#?}");
    let run = env.run(&["campaign", "run", name, "--journal", journal, "--rate", "500/s", "--concurrency", "8"]);
    assert_eq!(run.code, 0, "{run:#?}");
}

/// The goods the Giftishow emulator sends.
fn giftishow_goods(env: &Env) -> String {
    env.block(env.sandbox.admin().vendor_post("giftishow", "bizmoney", &json!({ "balance": 1_000_000_000 }))).unwrap();
    let samples = env.block(async {
        let url = format!("{}/_sandbox/samples", env.sandbox.base_url());
        reqwest::get(url).await.unwrap().json::<serde_json::Value>().await.unwrap()
    });
    samples["giftishow"]["issue"]["product_id"].as_str().unwrap().to_owned()
}

/// `USED` of the vendor's coupons used at a shop now: their partner references.
fn redeem_some(env: &Env, rng: &mut fastrand::Rng, vendor: &Vendor) -> HashSet<String> {
    let section = AgeRedeem::new(Pick::Count(USED)).from(coupon::time::now_kst().to_rfc3339());
    let redeemed = env.block(env.sandbox.admin().age_redeem(vendor.name, rng.u64(..), section)).unwrap();
    assert_eq!(redeemed.len(), USED);
    redeemed.into_iter().map(|r| r.partner_ref.expect("a partner reference")).collect()
}

/// The sandbox's records: every unused coupon cancelled by exactly one successful
/// request, no used coupon ever asked; and the journal's rows say the same, row by row.
fn assert_cancelled_exactly_once(env: &Env, journal: &str, name: &str, vendor: &Vendor, used: &HashSet<String>) {
    let records = env.block(env.sandbox.admin().records(vendor.name)).unwrap();
    assert_eq!(records.len(), ROWS, "one coupon per row");
    let mut by_ref: HashMap<&str, &CouponRecord> = HashMap::new();
    for r in &records {
        let partner_ref = r.partner_ref.as_deref().expect("a partner reference");
        if used.contains(partner_ref) {
            assert_eq!(r.state, RecordState::Used, "{r:?}");
            assert_eq!(r.cancel_requests, 0, "a used coupon is never asked to cancel: {r:?}");
        } else {
            assert_eq!(r.state, RecordState::Cancelled, "every unused coupon is cancelled: {r:?}");
            assert_eq!(r.cancels, 1, "refunded once: {r:?}");
        }
        assert!(by_ref.insert(partner_ref, r).is_none(), "one coupon per reference: {r:?}");
    }
    // The faults did their job: some cancels were sent again after a doubt (the vendor
    // answered the repeat "already cancelled", which refunds nothing).
    let requests: u32 = records.iter().map(|r| r.cancel_requests).sum();
    eprintln!("{requests} cancel requests reached the vendor for {} coupons", ROWS - USED);

    let rows = env.block(async {
        let j = coupon_journal::open_existing(journal).await.unwrap();
        let c = j.campaign(name).await.unwrap();
        let rows = j.rows(&c, None, None, ROWS + 1).await.unwrap();
        j.close().await;
        rows
    });
    assert_eq!(rows.len(), ROWS);
    let mut doubts = 0;
    for row in &rows {
        assert_eq!(row.state, RowState::Issued, "line {}", row.line);
        let record = by_ref[row.partner_ref.as_str()];
        assert_eq!(row.order_id.as_deref(), Some((vendor.order)(record)), "line {}", row.line);
        let life = &row.life;
        if record.state == RecordState::Cancelled {
            assert_eq!(life.cancel_state, Some(CancelState::Cancelled), "line {}: {life:?}", row.line);
            assert_eq!(life.state, Some(CouponState::Cancelled), "line {}: {life:?}", row.line);
            assert!(life.cancel_attempts >= 1, "line {}: its intent was committed first: {life:?}", row.line);
            doubts += usize::from(life.cancel_attempts > 1 || life.cancel_message.is_some());
        } else {
            assert_eq!(life.cancel_state, None, "line {}: a used coupon is never selected: {life:?}", row.line);
            assert_eq!(life.state, Some(CouponState::Used), "line {}: {life:?}", row.line);
        }
    }
    eprintln!("{doubts} cancels went through a doubt (sent again, or settled by status)");
    assert!(
        doubts > 0 || requests > (ROWS - USED) as u32,
        "no cancel was ever in doubt: the faults and kills did not reach the cancel"
    );
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("journal.db").display())
}

#[test]
fn giftletter_cancel_of_the_unused_coupons_killed_twenty_times_cancels_each_once_and_no_used_one() {
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    let journal = sqlite_url(env.dir.path());
    issue_campaign(&env, &journal, "gl", "giftletter", common::GOODS);
    let used = redeem_some(&env, &mut rng, &GIFTLETTER);
    kill_at_random(&env, &mut rng, &journal, "gl", &GIFTLETTER, 1);
    cancel_to_completion(&env, &journal, "gl");
    assert_cancelled_exactly_once(&env, &journal, "gl", &GIFTLETTER, &used);
}

#[test]
fn giftishow_cancel_of_the_unused_coupons_killed_twenty_times_cancels_each_once_and_no_used_one() {
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    let journal = sqlite_url(env.dir.path());
    let goods = giftishow_goods(&env);
    issue_campaign(&env, &journal, "gs", "giftishow", &goods);
    let used = redeem_some(&env, &mut rng, &GIFTISHOW);
    kill_at_random(&env, &mut rng, &journal, "gs", &GIFTISHOW, 1);
    cancel_to_completion(&env, &journal, "gs");
    assert_cancelled_exactly_once(&env, &journal, "gs", &GIFTISHOW, &used);
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
fn three_cancel_workers_sharing_postgresql_killed_at_random_cancel_each_unused_coupon_once() {
    let Some(journal) = postgres_url() else { return };
    let env = Env::start();
    let mut rng = fastrand::Rng::with_seed(seed());
    // One journal for many test runs: a fresh campaign name each time, replays too (so
    // it is not drawn from the seed).
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let name = format!("cancel-crash-{nanos:x}");
    issue_campaign(&env, &journal, &name, "giftletter", common::GOODS);
    let used = redeem_some(&env, &mut rng, &GIFTLETTER);
    kill_at_random(&env, &mut rng, &journal, &name, &GIFTLETTER, 3);
    cancel_to_completion(&env, &journal, &name);
    assert_cancelled_exactly_once(&env, &journal, &name, &GIFTLETTER, &used);
}
