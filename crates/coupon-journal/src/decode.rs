//! Rows of the journal's tables into the model, whatever the backend: each backend
//! reads its columns through [`Columns`]; the mapping is written once here.

use std::collections::BTreeMap;

use coupon_core::{PartnerRef, Pin};

use crate::error::{JournalError, Result};
use coupon_campaign_input::RequestFields;

use crate::lifecycle::CouponLife;
use crate::model::{Campaign, CampaignId, Counts, Row, RowId, RowState};
use crate::service::{ApiKey, IdemRecord};
use crate::sql::{parse_day, time};

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
        life: life_from(row)?,
    })
}

/// A count as stored (BIGINT, never negative) as the model's `u32`.
fn count32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// A coupon's life, from the columns of migration 3 (`sql::columns::LIFE_COLS`).
pub(crate) fn life_from(row: &impl Columns) -> Result<CouponLife> {
    Ok(CouponLife {
        state: row.opt_text("coupon_state")?.map(|s| s.parse()).transpose()?,
        vendor_status: row.opt_text("coupon_vendor_status")?,
        used_at: row.opt_int("used_at")?.map(time),
        used_place: row.opt_text("used_place")?,
        remaining: row.opt_int("remaining")?,
        valid_until: row.opt_text("valid_until")?.map(|d| parse_day(&d)).transpose()?,
        delivery: row.opt_text("delivery")?,
        delivery_code: row.opt_text("delivery_code")?,
        checked_at: row.opt_int("checked_at")?.map(time),
        cancel_state: row.opt_text("cancel_state")?.map(|s| s.parse()).transpose()?,
        cancel_attempts: count32(row.int("cancel_attempts")?),
        cancel_code: row.opt_text("cancel_code")?,
        cancel_message: row.opt_text("cancel_message")?,
        cancelled_at: row.opt_int("cancelled_at")?.map(time),
        resend_count: count32(row.int("resend_count")?),
        resent_at: row.opt_int("resent_at")?.map(time),
        resend_code: row.opt_text("resend_code")?,
    })
}

/// An API key, from the columns of `api_keys` (`sql::columns::API_KEY_COLS`). The scopes
/// are stored comma-separated; none stored is no scope.
pub(crate) fn api_key_from(row: &impl Columns) -> Result<ApiKey> {
    let scopes = row.text("scopes")?;
    Ok(ApiKey {
        id: row.text("id")?,
        name: row.text("name")?,
        scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        secret_hash: row.text("secret_hash")?,
        created_at: time(row.int("created_at")?),
        revoked_at: row.opt_int("revoked_at")?.map(time),
    })
}

/// An idempotency record, from the columns of `idempotency` (`sql::columns::IDEM_COLS`).
pub(crate) fn idem_from(row: &impl Columns) -> Result<IdemRecord> {
    let status = row
        .opt_int("status")?
        .map(|s| u16::try_from(s).map_err(|_| JournalError::Invalid(format!("stored HTTP status {s}"))))
        .transpose()?;
    Ok(IdemRecord {
        scope: row.text("scope")?,
        key: row.text("key")?,
        op: row.text("op")?,
        target: row.opt_text("target")?,
        fingerprint: row.text("fingerprint")?,
        vendor: row.text("vendor")?,
        partner_ref: row.opt_text("partner_ref")?,
        request: row.text("request")?,
        state: row.text("state")?.parse()?,
        outcome: row.opt_text("outcome")?,
        status,
        response: row.opt_text("response")?,
        order_id: row.opt_text("order_id")?,
        owner: row.opt_text("owner")?,
        lease_until: row.opt_int("lease_until")?.map(time),
        attempts: count32(row.int("attempts")?),
        next_check_at: row.opt_int("next_check_at")?.map(time),
        note: row.opt_text("note")?,
        created_at: time(row.int("created_at")?),
        updated_at: time(row.int("updated_at")?),
    })
}
