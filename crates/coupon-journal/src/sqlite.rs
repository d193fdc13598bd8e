//! The SQLite backend: one file, WAL, `synchronous=FULL`, foreign keys on.
//!
//! The SQL is kept portable (no SQLite-only syntax in what the trait promises):
//! claims are one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING …` that
//! PostgreSQL runs with `FOR UPDATE SKIP LOCKED` in the sub-select; multi-statement
//! transactions start with `BEGIN IMMEDIATE` here (take the write lock first, so a
//! busy journal waits instead of failing an upgrade).

use std::path::{Path, PathBuf};
use std::time::Duration;

use coupon_core::async_trait;
use coupon_core::{ErrorKind, Issued, Pin, Reconciliation};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Row as _, SqliteConnection};

use crate::decode::{campaign_from, counts_from, row_from, same_keyless_row};
use crate::error::{JournalError, Result};
use crate::model::{
    Campaign, CampaignId, CampaignSpec, CampaignSummary, Claim, Counts, CreatedCampaign, InsertReport,
    InvalidTransition, Marked, NewRow, Record, Row, RowId, RowState, Spend,
};
use crate::pins::PinKey;
use crate::refs;
use crate::sql::{Dialect, campaign_cols, duration_ms, load_pin_key, migrate, now_ms, row_cols, state_list};
use crate::store::{Journal, SpendCap};

/// A journal in one SQLite file.
#[derive(Debug)]
pub struct SqliteJournal {
    pool: SqlitePool,
    /// The one connection that claims, marks and records (`synchronous=NORMAL`, FULL
    /// for the intents): writers queue here instead of sleeping on SQLite's lock.
    writer: SqlitePool,
    path: PathBuf,
    pin_key: PinKey,
}

/// The path in a `sqlite:PATH` / `sqlite://PATH` URL.
pub(crate) fn url_path(url: &str) -> Result<PathBuf> {
    let rest = url.strip_prefix("sqlite:").ok_or_else(|| JournalError::UnsupportedUrl(crate::error::shown_url(url)))?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or("");
    if rest.is_empty() || rest == ":memory:" {
        return Err(JournalError::UnsupportedUrl(format!(
            "{} (a journal must be a file)",
            crate::error::shown_url(url)
        )));
    }
    Ok(PathBuf::from(rest))
}

fn io_error(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io { path: path.display().to_string(), source }
}

/// Creates the file, readable by its owner only, unless it exists.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Makes the file (and its WAL companions) owner-only; says whether anything changed.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let mut changed = false;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        let Ok(meta) = std::fs::metadata(&p) else { continue };
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(|e| io_error(&p, e))?;
            changed = true;
        }
    }
    Ok(changed)
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<bool> {
    Ok(false)
}

