//! The service's idempotency records: begun durably before a request may leave, settled
//! with the answer to replay, or left in doubt for the reconciler, which claims doubts
//! under leases as the campaigns claim rows.

use std::collections::HashSet;
use std::time::Duration;

use coupon_core::chrono::{DateTime, Utc};

use super::columns::{IDEM_COLS, duration_ms, int, now_ms};
use super::driver::{Stmt, params, tuples};
use super::mark::fetch_synced;
use super::{Backend, Dialect};
use crate::decode::{Columns, idem_from};
use crate::error::{JournalError, Result};
use crate::service::{IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord, IdemState};

/// The note of a record found in flight under an expired lease, turned into a doubt.
const EXPIRED_NOTE: &str = "lease expired in flight: the request may have left";

/// How many times [`begin`] looks again when what stood in its way vanished meanwhile
/// (released or purged between its insert and its read): each pass makes progress unless
/// another replica keeps beginning and releasing the same key.
const BEGIN_PASSES: usize = 8;

/// The least `Retry-After` of a record in flight.
const MIN_RETRY: Duration = Duration::from_secs(1);

pub(crate) async fn get<B: Backend>(journal: &B, scope: &str, key: &str) -> Result<Option<IdemRecord>> {
    let stmt =
        Stmt::new(format!("SELECT {IDEM_COLS} FROM idempotency WHERE scope = $1 AND key = $2")).bind(scope).bind(key);
    journal.pools().read_optional(stmt).await?.as_ref().map(idem_from).transpose()
}

/// The cancel of issue `target` that stands, whatever its key: in flight, in doubt, or settled as anything
/// but `not_cancelled` (one that refunded nothing does not stop another).
async fn cancel_of<B: Backend>(journal: &B, scope: &str, target: &str) -> Result<Option<IdemRecord>> {
    let sql = format!(
        "SELECT {IDEM_COLS} FROM idempotency WHERE scope = $1 AND target = $2 AND op = 'cancel' \
         AND (outcome IS NULL OR outcome <> 'not_cancelled')"
    );
    let stmt = Stmt::new(sql).bind(scope).bind(target);
    journal.pools().read_optional(stmt).await?.as_ref().map(idem_from).transpose()
}

pub(crate) async fn begin<B: Backend>(journal: &B, begin: &IdemBegin) -> Result<IdemBegun> {
    for _ in 0..BEGIN_PASSES {
        // Read first: a replay (the common repeat) costs no write.
        if let Some(record) = get(journal, &begin.scope, &begin.key).await? {
            match judge(journal, begin, record).await? {
                Some(begun) => return Ok(begun),
                None => continue,
            }
        }
        if begin.op == "cancel" {
            if let Some(target) = &begin.target {
                if let Some(other) = cancel_of(journal, &begin.scope, target).await? {
                    return Ok(IdemBegun::OtherCancel(other));
                }
            }
        }
        // Synced: once Started is answered, money may move on the strength of it. Any
        // unique key stops it: this key (another replica's begin just now), or another
        // key's cancel of the same issue. Either is read on the next pass.
        if !fetch_synced(journal, insert(&[begin])).await?.is_empty() {
            return Ok(IdemBegun::Started);
        }
    }
    Err(JournalError::Invalid(format!(
        "idempotency key `{}` kept changing under this request (begun and released elsewhere): try again",
        begin.key
    )))
}

