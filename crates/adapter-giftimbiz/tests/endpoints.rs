//! Every GiftiMbiz endpoint through the native client, against the sandbox over HTTP.

mod common;

use adapter_giftimbiz::Reconciliation;
use adapter_giftimbiz::wire::requests::{GiftOrder, GiftQuery, StarPurchaseRequest, StarQuery};
use coupon_core::secrecy::ExposeSecret;
use coupon_core::{ErrorKind, Won};
use futures_util::TryStreamExt;

#[tokio::test]
async fn access_token_is_issued_and_never_shown_in_debug() {
    let (sandbox, client) = common::start().await;
    let token = client.access_token().await.unwrap();
    assert_eq!(token.expose_secret().len(), 40);
    assert_eq!(sandbox.request_count(common::TOKEN_PATH), 1);
    let shown = format!("{client:?} {token:?}");
    for secret in [token.expose_secret(), "sandbox-partner-key", "sandbox-partner-token", "sandbox-refresh-token"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[tokio::test]
async fn gift_categories_and_brands_filter_by_category() {
    let (_sandbox, client) = common::start().await;
    let all = client.gift_categories(None, None).await.unwrap();
    assert_eq!(all.categories.len(), 10);
    assert_eq!(all.categories.iter().find(|c| c.mc_idx == "32").unwrap().mc_title, "호텔,뷔페");
    let stores = client.gift_categories(Some("6"), None).await.unwrap();
    assert!(!stores.brands.is_empty() && stores.brands.iter().all(|b| b.mc_idx.as_deref() == Some("6")));
    let cu = client.gift_categories(Some("6"), Some("4")).await.unwrap();
    assert_eq!(cu.brands.len(), 1);
    assert_eq!(cu.brands[0].mb_brand, "CU");
    // Relative thumbnails are resolved against the vendor root (the sandbox's prefix).
    let thumb = cu.brands[0].thumb.as_deref().unwrap();
    assert!(thumb.starts_with(&format!("{}/UPLOAD/CATE/", _sandbox.vendor_url("giftimbiz"))), "{thumb}");
}

#[tokio::test]
async fn gift_listings_filter_order_and_page() {
    let (_sandbox, client) = common::start().await;
    let first = client.gift_listings(&GiftQuery::default()).await.unwrap();
    assert_eq!((first.total_count, first.is_next, first.items.len()), (Some(31), true, 10));
    let q = GiftQuery {
        max_price: Some(Won(3000)),
        order: Some(GiftOrder::PriceHigh),
        limit: Some(50),
        ..GiftQuery::default()
    };
    let cheap = client.gift_listings(&q).await.unwrap();
    let prices: Vec<Won> = cheap.items.iter().map(|l| l.disprice.unwrap()).collect();
    assert!(!prices.is_empty() && prices.iter().all(|p| *p <= Won(3000)), "{prices:?}");
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}");
    let found =
        client.gift_listings(&GiftQuery { word: Some("스타벅스".into()), ..GiftQuery::default() }).await.unwrap();
    assert_eq!(found.items.len(), 3);
    // The current price is the tier price for the days left.
    let today = coupon_core::time::today_kst();
    for l in &first.items {
        assert_eq!(l.price_on(today), l.disprice, "{}", l.product);
    }
    let bad = client.gift_listings(&GiftQuery { page: Some(0), ..GiftQuery::default() }).await.unwrap_err();
    assert_eq!((bad.kind(), bad.field()), (ErrorKind::InvalidInput, Some("page")));
}

#[tokio::test]
async fn gift_listing_pages_walk_until_is_next_is_false() {
    let (sandbox, client) = common::start().await;
    let q = GiftQuery { limit: Some(7), ..GiftQuery::default() };
    let pages: Vec<_> = client.gift_listing_pages(q).try_collect().await.unwrap();
    assert_eq!(pages.len(), 5);
    assert!(!pages.last().unwrap().is_next);
    let ids: std::collections::HashSet<_> = pages.iter().flat_map(|p| &p.items).map(|l| l.md_idx.clone()).collect();
    assert_eq!(ids.len(), 31);
    assert_eq!(sandbox.request_count(&common::api("giftimbiz/listAll")), 5);
}

#[tokio::test]
async fn gift_detail_by_code_and_dcode() {
    let (_sandbox, client) = common::start().await;
    let d = client.gift_detail("2576", "14560").await.unwrap();
    assert_eq!((d.detail.product.as_str(), d.detail.price), ("매일)페레로로쉐3구", Some(Won(2400))));
    assert!(d.same_brand.iter().all(|o| o.mb_idx.as_deref() == Some("4") && o.dcode != "14560"));
    let missing = client.gift_detail("1", "2").await.unwrap_err();
    assert_eq!(missing.vendor_code().unwrap().raw(), "M");
    assert_eq!(client.gift_detail("", "2").await.unwrap_err().field(), Some("code"));
}

#[tokio::test]
async fn buy_gifticons_then_purchase_history_and_reconcile_find_it() {
    let (sandbox, client) = common::start().await;
    let since = common::minutes_ago(1);
    let receipt = client.buy_gifticons(&["18411", "14560"], Won(940 + 1700), "초코에몽 외 1건", None).await.unwrap();
    assert!(receipt.partner_ref.as_str().starts_with("CP"));
    let history = client.gift_purchases().await.unwrap();
    assert_eq!(history.items.len(), 2);
    assert!(history.items.iter().all(|p| p.tid == receipt.tid.as_str() && p.used == Some(false)));
    match client.reconcile_gift_purchase("14560", since).await.unwrap() {
        Reconciliation::Bought(found) => assert_eq!(found[0].cash, Some(Won(1700))),
        other => panic!("{other:?}"),
    }
    assert_eq!(client.reconcile_gift_purchase("18420", since).await.unwrap(), Reconciliation::NotBought);
    // Sold listings leave the catalog.
    assert_eq!(client.gift_listings(&GiftQuery::default()).await.unwrap().total_count, Some(29));
    assert_eq!(sandbox.request_count(common::BUY_PATH), 1);
}

#[tokio::test]
async fn buy_refusals_are_definite_and_carry_the_partner_ref() {
    let (sandbox, client) = common::start().await;
    let r = coupon_core::PartnerRef::new("order-1");
    let wrong = client.buy_gifticons(&["18411"], Won(1), "초코에몽", Some(r.clone())).await.unwrap_err();
    assert_eq!((wrong.kind(), wrong.vendor_code().unwrap().raw()), (ErrorKind::InvalidInput, "PL"));
    assert_eq!(wrong.partner_ref(), Some(&r));
    let unknown = client.buy_gifticons(&["1"], Won(1), "없음", None).await.unwrap_err();
    assert_eq!((unknown.kind(), unknown.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "PD"));
    assert!(unknown.partner_ref().is_some(), "a generated reference travels in errors");
    // Bad input never leaves.
    let empty = client.buy_gifticons(&[], Won(1), "x", None).await.unwrap_err();
    assert_eq!((empty.kind(), empty.field()), (ErrorKind::InvalidInput, Some("md_idx")));
    let piped = client.buy_gifticons(&["1|2"], Won(1), "x", None).await.unwrap_err();
    assert_eq!(piped.field(), Some("md_idx"));
    assert_eq!(client.buy_gifticons(&["1"], Won(1), " ", None).await.unwrap_err().field(), Some("product"));
    assert_eq!(sandbox.request_count(common::BUY_PATH), 2);
}

#[tokio::test]
async fn star_categories_listings_and_pages() {
    let (_sandbox, client) = common::start().await;
    let c = client.star_categories(None).await.unwrap();
    assert_eq!(c.categories.len(), 12);
    assert_eq!(client.star_categories(Some("15")).await.unwrap().shops[0].ms_name, "너랑나랑분식");
    let seoul =
        client.star_listings(&StarQuery { si: Some("서울특별시".into()), ..StarQuery::default() }).await.unwrap();
    assert!(seoul.items.iter().all(|l| l.ms_place1.as_deref() == Some("서울특별시")));
    let word = client.star_listings(&StarQuery { word: Some("쌀국수".into()), ..StarQuery::default() }).await.unwrap();
    assert_eq!(word.items[0].ms_name, "포메인하우스 해운대점");
    let made =
        client.star_listings(&StarQuery { maker: Some("starmaker02".into()), ..StarQuery::default() }).await.unwrap();
    assert_eq!(made.total_count, Some(4));
    let pages: Vec<_> = client.star_listing_pages(StarQuery::default()).try_collect().await.unwrap();
    assert_eq!(pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(), [10, 2]);
}

#[tokio::test]
async fn star_detail_buy_history_qr_and_use() {
    let (sandbox, client) = common::start().await;
    let d = client.star_detail("1352", "190").await.unwrap();
    assert_eq!((d.detail.ms_name.as_deref(), d.detail.msc_idx.as_deref()), (Some("쿠히치 연남"), Some("3001")));
    let since = common::minutes_ago(1);
    let req = StarPurchaseRequest {
        md_idx: "1352".into(),
        msl_idx: "190".into(),
        msc_idx: "3001".into(),
        cash: Won(12000),
        product: "연어덮밥 1인분".into(),
        partner_ref: None,
    };
    let receipt = client.buy_starcoupon(&req).await.unwrap();
    let history = client.star_purchases(None, Some("1352")).await.unwrap();
    assert_eq!((history.items.len(), history.total_buy_price), (1, Some(Won(12000))));
    let bought = &history.items[0];
    assert_eq!(bought.tid, receipt.tid.as_str());
    assert!(client.reconcile_star_purchase("1352", "190", since).await.unwrap().is_bought());
    assert_eq!(
        client.reconcile_star_purchase("1352", "190", common::minutes_ago(-1)).await.unwrap(),
        Reconciliation::NotBought,
        "a purchase before `since` does not count"
    );

    let msc = bought.msc_idx.clone().unwrap();
    let url = client.qr_image(&receipt.tid.to_string(), &msc).await.unwrap();
    assert!(url.starts_with(&sandbox.vendor_url("giftimbiz")), "{url}");
    let png = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    let wrong = client.use_starcoupon(bought.msu_idx.as_deref().unwrap(), &msc, "000000").await.unwrap_err();
    assert_eq!((wrong.kind(), wrong.vendor_code().unwrap().raw()), (ErrorKind::InvalidInput, "N"));
    client.use_starcoupon("359", &msc, "124482").await.unwrap();
    let after = client.star_purchases(Some("190"), None).await.unwrap();
    assert_eq!(after.items[0].used, Some(true));
    let wrong_price = StarPurchaseRequest { cash: Won(1), ..req };
    assert_eq!(client.buy_starcoupon(&wrong_price).await.unwrap_err().vendor_code().unwrap().raw(), "PL");
}

#[tokio::test]
async fn the_test_account_buys_without_recording_and_reconcile_says_it_cannot_tell() {
    let sandbox = coupon_sandbox::Sandbox::start().await.unwrap();
    let client = common::client(&sandbox, &[("partner_id", "devtest1")]);
    let receipt = client.buy_gifticons(&["18411"], Won(940), "초코에몽", None).await.unwrap();
    assert!(!receipt.tid.as_str().is_empty());
    assert!(client.gift_purchases().await.unwrap().items.is_empty());
    let r = client.reconcile_gift_purchase("18411", common::minutes_ago(1)).await.unwrap();
    assert!(matches!(r, Reconciliation::StillUnknown(_)), "{r:?}");
}

#[tokio::test]
async fn wrong_partner_credentials_are_refused_by_name() {
    let sandbox = coupon_sandbox::Sandbox::start().await.unwrap();
    let cases = [("partner_key", "x", "TOKEN06"), ("partner_token", "x", "TOKEN04"), ("refresh_token", "x", "TOKEN05")];
    for (key, value, code) in cases {
        let client = common::client(&sandbox, &[(key, value)]);
        let e = client.gift_categories(None, None).await.unwrap_err();
        assert_eq!(e.vendor_code().unwrap().raw(), code, "{key}");
        assert!(!e.to_string().contains("sandbox-"), "{e}");
    }
}
