//! A campaign's figures, from SQL aggregates: one scan grouped by goods (every count and
//! sum, the campaign's being their totals) and one per series of days, never loading the
//! rows. Days are KST days: a time (ms since the epoch) shifted by nine hours, divided
//! by the day, the same integer arithmetic on both databases.

use coupon_core::chrono::{DateTime, NaiveDate, Utc};

use super::cancel::{SUM_PRICE, selection_from};
use super::columns::day;
use super::coupon::open_states;
use super::driver::Stmt;
use super::{Backend, time};
use crate::decode::Columns;
use crate::error::Result;
use crate::lifecycle::{CancelState, CouponCounts, CouponState, Expiring, Figures, GoodsFigures};
use crate::model::{Campaign, RowState};

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

/// `COUNT(CASE WHEN {cond} THEN 1 END) AS {alias}`: rows where `cond` holds.
fn count_when(cond: &str, alias: &str) -> String {
    format!("COUNT(CASE WHEN {cond} THEN 1 END) AS {alias}")
}

/// The grouped scan's columns, each a count or sum of one goods' rows.
fn goods_sql() -> String {
    let mut cols: Vec<String> = Vec::new();
    for s in RowState::ALL {
        cols.push(count_when(&format!("state = '{}'", s.as_str()), &format!("s_{}", s.as_str())));
    }
    for s in CouponState::ALL {
        let cond = format!("state = 'issued' AND coupon_state = '{}'", s.as_str());
        cols.push(count_when(&cond, &format!("c_{}", s.as_str())));
    }
    for s in CancelState::ALL {
        cols.push(count_when(&format!("cancel_state = '{}'", s.as_str()), &format!("x_{}", s.as_str())));
    }
    cols.extend([
        count_when("state = 'issued' AND coupon_state IS NULL", "c_unchecked"),
        count_when("state = 'issued' AND order_id IS NULL", "c_details_unknown"),
        count_when("state = 'issued' AND delivery = 'delivered'", "delivered"),
        count_when("state = 'issued' AND delivery = 'failed'", "delivery_failed"),
        count_when("state = 'issued' AND delivery IS NOT NULL", "with_delivery"),
        "CAST(COALESCE(SUM(CASE WHEN state = 'issued' THEN price END), 0) AS BIGINT) AS spent".into(),
        "CAST(COALESCE(SUM(CASE WHEN cancel_state = 'cancelled' THEN price END), 0) AS BIGINT) AS refunded".into(),
        format!(
            "MIN(CASE WHEN state = 'issued' AND (coupon_state IS NULL OR coupon_state IN ({})) THEN checked_at END) \
             AS checked_oldest",
            open_states()
        ),
    ]);
    format!(
        "SELECT product_id, product_name, {} FROM campaign_rows WHERE campaign_id = $1 \
         GROUP BY product_id, product_name",
        cols.join(", ")
    )
}

fn count(row: &impl Columns, col: &str) -> Result<u64> {
    Ok(u64::try_from(row.int(col)?).unwrap_or(0))
}

fn coupon_counts(row: &impl Columns) -> Result<CouponCounts> {
    Ok(CouponCounts {
        unused: count(row, "c_unused")?,
        used: count(row, "c_used")?,
        partly_used: count(row, "c_partly_used")?,
        cancelled: count(row, "c_cancelled")?,
        expired: count(row, "c_expired")?,
        unknown: count(row, "c_unknown")?,
        unchecked: count(row, "c_unchecked")?,
        details_unknown: count(row, "c_details_unknown")?,
    })
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

pub(crate) async fn figures<B: Backend>(journal: &B, campaign: &Campaign) -> Result<Figures> {
    let mut figures = Figures::default();
    let mut with_delivery = 0;
    let groups = journal.pools().read(Stmt::new(goods_sql()).bind(campaign.id.0)).await?;
    for row in &groups {
        let goods = GoodsFigures {
            product_id: row.opt_text("product_id")?,
            product_name: row.opt_text("product_name")?,
            issued: count(row, "s_issued")?,
            coupons: coupon_counts(row)?,
            spent_won: row.int("spent")?,
        };
        for s in RowState::ALL {
            figures.counts.set(s, figures.counts.get(s) + count(row, &format!("s_{}", s.as_str()))?);
        }
        add(&mut figures.coupons, &goods.coupons);
        let c = &mut figures.cancel;
        c.selected += count(row, "x_selected")?;
        c.cancelling += count(row, "x_cancelling")?;
        c.cancelled += count(row, "x_cancelled")?;
        c.refused += count(row, "x_refused")?;
        c.unknown += count(row, "x_unknown")?;
        figures.spent_won += goods.spent_won;
        figures.refunded_won += row.int("refunded")?;
        figures.delivered = Some(figures.delivered.unwrap_or(0) + count(row, "delivered")?);
        figures.delivery_failed += count(row, "delivery_failed")?;
        with_delivery += count(row, "with_delivery")?;
        if let Some(oldest) = row.opt_int("checked_oldest")?.map(time) {
            figures.checked_oldest = Some(figures.checked_oldest.map_or(oldest, |o| o.min(oldest)));
        }
        figures.by_goods.push(goods);
    }
    if with_delivery == 0 {
        figures.delivered = None;
    }
    // NULLs sort first here on both databases (they disagree in SQL).
    figures.by_goods.sort_by(|a, b| (&a.product_id, &a.product_name).cmp(&(&b.product_id, &b.product_name)));
    figures.used_by_day = per_day(
        journal,
        campaign,
        "used_at",
        &format!(
            "state = 'issued' AND coupon_state IN ('{}', '{}')",
            CouponState::Used.as_str(),
            CouponState::PartlyUsed.as_str()
        ),
    )
    .await?
    .into_iter()
    .map(|(d, n, _)| (d, n))
    .collect();
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
