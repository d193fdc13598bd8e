//! COUFUN (쿠펀, T-Scientific) emulator, served under `/coufun`, from the status and
//! balance inquiry document v1.3.
//!
//! `POST /coufun/b2c_api/coufunPartAmountStatus.do` with the form fields `POC_ID`,
//! `GOODS_ID`, `BARCODE_NUM` answers XML encoded in EUC-KR with the declaration
//! `encoding="EUC-KR"` and `Content-Type: text/xml; charset=EUC-KR`, always HTTP 200:
//!
//! - success: `RESULT_CODE` `00`, `RESULT_MSG` `SUCCESS`, then the coupon's order
//!   fields: flat for one order, repeated `<ORDER_INFO>` blocks for several;
//! - failure: `RESULT_CODE` `99` and a Korean `RESULT_MSG` (the document's failure
//!   example; its full code table is a separate document): a missing or over-long
//!   field, a `POC_ID` other than [`credentials::POC_ID`], an unknown
//!   barcode, or a barcode of another product.
//!
//! The form is read from the body only (the document says POST), in EUC-KR.
//!
//! `POST /_sandbox/redeem` with `{"vendor": "coufun", "id": BARCODE_NUM, "amount"?}`
//! spends the coupon's latest order: an exchange voucher (`BARCODE`) becomes `001` with
//! `EXCHANGE_DATE`; a stored-value coupon (`AMOUNT`) loses `amount` (all of it when
//! absent) from `REMAIN_AMOUNT`, gets `EXCHANGE_DATE`, and stays `000` until nothing
//! is left, then becomes `001` (the document's example shows `000` with 2,500 of
//! 10,000 left).
//!
//! The writer is public ([`write_status_xml`], [`write_error_xml`]) so clients can
//! test their parser against this reading of the document.

#[cfg(test)]
mod fixture_tests;
mod form;
mod xml;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use chrono::NaiveDate;
use http::header::CONTENT_TYPE;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::emulator::{Emulator, RedeemRequest, now_kst};
use crate::error::AdminError;
use crate::fixtures;
use crate::samples::{CouponSample, RefusalSample, Samples};

pub use xml::{FAILURE, OrderRecord, SUCCESS, write_error_xml, write_status_xml};

/// Route prefix and admin name.
const NAME: &str = "coufun";

/// The catalog: goods and the coupons sold of them.
const FIXTURES: &str = include_str!("coufun/fixtures.json");

/// The customer id the emulator accepts, and its configuration section carries.
/// Public knowledge: the sandbox guards nothing.
pub mod credentials {
    /// Customer id (`POC_ID`).
    pub const POC_ID: &str = "SANDBOX";
}

/// The built-in COUFUN emulator, fresh.
pub(crate) fn emulator() -> Arc<dyn Emulator> {
    Arc::new(Coufun::new())
}
/// The inquiry's path below the prefix.
pub const PATH: &str = "/b2c_api/coufunPartAmountStatus.do";
/// The answer's content type.
pub const CONTENT_TYPE_XML: &str = "text/xml; charset=EUC-KR";
/// The document's request fields with their byte limits.
const FIELDS: [(&str, usize); 3] = [("POC_ID", 10), ("GOODS_ID", 10), ("BARCODE_NUM", 30)];
/// The shop named in a redemption when the request names none.
const DEFAULT_BRANCH: &str = "쿠펀 제휴매장 강남점";

/// The catalog, typed (`coufun/fixtures.json`).
#[derive(Clone, Debug, Deserialize)]
struct Catalog {
    goods: Vec<Goods>,
    coupons: Vec<Coupon>,
}

