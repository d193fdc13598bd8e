//! The transport against a scripted server on loopback: each accepted
//! connection plays the next step of a script, so every byte on the wire is ours.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coupon_core::http::{Call, CallSafety, FixedJitter, HttpClient, HttpConfig, Response, RetryPolicy, Url, within};
use coupon_core::{ErrorKind, PartnerRef, Vendor};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

enum Step {
    /// Write these bytes, then close.
    Reply(Vec<u8>),
    /// Close right after reading the request.
    Drop,
    /// Wait, then write these bytes and close.
    ReplyAfter(Duration, Vec<u8>),
    /// Read the request, then hold the connection open without a word.
    Silent,
}

fn later(ms: u64, step: Step) -> Step {
    match step {
        Step::Reply(bytes) => Step::ReplyAfter(Duration::from_millis(ms), bytes),
        other => other,
    }
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
                Step::ReplyAfter(wait, bytes) => {
                    tokio::time::sleep(wait).await;
                    let _ = sock.write_all(&bytes).await;
                    let _ = sock.shutdown().await;
                }
                Step::Silent => {
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        drop(sock);
                    });
                }
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

/// The number before " ms" in a message like "after 1003 ms".
fn millis_after(message: &str) -> u128 {
    let rest = &message[message.find("after ").expect(message) + 6..];
    rest[..rest.find(" ms").expect(message)].parse().expect(message)
}

#[tokio::test]
async fn one_deadline_bounds_every_send_of_an_operation() {
    let total = Duration::from_millis(1_000);
    let mut one_second = fast();
    one_second.total_timeout = total;
    // The same bound three ways: a caller's scope, the client's operation, and a
    // longer inner scope that must not extend the outer one.
    for way in ["within", "operation", "nested"] {
        let ok = || reply("200 OK", &[], b"ok");
        let (base, count) = serve(vec![later(600, ok()), later(600, ok())]).await;
        let c = client(if way == "operation" { one_second.clone() } else { fast() });
        let started = Instant::now();
        let two_sends = async {
            let first = c.send(Call::get("token", base.clone())).await;
            let second = c.send(Call::get("read", base.clone())).await;
            (first, second)
        };
        let (first, second) = match way {
            "within" => within(total, two_sends).await,
            "operation" => c.operation(two_sends).await,
            _ => within(total, within(Duration::from_secs(10), two_sends)).await,
        };
        let spent = started.elapsed();
        assert_eq!(first.unwrap().body(), b"ok", "{way}");
        let e = second.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Timeout, "{way}: {e}");
        assert!(e.message().contains("the operation's deadline is 1000 ms"), "{way}: {e}");
        assert_eq!(e.attempts(), Some(1), "{way}: no time is left for a retry");
        let second_took = e.elapsed().unwrap();
        assert!(second_took < Duration::from_millis(600), "{way}: the second send had only what the first left: {e}");
        assert_eq!(millis_after(e.message()), second_took.as_millis(), "{way}: the message states the time waited");
        assert!(spent >= total && spent <= total + Duration::from_millis(250), "{way}: {spent:?}");
        assert_eq!(count.load(Ordering::SeqCst), 2, "{way}");
    }
}

