//! Where the configuration comes from, and what a bad one says.

mod common;

use common::{Env, error, run_in, run_with_env, write_config};

#[test]
fn a_missing_section_exits_2_and_shows_the_section_to_add() {
    let env = Env::with_config(|toml| toml.split("[giftimbiz]").next().unwrap().to_string());
    let doc = env.json(&["giftimbiz", "categories"], 2);
    let e = error(&doc, "config");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("no [giftimbiz] section"), "{message}");
    for key in ["[giftimbiz]", "base_url = ", "partner_id = ", "partner_key = ", "partner_token = ", "refresh_token = "]
    {
        assert!(message.contains(key), "{key} in {message}");
    }
    let human = env.run(&["giftimbiz", "categories"]);
    assert_eq!(human.code, 2);
    assert!(human.stdout.is_empty() && human.stderr.contains("refresh_token = "), "{human:#?}");
    assert_eq!(env.total_requests(), 0, "nothing was sent");
}

#[test]
fn a_bad_key_is_named_and_nothing_is_sent() {
    let env = Env::with_config(|toml| toml.replace("auth_key =", "auth_kee ="));
    let doc = env.json(&["giftletter", "goods", "--brand", "10"], 2);
    let e = error(&doc, "config");
    assert_eq!(e["field"], "auth_key", "the missing key comes first: {doc}");

    let env = Env::with_config(|toml| toml.replace("poc_id = \"SANDBOX\"", "poc_id = \"SANDBOX\"\npoc_idd = \"X\""));
    let doc = env.json(&["coufun", "status", "--goods", "CF20001000", "--barcode", "ABC1234567890"], 2);
    let e = error(&doc, "config");
    assert_eq!(e["field"], "poc_idd");
    assert!(e["message"].as_str().unwrap().contains("unknown key `poc_idd`"), "{doc}");

    let env = Env::with_config(|toml| toml.replace("[coufun]", "[coufun]\nread_timeout_ms = \"soon\""));
    let e = error(&env.json(&["coufun", "status", "--goods", "CF20001000", "--barcode", "ABC1234567890"], 2), "config");
    assert_eq!(e["field"], "read_timeout_ms");
    assert_eq!(env.total_requests(), 0, "nothing was sent");
}

#[test]
fn a_broken_file_and_a_missing_file_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write_config("[giftletter\n");
    let run = run_in(dir.path(), Some(broken.path()), &["giftletter", "goods", "--brand", "10", "--json"]);
    assert_eq!(run.code, 2);
    assert!(error(&run.doc(), "config")["message"].as_str().unwrap().contains("not valid TOML"));
    let missing = dir.path().join("nope.toml");
    let run = run_in(dir.path(), Some(&missing), &["giftletter", "goods", "--brand", "10", "--json"]);
    assert_eq!(run.code, 2);
    assert!(error(&run.doc(), "config")["message"].as_str().unwrap().contains("nope.toml"));
}

#[test]
fn coupon_toml_in_the_working_directory_is_the_default_and_the_environment_overrides_it() {
    let env = Env::start();
    std::fs::copy(env.config.path(), env.dir.path().join("coupon.toml")).unwrap();
    let args = ["coufun", "status", "--goods", "CF20001000", "--barcode", "ABC1234567890", "--json"];
    let run = run_in(env.dir.path(), None, &args);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["records"][0]["remaining"], 2500);

    let run = run_with_env(env.dir.path(), None, &args, &[("COUPON_COUFUN_POC_ID", "WAY-TOO-LONG-ID")]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(error(&run.doc(), "config")["field"], "poc_id");
}

#[test]
fn without_a_file_the_environment_alone_configures_a_vendor() {
    let env = Env::start();
    let base = format!("{}/coufun", env.sandbox.base_url());
    let vars = [("COUPON_COUFUN_BASE_URL", base.as_str()), ("COUPON_COUFUN_POC_ID", "SANDBOX")];
    let args = ["coufun", "status", "--goods", "CF20001000", "--barcode", "ABC1234567890", "--json"];
    let run = run_with_env(env.dir.path(), None, &args, &vars);
    assert_eq!(run.code, 0, "{run:#?}");
    let run = run_in(env.dir.path(), None, &args);
    assert_eq!(run.code, 2);
    assert!(error(&run.doc(), "config")["message"].as_str().unwrap().contains("poc_id = "));
}

#[test]
fn a_command_line_clap_refuses_exits_2_and_json_still_gets_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["giftletter", "status", "--json"]);
    assert_eq!(run.code, 2, "{run:#?}");
    let e = error(&run.doc(), "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("ORDER_ID"), "{e}");
    let run = run_in(dir.path(), None, &["giftimbiz", "listings", "--order", "cheapest"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty() && run.stderr.contains("priceL"), "{run:#?}");
}
