//! `coupon giftletter …`: every Giftletter endpoint, one native-client method each.

pub(crate) mod demo;

use clap::{Args, Subcommand};
use coupon::giftletter::wire::replies::{EPinUse, GoodsItem, GoodsStatus, MsgType};
use coupon::giftletter::wire::requests::{ReSendSms, SendEPin};
use coupon::giftletter::{Giftletter, GiftletterConfig, Sent};
use coupon::{Error, ErrorKind, PartnerRef, PhoneNumber, Result, time};
use serde_json::{Value, json};

/// The group's line in `coupon --help`.
pub const ABOUT: &str = "Giftletter (기프트레터): issue PINs by SMS, cancel, status, resend, goods, redemption report";

use crate::failure::{CliResult, Failure};
use crate::format;
use crate::output::{fields, table};

use crate::commands::Ctx;

const VENDOR: &str = "giftletter";

/// The Giftletter commands.
#[derive(Debug, Subcommand)]
pub enum GiftletterCommand {
    /// SendEPin: issue one PIN by SMS (moves money; Giftletter deduplicates by co_tid).
    Issue(IssueArgs),
    /// CancelSendEPin: cancel an issued PIN.
    Cancel {
        /// The order id `issue` printed.
        order_id: String,
    },
    /// StatusSendEPin: whether a PIN is unused, used or cancelled.
    Status {
        /// The order id `issue` printed.
        order_id: String,
    },
    /// ReSendSMS: send the PIN's SMS again (at most 3 times; never repeated automatically).
    Resend {
        /// The order id `issue` printed.
        order_id: String,
        /// A phrase added to the SMS (20 bytes in CP949).
        #[arg(long)]
        msg: Option<String>,
        /// A free value echoed back (20 bytes).
        #[arg(long)]
        reserved: Option<String>,
    },
    /// getGoodsInfoList: the goods of one brand.
    Goods {
        /// The brand id.
        #[arg(long)]
        brand: u64,
    },
    /// getGoodsInfo: one goods in detail.
    GoodsInfo {
        /// The goods id.
        goods_id: String,
    },
    /// getBrandImage: a brand's name and image.
    BrandImage {
        /// The brand id.
        brand_id: u64,
    },
    /// ExchangeDaily: the PINs redeemed on one day (KST).
    Redemptions {
        /// The day, YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: String,
    },
}

/// What `giftletter issue` sends.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The goods to issue.
    #[arg(long, value_name = "ID")]
    goods: String,
    /// Who receives the PIN by SMS.
    #[arg(long, value_name = "PHONE")]
    to: String,
    /// The reply number shown in the SMS.
    #[arg(long, value_name = "PHONE")]
    callback: String,
    /// SMS title (40 bytes in CP949).
    #[arg(long, value_name = "T")]
    title: String,
    /// SMS body (500 bytes in CP949).
    #[arg(long, value_name = "C")]
    content: String,
    /// Your transaction id (co_tid, 30 bytes); generated when absent. Re-use it to retry safely.
    #[arg(long = "ref", value_name = "CO_TID")]
    reference: Option<String>,
    /// A free value echoed back (20 bytes).
    #[arg(long, value_name = "X")]
    reserved: Option<String>,
}

/// Runs one Giftletter command.
pub async fn run(cmd: &GiftletterCommand, ctx: &Ctx) -> CliResult {
    let client = client(ctx)?;
    match cmd {
        GiftletterCommand::Issue(args) => issue(&client, args, ctx).await,
        GiftletterCommand::Cancel { order_id } => cancel(&client, order_id, ctx).await,
        GiftletterCommand::Status { order_id } => Ok(status(&client, order_id, ctx).await?),
        GiftletterCommand::Resend { order_id, msg, reserved } => resend(&client, order_id, msg, reserved, ctx).await,
        GiftletterCommand::Goods { brand } => Ok(goods(&client, *brand, ctx).await?),
        GiftletterCommand::GoodsInfo { goods_id } => Ok(goods_info(&client, goods_id, ctx).await?),
        GiftletterCommand::BrandImage { brand_id } => Ok(brand_image(&client, *brand_id, ctx).await?),
        GiftletterCommand::Redemptions { date } => Ok(redemptions(&client, date, ctx).await?),
    }
}

fn client(ctx: &Ctx) -> Result<Giftletter> {
    Giftletter::new(
        GiftletterConfig::from_section(&ctx.section(VENDOR)?).map_err(|e| crate::config::explain(VENDOR, e))?,
    )
}

