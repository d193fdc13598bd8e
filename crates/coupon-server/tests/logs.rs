//! What the service logs: one JSON line per request with its id, route pattern, status and time, and
//! never a key, a PIN, a phone number, an Idempotency-Key (it may be a customer's order number), a query
//! string or a body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use common::{Store, TestServer, body};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt().json().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).init();

    let s = TestServer::start(Store::sqlite()).await;
    let key = s.key("issue,read,cancel,pins").await;
    let (vendor, sample) = s.repeatable();
    let idem = "secret-order-ref-77";
    let issued: Value = s.issue(&key, idem, &body(&vendor, &sample)).await.json().await.unwrap();
    assert_eq!(issued["state"], "issued");
    let order = issued["order"].as_str().unwrap().to_string();
    let _ = s.get(&key, &format!("/v1/issues/{idem}")).await;
    let _ = s.get(&key, &format!("/v1/vendors/{vendor}/coupons/status?order={order}")).await;
    let _ = s.post(&key, &format!("/v1/issues/{idem}/cancel"), Some("secret-cancel-ref")).await;
    let _ =
        s.get("cpk_aaaaaaaaaaaa_0000000000000000000000000000000000000000000000000000000000000000", "/v1/vendors").await;
    s.stop().await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["fields"]["message"] == "request").collect();
    assert!(requests.len() >= 5, "one line per request: {text}");
    for r in &requests {
        let f = &r["fields"];
        assert!(f["request_id"].is_string() && f["route"].is_string() && f["status"].is_number(), "{r}");
    }
    assert!(
        requests.iter().any(|r| r["fields"]["key"].as_str().is_some_and(|k| k.starts_with("test-"))),
        "the key's name"
    );
    assert!(requests.iter().any(|r| r["fields"]["route"] == "/v1/issues/{key}/cancel"), "routes as patterns");
    let secret = key.rsplit('_').next().unwrap();
    // Order ids and partner references are no secrets (the library's call spans carry the reference).
    let mut forbidden = vec![secret.to_string(), idem.to_string(), "secret-cancel-ref".to_string()];
    forbidden.extend(issued["pin"].as_str().map(str::to_string));
    if let Some(to) = issued["to"].as_str() {
        forbidden.push(to.to_string());
        forbidden.push(to.replace('-', ""));
    }
    for f in &forbidden {
        assert!(!text.contains(f.as_str()), "a log line holds `{f}`:\n{text}");
    }
}
