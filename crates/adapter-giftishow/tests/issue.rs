//! Sending against the sandbox: success in every delivery mode, refusals, checks
//! before sending, and every doubtful path, which must never leave a second coupon
//! nor spend bizmoney twice.

#![cfg(feature = "client")]

mod common;

use adapter_giftishow::wire::requests::{Gubun, Send};
use adapter_giftishow::{GiftishowAdapter, Sent};
use common::{
    COUPONS, SEND, adapter, adapter_with, bizmoney, client, issue_request, issued, sample_goods, set_bizmoney, start,
};
use coupon_core::{Adapter, ErrorKind, PartnerRef, PhoneNumber};
use coupon_sandbox::{FaultKind, FaultSpec};
use serde_json::json;

#[tokio::test]
async fn a_send_issues_one_coupon_for_the_tr_id_and_spends_its_price() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let before = bizmoney(&sandbox).await;
    let issued_now = adapter(&sandbox).issue(&issue_request(&goods, "CPSEND0001")).await.unwrap();
    assert_eq!(issued_now.partner_ref.as_str(), "CPSEND0001");
    assert_eq!(issued_now.order.as_ref().map(|o| o.as_str()), Some("CPSEND0001"), "the order is the tr_id");
    assert!(issued_now.details_known());
    let all = issued(&sandbox).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["partner_ref"], "CPSEND0001");
    assert!(bizmoney(&sandbox).await < before, "the send was charged");
    assert_eq!(sandbox.request_count(SEND), 1);
    assert_eq!(sandbox.request_count(COUPONS), 0, "nothing is looked up after a clear answer");
}

#[tokio::test]
async fn the_pin_and_image_modes_return_the_pin_and_need_no_recipient() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    for (letter, tr_id) in [("Y", "CPMODEY"), ("I", "CPMODEI")] {
        let adapter = adapter_with(&sandbox, &[("gubun", letter)]);
        assert!(!adapter.capabilities().issue_delivers);
        let mut request = issue_request(&goods, tr_id);
        (request.recipient, request.title, request.message) = (None, None, None);
        let issued = adapter.issue(&request).await.unwrap();
        let pin = issued.pin.as_ref().expect("the PIN comes back");
        assert!(!format!("{issued:?}").contains(pin.expose()), "the PIN is masked in Debug");
    }
    let send = Send {
        goods_code: goods.clone(),
        tr_id: PartnerRef::new("CPNATIVEI"),
        phone_no: None,
        callback_no: PhoneNumber::parse("1588-0000").unwrap(),
        mms_title: None,
        mms_msg: None,
        gubun: Gubun::Image,
        order_no: Some("ORDER-7".into()),
        template_id: None,
        banner_id: None,
    };
    let Sent::Reply(reply) = client(&sandbox).send(&send).await.unwrap() else { panic!("a plain answer") };
    assert!(reply.order_no.is_some(), "{reply:?}");
    let image = reply.coupon_img_url.as_ref().expect("the barcode image comes back");
    let pin = reply.pin.as_ref().expect("and the PIN");
    assert!(image.expose().starts_with("http"));
    assert!(!format!("{reply:?}").contains(pin.expose()), "neither the PIN nor its image URL shows in Debug");
}

#[tokio::test]
async fn a_tr_id_used_before_is_a_duplicate_reference_and_charges_nothing() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    adapter.issue(&issue_request(&goods, "CPTWICE")).await.unwrap();
    let after_first = bizmoney(&sandbox).await;
    let e = adapter.issue(&issue_request(&goods, "CPTWICE")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::DuplicateReference, "ERR0215"));
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("CPTWICE"));
    assert!(e.message().contains("used before"), "{e}");
    assert_eq!(bizmoney(&sandbox).await, after_first);
    assert_eq!(issued(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn too_little_bizmoney_is_insufficient_funds_e0010() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    set_bizmoney(&sandbox, 10).await;
    let e = adapter(&sandbox).issue(&issue_request(&goods, "CPBROKE")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::InsufficientFunds, "E0010"));
    assert!(!e.is_retryable());
    assert!(issued(&sandbox).await.is_empty());
    assert_eq!(bizmoney(&sandbox).await, 10);
}

