//! `coupon giftishow …` and the shared commands with `--vendor giftishow`, against
//! the sandbox: the coupon's detail masked unless `--reveal`, bizmoney, brands, and
//! the refund of a send charged without a PIN.

mod common;

use common::Env;
use serde_json::json;

const GOODS: &str = "G00001621744";

/// `coupon issue --vendor giftishow` of the sample goods with `tr_id`, every field given.
fn issue_args(tr_id: &str) -> Vec<&str> {
    vec![
        "issue",
        "--vendor",
        "giftishow",
        "--product",
        GOODS,
        "--to",
        "010-1234-5678",
        "--callback",
        "1588-0000",
        "--title",
        "선물 도착",
        "--message",
        "아메리카노 한 잔",
        "--ref",
        tr_id,
    ]
}

fn issue(env: &Env, tr_id: &str) -> serde_json::Value {
    env.json(&issue_args(tr_id), 0)
}

#[test]
fn the_generic_issue_names_the_tr_id_as_the_order_and_status_reads_it() {
    let env = Env::start();
    let doc = issue(&env, "CPCLI0001");
    assert_eq!(doc["order_id"], "CPCLI0001", "{doc}");
    let status = env.json(&["status", "--vendor", "giftishow", "--order", "CPCLI0001"], 0);
    assert_eq!(status["status"], "unused", "{status}");
    let e = env.json(
        &[
            "issue",
            "--vendor",
            "giftishow",
            "--product",
            GOODS,
            "--to",
            "010-1234-5678",
            "--callback",
            "1588-0000",
            "--title",
            "열한 글자가 넘는 제목입니다",
            "--message",
            "m",
        ],
        2,
    );
    assert_eq!(e["error"]["field"], "title", "{e}");
}

#[test]
fn the_coupon_detail_masks_the_pin_and_phones_unless_revealed() {
    let env = Env::start();
    issue(&env, "CPCLI0002");
    let pin =
        env.block(env.sandbox.admin().issued("giftishow")).unwrap()[0].details["pin"].as_str().unwrap().to_owned();
    let masked = env.run(&["giftishow", "coupon", "CPCLI0002", "--json"]);
    assert_eq!(masked.code, 0, "{masked:#?}");
    let doc = masked.doc();
    let coupon = &doc["coupons"][0];
    assert_eq!(coupon["pin_status"], "01", "{doc}");
    assert!(!masked.all().contains(&pin) && !masked.all().contains(common::PHONE_DIGITS), "{masked:#?}");
    assert!(coupon["pin"].as_str().unwrap().ends_with(&pin[pin.len() - 4..]));
    let human = env.run(&["giftishow", "coupon", "CPCLI0002"]);
    assert!(!human.all().contains(&pin) && !human.all().contains(common::PHONE_DIGITS), "{human:#?}");
    let revealed = env.json(&["giftishow", "coupon", "CPCLI0002", "--reveal"], 0);
    assert_eq!(revealed["coupons"][0]["pin"], pin.as_str());
    // Revealed in full, written as every command writes a revealed number (010-1234-5678).
    let receiver = revealed["coupons"][0]["receiver"].as_str().unwrap();
    assert_eq!(receiver.replace('-', ""), common::PHONE_DIGITS, "{revealed}");
}

