//! `coupon demo`: the sandbox in-process, and a narrated tour of every installed
//! adapter through the `Adapter` trait, the same public library API a user would call.
//!
//! Nothing here names a vendor: the tour visits each installed adapter (the registry)
//! that the sandbox emulates, takes each operation its capabilities offer, with the
//! inputs the emulator's `samples()` names, in the order products → product → issue
//! (→ the same reference again, where the vendor deduplicates) → status → resend →
//! cancel → status again → balance → redemptions (today) → reconcile.
//!
//! After an adapter's generic plan come the steps only that vendor has, when its
//! native command group has a demo module (`src/native/<name>/demo.rs`, found by
//! `build.rs`): [`native::demo`](crate::native::demo) takes them, with the
//! [`DemoKit`] they need.
//!
//! Each step is one line (vendor, operation, result, time) and checks its outcome:
//! a step that does not give what it should stops the demo with a non-zero exit
//! that names the step.

use std::future::Future;
use std::time::{Duration, Instant};

use coupon::config::CouponConfig;
use coupon::time::{self, KstDateTime};
use coupon::{
    Adapter, AdapterFactory, Capabilities, CouponRef, CouponStatus, Error, ErrorKind, IssueRequest, Issued,
    Reconciliation, Registry, sandbox_samples,
};
use coupon_sandbox::{Samples, Sandbox, SandboxAdmin, SandboxError};
use indicatif::ProgressBar;
use serde_json::{Value, json};

use crate::failure::{CliResult, Failure};
use crate::output::Output;
use crate::{format, native, progress};

/// Runs the tour.
pub async fn run(out: &Output) -> CliResult {
    let started = Instant::now();
    let sandbox = Sandbox::start().await.map_err(sandbox_error)?;
    let served = sandbox.vendors();
    let emulators = sandbox.state().emulators().to_vec();
    let samples = sandbox.state().samples();
    let none = Samples::default();
    // Every installed adapter the sandbox emulates, with what its emulator says to pass.
    let plans: Vec<Plan> = Registry::from_inventory()
        .factories()
        .filter(|f| served.contains(&f.name))
        .map(|f| Plan::new(f, samples.get(f.name).unwrap_or(&none)))
        .collect();
    // Only their sections, so an emulator without an installed adapter is no unknown section;
    // and no COUPON_* variable of the user's can point the demo away from its own sandbox.
    let toml: String = emulators
        .iter()
        .filter(|e| plans.iter().any(|p| p.factory.name == e.name()))
        .map(|e| e.config_section(&sandbox.vendor_url(e.name())) + "\n")
        .collect();
    let config = CouponConfig::parse(&toml, "the sandbox configuration", Vec::new())?;
    let admin = sandbox.admin();
    let fixtures = sandbox.state().fixtures();
    let steps = plans.iter().map(|p| p.steps() + native::demo_steps(p.factory.name)).sum();
    let mut tour = Tour::new(out, steps);
    tour.say(&format!(
        "coupon demo: the sandbox is on {} (loopback); touring {} through the Adapter trait\n",
        sandbox.base_url(),
        plans.iter().map(|p| p.factory.name).collect::<Vec<_>>().join(", ")
    ));
    let result = async {
        if plans.is_empty() {
            return Err(Failure::from(Error::config("no installed adapter has an emulator in the sandbox")));
        }
        for plan in &plans {
            let section = config.require(plan.factory.name)?;
            let adapter = Registry::from_inventory().build(section)?;
            plan.tour(&mut tour, adapter.as_ref()).await?;
            let name = plan.factory.name;
            let kit = DemoKit { config: &config, admin: &admin, fixtures: &fixtures[name], samples: plan.samples };
            native::demo(name, &mut tour, &kit).await?;
        }
        Ok(())
    }
    .await;
    let base_url = sandbox.base_url();
    sandbox.shutdown().await;
    let vendors: Vec<&str> = plans.iter().map(|p| p.factory.name).collect();
    tour.finish(result, started.elapsed(), &base_url, &vendors)
}

