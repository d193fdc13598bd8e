//! The adapter against the sandbox over real HTTP on loopback: every fixture coupon,
//! the several-orders barcode, refusals, redemption, input checks, retries.
#![cfg(feature = "client")]

use adapter_coufun::wire::replies::{CouponType, OrderStatus};
use adapter_coufun::{Coufun, CoufunAdapter, CoufunConfig, FACTORY};
use coupon_core::config::ConfigSection;
use coupon_core::time::{parse_compact_date, today_kst};
use coupon_core::{Adapter, Balance, CouponRef, CouponStatus, ErrorKind, OrderRef, Pin, Won};
use coupon_sandbox::vendors::coufun::credentials::POC_ID as COUFUN_POC_ID;
use coupon_sandbox::{FaultKind, FaultSpec, RedeemRequest, RunningSandbox, Sandbox};
use serde_json::Value;

const PATH: &str = "/coufun/b2c_api/coufunPartAmountStatus.do";

/// The `[coufun]` section of the configuration the sandbox prints, read as is.
fn section_from_sandbox(sandbox: &RunningSandbox) -> ConfigSection {
    let toml = sandbox.config_toml();
    let mut section = ConfigSection::new("coufun");
    let mut inside = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[coufun]";
        } else if let (true, Some((key, value))) = (inside, line.split_once('=')) {
            section.set(key.trim(), value.trim().trim_matches('"'));
        }
    }
    section
}

async fn start() -> (RunningSandbox, CoufunAdapter) {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let config = CoufunConfig::from_section(&section_from_sandbox(&sandbox)).expect("the sandbox's [coufun] reads");
    let adapter = CoufunAdapter::new(Coufun::new(config).expect("client"));
    (sandbox, adapter)
}

fn goods_type(fixtures: &Value, goods_id: &str) -> String {
    let goods = fixtures["goods"].as_array().expect("goods");
    let g = goods.iter().find(|g| g["goods_id"] == goods_id).expect("known goods");
    g["coupon_type"].as_str().expect("type").to_string()
}

/// What `status` must say of an order, by the rules the adapter documents.
fn expected_status(order: &Value, coupon_type: &str) -> &'static str {
    let valid = parse_compact_date(order["valid_end_date"].as_str().unwrap()).unwrap();
    match order["status"].as_str().unwrap() {
        "000" if valid < today_kst() => "expired",
        "000" if coupon_type == "AMOUNT" && order["remain_amount"] == 0 => "used",
        "000" if coupon_type == "AMOUNT" && order["remain_amount"] != order["total_amount"] => "partly_used",
        "000" => "unused",
        "001" => "used",
        "100" => "cancelled",
        _ => "unknown",
    }
}

