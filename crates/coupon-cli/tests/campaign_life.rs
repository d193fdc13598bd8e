//! After the send, through the command line against the sandbox: `sync` reads what
//! became of each coupon, `status` and `report` show the same numbers, `cancel` refunds
//! the unused coupons exactly once, `resend` never resends a row twice in a window.

mod common;

use std::path::PathBuf;

use common::Env;
use coupon_sandbox::{AgeRedeem, Pick, RecordState};
use serde_json::Value;

const ROWS: usize = 20;
const USED: usize = 8;

/// A Giftletter campaign of `ROWS` keyed rows, run to the end.
fn issued_campaign(env: &Env, name: &str) {
    let url = format!("{}/_sandbox/samples", env.sandbox.base_url());
    let body: Value = env.block(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
    let issue = &body["giftletter"]["issue"];
    let text = |k: &str| issue[k].as_str().unwrap().to_string();
    let mut csv = String::from("key,phone,name\n");
    for i in 1..=ROWS {
        csv.push_str(&format!("K{i},010-5555-{:04},고객{i}\n", 1000 + i));
    }
    let file: PathBuf = env.dir.path().join("winners.csv");
    std::fs::write(&file, csv).unwrap();
    let (goods, callback, title) = (text("product_id"), text("callback"), text("title"));
    let file = file.display().to_string();
    let create = env.campaign(&[
        "create",
        name,
        "--vendor",
        "giftletter",
        "--csv",
        &file,
        "--goods",
        &goods,
        "--callback",
        &callback,
        "--title",
        &title,
        "--content-template",
        "{name}님, 선물입니다",
    ]);
    assert_eq!(create.code, 0, "{create:#?}");
    let run = env.campaign(&["run", name, "--rate", "200/s"]);
    assert_eq!(run.code, 0, "{run:#?}");
}

/// Redeems `USED` of the vendor's coupons, now (they were issued a moment ago).
fn redeem_some(env: &Env) {
    let section = AgeRedeem::new(Pick::Count(USED)).from(coupon::time::now_kst().to_rfc3339());
    let redeemed = env.block(env.sandbox.admin().age_redeem("giftletter", 7, section)).unwrap();
    assert_eq!(redeemed.len(), USED);
}

fn doc(env: &Env, args: &[&str], code: i32) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let run = env.campaign(&all);
    assert_eq!(run.code, code, "{args:?}: {run:#?}");
    run.doc()
}

#[test]
fn sync_reads_the_reports_first_then_status_shows_used_and_unused_and_the_report_agrees() {
    let env = Env::start();
    issued_campaign(&env, "spring");
    redeem_some(&env);

    let synced = doc(&env, &["sync", "spring"], 0);
    assert_eq!(synced["sync"]["progress"]["matched_by_report"], USED as u64, "{synced}");
    // Reports first: the used coupons are never asked one by one.
    assert_eq!(synced["sync"]["progress"]["checked"], (ROWS - USED) as u64, "{synced}");
    assert_eq!(env.count("/giftletter/StatusSendEPin"), (ROWS - USED) as u64);

    let status = doc(&env, &["status", "spring"], 0);
    assert_eq!(status["coupons"]["used"], USED as u64, "{status}");
    assert_eq!(status["coupons"]["unused"], (ROWS - USED) as u64, "{status}");
    let text = env.campaign(&["status", "spring"]);
    assert!(text.stdout.contains(&format!("used {USED} (40.0 %)")), "{text:#?}");

    let report = env.campaign(&["report", "spring"]);
    assert_eq!(report.code, 0, "{report:#?}");
    let report: Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(report["headline"]["issued"], status["counts"]["issued"]);
    assert_eq!(report["coupons"]["unused"], status["coupons"]["unused"]);
    assert_eq!(report["headline"]["used"], USED as u64);
    assert_eq!(report["redemptions_by_day"].as_array().unwrap().last().unwrap()["cumulative"], USED as u64);

    let page = env.dir.path().join("spring.html");
    let wrote = env.campaign(&["report", "spring", "--html", page.to_str().unwrap()]);
    assert_eq!(wrote.code, 0, "{wrote:#?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script"), "a self-contained page");

    // A second sync reads no ended day again and asks only the unused coupons.
    let before = env.count("/giftletter/mn_compare/ExchangeDaily.aspx");
    let again = doc(&env, &["sync", "spring"], 0);
    assert_eq!(again["sync"]["progress"]["reports_read"], 1, "only today's report again: {again}");
    assert_eq!(env.count("/giftletter/mn_compare/ExchangeDaily.aspx"), before + 1);
}

