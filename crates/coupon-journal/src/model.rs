//! What the journal stores: campaigns, rows and the rows' state machine.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use coupon_campaign_input::RequestFields;
use coupon_core::chrono::{DateTime, Utc};
use coupon_core::{PartnerRef, Pin};

use crate::error::JournalError;

/// A campaign's id in its journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CampaignId(pub i64);

impl fmt::Display for CampaignId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A row's id in its journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowId(pub i64);

impl fmt::Display for RowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a campaign is, before it exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignSpec {
    /// Its name, unique in the journal.
    pub name: String,
    /// The vendor it issues through (an adapter's name).
    pub vendor: String,
    /// The request fields every row shares unless it says otherwise, as given (the
    /// title and the body as templates).
    pub defaults: RequestFields,
    /// Keep issued PINs in clear in the journal (otherwise masked + HMAC only).
    pub store_pins: bool,
}

/// A campaign as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// Its name.
    pub name: String,
    /// The vendor.
    pub vendor: String,
    /// The random 8-character token in each of its rows' partner references.
    pub token: String,
    /// The shared request fields.
    pub defaults: RequestFields,
    /// Whether PINs are kept in clear.
    pub store_pins: bool,
    /// Why it was stopped, when it is.
    pub stop_reason: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A new campaign, and what the caller must tell its user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedCampaign {
    /// The campaign.
    pub campaign: Campaign,
    /// A warning to print (PINs kept in clear), when there is one.
    pub warning: Option<String>,
}

/// A campaign and its rows' counts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignSummary {
    /// The campaign.
    pub campaign: Campaign,
    /// Its rows per state.
    pub counts: Counts,
}

/// One row to add to a campaign. Its `Debug` masks the phone number.
#[derive(Clone, PartialEq, Eq)]
pub struct NewRow {
    /// Its line in the input, from 1; its partner reference is derived from it.
    pub line: u64,
    /// The caller's key for the row: a row whose key is already in the campaign is skipped.
    pub key: Option<String>,
    /// The recipient's phone number, as given.
    pub phone: String,
    /// The recipient's name.
    pub name: Option<String>,
    /// The row's request fields, defaults already filled in, templates rendered.
    pub request: RequestFields,
    /// Other columns of the input, kept for the export.
    pub extra: BTreeMap<String, String>,
    /// What the coupon costs in won, when known (the row's amount, else the
    /// vendor catalog's price): what a spending cap counts.
    pub price: Option<i64>,
}

/// What [`crate::Journal::insert_rows`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InsertReport {
    /// Rows added.
    pub added: u64,
    /// Rows skipped because they were in the campaign already: their key, or, for a
    /// keyless row, the same row at the same line (the same file imported again).
    pub known_keys_skipped: u64,
}

/// What [`crate::Journal::claim`] asks for: up to `max` rows of a campaign, leased to
/// `worker` for `lease`.
///
/// ```
/// use std::time::Duration;
///
/// use coupon_core::chrono::{DateTime, Utc};
/// use coupon_journal::{Campaign, Claim};
///
/// fn doubts_first(campaign: &Campaign, run_start: DateTime<Utc>) -> Claim {
///     let claim = Claim::new(campaign, "worker-1", 100, Duration::from_secs(60));
///     // Only the rows in doubt, each tried once since the run started.
///     Claim { retry_unknown_before: run_start, doubts_only: true, ..claim }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The campaign whose rows are claimed.
    pub campaign: CampaignId,
    /// The worker the rows are leased to.
    pub worker: String,
    /// At most this many rows (none for 0).
    pub max: usize,
    /// How long the lease holds from the claim.
    pub lease: Duration,
    /// An `unknown` row is claimed only if no reconciliation answered it since this
    /// time (a run tries each doubt once, not in a loop).
    pub retry_unknown_before: DateTime<Utc>,
    /// Only the rows in doubt: `unknown` rows, and `sending` rows whose lease expired.
    pub doubts_only: bool,
}

impl Claim {
    /// Up to `max` rows of `campaign` for `worker`, leased for `lease`: every claimable
    /// row, each `unknown` one whenever it was last reconciled.
    pub fn new(campaign: &Campaign, worker: &str, max: usize, lease: Duration) -> Self {
        Self {
            campaign: campaign.id,
            worker: worker.to_owned(),
            max,
            lease,
            retry_unknown_before: DateTime::<Utc>::MAX_UTC,
            doubts_only: false,
        }
    }
}

