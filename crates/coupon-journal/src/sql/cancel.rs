//! Cancels (refunds) of issued coupons: selected by a filter, handed out under leases,
//! their intents committed before the requests leave, their outcomes recorded; like an
//! issue's way from `pending`, written for the cancel's own columns.

use std::collections::{BTreeSet, HashSet};

use coupon_core::ErrorKind;

use super::columns::{day, duration_ms, int, now_ms, row_cols};
use super::coupon::{append_history, lock_row, may_replace};
use super::driver::{Arg, Driver, Stmt, params};
use super::mark::sync_intents;
use super::{Backend, Conn, Dialect};
use crate::decode::{Columns, row_from};
use crate::error::{JournalError, Result};
use crate::lifecycle::{CancelClaim, CancelFilter, CancelRecord, CancelState, CouponState, Expiring, StateSource};
use crate::model::{Campaign, Row, RowId};
use crate::store::Journal;

/// Keys per statement of a selection by keys.
const KEYS_CHUNK: usize = 500;

/// Rows per statement of a marking.
const MARK_CHUNK: usize = 500;

/// The rows `filter` selects, as a `WHERE` condition. Binds: $1 campaign, $2 unused
/// only, $3 last day (or NULL), then `keys` keys from $4 when the filter has keys.
///
/// Only issued rows with an order id, no cancel yet, and a coupon state that a cancel can
/// still refund (none known, `unused` or `unknown`: never `used`, `partly_used`,
/// `cancelled` or `expired`).
fn filter_sql(keys: Option<usize>) -> String {
    let keys = keys.map_or(String::new(), |n| format!(" AND row_key IN ({})", params(4, n)));
    format!(
        "campaign_id = $1 AND state = 'issued' AND order_id IS NOT NULL AND cancel_state IS NULL \
         AND (coupon_state IS NULL OR coupon_state IN ('unused', 'unknown')) \
         AND (NOT $2 OR coupon_state = 'unused') \
         AND ($3 IS NULL OR valid_until <= $3){keys}"
    )
}

/// `filter`'s statements, one per chunk of keys (one without keys): `sql(condition, n)`
/// bound with the filter's values, then `extra` as `$n`.
fn filter_stmts(
    filter: &CancelFilter,
    campaign: &Campaign,
    extra: Option<i64>,
    sql: impl Fn(&str, usize) -> String,
) -> Vec<Stmt> {
    let bind = |keys: &[&String]| {
        let cond = filter_sql(filter.keys.as_ref().map(|_| keys.len()));
        let stmt = Stmt::new(sql(&cond, 4 + keys.len()))
            .bind(campaign.id.0)
            .bind(filter.unused_only)
            .bind(filter.valid_until_on_or_before.map(day));
        let stmt = keys.iter().fold(stmt, |q, k| q.bind(k.as_str()));
        match extra {
            Some(v) => stmt.bind(v),
            None => stmt,
        }
    };
    match &filter.keys {
        None => vec![bind(&[])],
        Some(keys) => {
            // A key given twice counts once.
            let keys: Vec<&String> = keys.iter().collect::<BTreeSet<_>>().into_iter().collect();
            keys.chunks(KEYS_CHUNK).map(bind).collect()
        }
    }
}

pub(crate) async fn select<B: Backend>(journal: &B, campaign: &Campaign, filter: &CancelFilter) -> Result<u64> {
    let stmts = filter_stmts(filter, campaign, Some(now_ms()), |cond, now| {
        format!("UPDATE campaign_rows SET cancel_state = 'selected', updated_at = ${now} WHERE {cond}")
    });
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    let mut selected = 0;
    for stmt in stmts {
        selected += B::Db::execute(&mut tx, stmt).await?;
    }
    tx.commit().await?;
    Ok(selected)
}

pub(crate) async fn preview<B: Backend>(journal: &B, campaign: &Campaign, filter: &CancelFilter) -> Result<Expiring> {
    let stmts = filter_stmts(filter, campaign, None, |cond, _| {
        format!(
            "SELECT COUNT(*) AS n, {SUM_PRICE} AS won, COUNT(*) - COUNT(price) AS unpriced FROM campaign_rows \
             WHERE {cond}"
        )
    });
    let mut total = Expiring::default();
    for stmt in stmts {
        let part = selection_from(journal.pools().read_optional(stmt).await?)?;
        total.count += part.count;
        total.won += part.won;
        total.unpriced += part.unpriced;
    }
    Ok(total)
}

