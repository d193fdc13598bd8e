//! A campaign's figures, from SQL aggregates, never loading the rows: the issued rows
//! grouped by goods, coupon state and delivery (the campaign's figures being their
//! totals), and one grouping per series of days, each read from an index that covers it
//! (migration 3's `campaign_rows_issued`, the claims' and the cancels' indexes). Days are
//! KST days: a time (ms since the epoch) shifted by nine hours, divided by the day, the
//! same integer arithmetic on both databases.

use std::collections::BTreeMap;

use coupon_core::chrono::{DateTime, NaiveDate, Utc};

use super::cancel::{SUM_PRICE, selection_from};
use super::columns::day;
use super::driver::Stmt;
use super::{Backend, time};
use crate::decode::Columns;
use crate::error::Result;
use crate::lifecycle::{CancelState, CouponCounts, CouponState, Expiring, Figures, GoodsFigures};
use crate::model::Campaign;
use crate::store::Journal;

/// Nine hours, in ms: KST is UTC+9 all year.
const KST_OFFSET_MS: i64 = 9 * 3_600_000;
/// A day, in ms.
const DAY_MS: i64 = 86_400_000;

/// The day a BIGINT column's time falls on, as the days since 1970-01-01 (KST).
fn kst_day(col: &str) -> String {
    format!("({col} + {KST_OFFSET_MS}) / {DAY_MS}")
}

/// Day `n` since 1970-01-01.
fn day_of(n: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(n.saturating_mul(86_400), 0).unwrap_or_default().date_naive()
}

fn count(row: &impl Columns, col: &str) -> Result<u64> {
    Ok(u64::try_from(row.int(col)?).unwrap_or(0))
}

/// A goods' key: product id and name.
type Goods = (Option<String>, Option<String>);

fn goods_of(row: &impl Columns) -> Result<Goods> {
    Ok((row.opt_text("product_id")?, row.opt_text("product_name")?))
}

/// Adds `n` coupons in state `state` (None: never checked) to `counts`.
fn count_state(counts: &mut CouponCounts, state: Option<CouponState>, n: u64) {
    let slot = match state {
        None => &mut counts.unchecked,
        Some(CouponState::Unused) => &mut counts.unused,
        Some(CouponState::Used) => &mut counts.used,
        Some(CouponState::PartlyUsed) => &mut counts.partly_used,
        Some(CouponState::Cancelled) => &mut counts.cancelled,
        Some(CouponState::Expired) => &mut counts.expired,
        Some(CouponState::Unknown) => &mut counts.unknown,
    };
    *slot += n;
}

fn add(total: &mut CouponCounts, part: &CouponCounts) {
    total.unused += part.unused;
    total.used += part.used;
    total.partly_used += part.partly_used;
    total.cancelled += part.cancelled;
    total.expired += part.expired;
    total.unknown += part.unknown;
    total.unchecked += part.unchecked;
    total.details_unknown += part.details_unknown;
}

/// Issued rows per goods, coupon state and delivery: in the order of the index of issued
/// rows, which covers them (no sort, no table read on SQLite).
const ISSUED_GROUPS: &str = "SELECT product_id, product_name, coupon_state, delivery, COUNT(*) AS n, \
     CAST(COALESCE(SUM(price), 0) AS BIGINT) AS won, MIN(checked_at) AS checked FROM campaign_rows \
     WHERE campaign_id = $1 AND state = 'issued' GROUP BY product_id, product_name, coupon_state, delivery";

/// Issued rows without an order id per goods (their own small index).
const NO_ORDER: &str = "SELECT product_id, product_name, COUNT(*) AS n FROM campaign_rows \
     WHERE campaign_id = $1 AND state = 'issued' AND order_id IS NULL GROUP BY product_id, product_name";

/// Rows per cancel state, with their prices' sum (the cancels' index: only rows with one).
const CANCELS: &str = "SELECT cancel_state, COUNT(*) AS n, CAST(COALESCE(SUM(price), 0) AS BIGINT) AS won \
     FROM campaign_rows WHERE campaign_id = $1 AND cancel_state IS NOT NULL GROUP BY cancel_state";