/// An outcome to record on a row (see [`crate::Journal::record`]).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Record<'a> {
    /// [`crate::Journal::record_issued`].
    Issued(&'a coupon_core::Issued),
    /// [`crate::Journal::record_refused`].
    Refused(&'a coupon_core::Error),
    /// [`crate::Journal::record_not_sent`].
    NotSent(&'a coupon_core::Error),
    /// [`crate::Journal::record_unknown`].
    Unknown(&'a coupon_core::Error),
    /// [`crate::Journal::record_reconciled`].
    Reconciled(&'a coupon_core::Reconciliation),
}

impl Record<'_> {
    /// The state the row goes to (`unknown` for a reconciliation that could not tell).
    pub fn target(&self) -> RowState {
        match self {
            Record::Issued(_) => RowState::Issued,
            Record::Refused(_) => RowState::Refused,
            Record::NotSent(_) => RowState::NotIssued,
            Record::Unknown(_) => RowState::Unknown,
            Record::Reconciled(coupon_core::Reconciliation::Issued(_)) => RowState::Issued,
            Record::Reconciled(coupon_core::Reconciliation::NotIssued) => RowState::NotIssued,
            Record::Reconciled(_) => RowState::Unknown,
        }
    }
}

/// The states a row may be in for an answer to its own send to be recorded on it:
/// `sending` only. (`unknown → not_issued` is a reconciliation's edge, never a send's:
/// a row another worker is settling is not touched by a late "not sent".)
pub const SEND_ANSWER_SOURCES: [RowState; 1] = [RowState::Sending];

/// What [`crate::Journal::mark_sending`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Marked {
    /// The rows now `sending`, in the order given: the longest prefix that fits under the cap.
    pub marked: Vec<RowId>,
    /// The first row left out because its price would take the campaign's spend over the cap.
    pub over_cap: Option<RowId>,
}

/// What a campaign has spent or may have spent: the prices of its rows that are
/// `sending`, `issued` or `unknown` (a row in doubt may have cost money).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Spend {
    /// The sum of their known prices, in won.
    pub won: i64,
    /// How many of them have no known price.
    pub unpriced: u64,
}

/// Where a row is on its way to a coupon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowState {
    /// Not sent yet.
    Pending,
    /// The intent to send is committed: the request may have left.
    Sending,
    /// A coupon exists for the row's reference.
    Issued,
    /// The vendor refused the request: no coupon.
    Refused,
    /// The request may or may not have taken effect: reconcile before anything else.
    Unknown,
    /// Reconciled: the vendor has no coupon for the reference; it may be sent again (same reference).
    NotIssued,
}

impl RowState {
    /// Every state, in the order of the state machine.
    pub const ALL: [RowState; 6] = [
        RowState::Pending,
        RowState::Sending,
        RowState::Issued,
        RowState::Refused,
        RowState::Unknown,
        RowState::NotIssued,
    ];

    /// The stored name: `pending`, `sending`, `issued`, `refused`, `unknown`, `not_issued`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Sending => "sending",
            RowState::Issued => "issued",
            RowState::Refused => "refused",
            RowState::Unknown => "unknown",
            RowState::NotIssued => "not_issued",
        }
    }

    /// Whether a row in this state is settled for good.
    pub const fn is_final(self) -> bool {
        matches!(self, RowState::Issued | RowState::Refused)
    }

    /// Whether the state machine has the edge `self → to` (see [`check_transition`]).
    pub const fn can_go_to(self, to: RowState) -> bool {
        use RowState::*;
        matches!(
            (self, to),
            (Pending, Sending)
                | (Sending, Issued)
                | (Sending, Refused)
                | (Sending, Unknown)
                | (Sending, NotIssued)
                | (Unknown, Issued)
                | (Unknown, NotIssued)
                | (NotIssued, Sending)
        )
    }

    /// The states from which `to` may be reached.
    pub fn sources(to: RowState) -> Vec<RowState> {
        RowState::ALL.into_iter().filter(|from| from.can_go_to(to)).collect()
    }
}

