//! What is stored keeps its shape: a journal written by the release before
//! `RequestFields` (schema version 2, a request field per column in `campaigns` and
//! `campaign_rows`) opens, migrates and reads back as it was written, and what is written
//! now lands in the same columns, as the same text.

use std::path::{Path, PathBuf};

use coupon_journal::{CampaignSpec, NewRow, RequestFields, RowState};

/// The schema as the release before wrote it (migrations 1 and 2, SQLite's key), word
/// for word, with a campaign and a row as its `coupon campaign create` stored them:
/// the defaults as the flags gave them, the row's values checked (the reply number as
/// digits) and rendered.
const WRITTEN_BEFORE: &[&str] = &[
    "CREATE TABLE schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    "CREATE TABLE journal_meta (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )",
    "CREATE TABLE campaigns (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        vendor TEXT NOT NULL,
        token TEXT NOT NULL UNIQUE,
        store_pins BOOLEAN NOT NULL,
        product_id TEXT, product_name TEXT, callback TEXT, title TEXT,
        content_template TEXT, amount TEXT, memo TEXT,
        stop_reason TEXT,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE campaign_rows (
        id INTEGER PRIMARY KEY,
        campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
        line BIGINT NOT NULL,
        row_key TEXT,
        phone TEXT NOT NULL,
        name TEXT,
        product_id TEXT, product_name TEXT, callback TEXT, title TEXT,
        content_template TEXT, amount TEXT, memo TEXT,
        extra TEXT NOT NULL,
        partner_ref TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'issued', 'refused', 'unknown', 'not_issued')),
        attempts BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        first_sent_at BIGINT,
        order_id TEXT,
        pin_masked TEXT,
        pin_hash TEXT,
        pin TEXT,
        vendor_code TEXT,
        vendor_message TEXT,
        details_unknown TEXT,
        error_kind TEXT,
        updated_at BIGINT NOT NULL,
        UNIQUE (campaign_id, line),
        UNIQUE (campaign_id, row_key)
    )",
    "CREATE UNIQUE INDEX campaign_rows_partner_ref ON campaign_rows (partner_ref)",
    "CREATE INDEX campaign_rows_claim ON campaign_rows (campaign_id, state, line)",
    "ALTER TABLE campaign_rows ADD COLUMN price BIGINT",
    "ALTER TABLE campaign_rows ADD COLUMN reconciled_at BIGINT",
    "INSERT INTO schema_version (version, applied_at) VALUES (1, 1700000000000), (2, 1700000000000)",
    "INSERT INTO journal_meta (name, value) VALUES
        ('pin_hmac_key', '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')",
    "INSERT INTO campaigns (name, vendor, token, store_pins, product_id, product_name, callback, title,
        content_template, amount, memo, created_at)
     VALUES ('spring', 'giftletter', 'AB12CD34', 0, '0000000582', NULL, '02-123-4567', '{name}님 선물',
        '{name}님, 당첨을 축하드려요!', '1000', 'm0', 1700000000000)",
    "INSERT INTO campaign_rows (campaign_id, line, row_key, phone, name, product_id, product_name, callback,
        title, content_template, amount, memo, extra, partner_ref, state, updated_at, price)
     VALUES (1, 2, 'k1', '01012345678', '홍길동', '0000000582', '커피', '021234567', '홍길동님 선물',
        '홍길동님, 당첨을 축하드려요!', '1000', 'm0', '{\"store\":\"강남점\"}', 'CPAB12CD340000002', 'pending',
        1700000000000, 1000)",
];

/// The request fields as the release before stored them, by column.
fn fields_written_before(row: bool) -> RequestFields {
    RequestFields {
        product_id: Some("0000000582".into()),
        product_name: row.then(|| "커피".into()),
        callback: Some(if row { "021234567" } else { "02-123-4567" }.into()),
        title: Some(if row { "홍길동님 선물" } else { "{name}님 선물" }.into()),
        content_template: Some(
            if row { "홍길동님, 당첨을 축하드려요!" } else { "{name}님, 당첨을 축하드려요!" }.into(),
        ),
        amount: Some("1000".into()),
        memo: Some("m0".into()),
    }
}

struct File {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl File {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        Self { _dir: dir, path }
    }

    fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }
}

async fn raw(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true);
    sqlx::SqlitePool::connect_with(options).await.unwrap()
}

/// The seven request columns of `table`'s row `id`, by name.
async fn stored(pool: &sqlx::SqlitePool, table: &str, id: i64) -> Vec<Option<String>> {
    let columns = ["product_id", "product_name", "callback", "title", "content_template", "amount", "memo"];
    let mut values = Vec::new();
    for column in columns {
        let sql = format!("SELECT {column} FROM {table} WHERE id = $1");
        let (value,): (Option<String>,) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(pool).await.unwrap();
        values.push(value);
    }
    values
}

fn as_columns(f: &RequestFields) -> Vec<Option<String>> {
    let f = f.clone();
    vec![f.product_id, f.product_name, f.callback, f.title, f.content_template, f.amount, f.memo]
}

