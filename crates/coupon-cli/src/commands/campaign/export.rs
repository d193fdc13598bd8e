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
use coupon_journal::{Campaign, Journal, Row, RowState};
use serde_json::{Value, json};

use super::{JournalArg, each_row, journal_failure};
use crate::commands::Ctx;
use crate::failure::{CliResult, Failure};
use crate::output::Output;

/// The fixed columns, in order; the rows' extra columns follow (sorted by name).
const COLUMNS: [&str; 22] = [
    "line",
    "key",
    "phone",
    "name",
    "goods",
    "partner_ref",
    "state",
    "attempts",
    "order_id",
    "pin",
    "pin_hash",
    "price",
    "vendor_code",
    "vendor_message",
    "details_unknown",
    "error_kind",
    "coupon_state",
    "used_at",
    "valid_until",
    "delivery",
    "cancel_state",
    "checked_at",
];

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

/// The fixed fields of a row as text (`""` for none), in [`COLUMNS`] order.
fn fields(r: &Row, out: &Output) -> [String; 22] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let pin = match (&r.pin, out.reveals()) {
        (Some(pin), true) => pin.expose().to_string(),
        _ => o(&r.pin_masked),
    };
    [
        r.line.to_string(),
        o(&r.key),
        out.phone_text(&r.phone),
        o(&r.name),
        o(&r.request.product_id),
        r.partner_ref.to_string(),
        r.state.as_str().to_string(),
        r.attempts.to_string(),
        o(&r.order_id),
        pin,
        o(&r.pin_hash),
        r.price.map(|p| p.to_string()).unwrap_or_default(),
        o(&r.vendor_code),
        o(&r.vendor_message),
        o(&r.details_unknown),
        o(&r.error_kind),
        r.life.state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.life.used_at.map(|t| kst(&t)).unwrap_or_default(),
        r.life.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        o(&r.life.delivery),
        r.life.cancel_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.life.checked_at.map(|t| kst(&t)).unwrap_or_default(),
    ]
}

/// A moment as RFC 3339 in KST, as every time the CLI prints.
fn kst(t: &coupon::chrono::DateTime<coupon::chrono::Utc>) -> String {
    t.with_timezone(&coupon::time::kst()).to_rfc3339()
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
        let fixed = fields(r, out);
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
        w.write_all(row_json(r, out).to_string().as_bytes()).map_err(write_failure)
    })
    .await?;
    w.write_all(b"\n]\n").map_err(write_failure)
}

fn row_json(r: &Row, out: &Output) -> Value {
    let f = fields(r, out);
    let text = |i: usize| if f[i].is_empty() { Value::Null } else { json!(f[i]) };
    json!({
        "line": r.line,
        "key": text(1),
        "phone": f[2],
        "name": text(3),
        "goods": text(4),
        "partner_ref": f[5],
        "state": f[6],
        "attempts": r.attempts,
        "order_id": text(8),
        "pin": text(9),
        "pin_hash": text(10),
        "price": r.price,
        "vendor_code": text(12),
        "vendor_message": text(13),
        "details_unknown": text(14),
        "error_kind": text(15),
        "coupon_state": text(16),
        "used_at": text(17),
        "valid_until": text(18),
        "delivery": text(19),
        "cancel_state": text(20),
        "checked_at": text(21),
        "extra": r.extra,
    })
}

/// `--history`: every change of a coupon's state, in line order, as CSV or JSON.
async fn history(journal: &dyn Journal, c: &Campaign, format: Format, w: &mut impl Write) -> CliResult {
    const PAGE: usize = 1000;
    let mut after = None;
    let mut first = true;
    if format == Format::Csv {
        w.write_all(b"line,from,to,at,source\n").map_err(write_failure)?;
    } else {
        w.write_all(b"[").map_err(write_failure)?;
    }
    loop {
        let page = journal.history(c, after, PAGE).await.map_err(super::journal_failure)?;
        let Some(last) = page.last() else { break };
        after = Some((last.line, last.id));
        for h in &page {
            let from = h.from.map(|s| s.as_str()).unwrap_or("");
            let line = match format {
                Format::Csv => format!("{},{from},{},{},{}\n", h.line, h.to.as_str(), kst(&h.at), h.source.as_str()),
                Format::Json => {
                    let doc = json!({"line": h.line, "from": h.from.map(|s| s.as_str()), "to": h.to.as_str(),
                                     "at": kst(&h.at), "source": h.source.as_str()});
                    format!("{}{doc}", if first { "\n" } else { ",\n" })
                }
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
