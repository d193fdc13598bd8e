//! GiftiMbiz behind the shared [`Adapter`] operations: products (listAll), product
//! (giftDetail), issue (buyGifticoupon), reconcile and status (the gifticon purchase
//! history). Starcoupons, QR images and marking used stay on the native [`Giftimbiz`] client.

use coupon_core::context::WithErrorContext;
use coupon_core::time::{KstDateTime, now_kst};
use coupon_core::{
    Adapter, Availability, Brand, Capabilities, Category, CouponRef, CouponStatus, Error, ErrorKind, IssueRequest,
    Issued, OrderRef, Page, PartnerRef, Product, ProductQuery, Reconciliation, Result, Validity, Vendor, async_trait,
};

use crate::VENDOR;
use crate::client::{Giftimbiz, Reconciliation as History};
use crate::wire::replies::{GiftDetailItem, GiftListing, GiftPurchase};
use crate::wire::requests::{GiftQuery, check_md_idx, check_product};

/// What this adapter implements (also the factory's value).
pub const CAPABILITIES: Capabilities = Capabilities {
    issue: true,
    status: true,
    products: true,
    product_detail: true,
    reconcile: true,
    ..Capabilities::NONE
};

/// The GiftiMbiz [`Adapter`].
///
/// Product ids are `"{CODE}:{DCODE}"`, that is `"{gm_idx}:{md_idx}"`: giftDetail needs
/// both. `issue` takes such an id or a bare `md_idx` (several joined with `|`), needs
/// [`IssueRequest::amount`] (the vendor's `cash`) and [`IssueRequest::product_name`]
/// (its `product`), and refuses the fields GiftiMbiz has no place for (recipient,
/// callback, title, message, memo). `status` takes [`CouponRef::Order`] with the `tid`.
///
/// `reconcile` only looks: GiftiMbiz has no idempotency key, so a buy is never sent
/// again to settle a doubt. It reads the purchase history
/// ([`Giftimbiz::reconcile_gift_purchase`]) for every sale of the request's product id
/// (read as `issue` reads it) and answers [`Reconciliation::Issued`] (with the `tid`)
/// only when every sale is found under one order since `since`;
/// [`Reconciliation::NotIssued`] when none is; otherwise (some found and some not,
/// several orders, a history that cannot tell) [`Reconciliation::StillUnknown`]: one
/// buy buys all of its sales under one `tid` or none of them, so anything else is not
/// the trace of this request alone.
///
/// Every error names the vendor and the operation (ours, or the endpoint's when a
/// native call failed) and, for `issue` and `reconcile`, the partner reference: the
/// operations are an inner adapter's, whose errors [`WithErrorContext`] completes.
#[derive(Clone)]
pub struct GiftimbizAdapter {
    ops: Operations,
}

impl GiftimbizAdapter {
    /// The adapter over a client.
    pub fn new(client: Giftimbiz) -> Self {
        Self { ops: Operations { client } }
    }

    /// The native client, for what the trait does not cover (Starcoupons, QR images, marking used).
    pub fn client(&self) -> &Giftimbiz {
        &self.ops.client
    }
}

impl WithErrorContext for GiftimbizAdapter {
    type Inner = Operations;

    fn inner(&self) -> &Operations {
        &self.ops
    }
}

impl std::fmt::Debug for GiftimbizAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GiftimbizAdapter").field("client", &self.ops.client).finish()
    }
}

/// The shared operations of [`GiftimbizAdapter`], each error as it arose.
#[derive(Clone, Debug)]
pub struct Operations {
    client: Giftimbiz,
}

/// A product id of ours: `"{CODE}:{DCODE}"` when the gifticon kind is known, else the sale alone.
pub fn product_id(gm_idx: Option<&str>, md_idx: &str) -> String {
    match gm_idx {
        Some(g) => format!("{g}:{md_idx}"),
        None => md_idx.to_string(),
    }
}

fn listing_product(l: &GiftListing) -> Product {
    let mut p = Product::new(VENDOR, product_id(l.gm_idx.as_deref(), &l.md_idx), l.product.clone());
    p.brand = l.brand_name.as_ref().map(|name| Brand::new(l.mb_idx.clone(), name.clone()));
    p.category = match (&l.mc_idx, &l.cate_name) {
        (Some(id), Some(name)) => Some(Category::new(id.clone(), name.clone())),
        _ => None,
    };
    p.price = l.price;
    p.sale_price = l.disprice.or_else(|| l.price_on(now_kst().date_naive()));
    p.image_url = l.thumb.clone();
    p.validity = l.endtime.map(Validity::UntilTime);
    p
}

