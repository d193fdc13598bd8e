//! What the further public integrations show ("More evidence" in the reading),
//! against the sandbox over HTTP: dates in ISO form, the v1.04 result codes with
//! the earlier reading's codes as a variant, and the rules that keep a doubt a
//! doubt: only `ERR0204`/`ERR0212` prove that no coupon exists, and a refusal
//! saying the vendor failed midway is settled by the coupon detail, never by a
//! second send.

#![cfg(feature = "client")]

mod common;

use common::{COUPONS, SEND, adapter, bizmoney, client, issue_request, issued, post, sample_goods, set_variant, start};
use coupon_core::chrono::Timelike;
use coupon_core::{Adapter, CouponRef, CouponStatus, ErrorKind, OrderRef, ProductQuery, Reconciliation};
use coupon_sandbox::{FaultKind, FaultSpec, RunningSandbox};
use serde_json::json;

const CANCEL: &str = "/giftishow/bizApi/cancel";

/// A vendor answer in place of the emulator's own, the handler having run.
fn answer(code: &str, message: &str) -> FaultKind {
    let body = json!({"code": code, "message": message, "result": null}).to_string();
    FaultKind::Replace { status: 200, content_type: "application/json".into(), body }
}

/// A send's answer refused in the inner envelope, as the vendor nests it.
fn send_refused(code: &str) -> FaultKind {
    let body =
        json!({"code": "0000", "message": null, "result": {"code": code, "message": "쿠폰 발송 오류", "result": null}});
    FaultKind::Replace { status: 200, content_type: "application/json".into(), body: body.to_string() }
}

async fn redeem(sandbox: &RunningSandbox, tr_id: &str) {
    let pin = issued(sandbox).await.into_iter().find(|i| i["partner_ref"] == tr_id).unwrap()["pin"]
        .as_str()
        .unwrap()
        .to_owned();
    post(sandbox, "/_sandbox/redeem", json!({"vendor": "giftishow", "id": pin, "branch": "강남점"})).await;
}

#[tokio::test]
async fn iso_dates_read_as_the_same_days_and_moments_as_the_compact_ones() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let client = client(&sandbox);
    adapter.issue(&issue_request(&goods, "CPISO")).await.unwrap();
    redeem(&sandbox, "CPISO").await;
    let compact = (client.coupons("CPISO").await.unwrap(), client.goods(1, 50).await.unwrap());
    let compact_detail = client.goods_detail(&goods).await.unwrap();
    let compact_status = adapter.status(&CouponRef::order("CPISO")).await.unwrap();

    set_variant(&sandbox, json!({"dates": "iso"})).await;
    let iso = (client.coupons("CPISO").await.unwrap(), client.goods(1, 50).await.unwrap());
    let c = &iso.0[0];
    assert!(c.valid_until.is_some() && c.changed_at.is_some(), "{c:?}");
    // The ISO form carries milliseconds, the compact one whole seconds.
    let to_the_second = |t: Option<coupon_core::time::KstDateTime>| t.and_then(|t| t.with_nanosecond(0));
    assert_eq!(c.valid_until, compact.0[0].valid_until);
    assert_eq!(to_the_second(c.changed_at), compact.0[0].changed_at);
    let days = |page: &adapter_giftishow::wire::replies::ListPage<adapter_giftishow::wire::replies::Goods>| {
        page.items.iter().map(|g| (g.goods_code.clone(), g.end_date)).collect::<Vec<_>>()
    };
    assert!(days(&iso.1).iter().all(|(_, d)| d.is_some()));
    assert_eq!(days(&iso.1), days(&compact.1), "every goods' endDate is the same KST day");
    assert_eq!(client.goods_detail(&goods).await.unwrap().end_date, compact_detail.end_date);
    match (adapter.status(&CouponRef::order("CPISO")).await.unwrap(), &compact_status) {
        (CouponStatus::Used { at, .. }, CouponStatus::Used { at: compact_at, .. }) => {
            assert!(compact_at.is_some());
            assert_eq!(to_the_second(at), *compact_at, "used at the same moment, in KST");
        }
        other => panic!("{other:?}"),
    }
    let products = adapter.products(&ProductQuery::new()).await.unwrap();
    assert!(products.items.iter().all(|p| p.sale_until.is_some()), "{products:?}");
}