/// The answer for a record found under the key; None when it changed meanwhile (look again).
async fn judge<B: Backend>(journal: &B, begin: &IdemBegin, record: IdemRecord) -> Result<Option<IdemBegun>> {
    // The operation and its target belong to the request as much as its body does: a key
    // reused for another operation is another request, whatever the fingerprint says.
    if record.fingerprint != begin.fingerprint || record.op != begin.op || record.target != begin.target {
        return Ok(Some(IdemBegun::Mismatch(record)));
    }
    if record.state != IdemState::InFlight {
        return Ok(Some(IdemBegun::Existing(record)));
    }
    let now = now_ms();
    let until = record.lease_until.map_or(0, |t| t.timestamp_millis());
    if until > now {
        let left = Duration::from_millis(u64::try_from(until - now).unwrap_or(0));
        return Ok(Some(IdemBegun::InFlight { retry_after: left.max(MIN_RETRY) }));
    }
    // Its sender died or lost its lease with the request perhaps sent: a doubt now, in one
    // statement guarded by the same condition, so a sender's late answer or another
    // replica's claim made meanwhile is never overwritten.
    let sql = format!(
        "UPDATE idempotency SET state = 'unknown', owner = NULL, lease_until = NULL, next_check_at = $1, \
         note = $2, updated_at = $1 \
         WHERE scope = $3 AND key = $4 AND state = 'in_flight' AND lease_until <= $1 RETURNING {IDEM_COLS}"
    );
    let stmt = Stmt::new(sql).bind(now).bind(EXPIRED_NOTE).bind(begin.scope.as_str()).bind(begin.key.as_str());
    let turned = journal.pools().write_fetch(stmt).await?;
    turned.first().map(idem_from).transpose().map(|r| r.map(IdemBegun::Existing))
}

/// A request's answer under the key its sender holds, or over a doubt.
pub(crate) async fn finish<B: Backend>(
    journal: &B,
    scope: &str,
    key: &str,
    owner: &str,
    finish: &IdemFinish,
) -> Result<bool> {
    Ok(!journal.pools().write_fetch(finish_stmt(&[(scope, key, owner, finish)])?).await?.is_empty())
}

/// Many answers in one statement; whether each applied.
///
/// Not synced in full, as a campaign's outcomes are not: an answer survives the process dying at any
/// moment, and a power loss can only take back the last ones, whose records are then in flight under a
/// lease that runs out: doubts the reconciler settles with the vendor. The begin is what must be durable
/// before money may move, and it is.
pub(crate) async fn finish_many<B: Backend>(journal: &B, finishes: &[IdemFinishOf]) -> Result<Vec<bool>> {
    if finishes.is_empty() {
        return Ok(Vec::new());
    }
    let of: Vec<(&str, &str, &str, &IdemFinish)> =
        finishes.iter().map(|f| (f.scope.as_str(), f.key.as_str(), f.owner.as_str(), &f.finish)).collect();
    let applied: HashSet<(String, String)> = journal
        .pools()
        .write_fetch(finish_stmt(&of)?)
        .await?
        .iter()
        .map(|row| Ok((row.text("scope")?, row.text("key")?)))
        .collect::<Result<_>>()?;
    Ok(finishes.iter().map(|f| applied.contains(&(f.scope.clone(), f.key.clone()))).collect())
}

/// The answers `(scope, key, owner, finish)` as one `UPDATE … FROM (VALUES …) RETURNING scope, key`. An
/// in-flight record is its sender's alone; a doubt takes the first answer that comes, the sender's late one
/// or a reconciler's.
fn finish_stmt(finishes: &[(&str, &str, &str, &IdemFinish)]) -> Result<Stmt> {
    let now = now_ms();
    // One lock order for every batch: two replicas' batches never wait on each other in a ring.
    let mut order: Vec<&(&str, &str, &str, &IdemFinish)> = finishes.iter().collect();
    order.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let width = 9;
    // VALUES' columns are column1 … column9 on both databases: scope, key, owner, state, outcome, status,
    // response, order_id, next_check_at.
    let sql = format!(
        "UPDATE idempotency SET state = v.column4, outcome = v.column5, status = v.column6, response = v.column7, \
         order_id = COALESCE(v.column8, idempotency.order_id), owner = NULL, lease_until = NULL, \
         next_check_at = v.column9, updated_at = ${now_param} \
         FROM (VALUES {values}) AS v \
         WHERE idempotency.scope = v.column1 AND idempotency.key = v.column2 \
         AND ((idempotency.state = 'in_flight' AND idempotency.owner = v.column3) OR idempotency.state = 'unknown') \
         RETURNING idempotency.scope, idempotency.key",
        now_param = order.len() * width + 1,
        values = tuples(1, width, order.len()),
    );
    let mut stmt = Stmt::new(sql);
    for (scope, key, owner, finish) in order {
        let next_check = match finish.state {
            IdemState::Done => None,
            IdemState::Unknown => Some(now.saturating_add(duration_ms(finish.first_check))),
            IdemState::InFlight => {
                return Err(JournalError::Invalid(format!(
                    "idempotency key `{key}`: a request ends `done` or `unknown`, never `in_flight`"
                )));
            }
        };
        stmt = stmt
            .bind(*scope)
            .bind(*key)
            .bind(*owner)
            .bind(finish.state.as_str())
            .bind(finish.outcome.as_str())
            .bind(i64::from(finish.status))
            .bind(finish.response.as_str())
            .bind(&finish.order_id)
            .bind(next_check);
    }
    Ok(stmt.bind(now))
}

