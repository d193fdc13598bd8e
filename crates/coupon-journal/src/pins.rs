//! PINs are secrets: whoever holds one can spend the coupon.
//!
//! By default the journal keeps only the masked PIN ([`coupon_core::Pin::masked`])
//! and an HMAC-SHA256 of it, keyed by a random 32-byte key generated once per
//! journal (table `journal_meta`). The hash lets a PIN shown by a customer be
//! matched to its row without the journal holding the PIN. A campaign created
//! with `store_pins` keeps the PIN in clear as well.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{JournalError, Result};

/// The journal's key for PIN hashes. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct PinKey([u8; 32]);

impl PinKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| JournalError::Invalid(format!("no randomness for the PIN key: {e}")))?;
        Ok(Self(key))
    }

    /// The key from its stored hex form.
    pub fn from_hex(hex: &str) -> Result<Self> {
        let bytes =
            decode_hex(hex).ok_or_else(|| JournalError::Invalid("the stored PIN key is not 64 hex digits".into()))?;
        Ok(Self(bytes))
    }

    /// The stored hex form.
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }

    /// HMAC-SHA256 of `pin` under this key, as lowercase hex.
    pub fn hash(&self, pin: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(pin.as_bytes());
        encode_hex(&mac.finalize().into_bytes())
    }

    /// Whether `hash` is this key's HMAC of `pin` (compared in constant time).
    pub fn verify(&self, pin: &str, hash: &str) -> bool {
        let Some(expected) = decode_hex::<32>(hash) else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(pin.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }
}

impl fmt::Debug for PinKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinKey(<redacted>)")
    }
}

fn encode_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

fn decode_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let raw = hex.as_bytes();
    if raw.len() != N * 2 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; N];
    for (i, pair) in raw.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_round_trips_and_verifies() {
        let key = PinKey::generate().unwrap();
        let again = PinKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(key, again);
        let h = key.hash("405868134802");
        assert_eq!(h.len(), 64);
        assert!(again.verify("405868134802", &h));
        assert!(!again.verify("405868134803", &h));
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }
}
