//! `coupon campaign sync|cancel|resend`: every issued coupon followed to its end, as a
//! thin layer over [`coupon_campaign::life`]. `sync` only reads; `cancel` moves money
//! (refunds) under `run`'s guarantee; `resend` sends messages again.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use clap::Args;
use coupon::{Error, ErrorKind};
use coupon_campaign::{
    CancelOptions, CancelProgress, CancelReport, CancelSelection, ResendOptions, ResendSelection, SyncOptions,
    SyncProgress, SyncReport,
};
use coupon_journal::Journal;
use serde_json::json;

use super::run::{PaceArgs, at_least_one, on_signals, parse_duration, usage};
use super::{JournalArg, adapter, campaign_failure, command, journal_failure, won};
use crate::commands::Ctx;
use crate::exit;
use crate::failure::{CliResult, Failure};

/// Call limits shared by the lifecycle commands.
#[derive(Debug, Args)]
pub struct LifePaceArgs {
    #[command(flatten)]
    pace: PaceArgs,
    /// Stop after this many transport failures in a row.
    #[arg(long, value_name = "N", default_value_t = 5)]
    breaker: u32,
}

impl LifePaceArgs {
    fn options(&self) -> CliResult<coupon_campaign::RunOptions> {
        at_least_one("breaker", usize::try_from(self.breaker).unwrap_or(usize::MAX))?;
        Ok(self.pace.options()?.breaker(self.breaker))
    }
}

/// `coupon campaign sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The campaign.
    name: String,
    #[command(flatten)]
    pace: LifePaceArgs,
    /// Skip coupons checked more recently than this (`1h`, `30m`); default: ask about every
    /// coupon not yet used, cancelled or expired.
    #[arg(long, value_name = "DURATION")]
    stale: Option<String>,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// `coupon campaign cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The campaign.
    name: String,
    /// Only coupons the last sync saw unused.
    #[arg(long)]
    unused: bool,
    /// Only coupons whose validity ends within this many days (`7d`, `72h`; whole days, KST).
    #[arg(long, value_name = "DURATION")]
    expiring_within: Option<String>,
    /// Only these rows, by key: `KEY1,KEY2`.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    rows: Option<Vec<String>>,
    /// Print how many coupons would be cancelled and the refund; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not ask for confirmation on a terminal.
    #[arg(long)]
    yes: bool,
    /// The oldest a coupon's last sync may be for --unused / --expiring-within; older rows are
    /// synced first (read only).
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    max_age: String,
    /// Refuse instead of syncing rows older than --max-age.
    #[arg(long)]
    no_sync: bool,
    #[command(flatten)]
    pace: LifePaceArgs,
    /// How long a claim on rows holds (renewed while this worker lives).
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    lease: String,
    /// This worker's name in the journal (default: the host's).
    #[arg(long, value_name = "ID")]
    worker: Option<String>,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// `coupon campaign resend`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["rows", "undelivered"])))]
