//! The shared operations (`coupon issue|cancel|resend|status|balance|products|product|
//! redemptions|reconcile --vendor V …`) over the `Adapter` trait, for every installed
//! adapter alike: the vendor is a runtime value checked against the registry, and an
//! operation the adapter's capabilities lack is refused before anything is built or sent.

use std::sync::Arc;

use clap::{ArgGroup, Args};
use coupon::op;
use coupon::time::{self, KstDateTime};
use coupon::{
    Adapter, AdapterFactory, CouponRef, CouponStatus, Error, ErrorKind, IssueRequest, Issued, OrderRef, PartnerRef,
    PhoneNumber, ProductQuery, Reconciliation, Registry, Result, Vendor, Won,
};
use serde_json::{Value, json};

use super::Ctx;
use crate::failure::{CliResult, Failure};
use crate::format;
use crate::output::{Output, extend, fields, table, vendor_doc};
use crate::when;

/// `--vendor`: which installed adapter.
#[derive(Debug, Args)]
pub struct VendorArg {
    /// The vendor: an installed adapter (`coupon adapters` lists them).
    #[arg(long, value_name = "V")]
    vendor: String,
}

/// What to issue: the fields of `IssueRequest` (each vendor uses the ones it needs and
/// names the one it lacks).
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The vendor's product id.
    #[arg(long, value_name = "ID")]
    pub(crate) product: String,
    /// The product name, where the vendor wants it repeated.
    #[arg(long, value_name = "N")]
    pub(crate) product_name: Option<String>,
    /// Who receives the coupon.
    #[arg(long, value_name = "PHONE")]
    pub(crate) to: Option<String>,
    /// The reply number shown to the recipient.
    #[arg(long, value_name = "PHONE")]
    pub(crate) callback: Option<String>,
    /// The message title.
    #[arg(long, value_name = "T")]
    pub(crate) title: Option<String>,
    /// The message body.
    #[arg(long, value_name = "M")]
    pub(crate) message: Option<String>,
    /// The amount expected to be paid, in won, where the vendor checks it.
    #[arg(long, value_name = "WON")]
    pub(crate) amount: Option<u64>,
    /// A free value the vendor echoes back.
    #[arg(long, value_name = "X")]
    pub(crate) memo: Option<String>,
}

/// `coupon issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    #[command(flatten)]
    vendor: VendorArg,
    #[command(flatten)]
    request: RequestArgs,
    /// Your reference for this coupon; generated when absent. Printed before sending.
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
}

/// `coupon reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    vendor: VendorArg,
    #[command(flatten)]
    request: RequestArgs,
    /// The reference of the issue whose outcome was unknown.
    #[arg(long = "ref", value_name = "REF")]
    reference: String,
    /// A moment no later than when the issue was first sent, "YYYY-MM-DD HH:MM:SS" in KST (or RFC 3339).
    /// Default: 24 hours ago (KST).
    #[arg(long, value_name = "YYYY-MM-DD HH:MM:SS")]
    since: Option<String>,
}

/// `coupon cancel|resend`.
#[derive(Debug, Args)]
pub struct OrderArgs {
    #[command(flatten)]
    vendor: VendorArg,
    /// The vendor's order id, as `issue` printed it.
    #[arg(long, value_name = "ID")]
    order: String,
}

/// `coupon status|balance`: a coupon by order id, or by product and coupon number.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("coupon").required(true).args(["order", "barcode"])))]
pub struct CouponArgs {
    #[command(flatten)]
    vendor: VendorArg,
    /// The vendor's order id.
    #[arg(long, value_name = "ID", conflicts_with_all = ["product", "barcode"])]
    order: Option<String>,
    /// The product the coupon was sold as (with --barcode).
    #[arg(long, value_name = "ID", requires = "barcode")]
    product: Option<String>,
    /// The coupon number (with --product; shown masked unless --reveal).
    #[arg(long, value_name = "NUM", requires = "product")]
    barcode: Option<String>,
}

/// `coupon products`: the fields of `ProductQuery`.
#[derive(Debug, Args)]
pub struct ProductsArgs {
    #[command(flatten)]
    vendor: VendorArg,
    /// A category id.
    #[arg(long, value_name = "C")]
    category: Option<String>,
    /// A brand id.
    #[arg(long, value_name = "B")]
    brand: Option<String>,
    /// A price ceiling, in won.
    #[arg(long, value_name = "N")]
    max_price: Option<u64>,
    /// A search word.
    #[arg(long, value_name = "W")]
    word: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N")]
    page: Option<u32>,
    /// Items per page.
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
}

