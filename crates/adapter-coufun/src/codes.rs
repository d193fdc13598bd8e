//! COUFUN's `RESULT_CODE` → [`ErrorKind`] and whether the same call may be repeated.
//!
//! The vendor's full code table is a separate document (`COUFUN_B2C_연동규격서_결과코드명세.pdf`)
//! we do not have. The status document shows only `00` (success) and, in its failure
//! example, `99` with a generic message. So the mapping is conservative: a known failure
//! and every unknown code are [`ErrorKind::Rejected`], not retryable, with the code and
//! `RESULT_MSG` kept verbatim on the error for the caller to read.

use coupon_core::{Error, ErrorKind, VendorCode};

/// `RESULT_CODE` of a successful inquiry (성공).
pub const SUCCESS: &str = "00";

/// One known failure code.
struct Row {
    code: &'static str,
    kind: ErrorKind,
    retryable: bool,
}

/// Every failure code we know. `00` (성공) is [`SUCCESS`], not an error.
const TABLE: &[Row] = &[
    // 99: 실패 — the document's failure example ("ERROR MESSAGE"). Its meaning is in the result-code
    // document we do not have; RESULT_MSG says which failure it is (unknown coupon, unregistered
    // customer, ...), so it is not read as NotFound: a refusal, kept verbatim.
    Row { code: "99", kind: ErrorKind::Rejected, retryable: false },
];

/// What an unknown code maps to: a refusal that repeating will not change.
const UNKNOWN: (ErrorKind, bool) = (ErrorKind::Rejected, false);

/// The kind and retryable flag of a failure code (trimmed); unknown codes get a refusal.
///
/// ```
/// use adapter_coufun::codes::classify;
/// use coupon_core::ErrorKind;
/// assert_eq!(classify("99"), (ErrorKind::Rejected, false));
/// assert_eq!(classify("X7"), (ErrorKind::Rejected, false));
/// ```
pub fn classify(code: &str) -> (ErrorKind, bool) {
    let code = code.trim();
    TABLE.iter().find(|row| row.code == code).map(|row| (row.kind, row.retryable)).unwrap_or(UNKNOWN)
}

/// The error for a failure answer: the code and message verbatim.
///
/// ```
/// use adapter_coufun::codes::error_for;
/// use coupon_core::VendorCode;
/// let e = error_for(VendorCode::new("99"), "존재하지 않는 쿠폰번호입니다.");
/// assert_eq!(e.vendor_code().unwrap().raw(), "99");
/// assert_eq!(e.vendor_message(), Some("존재하지 않는 쿠폰번호입니다."));
/// assert!(!e.is_retryable());
/// ```
pub fn error_for(code: VendorCode, message: &str) -> Error {
    let (kind, retryable) = classify(code.raw());
    let known = if TABLE.iter().any(|row| row.code == code.raw().trim()) { "" } else { " (an unknown code)" };
    Error::new(kind, format!("COUFUN answered RESULT_CODE {code}{known}"))
        .with_vendor(crate::VENDOR)
        .with_vendor_code(code)
        .with_vendor_message(message)
        .with_retryable(retryable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_kept_verbatim_as_refusals() {
        let e = error_for(VendorCode::new("E42"), "");
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.vendor_code().map(VendorCode::raw), Some("E42"));
        assert!(e.to_string().contains("unknown code"), "{e}");
        assert!(e.vendor_message().is_none(), "an empty RESULT_MSG is no message");
    }

    #[test]
    fn the_table_has_one_row_per_code_and_no_success() {
        let mut codes: Vec<_> = TABLE.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
        assert!(!codes.contains(&SUCCESS));
    }
}
