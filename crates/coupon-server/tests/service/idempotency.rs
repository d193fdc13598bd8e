//! `POST /v1/issues` and a coupon's cancel and resend under an Idempotency-Key: a repeat replays,
//! a repeat in flight is 409, a different request is 422, a doubt is 202 and settled in the
//! background, and the vendor sees one request.

use std::time::Duration;

use coupon_sandbox::{FaultKind, FaultSpec};
use serde_json::Value;

use super::common::{TestServer, body, on_every_backend};

on_every_backend!(
    a_repeat_replays_the_first_answer_and_the_vendor_issues_once,
    a_repeat_while_the_first_is_in_flight_is_409_with_retry_after,
    the_same_key_with_another_request_is_422_and_sends_nothing,
    a_doubt_is_202_unknown_then_settled_issued_in_the_background,
    a_request_that_never_left_is_202_then_settled_not_issued,
    keys_are_scoped_per_api_key,
    a_cancel_refunds_once_whatever_its_key_and_a_resend_replays,
    the_purge_forgets_old_answers_but_never_a_doubt,
);

async fn issued_count(s: &TestServer, vendor: &str) -> usize {
    s.admin().issued(vendor).await.unwrap().len()
}

async fn a_repeat_replays_the_first_answer_and_the_vendor_issues_once(s: &TestServer) {
    let key = s.key("issue,read").await;
    for (vendor, sample) in s.issuing_vendors() {
        let before = issued_count(s, &vendor).await;
        let idem = format!("order-{vendor}-1");
        let first = s.issue(&key, &idem, &body(&vendor, &sample)).await;
        assert_eq!(first.status(), 201, "{vendor}");
        assert_eq!(first.headers()["Idempotent-Replayed"], "false");
        let first: Value = first.json().await.unwrap();
        assert_eq!((first["state"].as_str(), first["key"].as_str()), (Some("issued"), Some(idem.as_str())));
        assert!(first["partner_ref"].as_str().is_some_and(|r| r.len() == 20), "{first}");
        for _ in 0..3 {
            let again = s.issue(&key, &idem, &body(&vendor, &sample)).await;
            assert_eq!(again.status(), 201);
            assert_eq!(again.headers()["Idempotent-Replayed"], "true");
            assert_eq!(
                again.json::<Value>().await.unwrap(),
                first,
                "a replay is the first answer, byte for byte in meaning"
            );
        }
        assert_eq!(issued_count(s, &vendor).await, before + 1, "{vendor}: one coupon for four requests");
        // The read masks the recipient; the issue's own answer shows it.
        let read: Value = s.get(&key, &format!("/v1/issues/{idem}")).await.json().await.unwrap();
        assert_eq!(read["state"], "issued");
        if let Some(to) = first["to"].as_str() {
            assert_ne!(read["to"].as_str(), Some(to));
            assert!(read["to"].as_str().unwrap().contains('*'), "{read}");
        }
    }
}

