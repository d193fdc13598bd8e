//! Giftletter: the `getGoodsInfoList` answer, the `ExchangeDaily.aspx` report and
//! the bytes `SendEPin` signs.

use coupon::encoding_rs::EUC_KR;

use super::{BRANCHES, BRANDS};

/// A `getGoodsInfoList` answer of `items` goods, laid out like the document's
/// example (two-space indent, every value a string, `PRICE` as `"10000"`), with the
/// drift the vendor's answers show: some keys with a stray space (`"IMG_URL "`,
/// `"PRICE "`), some prices as bare numbers, some goods not issuable (`"N"`).
pub fn goods_list(items: usize) -> String {
    let mut out = String::with_capacity(items * 240 + 4);
    out.push_str("[\n");
    for i in 0..items {
        let (brand, product) = BRANDS[i % BRANDS.len()];
        let goods_id = format!("{:010}", 582 + i);
        let won = 1_000 * (1 + (i % 50) as u64);
        let price = if i % 7 == 3 { won.to_string() } else { format!("\"{won}\"") };
        let price_key = if i % 5 == 2 { "PRICE " } else { "PRICE" };
        let img_key = if i % 4 == 1 { "IMG_URL " } else { "IMG_URL" };
        let status = if i % 10 == 9 { "N" } else { "Y" };
        out.push_str(&format!(
            "  {{\n    \"GOODS_ID\": \"{goods_id}\",\n    \"GOODS_NAME\": \"[{brand}] {product} {won}원\",\n    \
             \"BRAND_NAME\": \"{brand}상품권\",\n    \"{price_key}\": {price},\n    \
             \"{img_key}\": \"http://image.gift-n.net/goods/{goods_id}_1.jpg\",\n    \"STATUS\": \"{status}\"\n  }}"
        ));
        out.push_str(if i + 1 < items { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    out
}

/// The `ExchangeDaily.aspx` report of 2015-02-21 with `lines` redemptions, in
/// EUC-KR with CRLF line ends (an ASP page's output): `pin|YYYYMMDDHHMMSS|branch`,
/// one line in fifty with the day only (`YYYYMMDD`), as the document allows.
pub fn report(lines: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(0x6766_746c);
    let mut text = String::with_capacity(lines * 40);
    for i in 0..lines {
        let pin = 910_000_000_000u64 + rng.u64(..1_000_000_000);
        let second = i % 86_400;
        let when = if i % 50 == 49 {
            "20150221".to_string()
        } else {
            format!("20150221{:02}{:02}{:02}", second / 3600, second / 60 % 60, second % 60)
        };
        let branch = BRANCHES[rng.usize(..BRANCHES.len())];
        text.push_str(&format!("{pin}|{when}|{branch}\r\n"));
    }
    let (bytes, _, unmappable) = EUC_KR.encode(&text);
    assert!(!unmappable, "every branch name is EUC-KR");
    bytes.into_owned()
}

/// What `SendEPin`'s `enc` signs: the sandbox's key and cid, a goods id and a
/// generated-length `co_tid` (20 characters, as `PartnerRef::generate` makes).
#[derive(Clone, Debug)]
pub struct SendEPinSigned {
    /// The partner's auth key.
    pub auth_key: String,
    /// The partner id.
    pub cid: String,
    /// `goods_id`.
    pub goods_id: String,
    /// `co_tid`.
    pub co_tid: String,
}

impl SendEPinSigned {
    /// The sandbox's credentials and the document's goods.
    pub fn sample() -> Self {
        Self {
            auth_key: coupon_sandbox::vendors::giftletter::credentials::AUTH_KEY.to_string(),
            cid: coupon_sandbox::vendors::giftletter::credentials::CID.to_string(),
            goods_id: "0000000582".to_string(),
            co_tid: "CP260301120000A1B2C3".to_string(),
        }
    }

    /// The signed bytes, concatenated as `enc` digests them.
    pub fn concatenated(&self) -> Vec<u8> {
        [&self.auth_key, &self.cid, &self.goods_id, &self.co_tid].iter().flat_map(|s| s.bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon::giftletter::wire::replies::{GoodsStatus, parse_goods_list};
    use coupon::giftletter::wire::report::{decode_report, parse_exchange_daily};
    use coupon::{RedeemedAt, Won};

    #[test]
    fn the_goods_list_is_read_whole_stray_spaces_and_string_prices_included() {
        let text = goods_list(1000);
        let items = parse_goods_list(&text).unwrap().unwrap();
        assert_eq!(items.len(), 1000);
        assert!(items.iter().all(|g| g.price.is_some() && g.img_url.is_some() && g.goods_name.is_some()));
        assert_eq!(items[3].price, Some(Won(4000)), "a bare number");
        assert_eq!(items[2].price, Some(Won(3000)), "under the key \"PRICE \"");
        assert_eq!(items[9].status, GoodsStatus::NotUsable);
        assert!(text.contains("\"IMG_URL \"") && text.contains("\"PRICE \": \""));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value.as_array().unwrap().len(), 1000, "strict JSON too, so serde_json is a fair baseline");
    }

    #[test]
    fn the_report_is_euc_kr_and_every_line_reads() {
        let bytes = report(1000);
        assert!(std::str::from_utf8(&bytes).is_err(), "EUC-KR, not UTF-8");
        let day = coupon::chrono::NaiveDate::from_ymd_opt(2015, 2, 21).unwrap();
        let r = parse_exchange_daily(day, &decode_report(&bytes, Some("euc-kr")).unwrap());
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.items.len(), 1000);
        assert!(r.items.iter().all(|i| BRANCHES.contains(&i.branch.as_deref().unwrap())));
        assert_eq!(r.items[49].at, RedeemedAt::Day(day));
    }

    #[test]
    fn the_signed_bytes_are_what_enc_digests() {
        let s = SendEPinSigned::sample();
        assert_eq!(s.co_tid.len(), 20);
        let enc = coupon::giftletter::wire::sign::send_epin(&s.auth_key, &s.cid, &s.goods_id, &s.co_tid);
        use md5::{Digest, Md5};
        let bare: String = Md5::digest(s.concatenated()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(enc, bare);
    }
}
