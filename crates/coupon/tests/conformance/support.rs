//! What every check of the conformance suite shares: the sandbox, the installed
//! adapters paired with their emulators, the requests built from the emulators'
//! samples, the request counters, the log capture and the per-check report.
//!
//! Nothing here names a vendor: the adapters come from the registry, their inputs
//! from `SandboxAdmin::samples()` (as arguments through `coupon::sandbox_samples`, as
//! `coupon demo` takes them), their configuration from the sandbox's own.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use coupon::config::{ConfigSection, CouponConfig};
use coupon::{Adapter, AdapterFactory, Error, ErrorKind, IssueRequest, Registry, op, sandbox_samples};
use coupon_sandbox::{
    FaultKind, FaultSpec, IssuedItem, RunningSandbox, Samples, Sandbox, SandboxAdmin, SandboxError, Stats,
};

/// Short timeouts so a misbehaving adapter fails the suite in seconds, not minutes.
const TIMEOUT_MS: &str = "3000";

// ---------------------------------------------------------------------------------
// Logs

/// Everything the library logs, at TRACE, during the whole run of this test binary.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The logs so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}

/// The process-wide TRACE capture, installed by the first test that starts a suite.
pub fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this test binary");
        captured
    })
}

// ---------------------------------------------------------------------------------
// The sandbox and the adapters under test

/// One installed adapter and what its emulator gives to exercise it.
pub struct Subject {
    /// The factory (name, capabilities, secret keys).
    pub factory: &'static AdapterFactory,
    /// The emulator's samples (`SandboxAdmin::samples()[name]`).
    pub samples: Samples,
    /// The sandbox's configuration section for it, with the suite's short timeouts.
    pub section: ConfigSection,
    /// The same section as the sandbox wrote it (for the secret values).
    pub section_text: String,
}

impl Subject {
    /// The vendor name (also the emulator's route prefix).
    pub fn name(&self) -> &'static str {
        self.factory.name
    }

    /// A fresh adapter built from the section, through the registry.
    pub fn build(&self) -> Result<Arc<dyn Adapter>, String> {
        Registry::from_inventory().build(&self.section).map_err(|e| format!("building the adapter failed: {e}"))
    }

    /// A fresh adapter built from the section with `key = value` added.
    pub fn build_with(&self, key: &str, value: &str) -> Result<Arc<dyn Adapter>, String> {
        let mut section = self.section.clone();
        section.set(key, value);
        Registry::from_inventory().build(&section).map_err(|e| format!("building the adapter with {key} failed: {e}"))
    }

    /// The `issue` sample as a request with a freshly generated partner reference.
    pub fn issue_request(&self) -> Result<IssueRequest, String> {
        let sample = self.samples.issue.as_ref().ok_or("the emulator's samples have no `issue`")?;
        sandbox_samples::issue_request(sample).map_err(|e| format!("the `issue` sample: {e}"))
    }

    /// The sample recipient, as written and as bare digits (personal data the suite looks for).
    pub fn recipient(&self) -> Vec<String> {
        let Some(phone) = self.samples.issue.as_ref().and_then(|i| i.recipient.as_deref()) else { return Vec::new() };
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        vec![phone.to_string(), digits]
    }

    /// The coupon numbers of the samples (`coupon`, `balance_coupon`): PINs the suite looks for.
    pub fn sample_pins(&self) -> Vec<String> {
        [&self.samples.coupon, &self.samples.balance_coupon].into_iter().flatten().map(|c| c.barcode.clone()).collect()
    }

    /// The values of the section's secret keys, as the sandbox wrote them.
    pub fn secret_values(&self) -> Vec<String> {
        self.factory
            .secret_keys()
            .filter_map(|key| {
                self.section_text.lines().find_map(|line| {
                    let (k, v) = line.split_once('=')?;
                    (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
                })
            })
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The read this adapter offers and its samples feed, in the order product →
    /// products → status by the sample coupon → balance.
    pub fn read(&self) -> Option<Read> {
        let c = self.factory.capabilities;
        let fed = |read: Read| match read {
            Read::Product => self.samples.product.is_some(),
            Read::Products => self.samples.products.is_some(),
            Read::Status => self.samples.coupon.is_some(),
            Read::Balance => self.samples.balance_coupon.is_some(),
        };
        Read::ALL.into_iter().find(|read| c.offers(read.operation()) && fed(*read))
    }

    /// Runs a read operation with its sample; `Ok` carries nothing, the error as it came.
    pub async fn run_read(&self, adapter: &dyn Adapter, read: Read) -> Result<(), Error> {
        let missing = |key: &str| Error::config(format!("no `{key}` sample"));
        let samples = &self.samples;
        match read {
            Read::Product => {
                let id = samples.product.as_deref().ok_or_else(|| missing("product"))?;
                adapter.product(id).await.map(drop)
            }
            Read::Products => {
                let query = samples.products.as_ref().map(sandbox_samples::products_query).unwrap_or_default();
                adapter.products(&query).await.map(drop)
            }
            Read::Status => {
                let coupon = samples.coupon.as_ref().ok_or_else(|| missing("coupon"))?;
                adapter.status(&sandbox_samples::coupon(coupon)).await.map(drop)
            }
            Read::Balance => {
                let coupon = samples.balance_coupon.as_ref().ok_or_else(|| missing("balance_coupon"))?;
                adapter.balance(&sandbox_samples::coupon(coupon)).await.map(drop)
            }
        }
    }

    /// One successful call, so that token fetches and other first-call work are done
    /// before a fault is queued: a read when the adapter has one, else an issue.
    pub async fn warm_up(&self, adapter: &dyn Adapter) -> Result<(), String> {
        if let Some(read) = self.read() {
            return self.run_read(adapter, read).await.map_err(|e| format!("warm-up {read:?} failed: {e}"));
        }
        if self.factory.capabilities.issue {
            let request = self.issue_request()?;
            return adapter.issue(&request).await.map(drop).map_err(|e| format!("warm-up issue failed: {e}"));
        }
        Ok(())
    }
}

/// A read operation the suite can call with the samples alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// `product(samples.product)`
    Product,
    /// `products(samples.products)`
    Products,
    /// `status(samples.coupon)`
    Status,
    /// `balance(samples.balance_coupon)`
    Balance,
}

