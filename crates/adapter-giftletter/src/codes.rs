//! Giftletter's result codes (document §11) and catalog `STATUS` letters, as
//! [`CodeTable`]s of the core's adapter kit, and the one rule the document adds
//! on top (two-part codes). Every code the client and adapter decide by is read
//! from these tables ([`SUCCESS`] aside, which no table lists): [`is_duplicate`],
//! [`is_already_cancelled`], [`table_for`].
//!
//! `retryable` is true only for failures on the vendor's side that say nothing
//! was done (system error, PIN supply failures): for `SendEPin` a repeat with the
//! same `co_tid` stays safe, since the vendor refuses a second issue of it (`P101`).
//! A code no row names is kept verbatim and is
//! [`ErrorKind::Rejected`], not retryable
//! ([`coupon_core::codes::UNKNOWN_CODE`]).

use coupon_core::codes::{CodeRow, CodeTable};
use coupon_core::{ErrorKind, VendorCode};

/// The `rstCode` of a success (`"0"`); not in [`TABLE`].
pub const SUCCESS: &str = "0";

/// Every `rstCode` of the document's table (§11 에러코드표), with its meaning as written there.
pub const TABLE: CodeTable = CodeTable::new(&[
    CodeRow::new("P001", ErrorKind::InvalidInput, false, "파라미터 오류"),
    CodeRow::new("P002", ErrorKind::InvalidInput, false, "핸드폰 번호가 올바르지 않습니다"),
    CodeRow::new("P003", ErrorKind::LimitExceeded, false, "허용 가능 개수를 초과하였습니다."),
    CodeRow::new("P101", ErrorKind::DuplicateReference, false, "이미 존재하는 거래번호 입니다"),
    CodeRow::new("P102", ErrorKind::NotFound, false, "존재하지 않는 거래번호 입니다"),
    CodeRow::new("P201", ErrorKind::Unsupported, false, "지원하지 않는 기능입니다"),
    CodeRow::new("P301", ErrorKind::LimitExceeded, false, "재전송 횟수를 초과하였습니다"),
    CodeRow::new("A001", ErrorKind::Unauthenticated, false, "가맹점 인증 오류"),
    CodeRow::new("A101", ErrorKind::Rejected, false, "사용 가능한 상품이 아닙니다"),
    CodeRow::new("E101", ErrorKind::Unavailable, true, "EPIN 가져오기 실패"),
    CodeRow::new("E102", ErrorKind::Rejected, false, "EPIN 취소 실패"),
    CodeRow::new("E103", ErrorKind::Unavailable, false, "EPIN 상태 조회 실패"),
    CodeRow::new("E201", ErrorKind::AlreadyUsed, false, "이미 사용된 EPIN 입니다"),
    CodeRow::new("E301", ErrorKind::Rejected, false, "EPIN 승인 실패"),
    CodeRow::new("E302", ErrorKind::Rejected, false, "EPIN 사용 실패"),
    CodeRow::new("E304", ErrorKind::AlreadyCancelled, false, "EPIN 취소 실패(이미 취소 된 거래 건)"),
    CodeRow::new("E305", ErrorKind::NotFound, false, "EPIN 취소 실패(취소 할 거래 건이 없음)"),
    CodeRow::new("E311", ErrorKind::Unavailable, true, "EPIN 생성실패"),
    CodeRow::new("E312", ErrorKind::Unavailable, true, "EPIN 생성실패"),
    CodeRow::new("E401", ErrorKind::Unavailable, true, "EPIN 가져오기 실패(공급처)"),
    CodeRow::new("S001", ErrorKind::Unavailable, true, "시스템 오류"),
    CodeRow::new("S002", ErrorKind::PermissionDenied, false, "등록되지 않은 IP입니다"),
]);

/// The two-part rule's rows: `E102` or `E103` followed by a code of [`NO_SUCH_ORDER`].
///
/// The primary (first) code decides, as the document says ("오류코드가 2개인 경우
/// 앞 오류코드 참조"), with one refinement: in the document's own examples
/// `E102:P002` and `E103 : P002` come with the message "존재하지 않는 거래번호입니다"
/// (no such transaction), so after a cancel or status failure the secondary `P002`
/// (or `P102`) means the order is unknown, not a bad phone number.
pub const UNKNOWN_ORDER: CodeTable = CodeTable::new(&[
    CodeRow::new("E102", ErrorKind::NotFound, false, "EPin 취소 실패 : 존재하지 않는 거래번호입니다."),
    CodeRow::new("E103", ErrorKind::NotFound, false, "EPin 상태 조회 실패 : 존재하지 않는 거래번호입니다."),
]);

/// The second codes of the two-part rule ([`UNKNOWN_ORDER`]): after `E102` or
/// `E103`, each says the transaction does not exist, as the document's examples
/// read them (`P002` there comes with "존재하지 않는 거래번호입니다", whatever its
/// row in [`TABLE`] says alone).
pub const NO_SUCH_ORDER: CodeTable = CodeTable::new(&[
    CodeRow::new("P002", ErrorKind::NotFound, false, "존재하지 않는 거래번호입니다 (as the second of two codes)"),
    CodeRow::new("P102", ErrorKind::NotFound, false, "존재하지 않는 거래번호 입니다"),
]);

/// The catalog answers' `STATUS` letters that are refusals (`getGoodsInfoList`,
/// `getGoodsInfo`, `getBrandImage`); `Y` and `N` describe a goods and are not here.
///
/// `E` reads "서버오류" on the goods list and "미 존재 상품/브랜드" on the
/// others; the vendor answers it for an id it does not know, so it is
/// [`ErrorKind::NotFound`] everywhere.
pub const STATUS: CodeTable = CodeTable::new(&[
    CodeRow::new("E", ErrorKind::NotFound, false, "서버오류 / 미 존재 상품 / 미 존재 브랜드"),
    CodeRow::new("I", ErrorKind::PermissionDenied, false, "IP제한"),
    CodeRow::new("C", ErrorKind::Unauthenticated, false, "인증실패"),
]);

