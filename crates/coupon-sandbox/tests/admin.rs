//! The sandbox frame over real HTTP on loopback: admin API, request counting, every
//! fault kind as a raw client sees it, and the loopback-only rule.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;
use coupon_sandbox::{
    AdminError, Emulator, FaultKind, FaultSpec, MALFORMED_BODY, RedeemRequest, RunningSandbox, Sandbox, SandboxError,
};
use serde_json::{Value, json};

/// A test vendor under `/probe`: `POST /echo` answers its body as JSON and counts how
/// many times the handler really ran, which is what tells the drop faults apart.
#[derive(Default)]
struct Probe {
    handled: AtomicU64,
}

impl Probe {
    fn handled(&self) -> u64 {
        self.handled.load(Ordering::SeqCst)
    }
}

impl Emulator for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new().route(
            "/echo",
            post(move |body: Bytes| {
                self.handled.fetch_add(1, Ordering::SeqCst);
                async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
    }

    fn fixtures(&self) -> Value {
        json!({"probe": true})
    }

    fn reset(&self) {
        self.handled.store(0, Ordering::SeqCst);
    }

    fn redeem(&self, req: &RedeemRequest) -> Result<Value, AdminError> {
        Ok(json!({"redeemed": req.id, "branch": req.branch, "at": req.at_kst()?.to_rfc3339()}))
    }

    fn admin_router(self: Arc<Self>) -> Option<Router> {
        Some(
            Router::new().route("/handled", get(move || async move { axum::Json(json!({"handled": self.handled()})) })),
        )
    }
}

async fn with_probe() -> (RunningSandbox, Arc<Probe>) {
    let probe = Arc::new(Probe::default());
    let sandbox = Sandbox::new()
        .with_emulator(Arc::clone(&probe) as Arc<dyn Emulator>)
        .listen(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("sandbox starts");
    (sandbox, probe)
}

/// A client that never reuses a connection, so a connection closed by one fault cannot
/// affect the next request, and that ignores any proxy of the environment.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

async fn echo(sandbox: &RunningSandbox, body: &'static str) -> reqwest::Result<reqwest::Response> {
    raw_client().post(format!("{}/echo", sandbox.vendor_url("probe"))).body(body).send().await
}

#[tokio::test]
async fn starts_on_loopback_with_urls_and_config() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let addr = sandbox.addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let base = format!("http://127.0.0.1:{}", addr.port());
    assert_eq!(sandbox.base_url(), base);
    assert_eq!(sandbox.vendor_url("giftletter"), format!("{base}/giftletter"));
    let config = sandbox.config_toml();
    assert!(config.starts_with("# coupon sandbox: ready-to-use configuration (loopback only)\n"));
    assert!(config.contains(&format!("base_url = \"{base}/giftimbiz\"")));
    assert!(config.contains(&format!("exchange_url = \"{base}/giftletter/mn_compare/ExchangeDaily.aspx\"")));
    // Only the sections asked for, for a program with fewer adapters installed.
    let names = sandbox.vendors();
    let one = sandbox.config_toml_for(&names[..1]);
    assert!(one.starts_with("# coupon sandbox") && one.contains(&format!("[{}]", names[0])), "{one}");
    assert!(names[1..].iter().all(|n| !one.contains(&format!("[{n}]"))), "{one}");
    assert_eq!(sandbox.config_toml_for(&names), config);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn fixtures_hold_every_built_in_vendor() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let fixtures = sandbox.admin().fixtures().await.expect("fixtures");
    let mut vendors: Vec<_> = fixtures.as_object().expect("object").keys().cloned().collect();
    vendors.sort();
    let built_in: Vec<String> = coupon_sandbox::emulators().iter().map(|e| e.name().to_owned()).collect();
    assert_eq!(vendors, built_in);
    let goods = fixtures["giftletter"]["goods"].as_array().expect("giftletter goods");
    assert!(goods.iter().any(|g| g["goods_id"] == "0000000582"));
    assert_eq!(fixtures["giftimbiz"]["gifticon_categories"][0]["mc_title"], "커피음료");
    let coupons = fixtures["coufun"]["coupons"].as_array().expect("coufun coupons");
    assert!(coupons.iter().any(|c| c["orders"].as_array().map(Vec::len) == Some(3)));
}

#[tokio::test]
async fn fixtures_samples_and_config_follow_the_emulator_set() {
    let (sandbox, _probe) = with_probe().await;
    let admin = sandbox.admin();
    let names = sandbox.vendors();
    assert!(names.contains(&"probe") && names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    let built_in: Vec<_> = coupon_sandbox::emulators().iter().map(|e| e.name()).collect();
    assert_eq!(names.len(), built_in.len() + 1);

    let keys = |v: &Value| v.as_object().expect("object").keys().cloned().collect::<Vec<_>>();
    let fixtures = admin.fixtures().await.expect("fixtures");
    assert_eq!(keys(&fixtures), names);
    assert_eq!(fixtures["probe"], json!({"probe": true}));
    let typed = admin.samples().await.expect("samples");
    assert_eq!(typed, sandbox.state().samples(), "the typed samples read back as they were written");
    let samples = json!(typed);
    assert_eq!(keys(&samples), names);
    assert_eq!(samples["probe"], json!({}), "the default: nothing to tour");
    for name in &built_in {
        assert!(!keys(&samples[name]).is_empty(), "{name} offers something to tour");
    }

    // The header, then one section per emulator in name order; the probe's is the default.
    let config = sandbox.config_toml();
    let headers: Vec<_> = config.lines().filter(|l| l.starts_with('[')).collect();
    let expected: Vec<_> = names.iter().map(|n| format!("[{n}]")).collect();
    assert_eq!(headers, expected);
    let probe_url = sandbox.vendor_url("probe");
    assert!(config.contains(&format!("\n[probe]\nbase_url = \"{probe_url}\"\n")), "{config}");
}

#[tokio::test]
async fn stats_count_every_vendor_request_per_path_and_reset_clears_them() {
    let (sandbox, _probe) = with_probe().await;
    let admin = sandbox.admin();
    let http = raw_client();
    let token = format!("{}/api/v1/common/getAccessToken", sandbox.vendor_url("giftimbiz"));
    for _ in 0..3 {
        // Refused (no partner headers: TOKEN06), and counted all the same.
        let response = http.post(format!("{token}?partner_id=sandbox")).send().await.expect("answer");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("JSON refusal");
        assert_eq!(body["result"], "TOKEN06");
    }
    echo(&sandbox, "{}").await.expect("echo");

    let path = "/giftimbiz/api/v1/common/getAccessToken";
    let stats = admin.stats().await.expect("stats");
    assert_eq!(stats.count(path), 3, "query strings are not part of the path");
    assert_eq!(stats.count("/probe/echo"), 1);
    assert_eq!(stats.requests.len(), 2, "admin calls are not counted: {stats:?}");
    assert_eq!(admin.request_count(path).await.expect("count"), 3);
    assert_eq!(sandbox.request_count(path), 3);

    let raw: Value = http
        .get(format!("{}/_sandbox/stats", sandbox.base_url()))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("JSON");
    assert_eq!(raw, json!({"requests": {path: 3, "/probe/echo": 1}}));

    admin.inject(FaultSpec::new("/probe", FaultKind::Drop)).await.expect("inject");
    admin.reset().await.expect("reset");
    assert!(admin.stats().await.expect("stats").requests.is_empty());
    assert!(admin.faults().await.expect("faults").is_empty(), "reset clears faults");
    assert_eq!(echo(&sandbox, "ok").await.expect("no fault left").status(), 200);
}

#[tokio::test]
async fn reset_resets_every_emulator() {
    let (sandbox, probe) = with_probe().await;
    echo(&sandbox, "1").await.expect("echo");
    assert_eq!(probe.handled(), 1);
    sandbox.admin().reset().await.expect("reset");
    assert_eq!(probe.handled(), 0);
}

#[tokio::test]
async fn redeem_dispatches_by_vendor() {
    let (sandbox, _probe) = with_probe().await;
    let admin = sandbox.admin();

    let done = admin
        .redeem_with(&RedeemRequest::new("probe", "PIN-1").branch("광주영주").at("2026-11-20 14:03:00"))
        .await
        .expect("redeemed");
    assert_eq!(done, json!({"redeemed": "PIN-1", "branch": "광주영주", "at": "2026-11-20T14:03:00+09:00"}));

    match admin.redeem("nowhere", "1", None).await {
        Err(SandboxError::Admin { status: 404, message }) => assert!(message.contains("nowhere")),
        other => panic!("unknown vendor: {other:?}"),
    }
    // Dispatch reaches the vendor's own emulator, which refuses a coupon it never issued.
    match admin.redeem("giftletter", "000000000000", Some("부산대")).await {
        Err(SandboxError::Admin { status: 404, .. }) => {}
        other => panic!("unknown giftletter PIN: {other:?}"),
    }
    let bad_time = RedeemRequest::new("probe", "1").at("yesterday");
    match admin.redeem_with(&bad_time).await {
        Err(SandboxError::Admin { status: 400, message }) => assert!(message.contains("`at`")),
        other => panic!("bad time: {other:?}"),
    }
}

#[tokio::test]
async fn malformed_admin_json_is_a_json_400() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let http = raw_client();
    for (route, body) in [
        ("faults", "{\"path_prefix\": \"/giftletter\""),
        ("faults", "{\"path_prefix\": \"/giftletter\", \"fault\": {\"kind\": \"explode\"}}"),
        ("faults", "{\"path\": \"/giftletter\", \"fault\": {\"kind\": \"drop\"}}"),
        ("faults", "{\"path_prefix\": \"/giftletter\", \"count\": 0, \"fault\": {\"kind\": \"drop\"}}"),
        ("redeem", "[]"),
        ("redeem", "\u{feff}not json at all"),
    ] {
        let response = http
            .post(format!("{}/_sandbox/{route}", sandbox.base_url()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.expect("JSON error");
        assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    }
    let wrong_method = http.put(format!("{}/_sandbox/stats", sandbox.base_url())).send().await.expect("answer");
    assert_eq!(wrong_method.status(), 405);
    assert!(wrong_method.json::<Value>().await.expect("JSON")["error"].is_string());
}

#[tokio::test]
async fn vendor_admin_routes_are_nested_under_the_admin_prefix() {
    let (sandbox, _probe) = with_probe().await;
    echo(&sandbox, "x").await.expect("echo");
    let body: Value = raw_client()
        .get(format!("{}/_sandbox/probe/handled", sandbox.base_url()))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body, json!({"handled": 1}));
    assert_eq!(sandbox.request_count("/_sandbox/probe/handled"), 0);
}

#[tokio::test]
async fn drop_runs_the_handler_then_closes_without_answer() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe/echo", FaultKind::Drop)).await.expect("inject");
    let error = echo(&sandbox, "{}").await.expect_err("no answer");
    assert!(!error.is_connect(), "the connection was made: {error:?}");
    assert_eq!(probe.handled(), 1, "the request took effect");
    assert_eq!(sandbox.request_count("/probe/echo"), 1);
    assert_eq!(echo(&sandbox, "{}").await.expect("fault used up").status(), 200);
}

/// Waits (up to 5 s) until the probe's handler has run `n` times.
async fn handled_soon(probe: &Probe, n: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while probe.handled() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    probe.handled() == n
}

#[tokio::test]
async fn hold_then_drop_acts_at_once_then_closes_after_the_hold() {
    let (sandbox, probe) = with_probe().await;
    let fault = FaultKind::HoldThenDrop { ms: 400 };
    sandbox.admin().inject(FaultSpec::new("/probe/echo", fault)).await.expect("inject");
    let started = Instant::now();
    let pending = tokio::spawn({
        let url = format!("{}/echo", sandbox.vendor_url("probe"));
        async move { raw_client().post(url).body("{}").send().await }
    });
    assert!(handled_soon(&probe, 1).await, "the handler ran before the hold ended");
    assert!(!pending.is_finished(), "the answer is held");
    let error = pending.await.expect("task").expect_err("no answer");
    assert!(started.elapsed() >= Duration::from_millis(400), "{:?}", started.elapsed());
    assert!(!error.is_connect() && !error.is_timeout(), "the connection closed: {error:?}");
    assert_eq!(probe.handled(), 1, "the request took effect once");
    assert_eq!(echo(&sandbox, "{}").await.expect("fault used up").status(), 200);
}

#[tokio::test]
async fn hold_then_answer_acts_at_once_then_answers_after_the_hold() {
    let (sandbox, probe) = with_probe().await;
    let fault = FaultKind::HoldThenAnswer { ms: 400 };
    sandbox.admin().inject(FaultSpec::new("/probe/echo", fault)).await.expect("inject");
    let started = Instant::now();
    let pending = tokio::spawn({
        let url = format!("{}/echo", sandbox.vendor_url("probe"));
        async move { raw_client().post(url).body(r#"{"held": true}"#).send().await?.text().await }
    });
    assert!(handled_soon(&probe, 1).await, "the handler ran before the hold ended");
    assert!(!pending.is_finished(), "the answer is held");
    let body = pending.await.expect("task").expect("the answer, late");
    assert!(started.elapsed() >= Duration::from_millis(400), "{:?}", started.elapsed());
    assert_eq!(body, r#"{"held": true}"#);
    assert_eq!(probe.handled(), 1);
}

#[tokio::test]
async fn drop_unprocessed_closes_without_running_the_handler() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe", FaultKind::DropUnprocessed)).await.expect("inject");
    let error = echo(&sandbox, "{}").await.expect_err("no answer");
    assert!(!error.is_connect(), "the connection was made: {error:?}");
    assert_eq!(probe.handled(), 0, "the request did not take effect");
    assert_eq!(sandbox.request_count("/probe/echo"), 1, "still counted");
}

#[tokio::test]
async fn status_answers_an_html_page_without_running_the_handler() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe/echo", FaultKind::Status { status: 503 })).await.expect("inject");
    let response = echo(&sandbox, "{}").await.expect("an answer");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.text().await.expect("body"), "<html><body><h1>503 Service Unavailable</h1></body></html>");
    assert_eq!(probe.handled(), 0);
}

#[tokio::test]
async fn latency_delays_then_handles_normally() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe/echo", FaultKind::Latency { ms: 300 })).await.expect("inject");
    let started = Instant::now();
    let response = echo(&sandbox, "{\"slow\":true}").await.expect("an answer");
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "{\"slow\":true}");
    assert_eq!(probe.handled(), 1);
}

