//! `coupon coufun …`: COUFUN's one endpoint.

pub(crate) mod demo;

use clap::Subcommand;
use coupon::coufun::wire::replies::{CouponType, OrderRecord};
use coupon::coufun::{Coufun, CoufunConfig};
use coupon::{Pin, Result, time};
use serde_json::{Value, json};

/// The group's line in `coupon --help`.
pub const ABOUT: &str = "COUFUN (쿠펀): coupon status and stored-value balance";

use crate::format;
use crate::output::{Output, table};

use crate::commands::Ctx;

const VENDOR: &str = "coufun";

/// The COUFUN commands.
#[derive(Debug, Subcommand)]
pub enum CoufunCommand {
    /// coufunPartAmountStatus: every order record of a coupon, with the balance of a stored-value one.
    Status {
        /// The goods the coupon was sold as.
        #[arg(long, value_name = "ID")]
        goods: String,
        /// The coupon number (shown masked unless --reveal).
        #[arg(long, value_name = "NUM")]
        barcode: String,
    },
}

/// Runs one COUFUN command.
pub async fn run(cmd: &CoufunCommand, ctx: &Ctx) -> crate::failure::CliResult {
    let config = CoufunConfig::from_section(&ctx.section(VENDOR)?).map_err(|e| crate::config::explain(VENDOR, e))?;
    let client = Coufun::new(config)?;
    match cmd {
        CoufunCommand::Status { goods, barcode } => Ok(status(&client, goods, barcode, &ctx.out).await?),
    }
}

fn type_name(t: &CouponType) -> String {
    match t {
        CouponType::Barcode => "barcode".to_string(),
        CouponType::Amount => "amount".to_string(),
        CouponType::Other(raw) => raw.to_ascii_lowercase(),
    }
}

fn record_json(r: &OrderRecord, out: &Output) -> Value {
    let today = time::today_kst();
    json!({
        "type": type_name(&r.coupon_type),
        "status": r.coupon_status(today).as_str(),
        "vendor_status": r.status.as_wire(),
        "barcode": out.pin(&r.barcode),
        "order_date": format::day_json(r.order_date),
        "valid_until": format::day_json(r.valid_until),
        "exchanged_at": format::time_json(r.exchanged_at.as_ref()),
        "cancelled_at": format::time_json(r.cancelled_at.as_ref()),
        "total": format::won_json(r.balance.map(|b| b.total)),
        "remaining": format::won_json(r.balance.map(|b| b.remaining)),
        "receiver": r.receiver.as_ref().map(|m| receiver(m, out)),
    })
}

/// The receiver's number: masked unless revealed; a number that did not parse is only ever shown masked.
fn receiver(m: &coupon::coufun::wire::replies::ReceiverMobile, out: &Output) -> String {
    m.phone().map_or_else(|| m.masked().to_string(), |p| out.phone(p))
}

async fn status(client: &Coufun, goods: &str, barcode: &str, out: &Output) -> Result<()> {
    let pin = Pin::new(barcode);
    let answer = client.status(goods, &pin).await?;
    let current = answer.current(pin.expose());
    let doc = json!({
        "vendor": VENDOR,
        "goods_id": goods,
        "barcode": out.pin(&pin),
        "message": answer.message,
        "current": current.map(|c| record_json(c, out)),
        "records": answer.orders.iter().map(|r| record_json(r, out)).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let today = time::today_kst();
        let mut t =
            table(&["type", "status", "ordered", "valid until", "exchanged", "cancelled", "balance", "receiver"]);
        for r in &answer.orders {
            let balance = r.balance.map_or_else(|| "-".to_string(), |b| format!("{} / {}", b.remaining, b.total));
            t.add_row(vec![
                type_name(&r.coupon_type),
                r.coupon_status(today).as_str().to_string(),
                r.order_date.to_string(),
                r.valid_until.to_string(),
                format::kst_opt(r.exchanged_at.as_ref()),
                format::kst_opt(r.cancelled_at.as_ref()),
                balance,
                r.receiver.as_ref().map_or_else(|| "-".to_string(), |m| receiver(m, out)),
            ]);
        }
        format!("coufun coupon {} of goods {goods}\n{t}", out.pin(&pin))
    });
    Ok(())
}
