//! Giftishow Biz's result codes and PIN status codes.
//!
//! The result codes are the table three public integrations share, apparently from
//! the vendor's v1.04 document (`giftishow-biz-reconstructed.md`, "More evidence"),
//! plus the codes an earlier integration shows (`E0006`, `ERR0204`, `ERR0210`),
//! kept as variants. A code no row names is kept verbatim and is
//! [`ErrorKind::Rejected`], not retryable ([`coupon_core::codes::UNKNOWN_CODE`]).
//!
//! Two codes mean different things in the two readings, and each row follows the
//! v1.04 table: `ERR0208` is "goods order error" there (one integration reads it
//! as "already cancelled"), and `ERR0212` is "no MMS resend target" (the earlier
//! reading sees it for an unknown `tr_id`). The client's rules on top of the table:
//!
//! - [`proves_no_coupon`]: only `ERR0204` and `ERR0212`, answered by a coupon
//!   detail (`0201`), prove that no coupon exists for a `tr_id`; then, and only
//!   then, may a send in doubt go again with the same `tr_id`. Both are what the
//!   integrations read as "not issued" after a lost send, and both name the `tr_id`
//!   itself as not found. `ERR0213` (the same meaning as `ERR0212` in v1.04, but
//!   never seen on a lookup), `ERR0401` (goods, not the coupon), `ERR0208` and
//!   `ERR0999` prove nothing of the kind.
//! - [`may_have_acted`]: a refusal of kind [`ErrorKind::Unavailable`] says the
//!   vendor failed while doing the work (`ERR0999` coupon send error, `ERR0208`
//!   goods order error, a database or bizpoint error). A send so refused may have
//!   issued (or charged without a PIN, which `0205` refunds): it is settled by the
//!   coupon detail, never sent again blindly. A cancel so refused is checked
//!   against the coupon's state.
//! - [`may_mean_already_cancelled`]: `ERR0808` (v1.04) and the earlier reading's
//!   `ERR0208`/`ERR0210`; for the ambiguous `ERR0208`, the cancel reads the
//!   coupon's state before believing it.
//! - [`means_not_cancellable`]: a cancel refused for a business reason (`ERR0805`,
//!   or a code no row names) reads the coupon's state to say why, since no code
//!   says "already used" or "expired": used is [`ErrorKind::AlreadyUsed`].
//!
//! Coupon states are read from `pinStatusCd` ([`PIN_STATUS`], [`coupon_status`]).
//! The coupon detail's delivery fields (`sendStatusCd`, `sendRstCd`) have no table:
//! the reading names the fields but none of their values, so no delivery is read
//! from them.

use coupon_core::codes::{CodeRow, CodeTable};
use coupon_core::{CouponStatus, ErrorKind};

/// The code of a success (`code`, the send's inner `code`, a coupon detail's
/// `resCode`); not in [`TABLE`].
pub const SUCCESS: &str = "0000";

