//! Health, readiness, metrics, the OpenAPI document, request ids, the rate limit, and shutdown with
//! requests in flight.

use std::time::Duration;

use coupon_sandbox::{FaultKind, FaultSpec};
use serde_json::Value;

use super::common::{Store, TestServer, body, fast_config, on_every_backend};

on_every_backend!(health_readiness_and_metrics_answer, every_answer_carries_a_request_id,);

async fn health_readiness_and_metrics_answer(s: &TestServer) {
    let h = s.http.get(format!("{}/healthz", s.base)).send().await.unwrap();
    assert_eq!(h.status(), 200);
    let r: Value = s.http.get(format!("{}/readyz", s.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], "ready", "{r}");
    let key = s.key("issue").await;
    let (vendor, sample) = s.repeatable();
    assert_eq!(s.issue(&key, "m-1", &body(&vendor, &sample)).await.status(), 201);
    assert_eq!(s.issue(&key, "m-1", &body(&vendor, &sample)).await.status(), 201);
    let text = s.http.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap();
    assert!(
        text.contains("coupon_http_requests_total{route=\"/v1/issues\",method=\"POST\",status=\"201\"} 2"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "coupon_vendor_calls_total{{vendor=\"{vendor}\",operation=\"issue\",outcome=\"ok\"}} 1"
        )),
        "{text}"
    );
    assert!(text.contains("coupon_idempotent_replays_total 1"));
    assert!(text.contains("coupon_doubts_open 0"));
    assert!(!text.contains(&key), "no key in metrics");
}

