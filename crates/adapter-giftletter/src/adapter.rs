//! The shared [`Adapter`] operations on top of the native client.

use coupon_core::chrono::NaiveDate;
use coupon_core::context::WithErrorContext;
use coupon_core::time::KstDateTime;
use coupon_core::{
    Adapter, Availability, Brand, Capabilities, CouponRef, CouponStatus, Error, ErrorKind, IssueRequest, Issued,
    OrderRef, Page, PartnerRef, Product, ProductQuery, Reconciliation, RedeemedAt, RedemptionReport, Result, Vendor,
    async_trait,
};

use crate::client::{Giftletter, Sent};
use crate::wire::replies::{EPinUse, GoodsInfo, GoodsItem, GoodsStatus};
use crate::wire::requests::{ReSendSms, SendEPin};
use crate::{VENDOR, codes};

/// What the Giftletter adapter implements: everything but `balance` (its PINs are
/// exchange vouchers, not stored value). `reconcile` re-sends the same `SendEPin`
/// with the same `co_tid`, which the vendor deduplicates.
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
    redemptions: true,
    reconcile: true,
    ..Capabilities::NONE
};

/// Giftletter behind the [`Adapter`] trait.
///
/// | operation | endpoint | notes |
/// |---|---|---|
/// | `issue` | `SendEPin` | `product_id`→`goods_id`, `recipient`→`mdn`, `callback`→`receive_tel`, `title`, `message`→`content`, `partner_ref`→`co_tid`, `memo`→`reserved`; a coupon issued by a lost first attempt is `Ok` with [`Issued::details_unknown`] |
/// | `reconcile` | `SendEPin` | the same request re-sent with the same `co_tid`; `since` unused |
/// | `cancel` | `CancelSendEPin` | |
/// | `status` | `StatusSendEPin` | by [`CouponRef::Order`] only |
/// | `resend` | `ReSendSMS` | no extra phrase |
/// | `products` | `getGoodsInfoList` | [`ProductQuery::brand`] required (numeric brand id); no other filter |
/// | `product` | `getGoodsInfo` | |
/// | `redemptions` | `ExchangeDaily.aspx` | |
///
/// Every error names the vendor and the operation (ours, or the endpoint's when a
/// native call failed) and, for `issue` and `reconcile`, the `co_tid`: the
/// operations are an inner adapter's, whose errors [`WithErrorContext`] completes.
#[derive(Clone)]
pub struct GiftletterAdapter {
    ops: Operations,
}

impl GiftletterAdapter {
    /// The adapter over a client.
    pub fn new(client: Giftletter) -> Self {
        Self { ops: Operations { client } }
    }

    /// The native client, for what the trait does not cover (`brand_image`, `msg` on a resend, …).
    pub fn client(&self) -> &Giftletter {
        &self.ops.client
    }
}

impl WithErrorContext for GiftletterAdapter {
    type Inner = Operations;

    fn inner(&self) -> &Operations {
        &self.ops
    }
}

impl std::fmt::Debug for GiftletterAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GiftletterAdapter").field("client", &self.ops.client).finish()
    }
}

/// The shared operations of [`GiftletterAdapter`], each error as it arose.
#[derive(Clone, Debug)]
pub struct Operations {
    client: Giftletter,
}

fn required<T: Clone>(value: &Option<T>, field: &str, vendor_field: &str) -> Result<T> {
    value.clone().ok_or_else(|| Error::invalid_field(field, format!("is required (Giftletter `{vendor_field}`)")))
}

fn send_epin_request(request: &IssueRequest, co_tid: PartnerRef) -> Result<SendEPin> {
    if request.amount.is_some() {
        // A caller setting it expects the vendor to check the price; Giftletter cannot.
        return Err(Error::invalid_field("amount", "is not supported: Giftletter does not check an amount"));
    }
    Ok(SendEPin {
        goods_id: request.product_id.clone(),
        title: required(&request.title, "title", "title")?,
        content: required(&request.message, "message", "content")?,
        mdn: required(&request.recipient, "recipient", "mdn")?,
        receive_tel: required(&request.callback, "callback", "receive_tel")?,
        co_tid,
        reserved: request.memo.clone(),
    })
}

