//! What a campaign report shows, as plain data: the page ([`super::write_html`]) and
//! `report --json` are both drawn from one [`ReportData`].
//!
//! The figures come from the journal's aggregates (SQL, never all rows in memory);
//! [`ReportData::new`] takes them as plain numbers and per-day vectors and derives
//! what the report adds: the usage rate, the net spend, the cumulative curve, the
//! spend and refunds merged by day, and the capped list of doubts.

use std::collections::BTreeMap;

use coupon_core::chrono::{DateTime, NaiveDate, SecondsFormat, Timelike, Utc};
use coupon_core::time::{KstDateTime, kst};
use serde::{Serialize, Serializer};

/// How many doubts a report lists by default; the rest are only counted.
pub const DOUBTS_SHOWN: usize = 200;

/// Everything a campaign report shows (`report --json` prints it as is).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReportData {
    /// The campaign's name.
    pub campaign: String,
    /// The vendor it issues through.
    pub vendor: String,
    /// When the report was made (RFC 3339 in KST, whole seconds).
    #[serde(serialize_with = "rfc3339_kst")]
    pub generated_at: KstDateTime,
    /// The numbers at the top.
    pub headline: Headline,
    /// Rows → issued → delivered → used.
    pub funnel: Funnel,
    /// Issued coupons per state.
    pub coupons: CouponStates,
    /// Unused coupons that expire soon.
    pub expiring: ExpiringSoon,
    /// Coupons used per KST day, ascending, with the running total.
    pub redemptions_by_day: Vec<RedemptionDay>,
    /// Won spent (issued) and refunded (cancelled) per KST day, ascending.
    pub money_by_day: Vec<MoneyDay>,
    /// Per product.
    pub goods: Vec<GoodsLine>,
    /// Rows whose issuance is still in doubt.
    pub doubts: Doubts,
    /// How fresh the coupon states are.
    pub sync: SyncInfo,
}

/// The numbers at the top of the report.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Headline {
    /// Rows in the campaign (its CSV's valid rows).
    pub rows: u64,
    /// Rows issued.
    pub issued: u64,
    /// Issued coupons used, wholly or in part.
    pub used: u64,
    /// `used` as a percentage of `issued`, rounded to one decimal (0.0 when nothing is issued).
    pub used_pct: f64,
    /// Won spent on issued coupons.
    pub spent_won: i64,
    /// Won refunded by cancels.
    pub refunded_won: i64,
    /// Spent less refunded.
    pub net_won: i64,
}

/// The campaign's funnel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// Rows in the campaign.
    pub rows: u64,
    /// Rows issued.
    pub issued: u64,
    /// Issued coupons the vendor reports delivered; `None` when the vendor does not report delivery.
    pub delivered: Option<u64>,
    /// Issued coupons used, wholly or in part.
    pub used: u64,
}

/// Issued coupons per state, as the last sync saw them: the journal's own counts
/// ([`coupon_journal::CouponCounts`]), the same that `status` shows.
pub type CouponStates = coupon_journal::CouponCounts;

/// Unused coupons whose last day falls within the next `within_days` days: what `status`
/// shows ([`crate::life::ExpiringSummary`]), one type for both.
pub type ExpiringSoon = crate::life::ExpiringSummary;

/// Coupons used on one KST day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RedemptionDay {
    /// The day (`YYYY-MM-DD`).
    pub day: NaiveDate,
    /// Used that day.
    pub used: u64,
    /// Used up to and including that day.
    pub cumulative: u64,
}

/// Money on one KST day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MoneyDay {
    /// The day (`YYYY-MM-DD`).
    pub day: NaiveDate,
    /// Won of the coupons issued that day.
    pub spent_won: i64,
    /// Won of the coupons cancelled that day.
    pub refunded_won: i64,
}

