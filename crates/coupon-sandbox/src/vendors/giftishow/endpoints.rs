//! The operations, read from the reconstructed reading: every call a form POST checked
//! in the same order (credentials, api code, `dev_yn`, `user_id`), then the
//! operation's own fields. Every answer is JSON `{"code","message","result"}` with
//! HTTP 200, whatever the body holds: odd bytes are read leniently, never a panic.

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::catalog::Goods;
use super::credentials::{AUTH_CODE, AUTH_TOKEN, USER_ID};
use super::store::{NewCoupon, PinState, Store};
use super::variant::{BrandCodes, SendPath, Variant};
use super::Giftishow;
use super::codes::{self, Refusal};
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

impl Op {
    /// Operations on the partner's account carry `user_id`.
    fn account(&self) -> bool {
        matches!(self, Self::Send | Self::Coupons | Self::Cancel | Self::Resend | Self::SendFailCancel | Self::Bizmoney)
    }
}

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

/// `{"code":…,"message":…,"result":null}`.
fn refused((code, message): Refusal) -> Response {
    json_answer(&json!({ "code": code, "message": message, "result": null }))
}

/// A send's answer: outer `0000`, the inner answer deciding.
fn send_answer(inner: Result<Value, Refusal>) -> Response {
    let inner = match inner {
        Ok(result) => json!({ "code": "0000", "message": null, "result": result }),
        Err((code, message)) => json!({ "code": code, "message": message, "result": null }),
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
    /// One request on `route`. `Err` is a route the variant does not serve (404).
    pub(crate) fn handle(&self, route: &Route, host: Option<&str>, body: &[u8]) -> Result<Response, AdminError> {
        let mut store = lock(&self.store);
        let variant = store.variant;
        match route {
            Route::BrandsCode(_) if variant.brand_codes == BrandCodes::ListDetail0103 => {
                return Err(AdminError::NotFound(
                    "with the brand codes 0103/0104 the brand detail is on /bizApi/brands (a `brand_code` field)".into(),
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
        let form = Form::parse(body);
        let op = match gate(&form, route, &variant) {
            Ok(op) => op,
            Err(r) => return Ok(refused(r)),
        };
        let test = form.get("dev_yn") == Some("Y");
        let today = now_kst().date_naive();
        Ok(match op {
            Op::GoodsList => self.goods_list(&form, &variant),
            Op::GoodsDetail(code) => self.goods_detail(code.as_deref().or(form.get("goods_code"))),
            Op::BrandList => self.brand_list(&variant),
            Op::BrandDetail(code) => self.brand_detail(code.as_deref().or(form.get("brand_code"))),
            Op::Send => send_answer(self.send(&mut store, &form, &variant, test, &img_prefix(host))),
            Op::Coupons => self.coupons(&store, &form, &variant, today),
            Op::Cancel => cancel(&mut store, &form, today, &self.catalog.goods),
            Op::Resend => resend(&mut store, &form, today),
            Op::SendFailCancel => match form.get("tr_id") {
                None => refused(codes::MISSING),
                Some(tr_id) => match store.refund_failure(tr_id) {
                    Some(_) => ok(Value::Null, Map::new()),
                    None => refused(codes::NO_FAILURE),
                },
            },
            Op::Bizmoney => {
                let balance = json!(store.balance.to_string());
                if variant.top_level {
                    ok(Value::Null, top(vec![("balance", balance)]))
                } else {
                    ok(json!({ "balance": balance }), Map::new())
                }
            }
        })
    }

    fn goods_list(&self, form: &Form, variant: &Variant) -> Response {
        let number = |name: &str, default: usize| match form.get(name) {
            None => Some(default),
            Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)),
        };
        let (Some(start), Some(size)) = (number("start", 1), number("size", 20)) else {
            return refused(codes::MISSING);
        };
        let page: Vec<Value> = self
            .catalog
            .goods
            .iter()
            .skip((start - 1).saturating_mul(size))
            .take(size)
            .map(Goods::list_item)
            .collect();
        let result = json!({ "listNum": page.len(), "goodsList": page });
        let total = self.catalog.goods.len();
        ok(result, if variant.top_level { top(vec![("totalCount", json!(total))]) } else { Map::new() })
    }

    fn goods_detail(&self, code: Option<&str>) -> Response {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return refused(codes::MISSING) };
        match self.catalog.goods(code) {
            Some(g) => ok(json!({ "goodsDetail": g.detail() }), Map::new()),
            None => refused(codes::NO_GOODS),
        }
    }

    fn brand_list(&self, variant: &Variant) -> Response {
        let list: Vec<Value> = self.catalog.brands.iter().map(|b| Value::Object(b.raw.clone())).collect();
        let total = list.len();
        let result = json!({ "listNum": total, "brandList": list });
        ok(result, if variant.top_level { top(vec![("totalCount", json!(total))]) } else { Map::new() })
    }

    fn brand_detail(&self, code: Option<&str>) -> Response {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return refused(codes::MISSING) };
        match self.catalog.brand(code) {
            Some(b) => ok(json!({ "brandDetail": Value::Object(b.raw.clone()) }), Map::new()),
            None => refused(codes::NO_BRAND),
        }
    }

    /// 0204: the inner answer of a send.
    fn send(
        &self,
        store: &mut Store,
        form: &Form,
        variant: &Variant,
        test: bool,
        img_prefix: &str,
    ) -> Result<Value, Refusal> {
        let (Some(goods_code), Some(tr_id), Some(gubun)) = (form.get("goods_code"), form.get("tr_id"), form.get("gubun"))
        else {
            return Err(codes::MISSING);
        };
        if !["Y", "N", "I"].contains(&gubun) {
            return Err(codes::MISSING);
        }
        let by_mms = gubun == "N";
        let (phone_no, callback_no) = (form.get("phone_no"), form.get("callback_no"));
        let (mms_title, mms_msg) = (form.get("mms_title"), form.get("mms_msg"));
        if by_mms && (phone_no.is_none() || callback_no.is_none() || mms_title.is_none() || mms_msg.is_none()) {
            return Err(codes::MISSING);
        }
        if tr_id.chars().count() > variant.tr_id_limit {
            return Err(codes::TR_ID_TOO_LONG);
        }
        if phone_no.is_some_and(|p| !valid_mobile(p)) {
            return Err(("ERR0817", "수신번호 형식 오류"));
        }
        if callback_no.is_some_and(|c| !valid_callback(c)) {
            return Err(codes::BAD_CALLBACK);
        }
        if mms_title.is_some_and(|t| t.chars().count() > variant.mms_title_limit) {
            return Err(codes::TITLE_TOO_LONG);
        }
        let now = now_kst();
        let goods = self.catalog.goods(goods_code).ok_or(codes::NO_GOODS)?;
        if !goods.sendable(now.date_naive()) {
            return Err(codes::NOT_ON_SALE);
        }
        if store.by_tr_id(tr_id).is_some() {
            return Err(("ERR0215", "중복된 TR_ID"));
        }
        if !test {
            if store.balance < goods.discount_price {
                return Err(("E0010", "비즈머니 잔액이 부족합니다."));
            }
            if store.pending_failures > 0 {
                store.pending_failures -= 1;
                store.fail_charged(tr_id, goods.discount_price);
                return Err(codes::SEND_FAILED);
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
    fn coupons(&self, store: &Store, form: &Form, variant: &Variant, today: NaiveDate) -> Response {
        let Some(tr_id) = form.get("tr_id") else { return refused(codes::MISSING) };
        let Some(c) = store.by_tr_id(tr_id) else { return refused(("ERR0204", "조회된 쿠폰이 없습니다.")) };
        let goods = self.catalog.goods(&c.goods_code);
        let brand = goods.and_then(|g| self.catalog.brand(&g.brand_code));
        let (status_cd, status_nm) = c.status(today);
        let (send_status, send_msg) = match (c.gubun.as_str(), c.test) {
            ("N", false) => ("02", "발송완료"),
            _ => ("01", "미발송"),
        };
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
            "sendRstCd": "0000",
            "sendRstMsg": send_msg,
            "validPrdEndDt": c.valid_end.format("%Y%m%d").to_string(),
            "correcDtm": c.changed_at.format("%Y%m%d%H%M%S").to_string(),
            "mmsBrandThumImg": brand.map_or("", |b| b.mms_thum_img.as_str()),
            "orderNo": c.order_no,
            "pinNo": c.pin_no,
            "couponImgUrl": c.coupon_img_url,
        });
        if let (Some(remain), Value::Object(m)) = (c.remain, &mut info) {
            m.insert("remainAmt".into(), json!(remain.to_string()));
        }
        if variant.top_level {
            let extra =
                top(vec![("couponInfoList", json!([info])), ("resCode", json!("0000")), ("resMsg", json!("정상"))]);
            ok(Value::Null, extra)
        } else {
            ok(json!([{ "couponInfoList": [info], "resCode": "0000", "resMsg": "정상" }]), Map::new())
        }
    }
}

/// Credentials, api code, `dev_yn`, `user_id`: the checks every call passes first; the
/// operation they select.
fn gate(form: &Form, route: &Route, variant: &Variant) -> Result<Op, Refusal> {
    if form.get("custom_auth_code") != Some(AUTH_CODE) || form.get("custom_auth_token") != Some(AUTH_TOKEN) {
        return Err(("E0006", "인증키 정보가 올바르지 않습니다."));
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
        _ => return Err(codes::API_CODE),
    };
    if !matches!(form.get("dev_yn"), Some("Y" | "N")) {
        return Err(codes::MISSING);
    }
    if op.account() {
        match form.get("user_id") {
            None => return Err(codes::MISSING),
            Some(id) if id != USER_ID => return Err(codes::USER_ID),
            Some(_) => {}
        }
    }
    Ok(op)
}

/// 0202: cancels an unused coupon; refunds what it was charged.
fn cancel(store: &mut Store, form: &Form, today: NaiveDate, goods: &[Goods]) -> Response {
    let Some(tr_id) = form.get("tr_id") else { return refused(codes::MISSING) };
    let Some(c) = store.by_tr_id_mut(tr_id) else { return refused(codes::NO_TR_ID) };
    let face = goods.iter().find(|g| g.code == c.goods_code).map_or(0, |g| g.sale_price);
    match c.state {
        PinState::Cancelled { .. } => return refused(("ERR0208", "이미 취소된 쿠폰입니다.")),
        PinState::Used { .. } => return refused(codes::USED),
        PinState::Issued if c.partly_spent(face) => return refused(codes::USED),
        PinState::Issued if today > c.valid_end => return refused(codes::EXPIRED),
        PinState::Issued => {}
    }
    let now = now_kst();
    c.state = PinState::Cancelled { at: now };
    c.changed_at = now;
    let refund = c.charged;
    store.balance = store.balance.saturating_add(refund);
    ok(Value::Null, Map::new())
}

/// 0203: sends the coupon's message again (`sms_flag` Y by SMS, N by MMS).
fn resend(store: &mut Store, form: &Form, today: NaiveDate) -> Response {
    let (Some(tr_id), Some("Y" | "N")) = (form.get("tr_id"), form.get("sms_flag")) else {
        return refused(codes::MISSING);
    };
    let Some(c) = store.by_tr_id_mut(tr_id) else { return refused(codes::NO_TR_ID) };
    match c.state {
        PinState::Cancelled { .. } => return refused(codes::RESEND_CANCELLED),
        PinState::Used { .. } => return refused(codes::USED),
        PinState::Issued if today > c.valid_end => return refused(codes::EXPIRED),
        PinState::Issued => {}
    }
    c.resends += 1;
    ok(Value::Null, Map::new())
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
    fn image_urls_name_only_a_plain_host() {
        assert_eq!(img_prefix(Some("127.0.0.1:8089")), "http://127.0.0.1:8089/giftishow/barcode/");
        assert_eq!(img_prefix(Some("evil/\"x")), "http://127.0.0.1/giftishow/barcode/");
        assert_eq!(img_prefix(None), "http://127.0.0.1/giftishow/barcode/");
    }
}
