//! Starcoupons: categories, listings, detail, buying, purchases, reconciliation, QR, use.

use coupon::giftimbiz::wire::replies::{StarDetailItem, StarListing, StarPurchase};
use coupon::giftimbiz::wire::requests::{StarPurchaseRequest, StarQuery};
use coupon::giftimbiz::{Giftimbiz, Reconciliation};
use coupon::time::{self, KstDateTime};
use coupon::{Error, ErrorKind, PartnerRef, Result, Won};
use serde_json::{Value, json};

use super::gifticon::still_unknown;
use super::{StarListingArgs, VENDOR, collect_pages, since_for};
use crate::failure::{CliResult, Failure};
use crate::format;
use crate::output::{Output, fields, table};

pub(super) async fn categories(client: &Giftimbiz, category: Option<&str>, out: &Output) -> Result<()> {
    let c = client.star_categories(category).await?;
    let doc = json!({
        "vendor": VENDOR,
        "categories": c.categories.iter().map(|c| json!({"id": c.mc_idx, "title": c.mc_title, "thumb": c.thumb}))
            .collect::<Vec<_>>(),
        "shops": c.shops.iter().map(|s| json!({
            "id": s.ms_idx, "name": s.ms_name, "category_id": s.mc_idx, "naver_place": s.naver_place, "thumb": s.thumb,
        })).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let mut cats = table(&["category", "title"]);
        for c in &c.categories {
            cats.add_row(vec![c.mc_idx.clone(), c.mc_title.clone()]);
        }
        let mut shops = table(&["shop", "name", "category"]);
        for s in &c.shops {
            shops.add_row(vec![s.ms_idx.clone(), s.ms_name.clone(), format::text(s.mc_idx.as_deref())]);
        }
        format!("{cats}\n{shops}")
    });
    Ok(())
}

fn listing_json(l: &StarListing) -> Value {
    json!({
        "md_idx": l.md_idx, "msl_idx": l.msl_idx, "msc_idx": l.msc_idx, "ms_idx": l.ms_idx,
        "shop": l.ms_name, "coupon": l.msl_couponname, "product": l.ms_product, "type": l.ms_type,
        "price": format::won_json(l.ms_price), "original_price": format::won_json(l.ms_orgprice),
        "discount_price": format::won_json(l.ms_discountprice), "place": l.ms_place1,
        "condition": l.msl_condition, "thumb": l.thumb,
    })
}

