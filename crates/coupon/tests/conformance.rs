//! The conformance suite: one behaviour suite every installed adapter runs against
//! the sandbox over loopback, gated by its [`Capabilities`], with no per-vendor code
//! (OpenDAL's behaviour tests are the model).
//!
//! The adapters are the registry's (`Registry::from_inventory()`); each is paired with
//! the sandbox emulator of the same name, built from the sandbox's own configuration
//! section (never the environment), and fed the emulator's `samples()`. A new adapter
//! gets every check by being installed; an installed adapter without an emulator fails
//! the suite. Each test is one behaviour over every adapter and names, on failure, the
//! adapter, the check and the evidence, and which adapters ran it.
//!
//! | test | proves |
//! |---|---|
//! | `unsupported_operations_answer_unsupported_and_send_nothing` | every operation the capabilities do not offer (`Capabilities::offers`) answers `Unsupported`, and nothing reaches the vendor |
//! | `issue_answers_the_requests_reference` | an issue of the sample succeeds, carries the request's reference and order id, and the emulator holds it |
//! | `a_dropped_issue_is_settled_without_a_second_coupon` | an issue whose answer is lost is re-sent once where the vendor deduplicates (one coupon, `details_unknown`), else `OutcomeUnknown` with the reference after one send; `reconcile` then finds it |
//! | `reconcile_of_a_request_never_sent` | deduplicating: issued now; otherwise `NotIssued` without touching the issue endpoint |
//! | `unknown_vendor_codes_are_kept_verbatim` | a refusal with a code the vendor's document does not list keeps that code on the error |
//! | `bad_answers_are_clear_errors` | an answer over the size cap names the limit; an HTML page with 200 is `Protocol`; a redirect is an error, sent once |
//! | `no_secrets_in_logs_or_debug_output` | no secret config value, PIN or recipient number in TRACE logs, `Debug` of adapter, request and errors, or error text |
//! | `reconcile_answers_or_fails_clearly` | `reconcile` answers one of its three outcomes or a clear error, and never panics |
//! | `check_agrees_with_status_on_the_state` | `check` and `status` answer the same state for the coupon samples and for a coupon just issued (by its order, and by its reference where `coupon_of_partner_ref` names it): unused, then cancelled where the adapter cancels; an order a check names is the one `issue` named |

#[path = "conformance/support.rs"]
mod support;

use std::sync::Arc;

use coupon::chrono::Duration;
use coupon::time::now_kst;
use coupon::{
    Adapter, Capabilities, CouponCheck, CouponRef, Error, ErrorKind, IssueRequest, Issued, OrderRef, ProductQuery,
    Reconciliation, Registry, op, sandbox_samples,
};
use coupon_sandbox::FaultKind;

use support::{Outcome, Read, Report, Subject, Suite, grown, is, logs, show, vendor_requests};

/// What a check saw that must hold no secret: `Debug` of requests, results and errors, error texts, PINs.
#[derive(Default)]
struct Seen {
    texts: Vec<(String, String)>,
    pins: Vec<String>,
}

impl Seen {
    fn request(&mut self, r: &IssueRequest) {
        self.texts.push(("Debug of the request".into(), format!("{r:?}")));
    }
    fn issued(&mut self, i: &Issued) {
        self.texts.push(("Debug of the Issued".into(), format!("{i:?}")));
        if let Some(pin) = &i.pin {
            self.pins.push(pin.expose().to_string());
        }
    }
    fn error(&mut self, e: &Error) {
        self.texts.push(("Debug of an error".into(), format!("{e:?}")));
        self.texts.push(("an error's text".into(), e.to_string()));
    }
    fn result<T>(&mut self, r: &coupon::Result<T>) {
        if let Err(e) = r {
            self.error(e);
        }
    }
}

/// Whether any installed adapter has a capability.
fn any(pick: impl Fn(coupon::Capabilities) -> bool) -> bool {
    Registry::from_inventory().factories().any(|f| pick(f.capabilities))
}