#[tokio::test]
async fn vendor_refusals_keep_their_code_and_say_nothing_personal() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let e = adapter.issue(&issue_request("G99999999999", "CPNOGOODS")).await.unwrap_err();
    assert!(e.vendor_code().is_some(), "{e}");
    assert!(e.partner_ref().is_some());

    let mut section = common::section_from_sandbox(&sandbox);
    section.set("auth_token", "d3Jvbmc=");
    let config = adapter_giftishow::GiftishowConfig::from_section(&section).unwrap();
    let wrong = GiftishowAdapter::new(adapter_giftishow::Giftishow::new(config).unwrap());
    let goods = sample_goods(&sandbox).await;
    let e = wrong.issue(&issue_request(&goods, "CPAUTH")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unauthenticated, "E0009"));
    assert!(!format!("{e} {e:?} {wrong:?}").contains("d3Jvbmc="));
    assert!(!format!("{e} {e:?} {wrong:?}").contains(coupon_sandbox::vendors::giftishow::credentials::AUTH_CODE));
    assert!(issued(&sandbox).await.is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let cases = [
        (issue_request(&goods, "CP1").title("가".repeat(11)), "title"),
        (issue_request(&goods, &"X".repeat(26)), "partner_ref"),
        (issue_request(&goods, "has space"), "partner_ref"),
        (issue_request(&goods, "CP2").recipient(PhoneNumber::parse("02-123-4567").unwrap()), "recipient"),
        (issue_request(&goods, "CP3").message("줄\u{0}"), "message"),
        (issue_request("", "CP4"), "product_id"),
        (issue_request("G0000 1", "CP5"), "product_id"),
        (issue_request(&goods, "CP6").memo("m"), "memo"),
    ];
    for (request, field) in cases {
        let e = adapter.issue(&request).await.unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{e}");
        assert!(e.partner_ref().is_some(), "{field}: the tr_id travels in every error");
    }
    assert_eq!(sandbox.request_count(SEND), 0);
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_the_coupon_detail_without_a_second_send() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let before = bizmoney(&sandbox).await;
    // The sandbox sends, then closes the connection without answering.
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::Drop)).await.unwrap();
    let issued_now = adapter(&sandbox).issue(&issue_request(&goods, "CPDROP1")).await.unwrap();
    assert!(issued_now.details_known(), "found by the coupon detail: {issued_now:?}");
    assert_eq!(issued_now.order.as_ref().map(|o| o.as_str()), Some("CPDROP1"));
    assert_eq!(sandbox.request_count(SEND), 1, "never sent again");
    assert_eq!(sandbox.request_count(COUPONS), 1, "looked up once");
    assert_eq!(issued(&sandbox).await.len(), 1);
    let spent_once = before - bizmoney(&sandbox).await;
    assert!(spent_once > 0);

    // The same, after a timeout: the vendor acted but its answer came too late.
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::HoldThenDrop { ms: 3_000 })).await.unwrap();
    let slow = adapter_with(&sandbox, &[("money_timeout_ms", "300")]);
    slow.issue(&issue_request(&goods, "CPDROP2")).await.unwrap();
    assert_eq!(issued(&sandbox).await.len(), 2);
    assert_eq!(before - bizmoney(&sandbox).await, 2 * spent_once, "each coupon paid once");
}

#[tokio::test]
async fn a_request_that_never_took_effect_is_sent_again_with_the_same_tr_id() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    for (fault, tr_id) in [
        (FaultKind::DropUnprocessed, "CPUNPROC"),
        (FaultKind::Status { status: 503 }, "CP503"),
        (FaultKind::Status { status: 502 }, "CP502"),
    ] {
        let sends = sandbox.request_count(SEND);
        sandbox.admin().inject(FaultSpec::new(SEND, fault.clone())).await.unwrap();
        let issued_now = adapter(&sandbox).issue(&issue_request(&goods, tr_id)).await.unwrap();
        assert!(issued_now.details_known(), "{fault:?}");
        assert_eq!(sandbox.request_count(SEND) - sends, 2, "{fault:?}: no coupon was found, so it went once more");
        let ours = issued(&sandbox).await.into_iter().filter(|i| i["partner_ref"] == tr_id).count();
        assert_eq!(ours, 1, "{fault:?}");
    }
}