/// `coupon product`.
#[derive(Debug, Args)]
pub struct ProductArgs {
    #[command(flatten)]
    vendor: VendorArg,
    /// The vendor's product id.
    id: String,
}

/// `coupon redemptions`.
#[derive(Debug, Args)]
pub struct RedemptionsArgs {
    #[command(flatten)]
    vendor: VendorArg,
    /// The day, YYYY-MM-DD (KST).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: String,
}

/// The installed adapter named `vendor`, if it offers `operation`; nothing is built or sent
/// otherwise (exit 2 either way).
pub fn target(vendor: &str, operation: &'static str) -> CliResult<&'static AdapterFactory> {
    let registry = Registry::from_inventory();
    let factory = registry
        .require(vendor)
        .map_err(|e| Failure::from(Error::new(ErrorKind::InvalidInput, e.message()).with_field("vendor")))?;
    if !factory.capabilities.offers(operation) {
        let offered: Vec<&str> = factory.capabilities.offered().collect();
        let e = Error::new(
            ErrorKind::Unsupported,
            format!(
                "{} does not offer `{operation}` (it offers: {}); nothing was sent",
                factory.name,
                offered.join(", ")
            ),
        )
        .with_vendor(Vendor::new(factory.name))
        .with_operation(operation);
        return Err(Failure::before_sending(e));
    }
    Ok(factory)
}

/// Builds the adapter from its configuration section (a missing or wrong section is explained).
pub(crate) fn build(factory: &AdapterFactory, ctx: &Ctx) -> Result<Arc<dyn Adapter>> {
    Registry::from_inventory().build(&ctx.section(factory.name)?)
}

/// Checks the vendor and the operation, then builds the adapter.
fn adapter(
    vendor: &VendorArg,
    operation: &'static str,
    ctx: &Ctx,
) -> CliResult<(&'static AdapterFactory, Arc<dyn Adapter>)> {
    let factory = target(&vendor.vendor, operation)?;
    Ok((factory, build(factory, ctx)?))
}

impl RequestArgs {
    /// The request, with `partner_ref` (errors naming the flag carry it).
    fn request(&self, partner_ref: PartnerRef) -> Result<IssueRequest> {
        let tag = |e: Error| e.with_partner_ref(partner_ref.clone());
        let mut r = IssueRequest::new(self.product.clone()).partner_ref(partner_ref.clone());
        if let Some(to) = &self.to {
            r = r.recipient(PhoneNumber::parse_field("to", to).map_err(tag)?);
        }
        if let Some(callback) = &self.callback {
            r = r.callback(PhoneNumber::parse_field("callback", callback).map_err(tag)?);
        }
        r.product_name = self.product_name.clone();
        r.title = self.title.clone();
        r.message = self.message.clone();
        r.amount = self.amount.map(Won);
        r.memo = self.memo.clone();
        Ok(r)
    }
}

/// Runs `coupon issue`.
pub async fn issue(args: &IssueArgs, ctx: &Ctx) -> CliResult {
    let out = &ctx.out;
    let factory = target(&args.vendor.vendor, op::ISSUE)?;
    let partner_ref = args.reference.clone().map_or_else(PartnerRef::generate, PartnerRef::new);
    let request = args.request.request(partner_ref.clone())?;
    let adapter = build(factory, ctx).map_err(|e| e.with_partner_ref(partner_ref.clone()))?;
    // Printed before sending, so a crash or a lost answer can still be settled by it.
    out.before_sending(factory.name, op::ISSUE, "partner ref", &partner_ref);
    let sent = time::now_kst();
    let issued =
        adapter.issue(&request).await.map_err(|e| issue_failure(e, factory, &args.request, &partner_ref, sent, out))?;
    if let Some(why) = &issued.details_unknown {
        out.warn(details_unknown_warning(factory.name, &issued.partner_ref, why));
    }
    out.emit(&issued_json(&issued, &request, out), || issued_fields(&issued, &request, out));
    Ok(())
}

/// The operator's warning for a coupon that exists but whose details are unknown.
fn details_unknown_warning(vendor: &str, partner_ref: &PartnerRef, why: &str) -> String {
    format!(
        "{vendor} has a coupon for partner ref {partner_ref}, but its order id and PIN are unknown ({why}); \
         do not issue again with a new reference: ask {vendor} for the coupon of {partner_ref}"
    )
}

fn issued_json(issued: &Issued, request: &IssueRequest, out: &Output) -> Value {
    json!({
        "vendor": issued.vendor.as_str(),
        "order_id": issued.order.as_ref().map(OrderRef::as_str),
        "pin": issued.pin.as_ref().map(|p| out.pin(p)),
        "partner_ref": issued.partner_ref.as_str(),
        "product_id": request.product_id,
        "to": request.recipient.as_ref().map(|p| out.phone(p)),
        "memo": issued.memo,
        "details_unknown": issued.details_unknown,
    })
}

fn issued_fields(issued: &Issued, request: &IssueRequest, out: &Output) -> String {
    fields(&[
        ("vendor", issued.vendor.to_string()),
        ("order id", format::text(issued.order.as_ref().map(OrderRef::as_str))),
        ("PIN", issued.pin.as_ref().map_or_else(|| "-".to_string(), |p| out.pin(p))),
        ("partner ref", issued.partner_ref.to_string()),
        ("product", request.product_id.clone()),
        ("sent to", request.recipient.as_ref().map_or_else(|| "-".to_string(), |p| out.phone(p))),
        ("memo", format::text(issued.memo.as_deref())),
    ])
    .to_string()
}

/// A failed issue: an unknown outcome names the command that settles it, a reused
/// reference says that nothing new was issued.
fn issue_failure(
    e: Error,
    factory: &AdapterFactory,
    args: &RequestArgs,
    partner_ref: &PartnerRef,
    sent: KstDateTime,
    out: &Output,
) -> Failure {
    let e = if e.partner_ref().is_none() { e.with_partner_ref(partner_ref.clone()) } else { e };
    let vendor = factory.name;
    match e.kind() {
        ErrorKind::OutcomeUnknown if factory.capabilities.reconcile => {
            let command = reconcile_command(vendor, args, partner_ref, &when::since_for(sent), out);
            let masked = if args.to.is_some() || args.callback.is_some() {
                " (phone numbers are shown masked: run with --reveal to see them, or type them in)"
            } else {
                ""
            };
            Failure::from(e)
                .hint(format!(
                    "the coupon may have been issued: do not issue again with a new reference. Settle it with \
                     (the library's Adapter::reconcile){masked}:"
                ))
                .reconcile(vec![command])
        }
        ErrorKind::OutcomeUnknown if factory.capabilities.issue_deduplicated => Failure::from(e).hint(format!(
            "the coupon may have been issued. {vendor} refuses a repeated reference, so repeating this exact command \
             with --ref {partner_ref} cannot issue twice (a duplicate_reference answer then means the first attempt \
             issued it)."
        )),
        ErrorKind::OutcomeUnknown => Failure::from(e).hint(format!(
            "the coupon may have been issued: do not issue again. {vendor} cannot settle this by itself: ask {vendor} \
             about partner ref {partner_ref}."
        )),
        ErrorKind::DuplicateReference => Failure::from(e).hint(format!(
            "a coupon already exists for partner ref {partner_ref}; nothing new was issued. Use another --ref for \
             another coupon."
        )),
        _ => e.into(),
    }
}

/// `coupon reconcile …` with every flag the issue had, ready to paste.
pub(crate) fn reconcile_command(
    vendor: &str,
    args: &RequestArgs,
    partner_ref: &PartnerRef,
    since: &str,
    out: &Output,
) -> String {
    let phone = |flag: &str, raw: &str| format!(" {flag} {}", quote(&out.phone_text(raw)));
    let mut c = format!("coupon reconcile --vendor {} --product {}", quote(vendor), quote(&args.product));
    let texts = [("--product-name", &args.product_name)];
    for (flag, value) in texts {
        if let Some(v) = value {
            c.push_str(&format!(" {flag} {}", quote(v)));
        }
    }
    if let Some(to) = &args.to {
        c.push_str(&phone("--to", to));
    }
    if let Some(callback) = &args.callback {
        c.push_str(&phone("--callback", callback));
    }
    for (flag, value) in [("--title", &args.title), ("--message", &args.message)] {
        if let Some(v) = value {
            c.push_str(&format!(" {flag} {}", quote(v)));
        }
    }
    if let Some(amount) = args.amount {
        c.push_str(&format!(" --amount {amount}"));
    }
    if let Some(memo) = &args.memo {
        c.push_str(&format!(" --memo {}", quote(memo)));
    }
    c.push_str(&format!(" --ref {} --since \"{since}\"", quote(partner_ref.as_str())));
    c
}

/// A value as a shell word: bare when plain, else in double quotes.
pub(crate) fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | ',' | '@' | '+' | '='));
    if plain {
        return s.to_string();
    }
    let mut q = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// Runs `coupon reconcile`.