async fn issue(client: &Giftletter, args: &IssueArgs, ctx: &Ctx) -> CliResult {
    let out = &ctx.out;
    let co_tid = args.reference.clone().map_or_else(PartnerRef::generate, PartnerRef::new);
    let tag = |e: Error| e.with_partner_ref(co_tid.clone());
    let request = SendEPin {
        goods_id: args.goods.clone(),
        title: args.title.clone(),
        content: args.content.clone(),
        mdn: PhoneNumber::parse_field("to", &args.to).map_err(tag)?,
        receive_tel: PhoneNumber::parse_field("callback", &args.callback).map_err(tag)?,
        co_tid: co_tid.clone(),
        reserved: args.reserved.clone(),
    };
    // Printed before sending, so a crash or a lost answer can still be traced by co_tid.
    out.before_sending(VENDOR, "issue", "co_tid", &co_tid);
    let reply = match client.send_epin(&request).await {
        Ok(Sent::Reply(reply)) => reply,
        Ok(Sent::ByEarlierAttempt { code }) => {
            // Issued: the lost first attempt did it; only its order id and PIN are unknown.
            let why = format!(
                "issued by this call's earlier attempt, whose answer was lost: the re-send was refused as a \
                 duplicate ({code}); ask Giftletter for the order of co_tid {co_tid}, never issue it again"
            );
            let doc = json!({
                "vendor": VENDOR,
                "order_id": null,
                "pin": null,
                "partner_ref": co_tid.as_str(),
                "goods_id": request.goods_id,
                "details_unknown": why,
            });
            out.emit(&doc, || {
                fields(&[
                    ("issued", "yes; order id and PIN unknown".to_string()),
                    ("co_tid", co_tid.to_string()),
                    ("goods", request.goods_id.clone()),
                    ("why", why.clone()),
                ])
                .to_string()
            });
            return Ok(());
        }
        Err(e) => {
            let e = tag(e);
            let failure = Failure::from(e.clone());
            return Err(match e.kind() {
                ErrorKind::OutcomeUnknown => failure.hint(format!(
                    "the coupon may have been issued. Giftletter refuses a repeated co_tid, so repeating this exact \
                     command with --ref {co_tid} cannot issue twice: an answer of duplicate_reference then means the \
                     first attempt issued it (ask Giftletter for the order of co_tid {co_tid})."
                )),
                _ => failure,
            });
        }
    };
    let pin = out.pin(&reply.epin);
    let to = out.phone(&request.mdn);
    let doc = json!({
        "vendor": VENDOR,
        "order_id": reply.order_id,
        "pin": pin,
        "partner_ref": co_tid.as_str(),
        "goods_id": request.goods_id,
        "to": to,
        "reserved": reply.reserved,
    });
    out.emit(&doc, || {
        fields(&[
            ("order id", reply.order_id.clone()),
            ("PIN", pin.clone()),
            ("co_tid", co_tid.to_string()),
            ("goods", request.goods_id.clone()),
            ("sent to", to.clone()),
        ])
        .to_string()
    });
    Ok(())
}

async fn cancel(client: &Giftletter, order_id: &str, ctx: &Ctx) -> CliResult {
    if let Err(e) = client.cancel(order_id).await {
        let hint = (e.kind() == ErrorKind::OutcomeUnknown).then(|| {
            format!(
                "check with `coupon giftletter status {order_id}`: cancelled means it went through; cancelling again is \
                 safe (Giftletter answers a repeat with E304)."
            )
        });
        let failure = Failure::from(e);
        return Err(match hint {
            Some(h) => failure.hint(h),
            None => failure,
        });
    }
    let doc = json!({"vendor": VENDOR, "order_id": order_id, "cancelled": true});
    ctx.out.emit(&doc, || format!("giftletter: order {order_id} cancelled"));
    Ok(())
}

