//! A campaign of 1,000,000 rows after its send, in a SQLite journal, for `report --html`:
//! built once (the schema and the campaign through the journal's API, the rows by one
//! SQL statement, far faster than a million inserts) and cached under the Cargo target
//! directory between runs.
//!
//! The rows are a send of 7 days, 60 days ago, over 50 goods: 0.13 % in doubt (never
//! answered), and of the issued coupons 40 % used and 1 % used in part on days spread
//! over the 53 days since, 5 % cancelled by us (refunded), 4 % expired, 0.2 % in a
//! state of an unknown code, 48.8 % unused, 1 % never checked; 6.8 % issued with
//! details unknown (no order id); 1 % of deliveries failed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use coupon::chrono::Utc;
use coupon_campaign::build_report;
use coupon_campaign::report::{ReportData, write_html};
use coupon_journal::{CampaignSpec, Journal, RequestFields};

/// The campaign's name in the journal.
pub const NAME: &str = "report-million";
/// Rows of the campaign.
pub const ROWS: u64 = 1_000_000;
/// The window of "expires soon", in days (the CLI's default).
pub const WITHIN_DAYS: u32 = 7;
/// A day, in ms.
const DAY_MS: i64 = 86_400_000;

/// Where built journals are kept between runs: `COUPON_BENCH_CACHE_DIR`, else
/// `coupon-bench-cache` in the Cargo target directory this program was built into (the
/// nearest ancestor of the executable holding Cargo's `CACHEDIR.TAG`), else the system's
/// temporary directory.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("COUPON_BENCH_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().ok();
    let target = exe.as_deref().and_then(|e| e.ancestors().find(|d| d.join("CACHEDIR.TAG").is_file()));
    target.map_or_else(std::env::temp_dir, |t| t.join("coupon-bench-cache"))
}

/// The journal of a `rows`-row campaign after its send, built on first use and kept in
/// [`cache_dir`]; its path. Prints a line when it builds.
///
/// # Panics
///
/// When the journal cannot be built: nothing could be measured.
pub async fn journal(rows: u64) -> PathBuf {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).expect("the cache directory");
    let path = dir.join(format!("report-{rows}-v1.db"));
    if path.is_file() {
        return path;
    }
    // Built under another name and renamed whole: an interrupted build is never taken for a journal.
    let building = dir.join(format!("report-{rows}-v1.building.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    let started = Instant::now();
    build(&building, rows).await;
    std::fs::rename(&building, &path).expect("the built journal is renamed");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "built a {rows}-row journal in {:.1?} ({:.0} MB): {}",
        started.elapsed(),
        size as f64 / 1e6,
        path.display()
    );
    path
}

/// The journal's URL.
pub fn url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

async fn build(path: &Path, rows: u64) {
    let journal = coupon_journal::open(&url(path)).await.expect("the journal opens");
    let spec = CampaignSpec {
        name: NAME.into(),
        vendor: "giftishow".into(),
        defaults: RequestFields::default(),
        store_pins: false,
    };
    let campaign = journal.create_campaign(&spec).await.expect("the campaign").campaign;
    journal.close().await;
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect(&url(path)).await.expect("sqlite");
    let sql = insert_rows(campaign.id.0, rows, Utc::now().timestamp_millis());
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.expect("the rows are inserted");
    // As a journal in use would have: the WAL folded into the file.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.expect("a checkpoint");
    pool.close().await;
}

