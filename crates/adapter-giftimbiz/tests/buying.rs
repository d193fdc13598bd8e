//! Buying moves money and GiftiMbiz has no idempotency key: a buy is never sent
//! twice, a doubt is OutcomeUnknown, and the purchase history settles it. Also the
//! `Adapter` operations.

mod common;

use adapter_giftimbiz::{FACTORY, GiftimbizAdapter, Reconciliation};
use coupon_core::Reconciliation as Settled;
use coupon_core::{Adapter, CouponRef, ErrorKind, IssueRequest, PartnerRef, PhoneNumber, ProductQuery, Won};
use coupon_sandbox::{FaultKind, FaultSpec};

#[tokio::test]
async fn a_dropped_answer_after_the_buy_ran_is_outcome_unknown_and_reconciles_as_bought() {
    let (sandbox, client) = common::start().await;
    sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, FaultKind::Drop)).await.unwrap();
    let since = common::minutes_ago(1);
    let r = PartnerRef::new("order-77");
    let e = client.buy_gifticons(&["18411"], Won(940), "초코에몽", Some(r.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(e.partner_ref(), Some(&r));
    assert!(!e.is_retryable());
    assert_eq!(sandbox.request_count(common::BUY_PATH), 1, "never re-sent");
    let history = client.gift_purchases().await.unwrap();
    assert_eq!(history.items.len(), 1, "exactly one purchase");
    match client.reconcile_gift_purchase("18411", since).await.unwrap() {
        Reconciliation::Bought(found) => assert_eq!(found.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_buy_dropped_before_it_ran_is_outcome_unknown_and_reconciles_as_not_bought() {
    let (sandbox, client) = common::start().await;
    sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, FaultKind::DropUnprocessed)).await.unwrap();
    let since = common::minutes_ago(1);
    let e = client.buy_gifticons(&["18411"], Won(940), "초코에몽", None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert!(e.partner_ref().is_some(), "a generated reference travels in the error");
    assert_eq!(sandbox.request_count(common::BUY_PATH), 1);
    assert_eq!(client.reconcile_gift_purchase("18411", since).await.unwrap(), Reconciliation::NotBought);
    // Settled as not bought: buying again is safe and works.
    client.buy_gifticons(&["18411"], Won(940), "초코에몽", None).await.unwrap();
}

#[tokio::test]
async fn an_unreadable_or_failed_answer_to_a_buy_is_outcome_unknown_not_retried() {
    let (sandbox, client) = common::start().await;
    // 18420 has 5 days left: sell_price3 = 2020.
    for fault in [FaultKind::Malformed, FaultKind::Truncate, FaultKind::Status { status: 503 }] {
        sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, fault.clone())).await.unwrap();
        let e = client.buy_gifticons(&["18420"], Won(2020), "이디야 아메리카노", None).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{fault:?}: {e}");
    }
    assert_eq!(sandbox.request_count(common::BUY_PATH), 3, "one send per attempt, no retry");
    // Malformed and truncate ran the handler: the first bought it; the others found it sold to us.
    assert_eq!(client.gift_purchases().await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn a_buy_refused_for_an_expired_token_is_replayed_once_with_a_new_token() {
    let (sandbox, client) = common::start().await;
    client.gift_categories(None, None).await.unwrap();
    common::expire_tokens(&sandbox).await;
    let receipt = client.buy_gifticons(&["18411"], Won(940), "초코에몽", None).await.unwrap();
    assert_eq!(sandbox.request_count(common::BUY_PATH), 2, "refused before it ran, then replayed");
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 2);
    let history = client.gift_purchases().await.unwrap();
    assert_eq!(history.items.len(), 1);
    assert_eq!(history.items[0].tid, receipt.tid.as_str());
}

#[tokio::test]
async fn adapter_products_product_issue_and_status() {
    let (sandbox, client) = common::start().await;
    let adapter = GiftimbizAdapter::new(client);
    assert_eq!(adapter.capabilities(), FACTORY.capabilities);
    let page = adapter.products(&ProductQuery::new().category("6").page(1)).await.unwrap();
    assert!(page.items.iter().all(|p| p.category.as_ref().is_some_and(|c| c.name == "마트,편의점")));
    let choco = page.items.iter().find(|p| p.name.contains("초코에몽")).unwrap();
    assert_eq!(choco.id, "27935:18411");
    assert_eq!(choco.sale_price, Some(Won(940)));
    assert!(choco.image_url.as_deref().unwrap().starts_with("http"));
    let detail = adapter.product(&choco.id).await.unwrap();
    assert_eq!((detail.name.as_str(), detail.price), (choco.name.as_str(), Some(Won(1400))));
    let bare = adapter.product("18411").await.unwrap_err();
    assert_eq!((bare.kind(), bare.field()), (ErrorKind::InvalidInput, Some("id")));

    // Refused before sending: the amount and the product name are required, unused fields refused.
    let no_amount = adapter.issue(&IssueRequest::new(&choco.id).product_name(&choco.name)).await.unwrap_err();
    assert_eq!((no_amount.kind(), no_amount.field()), (ErrorKind::InvalidInput, Some("amount")));
    assert!(no_amount.partner_ref().is_some());
    let no_name = adapter.issue(&IssueRequest::new(&choco.id).amount(Won(940))).await.unwrap_err();
    assert_eq!(no_name.field(), Some("product_name"));
    let phone = PhoneNumber::parse("010-1234-5678").unwrap();
    let with_phone = IssueRequest::new(&choco.id).amount(Won(940)).product_name(&choco.name).recipient(phone);
    assert_eq!(adapter.issue(&with_phone).await.unwrap_err().field(), Some("recipient"));
    assert_eq!(sandbox.request_count(common::BUY_PATH), 0);

    let r = PartnerRef::new("shop-order-9");
    let req = IssueRequest::new(&choco.id).amount(Won(940)).product_name(&choco.name).partner_ref(r.clone());
    let issued = adapter.issue(&req).await.unwrap();
    assert_eq!(issued.partner_ref, r);
    let coupon = CouponRef::Order(issued.order.clone().unwrap());
    assert_eq!(adapter.status(&coupon).await.unwrap().as_str(), "unused");
    sandbox.admin().redeem("giftimbiz", issued.order.as_ref().unwrap().as_str(), Some("CU 강남점")).await.unwrap();
    assert_eq!(adapter.status(&coupon).await.unwrap().as_str(), "used");
    let unknown = adapter.status(&CouponRef::order("nope")).await.unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
    let barcode = adapter.status(&CouponRef::barcode("1", "2")).await.unwrap_err();
    assert_eq!(barcode.kind(), ErrorKind::InvalidInput);
    assert_eq!(adapter.cancel(issued.order.as_ref().unwrap()).await.unwrap_err().kind(), ErrorKind::Unsupported);
}

#[tokio::test]
async fn the_factory_builds_from_the_sandbox_section() {
    let sandbox = coupon_sandbox::Sandbox::start().await.unwrap();
    let adapter = (FACTORY.build)(&common::section(&sandbox, &[])).unwrap();
    assert_eq!(adapter.vendor().as_str(), "giftimbiz");
    assert_eq!(adapter.products(&ProductQuery::new()).await.unwrap().total, Some(31));
    assert!(coupon_core::Registry::installed().contains(&"giftimbiz"));
}

/// The adapter, and what it takes to buy the sandbox's 초코에몽 (sale 18411, 940원).
fn choco(client: adapter_giftimbiz::Giftimbiz) -> (GiftimbizAdapter, IssueRequest) {
    let req = IssueRequest::new("27935:18411").amount(Won(940)).product_name("초코에몽");
    (GiftimbizAdapter::new(client), req)
}

#[tokio::test]
async fn reconcile_after_a_dropped_buy_finds_the_order_in_the_history_without_sending_again() {
    let (sandbox, client) = common::start().await;
    let (adapter, req) = choco(client.clone());
    sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, FaultKind::Drop)).await.unwrap();
    let since = common::minutes_ago(1);
    let e = adapter.issue(&req).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(e.partner_ref(), Some(&req.partner_ref));
    let settled = adapter.reconcile(&req, since).await.unwrap();
    let history = client.gift_purchases().await.unwrap();
    assert_eq!(history.items.len(), 1);
    match settled {
        Settled::Issued(issued) => {
            assert_eq!(issued.order.as_ref().map(|o| o.as_str()), Some(history.items[0].tid.as_str()));
            assert_eq!(issued.partner_ref, req.partner_ref, "the request's own reference");
            assert!(issued.details_known() && issued.pin.is_none());
        }
        other => panic!("{other:?}"),
    }
    // Asking again answers the same, and neither look sent the buy again.
    assert_eq!(adapter.reconcile(&req, since).await.unwrap().as_str(), "issued");
    assert_eq!(sandbox.admin().request_count(common::BUY_PATH).await.unwrap(), 1, "sent exactly once");
}

