//! The Giftletter part of the tour: goods, issue, status, a store redeems it, the
//! day's report, cancel refused, a repeated reference refused.

use coupon::config::CouponConfig;
use coupon::giftletter::wire::replies::{EPinStatus, EPinUse, GoodsStatus};
use coupon::giftletter::wire::requests::SendEPin;
use coupon::giftletter::{Giftletter, GiftletterConfig, Sent};
use coupon::{ErrorKind, PartnerRef, PhoneNumber, time};
use coupon_sandbox::{RedeemRequest, SandboxAdmin};
use serde_json::Value;

use super::{Tour, missing_fixture, refused_as, unexpected};
use crate::failure::CliResult;
use crate::format;

const VENDOR: &str = "giftletter";

/// A goods the tour can issue, check and see redeemed with a time.
struct Goods {
    id: String,
    brand_id: u64,
}

fn pick_goods(fixtures: &Value) -> Option<Goods> {
    fixtures[VENDOR]["goods"].as_array()?.iter().find_map(|g| {
        let usable = g["status"] == "Y" && g["status_supported"] == true && g["exchange_day_only"] == false;
        usable.then(|| Some(Goods { id: g["goods_id"].as_str()?.to_string(), brand_id: g["brand_id"].as_u64()? }))?
    })
}

pub(super) async fn tour(
    tour: &mut Tour<'_>,
    config: &CouponConfig,
    admin: &SandboxAdmin,
    fixtures: &Value,
) -> CliResult {
    let client = Giftletter::new(GiftletterConfig::from_section(config.require(VENDOR)?)?)?;
    let goods = pick_goods(fixtures).ok_or_else(|| missing_fixture("usable Giftletter goods"))?;
    let branch = fixtures[VENDOR]["branches"][0].as_str().unwrap_or("본점").to_string();
    let out = *tour.out();

    tour.step(VENDOR, "goods list", client.goods_list(goods.brand_id), |r| {
        let items = r?;
        let g = items
            .iter()
            .find(|g| g.goods_id == goods.id && g.status == GoodsStatus::Usable)
            .ok_or_else(|| unexpected(format!("goods {} is not listed as usable", goods.id)))?;
        let name = format::text(g.goods_name.as_deref());
        let brand = g.brand_name.clone().unwrap_or_else(|| goods.brand_id.to_string());
        Ok((format!("{} goods of {brand}; issuing {name} ({})", items.len(), format::won(g.price)), ()))
    })
    .await?;

    let request = SendEPin {
        goods_id: goods.id.clone(),
        title: "선물이 도착했어요".into(),
        content: "coupon demo: 모바일 상품권을 보내드립니다".into(),
        mdn: PhoneNumber::parse_field("mdn", "010-1234-5678")?,
        receive_tel: PhoneNumber::parse_field("receive_tel", "1588-1234")?,
        co_tid: PartnerRef::generate(),
        reserved: None,
    };
    let issued = tour
        .step(VENDOR, "issue (SendEPin)", client.send_epin(&request), |r| {
            let Sent::Reply(reply) = r? else {
                return Err(unexpected("the sandbox answered no order id and PIN for a fresh co_tid"));
            };
            let text = format!(
                "order {}, PIN {}, co_tid {}, SMS to {}",
                reply.order_id,
                out.pin(&reply.epin),
                request.co_tid,
                out.phone(&request.mdn)
            );
            Ok((text, reply))
        })
        .await?;

    tour.step(VENDOR, "status", client.status(&issued.order_id), |r| match r? {
        EPinStatus { usage: EPinUse::Unused, .. } => Ok(("unused".to_string(), ())),
        other => Err(unexpected(format!("expected unused, got {:?}", other.usage))),
    })
    .await?;

    // The redemption and the report use one moment, so the day cannot change between them.
    let now = time::now_kst();
    let mut redeem = RedeemRequest::new(VENDOR, issued.epin.expose());
    redeem.branch = Some(branch.clone());
    redeem.at = Some(now.format("%Y-%m-%d %H:%M:%S").to_string());
    let redeemed = async { admin.redeem_with(&redeem).await.map_err(|e| unexpected(format!("sandbox admin: {e}"))) };
    tour.step(VENDOR, "store redeems it", redeemed, |r| {
        let answer = r?;
        if answer["order_id"] != issued.order_id.as_str() {
            return Err(unexpected(format!("the sandbox redeemed another order: {}", answer["order_id"])));
        }
        Ok((format!("redeemed at {branch} (sandbox admin API)"), ()))
    })
    .await?;

    tour.step(VENDOR, "redemption report", client.exchange_daily(now.date_naive()), |r| {
        let report = r?;
        let ours = report
            .items
            .iter()
            .find(|i| i.pin == issued.epin)
            .ok_or_else(|| unexpected("the day's report does not list the redeemed PIN"))?;
        let text = format!(
            "{} redemption(s) on {}; ours at {} {}",
            report.items.len(),
            report.day,
            format::text(ours.branch.as_deref()),
            format::redeemed(&ours.at)
        );
        Ok((text, ()))
    })
    .await?;

    tour.step(VENDOR, "cancel", client.cancel(&issued.order_id), |r| refused_as(r, ErrorKind::AlreadyUsed)).await?;

    tour.step(VENDOR, "issue, same co_tid", client.send_epin(&request), |r| {
        refused_as(r, ErrorKind::DuplicateReference)
    })
    .await
}