/// Every result code the integrations show (`code`, the send's inner `code`, a
/// coupon detail's `resCode`), with its meaning: the v1.04 table first, in its
/// order, then the earlier reading's codes the table does not have.
pub const TABLE: CodeTable = CodeTable::new(&[
    CodeRow::new(
        "E0002",
        ErrorKind::Config,
        false,
        "API 코드 없음 (the api_code does not exist: check goods_detail_code and brand_codes)",
    ),
    CodeRow::new(
        "E0007",
        ErrorKind::Config,
        false,
        "API 코드 불일치 (the api_code does not match the endpoint: check goods_detail_code, brand_codes and send_url)",
    ),
    CodeRow::new(
        "E0008",
        ErrorKind::Unauthenticated,
        false,
        "인증키 오류 (the auth code is not valid: check auth_code)",
    ),
    CodeRow::new(
        "E0009",
        ErrorKind::Unauthenticated,
        false,
        "인증토큰 오류 (the auth token is not valid: check auth_token)",
    ),
    CodeRow::new(
        "E0010",
        ErrorKind::InsufficientFunds,
        false,
        "비즈머니 잔액 부족 (bizmoney balance too low for this send)",
    ),
    CodeRow::new("E0011", ErrorKind::Unauthenticated, false, "인증키 없음 (no auth code was given: set auth_code)"),
    CodeRow::new("E0012", ErrorKind::Unauthenticated, false, "인증토큰 없음 (no auth token was given: set auth_token)"),
    CodeRow::new("E0013", ErrorKind::InvalidInput, false, "dev_yn 없음 (no dev_yn was given)"),
    CodeRow::new("E9999", ErrorKind::Unavailable, true, "오류 발생 (an error occurred at the vendor)"),
    CodeRow::new("ERR0000", ErrorKind::Unavailable, true, "알 수 없는 오류 (unknown error at the vendor)"),
    CodeRow::new("ERR0005", ErrorKind::Unavailable, true, "DB 오류 (database error at the vendor)"),
    CodeRow::new("ERR0008", ErrorKind::Unavailable, true, "DB 오류 (database error at the vendor)"),
    CodeRow::new("ERR0100", ErrorKind::Unavailable, false, "DEV 서비스 불가 (the test service is not available now)"),
    CodeRow::new("ERR0201", ErrorKind::InvalidInput, false, "필수 파라미터 누락 (a required parameter is missing)"),
    CodeRow::new(
        "ERR0208",
        ErrorKind::Unavailable,
        false,
        "상품 주문 오류 (goods order error; one integration reads it as already cancelled)",
    ),
    CodeRow::new("ERR0209", ErrorKind::Unavailable, false, "상품 주문 메시지 오류 (goods order message error)"),
    CodeRow::new(
        "ERR0212",
        ErrorKind::NotFound,
        false,
        "MMS 재전송 대상 없음 (no coupon for this tr_id: nothing to resend)",
    ),
    CodeRow::new("ERR0213", ErrorKind::NotFound, false, "MMS 재전송 대상 없음 (no MMS resend target)"),
    CodeRow::new("ERR0214", ErrorKind::InvalidInput, false, "TR_ID 없음 (no tr_id was given)"),
    CodeRow::new(
        "ERR0215",
        ErrorKind::DuplicateReference,
        false,
        "중복된 TR_ID (this tr_id was used before; a repeat issues nothing)",
    ),
    CodeRow::new("ERR0217", ErrorKind::Rejected, false, "MMS 번호 변경 불가 (the MMS number cannot be changed)"),
    CodeRow::new("ERR0300", ErrorKind::PermissionDenied, false, "회원 조회 실패 (member lookup failed: check user_id)"),
    CodeRow::new("ERR0301", ErrorKind::PermissionDenied, false, "API 미가입 (the account has no API subscription)"),
    CodeRow::new("ERR0401", ErrorKind::NotFound, false, "상품 없음 (the goods do not exist)"),
    CodeRow::new("ERR0800", ErrorKind::Unavailable, true, "비즈포인트 조회 오류 (bizpoint lookup error)"),
    CodeRow::new("ERR0803", ErrorKind::Unavailable, false, "비즈포인트 차감 오류 (bizpoint deduction error)"),
    CodeRow::new("ERR0804", ErrorKind::Unavailable, false, "비즈포인트 적립 오류 (bizpoint accrual error)"),
    CodeRow::new("ERR0805", ErrorKind::Rejected, false, "쿠폰 취소 실패 (the coupon could not be cancelled)"),
    CodeRow::new("ERR0806", ErrorKind::InvalidInput, false, "제목 길이 초과 (the title is over 20 characters)"),
    CodeRow::new("ERR0807", ErrorKind::InvalidInput, false, "TR_ID 길이 초과 (the tr_id is over 25 bytes)"),
    CodeRow::new("ERR0808", ErrorKind::AlreadyCancelled, false, "이미 취소된 쿠폰 (the coupon is already cancelled)"),
    CodeRow::new("ERR0817", ErrorKind::InvalidInput, false, "수신번호 오류 (the receiver phone number is wrong)"),
    CodeRow::new("ERR0999", ErrorKind::Unavailable, false, "쿠폰 발송 오류 (coupon send error)"),
    CodeRow::new("PAG0001", ErrorKind::InvalidInput, false, "페이징 오류 (paging error: check the page and its size)"),
    CodeRow::new("PAG0002", ErrorKind::InvalidInput, false, "페이징 오류 (paging error: check the page and its size)"),
    // The earlier reading's codes, kept as variants.
    CodeRow::new(
        "E0006",
        ErrorKind::Unauthenticated,
        false,
        "인증 코드 또는 토큰 오류 (the auth code or token is wrong or revoked)",
    ),
    CodeRow::new("ERR0204", ErrorKind::NotFound, false, "쿠폰 정보 없음 (no coupon for this tr_id)"),
    CodeRow::new("ERR0210", ErrorKind::AlreadyCancelled, false, "이미 취소된 쿠폰 (already cancelled)"),
]);

