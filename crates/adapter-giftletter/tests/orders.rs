//! After the issue: cancel, status and SMS resend against the sandbox.

#![cfg(feature = "client")]

mod common;

use adapter_giftletter::wire::replies::EPinUse;
use adapter_giftletter::wire::requests::ReSendSms;
use common::{adapter, issue_request, start};
use coupon_core::{Adapter, CouponRef, CouponStatus, ErrorKind, Issued, OrderRef};
use coupon_sandbox::{FaultKind, FaultSpec, RedeemRequest, RunningSandbox};

async fn issued(sandbox: &RunningSandbox, goods: &str) -> Issued {
    adapter(sandbox).issue(&issue_request(goods)).await.unwrap()
}

async fn redeem(sandbox: &RunningSandbox, issued: &Issued, at: &str) {
    let pin = issued.pin.as_ref().unwrap().expose();
    let req = RedeemRequest::new("giftletter", pin).branch("금정이마트").at(at);
    sandbox.admin().redeem_with(&req).await.unwrap();
}

#[tokio::test]
async fn cancel_then_cancel_again_is_already_cancelled_e304() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let coupon = issued(&sandbox, "0000000582").await;
    adapter.cancel(coupon.order.as_ref().unwrap()).await.unwrap();
    let e = adapter.cancel(coupon.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyCancelled, "E304"));
    let status = adapter.status(&CouponRef::Order(coupon.order.clone().unwrap())).await.unwrap();
    assert_eq!(status, CouponStatus::Cancelled { at: None });
}

#[tokio::test]
async fn a_used_coupon_cannot_be_cancelled_e201() {
    let sandbox = start().await;
    let coupon = issued(&sandbox, "0000000582").await;
    redeem(&sandbox, &coupon, "2026-03-01 12:30:00").await;
    let e = adapter(&sandbox).cancel(coupon.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyUsed, "E201"));
}

#[tokio::test]
async fn an_unknown_order_is_not_found_with_both_codes_kept() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let e = adapter.cancel(&OrderRef::new("GL000000000000")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let code = e.vendor_code().unwrap();
    assert_eq!((code.raw(), code.primary(), code.codes()), ("E102:P002", "E102", vec!["E102", "P002"]));
    assert!(e.vendor_message().unwrap().contains("존재하지 않는 거래번호"));

    let e = adapter.status(&CouponRef::order("GL000000000000")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "E103 : P002"));

    let e = adapter.resend(&OrderRef::new("GL000000000000")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "P102"));
}

#[tokio::test]
async fn a_cancel_whose_answer_was_lost_is_resent_and_e304_means_it_worked() {
    let sandbox = start().await;
    let coupon = issued(&sandbox, "0000000582").await;
    sandbox.admin().inject(FaultSpec::new("/giftletter/CancelSendEPin", FaultKind::Drop)).await.unwrap();
    adapter(&sandbox).cancel(coupon.order.as_ref().unwrap()).await.unwrap();
    assert_eq!(sandbox.request_count("/giftletter/CancelSendEPin"), 2);
    assert_eq!(common::coupons(&sandbox).await[0]["state"], "cancelled");
}

#[tokio::test]
async fn status_reads_unused_then_used_with_time_and_branch() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let coupon = issued(&sandbox, "0000001104").await;
    let by_order = CouponRef::Order(coupon.order.clone().unwrap());
    assert_eq!(adapter.status(&by_order).await.unwrap(), CouponStatus::Unused);
    redeem(&sandbox, &coupon, "2026-03-01 12:30:00").await;
    match adapter.status(&by_order).await.unwrap() {
        CouponStatus::Used { at, place } => {
            assert_eq!(at.unwrap().to_rfc3339(), "2026-03-01T12:30:00+09:00");
            assert_eq!(place.as_deref(), Some("금정이마트"));
        }
        other => panic!("{other:?}"),
    }
    let native = adapter.client().status(coupon.order.as_ref().unwrap().as_str()).await.unwrap();
    assert_eq!(native.usage, EPinUse::Used);
    assert_eq!(native.use_date.as_deref(), Some("2026-03-01 12:30:00"));
}

#[tokio::test]
async fn goods_without_status_support_answer_p201() {
    let sandbox = start().await;
    let coupon = issued(&sandbox, "0000002207").await;
    let e = adapter(&sandbox).status(&CouponRef::Order(coupon.order.unwrap())).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unsupported, "P201"));
}

#[tokio::test]
async fn status_needs_an_order_id() {
    let sandbox = start().await;
    let e = adapter(&sandbox).status(&CouponRef::barcode("0000000582", "405868134802")).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("coupon")));
    assert!(!e.to_string().contains("405868134802"));
}

#[tokio::test]
async fn resend_works_three_times_then_p301() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let coupon = issued(&sandbox, "0000000582").await;
    adapter.resend(coupon.order.as_ref().unwrap()).await.unwrap();
    let mut with_msg = ReSendSms::new(coupon.order.as_ref().unwrap().as_str());
    with_msg.msg = Some("다시 보내드려요".into());
    with_msg.reserved = Some("r-2".into());
    assert_eq!(
        adapter.client().resend_sms(&with_msg).await.unwrap().as_deref(),
        Some("r-2"),
        "`reserved ` key trimmed"
    );
    adapter.resend(coupon.order.as_ref().unwrap()).await.unwrap();
    let e = adapter.resend(coupon.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::LimitExceeded, "P301"));
    assert_eq!(common::coupons(&sandbox).await[0]["resends"], 3);
}

#[tokio::test]
async fn a_resend_whose_answer_was_lost_is_outcome_unknown_and_never_repeated() {
    let sandbox = start().await;
    let coupon = issued(&sandbox, "0000000582").await;
    sandbox.admin().inject(FaultSpec::new("/giftletter/ReSendSMS", FaultKind::Drop)).await.unwrap();
    let e = adapter(&sandbox).resend(coupon.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(sandbox.request_count("/giftletter/ReSendSMS"), 1);
    assert_eq!(common::coupons(&sandbox).await[0]["resends"], 1, "it did take effect");
}

#[tokio::test]
async fn order_ids_are_checked_before_sending() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    for bad in ["", "GL00000000000000X", "GL 1"] {
        let e = adapter.cancel(&OrderRef::new(bad)).await.unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("order_id")), "{bad:?}");
    }
    assert_eq!(sandbox.request_count("/giftletter/CancelSendEPin"), 0);
}

#[tokio::test]
async fn a_status_answered_s001_is_read_again_and_a_cancel_is_not() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let coupon = issued(&sandbox, "0000000582").await;
    let busy = FaultKind::Replace {
        status: 200,
        content_type: "application/json".into(),
        body: r#"{"rstCode":"S001","rstMsg":"시스템 오류"}"#.into(),
    };
    let status_path = "/giftletter/StatusSendEPin";
    sandbox.admin().inject(FaultSpec::new(status_path, busy.clone()).times(2)).await.unwrap();
    let status = adapter.status(&CouponRef::Order(coupon.order.clone().unwrap())).await.unwrap();
    assert_eq!(status, CouponStatus::Unused);
    assert_eq!(sandbox.request_count(status_path), 3, "two busy answers, then the real one");

    let cancel_path = "/giftletter/CancelSendEPin";
    sandbox.admin().inject(FaultSpec::new(cancel_path, busy)).await.unwrap();
    let e = adapter.cancel(coupon.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!(e.vendor_code().unwrap().raw(), "S001");
    assert_eq!(sandbox.request_count(cancel_path), 1, "a money-moving call is never repeated for a busy code");
}