/// One product's coupons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GoodsLine {
    /// The vendor's product id, when known.
    pub product_id: Option<String>,
    /// The product's name, when known.
    pub product_name: Option<String>,
    /// Rows issued.
    pub issued: u64,
    /// Of those, unused.
    pub unused: u64,
    /// Used up.
    pub used: u64,
    /// Partly used.
    pub partly_used: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Expired.
    pub expired: u64,
    /// In a vendor state of its own.
    pub unknown: u64,
    /// Won spent on them.
    pub spent_won: i64,
}

/// Rows whose issuance is in doubt: how many, and the first of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Doubts {
    /// How many rows are in doubt in all.
    pub total: u64,
    /// The first of them in line order, at most the cap given to [`Doubts::capped`].
    pub shown: Vec<Doubt>,
}

/// One row in doubt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Doubt {
    /// Its line in the input.
    pub line: u64,
    /// The caller's key, when the input had one.
    pub key: Option<String>,
    /// The partner reference the request carried.
    pub partner_ref: String,
    /// Why it is in doubt (the last error, as recorded).
    pub reason: String,
}

/// How fresh the coupon states are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncInfo {
    /// The oldest check among issued coupons not in a final state (RFC 3339 in KST), `None` when none was checked.
    #[serde(serialize_with = "rfc3339_kst_opt")]
    pub checked_oldest: Option<KstDateTime>,
}

/// The figures a report is made from, as the journal's aggregates give them.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportFacts {
    /// The campaign's name.
    pub campaign: String,
    /// The vendor it issues through.
    pub vendor: String,
    /// When the report is made.
    pub generated_at: DateTime<Utc>,
    /// Rows in the campaign.
    pub rows: u64,
    /// Rows issued.
    pub issued: u64,
    /// Issued coupons reported delivered, `None` when the vendor does not report delivery.
    pub delivered: Option<u64>,
    /// Issued coupons per state.
    pub coupons: CouponStates,
    /// Won spent on issued coupons.
    pub spent_won: i64,
    /// Won refunded by cancels.
    pub refunded_won: i64,
    /// Unused coupons that expire soon.
    pub expiring: ExpiringSoon,
    /// Coupons used per KST day (any order; a day given twice is summed).
    pub used_by_day: Vec<(NaiveDate, u64)>,
    /// Won issued per KST day (any order; a day given twice is summed).
    pub spent_by_day: Vec<(NaiveDate, i64)>,
    /// Won refunded per KST day (any order; a day given twice is summed).
    pub refunded_by_day: Vec<(NaiveDate, i64)>,
    /// Per product.
    pub goods: Vec<GoodsLine>,
    /// How many rows are in doubt in all.
    pub doubts_total: u64,
    /// Rows in doubt, in line order (more than the report lists is fine: it keeps the first).
    pub doubts: Vec<Doubt>,
    /// The oldest check among issued coupons not in a final state.
    pub checked_oldest: Option<DateTime<Utc>>,
}

impl ReportData {
    /// The report of these figures, listing at most `max_doubts` doubts (see [`DOUBTS_SHOWN`]).
    ///
    /// "Used" counts coupons used wholly or in part, like the redemption curve, whose last
    /// cumulative value it then equals when every use has a day.
    pub fn new(facts: ReportFacts, max_doubts: usize) -> Self {
        let used = facts.coupons.used + facts.coupons.partly_used;
        ReportData {
            campaign: facts.campaign,
            vendor: facts.vendor,
            generated_at: in_kst(facts.generated_at),
            headline: Headline::new(facts.rows, facts.issued, used, facts.spent_won, facts.refunded_won),
            funnel: Funnel { rows: facts.rows, issued: facts.issued, delivered: facts.delivered, used },
            coupons: facts.coupons,
            expiring: facts.expiring,
            redemptions_by_day: RedemptionDay::series(&facts.used_by_day),
            money_by_day: MoneyDay::series(&facts.spent_by_day, &facts.refunded_by_day),
            goods: facts.goods,
            doubts: Doubts::capped(facts.doubts_total, facts.doubts, max_doubts),
            sync: SyncInfo { checked_oldest: facts.checked_oldest.map(in_kst) },
        }
    }
}