#[tokio::test]
async fn goods_carry_the_supplier_fields_and_the_detail_its_type_and_category() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let client = client(&sandbox);
    let page = client.goods(1, 50).await.unwrap();
    for g in &page.items {
        assert!(g.goods_com_id.is_some() && g.goods_com_name.is_some() && g.affiliate_id.is_some(), "{g:?}");
        assert!(g.content_add_desc.is_some() && g.category1_seq.is_some(), "{g:?}");
    }
    let detail = client.goods_detail(&goods).await.unwrap();
    assert!(detail.goods_type_code.is_some(), "{detail:?}");
    assert!(detail.category1_seq.is_some(), "categorySeq1 in the detail: {detail:?}");
    assert!(detail.tier_prices.gold.is_some());
}

#[tokio::test]
async fn wrong_credentials_are_unauthenticated_in_the_codes_of_either_reading() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let with = |key: &'static str, value: &'static str| {
        adapter_giftishow::GiftishowAdapter::new(common::client_with(&sandbox, &[(key, value)]))
    };
    for (key, value, code) in [("auth_token", "d3Jvbmc=", "E0009"), ("auth_code", "REALwrong", "E0008")] {
        let wrong = with(key, value);
        let e = wrong.issue(&issue_request(&goods, "CPAUTH")).await.unwrap_err();
        assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unauthenticated, code), "{e}");
        assert!(!e.is_retryable() && !format!("{e} {e:?} {wrong:?}").contains(value), "{e:?}");
        let e = wrong.reconcile(&issue_request(&goods, "CPAUTH"), coupon_core::time::now_kst()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unauthenticated, "a lookup that cannot be made is no answer: {e}");
    }
    set_variant(&sandbox, json!({"codes": "legacy"})).await;
    let e = with("auth_token", "d3Jvbmc=").issue(&issue_request(&goods, "CPAUTH")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unauthenticated, "E0006"));
    assert!(issued(&sandbox).await.is_empty());
}

#[tokio::test]
async fn a_send_refused_midway_with_no_coupon_behind_it_is_a_refusal_that_names_the_refund() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    post(&sandbox, "/_sandbox/giftishow/send-failures", json!({"count": 1})).await;
    let request = issue_request(&goods, "CPERR0999");
    let e = adapter.issue(&request).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "ERR0999"), "{e}");
    assert!(e.message().contains("ERR0204") && e.message().contains("0205"), "nothing issued, and the refund: {e}");
    assert_eq!(e.partner_ref().map(|r| r.as_str()), Some("CPERR0999"));
    assert_eq!((sandbox.request_count(SEND), sandbox.request_count(COUPONS)), (1, 1), "looked up, never re-sent");
    assert!(bizmoney(&sandbox).await < before, "charged without a PIN");
    let settled = adapter.reconcile(&request, coupon_core::time::now_kst()).await.unwrap();
    assert_eq!(settled, Reconciliation::NotIssued);
    client(&sandbox).send_fail_cancel("CPERR0999").await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before);
}

#[tokio::test]
async fn a_send_refused_midway_whose_coupon_exists_is_issued_never_failed() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    for (code, tr_id) in [("ERR0999", "CPMID1"), ("ERR0208", "CPMID2"), ("E9999", "CPMID3")] {
        sandbox.admin().inject(FaultSpec::new(SEND, send_refused(code))).await.unwrap();
        let sends = sandbox.request_count(SEND);
        let issued_now = adapter.issue(&issue_request(&goods, tr_id)).await.unwrap();
        assert!(issued_now.details_known(), "{code}: found by the coupon detail");
        assert_eq!(sandbox.request_count(SEND) - sends, 1, "{code}: never sent again");
    }
    assert_eq!(issued(&sandbox).await.len(), 3);

    // The refusal stands only on the vendor's proof; any other answer of the
    // lookup leaves a doubt carrying the tr_id.
    sandbox.admin().inject(FaultSpec::new(SEND, send_refused("ERR0999"))).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(COUPONS, FaultKind::Status { status: 503 }).times(10)).await.unwrap();
    let e = adapter.issue(&issue_request(&goods, "CPMID4")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::OutcomeUnknown, "ERR0999"), "{e}");
    assert_eq!(e.partner_ref().map(|r| r.as_str()), Some("CPMID4"));
    assert!(issued(&sandbox).await.iter().any(|i| i["partner_ref"] == "CPMID4"), "it had issued");
}