impl fmt::Display for RowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RowState {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RowState::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| JournalError::Invalid(format!("unknown row state `{s}`")))
    }
}

/// An edge the state machine does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no transition from `{from}` to `{to}`")]
pub struct InvalidTransition {
    /// The state the row is in.
    pub from: RowState,
    /// The state asked for.
    pub to: RowState,
}

/// The rows' state machine, in one place:
///
/// ```text
/// pending ──► sending ──► issued
///                │  ▲ ╲─► refused
///                │  │  ╲► unknown ──► issued
///                │  │        │
///                │  └─ not_issued ◄──┘
///                │        ▲
///                ├────────┘ (not sent, or refused for now: send again)
///                └─(lease expired: in doubt)─► unknown
/// ```
///
/// `pending → sending → issued | refused | unknown | not_issued`; `unknown → issued |
/// not_issued`; `not_issued → sending`. `sending → not_issued` is an answer that
/// proves no coupon was made but may not hold next time (the request never left, the
/// vendor said "too many requests" or "try again"). A `sending` row whose lease expired is in doubt: a claim
/// moves it to `unknown` (the `sending → unknown` edge). Anything else is refused.
///
/// ```
/// use coupon_journal::{check_transition, RowState};
/// assert!(check_transition(RowState::Pending, RowState::Sending).is_ok());
/// let e = check_transition(RowState::Issued, RowState::Sending).unwrap_err();
/// assert_eq!(e.to_string(), "no transition from `issued` to `sending`");
/// ```
pub fn check_transition(from: RowState, to: RowState) -> Result<(), InvalidTransition> {
    if from.can_go_to(to) { Ok(()) } else { Err(InvalidTransition { from, to }) }
}

/// Rows per state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// `pending` rows.
    pub pending: u64,
    /// `sending` rows.
    pub sending: u64,
    /// `issued` rows.
    pub issued: u64,
    /// `refused` rows.
    pub refused: u64,
    /// `unknown` rows.
    pub unknown: u64,
    /// `not_issued` rows.
    pub not_issued: u64,
}

impl Counts {
    /// The count of one state.
    pub fn get(&self, state: RowState) -> u64 {
        match state {
            RowState::Pending => self.pending,
            RowState::Sending => self.sending,
            RowState::Issued => self.issued,
            RowState::Refused => self.refused,
            RowState::Unknown => self.unknown,
            RowState::NotIssued => self.not_issued,
        }
    }

    /// Sets the count of one state.
    pub fn set(&mut self, state: RowState, n: u64) {
        let slot = match state {
            RowState::Pending => &mut self.pending,
            RowState::Sending => &mut self.sending,
            RowState::Issued => &mut self.issued,
            RowState::Refused => &mut self.refused,
            RowState::Unknown => &mut self.unknown,
            RowState::NotIssued => &mut self.not_issued,
        };
        *slot = n;
    }

    /// Every row.
    pub fn total(&self) -> u64 {
        RowState::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// A row as stored. Its `Debug` masks the phone number and the PIN.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Row {
    /// Its id.
    pub id: RowId,
    /// Its campaign.
    pub campaign: CampaignId,
    /// Its line in the input.
    pub line: u64,
    /// The caller's key.
    pub key: Option<String>,
    /// The recipient's phone number, as given.
    pub phone: String,
    /// The recipient's name.
    pub name: Option<String>,
    /// The request fields, defaults filled in, templates rendered.
    pub request: RequestFields,
    /// Other input columns.
    pub extra: BTreeMap<String, String>,
    /// What the coupon costs in won, when known.
    pub price: Option<i64>,
    /// Its partner reference, fixed at insert.
    pub partner_ref: PartnerRef,
    /// Its state.
    pub state: RowState,
    /// How many times it was marked `sending`.
    pub attempts: u32,
    /// The worker holding its lease.
    pub lease_owner: Option<String>,
    /// Until when the lease holds.
    pub lease_until: Option<DateTime<Utc>>,
    /// When it was first marked `sending`: reconcile from no later than this.
    pub first_sent_at: Option<DateTime<Utc>>,
    /// When a reconciliation of the row last answered (whatever it found).
    pub reconciled_at: Option<DateTime<Utc>>,
    /// The vendor's order id, once issued (when known).
    pub order_id: Option<String>,
    /// The PIN, masked.
    pub pin_masked: Option<String>,
    /// HMAC-SHA256 of the PIN (hex) under the journal's [`crate::PinKey`].
    pub pin_hash: Option<String>,
    /// The PIN in clear, only when the campaign stores PINs.
    pub pin: Option<Pin>,
    /// The vendor's code of the last refusal or doubt.
    pub vendor_code: Option<String>,
    /// The vendor's (or our) message of the last refusal or doubt.
    pub vendor_message: Option<String>,
    /// Why the order id and PIN are unknown, for a coupon known to exist.
    pub details_unknown: Option<String>,
    /// The [`coupon_core::ErrorKind`] of the last refusal or doubt.
    pub error_kind: Option<String>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
    /// What became of its coupon once issued: checks, cancel, resends.
    pub life: crate::lifecycle::CouponLife,
}

impl Row {
    /// Whether the row's outcome is in doubt (`unknown`): reconcile it before anything else.
    pub fn in_doubt(&self) -> bool {
        self.state == RowState::Unknown
    }