#[test]
fn cancel_unused_refunds_each_unused_coupon_once_and_never_a_used_one() {
    let env = Env::start();
    issued_campaign(&env, "spring");
    redeem_some(&env);

    let dry = doc(&env, &["cancel", "spring", "--unused", "--dry-run"], 0);
    assert_eq!(env.count("/giftletter/CancelSendEPin"), 0, "a dry run sends nothing");
    // Nothing was synced yet: the dry run counts as the last sync saw them (none).
    assert_eq!(dry["cancel"]["count"], 0, "{dry}");

    let done = doc(&env, &["cancel", "spring", "--unused", "--yes"], 0);
    assert_eq!(done["cancel"]["progress"]["cancelled"], (ROWS - USED) as u64, "{done}");
    assert_eq!(done["cancel"]["doubts_left"], 0, "{done}");

    let records = env.block(env.sandbox.admin().records("giftletter")).unwrap();
    for r in &records {
        match r.state {
            RecordState::Cancelled => assert_eq!(r.cancels, 1, "{r:?}"),
            RecordState::Used => assert_eq!(r.cancel_requests, 0, "a used coupon is never asked to cancel: {r:?}"),
            _ => panic!("every coupon is used or cancelled: {r:?}"),
        }
    }
    // Again: nothing left to cancel, nothing sent.
    let before = env.count("/giftletter/CancelSendEPin");
    let again = doc(&env, &["cancel", "spring", "--unused", "--yes"], 0);
    assert_eq!(again["cancel"]["progress"]["cancelled"], 0, "{again}");
    assert_eq!(env.count("/giftletter/CancelSendEPin"), before);

    let export = doc(&env, &["export", "spring", "--format", "json"], 0);
    let cancelled = export.as_array().unwrap().iter().filter(|r| r["cancel_state"] == "cancelled").count();
    assert_eq!(cancelled, ROWS - USED);
}

#[test]
fn bad_selections_are_refused_before_anything_is_sent() {
    let env = Env::start();
    issued_campaign(&env, "spring");
    let run = env.campaign(&["cancel", "spring"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--unused, --expiring-within"), "{run:#?}");
    let run = env.campaign(&["cancel", "spring", "--expiring-within", "soon"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--expiring-within") && run.stderr.contains("soon"), "{run:#?}");
    let run = env.campaign(&["cancel", "spring", "--rows", "K1,NOPE", "--yes"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("`NOPE`"), "{run:#?}");
    let run = env.campaign(&["sync", "autumn"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(env.count("/giftletter/CancelSendEPin"), 0);
    assert_eq!(env.count("/giftletter/StatusSendEPin"), 0);
}

#[test]
fn resend_by_key_resends_once_within_the_window() {
    let env = Env::start();
    issued_campaign(&env, "spring");
    let first = doc(&env, &["resend", "spring", "--rows", "K1,K2"], 0);
    assert_eq!(first["resend"]["resent"], 2, "{first}");
    let again = doc(&env, &["resend", "spring", "--rows", "K1,K2"], 0);
    assert_eq!(again["resend"]["resent"], 0, "{again}");
    assert_eq!(again["resend"]["skipped"], 2, "{again}");
    assert_eq!(env.count("/giftletter/ReSendSMS"), 2);
}