impl SqliteJournal {
    /// Opens (creating, owner-only, if missing) the SQLite journal at `sqlite:PATH`:
    /// WAL, foreign keys on, a 10 s busy timeout; applies the migrations not yet
    /// applied; generates the PIN key on first open.
    ///
    /// Durability: what must survive a power loss is synced before the call returns
    /// (`synchronous=FULL`): campaigns and rows as loaded, and every intent
    /// ([`Journal::mark_sending`]). Claims, lease renewals and outcomes are committed
    /// with `synchronous=NORMAL`: they survive the process dying at any moment, and a
    /// power loss can only take back the last of them, which leaves their rows
    /// `sending`, that is in doubt, settled with the vendor; and the next intent's
    /// sync makes them durable too (the WAL is one file, synced in order).
    pub async fn open(url: &str) -> Result<Self> {
        let path = url_path(url)?;
        create_private(&path)?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        migrate::<sqlx::Sqlite>(&pool).await?;
        let pin_key = load_pin_key::<sqlx::Sqlite>(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.synchronous(SqliteSynchronous::Normal))
            .await?;
        Ok(Self { pool, writer, path, pin_key })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn campaign_by(&self, sql: &'static str, value: i64, shown: String) -> Result<Campaign> {
        let row = sqlx::query(sql).bind(value).fetch_optional(&self.pool).await?;
        row.as_ref().map(campaign_from).transpose()?.ok_or(JournalError::CampaignNotFound(shown))
    }

    /// Why the update of `record` on row `id` changed nothing.
    async fn refusal(&self, id: RowId, record: &Record<'_>) -> JournalError {
        let to = record.target();
        let row = match self.row(id).await {
            Ok(row) => row,
            Err(e) => return e,
        };
        let issued = match record {
            Record::Issued(issued) => Some(*issued),
            Record::Reconciled(Reconciliation::Issued(issued)) => Some(issued),
            _ => None,
        };
        if let Some(issued) = issued {
            if issued.partner_ref != row.partner_ref {
                return JournalError::Invalid(format!(
                    "row {id}: a coupon issued for reference {} recorded on the row of reference {}",
                    issued.partner_ref, row.partner_ref
                ));
            }
        }
        // Only an `unknown` row is reconciled, even though `sending → issued` and
        // `sending → not_issued` are edges.
        // A send's answer only on a `sending` row (`SEND_ANSWER_SOURCES`).
        let reconciling = matches!(record, Record::Reconciled(_));
        let answering = matches!(record, Record::Refused(_) | Record::NotSent(_) | Record::Unknown(_));
        match crate::check_transition(row.state, to) {
            Err(source) => JournalError::Transition { row: id, source },
            Ok(())
                if (reconciling && row.state != RowState::Unknown)
                    || (answering && !crate::model::SEND_ANSWER_SOURCES.contains(&row.state)) =>
            {
                JournalError::Transition { row: id, source: InvalidTransition { from: row.state, to } }
            }
            Ok(()) => JournalError::Invalid(format!("row {id} changed while being updated; read it again")),
        }
    }

    /// Applies a reconciliation that leaves no coupon (`not_issued`, or still unknown)
    /// to row `id`, guarded in the statement; answers whether the row changed.
    async fn apply_unsettled(
        &self,
        conn: &mut SqliteConnection,
        id: RowId,
        outcome: &Reconciliation,
        now: i64,
    ) -> Result<bool> {
        let done = match outcome {
            Reconciliation::NotIssued => sqlx::query(
                "UPDATE campaign_rows SET state = 'not_issued', lease_owner = NULL, lease_until = NULL, \
                 updated_at = ?, reconciled_at = ? WHERE id = ? AND state IN ('unknown')",
            )
            .bind(now)
            .bind(now)
            .bind(id.0)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            // Not an edge: the row stays `unknown`; any other state is refused as `→ unknown`.
            Reconciliation::StillUnknown(reason) => sqlx::query(
                "UPDATE campaign_rows SET vendor_message = ?, lease_owner = NULL, lease_until = NULL, \
                 updated_at = ?, reconciled_at = ? WHERE id = ? AND state IN ('unknown')",
            )
            .bind(reason)
            .bind(now)
            .bind(now)
            .bind(id.0)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
            other => {
                return Err(JournalError::Invalid(format!("row {id}: unknown reconciliation `{}`", other.as_str())));
            }
        };
        Ok(done > 0)
    }

    /// Applies outcomes in few statements: the coupons issued in one (those found by a
    /// reconciliation in another: from `unknown` only), each kind of failure in one, the
    /// other reconciliations one by one; every change guarded by the state machine in its
    /// statement. Answers whether every row changed (see [`Self::refusal`] if not).
    async fn apply_grouped(&self, conn: &mut SqliteConnection, batch: &[(RowId, Record<'_>)]) -> Result<bool> {
        let now = now_ms();
        let mut issued: Vec<(RowId, &Issued)> = Vec::new();
        let mut found: Vec<(RowId, &Issued)> = Vec::new();
        let mut failed: Vec<(RowId, RowState, &coupon_core::Error)> = Vec::new();
        for (id, record) in batch {
            match record {
                Record::Issued(i) => issued.push((*id, i)),
                Record::Reconciled(Reconciliation::Issued(i)) => found.push((*id, i)),
                Record::Refused(e) | Record::NotSent(e) | Record::Unknown(e) => {
                    if e.kind() == ErrorKind::OutcomeUnknown && record.target() != RowState::Unknown {
                        return Err(JournalError::Invalid(format!(
                            "row {id}: an outcome_unknown error is a doubt, not a refusal or proof that nothing \
                             was issued (record_unknown)"
                        )));
                    }
                    failed.push((*id, record.target(), e));
                }
                Record::Reconciled(outcome) => {
                    if !self.apply_unsettled(conn, *id, outcome, now).await? {
                        return Ok(false);
                    }
                }
            }
        }
        for (group, reconciled) in [(&issued, false), (&found, true)] {
            for chunk in group.chunks(200) {
                if !self.apply_issued(conn, chunk, reconciled, now).await? {
                    return Ok(false);
                }
            }
        }
        for to in [RowState::Refused, RowState::NotIssued, RowState::Unknown] {
            let group: Vec<_> = failed.iter().filter(|(_, t, _)| *t == to).collect();
            for chunk in group.chunks(200) {
                let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
                let sql = format!(
                    "UPDATE campaign_rows SET state = '{}', error_kind = v.column2, vendor_code = v.column3, \
                     vendor_message = v.column4, lease_owner = NULL, lease_until = NULL, updated_at = ? \
                     FROM (VALUES {values}) AS v \
                     WHERE campaign_rows.id = v.column1 AND campaign_rows.state IN ({})",
                    to.as_str(),
                    state_list(&crate::model::SEND_ANSWER_SOURCES)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now);
                for (id, _, e) in chunk {
                    q = q
                        .bind(id.0)
                        .bind(e.kind().as_str())
                        .bind(e.vendor_code().map(|c| c.raw().to_owned()))
                        .bind(e.vendor_message().unwrap_or(e.message()).to_owned());
                }
                if q.execute(&mut *conn).await?.rows_affected() != chunk.len() as u64 {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// `issued` for each row of `chunk`, for the row's own reference: from `sending` or
    /// `unknown`, or from `unknown` only when `reconciled`; the PIN masked and hashed, and
    /// kept in clear only if the campaign stores PINs. Answers whether every row changed.
    async fn apply_issued(
        &self,
        conn: &mut SqliteConnection,
        chunk: &[(RowId, &Issued)],
        reconciled: bool,
        now: i64,
    ) -> Result<bool> {
        if chunk.is_empty() {
            return Ok(true);
        }
        let sources = if reconciled { vec![RowState::Unknown] } else { RowState::sources(RowState::Issued) };
        let values = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "UPDATE campaign_rows SET state = 'issued', order_id = v.column2, pin_masked = v.column3, \
             pin_hash = v.column4, \
             pin = CASE WHEN (SELECT store_pins FROM campaigns c WHERE c.id = campaign_rows.campaign_id) \
                 THEN v.column5 END, \
             details_unknown = v.column6, lease_owner = NULL, lease_until = NULL, updated_at = ?, \
             reconciled_at = CASE WHEN ? THEN ? ELSE reconciled_at END \
             FROM (VALUES {values}) AS v \
             WHERE campaign_rows.id = v.column1 AND campaign_rows.partner_ref = v.column7 \
             AND campaign_rows.state IN ({})",
            state_list(&sources)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(reconciled).bind(now);
        for (id, i) in chunk {
            let pin = i.pin.as_ref();
            q = q
                .bind(id.0)
                .bind(i.order.as_ref().map(|o| o.as_str().to_owned()))
                .bind(pin.map(Pin::masked))
                .bind(pin.map(|p| self.pin_key.hash(p.expose())))
                .bind(pin.map(|p| p.expose().to_owned()))
                .bind(i.details_unknown.clone())
                .bind(i.partner_ref.as_str().to_owned());
        }
        Ok(q.execute(&mut *conn).await?.rows_affected() == chunk.len() as u64)
    }

    /// `mark_sending` on the writer connection (in FULL mode): one transaction.
    async fn mark_on(
        &self,
        conn: &mut SqliteConnection,
        sql: &str,
        rows: &[RowId],
        worker: &str,
        spend_cap: Option<i64>,
    ) -> Result<Marked> {
        // BEGIN IMMEDIATE takes SQLite's one write lock: the spend read and the
        // marking are serialized with every other writer of the file.
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
        let mut marked = Marked::default();
        let mut take = rows;
        if let Some(cap) = spend_cap {
            let spent = match rows.first() {
                Some(first) => spend_of_row_campaign(&mut tx, *first).await?,
                None => 0,
            };
            let mut spend = SpendCap::new(spent, cap);
            for (i, id) in rows.iter().enumerate() {
                let price: Option<i64> = sqlx::query("SELECT price FROM campaign_rows WHERE id = ?")
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
        // One statement per chunk: the rows' guard (lease, state) is in it; a row it
        // did not change refuses the whole call.
        for chunk in take.chunks(500) {
            let list = vec!["?"; chunk.len()].join(", ");
            let sql = format!("{sql} AND id IN ({list}) RETURNING id");
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now).bind(now).bind(worker).bind(now);
            for id in chunk {
                q = q.bind(id.0);
            }
            let changed: std::collections::HashSet<i64> =
                q.fetch_all(&mut *tx).await?.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>()?;
            if let Some(id) = chunk.iter().find(|id| !changed.contains(&id.0)) {
                tx.rollback().await?;
                let row = self.row(*id).await?;
                return Err(match crate::check_transition(row.state, RowState::Sending) {
                    Err(source) => JournalError::Transition { row: *id, source },
                    Ok(()) => JournalError::LeaseLost { row: *id, worker: worker.to_owned(), state: row.state },
                });
            }
            marked.marked.extend_from_slice(chunk);
        }
        tx.commit().await?;
        Ok(marked)
    }

    /// One record, on its own.
    async fn record_one(&self, id: RowId, record: Record<'_>) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        if self.apply_grouped(&mut conn, &[(id, record)]).await? {
            Ok(())
        } else {
            drop(conn);
            Err(self.refusal(id, &record).await)
        }
    }
}

/// The campaign's [`Spend`]: rows that may have cost money.
async fn spend_in(conn: &mut SqliteConnection, campaign: i64) -> Result<Spend> {
    let row = sqlx::query(
        "SELECT COALESCE(SUM(price), 0) AS won, COUNT(*) - COUNT(price) AS unpriced FROM campaign_rows \
         WHERE campaign_id = ? AND state IN ('sending', 'issued', 'unknown')",
    )
    .bind(campaign)
    .fetch_one(conn)
    .await?;
    let unpriced: i64 = row.try_get("unpriced")?;
    Ok(Spend { won: row.try_get("won")?, unpriced: u64::try_from(unpriced).unwrap_or(0) })
}

/// The [`Spend`] (won) of the campaign that row `id` belongs to.
async fn spend_of_row_campaign(conn: &mut SqliteConnection, id: RowId) -> Result<i64> {
    let campaign: i64 = sqlx::query("SELECT campaign_id FROM campaign_rows WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(JournalError::RowNotFound(id))?
        .try_get("campaign_id")?;
    Ok(spend_in(conn, campaign).await?.won)
}

/// For a keyless row: whether its line is in the campaign already with the same
/// keyless row (`Some(true)`: a re-import, nothing to add), with another (`Some(false)`),
/// or not at all (`None`).
async fn same_line(conn: &mut SqliteConnection, campaign: &Campaign, row: &NewRow) -> Result<Option<bool>> {
    let line = i64::try_from(row.line).map_err(|_| JournalError::Invalid(format!("line {}", row.line)))?;
    let found = sqlx::query("SELECT phone, row_key FROM campaign_rows WHERE campaign_id = ? AND line = ?")
        .bind(campaign.id.0)
        .bind(line)
        .fetch_optional(conn)
        .await?;
    found.as_ref().map(|f| same_keyless_row(f, row)).transpose()
}

/// The claim: one index walk per state (campaign, state, line), each stopping after
/// `max` rows, then the lowest lines of those, so a claim costs the same on the first
/// row of a million as on the last. With `mark`, the rows that may be sent are moved to
/// `sending` in the same statement (the intent). Binds: ?1 worker, ?2 lease end, ?3 now,
/// ?4 campaign, ?5 doubts only, ?6 retry unknown before, ?7 max.
fn claim_sql(mark: bool) -> String {
    let (attempts, to_sending) = if mark {
        (
            "attempts = CASE WHEN state IN ('pending', 'not_issued') THEN attempts + 1 ELSE attempts END, \
             first_sent_at = CASE WHEN state IN ('pending', 'not_issued') THEN COALESCE(first_sent_at, ?3) \
                 ELSE first_sent_at END, ",
            "WHEN state IN ('pending', 'not_issued') THEN 'sending' ",
        )
    } else {
        ("", "")
    };
    format!(
        "UPDATE campaign_rows SET lease_owner = ?1, lease_until = ?2, updated_at = ?3, {attempts}\
         error_kind = CASE WHEN state = 'sending' THEN 'outcome_unknown' ELSE error_kind END, \
         vendor_message = CASE WHEN state = 'sending' \
             THEN 'lease expired while sending: the request may have left' ELSE vendor_message END, \
         state = CASE WHEN state = 'sending' THEN 'unknown' {to_sending}ELSE state END \
         WHERE id IN (SELECT id FROM ( \
             SELECT id, line FROM (SELECT id, line FROM campaign_rows WHERE campaign_id = ?4 \
                 AND state = 'pending' AND NOT ?5 AND (lease_until IS NULL OR lease_until <= ?3) \
                 ORDER BY line LIMIT ?7) \
             UNION ALL SELECT id, line FROM (SELECT id, line FROM campaign_rows WHERE campaign_id = ?4 \
                 AND state = 'not_issued' AND NOT ?5 AND (lease_until IS NULL OR lease_until <= ?3) \
                 ORDER BY line LIMIT ?7) \
             UNION ALL SELECT id, line FROM (SELECT id, line FROM campaign_rows WHERE campaign_id = ?4 \
                 AND state = 'unknown' AND (lease_until IS NULL OR lease_until <= ?3) \
                 AND (reconciled_at IS NULL OR reconciled_at < ?6) ORDER BY line LIMIT ?7) \
             UNION ALL SELECT id, line FROM (SELECT id, line FROM campaign_rows WHERE campaign_id = ?4 \
                 AND state = 'sending' AND lease_until <= ?3 ORDER BY line LIMIT ?7) \
         ) ORDER BY line LIMIT ?7) \
         RETURNING {}",
        row_cols!()
    )
}

/// The claim on `conn`, marking the rows that may be sent when `mark`; rows in line order.
async fn run_claim(conn: &mut SqliteConnection, claim: &Claim, mark: bool) -> Result<Vec<Row>> {
    let now = now_ms();
    let rows = sqlx::query(AssertSqlSafe(claim_sql(mark)))
        .bind(claim.worker.as_str())
        .bind(now.saturating_add(duration_ms(claim.lease)))
        .bind(now)
        .bind(claim.campaign.0)
        .bind(claim.doubts_only)
        .bind(claim.retry_unknown_before.timestamp_millis())
        .bind(i64::try_from(claim.max).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?;
    let mut rows = rows.iter().map(row_from).collect::<Result<Vec<_>>>()?;
    rows.sort_by_key(|r| r.line);
    Ok(rows)
}

async fn key_known(conn: &mut SqliteConnection, campaign: CampaignId, key: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 FROM campaign_rows WHERE campaign_id = ? AND row_key = ?")
        .bind(campaign.0)
        .bind(key)
        .fetch_optional(conn)
        .await?
        .is_some())
}

#[async_trait]
impl Journal for SqliteJournal {
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
                 content_template, amount, memo, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    let exists = sqlx::query("SELECT 1 FROM campaigns WHERE name = ?")
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
            .campaign_by(concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE id = ?"), id, spec.name.clone())
            .await?;
        let warning = if spec.store_pins {
            let tightened = make_private(&self.path)?;
            Some(format!(
                "campaign `{}` keeps issued PINs in clear in {}: whoever can read that file can spend the coupons. \
                 The file is readable by its owner only{}; keep it so, and out of backups you do not control.",
                spec.name,
                self.path.display(),
                if tightened { " (its permissions were just narrowed to 0600)" } else { "" }
            ))
        } else {
            None
        };
        Ok(CreatedCampaign { campaign, warning })
    }

    async fn campaign(&self, name: &str) -> Result<Campaign> {
        let row = sqlx::query(concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE name = ?"))
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        for row in rows {
            let partner_ref = refs::partner_ref(&campaign.token, row.line)?;
            match &row.key {
                Some(key) if key_known(&mut tx, campaign.id, key).await? => {
                    report.known_keys_skipped += 1;
                    continue;
                }
                Some(_) => {}
                None => match same_line(&mut tx, campaign, row).await? {
                    Some(true) => {
                        report.known_keys_skipped += 1;
                        continue;
                    }
                    Some(false) => {
                        return Err(JournalError::LineTaken { campaign: campaign.name.clone(), line: row.line });
                    }
                    None => {}
                },
            }
            let extra = serde_json::to_string(&row.extra).map_err(|e| JournalError::Invalid(e.to_string()))?;
            let r = &row.request;
            let inserted = sqlx::query(
                "INSERT INTO campaign_rows (campaign_id, line, row_key, phone, name, product_id, product_name, \
                 callback, title, content_template, amount, memo, extra, partner_ref, state, updated_at, price) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            )
            .bind(campaign.id.0)
            .bind(row.line as i64)
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
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => report.added += 1,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
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
        // The in-doubt edge, from the state machine.
        debug_assert!(RowState::Sending.can_go_to(RowState::Unknown));
        let mut conn = self.writer.acquire().await?;
        run_claim(&mut conn, claim, false).await
    }

    async fn claim_sending(&self, claim: &Claim) -> Result<Vec<Row>> {
        if claim.max == 0 {
            return Ok(Vec::new());
        }
        // `pending → sending` and `not_issued → sending` are edges; one statement, synced
        // in full (it carries intents) before it returns.
        debug_assert!(
            RowState::Pending.can_go_to(RowState::Sending) && RowState::NotIssued.can_go_to(RowState::Sending)
        );
        let mut conn = self.writer.acquire().await?;
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
        let rows = run_claim(&mut conn, claim, true).await;
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
        rows
    }

    async fn mark_sending(&self, rows: &[RowId], worker: &str, spend_cap: Option<i64>) -> Result<Marked> {
        let sql = format!(
            "UPDATE campaign_rows SET state = 'sending', attempts = attempts + 1, \
             first_sent_at = COALESCE(first_sent_at, ?), updated_at = ? \
             WHERE lease_owner = ? AND lease_until > ? AND state IN ({})",
            state_list(&RowState::sources(RowState::Sending))
        );
        let mut conn = self.writer.acquire().await?;
        // The intent must survive a power loss before any request may leave.
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
        let marked = self.mark_on(&mut conn, &sql, rows, worker, spend_cap).await;
        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
        marked
    }

    async fn renew(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE campaign_rows SET lease_until = ? WHERE campaign_id = ? AND lease_owner = ? AND lease_until > ?",
        )
        .bind(now.saturating_add(duration_ms(lease)))
        .bind(campaign.id.0)
        .bind(worker)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    async fn release(&self, rows: &[RowId], worker: &str) -> Result<()> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        for id in rows {
            sqlx::query(
                "UPDATE campaign_rows SET lease_owner = NULL, lease_until = NULL \
                 WHERE id = ? AND lease_owner = ? AND state <> 'sending'",
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
        self.record_one(row, Record::Issued(issued)).await
    }

    async fn record_refused(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        self.record_one(row, Record::Refused(error)).await
    }

    async fn record_not_sent(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        self.record_one(row, Record::NotSent(error)).await
    }

    async fn record_unknown(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        self.record_one(row, Record::Unknown(error)).await
    }

    async fn record_reconciled(&self, row: RowId, outcome: &Reconciliation) -> Result<()> {
        self.record_one(row, Record::Reconciled(outcome)).await
    }

    async fn record(&self, batch: &[(RowId, Record<'_>)]) -> Result<()> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let all = self.apply_grouped(&mut tx, batch).await.unwrap_or(false);
        if all {
            tx.commit().await?;
            return Ok(());
        }
        tx.rollback().await?;
        // One was refused: record the others one by one, answer the first refusal.
        let mut first = Ok(());
        for (id, record) in batch {
            first = first.and(self.record_one(*id, *record).await);
        }
        first
    }

    async fn row(&self, row: RowId) -> Result<Row> {
        let found = sqlx::query(concat!("SELECT ", row_cols!(), " FROM campaign_rows WHERE id = ?"))
            .bind(row.0)
            .fetch_optional(&self.pool)
            .await?;
        found.as_ref().map(row_from).transpose()?.ok_or(JournalError::RowNotFound(row))
    }

    async fn counts(&self, campaign: &Campaign) -> Result<Counts> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM campaign_rows WHERE campaign_id = ? GROUP BY state")
            .bind(campaign.id.0)
            .fetch_all(&self.pool)
            .await?;
        counts_from(&rows)
    }

    async fn set_stop(&self, campaign: &Campaign, reason: Option<String>) -> Result<()> {
        let done = sqlx::query("UPDATE campaigns SET stop_reason = ? WHERE id = ?")
            .bind(reason)
            .bind(campaign.id.0)
            .execute(&self.writer)
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
                concat!("SELECT ", campaign_cols!(), " FROM campaigns WHERE id = ?"),
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
            " FROM campaign_rows WHERE campaign_id = ? AND (? IS NULL OR state = ?) AND line > ? ORDER BY line LIMIT ?"
        ))
        .bind(campaign.id.0)
        .bind(state)
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

impl Dialect for sqlx::Sqlite {
    // An alias of the rowid.
    const ID_KEY: &'static str = "INTEGER PRIMARY KEY";
    // Takes the write lock first, so a busy journal waits instead of failing an
    // upgrade.
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_is_durable_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let j = SqliteJournal::open(&format!("sqlite://{}", dir.path().join("j.db").display())).await.unwrap();
        // Every pooled connection, not only the first.
        let mut conns = Vec::new();
        for _ in 0..4 {
            conns.push(j.pool.acquire().await.unwrap());
        }
        for conn in &mut conns {
            let get = |name: &'static str| sqlx::query(name);
            let one = |row: sqlx::sqlite::SqliteRow| row.try_get::<i64, _>(0).unwrap();
            assert_eq!(one(get("PRAGMA synchronous").fetch_one(&mut **conn).await.unwrap()), 2, "FULL");
            assert_eq!(one(get("PRAGMA foreign_keys").fetch_one(&mut **conn).await.unwrap()), 1);
            assert_eq!(one(get("PRAGMA busy_timeout").fetch_one(&mut **conn).await.unwrap()), 10_000);
            let mode: String = get("PRAGMA journal_mode").fetch_one(&mut **conn).await.unwrap().try_get(0).unwrap();
            assert_eq!(mode, "wal");
        }
    }

    #[test]
    fn urls_name_files() {
        assert_eq!(url_path("sqlite:a/b.db").unwrap(), PathBuf::from("a/b.db"));
        assert_eq!(url_path("sqlite:///tmp/j.db").unwrap(), PathBuf::from("/tmp/j.db"));
        assert_eq!(url_path("sqlite://j.db?mode=rwc").unwrap(), PathBuf::from("j.db"));
        assert!(url_path("sqlite::memory:").is_err());
        assert!(url_path("sqlite:").is_err());
    }
}