pub async fn reconcile(args: &ReconcileArgs, ctx: &Ctx) -> CliResult {
    let out = &ctx.out;
    let factory = target(&args.vendor.vendor, op::RECONCILE)?;
    let partner_ref = PartnerRef::new(args.reference.clone());
    let request = args.request.request(partner_ref.clone())?;
    let since = when::since_or_default(args.since.as_deref())?;
    let adapter = build(factory, ctx)?;
    let found = adapter.reconcile(&request, since).await?;
    let vendor = factory.name;
    let mut doc = json!({
        "vendor": vendor,
        "partner_ref": partner_ref.as_str(),
        "since": format::time_json(Some(&since)),
        "result": found.as_str(),
        "issued": Value::Null,
    });
    match found {
        Reconciliation::Issued(issued) => {
            if let Some(why) = &issued.details_unknown {
                out.warn(details_unknown_warning(vendor, &issued.partner_ref, why));
            }
            doc["issued"] = issued_json(&issued, &request, out);
            out.emit(&doc, || {
                format!("a coupon exists for partner ref {partner_ref}:\n{}", issued_fields(&issued, &request, out))
            });
            Ok(())
        }
        Reconciliation::NotIssued => {
            out.emit(&doc, || {
                format!(
                    "{vendor} has no coupon for partner ref {partner_ref} since {}: it was not issued; issuing again \
                     with --ref {partner_ref} is safe",
                    format::kst(&since)
                )
            });
            Ok(())
        }
        Reconciliation::StillUnknown(why) => Err(Failure::from(
            Error::outcome_unknown(Some(partner_ref.clone()), why).in_context(Vendor::new(vendor), op::RECONCILE),
        )
        .hint("do not issue again yet; ask again later, or ask the vendor")),
        // Reconciliation is non-exhaustive: an answer this CLI does not know settles nothing.
        _ => Err(Failure::from(
            Error::outcome_unknown(Some(partner_ref.clone()), "an answer this version does not know")
                .in_context(Vendor::new(vendor), op::RECONCILE),
        )),
    }
}

