//! Whatever a caller sends, the service answers: bodies, Idempotency-Keys and Authorization headers of any
//! bytes are parsed without a panic, into a value or a problem naming what was wrong.

use coupon_server::auth::keys;
use coupon_server::issues::body::IssueBody;
use coupon_server::json::{IdempotencyKey, parse};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_body_parses_or_is_a_400_naming_a_field(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Err(p) = parse::<IssueBody>(&bytes, Some("application/json")) {
            prop_assert_eq!(p.status, 400);
            prop_assert!(p.field.is_some());
        }
    }

    #[test]
    fn any_json_shaped_body_parses_or_is_a_400(text in r#"\{("(vendor|product|to|title|amount|x)": ?("[^"]{0,12}"|[0-9]{1,20}|null|\[\]),? ?){0,6}\}"#) {
        match parse::<IssueBody>(text.as_bytes(), None) {
            Ok(body) => { let _ = body.check(); }
            Err(p) => prop_assert_eq!(p.status, 400),
        }
    }

    #[test]
    fn any_idempotency_key_or_bearer_token_is_judged_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = IdempotencyKey::parse(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            if let Some(p) = keys::parse(text) {
                prop_assert!(!p.matches(""));
            }
        }
    }
}
