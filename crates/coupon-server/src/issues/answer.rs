//! What the issue endpoints answer: one shape for an issue in every state.

use coupon_core::phone::mask_text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An issue and where it stands.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct IssueAnswer {
    /// The Idempotency-Key it was sent under.
    pub key: String,
    /// `issued`, `unknown` (in doubt: the service settles it with the vendor), `not_issued`, or `in_flight`.
    pub state: String,
    /// The vendor.
    pub vendor: String,
    /// The vendor's product id.
    pub product: String,
    /// The partner reference the vendor knows it by.
    pub partner_ref: String,
    /// The vendor's order id, when known.
    pub order: Option<String>,
    /// The coupon's PIN, when the vendor gave one: only in the answer to the caller that issued it.
    pub pin: Option<String>,
    /// The recipient: in full in the issue's own answer, masked everywhere else.
    pub to: Option<String>,
    /// Why the order id and PIN are unknown although the coupon exists, when they are.
    pub details_unknown: Option<String>,
    /// Its cancel, once one was asked: `cancelled`, `not_cancelled`, `unknown` or `in_flight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<String>,
    /// How many resends were asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resends: Option<u32>,
}

impl IssueAnswer {
    /// The answer with its recipient masked (any answer but the issue's own).
    pub fn masked(mut self) -> Self {
        self.to = self.to.as_deref().map(mask_text);
        self
    }
}

/// The answer of a cancel or resend.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ActionAnswer {
    /// The Idempotency-Key of this cancel or resend.
    pub key: String,
    /// The issue's Idempotency-Key.
    pub issue: String,
    /// `cancel` or `resend`.
    pub action: String,
    /// `cancelled`, `resent`, or `unknown` (a cancel in doubt is settled by the service with the vendor; a
    /// resend in doubt may or may not have sent a message, and is not sent again).
    pub state: String,
    /// The vendor.
    pub vendor: String,
    /// The coupon's order id.
    pub order: String,
    /// Whether the vendor said the coupon had already been cancelled before this request.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub already: bool,
}
