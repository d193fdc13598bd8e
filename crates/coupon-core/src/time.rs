//! Korea Standard Time. Every vendor speaks KST (UTC+09:00, no daylight saving).
//!
//! The crate uses `chrono` everywhere; a vendor time is a [`KstDateTime`].

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A date and time with the KST offset.
pub type KstDateTime = DateTime<FixedOffset>;

/// The KST offset, UTC+09:00.
pub fn kst() -> FixedOffset {
    // 9 hours is always a valid offset; the fallback is never taken.
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

/// The current time in KST.
pub fn now_kst() -> KstDateTime {
    Utc::now().with_timezone(&kst())
}

/// Today's date in KST.
pub fn today_kst() -> NaiveDate {
    now_kst().date_naive()
}

/// A naive local time read as KST.
pub fn from_naive(naive: NaiveDateTime) -> KstDateTime {
    // A fixed offset has exactly one mapping for every local time.
    kst().from_local_datetime(&naive).single().unwrap_or_else(|| kst().from_utc_datetime(&naive))
}

/// Serializes an optional time as RFC 3339 in KST (`2026-11-02T14:03:22+09:00`), or `null`,
/// whatever offset it carries (for `#[serde(serialize_with)]`).
///
/// # Errors
///
/// Only the serializer's own.
pub(crate) fn serialize_kst<S: serde::Serializer>(t: &Option<&KstDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serializer.serialize_some(&t.with_timezone(&kst()).to_rfc3339()),
        None => serializer.serialize_none(),
    }
}

/// Parses `YYYYMMDDHHMMSS` (the vendors' compact form) as KST.
///
/// ```
/// let t = coupon_core::time::parse_compact_datetime("20150221151203").unwrap();
/// assert_eq!(t.to_rfc3339(), "2015-02-21T15:12:03+09:00");
/// assert!(coupon_core::time::parse_compact_datetime("2015022115120").is_none());
/// ```
pub fn parse_compact_datetime(s: &str) -> Option<KstDateTime> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The fields are fixed-width digits: read them directly rather than through
    // chrono's format-string parser, which dominated the daily report's parse.
    let b = s.as_bytes();
    let (hour, minute, second) = (digits(&b[8..10]), digits(&b[10..12]), digits(&b[12..14]));
    if second == 60 {
        // chrono reads second 60 as a leap second; so does this function, through it.
        return NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok().map(from_naive);
    }
    parse_compact_date(&s[..8])?.and_hms_opt(hour, minute, second).map(from_naive)
}

/// Parses `YYYYMMDD`.
pub fn parse_compact_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = s.as_bytes();
    // At most 9999: always an i32.
    NaiveDate::from_ymd_opt(digits(&b[..4]) as i32, digits(&b[4..6]), digits(&b[6..8]))
}

/// The value of ASCII digits (checked by the caller), at most 4 of them.
fn digits(b: &[u8]) -> u32 {
    b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// Parses `YYYY-MM-DD HH:MM:SS` (or with a `T`, or without seconds) as KST.
pub fn parse_datetime(s: &str) -> Option<KstDateTime> {
    let s = s.trim();
    if let Some(t) = read_dashed_datetime(s) {
        return t;
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(from_naive(n));
        }
    }
    None
}

/// `YYYY-MM-DD HH:MM:SS` (or `T` between), the form every vendor writes, read by
/// its fixed-width digits: `Some(answer)` when `s` has exactly that shape, `None`
/// to leave the rarer forms (and leap seconds) to chrono's format parser.
fn read_dashed_datetime(s: &str) -> Option<Option<KstDateTime>> {
    let b = s.as_bytes();
    let shaped = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ' || *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    let second = if shaped { digits(&b[17..19]) } else { 60 };
    if second == 60 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(digits(&b[..4]) as i32, digits(&b[5..7]), digits(&b[8..10]));
    Some(date.and_then(|d| d.and_hms_opt(digits(&b[11..13]), digits(&b[14..16]), second)).map(from_naive))
}

