//! Giftishow Biz (기프티쇼 비즈, KT alpha) emulator, served under `/giftishow`.
//!
//! The project's reconstructed reading of the API (`giftishow-biz-reconstructed.md`, its
//! "More evidence" section winning where it disagrees with the tables above it), read
//! independently of the SDK's adapter. The host layout is the vendor's: the API base is
//! `/giftishow/bizApi`, and the variant send URL outside it is `/giftishow/coupon/send`.
//! Every call is a form POST (UTF-8) carrying `api_code`, `custom_auth_code`,
//! `custom_auth_token`, `dev_yn` (`Y`/`N`), and `user_id` on the account operations;
//! every answer is JSON `{"code","message","result"}`, HTTP 200, `"0000"` on success.
//! `custom_auth_code`, `custom_auth_token` and `dev_flag` (the values of `dev_yn`) are
//! also read from request headers of those names: a form field wins when present (and
//! not blank), the header is used when the form lacks it.
//!
//! Refusals carry the codes of the v1.04 table of the reading by default, or the
//! emulator's earlier ones with the variant `"codes": "legacy"`; both are in one table,
//! the `codes` module. Below, a refusal is written `v1.04`/`legacy` where they differ,
//! and once where they agree. Codes marked * are the emulator's own: neither table has a
//! code for the case (the SDK keeps unknown codes verbatim). Every refusal answers with
//! `"result": null`.
//!
//! Every call is checked in this order, the first failure answering outside the send's
//! nesting (even for the send): credentials (`custom_auth_code` absent → `E0011`/`E0006`,
//! `custom_auth_token` absent → `E0012`/`E0006`, the code wrong → `E0008`/`E0006`, the
//! token wrong → `E0009`/`E0006`); an `api_code` that is none of the API's codes (in any
//! variant: 0101, 0102, 0103, 0104, 0111, 0112, 0201–0205, 0301) → `E0002`/`ERR9001`*, one
//! the path does not take in the variant in force → `E0007`/`ERR9001`*; `dev_yn` missing
//! or not `Y`/`N` → `E0013`/`ERR9002`*; then `user_id`: on the send, 0202, 0203, 0205 and
//! 0301 missing → `ERR0201`/`ERR9002`*, not the sandbox's → `ERR0300`/`ERR9003`*; on 0201
//! optional (most clients send `tr_id` alone) and checked when given; the catalog
//! operations do not read it.
//!
//! | route (under `/giftishow`) | api_code | answers |
//! |---|---|---|
//! | `POST /bizApi/goods` | `0101` (`start` from 1, `size`; default 1 and 20, each 1..=1000) | `{"listNum": n on this page, "goodsList"}`; `PAG0001`/`ERR9002`* bad `start`/`size`. Also the goods detail code with a `goods_code` field |
//! | `POST /bizApi/goods/{goods_code}` | `0111` (`0102` in a variant) | `{"goodsDetail"}`: the list's Goods plus `goodsTypeCd` (`GNRL` exchange voucher, `AMNT` 금액권), `goldPrice`, `vipPrice`, `platinumPrice`, their `*DiscountRate`, `categoryName1`, and the category spelled `categorySeq1` (the list's `category1Seq`); `ERR0401`/`ERR9004`* unknown goods |
//! | `POST /bizApi/brands` | `0102` list, `0112` detail with `brand_code` (variant: `0103` list, `0104` detail) | `{"listNum", "brandList"}` / `{"brandDetail"}`; `ERR9009`* unknown brand, `ERR0201`/`ERR9002`* no `brand_code` |
//! | `POST /bizApi/brands/{brand_code}` | `0112` | `{"brandDetail"}`; `ERR9009`*; 404 in the 0103/0104 variant |
//! | `POST /bizApi/send` (or `/coupon/send`, variant) | `0204` | nested twice: `{"code":"0000",…,"result":{"code":"0000",…,"result":{"orderNo","pinNo","couponImgUrl"}}}`; the other send path is 404 |
//! | `POST /bizApi/coupons` | `0201` (`tr_id`; `user_id` optional) | `[{"couponInfoList":[CouponInfo],"resCode":"0000","resMsg":"정상"}]`; `ERR0204` unknown `tr_id` |
//! | `POST /bizApi/cancel` | `0202` (`tr_id`) | `null`, the charge refunded; `ERR0212` unknown, `ERR0808`/`ERR0208` already cancelled, `ERR0805`/`ERR9011`* used (or a stored-value coupon partly spent), `ERR0805`/`ERR9012`* expired (v1.04's "coupon cancel failed", the reason in the message) |
//! | `POST /bizApi/resend` | `0203` (`tr_id`, `sms_flag` Y/N) | `null`; `ERR0212` unknown, `ERR9013`* cancelled, `ERR9011`* used, `ERR9012`* expired |
//! | `POST /bizApi/sendFail/cancel` | `0205` (`tr_id`) | `null`, a charged failure's bizmoney refunded once; `ERR9014`* no unrefunded charged failure for `tr_id` |
//! | `POST /bizApi/bizmoney` | `0301` | `{"balance": "10000000"}` (text) |
//!
//! A missing or malformed operation field (`tr_id`, `goods_code`, `brand_code`, `sms_flag`
//! not `Y`/`N`, …) is `ERR0201`/`ERR9002`*.
//!
//! Goods (list and detail) carry the reading's fields, among them `contentAddDesc`,
//! `goodsComId`, `goodsComName`, `affiliate` and `affiliateId`.
//!
//! The send's refusals are in the INNER code, the outer one `"0000"` and the inner
//! `result` null, checked in this order: a missing or malformed field (`goods_code`,
//! `tr_id`, `gubun` of `Y`/`N`/`I`; for `N` also `phone_no`, `callback_no`, `mms_title`,
//! `mms_msg`) → `ERR0201`/`ERR9002`*; `tr_id` over 25 characters (20 in a variant) →
//! `ERR0807`/`ERR9007`*; `phone_no` not a mobile number (digits only: 010 and 11 digits,
//! or 011/016/017/018/019 and 10–11 digits) → `ERR0817`; `callback_no` not digits of a
//! landline, mobile or `15xx`/`16xx`/`18xx` number → `ERR9008`*; `mms_title` over 10
//! characters (20 in a variant) → `ERR0806`/`ERR9006`*; unknown goods →
//! `ERR0401`/`ERR9004`*; goods not on sale (`goodsStateCd` not `SALE`, or past `endDate`)
//! → `ERR9005`*; a `tr_id` already issued → `ERR0215` ("중복된 TR_ID"); a production send
//! costing more than the bizmoney → `E0010`; an injected charged failure (admin route) →
//! `ERR0999`/`ERR9010`*, charged and refundable by 0205. Only a send that issues a PIN
//! consumes its `tr_id`. `gubun=Y` and `I` answer the PIN (`I` also a `couponImgUrl`, a
//! loopback URL never served), `N` answers `pinNo` null (it went by MMS).
//!
//! Money: the account starts with 10,000,000 won of bizmoney. A production send
//! (`dev_yn=N`) charges the goods' `discountPrice`; a test send (`dev_yn=Y`) answers
//! alike, charges and sends nothing, and its coupon is kept, flagged as a test one.
//! `dev_yn` changes nothing else. A cancel refunds what the coupon was charged.
//!
//! Coupons (`pinStatusCd`/`pinStatusNm`): `01` 발행 when issued, `02` 교환 once
//! redeemed, `07` 구매취소(폐기) once cancelled, `08` 기간만료 when unused past
//! `validPrdEndDt` (the send day plus the goods' `limitDay`). A stored-value coupon
//! (`goodsTypeNm` 금액권) carries `remainAmt`: a redemption of an `amount` lowers it and
//! the coupon stays `01` until the whole balance is spent, then `02`. In CouponInfo,
//! `sellPriceAmt` is what the partner paid (`discountPrice`), `cnsmPriceAmt` the
//! consumer price (`salePrice`), `sendBasicCd` the send's `gubun`, `sendStatusCd`,
//! `sendRstCd` and `sendRstMsg` `02`/`0000`/발송완료 for a production MMS, `01`/`0000`/미발송
//! otherwise, and `03`*/`ERR0999`/쿠폰 발송 오류 for an MMS marked failed by
//! `POST /_sandbox/age` (the reading names these fields but no values; a successful
//! 0203 delivers it again), `correcDtm` the last change (issue, cancel or redemption).
//! Phone numbers are kept as given.
//!
//! `POST /_sandbox/age` redeems, spends in part, expires, moves the last day of and
//! fails the MMS of coupons; `GET /_sandbox/records/giftishow` lists every coupon with
//! its state, `validPrdEndDt`, delivery, resends and cancel counts.
//!
//! Dates, as the variant's `dates` says. `compact` (default): the days `endDate` (goods
//! list and detail) and `validPrdEndDt` (CouponInfo) are `YYYYMMDD`, the moment
//! `correcDtm` is `YYYYMMDDHHMISS` in KST. `iso`: every one is
//! `YYYY-MM-DDTHH:MM:SS.mmm+0000` in UTC, the form of a vendor sample: a day D is the KST
//! midnight that starts it, i.e. D minus one day at `15:00:00.000+0000`
//! (`2999-12-30T15:00:00.000+0000` is the day 2999-12-31), a moment is converted to UTC
//! with its milliseconds. The admin routes' own answers do not follow the variant.
//!
//! Admin routes under `/_sandbox/giftishow`:
//!
//! | route | does |
//! |---|---|
//! | `GET /bizmoney`, `POST /bizmoney` `{"balance": n}` | reads / sets the balance: `{"balance": n}` |
//! | `POST /send-failures` `{"count": n}` | the next `n` production sends that would issue are charged and issue no PIN (`ERR0999`/`ERR9010`*); answers `{"count": n}` |
//! | `GET /send-failures` | `{"pending": n, "failures": [{"tr_id", "charged", "refunded"}]}` |
//! | `GET /issued` | `{"items": [{"partner_ref": tr_id, "order": orderNo, "cancelled", "goods_code", "pin", "state": pinStatusCd, "test", "gubun", "phone_no", "callback_no", "mms_title", "mms_msg", "partner_order_no", "template_id", "banner_id", "charged", "remain_amt", "resends", "issued_at"}]}`, oldest first |
//! | `GET /variant`, `POST /variant` | reads / changes the variant: any of `{"brand_codes": "0102/0112"\|"0103/0104", "goods_detail_code": "0111"\|"0102", "send_path": "bizApi"\|"coupon", "mms_title_limit": 10\|20, "tr_id_limit": 25\|20, "top_level": bool, "codes": "v1.04"\|"legacy", "dates": "compact"\|"iso"}` (the first of each the default); answers the whole variant; an unknown field or value is a 400 and changes nothing. `top_level` puts `balance`, `couponInfoList` (with `resCode`/`resMsg`, `result` null) and a `totalCount` of the goods and brand lists at the top level; `codes` picks the refusal codes, `dates` the date form (above) |
//! | `POST /expire` `{"tr_id"}` | moves an unused coupon's validity end to yesterday: it reads `08`; answers `{"tr_id", "validPrdEndDt": "YYYYMMDD"}` |
//!
//! `POST /_sandbox/redeem` takes the PIN (`pinNo`) as `id`; `amount` only for a
//! stored-value coupon. A redemption whose `at` (KST) falls on a day after
//! `validPrdEndDt` is refused (409). A reset restores the balance, forgets every coupon and failure,
//! and restores the default variant.
//!
//! The partner credentials it accepts are [`credentials`]; the catalog is
//! `giftishow/fixtures.json`.

