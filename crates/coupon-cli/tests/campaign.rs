//! `coupon campaign …` against the sandbox: create, run, status, export and list, each
//! test with its own journal (`--journal sqlite:<tempdir>/j.db`).

mod common;

use std::path::{Path, PathBuf};

use common::{Env, Run};
use serde_json::{Value, json};

/// The Giftletter sample of the sandbox: (goods, callback, title).
fn sample(env: &Env) -> (String, String, String) {
    let url = format!("{}/_sandbox/samples", env.sandbox.base_url());
    let body: Value = env.block(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
    let issue = &body["giftletter"]["issue"];
    let text = |k: &str| issue[k].as_str().unwrap_or_else(|| panic!("{k} in {body}")).to_string();
    (text("product_id"), text("callback"), text("title"))
}

/// The recipients of the test files: distinct numbers, none of them `common::PHONE`.
fn phones(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("010-5555-{:04}", 1000 + i)).collect()
}

/// A CSV of `n` rows (phone, name, store) in the test's directory.
fn csv(env: &Env, n: usize) -> PathBuf {
    let mut text = String::from("phone,name,store\n");
    for (i, phone) in phones(n).iter().enumerate() {
        text.push_str(&format!("{phone},고객{i},강남점\n"));
    }
    write(env, "winners.csv", &text)
}

fn write(env: &Env, file: &str, text: &str) -> PathBuf {
    let path = env.dir.path().join(file);
    std::fs::write(&path, text).unwrap();
    path
}

/// `campaign create NAME --vendor giftletter --csv FILE` with the sample's goods, callback and texts.
fn create(env: &Env, name: &str, file: &Path, extra: &[&str]) -> Run {
    let (goods, callback, title) = sample(env);
    let file = file.display().to_string();
    let mut args = vec![
        "create",
        name,
        "--vendor",
        "giftletter",
        "--csv",
        &file,
        "--goods",
        &goods,
        "--callback",
        &callback,
        "--title",
        &title,
        "--content-template",
        "{name}님, {store}에서 쓰세요",
    ];
    args.extend_from_slice(extra);
    env.campaign(&args)
}

fn no_phone(run: &Run, n: usize) {
    for phone in phones(n) {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        assert!(!run.all().contains(&phone) && !run.all().contains(&digits), "{phone} shown: {run:#?}");
    }
}

