//! Resends of an issued coupon's message: each taken once per window, durably, before
//! its request leaves.

use coupon_core::chrono::{DateTime, Utc};

use super::Backend;
use super::columns::now_ms;
use super::driver::{Driver, Stmt};
use super::mark::sync_intents;
use crate::error::{JournalError, Result};
use crate::model::{RowId, RowState};
use crate::store::Journal;

pub(crate) async fn take<B: Backend>(journal: &B, id: RowId, not_since: DateTime<Utc>) -> Result<bool> {
    let now = now_ms();
    let sql = "UPDATE campaign_rows SET resent_at = $1, resend_count = resend_count + 1, resend_code = NULL, \
               updated_at = $1 WHERE id = $2 AND state = 'issued' AND order_id IS NOT NULL \
               AND (resent_at IS NULL OR resent_at <= $3)";
    let stmt = Stmt::new(sql).bind(now).bind(id.0).bind(not_since.timestamp_millis());
    // Like an issue's intent: once this returns, the resend may leave, and a power loss
    // must not take the record of it back.
    let mut conn = journal.pools().writer.acquire().await?;
    sync_intents::<B>(&mut conn, true).await?;
    let taken = B::Db::execute(&mut conn, stmt).await;
    sync_intents::<B>(&mut conn, false).await?;
    drop(conn);
    if taken? > 0 {
        return Ok(true);
    }
    let row = journal.row(id).await?;
    if row.state != RowState::Issued || row.order_id.is_none() {
        return Err(JournalError::Invalid(format!(
            "row {id} is `{}`{}: only an issued coupon with an order id is resent",
            row.state,
            if row.order_id.is_none() { " without an order id" } else { "" }
        )));
    }
    Ok(false)
}

pub(crate) async fn record<B: Backend>(journal: &B, id: RowId, code: Option<&str>) -> Result<()> {
    let stmt = Stmt::new("UPDATE campaign_rows SET resend_code = $1, updated_at = $2 WHERE id = $3")
        .bind(code)
        .bind(now_ms())
        .bind(id.0);
    if journal.pools().write(stmt).await? == 0 {
        return Err(JournalError::RowNotFound(id));
    }
    Ok(())
}
