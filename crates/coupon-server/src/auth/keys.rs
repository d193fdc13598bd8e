//! API keys: 256 random bits, shown once, stored only as a hash.
//!
//! A key reads `cpk_<id>_<secret>`: the `id` (12 lowercase letters and digits) finds the stored record
//! without scanning, the `secret` (64 hex digits, 256 bits from the OS) is checked against the stored
//! SHA-256 of it in constant time. The whole key never reaches a log line, a `Debug` or the journal.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A key's prefix.
pub const PREFIX: &str = "cpk_";
const ID_LEN: usize = 12;
const SECRET_LEN: usize = 64;

/// A freshly made key: its public id, the whole key (shown once) and the hash to store.
pub struct NewKey {
    /// The public id (stored, shown by `coupon keys list`).
    pub id: String,
    /// The whole key, to hand to the user once.
    pub token: String,
    /// The SHA-256 of the secret, hex: what the journal keeps.
    pub secret_hash: String,
}

impl fmt::Debug for NewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewKey").field("id", &self.id).field("token", &"<hidden>").finish_non_exhaustive()
    }
}

/// Makes a key from the OS's random generator.
pub fn generate() -> Result<NewKey, String> {
    let mut id_bytes = [0u8; ID_LEN];
    let mut secret = [0u8; SECRET_LEN / 2];
    getrandom::fill(&mut id_bytes).map_err(|e| format!("no randomness for a key: {e}"))?;
    getrandom::fill(&mut secret).map_err(|e| format!("no randomness for a key: {e}"))?;
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let id: String = id_bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % 36])).collect();
    let secret = hex(&secret);
    let secret_hash = hash_secret(&secret);
    Ok(NewKey { token: format!("{PREFIX}{id}_{secret}"), id, secret_hash })
}

/// A presented key, split into its id and secret; `None` when it does not have a key's shape.
pub struct Presented<'a> {
    /// The public id.
    pub id: &'a str,
    secret: &'a str,
}

impl fmt::Debug for Presented<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presented").field("id", &self.id).finish_non_exhaustive()
    }
}

/// Splits `token` into id and secret when it has a key's shape.
pub fn parse(token: &str) -> Option<Presented<'_>> {
    let rest = token.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let id_ok = id.len() == ID_LEN && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let secret_ok = secret.len() == SECRET_LEN && secret.bytes().all(|b| b.is_ascii_hexdigit());
    (id_ok && secret_ok).then_some(Presented { id, secret })
}

impl Presented<'_> {
    /// Whether the secret hashes to `stored_hash`, compared in constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        let presented = hash_secret(self.secret);
        presented.as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

/// SHA-256 of a secret, hex. A key holds 256 random bits: a salt or a slow hash would add nothing.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_256_random_bits_that_match_only_their_own_hash() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a.token, b.token);
        let presented = parse(&a.token).unwrap();
        assert_eq!(presented.id, a.id);
        assert!(presented.matches(&a.secret_hash));
        assert!(!presented.matches(&b.secret_hash));
        assert_eq!(a.token.len(), PREFIX.len() + ID_LEN + 1 + SECRET_LEN);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = generate().unwrap();
        let secret = k.token.rsplit('_').next().unwrap().to_string();
        assert!(!format!("{k:?}").contains(&secret));
        assert!(!format!("{:?}", parse(&k.token).unwrap()).contains(&secret));
    }

    #[test]
    fn anything_without_a_keys_shape_is_refused_before_any_lookup() {
        for bad in [
            "",
            "cpk_",
            "cpk_abc_def",
            "Bearer x",
            "cpk_ABCDEFGHIJKL_00",
            &format!("cpk_{}_{}", "a".repeat(12), "z".repeat(64)),
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
