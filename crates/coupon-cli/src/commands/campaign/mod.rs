//! `coupon campaign …`: many coupons from one CSV file, each issued exactly once across
//! crashes, as a thin layer over the engine ([`coupon_campaign`]). Every command opens the
//! journal (`--journal URL`); the vendor's adapter is built from the configuration as
//! for the generic commands.
//!
//! Exit codes (see [`crate::exit`]): 0 done · 2 usage, input or journal contents
//! (nothing was sent) · 3 the campaign stopped (`run` again resumes) · 4 rows in
//! doubt (`coupon campaign reconcile NAME`) · 5 the journal's storage failed, or a run
//! ended with an error (what was sent is recorded; `run` again resumes) · 130
//! interrupted by a signal.

mod create;
mod demo;
mod export;
mod fields;
mod life;
mod list;
mod report;
mod run;
mod status;

use std::sync::Arc;

use clap::{Args, Subcommand};
use coupon::{Adapter, Error, ErrorKind, op};
use coupon_campaign::CampaignError;
use coupon_journal::error::redact;
use coupon_journal::{Campaign, Counts, Journal, JournalError, Row, RowState};
use serde_json::{Value, json};

use super::Ctx;
use super::generic::{build, quote, target};
use crate::failure::{CliResult, Failure};

pub use create::CreateArgs;
pub use demo::DemoArgs;
pub use export::ExportArgs;
pub use life::{CancelArgs, ResendArgs, SyncArgs};
pub use report::ReportArgs;
pub(crate) use run::parse_duration;
pub use run::{ReconcileArgs, RunArgs};
pub use status::StatusArgs;

/// The journal used when neither `--journal` nor `COUPON_JOURNAL` says otherwise.
pub const DEFAULT_JOURNAL: &str = "sqlite:coupon-campaigns.db";

/// `coupon campaign …`.
#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Check a CSV file (every row, against the vendor's own checks and catalog) and store it as a
    /// campaign; sends nothing. A file with a bad row is refused whole (every bad line listed) unless
    /// --skip-invalid. --dry-run prints what would be sent and its total, and stores nothing.
    Create(CreateArgs),
    /// Send a campaign: settles its doubts first, then issues every row not yet issued, at --rate.
    /// Ctrl-c stops it cleanly (calls in flight are recorded); `run` again resumes.
    Run(RunArgs),
    /// A campaign's rows per state, its stop reason, its spend, and every row in doubt with the
    /// command that settles it.
    Status(StatusArgs),
    /// Settle the rows in doubt (`unknown`) with the vendor's own means; sends nothing new.
    Reconcile(ReconcileArgs),
    /// Every row of a campaign, in line order, as CSV or JSON (phone numbers and PINs masked unless --reveal).
    Export(ExportArgs),
    /// Every campaign in the journal, with its vendor, creation time, counts and stop reason.
    List(JournalArg),
    /// Ask the vendor what became of each issued coupon (used, unused, expired, cancelled); reads
    /// the daily redemption reports first where the vendor has them. Only reads: safe to kill and
    /// run again.
    Sync(SyncArgs),
    /// Cancel issued coupons for a refund (--unused, --expiring-within, --rows), each exactly once
    /// across crashes; --dry-run prints the count and the refund. Asks on a terminal unless --yes.
    Cancel(CancelArgs),
    /// Send coupon messages again (--rows KEYS or --undelivered), never twice for a row within
    /// --not-within.
    Resend(ResendArgs),
    /// A report people open in a browser (--html FILE: one self-contained page that prints on A4),
    /// or its data as JSON: headline numbers, the funnel, redemptions by day, spend against
    /// refunds, goods by state, the rows in doubt. Its numbers are `status --json`'s.
    Report(ReportArgs),
    /// A campaign's whole life on the embedded sandbox: a few hundred rows issued, two weeks
    /// played forward, synced, what expires cancelled, and the report written (--html FILE,
    /// default coupon-campaign-demo.html) to open in a browser.
    Demo(DemoArgs),
}

/// `--journal`: where campaigns are recorded.
#[derive(Debug, Args)]
pub struct JournalArg {
    /// The journal: `sqlite:PATH` or `postgres://USER@HOST[:PORT]/DATABASE`. Default: $COUPON_JOURNAL,
    /// else sqlite:coupon-campaigns.db in the current directory.
    #[arg(long, value_name = "URL", env = "COUPON_JOURNAL", hide_env_values = true, default_value = DEFAULT_JOURNAL)]
    journal: String,
}

