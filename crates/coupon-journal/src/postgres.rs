//! The PostgreSQL backend (Cargo feature `postgres`): one database (or one schema
//! of it, through `search_path`) shared by workers on several machines.
//!
//! It answers exactly as the SQLite backend does; what differs is how workers are
//! kept apart:
//!
//! - a claim is one `WITH picked AS (SELECT id … ORDER BY line LIMIT n FOR UPDATE
//!   SKIP LOCKED) UPDATE … RETURNING …`: a row another worker is claiming or
//!   marking at the same moment is skipped, not waited for, and never handed out twice;
//! - `mark_sending` under a spending cap first locks the campaign's row
//!   (`SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE`), then reads the
//!   spend: every capped marking of a campaign is serialized, so workers together
//!   never pass the cap (the `NO KEY` lock does not hold up row inserts, whose
//!   foreign-key check takes only a key-share lock);
//! - the migrations run in one transaction under `pg_advisory_xact_lock`, so several
//!   processes opening a fresh database at once apply them once.
//!
//! Timestamps are stored as milliseconds since the epoch (`BIGINT`), as in SQLite.
//! Every transaction runs at `READ COMMITTED` (PostgreSQL's default): each statement
//! sees what was committed before it started, which the locks above rely on.
//! There is no TLS: connect over a trusted network or a local socket.

use std::str::FromStr;
use std::time::Duration;

use coupon_core::async_trait;
use coupon_core::{ErrorKind, Issued, Pin, Reconciliation};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgConnection, Postgres, Row as _};

use crate::decode::{campaign_from, counts_from, row_from, same_keyless_row};
use crate::error::{JournalError, Result};
use crate::model::{
    Campaign, CampaignSpec, CampaignSummary, Claim, Counts, CreatedCampaign, InsertReport, InvalidTransition, Marked,
    NewRow, Row, RowId, RowState, Spend,
};
use crate::pins::PinKey;
use crate::refs;
use crate::sql::{Dialect, Stmt, campaign_cols, duration_ms, load_pin_key, migrate, now_ms, row_cols, state_list};
use crate::store::{Journal, SpendCap};

/// The key of the advisory lock the migrations run under ("coupon" in ASCII).
pub const MIGRATION_LOCK: i64 = 0x636f_7570_6f6e;

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// A journal in a PostgreSQL database, shared by any number of workers.
#[derive(Debug)]
pub struct PostgresJournal {
    pool: PgPool,
    pin_key: PinKey,
}

/// Whether `url` names a PostgreSQL database (`postgres://…` or `postgresql://…`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// For a keyless row: whether its line is in the campaign already with the same
/// keyless row (`Some(true)`: a re-import, nothing to add), with another (`Some(false)`),
/// or not at all (`None`).
async fn same_line(conn: &mut PgConnection, campaign: &Campaign, row: &NewRow) -> Result<Option<bool>> {
    let line = i64::try_from(row.line).map_err(|_| JournalError::Invalid(format!("line {}", row.line)))?;
    let found = sqlx::query("SELECT phone, row_key FROM campaign_rows WHERE campaign_id = $1 AND line = $2")
        .bind(campaign.id.0)
        .bind(line)
        .fetch_optional(conn)
        .await?;
    found.as_ref().map(|f| same_keyless_row(f, row)).transpose()
}

impl PostgresJournal {
    /// Opens the PostgreSQL journal at `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?…]`
    /// (also `postgresql://`): applies the migrations not yet applied, in one
    /// transaction under an advisory lock (several processes may open a fresh
    /// database at once), and generates the PIN key on first open.
    ///
    /// The database must exist. To keep several journals in one database, give each
    /// its own schema: `?options[search_path]=SCHEMA` (the schema must exist).
    pub async fn open(url: &str) -> Result<Self> {
        if !is_postgres_url(url) {
            return Err(JournalError::UnsupportedUrl(crate::error::shown_url(url)));
        }
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(4).connect_with(options).await?;
        migrate::<Postgres>(&pool).await?;
        let pin_key = load_pin_key::<Postgres>(&pool).await?;
        Ok(Self { pool, pin_key })
    }

