//! What happens to a sent coupon, against the sandbox: status through the PIN
//! status table, cancel (refunded once), resend, stored-value balance, and the
//! send-failure refund.

#![cfg(feature = "client")]

mod common;

use common::{adapter, bizmoney, client, issue_request, issued, post, sample_goods, start};
use coupon_core::{Adapter, CouponRef, CouponStatus, ErrorKind, OrderRef};
use serde_json::json;

async fn redeem(sandbox: &coupon_sandbox::RunningSandbox, tr_id: &str, amount: Option<u64>) {
    let pin = issued(sandbox).await.into_iter().find(|i| i["partner_ref"] == tr_id).unwrap()["pin"]
        .as_str()
        .expect("the emulator lists the PIN")
        .to_owned();
    let mut body = json!({"vendor": "giftishow", "id": pin, "branch": "강남점"});
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    post(sandbox, "/_sandbox/redeem", body).await;
}

#[tokio::test]
async fn status_follows_the_coupon_from_issued_to_used() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let issued_now = adapter.issue(&issue_request(&goods, "CPSTATUS")).await.unwrap();
    let coupon = CouponRef::Order(issued_now.order.clone().unwrap());
    assert_eq!(adapter.status(&coupon).await.unwrap(), CouponStatus::Unused);
    redeem(&sandbox, "CPSTATUS", None).await;
    match adapter.status(&coupon).await.unwrap() {
        CouponStatus::Used { at, .. } => assert!(at.is_some(), "correcDtm is when it was used"),
        other => panic!("{other:?}"),
    }
    let detail = client(&sandbox).coupons("CPSTATUS").await.unwrap();
    assert_eq!(detail[0].pin_status.as_deref(), Some("02"));
    assert!(!format!("{detail:?}").contains("01012345678"), "the recipient is masked in Debug");
}

#[tokio::test]
async fn cancel_refunds_once_and_a_second_cancel_is_already_cancelled() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    let issued_now = adapter.issue(&issue_request(&goods, "CPCANCEL")).await.unwrap();
    let order = issued_now.order.clone().unwrap();
    adapter.cancel(&order).await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before, "refunded");
    assert!(matches!(adapter.status(&CouponRef::Order(order.clone())).await.unwrap(), CouponStatus::Cancelled { .. }));
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyCancelled, "{e}");
    assert_eq!(bizmoney(&sandbox).await, before, "refunded once");
    let e = adapter.cancel(&OrderRef::new("CPNOSUCH")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "ERR0212"));
}

#[tokio::test]
async fn a_cancel_whose_answer_is_lost_is_resent_and_already_cancelled_means_done() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    let order = adapter.issue(&issue_request(&goods, "CPCANCEL2")).await.unwrap().order.unwrap();
    let fault = coupon_sandbox::FaultSpec::new("/giftishow/bizApi/cancel", coupon_sandbox::FaultKind::Drop);
    sandbox.admin().inject(fault).await.unwrap();
    adapter.cancel(&order).await.unwrap();
    assert_eq!(sandbox.request_count("/giftishow/bizApi/cancel"), 2);
    assert_eq!(bizmoney(&sandbox).await, before, "refunded exactly once");
}

#[tokio::test]
async fn resend_goes_by_mms_or_sms_and_an_unknown_tr_id_is_not_found() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let order = adapter.issue(&issue_request(&goods, "CPRESEND")).await.unwrap().order.unwrap();
    adapter.resend(&order).await.unwrap();
    client(&sandbox).resend("CPRESEND", true).await.unwrap();
    assert_eq!(sandbox.request_count("/giftishow/bizApi/resend"), 2);
    let e = adapter.resend(&OrderRef::new("CPNOSUCH")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
}

#[tokio::test]
async fn status_and_balance_take_the_tr_id_as_order_not_a_barcode() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let e = adapter.status(&CouponRef::barcode("G1", "1234")).await.unwrap_err();
    assert_eq!(e.field(), Some("coupon"));
    let e = adapter.status(&CouponRef::order("CPNOSUCH")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "ERR0204"));
    assert_eq!(sandbox.request_count(common::COUPONS), 1);
}