/// The table that decides a (possibly two-part) `rstCode`: [`UNKNOWN_ORDER`] when
/// the two-part rule applies, else [`TABLE`]. Either way the primary code is looked up.
pub fn table_for(code: &VendorCode) -> &'static CodeTable {
    if let [primary, secondary, ..] = code.codes().as_slice() {
        if UNKNOWN_ORDER.lookup(primary).is_some() && NO_SUCH_ORDER.lookup(secondary).is_some() {
            return &UNKNOWN_ORDER;
        }
    }
    &TABLE
}

/// Whether the (possibly two-part) `code` means `kind` by the table that decides it.
fn means(code: &VendorCode, kind: ErrorKind) -> bool {
    table_for(code).lookup(code.primary()).is_some_and(|row| row.kind == kind)
}

/// Whether `code` refuses a `co_tid` used before (`P101`): on a re-send after a
/// doubt, the first attempt issued the coupon.
///
/// ```
/// use adapter_giftletter::codes::is_duplicate;
/// use coupon_core::VendorCode;
/// assert!(is_duplicate(&VendorCode::new(" p101 ")) && !is_duplicate(&VendorCode::new("P102")));
/// ```
pub fn is_duplicate(code: &VendorCode) -> bool {
    means(code, ErrorKind::DuplicateReference)
}

/// Whether `code` says the PIN is already cancelled (`E304`): on a cancel's
/// re-send after a doubt, the first attempt cancelled it.
pub fn is_already_cancelled(code: &VendorCode) -> bool {
    means(code, ErrorKind::AlreadyCancelled)
}

/// Kind and retryable flag of a (possibly two-part) `rstCode`.
///
/// ```
/// use adapter_giftletter::codes::classify;
/// use coupon_core::{ErrorKind, VendorCode};
/// assert_eq!(classify(&VendorCode::new("E304")), (ErrorKind::AlreadyCancelled, false));
/// assert_eq!(classify(&VendorCode::new("E103 : P002")), (ErrorKind::NotFound, false));
/// assert_eq!(classify(&VendorCode::new("Z999")), (ErrorKind::Rejected, false));
/// ```
pub fn classify(code: &VendorCode) -> (ErrorKind, bool) {
    table_for(code).classify(code.primary())
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::codes::UNKNOWN_CODE;

    #[test]
    fn every_documented_code_has_exactly_one_row() {
        let documented = [
            "P001", "P002", "P003", "P101", "P102", "P201", "P301", "A001", "A101", "E101", "E102", "E103", "E201",
            "E301", "E302", "E304", "E305", "E311", "E312", "E401", "S001", "S002",
        ];
        assert_eq!(TABLE.rows().len(), documented.len());
        for code in documented {
            assert_eq!(TABLE.rows().iter().filter(|r| r.code == code).count(), 1, "{code}");
        }
    }

    #[test]
    fn primary_code_decides_and_both_are_kept() {
        let code = VendorCode::new("E102:P002");
        assert_eq!(code.codes(), ["E102", "P002"]);
        assert_eq!(classify(&code), (ErrorKind::NotFound, false));
        assert_eq!(classify(&VendorCode::new("E103:P102")), (ErrorKind::NotFound, false));
        assert_eq!(classify(&VendorCode::new("E102:E201")), (ErrorKind::Rejected, false));
        assert_eq!(classify(&VendorCode::new("E102")), (ErrorKind::Rejected, false));
        assert_eq!(classify(&VendorCode::new("P002:E102")), (ErrorKind::InvalidInput, false));
        assert_eq!(classify(&VendorCode::new(" p101 ")), (ErrorKind::DuplicateReference, false));
        assert_eq!(classify(&VendorCode::new("S001")), (ErrorKind::Unavailable, true));
        assert_eq!(classify(&VendorCode::new("")), UNKNOWN_CODE);
    }

    #[test]
    fn the_codes_the_client_decides_by_are_the_tables() {
        let duplicates: Vec<&str> =
            TABLE.rows().iter().filter(|r| is_duplicate(&VendorCode::new(r.code))).map(|r| r.code).collect();
        assert_eq!(duplicates, ["P101"]);
        let cancelled: Vec<&str> =
            TABLE.rows().iter().filter(|r| is_already_cancelled(&VendorCode::new(r.code))).map(|r| r.code).collect();
        assert_eq!(cancelled, ["E304"]);
        assert!(!is_duplicate(&VendorCode::new("E102:P101")), "the primary code decides");
        assert!(TABLE.lookup(SUCCESS).is_none());
        for row in NO_SUCH_ORDER.rows() {
            assert!(TABLE.lookup(row.code).is_some(), "{} is a code of the document", row.code);
        }
    }

    #[test]
    fn outcome_unknown_is_never_a_vendor_code_mapping() {
        for table in [TABLE, UNKNOWN_ORDER, NO_SUCH_ORDER, STATUS] {
            assert!(table.rows().iter().all(|r| r.kind != ErrorKind::OutcomeUnknown));
        }
    }

    #[test]
    fn status_letters() {
        assert!(STATUS.lookup("Y").is_none() && STATUS.lookup("N").is_none());
        assert_eq!(STATUS.classify("E").0, ErrorKind::NotFound);
        assert_eq!(STATUS.classify(" I").0, ErrorKind::PermissionDenied);
        assert_eq!(STATUS.classify("C").0, ErrorKind::Unauthenticated);
        assert_eq!(STATUS.classify("?"), UNKNOWN_CODE);
    }
}
