//! Goods list, goods info and brand image against the sandbox, and the IP allow-list.

#![cfg(feature = "client")]

mod common;

use common::{adapter, client, issue_request, set_ip_allowlist, start};
use coupon_core::{Adapter, Availability, ErrorKind, ProductQuery, Validity, Won};
use coupon_sandbox::{FaultKind, FaultSpec};

#[tokio::test]
async fn products_of_a_brand_with_each_items_status() {
    let sandbox = start().await;
    let page = adapter(&sandbox).products(&ProductQuery::new().brand("10")).await.unwrap();
    assert_eq!((page.page, page.has_next, page.total), (1, false, Some(2)));
    let p = &page.items[0];
    assert_eq!((p.id.as_str(), p.name.as_str()), ("0000000582", "[GS25] 모바일상품권 1만원"));
    assert_eq!(p.price, Some(Won(10_000)), "\"PRICE\": \"10000\" read as a number");
    assert_eq!(p.brand.as_ref().map(|b| (b.id.as_deref(), b.name.as_str())), Some((Some("10"), "GS25상품권")));
    assert!(p.is_available());

    let baskin = adapter(&sandbox).products(&ProductQuery::new().brand("80")).await.unwrap();
    assert_eq!(baskin.items[0].availability, Availability::Unavailable);
    assert_eq!(baskin.items[0].vendor_status.as_deref(), Some("N"));
}

#[tokio::test]
async fn an_unknown_brand_is_not_found_from_the_list_error_object() {
    let sandbox = start().await;
    let e = adapter(&sandbox).products(&ProductQuery::new().brand("999")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "E"));
    let e = adapter(&sandbox).products(&ProductQuery::new()).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("brand")));
    let e = adapter(&sandbox).products(&ProductQuery::new().brand("10").word("커피")).await.unwrap_err();
    assert_eq!(e.field(), Some("word"));
    assert_eq!(sandbox.request_count("/giftletter/getGoodsInfoList"), 1);
}

#[tokio::test]
async fn product_detail_reads_the_quirky_keys_validity_and_notice() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let p = adapter.product("0000001104").await.unwrap();
    assert_eq!((p.price, p.sale_price), (Some(Won(4700)), Some(Won(4420))), "`PRICE ` and `SPRICE ` keys trimmed");
    assert_eq!(p.image_url.as_deref(), Some("http://image.gift-n.net/goods/0000001104_1.jpg"));
    assert_eq!(p.validity, Some(Validity::Days(93)));
    assert!(p.notice.as_deref().unwrap().starts_with("톨(Tall)"), "GOODS_MEMO when present");
    assert_eq!(p.brand.as_ref().unwrap().id.as_deref(), Some("20"));

    let p = adapter.product("0000000582").await.unwrap();
    assert_eq!(p.validity, Some(Validity::Until(coupon_core::chrono::NaiveDate::from_ymd_opt(2027, 12, 31).unwrap())));
    assert!(p.notice.as_deref().unwrap().starts_with("GS25 전국 매장"), "BRAND_MEMO when GOODS_MEMO is empty");

    let native = adapter.client().goods_info("0000001530").await.unwrap();
    assert_eq!(native.msg_type, Some(adapter_giftletter::wire::replies::MsgType::Lms));

    let e = adapter.product("0000000000").await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "E"));
}

#[tokio::test]
async fn brand_image_is_on_the_native_client() {
    let sandbox = start().await;
    let client = client(&sandbox);
    let b = client.brand_image(50).await.unwrap();
    assert_eq!(b.brand_name.as_deref(), Some("GS칼텍스"));
    assert_eq!(b.img_url.as_deref(), Some("http://image.gift-n.net/brand/50.jpg"));
    let e = client.brand_image(7).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_wrong_key_is_unauthenticated_status_c() {
    let sandbox = start().await;
    let mut section = common::section_from_sandbox(&sandbox);
    section.set("auth_key", "wrong");
    let config = adapter_giftletter::GiftletterConfig::from_section(&section).unwrap();
    let client = adapter_giftletter::Giftletter::new(config).unwrap();
    let e = client.goods_list(10).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unauthenticated, "C"));
    let e = client.goods_info("0000000582").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
}

#[tokio::test]
async fn an_unregistered_ip_is_permission_denied_everywhere() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let issued = adapter.issue(&issue_request("0000000582")).await.unwrap();
    set_ip_allowlist(&sandbox, true).await;

    let e = adapter.issue(&issue_request("0000000582")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::PermissionDenied, "S002"));
    let e = adapter.cancel(issued.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!(e.vendor_code().unwrap().raw(), "S002");
    let e = adapter.status(&coupon_core::CouponRef::Order(issued.order.clone().unwrap())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    let e = adapter.resend(issued.order.as_ref().unwrap()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied);
    for e in [
        adapter.products(&ProductQuery::new().brand("10")).await.unwrap_err(),
        adapter.product("0000000582").await.unwrap_err(),
        adapter.client().brand_image(10).await.unwrap_err(),
    ] {
        assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::PermissionDenied, "I"));
    }
    let e = adapter.redemptions(coupon_core::time::today_kst()).await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::PermissionDenied, Some(403)));

    set_ip_allowlist(&sandbox, false).await;
    adapter.product("0000000582").await.unwrap();
}

#[tokio::test]
async fn reads_are_retried_after_a_dropped_connection() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new("/giftletter/getGoodsInfoList", FaultKind::Drop)).await.unwrap();
    let items = client(&sandbox).goods_list(20).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(sandbox.request_count("/giftletter/getGoodsInfoList"), 2);
}
