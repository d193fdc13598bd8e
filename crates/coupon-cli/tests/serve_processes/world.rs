//! What the `coupon serve` processes of a test share: a sandbox in the test process, its
//! configuration file, one journal (a SQLite file, or a PostgreSQL schema of its own), an API
//! key made with `coupon keys create`, and the vendor the test issues with, chosen from the
//! sandbox's samples and the adapters' capabilities (never named).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::process::Command;
use std::time::Duration;

use coupon::config::CouponConfig;
use coupon::{Capabilities, Registry};
use coupon_sandbox::{FaultKind, FaultSpec, IssueSample, IssuedItem, RunningSandbox, Sandbox};
use serde_json::{Value, json};
use tempfile::{NamedTempFile, TempDir};

use super::replica::{Launch, Replica};

/// An API key as `coupon keys create --json` prints it once.
pub struct ApiKey {
    /// The bearer token.
    pub token: String,
}

/// A test's sandbox, configuration, journal and vendor.
pub struct World {
    pub sandbox: RunningSandbox,
    pub config: NamedTempFile,
    pub dir: TempDir,
    /// The journal every replica shares.
    pub journal: String,
    schema: Option<(sqlx::PgPool, String)>,
    /// The vendor issued with: it delivers to recipients (its sample product can be issued again and
    /// again) and reconciles (a doubt can be settled).
    pub vendor: String,
    pub sample: IssueSample,
    pub http: reqwest::Client,
}

impl World {
    /// A world on a SQLite journal in its temporary directory.
    pub async fn sqlite() -> World {
        let dir = tempfile::tempdir().unwrap();
        let journal = format!("sqlite:{}", dir.path().join("journal.db").display());
        World::on(dir, journal, None).await
    }

