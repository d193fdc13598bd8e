//! A campaign's rows as an export shows them (`coupon campaign export`, and the service's
//! `GET /v1/campaigns/{name}/export`): one list of columns and one rendering of a row, so the
//! command line and the service cannot drift apart.

use coupon_core::chrono::{DateTime, Utc};
use coupon_journal::{HistoryEntry, Row};
use serde_json::{Value, json};

/// The fixed columns, in order; a row's extra columns (its input's own) follow, sorted by name.
pub const COLUMNS: [&str; 22] = [
    "line",
    "key",
    "phone",
    "name",
    "goods",
    "partner_ref",
    "state",
    "attempts",
    "order_id",
    "pin",
    "pin_hash",
    "price",
    "vendor_code",
    "vendor_message",
    "details_unknown",
    "error_kind",
    "coupon_state",
    "used_at",
    "valid_until",
    "delivery",
    "cancel_state",
    "checked_at",
];

/// The header of a history export in CSV.
pub const HISTORY_COLUMNS: [&str; 5] = ["line", "from", "to", "at", "source"];

/// What an export shows in full; masked otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    /// Phone numbers (`010-1234-5678` rather than `010-****-5678`).
    pub phones: bool,
    /// PINs, where the campaign stores them in clear.
    pub pins: bool,
}

/// A moment as RFC 3339 in KST, as every time an export shows.
pub fn kst(t: &DateTime<Utc>) -> String {
    t.with_timezone(&coupon_core::time::kst()).to_rfc3339()
}

/// The fixed fields of a row as text (`""` for none), in [`COLUMNS`] order.
///
/// A phone number is masked unless `shown.phones` (a number that does not parse loses every digit);
/// the PIN is the masked one unless `shown.pins` and the campaign stores PINs.
pub fn fields(r: &Row, shown: Shown) -> [String; 22] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let pin = match (&r.pin, shown.pins) {
        (Some(pin), true) => pin.expose().to_string(),
        _ => o(&r.pin_masked),
    };
    let phone = match coupon_core::PhoneNumber::parse(&r.phone) {
        Ok(p) if shown.phones => p.expose_formatted(),
        Ok(p) => p.masked(),
        Err(_) if shown.phones => r.phone.clone(),
        Err(_) => coupon_core::phone::mask_text(&r.phone),
    };
    [
        r.line.to_string(),
        o(&r.key),
        phone,
        o(&r.name),
        o(&r.request.product_id),
        r.partner_ref.to_string(),
        r.state.as_str().to_string(),
        r.attempts.to_string(),
        o(&r.order_id),
        pin,
        o(&r.pin_hash),
        r.price.map(|p| p.to_string()).unwrap_or_default(),
        o(&r.vendor_code),
        o(&r.vendor_message),
        o(&r.details_unknown),
        o(&r.error_kind),
        r.life.state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.life.used_at.map(|t| kst(&t)).unwrap_or_default(),
        r.life.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        o(&r.life.delivery),
        r.life.cancel_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.life.checked_at.map(|t| kst(&t)).unwrap_or_default(),
    ]
}

/// A row as JSON: the same fields (`null` for none; numbers as numbers), its extra columns under `extra`.
pub fn row_json(r: &Row, shown: Shown) -> Value {
    let f = fields(r, shown);
    let mut doc = serde_json::Map::new();
    for (column, text) in COLUMNS.iter().zip(&f) {
        doc.insert((*column).to_string(), if text.is_empty() { Value::Null } else { json!(text) });
    }
    // Always there, and numbers as numbers.
    doc.insert("line".into(), json!(r.line));
    doc.insert("phone".into(), json!(f[2]));
    doc.insert("partner_ref".into(), json!(f[5]));
    doc.insert("state".into(), json!(f[6]));
    doc.insert("attempts".into(), json!(r.attempts));
    doc.insert("price".into(), json!(r.price));
    doc.insert("extra".into(), json!(r.extra));
    Value::Object(doc)
}

/// A change of a coupon's state as the fields of [`HISTORY_COLUMNS`].
pub fn history_fields(h: &HistoryEntry) -> [String; 5] {
    [
        h.line.to_string(),
        h.from.map(|s| s.as_str().to_string()).unwrap_or_default(),
        h.to.as_str().to_string(),
        kst(&h.at),
        h.source.as_str().to_string(),
    ]
}

/// A change of a coupon's state as JSON.
pub fn history_json(h: &HistoryEntry) -> Value {
    json!({"line": h.line, "from": h.from.map(|s| s.as_str()), "to": h.to.as_str(), "at": kst(&h.at),
           "source": h.source.as_str()})
}