#[tokio::test]
async fn only_err0204_and_err0212_prove_that_no_coupon_exists() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let request = issue_request(&goods, "CPPROOF");
    let since = coupon_core::time::now_kst();
    for code in ["ERR0204", "ERR0212"] {
        sandbox.admin().inject(FaultSpec::new(COUPONS, answer(code, "없음"))).await.unwrap();
        assert_eq!(adapter.reconcile(&request, since).await.unwrap(), Reconciliation::NotIssued, "{code}");
    }
    for code in ["ERR0208", "ERR0999", "ERR0213", "ERR0401", "ERR0005", "ERR7777"] {
        sandbox.admin().inject(FaultSpec::new(COUPONS, answer(code, "오류")).times(5)).await.unwrap();
        match adapter.reconcile(&request, since).await.unwrap() {
            Reconciliation::StillUnknown(why) => assert!(why.contains(code) && why.contains("CPPROOF"), "{why}"),
            other => panic!("{code} proves nothing, yet: {other:?}"),
        }
        sandbox.admin().clear_faults().await.unwrap();
    }
    // The send's own settling reads the same proofs: ERR0999 on the lookup is no
    // licence to send again.
    sandbox.admin().inject(FaultSpec::new(SEND, FaultKind::Drop)).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(COUPONS, answer("ERR0999", "오류"))).await.unwrap();
    let e = adapter.issue(&request).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(sandbox.request_count(SEND), 1, "never re-sent on a code that proves nothing");
    assert_eq!(adapter.reconcile(&request, since).await.unwrap().as_str(), "issued");
}

#[tokio::test]
async fn a_second_cancel_is_err0808_and_the_earlier_readings_err0208_is_checked_against_the_state() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    let order = adapter.issue(&issue_request(&goods, "CPCANCEL808")).await.unwrap().order.unwrap();
    adapter.cancel(&order).await.unwrap();
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyCancelled, "ERR0808"), "{e}");
    assert_eq!(bizmoney(&sandbox).await, before, "refunded once");

    set_variant(&sandbox, json!({"codes": "legacy"})).await;
    let lookups = sandbox.request_count(COUPONS);
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyCancelled, "ERR0208"), "{e}");
    assert_eq!(sandbox.request_count(COUPONS) - lookups, 1, "ERR0208 alone is no proof: the state was read");

    // A cancel whose answer is lost is re-sent once; the earlier reading's ERR0208
    // on the re-send, with the coupon cancelled, means this call cancelled it.
    let order = adapter.issue(&issue_request(&goods, "CPCANCEL208")).await.unwrap().order.unwrap();
    let spent = bizmoney(&sandbox).await;
    let cancels = sandbox.request_count(CANCEL);
    sandbox.admin().inject(FaultSpec::new(CANCEL, FaultKind::Drop)).await.unwrap();
    adapter.cancel(&order).await.unwrap();
    assert_eq!(sandbox.request_count(CANCEL) - cancels, 2, "sent, then re-sent once");
    assert!(bizmoney(&sandbox).await > spent, "refunded");
    assert_eq!(bizmoney(&sandbox).await, before, "exactly once");
}

#[tokio::test]
async fn a_cancel_refused_midway_is_read_from_the_coupons_state() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let before = bizmoney(&sandbox).await;
    // The vendor cancels, then answers a failure: the coupon is cancelled, so this call did it.
    let order = adapter.issue(&issue_request(&goods, "CPCMID1")).await.unwrap().order.unwrap();
    sandbox.admin().inject(FaultSpec::new(CANCEL, answer("ERR0999", "오류"))).await.unwrap();
    adapter.cancel(&order).await.unwrap();
    assert_eq!(bizmoney(&sandbox).await, before);

    // A used coupon the vendor refuses with a code that proves nothing: the state says it
    // stands, and why (used), with the vendor's code kept.
    let order = adapter.issue(&issue_request(&goods, "CPCMID2")).await.unwrap().order.unwrap();
    redeem(&sandbox, "CPCMID2").await;
    sandbox.admin().inject(FaultSpec::new(CANCEL, answer("ERR0208", "상품 주문 오류"))).await.unwrap();
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::AlreadyUsed, "ERR0208"), "{e}");
    assert!(e.message().contains("shows it used"), "{e}");

    // And when the state cannot be read after a refusal that may have acted, it is a doubt.
    let order = adapter.issue(&issue_request(&goods, "CPCMID3")).await.unwrap().order.unwrap();
    sandbox.admin().inject(FaultSpec::new(CANCEL, answer("ERR0999", "오류"))).await.unwrap();
    sandbox.admin().inject(FaultSpec::new(COUPONS, FaultKind::Status { status: 503 }).times(10)).await.unwrap();
    let e = adapter.cancel(&order).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(e.partner_ref().map(|r| r.as_str()), Some("CPCMID3"));
    sandbox.admin().clear_faults().await.unwrap();
    let cancelled = adapter.status(&CouponRef::Order(OrderRef::new("CPCMID3"))).await.unwrap();
    assert!(matches!(cancelled, CouponStatus::Cancelled { .. }), "the doubt settles by status: {cancelled:?}");
}
