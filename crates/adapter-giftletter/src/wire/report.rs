//! The daily redemption report of `ExchangeDaily.aspx`: text, one redemption per
//! line, `pin|YYYYMMDDHHMMSS|branch` (the exchange time is only `YYYYMMDD` for some
//! goods). The document's example lost its `|` separators and shows tabs, so a
//! line without `|` is split on tabs.
//!
//! CRLF, blank lines and spaces around fields are tolerated. A line that cannot be
//! read becomes a [`LineError`] with its number, and the good lines are kept.
//! Messages never contain the line's PIN.

use coupon_core::chrono::NaiveDate;
use coupon_core::encoding_rs::{EUC_KR, UTF_8};
use coupon_core::text::{decode_sniffed, decode_strict, encoding_for_label};
use coupon_core::time::{parse_compact_date, parse_compact_datetime};
use coupon_core::{LineError, Pin, RedeemedAt, Redemption, RedemptionReport};
use memchr::{memchr, memchr_iter};

use super::WireError;

/// Longest PIN accepted (`epin` is `Varchar(20)`).
pub const PIN_MAX: usize = 20;

/// Decodes the report's bytes: by the `Content-Type` charset when there is one,
/// otherwise strict UTF-8 first, then EUC-KR (what the vendor's ASP page writes).
pub fn decode_report(bytes: &[u8], charset_label: Option<&str>) -> Result<String, WireError> {
    match charset_label {
        Some(label) => {
            let enc = encoding_for_label(label)
                .ok_or_else(|| WireError::new(format!("unknown charset label {:?}", label.trim())))?;
            decode_strict(bytes, enc).map_err(|e| WireError::new(e.to_string()))
        }
        None => decode_sniffed(bytes, &[UTF_8, EUC_KR]).map(|(s, _)| s).map_err(|e| WireError::new(e.to_string())),
    }
}

/// Reads the report of `day`.
///
/// ```
/// use adapter_giftletter::wire::report::parse_exchange_daily;
/// use coupon_core::chrono::NaiveDate;
/// let day = NaiveDate::from_ymd_opt(2015, 2, 21).unwrap();
/// let r = parse_exchange_daily(day, "910587397432|20150221151203|광주영주\r\n\r\nnot a line\r\n910587731646|20150221|금정이마트\r\n");
/// assert_eq!(r.items.len(), 2);
/// assert_eq!(r.items[0].branch.as_deref(), Some("광주영주"));
/// assert_eq!(r.errors[0].line, 3);
/// ```
pub fn parse_exchange_daily(day: NaiveDate, text: &str) -> RedemptionReport {
    // A report line is about 40 bytes; reserving for that saves the vector's
    // regrowth copies on the large reports, and errs small on odd ones.
    let mut items = Vec::with_capacity(text.len() / 48);
    let mut errors = Vec::new();
    // `\n` is ASCII, so every cut is a char boundary; a trailing `\r` goes with the trim.
    let mut start = 0;
    for (i, end) in memchr_iter(b'\n', text.as_bytes()).chain([text.len()]).enumerate() {
        let line = &text[start..end];
        start = end + 1;
        let mut line = line.trim();
        while let Some(rest) = line.strip_prefix('\u{FEFF}') {
            line = rest;
        }
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(r) => items.push(r),
            Err(why) => errors.push(LineError::new(i + 1, why)),
        }
    }
    RedemptionReport::new(day, items, errors)
}

/// The fields of a line: pin, time and branch (empty when absent), or the count
/// of fields found when there are not two or three. A trailing separator leaves
/// an empty last field, which says nothing.
fn fields(line: &str) -> Result<[&str; 3], usize> {
    let sep = if memchr(b'|', line.as_bytes()).is_some() { b'|' } else { b'\t' };
    let mut kept = [""; 3];
    let (mut count, mut last_filled, mut start) = (0, 0, 0);
    // Separators are ASCII, so every cut is a char boundary.
    for end in memchr_iter(sep, line.as_bytes()).chain([line.len()]) {
        let field = line[start..end].trim();
        start = end + 1;
        if let Some(slot) = kept.get_mut(count) {
            *slot = field;
        }
        count += 1;
        if !field.is_empty() {
            last_filled = count;
        }
    }
    let count = if count > 2 { last_filled.max(2) } else { count };
    if count == 2 || count == 3 { Ok(kept) } else { Err(count) }
}

