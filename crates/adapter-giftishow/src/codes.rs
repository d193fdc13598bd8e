//! Giftishow Biz's result codes and PIN status codes, as the reconstructed reading
//! lists them (`giftishow-biz-reconstructed.md`; the vendor's full table is in its
//! non-public document). A code no row names is kept verbatim and is
//! [`ErrorKind::Rejected`], not retryable ([`coupon_core::codes::UNKNOWN_CODE`]).
//!
//! No code here is retryable: none of those the integrations show says "nothing
//! was done, try again".

use coupon_core::codes::{CodeRow, CodeTable};
use coupon_core::{CouponStatus, ErrorKind};

/// Every result code the integrations show (`code`, the send's inner `code`, a
/// coupon detail's `resCode`), with its meaning.
pub const TABLE: CodeTable = CodeTable::new(&[
    CodeRow::new(
        "E0006",
        ErrorKind::Unauthenticated,
        false,
        "인증 코드 또는 토큰 오류 (the auth code or token is wrong or revoked)",
    ),
    CodeRow::new(
        "E0010",
        ErrorKind::InsufficientFunds,
        false,
        "비즈머니 잔액 부족 (bizmoney balance too low for this send)",
    ),
    CodeRow::new(
        "ERR0215",
        ErrorKind::DuplicateReference,
        false,
        "중복된 TR_ID (this tr_id was used before; a repeat issues nothing)",
    ),
    CodeRow::new("ERR0817", ErrorKind::InvalidInput, false, "수신번호 오류 (the receiver phone number is malformed)"),
    CodeRow::new("ERR0204", ErrorKind::NotFound, false, "쿠폰 정보 없음 (no such coupon or tr_id)"),
    CodeRow::new("ERR0212", ErrorKind::NotFound, false, "쿠폰 정보 없음 (no such coupon or tr_id)"),
    CodeRow::new("ERR0208", ErrorKind::AlreadyCancelled, false, "이미 취소된 쿠폰 (already cancelled)"),
    CodeRow::new("ERR0210", ErrorKind::AlreadyCancelled, false, "이미 취소된 쿠폰 (already cancelled)"),
]);

/// Whether [`TABLE`] gives `code` the meaning `kind`. The client's rules read the
/// table through it: [`ErrorKind::NotFound`] (no coupon for the `tr_id`: after a
/// doubt, the same send may go again), [`ErrorKind::DuplicateReference`] (a repeated
/// `tr_id`), [`ErrorKind::AlreadyCancelled`].
pub fn means(code: &coupon_core::VendorCode, kind: ErrorKind) -> bool {
    TABLE.lookup(code.primary()).is_some_and(|row| row.kind == kind)
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

    #[test]
    fn every_listed_result_code_has_exactly_one_row() {
        let listed = ["E0006", "E0010", "ERR0215", "ERR0817", "ERR0204", "ERR0212", "ERR0208", "ERR0210"];
        assert_eq!(TABLE.rows().len(), listed.len());
        for code in listed {
            assert_eq!(TABLE.rows().iter().filter(|r| r.code == code).count(), 1, "{code}");
        }
        let means = |code: &str, kind| super::means(&coupon_core::VendorCode::new(code), kind);
        for code in ["ERR0204", "ERR0212"] {
            assert!(means(code, ErrorKind::NotFound), "{code}: no such coupon, so a doubted send may go again");
        }
        for code in ["ERR0208", " err0210 "] {
            assert!(means(code, ErrorKind::AlreadyCancelled), "{code}");
        }
        assert!(means("ERR0215", ErrorKind::DuplicateReference));
        assert!(!means("ERR9999", ErrorKind::Rejected), "an unknown code means nothing of ours");
    }

    #[test]
    fn no_bizmoney_stops_and_a_repeat_is_a_duplicate() {
        assert_eq!(TABLE.classify("E0010"), (ErrorKind::InsufficientFunds, false));
        assert_eq!(TABLE.classify(" err0215 "), (ErrorKind::DuplicateReference, false));
        assert_eq!(TABLE.classify("E0006"), (ErrorKind::Unauthenticated, false));
        assert_eq!(TABLE.classify("ERR9999"), UNKNOWN_CODE);
        assert!(TABLE.rows().iter().all(|r| r.kind != ErrorKind::OutcomeUnknown));
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