mod aging;
mod catalog;
mod dates;
mod endpoints;
#[cfg(test)]
mod fixture_tests;
mod store;
mod variant;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Path;
use axum::routing::{MethodRouter, get, post};
use bytes::Bytes;
use chrono::Days;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::admin::AdminJson;
use crate::aging::{AgeReport, AgeRequest};
use crate::emulator::{Emulator, RedeemRequest, now_kst};
use crate::error::AdminError;
use crate::fixtures;
use crate::records::CouponRecord;
use crate::samples::Samples;
use crate::state::lock;
use aging::Aging;
use catalog::Catalog;
use endpoints::Route;
use store::{PinState, Store};
use variant::{SendPath, VariantPatch};

/// Route prefix and admin name.
const NAME: &str = "giftishow";

/// The catalog: brands, goods, shops.
const FIXTURES: &str = include_str!("giftishow/fixtures.json");

/// The partner credentials the emulator accepts, and its configuration section
/// carries. Public knowledge: the sandbox guards nothing.
pub mod credentials {
    /// `custom_auth_code` (production codes start with `REAL`).
    pub const AUTH_CODE: &str = "REALsandbox0000000001";
    /// `custom_auth_token`.
    pub const AUTH_TOKEN: &str = "c2FuZGJveC10b2tlbi1naWZ0aXNob3c=";
    /// `user_id`: the partner's Giftishow Biz member id.
    pub const USER_ID: &str = "sandbox_biz";
    /// The sender number the configuration names (`callback_no`).
    pub const CALLBACK_NO: &str = "15880000";
}

