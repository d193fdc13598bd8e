//! The choices a section makes from its seed: which coupons, which times.

use chrono::{DateTime, FixedOffset, TimeDelta};

use super::{Pick, PickWire, Spread};
use crate::emulator::KST;
use crate::error::AdminError;

/// Days a spread may cover: ten years is past any coupon's validity.
pub(super) const MAX_OVER_DAYS: u32 = 3660;

/// Reads the three pick members of section `name`: exactly one must be given.
pub(super) fn read(name: &str, wire: PickWire) -> Result<Pick, AdminError> {
    match (wire.fraction, wire.count, wire.coupons) {
        (Some(f), None, None) if (0.0..=1.0).contains(&f) => Ok(Pick::Fraction(f)),
        (Some(f), None, None) => {
            Err(AdminError::BadRequest(format!("`{name}.fraction` must be within 0 and 1, got {f}")))
        }
        (None, Some(n), None) => Ok(Pick::Count(n)),
        (None, None, Some(c)) => Ok(Pick::Coupons(c)),
        (None, None, None) => Err(AdminError::BadRequest(format!(
            "`{name}` picks no coupon: give one of `{name}.fraction`, `{name}.count` or `{name}.coupons`"
        ))),
        _ => Err(AdminError::BadRequest(format!(
            "`{name}` gives more than one of `fraction`, `count` and `coupons`: give exactly one"
        ))),
    }
}

/// How many coupons a fraction of `issued` is: the nearest whole number.
pub(super) fn share(fraction: f64, issued: usize) -> usize {
    // fraction is within 0..=1, so the product is within 0..=issued and the cast exact.
    let n = (fraction * issued as f64).round() as usize;
    n.min(issued)
}

/// `n` of `eligible` (indices in issue order), chosen by `rng`, kept in issue order.
pub(super) fn choose(eligible: &[usize], n: usize, rng: &mut fastrand::Rng) -> Vec<usize> {
    let mut shuffled = eligible.to_vec();
    rng.shuffle(&mut shuffled);
    shuffled.truncate(n);
    shuffled.sort_unstable();
    shuffled
}

/// Reads section `name`'s `from` (RFC 3339, now when absent), in KST.
pub(super) fn from(
    name: &str,
    from: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, AdminError> {
    match from {
        None => Ok(now),
        Some(text) => DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&KST)).map_err(|_| {
            AdminError::BadRequest(format!(
                "`{name}.from` must be an RFC 3339 time such as 2026-03-01T09:00:00+09:00, got {text:?}"
            ))
        }),
    }
}

/// `n` times from `start` over `over_days` days, spread so; in the order they go to the
/// coupons (ascending for [`Spread::Even`]).
pub(super) fn times(
    name: &str,
    start: DateTime<FixedOffset>,
    over_days: u32,
    spread: Spread,
    n: usize,
    rng: &mut fastrand::Rng,
) -> Result<Vec<DateTime<FixedOffset>>, AdminError> {
    if over_days > MAX_OVER_DAYS {
        return Err(AdminError::BadRequest(format!(
            "`{name}.over_days` must be at most {MAX_OVER_DAYS}, got {over_days}"
        )));
    }
    let span = i64::from(over_days) * 86_400;
    let count = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
    let offsets = (0..n).map(|k| match spread {
        Spread::Even => span.saturating_mul(i64::try_from(k).unwrap_or(i64::MAX)) / count,
        Spread::Seed if span == 0 => 0,
        Spread::Seed => rng.i64(0..span),
    });
    let times: Option<Vec<_>> = offsets.map(|s| start.checked_add_signed(TimeDelta::seconds(s))).collect();
    times.ok_or_else(|| AdminError::BadRequest(format!("`{name}`: the times run past the calendar")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(fraction: Option<f64>, count: Option<usize>, coupons: Option<Vec<String>>) -> PickWire {
        PickWire { fraction, count, coupons }
    }

    #[test]
    fn exactly_one_pick_member_is_given() {
        assert_eq!(read("redeem", wire(Some(0.5), None, None)).unwrap(), Pick::Fraction(0.5));
        assert_eq!(read("redeem", wire(None, Some(3), None)).unwrap(), Pick::Count(3));
        let none = read("expire", wire(None, None, None)).unwrap_err().to_string();
        assert!(none.contains("expire.fraction"), "{none}");
        let two = read("expire", wire(Some(0.1), Some(1), None)).unwrap_err().to_string();
        assert!(two.contains("exactly one"), "{two}");
        let out = read("redeem", wire(Some(1.5), None, None)).unwrap_err().to_string();
        assert!(out.contains("redeem.fraction"), "{out}");
        assert!(read("redeem", wire(Some(f64::NAN), None, None)).is_err());
    }

    #[test]
    fn a_share_rounds_to_the_nearest_coupon() {
        assert_eq!(share(0.4, 500), 200);
        assert_eq!(share(0.0, 500), 0);
        assert_eq!(share(1.0, 3), 3);
        assert_eq!(share(0.5, 3), 2);
    }

    #[test]
    fn choices_depend_on_the_seed_alone() {
        let eligible: Vec<usize> = (0..100).collect();
        let a = choose(&eligible, 10, &mut fastrand::Rng::with_seed(7));
        assert_eq!(a, choose(&eligible, 10, &mut fastrand::Rng::with_seed(7)));
        assert_ne!(a, choose(&eligible, 10, &mut fastrand::Rng::with_seed(8)));
        assert!(a.windows(2).all(|w| w[0] < w[1]), "in issue order");
    }

    #[test]
    fn even_times_cover_the_span_from_its_start() {
        let start = from("redeem", Some("2026-03-01T00:00:00Z"), crate::now_kst()).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-03-01T09:00:00+09:00", "read in KST");
        let t = times("redeem", start, 2, Spread::Even, 4, &mut fastrand::Rng::with_seed(1)).unwrap();
        let hours: Vec<i64> = t.iter().map(|x| (*x - start).num_hours()).collect();
        assert_eq!(hours, [0, 12, 24, 36]);
        let s = times("redeem", start, 2, Spread::Seed, 50, &mut fastrand::Rng::with_seed(1)).unwrap();
        assert!(s.iter().all(|x| *x >= start && (*x - start).num_days() < 2));
        assert!(times("redeem", start, MAX_OVER_DAYS + 1, Spread::Even, 1, &mut fastrand::Rng::new()).is_err());
        assert!(from("redeem", Some("2026-03-01 09:00:00"), crate::now_kst()).is_err());
    }
}
