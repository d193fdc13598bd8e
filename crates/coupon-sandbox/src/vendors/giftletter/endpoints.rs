//! The eight endpoints, read from the vendor document (B2C v1.6). Every handler
//! answers like the vendor, whatever the query holds: a missing or unreadable
//! parameter is `P001` (or `{"STATUS":"E"}` on the catalog endpoints), never a panic.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use md5::{Digest, Md5};

use super::Giftletter;
use super::answers::{self, Obj, euc_kr_text, report_line, result, status_only};
use super::credentials::{AUTH_KEY, CID};
use super::query::{Params, cp949_bytes};
use super::store::{NewOrder, PinState};
use crate::emulator::now_kst;
use crate::state::lock;

/// `enc`: md5(auth key + cid + fields), lowercase hex.
fn expected_enc(fields: &[&str]) -> String {
    let mut md5 = Md5::new();
    md5.update(AUTH_KEY.as_bytes());
    md5.update(CID.as_bytes());
    for f in fields {
        md5.update(f.as_bytes());
    }
    md5.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The partner is known and `enc` signs `fields` (case of the hex digits ignored).
fn authorized(p: &Params, fields: &[&str]) -> bool {
    p.get("cid") == Some(CID) && p.get("enc").is_some_and(|e| e.eq_ignore_ascii_case(&expected_enc(fields)))
}

const MSG_PARAM: &str = "파라미터 오류";
const MSG_AUTH: &str = "가맹점 인증 오류";
const MSG_IP: &str = "등록되지 않은 IP입니다";

/// The document's lengths, in CP949 bytes.
fn too_long(p: &Params, limits: &[(&str, usize)]) -> bool {
    limits.iter().any(|(name, max)| p.get(name).is_some_and(|v| cp949_bytes(v) > *max))
}

/// Korean phone numbers: digits with optional hyphens. `mobile` numbers receive the SMS.
fn valid_phone(raw: &str, mobile: bool) -> bool {
    if raw.len() > 13 || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return false;
    }
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    if mobile {
        (d.starts_with("010") && d.len() == 11)
            || (["011", "016", "017", "018", "019"].iter().any(|p| d.starts_with(p)) && (10..=11).contains(&d.len()))
    } else {
        (d.starts_with('0') && (9..=12).contains(&d.len()))
            || (["15", "16", "18"].iter().any(|p| d.starts_with(p)) && d.len() == 8)
    }
}

/// `SendEPin` (§3): the failure answer repeats every member, empty.
pub(crate) fn send_epin(gl: &Giftletter, raw: Option<&str>) -> Response {
    let fail = |code: &str, msg: &str| result(code, msg, &[("epin", ""), ("order_id", ""), ("reserved", "")]);
    let mut store = lock(&gl.store);
    if store.ip_allowlist {
        return fail("S002", MSG_IP);
    }
    let Ok(p) = Params::parse(raw) else { return fail("P001", MSG_PARAM) };
    let required = ["cid", "enc", "goods_id", "count", "title", "content", "mdn", "receive_tel", "co_tid"];
    if !p.has_all(&required) {
        return fail("P001", MSG_PARAM);
    }
    let (goods_id, co_tid) = (p.get("goods_id").unwrap_or(""), p.get("co_tid").unwrap_or(""));
    if !authorized(&p, &[goods_id, co_tid]) {
        return fail("A001", MSG_AUTH);
    }
    let limits = [("goods_id", 20), ("title", 40), ("content", 500), ("co_tid", 30), ("reserved", 20)];
    if too_long(&p, &limits) {
        return fail("P001", MSG_PARAM);
    }
    match p.get("count").map(str::parse::<i64>) {
        Some(Ok(1)) => {}
        Some(Ok(_)) => return fail("P003", "허용 가능 개수를 초과하였습니다."),
        Some(Err(_)) | None => return fail("P001", MSG_PARAM),
    }
    if !valid_phone(p.get("mdn").unwrap_or(""), true) || !valid_phone(p.get("receive_tel").unwrap_or(""), false) {
        return fail("P002", "핸드폰 번호가 올바르지 않습니다");
    }
    if gl.catalog.goods(goods_id).is_none_or(|g| g.status != "Y") {
        return fail("A101", "사용가능한 상품이 아닙니다.");
    }
    if store.has_co_tid(co_tid) {
        return fail("P101", "이미 존재하는 거래번호 입니다");
    }
    let reserved = p.get("reserved").unwrap_or("");
    let now = now_kst();
    let valid_end = gl.catalog.goods(goods_id).map_or(NaiveDate::MAX, |g| g.valid_end(now.date_naive()));
    let new = NewOrder {
        co_tid,
        goods_id,
        title: p.get("title").unwrap_or(""),
        content: p.get("content").unwrap_or(""),
        reserved,
        valid_end,
    };
    let order = store.issue(&new, now);
    result("0", "", &[("epin", &order.epin), ("order_id", &order.order_id), ("reserved", reserved)])
}