#[tokio::test]
async fn a_send_landing_between_the_lookup_and_the_resend_is_the_first_attempts_coupon() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    // The first send issues but its answer is lost; the coupon detail lags behind
    // (answers "no such coupon" twice), so the re-send meets ERR0215.
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::Drop)).await.unwrap();
    let lagging = r#"{"code":"ERR0204","message":"쿠폰 정보가 없습니다.","result":null}"#;
    let replace = FaultKind::Replace { status: 200, content_type: "application/json".into(), body: lagging.into() };
    sandbox.admin().inject(FaultSpec::new(COUPONS, replace).times(2)).await.unwrap();
    let issued_now = adapter(&sandbox).issue(&issue_request(&goods, "CPLATE")).await.unwrap();
    assert!(!issued_now.details_known());
    let why = issued_now.details_unknown.as_deref().unwrap();
    assert!(why.contains("ERR0215") && why.contains("CPLATE"), "{why}");
    assert_eq!(sandbox.request_count(SEND), 2);
    assert_eq!(issued(&sandbox).await.len(), 1, "exactly one coupon");
}

#[tokio::test]
async fn a_doubt_the_lookup_cannot_settle_is_outcome_unknown_with_the_tr_id_and_reconcile_settles_it() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::Drop)).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(COUPONS, FaultKind::Status { status: 503 }).times(10)).await.unwrap();
    let adapter = adapter(&sandbox);
    let request = issue_request(&goods, "CPDOUBT");
    let e = adapter.issue(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("CPDOUBT"));
    assert_eq!(sandbox.request_count(SEND), 1, "never re-sent without the vendor's word");

    sandbox.admin().clear_faults().await.unwrap();
    let since = coupon_core::time::now_kst();
    match adapter.reconcile(&request, since).await.unwrap() {
        coupon_core::Reconciliation::Issued(i) => {
            assert_eq!(i.partner_ref.as_str(), "CPDOUBT");
            assert!(i.details_known());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sandbox.request_count(SEND), 1, "reconcile sends nothing");
}

#[tokio::test]
async fn reconcile_of_a_tr_id_never_sent_is_not_issued_and_the_send_may_go() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let request = issue_request(&goods, "CPNEVER");
    let answer = adapter.reconcile(&request, coupon_core::time::now_kst()).await.unwrap();
    assert_eq!(answer, coupon_core::Reconciliation::NotIssued);
    assert_eq!(sandbox.request_count(SEND), 0);
    adapter.issue(&request).await.unwrap();
    assert_eq!(issued(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn test_mode_sends_and_charges_nothing() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let before = bizmoney(&sandbox).await;
    let dev = adapter_with(&sandbox, &[("dev_mode", "true")]);
    dev.issue(&issue_request(&goods, "CPDEV1")).await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before);
    let all = issued(&sandbox).await;
    assert_eq!(all[0]["test"], json!(true), "{all:?}");
}

#[tokio::test]
async fn a_tr_id_that_names_a_coupon_of_other_goods_is_never_this_requests_coupon() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let other = common::fixture_goods(&sandbox)
        .await
        .into_iter()
        .filter_map(|g| g["goodsCode"].as_str().map(str::to_owned))
        .find(|code| *code != goods)
        .unwrap();
    let adapter = adapter(&sandbox);
    adapter.issue(&issue_request(&goods, "CPREUSED")).await.unwrap();
    // A later request reuses the tr_id for other goods, and its answer is lost: the
    // coupon the lookup finds is the earlier request's, not this one's.
    let reused = issue_request(&other, "CPREUSED");
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::Drop)).await.unwrap();
    let e = adapter.issue(&reused).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference, "{e}");
    assert!(e.message().contains(&goods), "{e}");
    let e = adapter.reconcile(&reused, coupon_core::time::now_kst()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference, "{e}");
    assert_eq!(issued(&sandbox).await.len(), 1);
}
