//! Issuing against the sandbox: success, refusals, validation before sending, and
//! every doubtful path, which must never leave a second coupon.

#![cfg(feature = "client")]

mod common;

use adapter_giftletter::wire::QueryCharset;
use adapter_giftletter::wire::requests::SendEPin;
use adapter_giftletter::{GiftletterAdapter, Sent};
use common::{SEND_EPIN, adapter, coupons, issue_request, start};
use coupon_core::{Adapter, ErrorKind, PartnerRef, PhoneNumber};
use coupon_sandbox::{FaultKind, FaultSpec};

#[tokio::test]
async fn issue_returns_order_pin_and_a_generated_partner_ref() {
    let sandbox = start().await;
    let issued = adapter(&sandbox).issue(&issue_request("0000000582").memo("memo-1")).await.unwrap();
    assert_eq!(issued.partner_ref.as_str().len(), 20, "generated when absent");
    assert_eq!(issued.memo.as_deref(), Some("memo-1"), "reserved echoed back");
    let pin = issued.pin.as_ref().unwrap();
    assert_eq!(pin.expose().len(), 12);
    assert!(!format!("{issued:?}").contains(pin.expose()), "the PIN is masked in Debug");

    let all = coupons(&sandbox).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["co_tid"], issued.partner_ref.as_str());
    assert_eq!(all[0]["order_id"], issued.order.as_ref().unwrap().as_str());
    assert_eq!(all[0]["epin"], pin.expose());
    assert_eq!(all[0]["title"], "선물이 도착했어요", "Korean text arrives intact (UTF-8)");
}

#[tokio::test]
async fn euc_kr_queries_carry_korean_text_intact() {
    let sandbox = start().await;
    let mut config = common::config(&sandbox);
    config.query_charset = QueryCharset::EucKr;
    let adapter = GiftletterAdapter::new(adapter_giftletter::Giftletter::new(config).unwrap());
    adapter.issue(&issue_request("0000000582").partner_ref(PartnerRef::new("EUC-1"))).await.unwrap();
    let all = coupons(&sandbox).await;
    assert_eq!(all[0]["title"], "선물이 도착했어요");
    assert_eq!(all[0]["content"], "GS25 모바일상품권 1만원을 보내드립니다.");

    let e = adapter.issue(&issue_request("0000000582").title("선물 🎁")).await.unwrap_err();
    assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("title")));
    assert_eq!(sandbox.request_count(SEND_EPIN), 1, "refused before sending");
}

#[tokio::test]
async fn a_partner_ref_used_before_is_a_duplicate_reference_naming_it() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let r = PartnerRef::new("ORDER-42");
    adapter.issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap();
    let e = adapter.issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::DuplicateReference);
    assert_eq!(e.vendor_code().unwrap().raw(), "P101");
    assert_eq!(e.partner_ref(), Some(&r));
    assert!(e.message().contains("used before"), "{e}");
    assert_eq!(coupons(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn vendor_refusals_map_to_kinds_with_the_code_kept() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let e = adapter.issue(&issue_request("9999999999")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "A101"));
    assert_eq!(e.vendor_message(), Some("사용가능한 상품이 아닙니다."));
    assert!(e.partner_ref().is_some(), "every error carries the co_tid");
    let e = adapter.issue(&issue_request("0000003016")).await.unwrap_err();
    assert_eq!(e.vendor_code().unwrap().raw(), "A101", "a goods with STATUS N cannot be issued");

    // The client accepts any Korean number; the vendor sends SMS to mobiles only.
    let landline = issue_request("0000000582").recipient(PhoneNumber::parse("02-123-4567").unwrap());
    let e = adapter.issue(&landline).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::InvalidInput, "P002"));
    assert!(!e.to_string().contains("1234567"), "{e}");
    assert!(coupons(&sandbox).await.is_empty());
}

