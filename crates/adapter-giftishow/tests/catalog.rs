//! Goods and brands against the sandbox, and every variant the integrations show
//! (api codes, send URL, limits), each selected in the sandbox and configured in
//! the client.

#![cfg(feature = "client")]

mod common;

use common::{adapter, adapter_with, client, client_with, issue_request, issued, sample_goods, set_variant, start};
use coupon_core::{Adapter, Availability, ErrorKind, ProductQuery, Validity};
use serde_json::json;

#[tokio::test]
async fn goods_come_by_page_and_the_last_page_is_the_shorter_one() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let total = common::fixture_goods(&sandbox).await.len();
    assert!(total > 5, "the fixtures hold more than one page of 5");
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let mut q = ProductQuery::new().page(page);
        q.limit = Some(5);
        let p = adapter.products(&q).await.unwrap();
        assert_eq!(p.page, page);
        seen.extend(p.items.iter().map(|i| i.id.clone()));
        if !p.has_next {
            assert!(p.items.len() < 5 || seen.len() == total);
            break;
        }
        page += 1;
        assert!(page < 10, "paging ends");
    }
    assert_eq!(seen.len(), total, "every goods once: {seen:?}");
    let all = adapter.products(&ProductQuery::new()).await.unwrap();
    assert_eq!(all.items.len(), total);
    assert!(all.items.iter().any(|p| p.availability == Availability::Unavailable), "a goods not on sale");
    let on_sale = all.items.iter().find(|p| p.is_available()).unwrap();
    assert!(on_sale.price.is_some() && on_sale.sale_price.is_some(), "{on_sale:?}");
}

#[tokio::test]
async fn a_goods_detail_is_a_product_with_its_validity_and_prices() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let adapter = adapter(&sandbox);
    let p = adapter.product(&goods).await.unwrap();
    assert_eq!(p.id, goods);
    assert!(p.is_available());
    assert!(matches!(p.validity, Some(Validity::Days(_))), "{p:?}");
    assert!(p.sale_price <= p.price, "the partner pays at most the consumer price: {p:?}");
    let detail = client(&sandbox).goods_detail(&goods).await.unwrap();
    assert!(detail.tier_prices.gold.is_some() || detail.tier_prices.vip.is_some(), "{detail:?}");
    let e = adapter.product("G99999999999").await.unwrap_err();
    assert!(e.vendor_code().is_some(), "{e}");
    let e = adapter.product("G0000/../x").await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("goods_code")));
}

#[tokio::test]
async fn the_goods_detail_code_0102_variant() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    set_variant(&sandbox, json!({"goods_detail_code": "0102"})).await;
    assert!(client(&sandbox).goods_detail(&goods).await.is_err(), "the default 0111 is refused now");
    let c = client_with(&sandbox, &[("goods_detail_code", "0102")]);
    assert_eq!(c.goods_detail(&goods).await.unwrap().goods_code, goods);
}

#[tokio::test]
async fn brands_under_both_code_variants() {
    let sandbox = start().await;
    let brands = client(&sandbox).brands().await.unwrap();
    assert!(!brands.items.is_empty());
    let first = &brands.items[0];
    let detail = client(&sandbox).brand_detail(&first.brand_code).await.unwrap();
    assert_eq!(detail.brand_name, first.brand_name);

    set_variant(&sandbox, json!({"brand_codes": "0103/0104"})).await;
    assert!(client(&sandbox).brands().await.is_err(), "0102 is refused under 0103/0104");
    let c = client_with(&sandbox, &[("brand_codes", "0103/0104")]);
    assert_eq!(c.brands().await.unwrap().items.len(), brands.items.len());
    assert_eq!(c.brand_detail(&first.brand_code).await.unwrap().brand_code, first.brand_code);
}

#[tokio::test]
async fn the_send_url_outside_the_api_root() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    set_variant(&sandbox, json!({"send_path": "coupon"})).await;
    let e = adapter(&sandbox).issue(&issue_request(&goods, "CPURL1")).await.unwrap_err();
    assert_eq!(e.http_status(), Some(404), "the default {{base}}/send is not served: {e}");
    let send_url = format!("{}/coupon/send", sandbox.vendor_url("giftishow"));
    let moved = adapter_with(&sandbox, &[("send_url", &send_url)]);
    moved.issue(&issue_request(&goods, "CPURL2")).await.unwrap();
    assert_eq!(sandbox.request_count("/giftishow/coupon/send"), 1);
    assert_eq!(issued(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn the_twenty_character_title_and_tr_id_variants() {
    let sandbox = start().await;
    let goods = sample_goods(&sandbox).await;
    let title = "가".repeat(15);
    let e = adapter(&sandbox).issue(&issue_request(&goods, "CPTITLE1").title(title.clone())).await.unwrap_err();
    assert_eq!(e.field(), Some("title"), "refused before sending under the default 10");
    set_variant(&sandbox, json!({"mms_title_limit": 20})).await;
    let wide = adapter_with(&sandbox, &[("mms_title_limit", "20")]);
    wide.issue(&issue_request(&goods, "CPTITLE2").title(title)).await.unwrap();

    set_variant(&sandbox, json!({"tr_id_limit": 20})).await;
    let long = "CP".to_owned() + &"1".repeat(21);
    let strict = adapter_with(&sandbox, &[("tr_id_limit", "20")]);
    let e = strict.issue(&issue_request(&goods, &long)).await.unwrap_err();
    assert_eq!(e.field(), Some("partner_ref"));
    // The generated references fit the strictest limit.
    let generated = issue_request(&goods, "x").partner_ref(coupon_core::PartnerRef::generate());
    strict.issue(&generated).await.unwrap();
    assert_eq!(sandbox.request_count(common::SEND), 2);
}
