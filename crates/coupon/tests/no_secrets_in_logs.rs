//! Every span and event the library emits, at TRACE, during real calls on every
//! adapter (issue, retries after a fault, a token refresh, a buy, a status),
//! holds no key, token, PIN or full phone number.
#![cfg(all(feature = "giftletter", feature = "giftimbiz", feature = "coufun"))]

use std::io::Write;
use std::sync::{Arc, Mutex};

use coupon::config::CouponConfig;
use coupon::giftimbiz::wire::requests::GiftQuery;
use coupon::giftimbiz::{Giftimbiz, GiftimbizConfig};
use coupon::secrecy::ExposeSecret;
use coupon::{CouponRef, IssueRequest, PartnerRef, PhoneNumber, Won};
use coupon_sandbox::{FaultKind, FaultSpec, Sandbox};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_key_token_pin_or_phone_number() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start().await.expect("sandbox");
    let admin = sandbox.admin();
    let config =
        CouponConfig::parse(&sandbox.config_toml_for(&coupon::installed_adapters()), "sandbox", Vec::new()).unwrap();
    let adapters = coupon::Adapters::build(&config).unwrap();

    // Giftletter: an issue whose first answer is lost (re-sent with the same co_tid), then a status read after a 503.
    let giftletter = adapters.get("giftletter").unwrap();
    admin.inject(FaultSpec::new("/giftletter/SendEPin", FaultKind::DropUnprocessed)).await.unwrap();
    let phone = "010-2345-6789";
    let issued = giftletter
        .issue(
            &IssueRequest::new("0000000582")
                .recipient(PhoneNumber::parse(phone).unwrap())
                .callback(PhoneNumber::parse("02-3456-7890").unwrap())
                .title("선물이 도착했어요")
                .message("GS25 모바일상품권")
                .partner_ref(PartnerRef::new("log-test-1")),
        )
        .await
        .expect("issued on the re-send");
    let pin = issued.pin.clone().expect("a PIN").expose().to_string();
    admin.inject(FaultSpec::new("/giftletter/StatusSendEPin", FaultKind::Status { status: 503 })).await.unwrap();
    giftletter.status(&CouponRef::Order(issued.order.clone().unwrap())).await.expect("status after one retry");

    // GiftiMbiz: a token, then a refusal of that token, a refresh, and a buy.
    let client = Giftimbiz::new(GiftimbizConfig::from_section(config.require("giftimbiz").unwrap()).unwrap()).unwrap();
    let first_token = client.access_token().await.unwrap().expose_secret().to_string();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/giftimbiz/expire-tokens", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let page = client.gift_listings(&GiftQuery::default()).await.unwrap();
    let listing = page.items.iter().find(|l| l.disprice.is_some()).expect("a listing with a price");
    let cash = listing.disprice.unwrap_or(Won(0));
    client.buy_gifticons(&[listing.md_idx.as_str()], cash, &listing.product, None).await.expect("bought");
    let second_token = client.access_token().await.unwrap().expose_secret().to_string();
    assert_ne!(first_token, second_token, "the refusal caused a refresh");

    // COUFUN: a status whose answer carries the receiver's mobile number.
    let coufun = adapters.get("coufun").unwrap();
    coufun.status(&CouponRef::barcode("CF10000123", "912605117340")).await.expect("status");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("coupon.call"), "spans were captured:\n{logs}");
    assert!(logs.contains("log-test-1"), "the partner reference is logged, it is not secret");
    assert!(logs.contains("trying again"), "the retry paths were exercised:\n{logs}");
    for secret in [
        "sandbox-key",
        "sandbox-partner-key",
        "sandbox-partner-token",
        "sandbox-refresh-token",
        first_token.as_str(),
        second_token.as_str(),
        pin.as_str(),
        "01023456789",
        phone,
        "2345-6789",
        "01012345678",
        "912605117340",
    ] {
        assert!(!logs.contains(secret), "{secret:?} leaked into the logs:\n{logs}");
    }
}
