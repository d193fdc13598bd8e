//! Campaigns and rows into the journal.

use std::sync::LazyLock;

use coupon_campaign_input::RequestFields;

use super::columns::{campaign_cols, int, now_ms, request_cols};
use super::driver::{Driver, Stmt, params};
use super::{Backend, Conn, Dialect};
use crate::decode::{Columns, campaign_from, same_keyless_row};
use crate::error::{JournalError, Result};
use crate::model::{Campaign, CampaignSpec, CreatedCampaign, InsertReport, NewRow};
use crate::refs;

/// A new campaign. Binds: name, vendor, token, store_pins, the request fields
/// ([`with_request`]), created_at.
static INSERT_CAMPAIGN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO campaigns (name, vendor, token, store_pins, {}, created_at) VALUES ({}) RETURNING id",
        request_cols(),
        params(1, 4 + RequestFields::FIELDS.len() + 1)
    )
});

/// A new row, unless its key is in the campaign. Binds: campaign_id, line, row_key,
/// phone, name, the request fields ([`with_request`]), extra, partner_ref, then
/// updated_at and price.
static INSERT_ROW: LazyLock<String> = LazyLock::new(|| {
    let before_state = 5 + RequestFields::FIELDS.len() + 2;
    format!(
        "INSERT INTO campaign_rows (campaign_id, line, row_key, phone, name, {}, extra, partner_ref, state, \
         updated_at, price) VALUES ({}, 'pending', {}) ON CONFLICT (campaign_id, row_key) DO NOTHING RETURNING id",
        request_cols(),
        params(1, before_state),
        params(before_state + 1, 2)
    )
});

/// The campaign of id `id` (`shown` names it in the error if there is none).
pub(crate) async fn campaign_by_id<B: Backend>(conn: &mut Conn<B>, id: i64, shown: &str) -> Result<Campaign> {
    let sql = format!("SELECT {} FROM campaigns WHERE id = $1", campaign_cols());
    let found = B::Db::fetch_optional(conn, Stmt::new(sql).bind(id)).await?;
    found.as_ref().map(campaign_from).transpose()?.ok_or_else(|| JournalError::CampaignNotFound(shown.to_owned()))
}

pub(crate) async fn create_campaign<B: Backend>(journal: &B, spec: &CampaignSpec) -> Result<CreatedCampaign> {
    let mut conn = journal.pools().reader.acquire().await?;
    let mut attempt = 0;
    let id = loop {
        attempt += 1;
        let insert = Stmt::new(INSERT_CAMPAIGN.as_str())
            .bind(spec.name.as_str())
            .bind(spec.vendor.as_str())
            .bind(refs::new_token()?)
            .bind(spec.store_pins);
        let insert = with_request(insert, &spec.defaults).bind(now_ms());
        match B::Db::fetch_optional(&mut conn, insert).await {
            Ok(Some(row)) => break row.int("id")?,
            Ok(None) => return Err(JournalError::Invalid("a campaign was inserted without an id".into())),
            // A statement of its own (no transaction to abort): look, then retry or refuse.
            Err(JournalError::Storage(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                let named = Stmt::new("SELECT 1 FROM campaigns WHERE name = $1").bind(spec.name.as_str());
                let exists = B::Db::fetch_optional(&mut conn, named).await?.is_some();
                // Otherwise the random token collided with another campaign's: draw again.
                if exists || attempt >= 5 {
                    return Err(JournalError::CampaignExists(spec.name.clone()));
                }
            }
            Err(e) => return Err(e),
        }
    };
    let campaign = campaign_by_id::<B>(&mut conn, id, &spec.name).await?;
    let warning = if spec.store_pins { Some(journal.pins_in_clear(&spec.name)?) } else { None };
    Ok(CreatedCampaign { campaign, warning })
}

/// All rows or none, in one transaction. A known key (in the journal, earlier in this
/// batch, or being inserted by another loader right now) is skipped by `ON CONFLICT`,
/// which never aborts the transaction; what is left to fail is a line taken under
/// another key or none, which refuses the batch.
pub(crate) async fn insert_rows<B: Backend>(journal: &B, campaign: &Campaign, rows: &[NewRow]) -> Result<InsertReport> {
    let mut report = InsertReport::default();
    let mut tx = journal.pools().reader.begin_with(B::Db::BEGIN).await?;
    let now = now_ms();
    for row in rows {
        let partner_ref = refs::partner_ref(&campaign.token, row.line)?;
        if row.key.is_none() {
            match same_line::<B>(&mut tx, campaign, row).await? {
                Some(true) => {
                    report.known_keys_skipped += 1;
                    continue;
                }
                Some(false) => return Err(JournalError::LineTaken { campaign: campaign.name.clone(), line: row.line }),
                None => {}
            }
        }
        let extra = serde_json::to_string(&row.extra).map_err(|e| JournalError::Invalid(e.to_string()))?;
        let insert = Stmt::new(INSERT_ROW.as_str())
            .bind(campaign.id.0)
            .bind(int(row.line))
            .bind(&row.key)
            .bind(row.phone.as_str())
            .bind(&row.name);
        let insert =
            with_request(insert, &row.request).bind(extra).bind(partner_ref.as_str()).bind(now).bind(row.price);
        match B::Db::fetch_optional(&mut tx, insert).await {
            Ok(Some(_)) => report.added += 1,
            Ok(None) => report.known_keys_skipped += 1,
            Err(JournalError::Storage(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                return Err(JournalError::LineTaken { campaign: campaign.name.clone(), line: row.line });
            }
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// `stmt` with the request fields bound next, in the order of their columns
/// ([`request_cols`]), which both tables have.
fn with_request(stmt: Stmt, fields: &RequestFields) -> Stmt {
    fields.iter().fold(stmt, |stmt, (_, value)| stmt.bind(value))
}

/// For a keyless row: whether its line is in the campaign already with the same
/// keyless row (`Some(true)`: a re-import, nothing to add), with another (`Some(false)`),
/// or not at all (`None`).
async fn same_line<B: Backend>(conn: &mut Conn<B>, campaign: &Campaign, row: &NewRow) -> Result<Option<bool>> {
    let sql = "SELECT phone, row_key FROM campaign_rows WHERE campaign_id = $1 AND line = $2";
    let found = B::Db::fetch_optional(conn, Stmt::new(sql).bind(campaign.id.0).bind(int(row.line))).await?;
    found.as_ref().map(|f| same_keyless_row(f, row)).transpose()
}
