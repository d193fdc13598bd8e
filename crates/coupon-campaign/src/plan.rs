//! Checking a campaign's CSV: every row through the file's own rules, the adapter's
//! [`Adapter::check_issue`] and the vendor catalog where the adapter has one, in one
//! streaming pass that never holds the whole file. The dry run is one pass; `create`
//! makes a second one that stores the rows as it goes.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use coupon_campaign_input::{InputRow, LineError, Options, Reader, RequestFields};
use coupon_core::{Adapter, Capabilities, Error, ErrorKind};
use coupon_journal::{Campaign, InsertReport, Journal, NewRow, refs};

use crate::error::{CampaignError, Result};
use crate::request::issue_request;

/// Rows stored per transaction.
const BATCH: usize = 1_000;

/// What a campaign would send, per product.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanLine {
    /// The product id.
    pub goods: String,
    /// The product's name in the catalog, when known.
    pub name: Option<String>,
    /// Rows of it.
    pub rows: u64,
    /// Its unit price in won: the row's amount, else the catalog's price (`None`: unknown).
    pub unit_price: Option<i64>,
    /// rows × unit price, when the price is known (rows with different amounts are summed).
    pub total: Option<i64>,
}

/// The checked file: what would be sent, and what is wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// Rows that passed every check.
    pub rows: u64,
    /// Rows refused.
    pub invalid: u64,
    /// The errors, in line order, up to the options' `max_listed_errors`.
    pub errors: Vec<LineError>,
    /// How many errors in all.
    pub errors_total: u64,
    /// The error that stopped the reading, if one did.
    pub fatal: Option<LineError>,
    /// Per product, in the order first seen.
    pub goods: Vec<PlanLine>,
    /// The total in won, when every row's price is known.
    pub total: Option<i64>,
    /// Whether the campaign may be created: no fatal error, and no bad row unless `skip_invalid`.
    pub accepted: bool,
}

impl Plan {
    /// The plan as one JSON document, as a dry run answers it (the command line's `--dry-run --json` and the
    /// service's): `accepted`, `rows`, `invalid`, `goods` (each `goods`, `name`, `rows`, `unit_price`,
    /// `total`), `total`, `errors` (each `line`, `column`, `message`, `fatal`) and `errors_total`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "accepted": self.accepted,
            "rows": self.rows,
            "invalid": self.invalid,
            "goods": self.goods.iter().map(|g| serde_json::json!({
                "goods": g.goods,
                "name": g.name,
                "rows": g.rows,
                "unit_price": g.unit_price,
                "total": g.total,
            })).collect::<Vec<_>>(),
            "total": self.total,
            "errors": self.errors.iter().map(|e| serde_json::json!({
                "line": e.line, "column": e.column, "message": e.message, "fatal": e.fatal,
            })).collect::<Vec<_>>(),
            "errors_total": self.errors_total,
        })
    }
}

/// A product's name and price from the catalog, or why the product cannot be used.
type Found = std::result::Result<(Option<String>, Option<i64>), String>;

/// Prices and names from the vendor's catalog, each product asked once.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    known: HashMap<String, Found>,
}

impl Catalog {
    /// The product's name and price, or what is wrong with it (a row error).
    async fn look_up(&mut self, adapter: &dyn Adapter, caps: &Capabilities, goods: &str) -> Result<Found> {
        if !caps.product_detail {
            return Ok(Ok((None, None)));
        }
        if let Some(found) = self.known.get(goods) {
            return Ok(found.clone());
        }
        let found = match adapter.product(goods).await {
            Ok(p) => Ok((Some(p.name), p.sale_price.or(p.price).map(|w| i64::try_from(w.0).unwrap_or(i64::MAX)))),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidInput) => {
                Err(format!("`{goods}` is not a product of {}'s catalog: {}", adapter.vendor(), e.message()))
            }
            Err(e) => {
                return Err(CampaignError::Invalid(format!(
                    "cannot check product `{goods}` in {}'s catalog, so nothing was stored: {e}",
                    adapter.vendor()
                )));
            }
        };
        self.known.insert(goods.to_owned(), found.clone());
        Ok(found)
    }
}

/// The column an adapter's field (its error's [`Error::field`]) comes from, for error
/// messages: the recipient's is `phone`; a request field's is its own.
fn column_of(field: &str) -> &str {
    match field {
        "recipient" | "mdn" => "phone",
        other => RequestFields::field_named(other).map_or(other, |f| f.column),
    }
}

fn to_new_row(row: InputRow) -> NewRow {
    NewRow {
        line: row.line,
        key: row.key,
        phone: row.phone.expose_digits().to_owned(),
        name: row.name,
        request: row.request,
        extra: row.extra.into_iter().collect::<BTreeMap<_, _>>(),
        price: None,
    }
}

