//! Creating a campaign from its CSV: the file checked whole ([`plan()`](crate::plan())), then,
//! if it is accepted, the campaign made (or found, to import into again) and its rows
//! stored in batches by a second pass. Never the whole file in memory.

use std::io::Read;

use coupon_campaign_input::Options;
use coupon_core::Adapter;
use coupon_journal::{Campaign, CampaignSpec, InsertReport, Journal, JournalError};

use crate::error::{CampaignError, Result};
use crate::plan::{Catalog, Plan, pass};

/// The stop reason a campaign carries while `create` is storing its rows: `run`
/// refuses it until the load finishes.
pub const LOADING: &str = "loading: the campaign's create has not finished";

/// What [`create`] stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Created {
    /// The campaign.
    pub campaign: Campaign,
    /// A warning to print (PINs kept in clear).
    pub warning: Option<String>,
    /// The checked file.
    pub plan: Plan,
    /// Rows stored, and rows skipped as already in the campaign.
    pub stored: InsertReport,
    /// Whether the campaign existed: the file was imported into it again, adding
    /// only the rows it did not have (by key; keyless rows by line).
    pub existed: bool,
}

/// The longest campaign name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A campaign's name is typed on command lines and shown in tables: 1 to
/// [`MAX_NAME_CHARS`] characters, not only spaces, no control characters.
fn check_name(name: &str) -> Result<()> {
    let n = name.chars().count();
    let why = if name.trim().is_empty() {
        "is empty".to_owned()
    } else if n > MAX_NAME_CHARS {
        format!("is {n} characters; the limit is {MAX_NAME_CHARS}")
    } else if let Some(i) = name.chars().position(char::is_control) {
        format!("has a control character (character {})", i + 1)
    } else {
        return Ok(());
    };
    Err(CampaignError::Invalid(format!("the campaign name {why}")))
}

/// Checks the whole file (from `open()`), then, if it is accepted, creates the
/// campaign and stores its rows (from a second `open()`). A refused file stores
/// nothing: the answer is [`CampaignError::Refused`] with the plan listing every bad line.
/// If the campaign exists (same vendor), the file is imported into it again: rows it
/// has already (by key, or keyless at the same line) add nothing ([`Created::existed`]).
/// A name that cannot be a campaign's is [`CampaignError::Invalid`], before anything is read.
pub async fn create<R: Read>(
    journal: &dyn Journal,
    adapter: &dyn Adapter,
    spec: &CampaignSpec,
    mut open: impl FnMut() -> std::io::Result<R>,
    options: &Options,
) -> Result<Created> {
    check_name(&spec.name)?;
    if adapter.vendor().as_str() != spec.vendor {
        return Err(CampaignError::Invalid(format!(
            "the campaign is for `{}` but the adapter is `{}`",
            spec.vendor,
            adapter.vendor()
        )));
    }
    let io =
        |e: std::io::Error| CampaignError::from(JournalError::Io { path: "the campaign's input".into(), source: e });
    let mut catalog = Catalog::default();
    let plan = pass(adapter, &mut catalog, open().map_err(io)?, options, None).await?;
    if !plan.accepted {
        return Err(CampaignError::Refused(Box::new(plan)));
    }
    // A campaign that exists is imported into again: its known rows add nothing, so a
    // create that died half way, or a file that has grown, is finished by running it again.
    let (campaign, warning, existed) = match journal.create_campaign(spec).await {
        Ok(made) => (made.campaign, made.warning, false),
        Err(JournalError::CampaignExists(_)) => {
            let campaign = journal.campaign(&spec.name).await?;
            if campaign.vendor != spec.vendor {
                return Err(CampaignError::Invalid(format!(
                    "campaign `{}` exists and issues through `{}`, not `{}`",
                    spec.name, campaign.vendor, spec.vendor
                )));
            }
            (campaign, None, true)
        }
        Err(e) => return Err(e.into()),
    };
    // While loading, a new campaign cannot run; one that existed keeps running (and its stop, if any).
    let loading = !existed || campaign.stop_reason.as_deref() == Some(LOADING);
    if loading {
        journal.set_stop(&campaign, Some(LOADING.to_owned())).await?;
    }
    let mut stored = InsertReport::default();
    let second =
        pass(adapter, &mut catalog, open().map_err(io)?, options, Some((journal, &campaign, &mut stored))).await?;
    if second.rows != plan.rows || second.invalid != plan.invalid {
        return Err(CampaignError::Invalid(format!(
            "the input changed while it was being stored ({} valid rows, then {}); campaign `{}` is left unloaded",
            plan.rows, second.rows, campaign.name
        )));
    }
    if loading {
        journal.set_stop(&campaign, None).await?;
    }
    let campaign = journal.campaign(&campaign.name).await?;
    Ok(Created { campaign, warning, plan, stored, existed })
}
