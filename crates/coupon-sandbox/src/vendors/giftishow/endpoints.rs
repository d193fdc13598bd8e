//! The operations, read from the reconstructed reading: every call a form POST checked
//! in the same order (credentials, api code, `dev_yn`, `user_id`), then the
//! operation's own fields. Every answer is JSON `{"code","message","result"}` with
//! HTTP 200, whatever the body holds: odd bytes are read leniently, never a panic.
//! Every refusal is a [`Rejection`], written in the variant's `codes` at the end.

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use http::HeaderMap;
use serde_json::{Map, Value, json};

use super::Giftishow;
use super::catalog::Goods;
use super::codes::Rejection;
use super::credentials::{AUTH_CODE, AUTH_TOKEN, USER_ID};
use super::dates;
use super::store::{NewCoupon, PinState, Store};
use super::variant::{BrandCodes, Codes, SendPath, Variant};
use crate::emulator::now_kst;
use crate::error::AdminError;
use crate::state::lock;

/// The routes, relative to `/giftishow`.
#[derive(Debug, Clone)]
pub(crate) enum Route {
    /// `/bizApi/goods`: 0101, or the detail code with a `goods_code` field.
    Goods,
    /// `/bizApi/goods/{goods_code}`.
    GoodsCode(String),
    /// `/bizApi/brands`: the list code, or the detail code with a `brand_code` field.
    Brands,
    /// `/bizApi/brands/{brand_code}` (variant 0102/0112 only).
    BrandsCode(String),
    /// `/bizApi/send` or `/coupon/send`, as the variant says.
    Send(SendPath),
    Coupons,
    Cancel,
    Resend,
    SendFailCancel,
    Bizmoney,
}

/// The operation a route and api code select.
enum Op {
    GoodsList,
    GoodsDetail(Option<String>),
    BrandList,
    BrandDetail(Option<String>),
    Send,
    Coupons,
    Cancel,
    Resend,
    SendFailCancel,
    Bizmoney,
}

/// Every api code of the API, in any variant: another is `E0002`, one of these on a path
/// that does not take it `E0007`.
const API_CODES: [&str; 12] =
    ["0101", "0102", "0103", "0104", "0111", "0112", "0201", "0202", "0203", "0204", "0205", "0301"];

/// What an operation asks of `user_id`.
#[derive(PartialEq, Eq)]
enum UserId {
    /// The catalog operations: not read.
    Ignored,
    /// 0201: optional (most clients send `tr_id` alone), checked when given.
    Checked,
    /// The other account operations: required and checked.
    Required,
}

impl Op {
    fn user_id(&self) -> UserId {
        match self {
            Self::GoodsList | Self::GoodsDetail(_) | Self::BrandList | Self::BrandDetail(_) => UserId::Ignored,
            Self::Coupons => UserId::Checked,
            Self::Send | Self::Cancel | Self::Resend | Self::SendFailCancel | Self::Bizmoney => UserId::Required,
        }
    }
}

/// Request headers that stand for a form field the form lacks (newer integrations send
/// the credentials and the mode as headers too): header name, field name.
const HEADER_FIELDS: [(&str, &str); 3] =
    [("custom_auth_code", "custom_auth_code"), ("custom_auth_token", "custom_auth_token"), ("dev_flag", "dev_yn")];

/// The form fields of one request; the first of a repeated name wins. Bytes that are
/// not UTF-8 are read lossily.
pub(crate) struct Form(HashMap<String, String>);

impl Form {
    pub(crate) fn parse(body: &[u8]) -> Self {
        let mut map = HashMap::new();
        for (k, v) in url::form_urlencoded::parse(body) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        Self(map)
    }

    /// The form with [`HEADER_FIELDS`] taken from `headers` where the form lacks them
    /// (absent or blank): a form field wins over its header. A header that is not
    /// visible ASCII, or blank, is not read.
    pub(crate) fn with_headers(mut self, headers: &HeaderMap) -> Self {
        for (header, field) in HEADER_FIELDS {
            let value = headers.get(header).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
            if let (Some(value), None) = (value, self.get(field)) {
                self.0.insert(field.to_owned(), value.to_owned());
            }
        }
        self
    }

