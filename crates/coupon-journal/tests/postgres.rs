//! The PostgreSQL journal: the behaviour suite (`suite/mod.rs`, shared with SQLite)
//! and what only a shared server has (workers on several connections at once).
//!
//! Needs `COUPON_TEST_POSTGRES_URL` (e.g. from `.ci/postgres start`); each test
//! works in a schema of its own, created with a random name and dropped at the end,
//! so tests run in parallel. Without the URL the tests are skipped with a note,
//! except under `CI=true`, where that is a failure.
#![cfg(feature = "postgres")]

mod suite;

use std::collections::HashSet;
use std::time::Duration;

use coupon_journal::{Claim, IdemBegin, IdemBegun, IdemFinish, IdemState, Journal, PostgresJournal, RowState};
use sqlx::PgPool;

use suite::{Fixture, LONG, campaign_with, ids, issued_for};

const URL_VAR: &str = "COUPON_TEST_POSTGRES_URL";

/// A schema of its own in the test server.
struct PgFixture {
    admin: PgPool,
    schema: String,
    url: String,
}

/// The server's URL, or `None` (skip) when unset outside CI.
fn server_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but {URL_VAR} is unset: CI must run the PostgreSQL tests (see .ci/postgres)")
        }
        _ => {
            // Once per run, and past the test harness's capture (which would hide it).
            static NOTE: std::sync::Once = std::sync::Once::new();
            NOTE.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {URL_VAR} is unset: the PostgreSQL tests are skipped (they pass without running; \
                     start a server with `.ci/postgres start`)"
                );
            });
            None
        }
    }
}

impl Fixture for PgFixture {
    async fn new() -> Option<Self> {
        let base = server_url()?;
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let schema = format!("coupon_test_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let admin = sqlx::postgres::PgPoolOptions::new().max_connections(2).connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options[search_path]={schema}");
        Some(Self { admin, schema, url })
    }

    fn url(&self) -> String {
        self.url.clone()
    }

    async fn schema_versions(&self) -> Vec<i64> {
        let sql = format!("SELECT version FROM {}.schema_version ORDER BY version", self.schema);
        let versions: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.admin).await.unwrap();
        versions.into_iter().map(|(v,)| v).collect()
    }

    async fn meta(&self) -> Vec<(String, String)> {
        let sql = format!("SELECT name, value FROM {}.journal_meta ORDER BY name", self.schema);
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.admin).await.unwrap()
    }

    async fn cleanup(self) {
        let sql = format!("DROP SCHEMA {} CASCADE", self.schema);
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&self.admin).await.unwrap();
        self.admin.close().await;
    }
}

suite::behaviour_tests!(PgFixture);