/// The codes that, answered by a coupon detail (`0201`), prove that Giftishow has
/// no coupon for the `tr_id` (see the module's rules).
const NO_COUPON: &[&str] = &["ERR0204", "ERR0212"];

/// `ERR0208`: already cancelled in one integration, goods order error in v1.04.
const CANCELLED_IN_ONE_READING: &[&str] = &["ERR0208"];

/// Whether [`TABLE`] gives `code` the meaning `kind`.
pub fn means(code: &coupon_core::VendorCode, kind: ErrorKind) -> bool {
    TABLE.lookup(code.primary()).is_some_and(|row| row.kind == kind)
}

/// Whether a coupon detail (`0201`) refused with `code` proves that no coupon
/// exists for the `tr_id` asked about: `ERR0204` or `ERR0212`, nothing else.
pub fn proves_no_coupon(code: &coupon_core::VendorCode) -> bool {
    NO_COUPON.iter().any(|c| c.eq_ignore_ascii_case(code.primary().trim()))
}

/// Whether a refusal with `code` says the vendor failed while doing the work, so a
/// money-moving call so refused may have taken effect (rows of kind
/// [`ErrorKind::Unavailable`]).
pub fn may_have_acted(code: &coupon_core::VendorCode) -> bool {
    means(code, ErrorKind::Unavailable)
}

/// Whether a cancel refused with `code` may have found the coupon already
/// cancelled: a row of kind [`ErrorKind::AlreadyCancelled`], or `ERR0208` as one
/// integration reads it. Only the former is certain ([`means`]).
pub fn may_mean_already_cancelled(code: &coupon_core::VendorCode) -> bool {
    means(code, ErrorKind::AlreadyCancelled)
        || CANCELLED_IN_ONE_READING.iter().any(|c| c.eq_ignore_ascii_case(code.primary().trim()))
}

/// Whether a cancel refused with `code` was refused for a business reason (a row of
/// kind [`ErrorKind::Rejected`], such as `ERR0805` "쿠폰 취소 실패", or a code no row
/// names): neither table has a code for a coupon already used or expired, so such a
/// refusal says only that the cancel did not happen, and the coupon's state says why.
pub fn means_not_cancellable(code: &coupon_core::VendorCode) -> bool {
    TABLE.classify(code.primary()).0 == ErrorKind::Rejected
}

/// What a `pinStatusCd` means for the coupon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinState {
    /// Usable.
    Unused,
    /// Used, exchanged or cashed.
    Used,
    /// Cancelled, returned, voided or refunded.
    Cancelled,
    /// Past its validity.
    Expired,
    /// A state ours do not name (inactive voucher, reserved, provisional): kept verbatim.
    Other,
}

/// One row of [`PIN_STATUS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinStatusRow {
    /// `pinStatusCd`.
    pub code: &'static str,
    /// What it means for the coupon.
    pub state: PinState,
    /// The vendor's name for it (`pinStatusNm`).
    pub meaning: &'static str,
}

const fn pin(code: &'static str, state: PinState, meaning: &'static str) -> PinStatusRow {
    PinStatusRow { code, state, meaning }
}

