//! The claim: rows leased to a worker, in one statement, with their intents when asked.

use super::columns::{duration_ms, int, now_ms, row_cols, state_list};
use super::driver::{Driver, Stmt};
use super::{Backend, Conn, Dialect};
use crate::decode::row_from;
use crate::error::Result;
use crate::model::{Claim, Row, RowState};

/// The claim's statement: one index walk per state (campaign, state, line), each
/// stopping after `max` rows, then the lowest lines of those, so a claim costs the same
/// on the first row of a million as on the last. Each walk ends with `lock`
/// ([`Backend::CLAIM_LOCK`]). A `sending` row whose lease expired goes to `unknown`
/// (in doubt); with `mark`, the rows that may be sent go to `sending` (the intent).
/// Binds: $1 worker, $2 lease end, $3 now, $4 campaign, $5 doubts only, $6 retry
/// unknown before, $7 max.
fn claim_sql(lock: &str, mark: bool) -> String {
    let sendable = state_list(&RowState::sources(RowState::Sending));
    let (attempts, to_sending) = if mark {
        (
            format!(
                "attempts = CASE WHEN state IN ({sendable}) THEN attempts + 1 ELSE attempts END, \
                 first_sent_at = CASE WHEN state IN ({sendable}) THEN COALESCE(first_sent_at, $3) \
                     ELSE first_sent_at END, "
            ),
            format!("WHEN state IN ({sendable}) THEN 'sending' "),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "WITH p AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'pending' \
                 AND NOT $5 AND (lease_until IS NULL OR lease_until <= $3) ORDER BY line LIMIT $7{lock}), \
              n AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'not_issued' \
                 AND NOT $5 AND (lease_until IS NULL OR lease_until <= $3) ORDER BY line LIMIT $7{lock}), \
              u AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'unknown' \
                 AND (lease_until IS NULL OR lease_until <= $3) \
                 AND (reconciled_at IS NULL OR reconciled_at < $6) ORDER BY line LIMIT $7{lock}), \
              s AS (SELECT id, line FROM campaign_rows WHERE campaign_id = $4 AND state = 'sending' \
                 AND lease_until <= $3 ORDER BY line LIMIT $7{lock}), \
              picked AS (SELECT id FROM (SELECT * FROM p UNION ALL SELECT * FROM n \
                 UNION ALL SELECT * FROM u UNION ALL SELECT * FROM s) AS c ORDER BY line LIMIT $7) \
         UPDATE campaign_rows SET lease_owner = $1, lease_until = $2, updated_at = $3, {attempts}\
         error_kind = CASE WHEN state = 'sending' THEN 'outcome_unknown' ELSE error_kind END, \
         vendor_message = CASE WHEN state = 'sending' \
             THEN 'lease expired while sending: the request may have left' ELSE vendor_message END, \
         state = CASE WHEN state = 'sending' THEN 'unknown' {to_sending}ELSE state END \
         WHERE id IN (SELECT id FROM picked) \
         RETURNING {}",
        row_cols()
    )
}

/// Runs `claim` on `conn`, marking the rows that may be sent when `mark`; rows in line order.
pub(crate) async fn claim<B: Backend>(conn: &mut Conn<B>, claim: &Claim, mark: bool) -> Result<Vec<Row>> {
    // The in-doubt edge, and the intents' edges, from the state machine.
    debug_assert!(RowState::Sending.can_go_to(RowState::Unknown));
    debug_assert!(RowState::Pending.can_go_to(RowState::Sending) && RowState::NotIssued.can_go_to(RowState::Sending));
    let now = now_ms();
    let stmt = Stmt::new(claim_sql(B::Db::CLAIM_LOCK, mark))
        .bind(claim.worker.as_str())
        .bind(now.saturating_add(duration_ms(claim.lease)))
        .bind(now)
        .bind(claim.campaign.0)
        .bind(claim.doubts_only)
        .bind(claim.retry_unknown_before.timestamp_millis())
        .bind(int(claim.max));
    let rows = B::Db::fetch_all(conn, stmt).await?;
    let mut rows = rows.iter().map(row_from).collect::<Result<Vec<_>>>()?;
    rows.sort_by_key(|r| r.line);
    Ok(rows)
}