pub struct ResendArgs {
    /// The campaign.
    name: String,
    /// These rows, by key: `KEY1,KEY2`.
    #[arg(long, value_name = "KEYS", value_delimiter = ',')]
    rows: Option<Vec<String>>,
    /// The rows the vendor reported undelivered at the last sync.
    #[arg(long)]
    undelivered: bool,
    /// Skip rows resent less than this long ago (so a rerun after a crash resends nothing twice).
    #[arg(long, value_name = "DURATION", default_value = "1h")]
    not_within: String,
    #[command(flatten)]
    pace: LifePaceArgs,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// Runs `coupon campaign sync`: exit 0, 3 stopped, 130 interrupted.
pub async fn sync(args: &SyncArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let mut options = SyncOptions::new(args.pace.options()?);
    if let Some(stale) = &args.stale {
        options = options.stale(parse_duration(stale).map_err(|e| usage("stale", format!("--stale {e}")))?);
    }
    let campaign = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let adapter = adapter(&campaign.vendor, ctx)?;
    let (interrupt, by_signal) = on_signals();
    let bar = crate::progress::bar(&ctx.out, Some(0), "syncing");
    let show = |p: &SyncProgress| {
        if let Some(bar) = &bar {
            bar.set_length(p.to_check.max(p.checked + p.failed));
            bar.set_position(p.checked + p.failed);
            bar.set_message(format!(
                "reports {} (used {}) · checked {} · failed {}",
                p.reports_read, p.matched_by_report, p.checked, p.failed
            ));
        }
    };
    let report = coupon_campaign::sync(&**journal, adapter, &campaign, &options, interrupt, &show).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.map_err(campaign_failure)?;
    let life = coupon_campaign::lifecycle(&**journal, &campaign, 7).await.map_err(campaign_failure)?;
    let code = ended(&report.stopped, by_signal.load(Ordering::SeqCst), 0);
    let doc = json!({"campaign": campaign.name, "sync": report, "coupons": life.coupons, "expiring": life.expiring});
    ctx.out.emit(&doc, || sync_text(&campaign.name, &report, &life));
    Ok(code)
}

fn sync_text(name: &str, r: &SyncReport, life: &coupon_campaign::Lifecycle) -> String {
    let p = &r.progress;
    let c = &life.coupons;
    let mut text = format!(
        "synced {name}: {} report(s) read ({} used found), {} coupon(s) checked, {} failed\ncoupons: unused {} · \
         used {} · partly used {} · cancelled {} · expired {} · unknown {} · never checked {}",
        p.reports_read,
        p.matched_by_report,
        p.checked,
        p.failed,
        c.unused,
        c.used,
        c.partly_used,
        c.cancelled,
        c.expired,
        c.unknown,
        c.unchecked
    );
    if r.not_lookable > 0 {
        text.push_str(&format!(
            "\n{} issued coupon(s) have no order id and the vendor cannot look them up by our reference",
            r.not_lookable
        ));
    }
    for f in &r.failures {
        text.push_str(&format!("\n  failed: {f}"));
    }
    if let Some(stop) = &r.stopped {
        text.push_str(&format!("\n{stop}"));
    }
    text
}

/// The exit code of a lifecycle command: 130 on a signal, 3 stopped, else `otherwise`.
fn ended(stopped: &Option<coupon_campaign::Stop>, by_signal: bool, otherwise: u8) -> u8 {
    if by_signal {
        exit::INTERRUPTED
    } else if stopped.is_some() {
        exit::REFUSED
    } else {
        otherwise
    }
}

/// `--expiring-within` in whole days.
pub(super) fn whole_days(given: &str) -> CliResult<u32> {
    let d = parse_duration(given).map_err(|e| usage("expiring_within", format!("--expiring-within {e}")))?;
    let secs = d.as_secs();
    if secs % 86_400 != 0 || d.subsec_nanos() != 0 {
        return Err(usage(
            "expiring_within",
            format!("--expiring-within counts whole days (KST), like 7d or 72h; `{given}` given"),
        ));
    }
    u32::try_from(secs / 86_400)
        .map_err(|_| usage("expiring_within", format!("--expiring-within `{given}` is too far away")))
}

/// Runs `coupon campaign cancel`: exit 0 done, 4 doubts left, 3 stopped or coupons left to send, 2 input, 130
/// interrupted.
pub async fn cancel(args: &CancelArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let selection = CancelSelection::new()
        .unused(args.unused)
        .expiring_within_days(args.expiring_within.as_deref().map(whole_days).transpose()?)
        .keys(args.rows.clone());
    if selection.is_empty() {
        return Err(usage(
            "selection",
            "cancel needs a selection: --unused, --expiring-within DURATION or --rows KEYS".into(),
        ));
    }
    let max_age = parse_duration(&args.max_age).map_err(|e| usage("max_age", format!("--max-age {e}")))?;
    let lease = parse_duration(&args.lease).map_err(|e| usage("lease", format!("--lease {e}")))?;
    let mut run = args.pace.options()?.lease(lease);
    if let Some(worker) = &args.worker {
        run = run.worker(worker);
    }
    let options = CancelOptions::new(run).max_age(max_age).sync_first(!args.no_sync);
    let campaign = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let preview = coupon_campaign::preview_cancel(&**journal, &campaign, &selection).await.map_err(campaign_failure)?;
    let shown = format!(
        "{} coupon(s), {} back{}{}",
        preview.count,
        won(Some(preview.won)),
        if preview.unpriced > 0 { format!(" (and {} of unknown price)", preview.unpriced) } else { String::new() },
        if preview.unfinished > 0 {
            format!("; and {} left by an earlier cancel, finished first", preview.unfinished)
        } else {
            String::new()
        }
    );
    if args.dry_run {
        let doc = json!({"campaign": campaign.name, "dry_run": true, "cancel": preview});
        ctx.out.emit(&doc, || format!("would cancel {shown} (as the last sync saw them); nothing sent"));
        return Ok(0);
    }
    let adapter = adapter(&campaign.vendor, ctx)?;
    if !args.yes && !ctx.out.is_json() && std::io::stdin().is_terminal() && !confirm(&campaign.name, &shown)? {
        ctx.out.note("nothing cancelled");
        return Ok(0);
    }
    let (interrupt, by_signal) = on_signals();
    let bar = crate::progress::bar(&ctx.out, Some(0), "cancelling");
    let show = |p: &CancelProgress| {
        if let Some(bar) = &bar {
            bar.set_length(p.selected);
            bar.set_position(p.cancelled + p.refused);
            bar.set_message(format!("cancelled {} · refused {} · in doubt {}", p.cancelled, p.refused, p.in_doubt));
        }
    };
    let report =
        coupon_campaign::cancel(Arc::clone(journal), adapter, &campaign, &selection, &options, interrupt, &show).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.map_err(|e| {
        Failure::from(Error::new(ErrorKind::Transport, format!("the cancel ended with an error: {e}"))).hint(format!(
            "every answer received is recorded; cancels left in flight are settled by the next `{}`",
            command("cancel", &campaign.name)
        ))
    })?;
    let code = ended(
        &report.stopped,
        by_signal.load(Ordering::SeqCst),
        if report.doubts_left > 0 {
            exit::OUTCOME_UNKNOWN
        } else if report.left > 0 {
            exit::REFUSED
        } else {
            0
        },
    );
    let doc = json!({"campaign": campaign.name, "cancel": report});
    ctx.out.emit(&doc, || cancel_text(&campaign.name, &report));
    Ok(code)
}

/// Asks on the terminal; true for yes.
fn confirm(name: &str, shown: &str) -> CliResult<bool> {
    eprint!("cancel {shown} in campaign {name}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| {
        Failure::before_sending(Error::new(ErrorKind::InvalidInput, format!("cannot read the answer: {e}")))
    })?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn cancel_text(name: &str, r: &CancelReport) -> String {
    let p = &r.progress;
    let mut text = format!(
        "cancel {name}: cancelled {} · refused {} · settled doubts {} · refunded so far {}",
        p.cancelled,
        p.refused,
        p.settled,
        won(Some(r.refunded_won))
    );
    for refusal in &r.refusals {
        text.push_str(&format!("\n  refused: {refusal}"));
    }
    if r.doubts_left > 0 {
        text.push_str(&format!(
            "\n{} cancel(s) in doubt: settle them with `{}` (it asks the vendor first)",
            r.doubts_left,
            command("cancel", name)
        ));
    }
    if r.left > 0 {
        text.push_str(&format!(
            "\n{} coupon(s) selected and not cancelled yet (the vendor turned them away for now): run `{}` again",
            r.left,
            command("cancel", name)
        ));
    }
    if let Some(stop) = &r.stopped {
        text.push_str(&format!("\n{stop}"));
    }
    text
}

/// Runs `coupon campaign resend`: exit 0, 3 stopped, 130 interrupted.
pub async fn resend(args: &ResendArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let window = parse_duration(&args.not_within).map_err(|e| usage("not_within", format!("--not-within {e}")))?;
    let options = ResendOptions::new(args.pace.options()?).not_within(window);
    let selection = match &args.rows {
        Some(keys) => ResendSelection::Keys(keys.clone()),
        None => ResendSelection::Undelivered,
    };
    let campaign = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let adapter = adapter(&campaign.vendor, ctx)?;
    let (interrupt, by_signal) = on_signals();
    let report = coupon_campaign::resend(&**journal, adapter, &campaign, &selection, &options, interrupt)
        .await
        .map_err(campaign_failure)?;
    let code = ended(&report.stopped, by_signal.load(Ordering::SeqCst), 0);
    let doc = json!({"campaign": campaign.name, "resend": report});
    ctx.out.emit(&doc, || {
        format!(
            "resend {}: {} selected · resent {} · skipped {} (resent within {} or no order id) · refused {}",
            campaign.name, report.selected, report.resent, report.skipped, args.not_within, report.refused
        )
    });
    Ok(code)
}
