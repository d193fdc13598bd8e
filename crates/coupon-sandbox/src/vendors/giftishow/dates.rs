//! How the answers write dates and times, as the variant's `dates` says: the compact
//! forms (`YYYYMMDD`, `YYYYMMDDHHMISS` in KST) or the ISO form of a vendor-looking
//! sample, `YYYY-MM-DDTHH:MM:SS.mmm+0000` in UTC (`2999-12-30T15:00:00.000+0000`, which
//! is the day 2999-12-31 in KST).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::variant::Dates;

/// The ISO form, always written in UTC.
const ISO: &str = "%Y-%m-%dT%H:%M:%S%.3f+0000";

/// KST is UTC+9, all year.
const KST_HOURS: i64 = 9;

fn iso(utc: NaiveDateTime) -> String {
    utc.format(ISO).to_string()
}

/// A DAY field (`endDate`, `validPrdEndDt`): `YYYYMMDD`, or in ISO the KST midnight that
/// starts the day, in UTC: the day before at `15:00:00.000+0000`.
pub(crate) fn day(d: NaiveDate, form: Dates) -> String {
    match form {
        Dates::Compact => d.format("%Y%m%d").to_string(),
        Dates::Iso => {
            let midnight = d.and_time(NaiveTime::MIN);
            // Only the first day chrono knows has no day before: written as its own midnight.
            iso(midnight.checked_sub_signed(TimeDelta::hours(KST_HOURS)).unwrap_or(midnight))
        }
    }
}

/// A MOMENT (`correcDtm`): `YYYYMMDDHHMISS` in its own offset (the emulator keeps KST),
/// or in ISO the same moment in UTC, with milliseconds.
pub(crate) fn moment(t: DateTime<FixedOffset>, form: Dates) -> String {
    match form {
        Dates::Compact => t.format("%Y%m%d%H%M%S").to_string(),
        Dates::Iso => iso(t.naive_utc()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn kst() -> FixedOffset {
        FixedOffset::east_opt(9 * 3600).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_day_is_the_kst_midnight_that_starts_it_in_utc() {
        assert_eq!(day(date(2999, 12, 31), Dates::Iso), "2999-12-30T15:00:00.000+0000", "the vendor's sample");
        assert_eq!(day(date(2999, 12, 31), Dates::Compact), "29991231");
        assert_eq!(day(date(2026, 3, 1), Dates::Iso), "2026-02-28T15:00:00.000+0000", "across a month");
        assert_eq!(day(date(2028, 3, 1), Dates::Iso), "2028-02-29T15:00:00.000+0000", "a leap year");
        assert_eq!(day(date(2027, 1, 1), Dates::Iso), "2026-12-31T15:00:00.000+0000", "across a year");
        let back = DateTime::parse_from_str(&day(date(2099, 12, 31), Dates::Iso), "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap();
        assert_eq!(back.with_timezone(&kst()).date_naive(), date(2099, 12, 31), "the same day in KST");
        assert_eq!(back.with_timezone(&kst()).time(), NaiveTime::MIN);
    }

    #[test]
    fn a_moment_is_converted_to_utc_with_milliseconds() {
        let t = kst().with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        assert_eq!(moment(t, Dates::Compact), "20260301093000");
        assert_eq!(moment(t, Dates::Iso), "2026-03-01T00:30:00.000+0000");
        let early = kst().with_ymd_and_hms(2026, 3, 1, 5, 4, 3).unwrap() + TimeDelta::milliseconds(987);
        assert_eq!(moment(early, Dates::Compact), "20260301050403", "seconds, in KST");
        assert_eq!(moment(early, Dates::Iso), "2026-02-28T20:04:03.987+0000", "the day before in UTC");
        let micro = early + TimeDelta::microseconds(999);
        assert_eq!(moment(micro, Dates::Iso), "2026-02-28T20:04:03.987+0000", "milliseconds, not rounded up");
        let back = DateTime::parse_from_str(&moment(early, Dates::Iso), "%Y-%m-%dT%H:%M:%S%.3f%z").unwrap();
        assert_eq!(back, early);
    }

    #[test]
    fn the_ends_of_the_calendar_never_panic() {
        for d in [NaiveDate::MIN, NaiveDate::MAX] {
            for form in [Dates::Compact, Dates::Iso] {
                assert!(!day(d, form).is_empty());
            }
        }
        let utc = FixedOffset::east_opt(0).unwrap();
        for t in [DateTime::<chrono::Utc>::MIN_UTC, DateTime::<chrono::Utc>::MAX_UTC] {
            assert!(!moment(t.with_timezone(&utc), Dates::Iso).is_empty());
        }
    }
}