/// The one table of refusals: each named once, with its code and message in the v1.04
/// table ("More evidence" of the reading, the default) and in the emulator's earlier
/// answers (`codes: "legacy"`). Codes of the `ERR90xx` family are the emulator's own, for
/// what neither table has a code for; they are the same in both.
mod codes {
    use super::variant::Codes;

    /// A refusal as it goes on the wire: the code and its Korean message.
    pub(crate) type Refusal = (&'static str, &'static str);

    /// Every refusal the emulator answers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Rejection {
        /// `custom_auth_code` absent (from the form and the header).
        AuthCodeMissing,
        /// `custom_auth_token` absent.
        AuthTokenMissing,
        /// `custom_auth_code` not the sandbox's.
        AuthCodeWrong,
        /// `custom_auth_token` not the sandbox's.
        AuthTokenWrong,
        /// `api_code` none of the API's codes.
        ApiCodeUnknown,
        /// A known `api_code` on a path that does not take it (in the variant in force).
        ApiCodeElsewhere,
        /// `dev_yn` (or the `dev_flag` header) missing or not `Y`/`N`.
        DevYn,
        /// An operation field missing or malformed (`tr_id`, `goods_code`, `gubun`, …).
        Missing,
        /// `user_id` missing on an account operation.
        UserIdMissing,
        /// `user_id` not the sandbox's.
        UserIdWrong,
        /// 0101 `start` or `size` not within 1..=1000.
        Paging,
        /// No goods of that code (send, goods detail).
        NoGoods,
        /// Goods not on sale or past `endDate`.
        NotOnSale,
        /// `mms_title` over the variant's limit.
        TitleTooLong,
        /// `tr_id` over the variant's limit.
        TrIdTooLong,
        /// `phone_no` not a mobile number.
        BadReceiver,
        /// `callback_no` not a sender number.
        BadCallback,
        /// No brand of that code.
        NoBrand,
        /// A `tr_id` that already issued a coupon.
        DuplicateTrId,
        /// A production send costing more than the bizmoney.
        LowBizmoney,
        /// The injected charged failure (`POST /_sandbox/giftishow/send-failures`).
        SendFailed,
        /// 0201 of a `tr_id` that issued nothing.
        NoCoupon,
        /// 0202/0203 of a `tr_id` that issued nothing.
        NoTrId,
        /// 0202 of a cancelled coupon.
        AlreadyCancelled,
        /// 0203 of a used coupon.
        Used,
        /// 0203 of an expired coupon.
        Expired,
        /// 0202 of a used (or partly spent) coupon.
        CancelUsed,
        /// 0202 of an expired coupon.
        CancelExpired,
        /// 0203 of a cancelled coupon.
        ResendCancelled,
        /// 0205 with no unrefunded charged failure for the `tr_id`.
        NoFailure,
    }

    const AUTH_LEGACY: Refusal = ("E0006", "인증키 정보가 올바르지 않습니다.");
    const MISSING_LEGACY: Refusal = ("ERR9002", "필수 파라미터가 누락되었거나 형식이 올바르지 않습니다.");
    const MISSING: Refusal = ("ERR0201", "필수 파라미터가 누락되었습니다.");
    const USED_LEGACY: Refusal = ("ERR9011", "이미 사용된 쿠폰입니다.");
    const EXPIRED_LEGACY: Refusal = ("ERR9012", "유효기간이 만료된 쿠폰입니다.");

    impl Rejection {
        /// Every refusal, for the tests of the table.
        #[cfg(test)]
        pub(crate) const ALL: [Self; 30] = [
            Self::AuthCodeMissing,
            Self::AuthTokenMissing,
            Self::AuthCodeWrong,
            Self::AuthTokenWrong,
            Self::ApiCodeUnknown,
            Self::ApiCodeElsewhere,
            Self::DevYn,
            Self::Missing,
            Self::UserIdMissing,
            Self::UserIdWrong,
            Self::Paging,
            Self::NoGoods,
            Self::NotOnSale,
            Self::TitleTooLong,
            Self::TrIdTooLong,
            Self::BadReceiver,
            Self::BadCallback,
            Self::NoBrand,
            Self::DuplicateTrId,
            Self::LowBizmoney,
            Self::SendFailed,
            Self::NoCoupon,
            Self::NoTrId,
            Self::AlreadyCancelled,
            Self::Used,
            Self::Expired,
            Self::CancelUsed,
            Self::CancelExpired,
            Self::ResendCancelled,
            Self::NoFailure,
        ];

        /// The refusal in the v1.04 table and in the legacy answers.
        const fn row(self) -> (Refusal, Refusal) {
            match self {
                Self::AuthCodeMissing => (("E0011", "인증키가 없습니다."), AUTH_LEGACY),
                Self::AuthTokenMissing => (("E0012", "인증 토큰이 없습니다."), AUTH_LEGACY),
                Self::AuthCodeWrong => (("E0008", "유효하지 않은 인증키입니다."), AUTH_LEGACY),
                Self::AuthTokenWrong => (("E0009", "유효하지 않은 인증 토큰입니다."), AUTH_LEGACY),
                Self::ApiCodeUnknown => {
                    (("E0002", "존재하지 않는 API 코드입니다."), ("ERR9001", "API 코드가 올바르지 않습니다."))
                }
                Self::ApiCodeElsewhere => (
                    ("E0007", "API 코드와 요청 경로가 일치하지 않습니다."),
                    ("ERR9001", "API 코드가 올바르지 않습니다."),
                ),
                Self::DevYn => (("E0013", "dev_yn 값이 없거나 올바르지 않습니다."), MISSING_LEGACY),
                Self::Missing | Self::UserIdMissing => (MISSING, MISSING_LEGACY),
                Self::UserIdWrong => {
                    (("ERR0300", "회원 조회에 실패하였습니다."), ("ERR9003", "회원 아이디가 올바르지 않습니다."))
                }
                Self::Paging => (("PAG0001", "페이징 정보가 올바르지 않습니다."), MISSING_LEGACY),
                Self::NoGoods => {
                    (("ERR0401", "요청하신 상품이 존재하지 않습니다."), ("ERR9004", "존재하지 않는 상품입니다."))
                }
                Self::NotOnSale => same(("ERR9005", "판매중인 상품이 아닙니다.")),
                Self::TitleTooLong => {
                    (("ERR0806", "MMS 제목 길이를 초과하였습니다."), ("ERR9006", "MMS 제목 길이를 초과하였습니다."))
                }
                Self::TrIdTooLong => {
                    (("ERR0807", "TR_ID 길이를 초과하였습니다."), ("ERR9007", "TR_ID 길이를 초과하였습니다."))
                }
                Self::BadReceiver => same(("ERR0817", "수신번호 형식 오류")),
                Self::BadCallback => same(("ERR9008", "발신번호 형식 오류")),
                Self::NoBrand => same(("ERR9009", "존재하지 않는 브랜드입니다.")),
                Self::DuplicateTrId => same(("ERR0215", "중복된 TR_ID")),
                Self::LowBizmoney => same(("E0010", "비즈머니 잔액이 부족합니다.")),
                Self::SendFailed => (
                    ("ERR0999", "쿠폰 발송 오류입니다. (비즈머니 차감)"),
                    ("ERR9010", "쿠폰 발행에 실패하였습니다. (비즈머니 차감)"),
                ),
                Self::NoCoupon => same(("ERR0204", "조회된 쿠폰이 없습니다.")),
                Self::NoTrId => same(("ERR0212", "존재하지 않는 TR_ID 입니다.")),
                Self::AlreadyCancelled => {
                    (("ERR0808", "이미 취소된 쿠폰입니다."), ("ERR0208", "이미 취소된 쿠폰입니다."))
                }
                Self::Used => same(USED_LEGACY),
                Self::Expired => same(EXPIRED_LEGACY),
                // v1.04's "coupon cancel failed", the reason in the message: the table has
                // no code for a used or an expired coupon.
                Self::CancelUsed => (("ERR0805", "쿠폰 취소 실패 : 이미 사용된 쿠폰입니다."), USED_LEGACY),
                Self::CancelExpired => (("ERR0805", "쿠폰 취소 실패 : 유효기간이 만료된 쿠폰입니다."), EXPIRED_LEGACY),
                Self::ResendCancelled => same(("ERR9013", "취소된 쿠폰은 재발송할 수 없습니다.")),
                Self::NoFailure => same(("ERR9014", "환불할 발송실패 건이 없습니다.")),
            }
        }

        /// The code and message this refusal carries under `codes`.
        pub(crate) const fn refusal(self, codes: Codes) -> Refusal {
            let (v104, legacy) = self.row();
            match codes {
                Codes::V104 => v104,
                Codes::Legacy => legacy,
            }
        }
    }

    /// A refusal the two tables answer alike.
    const fn same(r: Refusal) -> (Refusal, Refusal) {
        (r, r)
    }
}

