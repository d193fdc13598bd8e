//! A coupon's state after its issue: what checks and reports found, its history, the
//! rows a sync asks about, and the report days already read.

use std::collections::{BTreeSet, HashMap, HashSet};

use coupon_core::chrono::{DateTime, NaiveDate, Utc};
use coupon_core::{CouponCheck, CouponStatus, PartnerRef, Pin};

use super::columns::{day, int, now_ms, row_cols};
use super::driver::{Driver, Stmt, params, tuples};
use super::{Backend, Conn, Dialect, parse_day, time};
use crate::decode::{Columns, row_from};
use crate::error::{JournalError, Result};
use crate::lifecycle::{CouponState, CouponToCheck, HistoryEntry, StateSource};
use crate::model::{Campaign, Row, RowId};
use crate::store::Journal;

/// Rows per statement where a list of values is bound (well under every database's limit).
const CHUNK: usize = 500;
/// Checks per grouped statement: ten values each. SQLite looks a `$n` parameter's name
/// up in a list, so a statement's cost grows with the square of its parameters (5,000
/// made one statement 40 ms, 500 about a millisecond).
const CHECKS_PER_STATEMENT: usize = 50;

/// The coupon states a sync still asks about, as an SQL `IN` list: those not final.
pub(crate) fn open_states() -> String {
    CouponState::ALL
        .iter()
        .filter(|s| !s.is_final())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a coupon in state `old` may be recorded as `new`: a final state is never
/// replaced by one that is not.
pub(crate) fn may_replace(old: Option<CouponState>, new: CouponState) -> bool {
    !old.is_some_and(CouponState::is_final) || new.is_final()
}

/// Appends the change `old → new` of row `row` to its history, if it is one.
pub(crate) async fn append_history<B: Backend>(
    conn: &mut Conn<B>,
    (row, campaign): (RowId, i64),
    old: Option<CouponState>,
    new: CouponState,
    source: StateSource,
    now: i64,
) -> Result<()> {
    if old == Some(new) {
        return Ok(());
    }
    let sql = "INSERT INTO coupon_history (row_id, campaign_id, from_state, to_state, at, source) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    let stmt = Stmt::new(sql)
        .bind(row.0)
        .bind(campaign)
        .bind(old.map(CouponState::as_str))
        .bind(new.as_str())
        .bind(now)
        .bind(source.as_str());
    B::Db::execute(conn, stmt).await?;
    Ok(())
}

/// A row as [`lock_row`] found it, before its change.
pub(crate) struct Locked {
    /// Its campaign.
    pub(crate) campaign: i64,
    /// Its coupon state.
    pub(crate) state: Option<CouponState>,
    /// Its order id.
    pub(crate) order_id: Option<String>,
}

/// Runs `UPDATE campaign_rows SET {set} WHERE id = $1 AND {guard}` (binding `$2…` with
/// `bind`), returning the row's coupon state and order id as they were: an UPDATE locks
/// the row where a plain SELECT would not (PostgreSQL), so what follows in the
/// transaction sees no other writer's change. None when the guard did not hold.
pub(crate) async fn lock_row<B: Backend>(
    conn: &mut Conn<B>,
    id: RowId,
    set: &str,
    guard: &str,
    bind: impl FnOnce(Stmt) -> Stmt,
) -> Result<Option<Locked>> {
    let sql = format!(
        "UPDATE campaign_rows SET {set} WHERE id = $1 AND {guard} RETURNING campaign_id, coupon_state, order_id"
    );
    let found = B::Db::fetch_optional(conn, bind(Stmt::new(sql).bind(id.0))).await?;
    found
        .map(|row| {
            Ok(Locked {
                campaign: row.int("campaign_id")?,
                state: row.opt_text("coupon_state")?.map(|s| s.parse()).transpose()?,
                order_id: row.opt_text("order_id")?,
            })
        })
        .transpose()
}

pub(crate) async fn coupons_to_check<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    checked_before: DateTime<Utc>,
    after_line: Option<u64>,
    limit: usize,
) -> Result<Vec<CouponToCheck>> {
    let sql = format!(
        "SELECT id, line, partner_ref, order_id FROM campaign_rows WHERE campaign_id = $1 AND state = 'issued' \
         AND (coupon_state IS NULL OR coupon_state IN ({})) AND (checked_at IS NULL OR checked_at < $2) \
         AND line > $3 ORDER BY line LIMIT $4",
        open_states()
    );
    let stmt = Stmt::new(sql)
        .bind(campaign.id.0)
        .bind(checked_before.timestamp_millis())
        .bind(after_line.map_or(-1, int))
        .bind(int(limit));
    let rows = journal.pools().read(stmt).await?;
    rows.iter()
        .map(|r| {
            let line = r.int("line")?;
            Ok(CouponToCheck {
                id: RowId(r.int("id")?),
                line: u64::try_from(line).map_err(|_| JournalError::Invalid(format!("stored line {line}")))?,
                partner_ref: PartnerRef::new(r.text("partner_ref")?),
                order_id: r.opt_text("order_id")?,
            })
        })
        .collect()
}

