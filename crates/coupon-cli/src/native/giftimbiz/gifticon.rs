//! Gifticons: categories, listings, detail, buying, purchases, reconciliation.

use coupon::giftimbiz::wire::replies::{GiftDetailItem, GiftListing, GiftPurchase, PriceTier};
use coupon::giftimbiz::wire::requests::GiftQuery;
use coupon::giftimbiz::{Giftimbiz, Reconciliation};
use coupon::time::{self, KstDateTime};
use coupon::{Error, ErrorKind, PartnerRef, Result, Won};
use serde_json::{Value, json};

use super::{ListingArgs, VENDOR, collect_pages, since_for};
use crate::failure::{CliResult, Failure};
use crate::format;
use crate::output::{Output, fields, table};

pub(super) async fn categories(
    client: &Giftimbiz,
    category: Option<&str>,
    brand: Option<&str>,
    out: &Output,
) -> Result<()> {
    let c = client.gift_categories(category, brand).await?;
    let doc = json!({
        "vendor": VENDOR,
        "categories": c.categories.iter().map(|c| json!({"id": c.mc_idx, "title": c.mc_title, "thumb": c.thumb}))
            .collect::<Vec<_>>(),
        "brands": c.brands.iter().map(|b| json!({
            "id": b.mb_idx, "name": b.mb_brand, "in_use": b.in_use,
            "category_id": b.mc_idx, "category": b.mc_title, "thumb": b.thumb,
        })).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let mut cats = table(&["category", "title"]);
        for c in &c.categories {
            cats.add_row(vec![c.mc_idx.clone(), c.mc_title.clone()]);
        }
        let mut brands = table(&["brand", "name", "category", "in use"]);
        for b in &c.brands {
            brands.add_row(vec![
                b.mb_idx.clone(),
                b.mb_brand.clone(),
                format::text(b.mc_title.as_deref().or(b.mc_idx.as_deref())),
                format::flag(b.in_use).to_string(),
            ]);
        }
        format!("{cats}\n{brands}")
    });
    Ok(())
}

fn tier_number(t: PriceTier) -> u8 {
    match t {
        PriceTier::First => 1,
        PriceTier::Second => 2,
        PriceTier::Third => 3,
    }
}

/// What applies today: the vendor's own `disprice`, else the document's tier price.
fn price_now(l: &GiftListing) -> Option<Won> {
    l.disprice.or_else(|| l.price_on(time::today_kst()))
}

fn listing_json(l: &GiftListing) -> Value {
    let today = time::today_kst();
    json!({
        "md_idx": l.md_idx,
        "gm_idx": l.gm_idx,
        "product": l.product,
        "brand_id": l.mb_idx,
        "brand": l.brand_name,
        "category_id": l.mc_idx,
        "category": l.cate_name,
        "price": format::won_json(l.price),
        "sale_price": format::won_json(price_now(l)),
        "tier": l.tier_on(today).map(tier_number),
        "tier_price": format::won_json(l.price_on(today)),
        "sell_prices": [format::won_json(l.sell_price1), format::won_json(l.sell_price2), format::won_json(l.sell_price3)],
        "percentage": l.percentage,
        "endtime": format::time_json(l.endtime.as_ref()),
        "thumb": l.thumb,
    })
}

fn listings_table(items: &[GiftListing]) -> String {
    let today = time::today_kst();
    let mut t = table(&["sale", "kind", "product", "brand", "list price", "now", "tier", "until"]);
    for l in items {
        t.add_row(vec![
            l.md_idx.clone(),
            format::text(l.gm_idx.as_deref()),
            l.product.clone(),
            format::text(l.brand_name.as_deref()),
            format::won(l.price),
            format::won(price_now(l)),
            l.tier_on(today).map_or_else(|| "-".to_string(), |t| tier_number(t).to_string()),
            l.endtime.map_or_else(|| "-".to_string(), |e| e.format("%Y-%m-%d").to_string()),
        ]);
    }
    t.to_string()
}

pub(super) async fn listings(client: &Giftimbiz, args: &ListingArgs, out: &Output) -> Result<()> {
    let query = GiftQuery {
        category: args.category.clone(),
        brand: args.brand.clone(),
        max_price: args.max_price.map(Won),
        word: args.word.clone(),
        order: args.order.map(Into::into),
        page: args.page,
        limit: args.limit,
    };
    let (page, pages) = if args.all {
        collect_pages(client.gift_listing_pages(query), out, "listings").await?
    } else {
        (client.gift_listings(&query).await?, 1)
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
        let total = page.total_count.map_or_else(String::new, |n| format!(" of {n}"));
        let more = if page.is_next { " (more on the next page: --page or --all)" } else { "" };
        format!("{}\n{} listings{total}{more}", listings_table(&page.items), page.items.len())
    });
    Ok(())
}

fn detail_json(d: &GiftDetailItem) -> Value {
    json!({
        "md_idx": d.dcode, "gm_idx": d.code, "product": d.product,
        "brand_id": d.mb_idx, "brand": d.brand, "category_id": d.mc_idx, "category": d.cate_name,
        "price": format::won_json(d.price), "endtime": format::time_json(d.endtime.as_ref()), "thumb": d.thumb,
    })
}

