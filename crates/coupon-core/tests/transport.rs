//! The transport against a scripted server on loopback: each accepted
//! connection plays the next step of a script, so every byte on the wire is ours.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coupon_core::http::{Call, CallSafety, FixedJitter, HttpClient, HttpConfig, RetryPolicy, Url};
use coupon_core::{ErrorKind, PartnerRef, Vendor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

enum Step {
    /// Write these bytes, then close.
    Reply(Vec<u8>),
    /// Close right after reading the request.
    Drop,
}

fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Step {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Step::Reply(bytes)
}

/// Serves the script, one step per request; returns the base URL and a request counter.
async fn serve(script: Vec<Step>) -> (Url, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base: Url = format!("http://{}/", listener.local_addr().unwrap()).parse().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        for step in script {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let mut buf = vec![0u8; 16 * 1024];
            let mut got = Vec::new();
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
            seen.fetch_add(1, Ordering::SeqCst);
            match step {
                Step::Reply(bytes) => {
                    let _ = sock.write_all(&bytes).await;
                    let _ = sock.shutdown().await;
                }
                Step::Drop => drop(sock),
            }
        }
    });
    (base, count)
}

fn client(config: HttpConfig) -> HttpClient {
    HttpClient::with_jitter(Vendor::new("test"), config, Arc::new(FixedJitter(0.0))).unwrap()
}

fn fast() -> HttpConfig {
    let mut c = HttpConfig::default();
    c.retry = RetryPolicy { base_delay: Duration::from_millis(10), ..RetryPolicy::default() };
    c.read_timeout = Duration::from_secs(2);
    c.money_timeout = Duration::from_secs(2);
    c.total_timeout = Duration::from_secs(5);
    c
}

#[tokio::test]
async fn a_body_at_the_cap_is_read_and_one_byte_over_is_refused() {
    let mut config = fast();
    config.max_response_bytes = 16;
    let (base, _) = serve(vec![reply("200 OK", &[], &[b'a'; 16]), reply("200 OK", &[], &[b'a'; 17])]).await;
    let c = client(config);
    let ok = c.send(Call::get("cap", base.join("x").unwrap())).await.unwrap();
    assert_eq!(ok.body().len(), 16);
    let e = c.send(Call::get("cap", base.join("x").unwrap())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("17 bytes; the limit is 16"), "{e}");
}

#[tokio::test]
async fn a_streamed_body_over_the_cap_is_refused_while_reading() {
    let mut config = fast();
    config.max_response_bytes = 10;
    // No Content-Length: the size is only known by counting.
    let body = b"HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n5\r\n78901\r\n0\r\n\r\n";
    let (base, _) = serve(vec![Step::Reply(body.to_vec())]).await;
    let e = client(config).send(Call::get("cap", base)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("exceeds the 10-byte limit"), "{e}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (base, count) = serve(vec![
        reply("302 Found", &[("Location", "/elsewhere")], b""),
        reply("200 OK", &[], b"should never be fetched"),
    ])
    .await;
    let e = client(fast()).send(Call::get("redirect", base.join("start").unwrap())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert_eq!(e.http_status(), Some(302));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_sending() {
    let url: Url = "http://admin.gift-n.net/mn_compare/ExchangeDaily.aspx?cid=x&dt=2026-11-01".parse().unwrap();
    let e = client(fast()).send(Call::get("ExchangeDaily", url)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("refusing plain http to admin.gift-n.net"), "{e}");
}

#[tokio::test]
async fn transport_errors_never_show_the_query_string() {
    // A port nobody listens on: connect fails, and reqwest's error would name the URL.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url: Url = format!("http://127.0.0.1:{port}/SendEPin?enc=0123456789abcdef&mdn=01098765432").parse().unwrap();
    let e = client(fast())
        .send(Call::get("SendEPin", url).safety(CallSafety::MoneyMoving).partner_ref(Some(PartnerRef::new("CP-1"))))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "nothing was sent, so this is not OutcomeUnknown: {e}");
    assert!(e.is_retryable());
    let mut shown = format!("{e} {e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!shown.contains("0123456789abcdef") && !shown.contains("98765432"), "{shown}");
    assert!(shown.contains("CP-1"));
}

#[tokio::test]
async fn charset_labels_are_honoured_and_malformed_bytes_refused() {
    let euc_kr = coupon_core::text::encode_euc_kr("광주영주").unwrap().into_owned();
    let (base, _) = serve(vec![
        reply("200 OK", &[("Content-Type", "text/plain; charset=ks_c_5601-1987")], &euc_kr),
        reply("200 OK", &[("Content-Type", "text/plain; charset=euc-kr")], b"\xB0"),
        reply("200 OK", &[("Content-Type", "text/plain; charset=euc-kr")], b"\xB0"),
    ])
    .await;
    let c = client(fast());
    let r = c.send(Call::get("read", base.clone())).await.unwrap();
    assert_eq!(r.text().unwrap(), "광주영주");
    let e = c.send(Call::get("read", base.clone())).await.unwrap().text().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("not valid EUC-KR"), "{e}");
    // On a money-moving call an unreadable answer leaves the outcome open.
    let r = c.send(Call::get("issue", base).safety(CallSafety::MoneyMoving)).await.unwrap();
    assert_eq!(r.text().unwrap_err().kind(), ErrorKind::OutcomeUnknown);
}

#[tokio::test]
async fn retry_after_is_honoured_on_reads() {
    let (base, count) =
        serve(vec![reply("429 Too Many Requests", &[("Retry-After", "0")], b""), reply("200 OK", &[], b"ok")]).await;
    let r = client(fast()).send(Call::get("read", base)).await.unwrap();
    assert_eq!((r.body(), r.attempts()), (&b"ok"[..], 2));
    assert!(!r.resent_after_doubt(), "a 429 is a refusal: the first attempt did nothing");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_money_moving_call_is_sent_once_and_a_doubt_is_outcome_unknown() {
    let (base, count) = serve(vec![Step::Drop, reply("200 OK", &[], b"second")]).await;
    let e = client(fast())
        .send(Call::post("buy", base).safety(CallSafety::MoneyMoving).partner_ref(Some(PartnerRef::new("r-9"))))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("r-9"));
    assert!(!e.is_retryable());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_deduplicated_call_is_resent_once_after_a_drop() {
    let (base, count) = serve(vec![Step::Drop, reply("200 OK", &[], b"second")]).await;
    let r = client(fast()).send(Call::get("SendEPin", base).safety(CallSafety::MoneyMovingDeduplicated)).await.unwrap();
    assert_eq!((r.body(), r.attempts()), (&b"second"[..], 2));
    assert!(r.resent_after_doubt(), "the dropped first attempt may have taken effect");
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let (base, count) = serve(vec![Step::Drop, Step::Drop, reply("200 OK", &[], b"third")]).await;
    let e =
        client(fast()).send(Call::get("SendEPin", base).safety(CallSafety::MoneyMovingDeduplicated)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(count.load(Ordering::SeqCst), 2, "one re-send, never a third send");
}

#[tokio::test]
async fn a_4xx_reaches_the_adapter_with_its_body() {
    let (base, _) =
        serve(vec![reply("400 Bad Request", &[("Content-Type", "application/json")], br#"{"result":"Q"}"#)]).await;
    let r = client(fast()).send(Call::post("buy", base).safety(CallSafety::MoneyMoving)).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.body(), br#"{"result":"Q"}"#);
    let e = r.status_error();
    assert_eq!(e.kind(), ErrorKind::Rejected, "a 4xx is a definite refusal, even for money");
}
