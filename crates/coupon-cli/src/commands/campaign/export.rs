//! `coupon campaign export`: every row of a campaign, in line order, as CSV or JSON.
//!
//! JSON is one array (one document, written a row per line as it is read). Phone numbers
//! and PINs are masked unless `--reveal`; the clear PIN is there only with `--reveal`
//! and when the campaign stores PINs (`create --store-pins`).

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

use clap::builder::PossibleValuesParser;
use clap::{Args, ValueEnum};
use coupon::{Error, ErrorKind};
use coupon_campaign::export::{COLUMNS, HISTORY_COLUMNS, Shown, fields, history_fields, history_json, row_json};
use coupon_journal::{Campaign, Journal, RowState};

use super::{JournalArg, each_row, journal_failure};
use crate::commands::Ctx;
use crate::failure::{CliResult, Failure};
use crate::output::Output;

/// The export's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CSV with a header: the fixed columns, then every extra column of the input.
    Csv,
    /// One JSON array of objects (the extra columns under `extra`).
    Json,
}

/// `coupon campaign export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The campaign.
    name: String,
    /// The format. Default: csv (json with --json).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Only the rows in this state.
    #[arg(long, value_name = "S", value_parser = PossibleValuesParser::new(RowState::ALL.map(|s| s.as_str())))]
    state: Option<String>,
    /// Instead of the rows: every change of a coupon's state (line, from, to, at, source:
    /// status, report or cancel), in line order.
    #[arg(long, conflicts_with = "state")]
    history: bool,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

/// Runs `coupon campaign export`.
pub async fn run(args: &ExportArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let out = &ctx.out;
    let state = args
        .state
        .as_deref()
        .map(|s| {
            s.parse::<RowState>().map_err(|e| {
                Failure::before_sending(Error::new(ErrorKind::InvalidInput, e.to_string()).with_field("state"))
            })
        })
        .transpose()?;
    let c = journal.campaign(&args.name).await.map_err(journal_failure)?;
    let format = args.format.unwrap_or(if out.is_json() { Format::Json } else { Format::Csv });
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        _ if args.history => history(&**journal, &c, format, &mut w).await,
        Format::Csv => csv(&**journal, &c, state, out, &mut w).await,
        Format::Json => json_array(&**journal, &c, state, out, &mut w).await,
    };
    match written.and_then(|()| w.flush().map_err(write_failure)) {
        // A reader that went away (`… | head`) wanted no more.
        Err(f) if f.error.message() == READER_GONE => Ok(0),
        other => other.map(|()| 0),
    }
}

/// The failure of a write whose reader went away.
const READER_GONE: &str = "the reader of the export went away";

fn write_failure(e: std::io::Error) -> Failure {
    let message = if e.kind() == std::io::ErrorKind::BrokenPipe {
        READER_GONE.to_string()
    } else {
        format!("writing the export: {e}")
    };
    Failure::from(Error::new(ErrorKind::Transport, message))
}

/// What this command shows in full: phone numbers and PINs with `--reveal`.
fn shown(out: &Output) -> Shown {
    Shown { phones: out.reveals(), pins: out.reveals() }
}

/// CSV: two passes, the first for the union of the extra columns' names.
async fn csv(
    journal: &dyn Journal,
    c: &Campaign,
    state: Option<RowState>,
    out: &Output,
    w: &mut impl Write,
) -> CliResult {
    let mut extra = BTreeSet::new();
    each_row(journal, c, state, |r| {
        extra.extend(r.extra.keys().filter(|k| !COLUMNS.contains(&k.as_str())).cloned());
        Ok(())
    })
    .await?;
    let mut writer = ::csv::Writer::from_writer(w);
    let csv_failure = |e: ::csv::Error| match e.into_kind() {
        ::csv::ErrorKind::Io(io) => write_failure(io),
        other => Failure::from(Error::new(ErrorKind::Transport, format!("writing the export: {other:?}"))),
    };
    writer.write_record(COLUMNS.iter().copied().chain(extra.iter().map(String::as_str))).map_err(csv_failure)?;
    each_row(journal, c, state, |r| {
        let fixed = fields(r, shown(out));
        let extras = extra.iter().map(|k| r.extra.get(k).map(String::as_str).unwrap_or(""));
        writer.write_record(fixed.iter().map(String::as_str).chain(extras)).map_err(csv_failure)
    })
    .await?;
    writer.flush().map_err(write_failure)
}

/// JSON: one array, a row per line.
async fn json_array(
    journal: &dyn Journal,
    c: &Campaign,
    state: Option<RowState>,
    out: &Output,
    w: &mut impl Write,
) -> CliResult {
    w.write_all(b"[").map_err(write_failure)?;
    let mut first = true;
    each_row(journal, c, state, |r| {
        let sep: &[u8] = if first { b"\n" } else { b",\n" };
        first = false;
        w.write_all(sep).map_err(write_failure)?;
        w.write_all(row_json(r, shown(out)).to_string().as_bytes()).map_err(write_failure)
    })
    .await?;
    w.write_all(b"\n]\n").map_err(write_failure)
}

/// `--history`: every change of a coupon's state, in line order, as CSV or JSON.
async fn history(journal: &dyn Journal, c: &Campaign, format: Format, w: &mut impl Write) -> CliResult {
    const PAGE: usize = 1000;
    let mut after = None;
    let mut first = true;
    if format == Format::Csv {
        w.write_all(format!("{}\n", HISTORY_COLUMNS.join(",")).as_bytes()).map_err(write_failure)?;
    } else {
        w.write_all(b"[").map_err(write_failure)?;
    }
    loop {
        let page = journal.history(c, after, PAGE).await.map_err(super::journal_failure)?;
        let Some(last) = page.last() else { break };
        after = Some((last.line, last.id));
        for h in &page {
            let line = match format {
                Format::Csv => format!("{}\n", history_fields(h).join(",")),
                Format::Json => format!("{}{}", if first { "\n" } else { ",\n" }, history_json(h)),
            };
            first = false;
            w.write_all(line.as_bytes()).map_err(write_failure)?;
        }
    }
    if format == Format::Json {
        w.write_all(b"\n]\n").map_err(write_failure)?;
    }
    Ok(())
}
