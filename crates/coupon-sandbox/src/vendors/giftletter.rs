//! Giftletter (기프트레터, gift-n.net) emulator, served under `/giftletter`.
//!
//! The B2C API v1.6, read from the vendor's document independently of the SDK's
//! adapter: GET with query parameters (UTF-8 or EUC-KR percent-encoding, both
//! accepted), an `enc` MD5 signature checked on every signed endpoint, JSON
//! answers written like the document's examples (string integers, stray spaces in
//! some keys, `{"STATUS":"E"}` for a failed list, two-part codes `E102:P002` and
//! `E103 : P002`), and the EUC-KR text report.
//!
//! | route | answers |
//! |---|---|
//! | `GET /SendEPin` | issues a 12-digit PIN and an order id; `A001` bad `enc`, `A101` unknown or unusable goods, `P101` repeated `co_tid`, `P002` bad phone, `P003` count ≠ 1, `P001` missing/too long |
//! | `GET /CancelSendEPin` | `E102:P002` unknown order, `E201` used, `E304` already cancelled, `E102` expired (the document's "cancel failed": it has no code of its own) |
//! | `GET /StatusSendEPin` | `use` Y/N/C, `use_date`, `branchname`; `E103 : P002` unknown order, `P201` goods without status |
//! | `GET /ReSendSMS` | `P102` unknown order, `P301` after 3 resends |
//! | `GET /getGoodsInfoList` | the brand's goods, or `{"STATUS":"E"}` / `C` / `I` |
//! | `GET /getGoodsInfo` | one goods, or `{"STATUS":"E"}` / `C` / `I` |
//! | `GET /getBrandImage` | a brand, or `{"STATUS":"E"}` / `I` |
//! | `GET /mn_compare/ExchangeDaily.aspx` | `pin\|YYYYMMDDHHMMSS\|branch` lines of `dt`, EUC-KR |
//!
//! Admin routes under `/_sandbox/giftletter`: `POST /ip-allowlist` with
//! `{"enabled": true}` makes every call answer as from an unregistered IP (`S002`,
//! `STATUS I`, 403 on the report); `GET /coupons` lists the issued PINs with their
//! state; `GET /issued` lists them by partner reference
//! (`{"items": [{"partner_ref": co_tid, "order": order_id, "cancelled", "goods_id", "epin",
//! "state", "issued_at"}]}`), oldest first. `POST /_sandbox/redeem` takes the 12-digit
//! PIN as `id`.
//!
//! A PIN is valid until the issue day plus the goods' `EXDATE` days (or until its
//! `EXDATE` day); no answer carries that day, and `StatusSendEPin` has no word for an
//! expired PIN: it answers `use` `N`, and only its cancel tells (`E102`). A redemption
//! after that day is refused (409). `POST /_sandbox/age` redeems, expires and moves the
//! last day of PINs (Giftletter has no stored value and reports no delivery);
//! `GET /_sandbox/records/giftletter` lists every PIN with its state, last day and cancel
//! counts.
//!
//! The partner credentials it accepts are [`credentials`]; the catalog is
//! `giftletter/fixtures.json`.

mod aging;
mod answers;
mod catalog;
mod endpoints;
#[cfg(test)]
mod fixture_tests;
mod query;
mod store;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::aging::{AgeReport, AgeRequest};
use crate::emulator::{Emulator, RedeemRequest, now_kst};
use crate::error::AdminError;
use crate::fixtures;
use crate::records::CouponRecord;
use crate::samples::Samples;
use crate::state::lock;
use aging::Aging;
use catalog::Catalog;
use store::{PinState, Store};

/// Route prefix and admin name.
const NAME: &str = "giftletter";

/// The catalog: brands, goods, shops.
const FIXTURES: &str = include_str!("giftletter/fixtures.json");

/// The partner credentials the emulator accepts, and its configuration section
/// carries. Public knowledge: the sandbox guards nothing.
pub mod credentials {
    /// Partner id (`cid`).
    pub const CID: &str = "sandbox";
    /// Authentication key, the secret mixed into every `enc` MD5.
    pub const AUTH_KEY: &str = "sandbox-key";
}

/// The built-in Giftletter emulator, fresh.
pub(crate) fn emulator() -> Arc<dyn Emulator> {
    Arc::new(Giftletter::new())
}

/// The Giftletter emulator.
pub(crate) struct Giftletter {
    fixtures: Value,
    catalog: Catalog,
    store: Mutex<Store>,
}

impl Giftletter {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        let fixtures = fixtures::parse(NAME, FIXTURES);
        let catalog = Catalog::from_fixtures(&fixtures);
        Self { fixtures, catalog, store: Mutex::default() }
    }
}

type Gl = State<Arc<Giftletter>>;

async fn send_epin(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::send_epin(&gl, q.as_deref())
}

async fn cancel(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::cancel(&gl, q.as_deref())
}

async fn status(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::status(&gl, q.as_deref())
}

async fn resend_sms(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::resend_sms(&gl, q.as_deref())
}

async fn goods_list(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::goods_list(&gl, q.as_deref())
}

async fn goods_info(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::goods_info(&gl, q.as_deref())
}

async fn brand_image(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::brand_image(&gl, q.as_deref())
}

