//! The GiftiMbiz result codes (the document's 코드표) in our terms.
//!
//! [`TABLE`] is the vendor's table, one [`CodeRow`] per code with the document's
//! Korean meaning beside it; refusals become errors through
//! [`coupon_core::codes::Refusal`] and this table. On top of the table, the
//! vendor's own rules: what success looks like ([`SUCCESS`], [`is_success`]) and
//! which token refusals a fresh token cures ([`refresh_cures`]). The `retryable`
//! flag says whether the *same* call may be repeated as-is; none is: the
//! transport retries reads on transport failures and 408/429/502–504 by itself.

use coupon_core::ErrorKind;
use coupon_core::codes::{CodeRow, CodeTable};

/// The code of a successful answer (also sent as the number `0`).
pub const SUCCESS: &str = "0000";

/// The document's code table, in its order.
///
/// ```
/// use adapter_giftimbiz::codes::TABLE;
/// use coupon_core::ErrorKind;
/// use coupon_core::codes::Refusal;
/// assert_eq!(TABLE.lookup("ppa").map(|r| r.kind), Some(ErrorKind::DuplicateReference));
/// let e = Refusal::new("PL", Some("잘못된 금액".into())).into_error(&TABLE);
/// assert_eq!((e.kind(), e.vendor_code().unwrap().raw()), (ErrorKind::InvalidInput, "PL"));
/// ```
pub const TABLE: CodeTable = CodeTable::new(&[
    CodeRow::new("T", ErrorKind::Unauthenticated, false, "토큰 에러"),
    CodeRow::new("T1", ErrorKind::Unauthenticated, false, "유효기간이 지난 토큰"),
    CodeRow::new("T2", ErrorKind::Unauthenticated, false, "원하는 형식과 맞지 않는 토큰"),
    CodeRow::new("T3", ErrorKind::Unauthenticated, false, "검증이 실패한 토큰"),
    CodeRow::new("T4", ErrorKind::Unauthenticated, false, "구조적인 문제가 있는 토큰"),
    CodeRow::new("T5", ErrorKind::Unauthenticated, false, "null이거나 비어 있는 토큰"),
    CodeRow::new("T6", ErrorKind::Unauthenticated, false, "해당 토큰에 대한 매체정보가 존재하지 않음"),
    CodeRow::new("T7", ErrorKind::PermissionDenied, false, "탈퇴한 매체의 토큰"),
    CodeRow::new("M", ErrorKind::Rejected, false, "데이터 에러"),
    CodeRow::new("M1", ErrorKind::Rejected, false, "이미 참여한 미션"),
    CodeRow::new("M2", ErrorKind::Rejected, false, "기간이 종료된 미션"),
    CodeRow::new("M3", ErrorKind::LimitExceeded, false, "일일 참여 수 초과"),
    CodeRow::new("M4", ErrorKind::PermissionDenied, false, "참여가 제한된 단말기"),
    CodeRow::new("Q", ErrorKind::InvalidInput, false, "파라미터오류"),
    CodeRow::new("L", ErrorKind::InvalidInput, false, "입력된 주소 값이 잘못됨"),
    CodeRow::new("N", ErrorKind::InvalidInput, false, "입력된 번호 값이 일치하지 않음"),
    CodeRow::new("TOKEN00", ErrorKind::Unauthenticated, false, "토큰 값이 잘못되었습니다."),
    CodeRow::new("TOKEN01", ErrorKind::Unauthenticated, false, "엑세스 토큰값이 없음"),
    CodeRow::new("TOKEN02", ErrorKind::Unauthenticated, false, "리프레시 토큰값이 없음"),
    CodeRow::new("TOKEN03", ErrorKind::Unauthenticated, false, "등록하고자하는 아이디가 틀립니다."),
    CodeRow::new("TOKEN04", ErrorKind::PermissionDenied, false, "사용할수 없는 파트너 회원아이디입니다."),
    CodeRow::new("TOKEN05", ErrorKind::Unauthenticated, false, "리프레시 토큰값이 등록된 내용과 다릅니다."),
    CodeRow::new("TOKEN06", ErrorKind::Unauthenticated, false, "암호화된 토큰이 일치 하지 않습니다."),
    CodeRow::new("TOKEN07", ErrorKind::Unauthenticated, false, "토큰 만료일이 종료되었습니다."),
    CodeRow::new("TOKEN08", ErrorKind::Unauthenticated, false, "엑세스 토큰값 검증이 실패했습니다."),
    CodeRow::new("TOKEN09", ErrorKind::Unauthenticated, false, "리프레시 토큰값 검증이 실패했습니다."),
    CodeRow::new("Z", ErrorKind::Unauthenticated, false, "토큰값이 일치하지 않습니다."),
    CodeRow::new("UB", ErrorKind::PermissionDenied, false, "블랙처리되어 출금할수 없습니다."),
    CodeRow::new("PD", ErrorKind::Rejected, false, "상품검증실패"),
    CodeRow::new("PL", ErrorKind::InvalidInput, false, "잘못된 상품금액결제"),
    CodeRow::new("PPA", ErrorKind::DuplicateReference, false, "중복결제"),
    // The partner pays from its prepaid account: a failed payment is that account running dry.
    CodeRow::new("PC", ErrorKind::InsufficientFunds, false, "결제실패"),
    CodeRow::new("UP", ErrorKind::PermissionDenied, false, "유저파트너정보가 없습니다."),
    CodeRow::new("GPLF", ErrorKind::Unavailable, false, "로그파일 입력 실패"),
]);

