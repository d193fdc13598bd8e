//! The steps only GiftiMbiz has in `coupon demo`, after its adapter's generic tour:
//! an access token (never shown), the gifticon categories, a Starcoupon bought, the
//! Starcoupon purchase history holding it, and its QR image.

use coupon::Won;
use coupon::giftimbiz::wire::requests::StarPurchaseRequest;
use coupon::giftimbiz::{Giftimbiz, GiftimbizConfig};
use serde_json::Value;

use super::VENDOR;
use crate::commands::demo::{DemoKit, Tour, missing_fixture, unexpected};
use crate::failure::CliResult;

/// How many steps [`tour`] takes.
pub const STEPS: u64 = 5;

/// The first Starcoupon of the catalog, as a purchase of it.
fn pick_star(fixtures: &Value) -> Option<StarPurchaseRequest> {
    let s = fixtures["star_coupons"].as_array()?.first()?;
    Some(StarPurchaseRequest {
        md_idx: s["md_idx"].as_u64()?.to_string(),
        msl_idx: s["msl_idx"].as_u64()?.to_string(),
        msc_idx: s["msc_idx"].as_u64()?.to_string(),
        cash: Won(s["ms_price"].as_u64()?),
        product: s["ms_couponname"].as_str()?.to_string(),
        partner_ref: None,
    })
}

/// Takes the steps.
pub async fn tour(tour: &mut Tour<'_>, kit: &DemoKit<'_>) -> CliResult {
    let client = Giftimbiz::new(GiftimbizConfig::from_section(kit.config.require(VENDOR)?)?)?;
    let star = pick_star(kit.fixtures).ok_or_else(|| missing_fixture(VENDOR, "Starcoupon"))?;

    tour.step(VENDOR, "access token", client.access_token(), |r| {
        r?;
        Ok(("obtained (a secret: never shown)".to_string(), ()))
    })
    .await?;

    tour.step(VENDOR, "categories", client.gift_categories(None, None), |r| {
        let c = r?;
        let first = c.categories.first().ok_or_else(|| unexpected("no categories"))?;
        if c.brands.is_empty() {
            return Err(unexpected("no brands"));
        }
        Ok((format!("{} categories (first: {}), {} brands", c.categories.len(), first.mc_title, c.brands.len()), ()))
    })
    .await?;

    let tid = tour
        .step(VENDOR, "Starcoupon buy", client.buy_starcoupon(&star), |r| {
            let receipt = r?;
            let text = format!("{} for {}: order {}, partner ref {}", star.product, star.cash, receipt.tid, receipt.partner_ref);
            Ok((text, receipt.tid))
        })
        .await?;

    let bought = tour
        .step(VENDOR, "Starcoupon history", client.star_purchases(Some(&star.msl_idx), None), |r| {
            let history = r?;
            let p = history
                .items
                .iter()
                .find(|p| p.tid == tid.as_str())
                .ok_or_else(|| unexpected(format!("order {tid} is not in the Starcoupon history")))?;
            let msc = p.msc_idx.clone().ok_or_else(|| unexpected("the purchase has no msc_idx"))?;
            Ok((format!("{} purchase(s); order {tid} holds bought coupon {msc}", history.items.len()), msc))
        })
        .await?;

    tour.step(VENDOR, "Starcoupon QR image", client.qr_image(tid.as_str(), &bought), |r| {
        let url = r?;
        if !url.starts_with("http") {
            return Err(unexpected(format!("the QR address is not absolute: {url}")));
        }
        Ok((url, ()))
    })
    .await
}
