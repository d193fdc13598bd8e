//! `coupon demo`: the sandbox in-process and a checked tour of every installed adapter.

mod common;

use std::path::Path;

use common::{PHONE, adapters, run_in};

/// The operations of the generic tour (through the `Adapter` trait).
const GENERIC: [&str; 11] = [
    "products",
    "product",
    "issue",
    "issue, same reference",
    "status",
    "resend",
    "cancel",
    "status again",
    "balance",
    "redemptions",
    "reconcile",
];

/// Each native command group with demo steps of its own (`src/native/<name>/demo.rs`),
/// and how many it declares (`pub const STEPS: u64 = N;`).
fn native_demos() -> Vec<(String, usize)> {
    let native = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join("native");
    let mut demos: Vec<(String, usize)> = std::fs::read_dir(&native)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("demo.rs").is_file())
        .map(|p| {
            let text = std::fs::read_to_string(p.join("demo.rs")).unwrap();
            let steps = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("pub const STEPS: u64 = ")?.strip_suffix(';')?.parse().ok())
                .unwrap_or_else(|| panic!("{}: no `pub const STEPS: u64 = N;`", p.display()));
            (p.file_name().unwrap().to_str().unwrap().to_string(), steps)
        })
        .collect();
    demos.sort();
    demos
}

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
    // A line is `NN. <vendor> <operation> ✓ <result> (<time>)`.
    let parsed: Vec<(&str, &str)> = steps
        .iter()
        .map(|l| {
            let (_, rest) = l.split_once(". ").unwrap();
            let (vendor, rest) = rest.trim_start().split_once(' ').unwrap();
            (vendor, rest.split_once(" ✓ ").unwrap().0.trim())
        })
        .collect();
    for (vendor, declared) in native_demos().into_iter().filter(|(v, _)| installed.iter().any(|(n, _)| n == v)) {
        let own = parsed.iter().filter(|(v, op)| *v == vendor && !GENERIC.contains(op)).count();
        assert_eq!(own, declared, "{vendor}'s own demo steps: {}", run.stdout);
    }
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
    // Each operation an adapter offers is toured (the sandbox's samples cover them all), and
    // the same reference is issued again where the vendor deduplicates.
    for factory in coupon::Registry::from_inventory().factories() {
        let (vendor, c) = (factory.name, factory.capabilities);
        let toured = |operation: &str| steps.iter().any(|s| s["vendor"] == vendor && s["operation"] == operation);
        for operation in coupon::Capabilities::OPERATIONS {
            assert_eq!(toured(operation), c.offers(operation), "{vendor} {operation}: {doc}");
        }
        assert_eq!(toured("issue, same reference"), c.issue_deduplicated, "{vendor}: {doc}");
    }
    // Then each native group with a demo module takes its own steps, as many as it declares,
    // named apart from the generic ones.
    let demos = native_demos();
    assert!(!demos.is_empty(), "some native group has a demo module");
    for (vendor, declared) in &demos {
        if !names.contains(&vendor.as_str()) {
            continue; // its adapter is not installed
        }
        let own: Vec<&str> = steps
            .iter()
            .filter(|s| s["vendor"] == vendor.as_str() && !GENERIC.contains(&s["operation"].as_str().unwrap()))
            .map(|s| s["operation"].as_str().unwrap())
            .collect();
        assert_eq!(own.len(), *declared, "{vendor}'s own demo steps {own:?}: {doc}");
        let last_generic = steps
            .iter()
            .rposition(|s| s["vendor"] == vendor.as_str() && GENERIC.contains(&s["operation"].as_str().unwrap()));
        let first_own = steps
            .iter()
            .position(|s| s["vendor"] == vendor.as_str() && own.contains(&s["operation"].as_str().unwrap()));
        assert!(last_generic < first_own, "{vendor}: its own steps come after its generic tour: {doc}");
    }
}

#[test]
fn the_campaign_demo_issues_ages_syncs_cancels_what_expires_and_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo.html");
    let run = common::run_in(
        dir.path(),
        None,
        &["campaign", "demo", "--rows", "60", "--html", page.to_str().unwrap(), "--json"],
    );
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    let headline = &doc["report"]["headline"];
    assert_eq!(headline["issued"], 60, "{doc}");
    assert!(headline["used"].as_u64().unwrap() > 0, "two weeks of use: {doc}");
    assert!(headline["refunded_won"].as_i64().unwrap() > 0, "what expires is cancelled: {doc}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script"), "one self-contained page");
    assert!(html.contains(&format!("{}", headline["issued"])), "the headline is on the page");
}
