//! The reads: the installed adapters and what each offers, products, a coupon's state and a
//! stored-value coupon's balance. An operation an adapter lacks is `501` naming it.

use axum::Json;
use axum::extract::{Path, Query, State};
use coupon_core::{CouponCheck, CouponRef, ProductQuery, Won, op};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, Scope};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// An installed adapter.
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorInfo {
    /// The vendor's name, as requests name it.
    pub name: String,
    /// Every capability flag of the adapter.
    #[schema(value_type = Object)]
    pub capabilities: Value,
    /// The operations it offers, in the order a tour takes them.
    pub operations: Vec<String>,
}

/// The configured vendors and their capabilities.
#[utoipa::path(get, path = "/v1/vendors", tag = "reads",
    responses((status = 200, body = [VendorInfo]), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn vendors(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<VendorInfo>>> {
    caller.require(&[Scope::Read])?;
    Ok(Json(
        state
            .adapters()
            .iter()
            .map(|(name, a)| {
                let caps = a.capabilities();
                VendorInfo {
                    name: name.clone(),
                    capabilities: serde_json::to_value(caps).unwrap_or(Value::Null),
                    operations: caps.offered().map(str::to_string).collect(),
                }
            })
            .collect(),
    ))
}

/// The filters of a product listing; a filter the vendor cannot use is refused, named.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductsParams {
    /// A brand id.
    pub brand: Option<String>,
    /// A category id.
    pub category: Option<String>,
    /// A search word.
    pub word: Option<String>,
    /// A price ceiling, in won.
    pub max_price: Option<u64>,
    /// The page, from 1.
    pub page: Option<u32>,
    /// Items per page.
    pub limit: Option<u32>,
}

/// A page of a vendor's products.
#[utoipa::path(get, path = "/v1/vendors/{vendor}/products", tag = "reads", params(("vendor" = String, Path), ProductsParams),
    responses((status = 200, description = "a page of products: items, page, total_count, has_next", body = Object),
              (status = 404, body = Problem), (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn products(
    State(state): State<AppState>,
    caller: Caller,
    Path(vendor): Path<String>,
    params: Result<Query<ProductsParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Scope::Read])?;
    let Query(p) = params.map_err(query_problem)?;
    let adapter = state.adapter_for(&vendor, "vendor", op::PRODUCTS)?;
    let mut query = ProductQuery::new();
    query.brand = p.brand;
    query.category = p.category;
    query.word = p.word;
    query.max_price = p.max_price.map(Won);
    query.page = p.page;
    query.limit = p.limit;
    let page = adapter.products(&query).await?;
    Ok(Json(serde_json::to_value(&page).unwrap_or(Value::Null)))
}

/// One product's details.
#[utoipa::path(get, path = "/v1/vendors/{vendor}/products/{id}", tag = "reads",
    params(("vendor" = String, Path), ("id" = String, Path, description = "the vendor's product id")),
    responses((status = 200, description = "the product", body = Object), (status = 404, body = Problem), (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn product(
    State(state): State<AppState>,
    caller: Caller,
    Path((vendor, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    caller.require(&[Scope::Read])?;
    let adapter = state.adapter_for(&vendor, "vendor", op::PRODUCT)?;
    let product = adapter.product(&id).await?;
    Ok(Json(serde_json::to_value(&product).unwrap_or(Value::Null)))
}

/// Which coupon: its order id, or its product and barcode (coupon number).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CouponParams {
    /// The vendor's order id.
    pub order: Option<String>,
    /// The product id (with `barcode`).
    pub product: Option<String>,
    /// The coupon number (with `product`).
    pub barcode: Option<String>,
}

impl CouponParams {
    fn coupon(self) -> Result<CouponRef, Problem> {
        match (self.order, self.product, self.barcode) {
            (Some(order), None, None) if !order.is_empty() => Ok(CouponRef::order(order)),
            (None, Some(product), Some(barcode)) if !product.is_empty() && !barcode.is_empty() => {
                Ok(CouponRef::barcode(product, barcode))
            }
            _ => Err(Problem::invalid("order", "name the coupon by `order`, or by `product` and `barcode` (not both)")),
        }
    }
}

/// A coupon's state, with the last day it can be used and its delivery where the vendor says; the PIN
/// only to a key with the `pins` scope.
#[utoipa::path(get, path = "/v1/vendors/{vendor}/coupons/status", tag = "reads", params(("vendor" = String, Path), CouponParams),
    responses((status = 200, description = "the coupon's state", body = Object), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn coupon_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(vendor): Path<String>,
    params: Result<Query<CouponParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let (adapter, coupon) = coupon_read(&state, &caller, &vendor, params, op::STATUS)?;
    let check = adapter.check(&coupon).await?;
    Ok(Json(check_json(&check, caller.has(Scope::Pins))))
}

/// A check as JSON: the state's own fields, then what came with it.
pub fn check_json(check: &CouponCheck, show_pin: bool) -> Value {
    let mut v = serde_json::to_value(&check.status).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert("valid_until".into(), json!(check.valid_until.map(|d| d.to_string())));
        map.insert("delivery".into(), serde_json::to_value(&check.delivery).unwrap_or(Value::Null));
        map.insert("order".into(), json!(check.order.as_ref().map(|o| o.as_str())));
        let pin = check.pin.as_ref().map(|p| if show_pin { p.expose().to_string() } else { p.masked() });
        map.insert("pin".into(), json!(pin));
    }
    v
}

/// What is left on a stored-value coupon.
#[utoipa::path(get, path = "/v1/vendors/{vendor}/coupons/balance", tag = "reads", params(("vendor" = String, Path), CouponParams),
    responses((status = 200, description = "total and remaining, in won", body = Object), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 501, body = Problem)),
    security(("bearer" = [])))]
pub async fn balance(
    State(state): State<AppState>,
    caller: Caller,
    Path(vendor): Path<String>,
    params: Result<Query<CouponParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let (adapter, coupon) = coupon_read(&state, &caller, &vendor, params, op::BALANCE)?;
    let balance = adapter.balance(&coupon).await?;
    Ok(Json(serde_json::to_value(balance).unwrap_or(Value::Null)))
}

/// What a read of one coupon needs before it asks the vendor: the `read` scope, the coupon named by the query,
/// and the vendor's adapter able to do `operation`.
fn coupon_read(
    state: &AppState,
    caller: &Caller,
    vendor: &str,
    params: Result<Query<CouponParams>, axum::extract::rejection::QueryRejection>,
    operation: &'static str,
) -> Result<(std::sync::Arc<dyn coupon_core::Adapter>, CouponRef), Problem> {
    caller.require(&[Scope::Read])?;
    let Query(p) = params.map_err(query_problem)?;
    let coupon = p.coupon()?;
    Ok((state.adapter_for(vendor, "vendor", operation)?, coupon))
}

/// A query string that does not parse, or names an unknown parameter: `400` naming it.
pub fn query_problem(e: axum::extract::rejection::QueryRejection) -> Problem {
    let text = e.body_text();
    let field = text.split("unknown field `").nth(1).and_then(|r| r.split('`').next()).unwrap_or("query");
    Problem::invalid(field.to_string(), text)
}
