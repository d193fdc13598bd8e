//! After the send: every issued coupon followed to its end. See `docs/campaigns.md`,
//! "After the send".
//!
//! - [`sync()`] reads what became of each coupon (reports first, then one look-up per
//!   row the reports leave open). It never moves money.
//! - [`cancel()`] cancels unused coupons for a refund, each exactly once across crashes
//!   and workers; [`preview_cancel`] is its dry run.
//! - [`resend()`] sends messages again, never twice for one row within a window.
//! - [`lifecycle()`] and [`build_report`] read the journal's figures: what
//!   `status` and the HTML report show, the same numbers.

mod cancel;
mod pace;
mod report;
mod resend;
mod summary;
mod sync;

use coupon_core::Adapter;
use coupon_journal::{Campaign, Journal, Row};

pub use self::cancel::{
    CancelOptions, CancelPreview, CancelProgress, CancelReport, CancelSelection, cancel, preview_cancel,
};
pub use self::report::build_report;
pub use self::resend::{ResendOptions, ResendReport, ResendSelection, resend};
pub use self::summary::{ExpiringSummary, Lifecycle, lifecycle};
pub use self::sync::{SyncOptions, SyncProgress, SyncReport, sync};
use crate::error::{CampaignError, Result};
use crate::stop::Stop;

/// Refuses an adapter of another vendor than the campaign's.
fn same_vendor(adapter: &dyn Adapter, campaign: &Campaign) -> Result<()> {
    let vendor = adapter.vendor();
    if vendor.as_str() == campaign.vendor {
        Ok(())
    } else {
        Err(CampaignError::Invalid(format!(
            "campaign `{}` issues through `{}`, not `{vendor}`",
            campaign.name, campaign.vendor
        )))
    }
}

/// How many rows are read from the journal at a time when walking a campaign.
const WALK_PAGE: usize = 1000;

/// Calls `each` on every row of the campaign, in line order, a page at a time.
async fn each_row(journal: &dyn Journal, campaign: &Campaign, mut each: impl FnMut(Row)) -> Result<()> {
    let mut after = None;
    loop {
        let page = journal.rows(campaign, None, after, WALK_PAGE).await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = Some(last.line);
        page.into_iter().for_each(&mut each);
    }
}

/// The rows of these keys, in the order given; every key must be the campaign's
/// (an unknown one is refused, naming it, before anything is sent).
async fn rows_of_keys(journal: &dyn Journal, campaign: &Campaign, keys: &[String]) -> Result<Vec<Row>> {
    if keys.is_empty() {
        return Err(CampaignError::Invalid("--rows needs at least one key".into()));
    }
    let mut found: std::collections::HashMap<String, Row> = std::collections::HashMap::new();
    let wanted: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
    each_row(journal, campaign, |row| {
        if let Some(key) = row.key.as_deref().filter(|k| wanted.contains(k)) {
            found.insert(key.to_string(), row);
        }
    })
    .await?;
    let unknown: Vec<&str> = keys.iter().map(String::as_str).filter(|k| !found.contains_key(*k)).collect();
    if !unknown.is_empty() {
        return Err(CampaignError::Invalid(format!(
            "campaign `{}` has no row with key {}",
            campaign.name,
            unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(keys.iter().filter_map(|k| found.remove(k)).collect())
}

/// A stop as shown in JSON: its text, or empty.
fn serialize_stop<S: serde::Serializer>(stop: &Option<Stop>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match stop {
        Some(stop) => s.collect_str(stop),
        None => s.serialize_none(),
    }
}
