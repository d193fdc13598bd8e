//! `coupon campaign list`: every campaign in the journal.

use std::sync::Arc;

use coupon_journal::{Journal, RowState};
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
        // A column per row state, in the state machine's order.
        let states: Vec<String> = RowState::ALL.iter().map(|st| st.as_str().replace('_', " ")).collect();
        let mut headers = vec!["campaign", "vendor", "created"];
        headers.extend(states.iter().map(String::as_str));
        headers.push("stopped");
        let mut t = table(&headers);
        for s in &campaigns {
            let mut row = vec![
                s.campaign.name.clone(),
                s.campaign.vendor.clone(),
                format::kst(&s.campaign.created_at.with_timezone(&coupon::time::kst())),
            ];
            row.extend(RowState::ALL.iter().map(|st| s.counts.get(*st).to_string()));
            row.push(format::text(s.campaign.stop_reason.as_deref()));
            t.add_row(row);
        }
        t.to_string()
    });
    Ok(0)
}
