//! The campaign report's page: `write_html` of the data a 1,000,000-row campaign
//! gives (the aggregation itself is SQL in the journal, measured elsewhere), beside
//! the same data written as JSON (`report --json`), the least a report can cost.

use coupon::chrono::{Days, NaiveDate};
use coupon_campaign::report::{
    CouponStates, DOUBTS_SHOWN, Doubt, ExpiringSoon, GoodsLine, ReportData, ReportFacts, write_html,
};

/// Rows of the campaign the report describes.
pub const ROWS: u64 = 1_000_000;
/// Days of redemptions, spend and refunds: a 93-day coupon's whole life.
pub const DAYS: u64 = 93;
/// Products in the goods table.
pub const GOODS: u64 = 500;
/// Rows in doubt in all (the page lists [`DOUBTS_SHOWN`] of them).
pub const DOUBTS: u64 = 1_300;

/// The report of a 1,000,000-row campaign over [`DAYS`] days, [`GOODS`] products and
/// [`DOUBTS`] doubts, every per-day series full.
pub fn million_row_report() -> ReportData {
    let first = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let on = |d: u64| first + Days::new(d);
    let per_goods = ROWS / GOODS;
    let goods = (0..GOODS)
        .map(|g| GoodsLine {
            product_id: Some(format!("G{:08}", 500 + g)),
            // Names as vendors write them, with characters the page must escape.
            product_name: Some(format!(
                "[{}] 아메리카노 & 케이크 <세트> {g}호",
                ["스타벅스", "투썸플레이스", "GS25"][g as usize % 3]
            )),
            issued: per_goods,
            unused: per_goods / 2,
            used: per_goods * 2 / 5,
            partly_used: per_goods / 100,
            cancelled: per_goods / 20,
            expired: per_goods / 25,
            unknown: g % 3,
            spent_won: per_goods as i64 * 4_500,
        })
        .collect();
    let facts = ReportFacts {
        campaign: "2026 봄 고객 감사 100만 명 이벤트".into(),
        vendor: "giftishow".into(),
        generated_at: "2026-06-02T00:00:00Z".parse().expect("a time"),
        rows: ROWS,
        issued: ROWS - DOUBTS,
        delivered: Some(ROWS - DOUBTS - 4_000),
        coupons: CouponStates {
            unused: 500_000,
            used: 400_000,
            partly_used: 10_000,
            cancelled: 50_000,
            expired: 38_000,
            unknown: 700,
            unchecked: 0,
            details_unknown: 70_000,
        },
        spent_won: 4_494_150_000,
        refunded_won: 225_000_000,
        expiring: ExpiringSoon { within_days: 7, count: 120_000, won: 540_000_000 },
        used_by_day: (0..DAYS).map(|d| (on(d), 410_000 / DAYS + d % 7)).collect(),
        spent_by_day: (0..DAYS).map(|d| (on(d), 4_494_150_000 / DAYS as i64)).collect(),
        refunded_by_day: (0..DAYS).map(|d| (on(d), 225_000_000 / DAYS as i64)).collect(),
        goods,
        doubts_total: DOUBTS,
        doubts: (0..DOUBTS)
            .map(|i| Doubt {
                line: 2 + i * 769,
                key: Some(format!("member-{:07}", i * 769)),
                partner_ref: format!("CP260302{:012}", i),
                reason: "응답 시간 초과 (30초): 발급 여부를 공급사에 확인해야 함".into(),
            })
            .collect(),
        checked_oldest: Some("2026-06-01T23:00:00Z".parse().expect("a time")),
    };
    ReportData::new(facts, DOUBTS_SHOWN)
}

/// Ours: the page, into memory; answers its length.
pub fn html(report: &ReportData) -> usize {
    let mut page = Vec::with_capacity(512 * 1024);
    write_html(report, &mut page).expect("writing to memory");
    page.len()
}

/// The baseline: the same data as `report --json` writes it; answers its length.
pub fn json(report: &ReportData) -> usize {
    serde_json::to_vec(report).expect("the report serializes").len()
}
