//! A service under test: the sandbox and the service on loopback, on a journal of its own (a SQLite
//! file, or a PostgreSQL schema of its own when `COUPON_TEST_POSTGRES_URL` names a server), with API
//! keys of every scope. Vendors are taken from the sandbox's samples, never named.
#![allow(dead_code)]

// The campaign engine's own: a SQLite file, or a PostgreSQL schema of its own (its macro is for its tests).
#[allow(unused_macros, unused_imports)]
#[path = "../../../coupon-campaign/tests/backend/mod.rs"]
pub mod backend;

use std::sync::Arc;
use std::time::Duration;

use coupon::config::CouponConfig;
use coupon::{Adapter, Capabilities, Registry};
use coupon_journal::{ApiKey, Journal};
use coupon_sandbox::{IssueSample, RunningSandbox, Samples, Sandbox, SandboxAdmin};
use coupon_server::auth::keys;
use coupon_server::{AppState, ServeConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use backend::Store;

/// A running service.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client.
    pub http: reqwest::Client,
    /// The sandbox behind it.
    pub sandbox: RunningSandbox,
    /// The journal it runs on.
    pub journal: Arc<dyn Journal>,
    /// Its state (its worker, its metrics).
    pub state: AppState,
    /// Every installed adapter the sandbox emulates, by vendor, with its samples.
    pub vendors: Vec<(String, Capabilities, Samples)>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    store: Option<Store>,
}

/// Settings fast enough for tests: the reconciler looks every 100 ms, first after 50 ms.
pub fn fast_config() -> ServeConfig {
    let mut c = ServeConfig::default();
    c.reconcile_every = Duration::from_millis(100);
    c.first_check = Duration::from_millis(50);
    c.key_cache = Duration::from_millis(200);
    c.shutdown_grace = Duration::from_secs(10);
    c
}

impl TestServer {
    /// Starts one on `store` with [`fast_config`].
    pub async fn start(store: Store) -> Self {
        Self::start_with(store, fast_config()).await
    }

    /// Starts one on `store` with `config`.
    pub async fn start_with(store: Store, config: ServeConfig) -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let installed = coupon::installed_adapters();
        let toml = sandbox.config_toml_for(&installed);
        let parsed = CouponConfig::parse(&toml, "test", Vec::new()).unwrap();
        let registry = Registry::from_inventory();
        let samples = sandbox.state().samples();
        let mut adapters: Vec<Arc<dyn Adapter>> = Vec::new();
        let mut vendors = Vec::new();
        for vendor in parsed.vendors() {
            let adapter = registry.build(parsed.section(vendor).unwrap()).unwrap();
            vendors.push((
                vendor.to_string(),
                adapter.capabilities(),
                samples.get(vendor).cloned().unwrap_or_default(),
            ));
            adapters.push(adapter);
        }
        let journal: Arc<dyn Journal> = Arc::from(coupon_journal::open(&store.url).await.unwrap());
        let state = AppState::new(journal.clone(), adapters, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(coupon_server::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self {
            base,
            http: reqwest::Client::new(),
            sandbox,
            journal,
            state,
            vendors,
            shutdown: Some(tx),
            task: Some(task),
            store: Some(store),
        }
    }

    /// A fresh API key with `scopes` (comma-separated).
    pub async fn key(&self, scopes: &str) -> String {
        let made = keys::generate().unwrap();
        let name = format!("test-{}", made.id);
        let record = ApiKey {
            id: made.id.clone(),
            name,
            scopes: scopes.split(',').map(str::to_string).collect(),
            secret_hash: made.secret_hash.clone(),
            created_at: coupon::chrono::Utc::now(),
            revoked_at: None,
        };
        self.journal.create_api_key(&record).await.unwrap();
        made.token
    }

    /// The sandbox's admin API.
    pub fn admin(&self) -> SandboxAdmin {
        self.sandbox.admin()
    }

    /// The first vendor whose adapter offers everything in `needs` and whose emulator has an issue sample.
    pub fn vendor_with(&self, needs: impl Fn(&Capabilities) -> bool) -> Option<(String, IssueSample)> {
        self.vendors
            .iter()
            .filter(|(_, c, _)| c.issue && needs(c))
            .find_map(|(v, _, s)| s.issue.clone().map(|i| (v.clone(), i)))
    }

    /// Every vendor that issues, with its sample.
    pub fn issuing_vendors(&self) -> Vec<(String, IssueSample)> {
        self.vendors
            .iter()
            .filter(|(_, c, _)| c.issue)
            .filter_map(|(v, _, s)| s.issue.clone().map(|i| (v.clone(), i)))
            .collect()
    }

    /// A vendor whose sample product can be issued again and again: one that delivers coupons to
    /// recipients (a vendor that buys into the account may sell an item once).
    pub fn repeatable(&self) -> (String, IssueSample) {
        self.vendor_with(|c| c.issue_delivers).expect("an installed adapter that issues to recipients")
    }

    /// Makes `vendor`'s adapter ready without issuing (a read fetches a token, where the vendor has one), so
    /// a fault injected next meets the request that follows.
    pub async fn warm(&self, vendor: &str) {
        let caps = self.vendors.iter().find(|(v, _, _)| v == vendor).map(|(_, c, _)| *c).unwrap_or_default();
        if caps.products {
            let key = self.key("read").await;
            let samples = &self.vendors.iter().find(|(v, _, _)| v == vendor).unwrap().2;
            let mut q = Vec::new();
            if let Some(p) = &samples.products {
                q.extend(p.brand.as_ref().map(|b| format!("brand={b}")));
                q.extend(p.category.as_ref().map(|c| format!("category={c}")));
            }
            let r = self.get(&key, &format!("/v1/vendors/{vendor}/products?{}", q.join("&"))).await;
            assert_eq!(r.status(), 200, "{vendor}: {}", r.text().await.unwrap());
        }
    }

    /// A vendor whose adapter lacks `issue` (for 501), if any.
    pub fn vendor_without(&self, lacks: impl Fn(&Capabilities) -> bool) -> Option<String> {
        self.vendors.iter().find(|(_, c, _)| lacks(c)).map(|(v, _, _)| v.clone())
    }

    /// `POST /v1/issues` under `idem` with `body`.
    pub async fn issue(&self, key: &str, idem: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}/v1/issues", self.base))
            .bearer_auth(key)
            .header("Idempotency-Key", idem)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// `GET` a path with `key`.
    pub async fn get(&self, key: &str, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).bearer_auth(key).send().await.unwrap()
    }

