//! The steps only Giftletter has in `coupon demo`, after its adapter's generic tour:
//! a brand's image, a PIN issued with SendEPin and redeemed at a store (the sandbox's
//! admin API, as a customer would), its status then used at that branch, and its
//! cancel refused as already used (`E201`).

use coupon::giftletter::wire::replies::{EPinUse, GoodsStatus};
use coupon::giftletter::wire::requests::SendEPin;
use coupon::giftletter::{Giftletter, GiftletterConfig, Sent};
use coupon::{ErrorKind, PartnerRef, PhoneNumber};
use coupon_sandbox::{RedeemRequest, Samples};
use serde_json::Value;

use super::VENDOR;
use crate::commands::demo::{DemoKit, Tour, missing_fixture, refused_as, unexpected};
use crate::failure::CliResult;
use crate::format;

/// How many steps [`tour`] takes.
pub const STEPS: u64 = 5;

/// A goods the tour can issue and see redeemed, and its brand.
struct Goods {
    id: String,
    brand_id: u64,
}

/// The goods the samples issue, or else any issuable one whose status is kept.
fn pick_goods(fixtures: &Value, samples: &Samples) -> Option<Goods> {
    let goods = fixtures["goods"].as_array()?;
    let usable = |g: &&Value| g["status"] == "Y" && g["status_supported"] == true && g["exchange_day_only"] == false;
    let sampled = samples.issue.as_ref().map(|i| i.product_id.as_str());
    let g = goods
        .iter()
        .filter(usable)
        .find(|g| sampled.is_some_and(|id| g["goods_id"] == id))
        .or_else(|| goods.iter().find(usable))?;
    Some(Goods { id: g["goods_id"].as_str()?.to_string(), brand_id: g["brand_id"].as_u64()? })
}

/// Takes the steps.
pub async fn tour(tour: &mut Tour<'_>, kit: &DemoKit<'_>) -> CliResult {
    let client = Giftletter::new(GiftletterConfig::from_section(kit.config.require(VENDOR)?)?)?;
    let goods = pick_goods(kit.fixtures, kit.samples).ok_or_else(|| missing_fixture(VENDOR, "issuable goods"))?;
    let branch = kit.fixtures["branches"][0].as_str().ok_or_else(|| missing_fixture(VENDOR, "branches"))?.to_string();
    let out = *tour.out();

    tour.step(VENDOR, "brand image", client.brand_image(goods.brand_id), |r| {
        let brand = r?;
        if brand.status != GoodsStatus::Usable {
            return Err(unexpected(format!("brand {} is not usable: {:?}", goods.brand_id, brand.status)));
        }
        let url = brand.img_url.filter(|u| u.starts_with("http")).ok_or_else(|| unexpected("no image address"))?;
        Ok((format!("{}: {url}", format::text(brand.brand_name.as_deref())), ()))
    })
    .await?;

    let sample = kit.samples.issue.as_ref();
    let phone = |key: &str, given: Option<&String>, default: &str| {
        PhoneNumber::parse_field(key, given.map_or(default, String::as_str))
    };
    let request = SendEPin {
        goods_id: goods.id.clone(),
        title: "선물이 도착했어요".into(),
        content: "coupon demo: 모바일 상품권을 보내드립니다".into(),
        mdn: phone("recipient", sample.and_then(|i| i.recipient.as_ref()), "010-1234-5678")?,
        receive_tel: phone("callback", sample.and_then(|i| i.callback.as_ref()), "1588-1234")?,
        co_tid: PartnerRef::generate(),
        reserved: None,
    };
    let issued = tour
        .step(VENDOR, "issue (SendEPin)", client.send_epin(&request), |r| match r? {
            Sent::Reply(reply) => {
                let text = format!(
                    "order {}, PIN {}, co_tid {}, SMS to {}",
                    reply.order_id,
                    out.pin(&reply.epin),
                    request.co_tid,
                    out.phone(&request.mdn)
                );
                Ok((text, reply))
            }
            Sent::ByEarlierAttempt { code } => {
                Err(unexpected(format!("a first attempt's answer was lost ({code}): no PIN to redeem")))
            }
        })
        .await?;

    let redeem = RedeemRequest::new(VENDOR, issued.epin.expose()).branch(branch.as_str());
    let redeemed = async { kit.admin.redeem_with(&redeem).await.map_err(|e| unexpected(format!("sandbox admin: {e}"))) };
    tour.step(VENDOR, "a store redeems it", redeemed, |r| {
        let answer = r?;
        if answer["order_id"] != issued.order_id.as_str() {
            return Err(unexpected(format!("the sandbox redeemed another order: {}", answer["order_id"])));
        }
        Ok((format!("PIN {} exchanged at {branch} (sandbox admin API)", out.pin(&issued.epin)), ()))
    })
    .await?;

    tour.step(VENDOR, "status once redeemed", client.status(&issued.order_id), |r| {
        let s = r?;
        if s.usage != EPinUse::Used || s.branch.as_deref() != Some(branch.as_str()) {
            return Err(unexpected(format!("expected used at {branch}, got {:?} at {:?}", s.usage, s.branch)));
        }
        let at = s.used_at.as_ref().map_or_else(|| format::text(s.use_date.as_deref()), format::redeemed);
        Ok((format!("used at {branch}, {at}"), ()))
    })
    .await?;

    tour.step(VENDOR, "cancel once used", client.cancel(&issued.order_id), |r| {
        refused_as(r, ErrorKind::AlreadyUsed)
    })
    .await
}
