//! Shared by the CLI tests: a sandbox in this process, its configuration in a temp
//! file, and the `coupon` binary run against it.

#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use coupon_sandbox::{FaultKind, FaultSpec, RunningSandbox, Sandbox};
use serde_json::Value;
use tempfile::{NamedTempFile, TempDir};

/// The secrets of the sandbox's configuration: never printed, not even with `--reveal`.
/// Derived, so a vendor added later is covered: every installed adapter's secret keys
/// (its factory says which), with the values its emulator's section gives them.
pub fn secrets() -> &'static [String] {
    static SECRETS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SECRETS.get_or_init(|| {
        let registry = coupon::Registry::from_inventory();
        let mut values = Vec::new();
        for emulator in coupon_sandbox::emulators() {
            let Some(factory) = registry.get(emulator.name()) else { continue };
            let section = emulator.config_section("http://127.0.0.1:1/x");
            for key in factory.secret_keys() {
                let value = section.lines().find_map(|line| {
                    let (k, v) = line.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
                });
                values.extend(value.filter(|v| !v.is_empty()));
            }
        }
        assert!(values.len() >= 4, "the sandbox's configuration holds secrets: {values:?}");
        values
    })
}

pub const SEND_EPIN: &str = "/giftletter/SendEPin";
pub const BUY: &str = "/giftimbiz/api/v1/giftimbiz/buyGifticoupon";
pub const STAR_BUY: &str = "/giftimbiz/api/v1/giftimbiz/buyStarcoupon";
pub const COUFUN: &str = "/coufun/b2c_api/coufunPartAmountStatus.do";

/// A goods the Giftletter fixtures can issue, and its brand.
pub const GOODS: &str = "0000000582";
pub const PHONE: &str = "010-1234-5678";
pub const PHONE_DIGITS: &str = "01012345678";

/// One run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as the one JSON document it must be.
    pub fn doc(&self) -> Value {
        serde_json::from_str(self.stdout.trim_end()).unwrap_or_else(|e| {
            panic!("stdout is not one JSON document ({e}):\n{}\nstderr: {}", self.stdout, self.stderr)
        })
    }

    /// Both streams, for "never shows" checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A sandbox and the configuration file pointing at it.
pub struct Env {
    // Dropped before the runtime that serves it.
    pub sandbox: RunningSandbox,
    pub config: NamedTempFile,
    pub dir: TempDir,
    rt: tokio::runtime::Runtime,
}

impl Env {
    /// A fresh sandbox with its own configuration, as `coupon sandbox` prints it.
    pub fn start() -> Self {
        Self::with_config(|toml| toml.to_string())
    }

    /// A fresh sandbox; `edit` turns its configuration text into the file the CLI reads.
    pub fn with_config(edit: impl FnOnce(&str) -> String) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sandbox = rt.block_on(Sandbox::start()).expect("the sandbox starts");
        // The sections of the adapters the binary has (the facade it links, as this test does).
        let config = write_config(&edit(&sandbox.config_toml_for(&coupon::installed_adapters())));
        Self { sandbox, config, dir: tempfile::tempdir().unwrap(), rt }
    }

    /// Runs `coupon --config FILE ARGS…` and checks that no secret was printed.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), Some(self.config.path()), args)
    }

    /// This test's campaign journal: `sqlite:<dir>/j.db`.
    pub fn journal(&self) -> String {
        format!("sqlite:{}", self.dir.path().join("j.db").display())
    }

    /// Runs `coupon campaign ARGS… --journal J` on [`Env::journal`].
    pub fn campaign(&self, args: &[&str]) -> Run {
        let journal = self.journal();
        let mut all = vec!["campaign"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--journal", &journal]);
        self.run(&all)
    }

    /// Runs with `--json`, expects `code`, and returns the document.
    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let run = self.run(&all);
        assert_eq!(run.code, code, "coupon {args:?}: {run:#?}");
        run.doc()
    }

    /// Runs an admin call (or any future) on the sandbox's runtime.
    pub fn block<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// Makes the next `count` requests under `path` fail with `fault`.
    pub fn fault(&self, path: &str, fault: FaultKind, count: u32) {
        self.block(self.sandbox.admin().inject(FaultSpec::new(path, fault).times(count))).unwrap();
    }

    /// Requests the sandbox received on `path`.
    pub fn count(&self, path: &str) -> u64 {
        self.sandbox.request_count(path)
    }

    /// Every request the sandbox received, on any path.
    pub fn total_requests(&self) -> u64 {
        self.block(self.sandbox.admin().stats()).unwrap().requests.values().sum()
    }

    /// The real PIN of a Giftletter order, from the sandbox's admin view.
    pub fn giftletter_pin(&self, order_id: &str) -> String {
        let url = format!("{}/_sandbox/giftletter/coupons", self.sandbox.base_url());
        let body: Value = self.block(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
        let coupon = body["coupons"].as_array().unwrap().iter().find(|c| c["order_id"] == order_id).unwrap();
        coupon["epin"].as_str().unwrap().to_string()
    }

    /// A store redeems a coupon now (admin API).
    pub fn redeem(&self, vendor: &str, id: &str, branch: &str) -> Value {
        self.block(self.sandbox.admin().redeem(vendor, id, Some(branch))).unwrap()
    }

    /// Issues a Giftletter PIN; answers (order id, real PIN).
    pub fn issue(&self) -> (String, String) {
        let doc = self.json(&issue_args(&[]), 0);
        let order = doc["order_id"].as_str().unwrap().to_string();
        let pin = self.giftletter_pin(&order);
        (order, pin)
    }
}

