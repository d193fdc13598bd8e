//! What `status` adds after the send: the coupons by state and what expires soon, read
//! from the journal's aggregates (the report's numbers are the same ones).

use coupon_core::chrono::TimeDelta;
use coupon_core::time::today_kst;
use coupon_journal::{Campaign, CouponCounts, Figures, Journal};

use crate::error::Result;

/// The unused coupons whose validity ends within some days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExpiringSummary {
    /// The window, in days from today (KST).
    pub within_days: u32,
    /// How many.
    pub count: u64,
    /// Their price, in won: what cancelling them now would bring back.
    pub won: i64,
}

/// A campaign's coupons after the send.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Lifecycle {
    /// By state (as the last sync saw them).
    pub coupons: CouponCounts,
    /// Expiring soon.
    pub expiring: ExpiringSummary,
    /// Spent on issued coupons, in won.
    pub spent_won: i64,
    /// Refunded by this project's cancels, in won.
    pub refunded_won: i64,
    /// The oldest check of a coupon not in a final state (RFC 3339), if any was checked.
    pub checked_oldest: Option<String>,
}

impl Lifecycle {
    /// The summary of these figures, with what expires within `within_days`.
    pub fn of(figures: &Figures, expiring: ExpiringSummary) -> Self {
        Self {
            coupons: figures.coupons,
            expiring,
            spent_won: figures.spent_won,
            refunded_won: figures.refunded_won,
            checked_oldest: figures.checked_oldest.map(|at| at.to_rfc3339()),
        }
    }
}

/// The campaign's coupons after the send, with what expires within `within_days` (KST
/// days from today, today included).
pub async fn lifecycle(journal: &dyn Journal, campaign: &Campaign, within_days: u32) -> Result<Lifecycle> {
    let figures = journal.figures(campaign).await?;
    let expiring = expiring(journal, campaign, within_days).await?;
    Ok(Lifecycle::of(&figures, expiring))
}

/// The unused coupons whose validity ends within `within_days`.
pub(crate) async fn expiring(journal: &dyn Journal, campaign: &Campaign, within_days: u32) -> Result<ExpiringSummary> {
    let today = today_kst();
    let found = journal.expiring(campaign, today, today + TimeDelta::days(i64::from(within_days))).await?;
    Ok(ExpiringSummary { within_days, count: found.count, won: found.won })
}