    /// A field, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

fn json_answer(v: &Value) -> Response {
    axum::Json(v).into_response()
}

/// `{"code":"0000","message":null,"result":…}`, plus top-level `extra` members.
fn ok(result: Value, extra: Map<String, Value>) -> Response {
    let mut m = Map::new();
    m.insert("code".into(), json!("0000"));
    m.insert("message".into(), Value::Null);
    m.extend(extra);
    m.insert("result".into(), result);
    json_answer(&Value::Object(m))
}

/// `{"code":…,"message":…,"result":null}`: `r` as `codes` write it.
fn refusal_json(r: Rejection, codes: Codes) -> Value {
    let (code, message) = r.refusal(codes);
    json!({ "code": code, "message": message, "result": null })
}

/// A refusal outside any nesting.
fn refused(r: Rejection, codes: Codes) -> Response {
    json_answer(&refusal_json(r, codes))
}

/// A send's answer: outer `0000`, the inner answer deciding.
fn send_answer(inner: Result<Value, Rejection>, codes: Codes) -> Response {
    let inner = match inner {
        Ok(result) => json!({ "code": "0000", "message": null, "result": result }),
        Err(r) => refusal_json(r, codes),
    };
    json_answer(&json!({ "code": "0000", "message": null, "result": inner }))
}

fn top(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Digits only.
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A Korean mobile number, no hyphen: 010 and 8 digits (11 in all), or
/// 011/016/017/018/019 and 7 or 8 digits (10 or 11 in all).
pub(crate) fn valid_mobile(s: &str) -> bool {
    digits(s)
        && ((s.starts_with("010") && s.len() == 11)
            || (["011", "016", "017", "018", "019"].iter().any(|p| s.starts_with(p)) && (10..=11).contains(&s.len())))
}

/// A sender number: a landline or mobile (`0…`, 9 to 11 digits) or a `15xx`/`16xx`/`18xx`
/// representative number (8 digits), no hyphen.
pub(crate) fn valid_callback(s: &str) -> bool {
    digits(s)
        && ((s.starts_with('0') && (9..=11).contains(&s.len()))
            || (["15", "16", "18"].iter().any(|p| s.starts_with(p)) && s.len() == 8))
}

/// The host a `couponImgUrl` names: the request's own loopback host when it is a plain
/// `host[:port]`, else `127.0.0.1`.
pub(crate) fn img_prefix(host: Option<&str>) -> String {
    let host = host
        .filter(|h| !h.is_empty() && h.len() <= 64)
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b)))
        .unwrap_or("127.0.0.1");
    format!("http://{host}/giftishow/barcode/")
}

impl Giftishow {
    /// One request on `route`, its headers and form body. `Err` is a route the variant
    /// does not serve (404).
    pub(crate) fn handle(&self, route: &Route, headers: &HeaderMap, body: &[u8]) -> Result<Response, AdminError> {
        let mut store = lock(&self.store);
        let variant = store.variant;
        match route {
            Route::BrandsCode(_) if variant.brand_codes == BrandCodes::ListDetail0103 => {
                return Err(AdminError::NotFound(
                    "with the brand codes 0103/0104 the brand detail is on /bizApi/brands (a `brand_code` field)"
                        .into(),
                ));
            }
            Route::Send(path) if *path != variant.send_path => {
                return Err(AdminError::NotFound(format!(
                    "the send is served on {} in this variant",
                    match variant.send_path {
                        SendPath::BizApi => "/giftishow/bizApi/send",
                        SendPath::Coupon => "/giftishow/coupon/send",
                    }
                )));
            }
            _ => {}
        }
        let form = Form::parse(body).with_headers(headers);
        let op = match gate(&form, route, &variant) {
            Ok(op) => op,
            Err(r) => return Ok(refused(r, variant.codes)),
        };
        let test = form.get("dev_yn") == Some("Y");
        let today = now_kst().date_naive();
        let answer = match op {
            Op::GoodsList => self.goods_list(&form, &variant),
            Op::GoodsDetail(code) => self.goods_detail(code.as_deref().or(form.get("goods_code")), &variant),
            Op::BrandList => Ok(self.brand_list(&variant)),
            Op::BrandDetail(code) => self.brand_detail(code.as_deref().or(form.get("brand_code"))),
            Op::Send => {
                let inner = self.send(&mut store, &form, &variant, test, &img_prefix(host(headers)));
                Ok(send_answer(inner, variant.codes))
            }
            Op::Coupons => self.coupons(&store, &form, &variant, today),
            Op::Cancel => cancel(&mut store, &form, today, &self.catalog.goods),
            Op::Resend => resend(&mut store, &form, today),
            Op::SendFailCancel => match form.get("tr_id") {
                None => Err(Rejection::Missing),
                Some(tr_id) => match store.refund_failure(tr_id) {
                    Some(_) => Ok(ok(Value::Null, Map::new())),
                    None => Err(Rejection::NoFailure),
                },
            },
            Op::Bizmoney => {
                let balance = json!(store.balance.to_string());
                Ok(if variant.top_level {
                    ok(Value::Null, top(vec![("balance", balance)]))
                } else {
                    ok(json!({ "balance": balance }), Map::new())
                })
            }
        };
        Ok(answer.unwrap_or_else(|r| refused(r, variant.codes)))
    }