impl JournalArg {
    /// Opens the journal: creating it if needed (`create`), or only one that exists.
    async fn open(&self, create: bool) -> CliResult<Arc<dyn Journal>> {
        let opened = if create {
            coupon_journal::open(&self.journal).await
        } else {
            coupon_journal::open_existing(&self.journal).await
        };
        Ok(Arc::from(opened.map_err(|e| {
            let message = redact(&e.to_string(), &self.journal);
            failure_of(e, message)
        })?))
    }
}

/// Runs a campaign command; answers the exit code.
pub async fn run(command: &CampaignCommand, ctx: &Ctx) -> CliResult<u8> {
    // A dry run stores nothing, so it opens no journal; only `create` makes one.
    let journal_arg = match command {
        CampaignCommand::Create(a) if a.dry_run => return create::dry_run(a, ctx).await,
        // The demo keeps its journal in a temporary folder of its own.
        CampaignCommand::Demo(a) => return demo::run(a, ctx).await,
        CampaignCommand::Create(a) => &a.journal,
        CampaignCommand::Run(a) => &a.journal,
        CampaignCommand::Status(a) => &a.journal,
        CampaignCommand::Reconcile(a) => &a.journal,
        CampaignCommand::Export(a) => &a.journal,
        CampaignCommand::List(a) => a,
        CampaignCommand::Sync(a) => &a.journal,
        CampaignCommand::Cancel(a) => &a.journal,
        CampaignCommand::Resend(a) => &a.journal,
        CampaignCommand::Report(a) => &a.journal,
    };
    let journal = journal_arg.open(matches!(command, CampaignCommand::Create(_))).await?;
    let done = match command {
        CampaignCommand::Create(a) => create::run(a, &journal, ctx).await,
        CampaignCommand::Run(a) => run::run(a, &journal, ctx).await,
        CampaignCommand::Status(a) => status::run(a, &journal, ctx).await,
        CampaignCommand::Reconcile(a) => run::reconcile(a, &journal, ctx).await,
        CampaignCommand::Export(a) => export::run(a, &journal, ctx).await,
        CampaignCommand::List(_) => list::run(&journal, ctx).await,
        CampaignCommand::Sync(a) => life::sync(a, &journal, ctx).await,
        CampaignCommand::Cancel(a) => life::cancel(a, &journal, ctx).await,
        CampaignCommand::Resend(a) => life::resend(a, &journal, ctx).await,
        CampaignCommand::Report(a) => report::run(a, &journal, ctx).await,
        CampaignCommand::Demo(a) => demo::run(a, ctx).await,
    };
    journal.close().await;
    done
}

/// A journal error as the CLI reports it: about the input or the command line (exit 2,
/// nothing was sent), else a failure of the journal's storage (exit 5).
pub fn journal_failure(e: JournalError) -> Failure {
    let message = e.to_string();
    failure_of(e, message)
}

/// [`journal_failure`] with the message given.
fn failure_of(e: JournalError, message: String) -> Failure {
    match e {
        JournalError::CampaignNotFound(_) => {
            Failure::before_sending(Error::new(ErrorKind::NotFound, message).with_field("campaign"))
                .hint("`coupon campaign list` shows the journal's campaigns (is --journal the right one?)")
        }
        JournalError::CampaignExists(_) => {
            Failure::before_sending(Error::new(ErrorKind::InvalidInput, message).with_field("campaign"))
        }
        JournalError::NoJournal(_) => {
            Failure::before_sending(Error::new(ErrorKind::NotFound, message).with_field("journal"))
        }
        JournalError::UnsupportedUrl(_) => {
            Failure::before_sending(Error::new(ErrorKind::InvalidInput, message).with_field("journal"))
        }
        // Nothing was read or written: the journal stays as the newer release left it.
        JournalError::NewerSchema { .. } => {
            Failure::before_sending(Error::new(ErrorKind::InvalidInput, message).with_field("journal"))
        }
        JournalError::Invalid(_) => {
            Failure::before_sending(Error::new(ErrorKind::InvalidInput, message))
        }
        JournalError::LineTaken { .. } => Failure::before_sending(Error::new(ErrorKind::InvalidInput, message))
            .hint("importing into an existing campaign adds rows at new lines (a file that has grown at its end); rows that moved need their `key` column"),
        // Storage, I/O, and the journal's own consistency errors: the journal failed.
        _ => Failure::from(Error::new(ErrorKind::Transport, format!("the campaign journal failed: {message}"))),
    }
}

