//! The report of a campaign after the send ([`crate::report::ReportData`]), from the same
//! journal figures as `status`, so the page and `status --json` show the same numbers.

use coupon_core::chrono::Utc;
use coupon_journal::{Campaign, Journal, RowState};

use crate::error::Result;
use crate::report::{DOUBTS_SHOWN, Doubt, GoodsLine, ReportData, ReportFacts};

/// The report of `campaign`, with what expires within `within_days`.
pub async fn build_report(journal: &dyn Journal, campaign: &Campaign, within_days: u32) -> Result<ReportData> {
    let figures = journal.figures(campaign).await?;
    let expiring = super::summary::expiring(journal, campaign, within_days).await?;
    let doubts = journal.rows(campaign, Some(RowState::Unknown), None, DOUBTS_SHOWN).await?;
    let doubts: Vec<Doubt> = doubts
        .into_iter()
        .map(|r| Doubt {
            line: r.line,
            key: r.key,
            partner_ref: r.partner_ref.to_string(),
            reason: r.vendor_message.or(r.error_kind).unwrap_or_else(|| "the outcome is not known".into()),
        })
        .collect();
    let facts = ReportFacts {
        campaign: campaign.name.clone(),
        vendor: campaign.vendor.clone(),
        generated_at: Utc::now(),
        rows: figures.counts.total(),
        issued: figures.counts.issued,
        delivered: figures.delivered,
        coupons: figures.coupons,
        spent_won: figures.spent_won,
        refunded_won: figures.refunded_won,
        expiring,
        used_by_day: figures.used_by_day.clone(),
        spent_by_day: figures.issued_by_day.iter().map(|(day, _, won)| (*day, *won)).collect(),
        refunded_by_day: figures.refunded_by_day.iter().map(|(day, _, won)| (*day, *won)).collect(),
        goods: figures
            .by_goods
            .iter()
            .map(|g| GoodsLine {
                product_id: g.product_id.clone(),
                product_name: g.product_name.clone(),
                issued: g.issued,
                unused: g.coupons.unused,
                used: g.coupons.used,
                partly_used: g.coupons.partly_used,
                cancelled: g.coupons.cancelled,
                expired: g.coupons.expired,
                unknown: g.coupons.unknown,
                spent_won: g.spent_won,
            })
            .collect(),
        doubts_total: figures.counts.unknown,
        doubts,
        checked_oldest: figures.checked_oldest,
    };
    Ok(ReportData::new(facts, DOUBTS_SHOWN))
}
