//! The steps only Giftishow Biz has in `coupon demo`, after its adapter's generic
//! tour: the bizmoney a send spends, a send refused for want of it (`E0010`), and a
//! send charged without a PIN refunded by the send-failure cancel (`0205`). The
//! sandbox's admin API sets the balance and injects the failure, as the vendor's
//! side would.

use coupon::giftishow::wire::requests::{Gubun, Send};
use coupon::giftishow::{Giftishow, GiftishowConfig, Sent};
use coupon::{ErrorKind, PartnerRef, PhoneNumber, Won};
use serde_json::json;

use super::VENDOR;
use crate::commands::demo::{DemoKit, Tour, missing_fixture, refused_as, unexpected};
use crate::failure::CliResult;

/// How many steps [`tour`] takes.
pub const STEPS: u64 = 5;

/// Takes the steps.
pub async fn tour(tour: &mut Tour<'_>, kit: &DemoKit<'_>) -> CliResult {
    let client = Giftishow::new(GiftishowConfig::from_section(kit.config.require(VENDOR)?)?)?;
    let sample = kit.samples.issue.as_ref().ok_or_else(|| missing_fixture(VENDOR, "goods on sale"))?;
    let goods = sample.product_id.clone();
    let phone = |key: &str, given: &Option<String>, default: &str| {
        PhoneNumber::parse_field(key, given.as_deref().unwrap_or(default))
    };
    let send = |tr_id: PartnerRef| -> coupon::Result<Send> {
        Ok(Send {
            goods_code: goods.clone(),
            tr_id,
            phone_no: Some(phone("recipient", &sample.recipient, "010-1234-5678")?),
            callback_no: phone("callback", &sample.callback, "1588-0000")?,
            mms_title: Some("선물 도착".into()),
            mms_msg: Some("coupon demo: 기프티쇼 쿠폰을 보내드립니다".into()),
            gubun: Gubun::Mms,
            order_no: None,
            template_id: None,
            banner_id: None,
        })
    };
    let admin = |route: &'static str, body: serde_json::Value| async move {
        kit.admin.vendor_post(VENDOR, route, &body).await.map_err(|e| unexpected(format!("sandbox admin: {e}")))
    };

    let before = tour
        .step(VENDOR, "bizmoney", client.bizmoney(), |r| {
            let balance = r?;
            Ok((format!("{balance} to spend"), balance))
        })
        .await?;

    let request = send(PartnerRef::generate())?;
    let spent = async {
        let sent = client.send(&request).await?;
        let after = client.bizmoney().await?;
        Ok((sent, after))
    };
    tour.step(VENDOR, "a send spends bizmoney", spent, |r| {
        let (sent, after) = r?;
        let Sent::Reply(reply) = sent else { return Err(unexpected("the send's answer was lost")) };
        let cost = before.0.checked_sub(after.0).filter(|c| *c > 0).ok_or_else(|| unexpected("nothing was spent"))?;
        let order = reply.order_no.unwrap_or_default();
        Ok((format!("tr_id {} (order {order}) cost {}; {after} left", request.tr_id, Won(cost)), ()))
    })
    .await?;

    let broke = async {
        let balance = client.bizmoney().await?;
        admin("bizmoney", json!({ "balance": 0 })).await?;
        let refused = client.send(&send(PartnerRef::generate())?).await;
        admin("bizmoney", json!({ "balance": balance.0 })).await?;
        refused
    };
    tour.step(VENDOR, "a send with no bizmoney", broke, |r| refused_as(r, ErrorKind::InsufficientFunds)).await?;

    let failed = send(PartnerRef::generate())?;
    let charged = async {
        admin("send-failures", json!({ "count": 1 })).await?;
        let balance = client.bizmoney().await?;
        let refused = client.send(&failed).await;
        let after = client.bizmoney().await?;
        Ok((refused, balance, after))
    };
    tour.step(VENDOR, "a send charged without a PIN", charged, |r| {
        let (refused, balance, after) = r?;
        let e = match refused {
            Ok(sent) => return Err(unexpected(format!("the injected failure issued: {sent:?}"))),
            Err(e) => e,
        };
        if after >= balance {
            return Err(unexpected("the failed send was not charged"));
        }
        let code = e.vendor_code().map_or_else(String::new, |c| c.raw().to_string());
        Ok((format!("refused ({code}) yet charged {}; tr_id {}", Won(balance.0 - after.0), failed.tr_id), ()))
    })
    .await?;

    let refund = async {
        let before_refund = client.bizmoney().await?;
        client.send_fail_cancel(failed.tr_id.as_str()).await?;
        Ok((before_refund, client.bizmoney().await?))
    };
    tour.step(VENDOR, "send-failure cancel (0205)", refund, |r| {
        let (before_refund, after) = r?;
        if after <= before_refund {
            return Err(unexpected("nothing was refunded"));
        }
        Ok((format!("{} refunded; {after} to spend", Won(after.0 - before_refund.0)), ()))
    })
    .await
}
