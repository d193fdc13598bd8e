//! `reconcile` against the sandbox: Giftletter settles a doubt by re-sending the
//! same `SendEPin` with the same `co_tid`, which can never make a second coupon.

#![cfg(feature = "client")]

mod common;

use common::{SEND_EPIN, adapter, coupons, issue_request, start};
use coupon_core::time::now_kst;
use coupon_core::{Adapter, ErrorKind, PartnerRef, Reconciliation};
use coupon_sandbox::{FaultKind, FaultSpec};

#[tokio::test]
async fn reconcile_after_an_unknown_outcome_finds_the_coupon_issued_once() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    assert!(adapter.capabilities().reconcile);
    // Both the first send and its re-send issue-then-drop: the call cannot know.
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Drop).times(2)).await.unwrap();
    let request = issue_request("0000000582").partner_ref(PartnerRef::new("RECON-1"));
    let since = now_kst();
    let e = adapter.issue(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);

    let Reconciliation::Issued(issued) = adapter.reconcile(&request, since).await.unwrap() else { panic!() };
    assert_eq!(issued.partner_ref.as_str(), "RECON-1");
    assert_eq!((issued.order.as_ref(), issued.pin.as_ref()), (None, None));
    assert!(issued.details_unknown.as_deref().unwrap().contains("P101"), "{issued:?}");
    assert_eq!(sandbox.request_count(SEND_EPIN), 3, "two sends by issue, one by reconcile");
    let all = coupons(&sandbox).await;
    assert_eq!((all.len(), all[0]["co_tid"].as_str()), (1, Some("RECON-1")), "exactly one coupon");
}

#[tokio::test]
async fn reconcile_of_a_request_never_sent_issues_it_now() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let request = issue_request("0000000582").partner_ref(PartnerRef::new("RECON-2"));
    let Reconciliation::Issued(issued) = adapter.reconcile(&request, now_kst()).await.unwrap() else { panic!() };
    assert!(issued.details_known());
    let all = coupons(&sandbox).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["order_id"], issued.order.as_ref().unwrap().as_str());
    assert_eq!(all[0]["epin"], issued.pin.as_ref().unwrap().expose());

    // Reconciling it again finds it, and still issues nothing more.
    let Reconciliation::Issued(again) = adapter.reconcile(&request, now_kst()).await.unwrap() else { panic!() };
    assert!(again.order.is_none() && again.details_unknown.is_some());
    assert_eq!(coupons(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn a_definite_refusal_while_reconciling_is_that_error_and_a_new_doubt_is_outcome_unknown() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let refused = issue_request("9999999999").partner_ref(PartnerRef::new("RECON-3"));
    let e = adapter.reconcile(&refused, now_kst()).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "A101"));
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("RECON-3"));

    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Drop).times(2)).await.unwrap();
    let request = issue_request("0000000582").partner_ref(PartnerRef::new("RECON-4"));
    let e = adapter.reconcile(&request, now_kst()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(coupons(&sandbox).await.len(), 1, "never a second coupon");
}

#[tokio::test]
async fn a_first_attempt_duplicate_is_duplicate_reference_and_issues_nothing() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let request = issue_request("0000000582").partner_ref(PartnerRef::new("DUP-1"));
    adapter.issue(&request).await.unwrap();
    let e = adapter.issue(&request).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::DuplicateReference, "P101"));
    assert!(e.message().contains("this call issued nothing"), "{e}");
    assert_eq!(sandbox.request_count(SEND_EPIN), 2);
    assert_eq!(coupons(&sandbox).await.len(), 1);
}