#[tokio::test]
async fn a_timeout_states_the_time_actually_waited() {
    let mut config = fast();
    config.read_timeout = Duration::from_secs(15);
    config.total_timeout = Duration::from_millis(1_000);
    let (base, _) = serve(vec![Step::Silent]).await;
    let e = client(config).send(Call::get("read", base)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let waited = millis_after(e.message());
    assert!((1_000..1_300).contains(&waited), "{e}");
    assert!(e.message().ends_with("(1 attempt; the operation's deadline is 1000 ms)"), "{e}");
    assert!(!e.message().contains("15000"), "the per-attempt timeout did not bind: {e}");
    assert_eq!(e.elapsed().map(|d| d.as_millis()), Some(waited));
    assert_eq!(e.attempts(), Some(1));

    // When each attempt's own timeout binds, the message says so instead.
    let mut config = fast();
    config.read_timeout = Duration::from_millis(100);
    let (base, _) = serve(vec![Step::Silent, Step::Silent, Step::Silent]).await;
    let e = client(config).send(Call::get("read", base)).await.unwrap_err();
    assert!(e.message().contains("(3 attempts; each attempt may take 100 ms)"), "{e}");
    assert!(millis_after(e.message()) >= 300, "{e}");
    assert_eq!(e.attempts(), Some(3));
}

fn says_s001(r: &Response) -> bool {
    r.body() == br#"{"code":"S001"}"#
}

#[tokio::test]
async fn a_vendor_code_that_says_try_again_makes_a_read_retry() {
    let busy = || reply("200 OK", &[("Content-Type", "application/json")], br#"{"code":"S001"}"#);
    let done = || reply("200 OK", &[("Content-Type", "application/json")], br#"{"code":"0000"}"#);

    let (base, count) = serve(vec![busy(), busy(), done()]).await;
    let r = client(fast()).send(Call::get("list", base).retry_answer_when(says_s001)).await.unwrap();
    assert_eq!((r.body(), r.attempts()), (&br#"{"code":"0000"}"#[..], 3));
    assert!(!r.resent_after_doubt(), "the vendor said it did nothing");
    assert_eq!(count.load(Ordering::SeqCst), 3);

    // Retries run out: the last answer goes to the adapter, which maps S001 as usual.
    let (base, count) = serve(vec![busy(), busy(), busy(), done()]).await;
    let r = client(fast()).send(Call::get("list", base).retry_answer_when(says_s001)).await.unwrap();
    assert_eq!((r.body(), r.attempts()), (&br#"{"code":"S001"}"#[..], 3));
    assert_eq!(count.load(Ordering::SeqCst), 3, "max_attempts, never more");
    let e = r.context_only(coupon_core::Error::new(ErrorKind::Unavailable, "vendor busy (S001)"));
    assert_eq!(e.attempts(), Some(3), "the adapter's error says how many attempts were made");
    assert!(
        e.elapsed().is_some_and(|d| d >= Duration::from_millis(15)),
        "backoffs of 5 and 10 ms (jitter 0 halves them): {e:?}"
    );

    // A 4xx with a body is an answer too.
    let refused = || reply("400 Bad Request", &[], br#"{"code":"S001"}"#);
    let (base, count) = serve(vec![refused(), done()]).await;
    let r = client(fast()).send(Call::get("list", base).retry_answer_when(says_s001)).await.unwrap();
    assert_eq!((r.status(), r.attempts()), (200, 2));
    assert_eq!(count.load(Ordering::SeqCst), 2);

    // Money-moving: never consulted, the answer is final.
    for safety in [CallSafety::MoneyMoving, CallSafety::MoneyMovingDeduplicated] {
        let (base, count) = serve(vec![busy(), done()]).await;
        let r = client(fast()).send(Call::post("buy", base).safety(safety).retry_answer_when(says_s001)).await.unwrap();
        assert_eq!((r.body(), r.attempts()), (&br#"{"code":"S001"}"#[..], 1), "{safety:?}");
        assert_eq!(count.load(Ordering::SeqCst), 1, "{safety:?}");
    }
}

/// Accepts TCP connections and never writes: a TLS client's handshake never completes.
async fn silent_listener() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    (port, task)
}

#[tokio::test]
async fn a_deadline_that_fires_during_the_tls_handshake_means_nothing_was_sent() {
    let (port, server) = silent_listener().await;
    let url: Url = format!("https://127.0.0.1:{port}/SendEPin?mdn=01098765432").parse().unwrap();
    let mut config = fast();
    config.connect_timeout = Duration::from_secs(3);
    config.total_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let e = client(config)
        .send(Call::post("buy", url).safety(CallSafety::MoneyMoving).partner_ref(Some(PartnerRef::new("CP-tls"))))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "the request never left, so this is not OutcomeUnknown: {e}");
    assert!(e.is_retryable());
    assert!(e.message().contains("nothing was sent"), "{e}");
    assert!(e.message().contains("the operation's deadline is 300 ms"), "{e}");
    assert!(!e.to_string().contains("98765432"), "{e}");
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("CP-tls"));
    assert!(started.elapsed() < Duration::from_millis(600), "{:?}", started.elapsed());
    server.abort();
}

#[tokio::test]
async fn a_deadline_that_fires_after_the_request_left_is_still_outcome_unknown() {
    let (base, count) = serve(vec![Step::Silent, reply("200 OK", &[], b"never")]).await;
    let mut config = fast();
    config.total_timeout = Duration::from_millis(300);
    let e = client(config).send(Call::post("buy", base).safety(CallSafety::MoneyMoving)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert!(!e.is_retryable());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_send_whose_operation_is_already_over_sends_nothing() {
    let (base, count) = serve(vec![reply("200 OK", &[], b"late")]).await;
    let c = client(fast());
    let e = within(Duration::from_millis(50), async {
        tokio::time::sleep(Duration::from_millis(80)).await;
        c.send(Call::post("buy", base).safety(CallSafety::MoneyMoving)).await.unwrap_err()
    })
    .await;
    assert_eq!(e.kind(), ErrorKind::Timeout, "nothing left, so the outcome is known: {e}");
    assert!(e.message().contains("nothing was sent"), "{e}");
    assert_eq!(e.attempts(), Some(0));
    assert_eq!(count.load(Ordering::SeqCst), 0);
}