async fn every_answer_carries_a_request_id(s: &TestServer) {
    let r = s.http.get(format!("{}/healthz", s.base)).header("X-Request-Id", "abc-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = s.http.get(format!("{}/v1/vendors", s.base)).send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"].len(), 16);
    let r = s.http.get(format!("{}/nope", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json")).unwrap_or_default();
    let generated = coupon_server::openapi::document();
    if committed != generated {
        if std::env::var_os("COUPON_BLESS").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json"), &generated).unwrap();
            return;
        }
        panic!(
            "docs/openapi.json differs from the code's document: run `COUPON_BLESS=1 cargo test -p coupon-server --test service openapi` and commit it"
        );
    }
    let doc: Value = serde_json::from_str(&generated).unwrap();
    for path in [
        "/v1/issues",
        "/v1/issues/{key}",
        "/v1/issues/{key}/cancel",
        "/v1/vendors",
        "/v1/campaigns",
        "/v1/campaigns/{name}/run",
        "/healthz",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is in the document");
    }
    for path in doc["paths"].as_object().unwrap().keys() {
        assert!(path.starts_with('/') && !path.starts_with("//"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_json_is_served() {
    let s = TestServer::start(Store::sqlite()).await;
    let served: Value = s.http.get(format!("{}/openapi.json", s.base)).send().await.unwrap().json().await.unwrap();
    let generated: Value = serde_json::from_str(&coupon_server::openapi::document()).unwrap();
    assert_eq!(served, generated);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let mut config = fast_config();
    config.rate_per_key = coupon_server::RateLimit { per_second: 1.0, burst: 3 };
    let s = TestServer::start_with(Store::sqlite(), config).await;
    let key = s.key("read").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(s.get(&key, "/v1/vendors").await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let r = s.get(&key, "/v1/vendors").await;
    assert!(r.headers()["Retry-After"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let other = s.key("read").await;
    assert_eq!(s.get(&other, "/v1/vendors").await.status(), 200, "per key");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_and_records_the_calls_in_flight() {
    let s = TestServer::start(Store::sqlite()).await;
    let key = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    assert_eq!(s.issue(&key, "warm", &body(&vendor, &sample)).await.status(), 201);
    s.admin()
        .inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::HoldThenAnswer { ms: 500 }).times(3))
        .await
        .unwrap();
    let mut calls = Vec::new();
    for i in 0..3 {
        let (http, base, key, b) = (s.http.clone(), s.base.clone(), key.clone(), body(&vendor, &sample));
        calls.push(tokio::spawn(async move {
            http.post(format!("{base}/v1/issues"))
                .bearer_auth(key)
                .header("Idempotency-Key", format!("inflight-{i}"))
                .json(&b)
                .send()
                .await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The answers are sent only once recorded: each 201 is a recorded issue.
    s.stop().await;
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().status(), 201, "answered before the service stopped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_purges_keys_past_their_retention() {
    let mut config = fast_config();
    config.idempotency_retention = Duration::from_millis(1);
    config.purge_every = Duration::from_millis(100);
    let s = TestServer::start_with(Store::sqlite(), config).await;
    let key = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    assert_eq!(s.issue(&key, "short-lived", &body(&vendor, &sample)).await.status(), 201);
    let mut gone = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if s.get(&key, "/v1/issues/short-lived").await.status() == 404 {
            gone = true;
            break;
        }
    }
    assert!(gone, "the purge forgot the key past its retention");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_is_503_and_its_issue_still_recorded() {
    let mut config = fast_config();
    config.request_timeout = Duration::from_millis(300);
    let s = TestServer::start_with(Store::sqlite(), config).await;
    let key = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    s.warm(&vendor).await;
    s.admin().inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::HoldThenAnswer { ms: 900 })).await.unwrap();
    let r = s.issue(&key, "slow-answer", &body(&vendor, &sample)).await;
    assert_eq!(r.status(), 503);
    let p: Value = r.json().await.unwrap();
    assert_eq!((p["kind"].as_str(), p["retryable"].as_bool()), (Some("timeout"), Some(true)));
    // The call went on to its end on its own task and was recorded: the key reads issued, and a repeat replays.
    let settled = s.settled(&key, "slow-answer").await;
    assert_eq!(settled["state"], "issued", "{settled}");
    let again = s.issue(&key, "slow-answer", &body(&vendor, &sample)).await;
    assert_eq!((again.status().as_u16(), again.headers()["Idempotent-Replayed"].to_str().unwrap()), (201, "true"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_at_its_call_limit_gives_the_key_back_and_a_replay_never_waits() {
    let mut config = fast_config();
    config.max_concurrent_calls = 1;
    config.send_lease = Duration::from_secs(2);
    let s = TestServer::start_with(Store::sqlite(), config).await;
    let key = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    assert_eq!(s.issue(&key, "done-before", &body(&vendor, &sample)).await.status(), 201);
    let before = s.admin().issued(&vendor).await.unwrap().len();
    s.admin().inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::HoldThenAnswer { ms: 900 })).await.unwrap();
    let slow = tokio::spawn({
        let (http, base, key, b) = (s.http.clone(), s.base.clone(), key.clone(), body(&vendor, &sample));
        async move {
            http.post(format!("{base}/v1/issues"))
                .bearer_auth(key)
                .header("Idempotency-Key", "holder")
                .json(&b)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The one turn is taken: a new request waits a tenth of the lease, then is given back unsent.
    let busy = s.issue(&key, "waiter", &body(&vendor, &sample)).await;
    assert_eq!(busy.status(), 503);
    let p: Value = busy.json().await.unwrap();
    assert_eq!((p["kind"].as_str(), p["retryable"].as_bool()), (Some("busy"), Some(true)), "{p}");
    // A replay needs no turn.
    let replay = s.issue(&key, "done-before", &body(&vendor, &sample)).await;
    assert_eq!((replay.status().as_u16(), replay.headers()["Idempotent-Replayed"].to_str().unwrap()), (201, "true"));
    assert_eq!(slow.await.unwrap().unwrap().status(), 201);
    // The key given back goes again, once.
    assert_eq!(s.issue(&key, "waiter", &body(&vendor, &sample)).await.status(), 201);
    assert_eq!(s.admin().issued(&vendor).await.unwrap().len(), before + 2);
    s.stop().await;
}
