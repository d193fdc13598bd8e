//! The Giftletter daily report: decoding (labelled or sniffed) and line parsing on
//! arbitrary bytes; nothing may panic and every line is either read or reported.
#![no_main]

use adapter_giftletter::wire::report::{decode_report, parse_exchange_daily};
use adapter_giftletter::coupon_core::chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let day = NaiveDate::from_ymd_opt(2015, 2, 21).expect("a valid date");
    for label in [None, Some("euc-kr"), Some("utf-8")] {
        if let Ok(text) = decode_report(data, label) {
            let report = parse_exchange_daily(day, &text);
            let lines = text.lines().filter(|l| !l.trim().trim_start_matches('\u{FEFF}').is_empty()).count();
            assert_eq!(report.items.len() + report.errors.len(), lines);
        }
    }
});
