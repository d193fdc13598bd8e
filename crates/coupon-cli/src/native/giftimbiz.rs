//! `coupon giftimbiz …`: every GiftiMbiz endpoint, one native-client method each,
//! plus the reconciliation of a buy whose outcome is unknown.

pub(crate) mod demo;
mod gifticon;
mod star;

use clap::{Args, Subcommand, ValueEnum};
use coupon::Result;
use coupon::giftimbiz::wire::replies::ListPage;
use coupon::giftimbiz::wire::requests::GiftOrder;
use coupon::giftimbiz::{Giftimbiz, GiftimbizConfig};
use futures_util::{Stream, TryStreamExt};
use serde_json::json;

/// The group's line in `coupon --help`.
pub const ABOUT: &str = "GiftiMbiz (기프티엠비즈): gifticon and Starcoupon catalogs, buying, purchase history, QR, use";

use crate::failure::CliResult;
use crate::output::Output;
use crate::progress;
use crate::when::{parse_since, since_for};

use crate::commands::Ctx;

const VENDOR: &str = "giftimbiz";

/// The GiftiMbiz commands.
#[derive(Debug, Subcommand)]
pub enum GiftimbizCommand {
    /// getAccessToken: check that the credentials obtain a token (the token is never shown).
    Token,
    /// cateGift: the gifticon categories and brands.
    Categories {
        /// Only this category (mc_idx).
        #[arg(long, value_name = "N")]
        category: Option<String>,
        /// Only this brand (mb_idx).
        #[arg(long, value_name = "N")]
        brand: Option<String>,
    },
    /// listAll: gifticons for sale, with the price that applies today.
    Listings(ListingArgs),
    /// giftDetail: one gifticon and others of its brand.
    Detail {
        /// The gifticon kind (gm_idx, CODE).
        #[arg(long, value_name = "N", visible_alias = "gm-idx")]
        code: String,
        /// The sale (md_idx, DCODE).
        #[arg(long, value_name = "N", visible_alias = "md-idx")]
        sale: String,
    },
    /// buyGifticoupon: buy gifticons (moves money; never re-sent; a doubt exits 4).
    Buy {
        /// The sales to buy (md_idx), comma-separated.
        #[arg(long, value_name = "ID[,ID…]", value_delimiter = ',', required = true, visible_alias = "md-idx")]
        listing: Vec<String>,
        /// The amount to pay for all of them, in won.
        #[arg(long, value_name = "N")]
        cash: u64,
        /// The product name.
        #[arg(long, value_name = "NAME")]
        product: String,
        /// Your own reference for tracing (GiftiMbiz never sees it); generated when absent.
        #[arg(long = "ref", value_name = "REF")]
        reference: Option<String>,
    },
    /// buyGifticonList: the gifticons bought.
    Purchases,
    /// Settle a gifticon buy whose outcome was unknown, from the purchase history.
    Reconcile {
        /// The sale that was bought (md_idx).
        #[arg(long, value_name = "MD_IDX", visible_alias = "md-idx")]
        listing: String,
        /// A moment before the buy was sent (KST), "YYYY-MM-DD HH:MM:SS".
        #[arg(long, value_name = "YYYY-MM-DD HH:MM:SS")]
        since: String,
    },
    /// cateStar: the Starcoupon categories and shops.
    StarCategories {
        /// Only this category.
        #[arg(long, value_name = "N")]
        category: Option<String>,
    },
    /// starListAll: Starcoupons for sale.
    StarListings(StarListingArgs),
    /// starDetail: one Starcoupon.
    StarDetail {
        /// The sale (md_idx, CODE).
        #[arg(long, value_name = "N", visible_alias = "md-idx")]
        sale: String,
        /// The coupon (msl_idx, CCODE).
        #[arg(long, value_name = "N", visible_alias = "msl-idx")]
        coupon: String,
    },
    /// buyStarcoupon: buy one Starcoupon (moves money; never re-sent; a doubt exits 4).
    StarBuy {
        /// The sale (md_idx).
        #[arg(long, value_name = "N", visible_alias = "md-idx")]
        sale: String,
        /// The coupon (msl_idx).
        #[arg(long, value_name = "N", visible_alias = "msl-idx")]
        coupon: String,
        /// The coupon detail (msc_idx).
        #[arg(long, value_name = "N", visible_alias = "msc-idx")]
        detail: String,
        /// The amount to pay, in won (0 for a free coupon).
        #[arg(long, value_name = "N")]
        cash: u64,
        /// The product name.
        #[arg(long, value_name = "NAME")]
        product: String,
        /// Your own reference for tracing; generated when absent.
        #[arg(long = "ref", value_name = "REF")]
        reference: Option<String>,
    },
    /// buyStarcouponList: the Starcoupons bought.
    StarPurchases {
        /// Only this coupon (msl_idx).
        #[arg(long, value_name = "N", visible_alias = "msl-idx")]
        coupon: Option<String>,
        /// Only this sale (md_idx).
        #[arg(long, value_name = "N", visible_alias = "md-idx")]
        sale: Option<String>,
    },
    /// Settle a Starcoupon buy whose outcome was unknown, from the purchase history.
    StarReconcile {
        /// The sale that was bought (md_idx).
        #[arg(long, value_name = "N", visible_alias = "md-idx")]
        sale: String,
        /// The coupon that was bought (msl_idx).
        #[arg(long, value_name = "N", visible_alias = "msl-idx")]
        coupon: String,
        /// A moment before the buy was sent (KST), "YYYY-MM-DD HH:MM:SS".
        #[arg(long, value_name = "YYYY-MM-DD HH:MM:SS")]
        since: String,
    },
    /// getQRImg: the QR image address of a bought Starcoupon.
    Qr {
        /// The order (tid) the buy answered.
        #[arg(long, value_name = "T")]
        tid: String,
        /// The bought coupon (msc_idx, as `star-purchases` lists it).
        #[arg(long, value_name = "N", visible_aliases = ["msc-idx", "detail"])]
        coupon: String,
    },
    /// setUseStarCoupon: mark a bought Starcoupon used (spends it; never re-sent; a doubt exits 4).
    StarUse {
        /// The seller (msu_idx).
        #[arg(long, value_name = "N", visible_alias = "msu-idx")]
        seller: String,
        /// The bought coupon (msc_idx, as `star-purchases` lists it).
        #[arg(long, value_name = "N", visible_aliases = ["msc-idx", "detail"])]
        coupon: String,
        /// The shop's manage code.
        #[arg(long, value_name = "CODE")]
        manage_code: String,
    },
}

