//! `coupon campaign demo`: a campaign's whole life on the embedded sandbox, through the
//! same library functions the other commands call. A few hundred rows are issued, the
//! sandbox plays the next two weeks forward (coupons used day by day, some expiring
//! soon, a few expired), `sync` reads what became of them, `cancel --unused
//! --expiring-within 3d` refunds what would expire, and the report is written as a page
//! to open in a browser.
//!
//! Nothing here names a vendor: the campaign runs on the first installed adapter (or
//! `--vendor`) that issues by message, reads a coupon's state and cancels, and whose
//! emulator can age a campaign.

use std::sync::Arc;

use clap::Args;
use coupon::{Adapter, Capabilities, Error, Registry};
use coupon_campaign::{CancelOptions, CancelSelection, RunOptions, Runner, SyncOptions};
use coupon_journal::{CampaignSpec, Journal, RequestFields};
use coupon_sandbox::{AgeExpire, AgeRedeem, AgeRequest, AgeValidUntil, Pick, Sandbox, Spread};
use serde_json::json;
use tokio::sync::watch;

use super::campaign_failure;
use crate::commands::Ctx;
use crate::failure::{CliResult, Failure};

/// `coupon campaign demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many rows the demo campaign has.
    #[arg(long, value_name = "N", default_value_t = 300)]
    rows: usize,
    /// Where the report is written.
    #[arg(long, value_name = "FILE", default_value = "coupon-campaign-demo.html")]
    html: String,
    /// The vendor to run it on (default: the first installed one that can).
    #[arg(long, value_name = "NAME")]
    vendor: Option<String>,
}

/// What the campaign demo needs of a vendor.
fn fits(caps: &Capabilities) -> bool {
    caps.issue && caps.issue_delivers && caps.status && caps.cancel
}

/// The share of coupons the demo's two weeks use, expire soon, or expire.
const USED: f64 = 0.45;
const EXPIRING: f64 = 0.25;
const EXPIRED: f64 = 0.05;

