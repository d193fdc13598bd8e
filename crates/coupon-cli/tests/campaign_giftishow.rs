//! Campaigns through the fourth vendor, Giftishow Biz, with no code written for it:
//! the generic `coupon campaign` commands decide by its capabilities (a lookup by
//! `tr_id` settles a doubt, the vendor deduplicates) and its error kinds (`E0010`,
//! no bizmoney, stops the campaign).

mod common;

use std::path::PathBuf;

use common::Env;
use serde_json::{Value, json};

const SEND: &str = "/giftishow/bizApi/send";
const COUPONS: &str = "/giftishow/bizApi/coupons";

/// The sandbox's Giftishow sample goods.
fn goods(env: &Env) -> String {
    let url = format!("{}/_sandbox/samples", env.sandbox.base_url());
    let body: Value = env.block(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
    body["giftishow"]["issue"]["product_id"].as_str().unwrap().to_owned()
}

fn csv(env: &Env, n: usize) -> PathBuf {
    let mut text = String::from("phone,name\n");
    for i in 0..n {
        text.push_str(&format!("010-7777-{:04},고객{i}\n", 1000 + i));
    }
    let path = env.dir.path().join("winners.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn create(env: &Env, name: &str, rows: usize) {
    let file = csv(env, rows).display().to_string();
    let goods = goods(env);
    let run = env.campaign(&[
        "create",
        name,
        "--vendor",
        "giftishow",
        "--csv",
        &file,
        "--goods",
        &goods,
        "--callback",
        "1588-0000",
        "--title",
        "당첨 선물",
        "--content-template",
        "{name}님, 당첨을 축하드려요!",
    ]);
    assert_eq!(run.code, 0, "{run:#?}");
}

fn bizmoney(env: &Env) -> u64 {
    let v = env.block(env.sandbox.admin().vendor_get("giftishow", "bizmoney")).unwrap();
    v["balance"].as_u64().unwrap()
}

fn set_bizmoney(env: &Env, balance: u64) {
    env.block(env.sandbox.admin().vendor_post("giftishow", "bizmoney", &json!({ "balance": balance }))).unwrap();
}

/// Each row's `tr_id` has exactly one coupon at the vendor, and each row's order is its `tr_id`.
fn assert_exactly_once(env: &Env, rows: usize) {
    let issued = env.block(env.sandbox.admin().issued("giftishow")).unwrap();
    assert_eq!(issued.len(), rows, "one coupon per row: {issued:#?}");
    let mut refs: Vec<&str> = issued.iter().map(|i| i.partner_ref.as_deref().unwrap()).collect();
    refs.sort_unstable();
    refs.dedup();
    assert_eq!(refs.len(), rows, "no tr_id twice");
}

#[test]
fn a_giftishow_campaign_runs_to_the_end_with_each_order_its_tr_id() {
    let env = Env::start();
    create(&env, "spring", 5);
    let before = bizmoney(&env);
    let run = env.campaign(&["run", "spring", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 5, "{run:#?}");
    assert_exactly_once(&env, 5);
    let price = (before - bizmoney(&env)) / 5;
    assert!(price > 0 && before - bizmoney(&env) == 5 * price, "each row paid once");

    let export = env.campaign(&["export", "spring"]);
    assert_eq!(export.code, 0, "{export:#?}");
    let mut lines = export.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[at("state")], "issued");
        assert_eq!(cells[at("order_id")], cells[at("partner_ref")], "Giftishow's order is the tr_id");
        assert!(cells[at("partner_ref")].len() <= 20, "a campaign's references fit every tr_id limit");
    }
}

#[test]
fn no_bizmoney_e0010_stops_the_campaign_and_topping_up_finishes_it() {
    let env = Env::start();
    create(&env, "broke", 4);
    // Enough for two coupons of the sample goods: the third send is refused with E0010.
    let unit = {
        let url = format!("{}/_sandbox/fixtures", env.sandbox.base_url());
        let body: Value = env.block(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
        let code = goods(&env);
        let g =
            body["giftishow"]["goods"].as_array().unwrap().iter().find(|g| g["goodsCode"] == code.as_str()).cloned();
        let g = g.expect("the sample goods in the fixtures");
        g["discountPrice"].as_u64().or_else(|| g["discountPrice"].as_str().and_then(|s| s.parse().ok())).unwrap()
    };
    set_bizmoney(&env, 2 * unit + unit / 2);
    let run = env.campaign(&["run", "broke", "--rate", "100/s", "--concurrency", "1", "--json"]);
    assert_ne!(run.code, 0, "{run:#?}");
    let status = env.campaign(&["status", "broke", "--json"]).doc();
    assert_eq!(status["counts"]["issued"], 2, "{status}");
    assert_eq!(status["counts"]["refused"], 0, "the account is out of money, not the rows refused: {status}");
    let reason = status["stop_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("E0010") || reason.contains("insufficient"), "{status}");

    set_bizmoney(&env, 100_000_000);
    let run = env.campaign(&["run", "broke", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 4);
    assert_exactly_once(&env, 4);
}

#[test]
fn a_send_whose_answer_is_lost_is_settled_by_the_coupon_detail_never_sent_twice() {
    let env = Env::start();
    create(&env, "doubt", 3);
    // The first send is made and its answer lost; the coupon detail is down for a while,
    // so the row stays in doubt; `campaign reconcile` then reads the detail.
    env.fault(SEND, coupon_sandbox::FaultKind::Drop, 1);
    env.fault(COUPONS, coupon_sandbox::FaultKind::Status { status: 503 }, 200);
    let run = env.campaign(&["run", "doubt", "--rate", "100/s", "--concurrency", "1", "--json"]);
    assert_eq!(run.code, 4, "a row left in doubt: {run:#?}");
    let status = env.campaign(&["status", "doubt", "--json"]).doc();
    assert_eq!(status["counts"]["unknown"], 1, "{status}");
    // The one-by-one command looks from where the runner's reconciliation looks: 10 minutes before the send.
    let row = &status["unknown"][0];
    let by_vendor = row["reconcile_by_vendor"].as_str().expect("Giftishow reconciles");
    assert!(by_vendor.contains(row["partner_ref"].as_str().unwrap()), "{by_vendor}");
    let since = by_vendor.split("--since ").nth(1).expect("a --since").trim_start_matches(['\'', '"']);
    let since = coupon::chrono::NaiveDateTime::parse_from_str(&since[..19], "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|e| panic!("{e}: {by_vendor}"));
    let minutes_ago = (coupon::time::now_kst().naive_local() - since).num_minutes();
    assert!((9..=11).contains(&minutes_ago), "--since {since} is {minutes_ago} minutes ago");
    env.block(env.sandbox.admin().clear_faults()).unwrap();
    let sends = env.count(SEND);
    let run = env.campaign(&["reconcile", "doubt", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(env.count(SEND), sends, "reconcile looks, never sends");
    let run = env.campaign(&["run", "doubt", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 3);
    assert_exactly_once(&env, 3);
}

#[test]
fn doubts_are_settled_against_a_vendor_answering_iso_dates() {
    let env = Env::start();
    env.block(env.sandbox.admin().vendor_post("giftishow", "variant", &json!({"dates": "iso"}))).unwrap();
    create(&env, "iso", 5);
    // Two sends are made and their answers lost. The first is settled by the run
    // itself (the coupon detail, in ISO dates, finds it); then the detail goes down,
    // so the second stays in doubt until `campaign reconcile` reads it.
    env.fault(SEND, coupon_sandbox::FaultKind::Drop, 1);
    let run = env.campaign(&["run", "iso", "--rate", "100/s", "--concurrency", "1", "--json"]);
    assert_eq!(run.code, 0, "the lost answer was settled in the run: {run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 5, "{run:#?}");

    create(&env, "iso-later", 3);
    env.fault(SEND, coupon_sandbox::FaultKind::Drop, 1);
    env.fault(COUPONS, coupon_sandbox::FaultKind::Status { status: 503 }, 200);
    let run = env.campaign(&["run", "iso-later", "--rate", "100/s", "--concurrency", "1", "--json"]);
    assert_eq!(run.code, 4, "a row left in doubt: {run:#?}");
    env.block(env.sandbox.admin().clear_faults()).unwrap();
    let sends = env.count(SEND);
    let reconcile = env.campaign(&["reconcile", "iso-later", "--json"]);
    assert_eq!(reconcile.code, 0, "{reconcile:#?}");
    assert_eq!(env.count(SEND), sends, "reconcile looks, never sends");
    let status = env.campaign(&["status", "iso-later", "--json"]).doc();
    assert_eq!(status["counts"]["unknown"], 0, "settled: {status}");
    let run = env.campaign(&["run", "iso-later", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 3, "{run:#?}");
    assert_exactly_once(&env, 8);
}