/// The sum of the prices, 0 for none (PostgreSQL's SUM of BIGINT is NUMERIC: cast back).
pub(crate) const SUM_PRICE: &str = "CAST(COALESCE(SUM(price), 0) AS BIGINT)";

/// `SELECT COUNT(*) AS n, … AS won, … AS unpriced` as an [`Expiring`].
pub(crate) fn selection_from(found: Option<impl Columns>) -> Result<Expiring> {
    let found = found.ok_or_else(|| JournalError::Invalid("an aggregate without a row".into()))?;
    Ok(Expiring {
        count: u64::try_from(found.int("n")?).unwrap_or(0),
        won: found.int("won")?,
        unpriced: u64::try_from(found.int("unpriced")?).unwrap_or(0),
    })
}

/// The claim of cancels: one index walk per cancel state (campaign, cancel state, line),
/// each stopping after `max` rows, then the lowest lines of those. A `cancelling` row
/// whose lease expired goes to `unknown`: its request may have left. Binds: $1 worker,
/// $2 lease end, $3 now, $4 campaign, $5 max.
fn claim_sql(lock: &str) -> String {
    let walk = |state: CancelState, lease: &str| {
        format!(
            "SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND cancel_state = '{}' AND {lease} \
             ORDER BY line LIMIT $5{lock}",
            state.as_str()
        )
    };
    let free = "(cancel_lease_until IS NULL OR cancel_lease_until <= $3)";
    format!(
        "WITH s AS ({}), u AS ({}), c AS ({}), \
              picked AS (SELECT id FROM (SELECT * FROM s UNION ALL SELECT * FROM u UNION ALL SELECT * FROM c) AS w \
                 ORDER BY line LIMIT $5) \
         UPDATE campaign_rows SET cancel_lease_owner = $1, cancel_lease_until = $2, updated_at = $3, \
         cancel_message = CASE WHEN cancel_state = 'cancelling' \
             THEN 'lease expired while cancelling: the request may have left' ELSE cancel_message END, \
         cancel_state = CASE WHEN cancel_state = 'cancelling' THEN 'unknown' ELSE cancel_state END \
         WHERE id IN (SELECT id FROM picked) \
         RETURNING {}",
        walk(CancelState::Selected, free),
        walk(CancelState::Unknown, free),
        walk(CancelState::Cancelling, "cancel_lease_until <= $3"),
        row_cols()
    )
}

