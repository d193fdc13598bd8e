//! How values are shown: PINs and phone numbers masked unless revealed, times in
//! KST, money as `10,000원`, and absent values as `-` (human) or `null` (JSON).

use coupon::chrono::NaiveDate;
use coupon::time::KstDateTime;
use coupon::{PhoneNumber, Pin, RedeemedAt, Won};
use serde_json::{Value, json};

/// A PIN: masked (`********4802`) unless `reveal`.
pub fn pin(pin: &Pin, reveal: bool) -> String {
    if reveal { pin.expose().to_string() } else { pin.masked() }
}

/// A phone number: masked (`010-****-5678`) unless `reveal`.
pub fn phone(phone: &PhoneNumber, reveal: bool) -> String {
    if reveal { phone.expose_formatted() } else { phone.to_string() }
}

/// Money for people: `10,000원`, or `-`.
pub fn won(w: Option<Won>) -> String {
    w.map_or_else(|| "-".to_string(), |w| w.to_string())
}

/// Money in JSON: a whole number of won, or `null`.
pub fn won_json(w: Option<Won>) -> Value {
    json!(w.map(Won::get))
}

/// A time for people, in KST: `2026-11-02 14:03:22 KST`.
pub fn kst(t: &KstDateTime) -> String {
    t.with_timezone(&coupon::time::kst()).format("%Y-%m-%d %H:%M:%S KST").to_string()
}

/// An optional time for people.
pub fn kst_opt(t: Option<&KstDateTime>) -> String {
    t.map_or_else(|| "-".to_string(), kst)
}

/// A time in JSON: RFC 3339 with the KST offset, or `null`.
pub fn time_json(t: Option<&KstDateTime>) -> Value {
    json!(t.map(|t| t.with_timezone(&coupon::time::kst()).to_rfc3339()))
}

/// A day in JSON: `YYYY-MM-DD`.
pub fn day_json(d: NaiveDate) -> Value {
    json!(d.format("%Y-%m-%d").to_string())
}

/// A redemption moment in JSON: RFC 3339 when the vendor gave a time, `YYYY-MM-DD` when only the day.
pub fn redeemed_json(at: &RedeemedAt) -> Value {
    match at {
        RedeemedAt::Time(t) => time_json(Some(t)),
        RedeemedAt::Day(d) => day_json(*d),
        _ => Value::Null,
    }
}

/// A redemption moment for people.
pub fn redeemed(at: &RedeemedAt) -> String {
    match at {
        RedeemedAt::Time(t) => kst(t),
        RedeemedAt::Day(d) => d.format("%Y-%m-%d").to_string(),
        _ => "-".to_string(),
    }
}

/// Optional text for people.
pub fn text(s: Option<&str>) -> String {
    s.filter(|s| !s.trim().is_empty()).unwrap_or("-").to_string()
}

/// A yes/no/unknown flag for people.
pub fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_times_and_absence() {
        assert_eq!(won(Some(Won(10_000))), "10,000원");
        assert_eq!(won(None), "-");
        assert_eq!(won_json(Some(Won(940))), json!(940));
        let t = coupon::time::parse_compact_datetime("20261102140322").unwrap();
        assert_eq!(kst(&t), "2026-11-02 14:03:22 KST");
        assert_eq!(time_json(Some(&t)), json!("2026-11-02T14:03:22+09:00"));
        let utc = t.with_timezone(&coupon::chrono::FixedOffset::east_opt(0).unwrap());
        assert_eq!(kst(&utc), "2026-11-02 14:03:22 KST", "shown in KST whatever offset it carries");
        assert_eq!(text(Some("  ")), "-");
    }
}