fn detail_product(d: &GiftDetailItem) -> Product {
    let mut p = Product::new(VENDOR, product_id(Some(&d.code), &d.dcode), d.product.clone());
    p.brand = d.brand.as_ref().map(|name| Brand::new(d.mb_idx.clone(), name.clone()));
    p.category = match (&d.mc_idx, &d.cate_name) {
        (Some(id), Some(name)) => Some(Category::new(id.clone(), name.clone())),
        _ => None,
    };
    p.price = d.price;
    p.image_url = d.thumb.clone();
    p.validity = d.endtime.map(Validity::UntilTime);
    if d.endtime.is_some_and(|end| end < now_kst()) {
        p.availability = Availability::Unavailable;
    }
    p
}

/// The sales of an issue request's product id: each item a bare `md_idx` or `CODE:DCODE`.
fn sales_of(product_id: &str) -> Vec<&str> {
    product_id.split('|').map(|item| item.rsplit(':').next().unwrap_or(item).trim()).collect()
}

/// One answer for a request from what the history says about each of its sales:
/// `found` holds, per sale bought since the given time, the `tid`s of its entries;
/// `missing` counts the sales the (complete) history does not hold.
fn settle_sales(partner_ref: PartnerRef, found: &[Vec<String>], missing: usize) -> Reconciliation {
    if found.is_empty() {
        return Reconciliation::NotIssued;
    }
    if missing > 0 {
        return Reconciliation::StillUnknown(format!(
            "the purchase history holds {} of the {} sales of this request: one buy buys all of its sales or none, \
             so this is not the trace of this request alone",
            found.len(),
            found.len() + missing
        ));
    }
    let mut tids: Vec<&str> = found.iter().flatten().map(String::as_str).collect();
    tids.sort_unstable();
    tids.dedup();
    match tids.as_slice() {
        [tid] => Reconciliation::Issued(Issued::new(VENDOR, OrderRef::new(*tid), None, partner_ref)),
        _ => Reconciliation::StillUnknown(format!(
            "the sales of this request were bought under {} different orders since the given time; \
             which one, if any, is this request's cannot be told",
            tids.len()
        )),
    }
}

fn refuse_unused(req: &IssueRequest) -> Result<()> {
    let unused = [
        ("recipient", req.recipient.is_some()),
        ("callback", req.callback.is_some()),
        ("title", req.title.is_some()),
        ("message", req.message.is_some()),
        ("memo", req.memo.is_some()),
    ];
    match unused.into_iter().find(|(_, set)| *set) {
        Some((field, _)) => Err(Error::invalid_field(
            field,
            "is not used by GiftiMbiz (a purchase is delivered to the partner's purchase history, not sent); leave it unset",
        )),
        None => Ok(()),
    }
}

/// The amount and product name of a purchase, once every field is checked as
/// `buyGifticons` needs it.
fn checked_purchase(request: &IssueRequest) -> Result<(coupon_core::Won, &str)> {
    request.check_text()?;
    refuse_unused(request)?;
    check_md_idx(&sales_of(&request.product_id))?;
    let amount = request
        .amount
        .ok_or_else(|| Error::invalid_field("amount", "is required: GiftiMbiz checks the amount paid (`cash`)"))?;
    let product = request.product_name.as_deref().ok_or_else(|| {
        Error::invalid_field("product_name", "is required: GiftiMbiz wants the product name (`product`)")
    })?;
    check_product(product)?;
    Ok((amount, product))
}

#[async_trait]
impl Adapter for Operations {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn check_issue(&self, request: &IssueRequest) -> Result<()> {
        checked_purchase(request).map(drop)
    }

    async fn issue(&self, request: &IssueRequest) -> Result<Issued> {
        let (amount, product) = checked_purchase(request)?;
        let sales = sales_of(&request.product_id);
        let receipt = self.client.buy_gifticons(&sales, amount, product, Some(request.partner_ref.clone())).await?;
        Ok(Issued::new(VENDOR, receipt.tid, None, receipt.partner_ref))
    }

