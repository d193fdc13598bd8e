//! `coupon demo`: the sandbox in-process and a checked tour of every installed adapter.

mod common;

use common::{PHONE, adapters, run_in};

#[test]
fn the_demo_tours_every_adapter_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["demo"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let steps: Vec<&str> = run.stdout.lines().filter(|l| l.contains(" ✓ ")).collect();
    assert!(!run.stdout.contains(" ✗ "), "{}", run.stdout);
    let installed = adapters();
    for (vendor, _) in &installed {
        assert!(steps.iter().any(|l| l.contains(vendor.as_str())), "{vendor}: {}", run.stdout);
    }
    if installed.iter().any(|(_, c)| c["issue_deduplicated"] == true) {
        assert!(run.stdout.contains("refused as expected: duplicate_reference"), "{}", run.stdout);
    }
    assert!(run.stdout.contains("원"), "money in won: {}", run.stdout);
    assert!(run.stdout.contains(&format!("{} steps passed", steps.len())), "{}", run.stdout);
    assert!(!run.stdout.contains(PHONE), "the phone number masked: {}", run.stdout);
}

#[test]
fn the_demo_as_json_is_one_document_with_every_step_passed_and_every_offered_operation_toured() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["demo", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    let steps = doc["steps"].as_array().unwrap();
    for step in steps {
        assert_eq!(step["ok"], true, "{step}");
        assert!(step["vendor"].is_string() && step["operation"].is_string() && step["ms"].is_u64(), "{step}");
    }
    assert_eq!(doc["summary"]["passed"], steps.len());
    assert!(doc["sandbox"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    let installed = adapters();
    let names: Vec<&str> = installed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(doc["summary"]["vendors"], serde_json::json!(names), "every installed adapter (each is emulated)");
    // Each operation an adapter offers is toured (the sandbox's samples cover them all).
    for (vendor, capabilities) in &installed {
        for (capability, on) in capabilities {
            let operation = match capability.as_str() {
                "issue_deduplicated" => "issue, same reference",
                "product_detail" => "product",
                other => other,
            };
            let toured = steps.iter().any(|s| s["vendor"] == vendor.as_str() && s["operation"] == operation);
            assert_eq!(toured, on.as_bool().unwrap(), "{vendor} {operation}: {doc}");
        }
    }
}
