//! How the page writes numbers, money, dates and text: thousands separators, `원`
//! after money, and every text HTML-escaped (names, keys and product names come from
//! the user's CSV and from vendors).

use std::fmt;

use coupon_core::chrono::NaiveDate;
use coupon_core::time::KstDateTime;

/// A count with thousands separators: `1,234,567`.
pub(crate) fn count(n: u64) -> Grouped {
    Grouped(i128::from(n))
}

/// Won with thousands separators and the unit: `2,300,000원`, `-1,000원`.
pub(crate) fn won(n: i64) -> Won {
    Won(n)
}

/// A percentage with one decimal: `40.8%`.
pub(crate) fn pct(p: f64) -> String {
    format!("{p:.1}%")
}

/// A day as `2026-04-14`.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A day on a chart's axis: `4/14`.
pub(crate) fn short_day(d: NaiveDate) -> String {
    d.format("%-m/%-d").to_string()
}

/// A time as `2026-04-14 10:22 KST` (the value is already in KST).
pub(crate) fn time(t: &KstDateTime) -> String {
    t.format("%Y-%m-%d %H:%M KST").to_string()
}

/// A number with a comma every three digits.
pub(crate) struct Grouped(pub(crate) i128);

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        if self.0 < 0 {
            f.write_str("-")?;
        }
        for (i, c) in digits.char_indices() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                f.write_str(",")?;
            }
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

/// Won: grouped digits and `원`.
pub(crate) struct Won(i64);

impl fmt::Display for Won {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}원", Grouped(i128::from(self.0)))
    }
}

/// Text made safe for HTML element content and quoted attribute values.
pub(crate) struct Esc<'a>(pub(crate) &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_a_comma_every_three_digits() {
        let cases = [(0, "0"), (7, "7"), (999, "999"), (1_000, "1,000"), (12_345, "12,345"), (1_000_000, "1,000,000")];
        for (n, shown) in cases {
            assert_eq!(count(n).to_string(), shown);
        }
        assert_eq!(count(u64::MAX).to_string(), "18,446,744,073,709,551,615");
    }

    #[test]
    fn money_carries_the_won_sign_and_negatives_keep_their_minus() {
        assert_eq!(won(2_300_000).to_string(), "2,300,000원");
        assert_eq!(won(0).to_string(), "0원");
        assert_eq!(won(-1_500).to_string(), "-1,500원");
        assert_eq!(won(i64::MIN).to_string(), "-9,223,372,036,854,775,808원");
    }

    #[test]
    fn percentages_keep_one_decimal() {
        assert_eq!(pct(40.8), "40.8%");
        assert_eq!(pct(100.0), "100.0%");
        assert_eq!(pct(0.0), "0.0%");
    }

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            Esc(r#"<script>alert("x")</script> & 'y'"#).to_string(),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(Esc("스타벅스 아메리카노 T").to_string(), "스타벅스 아메리카노 T");
        assert_eq!(Esc("").to_string(), "");
    }

    #[test]
    fn days_and_times_read_the_korean_way_round() {
        let d = NaiveDate::from_ymd_opt(2026, 4, 9).unwrap();
        assert_eq!(day(d), "2026-04-09");
        assert_eq!(short_day(d), "4/9");
        let t: KstDateTime = "2026-04-09T07:05:00+09:00".parse().unwrap();
        assert_eq!(time(&t), "2026-04-09 07:05 KST");
    }
}