/// The built-in Giftishow Biz emulator, fresh.
pub(crate) fn emulator() -> Arc<dyn Emulator> {
    Arc::new(Giftishow::new())
}

/// The Giftishow Biz emulator.
pub(crate) struct Giftishow {
    fixtures: Value,
    catalog: Catalog,
    store: Mutex<Store>,
}

impl Giftishow {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        let fixtures = fixtures::parse(NAME, FIXTURES);
        let catalog = Catalog::from_fixtures(&fixtures);
        Self { fixtures, catalog, store: Mutex::default() }
    }

    /// A vendor route without a path parameter.
    fn serve(self: &Arc<Self>, route: Route) -> MethodRouter {
        let this = Arc::clone(self);
        post(move |headers: HeaderMap, body: Bytes| async move { this.handle(&route, &headers, &body) })
    }

    /// A vendor route ending in a code (`/goods/{goods_code}`, `/brands/{brand_code}`).
    fn serve_code(self: &Arc<Self>, route: fn(String) -> Route) -> MethodRouter {
        let this = Arc::clone(self);
        post(move |Path(code): Path<String>, headers: HeaderMap, body: Bytes| async move {
            this.handle(&route(code), &headers, &body)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Balance {
    balance: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Count {
    count: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrId {
    tr_id: String,
}

type Gs = axum::extract::State<Arc<Giftishow>>;

async fn get_bizmoney(axum::extract::State(gs): Gs) -> axum::Json<Value> {
    axum::Json(json!({ "balance": lock(&gs.store).balance }))
}

async fn set_bizmoney(axum::extract::State(gs): Gs, AdminJson(b): AdminJson<Balance>) -> axum::Json<Value> {
    lock(&gs.store).balance = b.balance;
    axum::Json(json!({ "balance": b.balance }))
}

async fn set_send_failures(axum::extract::State(gs): Gs, AdminJson(c): AdminJson<Count>) -> axum::Json<Value> {
    lock(&gs.store).pending_failures = c.count;
    axum::Json(json!({ "count": c.count }))
}

async fn get_send_failures(axum::extract::State(gs): Gs) -> axum::Json<Value> {
    let store = lock(&gs.store);
    let failures: Vec<Value> = store
        .failures()
        .iter()
        .map(|f| json!({ "tr_id": f.tr_id, "charged": f.charged, "refunded": f.refunded }))
        .collect();
    axum::Json(json!({ "pending": store.pending_failures, "failures": failures }))
}

async fn issued(axum::extract::State(gs): Gs) -> axum::Json<Value> {
    let today = now_kst().date_naive();
    let items: Vec<Value> = lock(&gs.store).coupons().iter().map(|c| c.issued(today)).collect();
    axum::Json(json!({ "items": items }))
}

async fn get_variant(axum::extract::State(gs): Gs) -> axum::Json<Value> {
    axum::Json(json!(lock(&gs.store).variant))
}

async fn set_variant(
    axum::extract::State(gs): Gs,
    AdminJson(patch): AdminJson<VariantPatch>,
) -> Result<axum::Json<Value>, AdminError> {
    let mut store = lock(&gs.store);
    store.variant = store.variant.patched(&patch)?;
    Ok(axum::Json(json!(store.variant)))
}

async fn expire(axum::extract::State(gs): Gs, AdminJson(t): AdminJson<TrId>) -> Result<axum::Json<Value>, AdminError> {
    let today = now_kst().date_naive();
    let mut store = lock(&gs.store);
    let c = store
        .by_tr_id_mut(&t.tr_id)
        .ok_or_else(|| AdminError::NotFound(format!("no Giftishow coupon was sent with tr_id {:?}", t.tr_id)))?;
    if c.state != PinState::Issued {
        return Err(AdminError::Conflict("only an unused coupon can expire".into()));
    }
    c.valid_end = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    Ok(axum::Json(json!({ "tr_id": c.tr_id, "validPrdEndDt": c.valid_end.format("%Y%m%d").to_string() })))
}

impl Emulator for Giftishow {
    fn name(&self) -> &'static str {
        NAME
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/bizApi/goods", self.serve(Route::Goods))
            .route("/bizApi/goods/{goods_code}", self.serve_code(Route::GoodsCode))
            .route("/bizApi/brands", self.serve(Route::Brands))
            .route("/bizApi/brands/{brand_code}", self.serve_code(Route::BrandsCode))
            .route("/bizApi/send", self.serve(Route::Send(SendPath::BizApi)))
            .route("/coupon/send", self.serve(Route::Send(SendPath::Coupon)))
            .route("/bizApi/coupons", self.serve(Route::Coupons))
            .route("/bizApi/cancel", self.serve(Route::Cancel))
            .route("/bizApi/resend", self.serve(Route::Resend))
            .route("/bizApi/sendFail/cancel", self.serve(Route::SendFailCancel))
            .route("/bizApi/bizmoney", self.serve(Route::Bizmoney))
    }

    fn fixtures(&self) -> Value {
        self.fixtures.clone()
    }

    fn config_section(&self, vendor_url: &str) -> String {
        use credentials::{AUTH_CODE, AUTH_TOKEN, CALLBACK_NO, USER_ID};
        format!(
            r#"[{NAME}]
base_url = "{vendor_url}/bizApi"
auth_code = "{AUTH_CODE}"
auth_token = "{AUTH_TOKEN}"
user_id = "{USER_ID}"
callback_no = "{CALLBACK_NO}"
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
        let at = req.at_kst()?;
        let today = now_kst().date_naive();
        let mut store = lock(&self.store);
        let c = store
            .by_pin_mut(req.id.trim())
            .ok_or_else(|| AdminError::NotFound(format!("no Giftishow PIN {:?} was issued", req.id)))?;
        match &c.state {
            PinState::Used { .. } => return Err(AdminError::Conflict("this PIN is already used".into())),
            PinState::Cancelled { .. } => return Err(AdminError::Conflict("this PIN was cancelled".into())),
            PinState::Issued if at.date_naive() > c.valid_end => {
                return Err(AdminError::Conflict(format!(
                    "this PIN was valid until {} (KST), before the redemption time",
                    c.valid_end
                )));
            }
            PinState::Issued => {}
        }
        let remain = match (c.remain, req.amount) {
            (None, Some(_)) => {
                return Err(AdminError::BadRequest("only a stored-value (금액권) coupon is spent by `amount`".into()));
            }
            (None, None) => None,
            (Some(left), amount) => {
                let spent = amount.unwrap_or(left);
                if spent == 0 || spent > left {
                    return Err(AdminError::BadRequest(format!("`amount` must be within 1..={left}, got {spent}")));
                }
                Some(left - spent)
            }
        };
        let branch = match &req.branch {
            Some(b) if !b.trim().is_empty() => b.trim().to_owned(),
            Some(_) | None => {
                let branches = &self.catalog.branches;
                branches.get(fastrand::usize(..branches.len().max(1))).cloned().unwrap_or_else(|| "본점".to_owned())
            }
        };
        c.remain = remain;
        c.changed_at = at;
        if remain.is_none_or(|r| r == 0) {
            c.state = PinState::Used { at, branch: branch.clone() };
        } else {
            c.spent = Some((at, branch.clone()));
        }
        Ok(json!({
            "vendor": NAME,
            "tr_id": c.tr_id,
            "orderNo": c.order_no,
            "goods_code": c.goods_code,
            "branch": branch,
            "remainAmt": remain,
            "pinStatusCd": c.status(today).0,
            "redeemed_at": at.format("%Y-%m-%d %H:%M:%S").to_string(),
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
        Some(lock(&self.store).coupons().iter().map(|c| c.record(today)).collect())
    }

    fn admin_router(self: Arc<Self>) -> Option<Router> {
        Some(
            Router::new()
                .route("/bizmoney", get(get_bizmoney).post(set_bizmoney))
                .route("/send-failures", get(get_send_failures).post(set_send_failures))
                .route("/issued", get(issued))
                .route("/variant", get(get_variant).post(set_variant))
                .route("/expire", post(expire))
                .with_state(self),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_section_is_the_adapter_configuration() {
        let expected = r#"[giftishow]
base_url = "http://127.0.0.1:8089/giftishow/bizApi"
auth_code = "REALsandbox0000000001"
auth_token = "c2FuZGJveC10b2tlbi1naWZ0aXNob3c="
user_id = "sandbox_biz"
callback_no = "15880000"
"#;
        assert_eq!(Giftishow::new().config_section("http://127.0.0.1:8089/giftishow"), expected);
    }

    #[test]
    fn samples_name_a_goods_on_sale_of_the_catalog() {
        let emu = Giftishow::new();
        let s = serde_json::to_value(emu.samples()).unwrap();
        assert_eq!(s["issue"]["product_id"], "G00001621744");
        assert_eq!(s["product"], s["issue"]["product_id"]);
        let goods = emu.catalog.goods(s["product"].as_str().unwrap()).expect("a goods of the catalog");
        assert!(goods.on_sale && !goods.stored_value && goods.sendable(now_kst().date_naive()));
        assert_eq!(s["products"], json!({}));
        assert!(endpoints::valid_mobile(s["issue"]["recipient"].as_str().unwrap()));
        assert!(endpoints::valid_callback(s["issue"]["callback"].as_str().unwrap()));
        assert!(s["issue"]["title"].as_str().unwrap().chars().count() <= 10);
        assert!(s["issue"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(s.get("coupon").is_none() && s.get("balance_coupon").is_none(), "no pre-issued coupon");
        let stored = emu.catalog.goods(s["balance_issue"]["product_id"].as_str().unwrap()).expect("a goods");
        assert!(stored.on_sale && stored.stored_value, "balance is read on a stored-value coupon sent for it");
        assert!(s.get("redemptions").is_none());
    }

    #[test]
    fn the_refusal_sample_is_a_vendor_answer_with_an_unlisted_code() {
        let s = serde_json::to_value(Giftishow::new().samples()).unwrap();
        let r = &s["refusal"];
        assert_eq!(r["operation"], "product");
        let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["code"], r["code"]);
        assert_eq!(body["result"], Value::Null);
        let listed = ["0000", "E0006", "E0010", "ERR0215", "ERR0817", "ERR0204", "ERR0212", "ERR0208", "ERR0210"];
        assert!(!listed.contains(&r["code"].as_str().unwrap()));
        assert!(!V104_TABLE.contains(&r["code"].as_str().unwrap()), "nor in the v1.04 table");
    }

    /// The codes of the v1.04 table ("More evidence" of the reading).
    const V104_TABLE: [&str; 35] = [
        "E0002", "E0007", "E0008", "E0009", "E0010", "E0011", "E0012", "E0013", "E9999", "ERR0000", "ERR0005",
        "ERR0008", "ERR0100", "ERR0201", "ERR0208", "ERR0209", "ERR0212", "ERR0213", "ERR0214", "ERR0215", "ERR0217",
        "ERR0300", "ERR0301", "ERR0401", "ERR0800", "ERR0803", "ERR0804", "ERR0805", "ERR0806", "ERR0807", "ERR0808",
        "ERR0817", "ERR0999", "PAG0001", "PAG0002",
    ];

    #[test]
    fn the_code_table_answers_v104_by_default_and_the_old_codes_as_legacy() {
        use codes::Rejection::{self, *};
        use variant::Codes;
        let expected: [(Rejection, &str, &str); 30] = [
            (AuthCodeMissing, "E0011", "E0006"),
            (AuthTokenMissing, "E0012", "E0006"),
            (AuthCodeWrong, "E0008", "E0006"),
            (AuthTokenWrong, "E0009", "E0006"),
            (ApiCodeUnknown, "E0002", "ERR9001"),
            (ApiCodeElsewhere, "E0007", "ERR9001"),
            (DevYn, "E0013", "ERR9002"),
            (Missing, "ERR0201", "ERR9002"),
            (UserIdMissing, "ERR0201", "ERR9002"),
            (UserIdWrong, "ERR0300", "ERR9003"),
            (Paging, "PAG0001", "ERR9002"),
            (NoGoods, "ERR0401", "ERR9004"),
            (NotOnSale, "ERR9005", "ERR9005"),
            (TitleTooLong, "ERR0806", "ERR9006"),
            (TrIdTooLong, "ERR0807", "ERR9007"),
            (BadReceiver, "ERR0817", "ERR0817"),
            (BadCallback, "ERR9008", "ERR9008"),
            (NoBrand, "ERR9009", "ERR9009"),
            (DuplicateTrId, "ERR0215", "ERR0215"),
            (LowBizmoney, "E0010", "E0010"),
            (SendFailed, "ERR0999", "ERR9010"),
            (NoCoupon, "ERR0204", "ERR0204"),
            (NoTrId, "ERR0212", "ERR0212"),
            (AlreadyCancelled, "ERR0808", "ERR0208"),
            (Used, "ERR9011", "ERR9011"),
            (Expired, "ERR9012", "ERR9012"),
            (CancelUsed, "ERR0805", "ERR9011"),
            (CancelExpired, "ERR0805", "ERR9012"),
            (ResendCancelled, "ERR9013", "ERR9013"),
            (NoFailure, "ERR9014", "ERR9014"),
        ];
        assert_eq!(expected.map(|e| e.0), Rejection::ALL, "every refusal, once");
        for (r, v104, legacy) in expected {
            let (new, old) = (r.refusal(Codes::V104), r.refusal(Codes::Legacy));
            assert_eq!((new.0, old.0), (v104, legacy), "{r:?}");
            assert!(!new.1.is_empty() && !old.1.is_empty(), "{r:?}: a message");
            let own = v104.starts_with("ERR90");
            // ERR0204 (0201 of an unknown tr_id) is the reading's first table's; v1.04 lists no other.
            let known = V104_TABLE.contains(&v104) || v104 == "ERR0204";
            assert!(own || known, "{r:?}: {v104} is the table's or the emulator's own");
            assert!(!own || v104 == legacy, "{r:?}: the emulator's own codes are the same in both");
        }
    }

    #[test]
    fn odd_bodies_never_panic() {
        use variant::{BrandCodes, Codes, Dates, Variant};
        let emu = Giftishow::new();
        let routes = [
            Route::Goods,
            Route::GoodsCode("%%".into()),
            Route::Brands,
            Route::BrandsCode(String::new()),
            Route::Send(SendPath::BizApi),
            Route::Send(SendPath::Coupon),
            Route::Coupons,
            Route::Cancel,
            Route::Resend,
            Route::SendFailCancel,
            Route::Bizmoney,
        ];
        let auth = format!(
            "custom_auth_code={}&custom_auth_token={}&dev_yn=N&user_id={}&",
            credentials::AUTH_CODE,
            "c2FuZGJveC10b2tlbi1naWZ0aXNob3c%3D",
            credentials::USER_ID
        );
        let sends = format!("{auth}api_code=0204&goods_code=G00001621744&tr_id=ODD&gubun=I&phone_no=01012345678");
        let bodies: [&[u8]; 7] = [
            b"\xff\xfe%%%=&&",
            b"",
            b"api_code=0204&gubun=N&tr_id=%FF",
            auth.as_bytes(),
            sends.as_bytes(),
            b"api_code=0201&tr_id=ODD&user_id=%00",
            b"custom_auth_code=&custom_auth_token=&dev_yn=&api_code=0201&tr_id=ODD",
        ];
        let mut none = HeaderMap::new();
        none.insert(http::header::HOST, http::HeaderValue::from_static("127.0.0.1"));
        let mut creds = HeaderMap::new();
        creds.insert("custom_auth_code", http::HeaderValue::from_static(credentials::AUTH_CODE));
        creds.insert("custom_auth_token", http::HeaderValue::from_static(credentials::AUTH_TOKEN));
        creds.insert("dev_flag", http::HeaderValue::from_static("Y"));
        let mut odd = HeaderMap::new();
        odd.insert("custom_auth_code", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        odd.insert("custom_auth_token", http::HeaderValue::from_static(""));
        odd.append("dev_flag", http::HeaderValue::from_static("N"));
        odd.append("dev_flag", http::HeaderValue::from_static("Y"));
        odd.insert(http::header::HOST, http::HeaderValue::from_bytes(b"\x80evil/\"x").unwrap());
        let variants = [
            Variant::default(),
            Variant { codes: Codes::Legacy, ..Variant::default() },
            Variant { dates: Dates::Iso, top_level: true, ..Variant::default() },
            Variant {
                codes: Codes::Legacy,
                dates: Dates::Iso,
                brand_codes: BrandCodes::ListDetail0103,
                send_path: SendPath::Coupon,
                ..Variant::default()
            },
        ];
        for variant in variants {
            emu.reset();
            lock(&emu.store).variant = variant;
            for route in &routes {
                for body in bodies {
                    for headers in [&HeaderMap::new(), &none, &creds, &odd] {
                        let _ = emu.handle(route, headers, body);
                        for code in [
                            "0101", "0111", "0102", "0103", "0104", "0112", "0204", "0201", "0202", "0203", "0205",
                            "0301",
                        ] {
                            let mut with_code = body.to_vec();
                            with_code.extend_from_slice(
                                format!("&api_code={code}&start=0&size=99999999999999999999").as_bytes(),
                            );
                            let _ = emu.handle(route, headers, &with_code);
                        }
                    }
                }
            }
        }
    }
}
