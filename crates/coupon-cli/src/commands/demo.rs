//! `coupon demo`: the sandbox in-process, and a narrated tour of every vendor through
//! the same public library API a user would call.
//!
//! Each step is one line (vendor, operation, result, time) and checks its outcome:
//! a step that does not give what it should stops the demo with a non-zero exit
//! that names the step.

mod coufun;
mod giftimbiz;
mod giftletter;

use std::future::Future;
use std::time::{Duration, Instant};

use coupon::config::CouponConfig;
use coupon::{Error, ErrorKind};
use coupon_sandbox::{Sandbox, SandboxError};
use indicatif::ProgressBar;
use serde_json::{Value, json};

use crate::failure::{CliResult, Failure};
use crate::output::Output;
use crate::progress;

/// How many steps the tour takes (for the progress bar).
const STEPS: u64 = 16;

/// Runs the tour.
pub async fn run(out: &Output) -> CliResult {
    let started = Instant::now();
    let sandbox = Sandbox::start().await.map_err(sandbox_error)?;
    // The user's COUPON_* variables must not point the demo away from its own sandbox.
    let config = CouponConfig::parse(&sandbox.config_toml(), "the sandbox configuration", Vec::new())?;
    let admin = sandbox.admin();
    let fixtures = admin.fixtures().await.map_err(sandbox_error)?;
    let mut tour = Tour::new(out);
    tour.say(&format!(
        "coupon demo: the sandbox is on {} (loopback); configured from its coupon.toml\n",
        sandbox.base_url()
    ));
    let result = async {
        giftletter::tour(&mut tour, &config, &admin, &fixtures).await?;
        giftimbiz::tour(&mut tour, &config, &fixtures).await?;
        coufun::tour(&mut tour, &config, &fixtures).await
    }
    .await;
    let base_url = sandbox.base_url();
    sandbox.shutdown().await;
    tour.finish(result, started.elapsed(), &base_url)
}

/// The steps taken so far, and how they are shown.
pub(crate) struct Tour<'a> {
    out: &'a Output,
    steps: Vec<Value>,
    bar: Option<ProgressBar>,
}

impl<'a> Tour<'a> {
    fn new(out: &'a Output) -> Self {
        Self { out, steps: Vec::new(), bar: progress::bar(out, Some(STEPS), "demo") }
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
            "{number:>2}. {vendor:<10} {operation:<20} {} {text} ({})",
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

    fn finish(self, result: CliResult, total: Duration, base_url: &str) -> CliResult {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        result?;
        let vendors = ["giftletter", "giftimbiz", "coufun"];
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

/// A fixture the tour needs is not in the sandbox's catalog.
pub(crate) fn missing_fixture(what: &str) -> Failure {
    Error::config(format!("the sandbox fixtures have no {what}")).into()
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
        let mut tour = Tour::new(&out);
        let passed = tour.step("giftletter", "status", async { Ok(1) }, |r| Ok((format!("got {}", r?), 7))).await;
        assert_eq!(passed.unwrap(), 7);
        let wrong = tour.step("giftletter", "cancel", async { Ok(()) }, |r| refused_as(r, ErrorKind::AlreadyUsed));
        let failure = wrong.await.unwrap_err();
        assert_eq!(failure.error.kind(), ErrorKind::Protocol);
        assert_eq!(failure.hint.as_deref(), Some("demo step 2 (giftletter cancel) did not give the expected outcome"));
        let broken =
            tour.step("coufun", "status", async { Err::<(), _>(Error::new(ErrorKind::Timeout, "late")) }, |r| {
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

    #[test]
    fn an_expected_refusal_passes_and_another_error_does_not() {
        let e = Error::new(ErrorKind::AlreadyUsed, "used").with_vendor_code(coupon::VendorCode::new("E201"));
        let (text, ()) = refused_as::<()>(Err(e), ErrorKind::AlreadyUsed).unwrap();
        assert_eq!(text, "refused as expected: already_used, vendor code E201");
        let other = refused_as::<()>(Err(Error::new(ErrorKind::NotFound, "x")), ErrorKind::AlreadyUsed);
        assert_eq!(other.unwrap_err().kind(), ErrorKind::NotFound);
    }
}
