//! `coupon giftletter …` against the sandbox: shapes, exit codes, masking.

mod common;

use common::{Env, GOODS, PHONE, PHONE_DIGITS, SEND_EPIN, error, issue_args, issue_with};

#[test]
fn issue_answers_order_pin_and_partner_ref_with_pin_and_phone_masked() {
    let env = Env::start();
    let run = env.run(&issue_args(&["--json"]));
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!(doc["vendor"], "giftletter");
    let order = doc["order_id"].as_str().unwrap();
    let pin = env.giftletter_pin(order);
    let shown = doc["pin"].as_str().unwrap();
    assert_eq!(shown, format!("{}{}", "*".repeat(pin.len() - 4), &pin[pin.len() - 4..]));
    assert!(doc["partner_ref"].as_str().is_some_and(|r| !r.is_empty()), "{doc}");
    assert_eq!(doc["to"], "010-****-5678");
    for secret in [pin.as_str(), PHONE, PHONE_DIGITS] {
        assert!(!run.all().contains(secret), "{secret} shown without --reveal: {run:#?}");
    }
    assert_eq!(env.count(SEND_EPIN), 1);
}

#[test]
fn reveal_shows_the_pin_and_the_phone_number() {
    let env = Env::start();
    let doc = env.json(&issue_args(&["--reveal"]), 0);
    let pin = env.giftletter_pin(doc["order_id"].as_str().unwrap());
    assert_eq!(doc["pin"], pin.as_str());
    assert_eq!(doc["to"], PHONE);
}

#[test]
fn json_issue_announces_the_co_tid_on_stderr_as_one_json_line() {
    let env = Env::start();
    let run = env.run(&issue_args(&["--ref", "SHOP-ORDER-2", "--json"]));
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["partner_ref"], "SHOP-ORDER-2");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    let announced: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(
        announced,
        serde_json::json!({"partner_ref": "SHOP-ORDER-2", "vendor": "giftletter", "operation": "issue"})
    );
}

#[test]
fn human_issue_prints_a_table_and_the_co_tid_before_sending() {
    let env = Env::start();
    let run = env.run(&issue_args(&["--ref", "SHOP-ORDER-1"]));
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("SHOP-ORDER-1") && run.stdout.contains("010-****-5678"), "{}", run.stdout);
    assert!(run.stderr.contains("co_tid SHOP-ORDER-1"), "{}", run.stderr);
}

#[test]
fn status_goes_from_unused_to_used_with_time_and_place() {
    let env = Env::start();
    let (order, pin) = env.issue();
    let doc = env.json(&["giftletter", "status", &order], 0);
    assert_eq!((doc["vendor"].as_str(), doc["order_id"].as_str()), (Some("giftletter"), Some(order.as_str())));
    assert_eq!(doc["status"], "unused");
    assert!(doc["used_at"].is_null() && doc["place"].is_null(), "{doc}");

    env.redeem("giftletter", &pin, "강남역점");
    let doc = env.json(&["giftletter", "status", &order], 0);
    assert_eq!(doc["status"], "used");
    let used_at = doc["used_at"].as_str().expect("a time");
    let parsed = coupon::chrono::DateTime::parse_from_rfc3339(used_at).expect("RFC 3339");
    assert_eq!(parsed.offset().local_minus_utc(), 9 * 3600, "KST");
    assert_eq!(doc["place"], "강남역점");
}