impl Headline {
    /// The headline of these counts: the usage rate and the net spend derived.
    pub fn new(rows: u64, issued: u64, used: u64, spent_won: i64, refunded_won: i64) -> Self {
        Headline {
            rows,
            issued,
            used,
            used_pct: percent(used, issued),
            spent_won,
            refunded_won,
            net_won: spent_won.saturating_sub(refunded_won),
        }
    }
}

impl RedemptionDay {
    /// Days in ascending order with their running total, from per-day counts in any order.
    pub fn series(used_by_day: &[(NaiveDate, u64)]) -> Vec<Self> {
        let mut days: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        for &(day, used) in used_by_day {
            *days.entry(day).or_default() += used;
        }
        let mut cumulative = 0;
        days.into_iter()
            .map(|(day, used)| {
                cumulative += used;
                RedemptionDay { day, used, cumulative }
            })
            .collect()
    }
}

impl MoneyDay {
    /// Spend and refunds side by side, one entry per day either has, ascending.
    pub fn series(spent_by_day: &[(NaiveDate, i64)], refunded_by_day: &[(NaiveDate, i64)]) -> Vec<Self> {
        let mut days: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
        for &(day, won) in spent_by_day {
            days.entry(day).or_default().0 += won;
        }
        for &(day, won) in refunded_by_day {
            days.entry(day).or_default().1 += won;
        }
        days.into_iter().map(|(day, (spent_won, refunded_won))| MoneyDay { day, spent_won, refunded_won }).collect()
    }
}

impl Doubts {
    /// The first `max` of `rows`; `total` is raised to the rows given if it says fewer.
    pub fn capped(total: u64, mut rows: Vec<Doubt>, max: usize) -> Self {
        let total = total.max(rows.len() as u64);
        rows.truncate(max);
        Doubts { total, shown: rows }
    }
}

/// `part` as a percentage of `whole`, rounded half up to one decimal; 0.0 for an empty whole.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Tenths of a percent in integers, so 1 of 3 is exactly 33.3 and never 33.299999.
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    tenths as f64 / 10.0
}

/// A time in KST, to the second (the report never shows fractions).
fn in_kst(at: DateTime<Utc>) -> KstDateTime {
    let at = at.with_timezone(&kst());
    at.with_nanosecond(0).unwrap_or(at)
}

fn rfc3339_kst<S: Serializer>(at: &KstDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.with_timezone(&kst()).to_rfc3339_opts(SecondsFormat::Secs, false))
}