/// Runs `coupon cancel`.
pub async fn cancel(args: &OrderArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::CANCEL, ctx)?;
    let order = OrderRef::new(args.order.clone());
    let vendor = factory.name;
    adapter.cancel(&order).await.map_err(|e| {
        let unknown = e.kind() == ErrorKind::OutcomeUnknown && factory.capabilities.status;
        let failure = Failure::from(e);
        if unknown {
            failure.hint(format!(
                "check with `coupon status --vendor {vendor} --order {}`: cancelled means it went through",
                quote(order.as_str())
            ))
        } else {
            failure
        }
    })?;
    let doc = json!({"vendor": vendor, "order_id": order.as_str(), "cancelled": true});
    ctx.out.emit(&doc, || format!("{vendor}: order {order} cancelled"));
    Ok(())
}

/// Runs `coupon resend`.
pub async fn resend(args: &OrderArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::RESEND, ctx)?;
    let order = OrderRef::new(args.order.clone());
    let vendor = factory.name;
    adapter.resend(&order).await.map_err(|e| {
        let unknown = e.kind() == ErrorKind::OutcomeUnknown;
        let failure = Failure::from(e);
        if unknown {
            failure.hint("the message may have been sent again; ask the recipient before resending")
        } else {
            failure
        }
    })?;
    let doc = json!({"vendor": vendor, "order_id": order.as_str(), "resent": true});
    ctx.out.emit(&doc, || format!("{vendor}: the message of order {order} was sent again"));
    Ok(())
}

impl CouponArgs {
    fn coupon(&self) -> CouponRef {
        match (&self.order, &self.product, &self.barcode) {
            (Some(order), _, _) => CouponRef::order(order.clone()),
            (None, Some(product), Some(barcode)) => CouponRef::barcode(product.clone(), barcode.clone()),
            // clap requires --order, or --product with --barcode.
            _ => CouponRef::order(String::new()),
        }
    }
}

