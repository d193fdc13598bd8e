//! Rows of the journal's tables into the model, whatever the backend: each backend
//! reads its columns through [`Columns`]; the mapping is written once here.

use std::collections::BTreeMap;

use coupon_core::{PartnerRef, Pin};

use crate::error::{JournalError, Result};
use coupon_campaign_input::RequestFields;

use crate::model::{Campaign, CampaignId, Counts, Row, RowId, RowState};
use crate::sql::time;

/// A fetched row's columns, by name, as the journal stores them (text, BIGINT, boolean).
pub(crate) trait Columns {
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn flag(&self, col: &str) -> Result<bool>;
}

// Every backend's rows, through sqlx: the journal stores text, BIGINT and booleans only.
impl<R: sqlx::Row> Columns for R
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get(col)?)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.try_get(col)?)
    }
}

/// Whether a stored row (`phone`, `row_key`) at a keyless row's line is that same
/// keyless row: a re-import, nothing to add.
pub(crate) fn same_keyless_row(stored: &impl Columns, row: &crate::model::NewRow) -> Result<bool> {
    Ok(stored.opt_text("row_key")?.is_none() && stored.text("phone")? == row.phone)
}

/// The rows of `SELECT state, COUNT(*) AS n … GROUP BY state` as [`Counts`].
pub(crate) fn counts_from<C: Columns>(rows: &[C]) -> Result<Counts> {
    let mut counts = Counts::default();
    for row in rows {
        let n = row.int("n")?;
        counts.set(row.text("state")?.parse::<RowState>()?, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

/// The request fields, each from its column (as text: whatever was stored reads back).
pub(crate) fn request_from(row: &impl Columns) -> Result<RequestFields> {
    RequestFields::try_from_fn(|field| row.opt_text(field.name))
}

pub(crate) fn campaign_from(row: &impl Columns) -> Result<Campaign> {
    Ok(Campaign {
        id: CampaignId(row.int("id")?),
        name: row.text("name")?,
        vendor: row.text("vendor")?,
        token: row.text("token")?,
        defaults: request_from(row)?,
        store_pins: row.flag("store_pins")?,
        stop_reason: row.opt_text("stop_reason")?,
        created_at: time(row.int("created_at")?),
    })
}

pub(crate) fn row_from(row: &impl Columns) -> Result<Row> {
    let extra = row.text("extra")?;
    let extra: BTreeMap<String, String> =
        serde_json::from_str(&extra).map_err(|e| JournalError::Invalid(format!("stored extra columns: {e}")))?;
    let state = row.text("state")?;
    let line = row.int("line")?;
    let attempts = row.int("attempts")?;
    Ok(Row {
        id: RowId(row.int("id")?),
        campaign: CampaignId(row.int("campaign_id")?),
        line: u64::try_from(line).map_err(|_| JournalError::Invalid(format!("stored line {line}")))?,
        key: row.opt_text("row_key")?,
        phone: row.text("phone")?,
        name: row.opt_text("name")?,
        request: request_from(row)?,
        extra,
        price: row.opt_int("price")?,
        partner_ref: PartnerRef::new(row.text("partner_ref")?),
        state: state.parse()?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        lease_owner: row.opt_text("lease_owner")?,
        lease_until: row.opt_int("lease_until")?.map(time),
        first_sent_at: row.opt_int("first_sent_at")?.map(time),
        reconciled_at: row.opt_int("reconciled_at")?.map(time),
        order_id: row.opt_text("order_id")?,
        pin_masked: row.opt_text("pin_masked")?,
        pin_hash: row.opt_text("pin_hash")?,
        pin: row.opt_text("pin")?.map(Pin::new),
        vendor_code: row.opt_text("vendor_code")?,
        vendor_message: row.opt_text("vendor_message")?,
        details_unknown: row.opt_text("details_unknown")?,
        error_kind: row.opt_text("error_kind")?,
        updated_at: time(row.int("updated_at")?),
    })
}
