//! COUFUN's `RESULT_CODE` table, as a [`CodeTable`] of the core's adapter kit.
//!
//! The vendor's full code table is a separate document (`COUFUN_B2C_연동규격서_결과코드명세.pdf`)
//! we do not have. The status document shows only `00` (success, [`SUCCESS`]) and, in its
//! failure example, `99` with a generic message. So the table is that one row, and the
//! mapping is conservative: `99` and every unknown code are
//! [`ErrorKind::Rejected`], not retryable
//! ([`coupon_core::codes::UNKNOWN_CODE`]), with the code and `RESULT_MSG` kept verbatim
//! on the error for the caller to read.
//!
//! ```
//! use adapter_coufun::codes::TABLE;
//! use coupon_core::codes::Refusal;
//! use coupon_core::ErrorKind;
//! let e = Refusal::new("99", Some("존재하지 않는 쿠폰번호입니다.".into())).into_error(&TABLE);
//! assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "99"));
//! assert_eq!(e.vendor_message(), Some("존재하지 않는 쿠폰번호입니다."));
//! assert!(!e.is_retryable());
//! let unknown = Refusal::new("E42", None).into_error(&TABLE);
//! assert_eq!((unknown.kind(), unknown.vendor_code().unwrap().raw()), (ErrorKind::Rejected, "E42"));
//! ```

use coupon_core::ErrorKind;
use coupon_core::codes::{CodeRow, CodeTable};

/// `RESULT_CODE` of a successful inquiry (성공): not in [`TABLE`].
pub const SUCCESS: &str = "00";

/// Every failure code the document gives.
///
/// `99` (실패) is the document's failure example ("ERROR MESSAGE"). Its meaning is in the
/// result-code document we do not have; `RESULT_MSG` says which failure it is (unknown
/// coupon, unregistered customer, ...), so it is not read as `NotFound`: a refusal, kept verbatim.
pub const TABLE: CodeTable = CodeTable::new(&[CodeRow::new(
    "99",
    ErrorKind::Rejected,
    false,
    "실패 (the document's failure example; RESULT_MSG says which failure)",
)]);

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::VendorCode;
    use coupon_core::codes::{Refusal, UNKNOWN_CODE};

    #[test]
    fn unknown_codes_are_kept_verbatim_as_refusals() {
        let e = Refusal::new("E42", Some(String::new())).into_error(&TABLE);
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.vendor_code().map(VendorCode::raw), Some("E42"));
        assert!(e.to_string().contains("does not know"), "{e}");
        assert!(e.vendor_message().is_none(), "an empty RESULT_MSG is no message");
        assert_eq!(TABLE.classify("X7"), UNKNOWN_CODE);
    }

    #[test]
    fn the_table_has_one_row_per_code_and_no_success() {
        let mut codes: Vec<_> = TABLE.rows().iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.rows().len());
        assert!(TABLE.lookup(SUCCESS).is_none());
        assert_eq!(TABLE.classify(" 99 "), (ErrorKind::Rejected, false));
    }
}