/// What the caller gets for a coupon `SendEPin` issued.
fn issued_of(sent: Sent, co_tid: PartnerRef) -> Issued {
    match sent {
        Sent::Reply(reply) => {
            let mut issued = Issued::new(VENDOR, OrderRef::new(reply.order_id), Some(reply.epin), co_tid);
            issued.memo = reply.reserved;
            issued
        }
        Sent::ByEarlierAttempt { code } => {
            let why = format!(
                "issued by this call's earlier attempt, whose answer was lost: the re-send with the same co_tid was \
                 refused as a duplicate ({code}), so the order id and PIN are unknown; ask Giftletter for the order \
                 of co_tid {co_tid}, and never issue it again with a new co_tid"
            );
            Issued::with_details_unknown(VENDOR, co_tid, why)
        }
    }
}

fn availability(status: &GoodsStatus) -> Availability {
    match status {
        GoodsStatus::Usable => Availability::Available,
        GoodsStatus::NotUsable => Availability::Unavailable,
        GoodsStatus::Error | GoodsStatus::IpNotAllowed | GoodsStatus::AuthFailed | GoodsStatus::Other(_) => {
            Availability::Unknown(status.as_str().to_string())
        }
    }
}

fn product_of_item(item: GoodsItem, brand_id: &str) -> Product {
    let mut p = Product::new(VENDOR, item.goods_id, item.goods_name.unwrap_or_default());
    p.brand = item.brand_name.map(|name| Brand::new(Some(brand_id.to_string()), name));
    p.price = item.price;
    p.image_url = item.img_url;
    p.availability = availability(&item.status);
    p.vendor_status = Some(item.status.as_str().to_string());
    p
}

fn product_of_info(info: GoodsInfo) -> Product {
    let validity = info.validity();
    let notice = info.notice().map(str::to_string);
    let mut p = Product::new(VENDOR, info.goods_id, info.goods_name.unwrap_or_default());
    p.brand = match (info.brand_id, info.brand_name) {
        (id, Some(name)) => Some(Brand::new(id.map(|i| i.to_string()), name)),
        (Some(id), None) => Some(Brand::new(Some(id.to_string()), "")),
        (None, None) => None,
    };
    p.price = info.price;
    p.sale_price = info.sprice;
    p.image_url = info.img_url;
    p.availability = availability(&info.status);
    p.validity = validity;
    p.notice = notice;
    p.vendor_status = Some(info.status.as_str().to_string());
    p
}

/// Giftletter lists by brand only: every other filter is refused by name.
fn brand_of(query: &ProductQuery) -> Result<u64> {
    let refuse = |field: &str| {
        Err(Error::invalid_field(field, "is not supported: Giftletter lists goods by brand only (`brand`)"))
    };
    if query.category.is_some() {
        return refuse("category");
    }
    if query.word.is_some() {
        return refuse("word");
    }
    if query.max_price.is_some() {
        return refuse("max_price");
    }
    if query.limit.is_some() {
        return refuse("limit");
    }
    if query.page.is_some_and(|p| p != 1) {
        return Err(Error::invalid_field("page", "must be 1: Giftletter answers a brand's goods in one page"));
    }
    let brand = query
        .brand
        .as_deref()
        .ok_or_else(|| Error::invalid_field("brand", "is required: Giftletter lists goods by brand id"))?;
    let brand = brand.trim();
    if brand.is_empty() || brand.len() > 18 || !brand.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_field(
            "brand",
            format!(
                "must be Giftletter's numeric brand id, at most 18 digits ({} characters given)",
                brand.chars().count()
            ),
        ));
    }
    brand.parse().map_err(|_| Error::invalid_field("brand", "must be a numeric brand id"))
}