    async fn reconcile(&self, request: &IssueRequest, since: KstDateTime) -> Result<Reconciliation> {
        let partner_ref = request.partner_ref.clone();
        let mut sales = sales_of(&request.product_id);
        check_md_idx(&sales)?;
        sales.sort_unstable();
        sales.dedup();
        let (mut found, mut missing) = (Vec::new(), 0);
        for sale in sales {
            match self.client.reconcile_gift_purchase(sale, since).await? {
                History::Bought(entries) => found.push(entries.into_iter().map(|p: GiftPurchase| p.tid).collect()),
                History::NotBought => missing += 1,
                History::StillUnknown(why) => return Ok(Reconciliation::StillUnknown(why)),
            }
        }
        Ok(settle_sales(partner_ref, &found, missing))
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        let tid = match coupon {
            CouponRef::Order(order) => order.as_str().to_string(),
            CouponRef::Barcode { .. } => {
                return Err(Error::invalid_field(
                    "coupon",
                    "must be an order (`tid`): GiftiMbiz names purchases by order",
                ));
            }
            other => {
                return Err(Error::invalid_field(
                    "coupon",
                    format!("of this kind is not known to GiftiMbiz ({other:?})"),
                ));
            }
        };
        let history = self.client.gift_purchases().await?;
        let items: Vec<_> = history.items.iter().filter(|p| p.tid == tid).collect();
        if items.is_empty() {
            return Err(Error::new(ErrorKind::NotFound, "the gifticon purchase history holds no order with this tid"));
        }
        let used = items.iter().filter(|p| p.used == Some(true)).count();
        let now = now_kst();
        Ok(if used == items.len() {
            CouponStatus::Used { at: items.iter().filter_map(|p| p.used_at).max(), place: None }
        } else if used > 0 {
            CouponStatus::Unknown(format!("{used} of the {} gifticons of this order are used", items.len()))
        } else if items.iter().all(|p| p.endtime.is_some_and(|end| end < now)) {
            CouponStatus::Expired
        } else {
            CouponStatus::Unused
        })
    }

    async fn products(&self, query: &ProductQuery) -> Result<Page<Product>> {
        let q = GiftQuery {
            category: query.category.clone(),
            brand: query.brand.clone(),
            max_price: query.max_price,
            word: query.word.clone(),
            order: None,
            page: query.page,
            limit: query.limit,
        };
        let page = self.client.gift_listings(&q).await?;
        let items = page.items.iter().map(listing_product).collect();
        Ok(Page::new(items, query.page.unwrap_or(1), page.total_count, page.is_next))
    }

    async fn product(&self, id: &str) -> Result<Product> {
        let Some((code, dcode)) = id.split_once(':').filter(|(c, d)| !c.trim().is_empty() && !d.trim().is_empty())
        else {
            return Err(Error::invalid_field(
                "id",
                format!(
                    "must be \"CODE:DCODE\" (gm_idx:md_idx), as `products` gives it ({} characters given)",
                    id.chars().count()
                ),
            ));
        };
        let detail = self.client.gift_detail(code.trim(), dcode.trim()).await?;
        Ok(detail_product(&detail.detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_ids_name_sales_bare_or_with_their_code() {
        assert_eq!(sales_of("18411"), ["18411"]);
        assert_eq!(sales_of("27935:18411|2576:14560"), ["18411", "14560"]);
        assert_eq!(product_id(Some("27935"), "18411"), "27935:18411");
        assert_eq!(product_id(None, "18411"), "18411");
    }

    #[test]
    fn several_sales_are_issued_only_when_all_are_found_under_one_order() {
        let r = PartnerRef::new("order-1");
        let tids = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let one_order = [tids(&["T1"]), tids(&["T1"])];
        match settle_sales(r.clone(), &one_order, 0) {
            Reconciliation::Issued(i) => {
                assert_eq!((i.order.unwrap().as_str(), i.partner_ref, i.pin), ("T1", r.clone(), None));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(settle_sales(r.clone(), &[], 2), Reconciliation::NotIssued);
        let partial = settle_sales(r.clone(), &one_order[..1], 1);
        assert!(matches!(&partial, Reconciliation::StillUnknown(why) if why.contains("1 of the 2")), "{partial:?}");
        let two_orders = [tids(&["T1"]), tids(&["T2"])];
        assert_eq!(settle_sales(r, &two_orders, 0).as_str(), "still_unknown");
    }
}
