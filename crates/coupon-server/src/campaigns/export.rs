//! `GET /v1/campaigns/{name}/export`: every row of a campaign in line order, with the columns of `coupon
//! campaign export`, as CSV or JSON, streamed a page at a time. Phone numbers are always masked; the PIN
//! is in clear only for a key with the `pins` scope, and only where the campaign stores PINs.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use coupon_campaign::export::{COLUMNS, HISTORY_COLUMNS, Shown, fields, history_fields, history_json, row_json};
use coupon_journal::{Campaign, Journal, RowState};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use http::{HeaderValue, header};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{journal_problem, load, require};
use crate::auth::{Caller, Scope};
use crate::problem::{ApiResult, Problem};
use crate::reads::query_problem;
use crate::state::AppState;

/// Rows read from the journal per chunk of the answer.
const PAGE: usize = 500;

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (default) or `json` (one array of objects, the extra columns under `extra`).
    pub format: Option<String>,
    /// Only the rows in this state (`pending`, `sending`, `issued`, `refused`, `unknown`, `not_issued`).
    pub state: Option<String>,
    /// `true`: instead of the rows, every change of a coupon's state (line, from, to, at, source).
    pub history: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Csv,
    Json,
}

/// Every row of the campaign (or, with `history=true`, every change of a coupon's state), in line order.
#[utoipa::path(get, path = "/v1/campaigns/{name}/export", tag = "campaigns",
    params(("name" = String, Path, description = "the campaign"), ExportParams),
    responses((status = 200, description = "CSV (`text/csv`) with the fixed columns then the input's own, or a JSON array", content_type = "text/csv", body = String),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    require(&caller)?;
    let Query(p) = params.map_err(query_problem)?;
    let format = match p.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some(other) => return Err(Problem::invalid("format", format!("`format` is csv or json; `{other}` given"))),
    };
    let row_state = p
        .state
        .as_deref()
        .map(|s| s.parse::<RowState>().map_err(|e| Problem::invalid("state", e.to_string())))
        .transpose()?;
    let history = p.history.unwrap_or(false);
    if history && row_state.is_some() {
        return Err(Problem::invalid("state", "`state` filters rows; the history has none: give one or the other"));
    }
    let c = load(&state, &name).await?;
    let journal = state.journal_arc();
    let body = if history {
        history_stream(journal, c, format)
    } else {
        let show_pins = caller.has(Scope::Pins);
        let extra = match format {
            Format::Csv => extra_columns(&*journal, &c, row_state).await?,
            Format::Json => BTreeSet::new(),
        };
        rows_stream(journal, c, row_state, format, Arc::new(extra), show_pins)
    };
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Json => "application/json",
    };
    let mut response = Body::from_stream(body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

/// A stream of chunks; an error after the first chunk cuts the answer short (its status is sent).
type Chunks = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// The union of the extra columns' names (a first pass, for the CSV's header).
async fn extra_columns(journal: &dyn Journal, c: &Campaign, state: Option<RowState>) -> ApiResult<BTreeSet<String>> {
    let mut extra = BTreeSet::new();
    let mut after = None;
    loop {
        let page = journal.rows(c, state, after, PAGE).await.map_err(journal_problem)?;
        let Some(last) = page.last() else { return Ok(extra) };
        after = Some(last.line);
        for r in &page {
            extra.extend(r.extra.keys().filter(|k| !COLUMNS.contains(&k.as_str())).cloned());
        }
    }
}

fn rows_stream(
    journal: Arc<dyn Journal>,
    c: Campaign,
    state: Option<RowState>,
    format: Format,
    extra: Arc<BTreeSet<String>>,
    show_pins: bool,
) -> Chunks {
    let head = match format {
        Format::Csv => {
            let names = COLUMNS.iter().copied().chain(extra.iter().map(String::as_str));
            csv_record(names.map(str::to_string))
        }
        Format::Json => "[".to_string(),
    };
    let pages = stream::unfold((Some(None::<u64>), true), move |(after, first)| {
        let journal = journal.clone();
        let c = c.clone();
        let extra = extra.clone();
        async move {
            let after = after?;
            let page = match journal.rows(&c, state, after, PAGE).await {
                Ok(page) => page,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (None, first))),
            };
            let last = page.last()?.line;
            let mut chunk = String::new();
            let mut first_row = first;
            for r in &page {
                // Phone numbers are never shown in full over HTTP.
                let shown = Shown { phones: false, pins: show_pins };
                match format {
                    Format::Csv => {
                        let extras = extra.iter().map(|k| r.extra.get(k).cloned().unwrap_or_default());
                        chunk.push_str(&csv_record(fields(r, shown).into_iter().chain(extras)));
                    }
                    Format::Json => {
                        chunk.push_str(if first_row { "\n" } else { ",\n" });
                        chunk.push_str(&row_json(r, shown).to_string());
                    }
                }
                first_row = false;
            }
            Some((Ok(Bytes::from(chunk)), (Some(Some(last)), first_row)))
        }
    });
    let tail = match format {
        Format::Csv => String::new(),
        Format::Json => "\n]\n".to_string(),
    };
    stream::once(async move { Ok(Bytes::from(head)) })
        .chain(pages)
        .chain(stream::once(async move { Ok(Bytes::from(tail)) }))
        .boxed()
}

fn history_stream(journal: Arc<dyn Journal>, c: Campaign, format: Format) -> Chunks {
    let head = match format {
        Format::Csv => csv_record(HISTORY_COLUMNS.iter().map(|c| c.to_string())),
        Format::Json => "[".to_string(),
    };
    let pages = stream::unfold((Some(None::<(u64, i64)>), true), move |(after, first)| {
        let journal = journal.clone();
        let c = c.clone();
        async move {
            let after = after?;
            let page = match journal.history(&c, after, PAGE).await {
                Ok(page) => page,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), (None, first))),
            };
            let last = page.last().map(|h| (h.line, h.id))?;
            let mut chunk = String::new();
            let mut first_entry = first;
            for h in &page {
                match format {
                    Format::Csv => chunk.push_str(&csv_record(history_fields(h).into_iter())),
                    Format::Json => {
                        chunk.push_str(if first_entry { "\n" } else { ",\n" });
                        chunk.push_str(&history_json(h).to_string());
                    }
                }
                first_entry = false;
            }
            Some((Ok(Bytes::from(chunk)), (Some(Some(last)), first_entry)))
        }
    });
    let tail = if format == Format::Json { "\n]\n" } else { "" };
    stream::once(async move { Ok(Bytes::from(head)) })
        .chain(pages)
        .chain(stream::once(async move { Ok(Bytes::from_static(tail.as_bytes())) }))
        .boxed()
}

/// One CSV record with its line end: a field holding a comma, a quote or a line break is quoted, its
/// quotes doubled (RFC 4180).
fn csv_record(fields: impl Iterator<Item = String>) -> String {
    let mut line = String::new();
    for (i, f) in fields.enumerate() {
        if i > 0 {
            line.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&f.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(&f);
        }
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_quotes_or_line_breaks_are_quoted() {
        let record =
            csv_record(["a".to_string(), "b,c".into(), "say \"hi\"".into(), "x\ny".into(), String::new()].into_iter());
        assert_eq!(record, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\n");
    }
}