/// The coupon's names in a document, and for people.
fn coupon_json(coupon: &CouponRef, out: &Output) -> (Value, String) {
    match coupon {
        CouponRef::Order(order) => (json!({"order_id": order.as_str()}), format!("order {order}")),
        CouponRef::Barcode { goods_id, barcode } => {
            let shown = out.pin(barcode);
            (json!({"product_id": goods_id, "barcode": shown}), format!("coupon {shown} of product {goods_id}"))
        }
        _ => (json!({}), "coupon".to_string()),
    }
}

/// Runs `coupon status`.
pub async fn status(args: &CouponArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::STATUS, ctx)?;
    let out = &ctx.out;
    let coupon = args.coupon();
    let s = adapter.status(&coupon).await?;
    let (named, name) = coupon_json(&coupon, out);
    let mut doc = vendor_doc(factory.name, &s);
    extend(&mut doc, named);
    out.emit(&doc, || {
        let (used_at, place, cancelled_at, vendor_status) = match &s {
            CouponStatus::Used { at, place } => (at.as_ref(), place.as_deref(), None, None),
            CouponStatus::Cancelled { at } => (None, None, at.as_ref(), None),
            CouponStatus::Unknown(raw) => (None, None, None, Some(raw.as_str())),
            _ => (None, None, None, None),
        };
        fields(&[
            ("vendor", factory.name.to_string()),
            ("coupon", name.clone()),
            ("status", s.as_str().to_string()),
            ("used at", format::kst_opt(used_at)),
            ("place", format::text(place)),
            ("cancelled at", format::kst_opt(cancelled_at)),
            ("vendor status", format::text(vendor_status)),
        ])
        .to_string()
    });
    Ok(())
}

/// Runs `coupon balance`.
pub async fn balance(args: &CouponArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::BALANCE, ctx)?;
    let out = &ctx.out;
    let coupon = args.coupon();
    let b = adapter.balance(&coupon).await?;
    let (named, name) = coupon_json(&coupon, out);
    let mut doc = vendor_doc(factory.name, &b);
    extend(&mut doc, named);
    out.emit(&doc, || format!("{} {name}: {} of {} left", factory.name, b.remaining, b.total));
    Ok(())
}

/// Runs `coupon products`.
pub async fn products(args: &ProductsArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::PRODUCTS, ctx)?;
    let mut query = ProductQuery::new();
    query.category = args.category.clone();
    query.brand = args.brand.clone();
    query.max_price = args.max_price.map(Won);
    query.word = args.word.clone();
    query.page = args.page;
    query.limit = args.limit;
    let page = adapter.products(&query).await?;
    ctx.out.emit(&vendor_doc(factory.name, &page), || {
        let mut t = table(&["product id", "name", "brand", "price", "now", "available", "on sale until"]);
        for p in &page.items {
            t.add_row(vec![
                p.id.clone(),
                p.name.clone(),
                format::text(p.brand.as_ref().map(|b| b.name.as_str())),
                format::won(p.price),
                format::won(p.sale_price),
                p.availability.as_str().to_string(),
                p.sale_until.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            ]);
        }
        let total = page.total.map_or_else(String::new, |n| format!(" of {n}"));
        let more = if page.has_next { " (more on the next page: --page)" } else { "" };
        format!("{t}\n{} products{total} on page {}{more}", page.items.len(), page.page)
    });
    Ok(())
}