#[test]
fn redemptions_list_the_day_with_pins_masked_unless_revealed() {
    let env = Env::start();
    let (_, pin) = env.issue();
    let redeemed = env.redeem("giftletter", &pin, "강남역점");
    let day = &redeemed["exchanged_at"].as_str().unwrap()[..10];
    let run = env.run(&["giftletter", "redemptions", "--date", day, "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!((doc["vendor"].as_str(), doc["date"].as_str()), (Some("giftletter"), Some(day)));
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{doc}");
    assert!(items[0]["pin"].as_str().unwrap().ends_with(&pin[pin.len() - 4..]));
    assert!(items[0]["at"].as_str().unwrap().starts_with(day));
    assert_eq!(items[0]["branch"], "강남역점");
    assert!(doc["errors"].as_array().unwrap().is_empty());
    assert!(!run.all().contains(&pin), "the PIN without --reveal: {run:#?}");

    let doc = env.json(&["giftletter", "redemptions", "--date", day, "--reveal"], 0);
    assert_eq!(doc["items"][0]["pin"], pin.as_str());
    let human = env.run(&["giftletter", "redemptions", "--date", day]);
    assert!(human.stdout.contains("강남역점") && human.stdout.contains("KST"), "{}", human.stdout);
}

#[test]
fn cancel_works_once_and_is_refused_with_exit_3_for_a_used_coupon() {
    let env = Env::start();
    let (order, _) = env.issue();
    let doc = env.json(&["giftletter", "cancel", &order], 0);
    assert_eq!((doc["cancelled"].as_bool(), doc["order_id"].as_str()), (Some(true), Some(order.as_str())));
    assert_eq!(env.json(&["giftletter", "status", &order], 0)["status"], "cancelled");

    let (order, pin) = env.issue();
    env.redeem("giftletter", &pin, "강남역점");
    let doc = env.json(&["giftletter", "cancel", &order], 3);
    let e = error(&doc, "already_used");
    assert_eq!(e["vendor"], "giftletter");
    assert!(e["vendor_code"].is_string(), "{doc}");
    assert_eq!(e["retryable"], false);
}

#[test]
fn resend_sends_the_sms_again() {
    let env = Env::start();
    let (order, _) = env.issue();
    let doc = env.json(&["giftletter", "resend", &order, "--msg", "다시 보내드려요"], 0);
    assert_eq!((doc["resent"].as_bool(), doc["order_id"].as_str()), (Some(true), Some(order.as_str())));
    let doc = env.json(&["giftletter", "resend", "GL000000000000"], 3);
    error(&doc, "not_found");
}

#[test]
fn a_repeated_reference_is_refused_with_exit_6_and_names_it() {
    let env = Env::start();
    env.json(&issue_args(&["--ref", "SHOP-ORDER-7"]), 0);
    let doc = env.json(&issue_args(&["--ref", "SHOP-ORDER-7"]), 6);
    let e = error(&doc, "duplicate_reference");
    assert_eq!(e["partner_ref"], "SHOP-ORDER-7");
    assert_eq!(env.count(SEND_EPIN), 2);
}

#[test]
fn bad_input_exits_2_naming_the_field_and_sends_nothing() {
    let env = Env::start();
    let doc = env.json(&issue_with("--to", "not-a-phone"), 2);
    let e = error(&doc, "invalid_input");
    assert_eq!(e["field"], "to");
    assert!(e["partner_ref"].is_string(), "the generated co_tid travels even here: {doc}");
    let title = "가".repeat(21);
    let e = error(&env.json(&issue_with("--title", &title), 2), "invalid_input");
    assert_eq!(e["field"], "title");
    assert!(e["message"].as_str().unwrap().contains("40"), "{e}");
    let e = error(&env.json(&["giftletter", "redemptions", "--date", "22/11/2026"], 2), "invalid_input");
    assert_eq!(e["field"], "date");
    assert_eq!(env.total_requests(), 0, "nothing was sent");
}

#[test]
fn goods_list_has_the_fixed_shape_and_human_prices_in_won() {
    let env = Env::start();
    let doc = env.json(&["giftletter", "goods", "--brand", "10"], 0);
    assert_eq!(doc["vendor"], "giftletter");
    let items = doc["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        for key in ["id", "name", "brand", "price", "image_url", "available", "status"] {
            assert!(item.get(key).is_some(), "{key} in {item}");
        }
    }
    let first = items.iter().find(|i| i["id"] == GOODS).unwrap();
    assert_eq!((first["price"].as_u64(), first["available"].as_bool()), (Some(10_000), Some(true)));
    let human = env.run(&["giftletter", "goods", "--brand", "10"]);
    assert!(human.stdout.contains("10,000원") && human.stdout.contains("GS25"), "{}", human.stdout);
}

#[test]
fn goods_info_and_brand_image() {
    let env = Env::start();
    let doc = env.json(&["giftletter", "goods-info", GOODS], 0);
    assert_eq!((doc["id"].as_str(), doc["price"].as_u64()), (Some(GOODS), Some(10_000)));
    assert!(doc["supply_price"].as_u64().is_some() && doc["notice"].is_string(), "{doc}");
    let doc = env.json(&["giftletter", "brand-image", "20"], 0);
    assert_eq!(doc["name"], "스타벅스");
    assert!(doc["image_url"].as_str().unwrap().starts_with("http"));
    error(&env.json(&["giftletter", "brand-image", "999999"], 3), "not_found");
}

#[test]
fn an_issue_whose_answers_are_lost_exits_4_and_repeating_it_with_the_same_ref_issues_nothing_more() {
    let env = Env::start();
    env.fault(SEND_EPIN, coupon_sandbox::FaultKind::Drop, 2);
    let run = env.run(&issue_args(&["--json"]));
    assert_eq!(run.code, 4, "{run:#?}");
    let doc = run.doc();
    let e = error(&doc, "outcome_unknown");
    let co_tid = e["partner_ref"].as_str().expect("the co_tid travels with the doubt").to_string();
    assert!(e["hint"].as_str().unwrap().contains(&format!("--ref {co_tid}")), "{doc}");

    // The hint's advice: the same command with the same reference cannot issue twice.
    let doc = env.json(&issue_args(&["--ref", &co_tid]), 6);
    error(&doc, "duplicate_reference");
    assert_eq!(env.count(SEND_EPIN), 3, "one send, one deduplicated re-send, one repeat by the operator");
}
