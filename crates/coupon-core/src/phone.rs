//! Korean phone numbers, masked wherever they are shown.

use std::fmt;

use crate::error::Error;

/// A Korean phone number (mobile, landline, VoIP or a 15xx/16xx/18xx
/// representative number), kept as its national digits (`01012345678`).
///
/// Personal data: `Debug` and `Display` mask the middle group
/// (`010-****-5678`); the digits are reachable only through
/// [`PhoneNumber::expose_digits`] and [`PhoneNumber::expose_formatted`].
///
/// ```
/// use coupon_core::PhoneNumber;
/// let p = PhoneNumber::parse("+82 10-1234-5678").unwrap();
/// assert_eq!(p.to_string(), "010-****-5678");
/// assert_eq!(format!("{p:?}"), "PhoneNumber(010-****-5678)");
/// assert_eq!(p.expose_digits(), "01012345678");
/// assert!(PhoneNumber::parse("12345").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    digits: String,
    /// Lengths of the first and second groups; the third is the rest.
    groups: (u8, u8),
}

/// Why a text is not a Korean phone number. It never carries the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing but separators was given.
    #[error("is empty")]
    Empty,
    /// A character other than digits, spaces, hyphens, dots, parentheses or a leading `+`.
    #[error("contains a character that is not a digit or separator (at character {0})")]
    BadCharacter(usize),
    /// An international prefix other than +82.
    #[error("has a country code other than +82")]
    ForeignCountry,
    /// The digits do not form a known Korean numbering pattern.
    #[error("is not a Korean phone number pattern ({0} digits)")]
    Pattern(usize),
}

/// A phone number as some text holds it (a stored row, a vendor's answer), masked in
/// place: with 10 digits or more, all but the first 3 and the last 4 digits are hidden;
/// with fewer, every digit is (such a text is no number we know, and 4 of 8 digits
/// would be too many to show). Separators stay where they were. The one rule for a
/// text that may not parse; a [`PhoneNumber`] masks itself ([`PhoneNumber::masked`]).
///
/// ```
/// use coupon_core::phone::mask_text;
/// assert_eq!(mask_text("010-1234-5678"), "010-****-5678");
/// assert_eq!(mask_text("01012345678"), "010****5678");
/// assert_eq!(mask_text("010-12345"), "***-*****");
/// assert_eq!(mask_text("1234"), "****");
/// ```
pub fn mask_text(text: &str) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let shown = |nth: usize| digits >= 10 && (nth <= 3 || nth > digits - 4);
    let mut nth = 0;
    text.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            nth += 1;
            if shown(nth) { c } else { '*' }
        })
        .collect()
}

impl PhoneNumber {
    /// Parses `01012345678`, `010-1234-5678`, `+82 10 1234 5678`, `+82-010-…`,
    /// `02-123-4567`, `1588-1234`, …
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for (i, c) in input.trim().chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => plus = true,
                '-' | ' ' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::BadCharacter(i + 1)),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        if plus || digits.starts_with("0082") {
            let rest = if plus { digits.as_str() } else { &digits[2..] };
            let national = rest.strip_prefix("82").ok_or(PhoneError::ForeignCountry)?;
            digits = if national.starts_with('0') { national.to_string() } else { format!("0{national}") };
        }
        let groups = classify(&digits).ok_or(PhoneError::Pattern(digits.len()))?;
        Ok(Self { digits, groups })
    }

    /// Parses, naming `field` in the error (an [`crate::ErrorKind::InvalidInput`]
    /// that never repeats the input).
    pub fn parse_field(field: &str, input: &str) -> Result<Self, Error> {
        Self::parse(input).map_err(|e| {
            Error::invalid_field(
                field,
                format!("is not a valid Korean phone number: it {e} ({} characters given)", input.chars().count()),
            )
        })
    }

    /// The national digits, unmasked (`01012345678`). Personal data: send it to the vendor, never to a log.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }

    /// The number with hyphens, unmasked (`010-1234-5678`). Personal data.
    pub fn expose_formatted(&self) -> String {
        let (a, b, c) = self.split();
        [a, b, c].iter().filter(|g| !g.is_empty()).copied().collect::<Vec<_>>().join("-")
    }

    /// The masked form, as `Display` prints it (`010-****-5678`).
    pub fn masked(&self) -> String {
        let (a, b, c) = self.split();
        // Built in place: every COUFUN record and every issue masks a number, and
        // `format!` with a scratch `repeat` was most of a record's typing.
        let mut out = String::with_capacity(self.digits.len() + 2);
        out.push_str(a);
        out.push('-');
        if b.is_empty() {
            // Two groups (1588-1234): hide the last one.
            out.extend(std::iter::repeat_n('*', c.len()));
        } else {
            out.extend(std::iter::repeat_n('*', b.len()));
            out.push('-');
            out.push_str(c);
        }
        out
    }

    /// True for a mobile number (01x).
    pub fn is_mobile(&self) -> bool {
        self.digits.starts_with("01")
    }

    fn split(&self) -> (&str, &str, &str) {
        let (a, b) = (self.groups.0 as usize, self.groups.1 as usize);
        (&self.digits[..a], &self.digits[a..a + b], &self.digits[a + b..])
    }
}

