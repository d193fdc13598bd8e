//! The reads: vendors and their capabilities, products, a product, a coupon's state and balance.

use serde_json::Value;

use super::common::{TestServer, body, on_every_backend};

on_every_backend!(
    vendors_list_every_configured_adapter_with_its_capabilities,
    products_product_status_and_balance_answer_as_the_library_does,
);

async fn vendors_list_every_configured_adapter_with_its_capabilities(s: &TestServer) {
    let key = s.key("read").await;
    let v: Value = s.get(&key, "/v1/vendors").await.json().await.unwrap();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = s.vendors.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, expected);
    for (entry, (_, caps, _)) in v.as_array().unwrap().iter().zip(&s.vendors) {
        assert_eq!(entry["capabilities"], serde_json::to_value(caps).unwrap());
        let ops: Vec<&str> = caps.offered().collect();
        assert_eq!(entry["operations"], serde_json::json!(ops));
    }
}

async fn products_product_status_and_balance_answer_as_the_library_does(s: &TestServer) {
    let key = s.key("read,issue").await;
    let pins = s.key("read,pins").await;
    for (vendor, caps, samples) in &s.vendors {
        if let (true, Some(sample)) = (caps.products, &samples.products) {
            let mut q = Vec::new();
            if let Some(b) = &sample.brand {
                q.push(format!("brand={b}"));
            }
            if let Some(c) = &sample.category {
                q.push(format!("category={c}"));
            }
            let r = s.get(&key, &format!("/v1/vendors/{vendor}/products?{}", q.join("&"))).await;
            assert_eq!(r.status(), 200, "{vendor}");
            let page: Value = r.json().await.unwrap();
            assert!(page["items"].as_array().is_some_and(|i| !i.is_empty()), "{vendor}: {page}");
            let r = s.get(&key, &format!("/v1/vendors/{vendor}/products?colour=red")).await;
            assert_eq!(r.status(), 400);
            assert_eq!(r.json::<Value>().await.unwrap()["field"], "colour");
        }
        if let (true, Some(id)) = (caps.product_detail, &samples.product) {
            let r = s.get(&key, &format!("/v1/vendors/{vendor}/products/{id}")).await;
            assert_eq!(r.status(), 200, "{vendor}");
        }
        if caps.status {
            let coupon = if let Some(c) = &samples.coupon {
                Some(format!("product={}&barcode={}", c.product_id, c.barcode))
            } else if let Some(sample) = &samples.issue {
                let a: Value =
                    s.issue(&key, &format!("st-{vendor}"), &body(vendor, sample)).await.json().await.unwrap();
                a["order"].as_str().map(|o| format!("order={o}"))
            } else {
                None
            };
            if let Some(q) = coupon {
                let r = s.get(&key, &format!("/v1/vendors/{vendor}/coupons/status?{q}")).await;
                assert_eq!(r.status(), 200, "{vendor}");
                let st: Value = r.json().await.unwrap();
                assert!(st["status"].is_string(), "{st}");
                if let Some(pin) = st["pin"].as_str() {
                    assert!(pin.contains('*'), "masked without the pins scope: {st}");
                    let full: Value =
                        s.get(&pins, &format!("/v1/vendors/{vendor}/coupons/status?{q}")).await.json().await.unwrap();
                    assert!(!full["pin"].as_str().unwrap().contains('*'));
                }
            }
            let r = s.get(&key, &format!("/v1/vendors/{vendor}/coupons/status")).await;
            assert_eq!(r.status(), 400);
        }
        if let (true, Some(c)) = (caps.balance, &samples.balance_coupon) {
            let r = s
                .get(
                    &key,
                    &format!("/v1/vendors/{vendor}/coupons/balance?product={}&barcode={}", c.product_id, c.barcode),
                )
                .await;
            assert_eq!(r.status(), 200, "{vendor}");
            let b: Value = r.json().await.unwrap();
            assert!(b["remaining"].is_number(), "{b}");
        }
    }
    let r = s.get(&key, "/v1/vendors/nosuch/products").await;
    assert_eq!(r.status(), 404);
}