/// `CancelSendEPin` (§4).
pub(crate) fn cancel(gl: &Giftletter, raw: Option<&str>) -> Response {
    let fail = |code: &str, msg: &str| result(code, msg, &[]);
    let mut store = lock(&gl.store);
    if store.ip_allowlist {
        return fail("S002", MSG_IP);
    }
    let Ok(p) = Params::parse(raw) else { return fail("P001", MSG_PARAM) };
    if !p.has_all(&["cid", "enc", "order_id"]) {
        return fail("P001", MSG_PARAM);
    }
    let order_id = p.get("order_id").unwrap_or("");
    if !authorized(&p, &[order_id]) {
        return fail("A001", MSG_AUTH);
    }
    let Some(order) = store.order_mut(order_id) else {
        // The document's own example for an unknown order.
        return fail("E102:P002", "EPin 취소 실패 : 존재하지 않는 거래번호입니다.");
    };
    order.cancel_requests += 1;
    let now = now_kst();
    match order.state {
        PinState::Used { .. } => fail("E201", "이미 사용된 EPIN 입니다"),
        PinState::Cancelled { .. } => fail("E304", "EPIN 취소 실패(이미 취소 된 거래 건)"),
        // The document has no code of its own for an expired PIN: E102 is its "cancel
        // failed", with the reason in the message.
        PinState::Unused if order.expired(now.date_naive()) => {
            fail("E102", "EPIN 취소 실패 : 유효기간이 만료된 EPIN 입니다.")
        }
        PinState::Unused => {
            order.state = PinState::Cancelled { at: now };
            order.cancels += 1;
            result("0", "", &[])
        }
    }
}

/// `StatusSendEPin` (§5).
pub(crate) fn status(gl: &Giftletter, raw: Option<&str>) -> Response {
    let fail = |code: &str, msg: &str| result(code, msg, &[("use", ""), ("use_date", ""), ("branchname", "")]);
    let mut store = lock(&gl.store);
    if store.ip_allowlist {
        return fail("S002", MSG_IP);
    }
    let Ok(p) = Params::parse(raw) else { return fail("P001", MSG_PARAM) };
    if !p.has_all(&["cid", "enc", "order_id"]) {
        return fail("P001", MSG_PARAM);
    }
    let order_id = p.get("order_id").unwrap_or("");
    if !authorized(&p, &[order_id]) {
        return fail("A001", MSG_AUTH);
    }
    let Some(order) = store.order_mut(order_id) else {
        return fail("E103 : P002", "EPin 상태 조회 실패 : 존재하지 않는 거래번호입니다.");
    };
    let goods = gl.catalog.goods(&order.goods_id);
    if goods.is_none_or(|g| !g.status_supported) {
        return fail("P201", "지원하지 않는 기능입니다");
    }
    let day_only = goods.is_some_and(|g| g.exchange_day_only);
    let (use_, date, branch) = match &order.state {
        PinState::Unused => ("N", String::new(), String::new()),
        PinState::Used { at, branch } => {
            let format = if day_only { "%Y-%m-%d" } else { "%Y-%m-%d %H:%M:%S" };
            ("Y", at.format(format).to_string(), branch.clone())
        }
        PinState::Cancelled { .. } => ("C", String::new(), String::new()),
    };
    result("0", "", &[("use", use_), ("use_date", &date), ("branchname", &branch)])
}