pub(super) async fn detail(client: &Giftimbiz, code: &str, sale: &str, out: &Output) -> Result<()> {
    let d = client.gift_detail(code, sale).await?;
    let doc = json!({
        "vendor": VENDOR,
        "detail": detail_json(&d.detail),
        "same_brand": d.same_brand.iter().map(detail_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let i = &d.detail;
        let main = fields(&[
            ("sale", i.dcode.clone()),
            ("kind", i.code.clone()),
            ("product", i.product.clone()),
            ("brand", format::text(i.brand.as_deref())),
            ("category", format::text(i.cate_name.as_deref())),
            ("price", format::won(i.price)),
            ("until", format::kst_opt(i.endtime.as_ref())),
        ]);
        let mut same = table(&["sale", "product", "price"]);
        for s in &d.same_brand {
            same.add_row(vec![s.dcode.clone(), s.product.clone(), format::won(s.price)]);
        }
        format!("{main}\nsame brand:\n{same}")
    });
    Ok(())
}

pub(super) async fn buy(
    client: &Giftimbiz,
    listings: &[String],
    cash: u64,
    product: &str,
    reference: Option<&str>,
    out: &Output,
) -> CliResult {
    let partner_ref = reference.map_or_else(PartnerRef::generate, PartnerRef::new);
    let ids: Vec<&str> = listings.iter().map(String::as_str).collect();
    out.before_sending(VENDOR, "buy", "partner ref", &partner_ref);
    let sent = time::now_kst();
    let receipt = match client.buy_gifticons(&ids, Won(cash), product, Some(partner_ref.clone())).await {
        Ok(r) => r,
        Err(e) => return Err(buy_failure(e, &ids, sent)),
    };
    let doc = json!({
        "vendor": VENDOR,
        "tid": receipt.tid.as_str(),
        "message": receipt.message,
        "partner_ref": receipt.partner_ref.as_str(),
        "listings": ids,
        "cash": cash,
    });
    out.emit(&doc, || {
        fields(&[
            ("order (tid)", receipt.tid.to_string()),
            ("sales", ids.join(", ")),
            ("paid", Won(cash).to_string()),
            ("partner ref", receipt.partner_ref.to_string()),
            ("message", format::text(receipt.message.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

/// A failed buy; an unknown outcome names the reconcile command for each sale.
fn buy_failure(e: Error, ids: &[&str], sent: KstDateTime) -> Failure {
    if e.kind() != ErrorKind::OutcomeUnknown {
        return e.into();
    }
    let since = since_for(sent);
    let commands =
        ids.iter().map(|id| format!("coupon giftimbiz reconcile --listing {id} --since \"{since}\"")).collect();
    Failure::from(e)
        .hint(
            "the buy may have gone through: do not buy again. Wait a minute (the request may still be in flight \
             at GiftiMbiz), then settle it with (the library's Giftimbiz::reconcile_gift_purchase):",
        )
        .reconcile(commands)
}

fn purchase_json(p: &GiftPurchase) -> Value {
    json!({
        "tid": p.tid, "md_idx": p.md_idx, "gm_idx": p.gm_idx, "product": p.product,
        "cash": format::won_json(p.cash), "bought_at": format::time_json(p.bought_at.as_ref()),
        "endtime": format::time_json(p.endtime.as_ref()), "used": p.used,
        "used_at": format::time_json(p.used_at.as_ref()),
    })
}

fn purchases_table(items: &[GiftPurchase]) -> String {
    let mut t = table(&["tid", "sale", "product", "paid", "bought at", "used"]);
    for p in items {
        t.add_row(vec![
            p.tid.clone(),
            p.md_idx.clone(),
            format::text(p.product.as_deref()),
            format::won(p.cash),
            format::kst_opt(p.bought_at.as_ref()),
            p.used_at.map_or_else(|| format::flag(p.used).to_string(), |t| format::kst(&t)),
        ]);
    }
    t.to_string()
}

pub(super) async fn purchases(client: &Giftimbiz, out: &Output) -> Result<()> {
    let page = client.gift_purchases().await?;
    let doc = json!({
        "vendor": VENDOR,
        "total_count": page.total_count,
        "is_next": page.is_next,
        "items": page.items.iter().map(purchase_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || format!("{}\n{} purchases", purchases_table(&page.items), page.items.len()));
    Ok(())
}

pub(super) async fn reconcile(client: &Giftimbiz, listing: &str, since: KstDateTime, out: &Output) -> CliResult {
    let found = client.reconcile_gift_purchase(listing, since).await?;
    let (result, items) = match found {
        Reconciliation::Bought(items) => ("bought", items),
        Reconciliation::NotBought => ("not_bought", Vec::new()),
        Reconciliation::StillUnknown(why) => return Err(still_unknown(why)),
    };
    let doc = json!({
        "vendor": VENDOR,
        "listing": listing,
        "since": format::time_json(Some(&since)),
        "result": result,
        "purchases": items.iter().map(purchase_json).collect::<Vec<_>>(),
    });
    out.emit(&doc, || match result {
        "bought" => format!("the buy of sale {listing} went through:\n{}", purchases_table(&items)),
        _ => format!(
            "no purchase of sale {listing} since {}: the buy did not happen; buying again is safe",
            format::kst(&since)
        ),
    });
    Ok(())
}

/// The history cannot settle a doubt: still an unknown outcome (exit 4).
pub(super) fn still_unknown(why: String) -> Failure {
    Failure::from(Error::outcome_unknown(None, why).in_context(coupon::giftimbiz::VENDOR, "reconcile"))
        .hint("do not buy again yet; ask again later, or ask GiftiMbiz")
}
