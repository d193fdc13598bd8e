//! Several `coupon serve` processes on one PostgreSQL journal (a schema of its own per test):
//! one Idempotency-Key sent 100 times across three replicas at once issues one coupon, and a
//! replica SIGKILLed mid-request under drop faults, 20 times, leaves every key issued exactly
//! once or not issued, settled by a surviving replica's reconciler. The sandbox's list of what
//! it issued is the judge.
//!
//! The kill test's seed is printed; `COUPON_CRASH_SEED=N` replays its faults and timings.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coupon_sandbox::FaultKind;
use serde_json::Value;

use super::replica::Replica;
use super::world::{ApiKey, World, issue_with};

/// Copies of one request sent at once.
const COPIES: usize = 100;
/// They go in ten waves this far apart.
const STAGGER_MS: u64 = 100;
/// Kills of the replica the issues go to.
const ROUNDS: usize = 20;
/// Issues sent to it before each kill.
const PER_ROUND: usize = 3;
/// A killed replica's keys become doubts after 3 s; replicas look for doubts every 200 ms.
const FAST: &[&str] = &["--send-lease", "3s", "--reconcile-every", "200ms"];

/// An answer as a client saw it: status, `Idempotent-Replayed`, body.
type Answer = (u16, bool, Value);

async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status().as_u16();
    let replayed = r.headers().get("Idempotent-Replayed").is_some_and(|v| v == "true");
    (status, replayed, r.json().await.unwrap_or(Value::Null))
}

