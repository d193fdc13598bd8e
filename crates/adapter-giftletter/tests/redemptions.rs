//! The daily redemption report (`ExchangeDaily.aspx`) against the sandbox, and the
//! plain-http rule of its separate host.

#![cfg(feature = "client")]

mod common;

use adapter_giftletter::wire::replies::parse_send_epin;
use adapter_giftletter::{Giftletter, GiftletterConfig, codes};
use common::{adapter, issue_request, start};
use coupon_core::chrono::NaiveDate;
use coupon_core::{Adapter, ErrorKind, RedeemedAt};
use coupon_sandbox::RedeemRequest;

#[tokio::test]
async fn redemptions_of_a_day_with_korean_branches_and_day_only_goods() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let timed = adapter.issue(&issue_request("0000000582")).await.unwrap();
    let day_only = adapter.issue(&issue_request("0000002208")).await.unwrap();
    let other_day = adapter.issue(&issue_request("0000000583")).await.unwrap();
    let admin = sandbox.admin();
    for (coupon, at, branch) in [
        (&timed, "2026-03-01 15:12:03", "광주영주"),
        (&day_only, "2026-03-01 09:00:00", "제주컨벤션센터"),
        (&other_day, "2026-03-02 10:00:00", "부산대"),
    ] {
        let req = RedeemRequest::new("giftletter", coupon.pin.as_ref().unwrap().expose()).branch(branch).at(at);
        admin.redeem_with(&req).await.unwrap();
    }

    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let report = adapter.redemptions(day).await.unwrap();
    assert_eq!(report.day, day);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.items.len(), 2);
    let first = &report.items[0];
    assert_eq!(first.pin, *day_only.pin.as_ref().unwrap());
    assert_eq!(first.at, RedeemedAt::Day(day), "some goods report the day only");
    assert_eq!(first.branch.as_deref(), Some("제주컨벤션센터"), "EUC-KR decoded");
    let second = &report.items[1];
    assert_eq!(second.pin, *timed.pin.as_ref().unwrap());
    match &second.at {
        RedeemedAt::Time(t) => assert_eq!(t.to_rfc3339(), "2026-03-01T15:12:03+09:00"),
        other => panic!("{other:?}"),
    }
    assert_eq!(second.branch.as_deref(), Some("광주영주"));

    let empty = adapter.redemptions(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()).await.unwrap();
    assert!(empty.items.is_empty() && empty.errors.is_empty());
}

#[test]
fn the_exchange_host_may_use_plain_http_only_when_allowed() {
    let mut config = GiftletterConfig::new(
        "https://api.gift-n.example/",
        "http://admin.gift-n.net/mn_compare/ExchangeDaily.aspx",
        "partner",
        "key",
    )
    .unwrap();
    let e = Giftletter::new(config.clone()).unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::Config, Some("exchange_url")));
    config.exchange_allow_http = true;
    Giftletter::new(config.clone()).unwrap();
    config.base_url = "http://api.gift-n.example/".parse().unwrap();
    let e = Giftletter::new(config).unwrap_err();
    assert_eq!(e.field(), Some("base_url"), "the opt-in is for the report host only");
}

/// The client always sends count=1, so `P003` is checked on the sandbox's own bytes.
#[tokio::test]
async fn the_sandboxs_p003_answer_reads_as_limit_exceeded() {
    let sandbox = start().await;
    let enc = adapter_giftletter::wire::sign::send_epin("sandbox-key", "sandbox", "0000000582", "P3");
    let url = format!(
        "{}/SendEPin?cid=sandbox&enc={enc}&goods_id=0000000582&count=2&title=a&content=b&mdn=01012345678&receive_tel=15881234&co_tid=P3&reserved=",
        sandbox.vendor_url("giftletter")
    );
    let body =
        reqwest::Client::builder().no_proxy().build().unwrap().get(url).send().await.unwrap().text().await.unwrap();
    let refusal = parse_send_epin(&body).unwrap().unwrap_err();
    let code = refusal.code;
    assert_eq!(code.raw(), "P003");
    assert_eq!(codes::classify(&code), (ErrorKind::LimitExceeded, false));
}