async fn a_repeat_while_the_first_is_in_flight_is_409_with_retry_after(s: &TestServer) {
    let key = s.key("issue").await;
    let (vendor, sample) = s.repeatable();
    s.warm(&vendor).await;
    s.admin().inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::HoldThenAnswer { ms: 700 })).await.unwrap();
    let b = body(&vendor, &sample);
    let first = tokio::spawn({
        let (http, base, key, b) = (s.http.clone(), s.base.clone(), key.clone(), b.clone());
        async move {
            http.post(format!("{base}/v1/issues"))
                .bearer_auth(key)
                .header("Idempotency-Key", "slow")
                .json(&b)
                .send()
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = s.issue(&key, "slow", &b).await;
    assert_eq!(second.status(), 409);
    assert!(second.headers()["Retry-After"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(second.headers()["content-type"], "application/problem+json");
    let p: Value = second.json().await.unwrap();
    assert_eq!((p["kind"].as_str(), p["retryable"].as_bool()), (Some("in_flight"), Some(true)));
    assert_eq!(first.await.unwrap().status(), 201);
    let after = s.issue(&key, "slow", &b).await;
    assert_eq!((after.status().as_u16(), after.headers()["Idempotent-Replayed"].to_str().unwrap()), (201, "true"));
}

async fn the_same_key_with_another_request_is_422_and_sends_nothing(s: &TestServer) {
    let key = s.key("issue").await;
    let (vendor, sample) = s.repeatable();
    let b = body(&vendor, &sample);
    assert_eq!(s.issue(&key, "k-422", &b).await.status(), 201);
    let before = issued_count(s, &vendor).await;
    let mut other = b.clone();
    other["product"] = Value::from(format!("{}0", sample.product_id));
    let r = s.issue(&key, "k-422", &other).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!((p["kind"].as_str(), p["field"].as_str()), (Some("idempotency_mismatch"), Some("Idempotency-Key")));
    assert_eq!(issued_count(s, &vendor).await, before);
    // The same request written otherwise (phone punctuation, key order) is the same request.
    let mut same = serde_json::Map::new();
    for (k, v) in b.as_object().unwrap().iter().rev() {
        same.insert(k.clone(), v.clone());
    }
    if let Some(to) = b["to"].as_str() {
        same.insert("to".into(), Value::from(to.replace('-', "")));
    }
    let replay = s.issue(&key, "k-422", &Value::Object(same)).await;
    assert_eq!(replay.status(), 201);
}

async fn a_doubt_is_202_unknown_then_settled_issued_in_the_background(s: &TestServer) {
    let key = s.key("issue,read").await;
    let mut doubts = 0;
    for (vendor, sample) in s.issuing_vendors() {
        let caps = s.vendors.iter().find(|(v, _, _)| *v == vendor).unwrap().1;
        if !caps.reconcile {
            continue;
        }
        s.warm(&vendor).await;
        let before = issued_count(s, &vendor).await;
        // The vendor issues, and its answer is lost.
        s.admin().inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::Drop)).await.unwrap();
        let idem = format!("doubt-{vendor}");
        let r = s.issue(&key, &idem, &body(&vendor, &sample)).await;
        let status = r.status().as_u16();
        let a: Value = r.json().await.unwrap();
        // An adapter whose vendor deduplicates may settle the lost answer itself, by a repeat under the
        // same reference: then the answer is already `issued`.
        if status == 201 {
            assert!(caps.issue_deduplicated, "{vendor}: {a}");
            assert_eq!(issued_count(s, &vendor).await, before + 1, "{vendor}");
            continue;
        }
        doubts += 1;
        assert_eq!((status, a["state"].as_str()), (202, Some("unknown")), "{vendor}: {a}");
        let partner_ref = a["partner_ref"].as_str().unwrap().to_string();
        let settled = s.settled(&key, &idem).await;
        assert_eq!(settled["state"], "issued", "{vendor}: {settled}");
        assert_eq!(settled["partner_ref"].as_str(), Some(partner_ref.as_str()));
        assert_eq!(issued_count(s, &vendor).await, before + 1, "{vendor}: one coupon, settled with the vendor");
        // A repeat now replays the settled answer.
        let again = s.issue(&key, &idem, &body(&vendor, &sample)).await;
        assert_eq!((again.status().as_u16(), again.headers()["Idempotent-Replayed"].to_str().unwrap()), (201, "true"));
    }
    assert!(doubts > 0, "at least one vendor's doubt went through the reconciler");
}

async fn a_request_that_never_left_is_202_then_settled_not_issued(s: &TestServer) {
    let key = s.key("issue,read").await;
    // A vendor whose reconcile only looks (one that deduplicates may settle by sending again, and issue).
    let Some((vendor, sample)) = s.vendor_with(|c| c.reconcile && !c.issue_deduplicated) else { return };
    s.warm(&vendor).await;
    let before = issued_count(s, &vendor).await;
    // The connection is cut before the vendor acts: the client cannot tell, so it is a doubt.
    s.admin().inject(FaultSpec::new(format!("/{vendor}/"), FaultKind::DropUnprocessed)).await.unwrap();
    let r = s.issue(&key, "lost-1", &body(&vendor, &sample)).await;
    let status = r.status().as_u16();
    let a: Value = r.json().await.unwrap();
    match status {
        202 => {
            let settled = s.settled(&key, "lost-1").await;
            assert_eq!(settled["state"], "not_issued", "{settled}");
            let replay = s.issue(&key, "lost-1", &body(&vendor, &sample)).await;
            assert_eq!(replay.status(), 422);
            let p: Value = replay.json().await.unwrap();
            assert_eq!(p["kind"], "not_issued");
        }
        // An adapter that knows the request never left releases the key: the same key may go again.
        _ => {
            assert!(a["retryable"].as_bool().unwrap_or(false), "{a}");
            assert_eq!(s.issue(&key, "lost-1", &body(&vendor, &sample)).await.status(), 201);
            assert_eq!(issued_count(s, &vendor).await, before + 1);
            return;
        }
    }
    assert_eq!(issued_count(s, &vendor).await, before);
}

async fn keys_are_scoped_per_api_key(s: &TestServer) {
    let a = s.key("issue,read").await;
    let b = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    let before = issued_count(s, &vendor).await;
    assert_eq!(s.issue(&a, "shared-name", &body(&vendor, &sample)).await.headers()["Idempotent-Replayed"], "false");
    assert_eq!(s.issue(&b, "shared-name", &body(&vendor, &sample)).await.headers()["Idempotent-Replayed"], "false");
    assert_eq!(issued_count(s, &vendor).await, before + 2);
    // A key cannot read another's issue.
    assert_eq!(s.get(&b, "/v1/issues/nope").await.status(), 404);
}

async fn a_cancel_refunds_once_whatever_its_key_and_a_resend_replays(s: &TestServer) {
    let key = s.key("issue,cancel,read").await;
    let Some((vendor, sample)) = s.vendor_with(|c| c.cancel) else { return };
    assert_eq!(s.issue(&key, "to-cancel", &body(&vendor, &sample)).await.status(), 201);
    let caps = s.vendors.iter().find(|(v, _, _)| *v == vendor).unwrap().1;
    if caps.resend {
        let r = s.post(&key, "/v1/issues/to-cancel/resend", Some("resend-1")).await;
        assert_eq!(r.status(), 200);
        let again = s.post(&key, "/v1/issues/to-cancel/resend", Some("resend-1")).await;
        assert_eq!((again.status().as_u16(), again.headers()["Idempotent-Replayed"].to_str().unwrap()), (200, "true"));
    }
    assert_eq!(s.post(&key, "/v1/issues/to-cancel/cancel", None).await.status(), 400, "a cancel needs its key");
    let c = s.post(&key, "/v1/issues/to-cancel/cancel", Some("cancel-1")).await;
    assert_eq!(c.status(), 200);
    let c: Value = c.json().await.unwrap();
    assert_eq!(c["state"], "cancelled");
    let replay = s.post(&key, "/v1/issues/to-cancel/cancel", Some("cancel-1")).await;
    assert_eq!(replay.headers()["Idempotent-Replayed"], "true");
    // Another key for the same issue's cancel answers the first cancel: one refund.
    let other = s.post(&key, "/v1/issues/to-cancel/cancel", Some("cancel-2")).await;
    assert_eq!(other.status(), 200);
    assert_eq!(other.json::<Value>().await.unwrap()["key"], "cancel-1");
    let read: Value = s.get(&key, "/v1/issues/to-cancel").await.json().await.unwrap();
    assert_eq!(read["cancel"], "cancelled");
    // Cancelling a key with nothing issued under it.
    assert_eq!(s.post(&key, "/v1/issues/never/cancel", Some("c-x")).await.status(), 404);
}

async fn the_purge_forgets_old_answers_but_never_a_doubt(s: &TestServer) {
    let key = s.key("issue,read").await;
    let (vendor, sample) = s.repeatable();
    assert_eq!(s.issue(&key, "old", &body(&vendor, &sample)).await.status(), 201);
    let purged =
        s.journal.purge_idempotent(coupon::chrono::Utc::now() + coupon::chrono::Duration::seconds(1)).await.unwrap();
    assert!(purged >= 1);
    assert_eq!(s.get(&key, "/v1/issues/old").await.status(), 404);
}
