//! [`Journal`] for every [`Backend`]: each method on the connections it belongs to
//! (reads and loading on the reader, leases, intents and outcomes on the writer).

use std::collections::BTreeSet;
use std::time::Duration;

use coupon_core::chrono::{DateTime, NaiveDate, Utc};
use coupon_core::{CouponCheck, async_trait};
use coupon_core::{Issued, Reconciliation};

use super::columns::{campaign_cols, duration_ms, int, now_ms, row_cols};
use super::driver::{Driver, Stmt};
use super::{Backend, Dialect, cancel, claim, coupon, figures, idempotency, keys, load, mark, record, resend, schema};
use crate::decode::{campaign_from, counts_from, row_from};
use crate::error::{JournalError, Result};
use crate::lifecycle::{
    CancelClaim, CancelFilter, CancelRecord, CouponToCheck, Expiring, Figures, HistoryEntry, StateSource,
};
use crate::model::{
    Campaign, CampaignSpec, CampaignSummary, Claim, Counts, CreatedCampaign, InsertReport, Marked, NewRow, Record, Row,
    RowId, RowState, Spend,
};
use crate::pins::PinKey;
use crate::service::{ApiKey, IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord};
use crate::store::Journal;

#[async_trait]
impl<B: Backend> Journal for B {
    async fn schema_version(&self) -> Result<i64> {
        schema::version::<B::Db>(&mut *self.pools().reader.acquire().await?).await
    }

    fn pin_key(&self) -> &PinKey {
        &self.pools().pin_key
    }

    async fn create_campaign(&self, spec: &CampaignSpec) -> Result<CreatedCampaign> {
        load::create_campaign(self, spec).await
    }

    async fn campaign(&self, name: &str) -> Result<Campaign> {
        let sql = format!("SELECT {} FROM campaigns WHERE name = $1", campaign_cols());
        let found = self.pools().read_optional(Stmt::new(sql).bind(name)).await?;
        found.as_ref().map(campaign_from).transpose()?.ok_or_else(|| JournalError::CampaignNotFound(name.to_owned()))
    }

    async fn list_campaigns(&self) -> Result<Vec<CampaignSummary>> {
        let sql = format!("SELECT {} FROM campaigns ORDER BY id", campaign_cols());
        let rows = self.pools().read(Stmt::new(sql)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let campaign = campaign_from(row)?;
            let counts = self.counts(&campaign).await?;
            out.push(CampaignSummary { campaign, counts });
        }
        Ok(out)
    }

    async fn insert_rows(&self, campaign: &Campaign, rows: &[NewRow]) -> Result<InsertReport> {
        load::insert_rows(self, campaign, rows).await
    }

    async fn claim(&self, claim: &Claim) -> Result<Vec<Row>> {
        if claim.max == 0 {
            return Ok(Vec::new());
        }
        claim::claim::<B>(&mut *self.pools().writer.acquire().await?, claim, false).await
    }

    async fn claim_sending(&self, claim: &Claim) -> Result<Vec<Row>> {
        if claim.max == 0 {
            return Ok(Vec::new());
        }
        let mut conn = self.pools().writer.acquire().await?;
        mark::sync_intents::<B>(&mut conn, true).await?;
        let rows = claim::claim::<B>(&mut conn, claim, true).await;
        mark::sync_intents::<B>(&mut conn, false).await?;
        rows
    }

    async fn mark_sending(&self, rows: &[RowId], worker: &str, spend_cap: Option<i64>) -> Result<Marked> {
        let mut conn = self.pools().writer.acquire().await?;
        mark::sync_intents::<B>(&mut conn, true).await?;
        let marked = mark::mark(self, &mut conn, rows, worker, spend_cap).await;
        mark::sync_intents::<B>(&mut conn, false).await?;
        marked
    }

