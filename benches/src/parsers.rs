//! Groups 1–5: each sans-IO parser (or the signature) beside its physical limit.

use coupon::chrono::NaiveDate;
use coupon::coufun::wire::replies::parse_status;
use coupon::giftimbiz::wire::replies::parse_gift_listings;
use coupon::giftletter::wire::replies::parse_goods_list;
use coupon::giftletter::wire::report::{decode_report, parse_exchange_daily};
use coupon::giftletter::wire::sign;
use md5::{Digest, Md5};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::Value;

use crate::inputs::giftletter::SendEPinSigned;
use crate::inputs::{coufun, giftimbiz, giftishow, giftletter};
use crate::pair::{Pair, Reference};

/// Items in the generated Giftletter goods list.
pub const GOODS_ITEMS: usize = 1_000;
/// Listings on the generated GiftiMbiz page.
pub const LISTINGS: usize = 100;
/// `<ORDER_INFO>` blocks in the generated COUFUN answer.
pub const ORDERS: usize = 10;
/// Goods in the generated Giftishow goods list page.
pub const GIFTISHOW_GOODS: usize = 1_000;
/// Lines in the generated Giftletter report.
pub const REPORT_LINES: usize = 100_000;

const ORIGIN: &str = "https://www.giftiexchange.com";

/// The five parser groups, inputs generated.
pub fn pairs() -> Vec<Pair> {
    vec![goods_list(), listings(), coufun_status(), report(), signing(), giftishow_goods()]
}

/// `serde_json::from_slice::<Value>`: the generic limit for a JSON answer.
fn value_len(bytes: &[u8]) -> usize {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => items.len(),
        Ok(Value::Object(map)) => map.len(),
        _ => 0,
    }
}

/// Group 1: the forgiving reader and typed items, from the body's bytes.
pub fn goods_list() -> Pair {
    let body = giftletter::goods_list(GOODS_ITEMS).into_bytes();
    let (a, b) = (body.clone(), body.clone());
    Pair {
        group: "1_giftletter_goods_list",
        subject_name: "parse_goods_list (typed)",
        baseline_name: "serde_json Value",
        bytes: body.len() as u64,
        target: Some(0.5),
        subject: Box::new(move || {
            let text = std::str::from_utf8(&a).unwrap_or_default();
            parse_goods_list(text).ok().and_then(Result::ok).map_or(0, |items| items.len())
        }),
        baseline: Box::new(move || value_len(&b)),
        reference: None,
    }
}

/// Group 2: a listings page, typed with every drift resolved.
pub fn listings() -> Pair {
    let body = giftimbiz::listing_page(LISTINGS);
    let (a, b) = (body.clone(), body.clone());
    Pair {
        group: "2_giftimbiz_listings",
        subject_name: "parse_gift_listings (typed)",
        baseline_name: "serde_json Value",
        bytes: body.len() as u64,
        target: Some(0.5),
        subject: Box::new(move || {
            parse_gift_listings(&a, ORIGIN).map_or(0, |page| page.map_or(0, |page| page.items.len()))
        }),
        baseline: Box::new(move || value_len(&b)),
        reference: None,
    }
}

