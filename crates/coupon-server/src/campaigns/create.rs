//! `POST /v1/campaigns`: a CSV upload checked whole, then stored as a campaign (or, with `dry_run`, only
//! checked: what would be sent and its total), as `coupon campaign create` does.

use std::collections::BTreeMap;
use std::io::Cursor;

use axum::Json;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use coupon_campaign::Plan;
use coupon_campaign_input::{Encoding, Options, RequestFields, parse_won};
use coupon_core::{PhoneNumber, op};
use coupon_journal::CampaignSpec;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{campaign_problem, require};
use crate::auth::Caller;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// The form of `POST /v1/campaigns` (`multipart/form-data`): the file, and the options of `coupon campaign
/// create` as text parts. A request field's part (`product`, `callback`, `title`, `message`, …) is the
/// campaign-wide value for the rows whose column is empty or missing; `title` and `message` are templates
/// (`{name}`, `{column}`). A part of another name is refused, named.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct CreateForm {
    /// The CSV file: a header with `phone` (required), and optionally `name`, the request fields' columns
    /// (`goods`, `product_name`, `callback`, `title`, `content_template`, `amount`, `memo`), `key`, and
    /// columns of your own.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The campaign's name, unique in the journal (a name that exists imports the file into it again).
    name: String,
    /// The vendor: a configured adapter that issues.
    vendor: String,
    /// The vendor's product id (the CSV's `goods`; `goods` is accepted as the part's name too).
    product: Option<String>,
    /// The product name, where the vendor wants it repeated.
    product_name: Option<String>,
    /// The reply number shown to recipients.
    callback: Option<String>,
    /// The message title (a template).
    title: Option<String>,
    /// The message body (a template; `content_template` is accepted as the part's name too).
    message: Option<String>,
    /// The amount expected to be paid per coupon, in won.
    amount: Option<String>,
    /// A free value the vendor echoes back.
    memo: Option<String>,
    /// `auto` (default: UTF-8 or CP949, detected), `utf8` or `cp949`.
    encoding: Option<String>,
    /// `true`: accept the same phone number with the same goods on several rows.
    allow_duplicate_recipients: Option<bool>,
    /// `true`: leave the bad rows out (listed) instead of refusing the file.
    skip_invalid: Option<bool>,
    /// `true`: keep issued PINs in clear in the journal (otherwise masked and hashed only).
    store_pins: Option<bool>,
    /// `true`: check the file and answer what would be sent and its total; store nothing.
    dry_run: Option<bool>,
}

/// The parts that are options (not request fields).
const OPTION_PARTS: [&str; 7] =
    ["name", "vendor", "encoding", "allow_duplicate_recipients", "skip_invalid", "store_pins", "dry_run"];