#[tokio::test]
async fn a_journal_written_before_reads_back_as_it_was_written() {
    let file = File::new();
    let pool = raw(&file.path).await;
    for statement in WRITTEN_BEFORE {
        sqlx::query(sqlx::AssertSqlSafe(*statement)).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let journal = coupon_journal::open_existing(&file.url()).await.unwrap();
    assert_eq!(journal.schema_version().await.unwrap(), 4, "migrated: the coupon's life beside what was written");
    let campaign = journal.campaign("spring").await.unwrap();
    assert_eq!(campaign.defaults, fields_written_before(false));
    let rows = journal.rows(&campaign, None, None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.request, fields_written_before(true));
    assert_eq!(
        (row.line, row.state, row.price, row.partner_ref.as_str()),
        (2, RowState::Pending, Some(1000), "CPAB12CD340000002")
    );
    assert_eq!(row.extra.get("store").map(String::as_str), Some("강남점"));
    assert_eq!(row.life, coupon_journal::CouponLife::default());
    journal.close().await;
}

#[tokio::test]
async fn what_is_written_now_lands_in_the_same_columns_as_the_same_text() {
    let file = File::new();
    let journal = coupon_journal::open(&file.url()).await.unwrap();
    let spec = CampaignSpec {
        name: "spring".into(),
        vendor: "giftletter".into(),
        defaults: fields_written_before(false),
        store_pins: false,
    };
    let campaign = journal.create_campaign(&spec).await.unwrap().campaign;
    let row = NewRow {
        line: 2,
        key: Some("k1".into()),
        phone: "01012345678".into(),
        name: Some("홍길동".into()),
        request: fields_written_before(true),
        extra: [("store".to_owned(), "강남점".to_owned())].into(),
        price: Some(1000),
    };
    journal.insert_rows(&campaign, &[row]).await.unwrap();
    let row_id = journal.rows(&campaign, None, None, 1).await.unwrap()[0].id;
    journal.close().await;

    let pool = raw(&file.path).await;
    assert_eq!(stored(&pool, "campaigns", campaign.id.0).await, as_columns(&fields_written_before(false)));
    assert_eq!(stored(&pool, "campaign_rows", row_id.0).await, as_columns(&fields_written_before(true)));
    let (versions,): (i64,) = sqlx::query_as("SELECT MAX(version) FROM schema_version").fetch_one(&pool).await.unwrap();
    assert_eq!(versions, 4, "this release's schema: its request columns are the release before's");
    pool.close().await;
}

#[tokio::test]
async fn a_coupons_life_is_stored_as_text_days_and_milliseconds() {
    use coupon_core::chrono::{NaiveDate, TimeZone};
    use coupon_core::{CouponCheck, CouponStatus, Delivery, Issued, OrderRef, Vendor};
    use coupon_journal::{Claim, StateSource};

    let file = File::new();
    let journal = coupon_journal::open(&file.url()).await.unwrap();
    let spec = CampaignSpec {
        name: "spring".into(),
        vendor: "giftletter".into(),
        defaults: fields_written_before(false),
        store_pins: false,
    };
    let campaign = journal.create_campaign(&spec).await.unwrap().campaign;
    let row = NewRow {
        line: 2,
        key: Some("k1".into()),
        phone: "01012345678".into(),
        name: None,
        request: fields_written_before(true),
        extra: Default::default(),
        price: Some(1000),
    };
    journal.insert_rows(&campaign, &[row]).await.unwrap();
    let row =
        journal.claim(&Claim::new(&campaign, "w", 1, std::time::Duration::from_secs(60))).await.unwrap().remove(0);
    journal.mark_sending(&[row.id], "w", None).await.unwrap();
    let issued = Issued::new(Vendor::new("giftletter"), OrderRef::new("O1"), None, row.partner_ref.clone());
    journal.record_issued(row.id, &issued).await.unwrap();
    let used_at = coupon_core::time::kst().with_ymd_and_hms(2026, 11, 2, 14, 3, 0).unwrap();
    let check = CouponCheck::new(CouponStatus::Used { at: Some(used_at), place: Some("강남점".into()) })
        .valid_until(NaiveDate::from_ymd_opt(2026, 12, 31))
        .delivery(Some(Delivery::Failed(Some("F01".into()))));
    journal.record_check(row.id, &check, StateSource::Report).await.unwrap();
    journal.close().await;

    let pool = raw(&file.path).await;
    type Life = (String, i64, String, String, String, String, i64, i64);
    let sql = "SELECT coupon_state, used_at, used_place, valid_until, delivery, delivery_code, cancel_attempts, \
               resend_count FROM campaign_rows WHERE id = $1";
    let life: Life = sqlx::query_as(sql).bind(row.id.0).fetch_one(&pool).await.unwrap();
    assert_eq!(
        life,
        (
            "used".into(),
            used_at.timestamp_millis(),
            "강남점".into(),
            "2026-12-31".into(),
            "failed".into(),
            "F01".into(),
            0,
            0
        )
    );
    let history: (i64, i64, Option<String>, String, String) =
        sqlx::query_as("SELECT row_id, campaign_id, from_state, to_state, source FROM coupon_history")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(history, (row.id.0, campaign.id.0, None, "used".into(), "report".into()));
    pool.close().await;
}
