//! Reading one JSON object the way the public integrations read Giftishow's answers:
//! numbers come as JSON numbers or as strings (`"salePrice": "4500"`), an empty
//! string or `null` means absent, and surrounding spaces do not count.
//!
//! serde_json parses the bytes (strict JSON, its recursion limit); these readers
//! only interpret the values, so no input can make them panic.

use coupon_core::chrono::NaiveDate;
use coupon_core::time::{
    KstDateTime, parse_compact_date, parse_compact_datetime, parse_date, parse_datetime, parse_iso_datetime,
};
use serde_json::{Map, Value};

use super::WireError;

/// One object of an answer, with the reading rules above.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    /// What the object is, for error messages (`goodsList[3]`).
    what: &'a str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(object: &'a Map<String, Value>, what: &'a str) -> Self {
        Self { object, what }
    }

    /// Text: a string trimmed, a number as written, a boolean as `true`/`false`;
    /// `""`, `null`, arrays and objects are absent.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        let s = match self.object.get(key)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => return None,
        };
        (!s.is_empty()).then_some(s)
    }

    /// Text that must be there.
    pub(crate) fn required(&self, key: &str) -> Result<String, WireError> {
        self.text(key).ok_or_else(|| WireError::new(format!("{}: `{key}` is missing or empty", self.what)))
    }

    /// A whole number of won or days, as a number (`4500`, `4500.0`) or a string of
    /// digits (`"4500"`, `"4,500"` with thousands separators); absent when empty.
    pub(crate) fn int(&self, key: &str) -> Result<Option<u64>, WireError> {
        int_of(self.object.get(key), self.what, key)
    }

    /// A day, `YYYYMMDD` or `YYYY-MM-DD` (both occur in `validPrdEndDt`), or a
    /// moment in any form [`Fields::time`] reads, taken as its day in KST (a
    /// Java back end writes `2999-12-30T15:00:00.000+0000` for 2999-12-31).
    pub(crate) fn date(&self, key: &str) -> Result<Option<NaiveDate>, WireError> {
        match self.text(key) {
            None => Ok(None),
            Some(t) => parse_compact_date(&t)
                .or_else(|| parse_date(&t))
                .or_else(|| moment(&t).map(|m| m.date_naive()))
                .map(Some)
                .ok_or_else(|| WireError::new(format!("{}: `{key}` is not a date", self.what))),
        }
    }

    /// A moment in KST: `YYYYMMDDHHMISS`, `YYYY-MM-DD HH:MM:SS`, or ISO 8601 with
    /// milliseconds and an offset (`2026-12-01T01:30:00.000+0000`), converted to KST.
    pub(crate) fn time(&self, key: &str) -> Result<Option<KstDateTime>, WireError> {
        match self.text(key) {
            None => Ok(None),
            Some(t) => moment(&t)
                .map(Some)
                .ok_or_else(|| WireError::new(format!("{}: `{key}` is not a date and time", self.what))),
        }
    }

    /// The objects of an array under `key`; a single object counts as a list of one,
    /// absent or `null` as none.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<&'a Map<String, Value>>, WireError> {
        objects_of(self.object.get(key), self.what, key)
    }
}

/// Every form of a moment the integrations show.
fn moment(t: &str) -> Option<KstDateTime> {
    parse_compact_datetime(t).or_else(|| parse_datetime(t)).or_else(|| parse_iso_datetime(t))
}

/// [`Fields::int`] of a value found elsewhere (`key` of `what` names it in errors).
pub(crate) fn int_of(value: Option<&Value>, what: &str, key: &str) -> Result<Option<u64>, WireError> {
    let bad = || WireError::new(format!("{what}: `{key}` is not a whole number"));
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) => Ok(Some(v)),
            None => n
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19)
                // Checked just above: finite, whole and within u64.
                .map(|f| Some(f as u64))
                .ok_or_else(bad),
        },
        Some(Value::String(s)) => {
            let digits: String = s.trim().chars().filter(|c| *c != ',').collect();
            if digits.is_empty() {
                return Ok(None);
            }
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            digits.parse().map(Some).map_err(|_| bad())
        }
        Some(Value::Bool(_) | Value::Array(_) | Value::Object(_)) => Err(bad()),
    }
}

