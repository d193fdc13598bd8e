//! `coupon campaign run|reconcile`: a campaign sent (or its doubts settled) by the
//! journal's [`Runner`], stopped cleanly by ctrl-c or SIGTERM, with a progress bar on a
//! terminal and a summary at the end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use coupon::{Error, ErrorKind};
use coupon_campaign::{CampaignError, Progress, Rate, RunEnd, RunOptions, RunReport, Runner};
use coupon_journal::Journal;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::{JournalArg, adapter, campaign_failure, command, counts_json, counts_text, journal_failure};
use crate::commands::Ctx;
use crate::exit;
use crate::failure::{CliResult, Failure};
use crate::output::Output;

/// How fast and how wide a worker sends.
#[derive(Debug, Args)]
pub struct PaceArgs {
    /// Calls a second for this worker: `10/s`, `600/m`, `0.5/s`.
    #[arg(long, value_name = "N/s", default_value = "5/s")]
    rate: String,
    /// Calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    concurrency: usize,
}

/// `coupon campaign run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The campaign.
    name: String,
    #[command(flatten)]
    pace: PaceArgs,
    /// Stop before the campaign could have spent more than this many won (in doubt counts as spent).
    #[arg(long, value_name = "WON")]
    max_spend: Option<u64>,
    /// Stop after this many transport failures in a row.
    #[arg(long, value_name = "N", default_value_t = 5)]
    breaker: u32,
    /// How long a claim on rows holds (renewed while this worker lives): `60s`, `2m`.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    lease: String,
    /// This worker's name in the journal (default: the host's); the process id and a random
    /// suffix are added, so a restart never takes over the leases of a killed run.
    #[arg(long, value_name = "ID")]
    worker: Option<String>,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// `coupon campaign reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The campaign.
    name: String,
    #[command(flatten)]
    pace: PaceArgs,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

impl PaceArgs {
    pub(super) fn options(&self) -> CliResult<RunOptions> {
        let rate: Rate = self.rate.parse().map_err(|e: String| usage("rate", e))?;
        at_least_one("concurrency", self.concurrency)?;
        Ok(RunOptions::new().rate(rate).concurrency(self.concurrency))
    }
}

/// `--FIELD` must be 1 or more: the runner would otherwise raise it silently.
pub(super) fn at_least_one(field: &str, n: usize) -> CliResult<()> {
    if n == 0 {
        return Err(usage(field, format!("--{} must be 1 or more; 0 given", field.replace('_', "-"))));
    }
    Ok(())
}

pub(super) fn usage(field: &str, message: String) -> Failure {
    Failure::before_sending(Error::new(ErrorKind::InvalidInput, message).with_field(field.to_string()))
}

/// `60s`, `2m`, `1h`, `500ms`, or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: f64 = n.parse().map_err(|_| format!("`{s}`: expected a duration like 60s or 2m"))?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        other => return Err(format!("`{s}`: unknown unit `{other}` (use ms, s, m, h or d)")),
    };
    match Duration::try_from_secs_f64(seconds) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(format!("`{s}` must be more than zero")),
        Err(_) => Err(format!("`{s}` is beyond any duration")),
    }
}

/// Runs `coupon campaign run`.
pub async fn run(args: &RunArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let mut options = args.pace.options()?;
    let lease = parse_duration(&args.lease).map_err(|e| usage("lease", format!("--lease {e}")))?;
    if lease < RunOptions::MIN_LEASE {
        let least = RunOptions::MIN_LEASE.as_secs();
        return Err(usage("lease", format!("--lease must be at least {least}s; `{}` given", args.lease)));
    }
    at_least_one("breaker", usize::try_from(args.breaker).unwrap_or(usize::MAX))?;
    let max_spend = args
        .max_spend
        .map(|w| {
            i64::try_from(w)
                .map_err(|_| usage("max_spend", format!("--max-spend must be at most {} won; {w} given", i64::MAX)))
        })
        .transpose()?;
    options = options.max_spend(max_spend).breaker(args.breaker).lease(lease);
    if let Some(worker) = &args.worker {
        options = options.worker(worker);
    }
    drive(&args.name, journal, options, ctx, false).await
}

/// Runs `coupon campaign reconcile`.
pub async fn reconcile(args: &ReconcileArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let options = args.pace.options()?;
    drive(&args.name, journal, options, ctx, true).await
}