/// `giftletter issue` with every required flag, plus `extra`.
pub fn issue_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "giftletter",
        "issue",
        "--goods",
        GOODS,
        "--to",
        PHONE,
        "--callback",
        "1588-1234",
        "--title",
        "선물이 도착했어요",
        "--content",
        "모바일 상품권을 보내드립니다",
    ];
    args.extend_from_slice(extra);
    args
}

/// `giftletter issue` with the value of `flag` replaced by `value`.
pub fn issue_with<'a>(flag: &str, value: &'a str) -> Vec<&'a str> {
    let mut args = issue_args(&[]);
    let at = args.iter().position(|a| *a == flag).expect("a flag of issue") + 1;
    args[at] = value;
    args
}

/// A configuration file with `text`.
pub fn write_config(text: &str) -> NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

/// Runs the binary in `dir` with only `config` (if any) and none of the caller's `COUPON_*` variables.
pub fn run_in(dir: &Path, config: Option<&Path>, args: &[&str]) -> Run {
    run_with_env(dir, config, args, &[])
}

/// As [`run_in`], with `env` set.
pub fn run_with_env(dir: &Path, config: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::cargo_bin("coupon").expect("the coupon binary is built");
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("COUPON_")) {
        cmd.env_remove(key);
    }
    cmd.envs(env.iter().copied()).current_dir(dir);
    if let Some(path) = config {
        cmd.arg("--config").arg(path);
    }
    let output = cmd.args(args).output().expect("the binary runs");
    let run = Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    for secret in secrets() {
        assert!(!run.all().contains(secret.as_str()), "coupon {args:?} printed the secret {secret}: {run:#?}");
    }
    run
}

/// Asserts an error document of `kind` and returns its inner object.
pub fn error(doc: &Value, kind: &str) -> Value {
    let e = &doc["error"];
    assert_eq!(e["kind"], kind, "{doc}");
    for key in ["kind", "vendor", "vendor_code", "message", "retryable", "partner_ref"] {
        assert!(e.get(key).is_some(), "`{key}` missing in {doc}");
    }
    assert!(e["retryable"].is_boolean(), "{doc}");
    e.clone()
}

/// Splits a printed command (`coupon reconcile --vendor v --since "…"`) into arguments, without `coupon`.
pub fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in command.split('"').enumerate() {
        if i % 2 == 1 {
            out.push(part.to_string());
        } else {
            out.extend(part.split_whitespace().map(str::to_string));
        }
    }
    assert_eq!(out.first().map(String::as_str), Some("coupon"), "{command}");
    out.remove(0);
    out
}

/// Each installed adapter's name and capabilities, as `coupon adapters --json` lists them.
pub fn adapters() -> Vec<(String, serde_json::Map<String, Value>)> {
    let dir = tempfile::tempdir().unwrap();
    let run = run_in(dir.path(), None, &["adapters", "--json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    run.doc()["adapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_string(), a["capabilities"].as_object().unwrap().clone()))
        .collect()
}
