//! `coupon campaign list`: every campaign in the journal.

use std::sync::Arc;

use coupon_journal::Journal;
use serde_json::json;

use super::{counts_json, journal_failure};
use crate::commands::Ctx;
use crate::failure::CliResult;
use crate::format;
use crate::output::table;

/// Runs `coupon campaign list`.
pub async fn run(journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let campaigns = journal.list_campaigns().await.map_err(journal_failure)?;
    let doc = json!({
        "campaigns": campaigns.iter().map(|s| json!({
            "name": s.campaign.name,
            "vendor": s.campaign.vendor,
            "created_at": s.campaign.created_at.to_rfc3339(),
            "store_pins": s.campaign.store_pins,
            "counts": counts_json(&s.counts),
            "stop_reason": s.campaign.stop_reason,
        })).collect::<Vec<_>>(),
    });
    ctx.out.emit(&doc, || {
        if campaigns.is_empty() {
            return "no campaigns in this journal (`coupon campaign create` makes one)".to_string();
        }
        let mut t = table(&[
            "campaign",
            "vendor",
            "created",
            "pending",
            "sending",
            "issued",
            "refused",
            "unknown",
            "not issued",
            "stopped",
        ]);
        for s in &campaigns {
            let c = &s.counts;
            t.add_row(vec![
                s.campaign.name.clone(),
                s.campaign.vendor.clone(),
                format::kst(&s.campaign.created_at.with_timezone(&coupon::time::kst())),
                c.pending.to_string(),
                c.sending.to_string(),
                c.issued.to_string(),
                c.refused.to_string(),
                c.unknown.to_string(),
                c.not_issued.to_string(),
                format::text(s.campaign.stop_reason.as_deref()),
            ]);
        }
        t.to_string()
    });
    Ok(0)
}