impl Read {
    /// Every read, in the order [`Subject::read`] prefers them.
    pub const ALL: [Read; 4] = [Read::Product, Read::Products, Read::Status, Read::Balance];

    /// The operation, as `coupon::op` names it (and a `refusal` sample too).
    pub fn operation(self) -> &'static str {
        match self {
            Read::Product => op::PRODUCT,
            Read::Products => op::PRODUCTS,
            Read::Status => op::STATUS,
            Read::Balance => op::BALANCE,
        }
    }

    /// The read named `operation`, as in a `refusal` sample.
    pub fn from_operation(operation: &str) -> Option<Read> {
        Read::ALL.into_iter().find(|r| r.operation() == operation)
    }
}

/// A sandbox on loopback and every installed adapter paired with its emulator.
pub struct Suite {
    /// The sandbox (one per test), kept running for as long as the suite lives.
    _sandbox: RunningSandbox,
    /// Its admin API.
    pub admin: SandboxAdmin,
    /// Every installed adapter, by name.
    pub subjects: Vec<Subject>,
}

/// The section `[name]` of a configuration text, header included, up to the next header.
fn section_text(toml: &str, name: &str) -> Option<String> {
    let header = format!("[{name}]");
    let mut lines = toml.lines().skip_while(|l| l.trim() != header);
    let first = lines.next()?;
    let rest: Vec<&str> = lines.take_while(|l| !l.trim_start().starts_with('[')).collect();
    Some(format!("{first}\n{}\n", rest.join("\n")))
}

impl Suite {
    /// Starts a sandbox and pairs every installed adapter with its emulator. An
    /// installed adapter without one fails the test: the suite cannot vouch for it.
    pub async fn start() -> Suite {
        logs();
        let sandbox = Sandbox::start().await.expect("the sandbox starts on loopback");
        let admin = sandbox.admin();
        let samples = admin.samples().await.expect("the sandbox's samples");
        let served = sandbox.vendors();
        let toml = sandbox.config_toml();
        let registry = Registry::from_inventory();
        let missing: Vec<&str> = registry.names().into_iter().filter(|n| !served.contains(n)).collect();
        assert!(
            missing.is_empty(),
            "installed adapter(s) {missing:?} have no emulator in the sandbox (it serves {served:?}): every installed \
             adapter must have a sandbox module (crates/coupon-sandbox/src/vendors/<name>.rs) providing \
             config_section() and samples(), or the conformance suite cannot check it"
        );
        // Only the installed adapters' sections: an emulator whose adapter is not compiled
        // in would be an unknown section.
        let installed_toml: String = registry
            .names()
            .into_iter()
            .map(|n| section_text(&toml, n).unwrap_or_else(|| panic!("the sandbox's configuration has no [{n}]")))
            .collect::<Vec<_>>()
            .join("\n");
        let config = CouponConfig::parse(&installed_toml, "sandbox", Vec::new()).expect("the sandbox's configuration");
        let subjects = registry
            .factories()
            .map(|factory| {
                let mut section = config.require(factory.name).expect("a section per installed adapter").clone();
                for key in ["total_timeout_ms", "money_timeout_ms", "read_timeout_ms"] {
                    section.set(key, TIMEOUT_MS);
                }
                Subject {
                    factory,
                    samples: samples.get(factory.name).cloned().unwrap_or_default(),
                    section,
                    section_text: section_text(&toml, factory.name).unwrap_or_default(),
                }
            })
            .collect();
        Suite { _sandbox: sandbox, admin, subjects }
    }