#[tokio::test]
async fn the_journal_is_in_the_schema_of_its_url() {
    let Some(f) = PgFixture::new().await else { return };
    let j = PostgresJournal::open(&f.url).await.unwrap();
    assert_eq!(j.schema_version().await.unwrap(), 4);
    let sql = format!("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}'", f.schema);
    let (tables,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&f.admin).await.unwrap();
    assert_eq!(
        tables, 8,
        "schema_version, journal_meta, campaigns, campaign_rows, coupon_history, report_days, api_keys, idempotency"
    );
    j.close().await;
    f.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_opens_migrate_once_and_share_one_pin_key() {
    let Some(f) = PgFixture::new().await else { return };
    let opens = (0..8).map(|_| {
        let url = f.url();
        tokio::spawn(async move { PostgresJournal::open(&url).await.unwrap() })
    });
    let mut journals = Vec::new();
    for open in opens {
        journals.push(open.await.unwrap());
    }
    assert_eq!(f.schema_versions().await, vec![1, 2, 3, 4]);
    assert_eq!(f.meta().await.len(), 1);
    let key = journals[0].pin_key().clone();
    for j in &journals {
        assert_eq!(j.pin_key(), &key);
        j.close().await;
    }
    f.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_on_their_own_connections_never_get_the_same_row() {
    let Some(f) = PgFixture::new().await else { return };
    let setup = f.open().await;
    let c = campaign_with(&*setup, "race", 300).await;
    let workers = ["a", "b", "c"].map(|name| {
        let url = f.url();
        let c = c.clone();
        tokio::spawn(async move {
            // Each worker its own journal (own connections), as a process on another machine would.
            let j = PostgresJournal::open(&url).await.unwrap();
            let mut got = Vec::new();
            loop {
                let batch = j.claim(&Claim::new(&c, name, 4, LONG)).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(batch.iter().all(|r| r.lease_owner.as_deref() == Some(name)));
                let marked = j.mark_sending(&ids(&batch), name, None).await.unwrap();
                assert_eq!(marked.marked, ids(&batch));
                for r in &batch {
                    j.record_issued(r.id, &issued_for(r, None)).await.unwrap();
                }
                got.extend(ids(&batch));
            }
            j.close().await;
            got
        })
    });
    let mut all = Vec::new();
    for w in workers {
        all.push(w.await.unwrap());
    }
    let total: usize = all.iter().map(Vec::len).sum();
    let distinct: HashSet<_> = all.iter().flatten().collect();
    assert_eq!(total, 300);
    assert_eq!(distinct.len(), 300, "no row was claimed twice");
    let counts = setup.counts(&c).await.unwrap();
    assert_eq!((counts.issued, counts.total()), (300, 300));
    for r in setup.rows(&c, None, None, 1000).await.unwrap() {
        assert_eq!(r.attempts, 1, "row {} was marked more than once", r.line);
    }
    setup.close().await;
    f.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_capped_markings_never_pass_the_cap_together() {
    let Some(f) = PgFixture::new().await else { return };
    let setup = f.open().await;
    const CAP: i64 = 15_500;
    // A few rounds: one race may happen to come out right without the lock.
    for round in 0..5 {
        let c = campaign_with(&*setup, &format!("capped-{round}"), 40).await; // 1,000 won each
        // Each worker holds 20 rows and marks them one by one, racing the other for the
        // room under the cap.
        let mut workers = Vec::new();
        for name in ["a", "b"] {
            let mine = setup.claim(&Claim::new(&c, name, 20, LONG)).await.unwrap();
            assert_eq!(mine.len(), 20);
            let url = f.url();
            workers.push(tokio::spawn(async move {
                let j = PostgresJournal::open(&url).await.unwrap();
                let mut marked = Vec::new();
                for r in &mine {
                    let m = j.mark_sending(&[r.id], name, Some(CAP)).await.unwrap();
                    if m.over_cap.is_some() {
                        assert!(m.marked.is_empty());
                        break;
                    }
                    marked.extend(m.marked);
                }
                j.close().await;
                marked
            }));
        }
        let mut marked = Vec::new();
        for w in workers {
            marked.extend(w.await.unwrap());
        }
        assert_eq!(marked.len(), 15, "round {round}: together the workers filled the cap, and did not pass it");
        let spend = setup.spent(&c).await.unwrap();
        assert_eq!((spend.won, spend.unpriced), (15_000, 0));
        assert_eq!(setup.counts(&c).await.unwrap().sending, 15);
    }
    setup.close().await;
    f.cleanup().await;
}

#[tokio::test]
async fn a_claim_skips_rows_locked_by_others_instead_of_waiting() {
    let Some(f) = PgFixture::new().await else { return };
    let j = f.open().await;
    let c = campaign_with(&*j, "locked", 3).await;
    // Another session holds line 1 locked (a worker in the middle of its own transaction).
    let mut tx = f.admin.begin().await.unwrap();
    let sql = format!("SELECT id FROM {}.campaign_rows WHERE line = 1 FOR UPDATE", f.schema);
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.unwrap();
    let claimed = tokio::time::timeout(Duration::from_secs(10), j.claim(&Claim::new(&c, "w", 10, LONG)))
        .await
        .expect("the claim waited for a locked row")
        .unwrap();
    assert_eq!(claimed.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3]);
    tx.rollback().await.unwrap();
    let rest = j.claim(&Claim::new(&c, "w2", 10, LONG)).await.unwrap();
    assert_eq!(rest.iter().map(|r| (r.line, r.state)).collect::<Vec<_>>(), vec![(1, RowState::Pending)]);
    j.close().await;
    f.cleanup().await;
}

#[tokio::test]
async fn postgres_urls_open_a_postgres_journal() {
    let Some(f) = PgFixture::new().await else { return };
    let alt = f.url().replacen("postgres://", "postgresql://", 1);
    let j = coupon_journal::open(&alt).await.unwrap();
    assert!(format!("{j:?}").starts_with("PostgresJournal"), "{j:?}");
    j.close().await;
    f.cleanup().await;
}

/// An issue's (or with `target`, a cancel's) begin under `key`, for `owner`.
fn idem(key: &str, target: Option<&str>, owner: &str, lease: Duration) -> IdemBegin {
    IdemBegin {
        scope: "kPG".into(),
        key: key.into(),
        op: if target.is_some() { "cancel" } else { "issue" }.into(),
        target: target.map(str::to_owned),
        fingerprint: format!("fp-{}", target.unwrap_or("issue")),
        vendor: "test".into(),
        partner_ref: None,
        request: "{}".into(),
        order_id: None,
        owner: owner.into(),
        lease,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_sending_one_key_at_once_start_it_once() {
    let Some(f) = PgFixture::new().await else { return };
    const KEYS: usize = 30;
    // Three replicas, each its own journal, each sending every key from four tasks at once.
    let replicas = ["a", "b", "c"].map(|replica| {
        let url = f.url();
        tokio::spawn(async move {
            let j = std::sync::Arc::new(PostgresJournal::open(&url).await.unwrap());
            let mut tasks = Vec::new();
            for n in 0..4 {
                let j = j.clone();
                tasks.push(tokio::spawn(async move {
                    let mut started = Vec::new();
                    for k in 0..KEYS {
                        let begin = idem(&format!("key-{k}"), None, &format!("{replica}{n}"), LONG);
                        match j.begin_idempotent(&begin).await.unwrap() {
                            IdemBegun::Started => started.push(k),
                            IdemBegun::InFlight { .. } => {}
                            other => panic!("key-{k}: {other:?}"),
                        }
                    }
                    started
                }));
            }
            let mut started = Vec::new();
            for t in tasks {
                started.extend(t.await.unwrap());
            }
            j.close().await;
            started
        })
    });
    let mut started = Vec::new();
    for r in replicas {
        started.extend(r.await.unwrap());
    }
    started.sort_unstable();
    assert_eq!(started, (0..KEYS).collect::<Vec<_>>(), "each key started exactly once");
    f.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancels_of_one_issue_under_different_keys_at_once_start_one() {
    let Some(f) = PgFixture::new().await else { return };
    for round in 0..10 {
        let target = format!("issue-{round}");
        let senders = (0..4).map(|n| {
            let (url, target) = (f.url(), target.clone());
            tokio::spawn(async move {
                let j = PostgresJournal::open(&url).await.unwrap();
                let begun = j.begin_idempotent(&idem(&format!("cancel-{round}-{n}"), Some(&target), "w", LONG)).await;
                j.close().await;
                begun.unwrap()
            })
        });
        let mut started = 0;
        for s in senders {
            match s.await.unwrap() {
                IdemBegun::Started => started += 1,
                IdemBegun::OtherCancel(first) => assert_eq!(first.target.as_deref(), Some(target.as_str())),
                other => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(started, 1, "round {round}: one cancel per issue");
    }
    f.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_reconcilers_on_their_own_connections_never_get_the_same_doubt() {
    let Some(f) = PgFixture::new().await else { return };
    let setup = f.open().await;
    const DOUBTS: usize = 300;
    for k in 0..DOUBTS {
        let key = format!("d{k}");
        if k % 3 == 0 {
            // A dead sender's record: the claim makes it a doubt.
            setup.begin_idempotent(&idem(&key, None, "w", Duration::ZERO)).await.unwrap();
        } else {
            setup.begin_idempotent(&idem(&key, None, "w", LONG)).await.unwrap();
            let doubt = IdemFinish {
                state: IdemState::Unknown,
                outcome: "unknown".into(),
                status: 202,
                response: "{}".into(),
                order_id: None,
                first_check: Duration::ZERO,
            };
            assert!(setup.finish_idempotent("kPG", &key, "w", &doubt).await.unwrap());
        }
    }
    let reconcilers = ["r1", "r2", "r3"].map(|owner| {
        let url = f.url();
        tokio::spawn(async move {
            let j = PostgresJournal::open(&url).await.unwrap();
            let mut got = Vec::new();
            loop {
                let batch = j.claim_doubts(owner, LONG, 7).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                assert!(batch.iter().all(|r| r.owner.as_deref() == Some(owner) && r.state == IdemState::Unknown));
                got.extend(batch.into_iter().map(|r| r.key));
            }
            j.close().await;
            got
        })
    });
    let mut all = Vec::new();
    for r in reconcilers {
        all.push(r.await.unwrap());
    }
    let total: usize = all.iter().map(Vec::len).sum();
    let distinct: HashSet<&String> = all.iter().flatten().collect();
    assert_eq!((total, distinct.len()), (DOUBTS, DOUBTS), "every doubt claimed once");
    assert_eq!(setup.idempotent_doubts().await.unwrap(), DOUBTS as u64);
    setup.close().await;
    f.cleanup().await;
}

#[tokio::test]
async fn claiming_doubts_skips_one_locked_by_another_instead_of_waiting() {
    let Some(f) = PgFixture::new().await else { return };
    let j = f.open().await;
    for key in ["d1", "d2"] {
        j.begin_idempotent(&idem(key, None, "w", Duration::ZERO)).await.unwrap();
    }
    // Another session holds d1 locked (a replica in the middle of its own claim).
    let mut tx = f.admin.begin().await.unwrap();
    let sql = format!("SELECT key FROM {}.idempotency WHERE key = 'd1' FOR UPDATE", f.schema);
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await.unwrap();
    let claimed = tokio::time::timeout(Duration::from_secs(10), j.claim_doubts("r1", LONG, 10))
        .await
        .expect("the claim waited for a locked record")
        .unwrap();
    assert_eq!(claimed.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["d2"]);
    tx.rollback().await.unwrap();
    let rest = j.claim_doubts("r2", LONG, 10).await.unwrap();
    assert_eq!(rest.iter().map(|r| (r.key.as_str(), r.attempts)).collect::<Vec<_>>(), [("d1", 1)]);
    j.close().await;
    f.cleanup().await;
}
