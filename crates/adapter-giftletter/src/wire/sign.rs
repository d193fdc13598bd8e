//! The `enc` signature: lowercase hex MD5 of the partner's auth key, its `cid`, and
//! the endpoint's own field(s), concatenated without separators (document §3–§8).
//!
//! | endpoint | signed after key + cid |
//! |---|---|
//! | `SendEPin` | `goods_id` + `co_tid` |
//! | `CancelSendEPin`, `StatusSendEPin`, `ReSendSMS` | `order_id` |
//! | `getGoodsInfoList` | `brand_id` |
//! | `getGoodsInfo` | `goods_id` |
//!
//! `getBrandImage` and `ExchangeDaily.aspx` are not signed.

use md5::{Digest, Md5};

/// `md5(auth_key + cid + parts…)` as 32 lowercase hex digits.
///
/// MD5 is the vendor's choice, not ours: it is a weak signature, which is one
/// more reason the query string (which carries it) is never logged.
///
/// ```
/// use adapter_giftletter::wire::sign::enc;
/// assert_eq!(enc("sandbox-key", "sandbox", &["10"]), "e4bf6cd095db4884bb13d7540ee818d2");
/// ```
pub fn enc(auth_key: &str, cid: &str, parts: &[&str]) -> String {
    let mut md5 = Md5::new();
    md5.update(auth_key.as_bytes());
    md5.update(cid.as_bytes());
    for part in parts {
        md5.update(part.as_bytes());
    }
    hex(&md5.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// `enc` of `SendEPin`: key + cid + goods_id + co_tid.
pub fn send_epin(auth_key: &str, cid: &str, goods_id: &str, co_tid: &str) -> String {
    enc(auth_key, cid, &[goods_id, co_tid])
}

/// `enc` of `CancelSendEPin`, `StatusSendEPin` and `ReSendSMS`: key + cid + order_id.
pub fn order(auth_key: &str, cid: &str, order_id: &str) -> String {
    enc(auth_key, cid, &[order_id])
}

/// `enc` of `getGoodsInfoList`: key + cid + brand_id (decimal).
pub fn goods_list(auth_key: &str, cid: &str, brand_id: u64) -> String {
    enc(auth_key, cid, &[&brand_id.to_string()])
}

/// `enc` of `getGoodsInfo`: key + cid + goods_id.
pub fn goods_info(auth_key: &str, cid: &str, goods_id: &str) -> String {
    enc(auth_key, cid, &[goods_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers computed independently with Python:
    // hashlib.md5(b"sandbox-keysandbox0000000582CP1").hexdigest()
    #[test]
    fn known_answers() {
        assert_eq!(send_epin("sandbox-key", "sandbox", "0000000582", "CP1"), "62101e86ae5b152e0a20688cef18175f");
        assert_eq!(order("sandbox-key", "sandbox", "GL2603010000001"), "7d857edebb491c348b48d7e636242f5e");
        assert_eq!(goods_list("sandbox-key", "sandbox", 10), "e4bf6cd095db4884bb13d7540ee818d2");
        assert_eq!(goods_info("sandbox-key", "sandbox", "0000000582"), "f5d2a17c5db697d17c4ea2fd65e3a1df");
        // RFC 1321 test suite: the empty string.
        assert_eq!(enc("", "", &[]), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