/// Parses an ISO 8601 timestamp as some vendors' Java back ends write it:
/// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then an offset (`Z`,
/// `+0000`, `+09:00`) or none. The moment is kept and shown in KST; without
/// an offset the time is read as KST, as every other vendor time is.
///
/// A day written this way is a moment: `2999-12-30T15:00:00.000+0000` is the
/// start of 2999-12-31 in KST, so its KST date is that day (a reader that cut
/// the first 19 characters would take the day before).
///
/// ```
/// use coupon_core::time::parse_iso_datetime;
/// let t = parse_iso_datetime("2999-12-30T15:00:00.000+0000").unwrap();
/// assert_eq!(t.to_rfc3339(), "2999-12-31T00:00:00+09:00");
/// assert_eq!(parse_iso_datetime("2026-12-07T01:02:03Z").unwrap().to_rfc3339(), "2026-12-07T10:02:03+09:00");
/// assert_eq!(parse_iso_datetime("2026-12-07T10:02:03.5").unwrap().to_rfc3339(), "2026-12-07T10:02:03.500+09:00");
/// assert!(parse_iso_datetime("2026-12-07").is_none());
/// ```
pub fn parse_iso_datetime(s: &str) -> Option<KstDateTime> {
    let s = s.trim();
    // The date and the `T` first: nothing else is this form, whatever follows.
    let b = s.as_bytes();
    if b.len() < 19 || b[10] != b'T' {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&kst()));
    }
    // `%z` reads `+0000` and `+09:00`.
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&kst()));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(from_naive)
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct reading agrees with chrono's format parser on every kind of
    /// field value: in range, out of range, zero, leap day, leap second.
    #[test]
    fn compact_forms_read_as_chronos_parser_reads_them() {
        let chrono_dt = |s: &str| NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok().map(from_naive);
        let chrono_d = |s: &str| NaiveDate::parse_from_str(s, "%Y%m%d").ok();
        for year in ["0000", "0001", "1999", "2024", "2100", "9999"] {
            for month in ["00", "01", "02", "12", "13", "99"] {
                for day in ["00", "01", "28", "29", "30", "31", "32"] {
                    let date = format!("{year}{month}{day}");
                    assert_eq!(parse_compact_date(&date), chrono_d(&date), "{date}");
                    for time in ["000000", "235959", "240000", "236000", "235960", "235961", "120099"] {
                        let s = format!("{date}{time}");
                        assert_eq!(parse_compact_datetime(&s), chrono_dt(&s), "{s}");
                    }
                }
            }
        }
    }

    /// The same for the dashed form, with either separator, against the four
    /// formats chrono is given.
    #[test]
    fn dashed_form_reads_as_chronos_parser_reads_it() {
        let chrono_dt = |s: &str| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(from_naive)
        };
        for year in ["0000", "0001", "2024", "9999"] {
            for month in ["00", "01", "02", "12", "13"] {
                for day in ["00", "01", "29", "30", "31", "32"] {
                    for time in ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "23:59:61"] {
                        for sep in [' ', 'T'] {
                            let s = format!("{year}-{month}-{day}{sep}{time}");
                            assert_eq!(parse_datetime(&s), chrono_dt(&s), "{s}");
                        }
                    }
                }
            }
        }
        for other in ["2025-12-31 00:00", "2025.12.31 00:00:00", "2025-12-31  00:00:00", "2025-1-31 00:00:00"] {
            assert_eq!(parse_datetime(other), chrono_dt(other), "{other}");
        }
    }

    #[test]
    fn compact_forms_are_kst() {
        let t = parse_compact_datetime("20230915123000").unwrap();
        assert_eq!(t.offset().local_minus_utc(), 9 * 3600);
        assert_eq!(t.to_rfc3339(), "2023-09-15T12:30:00+09:00");
        assert_eq!(parse_compact_date("20231231"), NaiveDate::from_ymd_opt(2023, 12, 31));
    }

    #[test]
    fn rejects_impossible_or_foreign_values() {
        assert!(parse_compact_datetime("20231332000000").is_none());
        assert!(parse_compact_datetime("２０２３０９１５１２３０００").is_none());
        assert!(parse_compact_date("2023-12-31").is_none());
        assert!(parse_datetime("").is_none());
    }

    #[test]
    fn iso_forms_keep_the_moment_and_show_it_in_kst() {
        let kst_of = |s: &str| parse_iso_datetime(s).map(|t| t.to_rfc3339());
        let midnight = Some("2999-12-31T00:00:00+09:00".to_owned());
        for same in ["2999-12-30T15:00:00.000+0000", "2999-12-30T15:00:00Z", "2999-12-31T00:00:00+09:00"] {
            assert_eq!(kst_of(same), midnight, "{same}");
        }
        assert_eq!(kst_of(" 2999-12-31T00:00:00 "), midnight, "no offset: KST");
        assert_eq!(
            parse_iso_datetime("2999-12-30T15:00:00.000+0000").unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2999, 12, 31).unwrap()
        );
        assert_eq!(kst_of("2026-02-28T23:59:59.999-0100").as_deref(), Some("2026-03-01T09:59:59.999+09:00"));
    }

    #[test]
    fn iso_forms_refuse_what_is_not_one() {
        for bad in [
            "",
            "2026-12-31",
            "20261231",
            "2026-12-31 00:00:00",
            "2026-13-31T00:00:00Z",
            "2026-12-31T25:00:00Z",
            "2026-12-31T00:00:00+0000junk",
            "2026-12-31T00:00:00+99:99",
            "２０２６-12-31T00:00:00Z",
            "2026-12-31T",
        ] {
            assert!(parse_iso_datetime(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn dashed_forms() {
        assert_eq!(parse_datetime("2025-12-31 00:00:00").unwrap().to_rfc3339(), "2025-12-31T00:00:00+09:00");
        assert_eq!(parse_date("2026-01-02"), NaiveDate::from_ymd_opt(2026, 1, 2));
    }
}