async fn status(client: &Giftletter, order_id: &str, ctx: &Ctx) -> Result<()> {
    let s = client.status(order_id).await?;
    let (state, letter) = match &s.usage {
        EPinUse::Unused => ("unused", "N"),
        EPinUse::Used => ("used", "Y"),
        EPinUse::Cancelled => ("cancelled", "C"),
        EPinUse::Other(letter) => ("unknown", letter.as_str()),
    };
    let used_at = match &s.used_at {
        Some(coupon::RedeemedAt::Time(t)) => Some(*t),
        _ => None,
    };
    let doc = json!({
        "vendor": VENDOR,
        "order_id": order_id,
        "status": state,
        "used_at": format::time_json(used_at.as_ref()),
        "used_on": s.used_at.as_ref().map(|at| format::day_json(at.day())),
        "use_date": s.use_date,
        "place": s.branch,
        "vendor_status": letter,
    });
    ctx.out.emit(&doc, || {
        fields(&[
            ("order id", order_id.to_string()),
            ("status", state.to_string()),
            ("used at", s.used_at.as_ref().map_or_else(|| "-".to_string(), format::redeemed)),
            ("place", format::text(s.branch.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

async fn resend(
    client: &Giftletter,
    order_id: &str,
    msg: &Option<String>,
    reserved: &Option<String>,
    ctx: &Ctx,
) -> CliResult {
    let request = ReSendSms { order_id: order_id.to_string(), msg: msg.clone(), reserved: reserved.clone() };
    let echoed = client.resend_sms(&request).await.map_err(|e| {
        let unknown = e.kind() == ErrorKind::OutcomeUnknown;
        let failure = Failure::from(e);
        if unknown {
            failure.hint(
                "the SMS may have been sent again; each resend counts against Giftletter's limit of 3, so ask the \
                 recipient before resending",
            )
        } else {
            failure
        }
    })?;
    let doc = json!({"vendor": VENDOR, "order_id": order_id, "resent": true, "reserved": echoed});
    ctx.out.emit(&doc, || format!("giftletter: the SMS of order {order_id} was sent again"));
    Ok(())
}

fn goods_json(g: &GoodsItem) -> Value {
    json!({
        "id": g.goods_id,
        "name": g.goods_name,
        "brand": g.brand_name,
        "price": format::won_json(g.price),
        "image_url": g.img_url,
        "available": g.status == GoodsStatus::Usable,
        "status": g.status.as_str(),
    })
}

async fn goods(client: &Giftletter, brand: u64, ctx: &Ctx) -> Result<()> {
    let items = client.goods_list(brand).await?;
    let doc = json!({"vendor": VENDOR, "brand_id": brand, "items": items.iter().map(goods_json).collect::<Vec<_>>()});
    ctx.out.emit(&doc, || {
        let mut t = table(&["goods id", "name", "brand", "price", "available"]);
        for g in &items {
            t.add_row(vec![
                g.goods_id.clone(),
                format::text(g.goods_name.as_deref()),
                format::text(g.brand_name.as_deref()),
                format::won(g.price),
                format::flag(Some(g.status == GoodsStatus::Usable)).to_string(),
            ]);
        }
        t.to_string()
    });
    Ok(())
}

async fn goods_info(client: &Giftletter, goods_id: &str, ctx: &Ctx) -> Result<()> {
    let g = client.goods_info(goods_id).await?;
    let msg_type = g.msg_type.as_ref().map(|m| match m {
        MsgType::Lms => "lms".to_string(),
        MsgType::Mms => "mms".to_string(),
        MsgType::Other(raw) => raw.clone(),
    });
    let validity = g.validity().map(|v| match v {
        coupon::Validity::Days(d) => format!("{d} days from issue"),
        coupon::Validity::Until(day) => format!("until {day}"),
        _ => "-".to_string(),
    });
    let doc = json!({
        "vendor": VENDOR,
        "id": g.goods_id,
        "name": g.goods_name,
        "brand_id": g.brand_id,
        "brand": g.brand_name,
        "price": format::won_json(g.price),
        "supply_price": format::won_json(g.sprice),
        "msg_type": msg_type,
        "image_url": g.img_url,
        "exdate": g.exdate,
        "validity": validity,
        "notice": g.notice(),
        "available": g.status == GoodsStatus::Usable,
        "status": g.status.as_str(),
    });
    ctx.out.emit(&doc, || {
        fields(&[
            ("goods id", g.goods_id.clone()),
            ("name", format::text(g.goods_name.as_deref())),
            ("brand", format::text(g.brand_name.as_deref())),
            ("price", format::won(g.price)),
            ("supply price", format::won(g.sprice)),
            ("valid", format::text(validity.as_deref())),
            ("available", format::flag(Some(g.status == GoodsStatus::Usable)).to_string()),
            ("image", format::text(g.img_url.as_deref())),
            ("notice", format::text(g.notice())),
        ])
        .to_string()
    });
    Ok(())
}

async fn brand_image(client: &Giftletter, brand_id: u64, ctx: &Ctx) -> Result<()> {
    let b = client.brand_image(brand_id).await?;
    let doc = json!({
        "vendor": VENDOR,
        "brand_id": brand_id,
        "name": b.brand_name,
        "image_url": b.img_url,
        "status": b.status.as_str(),
    });
    ctx.out.emit(&doc, || {
        fields(&[
            ("brand id", brand_id.to_string()),
            ("name", format::text(b.brand_name.as_deref())),
            ("image", format::text(b.img_url.as_deref())),
        ])
        .to_string()
    });
    Ok(())
}

async fn redemptions(client: &Giftletter, date: &str, ctx: &Ctx) -> Result<()> {
    let day = time::parse_date(date).ok_or_else(|| Error::invalid_field("date", "must be a day as YYYY-MM-DD"))?;
    let report = client.exchange_daily(day).await?;
    crate::commands::generic::emit_redemptions(VENDOR, &report, &ctx.out);
    Ok(())
}
