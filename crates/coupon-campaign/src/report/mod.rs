//! The campaign report: what it shows ([`ReportData`], also `report --json`'s output)
//! and one self-contained HTML page of it ([`write_html`]) that opens in any browser
//! without a network and prints on A4.
//!
//! ```
//! use coupon_campaign::report::{ReportData, ReportFacts, DOUBTS_SHOWN, write_html};
//! # fn facts() -> ReportFacts { ReportFacts {
//! #     campaign: "spring-event".into(), vendor: "acme".into(), generated_at: Default::default(),
//! #     rows: 10, issued: 10, delivered: None, coupons: Default::default(), spent_won: 0, refunded_won: 0,
//! #     expiring: Default::default(), used_by_day: vec![], spent_by_day: vec![], refunded_by_day: vec![],
//! #     goods: vec![], doubts_total: 0, doubts: vec![], checked_oldest: None } }
//! let report = ReportData::new(facts(), DOUBTS_SHOWN);
//! let mut page = Vec::new();
//! write_html(&report, &mut page)?;
//! assert!(String::from_utf8_lossy(&page).contains(r#"id="headline-rows">10<"#));
//! # Ok::<(), std::io::Error>(())
//! ```

mod charts;
pub mod data;
mod format;
pub mod html;

#[cfg(test)]
mod page_tests;

pub use data::{
    CouponStates, DOUBTS_SHOWN, Doubt, Doubts, ExpiringSoon, Funnel, GoodsLine, Headline, MoneyDay, RedemptionDay,
    ReportData, ReportFacts, SyncInfo,
};
pub use html::write_html;