/// `ReSendSMS` (§6): the document writes its `reserved` key with a stray space.
pub(crate) fn resend_sms(gl: &Giftletter, raw: Option<&str>) -> Response {
    let fail = |code: &str, msg: &str| result(code, msg, &[("reserved ", "")]);
    let mut store = lock(&gl.store);
    if store.ip_allowlist {
        return fail("S002", MSG_IP);
    }
    let Ok(p) = Params::parse(raw) else { return fail("P001", MSG_PARAM) };
    if !p.has_all(&["cid", "enc", "order_id", "send_type"]) || p.get("send_type") != Some("D") {
        return fail("P001", MSG_PARAM);
    }
    let order_id = p.get("order_id").unwrap_or("");
    if !authorized(&p, &[order_id]) {
        return fail("A001", MSG_AUTH);
    }
    if too_long(&p, &[("msg", 20), ("reserved", 20)]) {
        return fail("P001", MSG_PARAM);
    }
    let Some(order) = store.order_mut(order_id) else {
        return fail("P102", "존재하지 않는 거래번호 입니다");
    };
    if matches!(order.state, PinState::Cancelled { .. }) {
        return fail("E304", "이미 취소 된 거래 건입니다");
    }
    if order.resends >= 3 {
        return fail("P301", "재전송 횟수를 초과하였습니다");
    }
    order.resends += 1;
    result("0", "", &[("reserved ", p.get("reserved").unwrap_or(""))])
}

/// Catalog endpoints refuse with `STATUS` only; `Err` holds that letter. `signed`
/// names the field `enc` signs, `None` for the unsigned `getBrandImage`.
fn catalog_gate(
    gl: &Giftletter,
    raw: Option<&str>,
    names: &[&str],
    signed: Option<&str>,
) -> Result<Params, &'static str> {
    if lock(&gl.store).ip_allowlist {
        return Err("I");
    }
    let p = Params::parse(raw).map_err(|_| "E")?;
    if !p.has_all(names) {
        return Err("E");
    }
    match signed {
        Some(field) if !authorized(&p, &[p.get(field).unwrap_or("")]) => Err("C"),
        None if p.get("cid") != Some(CID) => Err("E"),
        Some(_) | None => Ok(p),
    }
}

/// `getGoodsInfoList` (§7): a JSON array, or `{"STATUS":"E"}`.
pub(crate) fn goods_list(gl: &Giftletter, raw: Option<&str>) -> Response {
    let p = match catalog_gate(gl, raw, &["cid", "brand_id", "enc"], Some("brand_id")) {
        Ok(p) => p,
        Err(status) => return status_only(status),
    };
    let Some(brand) = p.get("brand_id").and_then(|b| b.parse::<u64>().ok()).and_then(|b| gl.catalog.brand(b)) else {
        return status_only("E");
    };
    let items: Vec<Obj> = gl
        .catalog
        .goods
        .iter()
        .filter(|g| g.brand_id == brand.brand_id)
        .map(|g| {
            Obj::new()
                .s("GOODS_ID", &g.goods_id)
                .s("GOODS_NAME", &g.goods_name)
                .s("BRAND_NAME", &brand.brand_name)
                .s("PRICE", &g.price.to_string())
                .s("IMG_URL", &g.img_url)
                .s("STATUS", &g.status)
        })
        .collect();
    answers::array(&items)
}

