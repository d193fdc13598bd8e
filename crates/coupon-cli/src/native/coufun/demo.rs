//! The step only COUFUN has in `coupon demo`, after its adapter's generic tour: the
//! native status record of the samples' coupon (its type, the vendor's own status
//! code, validity and receiver, the phone masked).

use coupon::coufun::{Coufun, CoufunConfig};
use coupon::{CouponStatus, Pin, time};

use super::{VENDOR, receiver, type_name};
use crate::commands::demo::{DemoKit, Tour, missing_fixture, unexpected};
use crate::failure::CliResult;

/// How many steps [`tour`] takes.
pub const STEPS: u64 = 1;

/// Takes the step.
pub async fn tour(tour: &mut Tour<'_>, kit: &DemoKit<'_>) -> CliResult {
    let client = Coufun::new(CoufunConfig::from_section(kit.config.require(VENDOR)?)?)?;
    let coupon = kit.samples.coupon.as_ref().ok_or_else(|| missing_fixture(VENDOR, "a sample coupon"))?;
    let (goods, pin) = (coupon.product_id.as_str(), Pin::new(coupon.barcode.as_str()));
    let out = *tour.out();
    tour.step(VENDOR, "status record", client.status(goods, &pin), |r| {
        let answer = r?;
        let record = answer.current(pin.expose()).ok_or_else(|| unexpected("the answer holds no order record"))?;
        let status = record.coupon_status(time::today_kst());
        if status != CouponStatus::Unused {
            return Err(unexpected(format!("expected unused, got {}", status.as_str())));
        }
        let to = record.receiver.as_ref().ok_or_else(|| unexpected("the record names no receiver"))?;
        let text = format!(
            "{} coupon {}: {} (STATUS {}), ordered {}, valid until {}, sent to {}",
            type_name(&record.coupon_type),
            out.pin(&pin),
            status.as_str(),
            record.status.as_wire(),
            record.order_date,
            record.valid_until,
            receiver(to, &out)
        );
        Ok((text, ()))
    })
    .await
}