#[test]
fn bizmoney_brands_and_the_send_failure_refund() {
    let env = Env::start();
    let before = env.json(&["giftishow", "bizmoney"], 0)["bizmoney"].as_u64().unwrap();
    let brands = env.json(&["giftishow", "brands"], 0);
    let first = brands["brands"][0]["brand_code"].as_str().unwrap().to_owned();
    let brand = env.json(&["giftishow", "brand", &first], 0);
    assert_eq!(brand["brand"]["brand_code"], first.as_str());

    env.block(env.sandbox.admin().vendor_post("giftishow", "send-failures", &json!({"count": 1}))).unwrap();
    let args = issue_args("CPCLIFAIL");
    let refused = env.run(&args);
    assert_eq!(refused.code, 3, "a refusal: {refused:#?}");
    let charged = env.json(&["giftishow", "bizmoney"], 0)["bizmoney"].as_u64().unwrap();
    assert!(charged < before, "charged without a PIN");
    let fault = coupon_sandbox::FaultSpec::new("/giftishow/bizApi/sendFail/cancel", coupon_sandbox::FaultKind::Drop);
    env.block(env.sandbox.admin().inject(fault)).unwrap();
    let lost = env.run(&["giftishow", "send-fail-cancel", "CPCLIFAIL"]);
    assert_eq!(lost.code, 4, "a refund whose answer is lost is in doubt: {lost:#?}");
    assert!(lost.stderr.contains("coupon giftishow bizmoney"), "what to check before asking again: {lost:#?}");
    assert_eq!(env.json(&["giftishow", "bizmoney"], 0)["bizmoney"].as_u64().unwrap(), before, "it went through");
    env.block(env.sandbox.admin().vendor_post("giftishow", "send-failures", &json!({"count": 1}))).unwrap();
    assert_eq!(env.run(&issue_args("CPCLIFAIL2")).code, 3, "charged without a PIN again");
    let refund = env.run(&["giftishow", "send-fail-cancel", "CPCLIFAIL2", "--json"]);
    assert_eq!(refund.code, 0, "{refund:#?}");
    assert!(refund.stderr.contains("CPCLIFAIL2"), "the tr_id is announced before the money call: {refund:#?}");
    assert_eq!(env.json(&["giftishow", "bizmoney"], 0)["bizmoney"].as_u64().unwrap(), before);
    let again = env.run(&["giftishow", "send-fail-cancel", "CPCLIFAIL2"]);
    assert_eq!(again.code, 3, "nothing left to refund: {again:#?}");
}

/// Switches the emulator to the ISO form of every date (`2999-12-30T15:00:00.000+0000`).
fn iso_dates(env: &Env) {
    env.block(env.sandbox.admin().vendor_post("giftishow", "variant", &json!({"dates": "iso"}))).unwrap();
}

#[test]
fn products_product_and_status_read_a_vendor_answering_iso_dates_and_show_them() {
    let env = Env::start();
    let compact = env.json(&["product", "--vendor", "giftishow", GOODS], 0);
    let day = compact["sale_until"].as_str().expect("the goods' endDate as a day").to_owned();
    issue(&env, "CPCLIISO");
    let pin =
        env.block(env.sandbox.admin().issued("giftishow")).unwrap()[0].details["pin"].as_str().unwrap().to_owned();
    env.redeem("giftishow", &pin, "강남점");
    let used_compact = env.json(&["status", "--vendor", "giftishow", "--order", "CPCLIISO"], 0);

    iso_dates(&env);
    let product = env.json(&["product", "--vendor", "giftishow", GOODS], 0);
    assert_eq!(product["sale_until"], day.as_str(), "the same KST day in either form: {product}");
    let human = env.run(&["product", "--vendor", "giftishow", GOODS]);
    assert_eq!(human.code, 0, "{human:#?}");
    assert!(human.stdout.contains(&day), "the day is shown: {human:#?}");

    let products = env.json(&["products", "--vendor", "giftishow", "--limit", "50"], 0);
    let items = products["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|p| p["sale_until"].is_string()), "{products}");
    let table = env.run(&["products", "--vendor", "giftishow"]);
    assert_eq!(table.code, 0, "{table:#?}");
    assert!(table.stdout.contains("on sale until") && table.stdout.contains(&day), "{table:#?}");

    let status = env.json(&["status", "--vendor", "giftishow", "--order", "CPCLIISO"], 0);
    assert_eq!(status["status"], "used", "{status}");
    let (iso_at, compact_at) = (status["used_at"].as_str().unwrap(), used_compact["used_at"].as_str().unwrap());
    // The same moment in KST, to the second (the ISO form adds milliseconds).
    assert_eq!(iso_at[..19], compact_at[..19], "{status} {used_compact}");
    assert!(iso_at.ends_with("+09:00"), "{status}");
    let human = env.run(&["status", "--vendor", "giftishow", "--order", "CPCLIISO"]);
    assert_eq!(human.code, 0, "{human:#?}");
    let used_day = &status["used_at"].as_str().unwrap()[..10];
    assert!(human.stdout.contains(used_day), "{human:#?}");

    let detail = env.json(&["giftishow", "coupon", "CPCLIISO"], 0);
    assert!(detail["coupons"][0]["valid_until"].is_string(), "{detail}");
}
