//! `coupon campaign create`: a CSV file checked whole, then stored as a campaign (or, with
//! `--dry-run`, only checked: what would be sent and its total).

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use coupon::{Error, ErrorKind};
use coupon_campaign::{self as campaign, CampaignError, Plan};
use coupon_campaign_input::{Encoding, LineError, Options};
use coupon_journal::{CampaignSpec, Journal};
use serde_json::{Value, json};

use super::fields::{FieldArgs, csv_help};
use super::{JournalArg, adapter, campaign_failure, command, won};
use crate::commands::Ctx;
use crate::exit;
use crate::failure::{CliResult, Failure};
use crate::output::{failure_json, line, table};

/// How the CSV's bytes are read.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum EncodingArg {
    /// UTF-8 (with or without BOM) or CP949, detected from the first non-ASCII line.
    Auto,
    /// UTF-8 only.
    Utf8,
    /// CP949 (EUC-KR, what Korean Excel writes) only.
    Cp949,
}

/// `coupon campaign create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The campaign's name, unique in the journal.
    name: String,
    /// The vendor: an installed adapter (`coupon adapters` lists them).
    #[arg(long, value_name = "V")]
    vendor: String,
    /// The CSV file: a header with `phone` (required), and optionally name, the request fields'
    /// columns, key, and columns of your own.
    #[arg(long, value_name = "FILE", help = csv_help())]
    csv: PathBuf,
    #[command(flatten)]
    fields: FieldArgs,
    /// How the file's bytes are read.
    #[arg(long, value_enum, default_value = "auto")]
    encoding: EncodingArg,
    /// Accept the same phone number with the same goods on several rows.
    #[arg(long)]
    allow_duplicate_recipients: bool,
    /// Leave the bad rows out (listed) instead of refusing the file.
    #[arg(long)]
    skip_invalid: bool,
    /// Keep issued PINs in clear in the journal (otherwise masked and hashed only).
    #[arg(long)]
    store_pins: bool,
    /// Check the file and print what would be sent and its total; store nothing.
    #[arg(long)]
    pub(super) dry_run: bool,
    #[command(flatten)]
    pub(super) journal: JournalArg,
}

impl CreateArgs {
    /// The reader's options: the flags as campaign-wide defaults (which the campaign
    /// stores too).
    fn options(&self) -> CliResult<Options> {
        Ok(Options {
            encoding: match self.encoding {
                EncodingArg::Auto => Encoding::Auto,
                EncodingArg::Utf8 => Encoding::Utf8,
                EncodingArg::Cp949 => Encoding::Cp949,
            },
            defaults: self.fields.defaults()?,
            allow_duplicate_recipients: self.allow_duplicate_recipients,
            skip_invalid: self.skip_invalid,
            ..Options::default()
        })
    }

    fn open_csv(&self) -> CliResult<File> {
        File::open(&self.csv).map_err(|e| {
            Failure::before_sending(
                Error::new(ErrorKind::InvalidInput, format!("cannot read {}: {e}", self.csv.display()))
                    .with_field("csv"),
            )
        })
    }
}

/// Runs `coupon campaign create --dry-run`: the plan, with no journal opened.
pub async fn dry_run(args: &CreateArgs, ctx: &Ctx) -> CliResult<u8> {
    let options = args.options()?;
    let adapter = adapter(&args.vendor, ctx)?;
    let plan = campaign::plan(&*adapter, args.open_csv()?, &options).await.map_err(campaign_failure)?;
    let mut doc = plan.to_json();
    doc["campaign"] = json!(args.name);
    doc["vendor"] = json!(adapter.vendor().as_str());
    doc["dry_run"] = json!(true);
    ctx.out.emit(&doc, || plan_text(&args.name, adapter.vendor().as_str(), &plan));
    Ok(if plan.accepted { 0 } else { exit::USAGE })
}

