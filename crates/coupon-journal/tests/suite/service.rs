//! What the HTTP service keeps in the journal, whatever the backend: API keys, and
//! idempotency records from their begin to their purge, with their doubts reconciled
//! under leases.

use std::collections::HashSet;
use std::time::Duration;

use coupon_core::chrono::{DateTime, Utc};
use coupon_journal::{
    ApiKey, IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord, IdemState, Journal, JournalError,
};

use super::{Fixture, LONG, PIN};

/// The API key every record here is scoped to.
const SCOPE: &str = "kTEST";
const PHONE: &str = "010-1234-5678";

/// An issue's begin under `key`, its request's fingerprint `fingerprint`, for `owner`.
fn issue(key: &str, fingerprint: &str, owner: &str, lease: Duration) -> IdemBegin {
    IdemBegin {
        scope: SCOPE.into(),
        key: key.into(),
        op: "issue".into(),
        target: None,
        fingerprint: fingerprint.into(),
        vendor: "giftishow".into(),
        partner_ref: Some(format!("ref-{key}")),
        request: format!(r#"{{"vendor":"giftishow","to":"{PHONE}"}}"#),
        order_id: None,
        owner: owner.into(),
        lease,
    }
}

/// `op` (`cancel` or `resend`) of issue `target` under `key`.
fn child(op: &str, key: &str, target: &str, owner: &str) -> IdemBegin {
    IdemBegin {
        op: op.into(),
        target: Some(target.into()),
        partner_ref: None,
        request: format!(r#"{{"target":"{target}"}}"#),
        order_id: Some("ORD-1".into()),
        ..issue(key, &format!("fp-{op}-{target}"), owner, LONG)
    }
}

/// The issue's answer: issued, with its PIN.
fn issued() -> IdemFinish {
    IdemFinish {
        state: IdemState::Done,
        outcome: "issued".into(),
        status: 201,
        response: format!(r#"{{"state":"issued","pin":"{PIN}","to":"{PHONE}"}}"#),
        order_id: Some("ORD-1".into()),
        first_check: Duration::ZERO,
    }
}

/// A doubt's answer (202), first looked at after `first_check`.
fn in_doubt(first_check: Duration) -> IdemFinish {
    IdemFinish {
        state: IdemState::Unknown,
        outcome: "unknown".into(),
        status: 202,
        response: r#"{"state":"unknown"}"#.into(),
        order_id: None,
        first_check,
    }
}

fn ms(t: Option<DateTime<Utc>>) -> i64 {
    t.expect("a time").timestamp_millis()
}

fn now() -> i64 {
    Utc::now().timestamp_millis()
}

async fn record(j: &dyn Journal, key: &str) -> IdemRecord {
    j.idempotent(SCOPE, key).await.unwrap().unwrap_or_else(|| panic!("no record `{key}`"))
}

fn keys(records: &[IdemRecord]) -> Vec<&str> {
    records.iter().map(|r| r.key.as_str()).collect()
}

pub async fn an_idempotency_key_starts_once_then_answers_with_what_it_holds<F: Fixture>(f: &F) {
    let j = f.open().await;
    let before = now();
    assert_eq!(j.begin_idempotent(&issue("order-1", "fp1", "w1", LONG)).await.unwrap(), IdemBegun::Started);

    // Committed when it returns: a journal on its own connections (another replica) sees it.
    let other = f.open().await;
    let r = record(&*other, "order-1").await;
    assert_eq!((r.op.as_str(), r.state, r.owner.as_deref(), r.attempts), ("issue", IdemState::InFlight, Some("w1"), 0));
    assert_eq!((r.status, r.response.as_deref(), r.outcome.as_deref()), (None, None, None));
    assert_eq!((r.fingerprint.as_str(), r.partner_ref.as_deref()), ("fp1", Some("ref-order-1")));
    assert!(r.request.contains(PHONE), "the canonical request is kept whole for the reconciler");
    assert!((before..=now()).contains(&r.created_at.timestamp_millis()));
    let until = ms(r.lease_until);
    assert!(until >= before + 600_000 && until <= now() + 600_000, "leased for the lease given");

    // The same request while it is in flight: come back when the lease ends.
    let IdemBegun::InFlight { retry_after } =
        other.begin_idempotent(&issue("order-1", "fp1", "w2", LONG)).await.unwrap()
    else {
        panic!("a repeat in flight is not started again")
    };
    assert!(retry_after > Duration::from_secs(590) && retry_after <= LONG, "{retry_after:?}");
    // Another request under the key: refused, whatever its state, with the record it collides with.
    let IdemBegun::Mismatch(m) = other.begin_idempotent(&issue("order-1", "fp2", "w2", LONG)).await.unwrap() else {
        panic!("another body under the same key")
    };
    assert_eq!((m.key.as_str(), m.fingerprint.as_str()), ("order-1", "fp1"));
    let mut as_resend = child("resend", "order-1", "order-0", "w2");
    as_resend.fingerprint = "fp1".into();
    assert!(
        matches!(other.begin_idempotent(&as_resend).await.unwrap(), IdemBegun::Mismatch(_)),
        "the same fingerprint for another operation is another request"
    );

    // Settled: every repeat replays the stored answer.
    assert!(j.finish_idempotent(SCOPE, "order-1", "w1", &issued()).await.unwrap());
    let IdemBegun::Existing(done) = other.begin_idempotent(&issue("order-1", "fp1", "w2", LONG)).await.unwrap() else {
        panic!("a repeat of a settled key replays it")
    };
    assert_eq!((done.state, done.status, done.outcome.as_deref()), (IdemState::Done, Some(201), Some("issued")));
    assert_eq!(done.response, Some(issued().response));
    assert_eq!((done.order_id.as_deref(), done.owner.as_deref(), done.lease_until), (Some("ORD-1"), None, None));
    assert!(matches!(
        other.begin_idempotent(&issue("order-1", "fp2", "w2", LONG)).await.unwrap(),
        IdemBegun::Mismatch(_)
    ));

    // A short lease still asks for a second at least; keys are per API key.
    j.begin_idempotent(&issue("order-2", "fp1", "w1", Duration::from_millis(300))).await.unwrap();
    let again = j.begin_idempotent(&issue("order-2", "fp1", "w2", LONG)).await.unwrap();
    assert_eq!(again, IdemBegun::InFlight { retry_after: Duration::from_secs(1) });
    let elsewhere = IdemBegin { scope: "kOTHER".into(), ..issue("order-1", "fp2", "w1", LONG) };
    assert_eq!(j.begin_idempotent(&elsewhere).await.unwrap(), IdemBegun::Started);
    assert_eq!(j.idempotent(SCOPE, "order-9").await.unwrap(), None);
    other.close().await;
    j.close().await;
}

pub async fn a_record_in_flight_under_an_expired_lease_is_found_as_a_doubt<F: Fixture>(f: &F) {
    let j = f.open().await;
    // Its sender "died" at once: the lease is already over.
    assert_eq!(j.begin_idempotent(&issue("lost", "fp", "w1", Duration::ZERO)).await.unwrap(), IdemBegun::Started);
    assert_eq!(j.idempotent_doubts().await.unwrap(), 0, "in flight is not yet a doubt");
    let before = now();
    let IdemBegun::Existing(r) = j.begin_idempotent(&issue("lost", "fp", "w2", LONG)).await.unwrap() else {
        panic!("a record whose sender's lease is over is a doubt, not a blank to send again")
    };
    assert_eq!((r.state, r.owner.as_deref(), r.lease_until), (IdemState::Unknown, None, None));
    assert!((before..=now()).contains(&ms(r.next_check_at)), "the reconciler may look at once");
    assert!(r.note.as_deref().is_some_and(|n| n.contains("lease expired")), "{:?}", r.note);
    assert_eq!((r.status, r.response.as_deref()), (None, None), "no answer to replay yet");
    assert_eq!(record(&*j, "lost").await, r, "what was answered is what is stored");
    assert_eq!(j.idempotent_doubts().await.unwrap(), 1);
    // Asked again: the same doubt, unchanged.
    assert_eq!(j.begin_idempotent(&issue("lost", "fp", "w3", LONG)).await.unwrap(), IdemBegun::Existing(r));
    j.close().await;
}

pub async fn one_cancel_per_issue_whatever_its_key<F: Fixture>(f: &F) {
    let j = f.open().await;
    j.begin_idempotent(&issue("i1", "fp", "w", LONG)).await.unwrap();
    j.finish_idempotent(SCOPE, "i1", "w", &issued()).await.unwrap();
    assert_eq!(j.begin_idempotent(&child("cancel", "c1", "i1", "w")).await.unwrap(), IdemBegun::Started);
    let IdemBegun::OtherCancel(first) = j.begin_idempotent(&child("cancel", "c2", "i1", "w")).await.unwrap() else {
        panic!("a second cancel of the issue under another key")
    };
    assert_eq!((first.key.as_str(), first.state), ("c1", IdemState::InFlight));
    assert_eq!(j.idempotent(SCOPE, "c2").await.unwrap(), None, "nothing stored under the second key");
    // The first cancel's own key is the usual repeat.
    assert!(matches!(j.begin_idempotent(&child("cancel", "c1", "i1", "w")).await.unwrap(), IdemBegun::InFlight { .. }));
    // Resends are as many as asked, each under its key; another issue's cancel is its own.
    tokio::time::sleep(Duration::from_millis(3)).await;
    assert_eq!(j.begin_idempotent(&child("resend", "r1", "i1", "w")).await.unwrap(), IdemBegun::Started);
    tokio::time::sleep(Duration::from_millis(3)).await;
    assert_eq!(j.begin_idempotent(&child("resend", "r2", "i1", "w")).await.unwrap(), IdemBegun::Started);
    assert_eq!(j.begin_idempotent(&child("cancel", "c3", "i2", "w")).await.unwrap(), IdemBegun::Started);

    let children = j.idempotent_children(SCOPE, "i1").await.unwrap();
    assert_eq!(keys(&children), ["r2", "r1", "c1"], "newest first");
    assert_eq!(children.iter().map(|r| r.op.as_str()).collect::<Vec<_>>(), ["resend", "resend", "cancel"]);
    assert_eq!(children[2].order_id.as_deref(), Some("ORD-1"));
    assert_eq!(keys(&j.idempotent_children(SCOPE, "i2").await.unwrap()), ["c3"]);
    assert!(j.idempotent_children(SCOPE, "c1").await.unwrap().is_empty());
    assert!(j.idempotent_children("kOTHER", "i1").await.unwrap().is_empty());

    // Settled, the cancel is still the one cancel of the issue.
    let cancelled = IdemFinish { outcome: "cancelled".into(), status: 200, ..issued() };
    assert!(j.finish_idempotent(SCOPE, "c1", "w", &cancelled).await.unwrap());
    let IdemBegun::OtherCancel(first) = j.begin_idempotent(&child("cancel", "c4", "i1", "w")).await.unwrap() else {
        panic!("a cancel after the issue's cancel settled")
    };
    assert_eq!((first.key.as_str(), first.outcome.as_deref()), ("c1", Some("cancelled")));

    // A cancel settled `not_cancelled` refunded nothing: another key may cancel the issue, once.
    let refused = IdemFinish { outcome: "not_cancelled".into(), status: 409, ..issued() };
    assert!(j.finish_idempotent(SCOPE, "c3", "w", &refused).await.unwrap());
    assert_eq!(j.begin_idempotent(&child("cancel", "c5", "i2", "w")).await.unwrap(), IdemBegun::Started);
    assert!(matches!(j.begin_idempotent(&child("cancel", "c6", "i2", "w")).await.unwrap(), IdemBegun::OtherCancel(_)));
    // The refused cancel's own key still replays its answer.
    assert!(matches!(j.begin_idempotent(&child("cancel", "c3", "i2", "w")).await.unwrap(), IdemBegun::Existing(_)));
    j.close().await;
}

pub async fn an_answer_settles_a_record_in_flight_or_in_doubt_never_one_done<F: Fixture>(f: &F) {
    let j = f.open().await;
    j.begin_idempotent(&issue("a", "fp", "w1", LONG)).await.unwrap();
    assert!(!j.finish_idempotent(SCOPE, "a", "w2", &issued()).await.unwrap(), "not w2's request");
    assert!(!j.finish_idempotent(SCOPE, "nothing", "w1", &issued()).await.unwrap());
    let e = j.finish_idempotent(SCOPE, "a", "w1", &IdemFinish { state: IdemState::InFlight, ..issued() }).await;
    assert!(matches!(e, Err(JournalError::Invalid(_))), "{e:?}");
    assert_eq!(record(&*j, "a").await.state, IdemState::InFlight);

    // The sender learns nothing sure: a doubt, first looked at in two seconds.
    let before = now();
    assert!(j.finish_idempotent(SCOPE, "a", "w1", &in_doubt(Duration::from_secs(2))).await.unwrap());
    let r = record(&*j, "a").await;
    assert_eq!((r.state, r.status, r.owner.as_deref(), r.lease_until), (IdemState::Unknown, Some(202), None, None));
    let check = ms(r.next_check_at);
    assert!(check >= before + 2_000 && check <= now() + 2_000, "next check {check}, from {before}");
    assert_eq!(j.idempotent_doubts().await.unwrap(), 1);

    // A late answer settles the doubt, whoever brings it (the sender, or a reconciler).
    assert!(j.finish_idempotent(SCOPE, "a", "reconciler", &issued()).await.unwrap());
    let r = record(&*j, "a").await;
    assert_eq!((r.state, r.status, r.next_check_at), (IdemState::Done, Some(201), None));
    assert_eq!(r.order_id.as_deref(), Some("ORD-1"));
    assert_eq!(j.idempotent_doubts().await.unwrap(), 0);

    // Done is final: no answer after it changes the one stored.
    let not_issued = IdemFinish { outcome: "not_issued".into(), status: 502, ..issued() };
    assert!(!j.finish_idempotent(SCOPE, "a", "w1", &not_issued).await.unwrap());
    assert!(!j.finish_idempotent(SCOPE, "a", "w1", &in_doubt(Duration::ZERO)).await.unwrap());
    assert_eq!(record(&*j, "a").await, r);

    // An answer without an order id keeps the one stored at the begin.
    j.begin_idempotent(&child("resend", "r", "a", "w1")).await.unwrap();
    let resent = IdemFinish { outcome: "resent".into(), status: 200, order_id: None, ..issued() };
    assert!(j.finish_idempotent(SCOPE, "r", "w1", &resent).await.unwrap());
    assert_eq!(record(&*j, "r").await.order_id.as_deref(), Some("ORD-1"));
    j.close().await;
}

pub async fn a_release_deletes_only_its_owners_record_in_flight<F: Fixture>(f: &F) {
    let j = f.open().await;
    j.begin_idempotent(&issue("a", "fp", "w1", LONG)).await.unwrap();
    assert!(!j.release_idempotent(SCOPE, "a", "w2").await.unwrap(), "not w2's");
    assert!(!j.release_idempotent("kOTHER", "a", "w1").await.unwrap());
    assert!(j.release_idempotent(SCOPE, "a", "w1").await.unwrap());
    assert_eq!(j.idempotent(SCOPE, "a").await.unwrap(), None);
    assert!(!j.release_idempotent(SCOPE, "a", "w1").await.unwrap(), "once");
    // Provably never sent: the same key (even with another body) starts afresh.
    assert_eq!(j.begin_idempotent(&issue("a", "fp2", "w2", LONG)).await.unwrap(), IdemBegun::Started);

    // Neither an answer stored nor a doubt is ever released.
    j.finish_idempotent(SCOPE, "a", "w2", &issued()).await.unwrap();
    assert!(!j.release_idempotent(SCOPE, "a", "w2").await.unwrap());
    j.begin_idempotent(&issue("b", "fp", "w1", LONG)).await.unwrap();
    j.finish_idempotent(SCOPE, "b", "w1", &in_doubt(Duration::ZERO)).await.unwrap();
    assert!(!j.release_idempotent(SCOPE, "b", "w1").await.unwrap());
    j.begin_idempotent(&issue("c", "fp", "w1", Duration::ZERO)).await.unwrap();
    j.begin_idempotent(&issue("c", "fp", "w2", LONG)).await.unwrap(); // found expired: a doubt now
    assert!(!j.release_idempotent(SCOPE, "c", "w1").await.unwrap(), "its sender came back too late");
    assert_eq!(
        (record(&*j, "a").await.state, record(&*j, "b").await.state, record(&*j, "c").await.state),
        (IdemState::Done, IdemState::Unknown, IdemState::Unknown)
    );
    j.close().await;
}

pub async fn the_reconciler_claims_due_doubts_and_dead_senders_records<F: Fixture>(f: &F) {
    let j = f.open().await;
    let doubt = |key: &'static str, first_check: Duration| {
        let j = &j;
        async move {
            j.begin_idempotent(&issue(key, "fp", "w", LONG)).await.unwrap();
            assert!(j.finish_idempotent(SCOPE, key, "w", &in_doubt(first_check)).await.unwrap());
        }
    };
    doubt("due", Duration::ZERO).await;
    doubt("later", Duration::from_secs(3600)).await;
    tokio::time::sleep(Duration::from_millis(3)).await;
    j.begin_idempotent(&issue("dead", "fp", "w", Duration::ZERO)).await.unwrap();
    j.begin_idempotent(&issue("live", "fp", "w", LONG)).await.unwrap();
    j.begin_idempotent(&issue("done", "fp", "w", LONG)).await.unwrap();
    j.finish_idempotent(SCOPE, "done", "w", &issued()).await.unwrap();
    assert!(j.claim_doubts("r1", LONG, 0).await.unwrap().is_empty());
    assert_eq!(j.idempotent_doubts().await.unwrap(), 2);

    let before = now();
    let claimed = j.claim_doubts("r1", LONG, 10).await.unwrap();
    assert_eq!(keys(&claimed), ["due", "dead"], "the most overdue first; not the later, live or done ones");
    for r in &claimed {
        assert_eq!((r.state, r.owner.as_deref(), r.attempts), (IdemState::Unknown, Some("r1"), 1));
        assert!(ms(r.lease_until) >= before + 600_000);
        assert_eq!(&record(&*j, &r.key).await, r, "what was handed out is what is stored");
    }
    let dead = &claimed[1];
    assert!(dead.note.as_deref().is_some_and(|n| n.contains("lease expired")), "{:?}", dead.note);
    assert!((before..=now()).contains(&ms(dead.next_check_at)));
    assert_eq!(j.idempotent_doubts().await.unwrap(), 3, "the dead sender's record is a doubt now");
    assert!(j.claim_doubts("r2", LONG, 10).await.unwrap().is_empty(), "r1's leases are live");

    // Still unknown after a look: back to waiting, the reason kept; only by its holder.
    assert!(!j.retry_doubt_later(SCOPE, "due", "r2", Duration::ZERO, "not r2's").await.unwrap());
    assert!(!j.retry_doubt_later(SCOPE, "done", "w", Duration::ZERO, "not a doubt").await.unwrap());
    assert!(j.retry_doubt_later(SCOPE, "due", "r1", Duration::ZERO, "the vendor does not know it yet").await.unwrap());
    let r = record(&*j, "due").await;
    assert_eq!((r.state, r.owner.as_deref(), r.lease_until), (IdemState::Unknown, None, None));
    assert_eq!(r.note.as_deref(), Some("the vendor does not know it yet"));
    assert!(j.retry_doubt_later(SCOPE, "dead", "r1", Duration::from_secs(3600), "later").await.unwrap());
    assert!(ms(record(&*j, "dead").await.next_check_at) >= before + 3_600_000);

    // A reconciler that dies leaves its doubts to the next once its lease is over.
    let again = j.claim_doubts("r2", Duration::ZERO, 10).await.unwrap();
    assert_eq!(keys(&again), ["due"]);
    assert_eq!((again[0].attempts, again[0].note.as_deref()), (2, Some("the vendor does not know it yet")));
    let third = j.claim_doubts("r3", LONG, 1).await.unwrap();
    assert_eq!((keys(&third), third[0].attempts), (vec!["due"], 3));
    assert!(j.finish_idempotent(SCOPE, "due", "r3", &issued()).await.unwrap());
    assert_eq!(j.idempotent_doubts().await.unwrap(), 2, "later and dead");
    assert!(j.claim_doubts("r4", LONG, 10).await.unwrap().is_empty());
    j.close().await;
}

pub async fn concurrent_reconcilers_never_claim_one_doubt_twice<F: Fixture>(f: &F) {
    let setup = f.open().await;
    for n in 0..40 {
        // Half dead senders' records, half doubts.
        let lease = if n % 2 == 0 { Duration::ZERO } else { LONG };
        let key = format!("d{n}");
        setup.begin_idempotent(&issue(&key, "fp", "w", lease)).await.unwrap();
        if n % 2 == 1 {
            setup.finish_idempotent(SCOPE, &key, "w", &in_doubt(Duration::ZERO)).await.unwrap();
        }
    }
    let reconcilers = ["r1", "r2", "r3", "r4"].map(|owner| {
        let url = f.url();
        tokio::spawn(async move {
            // Each its own journal (own connections), as a replica would have.
            let j = coupon_journal::open(&url).await.unwrap();
            let mut got = Vec::new();
            loop {
                let batch = j.claim_doubts(owner, LONG, 3).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(batch.iter().all(|r| r.owner.as_deref() == Some(owner)));
                got.extend(batch.into_iter().map(|r| r.key));
                tokio::task::yield_now().await;
            }
            j.close().await;
            got
        })
    });
    let mut all = Vec::new();
    for r in reconcilers {
        all.extend(r.await.unwrap());
    }
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (40, 40), "every doubt claimed, none twice");
    for n in 0..40 {
        assert_eq!(record(&*setup, &format!("d{n}")).await.attempts, 1);
    }
    setup.close().await;
}

pub async fn concurrent_begins_of_one_key_start_it_once<F: Fixture>(f: &F) {
    for round in 0..5 {
        let key = format!("race-{round}");
        let senders = (0..6).map(|n| {
            let (url, key) = (f.url(), key.clone());
            tokio::spawn(async move {
                let j = coupon_journal::open(&url).await.unwrap();
                let begun = j.begin_idempotent(&issue(&key, "fp", &format!("w{n}"), LONG)).await.unwrap();
                j.close().await;
                begun
            })
        });
        let mut started = 0;
        for s in senders {
            match s.await.unwrap() {
                IdemBegun::Started => started += 1,
                IdemBegun::InFlight { .. } => {}
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(started, 1, "round {round}: exactly one sender may send");
    }
}

pub async fn a_purge_forgets_settled_records_only<F: Fixture>(f: &F) {
    let j = f.open().await;
    let begin_done = |b: IdemBegin| {
        let j = &j;
        async move {
            j.begin_idempotent(&b).await.unwrap();
            assert!(j.finish_idempotent(SCOPE, &b.key, &b.owner, &issued()).await.unwrap());
        }
    };
    begin_done(issue("old-done", "fp", "w", LONG)).await;
    begin_done(issue("cancelled-issue", "fp", "w", LONG)).await;
    j.begin_idempotent(&child("cancel", "its-cancel", "cancelled-issue", "w")).await.unwrap();
    j.begin_idempotent(&issue("in-flight", "fp", "w", LONG)).await.unwrap();
    j.begin_idempotent(&issue("doubt", "fp", "w", LONG)).await.unwrap();
    j.finish_idempotent(SCOPE, "doubt", "w", &in_doubt(Duration::from_secs(3600))).await.unwrap();
    let all = ["old-done", "cancelled-issue", "its-cancel", "in-flight", "doubt"];

    let first = record(&*j, "old-done").await.created_at;
    assert_eq!(j.purge_idempotent(first).await.unwrap(), 0, "created before, strictly");
    let later = Utc::now() + coupon_core::chrono::Duration::minutes(1);
    assert_eq!(j.purge_idempotent(later).await.unwrap(), 1);
    let mut kept = Vec::new();
    for key in all {
        if j.idempotent(SCOPE, key).await.unwrap().is_some() {
            kept.push(key);
        }
    }
    assert_eq!(kept, ["cancelled-issue", "its-cancel", "in-flight", "doubt"], "an issue stays while its cancel runs");

    // Its cancel settled, the issue goes with it; a doubt or a request in flight never.
    let cancelled = IdemFinish { outcome: "cancelled".into(), status: 200, ..issued() };
    j.finish_idempotent(SCOPE, "its-cancel", "w", &cancelled).await.unwrap();
    assert_eq!(j.purge_idempotent(later).await.unwrap(), 2);
    let mut kept = Vec::new();
    for key in all {
        if j.idempotent(SCOPE, key).await.unwrap().is_some() {
            kept.push(key);
        }
    }
    assert_eq!(kept, ["in-flight", "doubt"]);
    assert_eq!(j.idempotent_doubts().await.unwrap(), 1);
    j.close().await;
}

/// A time as the journal keeps it (milliseconds).
fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

fn api_key(id: &str, name: &str, scopes: &[&str], created_at: DateTime<Utc>) -> ApiKey {
    ApiKey {
        id: id.into(),
        name: name.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        secret_hash: format!("{:0>64}", "5ec7e7"),
        created_at: stored(created_at),
        revoked_at: None,
    }
}

pub async fn api_keys_are_stored_once_listed_and_revoked<F: Fixture>(f: &F) {
    let j = f.open().await;
    let t = Utc::now();
    let backend = api_key("kB4ck", "backend", &["issue", "read", "cancel"], t);
    j.create_api_key(&backend).await.unwrap();
    assert_eq!(j.api_key("kB4ck").await.unwrap(), Some(backend.clone()));
    assert_eq!(j.api_key("backend").await.unwrap(), None, "found by id, not by name");

    // Never overwritten: not under its name, not under its id.
    let e = j.create_api_key(&api_key("kOther", "backend", &["admin"], t)).await.unwrap_err();
    assert!(matches!(&e, JournalError::Invalid(m) if m == "an API key named `backend` already exists"), "{e}");
    let e = j.create_api_key(&api_key("kB4ck", "thief", &["admin"], t)).await.unwrap_err();
    assert!(matches!(e, JournalError::Invalid(_)), "{e}");
    let e = j.create_api_key(&api_key("kComma", "comma", &["issue,admin"], t)).await.unwrap_err();
    assert!(matches!(e, JournalError::Invalid(_)), "a scope holding a comma would read back as two: {e}");
    assert_eq!(j.api_key("kB4ck").await.unwrap(), Some(backend.clone()));

    // Listed by creation, then name; a key with no scope keeps none.
    let earlier = t - coupon_core::chrono::Duration::hours(1);
    let ops = api_key("kOps", "ops", &[], earlier);
    let audit = api_key("kAud", "audit", &["read"], t);
    j.create_api_key(&ops).await.unwrap();
    j.create_api_key(&audit).await.unwrap();
    let names: Vec<String> = j.api_keys().await.unwrap().into_iter().map(|k| k.name).collect();
    assert_eq!(names, ["ops", "audit", "backend"]);
    assert_eq!(j.api_key("kOps").await.unwrap().unwrap().scopes, Vec::<String>::new());

    // Revoked by name or id, once; a revoked key is still found (the caller refuses it).
    let before = now();
    assert!(j.revoke_api_key("backend").await.unwrap());
    assert!(!j.revoke_api_key("backend").await.unwrap(), "already revoked");
    assert!(!j.revoke_api_key("kB4ck").await.unwrap(), "already revoked, by its id");
    assert!(j.revoke_api_key("kOps").await.unwrap());
    assert!(!j.revoke_api_key("nobody").await.unwrap());
    let revoked = j.api_key("kB4ck").await.unwrap().unwrap();
    assert!((before..=now()).contains(&ms(revoked.revoked_at)));
    assert_eq!(ApiKey { revoked_at: None, ..revoked }, backend, "nothing else changed");
    assert_eq!(j.api_key("kAud").await.unwrap().unwrap().revoked_at, None);

    // A name wins over an id: the key named like another's id is the one revoked.
    j.create_api_key(&api_key("kX", "x", &[], t)).await.unwrap();
    j.create_api_key(&api_key("kY", "kX", &[], t)).await.unwrap();
    assert!(j.revoke_api_key("kX").await.unwrap());
    assert!(j.api_key("kY").await.unwrap().unwrap().revoked_at.is_some());
    assert_eq!(j.api_key("kX").await.unwrap().unwrap().revoked_at, None);
    j.close().await;
}

pub async fn debug_shows_no_hash_request_or_answer<F: Fixture>(f: &F) {
    let j = f.open().await;
    let key = api_key("kB4ck", "backend", &["issue"], Utc::now());
    j.create_api_key(&key).await.unwrap();
    let shown = format!("{:?}", j.api_key("kB4ck").await.unwrap().unwrap());
    assert!(!shown.contains(&key.secret_hash) && shown.contains("<hidden>") && shown.contains("backend"), "{shown}");

    let begin = issue("order-1", "fp", "w", LONG);
    let shown = format!("{begin:?}");
    assert!(!shown.contains(PHONE) && shown.contains("order-1"), "{shown}");
    j.begin_idempotent(&begin).await.unwrap();
    let finish = issued();
    let shown = format!("{finish:?}");
    assert!(!shown.contains(PIN) && !shown.contains(PHONE) && shown.contains("issued"), "{shown}");
    j.finish_idempotent(SCOPE, "order-1", "w", &finish).await.unwrap();
    let r = record(&*j, "order-1").await;
    assert!(r.request.contains(PHONE) && r.response.as_deref().is_some_and(|a| a.contains(PIN)));
    let shown = format!("{r:?}");
    assert!(!shown.contains(PHONE) && !shown.contains(PIN) && shown.contains("ref-order-1"), "{shown}");
    let shown = format!("{:?}", IdemBegun::Existing(r));
    assert!(!shown.contains(PHONE) && !shown.contains(PIN), "{shown}");
    j.close().await;
}

pub async fn a_key_twice_in_one_batch_stores_its_first_request_only<F: Fixture>(f: &F) {
    let j = f.open().await;
    // Two requests under one key in one batch, and whatever order the database takes rows in: the first is
    // stored (send it), the second is judged alone against the first's record.
    let begins = [issue("twice", "fp-first", "w", LONG), issue("other", "fp", "w", LONG), {
        let mut second = issue("twice", "fp-second", "w", LONG);
        second.partner_ref = Some("ref-second".into());
        second
    }];
    assert_eq!(j.begin_idempotent_many(&begins).await.unwrap(), [true, true, false]);
    let stored = record(&*j, "twice").await;
    assert_eq!(
        (stored.fingerprint.as_str(), stored.partner_ref.as_deref()),
        ("fp-first", Some("ref-twice")),
        "the record is the request told to send"
    );
    assert!(matches!(j.begin_idempotent(&begins[2]).await.unwrap(), IdemBegun::Mismatch(_)));
    j.close().await;
}

pub async fn begins_and_answers_of_requests_in_flight_commit_together<F: Fixture>(f: &F) {
    let j = f.open().await;
    j.begin_idempotent(&issue("taken", "fp", "w", LONG)).await.unwrap();
    j.begin_idempotent(&issue("i1", "fp", "w", LONG)).await.unwrap();
    j.finish_idempotent(SCOPE, "i1", "w", &issued()).await.unwrap();
    j.begin_idempotent(&child("cancel", "c1", "i1", "w")).await.unwrap();
    // Stored: the fresh keys; not stored: a key taken, and a second cancel of an issue (judged one by one).
    let begins = [
        issue("b", "fp", "w", LONG),
        issue("taken", "fp", "w", LONG),
        issue("a", "fp", "w", LONG),
        child("cancel", "c2", "i1", "w"),
    ];
    assert_eq!(j.begin_idempotent_many(&begins).await.unwrap(), [true, false, true, false]);
    assert_eq!(record(&*j, "a").await.state, IdemState::InFlight);
    assert_eq!(j.idempotent(SCOPE, "c2").await.unwrap(), None);
    assert!(matches!(j.begin_idempotent(&begins[3]).await.unwrap(), IdemBegun::OtherCancel(_)));
    assert!(matches!(j.begin_idempotent(&begins[0]).await.unwrap(), IdemBegun::InFlight { .. }));
    assert!(j.begin_idempotent_many(&[]).await.unwrap().is_empty());

    // Answers: each applies as `finish_idempotent` would, the sender's own only.
    let of = |key: &str, owner: &str| IdemFinishOf {
        scope: SCOPE.into(),
        key: key.into(),
        owner: owner.into(),
        finish: issued(),
    };
    let applied = j.finish_idempotent_many(&[of("b", "w"), of("a", "someone else"), of("nothing", "w")]).await.unwrap();
    assert_eq!(applied, [true, false, false]);
    assert_eq!((record(&*j, "b").await.state, record(&*j, "a").await.state), (IdemState::Done, IdemState::InFlight));
    let in_flight = IdemFinishOf { finish: IdemFinish { state: IdemState::InFlight, ..issued() }, ..of("a", "w") };
    assert!(matches!(j.finish_idempotent_many(&[in_flight]).await, Err(JournalError::Invalid(_))));
    j.close().await;
}