    async fn campaign_by(&self, sql: &'static str, value: i64, shown: String) -> Result<Campaign> {
        let row = sqlx::query(sql).bind(value).fetch_optional(&self.pool).await?;
        row.as_ref().map(campaign_from).transpose()?.ok_or(JournalError::CampaignNotFound(shown))
    }

    /// Why an update guarded by `state IN sources(to)` changed nothing.
    async fn refusal(&self, id: RowId, to: RowState) -> JournalError {
        match self.row(id).await {
            Ok(row) => match crate::check_transition(row.state, to) {
                Err(source) => JournalError::Transition { row: id, source },
                // `unknown → not_issued` is a reconciliation's edge, not a send's answer.
                Ok(()) if to == RowState::NotIssued && row.state == RowState::Unknown => {
                    JournalError::Transition { row: id, source: InvalidTransition { from: row.state, to } }
                }
                Ok(()) => JournalError::Invalid(format!("row {id} changed while being updated; read it again")),
            },
            Err(e) => e,
        }
    }

    /// A guarded state change: `sql` must end with `WHERE id = $N AND state IN (…)`,
    /// `$N` the last parameter, the list filled from the state machine; `bind` binds
    /// the SET values, then the id is bound.
    async fn change(
        &self,
        id: RowId,
        to: RowState,
        sql: String,
        bind: impl for<'q> FnOnce(PgQuery<'q>) -> PgQuery<'q>,
    ) -> Result<()> {
        let q = bind(sqlx::query(AssertSqlSafe(sql))).bind(id.0);
        if q.execute(&self.pool).await?.rows_affected() == 0 {
            return Err(self.refusal(id, to).await);
        }
        Ok(())
    }

    async fn issued(&self, id: RowId, issued: &Issued, reconciled: bool) -> Result<()> {
        let found = sqlx::query(
            "SELECT r.partner_ref, c.store_pins FROM campaign_rows r JOIN campaigns c ON c.id = r.campaign_id \
             WHERE r.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(JournalError::RowNotFound(id))?;
        let partner_ref: String = found.try_get("partner_ref")?;
        let store_pins: bool = found.try_get("store_pins")?;
        if issued.partner_ref.as_str() != partner_ref {
            return Err(JournalError::Invalid(format!(
                "row {id}: a coupon issued for reference {} recorded on the row of reference {partner_ref}",
                issued.partner_ref
            )));
        }
        let pin = issued.pin.as_ref();
        let sql = format!(
            "UPDATE campaign_rows SET state = 'issued', order_id = $1, pin_masked = $2, pin_hash = $3, pin = $4, \
             details_unknown = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6, \
             reconciled_at = CASE WHEN $7::BOOLEAN THEN $8 ELSE reconciled_at END \
             WHERE id = $9 AND state IN ({})",
            state_list(&RowState::sources(RowState::Issued))
        );
        let now = now_ms();
        let order = issued.order.as_ref().map(|o| o.as_str().to_owned());
        let masked = pin.map(Pin::masked);
        let hash = pin.map(|p| self.pin_key.hash(p.expose()));
        let clear = pin.filter(|_| store_pins).map(|p| p.expose().to_owned());
        let details = issued.details_unknown.clone();
        self.change(id, RowState::Issued, sql, move |q| {
            q.bind(order).bind(masked).bind(hash).bind(clear).bind(details).bind(now).bind(reconciled).bind(now)
        })
        .await
    }

    /// Only an `unknown` row is reconciled, even though `sending → issued` and
    /// `sending → not_issued` are edges.
    async fn only_unknown(&self, id: RowId, to: RowState) -> Result<()> {
        let current = self.row(id).await?;
        if current.state != RowState::Unknown {
            return Err(JournalError::Transition { row: id, source: InvalidTransition { from: current.state, to } });
        }
        Ok(())
    }

    async fn failed(&self, id: RowId, to: RowState, error: &coupon_core::Error) -> Result<()> {
        let sql = format!(
            "UPDATE campaign_rows SET state = '{}', error_kind = $1, vendor_code = $2, vendor_message = $3, \
             lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $5 AND state IN ({})",
            to.as_str(),
            state_list(&crate::model::SEND_ANSWER_SOURCES)
        );
        let kind = error.kind().as_str();
        let code = error.vendor_code().map(|c| c.raw().to_owned());
        let message = error.vendor_message().unwrap_or(error.message()).to_owned();
        let now = now_ms();
        self.change(id, to, sql, move |q| q.bind(kind).bind(code).bind(message).bind(now)).await
    }
}

