//! The schema, its migrations and what is kept beside them (`journal_meta`), for both
//! backends.

use sqlx::Pool;

use super::Dialect;
use super::columns::now_ms;
use super::driver::Stmt;
use crate::decode::Columns;
use crate::error::{JournalError, Result};
use crate::pins::PinKey;

/// The name of the PIN key in `journal_meta`.
const PIN_KEY: &str = "pin_hmac_key";

/// The schema, as numbered migrations; each applied once, in order, recorded in
/// `schema_version`. `{id}` is the backend's auto-numbered key ([`Dialect::ID_KEY`]);
/// the rest is the same text on both. A released migration never changes (journals
/// written by it must still open): a change is a new one.
const MIGRATIONS: &[(i64, &[&str])] = &[
    (
        1,
        &[
            "CREATE TABLE journal_meta (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )",
            "CREATE TABLE campaigns (
            id {id},
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
            id {id},
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
        ],
    ),
    (
        2,
        &[
            "ALTER TABLE campaign_rows ADD COLUMN price BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN reconciled_at BIGINT",
        ],
    ),
    (
        3,
        &[
            "ALTER TABLE campaign_rows ADD COLUMN coupon_state TEXT \
             CHECK (coupon_state IN ('unused', 'used', 'partly_used', 'cancelled', 'expired', 'unknown'))",
            "ALTER TABLE campaign_rows ADD COLUMN coupon_vendor_status TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN used_at BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN used_place TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN remaining BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN valid_until TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN delivery TEXT CHECK (delivery IN ('delivered', 'pending', 'failed'))",
            "ALTER TABLE campaign_rows ADD COLUMN delivery_code TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN checked_at BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_state TEXT \
             CHECK (cancel_state IN ('selected', 'cancelling', 'cancelled', 'refused', 'unknown'))",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_attempts BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_lease_owner TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_lease_until BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_code TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN cancel_message TEXT",
            "ALTER TABLE campaign_rows ADD COLUMN cancelled_at BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN resend_count BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE campaign_rows ADD COLUMN resent_at BIGINT",
            "ALTER TABLE campaign_rows ADD COLUMN resend_code TEXT",
            "CREATE INDEX campaign_rows_pin_hash ON campaign_rows (campaign_id, pin_hash)",
            // The figures' own, over issued rows only (a row enters it once issued): their
            // counts and sums per goods, coupon state and delivery, and their days, read from
            // the index alone (it covers them), in its order, on a million rows.
            "CREATE INDEX campaign_rows_issued ON campaign_rows (campaign_id, product_id, product_name, coupon_state, \
             delivery, price, checked_at, first_sent_at, used_at, state) WHERE state = 'issued'",
            "CREATE INDEX campaign_rows_no_order ON campaign_rows (campaign_id, product_id, product_name) \
             WHERE state = 'issued' AND order_id IS NULL",
            // With the line: a claim of cancels walks it in line order.
            "CREATE INDEX campaign_rows_cancel ON campaign_rows (campaign_id, cancel_state, line)",
            "CREATE TABLE coupon_history (
            id {id},
            row_id BIGINT NOT NULL REFERENCES campaign_rows (id),
            campaign_id BIGINT NOT NULL,
            from_state TEXT,
            to_state TEXT NOT NULL,
            at BIGINT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('status', 'report', 'cancel'))
        )",
            "CREATE INDEX coupon_history_rows ON coupon_history (campaign_id, row_id)",
            "CREATE TABLE report_days (
            campaign_id BIGINT NOT NULL,
            day TEXT NOT NULL,
            read_at BIGINT NOT NULL,
            items BIGINT NOT NULL,
            PRIMARY KEY (campaign_id, day)
        )",
        ],
    ),
    (
        4,
        &[
            "CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        )",
            "CREATE TABLE idempotency (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            op TEXT NOT NULL,
            target TEXT,
            fingerprint TEXT NOT NULL,
            vendor TEXT NOT NULL,
            partner_ref TEXT,
            request TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('in_flight', 'unknown', 'done')),
            outcome TEXT,
            status BIGINT,
            response TEXT,
            order_id TEXT,
            owner TEXT,
            lease_until BIGINT,
            attempts BIGINT NOT NULL DEFAULT 0,
            next_check_at BIGINT,
            note TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (scope, key)
        )",
            // At most one cancel per issue, whatever its key: a second key's cancel finds the first.
            // One cancel per issue, but for one settled `not_cancelled`: it refunded nothing, so another may go.
            "CREATE UNIQUE INDEX idempotency_one_cancel ON idempotency (scope, target) \
             WHERE op = 'cancel' AND (outcome IS NULL OR outcome <> 'not_cancelled')",
            // An issue's cancel and resends, and the purge's look for children not settled.
            "CREATE INDEX idempotency_target ON idempotency (scope, target) WHERE target IS NOT NULL",
            // The reconciler's walk: doubts by when they may be looked at.
            "CREATE INDEX idempotency_doubts ON idempotency (state, next_check_at)",
            "CREATE INDEX idempotency_created ON idempotency (created_at)",
        ],
    ),
];

/// The schema version this release writes: its highest migration.
pub(crate) const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// Brings the schema up to date, in one transaction.
pub(crate) async fn migrate<DB: Dialect>(pool: &Pool<DB>) -> Result<()> {
    let mut tx = pool.begin_with(DB::BEGIN).await?;
    if let Some(lock) = DB::schema_lock() {
        DB::execute(&mut tx, lock).await?;
    }
    let create = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
    DB::execute(&mut tx, Stmt::new(create)).await?;
    let current = version::<DB>(&mut tx).await?;
    if current > LATEST {
        // Dropping the transaction rolls it back: nothing was written.
        return Err(JournalError::NewerSchema { found: current, known: LATEST });
    }
    for (version, statements) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        for statement in *statements {
            DB::execute(&mut tx, Stmt::new(statement.replace("{id}", DB::ID_KEY))).await?;
        }
        let applied = Stmt::new("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)");
        DB::execute(&mut tx, applied.bind(*version).bind(now_ms())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The highest migration applied (0 for none).
pub(crate) async fn version<DB: Dialect>(conn: &mut DB::Connection) -> Result<i64> {
    let found = DB::fetch_optional(conn, Stmt::new("SELECT MAX(version) AS v FROM schema_version")).await?;
    Ok(found.map(|row| row.opt_int("v")).transpose()?.flatten().unwrap_or(0))
}

/// The journal's PIN key, generated by whoever opens the journal first.
pub(crate) async fn load_pin_key<DB: Dialect>(pool: &Pool<DB>) -> Result<PinKey> {
    let mut conn = pool.acquire().await?;
    let insert = Stmt::new("INSERT INTO journal_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING");
    DB::execute(&mut conn, insert.bind(PIN_KEY).bind(PinKey::generate()?.to_hex())).await?;
    let select = Stmt::new("SELECT value FROM journal_meta WHERE name = $1").bind(PIN_KEY);
    let found = DB::fetch_optional(&mut conn, select).await?;
    let found = found.ok_or_else(|| JournalError::Invalid("the journal has no PIN key".into()))?;
    PinKey::from_hex(&found.text("value")?)
}