#[tokio::test]
async fn a_wrong_auth_key_is_unauthenticated_a001() {
    let sandbox = start().await;
    let mut section = common::section_from_sandbox(&sandbox);
    section.set("auth_key", "not-the-key");
    let config = adapter_giftletter::GiftletterConfig::from_section(&section).unwrap();
    let adapter = GiftletterAdapter::new(adapter_giftletter::Giftletter::new(config).unwrap());
    let e = adapter.issue(&issue_request("0000000582")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Unauthenticated, "A001"));
    assert!(!format!("{e} {e:?} {adapter:?}").contains("not-the-key"));
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let cases = [
        (issue_request("0000000582").title("가".repeat(21)), "title"),
        (issue_request("0000000582").message("나".repeat(251)), "content"),
        (issue_request("0000000582").partner_ref(PartnerRef::new("X".repeat(31))), "co_tid"),
        (issue_request("0000000582").partner_ref(PartnerRef::new("has space")), "co_tid"),
        (issue_request("0000000582").memo("다".repeat(11)), "reserved"),
        (issue_request("0000000582 "), "goods_id"),
        (issue_request(""), "goods_id"),
    ];
    for (request, field) in cases {
        let e = adapter.issue(&request).await.unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{e}");
        assert!(e.partner_ref().is_some(), "{field}: the co_tid travels in every error");
    }
    let mut no_callback = issue_request("0000000582");
    no_callback.callback = None;
    assert_eq!(adapter.issue(&no_callback).await.unwrap_err().field(), Some("callback"));
    assert_eq!(sandbox.request_count(SEND_EPIN), 0);
}

#[tokio::test]
async fn a_dropped_answer_is_resent_once_and_p101_is_the_first_attempts_coupon_not_a_failure() {
    let sandbox = start().await;
    // The sandbox issues, then closes the connection without answering.
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Drop)).await.unwrap();
    let r = PartnerRef::new("DOUBT-1");
    let issued = adapter(&sandbox).issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap();
    assert_eq!((issued.order.as_ref(), issued.pin.as_ref()), (None, None), "the re-send's answer carries neither");
    assert!(!issued.details_known());
    let why = issued.details_unknown.as_deref().unwrap();
    assert!(why.contains("earlier attempt") && why.contains("P101") && why.contains("DOUBT-1"), "{why}");
    assert_eq!(issued.partner_ref, r);
    assert_eq!(sandbox.request_count(SEND_EPIN), 2, "sent, then re-sent once with the same co_tid");
    let all = coupons(&sandbox).await;
    assert_eq!(all.len(), 1, "exactly one coupon");
    assert_eq!(all[0]["co_tid"], "DOUBT-1");
}

#[tokio::test]
async fn the_native_send_epin_says_by_its_type_that_an_earlier_attempt_issued() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Drop)).await.unwrap();
    let client = common::client(&sandbox);
    let request = SendEPin {
        goods_id: "0000000582".into(),
        title: "선물".into(),
        content: "본문".into(),
        mdn: PhoneNumber::parse("010-1234-5678").unwrap(),
        receive_tel: PhoneNumber::parse("1588-1234").unwrap(),
        co_tid: PartnerRef::new("NATIVE-1"),
        reserved: None,
    };
    let sent = client.send_epin(&request).await.unwrap();
    let Sent::ByEarlierAttempt { code } = &sent else { panic!("{sent:?}") };
    assert_eq!(code.raw(), "P101");
    assert!(sent.reply().is_none());
    assert_eq!(coupons(&sandbox).await.len(), 1);

    // The same co_tid in a later call is a first attempt: a duplicate, nothing issued.
    let e = client.send_epin(&request).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::DuplicateReference, "P101"));
    assert_eq!(coupons(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn a_request_dropped_before_processing_is_resent_and_issues_once() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::DropUnprocessed)).await.unwrap();
    let issued = adapter(&sandbox).issue(&issue_request("0000000582")).await.unwrap();
    assert_eq!(sandbox.request_count(SEND_EPIN), 2);
    let all = coupons(&sandbox).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["order_id"], issued.order.as_ref().unwrap().as_str());
}

