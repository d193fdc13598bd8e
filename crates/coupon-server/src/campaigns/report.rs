//! `GET /v1/campaigns/{name}/report`: the page people open in a browser (one self-contained HTML page,
//! no script, prints on A4), or its data as JSON: the numbers `GET /v1/campaigns/{name}` shows.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{campaign_problem, load, require};
use crate::auth::Caller;
use crate::problem::{ApiResult, Problem};
use crate::reads::query_problem;
use crate::state::AppState;

/// Which form of the report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `html` (default) or `json`.
    pub format: Option<String>,
    /// The window of "expiring soon", in days (default 7).
    pub expiring_within_days: Option<u32>,
}

/// The campaign's report: headline numbers, the funnel, redemptions by day, spend against refunds, goods
/// by state, the rows in doubt.
#[utoipa::path(get, path = "/v1/campaigns/{name}/report", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign"), ReportParams),
    responses((status = 200, description = "the page (`text/html`), or its data (`application/json`)", content_type = "text/html", body = String),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    params: Result<Query<ReportParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    require(&caller)?;
    let Query(p) = params.map_err(query_problem)?;
    let html = match p.format.as_deref() {
        None | Some("html") => true,
        Some("json") => false,
        Some(other) => return Err(Problem::invalid("format", format!("`format` is html or json; `{other}` given"))),
    };
    let c = load(&state, &name).await?;
    let data = coupon_campaign::build_report(state.journal(), &c, p.expiring_within_days.unwrap_or(7))
        .await
        .map_err(campaign_problem)?;
    if !html {
        return Ok(Json(data).into_response());
    }
    let mut page = Vec::new();
    coupon_campaign::report::write_html(&data, &mut page)
        .map_err(|e| Problem::internal(format!("the report page could not be written: {e}")))?;
    let mut response = page.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Ok(response)
}