    fn goods_list(&self, form: &Form, variant: &Variant) -> Result<Response, Rejection> {
        let number = |name: &str, default: usize| match form.get(name) {
            None => Some(default),
            Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)),
        };
        let (Some(start), Some(size)) = (number("start", 1), number("size", 20)) else {
            return Err(Rejection::Paging);
        };
        let page: Vec<Value> = self
            .catalog
            .goods
            .iter()
            .skip((start - 1).saturating_mul(size))
            .take(size)
            .map(|g| g.list_item(variant.dates))
            .collect();
        let result = json!({ "listNum": page.len(), "goodsList": page });
        let total = self.catalog.goods.len();
        Ok(ok(result, if variant.top_level { top(vec![("totalCount", json!(total))]) } else { Map::new() }))
    }

    fn goods_detail(&self, code: Option<&str>, variant: &Variant) -> Result<Response, Rejection> {
        let code = code.map(str::trim).filter(|c| !c.is_empty()).ok_or(Rejection::Missing)?;
        let g = self.catalog.goods(code).ok_or(Rejection::NoGoods)?;
        Ok(ok(json!({ "goodsDetail": g.detail(variant.dates) }), Map::new()))
    }

    fn brand_list(&self, variant: &Variant) -> Response {
        let list: Vec<Value> = self.catalog.brands.iter().map(|b| Value::Object(b.raw.clone())).collect();
        let total = list.len();
        let result = json!({ "listNum": total, "brandList": list });
        ok(result, if variant.top_level { top(vec![("totalCount", json!(total))]) } else { Map::new() })
    }

    fn brand_detail(&self, code: Option<&str>) -> Result<Response, Rejection> {
        let code = code.map(str::trim).filter(|c| !c.is_empty()).ok_or(Rejection::Missing)?;
        let b = self.catalog.brand(code).ok_or(Rejection::NoBrand)?;
        Ok(ok(json!({ "brandDetail": Value::Object(b.raw.clone()) }), Map::new()))
    }

    /// 0204: the inner answer of a send.
    fn send(
        &self,
        store: &mut Store,
        form: &Form,
        variant: &Variant,
        test: bool,
        img_prefix: &str,
    ) -> Result<Value, Rejection> {
        let (Some(goods_code), Some(tr_id), Some(gubun)) =
            (form.get("goods_code"), form.get("tr_id"), form.get("gubun"))
        else {
            return Err(Rejection::Missing);
        };
        if !["Y", "N", "I"].contains(&gubun) {
            return Err(Rejection::Missing);
        }
        let by_mms = gubun == "N";
        let (phone_no, callback_no) = (form.get("phone_no"), form.get("callback_no"));
        let (mms_title, mms_msg) = (form.get("mms_title"), form.get("mms_msg"));
        if by_mms && (phone_no.is_none() || callback_no.is_none() || mms_title.is_none() || mms_msg.is_none()) {
            return Err(Rejection::Missing);
        }
        if tr_id.chars().count() > variant.tr_id_limit {
            return Err(Rejection::TrIdTooLong);
        }
        if phone_no.is_some_and(|p| !valid_mobile(p)) {
            return Err(Rejection::BadReceiver);
        }
        if callback_no.is_some_and(|c| !valid_callback(c)) {
            return Err(Rejection::BadCallback);
        }
        if mms_title.is_some_and(|t| t.chars().count() > variant.mms_title_limit) {
            return Err(Rejection::TitleTooLong);
        }
        let now = now_kst();
        let goods = self.catalog.goods(goods_code).ok_or(Rejection::NoGoods)?;
        if !goods.sendable(now.date_naive()) {
            return Err(Rejection::NotOnSale);
        }
        if store.by_tr_id(tr_id).is_some() {
            return Err(Rejection::DuplicateTrId);
        }
        if !test {
            if store.balance < goods.discount_price {
                return Err(Rejection::LowBizmoney);
            }
            if store.pending_failures > 0 {
                store.pending_failures -= 1;
                store.fail_charged(tr_id, goods.discount_price);
                return Err(Rejection::SendFailed);
            }
        }
        let new = NewCoupon {
            tr_id,
            goods,
            gubun,
            phone_no: phone_no.unwrap_or(""),
            callback_no: callback_no.unwrap_or(""),
            mms_title: mms_title.unwrap_or(""),
            mms_msg: mms_msg.unwrap_or(""),
            partner_order_no: form.get("order_no").unwrap_or(""),
            template_id: form.get("template_id").unwrap_or(""),
            banner_id: form.get("banner_id").unwrap_or(""),
            test,
            img_prefix,
        };
        let c = store.issue(&new, now);
        Ok(json!({
            "orderNo": c.order_no,
            "pinNo": if by_mms { Value::Null } else { json!(c.pin_no) },
            "couponImgUrl": c.coupon_img_url,
        }))
    }

    /// 0201: the coupon sent with `tr_id`.
    fn coupons(&self, store: &Store, form: &Form, variant: &Variant, today: NaiveDate) -> Result<Response, Rejection> {
        let tr_id = form.get("tr_id").ok_or(Rejection::Missing)?;
        let c = store.by_tr_id(tr_id).ok_or(Rejection::NoCoupon)?;
        let goods = self.catalog.goods(&c.goods_code);
        let brand = goods.and_then(|g| self.catalog.brand(&g.brand_code));
        let (status_cd, status_nm) = c.status(today);
        let (send_status, send_result, send_msg) = c.send_status();
        let mut info = json!({
            "goodsCd": c.goods_code,
            "goodsNm": goods.map_or("", |g| g.name.as_str()),
            "brandNm": goods.map_or("", |g| g.brand_name.as_str()),
            "pinStatusCd": status_cd,
            "pinStatusNm": status_nm,
            "sellPriceAmt": goods.map_or(0, |g| g.discount_price).to_string(),
            "cnsmPriceAmt": goods.map_or(0, |g| g.sale_price).to_string(),
            "senderTelNo": c.callback_no,
            "recverTelNo": c.phone_no,
            "sendBasicCd": c.gubun,
            "sendStatusCd": send_status,
            "sendRstCd": send_result,
            "sendRstMsg": send_msg,
            "validPrdEndDt": dates::day(c.valid_end, variant.dates),
            "correcDtm": dates::moment(c.changed_at, variant.dates),
            "mmsBrandThumImg": brand.map_or("", |b| b.mms_thum_img.as_str()),
            "orderNo": c.order_no,
            "pinNo": c.pin_no,
            "couponImgUrl": c.coupon_img_url,
        });
        if let (Some(remain), Value::Object(m)) = (c.remain, &mut info) {
            m.insert("remainAmt".into(), json!(remain.to_string()));
        }
        Ok(if variant.top_level {
            let extra =
                top(vec![("couponInfoList", json!([info])), ("resCode", json!("0000")), ("resMsg", json!("정상"))]);
            ok(Value::Null, extra)
        } else {
            ok(json!([{ "couponInfoList": [info], "resCode": "0000", "resMsg": "정상" }]), Map::new())
        })
    }
}