#[tokio::test]
async fn a_503_is_resent_once_with_the_same_co_tid() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Status { status: 503 })).await.unwrap();
    let r = PartnerRef::new("RETRY-503");
    let issued = adapter(&sandbox).issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap();
    assert_eq!(issued.partner_ref, r);
    assert_eq!(sandbox.request_count(SEND_EPIN), 2);
    let all = coupons(&sandbox).await;
    assert_eq!((all.len(), all[0]["co_tid"].as_str()), (1, Some("RETRY-503")));
}

#[tokio::test]
async fn a_truncated_answer_is_resent_and_reported_as_the_first_attempts_coupon() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Truncate)).await.unwrap();
    let issued = adapter(&sandbox).issue(&issue_request("0000000582")).await.unwrap();
    assert!(issued.order.is_none() && issued.details_unknown.is_some(), "{issued:?}");
    assert_eq!(coupons(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn a_doubt_left_after_the_resend_is_outcome_unknown_with_the_co_tid() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Drop).times(2)).await.unwrap();
    let r = PartnerRef::new("DOUBT-2");
    let e = adapter(&sandbox).issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert!(!e.is_retryable());
    assert_eq!(e.partner_ref(), Some(&r));
    assert_eq!(sandbox.request_count(SEND_EPIN), 2, "never a third send");
    assert_eq!(coupons(&sandbox).await.len(), 1, "never a second coupon");
}

#[tokio::test]
async fn an_unreadable_answer_to_an_issue_is_outcome_unknown_not_failed() {
    let sandbox = start().await;
    sandbox.admin().inject(FaultSpec::new(SEND_EPIN, FaultKind::Malformed)).await.unwrap();
    let r = PartnerRef::new("GARBLED-1");
    let e = adapter(&sandbox).issue(&issue_request("0000000582").partner_ref(r.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(e.partner_ref(), Some(&r));
    assert_eq!(sandbox.request_count(SEND_EPIN), 1, "a complete answer is not re-sent");
    assert_eq!(coupons(&sandbox).await.len(), 1);
}

#[tokio::test]
async fn control_characters_are_refused_before_anything_is_sent() {
    let sandbox = start().await;
    let adapter = adapter(&sandbox);
    let cases = [
        (issue_request("0000000582").title("선물\0"), "title"),
        (issue_request("0000000582").message("본문\0끝"), "message"),
        (issue_request("0000000582").memo("m\0"), "memo"),
        (issue_request("0000000582").message("본문\u{1b}[2J"), "message"),
    ];
    for (request, field) in cases {
        let e = adapter.issue(&request).await.unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{e}");
        assert!(e.to_string().contains("control character") && e.to_string().contains("position"), "{e}");
        assert!(e.partner_ref().is_some(), "{field}: the co_tid travels in every error");
    }
    // The native request refuses them too, by the vendor's field names.
    let client = common::client(&sandbox);
    for (title, content, reserved, field) in [
        ("선\0물", "본문", None, "title"),
        ("선물", "본\0문", None, "content"),
        ("선물", "본문", Some("r\0"), "reserved"),
    ] {
        let request = SendEPin {
            goods_id: "0000000582".into(),
            title: title.into(),
            content: content.into(),
            mdn: PhoneNumber::parse("010-1234-5678").unwrap(),
            receive_tel: PhoneNumber::parse("1588-1234").unwrap(),
            co_tid: PartnerRef::new("CTRL-1"),
            reserved: reserved.map(str::to_string),
        };
        let e = client.send_epin(&request).await.unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)), "{e}");
    }
    // Line breaks and tabs are fine in the body.
    adapter.issue(&issue_request("0000000582").message("첫 줄\n둘째 줄\t끝")).await.unwrap();
    assert_eq!(sandbox.request_count(SEND_EPIN), 1, "only the good request was sent");
    assert_eq!(coupons(&sandbox).await.len(), 1);
}