    /// Forgets everything: emulator state, pending faults, request counters.
    pub async fn reset(&self) -> Result<(), String> {
        self.admin.reset().await.map_err(|e| format!("sandbox reset failed: {e}"))
    }

    /// Queues one fault on every path of `vendor`.
    pub async fn fault(&self, vendor: &str, kind: FaultKind) -> Result<(), String> {
        self.admin.inject(FaultSpec::new(format!("/{vendor}"), kind)).await.map_err(|e| format!("fault refused: {e}"))
    }

    /// Request counts per path.
    pub async fn stats(&self) -> Result<Stats, String> {
        self.admin.stats().await.map_err(|e| format!("sandbox stats failed: {e}"))
    }

    /// What the emulator issued, or `None` when it keeps no such list.
    pub async fn issued(&self, vendor: &str) -> Result<Option<Vec<IssuedItem>>, String> {
        match self.admin.issued(vendor).await {
            Ok(items) => Ok(Some(items)),
            Err(SandboxError::Admin { status: 404, .. }) => Ok(None),
            Err(e) => Err(format!("the sandbox's issued list failed: {e}")),
        }
    }
}

/// The request counts of `vendor`'s paths.
pub fn vendor_requests(stats: &Stats, vendor: &str) -> BTreeMap<String, u64> {
    let prefix = format!("/{vendor}/");
    stats
        .requests
        .iter()
        .filter(|(path, _)| path.starts_with(&prefix) || path.as_str() == prefix.trim_end_matches('/'))
        .map(|(path, n)| (path.clone(), *n))
        .collect()
}

/// The paths whose count grew from `before` to `after`, with how much.
pub fn grown(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter_map(|(path, n)| {
            let was = before.get(path).copied().unwrap_or(0);
            (*n > was).then(|| (path.clone(), n - was))
        })
        .collect()
}

/// An error in a failure message: kind and text.
pub fn show(e: &Error) -> String {
    format!("{} ({e})", e.kind())
}

/// Whether an error is this kind.
pub fn is(e: &Error, kind: ErrorKind) -> bool {
    e.kind() == kind
}

// ---------------------------------------------------------------------------------
// Reporting

/// What one check did with each adapter.
pub enum Outcome {
    /// The check ran and passed.
    Passed,
    /// The adapter's capabilities do not call for it (why).
    NotApplicable(String),
}

/// One check over every adapter: which ran it, which it did not apply to, which failed.
pub struct Report {
    check: &'static str,
    ran: Vec<String>,
    not_applicable: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    /// An empty report for `check`.
    pub fn new(check: &'static str) -> Self {
        Self { check, ran: Vec::new(), not_applicable: Vec::new(), failures: Vec::new() }
    }

    /// Records one adapter's result.
    pub fn record(&mut self, vendor: &str, result: Result<Outcome, String>) {
        match result {
            Ok(Outcome::Passed) => self.ran.push(vendor.to_string()),
            Ok(Outcome::NotApplicable(why)) => self.not_applicable.push(format!("{vendor} ({why})")),
            Err(why) => {
                self.ran.push(vendor.to_string());
                self.failures.push(format!("{vendor}: {}: {why}", self.check));
            }
        }
    }

    /// Fails the test on any failure, or when no adapter ran a check some adapter is capable of.
    pub fn finish(self, any_capable: bool) {
        let summary = format!(
            "check `{}`: ran on [{}]; not applicable to [{}]",
            self.check,
            self.ran.join(", "),
            self.not_applicable.join(", ")
        );
        assert!(
            self.failures.is_empty(),
            "{} failure(s):\n{}\n\n{summary}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            !any_capable || !self.ran.is_empty(),
            "no adapter ran a check an installed adapter is capable of\n{summary}"
        );
        eprintln!("{summary}");
    }
}