/// `getGoodsInfo` (§8): keys spelled as in the document's example, stray spaces included.
pub(crate) fn goods_info(gl: &Giftletter, raw: Option<&str>) -> Response {
    let p = match catalog_gate(gl, raw, &["cid", "goods_id", "enc"], Some("goods_id")) {
        Ok(p) => p,
        Err(status) => return status_only(status),
    };
    let Some(g) = p.get("goods_id").and_then(|id| gl.catalog.goods(id)) else {
        return status_only("E");
    };
    let brand = gl.catalog.brand(g.brand_id);
    let obj = Obj::new()
        .s("GOODS_ID", &g.goods_id)
        .s("GOODS_NAME", &g.goods_name)
        .s("BRAND_ID", &g.brand_id.to_string())
        .s("BRAND_NAME", brand.map_or("", |b| b.brand_name.as_str()))
        .s("PRICE ", &g.price.to_string())
        .s("SPRICE ", &g.sprice.to_string())
        .s("MSG_TYPE", &g.msg_type)
        .s("IMG_URL ", &g.img_url)
        .s("EXDATE ", &g.exdate)
        .s("GOODS_MEMO ", &g.goods_memo)
        .s("BRAND_MEMO", brand.map_or("", |b| b.brand_memo.as_str()))
        .s("STATUS", &g.status);
    answers::object(&obj)
}

/// `getBrandImage` (§9): not signed; `E` for an unknown brand or partner.
pub(crate) fn brand_image(gl: &Giftletter, raw: Option<&str>) -> Response {
    let p = match catalog_gate(gl, raw, &["cid", "brand_id"], None) {
        Ok(p) => p,
        Err(status) => return status_only(status),
    };
    match p.get("brand_id").and_then(|b| b.parse::<u64>().ok()).and_then(|b| gl.catalog.brand(b)) {
        Some(b) => {
            answers::object(&Obj::new().s("BRAND_NAME", &b.brand_name).s("IMG_URL ", &b.img_url).s("STATUS", "Y"))
        }
        None => status_only("E"),
    }
}

/// `mn_compare/ExchangeDaily.aspx` (§10): the PINs redeemed on `dt`, one per line,
/// EUC-KR. The document says nothing of refusals: an unregistered IP or unknown
/// partner gets 403 with a short Korean text, a bad `dt` 400.
pub(crate) fn exchange_daily(gl: &Giftletter, raw: Option<&str>) -> Response {
    let store = lock(&gl.store);
    let Ok(p) = Params::parse(raw) else { return euc_kr_text(StatusCode::BAD_REQUEST, MSG_PARAM) };
    if store.ip_allowlist || p.get("cid") != Some(CID) {
        return euc_kr_text(StatusCode::FORBIDDEN, MSG_IP);
    }
    let Some(day) = p.get("dt").and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) else {
        return euc_kr_text(StatusCode::BAD_REQUEST, "조회 일자 형식 오류 (YYYY-MM-DD)");
    };
    let mut used: Vec<_> = store
        .orders()
        .iter()
        .filter_map(|o| match &o.state {
            PinState::Used { at, branch } if at.date_naive() == day => Some((at, o, branch)),
            PinState::Used { .. } | PinState::Unused | PinState::Cancelled { .. } => None,
        })
        .collect();
    used.sort_by_key(|(at, _, _)| **at);
    let text: String = used
        .into_iter()
        .map(|(at, o, branch)| {
            let day_only = gl.catalog.goods(&o.goods_id).is_some_and(|g| g.exchange_day_only);
            let when = at.format(if day_only { "%Y%m%d" } else { "%Y%m%d%H%M%S" }).to_string();
            report_line(&o.epin, &when, branch)
        })
        .collect();
    euc_kr_text(StatusCode::OK, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enc_matches_an_independent_md5() {
        // Python: hashlib.md5(b"sandbox-keysandbox0000000582CP1").hexdigest()
        assert_eq!(expected_enc(&["0000000582", "CP1"]), "62101e86ae5b152e0a20688cef18175f");
    }

    #[test]
    fn phone_rules() {
        assert!(valid_phone("010-1234-5678", true));
        assert!(valid_phone("01612345678", true));
        assert!(!valid_phone("02-123-4567", true), "a landline cannot receive the SMS");
        assert!(valid_phone("02-123-4567", false));
        assert!(valid_phone("1588-1234", false));
        assert!(!valid_phone("010-1234-56789", true));
        assert!(!valid_phone("010 1234 5678", true));
    }
}