/// One statement inserting rows `0..rows` of campaign `campaign`, their life as the
/// module says, as of `now` (ms). `h` is a row's place in a fixed permutation of
/// 0..1000, so that states do not follow lines or goods.
fn insert_rows(campaign: i64, rows: u64, now: i64) -> String {
    let base = now - 60 * DAY_MS;
    let now_s = now / 1000;
    format!(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {last}), \
         r AS (SELECT i, (i * 2654435761) % 1000 AS h, i % 50 AS g, \
               {base} + (i % 7) * {DAY_MS} + (i % 36000) * 1000 AS sent FROM seq) \
         INSERT INTO campaign_rows (campaign_id, line, row_key, phone, name, product_id, product_name, extra, \
             partner_ref, state, attempts, first_sent_at, order_id, pin_masked, pin_hash, details_unknown, \
             vendor_message, error_kind, updated_at, price, coupon_state, coupon_vendor_status, used_at, used_place, \
             remaining, valid_until, delivery, delivery_code, checked_at, cancel_state, cancel_attempts, cancelled_at) \
         SELECT {campaign}, i + 2, 'member-' || i, printf('010%08d', i), '고객' || i, printf('G%08d', 750000 + g), \
             '[브랜드 ' || (g % 7) || '] 상품 ' || g, '{{}}', printf('CPBENCH%013d', i), \
             CASE WHEN i % 769 = 5 THEN 'unknown' ELSE 'issued' END, 1, sent, \
             CASE WHEN i % 769 = 5 OR h BETWEEN 502 AND 569 THEN NULL ELSE printf('%020d', i) END, \
             CASE WHEN i % 769 = 5 OR h BETWEEN 502 AND 569 THEN NULL ELSE printf('9123****%04d', i % 10000) END, \
             CASE WHEN i % 769 = 5 OR h BETWEEN 502 AND 569 THEN NULL ELSE printf('%064x', i * 7919) END, \
             CASE WHEN h BETWEEN 502 AND 569 AND i % 769 <> 5 THEN 'a re-send refused as a duplicate' END, \
             CASE WHEN i % 769 = 5 THEN '응답 시간 초과 (30초): 발급 여부를 공급사에 확인해야 함' END, \
             CASE WHEN i % 769 = 5 THEN 'outcome_unknown' END, \
             {now}, 1000 * (3 + g % 20) + 500, \
             CASE WHEN i % 769 = 5 OR h >= 990 THEN NULL WHEN h < 400 THEN 'used' WHEN h < 410 THEN 'partly_used' \
                  WHEN h < 460 THEN 'cancelled' WHEN h < 500 THEN 'expired' WHEN h < 502 THEN 'unknown' \
                  ELSE 'unused' END, \
             CASE WHEN i % 769 <> 5 AND h BETWEEN 500 AND 501 THEN 'Z9' END, \
             CASE WHEN i % 769 <> 5 AND h < 410 THEN sent + ((i / 7) % 53) * {DAY_MS} + (i % 3600) * 1000 END, \
             CASE WHEN i % 769 <> 5 AND h < 410 THEN '지점 ' || (i % 300) END, \
             CASE WHEN i % 769 <> 5 AND h BETWEEN 400 AND 409 THEN 3000 END, \
             CASE WHEN i % 769 = 5 THEN NULL WHEN h BETWEEN 460 AND 499 \
                  THEN date({now_s} - (1 + i % 20) * 86400, 'unixepoch', '+9 hours') \
                  ELSE date({now_s} + (i % 60) * 86400, 'unixepoch', '+9 hours') END, \
             CASE WHEN i % 769 = 5 THEN NULL WHEN h % 97 = 3 THEN 'failed' ELSE 'delivered' END, \
             CASE WHEN i % 769 <> 5 AND h % 97 = 3 THEN 'ERR0999' END, \
             CASE WHEN i % 769 = 5 OR h >= 990 THEN NULL ELSE {now} - (i % 3600) * 1000 END, \
             CASE WHEN i % 769 <> 5 AND h BETWEEN 410 AND 459 THEN 'cancelled' \
                  WHEN i % 769 <> 5 AND h < 3 THEN 'refused' END, \
             CASE WHEN i % 769 <> 5 AND (h BETWEEN 410 AND 459 OR h < 3) THEN 1 ELSE 0 END, \
             CASE WHEN i % 769 <> 5 AND h BETWEEN 410 AND 459 THEN {base} + (40 + i % 20) * {DAY_MS} END \
         FROM r",
        last = rows.saturating_sub(1),
    )
}

/// What `report --html` does once the journal is open: the report's data from the
/// journal's figures, and its page; answers the data and the page's length.
///
/// # Panics
///
/// When the campaign is missing or the report fails.
pub async fn report(journal: &dyn Journal) -> (ReportData, usize) {
    let campaign = journal.campaign(NAME).await.expect("the campaign");
    let data = build_report(journal, &campaign, WITHIN_DAYS).await.expect("the report");
    let mut page = Vec::with_capacity(512 * 1024);
    write_html(&data, &mut page).expect("the page is written");
    (data, page.len())
}

/// The baseline: one aggregate over every issued row of the campaign (a count and a
/// sum, by `sqlx` on its own connection), the least any report of them can read.
///
/// # Panics
///
/// When the query fails.
pub async fn one_scan(pool: &sqlx::SqlitePool, campaign: i64) -> (i64, i64) {
    let sql = "SELECT COUNT(*), COALESCE(SUM(price), 0) FROM campaign_rows WHERE campaign_id = $1 AND state = 'issued'";
    sqlx::query_as(sql).bind(campaign).fetch_one(pool).await.expect("the scan")
}
