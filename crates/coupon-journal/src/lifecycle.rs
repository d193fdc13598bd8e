//! What becomes of an issued coupon: its state as the vendor last told it, its cancel and
//! its resends, the history of its changes, and the figures of a campaign's coupons.
//!
//! A row's issuance state ([`crate::RowState`]) ends at `issued`; the coupon's life starts
//! there and is kept apart ([`CouponLife`], `Row::life`): what a sync found
//! ([`crate::Journal::record_check`]), a cancel's way from `selected` to its outcome
//! ([`crate::Journal::claim_cancels`] … [`crate::Journal::record_cancel`]) and the resends
//! ([`crate::Journal::take_resend`]).

use std::fmt;
use std::time::Duration;

use coupon_core::chrono::{DateTime, NaiveDate, Utc};

use crate::error::JournalError;
use crate::model::{CampaignId, Counts, RowId};

/// Strings stored for an enum, and back: `as_str`, `FromStr`, `Display` and `Serialize`
/// from one table.
macro_rules! stored_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value, in the order of the type.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = JournalError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| JournalError::Invalid(format!(concat!("unknown ", $what, " `{}`"), s)))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

stored_enum! {
    /// An issued coupon's state, as the vendor last told it (a status look-up, a
    /// redemption report or a cancel's answer).
    CouponState, "coupon state" {
        /// Not used.
        Unused => "unused",
        /// Used (redeemed).
        Used => "used",
        /// A stored-value coupon used in part: some value is left.
        PartlyUsed => "partly_used",
        /// Cancelled (by us or by the vendor).
        Cancelled => "cancelled",
        /// Past its validity.
        Expired => "expired",
        /// A state the vendor named with a code we do not know (kept in `vendor_status`).
        Unknown => "unknown",
    }
}

impl CouponState {
    /// Whether the state is final (`used`, `cancelled`, `expired`): it is never asked
    /// about again, and never replaced by a state that is not final.
    pub const fn is_final(self) -> bool {
        matches!(self, CouponState::Used | CouponState::Cancelled | CouponState::Expired)
    }

    /// The state of a vendor's [`coupon_core::CouponStatus`].
    pub fn of(status: &coupon_core::CouponStatus) -> Self {
        use coupon_core::CouponStatus as S;
        match status {
            S::Unused => CouponState::Unused,
            S::Used { .. } => CouponState::Used,
            S::PartlyUsed { .. } => CouponState::PartlyUsed,
            S::Cancelled { .. } => CouponState::Cancelled,
            S::Expired => CouponState::Expired,
            // `CouponStatus` may grow: what this release cannot name is unknown.
            _ => CouponState::Unknown,
        }
    }
}

stored_enum! {
    /// Where a change of a coupon's state was learnt.
    StateSource, "state source" {
        /// A status look-up of the coupon.
        Status => "status",
        /// The vendor's redemption report of a day.
        Report => "report",
        /// The answer to our cancel.
        Cancel => "cancel",
    }
}

stored_enum! {
    /// Where a row is on its way to a cancel (a refund).
    CancelState, "cancel state" {
        /// Chosen for a cancel; no request has left.
        Selected => "selected",
        /// The intent to cancel is committed: the request may have left.
        Cancelling => "cancelling",
        /// The vendor cancelled it.
        Cancelled => "cancelled",
        /// The vendor refused the cancel (used, expired, …): its code is kept.
        Refused => "refused",
        /// The cancel may or may not have taken effect: settle it with the vendor.
        Unknown => "unknown",
    }
}

/// What the journal knows of an issued coupon's life (all None/0 until a sync or cancel touches it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CouponLife {
    /// Its state, as the last check, report or cancel answer told it.
    pub state: Option<CouponState>,
    /// The vendor's own code of an unknown state, verbatim.
    pub vendor_status: Option<String>,
    /// When it was (last) used, where the vendor says.
    pub used_at: Option<DateTime<Utc>>,
    /// Where it was used (branch), where the vendor says.
    pub used_place: Option<String>,
    /// Won left on a partly used stored-value coupon.
    pub remaining: Option<i64>,
    /// The last day it can be used (KST), where the vendor says.
    pub valid_until: Option<NaiveDate>,
    /// Whether its message reached the recipient: `delivered`, `pending` or `failed`.
    pub delivery: Option<String>,
    /// The vendor's code of a failed delivery.
    pub delivery_code: Option<String>,
    /// When a check last answered for it.
    pub checked_at: Option<DateTime<Utc>>,
    /// Where its cancel is, if one was chosen.
    pub cancel_state: Option<CancelState>,
    /// How many times a cancel request was committed to leave.
    pub cancel_attempts: u32,
    /// The vendor's code of the last refused or doubtful cancel.
    pub cancel_code: Option<String>,
    /// The vendor's (or our) message of the last refused or doubtful cancel.
    pub cancel_message: Option<String>,
    /// When it was cancelled (our cancel's answer, or the vendor's time where a check gives it).
    pub cancelled_at: Option<DateTime<Utc>>,
    /// How many resends were taken.
    pub resend_count: u32,
    /// When the last resend was taken.
    pub resent_at: Option<DateTime<Utc>>,
    /// The vendor's code of the last resend's refusal (None once done).
    pub resend_code: Option<String>,
}

