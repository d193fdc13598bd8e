//! `coupon-campaign`: the campaign engine. Many coupons from one file, each issued
//! exactly once across crashes, on any [`coupon_journal::Journal`] and through any
//! [`coupon_core::Adapter`].
//!
//! - [`create()`] checks a whole CSV (the file's rules, the adapter's
//!   [`coupon_core::Adapter::check_issue`], the vendor catalog) and stores its rows;
//!   [`plan()`] is the same check as a dry run.
//! - [`Runner`] sends: it claims rows, commits the intent (`sending`) before any
//!   request leaves, records each outcome, settles every doubt with the vendor's
//!   own means (chosen by [`coupon_core::Capabilities`] alone), paces itself with a
//!   token bucket, and stops on an account refusal, a spending cap or a run of
//!   transport failures ([`Stop`]).
//!
//! The journal is storage only: what it guarantees (durable intents, leases, the
//! rows' state machine) is what this engine builds on. It knows no vendor: the
//! adapter comes from the caller (the facade's registry, `coupon::Adapters`).
//!
//! ```no_run
//! # async fn example(adapter: std::sync::Arc<dyn coupon_core::Adapter>) -> coupon_campaign::Result<()> {
//! use std::sync::Arc;
//! use coupon_campaign::{RunOptions, Runner};
//! use coupon_journal::{CampaignSpec, RequestFields};
//!
//! let journal: Arc<dyn coupon_journal::Journal> = Arc::from(coupon_journal::open("sqlite:campaigns.db").await?);
//! let spec = CampaignSpec {
//!     name: "spring-event".into(),
//!     vendor: adapter.vendor().to_string(),
//!     defaults: RequestFields::default(),
//!     store_pins: false,
//! };
//! let mut options = coupon_campaign_input::Options::default();
//! options.defaults.product_id = Some("0000000582".into());
//! let created =
//!     coupon_campaign::create(&*journal, &*adapter, &spec, || std::fs::File::open("winners.csv"), &options).await?;
//! let runner = Runner::new(journal, adapter, created.campaign, RunOptions::default())?;
//! let (_stop, interrupt) = tokio::sync::watch::channel(false);
//! let report = runner.run(interrupt, &|_progress| {}).await?;
//! println!("{:?}", report.end);
//! # Ok(()) }
//! ```
//!
//! See `docs/campaigns.md`.

pub mod create;
pub mod error;
pub mod export;
pub mod life;
pub mod outcome;
pub mod plan;
pub mod rate;
mod recorder;
pub mod report;
pub mod request;
pub mod run;
pub mod stop;

pub use create::{Created, LOADING, MAX_NAME_CHARS, create};
pub use error::{CampaignError, Result};
pub use life::{
    CancelOptions, CancelPreview, CancelProgress, CancelReport, CancelSelection, Lifecycle, ResendOptions,
    ResendReport, ResendSelection, SyncOptions, SyncProgress, SyncReport, build_report, cancel, lifecycle,
    preview_cancel, resend, sync,
};
pub use plan::{Plan, PlanLine, plan};
pub use rate::Rate;
pub use run::{Progress, RunEnd, RunOptions, RunReport, Runner};
pub use stop::Stop;
