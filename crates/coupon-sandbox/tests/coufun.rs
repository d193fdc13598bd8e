//! The COUFUN emulator as a raw HTTP client sees it: the form in, EUC-KR XML out, the
//! headers of the document, refusals in Korean, odd bodies never failing, redemption.

use std::time::Duration;

use coupon_sandbox::{RedeemRequest, RunningSandbox, Sandbox, SandboxError};

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(10)).build().expect("client")
}

async fn post(sandbox: &RunningSandbox, body: impl Into<reqwest::Body>) -> (u16, String, Vec<u8>) {
    let url = format!("{}/b2c_api/coufunPartAmountStatus.do", sandbox.vendor_url("coufun"));
    let response = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().expect("ascii").to_string();
    (status, content_type, response.bytes().await.expect("body").to_vec())
}

fn euc_kr(bytes: &[u8]) -> String {
    let (text, _, bad) = encoding_rs::EUC_KR.decode(bytes);
    assert!(!bad, "the answer is valid EUC-KR");
    text.into_owned()
}

#[tokio::test]
async fn answers_euc_kr_xml_with_the_documents_declaration_and_content_type() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (status, content_type, body) =
        post(&sandbox, "POC_ID=SANDBOX&GOODS_ID=CF20001000&BARCODE_NUM=ABC1234567890").await;
    assert_eq!((status, content_type.as_str()), (200, "text/xml; charset=EUC-KR"));
    let xml = euc_kr(&body);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<COUFUNSEARCH>\n"), "{xml}");
    for line in [
        "<RESULT_CODE>00</RESULT_CODE>",
        "<COUPON_TYPE>AMOUNT</COUPON_TYPE>",
        "<EXCHANGE_DATE>20261110123000</EXCHANGE_DATE>",
        "<CANCEL_DATE></CANCEL_DATE>",
        "<TOTAL_AMOUNT>10000</TOTAL_AMOUNT>",
        "<REMAIN_AMOUNT>2500</REMAIN_AMOUNT>",
    ] {
        assert!(xml.contains(line), "{line} in {xml}");
    }
}

#[tokio::test]
async fn refusals_are_code_99_with_korean_messages_in_euc_kr() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (status, _, body) = post(&sandbox, "POC_ID=SANDBOX&GOODS_ID=CF20001000&BARCODE_NUM=NOPE").await;
    assert_eq!(status, 200);
    assert!(body.windows(2).any(|w| w == [0xC1, 0xB8]), "존 as EUC-KR bytes");
    let xml = euc_kr(&body);
    assert!(xml.contains("<RESULT_CODE>99</RESULT_CODE>\n  <RESULT_MSG>존재하지 않는 쿠폰번호입니다.</RESULT_MSG>"));
    let (_, _, body) = post(&sandbox, "POC_ID=ELSE&GOODS_ID=CF20001000&BARCODE_NUM=ABC1234567890").await;
    assert!(euc_kr(&body).contains("등록되지 않은 고객사 ID(POC_ID)입니다."));
}

#[tokio::test]
async fn odd_bodies_get_a_vendor_answer_never_a_failure() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    for body in [&b""[..], b"\xff\xfe\x00", b"%%%", b"POC_ID=%C4%ED&&==", b"BARCODE_NUM=%FF%FE%FD"] {
        let (status, content_type, body) = post(&sandbox, body.to_vec()).await;
        assert_eq!((status, content_type.as_str()), (200, "text/xml; charset=EUC-KR"));
        assert!(euc_kr(&body).contains("<RESULT_CODE>99</RESULT_CODE>"));
    }
    let get = client().get(format!("{}/b2c_api/coufunPartAmountStatus.do", sandbox.vendor_url("coufun"))).send();
    assert_eq!(get.await.expect("answer").status().as_u16(), 405, "the document says POST");
}

#[tokio::test]
async fn redemption_spends_part_of_a_stored_value_coupon_and_reset_restores_it() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let admin = sandbox.admin();
    let done = admin
        .redeem_with(&RedeemRequest::new("coufun", "AMT2611020000187").amount(5_000).at("2026-11-21 09:00:00"))
        .await
        .expect("redeemed");
    assert_eq!((done["status"].as_str(), done["remain_amount"].as_u64()), (Some("000"), Some(25_000)));
    let form = "POC_ID=SANDBOX&GOODS_ID=CF20003000&BARCODE_NUM=AMT2611020000187";
    let xml = euc_kr(&post(&sandbox, form).await.2);
    assert!(xml.contains("<EXCHANGE_DATE>20261121090000</EXCHANGE_DATE>") && xml.contains(">25000<"), "{xml}");
    match admin.redeem("coufun", "912605228451", None).await {
        Err(SandboxError::Admin { status: 409, message }) => assert!(message.contains("이미 사용된"), "{message}"),
        other => panic!("already used: {other:?}"),
    }
    admin.reset().await.expect("reset");
    assert!(euc_kr(&post(&sandbox, form).await.2).contains("<REMAIN_AMOUNT>30000</REMAIN_AMOUNT>"));
}
