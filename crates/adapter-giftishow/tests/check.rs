//! `check` against the sandbox: a coupon's state with its last day of validity, its
//! order (the `tr_id`) and PIN, found by the partner reference; and what a cancel of
//! a coupon that cannot be cancelled answers.

#![cfg(feature = "client")]

mod common;

use common::{adapter, bizmoney, issue_request, issued, post, redeem, sample_goods, start, stored_value_goods};
use coupon_core::chrono::NaiveDate;
use coupon_core::time::today_kst;
use coupon_core::{Adapter, CouponCheck, CouponRef, CouponStatus, ErrorKind, OrderRef, PartnerRef, Won};
use coupon_sandbox::RunningSandbox;
use serde_json::json;

async fn check(sandbox: &RunningSandbox, tr_id: &str) -> CouponCheck {
    let adapter = adapter(sandbox);
    let coupon = CouponRef::order(tr_id);
    let found = adapter.check(&coupon).await.unwrap();
    assert_eq!(adapter.status(&coupon).await.unwrap(), found.status, "check and status agree on the state");
    found
}

async fn pin_of(sandbox: &RunningSandbox, tr_id: &str) -> String {
    let item = issued(sandbox).await.into_iter().find(|i| i["partner_ref"] == tr_id).unwrap();
    item["pin"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn check_reads_an_unused_coupon_with_its_last_day_its_tr_id_as_order_and_its_pin() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    adapter(&sandbox).issue(&issue_request(&goods, "CPCHK1")).await.unwrap();
    let found = check(&sandbox, "CPCHK1").await;
    assert_eq!(found.status, CouponStatus::Unused);
    let limit_day = common::fixture_goods(&sandbox)
        .await
        .into_iter()
        .find(|g| g["goodsCode"] == goods.as_str())
        .and_then(|g| g["limitDay"].as_u64().or_else(|| g["limitDay"].as_str()?.parse().ok()))
        .expect("the goods' limitDay");
    let expected = today_kst() + coupon_core::chrono::Days::new(limit_day);
    assert_eq!(found.valid_until, Some(expected), "validPrdEndDt: the send day plus limitDay");
    assert_eq!(found.order, Some(OrderRef::new("CPCHK1")), "the order is the tr_id, as `issue` names it");
    assert_eq!(found.pin.as_ref().map(|p| p.expose().to_owned()), Some(pin_of(&sandbox, "CPCHK1").await));
    assert_eq!(found.delivery, None, "the reading gives no meaning to sendStatusCd or sendRstCd");
    assert!(!format!("{found:?}").contains(&pin_of(&sandbox, "CPCHK1").await), "the PIN is masked in Debug");
}

#[tokio::test]
async fn check_reads_a_used_and_a_cancelled_coupon() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    adapter.issue(&issue_request(&goods, "CPCHKUSED")).await.unwrap();
    redeem(&sandbox, "CPCHKUSED", None).await;
    let used = check(&sandbox, "CPCHKUSED").await;
    assert!(matches!(used.status, CouponStatus::Used { at: Some(_), .. }), "{used:?}");
    assert!(used.valid_until.is_some());

    adapter.issue(&issue_request(&goods, "CPCHKGONE")).await.unwrap();
    adapter.cancel(&OrderRef::new("CPCHKGONE")).await.unwrap();
    let cancelled = check(&sandbox, "CPCHKGONE").await;
    assert!(matches!(cancelled.status, CouponStatus::Cancelled { at: Some(_) }), "{cancelled:?}");
    assert_eq!(cancelled.order, Some(OrderRef::new("CPCHKGONE")));
}

#[tokio::test]
async fn a_coupon_whose_send_answer_was_lost_is_found_by_its_partner_ref() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let request = issue_request(&goods, "CPCHKREF");
    adapter.issue(&request).await.unwrap();
    let coupon = adapter.coupon_of_partner_ref(&request.partner_ref).expect("Giftishow looks coupons up by tr_id");
    assert_eq!(coupon, CouponRef::order("CPCHKREF"));
    let found = adapter.check(&coupon).await.unwrap();
    assert_eq!((found.status, found.order), (CouponStatus::Unused, Some(OrderRef::new("CPCHKREF"))));
    assert!(found.pin.is_some(), "the PIN a row issued with details unknown never learnt");

    let unknown = adapter.coupon_of_partner_ref(&PartnerRef::new("CPNOSUCH")).unwrap();
    let e = adapter.check(&unknown).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "ERR0204"), "{e}");
}