pub(super) async fn listings(client: &Giftimbiz, args: &StarListingArgs, out: &Output) -> Result<()> {
    let query = StarQuery {
        si: args.si.clone(),
        gu: args.gu.clone(),
        dong: args.dong.clone(),
        category: args.category.clone(),
        shop: args.shop.clone(),
        word: args.word.clone(),
        page: args.page,
        maker: args.maker.clone(),
    };
    let (page, pages) = if args.all {
        collect_pages(client.star_listing_pages(query), out, "Starcoupons").await?
    } else {
        (client.star_listings(&query).await?, 1)
    };
    let doc = json!({
        "vendor": VENDOR,
        "page": if args.all { Value::Null } else { json!(args.page.unwrap_or(1)) },
        "pages": pages,
        "total_count": page.total_count,
        "is_next": page.is_next,
        "items": page.items.iter().map(listing_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let mut t = table(&["sale", "coupon", "detail", "shop", "coupon name", "price", "place"]);
        for l in &page.items {
            t.add_row(vec![
                l.md_idx.clone(),
                l.msl_idx.clone(),
                format::text(l.msc_idx.as_deref()),
                l.ms_name.clone(),
                format::text(l.msl_couponname.as_deref()),
                format::won(l.ms_price),
                format::text(l.ms_place1.as_deref()),
            ]);
        }
        format!("{t}\n{} Starcoupons", page.items.len())
    });
    Ok(())
}

fn detail_json(d: &StarDetailItem) -> Value {
    json!({
        "ms_idx": d.ms_idx, "msl_idx": d.msl_idx, "msc_idx": d.msc_idx, "md_idx": d.md_idx,
        "coupon": d.ms_couponname, "shop": d.ms_name, "product": d.ms_product, "type": d.ms_type,
        "price": format::won_json(d.ms_price), "discount_price": format::won_json(d.ms_discountprice),
        "original_price": format::won_json(d.ms_orgprice), "naver_place": d.naver_place,
        "condition": d.msl_condition, "thumb": d.thumb, "image": d.msl_img,
    })
}

pub(super) async fn detail(client: &Giftimbiz, sale: &str, coupon: &str, out: &Output) -> Result<()> {
    let d = client.star_detail(sale, coupon).await?;
    let doc = json!({
        "vendor": VENDOR,
        "detail": detail_json(&d.detail),
        "same_brand": d.same_brand.iter().map(detail_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let i = &d.detail;
        fields(&[
            ("shop", format::text(i.ms_name.as_deref())),
            ("coupon", format::text(i.ms_couponname.as_deref())),
            ("product", format::text(i.ms_product.as_deref())),
            (
                "sale / coupon / detail",
                format!(
                    "{} / {} / {}",
                    format::text(i.md_idx.as_deref()),
                    format::text(i.msl_idx.as_deref()),
                    format::text(i.msc_idx.as_deref())
                ),
            ),
            ("price", format::won(i.ms_price)),
            ("original price", format::won(i.ms_orgprice)),
            ("condition", format::text(i.msl_condition.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

/// The three ids of a Starcoupon to buy.
pub(super) struct BuyIds<'a> {
    /// md_idx.
    pub sale: &'a str,
    /// msl_idx.
    pub coupon: &'a str,
    /// msc_idx.
    pub detail: &'a str,
}

pub(super) async fn buy(
    client: &Giftimbiz,
    ids: BuyIds<'_>,
    cash: u64,
    product: &str,
    reference: Option<&str>,
    out: &Output,
) -> CliResult {
    let partner_ref = reference.map_or_else(PartnerRef::generate, PartnerRef::new);
    let request = StarPurchaseRequest {
        md_idx: ids.sale.to_string(),
        msl_idx: ids.coupon.to_string(),
        msc_idx: ids.detail.to_string(),
        cash: Won(cash),
        product: product.to_string(),
        partner_ref: Some(partner_ref.clone()),
    };
    out.before_sending(VENDOR, "star-buy", "partner ref", &partner_ref);
    let sent = time::now_kst();
    let receipt = client.buy_starcoupon(&request).await.map_err(|e| buy_failure(e, &ids, sent))?;
    let doc = json!({
        "vendor": VENDOR,
        "tid": receipt.tid.as_str(),
        "message": receipt.message,
        "partner_ref": receipt.partner_ref.as_str(),
        "md_idx": ids.sale,
        "msl_idx": ids.coupon,
        "msc_idx": ids.detail,
        "cash": cash,
    });
    out.emit(&doc, || {
        fields(&[
            ("order (tid)", receipt.tid.to_string()),
            ("sale / coupon / detail", format!("{} / {} / {}", ids.sale, ids.coupon, ids.detail)),
            ("paid", Won(cash).to_string()),
            ("partner ref", receipt.partner_ref.to_string()),
            ("message", format::text(receipt.message.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

fn buy_failure(e: Error, ids: &BuyIds<'_>, sent: KstDateTime) -> Failure {
    if e.kind() != ErrorKind::OutcomeUnknown {
        return e.into();
    }
    let command = format!(
        "coupon giftimbiz star-reconcile --sale {} --coupon {} --since \"{}\"",
        ids.sale,
        ids.coupon,
        since_for(sent)
    );
    Failure::from(e)
        .hint(
            "the buy may have gone through: do not buy again. Wait a minute, then settle it with (the library's \
             Giftimbiz::reconcile_star_purchase):",
        )
        .reconcile(vec![command])
}

fn purchase_json(p: &StarPurchase) -> Value {
    json!({
        "tid": p.tid, "msc_idx": p.msc_idx, "msl_idx": p.msl_idx, "md_idx": p.md_idx, "ms_idx": p.ms_idx,
        "msu_idx": p.msu_idx, "shop": p.ms_name, "product": p.ms_product, "cash": format::won_json(p.cash),
        "bought_at": format::time_json(p.bought_at.as_ref()), "used": p.used,
        "used_at": format::time_json(p.used_at.as_ref()),
    })
}

fn purchases_table(items: &[StarPurchase]) -> String {
    let mut t = table(&["tid", "sale / coupon / detail", "shop", "paid", "bought at", "used"]);
    for p in items {
        t.add_row(vec![
            p.tid.clone(),
            format!(
                "{} / {} / {}",
                format::text(p.md_idx.as_deref()),
                format::text(p.msl_idx.as_deref()),
                format::text(p.msc_idx.as_deref())
            ),
            format::text(p.ms_name.as_deref()),
            format::won(p.cash),
            format::kst_opt(p.bought_at.as_ref()),
            p.used_at.map_or_else(|| format::flag(p.used).to_string(), |t| format::kst(&t)),
        ]);
    }
    t.to_string()
}

pub(super) async fn purchases(
    client: &Giftimbiz,
    coupon: Option<&str>,
    sale: Option<&str>,
    out: &Output,
) -> Result<()> {
    let p = client.star_purchases(coupon, sale).await?;
    let doc = json!({
        "vendor": VENDOR,
        "total_buy_price": format::won_json(p.total_buy_price),
        "total_discount_price": format::won_json(p.total_discount_price),
        "items": p.items.iter().map(purchase_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        format!(
            "{}\n{} purchases, {} paid in all",
            purchases_table(&p.items),
            p.items.len(),
            format::won(p.total_buy_price)
        )
    });
    Ok(())
}

pub(super) async fn reconcile(
    client: &Giftimbiz,
    sale: &str,
    coupon: &str,
    since: KstDateTime,
    out: &Output,
) -> CliResult {
    let (result, items) = match client.reconcile_star_purchase(sale, coupon, since).await? {
        Reconciliation::Bought(items) => ("bought", items),
        Reconciliation::NotBought => ("not_bought", Vec::new()),
        Reconciliation::StillUnknown(why) => return Err(still_unknown(why)),
    };
    let doc = json!({
        "vendor": VENDOR,
        "md_idx": sale,
        "msl_idx": coupon,
        "since": format::time_json(Some(&since)),
        "result": result,
        "purchases": items.iter().map(purchase_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || match result {
        "bought" => format!("the buy of Starcoupon {sale}/{coupon} went through:\n{}", purchases_table(&items)),
        _ => format!("no purchase of Starcoupon {sale}/{coupon} since {}: it did not happen", format::kst(&since)),
    });
    Ok(())
}

pub(super) async fn qr(client: &Giftimbiz, tid: &str, coupon: &str, out: &Output) -> Result<()> {
    let url = client.qr_image(tid, coupon).await?;
    let doc = json!({"vendor": VENDOR, "tid": tid, "msc_idx": coupon, "qr_url": url});
    out.emit(&doc, || format!("QR image of order {tid}, coupon {coupon}: {url}"));
    Ok(())
}

pub(super) async fn use_coupon(
    client: &Giftimbiz,
    seller: &str,
    coupon: &str,
    manage_code: &str,
    out: &Output,
) -> CliResult {
    let message = client.use_starcoupon(seller, coupon, manage_code).await.map_err(|e| {
        let unknown = e.kind() == ErrorKind::OutcomeUnknown;
        let failure = Failure::from(e);
        if unknown {
            failure.hint(
                "the coupon may have been marked used: check `coupon giftimbiz star-purchases` before trying again",
            )
        } else {
            failure
        }
    })?;
    let doc = json!({"vendor": VENDOR, "msu_idx": seller, "msc_idx": coupon, "used": true, "message": message});
    out.emit(&doc, || {
        format!("Starcoupon {coupon} marked used{}", message.map(|m| format!(": {m}")).unwrap_or_default())
    });
    Ok(())
}