/// The `host` header, for the loopback `couponImgUrl`.
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(http::header::HOST).and_then(|h| h.to_str().ok())
}

/// Credentials, api code, `dev_yn`, `user_id`: the checks every call passes first, in
/// this order; the operation they select. The credentials: a code absent, then a token
/// absent, then a wrong code, then a wrong token.
fn gate(form: &Form, route: &Route, variant: &Variant) -> Result<Op, Rejection> {
    let (code, token) = (form.get("custom_auth_code"), form.get("custom_auth_token"));
    match (code, token) {
        (None, _) => return Err(Rejection::AuthCodeMissing),
        (_, None) => return Err(Rejection::AuthTokenMissing),
        (Some(code), _) if code != AUTH_CODE => return Err(Rejection::AuthCodeWrong),
        (_, Some(token)) if token != AUTH_TOKEN => return Err(Rejection::AuthTokenWrong),
        _ => {}
    }
    let api_code = form.get("api_code").unwrap_or("");
    let (brand_list, brand_detail) = variant.brand_codes();
    let goods_detail = variant.goods_detail();
    let op = match route {
        Route::Goods if api_code == "0101" => Op::GoodsList,
        Route::Goods if api_code == goods_detail => Op::GoodsDetail(None),
        Route::GoodsCode(code) if api_code == goods_detail => Op::GoodsDetail(Some(code.clone())),
        Route::Brands if api_code == brand_list => Op::BrandList,
        Route::Brands if api_code == brand_detail => Op::BrandDetail(None),
        Route::BrandsCode(code) if api_code == brand_detail => Op::BrandDetail(Some(code.clone())),
        Route::Send(_) if api_code == "0204" => Op::Send,
        Route::Coupons if api_code == "0201" => Op::Coupons,
        Route::Cancel if api_code == "0202" => Op::Cancel,
        Route::Resend if api_code == "0203" => Op::Resend,
        Route::SendFailCancel if api_code == "0205" => Op::SendFailCancel,
        Route::Bizmoney if api_code == "0301" => Op::Bizmoney,
        _ if API_CODES.contains(&api_code) => return Err(Rejection::ApiCodeElsewhere),
        _ => return Err(Rejection::ApiCodeUnknown),
    };
    if !matches!(form.get("dev_yn"), Some("Y" | "N")) {
        return Err(Rejection::DevYn);
    }
    match (op.user_id(), form.get("user_id")) {
        (UserId::Ignored, _) | (UserId::Checked, None) => {}
        (UserId::Required, None) => return Err(Rejection::UserIdMissing),
        (UserId::Checked | UserId::Required, Some(id)) if id != USER_ID => return Err(Rejection::UserIdWrong),
        (UserId::Checked | UserId::Required, Some(_)) => {}
    }
    Ok(op)
}