#[tokio::test]
async fn balance_is_what_a_stored_value_coupon_has_left() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let goods = common::fixture_goods(&sandbox).await;
    let stored_value = goods
        .iter()
        .find(|g| g.get("remainAmt").is_some() || g["goodsTypeNm"].as_str().is_some_and(|t| t.contains("금액")))
        .expect("a stored-value goods in the fixtures");
    let code = stored_value["goodsCode"].as_str().unwrap();
    let order = adapter.issue(&issue_request(code, "CPVALUE")).await.unwrap().order.unwrap();
    let full = adapter.balance(&CouponRef::Order(order.clone())).await.unwrap();
    assert_eq!(full.remaining, full.total);
    redeem(&sandbox, "CPVALUE", Some(1000)).await;
    let after = adapter.balance(&CouponRef::Order(order)).await.unwrap();
    assert_eq!(after.remaining.0 + 1000, full.remaining.0);

    let sample = sample_goods(&sandbox).await;
    let plain = adapter.issue(&issue_request(&sample, "CPPLAIN")).await.unwrap().order.unwrap();
    let e = adapter.balance(&CouponRef::Order(plain)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
}

#[tokio::test]
async fn a_send_charged_without_a_pin_is_refunded_by_send_fail_cancel() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    post(&sandbox, "/_sandbox/giftishow/send-failures", json!({"count": 1})).await;
    let e = adapter.issue(&issue_request(&goods, "CPFAIL")).await.unwrap_err();
    assert!(e.vendor_code().is_some(), "a refusal with the vendor's code: {e}");
    assert!(bizmoney(&sandbox).await < before, "charged without a PIN");
    client(&sandbox).send_fail_cancel("CPFAIL").await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before, "refunded");
    let e = client(&sandbox).send_fail_cancel("CPFAIL").await.unwrap_err();
    assert!(e.vendor_code().is_some(), "a second refund is refused: {e}");
    assert_eq!(bizmoney(&sandbox).await, before);
    // The tr_id was never consumed: the same send may go now.
    adapter.issue(&issue_request(&goods, "CPFAIL")).await.unwrap();
}

#[tokio::test]
async fn bizmoney_is_the_accounts_balance_in_either_place_of_the_answer() {
    let sandbox = start().await;
    common::set_bizmoney(&sandbox, 123_456).await;
    assert_eq!(client(&sandbox).bizmoney().await.unwrap().0, 123_456);
    common::set_variant(&sandbox, json!({"top_level": true})).await;
    assert_eq!(client(&sandbox).bizmoney().await.unwrap().0, 123_456);
    // And the coupon detail at the top level too.
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let order = adapter.issue(&issue_request(&goods, "CPTOP")).await.unwrap().order.unwrap();
    assert_eq!(adapter.status(&CouponRef::Order(order)).await.unwrap(), CouponStatus::Unused);
}

#[tokio::test]
async fn a_coupon_past_its_validity_reads_expired() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let order = adapter.issue(&issue_request(&goods, "CPEXPIRE")).await.unwrap().order.unwrap();
    post(&sandbox, "/_sandbox/giftishow/expire", json!({"tr_id": "CPEXPIRE"})).await;
    assert_eq!(adapter.status(&CouponRef::Order(order)).await.unwrap(), CouponStatus::Expired);
}

#[tokio::test]
async fn a_cancel_or_resend_whose_outcome_is_unknown_carries_the_tr_id() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let order = adapter.issue(&issue_request(&goods, "CPDOUBT")).await.unwrap().order.unwrap();
    for (path, times) in [("/giftishow/bizApi/cancel", 2), ("/giftishow/bizApi/resend", 1)] {
        let fault = coupon_sandbox::FaultSpec::new(path, coupon_sandbox::FaultKind::Drop).times(times);
        sandbox.admin().inject(fault).await.unwrap();
    }
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!((e.kind(), e.partner_ref().map(|r| r.as_str())), (ErrorKind::OutcomeUnknown, Some("CPDOUBT")), "{e}");
    let e = adapter.resend(&order).await.unwrap_err();
    assert_eq!((e.kind(), e.partner_ref().map(|r| r.as_str())), (ErrorKind::OutcomeUnknown, Some("CPDOUBT")), "{e}");
    assert_eq!(sandbox.request_count("/giftishow/bizApi/resend"), 1, "a resend in doubt is not repeated");
}

#[tokio::test]
async fn a_tr_id_longer_than_the_default_limit_is_still_looked_up_up_to_the_longest_configurable() {
    // A coupon sent under `tr_id_limit = 50` must stay reachable by its tr_id.
    let sandbox = start().await;
    let client = client(&sandbox);
    let long = "CP".repeat(15);
    let e = client.coupons(&long).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "asked of the vendor, not refused here: {e}");
    assert_eq!(sandbox.request_count("/giftishow/bizApi/coupons"), 1);
    let e = client.cancel(&"C".repeat(51)).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("tr_id")), "{e}");
    assert_eq!(sandbox.request_count("/giftishow/bizApi/cancel"), 0);
}
