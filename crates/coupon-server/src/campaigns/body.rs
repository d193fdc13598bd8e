//! The JSON bodies of the campaign jobs: the flags of `coupon campaign run|reconcile|sync|cancel|resend`,
//! strictly parsed (an unknown field is `400` naming it). Durations are whole seconds.

use std::time::Duration;

use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use coupon_campaign::{Rate, RunOptions};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::state::AppState;

/// A JSON body that may be left out: no body (or only spaces) is `T::default()`; a body is parsed as
/// [`crate::json::StrictJson`] parses it.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type =
            req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| Problem::new(e.status(), "invalid_input", format!("the body could not be read: {e}")))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        crate::json::parse(&bytes, content_type.as_deref()).map(OptionalJson)
    }
}

/// `POST /v1/campaigns/{name}/run`: how this replica sends (every field optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    /// Calls a second for this replica: `10/s`, `600/m`, `0.5/s` (default `5/s`).
    #[schema(example = "10/s")]
    pub rate: Option<String>,
    /// Calls in flight at once (default 4).
    pub concurrency: Option<usize>,
    /// Stop before the campaign could have spent more than this many won (in doubt counts as spent).
    pub max_spend: Option<u64>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: Option<u32>,
    /// How long a claim on rows holds, in seconds (renewed while the job lives; default 60).
    pub lease: Option<u64>,
}

/// `POST /v1/campaigns/{name}/reconcile`: its pace.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileBody {
    /// Calls a second (default `5/s`).
    pub rate: Option<String>,
    /// Calls in flight at once (default 4).
    pub concurrency: Option<usize>,
}

/// `POST /v1/campaigns/{name}/sync`: its pace, and which coupons to ask about.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncBody {
    /// Calls a second (default `5/s`).
    pub rate: Option<String>,
    /// Calls in flight at once (default 4).
    pub concurrency: Option<usize>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: Option<u32>,
    /// Skip coupons checked more recently than this many seconds (default: ask about every coupon not yet
    /// used, cancelled or expired).
    pub stale: Option<u64>,
}

/// `POST /v1/campaigns/{name}/cancel`: which coupons (at least one condition: a cancel moves money), and
/// how. Every condition given must hold.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Only coupons the last sync saw unused.
    #[serde(default)]
    pub unused: bool,
    /// Only coupons whose validity ends within this many days (KST).
    pub expiring_within_days: Option<u32>,
    /// Only these rows, by key.
    pub rows: Option<Vec<String>>,
    /// Answer how many coupons would be cancelled and the refund; send nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// The oldest a coupon's last sync may be, in seconds, for `unused` / `expiring_within_days`; older rows
    /// are synced first (default 3600).
    pub max_age: Option<u64>,
    /// Refuse instead of syncing rows older than `max_age`.
    #[serde(default)]
    pub no_sync: bool,
    /// Calls a second (default `5/s`).
    pub rate: Option<String>,
    /// Calls in flight at once (default 4).
    pub concurrency: Option<usize>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: Option<u32>,
    /// How long a claim on rows holds, in seconds (default 60).
    pub lease: Option<u64>,
}

/// `POST /v1/campaigns/{name}/resend`: which rows (`rows`, or `undelivered`), never twice within
/// `not_within` seconds.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendBody {
    /// These rows, by key.
    pub rows: Option<Vec<String>>,
    /// The rows the vendor reported undelivered at the last sync.
    #[serde(default)]
    pub undelivered: bool,
    /// Skip rows resent less than this many seconds ago (default 3600), so a repeat after a crash resends
    /// nothing twice.
    pub not_within: Option<u64>,
    /// Calls a second (default `5/s`).
    pub rate: Option<String>,
    /// Calls in flight at once (default 4).
    pub concurrency: Option<usize>,
    /// Stop after this many transport failures in a row (default 5).
    pub breaker: Option<u32>,
}

/// The run options from a body's pace fields, each checked as the CLI checks its flag; the job's leases
/// carry this replica's name.
pub fn pace(
    worker: &str,
    rate: Option<&str>,
    concurrency: Option<usize>,
    breaker: Option<u32>,
) -> Result<RunOptions, Problem> {
    let mut options = RunOptions::new().worker(worker);
    if let Some(rate) = rate {
        let rate: Rate = rate.parse().map_err(|e: String| Problem::invalid("rate", format!("`rate`: {e}")))?;
        options = options.rate(rate);
    }
    if let Some(n) = concurrency {
        options = options.concurrency(at_least_one("concurrency", n as u64)? as usize);
    }
    if let Some(n) = breaker {
        options = options.breaker(at_least_one("breaker", u64::from(n))? as u32);
    }
    Ok(options)
}

/// A count that must be 1 or more (the library would raise a 0 silently).
fn at_least_one(field: &str, n: u64) -> Result<u64, Problem> {
    if n == 0 {
        return Err(Problem::invalid(field, format!("`{field}` must be 1 or more; 0 given")));
    }
    Ok(n)
}

/// A duration in whole seconds, more than zero.
pub fn seconds(field: &str, n: u64) -> Result<Duration, Problem> {
    Ok(Duration::from_secs(at_least_one(field, n)?))
}