/// Sends (or, `settle_only`, settles the doubts of) a campaign with a progress bar
/// and signal handling, and prints the summary.
async fn drive(
    name: &str,
    journal: &Arc<dyn Journal>,
    options: RunOptions,
    ctx: &Ctx,
    settle_only: bool,
) -> CliResult<u8> {
    let runner = runner(name, journal, options, ctx).await?;
    let (interrupt, by_signal) = on_signals();
    let bar = Bar::new(&ctx.out, if settle_only { "settling" } else { "sending" });
    let report = if settle_only {
        runner.reconcile(interrupt, &|p| bar.show(p)).await
    } else {
        runner.run(interrupt, &|p| bar.show(p)).await
    };
    bar.finish();
    let report = report.map_err(|e| run_failure(e, name))?;
    Ok(summary(
        name,
        runner.campaign().vendor.as_str(),
        &report,
        by_signal.load(Ordering::SeqCst),
        settle_only,
        &ctx.out,
    ))
}

/// A failure of a run once it started. Rows may have been sent by then, so it is never
/// "nothing was sent" (exit 2) whatever the journal's error says: what was sent is
/// recorded, and rows left in flight are settled by the next run.
fn run_failure(e: CampaignError, name: &str) -> Failure {
    let message = format!("the campaign run ended with an error: {e}");
    Failure::from(Error::new(ErrorKind::Transport, message)).hint(format!(
        "every answer received is recorded; rows left in flight are settled by the next run. See `{}`, then `{}`",
        command("status", name),
        command("run", name)
    ))
}

/// The campaign, its vendor's adapter and the runner.
async fn runner(name: &str, journal: &Arc<dyn Journal>, options: RunOptions, ctx: &Ctx) -> CliResult<Runner> {
    let campaign = journal.campaign(name).await.map_err(journal_failure)?;
    let adapter = adapter(&campaign.vendor, ctx)?;
    Runner::new(Arc::clone(journal), adapter, campaign, options).map_err(campaign_failure)
}

/// The next ctrl-c, or SIGTERM when it could be watched.
async fn next_signal(term: &mut Option<tokio::signal::unix::Signal>) {
    let terminated = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated => {}
    }
}

/// The interrupt the runner watches: the first ctrl-c (or SIGTERM) turns it true, so calls
/// in flight finish and are recorded; a second signal exits at once with 130 (the rows
/// then in flight are settled by the next run). The flag says whether a signal came.
pub(super) fn on_signals() -> (watch::Receiver<bool>, Arc<AtomicBool>) {
    let (tx, rx) = watch::channel(false);
    let by_signal = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&by_signal);
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        next_signal(&mut term).await;
        flag.store(true, Ordering::SeqCst);
        eprintln!("stopping: in-flight calls finish and are recorded; ctrl-c again to abort");
        let _ = tx.send(true);
        next_signal(&mut term).await;
        eprintln!("aborted: rows in flight are settled by the next `coupon campaign run`");
        std::process::exit(i32::from(exit::INTERRUPTED));
    });
    (rx, by_signal)
}