/// One row through the adapter's and the catalog's checks.
async fn check(
    adapter: &dyn Adapter,
    caps: &Capabilities,
    catalog: &mut Catalog,
    row: InputRow,
) -> Result<std::result::Result<(NewRow, Option<String>), LineError>> {
    let line = row.line;
    let mut new = to_new_row(row);
    let probe_ref = refs::partner_ref("CHECKING", line.min(refs::MAX_LINE))?;
    let checked: std::result::Result<(), Error> =
        issue_request(caps, &new.phone, &new.request, probe_ref).and_then(|request| adapter.check_issue(&request));
    if let Err(e) = checked {
        let column = e.field().map(column_of).map(str::to_owned);
        return Ok(Err(LineError::new(line, column.as_deref(), e.message())));
    }
    let goods = new.request.product_id.clone().unwrap_or_default();
    let (name, catalog_price) = match catalog.look_up(adapter, caps, &goods).await? {
        Ok(found) => found,
        Err(why) => return Ok(Err(LineError::new(line, Some("goods"), why))),
    };
    let amount = new.request.amount.as_deref().and_then(|a| a.parse::<i64>().ok());
    new.price = amount.or(catalog_price);
    Ok(Ok((new, name)))
}

/// Checks the whole file and answers what would be sent (a dry run). Stores nothing.
pub async fn plan<R: Read>(adapter: &dyn Adapter, input: R, options: &Options) -> Result<Plan> {
    let mut catalog = Catalog::default();
    pass(adapter, &mut catalog, input, options, None).await
}

/// Where a pass stores the valid rows, if it does.
pub(crate) type Sink<'a> = Option<(&'a dyn Journal, &'a Campaign, &'a mut InsertReport)>;

/// One pass over the file: every row checked, each valid one stored in batches when there is a sink.
pub(crate) async fn pass<R: Read>(
    adapter: &dyn Adapter,
    catalog: &mut Catalog,
    input: R,
    options: &Options,
    mut sink: Sink<'_>,
) -> Result<Plan> {
    let mut batch: Vec<NewRow> = Vec::new();
    let caps = adapter.capabilities();
    let mut plan = Plan::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut all_priced = true;
    let mut reader = match Reader::new(input, options.clone()) {
        Ok(r) => r,
        Err(e) => {
            plan.errors_total = 1;
            plan.errors.push(e.clone());
            plan.fatal = Some(e);
            return Ok(plan);
        }
    };
    for next in reader.rows() {
        let checked = match next {
            Ok(row) => check(adapter, &caps, catalog, row).await?,
            Err(e) => Err(e),
        };
        match checked {
            Ok((row, name)) => {
                plan.rows += 1;
                let goods = row.request.product_id.clone().unwrap_or_default();
                let slot = *index.entry(goods.clone()).or_insert_with(|| {
                    plan.goods.push(PlanLine { goods, name, rows: 0, unit_price: row.price, total: Some(0) });
                    plan.goods.len() - 1
                });
                let line = &mut plan.goods[slot];
                line.rows += 1;
                if line.unit_price != row.price {
                    line.unit_price = None;
                }
                line.total = match (line.total, row.price) {
                    (Some(t), Some(p)) => Some(t.saturating_add(p)),
                    _ => None,
                };
                all_priced &= row.price.is_some();
                if let Some((journal, campaign, stored)) = sink.as_mut() {
                    batch.push(row);
                    if batch.len() >= BATCH {
                        let r = journal.insert_rows(campaign, &batch).await?;
                        stored.added += r.added;
                        stored.known_keys_skipped += r.known_keys_skipped;
                        batch.clear();
                    }
                }
            }
            Err(e) => {
                plan.errors_total += 1;
                if e.fatal {
                    plan.errors.push(e.clone());
                    plan.fatal = Some(e);
                    break;
                }
                plan.invalid += 1;
                if plan.errors.len() < options.max_listed_errors {
                    plan.errors.push(e);
                }
            }
        }
    }
    if let Some((journal, campaign, stored)) = sink.as_mut() {
        if !batch.is_empty() && plan.fatal.is_none() {
            let r = journal.insert_rows(campaign, &batch).await?;
            stored.added += r.added;
            stored.known_keys_skipped += r.known_keys_skipped;
        }
    }
    plan.total = if all_priced { Some(plan.goods.iter().filter_map(|g| g.total).sum()) } else { None };
    plan.accepted = plan.fatal.is_none() && (options.skip_invalid || plan.invalid == 0) && plan.rows > 0;
    Ok(plan)
}
