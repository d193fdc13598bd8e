//! The shared [`Adapter`] operations on top of the native client.

use coupon_core::context::WithErrorContext;
use coupon_core::time::{KstDateTime, today_kst};
use coupon_core::{
    Adapter, Availability, Balance, Brand, Capabilities, Category, CouponCheck, CouponRef, CouponStatus, Error,
    ErrorKind, IssueRequest, Issued, OrderRef, Page, PartnerRef, Product, ProductQuery, Reconciliation, Result,
    Validity, Vendor, async_trait,
};

use crate::VENDOR;
use crate::client::{Giftishow, Sent, found_for, is_no_such_coupon};
use crate::wire::replies::{CouponInfo, Goods};
use crate::wire::requests::Send;

/// What the Giftishow adapter implements: everything but `redemptions` (the
/// integrations show no redemption report). `balance` is a stored-value coupon's
/// remaining amount (`remainAmt` of the coupon detail); the account's bizmoney is
/// the native [`Giftishow::bizmoney`]. `issue_delivers` holds for the default
/// delivery mode (`gubun` `N`); an adapter configured with `Y` or `I` answers it false.
pub const CAPABILITIES: Capabilities = Capabilities {
    issue: true,
    issue_deduplicated: true,
    issue_delivers: true,
    cancel: true,
    cancel_repeatable: true,
    status: true,
    resend: true,
    products: true,
    product_detail: true,
    balance: true,
    reconcile: true,
    ..Capabilities::NONE
};

/// The page size of `products` when the query names none.
const DEFAULT_PAGE_SIZE: u32 = 20;

/// Giftishow Biz behind the [`Adapter`] trait.
///
/// Giftishow looks every coupon up by the partner's `tr_id`, not by its order
/// number, so the order an [`Issued`] names, and the one `cancel`, `status`,
/// `resend` and `balance` take, is the `tr_id`: the request's `partner_ref`. The
/// vendor's `orderNo` is on the native client's answers.
///
/// | operation | `api_code` | notes |
/// |---|---|---|
/// | `issue` | `0204` send | `product_id`→`goods_code`, `recipient`→`phone_no`, `callback`→`callback_no` (else the configured one), `title`→`mms_title`, `message`→`mms_msg`, `partner_ref`→`tr_id`; a lost answer is settled by `0201` before any re-send |
/// | `reconcile` | `0201` coupon detail | by `tr_id`: a coupon → issued; `ERR0204`/`ERR0212` → not issued; any other vendor code → still unknown; `since` unused |
/// | `cancel` | `0202` | by `tr_id` |
/// | `status`, `check` | `0201` | [`CouponRef::Order`] with the `tr_id` ([`Adapter::coupon_of_partner_ref`] names it); `pinStatusCd` by [`crate::codes::PIN_STATUS`], `remainAmt` for partly used, `validPrdEndDt` |
/// | `resend` | `0203` | by MMS (`sms_flag=N`) |
/// | `products` | `0101` | pages of [`ProductQuery::limit`] (default 20); no filter |
/// | `product` | `0111` (or `0102`) | |
/// | `balance` | `0201` | `remainAmt` of a stored-value coupon |
///
/// Every error names the vendor and the operation (ours, or the vendor's path when a
/// native call failed) and, for `issue` and `reconcile`, the `tr_id`: the operations
/// are an inner adapter's, whose errors [`WithErrorContext`] completes.
#[derive(Clone)]
pub struct GiftishowAdapter {
    ops: Operations,
}

impl GiftishowAdapter {
    /// The adapter over a client.
    pub fn new(client: Giftishow) -> Self {
        Self { ops: Operations { client } }
    }

    /// The native client, for what the trait does not cover (brands, bizmoney,
    /// send-failure cancel, resend by SMS, the vendor's `orderNo`).
    pub fn client(&self) -> &Giftishow {
        &self.ops.client
    }
}

impl WithErrorContext for GiftishowAdapter {
    type Inner = Operations;

    fn inner(&self) -> &Operations {
        &self.ops
    }
}

impl std::fmt::Debug for GiftishowAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GiftishowAdapter").field("client", &self.ops.client).finish()
    }
}

/// The shared operations of [`GiftishowAdapter`], each error as it arose.
#[derive(Clone, Debug)]
pub struct Operations {
    client: Giftishow,
}

