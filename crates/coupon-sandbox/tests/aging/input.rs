//! Bad admin input: a 4xx naming the member, and nothing changed.

use coupon_sandbox::{RecordState, SandboxError};
use serde_json::json;

use crate::support::{Giftishow, Giftletter, age_raw, sandbox};

/// Each body is refused with `status` and an error naming `names`.
#[tokio::test]
async fn malformed_sections_are_refused_naming_the_member() {
    let sandbox = sandbox().await;
    Giftletter(&sandbox).issue("GL-IN-1").await;
    Giftishow(&sandbox).send("GS-IN-1", "G00001621744").await;
    let cases = [
        (json!({"vendor": "nowhere", "expire": {"count": 1}}), 404, "nowhere"),
        (json!({"vendor": "coufun", "expire": {"count": 1}}), 501, "coufun"),
        (json!({"vendor": "giftletter", "redeem": {}}), 400, "redeem.fraction"),
        (json!({"vendor": "giftletter", "redeem": {"fraction": 0.5, "count": 1}}), 400, "exactly one"),
        (json!({"vendor": "giftletter", "redeem": {"fraction": 1.5}}), 400, "redeem.fraction"),
        (json!({"vendor": "giftletter", "redeem": {"fractoin": 0.5}}), 400, "fractoin"),
        (json!({"vendor": "giftletter", "redeem": {"count": 1, "from": "2026-03-01 09:00"}}), 400, "redeem.from"),
        (json!({"vendor": "giftletter", "redeem": {"count": 1, "over_days": 99999}}), 400, "redeem.over_days"),
        (json!({"vendor": "giftletter", "redeem": {"count": 2}}), 409, "redeem"),
        (json!({"vendor": "giftletter", "expire": {"coupons": ["NOPE"]}}), 404, "expire.coupons"),
        (json!({"vendor": "giftletter", "valid_until": {"count": 1}}), 400, "valid_until.day"),
        (json!({"vendor": "giftletter", "valid_until": {"count": 1, "day": "31/01/2027"}}), 400, "valid_until.day"),
        (
            json!({"vendor": "giftletter", "valid_until": {"count": 1, "day": "2027-01-31", "in_days": 3}}),
            400,
            "in_days",
        ),
        (json!({"vendor": "giftletter", "partly_use": {"count": 1, "balance": 10}}), 400, "partly_use"),
        (json!({"vendor": "giftletter", "delivery_failed": {"count": 1}}), 400, "delivery_failed"),
        (json!({"vendor": "giftishow", "partly_use": {"count": 1}}), 400, "partly_use.balance"),
        (json!({"vendor": "giftishow", "partly_use": {"coupons": ["GS-IN-1"], "balance": 10}}), 409, "stored value"),
        (json!({"vendor": "giftimbiz", "delivery_failed": {"count": 0}}), 400, "delivery_failed"),
        (json!({"vendor": "giftletter", "seed": "x"}), 400, "seed"),
    ];
    for (body, status, names) in cases {
        let (got, answer) = age_raw(&sandbox, body.clone()).await;
        let error = answer["error"].as_str().unwrap_or_default();
        assert_eq!(got, status, "{body}: {answer}");
        assert!(error.contains(names), "{body}: {error:?} should name {names:?}");
    }
    let records = sandbox.admin().records("giftletter").await.unwrap();
    assert_eq!(records[0].state, RecordState::Unused, "nothing changed");
    let coufun = sandbox.admin().records("coufun").await;
    assert!(matches!(coufun, Err(SandboxError::Admin { status: 404, .. })), "{coufun:?}");
}

#[tokio::test]
async fn a_refused_section_undoes_the_sections_before_it() {
    let sandbox = sandbox().await;
    let gl = Giftletter(&sandbox);
    let order = gl.issue("GL-ATOM").await;
    let body = json!({"vendor": "giftletter", "redeem": {"coupons": ["GL-ATOM"]}, "expire": {"coupons": ["NOPE"]}});
    assert_eq!(age_raw(&sandbox, body).await.0, 404);
    assert_eq!(gl.status(&order).await["use"], "N", "the redemption was not kept");
    let used = json!({"vendor": "giftletter", "redeem": {"coupons": ["GL-ATOM"]}});
    assert_eq!(age_raw(&sandbox, used.clone()).await.0, 200);
    let (status, again) = age_raw(&sandbox, used).await;
    assert_eq!(status, 409, "a used PIN is not redeemed twice");
    assert!(again["error"].as_str().unwrap().contains("GL-ATOM"), "named by its reference: {again}");
}

#[tokio::test]
async fn a_member_of_the_wrong_type_is_named_by_its_path() {
    let sandbox = sandbox().await;
    let cases = [
        (json!({"vendor": "giftletter", "redeem": {"count": 1, "over_days": "x"}}), "`redeem.over_days`"),
        (json!({"vendor": "giftletter", "valid_until": {"count": 1, "in_days": 1.5}}), "`valid_until.in_days`"),
        (json!({"vendor": "giftletter", "expire": {"coupons": "GL-1"}}), "`expire.coupons`"),
        (json!({"vendor": "giftletter", "redeem": {"count": 1, "spread": "random"}}), "`redeem.spread`"),
        (json!({"vendor": "giftletter", "age": {}}), "`age`"),
        (json!({"expire": {"count": 1}}), "`vendor`"),
        (json!(["giftletter"]), "JSON object"),
    ];
    for (body, names) in cases {
        let (status, answer) = age_raw(&sandbox, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(names), "{body}: {error:?} should name {names}");
    }
}