fn rfc3339_kst_opt<S: Serializer>(at: &Option<KstDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339_kst(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, d).unwrap()
    }

    fn facts() -> ReportFacts {
        ReportFacts {
            campaign: "spring-event".into(),
            vendor: "acme".into(),
            generated_at: "2026-04-20T01:02:03.456Z".parse().unwrap(),
            rows: 2_000,
            issued: 1_990,
            delivered: None,
            coupons: CouponStates { unused: 1_100, used: 800, partly_used: 12, expired: 78, ..CouponStates::default() },
            spent_won: 19_900_000,
            refunded_won: 2_300_000,
            expiring: ExpiringSoon { within_days: 7, count: 230, won: 2_300_000 },
            used_by_day: vec![(day(3), 500), (day(1), 300), (day(3), 12)],
            spent_by_day: vec![(day(1), 19_900_000)],
            refunded_by_day: vec![(day(5), 2_300_000)],
            goods: vec![],
            doubts_total: 3,
            doubts: (1..=3)
                .map(|line| Doubt { line, key: None, partner_ref: format!("CP{line}"), reason: "timeout".into() })
                .collect(),
            checked_oldest: None,
        }
    }

    #[test]
    fn the_cumulative_curve_sorts_the_days_sums_repeats_and_runs_up() {
        let series = RedemptionDay::series(&[(day(3), 5), (day(1), 2), (day(3), 1), (day(2), 0)]);
        assert_eq!(
            series,
            vec![
                RedemptionDay { day: day(1), used: 2, cumulative: 2 },
                RedemptionDay { day: day(2), used: 0, cumulative: 2 },
                RedemptionDay { day: day(3), used: 6, cumulative: 8 },
            ]
        );
        assert!(RedemptionDay::series(&[]).is_empty());
    }

    #[test]
    fn spend_and_refunds_are_merged_by_day() {
        let series = MoneyDay::series(&[(day(2), 100), (day(1), 50), (day(2), 1)], &[(day(3), 30), (day(1), 20)]);
        assert_eq!(
            series,
            vec![
                MoneyDay { day: day(1), spent_won: 50, refunded_won: 20 },
                MoneyDay { day: day(2), spent_won: 101, refunded_won: 0 },
                MoneyDay { day: day(3), spent_won: 0, refunded_won: 30 },
            ]
        );
    }

    #[test]
    fn the_usage_rate_has_one_decimal_rounded_half_up() {
        assert_eq!(percent(1, 3), 33.3);
        assert_eq!(percent(2, 3), 66.7);
        assert_eq!(percent(812, 1_990), 40.8);
        assert_eq!(percent(1, 2_000), 0.1); // 0.05 % rounds up
        assert_eq!(percent(7, 7), 100.0);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(u64::MAX, u64::MAX), 100.0);
    }

    #[test]
    fn the_headline_derives_rate_and_net() {
        let h = Headline::new(2_000, 1_990, 812, 19_900_000, 2_300_000);
        assert_eq!(h.used_pct, 40.8);
        assert_eq!(h.net_won, 17_600_000);
    }

    #[test]
    fn the_doubts_are_capped_and_their_total_kept() {
        let rows: Vec<Doubt> = facts().doubts;
        let capped = Doubts::capped(250, rows.clone(), 2);
        assert_eq!((capped.total, capped.shown.len()), (250, 2));
        assert_eq!(capped.shown[1].line, 2);
        // A total lower than the rows handed over is a stale count: the rows win.
        assert_eq!(Doubts::capped(1, rows, 10).total, 3);
    }

    #[test]
    fn the_report_counts_partly_used_coupons_as_used_like_its_curve() {
        let report = ReportData::new(facts(), DOUBTS_SHOWN);
        assert_eq!(report.headline.used, 812);
        assert_eq!(report.funnel.used, 812);
        assert_eq!(report.redemptions_by_day.last().map(|d| d.cumulative), Some(812));
        assert_eq!(report.headline.used_pct, 40.8);
        assert_eq!(report.money_by_day.len(), 2);
    }

    #[test]
    fn the_json_has_snake_case_fields_kst_times_and_null_delivery() {
        let mut f = facts();
        f.checked_oldest = Some("2026-04-19T15:30:00Z".parse().unwrap());
        let json = serde_json::to_value(ReportData::new(f, 2)).unwrap();
        assert_eq!(json["generated_at"], "2026-04-20T10:02:03+09:00");
        assert_eq!(json["sync"]["checked_oldest"], "2026-04-20T00:30:00+09:00");
        assert_eq!(json["funnel"]["delivered"], serde_json::Value::Null);
        assert_eq!(json["headline"]["used_pct"], 40.8);
        assert_eq!(json["headline"]["net_won"], 17_600_000);
        assert_eq!(
            json["redemptions_by_day"][1],
            serde_json::json!({"day": "2026-04-03", "used": 512, "cumulative": 812})
        );
        assert_eq!(json["expiring"], serde_json::json!({"within_days": 7, "count": 230, "won": 2_300_000}));
        assert_eq!(json["doubts"]["total"], 3);
        assert_eq!(json["doubts"]["shown"].as_array().map(Vec::len), Some(2));
        assert_eq!(json["coupons"]["details_unknown"], 0);
    }
}
