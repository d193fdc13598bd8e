//! `coupon demo`: the sandbox in-process and a checked tour of every vendor.

mod common;

use common::{PHONE, run_in};

#[test]
fn the_demo_tours_every_vendor_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["demo"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let steps: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" ✓ ")).collect();
    assert_eq!(steps.len(), 16, "{}", run.stdout);
    assert!(!run.stdout.contains(" ✗ "), "{}", run.stdout);
    for vendor in ["giftletter", "giftimbiz", "coufun"] {
        assert!(steps.iter().any(|l| l.contains(vendor)), "{vendor}: {}", run.stdout);
    }
    assert!(run.stdout.contains("refused as expected: already_used"), "{}", run.stdout);
    assert!(run.stdout.contains("refused as expected: duplicate_reference"), "{}", run.stdout);
    assert!(run.stdout.contains("원"), "money in won: {}", run.stdout);
    assert!(run.stdout.contains("16 steps passed"), "{}", run.stdout);
    assert!(!run.stdout.contains(PHONE), "the phone number masked: {}", run.stdout);
}

#[test]
fn the_demo_as_json_is_one_document_with_every_step_passed() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["demo", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 16);
    for step in steps {
        assert_eq!(step["ok"], true, "{step}");
        assert!(step["vendor"].is_string() && step["operation"].is_string() && step["ms"].is_u64(), "{step}");
    }
    assert_eq!(doc["summary"]["passed"], 16);
    assert!(doc["sandbox"].as_str().unwrap().starts_with("http://127.0.0.1:"));
}
