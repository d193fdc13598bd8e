//! SIGTERM while issues are in flight: `coupon serve` stops accepting at once, answers and
//! records every issue it had started, and exits 0.

use std::time::{Duration, Instant};

use coupon_sandbox::FaultKind;
use serde_json::Value;

use super::world::{World, issue_with};

/// Issues held at the vendor when SIGTERM comes.
const IN_FLIGHT: usize = 4;
/// How long the vendor holds each answer: SIGTERM comes well within it.
const HOLD_MS: u64 = 1_500;

/// Whether a new TCP connection to `addr` is refused.
async fn refused(addr: std::net::SocketAddr) -> bool {
    matches!(
        tokio::net::TcpStream::connect(addr).await,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_issues_in_flight_answers_and_records_each_then_exits_0_and_refuses_connections() {
    let w = World::sqlite().await;
    let key = w.key("backend", "issue,read").await;
    let mut serve = w.replica("serve", &[]).await;
    let paths = w.issue_paths(&serve, &key).await;
    let before = w.issued().await.len();

    // The vendor acts at once and holds each answer: the issues are in flight in the service.
    w.fault(&paths, FaultKind::HoldThenAnswer { ms: HOLD_MS }, IN_FLIGHT as u32).await;
    let counted = |stats: &coupon_sandbox::Stats| paths.iter().map(|p| stats.count(p)).sum::<u64>();
    let reached = counted(&w.sandbox.admin().stats().await.unwrap());
    let calls: Vec<_> = (0..IN_FLIGHT)
        .map(|i| {
            let (http, base, token, body) = (w.http.clone(), serve.base.clone(), key.token.clone(), w.body());
            tokio::spawn(async move {
                let r = issue_with(&http, &base, &token, &format!("in-flight-{i}"), &body).await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    // SIGTERM once every issue has reached the vendor (and so was begun in the journal).
    let deadline = Instant::now() + Duration::from_secs(10);
    while counted(&w.sandbox.admin().stats().await.unwrap()) < reached + IN_FLIGHT as u64 {
        assert!(Instant::now() < deadline, "the issues never reached the vendor:\n{}", serve.logs());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let signalled = Instant::now();
    serve.terminate();

    // It stops accepting at once, while the held issues are still in flight.
    let deadline = Instant::now() + Duration::from_millis(HOLD_MS / 2);
    while !refused(serve.addr).await {
        assert!(Instant::now() < deadline, "new connections were still accepted after SIGTERM");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(calls.iter().all(|c| !c.is_finished()), "the issues are still in flight when accepting stops");

    let mut answers = Vec::new();
    for call in calls {
        let (status, answer) = call.await.unwrap();
        assert_eq!(status, 201, "every issue in flight is answered: {answer}\n{}", serve.logs());
        assert_eq!(answer["state"], "issued", "{answer}");
        answers.push(answer);
    }
    let status = serve.exit(Duration::from_secs(20)).await;
    assert_eq!(status.code(), Some(0), "coupon serve exits 0 after SIGTERM:\n{}", serve.logs());
    assert!(signalled.elapsed() < Duration::from_secs(10), "it exits once the calls in flight are done");
    assert!(refused(serve.addr).await, "nothing listens once it exited");

    // The vendor issued each once, and a new process on the journal shows each recorded as answered.
    let issued = w.issued().await;
    assert_eq!(issued.len(), before + IN_FLIGHT, "one coupon per issue in flight");
    let mut next = w.replica("next", &[]).await;
    for (i, answer) in answers.iter().enumerate() {
        let (status, read) = w.read(&next.base, &key, &format!("in-flight-{i}")).await;
        assert_eq!((status, read["state"].as_str()), (200, Some("issued")), "{read}");
        assert_eq!(read["partner_ref"], answer["partner_ref"]);
        assert_eq!(read["order"], answer["order"]);
        let partner_ref = answer["partner_ref"].as_str().unwrap();
        assert_eq!(
            issued[before..].iter().filter(|c| c.partner_ref.as_deref() == Some(partner_ref)).count(),
            1,
            "the coupon of {partner_ref} is at the vendor, once"
        );
    }
    next.terminate();
    assert_eq!(next.exit(Duration::from_secs(20)).await.code(), Some(0));
    w.finish().await;
}