/// What a vendor's own demo steps get, besides the [`Tour`]: the sandbox's
/// configuration, its admin API, and that vendor's emulator's fixtures and samples.
pub(crate) struct DemoKit<'a> {
    /// The configuration pointing every toured adapter at the sandbox.
    pub(crate) config: &'a CouponConfig,
    /// The sandbox's admin API (redeem a coupon as a shop would, …).
    pub(crate) admin: &'a SandboxAdmin,
    /// The vendor's emulator's fixture catalog (`Emulator::fixtures`).
    pub(crate) fixtures: &'a Value,
    /// The vendor's emulator's samples (`Emulator::samples`).
    pub(crate) samples: &'a Samples,
}

/// What the tour does with one adapter: each operation its capabilities offer and
/// its emulator's samples give inputs for.
struct Plan<'s> {
    factory: &'static AdapterFactory,
    samples: &'s Samples,
    products: bool,
    product: Option<&'s str>,
    issue: bool,
    duplicate: bool,
    status: bool,
    resend: bool,
    cancel: bool,
    balance: bool,
    redemptions: bool,
    reconcile: bool,
}

impl<'s> Plan<'s> {
    fn new(factory: &'static AdapterFactory, samples: &'s Samples) -> Self {
        let c: Capabilities = factory.capabilities;
        let issue = c.issue && samples.issue.is_some();
        // Status by the issued order, or by the sample coupon when nothing is issued.
        let status = c.status && (issue || samples.coupon.is_some());
        Self {
            factory,
            samples,
            products: c.products && samples.products.is_some(),
            product: samples.product.as_deref().filter(|_| c.product_detail),
            issue,
            duplicate: issue && c.issue_deduplicated,
            status,
            resend: issue && c.resend,
            cancel: issue && c.cancel,
            // A stored-value coupon of the fixtures, or one the tour issues for it.
            balance: c.balance && (samples.balance_coupon.is_some() || (c.issue && samples.balance_issue.is_some())),
            redemptions: c.redemptions && samples.redemptions,
            reconcile: issue && c.reconcile,
        }
    }

    /// How many steps the plan takes.
    fn steps(&self) -> u64 {
        let again = self.status && self.cancel;
        [
            self.products,
            self.product.is_some(),
            self.issue,
            self.duplicate,
            self.status,
            self.resend,
            self.cancel,
            again,
            self.balance,
            self.redemptions,
            self.reconcile,
        ]
        .into_iter()
        .filter(|on| *on)
        .count() as u64
    }

