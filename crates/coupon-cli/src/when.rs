//! Times on the command line: `--since` of the reconcile commands.

use coupon::time::{self, KstDateTime};
use coupon::{Error, Result};

/// How far before sending an issue or a buy its reconciliation looks, for the vendor's clock skew.
const RECONCILE_MARGIN_MINUTES: i64 = 5;

/// How far back `coupon reconcile` looks when `--since` is not given.
pub const DEFAULT_RECONCILE_HOURS: i64 = 24;

/// `--since`: `YYYY-MM-DD HH:MM:SS` in KST, or RFC 3339.
pub fn parse_since(s: &str) -> Result<KstDateTime> {
    time::parse_datetime(s)
        .or_else(|| coupon::chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
        .ok_or_else(|| Error::invalid_field("since", "must be a time as \"YYYY-MM-DD HH:MM:SS\" (KST) or RFC 3339"))
}

/// The `--since` to pass to a reconcile command for a call sent at `sent`.
pub fn since_for(sent: KstDateTime) -> String {
    (sent - coupon::chrono::Duration::minutes(RECONCILE_MARGIN_MINUTES)).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `--since` as given, else [`DEFAULT_RECONCILE_HOURS`] before now (KST).
pub fn since_or_default(since: Option<&str>) -> Result<KstDateTime> {
    match since {
        Some(s) => parse_since(s),
        None => Ok(time::now_kst() - coupon::chrono::Duration::hours(DEFAULT_RECONCILE_HOURS)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_kst_or_rfc3339_and_the_hint_leaves_a_margin() {
        let t = parse_since("2026-11-02 14:03:22").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-02T14:03:22+09:00");
        assert_eq!(parse_since("2026-11-02T05:03:22+00:00").unwrap(), t);
        assert_eq!(parse_since("yesterday").unwrap_err().field(), Some("since"));
        assert_eq!(since_for(t), "2026-11-02 13:58:22");
    }

    #[test]
    fn the_default_since_is_a_day_ago() {
        let since = since_or_default(None).unwrap();
        let ago = time::now_kst() - since;
        assert!((ago.num_minutes() - 24 * 60).abs() <= 1, "{ago}");
        assert_eq!(since.offset().local_minus_utc(), 9 * 3600);
    }
}
