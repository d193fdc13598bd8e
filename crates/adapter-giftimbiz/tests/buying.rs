//! Buying moves money and GiftiMbiz has no idempotency key: a buy is never sent
//! twice, a doubt is OutcomeUnknown, and the purchase history settles it. Also the
//! `Adapter` operations.

mod common;

use adapter_giftimbiz::{FACTORY, GiftimbizAdapter, Reconciliation};
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