    /// Takes every step of the plan.
    async fn tour(&self, tour: &mut Tour<'_>, adapter: &dyn Adapter) -> CliResult {
        let vendor = self.factory.name;
        let out = *tour.out();
        if let (true, Some(sample)) = (self.products, &self.samples.products) {
            let query = sandbox_samples::products_query(sample);
            tour.step(vendor, "products", adapter.products(&query), |r| {
                let page = r?;
                let first = page.items.first().ok_or_else(|| unexpected("the listing is empty"))?;
                let total = page.total.map_or_else(|| "?".to_string(), |n| n.to_string());
                Ok((
                    format!(
                        "{} of {total} products; first: {} at {}",
                        page.items.len(),
                        first.name,
                        format::won(first.sale_price.or(first.price))
                    ),
                    (),
                ))
            })
            .await?;
        }
        if let Some(id) = self.product {
            tour.step(vendor, "product", adapter.product(id), |r| {
                let p = r?;
                if p.id != id {
                    return Err(unexpected(format!("asked for product {id}, got {}", p.id)));
                }
                Ok((format!("{} ({}), {}", p.name, format::won(p.price), availability(&p)), ()))
            })
            .await?;
        }
        let mut issued: Option<(IssueRequest, Issued, KstDateTime)> = None;
        if let (true, Some(sample)) = (self.issue, &self.samples.issue) {
            let request = sandbox_samples::issue_request(sample)?;
            let sent = time::now_kst();
            let done = tour
                .step(vendor, "issue", adapter.issue(&request), |r| {
                    let i = r?;
                    let order = i.order.clone().ok_or_else(|| unexpected("an issue without its order id"))?;
                    if i.partner_ref != request.partner_ref {
                        return Err(unexpected(format!("issued for reference {}, not ours", i.partner_ref)));
                    }
                    let pin = i.pin.as_ref().map_or_else(String::new, |p| format!(", PIN {}", out.pin(p)));
                    let to = request.recipient.as_ref().map_or_else(String::new, |p| format!(", to {}", out.phone(p)));
                    Ok((format!("order {order}{pin}, partner ref {}{to}", i.partner_ref), i))
                })
                .await?;
            if self.duplicate {
                tour.step(vendor, "issue, same reference", adapter.issue(&request), |r| {
                    refused_as(r, ErrorKind::DuplicateReference)
                })
                .await?;
            }
            issued = Some((request, done, sent));
        }
        let coupon = match &issued {
            Some((_, i, _)) => i.order.clone().map(CouponRef::Order),
            None => self.samples.coupon.as_ref().map(sandbox_samples::coupon),
        };
        if self.status {
            let coupon = coupon.clone().ok_or_else(|| missing_sample(vendor, "coupon"))?;
            tour.step(vendor, "status", adapter.status(&coupon), |r| match r? {
                CouponStatus::Unused => Ok(("unused".to_string(), ())),
                other => Err(unexpected(format!("expected unused, got {}", other.as_str()))),
            })
            .await?;
        }
        if let Some((_, i, _)) = &issued {
            let order = i.order.clone().ok_or_else(|| unexpected("an issue without its order id"))?;
            if self.resend {
                tour.step(vendor, "resend", adapter.resend(&order), |r| {
                    r?;
                    Ok((format!("the message of order {order} was sent again"), ()))
                })
                .await?;
            }
            if self.cancel {
                tour.step(vendor, "cancel", adapter.cancel(&order), |r| {
                    r?;
                    Ok((format!("order {order} cancelled"), ()))
                })
                .await?;
                if self.status {
                    tour.step(vendor, "status again", adapter.status(&CouponRef::Order(order.clone())), |r| match r? {
                        s @ CouponStatus::Cancelled { .. } => Ok((s.as_str().to_string(), ())),
                        other => Err(unexpected(format!("expected cancelled, got {}", other.as_str()))),
                    })
                    .await?;
                }
            }
        }
        if self.balance {
            let judge = |r: coupon::Result<(coupon::Balance, String)>| {
                let (b, of) = r?;
                if b.remaining > b.total {
                    return Err(unexpected(format!("{} left of {}", b.remaining, b.total)));
                }
                Ok((format!("{} of {} left{of}", b.remaining, b.total), ()))
            };
            match &self.samples.balance_coupon {
                Some(sample) => {
                    let coupon = sandbox_samples::coupon(sample);
                    let call = async { Ok((adapter.balance(&coupon).await?, String::new())) };
                    tour.step(vendor, "balance", call, judge).await?;
                }
                None => {
                    // No stored-value coupon in the fixtures: issue one (`balance_issue`) and read it.
                    let sample =
                        self.samples.balance_issue.as_ref().ok_or_else(|| missing_sample(vendor, "balance_issue"))?;
                    let request = sandbox_samples::issue_request(sample)?;
                    let call = async {
                        let i = adapter.issue(&request).await?;
                        let order = i.order.ok_or_else(|| unexpected("an issue without its order id"))?;
                        let b = adapter.balance(&CouponRef::Order(order.clone())).await?;
                        Ok((b, format!(" on order {order}, issued for it")))
                    };
                    tour.step(vendor, "balance", call, judge).await?;
                }
            }
        }
        if self.redemptions {
            let today = time::today_kst();
            tour.step(vendor, "redemptions", adapter.redemptions(today), |r| {
                let report = r?;
                if report.day != today {
                    return Err(unexpected(format!("asked for {today}, got the report of {}", report.day)));
                }
                Ok((format!("{} redemption(s) on {today}", report.items.len()), ()))
            })
            .await?;
        }
        if let (true, Some((request, _, sent))) = (self.reconcile, &issued) {
            let since = *sent - coupon::chrono::Duration::minutes(5);
            tour.step(vendor, "reconcile", adapter.reconcile(request, since), |r| match r? {
                Reconciliation::Issued(i) if i.partner_ref == request.partner_ref => {
                    Ok((format!("issued: a coupon exists for partner ref {}", i.partner_ref), ()))
                }
                other => Err(unexpected(format!("expected issued, got {}", other.as_str()))),
            })
            .await?;
        }
        Ok(())
    }
}

