//! `coupon giftishow …`: the Giftishow Biz operations the shared commands do not
//! cover (bizmoney, brands, a coupon's whole detail, the send-failure refund).

pub(crate) mod demo;

use clap::Subcommand;
use coupon::giftishow::wire::replies::{BrandInfo, CouponInfo, PhoneText};
use coupon::giftishow::{Giftishow, GiftishowConfig};
use coupon::{ErrorKind, PartnerRef, Result};
use serde_json::{Value, json};

/// The group's line in `coupon --help`.
pub const ABOUT: &str =
    "Giftishow Biz (기프티쇼 비즈, experimental): bizmoney, brands, coupon detail by tr_id, send-failure refund";

use crate::failure::{CliResult, Failure};
use crate::format;
use crate::output::{Output, fields, table};

use crate::commands::Ctx;

const VENDOR: &str = "giftishow";

/// The Giftishow Biz commands.
#[derive(Debug, Subcommand)]
pub enum GiftishowCommand {
    /// 0301: the bizmoney balance sends spend.
    Bizmoney,
    /// 0102 (or 0103): every brand.
    Brands,
    /// 0112 (or 0104): one brand.
    Brand {
        /// The brand code.
        brand_code: String,
    },
    /// 0201: everything Giftishow says about the coupon sent with a tr_id.
    Coupon {
        /// The tr_id the coupon was sent with (the order `issue` printed).
        tr_id: String,
    },
    /// 0205: refund a send that was charged but issued no PIN (never repeated automatically).
    SendFailCancel {
        /// The tr_id of the failed send.
        tr_id: String,
    },
}

/// Runs one Giftishow Biz command.
pub async fn run(cmd: &GiftishowCommand, ctx: &Ctx) -> CliResult {
    let config =
        GiftishowConfig::from_section(&ctx.section(VENDOR)?).map_err(|e| crate::config::explain(VENDOR, e))?;
    let client = Giftishow::new(config)?;
    let out = &ctx.out;
    match cmd {
        GiftishowCommand::Bizmoney => Ok(bizmoney(&client, out).await?),
        GiftishowCommand::Brands => Ok(brands(&client, out).await?),
        GiftishowCommand::Brand { brand_code } => Ok(brand(&client, brand_code, out).await?),
        GiftishowCommand::Coupon { tr_id } => Ok(coupon(&client, tr_id, out).await?),
        GiftishowCommand::SendFailCancel { tr_id } => {
            out.before_sending(VENDOR, "sendFail/cancel", "refunding the failed send of tr_id", &PartnerRef::new(tr_id));
            client.send_fail_cancel(tr_id).await.map_err(|e| {
                let unknown = e.kind() == ErrorKind::OutcomeUnknown;
                let failure = Failure::from(e);
                if !unknown {
                    return failure;
                }
                failure.hint(
                    "it may have been refunded, and it was not sent again: compare `coupon giftishow bizmoney` with \
                     the balance before, then ask again only if it was not",
                )
            })?;
            out.emit(&json!({"vendor": VENDOR, "tr_id": tr_id, "refunded": true}), || {
                format!("giftishow: the failed send of tr_id {tr_id} is refunded")
            });
            Ok(())
        }
    }
}

async fn bizmoney(client: &Giftishow, out: &Output) -> Result<()> {
    let balance = client.bizmoney().await?;
    out.emit(&json!({"vendor": VENDOR, "bizmoney": balance.0}), || format!("giftishow bizmoney: {balance}"));
    Ok(())
}

fn brand_json(b: &BrandInfo) -> Value {
    json!({
        "brand_code": b.brand_code,
        "brand_name": b.brand_name,
        "category": b.category1_name,
        "subcategory": b.category2_name,
        "icon": b.icon,
        "sort": b.sort,
    })
}

async fn brands(client: &Giftishow, out: &Output) -> Result<()> {
    let list = client.brands().await?;
    let doc = json!({"vendor": VENDOR, "brands": list.items.iter().map(brand_json).collect::<Vec<_>>()});
    out.emit(&doc, || {
        let mut t = table(&["code", "name", "category"]);
        for b in &list.items {
            t.add_row(vec![b.brand_code.clone(), b.brand_name.clone(), format::text(b.category1_name.as_deref())]);
        }
        t.to_string()
    });
    Ok(())
}

async fn brand(client: &Giftishow, code: &str, out: &Output) -> Result<()> {
    let b = client.brand_detail(code).await?;
    out.emit(&json!({"vendor": VENDOR, "brand": brand_json(&b)}), || {
        fields(&[
            ("code", b.brand_code.clone()),
            ("name", b.brand_name.clone()),
            ("category", format::text(b.category1_name.as_deref())),
            ("subcategory", format::text(b.category2_name.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

/// A phone number of an answer: masked unless revealed.
fn phone(p: Option<&PhoneText>, out: &Output) -> Option<String> {
    p.map(|p| out.phone_text(p.expose()))
}

fn coupon_json(c: &CouponInfo, out: &Output) -> Value {
    json!({
        "goods_code": c.goods_code,
        "goods_name": c.goods_name,
        "brand": c.brand_name,
        "pin_status": c.pin_status,
        "pin_status_name": c.pin_status_name,
        "order_no": c.order_no,
        "pin": c.pin.as_ref().map(|p| out.pin(p)),
        "sell_price": format::won_json(c.sell_price),
        "consumer_price": format::won_json(c.consumer_price),
        "remaining": format::won_json(c.remain_amount),
        "receiver": phone(c.receiver_tel.as_ref(), out),
        "sender": phone(c.sender_tel.as_ref(), out),
        "valid_until": c.valid_until.map(format::day_json),
        "changed_at": format::time_json(c.changed_at.as_ref()),
        "send_result": c.send_result_code,
        "send_result_message": c.send_result_message,
    })
}

async fn coupon(client: &Giftishow, tr_id: &str, out: &Output) -> Result<()> {
    let coupons = client.coupons(tr_id).await?;
    let doc = json!({
        "vendor": VENDOR,
        "tr_id": tr_id,
        "coupons": coupons.iter().map(|c| coupon_json(c, out)).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        let mut t = table(&["goods", "status", "PIN", "remaining", "valid until", "changed", "receiver"]);
        for c in &coupons {
            t.add_row(vec![
                format::text(c.goods_name.as_deref().or(c.goods_code.as_deref())),
                format!("{} {}", c.pin_status.as_deref().unwrap_or("-"), c.pin_status_name.as_deref().unwrap_or("")),
                c.pin.as_ref().map_or_else(|| "-".to_owned(), |p| out.pin(p)),
                format::won(c.remain_amount),
                c.valid_until.map_or_else(|| "-".to_owned(), |d| d.to_string()),
                format::kst_opt(c.changed_at.as_ref()),
                phone(c.receiver_tel.as_ref(), out).unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        format!("giftishow coupons of tr_id {tr_id}\n{t}")
    });
    Ok(())
}