async fn exchange_daily(State(gl): Gl, RawQuery(q): RawQuery) -> Response {
    endpoints::exchange_daily(&gl, q.as_deref())
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowList {
    enabled: bool,
}

async fn set_ip_allowlist(State(gl): Gl, body: Bytes) -> Result<axum::Json<Value>, AdminError> {
    let req: AllowList = serde_json::from_slice(&body)
        .map_err(|e| AdminError::BadRequest(format!("expected {{\"enabled\": true|false}}: {e}")))?;
    lock(&gl.store).ip_allowlist = req.enabled;
    Ok(axum::Json(json!({ "enabled": req.enabled })))
}

async fn issued(State(gl): Gl) -> axum::Json<Value> {
    let items: Vec<Value> = lock(&gl.store).orders().iter().map(store::Order::issued).collect();
    axum::Json(json!({ "items": items }))
}

async fn coupons(State(gl): Gl) -> axum::Json<Value> {
    let list: Vec<Value> = lock(&gl.store).orders().iter().map(store::Order::describe).collect();
    axum::Json(json!({ "coupons": list }))
}

impl Emulator for Giftletter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/SendEPin", get(send_epin))
            .route("/CancelSendEPin", get(cancel))
            .route("/StatusSendEPin", get(status))
            .route("/ReSendSMS", get(resend_sms))
            .route("/getGoodsInfoList", get(goods_list))
            .route("/getGoodsInfo", get(goods_info))
            .route("/getBrandImage", get(brand_image))
            .route("/mn_compare/ExchangeDaily.aspx", get(exchange_daily))
            .with_state(self)
    }

    fn fixtures(&self) -> Value {
        self.fixtures.clone()
    }

    fn config_section(&self, vendor_url: &str) -> String {
        let (cid, auth_key) = (credentials::CID, credentials::AUTH_KEY);
        format!(
            r#"[{NAME}]
base_url = "{vendor_url}"
exchange_url = "{vendor_url}/mn_compare/ExchangeDaily.aspx"
cid = "{cid}"
auth_key = "{auth_key}"
"#
        )
    }

    fn samples(&self) -> Samples {
        self.catalog.samples()
    }

    fn reset(&self) {
        *lock(&self.store) = Store::default();
    }

    fn redeem(&self, req: &RedeemRequest) -> Result<Value, AdminError> {
        if req.amount.is_some() {
            return Err(AdminError::BadRequest("Giftletter PINs are exchanged whole: `amount` does not apply".into()));
        }
        let at = req.at_kst()?;
        let mut store = lock(&self.store);
        let order = store
            .by_epin_mut(req.id.trim())
            .ok_or_else(|| AdminError::NotFound(format!("no Giftletter PIN {:?} was issued", req.id)))?;
        match &order.state {
            PinState::Used { .. } => return Err(AdminError::Conflict("this PIN is already used".into())),
            PinState::Cancelled { .. } => return Err(AdminError::Conflict("this PIN was cancelled".into())),
            PinState::Unused if at.date_naive() > order.valid_end => {
                return Err(AdminError::Conflict(format!(
                    "this PIN was valid until {} (KST), before the redemption time",
                    order.valid_end
                )));
            }
            PinState::Unused => {}
        }
        let branch = match &req.branch {
            Some(b) if !b.trim().is_empty() => b.trim().to_owned(),
            Some(_) | None => {
                let branches = &self.catalog.branches;
                branches.get(fastrand::usize(..branches.len().max(1))).cloned().unwrap_or_else(|| "본점".to_owned())
            }
        };
        order.state = PinState::Used { at, branch: branch.clone() };
        Ok(json!({
            "vendor": NAME,
            "order_id": order.order_id,
            "goods_id": order.goods_id,
            "branch": branch,
            "exchanged_at": at.format("%Y-%m-%d %H:%M:%S").to_string(),
        }))
    }

    fn age(&self, req: &AgeRequest) -> Result<AgeReport, AdminError> {
        let mut store = lock(&self.store);
        let mut draft = store.clone();
        let report = crate::aging::age(&mut Aging { store: &mut draft, catalog: &self.catalog }, req, now_kst())?;
        *store = draft;
        Ok(report)
    }

    fn records(&self) -> Option<Vec<CouponRecord>> {
        let today = now_kst().date_naive();
        Some(lock(&self.store).orders().iter().map(|o| o.record(today)).collect())
    }

    fn admin_router(self: Arc<Self>) -> Option<Router> {
        Some(
            Router::new()
                .route("/ip-allowlist", post(set_ip_allowlist))
                .route("/coupons", get(coupons))
                .route("/issued", get(issued))
                .with_state(self),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_section_is_the_adapter_configuration() {
        let expected = r#"[giftletter]
base_url = "http://127.0.0.1:8089/giftletter"
exchange_url = "http://127.0.0.1:8089/giftletter/mn_compare/ExchangeDaily.aspx"
cid = "sandbox"
auth_key = "sandbox-key"
"#;
        assert_eq!(Giftletter::new().config_section("http://127.0.0.1:8089/giftletter"), expected);
    }

    #[test]
    fn samples_name_an_issuable_goods_of_the_catalog() {
        let emu = Giftletter::new();
        let s = serde_json::to_value(emu.samples()).unwrap();
        assert_eq!(s["issue"]["product_id"], "0000000582");
        assert_eq!(s["product"], s["issue"]["product_id"]);
        let goods = emu.catalog.goods(s["product"].as_str().unwrap()).expect("a goods of the catalog");
        assert!(goods.status == "Y" && goods.status_supported && !goods.exchange_day_only);
        assert_eq!(s["products"], json!({ "brand": goods.brand_id.to_string() }));
        for field in ["recipient", "callback", "title", "message"] {
            assert!(s["issue"][field].as_str().is_some_and(|v| !v.is_empty()), "{field}");
        }
        assert!(s["issue"].get("amount").is_none(), "Giftletter checks no amount");
        assert_eq!(s["redemptions"], true);
        assert!(s.get("coupon").is_none() && s.get("balance_coupon").is_none());
    }
}
