//! `check` against the sandbox: `StatusSendEPin` says the state and nothing more (no
//! last day, no delivery), so `check` is `status`; Giftletter cannot look a coupon up
//! by `co_tid`; and a repeated cancel is harmless, as `cancel_repeatable` says.

#![cfg(feature = "client")]

mod common;

use common::{adapter, issue_request, start};
use coupon_core::{Adapter, CouponCheck, CouponRef, CouponStatus, ErrorKind, Issued};
use coupon_sandbox::{RedeemRequest, RunningSandbox};
use serde_json::Value;

async fn issued(sandbox: &RunningSandbox) -> Issued {
    adapter(sandbox).issue(&issue_request("0000000582")).await.unwrap()
}

/// `check` of the coupon, asserted to agree with `status` and to carry nothing else.
async fn check(sandbox: &RunningSandbox, coupon: &Issued) -> CouponCheck {
    let adapter = adapter(sandbox);
    let by_order = CouponRef::Order(coupon.order.clone().unwrap());
    let found = adapter.check(&by_order).await.unwrap();
    assert_eq!(found.status, adapter.status(&by_order).await.unwrap(), "check and status agree");
    assert_eq!(found, CouponCheck::new(found.status.clone()), "the answer carries the state only");
    found
}

/// The emulator's record of the coupon (admin route).
async fn record(sandbox: &RunningSandbox, coupon: &Issued) -> Value {
    let order = coupon.order.as_ref().unwrap().as_str();
    common::coupons(sandbox).await.into_iter().find(|c| c["order_id"] == order).expect("the emulator's record")
}

#[tokio::test]
async fn check_reads_an_unused_a_used_and_a_cancelled_coupon() {
    let sandbox = start().await;
    let unused = issued(&sandbox).await;
    assert_eq!(check(&sandbox, &unused).await.status, CouponStatus::Unused);

    let used = issued(&sandbox).await;
    let pin = used.pin.as_ref().unwrap().expose();
    let req = RedeemRequest::new("giftletter", pin).branch("금정이마트").at("2026-03-01 12:30:00");
    sandbox.admin().redeem_with(&req).await.unwrap();
    match check(&sandbox, &used).await.status {
        CouponStatus::Used { at, place } => {
            assert_eq!(at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-03-01T12:30:00+09:00"));
            assert_eq!(place.as_deref(), Some("금정이마트"));
        }
        other => panic!("{other:?}"),
    }

    let cancelled = issued(&sandbox).await;
    adapter(&sandbox).cancel(cancelled.order.as_ref().unwrap()).await.unwrap();
    assert_eq!(check(&sandbox, &cancelled).await.status, CouponStatus::Cancelled { at: None });
}

#[tokio::test]
async fn a_coupon_cannot_be_looked_up_by_its_co_tid() {
    let sandbox = start().await;
    let request = issue_request("0000000582");
    adapter(&sandbox).issue(&request).await.unwrap();
    assert_eq!(adapter(&sandbox).coupon_of_partner_ref(&request.partner_ref), None);
}

#[tokio::test]
async fn a_repeated_cancel_is_refused_e304_and_cancels_nothing_again_as_the_capabilities_say() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    assert!(adapter.capabilities().cancel_repeatable);
    let coupon = issued(&sandbox).await;
    let order = coupon.order.clone().unwrap();
    adapter.cancel(&order).await.unwrap();
    let first = record(&sandbox, &coupon).await;
    assert_eq!(first["state"], "cancelled");
    for _ in 0..2 {
        let e = adapter.cancel(&order).await.unwrap_err();
        assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyCancelled, "E304"), "{e}");
        assert_eq!(record(&sandbox, &coupon).await, first, "the coupon's record is untouched by a repeat");
    }
    assert_eq!(sandbox.request_count("/giftletter/CancelSendEPin"), 3, "each cancel sent once, never retried");
}