/// An issued row's coupon, as a sync names it to the vendor ([`crate::Journal::coupons_to_check`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponToCheck {
    /// The row.
    pub id: RowId,
    /// Its line.
    pub line: u64,
    /// Its partner reference (where the vendor looks coupons up by it).
    pub partner_ref: coupon_core::PartnerRef,
    /// The vendor's order id, if it was learnt.
    pub order_id: Option<String>,
}

/// One change of a coupon's state ([`crate::Journal::history`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The entry's id: with `line`, where the next page starts.
    pub id: i64,
    /// The row.
    pub row: RowId,
    /// The row's line.
    pub line: u64,
    /// The state before (None: nothing was known).
    pub from: Option<CouponState>,
    /// The state after.
    pub to: CouponState,
    /// When the journal recorded the change.
    pub at: DateTime<Utc>,
    /// Where it was learnt.
    pub source: StateSource,
}

/// Which issued rows a cancel selects (all conditions AND).
///
/// Never selected, whatever the filter: rows not `issued`, rows whose coupon state is
/// `used`, `partly_used`, `cancelled` or `expired`, rows whose cancel state is already set,
/// and rows without an order id (nothing to name in a cancel).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CancelFilter {
    /// Only rows whose coupon state is `unused` (as the last sync saw it).
    pub unused_only: bool,
    /// Only rows whose last day of validity is on or before this day (rows without one
    /// are not selected when set).
    pub valid_until_on_or_before: Option<NaiveDate>,
    /// Only rows with one of these keys.
    pub keys: Option<Vec<String>>,
}

/// Issued rows per coupon state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CouponCounts {
    /// `unused`.
    pub unused: u64,
    /// `used`.
    pub used: u64,
    /// `partly_used`.
    pub partly_used: u64,
    /// `cancelled`.
    pub cancelled: u64,
    /// `expired`.
    pub expired: u64,
    /// `unknown`.
    pub unknown: u64,
    /// Issued rows of no known state yet (never checked): with the six above, every issued row.
    pub unchecked: u64,
    /// Issued rows without an order id (details unknown), whatever their state.
    pub details_unknown: u64,
}

/// Rows of a selection: how many, what they cost (won) and how many have no known price.
/// ([`crate::Journal::expiring`], [`crate::Journal::preview_cancel`].)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Expiring {
    /// Rows.
    pub count: u64,
    /// The sum of their known prices, in won.
    pub won: i64,
    /// How many of them have no known price.
    pub unpriced: u64,
}

/// Rows per cancel state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CancelCounts {
    /// `selected`.
    pub selected: u64,
    /// `cancelling`.
    pub cancelling: u64,
    /// `cancelled`.
    pub cancelled: u64,
    /// `refused`.
    pub refused: u64,
    /// `unknown`.
    pub unknown: u64,
}

impl CancelCounts {
    /// The count of one state.
    pub fn get(&self, state: CancelState) -> u64 {
        match state {
            CancelState::Selected => self.selected,
            CancelState::Cancelling => self.cancelling,
            CancelState::Cancelled => self.cancelled,
            CancelState::Refused => self.refused,
            CancelState::Unknown => self.unknown,
        }
    }
}

/// One goods' figures (issued rows of that product id and name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoodsFigures {
    /// The product id.
    pub product_id: Option<String>,
    /// The product name.
    pub product_name: Option<String>,
    /// Issued rows.
    pub issued: u64,
    /// Issued rows per coupon state.
    pub coupons: CouponCounts,
    /// The sum of the issued rows' prices, in won.
    pub spent_won: i64,
}