#[tokio::test]
async fn a_stored_value_coupon_spent_in_part_is_partly_used_and_spent_whole_is_used() {
    let sandbox = start().await;
    let goods = stored_value_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    adapter.issue(&issue_request(&goods, "CPCHKVAL")).await.unwrap();
    assert_eq!(check(&sandbox, "CPCHKVAL").await.status, CouponStatus::Unused, "nothing spent yet");
    let full = adapter.balance(&CouponRef::order("CPCHKVAL")).await.unwrap();
    redeem(&sandbox, "CPCHKVAL", Some(1000)).await;
    match check(&sandbox, "CPCHKVAL").await.status {
        CouponStatus::PartlyUsed { remaining, at } => {
            assert_eq!(remaining, Won(full.remaining.0 - 1000));
            assert!(at.is_some(), "correcDtm: when it was last spent from");
        }
        other => panic!("{other:?}"),
    }
    redeem(&sandbox, "CPCHKVAL", Some(full.remaining.0 - 1000)).await;
    assert!(matches!(check(&sandbox, "CPCHKVAL").await.status, CouponStatus::Used { .. }));
}

#[tokio::test]
async fn an_expired_coupon_reads_expired_with_its_last_day() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    adapter(&sandbox).issue(&issue_request(&goods, "CPCHKOLD")).await.unwrap();
    let moved = post(&sandbox, "/_sandbox/giftishow/expire", json!({"tr_id": "CPCHKOLD"})).await;
    let day = NaiveDate::parse_from_str(moved["validPrdEndDt"].as_str().unwrap(), "%Y%m%d").unwrap();
    let found = check(&sandbox, "CPCHKOLD").await;
    assert_eq!((found.status, found.valid_until), (CouponStatus::Expired, Some(day)));
}

#[tokio::test]
async fn a_cancel_of_a_used_coupon_is_already_used_and_of_an_expired_one_rejected_both_refunding_nothing() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    adapter.issue(&issue_request(&goods, "CPNOUSED")).await.unwrap();
    redeem(&sandbox, "CPNOUSED", None).await;
    adapter.issue(&issue_request(&goods, "CPNOOLD")).await.unwrap();
    post(&sandbox, "/_sandbox/giftishow/expire", json!({"tr_id": "CPNOOLD"})).await;
    let value = stored_value_goods(&sandbox).await;
    adapter.issue(&issue_request(&value, "CPNOPART")).await.unwrap();
    redeem(&sandbox, "CPNOPART", Some(1000)).await;
    let before = bizmoney(&sandbox).await;

    // v1.04's one "쿠폰 취소 실패" code for all of these (the reading has no "used" or "expired"
    // code): kept verbatim, and the coupon's state says why.
    let e = adapter.cancel(&OrderRef::new("CPNOUSED")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyUsed, "ERR0805"), "{e}");
    let e = adapter.cancel(&OrderRef::new("CPNOPART")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyUsed, "ERR0805"), "{e}");
    assert!(e.message().contains("part of its value spent"), "{e}");
    let e = adapter.cancel(&OrderRef::new("CPNOOLD")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "ERR0805"), "{e}");
    assert!(e.message().contains("expired"), "{e}");
    assert!(e.vendor_message().is_some(), "the vendor's message is kept");
    assert_eq!(bizmoney(&sandbox).await, before, "nothing refunded");
}

#[tokio::test]
async fn a_repeated_cancel_is_harmless_as_the_capabilities_say() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    assert!(adapter.capabilities().cancel_repeatable);
    let before = bizmoney(&sandbox).await;
    adapter.issue(&issue_request(&goods, "CPTWICE")).await.unwrap();
    let charged = bizmoney(&sandbox).await;
    assert!(charged < before);
    adapter.cancel(&OrderRef::new("CPTWICE")).await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before, "refunded");
    for _ in 0..2 {
        let e = adapter.cancel(&OrderRef::new("CPTWICE")).await.unwrap_err();
        assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyCancelled, "ERR0808"), "{e}");
        assert_eq!(bizmoney(&sandbox).await, before, "a repeat refunds nothing");
    }
    let item = issued(&sandbox).await.into_iter().find(|i| i["partner_ref"] == "CPTWICE").unwrap();
    assert_eq!(item["cancelled"], true);
}