/// Runs `check` on every adapter of a fresh suite and fails the test as the report says.
macro_rules! over_every_adapter {
    ($name:literal, $any_capable:expr, $check:ident) => {{
        let suite = Suite::start().await;
        let mut report = Report::new($name);
        for s in &suite.subjects {
            let result = $check(&suite, s, &mut Seen::default()).await;
            report.record(s.name(), result);
        }
        report.finish($any_capable);
    }};
}

// ---------------------------------------------------------------------------------
// 1. Unsupported operations

async fn unsupported(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let c = s.factory.capabilities;
    if c.offered().count() == Capabilities::OPERATIONS.len() {
        return Ok(Outcome::NotApplicable("offers every operation".into()));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    let before = suite.stats().await?;
    let request = IssueRequest::new("conformance");
    let order = OrderRef::new("conformance");
    let coupon = CouponRef::order("conformance");
    let mut wrong = Vec::new();
    for operation in Capabilities::OPERATIONS.into_iter().filter(|o| !c.offers(o)) {
        let result: coupon::Result<()> = match operation {
            op::ISSUE => adapter.issue(&request).await.map(drop),
            op::CANCEL => adapter.cancel(&order).await,
            op::STATUS => adapter.status(&coupon).await.map(drop),
            op::RESEND => adapter.resend(&order).await,
            op::PRODUCTS => adapter.products(&ProductQuery::new()).await.map(drop),
            op::PRODUCT => adapter.product("conformance").await.map(drop),
            op::REDEMPTIONS => adapter.redemptions(now_kst().date_naive()).await.map(drop),
            op::BALANCE => adapter.balance(&coupon).await.map(drop),
            op::RECONCILE => adapter.reconcile(&request, now_kst()).await.map(drop),
            other => return Err(format!("operation `{other}` is unknown to the suite: map it to its method")),
        };
        seen.result(&result);
        match result {
            Err(e) if is(&e, ErrorKind::Unsupported) => {}
            Err(e) => wrong.push(format!("`{operation}` is not offered but the call answered {}", show(&e))),
            Ok(()) => wrong.push(format!("`{operation}` is not offered but the call answered Ok")),
        }
    }
    let after = suite.stats().await?;
    if after != before {
        wrong.push(format!("unsupported calls reached the sandbox: {:?} → {:?}", before.requests, after.requests));
    }
    if wrong.is_empty() { Ok(Outcome::Passed) } else { Err(wrong.join("; ")) }
}

#[tokio::test]
async fn unsupported_operations_answer_unsupported_and_send_nothing() {
    over_every_adapter!(
        "unsupported operations answer Unsupported",
        any(|c| c.offered().count() < Capabilities::OPERATIONS.len()),
        unsupported
    );
}

// ---------------------------------------------------------------------------------
// 2. issue

async fn issue(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    if !s.factory.capabilities.issue {
        return Ok(Outcome::NotApplicable("no issue".into()));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    let request = s.issue_request()?;
    seen.request(&request);
    let result = adapter.issue(&request).await;
    seen.result(&result);
    let issued = result.map_err(|e| format!("the sample issue failed: {}", show(&e)))?;
    seen.issued(&issued);
    if issued.partner_ref != request.partner_ref {
        return Err(format!("issued for reference {}, the request's is {}", issued.partner_ref, request.partner_ref));
    }
    if issued.vendor.as_str() != s.name() {
        return Err(format!("issued by vendor {}, not {}", issued.vendor, s.name()));
    }
    let Some(order) = &issued.order else {
        return Err(format!("a plain successful issue has no order id ({:?})", issued.details_unknown));
    };
    if let Some(items) = suite.issued(s.name()).await? {
        if items.iter().any(|i| i.partner_ref.is_some()) {
            let ours = items.iter().filter(|i| i.partner_ref.as_deref() == Some(request.partner_ref.as_str())).count();
            if ours != 1 {
                return Err(format!("the emulator lists {ours} coupons for reference {}", request.partner_ref));
            }
        } else if !items.iter().any(|i| i.order == order.as_str()) {
            return Err(format!("the emulator does not list order {order}"));
        }
    }
    Ok(Outcome::Passed)
}

#[tokio::test]
async fn issue_answers_the_requests_reference() {
    over_every_adapter!("issue", any(|c| c.issue), issue);
}

// ---------------------------------------------------------------------------------
// 3. A dropped money-moving call

async fn dropped_issue(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let c = s.factory.capabilities;
    if !c.issue {
        return Ok(Outcome::NotApplicable("no issue".into()));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    s.warm_up(adapter.as_ref()).await?;
    let request = s.issue_request()?;
    seen.request(&request);
    let since = now_kst() - Duration::minutes(1);
    let before = vendor_requests(&suite.stats().await?, s.name());
    suite.fault(s.name(), FaultKind::Drop).await?;
    let result = adapter.issue(&request).await;
    seen.result(&result);
    let sent = grown(&before, &vendor_requests(&suite.stats().await?, s.name()));
    if c.issue_deduplicated {
        let issued = result.map_err(|e| {
            format!(
                "the vendor deduplicates, so a lost answer is re-sent once and the duplicate refusal is Ok with \
                 details_unknown; got {}",
                show(&e)
            )
        })?;
        seen.issued(&issued);
        if issued.partner_ref != request.partner_ref {
            return Err(format!(
                "issued for reference {}, the request's is {}",
                issued.partner_ref, request.partner_ref
            ));
        }
        // The vendor deduplicates: the adapter either looked the reference up and found
        // the coupon the first attempt made (details known, nothing re-sent), or re-sent
        // it and was refused as a duplicate (details unknown, one path requested twice).
        match &issued.details_unknown {
            None if issued.order.is_none() => {
                return Err(format!("issued with details known but no order: {issued:?}"));
            }
            None if sent.values().any(|n| *n > 1) => {
                return Err(format!("the coupon was found, so nothing needed sending again; requests were {sent:?}"));
            }
            None => {}
            Some(_) if sent.len() != 1 || sent.values().sum::<u64>() != 2 => {
                return Err(format!(
                    "a re-send refused as a duplicate means exactly one re-send (one path requested twice); \
                     requests were {sent:?}"
                ));
            }
            Some(_) => {}
        }
        one_coupon(suite, s, &request).await?;
    } else {
        let e = match result {
            Ok(i) => return Err(format!("a lost answer to a money-moving call answered Ok ({i:?})")),
            Err(e) => e,
        };
        if !is(&e, ErrorKind::OutcomeUnknown) {
            return Err(format!("a lost answer to a money-moving call must be OutcomeUnknown; got {}", show(&e)));
        }
        if e.partner_ref() != Some(&request.partner_ref) {
            return Err(format!(
                "the error carries reference {:?}, the request's is {}",
                e.partner_ref(),
                request.partner_ref
            ));
        }
        if sent.values().sum::<u64>() != 1 {
            return Err(format!("a money-moving call the vendor does not deduplicate was sent {sent:?}, not once"));
        }
    }
    if c.reconcile {
        let result = adapter.reconcile(&request, since).await;
        seen.result(&result);
        match result.map_err(|e| format!("reconcile after the drop failed: {}", show(&e)))? {
            Reconciliation::Issued(i) if i.partner_ref == request.partner_ref => seen.issued(&i),
            other => return Err(format!("reconcile after the drop (the handler ran) answered {other:?}, not issued")),
        }
        if c.issue_deduplicated {
            one_coupon(suite, s, &request).await?;
        }
    }
    Ok(Outcome::Passed)
}

/// Exactly one coupon for the request's reference, where the emulator lists by reference.
async fn one_coupon(suite: &Suite, s: &Subject, request: &IssueRequest) -> Result<(), String> {
    let Some(items) = suite.issued(s.name()).await? else { return Ok(()) };
    if !items.iter().any(|i| i.partner_ref.is_some()) {
        return Ok(());
    }
    let ours = items.iter().filter(|i| i.partner_ref.as_deref() == Some(request.partner_ref.as_str())).count();
    if ours == 1 { Ok(()) } else { Err(format!("{ours} coupons for reference {}, not one", request.partner_ref)) }
}

#[tokio::test]
async fn a_dropped_issue_is_settled_without_a_second_coupon() {
    over_every_adapter!("a dropped issue", any(|c| c.issue), dropped_issue);
}

// ---------------------------------------------------------------------------------
// 4. reconcile of a request never sent

async fn reconcile_never_sent(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let c = s.factory.capabilities;
    if !c.reconcile {
        return Ok(Outcome::NotApplicable("no reconcile".into()));
    }
    // Which paths an issue uses, learned from one real issue.
    let mut issue_paths = Vec::new();
    if c.issue {
        suite.reset().await?;
        let adapter = s.build()?;
        s.warm_up(adapter.as_ref()).await?;
        let learn = s.issue_request()?;
        let before = vendor_requests(&suite.stats().await?, s.name());
        adapter.issue(&learn).await.map_err(|e| format!("the sample issue failed: {}", show(&e)))?;
        issue_paths = grown(&before, &vendor_requests(&suite.stats().await?, s.name())).into_keys().collect();
    }
    suite.reset().await?;
    let adapter = s.build()?;
    let request = s.issue_request()?;
    seen.request(&request);
    let before = vendor_requests(&suite.stats().await?, s.name());
    let result = adapter.reconcile(&request, now_kst() - Duration::minutes(1)).await;
    seen.result(&result);
    let sent = grown(&before, &vendor_requests(&suite.stats().await?, s.name()));
    let answer = result.map_err(|e| format!("reconcile of a request never sent failed: {}", show(&e)))?;
    // A vendor that deduplicates may settle by re-sending (issued now, exactly once) or
    // by looking the reference up (not issued, nothing sent to issue); one that does
    // not may only look.
    let touched: Vec<&String> = issue_paths.iter().filter(|p| sent.contains_key(*p)).collect();
    match answer {
        Reconciliation::Issued(i) if c.issue_deduplicated && i.partner_ref == request.partner_ref => {
            seen.issued(&i);
            one_coupon(suite, s, &request).await?;
        }
        Reconciliation::NotIssued => {
            if !touched.is_empty() {
                return Err(format!("reconcile answered not issued yet sent to the issue endpoint {touched:?}"));
            }
            if let Some(items) = suite.issued(s.name()).await? {
                let ours = items.iter().filter(|i| i.partner_ref.as_deref() == Some(request.partner_ref.as_str()));
                if ours.count() != 0 {
                    return Err(format!(
                        "reconcile answered not issued, yet the emulator lists a coupon for {}",
                        request.partner_ref
                    ));
                }
            }
        }
        other if c.issue_deduplicated => {
            return Err(format!(
                "nothing was sent for the reference: expected issued now (a re-send) or not issued (a lookup); got {other:?}"
            ));
        }
        other => return Err(format!("nothing was sent for the reference, yet reconcile answered {other:?}")),
    }
    Ok(Outcome::Passed)
}

#[tokio::test]
async fn reconcile_of_a_request_never_sent() {
    over_every_adapter!("reconcile of a request never sent", any(|c| c.reconcile), reconcile_never_sent);
}

// ---------------------------------------------------------------------------------
// 5. Unknown vendor codes

fn offers_a_refusable_read(c: coupon::Capabilities) -> bool {
    c.product_detail || c.products || c.status
}

async fn unknown_code(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let c = s.factory.capabilities;
    let Some(refusal) = &s.samples.refusal else {
        if offers_a_refusable_read(c) {
            return Err("the emulator's samples have no `refusal` (an answer with a code its document does not list \
                        refusing `product`, `products` or `status`)"
                .into());
        }
        return Ok(Outcome::NotApplicable("no product, products or status".into()));
    };
    let (operation, code) = (refusal.operation.as_str(), refusal.code.as_str());
    let read = Read::from_operation(operation).ok_or_else(|| format!("the `refusal` sample names `{operation}`"))?;
    if !c.offers(read.operation()) {
        return Err(format!("the `refusal` sample refuses `{operation}`, which the adapter does not offer"));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    s.warm_up(adapter.as_ref()).await?;
    let replace =
        FaultKind::Replace { status: 200, content_type: refusal.content_type.clone(), body: refusal.body.clone() };
    suite.fault(s.name(), replace).await?;
    let result = s.run_read(adapter.as_ref(), read).await;
    seen.result(&result);
    match result {
        Ok(()) => Err(format!("`{operation}` answered Ok to a refusal with code {code:?}")),
        Err(e) => match e.vendor_code() {
            Some(got) if got.raw() == code => Ok(Outcome::Passed),
            got => Err(format!(
                "`{operation}` refused with code {code:?}: the error's vendor code is {got:?}, not the code verbatim: {}",
                show(&e)
            )),
        },
    }
}

#[tokio::test]
async fn unknown_vendor_codes_are_kept_verbatim() {
    over_every_adapter!("unknown vendor codes are kept verbatim", any(offers_a_refusable_read), unknown_code);
}

// ---------------------------------------------------------------------------------
// 6. Clear errors for bad answers

const HTML: &str = "<html><body>maintenance</body></html>";

async fn bad_answers(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let Some(read) = s.read() else {
        if offers_a_refusable_read(s.factory.capabilities) {
            return Err("the adapter offers a read but the emulator's samples feed none".into());
        }
        return Ok(Outcome::NotApplicable("no read".into()));
    };
    let mut wrong = Vec::new();

    // An answer over the size cap.
    suite.reset().await?;
    let small = s.build_with("max_response_bytes", "16")?;
    let result = s.run_read(small.as_ref(), read).await;
    seen.result(&result);
    match result {
        Ok(()) => wrong.push(format!("{read:?} with max_response_bytes = 16 answered Ok")),
        Err(e) => {
            let text = e.to_string();
            if !(text.contains("limit") && text.contains("16")) {
                wrong.push(format!("an answer over the 16-byte cap: the error does not name the limit: {}", show(&e)));
            }
        }
    }

    // An HTML page with status 200.
    suite.reset().await?;
    let adapter = s.build()?;
    s.warm_up(adapter.as_ref()).await?;
    let html = FaultKind::Replace { status: 200, content_type: "text/html".into(), body: HTML.into() };
    suite.fault(s.name(), html).await?;
    let result = s.run_read(adapter.as_ref(), read).await;
    seen.result(&result);
    match result {
        Ok(()) => wrong.push(format!("{read:?} answered Ok to an HTML page")),
        Err(e) if is(&e, ErrorKind::Protocol) => {}
        Err(e) => wrong.push(format!("an HTML page with 200 must be Protocol; got {}", show(&e))),
    }

    // A redirect: no redirect is followed, and the one fault would let a retry succeed.
    suite.reset().await?;
    let adapter = s.build()?;
    s.warm_up(adapter.as_ref()).await?;
    let before = vendor_requests(&suite.stats().await?, s.name());
    suite.fault(s.name(), FaultKind::Status { status: 302 }).await?;
    let result = s.run_read(adapter.as_ref(), read).await;
    seen.result(&result);
    let sent = grown(&before, &vendor_requests(&suite.stats().await?, s.name()));
    match result {
        Ok(()) => wrong.push(format!("{read:?} answered Ok after a 302 (requests {sent:?})")),
        Err(_) if sent.values().sum::<u64>() != 1 => wrong.push(format!("a 302 was retried: requests {sent:?}")),
        Err(_) => {}
    }
    if wrong.is_empty() { Ok(Outcome::Passed) } else { Err(format!("with {read:?}: {}", wrong.join("; "))) }
}

#[tokio::test]
async fn bad_answers_are_clear_errors() {
    over_every_adapter!("clear errors for bad answers", any(offers_a_refusable_read), bad_answers);
}

// ---------------------------------------------------------------------------------
// 8. reconcile answers

async fn reconcile_smoke(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    if !s.factory.capabilities.reconcile {
        return Ok(Outcome::NotApplicable("no reconcile".into()));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    let mut wrong = Vec::new();
    let sample = s.issue_request()?;
    let mut odd = sample.clone();
    odd.product_id = "0".into();
    for (what, request) in [("the sample request", sample), ("a request for product \"0\"", odd)] {
        seen.request(&request);
        let (a, r) = (Arc::clone(&adapter), request.clone());
        let since = now_kst() - Duration::minutes(5);
        let joined = tokio::spawn(async move { a.reconcile(&r, since).await }).await;
        let result = match joined {
            Err(panic) => {
                wrong.push(format!("reconcile of {what} panicked: {panic}"));
                continue;
            }
            Ok(result) => result,
        };
        seen.result(&result);
        match result {
            Ok(Reconciliation::Issued(i)) if i.partner_ref != request.partner_ref => {
                wrong.push(format!("reconcile of {what} answered issued for another reference {}", i.partner_ref));
            }
            Ok(Reconciliation::StillUnknown(why)) if why.trim().is_empty() => {
                wrong.push(format!("reconcile of {what} answered still unknown without saying why"));
            }
            Ok(_) => {}
            Err(e) if is(&e, ErrorKind::Unsupported) || e.message().trim().is_empty() => {
                wrong.push(format!("reconcile of {what} failed unclearly: {}", show(&e)));
            }
            Err(_) => {}
        }
    }
    if wrong.is_empty() { Ok(Outcome::Passed) } else { Err(wrong.join("; ")) }
}

#[tokio::test]
async fn reconcile_answers_or_fails_clearly() {
    over_every_adapter!("reconcile answers", any(|c| c.reconcile), reconcile_smoke);
}

// ---------------------------------------------------------------------------------
// 9. check agrees with status

/// `status` and `check` of `coupon`: the same state, or the same refusal.
async fn agree(adapter: &dyn Adapter, what: &str, coupon: &CouponRef, seen: &mut Seen) -> Result<CouponCheck, String> {
    let status = adapter.status(coupon).await;
    let check = adapter.check(coupon).await;
    seen.result(&status);
    seen.result(&check);
    if let Ok(found) = &check {
        seen.texts.push(("Debug of a check".into(), format!("{found:?}")));
        seen.pins.extend(found.pin.as_ref().map(|p| p.expose().to_string()));
    }
    match (status, check) {
        (Ok(status), Ok(found)) if status == found.status => Ok(found),
        (Ok(status), Ok(found)) => Err(format!("{what}: status answered {status:?}, check {:?}", found.status)),
        (Err(a), Err(b)) if a.kind() == b.kind() && a.vendor_code() == b.vendor_code() => {
            Err(format!("{what}: both refused alike, so nothing was compared: {}", show(&a)))
        }
        (status, check) => Err(format!(
            "{what}: status answered {}, check {}",
            status.map_or_else(|e| show(&e), |s| format!("{s:?}")),
            check.map_or_else(|e| show(&e), |c| format!("{:?}", c.status))
        )),
    }
}

async fn check_agrees(suite: &Suite, s: &Subject, seen: &mut Seen) -> Result<Outcome, String> {
    let c = s.factory.capabilities;
    if !c.status {
        return Ok(Outcome::NotApplicable("no status".into()));
    }
    suite.reset().await?;
    let adapter = s.build()?;
    let mut wrong = Vec::new();
    let samples =
        [("the `coupon` sample", &s.samples.coupon), ("the `balance_coupon` sample", &s.samples.balance_coupon)];
    let mut compared = 0;
    for (what, sample) in samples {
        let Some(sample) = sample else { continue };
        compared += 1;
        if let Err(e) = agree(adapter.as_ref(), what, &sandbox_samples::coupon(sample), seen).await {
            wrong.push(e);
        }
    }
    if c.issue {
        let request = s.issue_request()?;
        seen.request(&request);
        let result = adapter.issue(&request).await;
        seen.result(&result);
        let issued = result.map_err(|e| format!("the sample issue failed: {}", show(&e)))?;
        seen.issued(&issued);
        let order = issued.order.clone().ok_or("a plain successful issue has no order id")?;
        let mut ways = vec![("the coupon just issued, by its order", CouponRef::Order(order.clone()))];
        ways.extend(
            adapter
                .coupon_of_partner_ref(&request.partner_ref)
                .map(|r| ("the coupon just issued, by its reference", r)),
        );
        for (what, coupon) in &ways {
            compared += 1;
            match agree(adapter.as_ref(), what, coupon, seen).await {
                Ok(found) if found.status.as_str() != "unused" => {
                    wrong.push(format!("{what}: a coupon just issued reads {:?}", found.status));
                }
                Ok(found) if found.order.as_ref().is_some_and(|o| *o != order) => {
                    wrong.push(format!("{what}: check names order {:?}, issue named {order}", found.order));
                }
                Ok(_) => {}
                Err(e) => wrong.push(e),
            }
        }
        if c.cancel {
            let result = adapter.cancel(&order).await;
            seen.result(&result);
            result.map_err(|e| format!("cancelling the coupon just issued failed: {}", show(&e)))?;
            for (what, coupon) in &ways {
                match agree(adapter.as_ref(), &format!("{what}, cancelled"), coupon, seen).await {
                    Ok(found) if found.status.as_str() != "cancelled" => {
                        wrong.push(format!("{what}: a coupon just cancelled reads {:?}", found.status));
                    }
                    Ok(_) => {}
                    Err(e) => wrong.push(e),
                }
            }
        }
    }
    if compared == 0 {
        return Err(
            "the adapter offers status, but neither an issue nor a `coupon` sample gives a coupon to read".into()
        );
    }
    if wrong.is_empty() { Ok(Outcome::Passed) } else { Err(wrong.join("; ")) }
}

#[tokio::test]
async fn check_agrees_with_status_on_the_state() {
    over_every_adapter!("check agrees with status", any(|c| c.status), check_agrees);
}

// ---------------------------------------------------------------------------------
// 7. No secrets in logs or Debug output

#[tokio::test]
async fn no_secrets_in_logs_or_debug_output() {
    let suite = Suite::start().await;
    let mut report = Report::new("no secrets in logs, Debug output or error texts");
    let mut in_logs = Vec::new();
    let mut examined = 0;
    for s in &suite.subjects {
        // The paths that carry secrets: issue (PIN, recipient), a drop (errors), reconcile, refusals, bad answers.
        let mut seen = Seen::default();
        let _ = issue(&suite, s, &mut seen).await;
        let _ = dropped_issue(&suite, s, &mut seen).await;
        let _ = reconcile_never_sent(&suite, s, &mut seen).await;
        let _ = unknown_code(&suite, s, &mut seen).await;
        let _ = reconcile_smoke(&suite, s, &mut seen).await;
        let _ = bad_answers(&suite, s, &mut seen).await;
        let _ = check_agrees(&suite, s, &mut seen).await;
        let _ = unsupported(&suite, s, &mut seen).await;
        let adapter = match s.build() {
            Ok(a) => a,
            Err(e) => {
                report.record(s.name(), Err(e));
                continue;
            }
        };
        seen.texts.push(("Debug of the adapter".into(), format!("{adapter:?}")));
        let mut secrets = s.secret_values();
        secrets.extend(s.recipient());
        secrets.extend(s.sample_pins());
        secrets.extend(seen.pins.iter().cloned());
        let mut leaks = Vec::new();
        for secret in &secrets {
            for (what, text) in &seen.texts {
                if text.contains(secret.as_str()) {
                    leaks.push(format!("{secret:?} is in the {what}: {text}"));
                }
            }
        }
        examined += seen.texts.len();
        let outcome = if !leaks.is_empty() {
            Err(leaks.join("\n"))
        } else if secrets.is_empty() {
            Ok(Outcome::NotApplicable("no secret config value, PIN or phone number to look for".into()))
        } else {
            Ok(Outcome::Passed)
        };
        in_logs.push((s.name(), secrets));
        report.record(s.name(), outcome);
    }
    // The logs of the whole test binary so far, this test's calls included.
    let logs = logs().text();
    assert!(logs.contains("coupon.call"), "TRACE spans were captured:\n{logs}");
    let mut leaks = Vec::new();
    let secrets = in_logs.iter().map(|(_, s)| s.len()).sum::<usize>();
    assert!(examined > 0, "no Debug output or error text was examined");
    eprintln!(
        "looked for {secrets} secret values in {examined} Debug outputs and error texts and {} bytes of logs",
        logs.len()
    );
    for (vendor, secrets) in &in_logs {
        for secret in secrets {
            if let Some(at) = logs.find(secret.as_str()) {
                let line =
                    logs[..at].rsplit('\n').next().unwrap_or("").to_string() + logs[at..].lines().next().unwrap_or("");
                leaks.push(format!("{vendor}: {secret:?} is in the TRACE logs: {line}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
    report.finish(secrets > 0);
}