/// The bare quick-xml event loop: every event read, nothing kept.
pub fn xml_events(text: &str) -> usize {
    let mut reader = Reader::from_str(text);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

/// Group 3: decode (EUC-KR, labels checked) and parse, vs the event loop over the
/// same document already in UTF-8.
pub fn coufun_status() -> Pair {
    let body = coufun::status_xml(ORDERS);
    let (utf8, _, bad) = coupon::encoding_rs::EUC_KR.decode(&body);
    assert!(!bad, "the sandbox writes valid EUC-KR");
    let utf8 = utf8.into_owned();
    let a = body.clone();
    Pair {
        group: "3_coufun_status",
        subject_name: "parse_status (decode + parse)",
        baseline_name: "quick-xml event loop (UTF-8)",
        bytes: body.len() as u64,
        target: Some(0.5),
        subject: Box::new(move || {
            parse_status(&a, None).map_or(0, |answer| answer.map_or(0, |answer| answer.orders.len()))
        }),
        baseline: Box::new(move || xml_events(&utf8)),
        reference: None,
    }
}

/// A plain line split with memchr: every line's bounds found, nothing read.
pub fn split_lines(bytes: &[u8]) -> usize {
    let (mut lines, mut start) = (0, 0);
    for end in memchr::memchr_iter(b'\n', bytes) {
        lines += usize::from(end > start);
        start = end + 1;
    }
    lines + usize::from(start < bytes.len())
}

/// Group 4: decode (EUC-KR by its label) and read every line, vs a line split.
pub fn report() -> Pair {
    let body = giftletter::report(REPORT_LINES);
    let (a, b, c) = (body.clone(), body.clone(), body.clone());
    let day = NaiveDate::from_ymd_opt(2015, 2, 21).unwrap_or_default();
    Pair {
        group: "4_giftletter_report",
        subject_name: "decode_report + parse_exchange_daily",
        baseline_name: "memchr line split",
        bytes: body.len() as u64,
        target: Some(0.5),
        subject: Box::new(move || {
            decode_report(&a, Some("euc-kr")).map_or(0, |text| parse_exchange_daily(day, &text).items.len())
        }),
        baseline: Box::new(move || split_lines(&b)),
        // The decode alone: what any reader of this EUC-KR text must pay, and
        // already more than half the line split's throughput away.
        reference: Some(Reference {
            name: "decode_report alone (EUC-KR to UTF-8)",
            work: Box::new(move || decode_report(&c, Some("euc-kr")).map_or(0, |text| text.len())),
        }),
    }
}

/// Group 5: `enc` of `SendEPin` (four updates, hex) vs one digest of the same bytes.
pub fn signing() -> Pair {
    let s = SendEPinSigned::sample();
    let concatenated = s.concatenated();
    Pair {
        group: "5_sign_send_epin",
        subject_name: "sign::send_epin (hex)",
        baseline_name: "md-5 digest",
        bytes: concatenated.len() as u64,
        target: None,
        subject: Box::new(move || sign::send_epin(&s.auth_key, &s.cid, &s.goods_id, &s.co_tid).len()),
        baseline: Box::new(move || usize::from(Md5::digest(&concatenated)[0]) + 1),
        reference: None,
    }
}

/// Group 8: a page of 1,000 goods, typed, vs the generic parse our reader is built on.
pub fn giftishow_goods() -> Pair {
    let body = giftishow::goods_list(GIFTISHOW_GOODS).into_bytes();
    let (a, b) = (body.clone(), body.clone());
    Pair {
        group: "8_giftishow_goods_list",
        subject_name: "parse_goods_list (Value + typed)",
        baseline_name: "serde_json Value",
        bytes: body.len() as u64,
        target: None,
        subject: Box::new(move || {
            let text = std::str::from_utf8(&a).unwrap_or_default();
            coupon::giftishow::wire::replies::parse_goods_list(text)
                .ok()
                .and_then(Result::ok)
                .map_or(0, |page| page.items.len())
        }),
        baseline: Box::new(move || value_len(&b)),
        reference: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_does_its_work_on_both_sides() {
        for pair in pairs() {
            pair.check();
        }
    }

    #[test]
    fn both_sides_see_the_whole_input() {
        let g = goods_list();
        assert_eq!(((g.subject)(), (g.baseline)()), (GOODS_ITEMS, GOODS_ITEMS));
        let r = report();
        assert_eq!(((r.subject)(), (r.baseline)()), (REPORT_LINES, REPORT_LINES));
        assert_eq!((listings().subject)(), LISTINGS);
        assert_eq!((coufun_status().subject)(), ORDERS);
        assert_eq!((giftishow_goods().subject)(), GIFTISHOW_GOODS);
    }

    #[test]
    fn the_line_split_counts_lines_not_separators() {
        assert_eq!(split_lines(b"a\r\nb\r\n"), 2);
        assert_eq!(split_lines(b"a\n\nb"), 2);
        assert_eq!(split_lines(b""), 0);
    }
}