impl Operations {
    /// The send for `request`: the request's fields, then the configuration's.
    fn send_of(&self, request: &IssueRequest) -> Result<Send> {
        if request.amount.is_some() {
            // A caller setting it expects the vendor to check the price; Giftishow cannot.
            return Err(Error::invalid_field("amount", "is not supported: Giftishow does not check an amount"));
        }
        if request.memo.is_some() {
            return Err(Error::invalid_field("memo", "is not supported: Giftishow echoes nothing back"));
        }
        let config = self.client.config();
        let callback_no = request.callback.clone().or_else(|| config.callback_no.clone()).ok_or_else(|| {
            Error::invalid_field(
                "callback",
                "is required (Giftishow `callback_no`): set it on the request, or `callback_no` in [giftishow]",
            )
        })?;
        let send = Send {
            goods_code: request.product_id.clone(),
            tr_id: request.partner_ref.clone(),
            phone_no: request.recipient.clone(),
            callback_no,
            mms_title: request.title.clone(),
            mms_msg: request.message.clone(),
            gubun: config.gubun,
            order_no: None,
            template_id: config.template_id.clone(),
            banner_id: config.banner_id.clone(),
        };
        send.validate(config.limits).map_err(ours)?;
        Ok(send)
    }
}

/// A send check names the vendor's field; the caller set ours: the error names
/// ours, and the vendor's in its text.
fn ours(e: Error) -> Error {
    let Some(vendor) = e.field().map(str::to_owned) else { return e };
    let ours = match vendor.as_str() {
        "goods_code" => "product_id",
        "tr_id" => "partner_ref",
        "phone_no" => "recipient",
        "callback_no" => "callback",
        "mms_title" => "title",
        "mms_msg" => "message",
        _ => return e,
    };
    let problem = e.message().strip_prefix(&format!("`{vendor}` ")).unwrap_or(e.message()).to_owned();
    Error::invalid_field(ours, format!("{problem} (Giftishow `{vendor}`)"))
}

/// What the caller gets for the coupon a send made.
fn issued_of(sent: Sent, tr_id: PartnerRef) -> Issued {
    let order = OrderRef::new(tr_id.as_str());
    match sent {
        Sent::Reply(reply) => Issued::new(VENDOR, order, reply.pin, tr_id),
        Sent::Found(info) => Issued::new(VENDOR, order, info.pin, tr_id),
        Sent::ByEarlierAttempt { code } => {
            let why = format!(
                "issued by this call's earlier attempt, whose answer was lost: the re-send with the same tr_id was \
                 refused as a duplicate ({code}); read the coupon by tr_id {tr_id} (status), and never send it \
                 again with a new tr_id"
            );
            Issued::with_details_unknown(VENDOR, tr_id, why)
        }
    }
}

fn product_of(g: Goods) -> Product {
    let on_sale = g.on_sale();
    let ended = g.end_date.is_some_and(|d| d < today_kst());
    let mut p = Product::new(VENDOR, g.goods_code, g.goods_name);
    p.brand = match (g.brand_code, g.brand_name) {
        (None, None) => None,
        (id, name) => {
            let mut b = Brand::new(id, name.unwrap_or_default());
            b.image_url = g.brand_icon;
            Some(b)
        }
    };
    p.category = g.category1_seq.map(|id| Category::new(id, g.category1_name.unwrap_or_default()));
    p.price = g.sale_price;
    p.sale_price = g.discount_price;
    p.image_url = g.image_big.or(g.image_small).or(g.mms_goods_image);
    p.availability = match &g.state {
        Some(_) if on_sale && !ended => Availability::Available,
        Some(_) => Availability::Unavailable,
        None => Availability::Unknown(String::new()),
    };
    p.validity = g.limit_day.and_then(|d| u32::try_from(d).ok()).map(Validity::Days);
    p.sale_until = g.end_date;
    p.notice = g.content;
    p.vendor_status = g.state;
    p
}

/// Whether a lookup refused with a code of `kind` is a vendor's answer that
/// settles nothing (the vendor failing, a code of ours it does not know, a
/// "not found" other than the proofs), rather than a refusal of our credentials,
/// account or input, which asking again would not change.
fn proves_nothing(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::Unavailable | ErrorKind::Rejected | ErrorKind::NotFound | ErrorKind::AlreadyCancelled)
}

