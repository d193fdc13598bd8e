//! The `coupon` binary as an operator runs it.

use assert_cmd::Command;
use serde_json::Value;

fn coupon() -> Command {
    Command::cargo_bin("coupon").expect("the coupon binary is built")
}

#[test]
fn adapters_prints_the_capability_matrix() {
    let out = coupon().arg("adapters").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    for name in coupon::installed_adapters() {
        assert!(text.contains(name), "{text}");
    }
    assert!(text.contains("issue") && text.contains("balance"), "{text}");
}

#[test]
fn adapters_json_is_one_document_naming_every_adapter() {
    let out = coupon().args(["adapters", "--json"]).assert().success().get_output().stdout.clone();
    let doc: Value = serde_json::from_slice(&out).expect("stdout is exactly one JSON document");
    let names: Vec<&str> = doc["adapters"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, coupon::installed_adapters());
    for a in doc["adapters"].as_array().unwrap() {
        assert!(a["capabilities"]["issue"].is_boolean());
    }
}

#[test]
fn the_sandbox_refuses_a_non_loopback_address_with_exit_code_2() {
    let assert = coupon().args(["sandbox", "--addr", "0.0.0.0:0", "--json"]).assert().code(2);
    let doc: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "invalid_input");
    assert!(doc["error"]["message"].as_str().unwrap().contains("0.0.0.0"), "{doc}");
}

#[test]
fn help_documents_the_exit_codes() {
    let out = coupon().arg("--help").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("4  outcome unknown (reconcile before retrying)"), "{text}");
    assert!(text.contains("6  a coupon already exists for this reference; nothing new was issued"), "{text}");
}

/// The lines of the markdown table that follows `heading` in `text`.
fn table_after(text: &str, heading: &str) -> String {
    let start = text.find(heading).unwrap_or_else(|| panic!("no `{heading}` in the README"));
    let lines: Vec<&str> =
        text[start..].lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')).collect();
    assert!(!lines.is_empty(), "no table after `{heading}`");
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_readme_capability_table_is_what_adapters_markdown_prints() {
    let out = coupon().args(["adapters", "--markdown"]).assert().success().get_output().stdout.clone();
    let printed = String::from_utf8(out).unwrap();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert_eq!(
        table_after(&readme, "\n## Capabilities\n"),
        printed,
        "the README's Capabilities table is stale: replace it with `coupon adapters --markdown`"
    );
    let header = printed.lines().next().unwrap();
    for name in coupon::installed_adapters() {
        assert!(header.contains(&format!(" {name} |")), "a column per adapter: {header}");
    }
    let doc: Value = serde_json::from_slice(
        &coupon().args(["adapters", "--markdown", "--json"]).assert().success().get_output().stdout,
    )
    .unwrap();
    assert_eq!(doc["markdown"], printed.as_str());
}

#[test]
fn serve_refuses_a_non_loopback_address_without_public() {
    let dir = tempfile::tempdir().unwrap();
    let journal = format!("sqlite:{}", dir.path().join("j.db").display());
    let assert =
        coupon().args(["serve", "--sandbox", "--addr", "0.0.0.0:0", "--journal", &journal, "--json"]).assert().code(2);
    let doc: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        (doc["error"]["kind"].as_str(), doc["error"]["field"].as_str()),
        (Some("invalid_input"), Some("addr")),
        "{doc}"
    );
    assert!(doc["error"]["message"].as_str().unwrap().contains("--public"), "{doc}");
}

#[test]
fn keys_are_shown_once_listed_without_their_secret_and_revoked_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let journal = format!("sqlite:{}", dir.path().join("j.db").display());
    let made = coupon()
        .args(["keys", "create", "backend", "--scope", "issue,read", "--journal", &journal, "--json"])
        .assert()
        .success();
    let made: Value = serde_json::from_slice(&made.get_output().stdout).unwrap();
    let key = made["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("cpk_") && key.len() == 4 + 12 + 1 + 64, "{made}");
    assert_eq!(made["scopes"], serde_json::json!(["issue", "read"]));
    let secret = key.rsplit('_').next().unwrap().to_string();

    let listed = coupon().args(["keys", "list", "--journal", &journal, "--json"]).assert().success();
    let text = String::from_utf8(listed.get_output().stdout.clone()).unwrap();
    assert!(!text.contains(&secret), "a listing never shows a key: {text}");
    let listed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((listed[0]["name"].as_str(), listed[0]["revoked_at"].is_null()), (Some("backend"), true), "{listed}");

    let dup = coupon()
        .args(["keys", "create", "backend", "--scope", "read", "--journal", &journal, "--json"])
        .assert()
        .code(2);
    let dup: Value = serde_json::from_slice(&dup.get_output().stdout).unwrap();
    assert!(dup["error"]["message"].as_str().unwrap().contains("backend"), "{dup}");
    let bad = coupon()
        .args(["keys", "create", "x", "--scope", "issue,refund", "--journal", &journal, "--json"])
        .assert()
        .code(2);
    let bad: Value = serde_json::from_slice(&bad.get_output().stdout).unwrap();
    assert_eq!(bad["error"]["field"], "scope", "{bad}");

    coupon().args(["keys", "revoke", "backend", "--journal", &journal]).assert().success();
    let listed: Value = serde_json::from_slice(
        &coupon().args(["keys", "list", "--journal", &journal, "--json"]).assert().success().get_output().stdout,
    )
    .unwrap();
    assert!(listed[0]["revoked_at"].is_string(), "{listed}");
    coupon().args(["keys", "revoke", "backend", "--journal", &journal]).assert().code(2);
}
