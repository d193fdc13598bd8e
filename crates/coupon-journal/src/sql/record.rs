//! Outcomes: what a send or a reconciliation found, recorded on the rows in few
//! statements, each change guarded by the state machine in its own `WHERE`; when a row
//! did not change, [`refusal`] says why.

use coupon_core::{ErrorKind, Issued, Pin, Reconciliation};

use super::columns::{now_ms, state_list};
use super::driver::{Driver, Stmt, tuples};
use super::{Backend, Conn, Dialect};
use crate::error::{JournalError, Result};
use crate::model::{InvalidTransition, Record, RowId, RowState, SEND_ANSWER_SOURCES};
use crate::store::Journal;

/// Rows per grouped statement.
const CHUNK: usize = 200;

/// Records `batch` in one transaction; if any is refused, records the others one by
/// one and answers the first refusal.
pub(crate) async fn record<B: Backend>(journal: &B, batch: &[(RowId, Record<'_>)]) -> Result<()> {
    let mut tx = journal.pools().writer.begin_with(B::Db::BEGIN).await?;
    if apply::<B>(journal, &mut tx, batch).await.unwrap_or(false) {
        tx.commit().await?;
        return Ok(());
    }
    tx.rollback().await?;
    let mut first = Ok(());
    for (id, record) in batch {
        first = first.and(record_one(journal, *id, *record).await);
    }
    first
}

/// One record, on its own.
pub(crate) async fn record_one<B: Backend>(journal: &B, id: RowId, record: Record<'_>) -> Result<()> {
    let mut conn = journal.pools().writer.acquire().await?;
    if apply::<B>(journal, &mut conn, &[(id, record)]).await? {
        return Ok(());
    }
    drop(conn);
    Err(refusal(journal, id, &record).await)
}

/// Applies outcomes in few statements: the coupons issued in one (those found by a
/// reconciliation in another: from `unknown` only), each kind of failure in one, the
/// other reconciliations one by one. Answers whether every row changed.
async fn apply<B: Backend>(journal: &B, conn: &mut Conn<B>, batch: &[(RowId, Record<'_>)]) -> Result<bool> {
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
                        "row {id}: an outcome_unknown error is a doubt, not a refusal or proof that nothing was \
                         issued (record_unknown)"
                    )));
                }
                failed.push((*id, record.target(), e));
            }
            Record::Reconciled(outcome) => {
                if !apply_unsettled::<B>(conn, *id, outcome, now).await? {
                    return Ok(false);
                }
            }
        }
    }
    for (group, reconciled) in [(&issued, false), (&found, true)] {
        for chunk in group.chunks(CHUNK) {
            if !apply_issued(journal, conn, chunk, reconciled, now).await? {
                return Ok(false);
            }
        }
    }
    for to in [RowState::Refused, RowState::NotIssued, RowState::Unknown] {
        let group: Vec<_> = failed.iter().filter(|(_, t, _)| *t == to).collect();
        for chunk in group.chunks(CHUNK) {
            let sql = format!(
                "UPDATE campaign_rows SET state = '{}', error_kind = v.column2, vendor_code = v.column3, \
                 vendor_message = v.column4, lease_owner = NULL, lease_until = NULL, updated_at = $1 \
                 FROM (VALUES {}) AS v \
                 WHERE campaign_rows.id = v.column1 AND campaign_rows.state IN ({})",
                to.as_str(),
                tuples(2, 4, chunk.len()),
                state_list(&SEND_ANSWER_SOURCES)
            );
            let stmt = chunk.iter().fold(Stmt::new(sql).bind(now), |q, (id, _, e)| {
                q.bind(id.0)
                    .bind(e.kind().as_str())
                    .bind(e.vendor_code().map(|c| c.raw().to_owned()))
                    .bind(e.vendor_message().unwrap_or(e.message()))
            });
            if B::Db::execute(conn, stmt).await? != chunk.len() as u64 {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// `issued` for each row of `chunk`, for the row's own reference: from `sending` or
/// `unknown`, or from `unknown` only when `reconciled`; the PIN masked and hashed, and
/// kept in clear only if the campaign stores PINs. Answers whether every row changed.
async fn apply_issued<B: Backend>(
    journal: &B,
    conn: &mut Conn<B>,
    chunk: &[(RowId, &Issued)],
    reconciled: bool,
    now: i64,
) -> Result<bool> {
    let sources = if reconciled { vec![RowState::Unknown] } else { RowState::sources(RowState::Issued) };
    let sql = format!(
        "UPDATE campaign_rows SET state = 'issued', order_id = v.column2, pin_masked = v.column3, \
         pin_hash = v.column4, \
         pin = CASE WHEN (SELECT store_pins FROM campaigns c WHERE c.id = campaign_rows.campaign_id) \
             THEN v.column5 END, \
         details_unknown = v.column6, lease_owner = NULL, lease_until = NULL, updated_at = $1, \
         reconciled_at = CASE WHEN $2 THEN $1 ELSE reconciled_at END \
         FROM (VALUES {}) AS v \
         WHERE campaign_rows.id = v.column1 AND campaign_rows.partner_ref = v.column7 \
         AND campaign_rows.state IN ({})",
        tuples(3, 7, chunk.len()),
        state_list(&sources)
    );
    let stmt = chunk.iter().fold(Stmt::new(sql).bind(now).bind(reconciled), |q, (id, i)| {
        let pin = i.pin.as_ref();
        q.bind(id.0)
            .bind(i.order.as_ref().map(|o| o.as_str()))
            .bind(pin.map(Pin::masked))
            .bind(pin.map(|p| journal.pools().pin_key.hash(p.expose())))
            .bind(pin.map(Pin::expose))
            .bind(&i.details_unknown)
            .bind(i.partner_ref.as_str())
    });
    Ok(B::Db::execute(conn, stmt).await? == chunk.len() as u64)
}

/// Applies a reconciliation that leaves no coupon (`not_issued`, or still unknown)
/// to row `id`, from `unknown` only; answers whether the row changed.
async fn apply_unsettled<B: Backend>(
    conn: &mut Conn<B>,
    id: RowId,
    outcome: &Reconciliation,
    now: i64,
) -> Result<bool> {
    let stmt = match outcome {
        Reconciliation::NotIssued => Stmt::new(
            "UPDATE campaign_rows SET state = 'not_issued', lease_owner = NULL, lease_until = NULL, \
             updated_at = $1, reconciled_at = $1 WHERE id = $2 AND state = 'unknown'",
        )
        .bind(now)
        .bind(id.0),
        // Not an edge: the row stays `unknown`; any other state is refused as `→ unknown`.
        Reconciliation::StillUnknown(reason) => Stmt::new(
            "UPDATE campaign_rows SET vendor_message = $1, lease_owner = NULL, lease_until = NULL, \
             updated_at = $2, reconciled_at = $2 WHERE id = $3 AND state = 'unknown'",
        )
        .bind(reason.as_str())
        .bind(now)
        .bind(id.0),
        other => {
            return Err(JournalError::Invalid(format!("row {id}: unknown reconciliation `{}`", other.as_str())));
        }
    };
    Ok(B::Db::execute(conn, stmt).await? > 0)
}

/// Why the update of `record` on row `id` changed nothing, from the row as it is now.
pub(crate) async fn refusal<B: Backend>(journal: &B, id: RowId, record: &Record<'_>) -> JournalError {
    let to = record.target();
    let row = match journal.row(id).await {
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
    // `sending → not_issued` are edges; a send's answer only on a `sending` row.
    let reconciling = matches!(record, Record::Reconciled(_));
    let answering = matches!(record, Record::Refused(_) | Record::NotSent(_) | Record::Unknown(_));
    match crate::check_transition(row.state, to) {
        Err(source) => JournalError::Transition { row: id, source },
        Ok(())
            if (reconciling && row.state != RowState::Unknown)
                || (answering && !SEND_ANSWER_SOURCES.contains(&row.state)) =>
        {
            JournalError::Transition { row: id, source: InvalidTransition { from: row.state, to } }
        }
        Ok(()) => JournalError::Invalid(format!("row {id} changed while being updated; read it again")),
    }
}