/// The group lengths of a valid national number, or `None`.
fn classify(d: &str) -> Option<(u8, u8)> {
    let n = d.len();
    let b = d.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b[0] == b'1' {
        // Representative numbers: 15xx, 16xx, 18xx + 4 digits.
        return (n == 8 && matches!(b[1], b'5' | b'6' | b'8')).then_some((4, 0));
    }
    if b[0] != b'0' || n < 9 {
        return None;
    }
    match (b[1], b[2]) {
        (b'1', b'0') => (n == 11).then_some((3, 4)),
        (b'1', b'1' | b'6'..=b'9') => matches!(n, 10 | 11).then_some((3, n as u8 - 7)),
        (b'2', _) => matches!(n, 9 | 10).then_some((2, n as u8 - 6)),
        (b'7', b'0') => (n == 11).then_some((3, 4)),
        (b'5', b'0') => (n == 12 && matches!(b[3], b'2'..=b'8')).then_some((4, 4)),
        (b'3'..=b'6', b'1'..=b'5') => matches!(n, 10 | 11).then_some((3, n as u8 - 7)),
        _ => None,
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl std::str::FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_common_spelling_of_a_mobile_number() {
        for s in [
            "01012345678",
            "010-1234-5678",
            "010 1234 5678",
            "+82 10-1234-5678",
            "+821012345678",
            "+82-010-1234-5678",
            "0082 10 1234 5678",
            " 010.1234.5678 ",
        ] {
            let p = PhoneNumber::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(p.expose_digits(), "01012345678", "{s:?}");
            assert_eq!(p.expose_formatted(), "010-1234-5678");
            assert!(p.is_mobile());
        }
    }

    #[test]
    fn accepts_landlines_voip_and_representative_numbers() {
        let cases = [
            ("02-123-4567", "02-***-4567", "02-123-4567"),
            ("0212345678", "02-****-5678", "02-1234-5678"),
            ("031-123-4567", "031-***-4567", "031-123-4567"),
            ("051-1234-5678", "051-****-5678", "051-1234-5678"),
            ("070-1234-5678", "070-****-5678", "070-1234-5678"),
            ("1588-1234", "1588-****", "1588-1234"),
            ("011-123-4567", "011-***-4567", "011-123-4567"),
            ("0505-1234-5678", "0505-****-5678", "0505-1234-5678"),
        ];
        for (input, masked, formatted) in cases {
            let p = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(p.to_string(), masked);
            assert_eq!(p.expose_formatted(), formatted);
            assert!(!format!("{p:?}").contains(&p.expose_digits()[3..]));
        }
    }

    #[test]
    fn refuses_short_long_empty_foreign_and_odd_input() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse(" - "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse("010-123"), Err(PhoneError::Pattern(6)));
        assert_eq!(PhoneNumber::parse("0101234567"), Err(PhoneError::Pattern(10)));
        assert_eq!(PhoneNumber::parse("010123456789"), Err(PhoneError::Pattern(12)));
        assert_eq!(PhoneNumber::parse("+1 415 555 0100"), Err(PhoneError::ForeignCountry));
        assert_eq!(PhoneNumber::parse("+82"), Err(PhoneError::Pattern(1)));
        assert_eq!(PhoneNumber::parse("0"), Err(PhoneError::Pattern(1)));
        assert_eq!(PhoneNumber::parse("010-일이삼사-5678"), Err(PhoneError::BadCharacter(5)));
        assert_eq!(PhoneNumber::parse("０１０１２３４５６７８"), Err(PhoneError::BadCharacter(1)));
        assert!(PhoneNumber::parse("010+12345678").is_err());
        assert!(PhoneNumber::parse("0082101234567890").is_err(), "0082 then too many digits");
    }

    #[test]
    fn field_errors_name_the_field_and_never_echo_the_input() {
        let e = PhoneNumber::parse_field("mdn", "010-9876-54321").unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("mdn"), "{shown}");
        assert!(!shown.contains("9876"), "{shown}");
        assert!(!shown.contains("54321"), "{shown}");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("mdn"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_never_echoes(s in "\\PC{0,40}") {
            if let Err(e) = PhoneNumber::parse_field("mdn", &s) {
                let shown = e.to_string();
                let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 4 {
                    proptest::prop_assert!(!shown.contains(&digits));
                }
            }
        }

        #[test]
        fn valid_mobiles_round_trip_masked(mid in 1000u32..9999, last in 0u32..9999) {
            let raw = format!("010{mid:04}{last:04}");
            let p = PhoneNumber::parse(&raw).unwrap();
            proptest::prop_assert_eq!(p.expose_digits(), raw.as_str());
            proptest::prop_assert_eq!(p.to_string(), format!("010-****-{last:04}"));
        }
    }
}
