//! The shared operations (`coupon issue|cancel|resend|status|balance|products|product|
//! redemptions|reconcile --vendor V`) against the sandbox: one code path for every adapter.

mod common;

use common::{Env, GOODS, PHONE, SEND_EPIN, adapters, error, run_in, words};
use coupon::{Capabilities, Registry, op};
use coupon_sandbox::FaultKind;
use serde_json::{Value, json};

fn issue(vendor: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["issue", "--vendor", vendor].iter().map(|s| s.to_string()).collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn giftletter_issue(extra: &[&str]) -> Vec<String> {
    let mut args = issue(
        "giftletter",
        &[
            "--product",
            GOODS,
            "--to",
            PHONE,
            "--callback",
            "1588-1234",
            "--title",
            "선물이 도착했어요",
            "--message",
            "모바일 상품권",
        ],
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The command line of one trait operation (a `coupon::op` name, as `Capabilities::OPERATIONS` lists them).
fn operation_args(operation: &str, vendor: &str) -> Vec<String> {
    let args: Vec<&str> = match operation {
        op::ISSUE => vec!["issue", "--vendor", vendor, "--product", "X"],
        op::CANCEL | op::RESEND | op::STATUS | op::BALANCE => vec![operation, "--vendor", vendor, "--order", "1"],
        op::PRODUCTS => vec!["products", "--vendor", vendor],
        op::PRODUCT => vec!["product", "--vendor", vendor, "X"],
        op::REDEMPTIONS => vec!["redemptions", "--vendor", vendor, "--date", "2026-01-01"],
        op::RECONCILE => vec!["reconcile", "--vendor", vendor, "--product", "X", "--ref", "R"],
        other => panic!("an operation this test does not know: {other}"),
    };
    args.into_iter().map(str::to_string).collect()
}

#[test]
fn every_operation_an_adapter_lacks_exits_2_naming_it_and_sends_nothing() {
    let env = Env::start();
    let mut refused = 0;
    for factory in Registry::from_inventory().factories() {
        let vendor = factory.name;
        for operation in Capabilities::OPERATIONS.into_iter().filter(|o| !factory.capabilities.offers(o)) {
            let args = operation_args(operation, vendor);
            let doc = env.json(&strs(&args), 2);
            let e = error(&doc, "unsupported");
            let operation = &args[0];
            assert!(
                e["message"].as_str().unwrap().contains(&format!("{vendor} does not offer `{operation}`")),
                "{doc}"
            );
            assert_eq!(e["vendor"], vendor);
            refused += 1;
        }
    }
    assert!(refused > 0, "some installed adapter lacks some operation");
    assert_eq!(env.total_requests(), 0, "nothing was sent");
}

#[test]
fn an_unknown_vendor_exits_2_listing_the_installed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["status", "--vendor", "nosuchvendor", "--order", "1", "--json"]);
    assert_eq!(run.code, 2, "{run:#?}");
    let e = error(&run.doc(), "invalid_input");
    assert_eq!(e["field"], "vendor");
    for name in coupon::installed_adapters() {
        assert!(e["message"].as_str().unwrap().contains(name), "{e}");
    }
}

#[test]
fn an_issued_coupon_goes_through_status_resend_cancel_by_the_trait() {
    let env = Env::start();
    let run = env.run(&strs(&giftletter_issue(&["--json"])));
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!(doc["vendor"], "giftletter");
    assert_eq!(doc["to"], "010-****-5678");
    assert!(doc["details_unknown"].is_null(), "{doc}");
    let order = doc["order_id"].as_str().unwrap().to_string();
    let pin = env.giftletter_pin(&order);
    assert_eq!(doc["pin"], format!("{}{}", "*".repeat(pin.len() - 4), &pin[pin.len() - 4..]));
    assert!(!run.all().contains(&pin) && !run.all().contains(PHONE), "masked: {run:#?}");
    // The reference was announced on stderr, one JSON line, before sending.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    let announced: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(announced, json!({"partner_ref": doc["partner_ref"], "vendor": "giftletter", "operation": "issue"}));

    let status = |expected: &str| {
        let doc = env.json(&["status", "--vendor", "giftletter", "--order", &order], 0);
        assert_eq!((doc["status"].as_str(), doc["order_id"].as_str()), (Some(expected), Some(order.as_str())));
        doc
    };
    status("unused");
    let doc = env.json(&["resend", "--vendor", "giftletter", "--order", &order], 0);
    assert_eq!(doc, json!({"vendor": "giftletter", "order_id": order, "resent": true}));
    let doc = env.json(&["cancel", "--vendor", "giftletter", "--order", &order], 0);
    assert_eq!(doc, json!({"vendor": "giftletter", "order_id": order, "cancelled": true}));
    status("cancelled");

    let human = env.run(&strs(&giftletter_issue(&["--ref", "SHOP-GEN-1"])));
    assert_eq!(human.code, 0, "{human:#?}");
    assert!(human.stderr.contains("giftletter issue: partner ref SHOP-GEN-1"), "{human:#?}");
    assert!(human.stdout.contains("SHOP-GEN-1") && human.stdout.contains("010-****-5678"), "{human:#?}");
}

#[test]
fn a_used_coupon_shows_time_and_place_and_the_day_lists_it() {
    let env = Env::start();
    let doc = env.json(&strs(&giftletter_issue(&[])), 0);
    let order = doc["order_id"].as_str().unwrap().to_string();
    let pin = env.giftletter_pin(&order);
    let redeemed = env.redeem("giftletter", &pin, "강남역점");
    let doc = env.json(&["status", "--vendor", "giftletter", "--order", &order], 0);
    assert_eq!((doc["status"].as_str(), doc["place"].as_str()), (Some("used"), Some("강남역점")));
    assert!(doc["used_at"].as_str().unwrap().ends_with("+09:00"), "{doc}");
    let day = &redeemed["exchanged_at"].as_str().unwrap()[..10];
    let doc = env.json(&["redemptions", "--vendor", "giftletter", "--date", day], 0);
    assert_eq!(doc["items"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["items"][0]["branch"], "강남역점");
    assert_ne!(doc["items"][0]["pin"], pin.as_str(), "masked");
    let doc = env.json(&["redemptions", "--vendor", "giftletter", "--date", day, "--reveal"], 0);
    assert_eq!(doc["items"][0]["pin"], pin.as_str());
    let doc = env.json(&["cancel", "--vendor", "giftletter", "--order", &order], 3);
    error(&doc, "already_used");
}

#[test]
fn a_reused_reference_exits_6_and_nothing_new_is_issued() {
    let env = Env::start();
    env.json(&strs(&giftletter_issue(&["--ref", "SHOP-GEN-7"])), 0);
    let doc = env.json(&strs(&giftletter_issue(&["--ref", "SHOP-GEN-7"])), 6);
    let e = error(&doc, "duplicate_reference");
    assert_eq!(e["partner_ref"], "SHOP-GEN-7");
    assert!(e["hint"].as_str().unwrap().contains("nothing new was issued"), "{e}");
    assert_eq!(env.count(SEND_EPIN), 2);
}

#[test]
fn an_issue_whose_answers_are_lost_exits_4_with_the_way_to_settle_it() {
    let env = Env::start();
    let giftletter = adapters().into_iter().find(|(name, _)| name == "giftletter").unwrap().1;
    env.fault(SEND_EPIN, FaultKind::Drop, 2);
    let doc = env.json(&strs(&giftletter_issue(&[])), 4);
    let e = error(&doc, "outcome_unknown");
    let reference = e["partner_ref"].as_str().expect("the reference travels with the doubt").to_string();
    if giftletter["reconcile"] == true {
        let command = e["reconcile"][0].as_str().unwrap();
        let expected = format!("coupon reconcile --vendor giftletter --product {GOODS} --to ");
        assert!(command.starts_with(&expected), "{command}");
        assert!(command.contains(&format!("--ref {reference} --since \"")), "{command}");
        // The printed command (phones masked without --reveal) needs the numbers typed back in.
        let args: Vec<String> = words(command)
            .into_iter()
            .map(|w| match w.as_str() {
                "010-****-5678" => PHONE.to_string(),
                "1588-****" => "1588-1234".to_string(),
                _ => w,
            })
            .collect();
        let doc = env.json(&strs(&args), 0);
        assert_eq!(doc["result"], "issued", "{doc}");
        assert_eq!(doc["partner_ref"], reference.as_str());
    } else {
        assert!(e["hint"].as_str().unwrap().contains(&format!("--ref {reference}")), "{doc}");
        let doc = env.json(&strs(&giftletter_issue(&["--ref", &reference])), 6);
        error(&doc, "duplicate_reference");
    }
}

#[test]
fn bad_input_exits_2_naming_the_flag_with_the_reference_and_sends_nothing() {
    let env = Env::start();
    let mut args = giftletter_issue(&[]);
    let at = args.iter().position(|a| a == "--to").unwrap() + 1;
    args[at] = "not-a-phone".into();
    let doc = env.json(&strs(&args), 2);
    let e = error(&doc, "invalid_input");
    assert_eq!(e["field"], "to");
    assert!(e["partner_ref"].is_string(), "{doc}");
    let e = error(&env.json(&["redemptions", "--vendor", "giftletter", "--date", "22/11/2026"], 2), "invalid_input");
    assert_eq!(e["field"], "date");
    assert_eq!(env.total_requests(), 0, "nothing was sent");
    let run = env.run(&["status", "--vendor", "giftletter"]);
    assert_eq!(run.code, 2, "--order or --product with --barcode: {run:#?}");
    let run = env.run(&["status", "--vendor", "coufun", "--product", "X"]);
    assert_eq!(run.code, 2, "--product needs --barcode: {run:#?}");
}

#[test]
fn a_purchase_needs_its_amount_and_name_and_has_its_status() {
    let env = Env::start();
    let doc = env.json(&strs(&issue("giftimbiz", &["--product", "18411"])), 2);
    let e = error(&doc, "invalid_input");
    assert_eq!(e["field"], "amount", "{doc}");
    let doc = env
        .json(&strs(&issue("giftimbiz", &["--product", "18411", "--product-name", "초코에몽", "--amount", "940"])), 0);
    assert_eq!(doc["vendor"], "giftimbiz");
    let order = doc["order_id"].as_str().unwrap();
    let doc = env.json(&["status", "--vendor", "giftimbiz", "--order", order], 0);
    assert_eq!(doc["status"], "unused", "{doc}");
}

#[test]
fn products_and_one_product_have_the_fixed_shape() {
    let env = Env::start();
    let doc = env.json(&["products", "--vendor", "giftletter", "--brand", "10"], 0);
    let items = doc["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{doc}");
    for item in items {
        for key in ["id", "name", "brand", "price", "sale_price", "image_url", "available", "availability"] {
            assert!(item.get(key).is_some(), "{key} in {item}");
        }
    }
    assert!(doc["page"].is_u64() && doc["has_next"].is_boolean(), "{doc}");
    let doc = env.json(&["product", "--vendor", "giftletter", GOODS], 0);
    assert_eq!((doc["id"].as_str(), doc["price"].as_u64()), (Some(GOODS), Some(10_000)));
    let human = env.run(&["products", "--vendor", "giftletter", "--brand", "10"]);
    assert!(human.stdout.contains("10,000원"), "{}", human.stdout);
}

#[test]
fn a_stored_value_coupon_has_a_status_and_a_balance_by_barcode() {
    let env = Env::start();
    let coupon = ["--vendor", "coufun", "--product", "CF20001000", "--barcode", "ABC1234567890"];
    let mut args = vec!["balance"];
    args.extend(coupon);
    let doc = env.json(&args, 0);
    assert_eq!((doc["total"].as_u64(), doc["remaining"].as_u64()), (Some(10_000), Some(2_500)), "{doc}");
    assert_eq!(doc["barcode"], "*********7890");
    args[0] = "status";
    let doc = env.json(&args, 0);
    assert_eq!((doc["status"].as_str(), doc["remaining"].as_u64()), (Some("partly_used"), Some(2_500)), "{doc}");
}

#[test]
fn the_log_has_no_colour_when_stderr_is_not_a_terminal() {
    let env = Env::start();
    let dir = tempfile::tempdir().unwrap();
    let args = ["products", "--vendor", "giftletter", "--brand", "10"];
    let run = common::run_with_env(dir.path(), Some(env.config.path()), &args, &[("COUPON_LOG", "trace")]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(!run.stderr.is_empty(), "trace logs were written: {run:#?}");
    assert!(
        !run.stderr.contains('\u{1b}'),
        "an escape byte in the log: {:?}",
        &run.stderr[..run.stderr.len().min(400)]
    );
}
