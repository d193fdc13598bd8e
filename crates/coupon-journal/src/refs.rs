//! Deterministic partner references.
//!
//! A campaign gets a random 8-character token at creation; each of its rows gets
//! `"CP" + token + line in base 36, zero-padded to 7` = 17 ASCII alphanumerics,
//! within every vendor's limit (Giftishow `tr_id` ≤ 25, Giftletter `co_tid` ≤ 30).
//! The reference is stored with the row and never changes, so every attempt and
//! every reconciliation of a row uses the reference the vendor may have seen.

use coupon_core::PartnerRef;

use crate::error::{JournalError, Result};

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Length of a campaign token.
pub const TOKEN_LEN: usize = 8;
/// Base-36 digits of the line number in a reference.
pub const LINE_DIGITS: usize = 7;
/// Length of every row reference.
pub const REF_LEN: usize = 2 + TOKEN_LEN + LINE_DIGITS;
/// The largest line number a reference can hold (36^7 − 1).
pub const MAX_LINE: u64 = 36u64.pow(LINE_DIGITS as u32) - 1;

/// A fresh random campaign token: 8 characters of `A-Z0-9`, from the OS's generator.
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; TOKEN_LEN];
    getrandom::fill(&mut bytes).map_err(|e| JournalError::Invalid(format!("no randomness for a token: {e}")))?;
    // 256 is not a multiple of 36; the bias (≤ 1/256 per character) does not matter for uniqueness.
    Ok(bytes.iter().map(|b| ALPHABET[usize::from(*b) % 36] as char).collect())
}

/// The reference of line `line` of the campaign with `token`.
///
/// ```
/// use coupon_journal::refs::partner_ref;
/// assert_eq!(partner_ref("AB12CD34", 1).unwrap().as_str(), "CPAB12CD340000001");
/// assert_eq!(partner_ref("AB12CD34", 36).unwrap().as_str(), "CPAB12CD340000010");
/// assert!(partner_ref("AB12CD34", u64::MAX).is_err());
/// ```
pub fn partner_ref(token: &str, line: u64) -> Result<PartnerRef> {
    if line > MAX_LINE {
        return Err(JournalError::Invalid(format!("line {line} is beyond the last referable line {MAX_LINE}")));
    }
    let mut digits = [b'0'; LINE_DIGITS];
    let mut n = line;
    for slot in digits.iter_mut().rev() {
        *slot = ALPHABET[(n % 36) as usize];
        n /= 36;
    }
    let mut s = String::with_capacity(REF_LEN);
    s.push_str("CP");
    s.push_str(token);
    s.extend(digits.iter().map(|b| *b as char));
    Ok(PartnerRef::new(s))
}
