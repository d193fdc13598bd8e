//! The core transport against the sandbox's fault injection, over real HTTP on
//! loopback: the retry rules as a vendor outage would exercise them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use coupon::http::{Call, CallSafety, FixedJitter, HttpClient, HttpConfig, RetryPolicy, Url};
use coupon::{ErrorKind, PartnerRef, Vendor};
use coupon_sandbox::{AdminError, Emulator, FaultKind, FaultSpec, RedeemRequest, RunningSandbox, Sandbox};
use serde_json::{Value, json};

/// A vendor under `/probe` whose one endpoint counts how often it really ran.
#[derive(Default)]
struct Probe {
    handled: AtomicU64,
}

impl Emulator for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new().route(
            "/op",
            post(move || {
                self.handled.fetch_add(1, Ordering::SeqCst);
                async { axum::Json(json!({"ok": true})) }
            }),
        )
    }

    fn fixtures(&self) -> Value {
        json!({})
    }

    fn reset(&self) {
        self.handled.store(0, Ordering::SeqCst);
    }

    fn redeem(&self, _req: &RedeemRequest) -> Result<Value, AdminError> {
        Err(AdminError::NotFound("the probe has no coupons".into()))
    }
}

struct Fixture {
    sandbox: RunningSandbox,
    probe: Arc<Probe>,
    url: Url,
}

impl Fixture {
    async fn start() -> Self {
        let probe = Arc::new(Probe::default());
        let sandbox = Sandbox::new()
            .with_emulator(probe.clone())
            .listen("127.0.0.1:0".parse().unwrap())
            .await
            .expect("the sandbox starts on loopback");
        let url = format!("{}/op", sandbox.vendor_url("probe")).parse().unwrap();
        Self { sandbox, probe, url }
    }

    async fn fault(&self, kind: FaultKind, times: u32) {
        self.sandbox.admin().inject(FaultSpec::new("/probe/op", kind).times(times)).await.expect("fault accepted");
    }

    fn requests(&self) -> u64 {
        self.sandbox.request_count("/probe/op")
    }

    fn handled(&self) -> u64 {
        self.probe.handled.load(Ordering::SeqCst)
    }
}

fn client(read_timeout_ms: u64) -> HttpClient {
    let mut c = HttpConfig::default();
    c.retry = RetryPolicy { base_delay: Duration::from_millis(20), ..RetryPolicy::default() };
    c.read_timeout = Duration::from_millis(read_timeout_ms);
    c.money_timeout = Duration::from_millis(read_timeout_ms);
    c.total_timeout = Duration::from_secs(10);
    HttpClient::with_jitter(Vendor::new("probe"), c, Arc::new(FixedJitter(0.0))).unwrap()
}

#[tokio::test]
async fn a_read_that_meets_503_is_sent_again_and_succeeds() {
    let f = Fixture::start().await;
    f.fault(FaultKind::Status { status: 503 }, 1).await;
    let r = client(2_000).send(Call::post("read", f.url.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.attempts(), 2);
    assert_eq!(f.requests(), 2);
    assert_eq!(f.handled(), 1);
}

#[tokio::test]
async fn a_money_moving_call_that_meets_503_is_sent_once_and_is_outcome_unknown() {
    let f = Fixture::start().await;
    f.fault(FaultKind::Status { status: 503 }, 1).await;
    let e = client(2_000)
        .send(
            Call::post("buy", f.url.clone())
                .safety(CallSafety::MoneyMoving)
                .partner_ref(Some(PartnerRef::new("CP-503"))),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert_eq!(e.partner_ref().map(PartnerRef::as_str), Some("CP-503"));
    assert_eq!(e.http_status(), Some(503));
    assert_eq!(f.requests(), 1);
}

#[tokio::test]
async fn a_connection_dropped_after_a_money_moving_request_is_outcome_unknown() {
    let f = Fixture::start().await;
    f.fault(FaultKind::Drop, 1).await;
    let e = client(2_000)
        .send(
            Call::post("buy", f.url.clone())
                .safety(CallSafety::MoneyMoving)
                .partner_ref(Some(PartnerRef::new("CP-drop"))),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "{e}");
    assert!(!e.is_retryable());
    assert_eq!(f.requests(), 1, "never sent twice");
    assert_eq!(f.handled(), 1, "the sandbox did act on it: exactly the case a retry would double");
}

#[tokio::test]
async fn a_read_whose_connection_drops_is_retried() {
    let f = Fixture::start().await;
    f.fault(FaultKind::DropUnprocessed, 1).await;
    let r = client(2_000).send(Call::post("read", f.url.clone())).await.unwrap();
    assert_eq!((r.attempts(), f.requests(), f.handled()), (2, 2, 1));
}

#[tokio::test]
async fn latency_past_the_timeout_is_a_timeout() {
    let f = Fixture::start().await;
    f.fault(FaultKind::Latency { ms: 1_500 }, 3).await;
    let e = client(200).send(Call::post("read", f.url.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(e.is_retryable());
    assert_eq!(f.requests(), 3, "a read is tried three times");
}

#[tokio::test]
async fn a_truncated_or_malformed_answer_is_not_a_success() {
    let f = Fixture::start().await;
    f.fault(FaultKind::Truncate, 3).await;
    let e = client(2_000).send(Call::post("read", f.url.clone())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    f.fault(FaultKind::Malformed, 1).await;
    let r = client(2_000).send(Call::post("read", f.url.clone())).await.unwrap();
    assert!(r.text().is_err(), "garbage bytes are refused by strict decoding");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_costs_the_vendor_little_more_than_the_calls_themselves() {
    const CALLS: u64 = 200;
    let f = Fixture::start().await;
    // Every request answers 503 for as long as the test runs.
    f.fault(FaultKind::Status { status: 503 }, 100_000).await;
    let one = client(2_000);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let (c, url) = (one.clone(), f.url.clone());
        calls.spawn(async move { c.send(Call::post("read", url)).await });
    }
    let mut refused_by_budget = 0;
    while let Some(done) = calls.join_next().await {
        let e = done.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unavailable, "{e}");
        assert_eq!(e.http_status(), Some(503));
        assert!(e.attempts().is_some_and(|n| (1..=3).contains(&n)), "{e}");
        if e.message().contains("the retry budget is exhausted") {
            refused_by_budget += 1;
        }
    }
    // Without the budget: 3 attempts each, 600 requests. With it: the calls
    // plus 20 % of them (or the floor of 10), over one 10 s window.
    let requests = f.requests();
    assert!((CALLS..=250).contains(&requests), "{requests} requests for {CALLS} calls");
    assert!(refused_by_budget > 0, "some calls were stopped by the budget, and said so");
    assert_eq!(f.handled(), 0);
}
