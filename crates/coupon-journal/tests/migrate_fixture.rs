//! A journal written by the release before the coupon lifecycle (schema 2, made by that
//! release's own `coupon` binary: `tests/fixtures/README.md`) opens with this one,
//! migrates (to 4: the coupon's life, then the service's keys), and keeps every row as
//! that release read it; a journal of a newer release is refused and left as it was.

use std::path::{Path, PathBuf};

use coupon_core::chrono::{DateTime, Utc};
use coupon_journal::{Claim, CouponLife, JournalError, Row, RowState, SCHEMA_VERSION};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A copy of the schema-2 fixture in a fresh directory (the fixture itself is never opened).
fn copy_of_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    std::fs::copy(fixture("journal-v2.sqlite"), &path).unwrap();
    (dir, path)
}

fn url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

/// A row's columns as the fixture's dump holds them: the same function dumped them with
/// the release before (times as stored, in ms).
fn row_json(r: &Row) -> Value {
    let ms = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp_millis());
    json!({
        "id": r.id.0, "campaign_id": r.campaign.0, "line": r.line, "row_key": r.key, "phone": r.phone,
        "name": r.name,
        "product_id": r.request.product_id, "product_name": r.request.product_name, "callback": r.request.callback,
        "title": r.request.title, "content_template": r.request.content_template, "amount": r.request.amount,
        "memo": r.request.memo,
        "extra": r.extra, "price": r.price, "partner_ref": r.partner_ref.as_str(), "state": r.state.as_str(),
        "attempts": r.attempts, "lease_owner": r.lease_owner, "lease_until": ms(r.lease_until),
        "first_sent_at": ms(r.first_sent_at), "reconciled_at": ms(r.reconciled_at), "order_id": r.order_id,
        "pin_masked": r.pin_masked, "pin_hash": r.pin_hash, "pin": r.pin.as_ref().map(|p| p.expose().to_owned()),
        "vendor_code": r.vendor_code, "vendor_message": r.vendor_message, "details_unknown": r.details_unknown,
        "error_kind": r.error_kind, "updated_at": r.updated_at.timestamp_millis(),
    })
}

#[tokio::test]
async fn a_journal_of_the_release_before_migrates_and_keeps_every_row() {
    let dumped: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture("journal-v2.rows.json")).unwrap()).unwrap();
    let states: std::collections::BTreeSet<&str> = dumped.iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        ["issued", "not_issued", "pending", "refused", "sending", "unknown"].into(),
        "the fixture has a row in every state"
    );

    let (_dir, path) = copy_of_fixture();
    let j = coupon_journal::open_existing(&url(&path)).await.unwrap();
    assert_eq!(j.schema_version().await.unwrap(), 4);
    assert_eq!(SCHEMA_VERSION, 4);
    let mut read = Vec::new();
    for summary in j.list_campaigns().await.unwrap() {
        read.extend(j.rows(&summary.campaign, None, None, 1_000).await.unwrap());
    }
    assert_eq!(read.len(), dumped.len());
    for (row, before) in read.iter().zip(&dumped) {
        assert_eq!(&row_json(row), before, "row {} as the release before read it", row.id);
        assert_eq!(row.life, CouponLife::default(), "row {}: nothing known of its coupon yet", row.id);
    }
    // The campaigns' counts, as the release's own `status` showed them.
    let spring = j.campaign("spring-2026").await.unwrap();
    let counts = j.counts(&spring).await.unwrap();
    assert_eq!(
        (counts.issued, counts.refused, counts.unknown, counts.not_issued, counts.pending, counts.total()),
        (12, 2, 1, 1, 4, 20)
    );
    assert!(spring.stop_reason.as_deref().is_some_and(|r| r.contains("--max-spend")));
    let figures = j.figures(&spring).await.unwrap();
    assert_eq!(figures.coupons.unchecked, 12, "every issued coupon waits for its first sync");
    assert_eq!(figures.coupons.details_unknown, 1);
    // The service's tables (migration 4) are there, empty.
    assert_eq!((j.api_keys().await.unwrap(), j.idempotent_doubts().await.unwrap()), (vec![], 0));
    j.close().await;

    // The journal goes on where the release left it: the row killed in flight is in doubt.
    let j = coupon_journal::open_existing(&url(&path)).await.unwrap();
    assert_eq!(j.schema_version().await.unwrap(), 4, "migrated once");
    let autumn = j.campaign("autumn-pins").await.unwrap();
    let doubts = Claim { doubts_only: true, ..Claim::new(&autumn, "w", 10, std::time::Duration::from_secs(60)) };
    let claimed = j.claim(&doubts).await.unwrap();
    assert_eq!(claimed.iter().map(|r| (r.line, r.state)).collect::<Vec<_>>(), vec![(4, RowState::Unknown)]);
    j.close().await;
}

/// Rows per table, read directly.
async fn table_rows(path: &Path) -> Vec<(String, i64)> {
    let pool = sqlx::SqlitePool::connect(&url(path)).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut counts = Vec::new();
    for (table,) in tables {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
        counts.push((table, n));
    }
    pool.close().await;
    counts
}

#[tokio::test]
async fn a_journal_of_a_newer_release_is_refused_and_left_as_it_was() {
    let (_dir, path) = copy_of_fixture();
    let pool = sqlx::SqlitePool::connect(&url(&path)).await.unwrap();
    sqlx::query("INSERT INTO schema_version (version, applied_at) VALUES (99, 1900000000000)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let bytes = std::fs::read(&path).unwrap();
    let tables = table_rows(&path).await;

    for open in [coupon_journal::open(&url(&path)).await, coupon_journal::open_existing(&url(&path)).await] {
        let e = open.unwrap_err();
        assert!(matches!(e, JournalError::NewerSchema { found: 99, known: 4 }), "{e}");
        let shown = e.to_string();
        assert!(shown.contains("newer release") && shown.contains("99") && shown.contains("upgrade coupon"), "{shown}");
    }
    assert_eq!(table_rows(&path).await, tables, "no table made, no row changed");
    assert!(!tables.iter().any(|(t, _)| t == "coupon_history"));
    assert!(std::fs::read(&path).unwrap() == bytes, "the file is byte for byte as it was");
}