/// 0202: cancels an unused coupon; refunds what it was charged.
fn cancel(store: &mut Store, form: &Form, today: NaiveDate, goods: &[Goods]) -> Result<Response, Rejection> {
    let tr_id = form.get("tr_id").ok_or(Rejection::Missing)?;
    let c = store.by_tr_id_mut(tr_id).ok_or(Rejection::NoTrId)?;
    c.cancel_requests += 1;
    let face = goods.iter().find(|g| g.code == c.goods_code).map_or(0, |g| g.sale_price);
    match c.state {
        PinState::Cancelled { .. } => return Err(Rejection::AlreadyCancelled),
        PinState::Used { .. } => return Err(Rejection::CancelUsed),
        PinState::Issued if c.partly_spent(face) => return Err(Rejection::CancelUsed),
        PinState::Issued if today > c.valid_end => return Err(Rejection::CancelExpired),
        PinState::Issued => {}
    }
    let now = now_kst();
    c.state = PinState::Cancelled { at: now };
    c.changed_at = now;
    c.cancels += 1;
    let refund = c.charged;
    store.balance = store.balance.saturating_add(refund);
    Ok(ok(Value::Null, Map::new()))
}

/// 0203: sends the coupon's message again (`sms_flag` Y by SMS, N by MMS).
fn resend(store: &mut Store, form: &Form, today: NaiveDate) -> Result<Response, Rejection> {
    let (Some(tr_id), Some("Y" | "N")) = (form.get("tr_id"), form.get("sms_flag")) else {
        return Err(Rejection::Missing);
    };
    let c = store.by_tr_id_mut(tr_id).ok_or(Rejection::NoTrId)?;
    match c.state {
        PinState::Cancelled { .. } => return Err(Rejection::ResendCancelled),
        PinState::Used { .. } => return Err(Rejection::Used),
        PinState::Issued if today > c.valid_end => return Err(Rejection::Expired),
        PinState::Issued => {}
    }
    c.resends += 1;
    // The message went out again: a failed delivery is a delivered one now.
    c.delivery_failed = false;
    Ok(ok(Value::Null, Map::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_rules() {
        assert!(valid_mobile("01012345678"));
        assert!(valid_mobile("0111234567"));
        assert!(valid_mobile("01612345678"));
        assert!(!valid_mobile("0101234567"), "an 010 number has 11 digits");
        assert!(!valid_mobile("010-1234-5678"), "no hyphens");
        assert!(!valid_mobile("0212345678"), "a landline cannot receive the MMS");
        assert!(!valid_mobile("010123456789"));
        assert!(!valid_mobile("0101234567８"));
        assert!(valid_callback("15880000") && valid_callback("0212345678") && valid_callback("01012345678"));
        assert!(!valid_callback("1588-0000") && !valid_callback("158800001") && !valid_callback("12345678"));
    }

    #[test]
    fn forms_are_read_leniently() {
        let f = Form::parse(b"a=1&a=2&b=%ED%95%9C&c=%FF&d=+x+&%=&&=");
        assert_eq!(f.get("a"), Some("1"), "the first of a repeated name wins");
        assert_eq!(f.get("b"), Some("한"));
        assert_eq!(f.get("c"), Some("\u{fffd}"));
        assert_eq!(f.get("d"), Some("x"));
        assert_eq!(f.get("missing"), None);
    }

    #[test]
    fn headers_stand_for_the_fields_the_form_lacks() {
        let mut headers = HeaderMap::new();
        headers.insert("custom_auth_code", http::HeaderValue::from_static("from-header"));
        headers.insert("custom_auth_token", http::HeaderValue::from_static("token-header"));
        headers.insert("dev_flag", http::HeaderValue::from_static(" Y "));
        headers.insert("user_id", http::HeaderValue::from_static("not-a-credential"));
        let f = Form::parse(b"custom_auth_code=from-form&custom_auth_token=+&api_code=0301").with_headers(&headers);
        assert_eq!(f.get("custom_auth_code"), Some("from-form"), "the form field wins");
        assert_eq!(f.get("custom_auth_token"), Some("token-header"), "a blank field is lacking");
        assert_eq!(f.get("dev_yn"), Some("Y"), "dev_flag stands for dev_yn");
        assert_eq!(f.get("dev_flag"), None);
        assert_eq!(f.get("user_id"), None, "only the credentials and the mode");
        let mut odd = HeaderMap::new();
        odd.insert("custom_auth_code", http::HeaderValue::from_bytes(b"\xed\x95\x9c").unwrap());
        odd.insert("dev_flag", http::HeaderValue::from_static("   "));
        let f = Form::parse(b"").with_headers(&odd);
        assert_eq!((f.get("custom_auth_code"), f.get("dev_yn")), (None, None));
    }

    #[test]
    fn image_urls_name_only_a_plain_host() {
        assert_eq!(img_prefix(Some("127.0.0.1:8089")), "http://127.0.0.1:8089/giftishow/barcode/");
        assert_eq!(img_prefix(Some("evil/\"x")), "http://127.0.0.1/giftishow/barcode/");
        assert_eq!(img_prefix(None), "http://127.0.0.1/giftishow/barcode/");
    }
}
