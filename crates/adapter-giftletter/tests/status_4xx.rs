//! The one rule for 4xx answers: a body holding the vendor's refusal decides
//! (through the code table, with the HTTP status kept); a body without one
//! leaves the status to decide. Served by a bare loopback server, since the
//! sandbox's status faults answer an HTML page.

#![cfg(feature = "client")]

use adapter_giftletter::{Giftletter, GiftletterConfig};
use coupon_core::ErrorKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server answering every request with `status` and `body` (JSON), until the test ends.
async fn serve(status: u16, body: &'static str) -> Giftletter {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
            });
        }
    });
    let base = format!("http://127.0.0.1:{port}/gl");
    let config = GiftletterConfig::new(&base, &format!("{base}/ExchangeDaily.aspx"), "cid", "key").unwrap();
    Giftletter::new(config).unwrap()
}

#[tokio::test]
async fn a_4xx_whose_body_holds_a_result_code_is_that_refusal() {
    let client =
        serve(400, r#"{"rstCode":"E102:P002","rstMsg":"EPin 취소 실패 : 존재하지 않는 거래번호입니다."}"#).await;
    let e = client.cancel("GL1").await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::NotFound, "E102:P002"), "{e}");
    assert_eq!(e.http_status(), Some(400));
    assert!(e.vendor_message().unwrap().contains("존재하지 않는"));

    let client = serve(403, r#"{"rstCode":"S002","rstMsg":"등록되지 않은 IP입니다"}"#).await;
    let e = client.status("GL1").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.vendor_code().unwrap().raw(), e.http_status()),
        (ErrorKind::PermissionDenied, "S002", Some(403))
    );
}

#[tokio::test]
async fn a_4xx_catalog_answer_with_a_status_letter_reads_through_the_status_table() {
    let client = serve(403, r#"{"STATUS":"I"}"#).await;
    let e = client.goods_info("0000000582").await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::PermissionDenied, "I"));
}

#[tokio::test]
async fn a_4xx_without_a_result_code_is_decided_by_its_status() {
    let client = serve(404, r#"{"error":"no such page"}"#).await;
    let e = client.status("GL1").await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::NotFound, Some(404)), "{e}");
    assert!(e.vendor_code().is_none());
    let e = client.exchange_daily(coupon_core::chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()).await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::NotFound, Some(404)), "{e}");
}

#[tokio::test]
async fn a_first_send_epin_refused_with_a_4xx_is_definite() {
    let client = serve(409, r#"{"rstCode":"P101","rstMsg":"이미 존재하는 거래번호 입니다"}"#).await;
    let request = adapter_giftletter::wire::requests::SendEPin {
        goods_id: "0000000582".into(),
        title: "선물".into(),
        content: "본문".into(),
        mdn: coupon_core::PhoneNumber::parse("010-1234-5678").unwrap(),
        receive_tel: coupon_core::PhoneNumber::parse("1588-1234").unwrap(),
        co_tid: coupon_core::PartnerRef::new("DUP-409"),
        reserved: None,
    };
    let e = client.send_epin(&request).await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::DuplicateReference, Some(409)), "{e}");
    let client = serve(400, "<html>bad request</html>").await;
    let e = client.send_epin(&request).await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::Rejected, Some(400)), "{e}");
}