#[derive(Clone, Debug, Deserialize)]
struct Goods {
    goods_id: String,
    coupon_type: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Coupon {
    barcode_num: String,
    goods_id: String,
    orders: Vec<Order>,
}

#[derive(Clone, Debug, Deserialize)]
struct Order {
    order_date: String,
    status: String,
    receiver_mobile: String,
    valid_end_date: String,
    exchange_date: String,
    cancel_date: String,
    total_amount: Option<u64>,
    remain_amount: Option<u64>,
}

impl Catalog {
    fn coupon_type(&self, goods_id: &str) -> &str {
        self.goods.iter().find(|g| g.goods_id == goods_id).map_or("BARCODE", |g| g.coupon_type.as_str())
    }
}

impl Catalog {
    /// The first coupon of this type whose current order is unused (`000`) and valid
    /// on `today` (`YYYYMMDD`), with some balance left for a stored-value one, as
    /// `{"product_id", "barcode"}`.
    fn sample_coupon(&self, coupon_type: &str, today: &str) -> Option<CouponSample> {
        self.coupons.iter().find_map(|c| {
            let o = c.current()?;
            let usable = self.coupon_type(&c.goods_id) == coupon_type
                && o.status == "000"
                && o.valid_end_date.as_str() >= today
                && o.remain_amount.is_none_or(|left| left > 0);
            usable.then(|| CouponSample { product_id: c.goods_id.clone(), barcode: c.barcode_num.clone() })
        })
    }
}

impl Coupon {
    /// The order that says what the coupon is now: the latest by order date.
    fn current(&self) -> Option<&Order> {
        self.orders.iter().enumerate().max_by_key(|(i, o)| (o.order_date.as_str(), *i)).map(|(_, o)| o)
    }

    /// [`current`](Self::current), to change it.
    fn current_mut(&mut self) -> Option<&mut Order> {
        self.orders.iter_mut().enumerate().max_by_key(|(i, o)| (o.order_date.clone(), *i)).map(|(_, o)| o)
    }
}

/// The COUFUN emulator.
pub(crate) struct Coufun {
    fixtures: Value,
    catalog: Catalog,
    state: Mutex<Catalog>,
}

impl Coufun {
    /// A fresh emulator over the embedded catalog.
    ///
    /// # Panics
    ///
    /// When the embedded catalog does not have the typed shape: a build defect caught
    /// by the fixture tests, never a consequence of a request.
    pub(crate) fn new() -> Self {
        let fixtures = fixtures::parse(NAME, FIXTURES);
        let catalog: Catalog = serde_json::from_value(fixtures.clone())
            .unwrap_or_else(|e| panic!("coupon-sandbox: embedded {NAME}/fixtures.json has the wrong shape: {e}"));
        Self { fixtures, state: Mutex::new(catalog.clone()), catalog }
    }

    fn state(&self) -> MutexGuard<'_, Catalog> {
        // Every critical section is a single lookup or field update: a poisoned lock still
        // holds consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The XML answer to one inquiry form.
    fn inquire(&self, body: &[u8]) -> Vec<u8> {
        let form = form::Form::parse(body);
        let mut values = Vec::with_capacity(FIELDS.len());
        for (field, limit) in FIELDS {
            match form.raw(field).filter(|v| !v.is_empty()) {
                None => return write_error_xml(FAILURE, &format!("필수 파라미터({field})가 누락되었습니다.")),
                Some(v) if v.len() > limit => {
                    return write_error_xml(FAILURE, &format!("파라미터({field}) 길이가 {limit}byte를 초과했습니다."));
                }
                Some(v) => values.push(form::decode_text(v)),
            }
        }
        let [poc_id, goods_id, barcode] = [&values[0], &values[1], &values[2]];
        if poc_id != credentials::POC_ID {
            return write_error_xml(FAILURE, "등록되지 않은 고객사 ID(POC_ID)입니다.");
        }
        let state = self.state();
        let Some(coupon) = state.coupons.iter().find(|c| &c.barcode_num == barcode) else {
            return write_error_xml(FAILURE, "존재하지 않는 쿠폰번호입니다.");
        };
        if &coupon.goods_id != goods_id {
            return write_error_xml(FAILURE, "판매상품 ID와 쿠폰번호가 일치하지 않습니다.");
        }
        let coupon_type = state.coupon_type(&coupon.goods_id);
        let records: Vec<OrderRecord> = coupon.orders.iter().map(|o| record(coupon, coupon_type, o)).collect();
        write_status_xml(&records)
    }
}

fn record(coupon: &Coupon, coupon_type: &str, o: &Order) -> OrderRecord {
    OrderRecord {
        coupon_type: coupon_type.to_string(),
        order_date: o.order_date.clone(),
        status: o.status.clone(),
        receiver_mobile: o.receiver_mobile.clone(),
        barcode_num: coupon.barcode_num.clone(),
        valid_end_date: o.valid_end_date.clone(),
        exchange_date: o.exchange_date.clone(),
        cancel_date: o.cancel_date.clone(),
        total_amount: o.total_amount,
        remain_amount: o.remain_amount,
    }
}

fn xml_response(body: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, CONTENT_TYPE_XML)], body).into_response()
}

