//! The GiftiMbiz result codes (the document's 코드표) in our terms.
//!
//! One table, one row per code, the vendor's Korean meaning beside it. The
//! `retryable` flag says whether the *same* call may be repeated as-is; token
//! refusals that a fresh token cures are told apart by [`refresh_cures`].

use coupon_core::{Error, ErrorKind, VendorCode};

use crate::wire::VENDOR;

/// The code of a successful answer (also sent as the number `0`).
pub const SUCCESS: &str = "0000";

/// `(code, kind, retryable, what it means)`, in the document's order.
pub const TABLE: &[(&str, ErrorKind, bool, &str)] = &[
    ("T", ErrorKind::Unauthenticated, false, "토큰 에러"),
    ("T1", ErrorKind::Unauthenticated, false, "유효기간이 지난 토큰"),
    ("T2", ErrorKind::Unauthenticated, false, "원하는 형식과 맞지 않는 토큰"),
    ("T3", ErrorKind::Unauthenticated, false, "검증이 실패한 토큰"),
    ("T4", ErrorKind::Unauthenticated, false, "구조적인 문제가 있는 토큰"),
    ("T5", ErrorKind::Unauthenticated, false, "null이거나 비어 있는 토큰"),
    ("T6", ErrorKind::Unauthenticated, false, "해당 토큰에 대한 매체정보가 존재하지 않음"),
    ("T7", ErrorKind::PermissionDenied, false, "탈퇴한 매체의 토큰"),
    ("M", ErrorKind::Rejected, false, "데이터 에러"),
    ("M1", ErrorKind::Rejected, false, "이미 참여한 미션"),
    ("M2", ErrorKind::Rejected, false, "기간이 종료된 미션"),
    ("M3", ErrorKind::LimitExceeded, false, "일일 참여 수 초과"),
    ("M4", ErrorKind::PermissionDenied, false, "참여가 제한된 단말기"),
    ("Q", ErrorKind::InvalidInput, false, "파라미터오류"),
    ("L", ErrorKind::InvalidInput, false, "입력된 주소 값이 잘못됨"),
    ("N", ErrorKind::InvalidInput, false, "입력된 번호 값이 일치하지 않음"),
    ("TOKEN00", ErrorKind::Unauthenticated, false, "토큰 값이 잘못되었습니다."),
    ("TOKEN01", ErrorKind::Unauthenticated, false, "엑세스 토큰값이 없음"),
    ("TOKEN02", ErrorKind::Unauthenticated, false, "리프레시 토큰값이 없음"),
    ("TOKEN03", ErrorKind::Unauthenticated, false, "등록하고자하는 아이디가 틀립니다."),
    ("TOKEN04", ErrorKind::PermissionDenied, false, "사용할수 없는 파트너 회원아이디입니다."),
    ("TOKEN05", ErrorKind::Unauthenticated, false, "리프레시 토큰값이 등록된 내용과 다릅니다."),
    ("TOKEN06", ErrorKind::Unauthenticated, false, "암호화된 토큰이 일치 하지 않습니다."),
    ("TOKEN07", ErrorKind::Unauthenticated, false, "토큰 만료일이 종료되었습니다."),
    ("TOKEN08", ErrorKind::Unauthenticated, false, "엑세스 토큰값 검증이 실패했습니다."),
    ("TOKEN09", ErrorKind::Unauthenticated, false, "리프레시 토큰값 검증이 실패했습니다."),
    ("Z", ErrorKind::Unauthenticated, false, "토큰값이 일치하지 않습니다."),
    ("UB", ErrorKind::PermissionDenied, false, "블랙처리되어 출금할수 없습니다."),
    ("PD", ErrorKind::Rejected, false, "상품검증실패"),
    ("PL", ErrorKind::InvalidInput, false, "잘못된 상품금액결제"),
    ("PPA", ErrorKind::DuplicateReference, false, "중복결제"),
    ("PC", ErrorKind::Rejected, false, "결제실패"),
    ("UP", ErrorKind::PermissionDenied, false, "유저파트너정보가 없습니다."),
    ("GPLF", ErrorKind::Unavailable, false, "로그파일 입력 실패"),
];

/// The kind, retryable flag and Korean meaning of a code. Unknown codes are
/// [`ErrorKind::Rejected`], not retryable, with no meaning: the code itself is kept by the caller.
pub fn lookup(code: &str) -> (ErrorKind, bool, Option<&'static str>) {
    let code = code.trim();
    TABLE
        .iter()
        .find(|(c, ..)| c.eq_ignore_ascii_case(code))
        .map_or((ErrorKind::Rejected, false, None), |(_, kind, retry, meaning)| (*kind, *retry, Some(*meaning)))
}

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

/// The error for a vendor refusal: kind from the table, the code and message verbatim.
pub fn error(code: &str, message: Option<&str>) -> Error {
    let (kind, retryable, meaning) = lookup(code);
    let ours = match meaning {
        Some(m) => format!("GiftiMbiz refused the call ({m})"),
        None => "GiftiMbiz refused the call with a code this adapter does not know".to_string(),
    };
    let e =
        Error::new(kind, ours).with_vendor(VENDOR).with_vendor_code(VendorCode::new(code)).with_retryable(retryable);
    match message {
        Some(m) => e.with_vendor_message(m),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_document_is_in_the_table_once() {
        let doc = [
            "T", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "M", "M1", "M2", "M3", "M4", "Q", "L", "N", "TOKEN00",
            "TOKEN01", "TOKEN02", "TOKEN03", "TOKEN04", "TOKEN05", "TOKEN06", "TOKEN07", "TOKEN08", "TOKEN09", "Z",
            "UB", "PD", "PL", "PPA", "PC", "UP", "GPLF",
        ];
        assert_eq!(TABLE.len(), doc.len());
        for code in doc {
            assert_eq!(TABLE.iter().filter(|(c, ..)| *c == code).count(), 1, "{code}");
            assert!(lookup(code).2.is_some(), "{code}");
        }
    }

    #[test]
    fn unknown_codes_are_kept_verbatim_as_rejections() {
        let e = error("X99", Some("뭔가 잘못됨"));
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert_eq!(e.vendor_code().map(VendorCode::raw), Some("X99"));
        assert_eq!(e.vendor_message(), Some("뭔가 잘못됨"));
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