/// Stores every begin no record holds yet, in one statement synced once; whether each was
/// stored (the others are judged one by one by [`begin`]).
pub(crate) async fn begin_many<B: Backend>(journal: &B, begins: &[IdemBegin]) -> Result<Vec<bool>> {
    if begins.is_empty() {
        return Ok(Vec::new());
    }
    // A key twice in one batch: only its first request is offered, the other is judged alone. Both rows in
    // one insert would leave it to the database which one stands, and the answer names only the key: the
    // record could then hold another request than the one told to send.
    let mut offered = HashSet::new();
    let firsts: Vec<bool> = begins.iter().map(|b| offered.insert((b.scope.as_str(), b.key.as_str()))).collect();
    let rows: Vec<&IdemBegin> = begins.iter().zip(&firsts).filter(|(_, first)| **first).map(|(b, _)| b).collect();
    let stored: HashSet<(String, String)> = fetch_synced(journal, insert(&rows))
        .await?
        .iter()
        .map(|row| Ok((row.text("scope")?, row.text("key")?)))
        .collect::<Result<_>>()?;
    Ok(begins
        .iter()
        .zip(firsts)
        .map(|(b, first)| first && stored.contains(&(b.scope.clone(), b.key.clone())))
        .collect())
}

/// The insert of new records, in flight and leased to their owner, as one statement that answers the
/// `scope, key` of each it stored; nothing for one a unique key stops (this key, or another key's cancel of
/// the same issue).
fn insert(begins: &[&IdemBegin]) -> Stmt {
    let now = now_ms();
    let width = 11;
    let now_param = begins.len() * width + 1;
    // Per row: scope … request (8), its state, order_id, owner, lease_until, no attempt yet, created and
    // updated now (the last parameter, shared).
    let values: Vec<String> = (0..begins.len())
        .map(|i| {
            let b = i * width;
            format!(
                "({}, 'in_flight', ${}, ${}, ${}, 0, ${now_param}, ${now_param})",
                params(b + 1, 8),
                b + 9,
                b + 10,
                b + 11
            )
        })
        .collect();
    let values = values.join(", ");
    let sql = format!(
        "INSERT INTO idempotency (scope, key, op, target, fingerprint, vendor, partner_ref, request, state, \
         order_id, owner, lease_until, attempts, created_at, updated_at) VALUES {values} \
         ON CONFLICT DO NOTHING RETURNING scope, key"
    );
    let mut stmt = Stmt::new(sql);
    // One lock order for every batch: two replicas' batches never wait on each other in a ring.
    let mut order = begins.to_vec();
    order.sort_by(|a, b| (&a.scope, &a.key).cmp(&(&b.scope, &b.key)));
    for begin in order {
        stmt = stmt
            .bind(begin.scope.as_str())
            .bind(begin.key.as_str())
            .bind(begin.op.as_str())
            .bind(&begin.target)
            .bind(begin.fingerprint.as_str())
            .bind(begin.vendor.as_str())
            .bind(&begin.partner_ref)
            .bind(begin.request.as_str())
            .bind(&begin.order_id)
            .bind(begin.owner.as_str())
            .bind(now.saturating_add(duration_ms(begin.lease)));
    }
    stmt.bind(now)
}

pub(crate) async fn release<B: Backend>(journal: &B, scope: &str, key: &str, owner: &str) -> Result<bool> {
    let sql = "DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND owner = $3 AND state = 'in_flight'";
    Ok(journal.pools().write(Stmt::new(sql).bind(scope).bind(key).bind(owner)).await? > 0)
}