/// True for the refusals of an expired or rejected access token: a new token,
/// fetched once, cures them, and the refused call never ran.
pub fn refresh_cures(code: &str) -> bool {
    matches!(code.trim().to_ascii_uppercase().as_str(), "T1" | "TOKEN07" | "TOKEN08")
}

/// True for `"0000"`, `"0"` and the number `0` as text.
pub fn is_success(code: &str) -> bool {
    let c = code.trim();
    !c.is_empty() && c.bytes().all(|b| b == b'0')
}

#[cfg(test)]
mod tests {
    use coupon_core::VendorCode;
    use coupon_core::codes::Refusal;

    use super::*;

    #[test]
    fn every_code_of_the_document_is_in_the_table_once() {
        let doc = [
            "T", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "M", "M1", "M2", "M3", "M4", "Q", "L", "N", "TOKEN00",
            "TOKEN01", "TOKEN02", "TOKEN03", "TOKEN04", "TOKEN05", "TOKEN06", "TOKEN07", "TOKEN08", "TOKEN09", "Z",
            "UB", "PD", "PL", "PPA", "PC", "UP", "GPLF",
        ];
        assert_eq!(TABLE.rows().len(), doc.len());
        for code in doc {
            assert_eq!(TABLE.rows().iter().filter(|r| r.code == code).count(), 1, "{code}");
            assert!(!TABLE.lookup(code).unwrap().meaning.is_empty(), "{code}");
        }
        // The success code is not a refusal of the table.
        assert!(TABLE.lookup(SUCCESS).is_none());
    }

    #[test]
    fn unknown_codes_are_kept_verbatim_as_rejections() {
        let e = Refusal::new("X99", Some("뭔가 잘못됨".into())).into_error(&TABLE);
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.vendor_code().map(VendorCode::raw), Some("X99"));
        assert_eq!(e.vendor_message(), Some("뭔가 잘못됨"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn known_codes_keep_the_documents_meaning_in_the_message() {
        let e = Refusal::new("PPA", None).into_error(&TABLE);
        assert_eq!(e.kind(), ErrorKind::DuplicateReference);
        assert!(e.to_string().contains("중복결제"), "{e}");
        assert!(TABLE.rows().iter().all(|r| !r.retryable), "no GiftiMbiz code says: send the same call again");
    }

    #[test]
    fn only_expiry_and_rejection_of_the_access_token_are_cured_by_a_refresh() {
        for code in ["T1", "TOKEN07", "TOKEN08", "token07"] {
            assert!(refresh_cures(code), "{code}");
        }
        for code in ["T", "T6", "T7", "TOKEN04", "TOKEN05", "TOKEN09", "Z", "PL"] {
            assert!(!refresh_cures(code), "{code}");
        }
    }

    #[test]
    fn success_spellings() {
        for ok in ["0000", "0", " 0 "] {
            assert!(is_success(ok), "{ok}");
        }
        for bad in ["", "T1", "00A", "1"] {
            assert!(!is_success(bad), "{bad}");
        }
    }
}