#[tokio::test]
async fn reconcile_of_a_request_never_sent_or_never_run_is_not_issued_and_sends_nothing() {
    let (sandbox, client) = common::start().await;
    let (adapter, req) = choco(client);
    let since = common::minutes_ago(1);
    assert_eq!(adapter.reconcile(&req, since).await.unwrap(), Settled::NotIssued);
    assert_eq!(sandbox.admin().request_count(common::BUY_PATH).await.unwrap(), 0, "reconcile never buys");
    // Sent once, dropped before it ran: still not issued, still sent once.
    sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, FaultKind::DropUnprocessed)).await.unwrap();
    assert_eq!(adapter.issue(&req).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(adapter.reconcile(&req, since).await.unwrap(), Settled::NotIssued);
    assert_eq!(sandbox.admin().request_count(common::BUY_PATH).await.unwrap(), 1);
    // Settled as not issued: issuing the same request again is safe and works.
    let issued = adapter.issue(&req).await.unwrap();
    assert_eq!(issued.partner_ref, req.partner_ref);
}

#[tokio::test]
async fn reconcile_of_several_sales_is_issued_only_when_every_sale_is_in_one_order() {
    let (sandbox, client) = common::start().await;
    let adapter = GiftimbizAdapter::new(client);
    let since = common::minutes_ago(1);
    // 18411 (940) and 18420 (5 days left: 2020), bought in one call whose answer is lost.
    let both = IssueRequest::new("27935:18411|18420").amount(Won(2960)).product_name("초코에몽 외 1건");
    sandbox.admin().inject(FaultSpec::new(common::BUY_PATH, FaultKind::Drop)).await.unwrap();
    assert_eq!(adapter.issue(&both).await.unwrap_err().kind(), ErrorKind::OutcomeUnknown);
    let Settled::Issued(issued) = adapter.reconcile(&both, since).await.unwrap() else { panic!() };
    let history = adapter.client().gift_purchases().await.unwrap();
    assert_eq!(history.items.len(), 2);
    for item in &history.items {
        assert_eq!(issued.order.as_ref().map(|o| o.as_str()), Some(item.tid.as_str()), "one order for both sales");
    }
    // A request naming one bought sale and one that was not: not the trace of one buy.
    let other = adapter.products(&ProductQuery::new()).await.unwrap();
    let unsold =
        other.items.iter().map(|p| p.id.as_str()).find(|id| !id.ends_with(":18411") && !id.ends_with(":18420"));
    let mixed = IssueRequest::new(format!("18411|{}", unsold.unwrap())).amount(Won(1)).product_name("x");
    match adapter.reconcile(&mixed, since).await.unwrap() {
        Settled::StillUnknown(why) => assert!(why.contains("1 of the 2"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sandbox.admin().request_count(common::BUY_PATH).await.unwrap(), 1);
    let bad = adapter.reconcile(&IssueRequest::new("18411||"), since).await.unwrap_err();
    assert_eq!((bad.kind(), bad.field()), (ErrorKind::InvalidInput, Some("md_idx")));
    assert!(bad.partner_ref().is_some());
}

#[tokio::test]
async fn control_characters_are_refused_by_field_before_anything_is_sent() {
    let (sandbox, client) = common::start().await;
    let (adapter, req) = choco(client.clone());
    let e = adapter.issue(&req.clone().product_name("초코\u{1b}[2J에몽")).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("product_name")));
    assert_eq!(e.partner_ref(), Some(&req.partner_ref));
    let e = adapter.issue(&IssueRequest::new("18411\0").amount(Won(940)).product_name("초코에몽")).await.unwrap_err();
    assert_eq!(e.field(), Some("product_id"));
    let e = client.buy_gifticons(&["18411"], Won(940), "초코\0에몽", None).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("product")));
    let star = adapter_giftimbiz::wire::requests::StarPurchaseRequest {
        md_idx: "1350".into(),
        msl_idx: "188".into(),
        msc_idx: "1".into(),
        cash: Won(0),
        product: "쿠폰\r\n".into(),
        partner_ref: None,
    };
    assert_eq!(client.buy_starcoupon(&star).await.unwrap_err().field(), Some("product"));
    let e = client.use_starcoupon("1", "2", "12\u{7f}34").await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("managecode")));
    for path in [common::BUY_PATH, &common::api("giftimbiz/buyStarcoupon"), &common::api("gifticon/setUseStarCoupon")] {
        assert_eq!(sandbox.admin().request_count(path).await.unwrap(), 0, "nothing was sent to {path}");
    }
}
