//! `coupon coufun status` against the sandbox, and the transport exit code.

mod common;

use std::net::TcpListener;

use common::{COUFUN, Env, error, run_in, write_config};
use coupon_sandbox::FaultKind;

/// 이마트 모바일금액권 1만원: a stored-value coupon with 2,500원 of 10,000원 left.
const GOODS: &str = "CF20001000";
const BARCODE: &str = "ABC1234567890";

#[test]
fn status_of_a_stored_value_coupon_has_its_balance_and_masks_barcode_and_receiver() {
    let env = Env::start();
    let run = env.run(&["coufun", "status", "--goods", GOODS, "--barcode", BARCODE, "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!(doc["vendor"], "coufun");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{doc}");
    let r = &records[0];
    for key in [
        "type",
        "status",
        "barcode",
        "order_date",
        "valid_until",
        "exchanged_at",
        "cancelled_at",
        "total",
        "remaining",
        "receiver",
    ] {
        assert!(r.get(key).is_some(), "{key} in {r}");
    }
    assert_eq!((r["type"].as_str(), r["status"].as_str()), (Some("amount"), Some("partly_used")));
    assert_eq!((r["total"].as_u64(), r["remaining"].as_u64()), (Some(10_000), Some(2_500)));
    assert_eq!(r["barcode"], "*********7890");
    assert!(r["receiver"].as_str().unwrap().contains("****"), "{r}");
    assert!(!run.all().contains(BARCODE), "the coupon number without --reveal: {run:#?}");

    let doc = env.json(&["coufun", "status", "--goods", GOODS, "--barcode", BARCODE, "--reveal"], 0);
    assert_eq!(doc["records"][0]["barcode"], BARCODE);
    assert!(!doc["records"][0]["receiver"].as_str().unwrap().contains('*'), "{doc}");

    let human = env.run(&["coufun", "status", "--goods", GOODS, "--barcode", BARCODE]);
    assert!(human.stdout.contains("2,500원 / 10,000원"), "{}", human.stdout);
}

#[test]
fn every_order_of_a_reissued_barcode_is_listed() {
    let env = Env::start();
    let doc = env.json(&["coufun", "status", "--goods", "CF10000123", "--barcode", "912603550784"], 0);
    let statuses: Vec<&str> =
        doc["records"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["cancelled", "used", "unused"]);
    assert!(doc["records"][0]["cancelled_at"].as_str().unwrap().ends_with("+09:00"));
    assert_eq!(doc["records"][0]["type"], "barcode");
}

#[test]
fn an_unknown_coupon_is_a_refusal_and_bad_input_is_refused_unsent() {
    let env = Env::start();
    let e = error(&env.json(&["coufun", "status", "--goods", GOODS, "--barcode", "NOSUCH0000"], 3), "rejected");
    assert_eq!((e["vendor"].as_str(), e["vendor_code"].as_str()), (Some("coufun"), Some("99")));
    let sent = env.count(COUFUN);
    let e = error(&env.json(&["coufun", "status", "--goods", GOODS, "--barcode", &"9".repeat(31)], 2), "invalid_input");
    assert_eq!(e["field"], "BARCODE_NUM");
    assert_eq!(env.count(COUFUN), sent);
}

#[test]
fn a_vendor_that_keeps_failing_exits_5_after_the_retries() {
    let env = Env::start();
    env.fault(COUFUN, FaultKind::Status { status: 503 }, 3);
    let e = error(&env.json(&["coufun", "status", "--goods", GOODS, "--barcode", BARCODE], 5), "unavailable");
    assert_eq!(e["http_status"], 503);
    assert_eq!(env.count(COUFUN), 3, "a read is retried, up to the attempt limit");
}

#[test]
fn an_unreachable_vendor_exits_5() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = write_config(&format!(
        "[coufun]\nbase_url = \"http://127.0.0.1:{port}/coufun\"\npoc_id = \"SANDBOX\"\nmax_attempts = 2\n"
    ));
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(
        dir.path(),
        Some(config.path()),
        &["coufun", "status", "--goods", GOODS, "--barcode", BARCODE, "--json"],
    );
    assert_eq!(run.code, 5, "{run:#?}");
    error(&run.doc(), "transport");
}