/// Runs `coupon campaign demo`.
pub async fn run(args: &DemoArgs, ctx: &Ctx) -> CliResult<u8> {
    let out = &ctx.out;
    if args.rows == 0 || args.rows > 10_000 {
        return Err(super::run::usage("rows", format!("--rows must be 1 to 10,000; {} given", args.rows)));
    }
    let sandbox = Sandbox::start().await.map_err(|e| Failure::from(Error::config(e.to_string())))?;
    let state = sandbox.state();
    let factory = Registry::from_inventory()
        .factories()
        .filter(|f| args.vendor.as_deref().is_none_or(|v| v == f.name))
        .find(|f| fits(&f.capabilities) && state.records(f.name).is_ok())
        .ok_or_else(|| {
            Failure::from(Error::config(match &args.vendor {
                Some(v) => format!("`{v}` cannot run the campaign demo (it needs issue by message, status and cancel)"),
                None => "no installed adapter can run the campaign demo".into(),
            }))
        })?;
    let vendor = factory.name;
    let emulator = state.emulators().iter().find(|e| e.name() == vendor).cloned();
    let Some(emulator) = emulator else {
        return Err(Failure::from(Error::config(format!("the sandbox does not emulate `{vendor}`"))));
    };
    let toml = emulator.config_section(&sandbox.vendor_url(vendor));
    let config = coupon::config::CouponConfig::parse(&toml, "the sandbox configuration", Vec::new())?;
    let adapter: Arc<dyn Adapter> = Registry::from_inventory().build(config.require(vendor)?)?;
    let sample = state.samples().get(vendor).and_then(|s| s.issue.clone());
    let Some(sample) = sample else {
        return Err(Failure::from(Error::config(format!("the sandbox has no issue sample for `{vendor}`"))));
    };
    let dir = tempfile::tempdir().map_err(|e| Failure::from(Error::config(format!("a temporary folder: {e}"))))?;
    let said = |line: String| out.note(line);
    said(format!("coupon campaign demo: the sandbox is on {} (loopback); a campaign on {vendor}", sandbox.base_url()));

    let result = async {
        let journal_url = format!("sqlite:{}", dir.path().join("demo.db").display());
        let journal: Arc<dyn Journal> = Arc::from(coupon_journal::open(&journal_url).await.map_err(super::journal_failure)?);
        let csv = dir.path().join("winners.csv");
        std::fs::write(&csv, winners(args.rows))
            .map_err(|e| Failure::from(Error::config(format!("writing the demo's CSV: {e}"))))?;
        let defaults = RequestFields {
            product_id: Some(sample.product_id.clone()),
            callback: sample.callback.clone(),
            title: sample.title.clone().or_else(|| Some("봄 이벤트 당첨".into())),
            content_template: Some("{name}님, 당첨을 축하드려요!".into()),
            ..RequestFields::default()
        };
        let options = coupon_campaign_input::Options { defaults, ..coupon_campaign_input::Options::default() };
        let spec = CampaignSpec {
            name: "demo".into(),
            vendor: vendor.to_string(),
            defaults: options.defaults.clone(),
            store_pins: false,
        };
        let created = coupon_campaign::create(&*journal, &*adapter, &spec, || std::fs::File::open(&csv), &options)
            .await
            .map_err(campaign_failure)?;
        let campaign = created.campaign;
        said(format!("1. created `demo`: {} rows from a CSV", args.rows));

        let (_keep, interrupt) = watch::channel(false);
        let fast = RunOptions::new().rate("1000/s".parse().map_err(|e: String| Failure::from(Error::config(e)))?).concurrency(8);
        let runner = Runner::new(Arc::clone(&journal), Arc::clone(&adapter), campaign.clone(), fast.clone())
            .map_err(campaign_failure)?;
        let sent = runner.run(interrupt.clone(), &|_| {}).await.map_err(campaign_failure)?;
        said(format!("2. sent: {} issued", sent.counts.issued));

        let now = coupon::time::now_kst();
        let age = AgeRequest::new(vendor)
            .seed(20_261_207)
            .redeem(AgeRedeem::new(Pick::Fraction(USED)).from(now.to_rfc3339()).over_days(14).spread(Spread::Seed))
            .expire(AgeExpire::new(Pick::Fraction(EXPIRED)))
            .valid_until(AgeValidUntil::in_days(Pick::Fraction(EXPIRING), 2));
        state.age(&age).map_err(|e| Failure::from(Error::config(format!("ageing the campaign: {e}"))))?;
        said("3. two weeks played forward in the sandbox: coupons used day by day, some expiring in 2 days, a few expired".into());

        let synced = coupon_campaign::sync(&*journal, Arc::clone(&adapter), &campaign, &SyncOptions::new(fast.clone()), interrupt.clone(), &|_| {})
            .await
            .map_err(campaign_failure)?;
        let life = coupon_campaign::lifecycle(&*journal, &campaign, 3).await.map_err(campaign_failure)?;
        let c = &life.coupons;
        said(format!(
            "4. synced ({} look-ups, {} reports): used {} · unused {} · expired {}; {} unused expire within 3 days ({})",
            synced.progress.checked,
            synced.progress.reports_read,
            c.used + c.partly_used,
            c.unused,
            c.expired,
            life.expiring.count,
            coupon::Won(u64::try_from(life.expiring.won).unwrap_or(0))
        ));

        let selection = CancelSelection::new().unused(true).expiring_within_days(Some(3));
        let cancelled = coupon_campaign::cancel(
            Arc::clone(&journal),
            Arc::clone(&adapter),
            &campaign,
            &selection,
            &CancelOptions::new(fast),
            interrupt,
            &|_| {},
        )
        .await
        .map_err(campaign_failure)?;
        said(format!(
            "5. cancel --unused --expiring-within 3d: {} cancelled, {} back",
            cancelled.progress.cancelled,
            coupon::Won(u64::try_from(cancelled.refunded_won).unwrap_or(0))
        ));

        let data = coupon_campaign::build_report(&*journal, &campaign, 7).await.map_err(campaign_failure)?;
        let mut file = std::fs::File::create(&args.html)
            .map_err(|e| Failure::from(Error::config(format!("writing {}: {e}", args.html))))?;
        coupon_campaign::report::write_html(&data, &mut file)
            .map_err(|e| Failure::from(Error::config(format!("writing {}: {e}", args.html))))?;
        journal.close().await;
        Ok::<_, Failure>(data)
    }
    .await;
    sandbox.shutdown().await;
    let data = result?;
    let doc = json!({"vendor": vendor, "html": args.html, "report": data});
    out.emit(&doc, || {
        format!(
            "6. wrote {}: open it in a browser (it prints on A4)\n   issued {} · used {} ({} %) · spent {} · refunded {} · net {}",
            args.html,
            data.headline.issued,
            data.headline.used,
            data.headline.used_pct,
            coupon::Won(u64::try_from(data.headline.spent_won).unwrap_or(0)),
            coupon::Won(u64::try_from(data.headline.refunded_won).unwrap_or(0)),
            coupon::Won(u64::try_from(data.headline.net_won).unwrap_or(0)),
        )
    });
    Ok(0)
}

/// A CSV of `n` made-up winners (phone numbers in the 010-5555 range, Korean names).
fn winners(n: usize) -> String {
    const FAMILY: [&str; 8] = ["김", "이", "박", "최", "정", "강", "조", "윤"];
    const GIVEN: [&str; 8] = ["민준", "서연", "도윤", "하은", "시우", "지유", "주원", "서윤"];
    let mut csv = String::from("key,phone,name\n");
    for i in 0..n {
        csv.push_str(&format!(
            "W{:05},010-5555-{:04},{}{}\n",
            i + 1,
            i + 1,
            FAMILY[i % FAMILY.len()],
            GIVEN[(i / FAMILY.len()) % GIVEN.len()]
        ));
    }
    csv
}