/// Creates a campaign from an uploaded CSV file: the file is checked whole (the file's rules, the
/// vendor's own checks and catalog) before anything is stored; a file with a bad row is refused whole,
/// every bad line listed (`lines`), unless `skip_invalid`. Sends nothing: `POST …/run` does.
///
/// `201` created; `200` the campaign existed and the file was imported into it again (only the rows it did
/// not have are added), or a dry run's plan; `400` a bad file or option; `404` an unknown vendor; `413` a
/// file beyond the upload limit.
#[utoipa::path(post, path = "/v1/campaigns", tag = "campaigns",
    request_body(content = CreateForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "the campaign: added, known_keys_skipped, existed, invalid_left_out, lines, total, …", body = Object),
              (status = 200, description = "a dry run's plan (accepted, rows, invalid, goods, total, errors), or an import into an existing campaign", body = Object),
              (status = 400, description = "a bad file (`lines`: every bad line) or option", body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 413, body = Problem), (status = 415, description = "not multipart/form-data", body = Problem),
              (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    require(&caller)?;
    let mut form = form.map_err(|e| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_input",
            format!("send the file as multipart/form-data (a `file` part and the options as text parts): {e}"),
        )
        .field("Content-Type")
    })?;
    let upload_limit = state.config().upload_limit;
    let too_large = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the upload is larger than this service's limit of {upload_limit} bytes"),
            )
            .with("limit_bytes", upload_limit)
        } else {
            Problem::invalid("body", format!("the multipart body could not be read: {}", e.body_text()))
        }
    };
    let mut file: Option<Bytes> = None;
    let mut parts: BTreeMap<String, String> = BTreeMap::new();
    let mut fields = RequestFields::default();
    while let Some(part) = form.next_field().await.map_err(too_large)? {
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            if file.is_some() {
                return Err(Problem::invalid("file", "the `file` part is given twice"));
            }
            file = Some(part.bytes().await.map_err(too_large)?);
            continue;
        }
        let field = if OPTION_PARTS.contains(&name.as_str()) {
            None
        } else {
            let field = if name == "product" {
                RequestFields::field_named("product_id")
            } else {
                RequestFields::field_named(&name)
            };
            Some(field.ok_or_else(|| unknown_part(&name))?)
        };
        let text = part.text().await.map_err(too_large)?;
        let twice = match field {
            Some(f) => {
                let before = fields.get(f).is_some();
                fields.set(f, Some(text).filter(|t| !t.is_empty()));
                before
            }
            None => parts.insert(name.clone(), text).is_some(),
        };
        if twice {
            return Err(Problem::invalid(name.clone(), format!("the part `{name}` is given twice")));
        }
    }
    let text = |name: &str| parts.get(name).map(String::as_str);
    let name = text("name").filter(|n| !n.is_empty()).ok_or_else(|| missing("name"))?.to_string();
    let vendor = text("vendor").filter(|v| !v.is_empty()).ok_or_else(|| missing("vendor"))?;
    let file = file.ok_or_else(|| missing("file"))?;
    let options = Options {
        encoding: encoding(text("encoding"))?,
        defaults: checked(fields)?,
        allow_duplicate_recipients: flag(&parts, "allow_duplicate_recipients")?,
        skip_invalid: flag(&parts, "skip_invalid")?,
        ..Options::default()
    };
    let store_pins = flag(&parts, "store_pins")?;
    let adapter = state.adapter_for(vendor, "vendor", op::ISSUE)?;
    if flag(&parts, "dry_run")? {
        let plan = coupon_campaign::plan(&*adapter, Cursor::new(file), &options).await.map_err(campaign_problem)?;
        let mut doc = plan.to_json();
        doc["campaign"] = json!(name);
        doc["vendor"] = json!(adapter.vendor().as_str());
        doc["dry_run"] = json!(true);
        return Ok((StatusCode::OK, Json(doc)).into_response());
    }
    let spec = CampaignSpec {
        name: name.clone(),
        vendor: adapter.vendor().to_string(),
        defaults: options.defaults.clone(),
        store_pins,
    };
    let created =
        coupon_campaign::create(state.journal(), &*adapter, &spec, || Ok(Cursor::new(file.clone())), &options)
            .await
            .map_err(campaign_problem)?;
    let plan = &created.plan;
    let doc = json!({
        "campaign": created.campaign.name,
        "vendor": created.campaign.vendor,
        "existed": created.existed,
        "added": created.stored.added,
        "known_keys_skipped": created.stored.known_keys_skipped,
        "invalid_left_out": plan.invalid,
        "lines": lines_json(plan),
        "errors_total": plan.errors_total,
        "total": plan.total,
        "store_pins": created.campaign.store_pins,
        "warning": created.warning,
    });
    let status = if created.existed { StatusCode::OK } else { StatusCode::CREATED };
    let mut response = (status, Json(doc)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/campaigns/{}", path_segment(&created.campaign.name))) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

fn unknown_part(name: &str) -> Problem {
    let mut known: Vec<&str> = vec!["file"];
    known.extend(OPTION_PARTS);
    known.push("product");
    known.extend(RequestFields::FIELDS.iter().filter(|f| f.name != "product_id").map(|f| f.column));
    Problem::invalid(name, format!("unknown part `{name}`: the parts are {}", known.join(", ")))
}

fn missing(part: &str) -> Problem {
    Problem::invalid(part, format!("the `{part}` part is missing"))
}

/// A `true`/`false` part (missing: false).
fn flag(parts: &BTreeMap<String, String>, name: &str) -> Result<bool, Problem> {
    match parts.get(name).map(|v| v.trim()) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Problem::invalid(name, format!("`{name}` is `true` or `false`; `{other}` given"))),
    }
}

fn encoding(given: Option<&str>) -> Result<Encoding, Problem> {
    match given.map(str::trim) {
        None | Some("auto") => Ok(Encoding::Auto),
        Some("utf8" | "utf-8") => Ok(Encoding::Utf8),
        Some("cp949" | "euc-kr") => Ok(Encoding::Cp949),
        Some(other) => Err(Problem::invalid("encoding", format!("`encoding` is auto, utf8 or cp949; `{other}` given"))),
    }
}

/// The campaign-wide values, the reply number and the amount checked before the file is read (as the CLI's
/// flags are); the amount kept as its digits.
fn checked(mut fields: RequestFields) -> Result<RequestFields, Problem> {
    if let Some(callback) = &fields.callback {
        PhoneNumber::parse_field("callback", callback).map_err(|e| Problem::from(e).field("callback"))?;
    }
    if let Some(amount) = &fields.amount {
        let won = parse_won("amount", amount).map_err(|e| Problem::from(e).field("amount"))?;
        fields.amount = Some(won.get().to_string());
    }
    Ok(fields)
}

/// A refused file: `400`, every listed bad line under `lines`, nothing stored.
pub fn refused(plan: &Plan) -> Problem {
    let why = if plan.rows == 0 && plan.errors_total == 0 {
        "the file has no rows".to_string()
    } else {
        let more = plan.errors_total.saturating_sub(plan.errors.len() as u64);
        format!(
            "{} bad row(s){}{}: fix the lines listed (or send skip_invalid=true to leave the bad rows out)",
            plan.invalid,
            plan.fatal.as_ref().map(|e| format!(", and line {}: {}", e.line, e.message)).unwrap_or_default(),
            if more > 0 { format!(" ({more} more not listed)") } else { String::new() },
        )
    };
    Problem::invalid("file", format!("the file was refused, nothing was stored: {why}"))
        .with("lines", lines_json(plan))
        .with("errors_total", plan.errors_total)
        .with("invalid", plan.invalid)
}

/// Every listed bad line: `{"line", "field" (the column, when the error is about one), "message", "fatal"}`.
/// The reader's messages never hold a phone number.
fn lines_json(plan: &Plan) -> Value {
    json!(
        plan.errors
            .iter()
            .map(|e| json!({"line": e.line, "field": e.column, "message": e.message, "fatal": e.fatal}))
            .collect::<Vec<_>>()
    )
}

/// A campaign name as one path segment (percent-encoded where it must be).
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