pub(crate) async fn figures<B: Backend>(journal: &B, campaign: &Campaign) -> Result<Figures> {
    let mut figures = Figures { counts: journal.counts(campaign).await?, ..Figures::default() };
    let mut goods: BTreeMap<Goods, GoodsFigures> = BTreeMap::new();
    let mut with_delivery = 0;
    for row in journal.pools().read(Stmt::new(ISSUED_GROUPS).bind(campaign.id.0)).await? {
        let (product_id, product_name) = goods_of(&row)?;
        let entry = goods.entry((product_id.clone(), product_name.clone())).or_insert_with(|| GoodsFigures {
            product_id,
            product_name,
            ..GoodsFigures::default()
        });
        let n = count(&row, "n")?;
        let state: Option<CouponState> = row.opt_text("coupon_state")?.map(|s| s.parse()).transpose()?;
        entry.issued += n;
        entry.spent_won += row.int("won")?;
        count_state(&mut entry.coupons, state, n);
        match row.opt_text("delivery")?.as_deref() {
            Some("delivered") => *figures.delivered.get_or_insert(0) += n,
            Some("failed") => figures.delivery_failed += n,
            _ => {}
        }
        if row.opt_text("delivery")?.is_some() {
            with_delivery += n;
        }
        if !state.is_some_and(CouponState::is_final) {
            if let Some(checked) = row.opt_int("checked")?.map(time) {
                figures.checked_oldest = Some(figures.checked_oldest.map_or(checked, |o| o.min(checked)));
            }
        }
    }
    for row in journal.pools().read(Stmt::new(NO_ORDER).bind(campaign.id.0)).await? {
        if let Some(entry) = goods.get_mut(&goods_of(&row)?) {
            entry.coupons.details_unknown += count(&row, "n")?;
        }
    }
    figures.delivered = figures.delivered.or((with_delivery > 0).then_some(0));
    for entry in goods.values() {
        add(&mut figures.coupons, &entry.coupons);
        figures.spent_won += entry.spent_won;
    }
    // The map's order: by product id, then name, none first.
    figures.by_goods = goods.into_values().collect();
    for row in journal.pools().read(Stmt::new(CANCELS).bind(campaign.id.0)).await? {
        let n = count(&row, "n")?;
        let c = &mut figures.cancel;
        match row.text("cancel_state")?.parse::<CancelState>()? {
            CancelState::Selected => c.selected = n,
            CancelState::Cancelling => c.cancelling = n,
            CancelState::Cancelled => {
                c.cancelled = n;
                figures.refunded_won = row.int("won")?;
            }
            CancelState::Refused => c.refused = n,
            CancelState::Unknown => c.unknown = n,
        }
    }
    let used = format!(
        "state = 'issued' AND coupon_state IN ('{}', '{}')",
        CouponState::Used.as_str(),
        CouponState::PartlyUsed.as_str()
    );
    figures.used_by_day =
        per_day(journal, campaign, "used_at", &used).await?.into_iter().map(|(d, n, _)| (d, n)).collect();
    figures.issued_by_day = per_day(journal, campaign, "first_sent_at", "state = 'issued'").await?;
    figures.refunded_by_day = per_day(journal, campaign, "cancelled_at", "cancel_state = 'cancelled'").await?;
    Ok(figures)
}

/// The rows where `cond` holds and time column `col` is set, per KST day of `col`:
/// (day, rows, won), ascending.
async fn per_day<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    col: &str,
    cond: &str,
) -> Result<Vec<(NaiveDate, u64, i64)>> {
    let sql = format!(
        "SELECT {} AS d, COUNT(*) AS n, {SUM_PRICE} AS won FROM campaign_rows \
         WHERE campaign_id = $1 AND {cond} AND {col} IS NOT NULL GROUP BY 1 ORDER BY 1",
        kst_day(col)
    );
    let rows = journal.pools().read(Stmt::new(sql).bind(campaign.id.0)).await?;
    rows.iter().map(|r| Ok((day_of(r.int("d")?), count(r, "n")?, r.int("won")?))).collect()
}

pub(crate) async fn expiring<B: Backend>(
    journal: &B,
    campaign: &Campaign,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Expiring> {
    let sql = format!(
        "SELECT COUNT(*) AS n, {SUM_PRICE} AS won, COUNT(*) - COUNT(price) AS unpriced FROM campaign_rows \
         WHERE campaign_id = $1 AND state = 'issued' AND coupon_state = 'unused' \
         AND valid_until >= $2 AND valid_until <= $3"
    );
    let stmt = Stmt::new(sql).bind(campaign.id.0).bind(day(from)).bind(day(to));
    selection_from(journal.pools().read_optional(stmt).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kst_days_start_at_midnight_in_seoul() {
        // 2026-11-01 23:59:59 KST and 2026-11-02 00:00:00 KST, in ms since the epoch.
        let before = DateTime::parse_from_rfc3339("2026-11-01T23:59:59+09:00").unwrap().timestamp_millis();
        let after = before + 1_000;
        let day = |ms: i64| day_of((ms + KST_OFFSET_MS) / DAY_MS);
        assert_eq!(day(before), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(day(after), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
    }
}