#[tokio::test]
async fn every_fixture_coupon_reads_back_with_all_its_orders_and_its_status() {
    let (sandbox, adapter) = start().await;
    let fixtures = sandbox.admin().fixtures().await.expect("fixtures")["coufun"].clone();
    let mut states = std::collections::BTreeSet::new();
    for coupon in fixtures["coupons"].as_array().expect("coupons") {
        let barcode = coupon["barcode_num"].as_str().unwrap();
        let goods_id = coupon["goods_id"].as_str().unwrap();
        let kind = goods_type(&fixtures, goods_id);
        let answer = adapter.client().status(goods_id, &Pin::new(barcode)).await.expect(barcode);
        let orders = coupon["orders"].as_array().unwrap();
        assert_eq!(answer.orders.len(), orders.len(), "{barcode}");
        for (got, want) in answer.orders.iter().zip(orders) {
            assert_eq!(got.coupon_type, CouponType::from_wire(&kind));
            assert_eq!(got.status, OrderStatus::from_wire(want["status"].as_str().unwrap()));
            assert_eq!(got.barcode.expose(), barcode);
            assert_eq!(got.order_date.format("%Y%m%d").to_string(), want["order_date"].as_str().unwrap());
            assert_eq!(got.valid_until.format("%Y%m%d").to_string(), want["valid_end_date"].as_str().unwrap());
            let mobile = got.receiver.as_ref().and_then(|r| r.phone()).map(|p| p.expose_digits());
            assert_eq!(mobile, want["receiver_mobile"].as_str());
            let stamp = |t: Option<coupon_core::time::KstDateTime>| t.map(|t| t.format("%Y%m%d%H%M%S").to_string());
            assert_eq!(stamp(got.exchanged_at).unwrap_or_default(), want["exchange_date"].as_str().unwrap());
            assert_eq!(stamp(got.cancelled_at).unwrap_or_default(), want["cancel_date"].as_str().unwrap());
            let amounts = got.balance.map(|b| (b.total.get(), b.remaining.get()));
            assert_eq!(amounts, want["total_amount"].as_u64().zip(want["remain_amount"].as_u64()));
            states.insert((kind.clone(), want["status"].as_str().unwrap().to_string()));
        }
        let current = orders.iter().max_by_key(|o| o["order_date"].as_str().unwrap().to_string()).unwrap();
        let status = adapter.status(&CouponRef::barcode(goods_id, barcode)).await.expect(barcode);
        assert_eq!(status.as_str(), expected_status(current, &kind), "{barcode}");
        match &status {
            CouponStatus::Used { at, .. } if current["status"] == "001" => assert!(at.is_some(), "{barcode}"),
            CouponStatus::Cancelled { at } => assert!(at.is_some(), "{barcode}"),
            _ => {}
        }
    }
    assert_eq!(states.len(), 6, "both types in all three states: {states:?}");
}

#[tokio::test]
async fn a_barcode_with_three_orders_answers_all_and_status_follows_the_latest() {
    let (sandbox, adapter) = start().await;
    let barcode = Pin::new("912603550784");
    let answer = adapter.client().status("CF10000123", &barcode).await.unwrap();
    let statuses: Vec<&str> = answer.orders.iter().map(|o| o.status.as_wire()).collect();
    assert_eq!(statuses, ["100", "001", "000"]);
    let latest = answer.current(barcode.expose()).unwrap();
    assert_eq!(latest.order_date.format("%Y%m%d").to_string(), "20261110");
    assert_eq!(latest.receiver.as_ref().unwrap().to_string(), "010-****-5050");
    let status = adapter.status(&CouponRef::barcode("CF10000123", "912603550784")).await.unwrap();
    let valid_until = latest.valid_until;
    assert_eq!(status, if today_kst() > valid_until { CouponStatus::Expired } else { CouponStatus::Unused });
    assert_eq!(sandbox.request_count(PATH), 2);
}

#[tokio::test]
async fn the_documents_example_coupon_has_2500_of_10000_left() {
    let (_sandbox, adapter) = start().await;
    let coupon = CouponRef::barcode("CF20001000", "ABC1234567890");
    assert_eq!(adapter.balance(&coupon).await.unwrap(), Balance::new(Won(10_000), Won(2_500)));
    let status = adapter.status(&coupon).await.unwrap();
    assert!(matches!(status, CouponStatus::PartlyUsed { remaining: Won(2_500), .. }), "partly spent: {status:?}");
}

