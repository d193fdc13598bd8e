//! `coupon giftimbiz …` against the sandbox: shapes, exit codes, the unknown outcome
//! of a buy and its reconciliation.

mod common;

use common::{BUY, Env, STAR_BUY, error};
use coupon_sandbox::FaultKind;

/// 남양)초콜릿드링크초코에몽190ML: sale 18411 of kind 27935, 940원 now.
const SALE: &str = "18411";
const KIND: &str = "27935";
const PRICE: &str = "940";
const PRODUCT: &str = "초코에몽";

/// 연어덮밥 1인분 할인권: sale 1352, coupon 190, detail 3001, 12,000원; seller 359, manage code 124482.
const STAR: [&str; 3] = ["1352", "190", "3001"];

fn buy_args(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["giftimbiz", "buy", "--listing", SALE, "--cash", PRICE, "--product", PRODUCT];
    args.extend_from_slice(extra);
    args
}

fn star_buy_args() -> Vec<&'static str> {
    vec![
        "giftimbiz",
        "star-buy",
        "--sale",
        STAR[0],
        "--coupon",
        STAR[1],
        "--detail",
        STAR[2],
        "--cash",
        "12000",
        "--product",
        "연어덮밥",
    ]
}

/// Splits a printed command (`coupon giftimbiz reconcile --listing 1 --since "…"`) into arguments.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in command.split('"').enumerate() {
        if i % 2 == 1 {
            out.push(part.to_string());
        } else {
            out.extend(part.split_whitespace().map(str::to_string));
        }
    }
    assert_eq!(out.first().map(String::as_str), Some("coupon"), "{command}");
    out.remove(0);
    out
}

#[test]
fn token_is_obtained_and_never_shown() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "token"], 0);
    assert_eq!((doc["vendor"].as_str(), doc["token_obtained"].as_bool()), (Some("giftimbiz"), Some(true)));
    assert_eq!(doc.as_object().unwrap().len(), 2, "nothing else, the token least of all: {doc}");
}

#[test]
fn categories_and_star_categories() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "categories"], 0);
    assert_eq!(doc["categories"].as_array().unwrap().len(), 10);
    let brand = &doc["brands"][0];
    assert!(brand["id"].is_string() && brand["name"].is_string(), "{doc}");
    let doc = env.json(&["giftimbiz", "star-categories"], 0);
    assert!(!doc["categories"].as_array().unwrap().is_empty() && !doc["shops"].as_array().unwrap().is_empty());
    let human = env.run(&["giftimbiz", "categories"]);
    assert!(human.stdout.contains("커피음료"), "{}", human.stdout);
}

#[test]
fn listings_show_the_price_of_today_and_all_pages_come_with_all() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "listings", "--category", "6", "--order", "priceL", "--limit", "5"], 0);
    assert_eq!((doc["vendor"].as_str(), doc["page"].as_u64()), (Some("giftimbiz"), Some(1)));
    let items = doc["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 5, "{doc}");
    let prices: Vec<u64> = items.iter().map(|i| i["sale_price"].as_u64().unwrap()).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "lowest price first: {prices:?}");
    let choco = items.iter().find(|i| i["md_idx"] == SALE).expect("초코에몽 in 마트,편의점");
    assert_eq!((choco["gm_idx"].as_str(), choco["sale_price"].as_u64()), (Some(KIND), Some(940)));
    assert!([1, 2, 3].contains(&choco["tier"].as_u64().unwrap()), "{choco}");
    assert!(choco["endtime"].as_str().unwrap().ends_with("+09:00"));

    let doc = env.json(&["giftimbiz", "listings", "--all", "--limit", "10"], 0);
    let total = doc["total_count"].as_u64().unwrap();
    assert_eq!(doc["items"].as_array().unwrap().len() as u64, total);
    assert_eq!(doc["pages"].as_u64(), Some(total.div_ceil(10)));
    assert_eq!(doc["is_next"], false);

    let run = env.run(&["giftimbiz", "listings", "--all", "--page", "2"]);
    assert_eq!(run.code, 2, "--all and --page conflict: {run:#?}");
}

#[test]
fn detail_of_one_gifticon() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "detail", "--code", KIND, "--sale", SALE], 0);
    assert_eq!(doc["detail"]["md_idx"], SALE);
    assert_eq!(doc["detail"]["price"], 1400);
    assert!(doc["same_brand"].is_array());
}

#[test]
fn buy_then_history_then_reconcile_agree() {
    let env = Env::start();
    let doc = env.json(&buy_args(&["--ref", "SHOP-9"]), 0);
    let tid = doc["tid"].as_str().unwrap().to_string();
    assert_eq!(doc["partner_ref"], "SHOP-9");
    let doc = env.json(&["giftimbiz", "purchases"], 0);
    let items = doc["items"].as_array().unwrap();
    assert!(items.iter().any(|p| p["tid"] == tid.as_str() && p["md_idx"] == SALE), "{doc}");
    let doc = env.json(&["giftimbiz", "reconcile", "--listing", SALE, "--since", "2000-01-01 00:00:00"], 0);
    assert_eq!(doc["result"], "bought");
    assert_eq!(doc["purchases"][0]["tid"], tid.as_str());
    let human = env.run(&["giftimbiz", "purchases"]);
    assert!(human.stdout.contains("940원") && human.stdout.contains("KST"), "{}", human.stdout);
}

