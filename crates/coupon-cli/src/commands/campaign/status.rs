//! `coupon campaign status`: where a campaign stands, and every row in doubt with the
//! command that settles it.

use std::sync::Arc;

use clap::Args;
use coupon::Registry;
use coupon::chrono::Utc;
use coupon_journal::{Journal, Row, RowState};
use serde_json::{Value, json};

use super::fields::reconcile_args;
use super::{JournalArg, command, counts_json, counts_text, each_row, journal_failure, won};
use crate::commands::Ctx;
use crate::commands::generic::reconcile_command;
use crate::exit;
use crate::failure::CliResult;
use crate::output::{Output, table};

/// `coupon campaign status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The campaign.
    name: String,
    /// The window of "expiring soon": unused coupons whose validity ends within it (whole days).
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    expiring_within: String,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// Runs `coupon campaign status`: exit 0, or 4 when rows are in doubt (`unknown`, or
/// `sending` under an expired lease).
pub async fn run(args: &StatusArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let out = &ctx.out;
    let within = super::life::whole_days(&args.expiring_within)?;
    let c = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let life = coupon_campaign::lifecycle(&**journal, &c, within).await.map_err(super::campaign_failure)?;
    let counts = journal.counts(&c).await.map_err(journal_failure)?;
    let stop = journal.stop_reason(&c).await.map_err(journal_failure)?;
    let spent = journal.spent(&c).await.map_err(journal_failure)?;
    let (mut unknown, mut sending) = (Vec::new(), Vec::new());
    for (state, rows) in [(RowState::Unknown, &mut unknown), (RowState::Sending, &mut sending)] {
        each_row(&**journal, &c, Some(state), |r| {
            rows.push(r.clone());
            Ok(())
        })
        .await?;
    }
    let now = Utc::now();
    let (in_flight, expired): (Vec<&Row>, Vec<&Row>) =
        sending.iter().partition(|r| r.lease_until.is_some_and(|until| until > now));
    let factory = Registry::from_inventory().get(&c.vendor);
    let by_vendor = |r: &Row| {
        factory.filter(|f| f.capabilities.reconcile).map(|f| {
            reconcile_command(f.name, &reconcile_args(r, f.capabilities.issue_delivers), &r.partner_ref, &since(r), out)
        })
    };
    let settle = command("reconcile", &c.name);
    let doubts = unknown.len() + expired.len();
    let doc = json!({
        "campaign": c.name,
        "vendor": c.vendor,
        "created_at": c.created_at.to_rfc3339(),
        "store_pins": c.store_pins,
        "counts": counts_json(&counts),
        "stop_reason": stop,
        "spent": {"won": spent.won, "unpriced": spent.unpriced},
        "coupons": life.coupons,
        "expiring": life.expiring,
        "refunded_won": life.refunded_won,
        "checked_oldest": life.checked_oldest,
        "unknown": unknown.iter().map(|r| {
            let mut d = row_json(r, out);
            d["reconcile"] = json!(settle);
            d["reconcile_by_vendor"] = json!(by_vendor(r));
            d
        }).collect::<Vec<_>>(),
        "in_flight": in_flight.iter().map(|r| {
            let mut d = row_json(r, out);
            d["worker"] = json!(r.lease_owner);
            d
        }).collect::<Vec<_>>(),
        "lease_expired": expired.iter().map(|r| {
            let mut d = row_json(r, out);
            d["reconcile"] = json!(settle);
            d
        }).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let mut text = format!(
            "campaign {} ({}), created {}\nrows: {}\nspent or in doubt: {}{}",
            c.name,
            c.vendor,
            crate::format::kst(&c.created_at.with_timezone(&coupon::time::kst())),
            counts_text(&counts),
            won(Some(spent.won)),
            if spent.unpriced > 0 { format!(" (and {} rows of unknown price)", spent.unpriced) } else { String::new() },
        );
        if let Some(reason) = &stop {
            text.push_str(&format!("\nstop reason: {reason}"));
        }
        text.push_str(&coupons_text(&life, counts.issued));
        if !unknown.is_empty() || !expired.is_empty() {
            let mut t = table(&["line", "partner ref", "phone", "state", "vendor message"]);
            for r in &unknown {
                t.add_row(vec![
                    r.line.to_string(),
                    r.partner_ref.to_string(),
                    out.phone_text(&r.phone),
                    "unknown".to_string(),
                    crate::format::text(r.vendor_message.as_deref()),
                ]);
            }
            for r in &expired {
                t.add_row(vec![
                    r.line.to_string(),
                    r.partner_ref.to_string(),
                    out.phone_text(&r.phone),
                    "sending (lease expired: in doubt)".to_string(),
                    "-".to_string(),
                ]);
            }
            text.push_str(&format!("\n{doubts} rows in doubt:\n{t}\nsettle them all with: {settle}"));
            let one_by_one: Vec<String> = unknown.iter().filter_map(by_vendor).collect();
            if !one_by_one.is_empty() {
                text.push_str("\nor one by one (phone numbers masked unless --reveal):");
                for (r, cmd) in unknown.iter().zip(one_by_one) {
                    text.push_str(&format!("\n  line {}: {cmd}", r.line));
                }
            }
        }
        for r in &in_flight {
            text.push_str(&format!(
                "\nline {} ({}): in flight (worker {})",
                r.line,
                r.partner_ref,
                r.lease_owner.as_deref().unwrap_or("?")
            ));
        }
        text
    });
    Ok(if doubts > 0 { exit::OUTCOME_UNKNOWN } else { 0 })
}

fn row_json(r: &Row, out: &Output) -> Value {
    json!({
        "line": r.line,
        "partner_ref": r.partner_ref.as_str(),
        "phone": out.phone_text(&r.phone),
        "state": r.state.as_str(),
        "attempts": r.attempts,
        "vendor_code": r.vendor_code,
        "vendor_message": r.vendor_message,
        "error_kind": r.error_kind,
    })
}

/// `--since` for a row: from where the runner's reconciliation of it looks (KST).
fn since(r: &Row) -> String {
    r.reconcile_since().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The coupons after the send, for people: `used 812 (41.0 %) · unused 1,100, of which 230
/// expire within 7 days (2,300,000원) · …`; nothing before the first sync.
fn coupons_text(life: &coupon_campaign::Lifecycle, issued: u64) -> String {
    let c = &life.coupons;
    if issued == 0 || c.unchecked == issued {
        return String::new();
    }
    let pct = |n: u64| n as f64 * 100.0 / issued as f64;
    let e = &life.expiring;
    let mut text = format!(
        "\ncoupons: used {} ({:.1} %) · unused {}, of which {} expire within {} days ({})",
        c.used,
        pct(c.used),
        c.unused,
        e.count,
        e.within_days,
        won(Some(e.won))
    );
    for (label, n) in [
        ("partly used", c.partly_used),
        ("cancelled", c.cancelled),
        ("expired", c.expired),
        ("unknown state", c.unknown),
        ("never checked", c.unchecked),
        ("without order id", c.details_unknown),
    ] {
        if n > 0 {
            text.push_str(&format!(" · {label} {n}"));
        }
    }
    if life.refunded_won > 0 {
        text.push_str(&format!("\nrefunded by cancels: {}", won(Some(life.refunded_won))));
    }
    text
}
