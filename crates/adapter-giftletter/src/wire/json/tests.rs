//! The reading rules, and agreement with serde_json on every JSON text.

use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::tree::NumberText;
use super::*;

fn value(text: &str) -> Result<Value, JsonError> {
    parse(text).map(|node| node.to_value())
}

#[test]
fn reads_plain_json_like_serde_json() {
    for text in
        [r#"{"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "\u00e9\ud83c\udf81\n"}}"#, "[]", "{}", r#""x""#, "0"]
    {
        let want: Value = serde_json::from_str(text).unwrap();
        assert_eq!(value(text).unwrap(), want, "{text}");
    }
}

#[test]
fn forgives_the_vendors_slips() {
    let v = value("{\n  \"rstCode\": \"P102\",\n  \"rstMsg\": \"x\"\n  \"reserved \" : \"\"\n}").unwrap();
    assert_eq!(v, json!({"rstCode": "P102", "rstMsg": "x", "reserved": ""}));
    assert_eq!(value(r#"{"a": "", "a": "2", "a": "3",}"#).unwrap(), json!({"a": "2"}));
    assert_eq!(value("[1 2,]").unwrap(), json!([1, 2]));
    assert_eq!(value("\u{FEFF}{\"m\": \"줄1\n줄2\"}").unwrap(), json!({"m": "줄1\n줄2"}));
}

#[test]
fn refuses_what_is_not_json_and_never_overflows() {
    for bad in ["", "{", "[", "{\"a\"}", "{\"a\": }", "\"open", "nul", "{} x", "{a: 1}", "\"\\q\"", "1.2.3"] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
    assert!(parse(&"[".repeat(100_000)).is_err());
    assert!(parse(&"{\"a\":".repeat(50_000)).is_err());
}

#[test]
fn borrows_what_needs_no_decoding() {
    let node = parse(r#"{" IMG_URL ": "http://x/1.jpg", "m\u0041": " a b ", "n": 1.50}"#).unwrap();
    let members = node.as_object().unwrap().members();
    assert!(matches!(&members[0], (Cow::Borrowed("IMG_URL"), Node::String(Cow::Borrowed("http://x/1.jpg")))));
    assert!(matches!(&members[1], (Cow::Owned(k), Node::String(Cow::Borrowed(" a b "))) if k == "mA"));
    assert!(matches!(&members[2], (_, Node::Number(n)) if n.as_str() == "1.50"));
    let owned = parse(r#""\" \u00e9\ud800x""#).unwrap();
    assert!(matches!(owned, Node::String(Cow::Owned(s)) if s == "\" é\u{FFFD}x"), "a lone surrogate replaced");
}

#[test]
fn a_repeated_key_keeps_its_first_value_that_is_not_empty() {
    let node = parse(r#"{"a": "", "a": null, "a": " ", "b": null, "b": "", "c": 0, "c": "x"}"#).unwrap();
    let o = node.as_object().unwrap();
    assert_eq!(o.members().len(), 7, "every member kept as read");
    assert_eq!(o.get("a"), Some(&Node::String(Cow::Borrowed(" "))), "all empty: the last");
    assert_eq!(o.get("b"), Some(&Node::String(Cow::Borrowed(""))));
    assert!(matches!(o.get("c"), Some(Node::Number(n)) if n.as_str() == "0"));
    assert_eq!(o.get("d"), None);
    assert_eq!(node.to_value(), json!({"a": " ", "b": "", "c": 0}));
}

#[test]
fn many_repeated_keys_read_in_linear_time() {
    let mut text = String::from("{");
    for _ in 0..200_000 {
        text.push_str(r#""k":"","#);
    }
    text.push_str(r#""k":"v"}"#);
    let node = parse(&text).unwrap();
    assert!(matches!(node.as_object().unwrap().get("k"), Some(Node::String(v)) if v == "v"));
}

#[test]
fn numbers_are_kept_as_written_and_read_as_serde_json_reads_them() {
    let node = parse("[10000, 1.5, 1e3, -0, 18446744073709551616, 0e999]").unwrap();
    let Node::Array(items) = &node else { panic!("{node:?}") };
    let numbers: Vec<_> = items.iter().map(|n| if let Node::Number(n) = n { Some(*n) } else { None }).collect();
    let texts: Vec<_> = numbers.iter().flatten().map(|n| n.to_number().unwrap().to_string()).collect();
    assert_eq!(texts, ["10000", "1.5", "1000.0", "-0.0", "1.8446744073709552e+19", "0.0"]);
    let whole: Vec<_> = numbers.iter().flatten().map(NumberText::as_u64).collect();
    assert_eq!(whole, [Some(10000), None, None, None, None, None]);
    for bad in ["1e400", "-1E+309", &"9".repeat(400), "01", "1.", ".5", "-", "1e", "+1", "1-2", "0x10"] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}

/// Any JSON value; keys without surrounding whitespace, since the reader trims them.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>().prop_map(|k| k.trim().to_string()), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn agrees_with_serde_json_on_json_texts(v in any_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
        let want: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(value(&text).unwrap(), want);
    }

    #[test]
    fn number_tokens_are_judged_as_serde_json_judges_them(t in "[-+.eE0-9]{1,12}|[1-9][0-9]{295,315}(e-?[0-9])?") {
        let want = t.parse::<serde_json::Number>().ok().map(Value::Number);
        prop_assert_eq!(value(&t).ok(), want);
    }

    #[test]
    fn get_resolves_repeats_as_to_value_does(
        members in prop::collection::vec((0..3usize, 0..5usize), 0..12),
    ) {
        const VALUES: [&str; 5] = ["\"\"", "null", "\" \"", "\"x\"", "7"];
        let body: Vec<String> = members.iter().map(|&(k, v)| format!("\"k{k}\": {}", VALUES[v])).collect();
        let text = format!("{{{}}}", body.join(", "));
        let node = parse(&text).unwrap();
        let (object, value) = (node.as_object().unwrap(), node.to_value());
        for k in 0..3 {
            let key = format!("k{k}");
            let got = object.get(&key).map(Node::to_value);
            prop_assert_eq!(got.as_ref(), value.get(&key));
        }
    }

    #[test]
    fn never_panics(text in "[\\[\\]{}\",: \\\\u0-9a-fnrtul.eE+-]{0,64}") {
        let _ = parse(&text);
    }
}