    /// `POST` a path with `key`, an optional Idempotency-Key and no body.
    pub async fn post(&self, key: &str, path: &str, idem: Option<&str>) -> reqwest::Response {
        let mut r = self.http.post(format!("{}{path}", self.base)).bearer_auth(key);
        if let Some(i) = idem {
            r = r.header("Idempotency-Key", i);
        }
        r.send().await.unwrap()
    }

    /// Polls `GET /v1/issues/{idem}` until its state is not `unknown` nor `in_flight` (at most 10 s).
    pub async fn settled(&self, key: &str, idem: &str) -> Value {
        for _ in 0..200 {
            let v: Value = self.get(key, &format!("/v1/issues/{idem}")).await.json().await.unwrap();
            if v["state"] != "unknown" && v["state"] != "in_flight" {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the issue {idem} was not settled in 10 s");
    }

    /// Stops the service (as SIGTERM would) and removes its journal.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        self.journal.close().await;
        if let Some(store) = self.store.take() {
            store.remove().await;
        }
    }
}

/// An issue body from a vendor's sample.
pub fn body(vendor: &str, sample: &IssueSample) -> Value {
    let mut b = json!({"vendor": vendor, "product": sample.product_id});
    for (field, value) in [
        ("to", &sample.recipient),
        ("callback", &sample.callback),
        ("title", &sample.title),
        ("message", &sample.message),
        ("product_name", &sample.product_name),
    ] {
        if let Some(v) = value {
            b[field] = json!(v);
        }
    }
    if let Some(a) = sample.amount {
        b["amount"] = json!(a);
    }
    b
}

/// Runs each named `async fn(&TestServer)` as a test on SQLite, and on PostgreSQL when the server is named.
// Not every test binary that shares this module runs on both backends.
#[allow(unused_macros)]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = crate::common::TestServer::start(crate::common::Store::sqlite()).await;
                    super::$name(&s).await;
                    s.stop().await;
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(store) = crate::common::Store::postgres().await else { return };
                    let s = crate::common::TestServer::start(store).await;
                    super::$name(&s).await;
                    s.stop().await;
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_every_backend;