/// The reconciler's claim: one walk per state on (state, next_check_at) or its lease, each
/// stopping after `limit` records and ending with `lock` ([`Dialect::CLAIM_LOCK`]), then
/// the most overdue of those. An `in_flight` record whose lease expired becomes a doubt.
/// Binds: $1 owner, $2 lease end, $3 now, $4 limit, $5 the expired note.
fn claim_sql(lock: &str) -> String {
    format!(
        "WITH u AS (SELECT scope, key, next_check_at AS due FROM idempotency WHERE state = 'unknown' \
                 AND next_check_at <= $3 AND (lease_until IS NULL OR lease_until <= $3) \
                 ORDER BY next_check_at LIMIT $4{lock}), \
              s AS (SELECT scope, key, lease_until AS due FROM idempotency WHERE state = 'in_flight' \
                 AND lease_until <= $3 ORDER BY lease_until LIMIT $4{lock}), \
              picked AS (SELECT scope, key FROM (SELECT * FROM u UNION ALL SELECT * FROM s) AS w \
                 ORDER BY due LIMIT $4) \
         UPDATE idempotency SET owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3, \
         next_check_at = CASE WHEN state = 'in_flight' THEN $3 ELSE next_check_at END, \
         note = CASE WHEN state = 'in_flight' THEN $5 ELSE note END, \
         state = 'unknown' \
         WHERE (scope, key) IN (SELECT scope, key FROM picked) \
         RETURNING {IDEM_COLS}"
    )
}

pub(crate) async fn claim_doubts<B: Backend>(
    journal: &B,
    owner: &str,
    lease: Duration,
    limit: usize,
) -> Result<Vec<IdemRecord>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let stmt = Stmt::new(claim_sql(B::Db::CLAIM_LOCK))
        .bind(owner)
        .bind(now.saturating_add(duration_ms(lease)))
        .bind(now)
        .bind(int(limit))
        .bind(EXPIRED_NOTE);
    let rows = journal.pools().write_fetch(stmt).await?;
    let mut records = rows.iter().map(idem_from).collect::<Result<Vec<_>>>()?;
    records.sort_by(|a, b| (a.next_check_at, &a.scope, &a.key).cmp(&(b.next_check_at, &b.scope, &b.key)));
    Ok(records)
}

pub(crate) async fn retry_later<B: Backend>(
    journal: &B,
    scope: &str,
    key: &str,
    owner: &str,
    after: Duration,
    note: &str,
) -> Result<bool> {
    let now = now_ms();
    let sql = "UPDATE idempotency SET owner = NULL, lease_until = NULL, next_check_at = $1, note = $2, updated_at = $3 \
               WHERE scope = $4 AND key = $5 AND state = 'unknown' AND owner = $6";
    let stmt = Stmt::new(sql)
        .bind(now.saturating_add(duration_ms(after)))
        .bind(note)
        .bind(now)
        .bind(scope)
        .bind(key)
        .bind(owner);
    Ok(journal.pools().write(stmt).await? > 0)
}

pub(crate) async fn children<B: Backend>(journal: &B, scope: &str, target: &str) -> Result<Vec<IdemRecord>> {
    let sql = format!(
        "SELECT {IDEM_COLS} FROM idempotency WHERE scope = $1 AND target = $2 ORDER BY created_at DESC, key DESC"
    );
    journal.pools().read(Stmt::new(sql).bind(scope).bind(target)).await?.iter().map(idem_from).collect()
}

pub(crate) async fn purge<B: Backend>(journal: &B, before: DateTime<Utc>) -> Result<u64> {
    // An issue stays while a cancel or resend of it is not settled: that one still needs
    // the record (its order id, its answer).
    let sql = "DELETE FROM idempotency WHERE state = 'done' AND created_at < $1 \
               AND NOT (op = 'issue' AND EXISTS (SELECT 1 FROM idempotency AS c \
                   WHERE c.scope = idempotency.scope AND c.target = idempotency.key AND c.state <> 'done'))";
    journal.pools().write(Stmt::new(sql).bind(before.timestamp_millis())).await
}

pub(crate) async fn doubts<B: Backend>(journal: &B) -> Result<u64> {
    let stmt = Stmt::new("SELECT COUNT(*) AS n FROM idempotency WHERE state = 'unknown'");
    let found = journal.pools().read_optional(stmt).await?;
    let found = found.ok_or_else(|| JournalError::Invalid("a count without a row".into()))?;
    Ok(u64::try_from(found.int("n")?).unwrap_or(0))
}
