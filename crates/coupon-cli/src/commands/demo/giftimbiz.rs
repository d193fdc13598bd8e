//! The GiftiMbiz part of the tour: token, categories, listings with today's tier
//! price, buy, purchase history, a Starcoupon bought and its QR image.

use coupon::config::CouponConfig;
use coupon::giftimbiz::wire::PriceTier;
use coupon::giftimbiz::{GiftQuery, Giftimbiz, GiftimbizConfig, StarPurchaseRequest};
use coupon::{Won, time};
use serde_json::Value;

use super::{Tour, missing_fixture, unexpected};
use crate::failure::CliResult;
use crate::format;

const VENDOR: &str = "giftimbiz";

/// A Starcoupon of the catalog: its three ids, price and name.
struct Star {
    md_idx: String,
    msl_idx: String,
    msc_idx: String,
    price: u64,
    name: String,
}

fn pick_star(fixtures: &Value) -> Option<Star> {
    let s = fixtures[VENDOR]["star_coupons"].as_array()?.first()?;
    Some(Star {
        md_idx: s["md_idx"].as_u64()?.to_string(),
        msl_idx: s["msl_idx"].as_u64()?.to_string(),
        msc_idx: s["msc_idx"].as_u64()?.to_string(),
        price: s["ms_price"].as_u64()?,
        name: s["ms_couponname"].as_str()?.to_string(),
    })
}

pub(super) async fn tour(tour: &mut Tour<'_>, config: &CouponConfig, fixtures: &Value) -> CliResult {
    let client = Giftimbiz::new(GiftimbizConfig::from_section(config.require(VENDOR)?)?)?;
    let star = pick_star(fixtures).ok_or_else(|| missing_fixture("Starcoupon"))?;

    tour.step(VENDOR, "access token", client.access_token(), |r| {
        r?;
        Ok(("obtained (a secret: never shown)".to_string(), ()))
    })
    .await?;

    tour.step(VENDOR, "categories", client.gift_categories(None, None), |r| {
        let c = r?;
        if c.categories.is_empty() || c.brands.is_empty() {
            return Err(unexpected("no categories or no brands"));
        }
        Ok((format!("{} categories, {} brands", c.categories.len(), c.brands.len()), ()))
    })
    .await?;

    let query = GiftQuery { page: Some(1), ..GiftQuery::default() };
    let today = time::today_kst();
    let (md_idx, product, price) = tour
        .step(VENDOR, "listings, page 1", client.gift_listings(&query), |r| {
            let page = r?;
            let first = page.items.first().ok_or_else(|| unexpected("the first page is empty"))?;
            let tier = first.tier_on(today).ok_or_else(|| unexpected("the first listing has expired"))?;
            let tier_price = first.price_on(today).ok_or_else(|| unexpected("no price for today's tier"))?;
            let now = first.disprice.unwrap_or(tier_price);
            let tier = match tier {
                PriceTier::First => 1,
                PriceTier::Second => 2,
                PriceTier::Third => 3,
            };
            let text = format!(
                "{} of {} listings; first: {} at {now} today (tier {tier} of 3, list price {})",
                page.items.len(),
                page.total_count.map_or_else(|| "?".to_string(), |n| n.to_string()),
                first.product,
                format::won(first.price)
            );
            Ok((text, (first.md_idx.clone(), first.product.clone(), now)))
        })
        .await?;

    let receipt = tour
        .step(VENDOR, "buy", client.buy_gifticons(&[&md_idx], price, &product, None), |r| {
            let receipt = r?;
            Ok((format!("order {} for {price} (partner ref {})", receipt.tid, receipt.partner_ref), receipt))
        })
        .await?;

    tour.step(VENDOR, "purchase history", client.gift_purchases(), |r| {
        let history = r?;
        if !history.items.iter().any(|p| p.tid == receipt.tid.as_str()) {
            return Err(unexpected(format!("order {} is not in the history", receipt.tid)));
        }
        Ok((format!("{} purchase(s), order {} among them", history.items.len(), receipt.tid), ()))
    })
    .await?;

    let request = StarPurchaseRequest {
        md_idx: star.md_idx.clone(),
        msl_idx: star.msl_idx.clone(),
        msc_idx: star.msc_idx.clone(),
        cash: Won(star.price),
        product: star.name.clone(),
        partner_ref: None,
    };
    let star_order = tour
        .step(VENDOR, "Starcoupon buy", client.buy_starcoupon(&request), |r| {
            let receipt = r?;
            Ok((format!("{} for {}: order {}", star.name, Won(star.price), receipt.tid), receipt.tid))
        })
        .await?;

    let bought = tour
        .step(VENDOR, "Starcoupon history", client.star_purchases(Some(&star.msl_idx), None), |r| {
            let history = r?;
            let p = history
                .items
                .iter()
                .find(|p| p.tid == star_order.as_str())
                .ok_or_else(|| unexpected(format!("order {star_order} is not in the Starcoupon history")))?;
            let msc = p.msc_idx.clone().ok_or_else(|| unexpected("the purchase has no msc_idx"))?;
            Ok((format!("order {star_order} holds bought coupon {msc}"), msc))
        })
        .await?;

    tour.step(VENDOR, "Starcoupon QR image", client.qr_image(star_order.as_str(), &bought), |r| {
        let url = r?;
        if !url.starts_with("http") {
            return Err(unexpected(format!("the QR address is not absolute: {url}")));
        }
        Ok((url, ()))
    })
    .await
}
