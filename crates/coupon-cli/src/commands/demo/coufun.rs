//! The COUFUN part of the tour: the status of a stored-value coupon with its balance.

use coupon::config::CouponConfig;
use coupon::coufun::wire::CouponType;
use coupon::coufun::{Coufun, CoufunConfig};
use coupon::{Pin, time};
use serde_json::Value;

use super::{Tour, missing_fixture, unexpected};
use crate::failure::CliResult;

const VENDOR: &str = "coufun";

/// A stored-value (AMOUNT) coupon whose latest order is unused and not past its last day.
fn pick_amount_coupon(fixtures: &Value) -> Option<(String, String, String)> {
    let f = &fixtures[VENDOR];
    let today = time::today_kst().format("%Y%m%d").to_string();
    f["coupons"].as_array()?.iter().find_map(|c| {
        let goods_id = c["goods_id"].as_str()?;
        let goods = f["goods"].as_array()?.iter().find(|g| g["goods_id"] == goods_id)?;
        let last = c["orders"].as_array()?.last()?;
        let usable = goods["coupon_type"] == "AMOUNT"
            && last["status"] == "000"
            && last["valid_end_date"].as_str().is_some_and(|d| d >= today.as_str());
        let name = goods["goods_name"].as_str()?.to_string();
        usable.then(|| Some((goods_id.to_string(), c["barcode_num"].as_str()?.to_string(), name)))?
    })
}

pub(super) async fn tour(tour: &mut Tour<'_>, config: &CouponConfig, fixtures: &Value) -> CliResult {
    let client = Coufun::new(CoufunConfig::from_section(config.require(VENDOR)?)?)?;
    let (goods_id, barcode, name) =
        pick_amount_coupon(fixtures).ok_or_else(|| missing_fixture("unused stored-value COUFUN coupon"))?;
    let pin = Pin::new(barcode);
    let out = *tour.out();
    tour.step(VENDOR, "status + balance", client.status(&goods_id, &pin), |r| {
        let answer = r?;
        let current = answer.current(pin.expose()).ok_or_else(|| unexpected("the answer holds no order"))?;
        if current.coupon_type != CouponType::Amount {
            return Err(unexpected("the coupon is not a stored-value one"));
        }
        let balance = current.balance.ok_or_else(|| unexpected("a stored-value coupon without its balance"))?;
        let text = format!(
            "{name} {}: {}, {} of {} left",
            out.pin(&pin),
            current.coupon_status(time::today_kst()).as_str(),
            balance.remaining,
            balance.total
        );
        Ok((text, ()))
    })
    .await
}
