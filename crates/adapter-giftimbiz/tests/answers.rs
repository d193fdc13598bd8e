//! How the client reads answers the sandbox does not send: a success without
//! `result`, refusals under a 4xx or a 5xx, a 4xx without a code. A scripted
//! server on loopback answers every call to a path with the body given for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use adapter_giftimbiz::{Giftimbiz, GiftimbizConfig};
use coupon_core::{ErrorKind, PartnerRef, Won};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN_OK: (u16, &str) = (200, r#"{"result":0,"token":"t-1"}"#);

/// Paths (after `/api/v1/`) to `(status, body)`; answers 404 to any other path.
/// Returns the client and the requests seen per path.
async fn serve(routes: &[(&str, (u16, &str))]) -> (Giftimbiz, Arc<Mutex<HashMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let routes: HashMap<String, (u16, String)> =
        routes.iter().map(|(p, (s, b))| (format!("/api/v1/{p}"), (*s, b.to_string()))).collect();
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let counts = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (routes, counts) = (routes.clone(), Arc::clone(&counts));
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then as much body as Content-Length says (unread bytes would reset the connection).
                let head_end = loop {
                    if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&got[..head_end]).to_string();
                let length = head
                    .lines()
                    .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
                    .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                while got.len() < head_end + length {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let target = head.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or(target).to_string();
                *counts.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
                let (status, body) = routes.get(&path).cloned().unwrap_or((404, "<html>not found</html>".into()));
                let kind = if body.starts_with('<') { "text/html" } else { "application/json" };
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    let config = GiftimbizConfig::new(&base, "partner", "key", "token", "refresh").unwrap();
    (Giftimbiz::new(config).unwrap(), seen)
}

fn sent(seen: &Arc<Mutex<HashMap<String, usize>>>, path: &str) -> usize {
    seen.lock().unwrap().get(&format!("/api/v1/{path}")).copied().unwrap_or(0)
}

const BUY: &str = "giftimbiz/buyGifticoupon";

async fn buy(client: &Giftimbiz) -> coupon_core::Error {
    client.buy_gifticons(&["18411"], Won(940), "초코에몽", Some(PartnerRef::new("order-1"))).await.unwrap_err()
}

#[tokio::test]
async fn a_buy_answered_without_result_is_outcome_unknown_and_sent_once() {
    let (client, seen) =
        serve(&[("common/getAccessToken", TOKEN_OK), (BUY, (200, r#"{"message":"완료","tid":"T-9"}"#))]).await;
    let e = buy(&client).await;
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert!(!e.is_retryable());
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("order-1"));
    assert!(e.to_string().contains("`result`"), "{e}");
    assert_eq!(sent(&seen, BUY), 1, "never re-sent");
}

#[tokio::test]
async fn a_use_answered_without_result_is_outcome_unknown_and_a_read_without_result_is_a_protocol_error() {
    let use_path = "gifticon/setUseStarCoupon";
    let (client, seen) = serve(&[
        ("common/getAccessToken", TOKEN_OK),
        (use_path, (200, r#"{"message":"성공 메시지"}"#)),
        ("giftimbiz/cateGift", (200, r#"{"cate":[],"brand":[]}"#)),
        ("giftimbiz/buyGifticonList", (200, r#"{"result":null,"list":[]}"#)),
    ])
    .await;
    let e = client.use_starcoupon("1", "2", "3").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert_eq!(sent(&seen, use_path), 1);
    let e = client.gift_categories(None, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    // A `null` result says no more than a missing one.
    assert_eq!(client.gift_purchases().await.unwrap_err().kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn star_detail_without_result_is_read_as_the_document_shows_it() {
    let detail = r#"{"detail":{"ms_idx":18,"msl_idx":224,"ms_price":0},"eq_brand":[]}"#;
    let (client, _) = serve(&[("common/getAccessToken", TOKEN_OK), ("giftimbiz/starDetail", (200, detail))]).await;
    let d = client.star_detail("1350", "224").await.unwrap();
    assert_eq!((d.detail.ms_idx.as_str(), d.detail.msl_idx.as_deref()), ("18", Some("224")));
}

#[tokio::test]
async fn a_4xx_with_a_vendor_code_is_that_refusal_and_definite_even_for_a_buy() {
    let body = r#"{"result":"PL","msg":"잘못된 상품금액결제"}"#;
    let (client, seen) = serve(&[("common/getAccessToken", TOKEN_OK), (BUY, (400, body))]).await;
    let e = buy(&client).await;
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "the code decides, not the status: {e}");
    assert_eq!(e.vendor_code().map(|c| c.raw()), Some("PL"));
    assert_eq!(e.vendor_message(), Some("잘못된 상품금액결제"));
    assert_eq!(e.http_status(), Some(400), "the status is kept");
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("order-1"));
    assert_eq!(sent(&seen, BUY), 1);
}

#[tokio::test]
async fn a_4xx_without_a_vendor_code_is_decided_by_the_status_and_definite() {
    let (client, _) = serve(&[("common/getAccessToken", TOKEN_OK), (BUY, (403, "<html>forbidden</html>"))]).await;
    let e = buy(&client).await;
    assert_eq!(e.kind(), ErrorKind::from_http_status(403).0, "{e}");
    assert_ne!(e.kind(), ErrorKind::OutcomeUnknown);
    assert!(e.vendor_code().is_none());
    assert_eq!(e.http_status(), Some(403));
}

#[tokio::test]
async fn a_5xx_is_decided_by_the_status_even_with_a_code_so_a_buy_stays_in_doubt() {
    let (client, seen) =
        serve(&[("common/getAccessToken", TOKEN_OK), (BUY, (500, r#"{"result":"PC","msg":"결제실패"}"#))]).await;
    let e = buy(&client).await;
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "a failing server may have run the buy: {e}");
    assert_eq!(sent(&seen, BUY), 1);
}

#[tokio::test]
async fn a_2xx_refusal_is_definite_without_an_http_status() {
    let (client, _) =
        serve(&[("common/getAccessToken", TOKEN_OK), (BUY, (200, r#"{"result":"PD","msg":"상품검증실패"}"#))]).await;
    let e = buy(&client).await;
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert_eq!(e.vendor_code().map(|c| c.raw()), Some("PD"));
    assert_eq!(e.http_status(), None);
}
