//! The tables' columns as the statements name them, and how values are stored in
//! them: times as milliseconds since the epoch (`BIGINT`), states as their names.

use std::sync::LazyLock;
use std::time::Duration;

use coupon_campaign_input::RequestFields;
use coupon_core::chrono::{DateTime, Utc};

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
             details_unknown, error_kind, updated_at, price, reconciled_at",
            request_cols()
        )
    });
    &COLS
}

/// Every column of `campaigns`, as [`crate::decode::campaign_from`] reads them.
pub(crate) fn campaign_cols() -> &'static str {
    static COLS: LazyLock<String> =
        LazyLock::new(|| format!("id, name, vendor, token, store_pins, {}, stop_reason, created_at", request_cols()));
    &COLS
}

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