/// listAll's filters.
#[derive(Debug, Args)]
pub struct ListingArgs {
    /// A category (mc_idx).
    #[arg(long, value_name = "N")]
    category: Option<String>,
    /// A brand (mb_idx).
    #[arg(long, value_name = "N")]
    brand: Option<String>,
    /// The highest price, in won.
    #[arg(long, value_name = "N")]
    max_price: Option<u64>,
    /// A search word.
    #[arg(long, value_name = "W")]
    word: Option<String>,
    /// The order.
    #[arg(long, value_enum)]
    order: Option<OrderArg>,
    /// The page, from 1.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page: Option<u32>,
    /// Items per page.
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Every page, one after the other.
    #[arg(long)]
    all: bool,
}

/// starListAll's filters.
#[derive(Debug, Args)]
pub struct StarListingArgs {
    /// 시/도.
    #[arg(long)]
    si: Option<String>,
    /// 구/군.
    #[arg(long)]
    gu: Option<String>,
    /// 동/리.
    #[arg(long)]
    dong: Option<String>,
    /// A Starcoupon category.
    #[arg(long, value_name = "N")]
    category: Option<String>,
    /// A shop (ms_idx).
    #[arg(long, value_name = "N")]
    shop: Option<String>,
    /// A search word.
    #[arg(long, value_name = "W")]
    word: Option<String>,
    /// The user who made the Starcoupon.
    #[arg(long, value_name = "ID")]
    maker: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    page: Option<u32>,
    /// Every page, one after the other.
    #[arg(long)]
    all: bool,
}

/// listAll's `orderby`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OrderArg {
    /// Most popular first.
    #[value(name = "hit")]
    Hit,
    /// Highest price first.
    #[value(name = "priceH")]
    PriceHigh,
    /// Lowest price first.
    #[value(name = "priceL")]
    PriceLow,
    /// Highest discount first.
    #[value(name = "disH")]
    DiscountHigh,
    /// Lowest discount first.
    #[value(name = "disL")]
    DiscountLow,
}