#[test]
fn a_campaign_is_created_run_and_exported_with_secrets_masked_unless_revealed() {
    let env = Env::start();
    let file = csv(&env, 4);
    let run = create(&env, "spring", &file, &["--store-pins"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.contains("coupon campaign run spring"), "{run:#?}");
    assert!(run.stderr.contains("warning"), "--store-pins warns: {run:#?}");
    no_phone(&run, 4);

    let run = env.campaign(&["run", "spring", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!(doc["end"], "settled", "{doc}");
    assert_eq!(doc["counts"]["issued"], 4, "{doc}");
    assert_eq!(doc["run"]["issued"], 4, "{doc}");
    assert_eq!(env.count(common::SEND_EPIN), 4);

    let status = env.campaign(&["status", "spring"]);
    assert_eq!(status.code, 0, "{status:#?}");
    assert!(status.stdout.contains("issued 4"), "{status:#?}");

    let export = env.campaign(&["export", "spring", "--format", "csv"]);
    assert_eq!(export.code, 0, "{export:#?}");
    let mut reader = csv::Reader::from_reader(export.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    for column in ["line", "key", "phone", "partner_ref", "state", "order_id", "pin", "pin_hash", "store"] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    let mut pins = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(&row[at("line")], (i + 2).to_string().as_str());
        assert_eq!(&row[at("state")], "issued");
        assert_eq!(&row[at("store")], "강남점");
        assert!(row[at("phone")].contains("****"), "{row:?}");
        let pin = env.giftletter_pin(&row[at("order_id")]);
        assert!(!export.stdout.contains(&pin), "the PIN is masked without --reveal");
        assert!(row[at("pin")].ends_with(&pin[pin.len() - 4..]) && row[at("pin")].contains('*'), "{row:?}");
        pins.push(pin);
    }
    no_phone(&export, 4);

    let revealed = env.campaign(&["export", "spring", "--format", "json", "--reveal"]);
    assert_eq!(revealed.code, 0, "{revealed:#?}");
    let doc = revealed.doc();
    let rows = doc.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (row, (pin, phone)) in rows.iter().zip(pins.iter().zip(phones(4))) {
        assert_eq!(row["pin"], pin.as_str(), "{row}");
        assert_eq!(row["phone"], phone.as_str(), "{row}");
        assert_eq!(row["extra"]["store"], "강남점");
    }

    let list = env.campaign(&["list", "--json"]);
    assert_eq!(list.code, 0, "{list:#?}");
    let doc = list.doc();
    assert_eq!(doc["campaigns"][0]["name"], "spring");
    assert_eq!(doc["campaigns"][0]["counts"]["issued"], 4);
}

#[test]
fn a_bad_phone_refuses_the_file_naming_the_line_and_stores_nothing() {
    let env = Env::start();
    let file = write(
        &env,
        "bad.csv",
        "phone,name,store\n010-5555-1001,가,강남점\n010-12,나,강남점\n010-5555-1003,다,강남점\n",
    );
    let run = create(&env, "bad", &file, &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("line 3") && run.stderr.contains("phone"), "{run:#?}");
    assert!(!run.all().contains("010-5555-1001"), "{run:#?}");
    let list = env.campaign(&["list", "--json"]);
    assert_eq!(list.code, 0, "{list:#?}");
    assert_eq!(list.doc()["campaigns"].as_array().unwrap().len(), 0, "{list:#?}");

    let json = create(&env, "bad", &file, &["--json"]);
    assert_eq!(json.code, 2, "{json:#?}");
    let doc = json.doc();
    assert_eq!(doc["error"]["lines"][0]["line"], 3, "{doc}");
    assert_eq!(doc["error"]["lines"][0]["column"], "phone", "{doc}");
    assert_eq!(env.count(common::SEND_EPIN), 0);
}

#[test]
fn a_dry_run_prints_the_total_and_stores_nothing() {
    let env = Env::start();
    let file = csv(&env, 3);
    let run = create(&env, "dry", &file, &["--dry-run", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    assert_eq!(doc["rows"], 3, "{doc}");
    let unit = doc["goods"][0]["unit_price"].as_i64().expect("the sandbox's catalog prices the goods");
    assert_eq!(doc["total"].as_i64(), Some(3 * unit), "{doc}");
    let text = create(&env, "dry", &file, &["--dry-run"]);
    assert_eq!(text.code, 0, "{text:#?}");
    let shown = coupon::Won(u64::try_from(3 * unit).unwrap()).to_string();
    assert!(text.stdout.contains(&format!("total: {shown}")), "{shown} in {text:#?}");
    // Not even a journal: a dry run opens none.
    assert!(!env.dir.path().join("j.db").exists(), "a dry run made a journal");
    let list = env.campaign(&["list", "--json"]);
    assert_eq!(list.code, 2, "{list:#?}");
    assert_eq!((&list.doc()["error"]["kind"], &list.doc()["error"]["field"]), (&json!("not_found"), &json!("journal")));
    assert_eq!(env.count(common::SEND_EPIN), 0);
}

#[test]
fn commands_that_read_a_campaign_never_create_a_journal_at_a_mistyped_path() {
    let env = Env::start();
    let typo = format!("sqlite:{}", env.dir.path().join("typo.db").display());
    for args in [
        vec!["list"],
        vec!["status", "spring"],
        vec!["export", "spring"],
        vec!["run", "spring"],
        vec!["reconcile", "spring"],
    ] {
        let mut all = vec!["campaign"];
        all.extend(args.iter().copied());
        all.extend(["--journal", typo.as_str()]);
        let run = env.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.contains("no journal at") && run.stderr.contains("typo.db"), "{run:#?}");
        assert!(!env.dir.path().join("typo.db").exists(), "{args:?} made a journal");
    }
}

#[test]
fn a_spending_cap_stops_the_run_and_a_higher_one_finishes_it() {
    let env = Env::start();
    let file = csv(&env, 4);
    let plan = create(&env, "capped", &file, &["--dry-run", "--json"]).doc();
    let unit = plan["goods"][0]["unit_price"].as_i64().unwrap();
    let run = create(&env, "capped", &file, &[]);
    assert_eq!(run.code, 0, "{run:#?}");

    let cap = (2 * unit).to_string();
    let run = env.campaign(&["run", "capped", "--rate", "100/s", "--max-spend", &cap]);
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(run.stdout.contains("--max-spend"), "{run:#?}");
    assert_eq!(env.count(common::SEND_EPIN), 2);
    let status = env.campaign(&["status", "capped", "--json"]);
    assert_eq!(status.code, 0, "{status:#?}");
    let doc = status.doc();
    assert!(doc["stop_reason"].as_str().unwrap().contains("--max-spend"), "{doc}");
    assert_eq!(doc["counts"]["issued"], 2, "{doc}");
    assert_eq!(doc["spent"]["won"].as_i64(), Some(2 * unit), "{doc}");

    let cap = (4 * unit).to_string();
    let run = env.campaign(&["run", "capped", "--rate", "100/s", "--max-spend", &cap, "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 4);
    assert_eq!(env.count(common::SEND_EPIN), 4);
    let status = env.campaign(&["status", "capped", "--json"]);
    assert!(status.doc()["stop_reason"].is_null(), "{status:#?}");
}

#[test]
fn running_an_unknown_campaign_exits_2() {
    let env = Env::start();
    let file = csv(&env, 1);
    assert_eq!(create(&env, "other", &file, &[]).code, 0, "a journal with another campaign");
    let run = env.campaign(&["run", "nosuch"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("nosuch"), "{run:#?}");
    let run = env.campaign(&["run", "nosuch", "--json"]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.doc()["error"]["kind"], "not_found");
}

#[test]
fn run_options_out_of_range_are_refused_naming_the_flag_the_limit_and_the_value() {
    let env = Env::start();
    let file = csv(&env, 1);
    assert_eq!(create(&env, "spring", &file, &[]).code, 0);
    for (flags, field, said) in [
        (["--concurrency", "0"], "concurrency", "--concurrency must be 1 or more; 0 given"),
        (["--breaker", "0"], "breaker", "--breaker must be 1 or more; 0 given"),
        (["--lease", "500ms"], "lease", "--lease must be at least 1s; `500ms` given"),
        (["--lease", "99999999999999999999h"], "lease", "is beyond any duration"),
        (["--max-spend", "18446744073709551615"], "max_spend", "at most 9223372036854775807 won; 18446744073709551615"),
    ] {
        let mut args = vec!["run", "spring"];
        args.extend(flags);
        args.push("--json");
        let run = env.campaign(&args);
        assert_eq!(run.code, 2, "{flags:?}: {run:#?}");
        let doc = run.doc();
        assert_eq!(doc["error"]["field"], field, "{doc}");
        assert!(doc["error"]["message"].as_str().unwrap().contains(said), "{doc}");
    }
    assert_eq!(env.count(common::SEND_EPIN), 0, "refused before anything was sent");
}

#[test]
fn a_journal_password_is_never_shown_even_in_a_mistyped_url() {
    let env = Env::start();
    for url in
        ["postgres//coupon:s3cret@db/c", "mysql://coupon:s3cret@db/c", "postgres://127.0.0.1:9/c?password=s3cret"]
    {
        for args in [vec!["list", "--journal", url], vec!["list", "--journal", url, "--json"]] {
            let run = env.campaign(&args);
            assert_ne!(run.code, 0, "{run:#?}");
            assert!(!run.all().contains("s3cret"), "{url}: {run:#?}");
        }
    }
}

#[test]
fn importing_the_same_file_again_adds_only_rows_with_new_keys() {
    let env = Env::start();
    let phones = phones(3);
    let first = format!("key,phone,name,store\na,{},김,강남점\nb,{},이,강남점\n", phones[0], phones[1]);
    let run = create(&env, "keys", &write(&env, "first.csv", &first), &["--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!((run.doc()["added"].as_u64(), run.doc()["existed"].as_bool()), (Some(2), Some(false)));
    // The file again, grown at its end: only `c` is new.
    let grown = format!("{first}c,{},박,역삼점\n", phones[2]);
    let run = create(&env, "keys", &write(&env, "grown.csv", &grown), &["--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let doc = run.doc();
    let counts = (doc["added"].as_u64(), doc["known_keys_skipped"].as_u64(), doc["existed"].as_bool());
    assert_eq!(counts, (Some(1), Some(2), Some(true)));
    // Rows that moved to lines other rows hold: refused, nothing added.
    let moved = format!("key,phone,name,store\nd,{},최,역삼점\n", phones[2]);
    let run = create(&env, "keys", &write(&env, "moved.csv", &moved), &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.all().contains("line 2"), "{run:#?}");
    let run = env.campaign(&["run", "keys", "--rate", "100/s"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let issued = env.block(env.sandbox.admin().issued("giftletter")).unwrap();
    assert_eq!(issued.len(), 3, "each key issued once");
}

#[test]
fn csv_encodings_bom_cp949_and_a_mixed_file() {
    let env = Env::start();
    let phones = phones(2);
    // UTF-8 with a byte order mark.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(format!("phone,name,store\n{},홍길동,강남점\n", phones[0]).as_bytes());
    let path = env.dir.path().join("bom.csv");
    std::fs::write(&path, &bom).unwrap();
    let run = create(&env, "bom", &path, &["--dry-run", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    // CP949, as Korean Excel saves it.
    let text = format!("phone,name,store\n{},홍길동,강남점\n", phones[1]);
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(&text);
    let path = env.dir.path().join("excel.csv");
    std::fs::write(&path, &cp949).unwrap();
    let run = create(&env, "excel", &path, &["--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let export = env.campaign(&["export", "excel", "--format", "json"]);
    assert!(export.stdout.contains("홍길동"), "decoded from CP949: {export:#?}");
    // One UTF-8 line in a CP949 file: refused whole, naming the line.
    let mut mixed = cp949.into_owned();
    mixed.extend_from_slice(format!("{},김철수,역삼점\n", phones[0]).as_bytes());
    let path = env.dir.path().join("mixed.csv");
    std::fs::write(&path, &mixed).unwrap();
    let run = create(&env, "mixed", &path, &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.all().contains("line 3"), "{run:#?}");
    let list = env.campaign(&["list", "--json"]);
    assert!(!list.stdout.contains("mixed"), "nothing stored: {list:#?}");
}

#[test]
fn the_same_phone_with_the_same_goods_twice_is_refused_unless_allowed() {
    let env = Env::start();
    let phone = &phones(1)[0];
    let text = format!("phone,name,store\n{phone},김,강남점\n{phone},김,강남점\n");
    let path = write(&env, "twice.csv", &text);
    let run = create(&env, "twice", &path, &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.all().contains("line 3") && run.all().contains("line 2"), "{run:#?}");
    let run = create(&env, "twice", &path, &["--allow-duplicate-recipients"]);
    assert_eq!(run.code, 0, "{run:#?}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_with_what_was_in_flight_recorded_and_a_new_run_resumes() {
    let env = Env::start();
    let file = csv(&env, 40);
    assert_eq!(create(&env, "signals", &file, &[]).code, 0);
    let journal = env.journal();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_coupon"))
        .current_dir(env.dir.path())
        .env_remove("COUPON_JOURNAL")
        .arg("--config")
        .arg(env.config.path())
        .args(["campaign", "run", "signals", "--journal", &journal, "--rate", "10/s", "--concurrency", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("stopping: in-flight calls finish and are recorded"), "{stderr}");
    let doc = env.campaign(&["status", "signals", "--json"]).doc();
    let issued = doc["counts"]["issued"].as_u64().unwrap();
    assert!(issued > 0 && issued < 40, "stopped part way: {doc}");
    assert_eq!(doc["counts"]["sending"], 0, "nothing left in flight: {doc}");
    assert_eq!(env.count(common::SEND_EPIN), issued, "every send recorded");

    let run = env.campaign(&["run", "signals", "--rate", "100/s", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.doc()["counts"]["issued"], 40);
    assert_eq!(env.count(common::SEND_EPIN), 40, "each row sent once across the stop");
}