#[async_trait]
impl Adapter for Operations {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// Issues by `SendEPin` with the request's `partner_ref` as `co_tid`.
    ///
    /// A coupon issued is never an error: when the first attempt's answer is
    /// lost and its re-send is refused as a duplicate (`P101`), the coupon was
    /// issued by that first attempt, and the result is `Ok` with `order` and
    /// `pin` unknown ([`Issued::details_unknown`] says why). `P101` on a first
    /// attempt is [`coupon_core::ErrorKind::DuplicateReference`] (this call issued
    /// nothing); a doubt left is [`coupon_core::ErrorKind::OutcomeUnknown`]:
    /// settle it with [`Adapter::reconcile`].
    fn check_issue(&self, request: &IssueRequest) -> Result<()> {
        request.check_text()?;
        let send = send_epin_request(request, request.partner_ref.clone())?;
        send.validate(self.client.config().query_charset)
    }

    async fn issue(&self, request: &IssueRequest) -> Result<Issued> {
        let co_tid = request.partner_ref.clone();
        request.check_text()?;
        let send = send_epin_request(request, co_tid.clone())?;
        let sent = self.client.send_epin(&send).await?;
        Ok(issued_of(sent, co_tid))
    }

    /// Settles an issue whose outcome is in doubt by sending the same `SendEPin`
    /// again with the same `co_tid`: Giftletter refuses a repeated `co_tid`, so
    /// this can never make a second coupon. Giftletter has no lookup by `co_tid`,
    /// so `since` is unused.
    ///
    /// - a success: [`Reconciliation::Issued`], issued now (the earlier attempt
    ///   never took effect), with its order id and PIN;
    /// - `P101`: [`Reconciliation::Issued`] with details unknown, issued by the
    ///   earlier attempt (this assumes `request` is the one whose outcome is in
    ///   doubt: a `co_tid` used for another request answers the same);
    /// - any other refusal: that error, as the vendor gave it. It does not tell
    ///   whether the earlier attempt issued, so the doubt stays with the caller
    ///   (reconcile again later, or ask Giftletter);
    /// - a new doubt: [`coupon_core::ErrorKind::OutcomeUnknown`].
    ///
    /// Never [`Reconciliation::NotIssued`]: a request not issued before is issued now.
    async fn reconcile(&self, request: &IssueRequest, since: KstDateTime) -> Result<Reconciliation> {
        let _ = since;
        let co_tid = request.partner_ref.clone();
        request.check_text()?;
        let send = send_epin_request(request, co_tid.clone())?;
        match self.client.send_epin(&send).await {
            Ok(sent) => Ok(Reconciliation::Issued(issued_of(sent, co_tid))),
            Err(e) if e.kind() == ErrorKind::DuplicateReference && e.vendor_code().is_some_and(codes::is_duplicate) => {
                let code = e.vendor_code().map_or("", |c| c.raw());
                let why = format!(
                    "issued by an earlier attempt with this co_tid: reconciling re-sent it and Giftletter refused \
                     it as a duplicate ({code}), so the order id and PIN are unknown; ask Giftletter for the order \
                     of co_tid {co_tid}"
                );
                Ok(Reconciliation::Issued(Issued::with_details_unknown(VENDOR, co_tid, why)))
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel(&self, order: &OrderRef) -> Result<()> {
        self.client.cancel(order.as_str()).await
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        let CouponRef::Order(order) = coupon else {
            return Err(Error::invalid_field("coupon", "must be an order id: Giftletter looks coupons up by order_id"));
        };
        let s = self.client.status(order.as_str()).await?;
        Ok(match s.usage {
            EPinUse::Unused => CouponStatus::Unused,
            EPinUse::Used => CouponStatus::Used {
                // A day alone is not a moment: the raw text stays on the native client's answer.
                at: s.used_at.and_then(|when| if let RedeemedAt::Time(t) = when { Some(t) } else { None }),
                place: s.branch,
            },
            EPinUse::Cancelled => CouponStatus::Cancelled { at: None },
            EPinUse::Other(letter) => CouponStatus::Unknown(letter),
        })
    }

    async fn resend(&self, order: &OrderRef) -> Result<()> {
        self.client.resend_sms(&ReSendSms::new(order.as_str())).await.map(drop)
    }

    async fn products(&self, query: &ProductQuery) -> Result<Page<Product>> {
        let brand = brand_of(query)?;
        let items = self.client.goods_list(brand).await?;
        let brand = brand.to_string();
        Ok(Page::single(items.into_iter().map(|i| product_of_item(i, &brand)).collect()))
    }

    async fn product(&self, id: &str) -> Result<Product> {
        self.client.goods_info(id).await.map(product_of_info)
    }

    async fn redemptions(&self, day: NaiveDate) -> Result<RedemptionReport> {
        self.client.exchange_daily(day).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::{PhoneNumber, Won};

    fn request() -> IssueRequest {
        IssueRequest::new("0000000582")
            .recipient(PhoneNumber::parse("010-1234-5678").unwrap())
            .callback(PhoneNumber::parse("1588-1234").unwrap())
            .title("선물")
            .message("본문")
    }

    #[test]
    fn issue_requests_map_field_by_field_and_missing_ones_are_named() {
        let r = send_epin_request(&request().memo("m-1"), PartnerRef::new("CP1")).unwrap();
        assert_eq!((r.goods_id.as_str(), r.title.as_str(), r.content.as_str()), ("0000000582", "선물", "본문"));
        assert_eq!((r.mdn.expose_digits(), r.receive_tel.expose_digits()), ("01012345678", "15881234"));
        assert_eq!((r.co_tid.as_str(), r.reserved.as_deref()), ("CP1", Some("m-1")));

        let mut no_title = request();
        no_title.title = None;
        assert_eq!(send_epin_request(&no_title, PartnerRef::new("x")).unwrap_err().field(), Some("title"));
        let mut no_phone = request();
        no_phone.recipient = None;
        let e = send_epin_request(&no_phone, PartnerRef::new("x")).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("recipient")));
        assert!(e.to_string().contains("`mdn`"), "{e}");
        let e = send_epin_request(&request().amount(Won(10_000)), PartnerRef::new("x")).unwrap_err();
        assert_eq!(e.field(), Some("amount"));
    }

    #[test]
    fn product_queries_need_a_numeric_brand_and_nothing_else() {
        assert_eq!(brand_of(&ProductQuery::new().brand("10")).unwrap(), 10);
        assert_eq!(brand_of(&ProductQuery::new().brand("10").page(1)).unwrap(), 10);
        assert_eq!(brand_of(&ProductQuery::new()).unwrap_err().field(), Some("brand"));
        assert_eq!(brand_of(&ProductQuery::new().brand("GS25")).unwrap_err().field(), Some("brand"));
        assert_eq!(brand_of(&ProductQuery::new().brand("10").word("커피")).unwrap_err().field(), Some("word"));
        assert_eq!(brand_of(&ProductQuery::new().brand("10").category("1")).unwrap_err().field(), Some("category"));
        assert_eq!(brand_of(&ProductQuery::new().brand("10").page(2)).unwrap_err().field(), Some("page"));
    }

    #[test]
    fn goods_status_letters_become_availability() {
        assert_eq!(availability(&GoodsStatus::Usable), Availability::Available);
        assert_eq!(availability(&GoodsStatus::NotUsable), Availability::Unavailable);
        assert_eq!(availability(&GoodsStatus::Error), Availability::Unknown("E".into()));
        assert_eq!(availability(&GoodsStatus::Other("Q".into())), Availability::Unknown("Q".into()));
    }
}