#[tokio::test]
async fn a_redeemed_stored_value_coupon_shows_the_lower_balance_then_is_used() {
    let (sandbox, adapter) = start().await;
    let coupon = CouponRef::barcode("CF20003000", "AMT2611020000187");
    assert_eq!(adapter.balance(&coupon).await.unwrap(), Balance::new(Won(30_000), Won(30_000)));
    let admin = sandbox.admin();
    admin.redeem_with(&RedeemRequest::new("coufun", "AMT2611020000187").amount(12_000)).await.unwrap();
    assert_eq!(adapter.balance(&coupon).await.unwrap(), Balance::new(Won(30_000), Won(18_000)));
    assert!(matches!(
        adapter.status(&coupon).await.unwrap(),
        CouponStatus::PartlyUsed { remaining: Won(18_000), at: Some(_) }
    ));
    admin.redeem_with(&RedeemRequest::new("coufun", "AMT2611020000187").at("2026-11-21 18:30:00")).await.unwrap();
    assert_eq!(adapter.balance(&coupon).await.unwrap(), Balance::new(Won(30_000), Won(0)));
    let CouponStatus::Used { at: Some(at), place: None } = adapter.status(&coupon).await.unwrap() else {
        panic!("used up")
    };
    assert_eq!(at.to_rfc3339(), "2026-11-21T18:30:00+09:00");
}

#[tokio::test]
async fn a_redeemed_exchange_voucher_is_used() {
    let (sandbox, adapter) = start().await;
    let coupon = CouponRef::barcode("CF10000123", "912605117340");
    assert_eq!(adapter.status(&coupon).await.unwrap(), CouponStatus::Unused);
    sandbox.admin().redeem("coufun", "912605117340", None).await.unwrap();
    assert!(matches!(adapter.status(&coupon).await.unwrap(), CouponStatus::Used { at: Some(_), .. }));
}

#[tokio::test]
async fn an_exchange_voucher_has_no_balance() {
    let (_sandbox, adapter) = start().await;
    let e = adapter.balance(&CouponRef::barcode("CF10000123", "912605117340")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("exchange voucher"), "{e}");
}

#[tokio::test]
async fn an_unknown_barcode_is_refused_with_code_99_and_the_korean_message() {
    let (_sandbox, adapter) = start().await;
    let e = adapter.status(&CouponRef::barcode("CF10000123", "999999999999")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert_eq!(e.vendor_code().map(|c| c.raw()), Some("99"));
    assert_eq!(e.vendor_message(), Some("존재하지 않는 쿠폰번호입니다."));
    assert!(!e.is_retryable());
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("999999999999"), "{shown}");
}

#[tokio::test]
async fn a_wrong_poc_id_is_refused_with_code_99() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = CoufunConfig::new(&sandbox.vendor_url("coufun"), "NOTOURS").unwrap();
    let e = Coufun::new(config).unwrap().status("CF20001000", &Pin::new("ABC1234567890")).await.unwrap_err();
    assert_eq!(e.vendor_code().map(|c| c.raw()), Some("99"));
    assert!(e.vendor_message().unwrap().contains("등록되지 않은 고객사"), "{e}");
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let (sandbox, adapter) = start().await;
    let long = "9".repeat(31);
    for (coupon, field) in [
        (CouponRef::barcode("CF10000123", long.as_str()), "BARCODE_NUM"),
        (CouponRef::barcode("CF100001234", "912605117340"), "GOODS_ID"),
        (CouponRef::barcode("", "912605117340"), "GOODS_ID"),
        (CouponRef::barcode("CF10000123", "쿠폰번호"), "BARCODE_NUM"),
        (CouponRef::barcode("CF10000123", "9126 0511"), "BARCODE_NUM"),
        (CouponRef::Order(OrderRef::new("1")), "coupon"),
    ] {
        for result in [adapter.status(&coupon).await.map(|_| ()), adapter.balance(&coupon).await.map(|_| ())] {
            let e = result.unwrap_err();
            assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{e}");
            assert!(!e.to_string().contains("99999") && !e.to_string().contains("쿠폰번호"), "{e}");
        }
    }
    assert_eq!(sandbox.request_count(PATH), 0);
}

