//! [`CouponRecord`]: the sandbox's own truth about one issued coupon, for tests that
//! check what a client did against what the vendor saw (`GET /_sandbox/records/{vendor}`).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// Where a coupon is in its life, in the sandbox's terms (whatever the vendor's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordState {
    /// Issued, not used, still valid.
    Unused,
    /// Used (for a stored-value coupon: all of its value spent).
    Used,
    /// A stored-value coupon with part of its value spent and some left.
    PartlyUsed,
    /// Cancelled (refunded).
    Cancelled,
    /// Not used (or not wholly) and past its last valid day.
    Expired,
}

impl RecordState {
    /// `unused`, `used`, `partly_used`, `cancelled` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unused => "unused",
            Self::Used => "used",
            Self::PartlyUsed => "partly_used",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }
}

/// Whether the coupon's message reached its holder, where the vendor reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordDelivery {
    /// The vendor says the message was delivered.
    Delivered,
    /// The vendor says the message failed.
    Failed,
}

/// One issued coupon as the emulator remembers it: one item of
/// `GET /_sandbox/records/{vendor}` ([`SandboxAdmin::records`](crate::SandboxAdmin::records)),
/// oldest first. Times are RFC 3339 in KST, days `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponRecord {
    /// The partner's reference sent with the issue (Giftletter `co_tid`, Giftishow
    /// `tr_id`); `None` where the API carries none (GiftiMbiz).
    pub partner_ref: Option<String>,
    /// The vendor's order id (Giftletter `order_id`, Giftishow `orderNo`, GiftiMbiz `tid`).
    pub order: String,
    /// The PIN, where the vendor issues one.
    pub pin: Option<String>,
    /// The goods, in the vendor's terms (goods id or code, GiftiMbiz `md_idx`).
    pub goods: String,
    /// The state now.
    pub state: RecordState,
    /// What the vendor's own status answer says now: Giftletter `use` (`N`, `Y`, `C`),
    /// Giftishow `pinStatusCd`, GiftiMbiz `use_yn`.
    pub vendor_status: String,
    /// When it was issued.
    pub issued_at: DateTime<FixedOffset>,
    /// When it was used (last used, for a stored-value coupon used in part).
    pub used_at: Option<DateTime<FixedOffset>>,
    /// Where it was used, where the vendor names the shop.
    pub branch: Option<String>,
    /// A stored-value coupon's value left, in won.
    pub remaining: Option<u64>,
    /// The last day it can be used.
    pub valid_until: Option<NaiveDate>,
    /// Whether its message was delivered, where the vendor reports it.
    pub delivery: Option<RecordDelivery>,
    /// Messages sent again (the vendor's resend).
    pub resends: u32,
    /// Cancel requests the vendor answered with success. A vendor refunds once, so
    /// anything but 0 or 1 shows a double cancel.
    pub cancels: u32,
    /// Cancel requests that reached this coupon, whatever the answer.
    pub cancel_requests: u32,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<FixedOffset>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_written_in_snake_case() {
        for s in [
            RecordState::Unused,
            RecordState::Used,
            RecordState::PartlyUsed,
            RecordState::Cancelled,
            RecordState::Expired,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(serde_json::to_value(RecordDelivery::Failed).unwrap(), "failed");
    }
}