pub(crate) async fn claim<B: Backend>(journal: &B, claim: &CancelClaim) -> Result<Vec<Row>> {
    if claim.max == 0 {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let stmt = Stmt::new(claim_sql(B::Db::CLAIM_LOCK))
        .bind(claim.worker.as_str())
        .bind(now.saturating_add(duration_ms(claim.lease)))
        .bind(now)
        .bind(claim.campaign.0)
        .bind(int(claim.max));
    let rows = journal.pools().write_fetch(stmt).await?;
    let mut rows = rows.iter().map(row_from).collect::<Result<Vec<_>>>()?;
    rows.sort_by_key(|r| r.line);
    Ok(rows)
}

pub(crate) async fn mark<B: Backend>(journal: &B, rows: &[RowId], worker: &str) -> Result<Vec<RowId>> {
    let mut conn = journal.pools().writer.acquire().await?;
    sync_intents::<B>(&mut conn, true).await?;
    let marked = mark_on::<B>(&mut conn, rows, worker).await;
    sync_intents::<B>(&mut conn, false).await?;
    marked
}

/// [`mark`]'s transaction, on a connection synced in full.
async fn mark_on<B: Backend>(conn: &mut Conn<B>, rows: &[RowId], worker: &str) -> Result<Vec<RowId>> {
    let now = now_ms();
    let mut tx = sqlx::Connection::begin_with(&mut *conn, B::Db::BEGIN).await?;
    let mut changed = HashSet::new();
    for chunk in rows.chunks(MARK_CHUNK) {
        let sql = format!(
            "UPDATE campaign_rows SET cancel_state = 'cancelling', cancel_attempts = cancel_attempts + 1, \
             updated_at = $1 WHERE cancel_lease_owner = $2 AND cancel_lease_until > $1 \
             AND cancel_state = 'selected' AND id IN ({}) RETURNING id",
            params(3, chunk.len())
        );
        let stmt = chunk.iter().fold(Stmt::new(sql).bind(now).bind(worker), |q, id| q.bind(id.0));
        for row in B::Db::fetch_all(&mut tx, stmt).await? {
            changed.insert(row.int("id")?);
        }
    }
    tx.commit().await?;
    Ok(rows.iter().copied().filter(|id| changed.contains(&id.0)).collect())
}

pub(crate) async fn record<B: Backend>(journal: &B, id: RowId, record: CancelRecord<'_>) -> Result<()> {
    if let CancelRecord::Refused { error, .. } = record {
        if error.kind() == ErrorKind::OutcomeUnknown {
            return Err(JournalError::Invalid(format!(
                "row {id}: an outcome_unknown error is a doubt, not a refusal (CancelRecord::Unknown)"
            )));
        }
    }
    let now = now_ms();
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    let release = "cancel_lease_owner = NULL, cancel_lease_until = NULL, updated_at = $2";
    let guard = "cancel_state IN ('cancelling', 'unknown')";
    let Some(old) = lock_row::<B>(&mut tx, id, release, guard, |s| s.bind(now)).await? else {
        tx.rollback().await?;
        let row = journal.row(id).await?;
        let state = row.life.cancel_state.map_or("none", CancelState::as_str);
        return Err(JournalError::Invalid(format!(
            "row {id}: its cancel is `{state}`; an outcome is recorded on a `cancelling` or `unknown` cancel only"
        )));
    };
    let (to, error, coupon) = match record {
        CancelRecord::Cancelled => (CancelState::Cancelled, None, Some(CouponState::Cancelled)),
        CancelRecord::Refused { error, state } => (CancelState::Refused, Some(error), state),
        CancelRecord::Unknown(error) => (CancelState::Unknown, Some(error), None),
        CancelRecord::NotCancelled => (CancelState::Selected, None, None),
    };
    let coupon = coupon.filter(|s| may_replace(old.state, *s));
    let mut sets = vec![("cancel_state", Arg::from(to.as_str()))];
    if let Some(e) = error {
        sets.push(("cancel_code", e.vendor_code().map(|c| c.raw().to_owned()).into()));
        sets.push(("cancel_message", e.vendor_message().unwrap_or(e.message()).into()));
    }
    if to == CancelState::Cancelled {
        sets.push(("cancelled_at", now.into()));
    }
    if let Some(state) = coupon {
        sets.push(("coupon_state", state.as_str().into()));
    }
    let assignments: Vec<String> = sets.iter().enumerate().map(|(i, (col, _))| format!("{col} = ${}", i + 1)).collect();
    let sql = format!("UPDATE campaign_rows SET {} WHERE id = ${}", assignments.join(", "), sets.len() + 1);
    let stmt = sets.into_iter().fold(Stmt::new(sql), |q, (_, arg)| q.bind(arg)).bind(id.0);
    B::Db::execute(&mut tx, stmt).await?;
    if let Some(state) = coupon {
        append_history::<B>(&mut tx, (id, old.campaign), old.state, state, StateSource::Cancel, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn renew<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    worker: &str,
    lease: std::time::Duration,
) -> Result<u64> {
    let now = now_ms();
    let sql = "UPDATE campaign_rows SET cancel_lease_until = $1 \
               WHERE campaign_id = $2 AND cancel_lease_owner = $3 AND cancel_lease_until > $4";
    let stmt = Stmt::new(sql).bind(now.saturating_add(duration_ms(lease))).bind(campaign.id.0).bind(worker).bind(now);
    journal.pools().write(stmt).await
}

pub(crate) async fn release<B: Backend>(journal: &B, rows: &[RowId], worker: &str) -> Result<()> {
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    for chunk in rows.chunks(MARK_CHUNK) {
        let sql = format!(
            "UPDATE campaign_rows SET cancel_lease_owner = NULL, cancel_lease_until = NULL \
             WHERE cancel_lease_owner = $1 AND cancel_state IN ('selected', 'unknown') AND id IN ({})",
            params(2, chunk.len())
        );
        let stmt = chunk.iter().fold(Stmt::new(sql).bind(worker), |q, id| q.bind(id.0));
        B::Db::execute(&mut tx, stmt).await?;
    }
    tx.commit().await?;
    Ok(())
}
