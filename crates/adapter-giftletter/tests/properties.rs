//! Properties: the signature against an MD5 written here from RFC 1321, validation
//! of any text, and the report parser on any input and on the sandbox's own lines.

use adapter_giftletter::wire::QueryCharset;
use adapter_giftletter::wire::replies::{
    parse_brand_image, parse_cancel, parse_goods_info, parse_goods_list, parse_resend, parse_send_epin, parse_status,
};
use adapter_giftletter::wire::report::{decode_report, parse_exchange_daily, parse_line};
use adapter_giftletter::wire::requests::{self, ReSendSms, SendEPin};
use adapter_giftletter::wire::sign;
use coupon_core::chrono::NaiveDate;
use coupon_core::text::{cp949_len, encode_euc_kr};
use coupon_core::{ErrorKind, PartnerRef, PhoneNumber, RedeemedAt};
use proptest::prelude::*;

/// MD5 per RFC 1321, written out here so the signature is checked against code that
/// shares nothing with the `md-5` crate.
fn rfc1321_md5(message: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    let k: Vec<u32> = (0..64).map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32).collect();
    let mut data = message.to_vec();
    let bit_len = (message.len() as u64).wrapping_mul(8);
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&bit_len.to_le_bytes());
    let (mut a0, mut b0, mut c0, mut d0) = (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    for chunk in data.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0].iter().flat_map(|w| w.to_le_bytes()).map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_reference_md5_knows_the_rfc_answers() {
    assert_eq!(rfc1321_md5(b""), "d41d8cd98f00b204e9800998ecf8427e");
    assert_eq!(rfc1321_md5(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(rfc1321_md5(b"sandbox-keysandbox0000000582CP1"), "62101e86ae5b152e0a20688cef18175f");
}

fn phone() -> PhoneNumber {
    PhoneNumber::parse("01012345678").unwrap()
}

fn request() -> SendEPin {
    SendEPin {
        goods_id: "0000000582".into(),
        title: "t".into(),
        content: "c".into(),
        mdn: phone(),
        receive_tel: phone(),
        co_tid: PartnerRef::new("CP1"),
        reserved: None,
    }
}

/// Ok means within the byte limit (and writable in EUC-KR when that is the charset);
/// Err means `InvalidInput` naming exactly that field.
fn check(result: coupon_core::Result<()>, field: &str, value: &str, limit: usize, charset: QueryCharset) {
    match result {
        Ok(()) => {
            assert!(cp949_len(value) <= limit, "{field}: {} > {limit}", cp949_len(value));
            if charset == QueryCharset::EucKr {
                assert!(encode_euc_kr(value).is_ok_and(|b| b.len() <= limit), "{field}");
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidInput);
            assert_eq!(e.field(), Some(field));
        }
    }
}

fn charset() -> impl Strategy<Value = QueryCharset> {
    prop_oneof![Just(QueryCharset::Utf8), Just(QueryCharset::EucKr)]
}

proptest! {
    #[test]
    fn enc_is_md5_of_the_concatenation(key in "\\PC{0,40}", cid in "[a-z0-9]{1,20}", a in "\\PC{0,30}", b in "\\PC{0,30}") {
        let want = rfc1321_md5(format!("{key}{cid}{a}{b}").as_bytes());
        prop_assert_eq!(sign::enc(&key, &cid, &[&a, &b]), want.clone());
        prop_assert_eq!(sign::send_epin(&key, &cid, &a, &b), want);
    }

    #[test]
    fn any_title_content_or_reserved_passes_within_its_limit_or_is_refused_by_name(
        s in "\\PC{0,300}",
        charset in charset(),
    ) {
        let mut r = request();
        r.title = s.clone();
        check(r.validate(charset), "title", &s, requests::TITLE_MAX, charset);
        let mut r = request();
        r.content = s.clone();
        check(r.validate(charset), "content", &s, requests::CONTENT_MAX, charset);
        let mut r = request();
        r.reserved = Some(s.clone());
        check(r.validate(charset), "reserved", &s, requests::RESERVED_MAX, charset);
        let mut r = ReSendSms::new("GL1");
        r.msg = Some(s.clone());
        check(r.validate(charset), "msg", &s, requests::MSG_MAX, charset);
    }

    #[test]
    fn any_id_passes_as_short_ascii_or_is_refused_by_name(s in "\\PC{0,40}") {
        let mut r = request();
        r.co_tid = PartnerRef::new(s.clone());
        check(r.validate(QueryCharset::Utf8), "co_tid", &s, requests::CO_TID_MAX, QueryCharset::Utf8);
        if r.validate(QueryCharset::Utf8).is_ok() {
            prop_assert!(s.bytes().all(|b| b.is_ascii_graphic()));
        }
        let mut r = request();
        r.goods_id = s.clone();
        check(r.validate(QueryCharset::Utf8), "goods_id", &s, requests::GOODS_ID_MAX, QueryCharset::Utf8);
        let r = ReSendSms::new(s.clone());
        check(r.validate(QueryCharset::Utf8), "order_id", &s, requests::ORDER_ID_MAX, QueryCharset::Utf8);
    }

    #[test]
    fn json_parsers_never_panic(s in "\\PC{0,200}") {
        let _ = parse_send_epin(&s);
        let _ = parse_cancel(&s);
        let _ = parse_resend(&s);
        let _ = parse_status(&s);
        let _ = parse_goods_list(&s);
        let _ = parse_goods_info(&s);
        let _ = parse_brand_image(&s);
    }

    #[test]
    fn the_report_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(text) = decode_report(&bytes, None) {
            let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
            let report = parse_exchange_daily(day, &text);
            prop_assert!(report.items.len() + report.errors.len() <= text.lines().count());
        }
    }

    /// Lines as the sandbox writes them: `pin|YYYYMMDDHHMMSS|branch\r\n` or the day only, EUC-KR.
    #[test]
    fn sandbox_lines_round_trip(
        pin in "[1-9][0-9]{11}",
        secs in 0i64..(20 * 365 * 86_400),
        day_only in any::<bool>(),
        branch in "[가-힣A-Za-z0-9()]{1,15}",
    ) {
        let at = coupon_core::time::from_naive(
            NaiveDate::from_ymd_opt(2015, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap() + coupon_core::chrono::Duration::seconds(secs),
        );
        let when = at.format(if day_only { "%Y%m%d" } else { "%Y%m%d%H%M%S" }).to_string();
        let line = format!("{pin}|{when}|{branch}\r\n");
        let bytes = encode_euc_kr(&line).unwrap().into_owned();
        let text = decode_report(&bytes, Some("euc-kr")).unwrap();
        let report = parse_exchange_daily(at.date_naive(), &text);
        prop_assert!(report.errors.is_empty());
        let r = parse_line(text.trim_end()).unwrap();
        prop_assert_eq!(r.pin.expose(), pin.as_str());
        prop_assert_eq!(r.branch.as_deref(), Some(branch.as_str()));
        let want = if day_only { RedeemedAt::Day(at.date_naive()) } else { RedeemedAt::Time(at) };
        prop_assert_eq!(r.at, want);
    }
}