/// Runs `coupon campaign create`.
pub async fn run(args: &CreateArgs, journal: &Arc<dyn Journal>, ctx: &Ctx) -> CliResult<u8> {
    let out = &ctx.out;
    let options = args.options()?;
    let adapter = adapter(&args.vendor, ctx)?;
    let spec = CampaignSpec {
        name: args.name.clone(),
        vendor: adapter.vendor().to_string(),
        defaults: options.defaults.clone(),
        store_pins: args.store_pins,
    };
    args.open_csv()?;
    let opened = campaign::create(&**journal, &*adapter, &spec, || File::open(&args.csv), &options).await;
    let created = match opened {
        Ok(created) => created,
        Err(CampaignError::Refused(plan)) => {
            return refused(&plan, campaign_failure(CampaignError::Refused(plan.clone())), ctx);
        }
        Err(e) => return Err(campaign_failure(e)),
    };
    let next = command("run", &created.campaign.name);
    let stored = created.stored;
    let plan = &created.plan;
    let doc = json!({
        "campaign": created.campaign.name,
        "vendor": created.campaign.vendor,
        "added": stored.added,
        "known_keys_skipped": stored.known_keys_skipped,
        "existed": created.existed,
        "invalid_left_out": plan.invalid,
        "errors": errors_json(plan),
        "errors_total": plan.errors_total,
        "total": plan.total,
        "store_pins": created.campaign.store_pins,
        "warning": created.warning,
        "next": next,
    });
    if let Some(warning) = &created.warning {
        out.warn(warning);
    }
    out.emit(&doc, || {
        let verb = if created.existed { "existed; imported into it again" } else { "created" };
        let mut text = format!(
            "campaign {} {verb} for {}: {} rows stored",
            created.campaign.name, created.campaign.vendor, stored.added
        );
        text.push_str(&format!("\n  added: {}", stored.added));
        text.push_str(&format!("\n  already in the campaign (known keys, same lines): {}", stored.known_keys_skipped));
        if args.skip_invalid || plan.invalid > 0 {
            text.push_str(&format!("\n  invalid rows left out (--skip-invalid): {}", plan.invalid));
        }
        text.push_str(&format!("\n  total: {}", total_text(plan)));
        for l in bad_lines(plan) {
            text.push_str(&format!("\n  {l}"));
        }
        text.push_str(&format!("\nnext: {next}"));
        text
    });
    Ok(0)
}

/// A refused file: every listed bad line, then the error; exit 2, nothing stored.
fn refused(plan: &Plan, failure: Failure, ctx: &Ctx) -> CliResult<u8> {
    let failure = failure.hint("fix the lines listed (or give --skip-invalid to leave them out), then create again");
    if ctx.out.is_json() {
        let mut doc = failure_json(&failure);
        doc["error"]["lines"] = errors_json(plan);
        doc["error"]["errors_total"] = json!(plan.errors_total);
        line(&doc.to_string());
        return Ok(exit::USAGE);
    }
    for l in bad_lines(plan) {
        eprintln!("{l}");
    }
    Err(failure)
}

/// `line N, column C: message` for every listed error (they never hold a phone number),
/// plus `… and K more` when more were counted than listed.
fn bad_lines(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> = plan.errors.iter().map(line_error).collect();
    let more = plan.errors_total.saturating_sub(plan.errors.len() as u64);
    if more > 0 {
        lines.push(format!("… and {more} more"));
    }
    lines
}

fn line_error(e: &LineError) -> String {
    match &e.column {
        Some(c) => format!("line {}, column {c}: {}", e.line, e.message),
        None => format!("line {}: {}", e.line, e.message),
    }
}

fn errors_json(plan: &Plan) -> Value {
    json!(
        plan.errors
            .iter()
            .map(|e| json!({"line": e.line, "column": e.column, "message": e.message, "fatal": e.fatal}))
            .collect::<Vec<_>>()
    )
}

fn total_text(plan: &Plan) -> String {
    match plan.total {
        Some(t) => won(Some(t)),
        None => "unknown (a price is unknown)".to_string(),
    }
}

/// The dry run for people.
fn plan_text(name: &str, vendor: &str, plan: &Plan) -> String {
    let mut t = table(&["goods", "name", "rows", "unit price", "total"]);
    for g in &plan.goods {
        t.add_row(vec![
            g.goods.clone(),
            crate::format::text(g.name.as_deref()),
            g.rows.to_string(),
            g.unit_price.map_or_else(|| "unknown".to_string(), |p| won(Some(p))),
            g.total.map_or_else(|| "unknown".to_string(), |p| won(Some(p))),
        ]);
    }
    let mut text = format!("campaign {name} on {vendor} (dry run: nothing stored)\n{t}\nrows: {}", plan.rows);
    text.push_str(&format!("\ntotal: {}", total_text(plan)));
    if plan.invalid > 0 || plan.fatal.is_some() {
        text.push_str(&format!("\nbad rows: {}", plan.invalid));
    }
    for l in bad_lines(plan) {
        text.push_str(&format!("\n  {l}"));
    }
    text.push_str(if plan.accepted {
        "\naccepted: `coupon campaign create` without --dry-run stores it"
    } else if plan.rows == 0 && plan.errors_total == 0 {
        "\nrefused: the file has no rows"
    } else {
        "\nrefused: fix the lines listed (or give --skip-invalid to leave them out)"
    });
    text
}