/// One line; the error says what is wrong without repeating the PIN.
pub fn parse_line(line: &str) -> Result<Redemption, String> {
    let [pin, when, branch] =
        fields(line).map_err(|n| format!("expected `pin|exchanged_at|branch`, found {n} fields"))?;
    if pin.is_empty() || pin.len() > PIN_MAX || !pin.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "the PIN must be 1 to {PIN_MAX} ASCII letters or digits ({} characters given)",
            pin.chars().count()
        ));
    }
    // The two forms differ by length, so one reader is tried, not both.
    let at = match when.len() {
        14 => parse_compact_datetime(when).map(RedeemedAt::Time),
        8 => parse_compact_date(when).map(RedeemedAt::Day),
        _ => None,
    };
    let Some(at) = at else {
        return Err(format!(
            "the exchange time must be YYYYMMDDHHMMSS or YYYYMMDD ({} characters given)",
            when.chars().count()
        ));
    };
    Ok(Redemption::new(Pin::new(pin), at, (!branch.is_empty()).then(|| branch.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::text::encode_euc_kr;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2015, 2, 21).unwrap()
    }

    /// The document's example, verbatim (its separators came out as tabs).
    const DOC_EXAMPLE: &str = "910587397432\t20150221151203\t광주영주
910587731646\t20150221144253\t금정이마트
910587901351\t20150221165614\t제주컨벤션센터
910587994507\t20150221183134\t마산양덕홈플러스
910587286590\t20150221124441\t중동현대
910587402779\t20150221210759\t시화이마트
910587973217\t20150221144328\t금정이마트
910587515699\t20150221143713\t풍무홈플러스
910587529909\t20150221233311\t전북대
910587446806\t20150221141550\t부산대
";

    #[test]
    fn reads_the_documents_example() {
        let r = parse_exchange_daily(day(), DOC_EXAMPLE);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.items.len(), 10);
        let first = &r.items[0];
        assert_eq!(first.pin.expose(), "910587397432");
        assert_eq!(first.branch.as_deref(), Some("광주영주"));
        let at = coupon_core::time::parse_compact_datetime("20150221151203").unwrap();
        assert_eq!(first.at, RedeemedAt::Time(at));
        assert_eq!(r.items[9].branch.as_deref(), Some("부산대"));
    }

    #[test]
    fn tolerates_crlf_blank_lines_spaces_and_date_only() {
        let text =
            "\r\n 910587397432 | 20150221151203 | 광주영주 \r\n\r\n910587731646|20150221|\r\n910587731647|20150221";
        let r = parse_exchange_daily(day(), text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.items.len(), 3);
        assert_eq!(r.items[0].branch.as_deref(), Some("광주영주"));
        assert_eq!(r.items[1].at, RedeemedAt::Day(day()));
        assert_eq!(r.items[1].branch, None);
    }

    #[test]
    fn bad_lines_are_numbered_and_never_hide_good_ones_or_show_the_pin() {
        let text = "910587397432|20150221151203|광주영주\n910587731646|2015-02-21|금정이마트\n910587731646\n|20150221|x\n910587901351|20150221165614|제주컨벤션센터|?\n910587994507|20150221183134|마산양덕홈플러스";
        let r = parse_exchange_daily(day(), text);
        assert_eq!(r.items.len(), 2);
        let lines: Vec<usize> = r.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        for e in &r.errors {
            assert!(!e.message.contains("9105877"), "{}", e.message);
        }
    }

    /// The plain reading this module's scanner must agree with: `lines`, `trim`,
    /// `split`, trailing empty fields dropped.
    fn plain_fields(line: &str) -> Result<Vec<&str>, usize> {
        let mut fields: Vec<&str> =
            if line.contains('|') { line.split('|') } else { line.split('\t') }.map(str::trim).collect();
        while fields.len() > 2 && fields.last() == Some(&"") {
            fields.pop();
        }
        if (2..=3).contains(&fields.len()) { Ok(fields) } else { Err(fields.len()) }
    }

    proptest::proptest! {
        #[test]
        fn the_scanner_splits_as_the_plain_reading_does(
            line in "[0-9a-z|\t \r\u{0B}\u{3000}\u{FEFF}광주]{0,40}",
        ) {
            let ours = fields(&line).map(|f| f.to_vec());
            let plain = plain_fields(&line).map(|mut f| {
                f.resize(3, "");
                f
            });
            proptest::prop_assert_eq!(ours, plain);
        }

        #[test]
        fn the_report_reads_line_by_line_as_lines_does(
            text in "([0-9]{12}\\|(20150221|20150221151203)\\|[광주 ]{0,3}|[0-9|\t ]{0,8})(\r?\n[0-9]{12}\\|20150221\\|x|\r?\n|\r?\n[^\n]{0,10}){0,12}",
        ) {
            let r = parse_exchange_daily(day(), &text);
            let (mut items, mut errors) = (0, Vec::new());
            for (i, line) in text.lines().enumerate() {
                let line = line.trim().trim_start_matches('\u{FEFF}');
                if line.is_empty() {
                    continue;
                }
                match parse_line(line) {
                    Ok(_) => items += 1,
                    Err(_) => errors.push(i + 1),
                }
            }
            proptest::prop_assert_eq!(r.items.len(), items);
            proptest::prop_assert_eq!(r.errors.iter().map(|e| e.line).collect::<Vec<_>>(), errors);
        }
    }

    #[test]
    fn decodes_by_label_then_sniffs() {
        let euc = encode_euc_kr("910587397432|20150221151203|광주영주").unwrap().into_owned();
        assert!(decode_report(&euc, Some("euc-kr")).unwrap().ends_with("광주영주"));
        assert!(decode_report(&euc, None).unwrap().ends_with("광주영주"));
        assert!(decode_report("전북대".as_bytes(), None).unwrap() == "전북대");
        assert!(decode_report(&euc, Some("utf-8")).is_err(), "a wrong label is an error, not mojibake");
        assert!(decode_report(b"x", Some("klingon")).is_err());
        assert!(decode_report(b"\xff\xfe\xfd", None).is_err());
    }
}