impl Emulator for Coufun {
    fn name(&self) -> &'static str {
        NAME
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new().route(
            PATH,
            post(move |body: Bytes| {
                let answer = self.inquire(&body);
                async move { xml_response(answer) }
            }),
        )
    }

    fn fixtures(&self) -> Value {
        self.fixtures.clone()
    }

    fn config_section(&self, vendor_url: &str) -> String {
        let poc_id = credentials::POC_ID;
        format!("[{NAME}]\nbase_url = \"{vendor_url}\"\npoc_id = \"{poc_id}\"\n")
    }

    /// No issue (COUFUN's document covers the inquiry only): `status` of an unused
    /// exchange voucher and `balance` of a stored-value coupon with some left, both from
    /// the fixture catalog (as after a reset).
    fn samples(&self) -> Samples {
        let today = now_kst().format("%Y%m%d").to_string();
        let state = &self.catalog;
        let coupon = state.sample_coupon("BARCODE", &today);
        // The full code table is a vendor document we do not have: `77` stands for any code it lists.
        let refusal = coupon.as_ref().map(|_| RefusalSample {
            operation: "status".into(),
            content_type: "text/xml; charset=euc-kr".into(),
            body: "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><COUFUNSEARCH><RESULT_CODE>77</RESULT_CODE><RESULT_MSG>sandbox: unknown</RESULT_MSG></COUFUNSEARCH>".into(),
            code: "77".into(),
        });
        Samples { coupon, refusal, balance_coupon: state.sample_coupon("AMOUNT", &today), ..Samples::default() }
    }

    fn reset(&self) {
        *self.state() = self.catalog.clone();
    }

    fn redeem(&self, req: &RedeemRequest) -> Result<Value, AdminError> {
        let at = req.at_kst()?;
        let stamp = at.format("%Y%m%d%H%M%S").to_string();
        let mut state = self.state();
        let index = state
            .coupons
            .iter()
            .position(|c| c.barcode_num == req.id)
            .ok_or_else(|| AdminError::NotFound(format!("no COUFUN coupon {:?}", req.id)))?;
        let coupon_type = state.coupon_type(&state.coupons[index].goods_id).to_string();
        let coupon = &mut state.coupons[index];
        let goods_id = coupon.goods_id.clone();
        let order = coupon.current_mut().ok_or_else(|| AdminError::Conflict("the coupon has no order".into()))?;
        match order.status.as_str() {
            "000" => {}
            "001" => return Err(AdminError::Conflict("이미 사용된 쿠폰입니다 (STATUS 001)".into())),
            "100" => return Err(AdminError::Conflict("취소된 쿠폰입니다 (STATUS 100)".into())),
            other => return Err(AdminError::Conflict(format!("the coupon's STATUS is {other}"))),
        }
        let valid_end = NaiveDate::parse_from_str(&order.valid_end_date, "%Y%m%d")
            .map_err(|_| AdminError::Conflict("the coupon's VALID_END_DATE is unreadable".into()))?;
        if at.date_naive() > valid_end {
            return Err(AdminError::Conflict(format!("유효기간이 지난 쿠폰입니다 (VALID_END_DATE {valid_end})")));
        }
        let spent = if coupon_type == "AMOUNT" {
            let remain = order.remain_amount.or(order.total_amount).unwrap_or(0);
            let amount = req.amount.unwrap_or(remain);
            if amount == 0 || amount > remain {
                return Err(AdminError::BadRequest(format!("`amount` must be between 1 and the remaining {remain}")));
            }
            order.remain_amount = Some(remain - amount);
            if remain == amount {
                order.status = "001".into();
            }
            Some(amount)
        } else {
            if req.amount.is_some() {
                return Err(AdminError::BadRequest(
                    "`amount` applies to stored-value (AMOUNT) coupons only; this is an exchange voucher".into(),
                ));
            }
            order.status = "001".into();
            None
        };
        order.exchange_date = stamp;
        Ok(json!({
            "vendor": NAME,
            "barcode_num": req.id,
            "goods_id": goods_id,
            "coupon_type": coupon_type,
            "status": order.status,
            "exchange_date": order.exchange_date,
            "branch": req.branch.as_deref().unwrap_or(DEFAULT_BRANCH),
            "spent": spent,
            "total_amount": order.total_amount,
            "remain_amount": order.remain_amount,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> String {
        let (text, _, bad) = encoding_rs::EUC_KR.decode(bytes);
        assert!(!bad);
        text.into_owned()
    }

    fn ask(emu: &Coufun, body: &str) -> String {
        text(&emu.inquire(body.as_bytes()))
    }

    #[test]
    fn config_section_is_the_adapter_configuration() {
        let expected = "[coufun]\nbase_url = \"http://127.0.0.1:8089/coufun\"\npoc_id = \"SANDBOX\"\n";
        assert_eq!(Coufun::new().config_section("http://127.0.0.1:8089/coufun"), expected);
    }

    #[test]
    fn samples_are_unused_coupons_the_inquiry_answers() {
        let emu = Coufun::new();
        let s = serde_json::to_value(emu.samples()).unwrap();
        assert_eq!(s["coupon"], json!({ "product_id": "CF10000123", "barcode": "912605117340" }));
        assert_eq!(s["balance_coupon"], json!({ "product_id": "CF20001000", "barcode": "ABC1234567890" }));
        for (key, kind) in [("coupon", "BARCODE"), ("balance_coupon", "AMOUNT")] {
            let (goods, barcode) = (s[key]["product_id"].as_str().unwrap(), s[key]["barcode"].as_str().unwrap());
            let xml = ask(&emu, &format!("POC_ID=SANDBOX&GOODS_ID={goods}&BARCODE_NUM={barcode}"));
            assert!(xml.contains("<STATUS>000</STATUS>"), "{key}: {xml}");
            assert!(xml.contains(&format!("<COUPON_TYPE>{kind}</COUPON_TYPE>")), "{key}: {xml}");
        }
        for absent in ["issue", "products", "product", "redemptions"] {
            assert!(s.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn a_known_coupon_answers_its_orders() {
        let emu = Coufun::new();
        let xml = ask(&emu, "POC_ID=SANDBOX&GOODS_ID=CF20001000&BARCODE_NUM=ABC1234567890");
        assert!(xml.contains("<RESULT_CODE>00</RESULT_CODE>") && xml.contains("<COUPON_TYPE>AMOUNT</COUPON_TYPE>"));
        assert!(xml.contains("<REMAIN_AMOUNT>2500</REMAIN_AMOUNT>") && !xml.contains("<ORDER_INFO>"));
        let xml = ask(&emu, "POC_ID=SANDBOX&GOODS_ID=CF10000123&BARCODE_NUM=912603550784");
        assert_eq!(xml.matches("<ORDER_INFO>").count(), 3);
        assert!(!xml.contains("TOTAL_AMOUNT"), "BARCODE coupons carry no amounts");
    }

    #[test]
    fn refusals_are_code_99_in_korean() {
        let emu = Coufun::new();
        for (body, says) in [
            ("POC_ID=OTHER&GOODS_ID=CF20001000&BARCODE_NUM=ABC1234567890", "등록되지 않은 고객사"),
            ("POC_ID=SANDBOX&GOODS_ID=CF20001000&BARCODE_NUM=000000000000", "존재하지 않는 쿠폰번호"),
            ("POC_ID=SANDBOX&GOODS_ID=CF10000123&BARCODE_NUM=ABC1234567890", "일치하지 않습니다"),
            ("POC_ID=SANDBOX&BARCODE_NUM=ABC1234567890", "필수 파라미터(GOODS_ID)"),
            ("POC_ID=SANDBOX&GOODS_ID=CF20001000&BARCODE_NUM=", "필수 파라미터(BARCODE_NUM)"),
            ("POC_ID=SANDBOX&GOODS_ID=CF200010001&BARCODE_NUM=1", "파라미터(GOODS_ID) 길이"),
            ("\u{7f}%%%&&==", "필수 파라미터(POC_ID)"),
        ] {
            let xml = ask(&emu, body);
            assert!(xml.contains("<RESULT_CODE>99</RESULT_CODE>"), "{body}: {xml}");
            assert!(xml.contains(says), "{body}: {xml}");
        }
    }

    #[test]
    fn partial_spending_keeps_000_until_nothing_is_left() {
        let emu = Coufun::new();
        let redeem = |amount: Option<u64>| {
            let mut req = RedeemRequest::new(NAME, "AMT2611020000187").at("2026-11-20 10:00:00");
            req.amount = amount;
            emu.redeem(&req)
        };
        let v = redeem(Some(10_000)).unwrap();
        assert_eq!((v["status"].as_str(), v["remain_amount"].as_u64()), (Some("000"), Some(20_000)));
        assert_eq!(v["exchange_date"], "20261120100000");
        assert!(matches!(redeem(Some(20_001)), Err(AdminError::BadRequest(_))));
        assert!(matches!(redeem(Some(0)), Err(AdminError::BadRequest(_))));
        let v = redeem(None).unwrap();
        assert_eq!((v["status"].as_str(), v["remain_amount"].as_u64()), (Some("001"), Some(0)));
        assert!(matches!(redeem(None), Err(AdminError::Conflict(_))));
        emu.reset();
        let xml = ask(&emu, "POC_ID=SANDBOX&GOODS_ID=CF20003000&BARCODE_NUM=AMT2611020000187");
        assert!(xml.contains("<REMAIN_AMOUNT>30000</REMAIN_AMOUNT>"), "reset restores the catalog");
    }

    #[test]
    fn vouchers_are_used_whole_and_expired_or_cancelled_ones_refuse() {
        let emu = Coufun::new();
        let req = RedeemRequest::new(NAME, "912605117340").at("2026-11-20 10:00:00");
        assert!(matches!(emu.redeem(&req.clone().amount(100)), Err(AdminError::BadRequest(_))));
        let v = emu.redeem(&req).unwrap();
        assert_eq!(v["status"], "001");
        assert!(matches!(emu.redeem(&req), Err(AdminError::Conflict(_))));
        let expired = RedeemRequest::new(NAME, "912601440673").at("2026-11-20 10:00:00");
        assert!(matches!(emu.redeem(&expired), Err(AdminError::Conflict(_))));
        let cancelled = RedeemRequest::new(NAME, "912605339562");
        assert!(matches!(emu.redeem(&cancelled), Err(AdminError::Conflict(_))));
        assert!(matches!(emu.redeem(&RedeemRequest::new(NAME, "nope")), Err(AdminError::NotFound(_))));
        // Of a barcode's several orders, the latest is the one spent.
        let v = emu.redeem(&RedeemRequest::new(NAME, "912603550784").at("2026-11-20 10:00:00")).unwrap();
        assert_eq!(v["status"], "001");
        let xml = ask(&emu, "POC_ID=SANDBOX&GOODS_ID=CF10000123&BARCODE_NUM=912603550784");
        assert!(xml.contains("<ORDER_DATE>20261110</ORDER_DATE>\n    <STATUS>001</STATUS>"), "{xml}");
    }
}
