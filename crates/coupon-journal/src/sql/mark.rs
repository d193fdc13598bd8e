//! Intents: rows moved to `sending` before any request may leave, under a spending cap
//! when there is one.

use std::collections::HashSet;

use super::columns::{now_ms, state_list};
use super::driver::{Driver, Stmt, params};
use super::{Backend, Conn, Dialect};
use crate::decode::Columns;
use crate::error::{JournalError, Result};
use crate::model::{Marked, RowId, RowState, Spend};
use crate::store::{Journal, SpendCap};

/// Makes the commits on the writer connection `conn` synced in full from now on
/// (`durable`: intents must survive a power loss before any request may leave), or
/// as usual again, where the backend does not always sync them.
pub(crate) async fn sync_intents<B: Backend>(conn: &mut Conn<B>, durable: bool) -> Result<()> {
    if let Some(sync) = B::Db::intent_sync(durable) {
        B::Db::execute(conn, sync).await?;
    }
    Ok(())
}

/// Runs `stmt` on the writer with its commit synced in full, as an intent is; answers
/// how many rows it changed.
pub(crate) async fn write_synced<B: Backend>(journal: &B, stmt: Stmt) -> Result<u64> {
    let mut conn = journal.pools().writer.acquire().await?;
    sync_intents::<B>(&mut conn, true).await?;
    let changed = B::Db::execute(&mut conn, stmt).await;
    sync_intents::<B>(&mut conn, false).await?;
    changed
}

/// Runs `stmt` (one with `RETURNING`) on the writer with its commit synced in full, as an intent is;
/// answers its rows.
pub(crate) async fn fetch_synced<B: Backend>(journal: &B, stmt: Stmt) -> Result<Vec<<B::Db as sqlx::Database>::Row>> {
    let mut conn = journal.pools().writer.acquire().await?;
    let (Some(full), Some(usual)) = (B::Db::intent_sync(true), B::Db::intent_sync(false)) else {
        return B::Db::fetch_all(&mut conn, stmt).await;
    };
    // The three as one text: one round trip to the connection's worker instead of three, on the service's
    // path of every fresh key. A failure may stop before the last: it is run again alone.
    let rows = B::Db::fetch_all(&mut conn, stmt.between(&full, &usual)).await;
    if rows.is_err() {
        sync_intents::<B>(&mut conn, false).await?;
    }
    rows
}

/// [`Journal::mark_sending`] on `conn`, in one transaction: the spend read and the
/// marking are serialized with every other capped marking of the campaign.
pub(crate) async fn mark<B: Backend>(
    journal: &B,
    conn: &mut Conn<B>,
    rows: &[RowId],
    worker: &str,
    spend_cap: Option<i64>,
) -> Result<Marked> {
    let mut tx = sqlx::Connection::begin_with(&mut *conn, B::Db::BEGIN).await?;
    let mut marked = Marked::default();
    let mut take = rows;
    if let Some(cap) = spend_cap {
        let spent = match rows.first() {
            Some(first) => spend_of_row_campaign::<B>(&mut tx, *first).await?,
            None => 0,
        };
        let mut spend = SpendCap::new(spent, cap);
        for (i, id) in rows.iter().enumerate() {
            let price = Stmt::new("SELECT price FROM campaign_rows WHERE id = $1").bind(id.0);
            let price = B::Db::fetch_optional(&mut tx, price).await?.ok_or(JournalError::RowNotFound(*id))?;
            if !spend.admit(*id, price.opt_int("price")?)? {
                marked.over_cap = Some(*id);
                take = &rows[..i];
                break;
            }
        }
    }
    let now = now_ms();
    // One statement per chunk: the rows' guard (lease, state) is in it; a row it did not
    // change refuses the whole call.
    for chunk in take.chunks(500) {
        let sql = format!(
            "UPDATE campaign_rows SET state = 'sending', attempts = attempts + 1, \
             first_sent_at = COALESCE(first_sent_at, $1), updated_at = $1 \
             WHERE lease_owner = $2 AND lease_until > $1 AND state IN ({}) AND id IN ({}) RETURNING id",
            state_list(&RowState::sources(RowState::Sending)),
            params(3, chunk.len())
        );
        let stmt = chunk.iter().fold(Stmt::new(sql).bind(now).bind(worker), |q, id| q.bind(id.0));
        let changed: HashSet<i64> =
            B::Db::fetch_all(&mut tx, stmt).await?.iter().map(|r| r.int("id")).collect::<Result<_>>()?;
        if let Some(id) = chunk.iter().find(|id| !changed.contains(&id.0)) {
            tx.rollback().await?;
            let row = journal.row(*id).await?;
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

/// The [`Spend`] (won) of the campaign that row `id` belongs to, its markings locked
/// out first where the backend must ([`Backend::campaign_lock`]).
async fn spend_of_row_campaign<B: Backend>(conn: &mut Conn<B>, id: RowId) -> Result<i64> {
    let campaign = Stmt::new("SELECT campaign_id FROM campaign_rows WHERE id = $1").bind(id.0);
    let campaign = B::Db::fetch_optional(conn, campaign).await?.ok_or(JournalError::RowNotFound(id))?;
    let campaign = campaign.int("campaign_id")?;
    if let Some(lock) = B::Db::campaign_lock(campaign) {
        B::Db::execute(conn, lock).await?;
    }
    Ok(spend_in::<B>(conn, campaign).await?.won)
}

/// The campaign's [`Spend`]: rows that may have cost money.
pub(crate) async fn spend_in<B: Backend>(conn: &mut Conn<B>, campaign: i64) -> Result<Spend> {
    // SUM of BIGINT is NUMERIC in PostgreSQL: cast back.
    let sql = "SELECT CAST(COALESCE(SUM(price), 0) AS BIGINT) AS won, COUNT(*) - COUNT(price) AS unpriced \
               FROM campaign_rows WHERE campaign_id = $1 AND state IN ('sending', 'issued', 'unknown')";
    let found = B::Db::fetch_optional(conn, Stmt::new(sql).bind(campaign)).await?;
    let found = found.ok_or_else(|| JournalError::Invalid("a sum without a row".into()))?;
    Ok(Spend { won: found.int("won")?, unpriced: u64::try_from(found.int("unpriced")?).unwrap_or(0) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteJournal;

    #[tokio::test]
    async fn a_synced_statement_runs_under_full_sync_and_leaves_the_writer_as_usual() {
        let dir = tempfile::tempdir().unwrap();
        let j = SqliteJournal::open(&format!("sqlite://{}", dir.path().join("j.db").display())).await.unwrap();
        let during = fetch_synced(&j, Stmt::new("PRAGMA synchronous")).await.unwrap();
        assert_eq!(during.len(), 1, "the rows of the wrapped statement alone");
        assert_eq!(during[0].int("synchronous").unwrap(), 2, "FULL while it runs");
        let after = j.pools().write_fetch(Stmt::new("PRAGMA synchronous")).await.unwrap();
        assert_eq!(after[0].int("synchronous").unwrap(), 1, "NORMAL again after it");
        // A failing statement leaves the writer as usual too.
        assert!(fetch_synced(&j, Stmt::new("SELECT * FROM no_such_table")).await.is_err());
        let after = j.pools().write_fetch(Stmt::new("PRAGMA synchronous")).await.unwrap();
        assert_eq!(after[0].int("synchronous").unwrap(), 1, "NORMAL after a failure");
    }
}