#[test]
fn a_lost_buy_answer_exits_4_with_the_partner_ref_and_the_reconcile_command_that_settles_it() {
    let env = Env::start();
    env.fault(BUY, FaultKind::Drop, 1);
    let run = env.run(&buy_args(&["--json"]));
    assert_eq!(run.code, 4, "{run:#?}");
    let doc = run.doc();
    let e = error(&doc, "outcome_unknown");
    assert!(e["partner_ref"].as_str().is_some_and(|r| !r.is_empty()), "{doc}");
    assert_eq!(e["retryable"], false);
    assert_eq!(env.count(BUY), 1, "a buy is never sent twice");
    let command = e["reconcile"][0].as_str().unwrap();
    assert!(command.starts_with(&format!("coupon giftimbiz reconcile --listing {SALE} --since \"")), "{command}");

    let args = words(command);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let doc = env.json(&args, 0);
    assert_eq!(doc["result"], "bought", "the dropped buy ran: {doc}");

    // The human form tells the operator the same.
    env.fault(BUY, FaultKind::Drop, 1);
    let run = env.run(&buy_args(&[]));
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("partner ref") && run.stderr.contains("coupon giftimbiz reconcile --listing"));
}

#[test]
fn a_buy_that_never_ran_reconciles_as_not_bought() {
    let env = Env::start();
    env.fault(BUY, FaultKind::DropUnprocessed, 1);
    let doc = env.json(&buy_args(&[]), 4);
    let args = words(doc["error"]["reconcile"][0].as_str().unwrap());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let doc = env.json(&args, 0);
    assert_eq!(doc["result"], "not_bought");
    assert!(doc["purchases"].as_array().unwrap().is_empty());
}

#[test]
fn a_wrong_amount_is_refused_with_exit_3_and_bad_input_exits_2_unsent() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "buy", "--listing", SALE, "--cash", "1", "--product", PRODUCT], 3);
    let e = error(&doc, "invalid_input");
    assert_eq!(e["vendor_code"], "PL", "the vendor refused the amount: sent, so exit 3 rather than 2");
    let sent = env.count(BUY);
    let e = error(
        &env.json(&["giftimbiz", "buy", "--listing", "18411|18412", "--cash", "1", "--product", "x"], 2),
        "invalid_input",
    );
    assert_eq!(e["field"], "md_idx");
    let e =
        error(&env.json(&["giftimbiz", "reconcile", "--listing", SALE, "--since", "yesterday"], 2), "invalid_input");
    assert_eq!(e["field"], "since");
    assert_eq!(env.count(BUY), sent, "nothing more was sent");
}

#[test]
fn starcoupons_list_detail_buy_history_qr_use_and_reconcile() {
    let env = Env::start();
    let doc = env.json(&["giftimbiz", "star-listings"], 0);
    let listed = doc["items"].as_array().unwrap().iter().find(|i| i["md_idx"] == STAR[0]).expect("listed").clone();
    assert_eq!((listed["msl_idx"].as_str(), listed["price"].as_u64()), (Some(STAR[1]), Some(12_000)));
    let all = env.json(&["giftimbiz", "star-listings", "--all"], 0);
    assert!(all["items"].as_array().unwrap().len() >= doc["items"].as_array().unwrap().len());

    let doc = env.json(&["giftimbiz", "star-detail", "--sale", STAR[0], "--coupon", STAR[1]], 0);
    assert_eq!(doc["detail"]["msl_idx"], STAR[1]);

    let doc = env.json(&star_buy_args(), 0);
    let tid = doc["tid"].as_str().unwrap().to_string();
    assert!(doc["partner_ref"].is_string());

    let doc = env.json(&["giftimbiz", "star-purchases", "--coupon", STAR[1]], 0);
    let bought = doc["items"].as_array().unwrap().iter().find(|p| p["tid"] == tid.as_str()).expect("bought").clone();
    let msc = bought["msc_idx"].as_str().unwrap().to_string();
    assert_eq!(doc["total_buy_price"], 12_000);

    let doc = env.json(&["giftimbiz", "qr", "--tid", &tid, "--coupon", &msc], 0);
    assert!(doc["qr_url"].as_str().unwrap().starts_with("http://127.0.0.1"), "{doc}");

    let e = error(
        &env.json(&["giftimbiz", "star-use", "--seller", "359", "--coupon", &msc, "--manage-code", "000000"], 3),
        "invalid_input",
    );
    assert_eq!(e["vendor_code"], "N", "the vendor refused the code: it was sent, so exit 3");
    let doc = env.json(&["giftimbiz", "star-use", "--seller", "359", "--coupon", &msc, "--manage-code", "124482"], 0);
    assert_eq!(doc["used"], true);
    let doc = env.json(&["giftimbiz", "star-purchases"], 0);
    assert!(doc["items"][0]["used_at"].is_string(), "{doc}");

    let doc = env.json(
        &["giftimbiz", "star-reconcile", "--sale", STAR[0], "--coupon", STAR[1], "--since", "2000-01-01 00:00"],
        0,
    );
    assert_eq!(doc["result"], "bought");
}

#[test]
fn a_lost_starcoupon_buy_exits_4_and_names_star_reconcile() {
    let env = Env::start();
    env.fault(STAR_BUY, FaultKind::Drop, 1);
    let doc = env.json(&star_buy_args(), 4);
    let e = error(&doc, "outcome_unknown");
    let command = e["reconcile"][0].as_str().unwrap();
    assert!(command.starts_with("coupon giftimbiz star-reconcile --sale 1352 --coupon 190 --since"), "{command}");
    assert_eq!(env.count(STAR_BUY), 1);
    let args = words(command);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(env.json(&args, 0)["result"], "bought");
}