/// Runs `coupon product`.
pub async fn product(args: &ProductArgs, ctx: &Ctx) -> CliResult {
    let (factory, adapter) = adapter(&args.vendor, op::PRODUCT, ctx)?;
    let p = adapter.product(&args.id).await?;
    ctx.out.emit(&vendor_doc(factory.name, &p), || {
        let validity = p.validity.as_ref().map(|v| match v {
            coupon::Validity::Days(d) => format!("{d} days from issue"),
            coupon::Validity::Until(day) => format!("until {day}"),
            coupon::Validity::UntilTime(t) => format!("until {}", format::kst(t)),
            _ => "-".to_string(),
        });
        fields(&[
            ("product id", p.id.clone()),
            ("name", p.name.clone()),
            ("brand", format::text(p.brand.as_ref().map(|b| b.name.as_str()))),
            ("category", format::text(p.category.as_ref().map(|c| c.name.as_str()))),
            ("price", format::won(p.price)),
            ("now", format::won(p.sale_price)),
            ("valid", format::text(validity.as_deref())),
            ("available", p.availability.as_str().to_string()),
            ("on sale until", p.sale_until.map_or_else(|| "-".to_owned(), |d| d.to_string())),
            ("image", format::text(p.image_url.as_deref())),
            ("notice", format::text(p.notice.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

/// Runs `coupon redemptions`.
pub async fn redemptions(args: &RedemptionsArgs, ctx: &Ctx) -> CliResult {
    let factory = target(&args.vendor.vendor, op::REDEMPTIONS)?;
    let day =
        time::parse_date(&args.date).ok_or_else(|| Error::invalid_field("date", "must be a day as YYYY-MM-DD"))?;
    let adapter = build(factory, ctx)?;
    let report = adapter.redemptions(day).await?;
    emit_redemptions(factory.name, &report, &ctx.out);
    Ok(())
}

/// Prints a day's redemptions: one document, or a table with the unreadable lines after it.
pub fn emit_redemptions(vendor: &str, report: &coupon::RedemptionReport, out: &Output) {
    let doc = json!({
        "vendor": vendor,
        "date": format::day_json(report.day),
        "items": report.items.iter().map(|r| json!({
            "pin": out.pin(&r.pin),
            "at": format::redeemed_json(&r.at),
            "branch": r.branch,
        })).collect::<Vec<_>>(),
        "errors": report.errors,
    });
    out.emit(&doc, || {
        let mut t = table(&["PIN", "redeemed at", "branch"]);
        for r in &report.items {
            t.add_row(vec![out.pin(&r.pin), format::redeemed(&r.at), format::text(r.branch.as_deref())]);
        }
        let mut text = format!("{vendor} redemptions on {}: {}\n{t}", report.day, report.items.len());
        for e in &report.errors {
            text.push_str(&format!("\nline {}: {}", e.line, e.message));
        }
        text
    });
}

#[cfg(test)]
mod tests {
    use coupon::Capabilities;

    use super::*;

    fn request_args() -> RequestArgs {
        RequestArgs {
            product: "P-1".into(),
            product_name: Some("아메리카노 Tall".into()),
            to: Some("010-1234-5678".into()),
            callback: None,
            title: Some("선물".into()),
            message: Some("say \"hi\"".into()),
            amount: Some(4500),
            memo: None,
        }
    }

    #[test]
    fn the_reconcile_command_repeats_every_flag_and_masks_phones_unless_revealed() {
        let r = PartnerRef::new("CP1");
        let masked = reconcile_command("acme", &request_args(), &r, "2026-11-02 13:58:22", &Output::new(false, false));
        assert_eq!(
            masked,
            "coupon reconcile --vendor acme --product P-1 --product-name \"아메리카노 Tall\" --to \"010-****-5678\" \
             --title \"선물\" --message \"say \\\"hi\\\"\" --amount 4500 --ref CP1 --since \"2026-11-02 13:58:22\""
        );
        let shown = reconcile_command("acme", &request_args(), &r, "2026-11-02 13:58:22", &Output::new(true, true));
        assert!(shown.contains("--to 010-1234-5678 "), "{shown}");
    }

    #[test]
    fn an_unknown_vendor_and_a_missing_operation_exit_2() {
        let f = target("nosuchvendor", op::STATUS).unwrap_err();
        assert_eq!(f.exit_code(), crate::exit::USAGE);
        assert_eq!(f.error.field(), Some("vendor"));
        for name in Registry::installed() {
            assert!(f.error.to_string().contains(name), "{}", f.error);
        }
        for factory in Registry::from_inventory().factories() {
            for operation in Capabilities::OPERATIONS.into_iter().filter(|o| !factory.capabilities.offers(o)) {
                let f = target(factory.name, operation).unwrap_err();
                assert_eq!(f.exit_code(), crate::exit::USAGE);
                let text = f.error.to_string();
                assert!(text.contains(&format!("{} does not offer `{operation}`", factory.name)), "{text}");
            }
        }
    }

    #[test]
    fn a_coupon_whose_details_are_unknown_says_so_in_the_document_and_the_warning() {
        let r = PartnerRef::new("CP9");
        let issued = Issued::with_details_unknown(Vendor::new("acme"), r.clone(), "re-send refused as a duplicate");
        let request = IssueRequest::new("P-1").partner_ref(r.clone());
        let doc = issued_json(&issued, &request, &Output::new(true, false));
        assert_eq!(doc["details_unknown"], "re-send refused as a duplicate");
        assert!(doc["order_id"].is_null() && doc["pin"].is_null(), "{doc}");
        assert_eq!(doc["partner_ref"], "CP9");
        let warning = details_unknown_warning("acme", &r, "re-send refused as a duplicate");
        assert!(warning.contains("CP9") && warning.contains("do not issue again"), "{warning}");
    }
}