/// An engine error as the CLI reports it: the journal's as [`journal_failure`] says; a
/// refused input or a campaign that cannot be made or run as asked is about the input
/// (exit 2, nothing was sent); anything else is the journal's failure (exit 5).
pub fn campaign_failure(e: CampaignError) -> Failure {
    let message = e.to_string();
    match e {
        CampaignError::Journal(e) => failure_of(e, message),
        CampaignError::Refused(_) | CampaignError::Invalid(_) => {
            Failure::before_sending(Error::new(ErrorKind::InvalidInput, message))
        }
        _ => Failure::from(Error::new(ErrorKind::Transport, format!("the campaign journal failed: {message}"))),
    }
}

/// The adapter of `vendor`, built from its configuration section; it must be able to issue.
fn adapter(vendor: &str, ctx: &Ctx) -> CliResult<Arc<dyn Adapter>> {
    let factory = target(vendor, op::ISSUE)?;
    Ok(build(factory, ctx)?)
}

/// Counts per state in a document: `{"pending": n, …, "total": n}`.
fn counts_json(counts: &Counts) -> Value {
    let mut doc = json!({});
    for state in RowState::ALL {
        doc[state.as_str()] = json!(counts.get(state));
    }
    doc["total"] = json!(counts.total());
    doc
}

/// Counts per state for people: `issued 3 · pending 2` (the states with rows), or `no rows`.
fn counts_text(counts: &Counts) -> String {
    let parts: Vec<String> = RowState::ALL
        .into_iter()
        .filter(|s| counts.get(*s) > 0)
        .map(|s| format!("{} {}", s.as_str(), counts.get(s)))
        .collect();
    if parts.is_empty() { "no rows".to_string() } else { parts.join(" · ") }
}

/// Rows read from the journal a page at a time.
const PAGE: usize = 500;

/// Calls `each` with every row of the campaign (of `state`), in line order, a page at a time.
pub(super) async fn each_row(
    journal: &dyn Journal,
    c: &Campaign,
    state: Option<RowState>,
    mut each: impl FnMut(&Row) -> CliResult,
) -> CliResult {
    let mut after = None;
    loop {
        let page = journal.rows(c, state, after, PAGE).await.map_err(journal_failure)?;
        let Some(last) = page.last() else { return Ok(()) };
        after = Some(last.line);
        for row in &page {
            each(row)?;
        }
    }
}

/// A command about the campaign `name`, ready to paste: `coupon campaign VERB NAME`.
fn command(verb: &str, name: &str) -> String {
    format!("coupon campaign {verb} {}", quote(name))
}

/// Won for people from the journal's signed amounts: `12,000원`, or `-`.
fn won(w: Option<i64>) -> String {
    crate::format::won(w.and_then(|w| u64::try_from(w).ok()).map(coupon::Won))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_errors_exit_2_about_the_input_and_5_about_the_storage() {
        let f = journal_failure(JournalError::CampaignNotFound("x".into()));
        assert_eq!(f.exit_code(), crate::exit::USAGE);
        assert_eq!(journal_failure(JournalError::UnsupportedUrl("mysql:x".into())).exit_code(), crate::exit::USAGE);
        assert_eq!(journal_failure(JournalError::Invalid("x".into())).exit_code(), crate::exit::USAGE);
        let newer = journal_failure(JournalError::NewerSchema { found: 9, known: 3 });
        assert_eq!(newer.exit_code(), crate::exit::USAGE);
        assert!(newer.error.message().contains("upgrade") && newer.error.message().contains('9'), "{newer:?}");
        let io = JournalError::Io { path: "j.db".into(), source: std::io::Error::other("disk full") };
        assert_eq!(journal_failure(io).exit_code(), crate::exit::TRANSPORT);
    }

    #[test]
    fn a_journal_password_is_never_shown() {
        let url = "postgres://coupon:s3cret@db:5432/campaigns";
        assert_eq!(
            redact(&format!("cannot connect to {url}"), url),
            "cannot connect to postgres://coupon:***@db:5432/campaigns"
        );
        assert_eq!(redact("x", "sqlite:j.db"), "x");
        assert_eq!(redact("x", "postgres://coupon@db/c"), "x");
    }
}