/// The campaign's [`Spend`]: rows that may have cost money.
async fn spend_in(conn: &mut PgConnection, campaign: i64) -> Result<Spend> {
    // SUM of BIGINT is NUMERIC in PostgreSQL: cast back.
    let row = sqlx::query(
        "SELECT COALESCE(SUM(price), 0)::BIGINT AS won, COUNT(*) - COUNT(price) AS unpriced FROM campaign_rows \
         WHERE campaign_id = $1 AND state IN ('sending', 'issued', 'unknown')",
    )
    .bind(campaign)
    .fetch_one(conn)
    .await?;
    let unpriced: i64 = row.try_get("unpriced")?;
    Ok(Spend { won: row.try_get("won")?, unpriced: u64::try_from(unpriced).unwrap_or(0) })
}

#[async_trait]
impl Journal for PostgresJournal {
    async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query("SELECT MAX(version) AS v FROM schema_version").fetch_one(&self.pool).await?.try_get("v")?;
        Ok(v.unwrap_or(0))
    }

    fn pin_key(&self) -> &PinKey {
        &self.pin_key
    }

    async fn create_campaign(&self, spec: &CampaignSpec) -> Result<CreatedCampaign> {
        let d = &spec.defaults;
        let mut attempt = 0;
        let id: i64 = loop {
            attempt += 1;
            let inserted = sqlx::query(
                "INSERT INTO campaigns (name, vendor, token, store_pins, product_id, product_name, callback, title, \
                 content_template, amount, memo, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(&spec.name)
            .bind(&spec.vendor)
            .bind(refs::new_token()?)
            .bind(spec.store_pins)
            .bind(&d.product_id)
            .bind(&d.product_name)
            .bind(&d.callback)
            .bind(&d.title)
            .bind(&d.content_template)
            .bind(&d.amount)
            .bind(&d.memo)
            .bind(now_ms())
            .fetch_one(&self.pool)
            .await;
            match inserted {
                Ok(row) => break row.try_get("id")?,
                // A statement of its own (no transaction to abort): look, then retry or refuse.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    let exists = sqlx::query("SELECT 1 FROM campaigns WHERE name = $1")
                        .bind(&spec.name)
                        .fetch_optional(&self.pool)
                        .await?
                        .is_some();
                    // Otherwise the random token collided with another campaign's: draw again.
                    if exists || attempt >= 5 {
                        return Err(JournalError::CampaignExists(spec.name.clone()));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        };
        let campaign = self
            .campaign_by(concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE id = $1"), id, spec.name.clone())
            .await?;
        let warning = spec.store_pins.then(|| {
            format!(
                "campaign `{}` keeps issued PINs in clear in the PostgreSQL journal: whoever can read its table \
                 campaign_rows (or a dump or backup of the database) can spend the coupons. Grant access to the \
                 journal's database to its workers only, and keep its dumps out of backups you do not control.",
                spec.name
            )
        });
        Ok(CreatedCampaign { campaign, warning })
    }

    async fn campaign(&self, name: &str) -> Result<Campaign> {
        let row = sqlx::query(concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(campaign_from).transpose()?.ok_or_else(|| JournalError::CampaignNotFound(name.to_owned()))
    }

    async fn list_campaigns(&self) -> Result<Vec<CampaignSummary>> {
        let rows = sqlx::query(concat!("SELECT ", campaign_cols!(), " FROM campaigns ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let campaign = campaign_from(row)?;
            let counts = self.counts(&campaign).await?;
            out.push(CampaignSummary { campaign, counts });
        }
        Ok(out)
    }

    async fn insert_rows(&self, campaign: &Campaign, rows: &[NewRow]) -> Result<InsertReport> {
        let mut report = InsertReport::default();
        let mut tx = self.pool.begin().await?;
        let now = now_ms();
        for row in rows {
            let partner_ref = refs::partner_ref(&campaign.token, row.line)?;
            let extra = serde_json::to_string(&row.extra).map_err(|e| JournalError::Invalid(e.to_string()))?;
            let r = &row.request;
            if row.key.is_none() {
                match same_line(&mut tx, campaign, row).await? {
                    Some(true) => {
                        report.known_keys_skipped += 1;
                        continue;
                    }
                    Some(false) => {
                        tx.rollback().await?;
                        return Err(JournalError::LineTaken { campaign: campaign.name.clone(), line: row.line });
                    }
                    None => {}
                }
            }
            // A known key (in the journal, earlier in this batch, or being inserted by
            // another loader right now) is skipped by ON CONFLICT, which never aborts the
            // transaction. What is left to fail is a line taken under another key or
            // none: that refuses the whole batch, and the transaction is rolled back.
            let inserted = sqlx::query(
                "INSERT INTO campaign_rows (campaign_id, line, row_key, phone, name, product_id, product_name, \
                 callback, title, content_template, amount, memo, extra, partner_ref, state, updated_at, price) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending', $15, $16) \
                 ON CONFLICT (campaign_id, row_key) DO NOTHING RETURNING id",
            )
            .bind(campaign.id.0)
            .bind(i64::try_from(row.line).map_err(|_| JournalError::Invalid(format!("line {}", row.line)))?)
            .bind(&row.key)
            .bind(&row.phone)
            .bind(&row.name)
            .bind(&r.product_id)
            .bind(&r.product_name)
            .bind(&r.callback)
            .bind(&r.title)
            .bind(&r.content_template)
            .bind(&r.amount)
            .bind(&r.memo)
            .bind(extra)
            .bind(partner_ref.as_str())
            .bind(now)
            .bind(row.price)
            .fetch_optional(&mut *tx)
            .await;
            match inserted {
                Ok(Some(_)) => report.added += 1,
                Ok(None) => report.known_keys_skipped += 1,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    tx.rollback().await?;
                    return Err(JournalError::LineTaken { campaign: campaign.name.clone(), line: row.line });
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn claim(&self, claim: &Claim) -> Result<Vec<Row>> {
        if claim.max == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        // The in-doubt edge, from the state machine.
        debug_assert!(RowState::Sending.can_go_to(RowState::Unknown));
        // SKIP LOCKED: a row another worker is claiming or marking right now is not
        // waited for; the locked rows' conditions are checked again on their latest
        // version before the UPDATE takes them. One index walk per state, each stopping
        // after `max` rows: a claim costs the same on the first row of a million as on
        // the last. Rows locked by a walk but not picked are free again at the commit.
        let rows = sqlx::query(concat!(
            "WITH p AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'pending' \
                     AND NOT $8 AND (lease_until IS NULL OR lease_until <= $5) \
                     ORDER BY line LIMIT $7 FOR UPDATE SKIP LOCKED), \
                  n AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'not_issued' \
                     AND NOT $8 AND (lease_until IS NULL OR lease_until <= $5) \
                     ORDER BY line LIMIT $7 FOR UPDATE SKIP LOCKED), \
                  u AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'unknown' \
                     AND (lease_until IS NULL OR lease_until <= $5) \
                     AND (reconciled_at IS NULL OR reconciled_at < $6) \
                     ORDER BY line LIMIT $7 FOR UPDATE SKIP LOCKED), \
                  s AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'sending' \
                     AND lease_until <= $5 ORDER BY line LIMIT $7 FOR UPDATE SKIP LOCKED), \
                  picked AS (SELECT id FROM (SELECT * FROM p UNION ALL SELECT * FROM n \
                     UNION ALL SELECT * FROM u UNION ALL SELECT * FROM s) AS c ORDER BY line LIMIT $7) \
             UPDATE campaign_rows SET lease_owner = $1, lease_until = $2, updated_at = $3, \
             error_kind = CASE WHEN state = 'sending' THEN 'outcome_unknown' ELSE error_kind END, \
             vendor_message = CASE WHEN state = 'sending' \
                 THEN 'lease expired while sending: the request may have left' ELSE vendor_message END, \
             state = CASE WHEN state = 'sending' THEN 'unknown' ELSE state END \
             WHERE id IN (SELECT id FROM picked) \
             RETURNING ",
            row_cols!()
        ))
        .bind(claim.worker.as_str())
        .bind(now.saturating_add(duration_ms(claim.lease)))
        .bind(now)
        .bind(claim.campaign.0)
        .bind(now)
        .bind(claim.retry_unknown_before.timestamp_millis())
        .bind(i64::try_from(claim.max).unwrap_or(i64::MAX))
        .bind(claim.doubts_only)
        .fetch_all(&self.pool)
        .await?;
        let mut rows = rows.iter().map(row_from).collect::<Result<Vec<_>>>()?;
        rows.sort_by_key(|r| r.line);
        Ok(rows)
    }

    async fn mark_sending(&self, rows: &[RowId], worker: &str, spend_cap: Option<i64>) -> Result<Marked> {
        let sql = format!(
            "UPDATE campaign_rows SET state = 'sending', attempts = attempts + 1, \
             first_sent_at = COALESCE(first_sent_at, $1), updated_at = $1 \
             WHERE id = $2 AND lease_owner = $3 AND lease_until > $1 AND state IN ({})",
            state_list(&RowState::sources(RowState::Sending))
        );
        let mut tx = self.pool.begin().await?;
        let mut marked = Marked::default();
        let mut take = rows;
        if let Some(cap) = spend_cap {
            let spent = match rows.first() {
                Some(first) => {
                    let campaign: i64 = sqlx::query("SELECT campaign_id FROM campaign_rows WHERE id = $1")
                        .bind(first.0)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or(JournalError::RowNotFound(*first))?
                        .try_get("campaign_id")?;
                    // Serializes every capped marking of the campaign, up to the commit;
                    // the spend read after it sees every marking committed before.
                    sqlx::query("SELECT 1 FROM campaigns WHERE id = $1 FOR NO KEY UPDATE")
                        .bind(campaign)
                        .execute(&mut *tx)
                        .await?;
                    spend_in(&mut tx, campaign).await?.won
                }
                None => 0,
            };
            let mut spend = SpendCap::new(spent, cap);
            for (i, id) in rows.iter().enumerate() {
                let price: Option<i64> = sqlx::query("SELECT price FROM campaign_rows WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(JournalError::RowNotFound(*id))?
                    .try_get("price")?;
                if !spend.admit(*id, price)? {
                    marked.over_cap = Some(*id);
                    take = &rows[..i];
                    break;
                }
            }
        }
        let now = now_ms();
        for id in take {
            let done = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(now)
                .bind(id.0)
                .bind(worker)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                tx.rollback().await?;
                let row = self.row(*id).await?;
                return Err(match crate::check_transition(row.state, RowState::Sending) {
                    Err(source) => JournalError::Transition { row: *id, source },
                    Ok(()) => JournalError::LeaseLost { row: *id, worker: worker.to_owned(), state: row.state },
                });
            }
            marked.marked.push(*id);
        }
        tx.commit().await?;
        Ok(marked)
    }

    async fn renew(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE campaign_rows SET lease_until = $1 \
             WHERE campaign_id = $2 AND lease_owner = $3 AND lease_until > $4",
        )
        .bind(now.saturating_add(duration_ms(lease)))
        .bind(campaign.id.0)
        .bind(worker)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn release(&self, rows: &[RowId], worker: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for id in rows {
            sqlx::query(
                "UPDATE campaign_rows SET lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND lease_owner = $2 AND state <> 'sending'",
            )
            .bind(id.0)
            .bind(worker)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn spent(&self, campaign: &Campaign) -> Result<Spend> {
        let mut conn = self.pool.acquire().await?;
        spend_in(&mut conn, campaign.id.0).await
    }

    async fn record_issued(&self, row: RowId, issued: &Issued) -> Result<()> {
        self.issued(row, issued, false).await
    }

    async fn record_refused(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        if error.kind() == ErrorKind::OutcomeUnknown {
            return Err(JournalError::Invalid(format!(
                "row {row}: an outcome_unknown error is a doubt, not a refusal (record_unknown)"
            )));
        }
        self.failed(row, RowState::Refused, error).await
    }

    async fn record_not_sent(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        if error.kind() == ErrorKind::OutcomeUnknown {
            return Err(JournalError::Invalid(format!(
                "row {row}: an outcome_unknown error is a doubt, not proof that nothing was issued (record_unknown)"
            )));
        }
        self.failed(row, RowState::NotIssued, error).await
    }

    async fn record_unknown(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        self.failed(row, RowState::Unknown, error).await
    }

    async fn record_reconciled(&self, row: RowId, outcome: &Reconciliation) -> Result<()> {
        match outcome {
            Reconciliation::Issued(issued) => {
                self.only_unknown(row, RowState::Issued).await?;
                self.issued(row, issued, true).await
            }
            Reconciliation::NotIssued => {
                self.only_unknown(row, RowState::NotIssued).await?;
                let sql = "UPDATE campaign_rows SET state = 'not_issued', lease_owner = NULL, lease_until = NULL, \
                           updated_at = $1, reconciled_at = $1 WHERE id = $2 AND state IN ('unknown')"
                    .to_owned();
                let now = now_ms();
                self.change(row, RowState::NotIssued, sql, move |q| q.bind(now)).await
            }
            Reconciliation::StillUnknown(reason) => {
                let sql = "UPDATE campaign_rows SET vendor_message = $1, lease_owner = NULL, lease_until = NULL, \
                           updated_at = $2, reconciled_at = $2 WHERE id = $3 AND state IN ('unknown')"
                    .to_owned();
                // Not an edge: the row stays `unknown`; any other state is refused as `→ unknown`.
                let now = now_ms();
                let reason = reason.clone();
                self.change(row, RowState::Unknown, sql, move |q| q.bind(reason).bind(now)).await
            }
            other => Err(JournalError::Invalid(format!("row {row}: unknown reconciliation `{}`", other.as_str()))),
        }
    }

    async fn row(&self, row: RowId) -> Result<Row> {
        let found = sqlx::query(concat!("SELECT ", row_cols!(), " FROM campaign_rows WHERE id = $1"))
            .bind(row.0)
            .fetch_optional(&self.pool)
            .await?;
        found.as_ref().map(row_from).transpose()?.ok_or(JournalError::RowNotFound(row))
    }

    async fn counts(&self, campaign: &Campaign) -> Result<Counts> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM campaign_rows WHERE campaign_id = $1 GROUP BY state")
            .bind(campaign.id.0)
            .fetch_all(&self.pool)
            .await?;
        counts_from(&rows)
    }

    async fn set_stop(&self, campaign: &Campaign, reason: Option<String>) -> Result<()> {
        let done = sqlx::query("UPDATE campaigns SET stop_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(campaign.id.0)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if done == 0 {
            return Err(JournalError::CampaignNotFound(campaign.name.clone()));
        }
        Ok(())
    }

    async fn stop_reason(&self, campaign: &Campaign) -> Result<Option<String>> {
        Ok(self
            .campaign_by(
                concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE id = $1"),
                campaign.id.0,
                campaign.name.clone(),
            )
            .await?
            .stop_reason)
    }

    async fn rows(
        &self,
        campaign: &Campaign,
        state: Option<RowState>,
        after_line: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let after = after_line.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let state = state.map(RowState::as_str);
        let rows = sqlx::query(concat!(
            "SELECT ",
            row_cols!(),
            " FROM campaign_rows WHERE campaign_id = $1 AND ($2::TEXT IS NULL OR state = $2) AND line > $3 \
             ORDER BY line LIMIT $4"
        ))
        .bind(campaign.id.0)
        .bind(state)
        .bind(after)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

impl Dialect for Postgres {
    const ID_KEY: &'static str = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";

    // Held until the commit: a second process opening the journal now waits here,
    // then finds the migrations applied.
    fn schema_lock() -> Option<Stmt> {
        Some(Stmt::new("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognized() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://u@h:5432/db?options[search_path]=s"));
        assert!(!is_postgres_url("sqlite:j.db"));
        assert!(!is_postgres_url("postgres:db"));
    }
}