fn availability(p: &coupon::Product) -> &'static str {
    if p.is_available() { "available" } else { "not available now" }
}

/// The emulator's fixtures or samples lack what a vendor's own step needs.
pub(crate) fn missing_fixture(vendor: &str, what: &str) -> Failure {
    Error::config(format!("the sandbox's fixtures for {vendor} have no {what}")).into()
}

/// The samples lack what a step needs.
fn missing_sample(vendor: &str, key: &str) -> Failure {
    Error::config(format!("the sandbox's samples for {vendor} have no `{key}`")).into()
}

/// The steps taken so far, and how they are shown.
pub(crate) struct Tour<'a> {
    out: &'a Output,
    steps: Vec<Value>,
    bar: Option<ProgressBar>,
}

impl<'a> Tour<'a> {
    fn new(out: &'a Output, steps: u64) -> Self {
        Self { out, steps: Vec::new(), bar: progress::bar(out, Some(steps), "demo") }
    }

    /// A line of narration (human mode only).
    fn say(&self, line: &str) {
        if !self.out.is_json() {
            progress::suspend(self.bar.as_ref(), || crate::output::line(line));
        }
    }

    /// The output mode (for masking).
    pub(crate) fn out(&self) -> &Output {
        self.out
    }

    /// Runs one step: `call`, then `judge` says what it gave (the line's text and the
    /// value later steps need) or why that is not what the step should give.
    pub(crate) async fn step<T, R>(
        &mut self,
        vendor: &'static str,
        operation: &'static str,
        call: impl Future<Output = coupon::Result<T>>,
        judge: impl FnOnce(coupon::Result<T>) -> coupon::Result<(String, R)>,
    ) -> CliResult<R> {
        let number = self.steps.len() + 1;
        let started = Instant::now();
        let outcome = judge(call.await);
        let elapsed = started.elapsed();
        let (ok, text) = match &outcome {
            Ok((text, _)) => (true, text.clone()),
            Err(e) => (false, e.to_string()),
        };
        self.steps.push(json!({
            "step": number, "vendor": vendor, "operation": operation, "ok": ok, "result": text,
            "ms": elapsed.as_millis() as u64,
        }));
        let line = format!(
            "{number:>2}. {vendor:<10} {operation:<22} {} {text} ({})",
            if ok { "✓" } else { "✗" },
            millis(elapsed)
        );
        self.say(&line);
        if let Some(b) = &self.bar {
            b.inc(1);
        }
        outcome.map(|(_, value)| value).map_err(|e| {
            Failure::from(e)
                .hint(format!("demo step {number} ({vendor} {operation}) did not give the expected outcome"))
        })
    }

    fn finish(self, result: CliResult, total: Duration, base_url: &str, vendors: &[&str]) -> CliResult {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        result?;
        let doc = json!({
            "sandbox": base_url,
            "steps": self.steps,
            "summary": {"steps": self.steps.len(), "passed": self.steps.len(), "vendors": vendors,
                        "ms": total.as_millis() as u64},
        });
        self.out.emit(&doc, || {
            format!(
                "\ndemo: {} steps passed across {} in {}, every call through the coupon library against the \
                 sandbox at {base_url} (now stopped)",
                self.steps.len(),
                vendors.join(", "),
                millis(total)
            )
        });
        Ok(())
    }
}

fn millis(d: Duration) -> String {
    match d.as_millis() {
        1000.. => format!("{:.2} s", d.as_secs_f64()),
        10.. => format!("{} ms", d.as_millis()),
        _ => format!("{:.1} ms", d.as_secs_f64() * 1000.0),
    }
}

/// The sandbox failed under the demo: a transport problem of this machine.
fn sandbox_error(e: SandboxError) -> Error {
    Error::new(ErrorKind::Transport, format!("sandbox: {e}"))
}