    /// From when a reconciliation of this row looks: a little before its first
    /// attempt (or its last change), since the vendor's clock may differ from ours.
    /// The runner's reconciliations and `coupon campaign status`'s commands use it.
    pub fn reconcile_since(&self) -> coupon_core::time::KstDateTime {
        const CLOCK_MARGIN_MINUTES: i64 = 10;
        let first = self.first_sent_at.unwrap_or(self.updated_at);
        (first - coupon_core::chrono::Duration::minutes(CLOCK_MARGIN_MINUTES)).with_timezone(&coupon_core::time::kst())
    }
}

/// A phone number as stored, with its middle digits hidden (`010-****-5678`,
/// `010****5678`; every digit when there are fewer than 10): what `Row`'s `Debug`
/// shows. The core's one rule, [`coupon_core::phone::mask_text`].
///
/// ```
/// assert_eq!(coupon_journal::model::mask_phone("010-1234-5678"), "010-****-5678");
/// ```
pub fn mask_phone(phone: &str) -> String {
    coupon_core::phone::mask_text(phone)
}

impl fmt::Debug for NewRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewRow")
            .field("line", &self.line)
            .field("key", &self.key)
            .field("phone", &mask_phone(&self.phone))
            .field("name", &self.name)
            .field("request", &self.request)
            .field("extra", &self.extra)
            .field("price", &self.price)
            .finish()
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Row")
            .field("id", &self.id)
            .field("campaign", &self.campaign)
            .field("line", &self.line)
            .field("key", &self.key)
            .field("phone", &mask_phone(&self.phone))
            .field("name", &self.name)
            .field("request", &self.request)
            .field("extra", &self.extra)
            .field("price", &self.price)
            .field("partner_ref", &self.partner_ref)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("lease_owner", &self.lease_owner)
            .field("lease_until", &self.lease_until)
            .field("first_sent_at", &self.first_sent_at)
            .field("reconciled_at", &self.reconciled_at)
            .field("order_id", &self.order_id)
            .field("pin_masked", &self.pin_masked)
            .field("pin_hash", &self.pin_hash.as_ref().map(|_| "<hmac>"))
            .field("pin", &self.pin)
            .field("vendor_code", &self.vendor_code)
            .field("vendor_message", &self.vendor_message)
            .field("details_unknown", &self.details_unknown)
            .field("error_kind", &self.error_kind)
            .field("updated_at", &self.updated_at)
            .field("life", &self.life)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_row_debug_shows_no_phone() {
        let row = NewRow {
            line: 2,
            key: None,
            phone: "010-1234-5678".into(),
            name: None,
            request: RequestFields::default(),
            extra: BTreeMap::new(),
            price: None,
        };
        let shown = format!("{row:?}");
        assert!(shown.contains("010-****-5678") && !shown.contains("1234"), "{shown}");
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("010-1234-5678"), "010-****-5678");
        assert_eq!(mask_phone("01012345678"), "010****5678");
        assert_eq!(mask_phone("1234"), "****");
    }

    #[test]
    fn states_round_trip() {
        for s in RowState::ALL {
            assert_eq!(s.as_str().parse::<RowState>().unwrap(), s);
        }
        assert!("done".parse::<RowState>().is_err());
    }
}