/// Records `batch` in one transaction; if one is refused, records the others one by one
/// and answers the first refusal.
pub(crate) async fn record_checks<B: Backend>(journal: &B, batch: &[(RowId, &CouponCheck, StateSource)]) -> Result<()> {
    let now = now_ms();
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    if apply_checks(journal, &mut tx, batch, now).await? {
        tx.commit().await?;
        return Ok(());
    }
    tx.rollback().await?;
    let mut first = Ok(());
    for (id, check, source) in batch {
        first = first.and(record_check(journal, *id, check, *source).await);
    }
    first
}

/// Applies `batch` on `conn` (in a transaction) in a few statements per
/// [`CHECKS_PER_STATEMENT`] rows (a sync records hundreds of checks at a time, and a
/// statement per row made the journal, not the vendor, a sync's limit): the rows locked
/// and read in one, those whose coupon the check changes written in one (a sync mostly
/// finds what it found before: those rows are not written again), their history in one.
/// The same effect on the coupon and its history as [`apply_check`] on each in turn,
/// which a batch naming a row twice takes instead. Answers false when a row is not
/// `issued` (the caller rolls back).
async fn apply_checks<B: Backend>(
    journal: &B,
    conn: &mut Conn<B>,
    batch: &[(RowId, &CouponCheck, StateSource)],
    now: i64,
) -> Result<bool> {
    let distinct: HashSet<RowId> = batch.iter().map(|(id, _, _)| *id).collect();
    if distinct.len() < batch.len() {
        for (id, check, source) in batch {
            if !apply_check(journal, conn, *id, check, *source, now).await? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    for chunk in batch.chunks(CHECKS_PER_STATEMENT) {
        let Some(mut stored) = lock_rows::<B>(conn, chunk, now).await? else { return Ok(false) };
        let mut changes = Vec::new();
        for (id, check, source) in chunk {
            let Some(old) = stored.remove(id) else { return Ok(false) };
            let state = CouponState::of(&check.status);
            if !may_replace(old.life.state, state) {
                continue;
            }
            let life = old.life.after(check, state);
            let fill = old.order_id.is_none() && check.order.is_some();
            if life != old.life || fill {
                changes.push((*id, *check, *source, old, life));
            }
        }
        if changes.is_empty() {
            continue;
        }
        let sql = format!(
            "UPDATE campaign_rows SET coupon_state = v.column2, coupon_vendor_status = v.column3, \
             used_at = v.column4, used_place = v.column5, remaining = v.column6, cancelled_at = v.column7, \
             valid_until = v.column8, delivery = v.column9, delivery_code = v.column10, updated_at = $1 \
             FROM (VALUES {}) AS v WHERE campaign_rows.id = v.column1",
            tuples(2, StoredLife::COLUMNS + 1, changes.len())
        );
        let stmt = changes.iter().fold(Stmt::new(sql).bind(now), |q, (id, _, _, _, life)| life.bind(q.bind(id.0)));
        B::Db::execute(conn, stmt).await?;
        for (id, check, _, old, _) in &changes {
            if let (None, Some(order)) = (&old.order_id, &check.order) {
                fill_order::<B>(journal, conn, *id, order.as_str(), check.pin.as_ref()).await?;
            }
        }
        let entries: Vec<_> = changes.iter().filter(|(_, _, _, old, life)| old.life.state != life.state).collect();
        if !entries.is_empty() {
            let sql = format!(
                "INSERT INTO coupon_history (row_id, campaign_id, from_state, to_state, at, source) VALUES {}",
                tuples(1, 6, entries.len())
            );
            let stmt = entries.iter().fold(Stmt::new(sql), |q, (id, _, source, old, life)| {
                q.bind(id.0)
                    .bind(old.campaign)
                    .bind(old.life.state.map(CouponState::as_str))
                    .bind(life.state.map(CouponState::as_str))
                    .bind(now)
                    .bind(source.as_str())
            });
            B::Db::execute(conn, stmt).await?;
        }
    }
    Ok(true)
}

/// A row as [`lock_rows`] found it.
struct Stored {
    campaign: i64,
    order_id: Option<String>,
    life: StoredLife,
}

/// The columns a check writes, as stored (times in ms, the day as text).
#[derive(PartialEq)]
struct StoredLife {
    state: Option<CouponState>,
    vendor_status: Option<String>,
    used_at: Option<i64>,
    used_place: Option<String>,
    remaining: Option<i64>,
    cancelled_at: Option<i64>,
    valid_until: Option<String>,
    delivery: Option<String>,
    delivery_code: Option<String>,
}

impl StoredLife {
    /// How many columns [`StoredLife::bind`] binds.
    const COLUMNS: usize = 9;

    fn read(row: &impl Columns) -> Result<Self> {
        Ok(Self {
            state: row.opt_text("coupon_state")?.map(|s| s.parse()).transpose()?,
            vendor_status: row.opt_text("coupon_vendor_status")?,
            used_at: row.opt_int("used_at")?,
            used_place: row.opt_text("used_place")?,
            remaining: row.opt_int("remaining")?,
            cancelled_at: row.opt_int("cancelled_at")?,
            valid_until: row.opt_text("valid_until")?,
            delivery: row.opt_text("delivery")?,
            delivery_code: row.opt_text("delivery_code")?,
        })
    }

    /// What `check` (of coupon state `state`) makes of these columns: [`apply_check`]'s
    /// rule, where a time, place, value, last day or delivery the vendor did not give
    /// this time is kept from before.
    fn after(&self, check: &CouponCheck, state: CouponState) -> Self {
        let found = Found::of(&check.status);
        Self {
            state: Some(state),
            vendor_status: found.vendor_status,
            used_at: found.used_at.or(self.used_at),
            used_place: found.used_place.or_else(|| self.used_place.clone()),
            remaining: found.remaining.or(self.remaining),
            cancelled_at: found.cancelled_at.or(self.cancelled_at),
            valid_until: check.valid_until.map(day).or_else(|| self.valid_until.clone()),
            delivery: check.delivery.as_ref().map(|d| d.as_str().to_owned()).or_else(|| self.delivery.clone()),
            delivery_code: if check.delivery.is_some() { delivery_code(check) } else { self.delivery_code.clone() },
        }
    }

    /// Binds the columns, in the order of [`StoredLife::read`].
    fn bind(&self, stmt: Stmt) -> Stmt {
        stmt.bind(self.state.map(CouponState::as_str))
            .bind(&self.vendor_status)
            .bind(self.used_at)
            .bind(&self.used_place)
            .bind(self.remaining)
            .bind(self.cancelled_at)
            .bind(&self.valid_until)
            .bind(&self.delivery)
            .bind(&self.delivery_code)
    }
}

/// Sets `checked_at` on the rows of `chunk` that are `issued`, locking them, and answers
/// each one as it was; None when one is not `issued`.
async fn lock_rows<B: Backend>(
    conn: &mut Conn<B>,
    chunk: &[(RowId, &CouponCheck, StateSource)],
    now: i64,
) -> Result<Option<HashMap<RowId, Stored>>> {
    let sql = format!(
        "UPDATE campaign_rows SET checked_at = $1 WHERE state = 'issued' AND id IN ({}) \
         RETURNING id, campaign_id, order_id, coupon_state, coupon_vendor_status, used_at, used_place, remaining, \
         cancelled_at, valid_until, delivery, delivery_code",
        params(2, chunk.len())
    );
    let stmt = chunk.iter().fold(Stmt::new(sql).bind(now), |q, (id, _, _)| q.bind(id.0));
    let rows = B::Db::fetch_all(conn, stmt).await?;
    if rows.len() < chunk.len() {
        return Ok(None);
    }
    let mut stored = HashMap::with_capacity(rows.len());
    for row in rows {
        let found = Stored {
            campaign: row.int("campaign_id")?,
            order_id: row.opt_text("order_id")?,
            life: StoredLife::read(&row)?,
        };
        stored.insert(RowId(row.int("id")?), found);
    }
    Ok(Some(stored))
}

/// The vendor's code of a failed delivery the check reports.
fn delivery_code(check: &CouponCheck) -> Option<String> {
    match &check.delivery {
        Some(coupon_core::Delivery::Failed(code)) => code.clone(),
        _ => None,
    }
}

/// One check, in its own transaction.
pub(crate) async fn record_check<B: Backend>(
    journal: &B,
    id: RowId,
    check: &CouponCheck,
    source: StateSource,
) -> Result<()> {
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    if apply_check(journal, &mut tx, id, check, source, now_ms()).await? {
        tx.commit().await?;
        return Ok(());
    }
    tx.rollback().await?;
    let row = journal.row(id).await?;
    Err(JournalError::Invalid(format!("row {id} is `{}`: only an issued row's coupon is checked", row.state)))
}

/// What a check sets, beside its state. Times as stored (ms).
struct Found {
    vendor_status: Option<String>,
    used_at: Option<i64>,
    used_place: Option<String>,
    remaining: Option<i64>,
    cancelled_at: Option<i64>,
}

impl Found {
    fn of(status: &CouponStatus) -> Self {
        let ms = |t: &Option<coupon_core::time::KstDateTime>| t.map(|t| t.timestamp_millis());
        let mut found =
            Found { vendor_status: None, used_at: None, used_place: None, remaining: None, cancelled_at: None };
        match status {
            CouponStatus::Used { at, place } => (found.used_at, found.used_place) = (ms(at), place.clone()),
            CouponStatus::PartlyUsed { remaining, at } => {
                (found.remaining, found.used_at) = (Some(int(remaining.0)), ms(at));
            }
            CouponStatus::Cancelled { at } => found.cancelled_at = ms(at),
            CouponStatus::Unknown(code) => found.vendor_status = Some(code.clone()),
            _ => {}
        }
        found
    }
}

/// Applies `check` to row `id` on `conn` (in a transaction); answers false, changing
/// nothing, when the row is not `issued`.
async fn apply_check<B: Backend>(
    journal: &B,
    conn: &mut Conn<B>,
    id: RowId,
    check: &CouponCheck,
    source: StateSource,
    now: i64,
) -> Result<bool> {
    let Some(old) = lock_row::<B>(conn, id, "checked_at = $2", "state = 'issued'", |s| s.bind(now)).await? else {
        return Ok(false);
    };
    let state = CouponState::of(&check.status);
    if !may_replace(old.state, state) {
        return Ok(true);
    }
    let found = Found::of(&check.status);
    // A time, place or value the vendor did not give this time is kept from before; so are
    // the last day and the delivery.
    let sql = "UPDATE campaign_rows SET coupon_state = $1, coupon_vendor_status = $2, \
               used_at = COALESCE($3, used_at), used_place = COALESCE($4, used_place), \
               remaining = COALESCE($5, remaining), cancelled_at = COALESCE($6, cancelled_at), \
               valid_until = COALESCE($7, valid_until), \
               delivery = COALESCE($8, delivery), \
               delivery_code = CASE WHEN $8 IS NULL THEN delivery_code ELSE $9 END, \
               updated_at = $10 WHERE id = $11";
    let stmt = Stmt::new(sql)
        .bind(state.as_str())
        .bind(found.vendor_status)
        .bind(found.used_at)
        .bind(found.used_place)
        .bind(found.remaining)
        .bind(found.cancelled_at)
        .bind(check.valid_until.map(day))
        .bind(check.delivery.as_ref().map(coupon_core::Delivery::as_str))
        .bind(delivery_code(check))
        .bind(now)
        .bind(id.0);
    B::Db::execute(conn, stmt).await?;
    if old.order_id.is_none() {
        if let Some(order) = &check.order {
            fill_order::<B>(journal, conn, id, order.as_str(), check.pin.as_ref()).await?;
        }
    }
    append_history::<B>(conn, (id, old.campaign), old.state, state, source, now).await?;
    Ok(true)
}

/// The order id and PIN of a row issued with details unknown, found by a look-up: the
/// PIN masked and hashed, in clear only if the campaign stores PINs.
async fn fill_order<B: Backend>(
    journal: &B,
    conn: &mut Conn<B>,
    id: RowId,
    order: &str,
    pin: Option<&Pin>,
) -> Result<()> {
    let sql = "UPDATE campaign_rows SET order_id = $1, pin_masked = $2, pin_hash = $3, \
               pin = CASE WHEN (SELECT store_pins FROM campaigns c WHERE c.id = campaign_rows.campaign_id) \
                   THEN $4 END, \
               details_unknown = NULL WHERE id = $5 AND order_id IS NULL";
    let stmt = Stmt::new(sql)
        .bind(order)
        .bind(pin.map(Pin::masked))
        .bind(pin.map(|p| journal.pools().pin_key.hash(p.expose())))
        .bind(pin.map(Pin::expose))
        .bind(id.0);
    B::Db::execute(conn, stmt).await?;
    Ok(())
}

pub(crate) async fn rows_by_pin_hash<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    hashes: &[String],
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for chunk in hashes.chunks(CHUNK) {
        let sql = format!(
            "SELECT {} FROM campaign_rows WHERE campaign_id = $1 AND state = 'issued' AND pin_hash IN ({})",
            row_cols(),
            params(2, chunk.len())
        );
        let stmt = chunk.iter().fold(Stmt::new(sql).bind(campaign.id.0), |q, h| q.bind(h.as_str()));
        for row in journal.pools().read(stmt).await? {
            rows.push(row_from(&row)?);
        }
    }
    rows.sort_by_key(|r| r.line);
    // A hash asked twice (in two chunks) finds its row twice.
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}

pub(crate) async fn report_days<B: Backend>(journal: &B, campaign: &Campaign) -> Result<BTreeSet<NaiveDate>> {
    let stmt = Stmt::new("SELECT day FROM report_days WHERE campaign_id = $1").bind(campaign.id.0);
    journal.pools().read(stmt).await?.iter().map(|r| parse_day(&r.text("day")?)).collect()
}

pub(crate) async fn remember_report_day<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    on: NaiveDate,
    items: u64,
) -> Result<()> {
    let sql = "INSERT INTO report_days (campaign_id, day, read_at, items) VALUES ($1, $2, $3, $4) \
               ON CONFLICT (campaign_id, day) DO UPDATE SET read_at = excluded.read_at, items = excluded.items";
    let stmt = Stmt::new(sql).bind(campaign.id.0).bind(day(on)).bind(now_ms()).bind(int(items));
    journal.pools().write(stmt).await?;
    Ok(())
}