/// The coupon of a `tr_id`: the first of the coupon detail's list.
fn the_coupon(mut found: Vec<CouponInfo>) -> Result<CouponInfo> {
    if found.is_empty() {
        return Err(Error::new(ErrorKind::NotFound, "the coupon detail lists no coupon for this tr_id"));
    }
    Ok(found.swap_remove(0))
}

/// What the coupon detail says of the coupon sent with `tr_id`.
fn check_of(tr_id: &str, info: CouponInfo) -> Result<CouponCheck> {
    let status = info.coupon_status().ok_or_else(|| Error::protocol("the coupon detail has no `pinStatusCd`"))?;
    Ok(CouponCheck::new(status).valid_until(info.valid_until).found(Some(OrderRef::new(tr_id)), info.pin))
}

fn tr_id_of(coupon: &CouponRef) -> Result<&str> {
    let CouponRef::Order(order) = coupon else {
        return Err(Error::invalid_field(
            "coupon",
            "must be an order: Giftishow looks coupons up by the tr_id they were sent with",
        ));
    };
    Ok(order.as_str())
}

fn products_page(query: &ProductQuery) -> Result<(u32, u32)> {
    let refuse = |field: &str| {
        Err(Error::invalid_field(field, "is not supported: Giftishow lists every goods by page, without filters"))
    };
    if query.brand.is_some() {
        return refuse("brand");
    }
    if query.category.is_some() {
        return refuse("category");
    }
    if query.word.is_some() {
        return refuse("word");
    }
    if query.max_price.is_some() {
        return refuse("max_price");
    }
    let page = query.page.unwrap_or(1);
    let size = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    crate::wire::requests::check_page(("page", page), ("limit", size))?;
    Ok((page, size))
}