#[tokio::test]
async fn truncate_sends_the_true_length_and_half_the_body() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe/echo", FaultKind::Truncate)).await.expect("inject");
    let body = "{\"items\":[1,2,3,4,5,6,7,8,9,10]}";
    let response = echo(&sandbox, body).await.expect("headers arrive");
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(body.len() as u64));
    let error = response.bytes().await.expect_err("the body is cut short");
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(probe.handled(), 1);
}

#[tokio::test]
async fn malformed_keeps_status_and_type_but_garbles_the_body() {
    let (sandbox, probe) = with_probe().await;
    sandbox.admin().inject(FaultSpec::new("/probe/echo", FaultKind::Malformed)).await.expect("inject");
    let response = echo(&sandbox, "{\"fine\":true}").await.expect("an answer");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body = response.bytes().await.expect("whole body");
    assert_eq!(&body[..], MALFORMED_BODY);
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert_eq!(probe.handled(), 1);
}

#[tokio::test]
async fn faults_queue_in_order_with_counts_and_can_be_listed_and_cleared() {
    let (sandbox, probe) = with_probe().await;
    let admin = sandbox.admin();
    admin.inject(FaultSpec::new("/probe/echo", FaultKind::Status { status: 502 }).times(2)).await.expect("inject");
    admin.inject(FaultSpec::new("/probe", FaultKind::Status { status: 504 })).await.expect("inject");
    admin.inject(FaultSpec::new("/giftletter", FaultKind::Drop)).await.expect("inject");

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(echo(&sandbox, "{}").await.expect("an answer").status().as_u16());
    }
    assert_eq!(statuses, [502, 502, 504, 200]);
    assert_eq!(probe.handled(), 1);

    let pending = admin.faults().await.expect("list");
    assert_eq!(pending, [FaultSpec::new("/giftletter", FaultKind::Drop)]);
    admin.clear_faults().await.expect("clear");
    assert!(admin.faults().await.expect("list").is_empty());
}