impl From<OrderArg> for GiftOrder {
    fn from(o: OrderArg) -> Self {
        match o {
            OrderArg::Hit => GiftOrder::Hit,
            OrderArg::PriceHigh => GiftOrder::PriceHigh,
            OrderArg::PriceLow => GiftOrder::PriceLow,
            OrderArg::DiscountHigh => GiftOrder::DiscountHigh,
            OrderArg::DiscountLow => GiftOrder::DiscountLow,
        }
    }
}

/// Runs one GiftiMbiz command.
pub async fn run(cmd: &GiftimbizCommand, ctx: &Ctx) -> CliResult {
    let config = GiftimbizConfig::from_section(&ctx.section(VENDOR)?).map_err(|e| crate::config::explain(VENDOR, e))?;
    let client = Giftimbiz::new(config)?;
    let out = &ctx.out;
    match cmd {
        GiftimbizCommand::Token => {
            // Proves the credentials work; the token itself is a secret and is dropped unseen.
            drop(client.access_token().await?);
            let doc = json!({"vendor": VENDOR, "token_obtained": true});
            out.emit(&doc, || "giftimbiz: an access token was obtained (never shown)".to_string());
            Ok(())
        }
        GiftimbizCommand::Categories { category, brand } => {
            Ok(gifticon::categories(&client, category.as_deref(), brand.as_deref(), out).await?)
        }
        GiftimbizCommand::Listings(args) => Ok(gifticon::listings(&client, args, out).await?),
        GiftimbizCommand::Detail { code, sale } => Ok(gifticon::detail(&client, code, sale, out).await?),
        GiftimbizCommand::Buy { listing, cash, product, reference } => {
            gifticon::buy(&client, listing, *cash, product, reference.as_deref(), out).await
        }
        GiftimbizCommand::Purchases => Ok(gifticon::purchases(&client, out).await?),
        GiftimbizCommand::Reconcile { listing, since } => {
            gifticon::reconcile(&client, listing, parse_since(since)?, out).await
        }
        GiftimbizCommand::StarCategories { category } => Ok(star::categories(&client, category.as_deref(), out).await?),
        GiftimbizCommand::StarListings(args) => Ok(star::listings(&client, args, out).await?),
        GiftimbizCommand::StarDetail { sale, coupon } => Ok(star::detail(&client, sale, coupon, out).await?),
        GiftimbizCommand::StarBuy { sale, coupon, detail, cash, product, reference } => {
            let ids = star::BuyIds { sale, coupon, detail };
            star::buy(&client, ids, *cash, product, reference.as_deref(), out).await
        }
        GiftimbizCommand::StarPurchases { coupon, sale } => {
            Ok(star::purchases(&client, coupon.as_deref(), sale.as_deref(), out).await?)
        }
        GiftimbizCommand::StarReconcile { sale, coupon, since } => {
            star::reconcile(&client, sale, coupon, parse_since(since)?, out).await
        }
        GiftimbizCommand::Qr { tid, coupon } => Ok(star::qr(&client, tid, coupon, out).await?),
        GiftimbizCommand::StarUse { seller, coupon, manage_code } => {
            star::use_coupon(&client, seller, coupon, manage_code, out).await
        }
    }
}

/// Every page of a listing walk gathered into one page, with a progress bar on a terminal.
async fn collect_pages<T>(
    pages: impl Stream<Item = Result<ListPage<T>>>,
    out: &Output,
    what: &str,
) -> Result<(ListPage<T>, u32)> {
    let mut stream = std::pin::pin!(pages);
    let mut all = ListPage { total_count: None, is_next: false, items: Vec::new() };
    let mut count = 0;
    let mut bar = None;
    while let Some(page) = stream.try_next().await? {
        count += 1;
        if all.total_count.is_none() {
            all.total_count = page.total_count;
            bar = progress::bar(out, page.total_count, what);
        }
        all.items.extend(page.items);
        if let Some(b) = &bar {
            b.set_position(all.items.len() as u64);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((all, count))
}