pub(crate) async fn history<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    after: Option<(u64, i64)>,
    limit: usize,
) -> Result<Vec<HistoryEntry>> {
    // The rows walked in line order (their (campaign, line) key), each row's entries by id
    // (the history's (campaign, row) index): a page costs the same wherever it starts.
    let sql = "SELECT h.id, h.row_id, r.line, h.from_state, h.to_state, h.at, h.source \
               FROM campaign_rows r JOIN coupon_history h ON h.campaign_id = r.campaign_id AND h.row_id = r.id \
               WHERE r.campaign_id = $1 AND r.line >= $2 AND (r.line > $2 OR h.id > $3) \
               ORDER BY r.line, h.id LIMIT $4";
    let (line, id) = after.map_or((-1, 0), |(line, id)| (int(line), id));
    let stmt = Stmt::new(sql).bind(campaign.id.0).bind(line).bind(id).bind(int(limit));
    let rows = journal.pools().read(stmt).await?;
    rows.iter()
        .map(|r| {
            let line = r.int("line")?;
            Ok(HistoryEntry {
                id: r.int("id")?,
                row: RowId(r.int("row_id")?),
                line: u64::try_from(line).map_err(|_| JournalError::Invalid(format!("stored line {line}")))?,
                from: r.opt_text("from_state")?.map(|s| s.parse()).transpose()?,
                to: r.text("to_state")?.parse()?,
                at: time(r.int("at")?),
                source: r.text("source")?.parse()?,
            })
        })
        .collect()
}
