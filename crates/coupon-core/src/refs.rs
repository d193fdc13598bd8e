//! References: the caller's own transaction id, the vendor's order id, and coupon numbers.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The caller's own reference for a transaction (Giftletter `co_tid`).
///
/// It is how an issue whose outcome is in doubt is traced and reconciled, so it
/// travels in every result and every error of the call. Not secret.
///
/// ```
/// use coupon_core::PartnerRef;
/// let a = PartnerRef::generate();
/// let b = PartnerRef::generate();
/// assert_ne!(a, b);
/// assert!(a.as_str().len() == 20 && a.as_str().is_ascii());
/// assert_eq!(PartnerRef::new("order-42").as_str(), "order-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PartnerRef(String);

/// How many distinct tails a reference can have: 36^6.
const TAIL_SPACE: u64 = 36u64.pow(6);

/// This process's references count up from a random start, so two references of
/// one process never share a tail before 36^6 of them, and two processes share
/// one only when their starts are within the number of references they make.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);
static START: OnceLock<u64> = OnceLock::new();

impl PartnerRef {
    /// The caller's own reference, as given.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// A fresh reference, unique across processes with very high probability:
    /// `CP` + KST `yyMMddHHmmss` + 6 base-36 characters counting up from a random
    /// start per process (20 ASCII characters, within every vendor's limit: the
    /// strictest is a Giftishow integration's 20).
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let start = *START.get_or_init(|| fastrand::u64(..TAIL_SPACE));
        let mut n = (start + SEQUENCE.fetch_add(1, Ordering::Relaxed)) % TAIL_SPACE;
        let mut tail = [b'0'; 6];
        for slot in tail.iter_mut().rev() {
            *slot = ALPHABET[(n % 36) as usize];
            n /= 36;
        }
        let mut s = format!("CP{}", crate::time::now_kst().format("%y%m%d%H%M%S"));
        s.extend(tail.iter().map(|b| char::from(*b)));
        Self(s)
    }

    /// The reference text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartnerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The vendor's identifier for an order (Giftletter `order_id`, GiftiMbiz `tid`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct OrderRef(String);

impl OrderRef {
    /// The vendor's order id, as given.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The order id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A coupon number (PIN, barcode number). Whoever holds it can spend the coupon,
/// so `Debug` and `Display` show only its last four characters.
///
/// ```
/// use coupon_core::Pin;
/// let pin = Pin::new("405868134802");
/// assert_eq!(pin.to_string(), "********4802");
/// assert_eq!(format!("{pin:?}"), "Pin(********4802)");
/// assert_eq!(pin.expose(), "405868134802");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pin(String);

impl Pin {
    /// Wraps a coupon number.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The coupon number, unmasked. Handle as a secret.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form: all but the last four characters replaced by `*`
    /// (everything masked when there are fewer than eight).
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        if n < 8 {
            return "*".repeat(n.max(4));
        }
        // Built once, as `PhoneNumber::masked` is: every PIN shown goes through here.
        let mut out = String::with_capacity(self.0.len());
        out.extend(std::iter::repeat_n('*', n - 4));
        out.extend(self.0.chars().skip(n - 4));
        out
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pin({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_refs_are_unique_ascii_and_short() {
        let refs: std::collections::HashSet<_> = (0..20_000).map(|_| PartnerRef::generate()).collect();
        assert_eq!(refs.len(), 20_000);
        for r in &refs {
            assert_eq!(r.as_str().len(), 20);
            assert!(r.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn short_pins_are_masked_entirely() {
        assert_eq!(Pin::new("1234567").to_string(), "*******");
        assert_eq!(Pin::new("12").to_string(), "****");
        assert_eq!(Pin::new("가나다라마바사아자차").to_string(), "******사아자차");
    }
}