#[tokio::test]
async fn a_read_is_retried_after_a_503_or_a_dropped_answer() {
    let (sandbox, adapter) = start().await;
    let admin = sandbox.admin();
    admin.inject(FaultSpec::new(PATH, FaultKind::Status { status: 503 })).await.unwrap();
    admin.inject(FaultSpec::new(PATH, FaultKind::Drop)).await.unwrap();
    let coupon = CouponRef::barcode("CF20001000", "ABC1234567890");
    assert_eq!(adapter.balance(&coupon).await.unwrap(), Balance::new(Won(10_000), Won(2_500)));
    assert_eq!(sandbox.request_count(PATH), 3);
}

#[tokio::test]
async fn an_unreadable_answer_is_a_protocol_error_not_retried() {
    let (sandbox, adapter) = start().await;
    sandbox.admin().inject(FaultSpec::new(PATH, FaultKind::Malformed)).await.unwrap();
    let e = adapter.status(&CouponRef::barcode("CF20001000", "ABC1234567890")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(sandbox.request_count(PATH), 1);
}

#[tokio::test]
async fn the_registered_factory_builds_from_the_sandbox_section() {
    let sandbox = Sandbox::start().await.unwrap();
    let adapter = (FACTORY.build)(&section_from_sandbox(&sandbox)).expect("builds");
    assert_eq!(adapter.vendor().as_str(), "coufun");
    assert_eq!(adapter.capabilities(), FACTORY.capabilities);
    assert!(FACTORY.capabilities.status && FACTORY.capabilities.balance && !FACTORY.capabilities.issue);
    let installed = coupon_core::Registry::installed();
    assert!(installed.contains(&"coufun"), "{installed:?}");
    let status = adapter.status(&CouponRef::barcode("CF10000456", "912605339562")).await.unwrap();
    assert!(matches!(status, CouponStatus::Cancelled { at: Some(_) }));
    assert_eq!(sandbox.config_toml().matches("poc_id = \"").count(), 1);
    assert!(sandbox.config_toml().contains(COUFUN_POC_ID));
}

#[tokio::test]
async fn check_reads_the_state_with_the_last_day_of_an_unused_a_used_and_a_partly_used_coupon() {
    let (sandbox, adapter) = start().await;
    let fixtures = sandbox.admin().fixtures().await.expect("fixtures")["coufun"].clone();
    let last_day = |barcode: &str| {
        let coupon = fixtures["coupons"].as_array().unwrap().iter().find(|c| c["barcode_num"] == barcode).unwrap();
        let orders = coupon["orders"].as_array().unwrap();
        let current = orders.iter().max_by_key(|o| o["order_date"].as_str().unwrap().to_string()).unwrap();
        parse_compact_date(current["valid_end_date"].as_str().unwrap())
    };
    let check = |goods: &'static str, barcode: &'static str| {
        let adapter = adapter.clone();
        async move {
            let coupon = CouponRef::barcode(goods, barcode);
            let found = adapter.check(&coupon).await.unwrap();
            assert_eq!(found.status, adapter.status(&coupon).await.unwrap(), "check and status agree");
            assert!(
                found.delivery.is_none() && found.order.is_none() && found.pin.is_none(),
                "none in COUFUN's answer"
            );
            found
        }
    };
    let unused = check("CF10000123", "912605117340").await;
    assert_eq!((unused.status, unused.valid_until), (CouponStatus::Unused, last_day("912605117340")));
    sandbox.admin().redeem("coufun", "912605117340", None).await.unwrap();
    let used = check("CF10000123", "912605117340").await;
    assert!(matches!(used.status, CouponStatus::Used { at: Some(_), .. }), "{used:?}");
    assert_eq!(used.valid_until, last_day("912605117340"));

    let partly = check("CF20001000", "ABC1234567890").await;
    assert!(matches!(partly.status, CouponStatus::PartlyUsed { remaining: Won(2_500), .. }), "{partly:?}");
    assert_eq!(partly.valid_until, last_day("ABC1234567890"));
    let cancelled = check("CF10000456", "912605339562").await;
    assert!(matches!(cancelled.status, CouponStatus::Cancelled { at: Some(_) }), "{cancelled:?}");
}