/// Every `pinStatusCd` of the reading's table.
pub const PIN_STATUS: &[PinStatusRow] = &[
    pin("01", PinState::Unused, "발행 (issued)"),
    pin("02", PinState::Used, "교환 (used)"),
    pin("03", PinState::Cancelled, "반품 (returned)"),
    pin("04", PinState::Cancelled, "관리폐기 (voided by admin)"),
    pin("05", PinState::Cancelled, "환불 (refunded)"),
    pin("06", PinState::Unused, "재발행 (reissued)"),
    pin("07", PinState::Cancelled, "구매취소(폐기) (purchase cancelled)"),
    pin("08", PinState::Expired, "기간만료 (expired)"),
    pin("09", PinState::Other, "바우처(비활성) (voucher, inactive)"),
    pin("10", PinState::Cancelled, "잔액환불 (balance refunded)"),
    pin("11", PinState::Expired, "잔액기간만료 (balance expired)"),
    pin("12", PinState::Expired, "기간만료취소 (expired and cancelled)"),
    pin("13", PinState::Used, "환전 (exchanged for cash)"),
    pin("14", PinState::Cancelled, "환급 (repaid)"),
    pin("15", PinState::Cancelled, "잔액환급 (balance repaid)"),
    pin("16", PinState::Expired, "잔액기간만료취소 (balance expired and cancelled)"),
    pin("21", PinState::Unused, "등록 (registered)"),
    pin("22", PinState::Cancelled, "등록취소 (registration cancelled)"),
    pin("23", PinState::Other, "선점 (reserved)"),
    pin("24", PinState::Other, "임시발급상태 (provisionally issued)"),
];

/// The row of a `pinStatusCd`, compared after trimming.
pub fn pin_status(code: &str) -> Option<&'static PinStatusRow> {
    let code = code.trim();
    PIN_STATUS.iter().find(|r| r.code == code)
}

