//! Giftletter's result codes (document §11) and `STATUS` letters, mapped to
//! [`ErrorKind`] and whether the same call may be repeated as-is.
//!
//! `retryable` is true only for failures on the vendor's side that say nothing
//! was done (system error, PIN supply failures): for `SendEPin` a repeat with the
//! same `co_tid` stays safe, since the vendor refuses a second issue of it (`P101`).

use coupon_core::{ErrorKind, VendorCode};

/// Every code of the document's table (§11): code, kind, retryable.
pub const CODES: &[(&str, ErrorKind, bool)] = &[
    ("P001", ErrorKind::InvalidInput, false),       // 파라미터 오류
    ("P002", ErrorKind::InvalidInput, false),       // 핸드폰 번호가 올바르지 않습니다
    ("P003", ErrorKind::LimitExceeded, false),      // 허용 가능 개수를 초과하였습니다.
    ("P101", ErrorKind::DuplicateReference, false), // 이미 존재하는 거래번호 입니다
    ("P102", ErrorKind::NotFound, false),           // 존재하지 않는 거래번호 입니다
    ("P201", ErrorKind::Unsupported, false),        // 지원하지 않는 기능입니다
    ("P301", ErrorKind::LimitExceeded, false),      // 재전송 횟수를 초과하였습니다
    ("A001", ErrorKind::Unauthenticated, false),    // 가맹점 인증 오류
    ("A101", ErrorKind::Rejected, false),           // 사용 가능한 상품이 아닙니다
    ("E101", ErrorKind::Unavailable, true),         // EPIN 가져오기 실패
    ("E102", ErrorKind::Rejected, false),           // EPIN 취소 실패
    ("E103", ErrorKind::Unavailable, false),        // EPIN 상태 조회 실패
    ("E201", ErrorKind::AlreadyUsed, false),        // 이미 사용된 EPIN 입니다
    ("E301", ErrorKind::Rejected, false),           // EPIN 승인 실패
    ("E302", ErrorKind::Rejected, false),           // EPIN 사용 실패
    ("E304", ErrorKind::AlreadyCancelled, false),   // EPIN 취소 실패(이미 취소 된 거래 건)
    ("E305", ErrorKind::NotFound, false),           // EPIN 취소 실패(취소 할 거래 건이 없음)
    ("E311", ErrorKind::Unavailable, true),         // EPIN 생성실패
    ("E312", ErrorKind::Unavailable, true),         // EPIN 생성실패
    ("E401", ErrorKind::Unavailable, true),         // EPIN 가져오기 실패(공급처)
    ("S001", ErrorKind::Unavailable, true),         // 시스템 오류
    ("S002", ErrorKind::PermissionDenied, false),   // 등록되지 않은 IP입니다
];

/// A code the table does not know: the vendor refused, for a reason we cannot name.
pub const UNKNOWN: (ErrorKind, bool) = (ErrorKind::Rejected, false);

/// The row of one code, when the table has it.
pub fn lookup(code: &str) -> Option<(ErrorKind, bool)> {
    CODES.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(code.trim())).map(|&(_, kind, retry)| (kind, retry))
}

/// Kind and retryable flag of a (possibly two-part) `rstCode`.
///
/// The primary (first) code decides, as the document says ("오류코드가 2개인 경우
/// 앞 오류코드 참조"), with one refinement: in the document's own examples
/// `E102:P002` and `E103 : P002` come with the message "존재하지 않는 거래번호입니다"
/// (no such transaction), so after a cancel or status failure the secondary `P002`
/// (or `P102`) means the order is unknown, not a bad phone number.
///
/// ```
/// use adapter_giftletter::codes::classify;
/// use coupon_core::{ErrorKind, VendorCode};
/// assert_eq!(classify(&VendorCode::new("E304")), (ErrorKind::AlreadyCancelled, false));
/// assert_eq!(classify(&VendorCode::new("E103 : P002")), (ErrorKind::NotFound, false));
/// assert_eq!(classify(&VendorCode::new("Z999")), (ErrorKind::Rejected, false));
/// ```
pub fn classify(code: &VendorCode) -> (ErrorKind, bool) {
    let codes = code.codes();
    if let [primary, secondary, ..] = codes.as_slice() {
        let order_failure = ["E102", "E103"].iter().any(|c| primary.eq_ignore_ascii_case(c));
        let unknown_order = ["P002", "P102"].iter().any(|c| secondary.eq_ignore_ascii_case(c));
        if order_failure && unknown_order {
            return (ErrorKind::NotFound, false);
        }
    }
    lookup(code.primary()).unwrap_or(UNKNOWN)
}

/// What a catalog answer's `STATUS` letter means when it is an error
/// (`getGoodsInfoList`, `getGoodsInfo`, `getBrandImage`): kind, retryable, and a
/// description for the message. `Y` and `N` are not errors and answer `None`.
///
/// `E` reads "서버오류" on the goods list and "미 존재 상품/브랜드" on the
/// others; the vendor answers it for an id it does not know, so it is
/// [`ErrorKind::NotFound`] everywhere and the message says both.
pub fn status_error(status: &str) -> Option<(ErrorKind, bool, &'static str)> {
    match status.trim() {
        "Y" | "N" => None,
        // 서버오류 / 미 존재 상품 / 미 존재 브랜드
        "E" => Some((ErrorKind::NotFound, false, "STATUS E: no such goods or brand, or a server error")),
        // IP제한
        "I" => Some((ErrorKind::PermissionDenied, false, "STATUS I: this IP address is not registered")),
        // 인증실패
        "C" => Some((ErrorKind::Unauthenticated, false, "STATUS C: partner authentication failed")),
        _ => Some((UNKNOWN.0, UNKNOWN.1, "an unknown STATUS")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_exactly_one_row() {
        let documented = [
            "P001", "P002", "P003", "P101", "P102", "P201", "P301", "A001", "A101", "E101", "E102", "E103", "E201",
            "E301", "E302", "E304", "E305", "E311", "E312", "E401", "S001", "S002",
        ];
        assert_eq!(CODES.len(), documented.len());
        for code in documented {
            assert_eq!(CODES.iter().filter(|(c, _, _)| *c == code).count(), 1, "{code}");
        }
    }

    #[test]
    fn primary_code_decides_and_both_are_kept() {
        let code = VendorCode::new("E102:P002");
        assert_eq!(code.codes(), ["E102", "P002"]);
        assert_eq!(classify(&code), (ErrorKind::NotFound, false));
        assert_eq!(classify(&VendorCode::new("E102:E201")), (ErrorKind::Rejected, false));
        assert_eq!(classify(&VendorCode::new(" p101 ")), (ErrorKind::DuplicateReference, false));
        assert_eq!(classify(&VendorCode::new("S001")), (ErrorKind::Unavailable, true));
        assert_eq!(classify(&VendorCode::new("")), UNKNOWN);
    }

    #[test]
    fn outcome_unknown_is_never_a_vendor_code_mapping() {
        assert!(CODES.iter().all(|(_, kind, _)| *kind != ErrorKind::OutcomeUnknown));
    }

    #[test]
    fn status_letters() {
        assert_eq!(status_error("Y"), None);
        assert_eq!(status_error("N"), None);
        assert_eq!(status_error("E").map(|s| s.0), Some(ErrorKind::NotFound));
        assert_eq!(status_error(" I").map(|s| s.0), Some(ErrorKind::PermissionDenied));
        assert_eq!(status_error("C").map(|s| s.0), Some(ErrorKind::Unauthenticated));
        assert_eq!(status_error("?").map(|s| s.0), Some(ErrorKind::Rejected));
    }
}
