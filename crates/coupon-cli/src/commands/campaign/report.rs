//! `coupon campaign report`: one self-contained HTML page (inline CSS and SVG, no script,
//! no network; Korean labels; prints on A4), or the same data as JSON.

use std::io::Write;
use std::sync::Arc;

use clap::Args;
use coupon::{Error, ErrorKind};
use coupon_journal::Journal;

use super::{JournalArg, campaign_failure, journal_failure};
use crate::commands::Ctx;
use crate::failure::{CliResult, Failure};

/// `coupon campaign report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The campaign.
    name: String,
    /// Write the page to this file (`-` for standard output). Without it, the data is printed
    /// as JSON.
    #[arg(long, value_name = "FILE")]
    html: Option<String>,
    /// The window of "expiring soon" (whole days).
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    expiring_within: String,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// Runs `coupon campaign report`.
pub async fn run(args: &ReportArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let within = super::life::whole_days(&args.expiring_within)?;
    let campaign = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let data = coupon_campaign::build_report(&**journal, &campaign, within).await.map_err(campaign_failure)?;
    match args.html.as_deref() {
        Some("-") => {
            let stdout = std::io::stdout();
            coupon_campaign::report::write_html(&data, &mut stdout.lock()).map_err(|e| write_failure("-", e))?;
        }
        Some(path) => {
            let mut file = std::fs::File::create(path).map_err(|e| write_failure(path, e))?;
            coupon_campaign::report::write_html(&data, &mut file)
                .and_then(|()| file.flush())
                .map_err(|e| write_failure(path, e))?;
            let doc = serde_json::json!({"campaign": campaign.name, "html": path});
            ctx.out.emit(&doc, || format!("wrote {path}: open it in a browser (it prints on A4)"));
        }
        None => {
            let doc = serde_json::to_value(&data).map_err(|e| {
                Failure::from(Error::new(ErrorKind::Protocol, format!("the report could not be written: {e}")))
            })?;
            crate::output::line(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
    }
    Ok(0)
}

fn write_failure(path: &str, e: std::io::Error) -> Failure {
    Failure::from(Error::new(ErrorKind::Transport, format!("writing the report to {path}: {e}")).with_field("html"))
}
