//! The campaign's request fields on the command line: the flags of `coupon campaign
//! create` that give a campaign its defaults, and a row's fields as the flags of
//! `coupon reconcile` that settle it by hand.

use std::sync::LazyLock;

use clap::Args;
use coupon::{PhoneNumber, Won};
use coupon_campaign_input::{RequestFields, parse_won};
use coupon_journal::Row;

use crate::commands::generic::RequestArgs;
use crate::failure::CliResult;

/// The help of `--csv`: the columns a file may have, the request fields' among them.
pub(super) fn csv_help() -> &'static str {
    static HELP: LazyLock<String> = LazyLock::new(|| {
        let fields: Vec<&str> = RequestFields::FIELDS.iter().map(|f| f.column).collect();
        format!(
            "The CSV file: a header with `phone` (required), and optionally name, {}, key, and columns of your own",
            fields.join(", ")
        )
    });
    &HELP
}

/// The flags of `coupon campaign create` that every row takes unless its columns say otherwise.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// The vendor's product id, for rows without a `goods` column.
    #[arg(long, value_name = "ID")]
    goods: Option<String>,
    /// The product name, where the vendor wants it repeated.
    #[arg(long, value_name = "S")]
    product_name: Option<String>,
    /// The reply number shown to recipients.
    #[arg(long, value_name = "PHONE")]
    callback: Option<String>,
    /// The message title; `{name}` and `{column}` are filled per row.
    #[arg(long, value_name = "S")]
    title: Option<String>,
    /// The message body; `{name}` and `{column}` are filled per row.
    #[arg(long, value_name = "S")]
    content_template: Option<String>,
    /// The amount expected to be paid per coupon, in won, where the vendor checks it.
    #[arg(long, value_name = "WON")]
    amount: Option<u64>,
    /// A free value the vendor echoes back.
    #[arg(long, value_name = "S")]
    memo: Option<String>,
}

impl FieldArgs {
    /// The flags as the campaign's defaults. A reply number that is no phone number is
    /// refused here, before the file is read.
    pub(super) fn defaults(&self) -> CliResult<RequestFields> {
        if let Some(callback) = &self.callback {
            PhoneNumber::parse_field("callback", callback)?;
        }
        Ok(RequestFields {
            product_id: self.goods.clone(),
            product_name: self.product_name.clone(),
            callback: self.callback.clone(),
            title: self.title.clone(),
            content_template: self.content_template.clone(),
            amount: self.amount.map(|a| a.to_string()),
            memo: self.memo.clone(),
        })
    }
}

/// The row's request as the flags of `coupon reconcile` (the same fields the runner sends).
pub(super) fn reconcile_args(r: &Row, delivers: bool) -> RequestArgs {
    let q = &r.request;
    RequestArgs {
        product: q.product_id.clone().unwrap_or_default(),
        product_name: q.product_name.clone(),
        to: delivers.then(|| r.phone.clone()),
        callback: q.callback.clone(),
        title: q.title.clone(),
        message: q.content_template.clone(),
        amount: q.amount.as_deref().and_then(|a| parse_won("amount", a).ok()).map(Won::get),
        memo: q.memo.clone(),
    }
}