#[tokio::test]
async fn faults_never_touch_the_admin_api() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    match sandbox.admin().inject(FaultSpec::new("/_sandbox/stats", FaultKind::Drop)).await {
        Err(SandboxError::Admin { status: 400, .. }) => {}
        other => panic!("admin fault accepted: {other:?}"),
    }
    // A prefix matching everything still leaves the admin API alone.
    let admin = sandbox.admin();
    admin.inject(FaultSpec::new("/", FaultKind::DropUnprocessed)).await.expect("inject");
    assert!(admin.stats().await.is_ok());
    assert_eq!(admin.faults().await.expect("still pending").len(), 1);
}

#[tokio::test]
async fn refuses_non_loopback_addresses() {
    for addr in ["0.0.0.0:0", "192.0.2.10:8080", "[::]:0", "[2001:db8::1]:80"] {
        let addr: SocketAddr = addr.parse().expect("address");
        match Sandbox::bind(addr).await {
            Err(error @ SandboxError::NonLoopback(refused)) => {
                assert_eq!(refused, addr);
                assert!(error.to_string().contains(&addr.to_string()), "{error}");
            }
            other => panic!("{addr} accepted: {other:?}"),
        }
    }
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let stats = format!("{}/_sandbox/stats", sandbox.base_url());
    assert!(raw_client().get(&stats).send().await.is_ok());
    sandbox.shutdown().await;
    let error = raw_client().get(&stats).send().await.expect_err("stopped");
    assert!(error.is_connect(), "{error:?}");

    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let stats = format!("{}/_sandbox/stats", sandbox.base_url());
    drop(sandbox);
    // The abort takes effect at the task's next poll: give the runtime a moment.
    let mut refused = false;
    for _ in 0..50 {
        if let Err(error) = raw_client().get(&stats).send().await {
            refused = error.is_connect();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the server kept answering after drop");
}

/// Sends one raw HTTP/1.1 request and reads until the server closes the connection
/// (a reset counts as a close), returning every byte received.
async fn raw_exchange(sandbox: &RunningSandbox, body: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut stream = tokio::net::TcpStream::connect(sandbox.addr()).await.expect("connect");
    let request = format!("POST /probe/echo HTTP/1.1\r\nHost: sandbox\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
            Err(_) => panic!("the server kept the connection open"),
        }
    }
    received
}

#[tokio::test]
async fn on_the_wire_drop_sends_nothing_and_truncate_sends_exactly_half() {
    let (sandbox, _probe) = with_probe().await;
    let admin = sandbox.admin();

    admin.inject(FaultSpec::new("/probe/echo", FaultKind::Drop)).await.expect("inject");
    assert_eq!(raw_exchange(&sandbox, "{\"a\":1}").await, b"");

    admin.inject(FaultSpec::new("/probe/echo", FaultKind::Truncate)).await.expect("inject");
    let body = "0123456789abcdefghij";
    let received = raw_exchange(&sandbox, body).await;
    let text = String::from_utf8(received).expect("ASCII");
    let (head, sent) = text.split_once("\r\n\r\n").expect("headers were sent");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_ascii_lowercase().contains("content-length: 20"), "{head}");
    assert_eq!(sent, "0123456789");
}