/// Warms a replica's adapter with an issue under a key of its own.
async fn warm(w: &World, replica: &Replica, key: &ApiKey, idem: &str) {
    let r = w.issue(&replica.base, key, idem).await.unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_sent_100_times_across_three_replicas_issues_one_coupon_and_each_replays_it() {
    let Some(w) = World::postgres().await else { return };
    let key = w.key("backend", "issue,read").await;
    let mut replicas = Vec::new();
    for i in 0..3 {
        replicas.push(w.replica(&format!("r{i}"), &[]).await);
    }
    let paths = w.issue_paths(&replicas[0], &key).await;
    for (i, r) in replicas.iter().enumerate().skip(1) {
        warm(&w, r, &key, &format!("warm-r{i}")).await;
    }
    let before = w.issued().await.len();
    // The vendor holds the one issue that goes: the copies sent in the first 300 ms meet it in flight, the
    // later ones its answer, on every replica.
    w.fault(&paths, FaultKind::HoldThenAnswer { ms: 300 }, 1).await;

    let start = Arc::new(tokio::sync::Barrier::new(COPIES));
    let calls: Vec<_> = (0..COPIES)
        .map(|i| {
            let (http, base, token, body) =
                (w.http.clone(), replicas[i % replicas.len()].base.clone(), key.token.clone(), w.body());
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                tokio::time::sleep(Duration::from_millis(STAGGER_MS * (i % 10) as u64)).await;
                answer(issue_with(&http, &base, &token, "order-1", &body).await.unwrap()).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap());
    }

    let mut counts: BTreeMap<(u16, bool), usize> = BTreeMap::new();
    for (status, replayed, body) in &answers {
        assert!(matches!(status, 201 | 409), "only issued (first or replayed) or in flight: {status} {body}");
        if *status == 409 {
            assert_eq!(body["kind"], "in_flight", "{body}");
        }
        *counts.entry((*status, *replayed)).or_default() += 1;
    }
    eprintln!("{COPIES} copies answered (status, replayed): {counts:?}");
    let firsts: Vec<&Value> = answers.iter().filter(|(s, r, _)| *s == 201 && !r).map(|(_, _, b)| b).collect();
    assert_eq!(firsts.len(), 1, "one copy was sent, the others met it: {counts:?}");
    let first = firsts[0].clone();
    assert_eq!(first["state"], "issued", "{first}");
    assert!(answers.iter().filter(|(s, _, _)| *s == 201).all(|(_, _, b)| *b == first), "one answer, replayed");
    assert!(counts.get(&(409, false)).is_some_and(|n| *n > 0), "some copies met the first in flight: {counts:?}");
    assert!(counts.get(&(201, true)).is_some_and(|n| *n > 0), "some copies met its answer: {counts:?}");

    let issued = w.issued().await;
    assert_eq!(issued.len(), before + 1, "exactly one coupon at the vendor for {COPIES} copies");
    assert_eq!(issued[before].partner_ref.as_deref(), first["partner_ref"].as_str());

    // Afterwards every replica replays that answer.
    for r in &replicas {
        let (status, replayed, body) = answer(w.issue(&r.base, &key, "order-1").await.unwrap()).await;
        assert_eq!((status, replayed), (201, true), "{body}");
        assert_eq!(body, first);
    }
    assert_eq!(w.issued().await.len(), before + 1);
    for mut r in replicas {
        r.terminate();
        assert_eq!(r.exit(Duration::from_secs(20)).await.code(), Some(0), "{}", r.logs());
    }
    w.finish().await;
}

fn seed() -> u64 {
    let seed = std::env::var("COUPON_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("crash test seed: {seed} (COUPON_CRASH_SEED={seed} replays it)");
    seed
}

/// A drop fault for one issue: the vendor acts and the answer is lost (at once or after a hold), the
/// connection is cut before it acts, or it acts and answers late (the kill may come first).
fn drop_fault(rng: &mut fastrand::Rng) -> FaultKind {
    match rng.u8(0..4) {
        0 => FaultKind::Drop,
        1 => FaultKind::DropUnprocessed,
        2 => FaultKind::HoldThenDrop { ms: rng.u64(100..1_200) },
        _ => FaultKind::HoldThenAnswer { ms: rng.u64(100..1_200) },
    }
}

/// What became of a key: its final state as a surviving replica reads it (`absent`: nothing is kept under
/// it — never begun before the kill, or released as provably not sent).
async fn settled(w: &World, survivor: &Replica, key: &ApiKey, idem: &str, deadline: Instant) -> (String, Value) {
    loop {
        let (status, read) = w.read(&survivor.base, key, idem).await;
        match (status, read["state"].as_str()) {
            (404, _) => return ("absent".into(), read),
            (200, Some(state @ ("issued" | "not_issued"))) => return (state.to_string(), read),
            (200, Some("in_flight" | "unknown")) => {}
            _ => panic!("{idem}: {status} {read}"),
        }
        assert!(Instant::now() < deadline, "{idem} was never settled: {read}\n{}", survivor.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_request_twenty_times_leaves_each_key_issued_once_or_not_issued() {
    let Some(w) = World::postgres().await else { return };
    let began = Instant::now();
    let mut rng = fastrand::Rng::with_seed(seed());
    let key = w.key("backend", "issue,read").await;
    let survivor = w.replica("survivor", FAST).await;
    let paths = w.issue_paths(&survivor, &key).await;
    let mut victim = w.replica("victim-0", FAST).await;
    let before = w.issued().await.len();

    // Each round: a drop fault per issue, the issues sent to the victim, the victim killed mid-request.
    let mut answers: Vec<(String, Option<Answer>)> = Vec::new();
    for round in 0..ROUNDS {
        w.sandbox.admin().clear_faults().await.unwrap();
        for _ in 0..PER_ROUND {
            w.fault(&paths, drop_fault(&mut rng), 1).await;
        }
        let calls: Vec<_> = (0..PER_ROUND)
            .map(|i| {
                let idem = format!("round-{round}-{i}");
                let (http, base, token, body) = (w.http.clone(), victim.base.clone(), key.token.clone(), w.body());
                tokio::spawn(async move {
                    let sent = issue_with(&http, &base, &token, &idem, &body).await;
                    let seen = match sent {
                        Ok(r) => Some(answer(r).await),
                        Err(_) => None,
                    };
                    (idem, seen)
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.u64(30..900))).await;
        victim.kill();
        victim = w.replica(&format!("victim-{}", round + 1), FAST).await;
        for call in calls {
            answers.push(call.await.unwrap());
        }
    }
    w.sandbox.admin().clear_faults().await.unwrap();
    let cut = answers.iter().filter(|(_, a)| a.is_none()).count();
    eprintln!("{cut} of {} issues were cut by a kill ({:.1} s)", answers.len(), began.elapsed().as_secs_f64());
    assert!(cut > 0, "no kill landed mid-request: the test did not test anything");

    // A surviving replica settles every key; the sandbox has one coupon per issued key and no other.
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut finals: HashMap<String, (String, Value)> = HashMap::new();
    for (idem, _) in &answers {
        finals.insert(idem.clone(), settled(&w, &survivor, &key, idem, deadline).await);
    }
    let issued = w.issued().await;
    let new = &issued[before..];
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for (idem, seen) in &answers {
        let (state, read) = &finals[idem];
        *tally.entry(state.as_str()).or_default() += 1;
        let coupons = |partner_ref: &str| new.iter().filter(|c| c.partner_ref.as_deref() == Some(partner_ref)).count();
        match state.as_str() {
            "issued" => {
                let partner_ref = read["partner_ref"].as_str().unwrap();
                assert_eq!(coupons(partner_ref), 1, "{idem} is issued exactly once: {read}");
            }
            "not_issued" => {
                let partner_ref = read["partner_ref"].as_str().unwrap();
                assert_eq!(coupons(partner_ref), 0, "{idem} is not issued, and no coupon has its reference");
            }
            _ => {}
        }
        // What the client was told holds.
        match seen {
            Some((201, _, body)) => {
                assert_eq!(state, "issued", "{idem} was answered 201");
                assert_eq!(body["partner_ref"], read["partner_ref"], "{idem}");
            }
            Some((202, _, body)) => {
                assert_eq!(body["state"], "unknown", "{idem}: {body}");
                assert_ne!(state, "absent", "{idem}: a doubt is kept until settled");
            }
            // Refused (kept, replayed) or provably not sent (the key released): no coupon either way.
            Some((status, _, body)) if body["state"] == "not_issued" => {
                assert!(matches!(state.as_str(), "not_issued" | "absent"), "{idem} was answered {status} {body}");
            }
            _ => {}
        }
    }
    let issued_keys = tally.get("issued").copied().unwrap_or(0);
    assert_eq!(new.len(), issued_keys, "one coupon per issued key, none for any other: {tally:?}");

    // Keys a victim held when it died were settled by a live replica's reconciler.
    let mut reconciled = 0.0;
    for r in [&survivor, &victim] {
        for outcome in ["issued", "not_issued"] {
            reconciled += r.metric(&w.http, &format!("coupon_reconciled_total{{outcome=\"{outcome}\"")).await;
        }
    }
    eprintln!(
        "keys: {tally:?}; {reconciled} settled by the live replicas' reconcilers; {:.1} s in all",
        began.elapsed().as_secs_f64()
    );
    assert!(reconciled > 0.0, "the doubts the kills left were settled by a live replica");
    survivor.kill();
    victim.kill();
    w.finish().await;
}