/// An outcome other than the one the step should give.
pub(crate) fn unexpected(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Protocol, what.into())
}

/// A refusal the step expects: passes with the vendor's code, fails on anything else.
pub(crate) fn refused_as<T>(result: coupon::Result<T>, kind: ErrorKind) -> coupon::Result<(String, ())> {
    match result {
        Ok(_) => Err(unexpected(format!("expected a refusal ({kind}), but the call succeeded"))),
        Err(e) if e.kind() == kind => {
            let code = e.vendor_code().map(|c| format!(", vendor code {c}")).unwrap_or_default();
            Ok((format!("refused as expected: {kind}{code}"), ()))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_that_does_not_give_its_outcome_fails_the_demo_and_names_the_step() {
        let out = Output::new(true, false);
        let mut tour = Tour::new(&out, 3);
        let passed = tour.step("acme", "status", async { Ok(1) }, |r| Ok((format!("got {}", r?), 7))).await;
        assert_eq!(passed.unwrap(), 7);
        let wrong = tour.step("acme", "cancel", async { Ok(()) }, |r| refused_as(r, ErrorKind::AlreadyUsed));
        let failure = wrong.await.unwrap_err();
        assert_eq!(failure.error.kind(), ErrorKind::Protocol);
        assert_eq!(failure.hint.as_deref(), Some("demo step 2 (acme cancel) did not give the expected outcome"));
        let broken = tour.step("acme", "status", async { Err::<(), _>(Error::new(ErrorKind::Timeout, "late")) }, |r| {
            r.map(|()| (String::new(), ()))
        });
        let failure = broken.await.unwrap_err();
        assert_eq!(
            crate::exit::code_for(&failure.error),
            crate::exit::TRANSPORT,
            "the call's own error decides the exit"
        );
        assert_eq!(tour.steps.iter().filter(|s| s["ok"] == false).count(), 2);
    }

    static ACME: AdapterFactory = AdapterFactory {
        name: "acme",
        summary: "an example",
        capabilities: Capabilities {
            issue: true,
            issue_deduplicated: true,
            cancel: true,
            status: true,
            balance: true,
            ..Capabilities::NONE
        },
        config: &[],
        build: |_| Err(Error::config("example only")),
    };

    /// Samples as `GET /_sandbox/samples` writes them.
    fn read(json: Value) -> Samples {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_plan_takes_what_the_capabilities_offer_and_the_samples_feed() {
        // products offered by the samples but not by the adapter; balance offered but no sample.
        let samples = read(json!({"issue": {"product_id": "P1"}, "products": {}, "product": "P1"}));
        let plan = Plan::new(&ACME, &samples);
        assert!(plan.issue && plan.duplicate && plan.status && plan.cancel);
        assert!(!plan.products && plan.product.is_none() && !plan.balance && !plan.resend && !plan.reconcile);
        // issue, issue again, status, cancel, status again
        assert_eq!(plan.steps(), 5);
        let nothing = Samples::default();
        let plan = Plan::new(&ACME, &nothing);
        assert_eq!(plan.steps(), 0, "no samples, no steps");
        let barcode = read(
            json!({"coupon": {"product_id": "P", "barcode": "B"}, "balance_coupon": {"product_id": "P", "barcode": "C"}}),
        );
        let plan = Plan::new(&ACME, &barcode);
        assert_eq!(plan.steps(), 2, "status by the sample coupon, and its balance");
    }

    #[test]
    fn an_expected_refusal_passes_and_another_error_does_not() {
        let e = Error::new(ErrorKind::AlreadyUsed, "used").with_vendor_code(coupon::VendorCode::new("E201"));
        let (text, ()) = refused_as::<()>(Err(e), ErrorKind::AlreadyUsed).unwrap();
        assert_eq!(text, "refused as expected: already_used, vendor code E201");
        let other = refused_as::<()>(Err(Error::new(ErrorKind::NotFound, "x")), ErrorKind::AlreadyUsed);
        assert_eq!(other.unwrap_err().kind(), ErrorKind::NotFound);
    }
}
