//! The tables' columns as the statements name them, and how values are stored in
//! them: times as milliseconds since the epoch (`BIGINT`), states as their names.

use std::sync::LazyLock;
use std::time::Duration;

use coupon_campaign_input::RequestFields;
use coupon_core::chrono::{DateTime, NaiveDate, Utc};

use crate::model::RowState;

/// The request fields' columns, which `campaigns` (a campaign's defaults) and
/// `campaign_rows` (a row's values) both have: one per [`RequestFields::FIELDS`], of
/// the field's name, in that order.
pub(crate) fn request_cols() -> &'static str {
    static COLS: LazyLock<String> =
        LazyLock::new(|| RequestFields::FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", "));
    &COLS
}

/// Every column of `campaign_rows`, as [`crate::decode::row_from`] reads them.
pub(crate) fn row_cols() -> &'static str {
    static COLS: LazyLock<String> = LazyLock::new(|| {
        format!(
            "id, campaign_id, line, row_key, phone, name, {}, extra, partner_ref, state, attempts, lease_owner, \
             lease_until, first_sent_at, order_id, pin_masked, pin_hash, pin, vendor_code, vendor_message, \
             details_unknown, error_kind, updated_at, price, reconciled_at, {}",
            request_cols(),
            LIFE_COLS
        )
    });
    &COLS
}

/// The columns of a coupon's life (migration 3), as [`crate::decode::life_from`] reads them.
pub(crate) const LIFE_COLS: &str = "coupon_state, coupon_vendor_status, used_at, used_place, remaining, valid_until, \
     delivery, delivery_code, checked_at, cancel_state, cancel_attempts, cancel_code, cancel_message, cancelled_at, \
     resend_count, resent_at, resend_code";

/// Every column of `campaigns`, as [`crate::decode::campaign_from`] reads them.
pub(crate) fn campaign_cols() -> &'static str {
    static COLS: LazyLock<String> =
        LazyLock::new(|| format!("id, name, vendor, token, store_pins, {}, stop_reason, created_at", request_cols()));
    &COLS
}

/// Every column of `api_keys` (migration 4), as [`crate::decode::api_key_from`] reads them.
pub(crate) const API_KEY_COLS: &str = "id, name, scopes, secret_hash, created_at, revoked_at";

/// Every column of `idempotency` (migration 4), as [`crate::decode::idem_from`] reads them.
pub(crate) const IDEM_COLS: &str = "scope, key, op, target, fingerprint, vendor, partner_ref, request, state, outcome, \
     status, response, order_id, owner, lease_until, attempts, next_check_at, note, created_at, updated_at";

pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

/// A count or line as stored (BIGINT).
pub(crate) fn int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A day as stored (`YYYY-MM-DD`, which sorts as the days do).
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored day back.
pub(crate) fn parse_day(s: &str) -> crate::error::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::error::JournalError::Invalid(format!("stored day `{s}`")))
}

/// `'a', 'b'` for an SQL `IN` list, from the state machine.
pub(crate) fn state_list(states: &[RowState]) -> String {
    states.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_lists_come_from_the_state_machine() {
        assert_eq!(state_list(&RowState::sources(RowState::Sending)), "'pending', 'not_issued'");
        assert_eq!(state_list(&RowState::sources(RowState::Issued)), "'sending', 'unknown'");
    }
}