#[async_trait]
impl Adapter for Operations {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities { issue_delivers: self.client.config().gubun.delivers(), ..CAPABILITIES }
    }

    fn check_issue(&self, request: &IssueRequest) -> Result<()> {
        request.check_text()?;
        self.send_of(request).map(drop)
    }

    /// Sends with the request's `partner_ref` as `tr_id`.
    ///
    /// A coupon issued is never an error: when the answer is lost, the coupon
    /// detail for the `tr_id` is read first (a coupon there is `Ok`, with its PIN
    /// when the detail carries one), and the same send goes once more only when
    /// Giftishow has no coupon for it; a duplicate refusal of that re-send is `Ok`
    /// with [`Issued::details_unknown`]. `ERR0215` on a first attempt is
    /// [`ErrorKind::DuplicateReference`] (this call issued nothing); a doubt left
    /// is [`ErrorKind::OutcomeUnknown`]: settle it with [`Adapter::reconcile`].
    async fn issue(&self, request: &IssueRequest) -> Result<Issued> {
        request.check_text()?;
        let send = self.send_of(request)?;
        let sent = self.client.send(&send).await?;
        Ok(issued_of(sent, request.partner_ref.clone()))
    }

    /// Settles an issue in doubt by reading the coupon detail for its `tr_id`
    /// (`0201`); nothing is sent. A coupon there: [`Reconciliation::Issued`] (with
    /// its PIN when the detail carries one), whatever its state now. `ERR0204` or
    /// `ERR0212` ([`crate::codes::proves_no_coupon`]): [`Reconciliation::NotIssued`], so
    /// the same request may be sent again with the same `tr_id` (a send landing
    /// late is still refused as a duplicate). An empty list, or any other code of
    /// the vendor's that is no proof (`ERR0208`, `ERR0999`, a database error, a
    /// code we do not know): [`Reconciliation::StillUnknown`] with the code, to ask
    /// again later. A refusal of our credentials or input stays an error. A coupon
    /// of other goods is [`ErrorKind::DuplicateReference`]: the `tr_id` belongs to
    /// another send, and this request was refused as its duplicate. `since` is unused.
    async fn reconcile(&self, request: &IssueRequest, since: KstDateTime) -> Result<Reconciliation> {
        let _ = since;
        let tr_id = request.partner_ref.clone();
        request.check_text()?;
        match self.client.operation(self.client.coupons(tr_id.as_str())).await {
            Ok(found) if found.is_empty() => Ok(Reconciliation::StillUnknown(format!(
                "Giftishow's coupon detail for tr_id {tr_id} answered success with no coupon; ask again later"
            ))),
            Ok(mut found) => {
                let info = found_for(&request.product_id, &tr_id, found.swap_remove(0))?;
                Ok(Reconciliation::Issued(issued_of(Sent::Found(info), tr_id)))
            }
            Err(e) if is_no_such_coupon(&e) => Ok(Reconciliation::NotIssued),
            Err(e) if e.vendor_code().is_some() && proves_nothing(e.kind()) => {
                Ok(Reconciliation::StillUnknown(format!(
                    "Giftishow's coupon detail for tr_id {tr_id} answered {e}: that does not prove that no coupon \
                     exists; ask again later"
                )))
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel(&self, order: &OrderRef) -> Result<()> {
        self.client.operation(self.client.cancel(order.as_str())).await
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        self.check(coupon).await.map(|found| found.status)
    }

    /// The coupon detail (`0201`) by `tr_id`: the state ([`CouponInfo::coupon_status`]:
    /// `pinStatusCd`, and `remainAmt` for a stored-value coupon), `validPrdEndDt` as
    /// `valid_until`, the `tr_id` as the order (as `issue` names it) and `pinNo` as the
    /// PIN where the answer carries it. Delivery is not read: the reading names
    /// `sendStatusCd` and `sendRstCd` but none of their values.
    async fn check(&self, coupon: &CouponRef) -> Result<CouponCheck> {
        let tr_id = tr_id_of(coupon)?;
        let info = the_coupon(self.client.operation(self.client.coupons(tr_id)).await?)?;
        check_of(tr_id, info)
    }

    /// The `tr_id` is the request's `partner_ref`, and the coupon detail looks it up.
    fn coupon_of_partner_ref(&self, partner_ref: &PartnerRef) -> Option<CouponRef> {
        Some(CouponRef::Order(OrderRef::new(partner_ref.as_str())))
    }

    async fn resend(&self, order: &OrderRef) -> Result<()> {
        self.client.operation(self.client.resend(order.as_str(), false)).await
    }

    async fn products(&self, query: &ProductQuery) -> Result<Page<Product>> {
        let (page, size) = products_page(query)?;
        let list = self.client.operation(self.client.goods(page, size)).await?;
        let has_next = list.items.len() >= size as usize;
        let items = list.items.into_iter().map(product_of).collect();
        Ok(Page::new(items, page, list.total_count, has_next))
    }

    async fn product(&self, id: &str) -> Result<Product> {
        self.client.operation(self.client.goods_detail(id)).await.map(product_of)
    }

    async fn balance(&self, coupon: &CouponRef) -> Result<Balance> {
        let tr_id = tr_id_of(coupon)?;
        let info = the_coupon(self.client.operation(self.client.coupons(tr_id)).await?)?;
        info.balance().ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                "this coupon has no remaining amount (`remainAmt`): it is not a stored-value coupon",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GiftishowConfig;
    use coupon_core::{PhoneNumber, Won};

    fn adapter(edit: impl FnOnce(&mut GiftishowConfig)) -> GiftishowAdapter {
        let mut c = GiftishowConfig::new("http://127.0.0.1:9/giftishow/bizApi", "REALx", "token", "biz").unwrap();
        edit(&mut c);
        GiftishowAdapter::new(Giftishow::new(c).unwrap())
    }

    fn request() -> IssueRequest {
        IssueRequest::new("G00001621744")
            .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
            .callback(PhoneNumber::parse("1588-0000").unwrap())
            .title("선물 도착")
            .message("아메리카노 한 잔")
    }

    #[test]
    fn issue_requests_map_field_by_field() {
        let a = adapter(|_| {});
        let r = request();
        let s = a.ops.send_of(&r).unwrap();
        assert_eq!((s.goods_code.as_str(), s.tr_id.as_str()), ("G00001621744", r.partner_ref.as_str()));
        assert_eq!(s.phone_no.unwrap().expose_digits(), "01012345678");
        assert_eq!(s.callback_no.expose_digits(), "15880000");
        assert_eq!((s.mms_title.as_deref(), s.mms_msg.as_deref()), (Some("선물 도착"), Some("아메리카노 한 잔")));
    }

    #[test]
    fn checks_name_our_fields_and_the_vendors() {
        let a = adapter(|_| {});
        let e = a.check_issue(&request().title("가".repeat(11))).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("title")));
        assert_eq!(e.message(), "`title` is 11 characters; the limit is 10 (Giftishow `mms_title`)");
        assert!(e.partner_ref().is_some());
        let mut no_phone = request();
        no_phone.recipient = None;
        assert_eq!(a.check_issue(&no_phone).unwrap_err().field(), Some("recipient"));
        let mut no_callback = request();
        no_callback.callback = None;
        assert_eq!(a.check_issue(&no_callback).unwrap_err().field(), Some("callback"));
        let with_default = adapter(|c| c.callback_no = Some(PhoneNumber::parse("15880000").unwrap()));
        assert!(with_default.check_issue(&no_callback).is_ok());
        assert_eq!(a.check_issue(&request().amount(Won(1000))).unwrap_err().field(), Some("amount"));
        assert_eq!(a.check_issue(&request().memo("m")).unwrap_err().field(), Some("memo"));
        let long_ref = request().partner_ref(PartnerRef::new("X".repeat(21)));
        assert!(a.check_issue(&long_ref).is_ok());
        let strict = adapter(|c| c.limits.tr_id = 20);
        assert_eq!(strict.check_issue(&long_ref).unwrap_err().field(), Some("partner_ref"));
    }

    #[test]
    fn the_pin_mode_needs_no_recipient_and_does_not_deliver() {
        let a = adapter(|c| c.gubun = crate::wire::requests::Gubun::Pin);
        let mut r = request();
        (r.recipient, r.title, r.message) = (None, None, None);
        assert!(a.check_issue(&r).is_ok());
        assert!(!a.capabilities().issue_delivers);
        assert!(adapter(|_| {}).capabilities().issue_delivers);
        assert_eq!(Capabilities { issue_delivers: true, ..a.capabilities() }, CAPABILITIES);
    }

    #[test]
    fn product_queries_take_a_page_and_a_size_only() {
        assert_eq!(products_page(&ProductQuery::new()).unwrap(), (1, 20));
        let mut q = ProductQuery::new().page(3);
        q.limit = Some(50);
        assert_eq!(products_page(&q).unwrap(), (3, 50));
        assert_eq!(products_page(&ProductQuery::new().brand("스타벅스")).unwrap_err().field(), Some("brand"));
        assert_eq!(products_page(&ProductQuery::new().word("커피")).unwrap_err().field(), Some("word"));
        assert_eq!(products_page(&ProductQuery::new().page(0)).unwrap_err().field(), Some("page"));
    }

    #[test]
    fn a_check_names_the_tr_id_as_order_and_carries_the_pin_and_last_day() {
        let body = r#"{"code":"0000","result":[{"couponInfoList":[{"pinStatusCd":"02","orderNo":"20261201000123",
            "pinNo":"912345678901","validPrdEndDt":"20261231","correcDtm":"20261201103000"}],"resCode":"0000"}]}"#;
        let info = crate::wire::replies::parse_coupon_detail(body).unwrap().unwrap().remove(0);
        let found = check_of("CP1", info).unwrap();
        assert!(matches!(found.status, CouponStatus::Used { at: Some(_), place: None }), "{found:?}");
        assert_eq!(found.order, Some(OrderRef::new("CP1")), "the tr_id, as `issue` names it, not the orderNo");
        assert_eq!(found.pin.as_ref().map(coupon_core::Pin::expose), Some("912345678901"));
        assert_eq!(found.valid_until, coupon_core::chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(found.delivery, None);
        let no_state = crate::wire::replies::parse_coupon_detail(
            r#"{"code":"0000","result":[{"couponInfoList":[{"goodsCd":"G1"}],"resCode":"0000"}]}"#,
        )
        .unwrap()
        .unwrap()
        .remove(0);
        assert_eq!(check_of("CP1", no_state).unwrap_err().kind(), ErrorKind::Protocol);
    }

    #[test]
    fn coupons_are_named_by_order_that_is_the_tr_id() {
        assert_eq!(tr_id_of(&CouponRef::order("CP1")).unwrap(), "CP1");
        assert_eq!(tr_id_of(&CouponRef::barcode("G1", "1234")).unwrap_err().field(), Some("coupon"));
        let a = adapter(|_| {});
        assert_eq!(a.coupon_of_partner_ref(&PartnerRef::new("CP1")), Some(CouponRef::order("CP1")));
        let issued =
            issued_of(Sent::ByEarlierAttempt { code: coupon_core::VendorCode::new("ERR0215") }, PartnerRef::new("CP1"));
        assert!(!issued.details_known() && issued.order.is_none());
    }
}