/// Our status for a `pinStatusCd` (and, for a used coupon, when it changed last):
/// the table's meaning, or [`CouponStatus::Unknown`] with the code verbatim.
///
/// ```
/// use adapter_giftishow::codes::coupon_status;
/// use coupon_core::CouponStatus;
/// assert_eq!(coupon_status("01", None), CouponStatus::Unused);
/// assert_eq!(coupon_status("08", None), CouponStatus::Expired);
/// assert_eq!(coupon_status("23", None), CouponStatus::Unknown("23".into()));
/// assert_eq!(coupon_status("99", None), CouponStatus::Unknown("99".into()));
/// ```
pub fn coupon_status(code: &str, changed_at: Option<coupon_core::time::KstDateTime>) -> CouponStatus {
    match pin_status(code).map(|r| r.state) {
        Some(PinState::Unused) => CouponStatus::Unused,
        Some(PinState::Used) => CouponStatus::Used { at: changed_at, place: None },
        Some(PinState::Cancelled) => CouponStatus::Cancelled { at: changed_at },
        Some(PinState::Expired) => CouponStatus::Expired,
        Some(PinState::Other) | None => CouponStatus::Unknown(code.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::codes::UNKNOWN_CODE;

    /// The v1.04 table of "More evidence", in its order, then the earlier reading's.
    const V104: [&str; 35] = [
        "E0002", "E0007", "E0008", "E0009", "E0010", "E0011", "E0012", "E0013", "E9999", "ERR0000", "ERR0005",
        "ERR0008", "ERR0100", "ERR0201", "ERR0208", "ERR0209", "ERR0212", "ERR0213", "ERR0214", "ERR0215", "ERR0217",
        "ERR0300", "ERR0301", "ERR0401", "ERR0800", "ERR0803", "ERR0804", "ERR0805", "ERR0806", "ERR0807", "ERR0808",
        "ERR0817", "ERR0999", "PAG0001", "PAG0002",
    ];
    const EARLIER: [&str; 3] = ["E0006", "ERR0204", "ERR0210"];

    fn code(c: &str) -> coupon_core::VendorCode {
        coupon_core::VendorCode::new(c)
    }

    #[test]
    fn every_code_of_both_readings_has_exactly_one_row_in_the_tables_order() {
        let rows: Vec<&str> = TABLE.rows().iter().map(|r| r.code).collect();
        assert_eq!(rows, V104.iter().chain(EARLIER.iter()).copied().collect::<Vec<_>>());
        assert!(TABLE.lookup(SUCCESS).is_none());
        assert!(TABLE.rows().iter().all(|r| r.meaning.contains('(') && r.meaning.ends_with(')')), "ours and theirs");
    }

    #[test]
    fn credentials_money_and_duplicates_read_as_the_table_says() {
        for c in ["E0008", "E0009", "E0011", "E0012", " e0006 "] {
            assert_eq!(TABLE.classify(c), (ErrorKind::Unauthenticated, false), "{c}");
        }
        assert_eq!(TABLE.classify("E0010"), (ErrorKind::InsufficientFunds, false));
        assert_eq!(TABLE.classify(" err0215 "), (ErrorKind::DuplicateReference, false));
        for c in ["ERR0201", "ERR0214", "ERR0806", "ERR0807", "ERR0817", "E0013", "PAG0001"] {
            assert_eq!(TABLE.classify(c), (ErrorKind::InvalidInput, false), "{c}: refused before anything was done");
        }
        assert_eq!(TABLE.classify("ERR0401").0, ErrorKind::NotFound);
        assert_eq!(TABLE.classify("ERR9999"), UNKNOWN_CODE);
        assert!(TABLE.rows().iter().all(|r| r.kind != ErrorKind::OutcomeUnknown));
    }

    #[test]
    fn only_a_lookups_no_such_tr_id_proves_no_coupon() {
        for c in ["ERR0204", "ERR0212", " err0204 "] {
            assert!(proves_no_coupon(&code(c)), "{c}");
        }
        for c in ["ERR0208", "ERR0999", "ERR0213", "ERR0401", "ERR0808", "E9999", "ERR7777", ""] {
            assert!(!proves_no_coupon(&code(c)), "{c} is no proof that no coupon exists");
        }
    }

    #[test]
    fn a_vendor_failing_midway_may_have_acted_and_a_refusal_up_front_did_not() {
        for c in ["ERR0999", "ERR0208", "ERR0209", "E9999", "ERR0000", "ERR0005", "ERR0008", "ERR0803"] {
            assert!(may_have_acted(&code(c)), "{c}");
        }
        for c in ["ERR0215", "E0010", "E0008", "ERR0401", "ERR0806", "ERR0817", "ERR0808", "ERR7777"] {
            assert!(!may_have_acted(&code(c)), "{c}");
        }
        let retried_reads = ["E9999", "ERR0000", "ERR0005", "ERR0008", "ERR0800"];
        for row in TABLE.rows() {
            assert_eq!(row.retryable, retried_reads.contains(&row.code), "{}", row.code);
        }
    }

    #[test]
    fn already_cancelled_is_certain_for_err0808_and_err0210_and_a_reading_of_err0208() {
        for c in ["ERR0808", "ERR0210"] {
            assert!(means(&code(c), ErrorKind::AlreadyCancelled) && may_mean_already_cancelled(&code(c)), "{c}");
        }
        assert!(!means(&code("ERR0208"), ErrorKind::AlreadyCancelled) && may_mean_already_cancelled(&code("err0208")));
        assert!(!may_mean_already_cancelled(&code("ERR0805")));
    }

    #[test]
    fn a_cancel_refused_for_a_business_reason_is_read_against_the_state_and_no_other_refusal_is() {
        for c in ["ERR0805", "ERR0217", "ERR9011", " err9012 ", ""] {
            assert!(means_not_cancellable(&code(c)), "{c}: says the cancel did not happen, not why");
        }
        for c in ["ERR0808", "ERR0212", "ERR0204", "E0008", "ERR0201", "ERR0999", "E0010"] {
            assert!(!means_not_cancellable(&code(c)), "{c}: says why on its own");
        }
    }

    #[test]
    fn every_pin_status_of_the_table_maps_as_the_reading_says() {
        let codes: Vec<&str> = PIN_STATUS.iter().map(|r| r.code).collect();
        let expected: Vec<String> = (1..=16).chain(21..=24).map(|n| format!("{n:02}")).collect();
        assert_eq!(codes, expected);
        let of = |c: &str| pin_status(c).unwrap().state;
        for c in ["01", "06", "21"] {
            assert_eq!(of(c), PinState::Unused, "{c}");
        }
        for c in ["02", "13"] {
            assert_eq!(of(c), PinState::Used, "{c}");
        }
        for c in ["03", "04", "05", "07", "10", "14", "15", "22"] {
            assert_eq!(of(c), PinState::Cancelled, "{c}");
        }
        for c in ["08", "11", "12", "16"] {
            assert_eq!(of(c), PinState::Expired, "{c}");
        }
        for c in ["09", "23", "24"] {
            assert_eq!(of(c), PinState::Other, "{c}");
        }
        assert!(pin_status("17").is_none());
        assert_eq!(coupon_status(" 17 ", None), CouponStatus::Unknown("17".into()));
    }
}