/// Everything `status --json` and the report show of a campaign, from SQL aggregates
/// (never loading all rows). Days are KST days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Rows per issuance state.
    pub counts: Counts,
    /// Issued rows per coupon state.
    pub coupons: CouponCounts,
    /// The sum of the issued rows' prices, in won.
    pub spent_won: i64,
    /// The sum of the prices of the rows we cancelled (cancel state `cancelled`), in won.
    pub refunded_won: i64,
    /// Issued rows whose delivery is `delivered`; None when no row has a delivery at all
    /// (the vendor does not report it).
    pub delivered: Option<u64>,
    /// Issued rows whose delivery is `failed`.
    pub delivery_failed: u64,
    /// Used coupons (`used` or `partly_used`, with a time of use) per KST day of use, ascending.
    pub used_by_day: Vec<(NaiveDate, u64)>,
    /// Issued rows per KST day of their first send: count and won, ascending.
    pub issued_by_day: Vec<(NaiveDate, u64, i64)>,
    /// Rows we cancelled per KST day of the cancel: count and won, ascending.
    pub refunded_by_day: Vec<(NaiveDate, u64, i64)>,
    /// Per goods, by product id then name.
    pub by_goods: Vec<GoodsFigures>,
    /// Rows per cancel state.
    pub cancel: CancelCounts,
    /// The oldest check of an issued row whose state is not final (None if none was checked).
    pub checked_oldest: Option<DateTime<Utc>>,
}

/// A claim of rows to cancel ([`crate::Journal::claim_cancels`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelClaim {
    /// The campaign.
    pub campaign: CampaignId,
    /// The worker the rows are leased to.
    pub worker: String,
    /// At most this many rows.
    pub max: usize,
    /// How long the lease holds from the claim.
    pub lease: Duration,
}

/// A cancel's outcome to record ([`crate::Journal::record_cancel`]).
#[derive(Clone, Copy, Debug)]
pub enum CancelRecord<'a> {
    /// Cancelled: cancel state and coupon state `cancelled` (history source `cancel`), cancelled at now.
    Cancelled,
    /// Refused, the vendor's code and message kept; `state` (used, expired, cancelled …), when the
    /// refusal tells it, recorded as the coupon's state (history source `cancel`).
    Refused {
        /// The refusal.
        error: &'a coupon_core::Error,
        /// The coupon's state the refusal tells.
        state: Option<CouponState>,
    },
    /// In doubt: the cancel may have taken effect; code and message kept, lease released.
    Unknown(&'a coupon_core::Error),
    /// A doubt settled: the vendor shows the coupon not cancelled, so it is `selected`
    /// again (lease released).
    NotCancelled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for s in CouponState::ALL {
            assert_eq!(s.as_str().parse::<CouponState>().unwrap(), *s);
        }
        for s in CancelState::ALL {
            assert_eq!(s.as_str().parse::<CancelState>().unwrap(), *s);
        }
        for s in StateSource::ALL {
            assert_eq!(s.as_str().parse::<StateSource>().unwrap(), *s);
        }
        assert_eq!(CouponState::PartlyUsed.as_str(), "partly_used");
        let e = "spent".parse::<CouponState>().unwrap_err();
        assert!(e.to_string().contains("unknown coupon state `spent`"), "{e}");
        assert_eq!(serde_json::to_value(CouponState::PartlyUsed).unwrap(), "partly_used");
    }

    #[test]
    fn used_cancelled_and_expired_are_final() {
        let finals: Vec<_> = CouponState::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [&CouponState::Used, &CouponState::Cancelled, &CouponState::Expired]);
    }

    #[test]
    fn a_vendor_status_names_its_state() {
        use coupon_core::CouponStatus as S;
        assert_eq!(CouponState::of(&S::Unused), CouponState::Unused);
        assert_eq!(CouponState::of(&S::Used { at: None, place: None }), CouponState::Used);
        assert_eq!(
            CouponState::of(&S::PartlyUsed { remaining: coupon_core::Won(5), at: None }),
            CouponState::PartlyUsed
        );
        assert_eq!(CouponState::of(&S::Cancelled { at: None }), CouponState::Cancelled);
        assert_eq!(CouponState::of(&S::Expired), CouponState::Expired);
        assert_eq!(CouponState::of(&S::Unknown("Z".into())), CouponState::Unknown);
    }
}
