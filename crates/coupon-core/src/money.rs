//! Korean won.

use std::fmt;

/// An amount of Korean won. The vendors deal in whole won only.
///
/// ```
/// use coupon_core::Won;
/// assert_eq!(Won(10_000).to_string(), "10,000원");
/// assert_eq!(Won(0).to_string(), "0원");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Won(pub u64);

impl Won {
    /// The amount as a plain number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Won {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out.push('원');
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::Won;

    #[test]
    fn groups_thousands_and_appends_the_won_sign() {
        assert_eq!(Won(5).to_string(), "5원");
        assert_eq!(Won(940).to_string(), "940원");
        assert_eq!(Won(1_400).to_string(), "1,400원");
        assert_eq!(Won(100_000).to_string(), "100,000원");
        assert_eq!(Won(1_234_567).to_string(), "1,234,567원");
    }
}