/// The progress bar on stderr (a terminal, no `--json`), or nothing.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(out: &Output, what: &str) -> Self {
        let bar = crate::progress::bar(out, Some(0), what);
        if let Some(b) = &bar {
            // One line whatever the terminal's width: the counts are cut, not wrapped.
            if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:20}] {pos}/{len} {wide_msg}") {
                b.set_style(style.progress_chars("=> "));
            }
        }
        Self(bar)
    }

    fn show(&self, p: &Progress) {
        let Some(bar) = &self.0 else { return };
        let done = p.issued + p.refused;
        bar.set_length(p.todo.max(done));
        bar.set_position(done);
        let left = p.todo.saturating_sub(done);
        let speed = if p.elapsed > 0.0 { done as f64 / p.elapsed } else { 0.0 };
        let eta = if left == 0 {
            "-".to_string()
        } else if speed > 0.0 {
            format!("{}s", (left as f64 / speed).ceil() as u64)
        } else {
            format!("~{}s", (left as f64 / p.rate.max(f64::MIN_POSITIVE)).ceil() as u64)
        };
        bar.set_message(format!(
            "sent {} · issued {} · refused {} · in doubt {} · {:.1}/s · eta {eta}",
            p.sent, p.issued, p.refused, p.in_doubt, p.rate
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// How a run ended, as a word.
fn end_name(end: &RunEnd) -> &'static str {
    match end {
        RunEnd::Settled => "settled",
        RunEnd::InDoubt(_) => "in_doubt",
        RunEnd::Stopped(_) => "stopped",
        RunEnd::Interrupted => "interrupted",
        _ => "unknown",
    }
}

fn progress_json(p: &Progress) -> Value {
    json!({
        "sent": p.sent,
        "issued": p.issued,
        "refused": p.refused,
        "in_doubt": p.in_doubt,
        "settled": p.settled,
        "not_sent": p.not_sent,
        "todo": p.todo,
        "rate": p.rate,
        "elapsed_seconds": p.elapsed,
    })
}

/// Prints the summary; answers the exit code.
///
/// `run`: 0 settled · 4 rows in doubt · 3 stopped · 130 interrupted by a signal (4 when
/// interrupted otherwise with rows unsettled). `reconcile`: 0 when no row is left in
/// doubt, else 4 (130 on a signal).
fn summary(name: &str, vendor: &str, report: &RunReport, by_signal: bool, reconcile: bool, out: &Output) -> u8 {
    let counts = &report.counts;
    let (code, next, about) = match &report.end {
        _ if by_signal => (
            exit::INTERRUPTED,
            Some(command("run", name)),
            "interrupted: the calls in flight were recorded; run again to resume".to_string(),
        ),
        _ if reconcile && counts.unknown == 0 => (0, None, "no row is in doubt".to_string()),
        _ if reconcile => (
            exit::OUTCOME_UNKNOWN,
            Some(command("reconcile", name)),
            format!("{} rows are still in doubt: reconcile again later, or ask the vendor", counts.unknown),
        ),
        RunEnd::Settled => (0, None, "every row is settled".to_string()),
        RunEnd::InDoubt(n) => (
            exit::OUTCOME_UNKNOWN,
            Some(command("reconcile", name)),
            format!(
                "{n} rows are in doubt: settle them with `{}` (never by issuing them again)",
                command("reconcile", name)
            ),
        ),
        RunEnd::Stopped(stop) => (exit::REFUSED, Some(command("run", name)), stop.to_string()),
        _ => (
            exit::OUTCOME_UNKNOWN,
            Some(command("run", name)),
            "interrupted with rows unsettled; run again to go on".to_string(),
        ),
    };
    let stop = match &report.end {
        RunEnd::Stopped(s) => json!({"reason": s.as_str(), "message": s.to_string()}),
        _ => Value::Null,
    };
    let doc = json!({
        "campaign": name,
        "vendor": vendor,
        "end": if by_signal { "interrupted" } else { end_name(&report.end) },
        "stop": stop,
        "message": about,
        "counts": counts_json(counts),
        "run": progress_json(&report.progress),
        "next": next,
        "exit_code": code,
    });
    out.emit(&doc, || {
        let p = &report.progress;
        let mut text = format!(
            "campaign {name} ({vendor}): {}\nthis run: sent {} · issued {} · refused {} · in doubt {} · settled {} · \
             to send again {} ({:.1}s)\nrows: {}\n{about}",
            if by_signal { "interrupted" } else { end_name(&report.end) },
            p.sent,
            p.issued,
            p.refused,
            p.in_doubt,
            p.settled,
            p.not_sent,
            p.elapsed,
            counts_text(counts),
        );
        if let Some(next) = &next {
            text.push_str(&format!("\nnext: {next}"));
        }
        text
    });
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_units() {
        assert_eq!(parse_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("0s").is_err());
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(7 * 86400));
        assert!(parse_duration("5w").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("soon").unwrap_err().contains("expected a duration"));
    }

    #[test]
    fn a_run_that_ends_in_an_error_never_says_nothing_was_sent() {
        // An "invalid value" means exit 2 before a run; once it ran, rows may have left.
        let f = run_failure(CampaignError::Invalid("a send task failed".into()), "spring");
        assert_ne!(f.exit_code(), exit::USAGE);
        assert_eq!(f.exit_code(), exit::TRANSPORT);
        assert!(f.hint.as_deref().is_some_and(|h| h.contains("coupon campaign status spring")), "{f:?}");
    }
}