    /// A world on a PostgreSQL schema of its own in the server `COUPON_TEST_POSTGRES_URL` names; `None`
    /// (skipped, with a note) when it is unset, except under `CI=true`, where that fails.
    pub async fn postgres() -> Option<World> {
        const URL_VAR: &str = "COUPON_TEST_POSTGRES_URL";
        let base = match std::env::var(URL_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but {URL_VAR} is unset: CI must run the replica tests (see .ci/postgres)")
            }
            _ => {
                // Once per run, and past the test harness's capture (which would hide it).
                static NOTE: std::sync::Once = std::sync::Once::new();
                NOTE.call_once(|| {
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: {URL_VAR} is unset: the `coupon serve` replica tests are skipped (they pass without \
                         running; start a server with `.ci/postgres start`)"
                    );
                });
                return None;
            }
        };
        let schema = format!("coupon_serve_{:016x}", fastrand::u64(..));
        let admin = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let journal = format!("{base}{sep}options[search_path]={schema}");
        Some(World::on(tempfile::tempdir().unwrap(), journal, Some((admin, schema))).await)
    }

    async fn on(dir: TempDir, journal: String, schema: Option<(sqlx::PgPool, String)>) -> World {
        let sandbox = Sandbox::start().await.expect("the sandbox starts");
        let toml = sandbox.config_toml_for(&coupon::installed_adapters());
        let mut config = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        config.write_all(toml.as_bytes()).unwrap();
        let (vendor, sample) = repeatable_vendor(&sandbox, &toml);
        World { sandbox, config, dir, journal, schema, vendor, sample, http: reqwest::Client::new() }
    }

    /// Starts a replica named `name` (its logs go to `NAME.log` in the test's directory) with `flags`.
    pub async fn replica(&self, name: &str, flags: &[&str]) -> Replica {
        Replica::start(Launch {
            journal: &self.journal,
            config: self.config.path(),
            logs: self.dir.path().join(format!("{name}.log")),
            flags,
        })
        .await
    }

    /// `coupon keys create NAME --scope SCOPES --json --journal J`: the key it prints once.
    pub async fn key(&self, name: &str, scopes: &str) -> ApiKey {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coupon"));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("COUPON_")) {
            cmd.env_remove(key);
        }
        cmd.args(["keys", "create", name, "--scope", scopes, "--json", "--journal", &self.journal]);
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
        assert!(out.status.success(), "coupon keys create: {}", String::from_utf8_lossy(&out.stderr));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        ApiKey { token: doc["key"].as_str().unwrap().to_string() }
    }

    /// The issue body of the vendor's sample.
    pub fn body(&self) -> Value {
        let s = &self.sample;
        let mut b = json!({"vendor": self.vendor, "product": s.product_id});
        for (field, value) in [
            ("to", &s.recipient),
            ("callback", &s.callback),
            ("title", &s.title),
            ("message", &s.message),
            ("product_name", &s.product_name),
        ] {
            if let Some(v) = value {
                b[field] = json!(v);
            }
        }
        if let Some(a) = s.amount {
            b["amount"] = json!(a);
        }
        b
    }

    /// `POST /v1/issues` to `base` under `idem`.
    pub async fn issue(&self, base: &str, key: &ApiKey, idem: &str) -> reqwest::Result<reqwest::Response> {
        issue_with(&self.http, base, &key.token, idem, &self.body()).await
    }

    /// `GET /v1/issues/{idem}` on `base`: its status and body.
    pub async fn read(&self, base: &str, key: &ApiKey, idem: &str) -> (u16, Value) {
        let r = self.http.get(format!("{base}/v1/issues/{idem}")).bearer_auth(&key.token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// What the sandbox has issued for the vendor, oldest first.
    pub async fn issued(&self) -> Vec<IssuedItem> {
        self.sandbox.admin().issued(&self.vendor).await.unwrap()
    }

    /// The sandbox's paths that an issue through `replica` reaches (the adapter warmed first, so a token
    /// fetch is not among them): where the faults on the vendor's issue go.
    pub async fn issue_paths(&self, replica: &Replica, key: &ApiKey) -> BTreeSet<String> {
        let warm = self.issue(&replica.base, key, "warm-up-1").await.unwrap();
        assert_eq!(warm.status(), 201, "{}", warm.text().await.unwrap());
        let before = self.sandbox.admin().stats().await.unwrap().requests;
        let again = self.issue(&replica.base, key, "warm-up-2").await.unwrap();
        assert_eq!(again.status(), 201, "{}", again.text().await.unwrap());
        let after = self.sandbox.admin().stats().await.unwrap().requests;
        let paths: BTreeSet<String> =
            after.into_iter().filter(|(path, n)| before.get(path) != Some(n)).map(|(path, _)| path).collect();
        assert!(!paths.is_empty(), "an issue reached the sandbox");
        eprintln!("{}: an issue reaches {paths:?}", self.vendor);
        paths
    }

    /// Queues `fault` for the next `times` requests on each of `paths`.
    pub async fn fault(&self, paths: &BTreeSet<String>, fault: FaultKind, times: u32) {
        for path in paths {
            self.sandbox.admin().inject(FaultSpec::new(path.clone(), fault.clone()).times(times)).await.unwrap();
        }
    }

    /// Drops the PostgreSQL schema, if any.
    pub async fn finish(self) {
        if let Some((admin, schema)) = &self.schema {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(admin).await.unwrap();
            admin.close().await;
        }
    }
}

/// `POST {base}/v1/issues` under `idem` with `body`.
pub async fn issue_with(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    idem: &str,
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    http.post(format!("{base}/v1/issues"))
        .bearer_auth(token)
        .header("Idempotency-Key", idem)
        .timeout(Duration::from_secs(30))
        .json(body)
        .send()
        .await
}

/// The first configured vendor whose adapter issues to recipients and reconciles, with its emulator's
/// issue sample.
fn repeatable_vendor(sandbox: &RunningSandbox, toml: &str) -> (String, IssueSample) {
    let parsed = CouponConfig::parse(toml, "the sandbox configuration", Vec::new()).unwrap();
    let registry = Registry::from_inventory();
    let samples = sandbox.state().samples();
    parsed
        .vendors()
        .find_map(|vendor| {
            let caps: Capabilities = registry.build(parsed.section(vendor)?).ok()?.capabilities();
            let sample = samples.get(vendor)?.issue.clone()?;
            (caps.issue && caps.issue_delivers && caps.reconcile).then(|| (vendor.to_string(), sample))
        })
        .expect("an installed adapter that issues to recipients and reconciles")
}