/// [`Fields::objects`] of a value found elsewhere (`key` of `what` names it in errors).
pub(crate) fn objects_of<'v>(
    value: Option<&'v Value>,
    what: &str,
    key: &str,
) -> Result<Vec<&'v Map<String, Value>>, WireError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(o)) => Ok(vec![o]),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| v.as_object().ok_or_else(|| WireError::new(format!("{what}: `{key}[{i}]` is not an object"))))
            .collect(),
        Some(_) => Err(WireError::new(format!("{what}: `{key}` is not a list"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with(v: Value, f: impl FnOnce(Fields<'_>)) {
        f(Fields::new(v.as_object().unwrap(), "test"));
    }

    #[test]
    fn numbers_read_as_numbers_or_strings_and_empty_is_absent() {
        with(
            json!({"a": 4500, "b": "4500", "c": " 4,500 ", "d": "", "e": null, "f": 4500.0, "g": "45a", "h": -1}),
            |f| {
                for key in ["a", "b", "c", "f"] {
                    assert_eq!(f.int(key).unwrap(), Some(4500), "{key}");
                }
                assert_eq!(f.int("d").unwrap(), None);
                assert_eq!(f.int("e").unwrap(), None);
                assert_eq!(f.int("missing").unwrap(), None);
                assert!(f.int("g").unwrap_err().message().contains("`g`"));
                assert!(f.int("h").is_err());
            },
        );
    }

    #[test]
    fn text_is_trimmed_and_blank_is_absent() {
        with(json!({"a": " 스타벅스 ", "b": "  ", "c": 12, "d": [1]}), |f| {
            assert_eq!(f.text("a").as_deref(), Some("스타벅스"));
            assert_eq!(f.text("b"), None);
            assert_eq!(f.text("c").as_deref(), Some("12"));
            assert_eq!(f.text("d"), None);
            assert!(f.required("b").unwrap_err().message().contains("`b` is missing"));
        });
    }

    #[test]
    fn dates_come_compact_or_dashed() {
        with(json!({"a": "20261231", "b": "2026-12-31", "c": "20261231235959", "d": "31/12"}), |f| {
            let day = NaiveDate::from_ymd_opt(2026, 12, 31);
            assert_eq!(f.date("a").unwrap(), day);
            assert_eq!(f.date("b").unwrap(), day);
            assert_eq!(f.time("c").unwrap().unwrap().date_naive(), day.unwrap());
            assert!(f.date("d").is_err());
        });
    }

    #[test]
    fn iso_moments_are_read_in_kst_for_days_and_times() {
        let v = json!({"end": "2999-12-30T15:00:00.000+0000", "valid": "2026-12-30T15:00:00.000+0000",
            "changed": "2026-12-01T01:30:00.000+0000", "z": "2026-12-01T01:30:00Z", "local": "2026-12-01T10:30:00",
            "dashed": "2026-12-31 00:00:00", "junk": "2026-12-31T99:00:00.000+0000"});
        with(v, |f| {
            assert_eq!(f.date("end").unwrap(), NaiveDate::from_ymd_opt(2999, 12, 31), "the KST day, not the UTC one");
            assert_eq!(f.date("valid").unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31));
            assert_eq!(f.date("dashed").unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31));
            for key in ["changed", "z", "local"] {
                assert_eq!(f.time(key).unwrap().unwrap().to_rfc3339(), "2026-12-01T10:30:00+09:00", "{key}");
            }
            assert!(f.date("junk").unwrap_err().message().contains("`junk` is not a date"));
            assert!(f.time("junk").is_err());
        });
    }

    #[test]
    fn a_single_object_is_a_list_of_one() {
        with(json!({"one": {"x": 1}, "many": [{"x": 1}, {"x": 2}], "bad": [1], "none": null}), |f| {
            assert_eq!(f.objects("one").unwrap().len(), 1);
            assert_eq!(f.objects("many").unwrap().len(), 2);
            assert_eq!(f.objects("none").unwrap().len(), 0);
            assert!(f.objects("bad").unwrap_err().message().contains("`bad[0]`"));
        });
    }
}