    async fn renew(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64> {
        let now = now_ms();
        let sql = "UPDATE campaign_rows SET lease_until = $1 \
                   WHERE campaign_id = $2 AND lease_owner = $3 AND lease_until > $4";
        let stmt =
            Stmt::new(sql).bind(now.saturating_add(duration_ms(lease))).bind(campaign.id.0).bind(worker).bind(now);
        self.pools().write(stmt).await
    }

    async fn release(&self, rows: &[RowId], worker: &str) -> Result<()> {
        let mut tx = self.pools().writer.begin_with(B::Db::BEGIN).await?;
        for id in rows {
            let sql = "UPDATE campaign_rows SET lease_owner = NULL, lease_until = NULL \
                       WHERE id = $1 AND lease_owner = $2 AND state <> 'sending'";
            B::Db::execute(&mut tx, Stmt::new(sql).bind(id.0).bind(worker)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn spent(&self, campaign: &Campaign) -> Result<Spend> {
        mark::spend_in::<B>(&mut *self.pools().reader.acquire().await?, campaign.id.0).await
    }

    async fn record_issued(&self, row: RowId, issued: &Issued) -> Result<()> {
        record::record_one(self, row, Record::Issued(issued)).await
    }

    async fn record_refused(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        record::record_one(self, row, Record::Refused(error)).await
    }

    async fn record_not_sent(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        record::record_one(self, row, Record::NotSent(error)).await
    }

    async fn record_unknown(&self, row: RowId, error: &coupon_core::Error) -> Result<()> {
        record::record_one(self, row, Record::Unknown(error)).await
    }

    async fn record_reconciled(&self, row: RowId, outcome: &Reconciliation) -> Result<()> {
        record::record_one(self, row, Record::Reconciled(outcome)).await
    }

    async fn record(&self, batch: &[(RowId, Record<'_>)]) -> Result<()> {
        record::record(self, batch).await
    }

    async fn row(&self, row: RowId) -> Result<Row> {
        let sql = format!("SELECT {} FROM campaign_rows WHERE id = $1", row_cols());
        let found = self.pools().read_optional(Stmt::new(sql).bind(row.0)).await?;
        found.as_ref().map(row_from).transpose()?.ok_or(JournalError::RowNotFound(row))
    }

    async fn counts(&self, campaign: &Campaign) -> Result<Counts> {
        let sql = "SELECT state, COUNT(*) AS n FROM campaign_rows WHERE campaign_id = $1 GROUP BY state";
        let rows = self.pools().read(Stmt::new(sql).bind(campaign.id.0)).await?;
        counts_from(&rows)
    }

    async fn set_stop(&self, campaign: &Campaign, reason: Option<String>) -> Result<()> {
        let stmt = Stmt::new("UPDATE campaigns SET stop_reason = $1 WHERE id = $2").bind(reason).bind(campaign.id.0);
        if self.pools().write(stmt).await? == 0 {
            return Err(JournalError::CampaignNotFound(campaign.name.clone()));
        }
        Ok(())
    }

    async fn stop_reason(&self, campaign: &Campaign) -> Result<Option<String>> {
        let mut conn = self.pools().reader.acquire().await?;
        Ok(load::campaign_by_id::<B>(&mut conn, campaign.id.0, &campaign.name).await?.stop_reason)
    }

    async fn rows(
        &self,
        campaign: &Campaign,
        state: Option<RowState>,
        after_line: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Row>> {
        let sql = format!(
            "SELECT {} FROM campaign_rows WHERE campaign_id = $1 AND ($2 IS NULL OR state = $2) AND line > $3 \
             ORDER BY line LIMIT $4",
            row_cols()
        );
        let stmt = Stmt::new(sql)
            .bind(campaign.id.0)
            .bind(state.map(RowState::as_str))
            .bind(after_line.map_or(-1, int))
            .bind(int(limit));
        let rows = self.pools().read(stmt).await?;
        rows.iter().map(row_from).collect()
    }

    async fn coupons_to_check(
        &self,
        campaign: &Campaign,
        checked_before: DateTime<Utc>,
        after_line: Option<u64>,
        limit: usize,
    ) -> Result<Vec<CouponToCheck>> {
        coupon::coupons_to_check(self, campaign, checked_before, after_line, limit).await
    }

    async fn record_check(&self, row: RowId, check: &CouponCheck, source: StateSource) -> Result<()> {
        coupon::record_check(self, row, check, source).await
    }

    async fn record_checks(&self, batch: &[(RowId, CouponCheck, StateSource)]) -> Result<()> {
        let mut batch: Vec<_> = batch.iter().map(|(row, check, source)| (*row, check, *source)).collect();
        // Rows locked in one order (their ids) by every writer: two batches that share rows
        // (two syncs, a sync and a cancel's selection) then wait for each other instead of
        // deadlocking. A row given twice keeps its order (the later check is applied last).
        batch.sort_by_key(|(row, _, _)| *row);
        coupon::record_checks(self, &batch).await
    }

    async fn rows_by_pin_hash(&self, campaign: &Campaign, hashes: &[String]) -> Result<Vec<Row>> {
        coupon::rows_by_pin_hash(self, campaign, hashes).await
    }

    async fn report_days(&self, campaign: &Campaign) -> Result<BTreeSet<NaiveDate>> {
        coupon::report_days(self, campaign).await
    }

    async fn remember_report_day(&self, campaign: &Campaign, day: NaiveDate, items: u64) -> Result<()> {
        coupon::remember_report_day(self, campaign, day, items).await
    }

    async fn select_for_cancel(&self, campaign: &Campaign, filter: &CancelFilter) -> Result<u64> {
        cancel::select(self, campaign, filter).await
    }

    async fn preview_cancel(&self, campaign: &Campaign, filter: &CancelFilter) -> Result<Expiring> {
        cancel::preview(self, campaign, filter).await
    }

    async fn claim_cancels(&self, claim: &CancelClaim) -> Result<Vec<Row>> {
        cancel::claim(self, claim).await
    }

    async fn mark_cancelling(&self, rows: &[RowId], worker: &str) -> Result<Vec<RowId>> {
        cancel::mark(self, rows, worker).await
    }

    async fn record_cancel(&self, row: RowId, record: CancelRecord<'_>) -> Result<()> {
        cancel::record(self, row, record).await
    }

    async fn renew_cancels(&self, campaign: &Campaign, worker: &str, lease: Duration) -> Result<u64> {
        cancel::renew(self, campaign, worker, lease).await
    }

    async fn release_cancels(&self, rows: &[RowId], worker: &str) -> Result<()> {
        cancel::release(self, rows, worker).await
    }

    async fn take_resend(&self, row: RowId, not_since: DateTime<Utc>) -> Result<bool> {
        resend::take(self, row, not_since).await
    }

    async fn record_resend(&self, row: RowId, code: Option<&str>) -> Result<()> {
        resend::record(self, row, code).await
    }

    async fn figures(&self, campaign: &Campaign) -> Result<Figures> {
        figures::figures(self, campaign).await
    }

    async fn expiring(&self, campaign: &Campaign, from: NaiveDate, to: NaiveDate) -> Result<Expiring> {
        figures::expiring(self, campaign, from, to).await
    }

    async fn history(&self, campaign: &Campaign, after: Option<(u64, i64)>, limit: usize) -> Result<Vec<HistoryEntry>> {
        coupon::history(self, campaign, after, limit).await
    }

    async fn create_api_key(&self, key: &ApiKey) -> Result<()> {
        keys::create(self, key).await
    }

    async fn api_key(&self, id: &str) -> Result<Option<ApiKey>> {
        keys::get(self, id).await
    }

    async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        keys::list(self).await
    }

    async fn revoke_api_key(&self, name_or_id: &str) -> Result<bool> {
        keys::revoke(self, name_or_id).await
    }

    async fn begin_idempotent(&self, begin: &IdemBegin) -> Result<IdemBegun> {
        idempotency::begin(self, begin).await
    }

    async fn finish_idempotent(&self, scope: &str, key: &str, owner: &str, finish: &IdemFinish) -> Result<bool> {
        idempotency::finish(self, scope, key, owner, finish).await
    }

    async fn begin_idempotent_many(&self, begins: &[IdemBegin]) -> Result<Vec<bool>> {
        idempotency::begin_many(self, begins).await
    }

    async fn finish_idempotent_many(&self, finishes: &[IdemFinishOf]) -> Result<Vec<bool>> {
        idempotency::finish_many(self, finishes).await
    }

    async fn release_idempotent(&self, scope: &str, key: &str, owner: &str) -> Result<bool> {
        idempotency::release(self, scope, key, owner).await
    }

    async fn claim_doubts(&self, owner: &str, lease: Duration, limit: usize) -> Result<Vec<IdemRecord>> {
        idempotency::claim_doubts(self, owner, lease, limit).await
    }

    async fn retry_doubt_later(
        &self,
        scope: &str,
        key: &str,
        owner: &str,
        after: Duration,
        note: &str,
    ) -> Result<bool> {
        idempotency::retry_later(self, scope, key, owner, after, note).await
    }

    async fn idempotent(&self, scope: &str, key: &str) -> Result<Option<IdemRecord>> {
        idempotency::get(self, scope, key).await
    }

    async fn idempotent_children(&self, scope: &str, target: &str) -> Result<Vec<IdemRecord>> {
        idempotency::children(self, scope, target).await
    }

    async fn purge_idempotent(&self, before: DateTime<Utc>) -> Result<u64> {
        idempotency::purge(self, before).await
    }

    async fn idempotent_doubts(&self) -> Result<u64> {
        idempotency::doubts(self).await
    }

    async fn close(&self) {
        self.pools().writer.close().await;
        self.pools().reader.close().await;
    }
}
