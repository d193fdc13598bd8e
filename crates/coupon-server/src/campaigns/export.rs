//! `GET /v1/campaigns/{name}/export`: every row of a campaign in line order, with the columns of `coupon
//! campaign export`, as CSV or JSON, streamed a page at a time. Phone numbers are always masked; the PIN
//! is in clear only for a key with the `pins` scope, and only where the campaign stores PINs.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use coupon_core::chrono::{DateTime, Utc};
use coupon_journal::{Campaign, Journal, Row, RowState};
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use http::{HeaderValue, header};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::{journal_problem, load, require};
use crate::auth::{Caller, Scope};
use crate::problem::{ApiResult, Problem};
use crate::reads::query_problem;
use crate::state::AppState;

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
                let f = fields(r, show_pins);
                match format {
                    Format::Csv => {
                        let extras = extra.iter().map(|k| r.extra.get(k).cloned().unwrap_or_default());
                        chunk.push_str(&csv_record(f.into_iter().chain(extras)));
                    }
                    Format::Json => {
                        chunk.push_str(if first_row { "\n" } else { ",\n" });
                        chunk.push_str(&row_json(r, &f).to_string());
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
        Format::Csv => "line,from,to,at,source\n",
        Format::Json => "[",
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
                let from = h.from.map(|s| s.as_str());
                match format {
                    Format::Csv => chunk.push_str(&csv_record(
                        [
                            h.line.to_string(),
                            from.unwrap_or("").to_string(),
                            h.to.as_str().to_string(),
                            kst(&h.at),
                            h.source.as_str().to_string(),
                        ]
                        .into_iter(),
                    )),
                    Format::Json => {
                        let doc = json!({"line": h.line, "from": from, "to": h.to.as_str(), "at": kst(&h.at),
                                         "source": h.source.as_str()});
                        chunk.push_str(if first_entry { "\n" } else { ",\n" });
                        chunk.push_str(&doc.to_string());
                    }
                }
                first_entry = false;
            }
            Some((Ok(Bytes::from(chunk)), (Some(Some(last)), first_entry)))
        }
    });
    let tail = if format == Format::Json { "\n]\n" } else { "" };
    stream::once(async move { Ok(Bytes::from_static(head.as_bytes())) })
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

/// A moment as RFC 3339 in KST, as the CLI prints every time.
fn kst(t: &DateTime<Utc>) -> String {
    t.with_timezone(&coupon_core::time::kst()).to_rfc3339()
}

/// The fixed fields of a row as text (`""` for none), in [`COLUMNS`] order.
fn fields(r: &Row, show_pins: bool) -> [String; 22] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let pin = match (&r.pin, show_pins) {
        (Some(pin), true) => pin.expose().to_string(),
        _ => o(&r.pin_masked),
    };
    [
        r.line.to_string(),
        o(&r.key),
        super::mask_phone(&r.phone),
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

/// A row as JSON: the same fields, `null` for none, the extra columns under `extra`.
fn row_json(r: &Row, f: &[String; 22]) -> Value {
    let text = |i: usize| if f[i].is_empty() { Value::Null } else { json!(f[i]) };
    let mut doc = serde_json::Map::new();
    for (i, column) in COLUMNS.iter().enumerate() {
        doc.insert((*column).to_string(), text(i));
    }
    doc.insert("line".into(), json!(r.line));
    doc.insert("phone".into(), json!(f[2]));
    doc.insert("partner_ref".into(), json!(f[5]));
    doc.insert("state".into(), json!(f[6]));
    doc.insert("attempts".into(), json!(r.attempts));
    doc.insert("price".into(), json!(r.price));
    doc.insert("extra".into(), json!(r.extra));
    Value::Object(doc)
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
