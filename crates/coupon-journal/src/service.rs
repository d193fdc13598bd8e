//! What the HTTP service keeps in the journal: its API keys (hashed, never the keys) and
//! its idempotency records, one per (API key, `Idempotency-Key`).
//!
//! An idempotency record follows an issue's way: stored `in_flight` under a lease, its
//! insert synced before the request may leave ([`crate::Journal::begin_idempotent`]);
//! then `done` with the answer to replay, or `unknown` (a doubt) until a reconciler
//! settles it ([`crate::Journal::claim_doubts`]). A sender that dies leaves its record
//! `in_flight` under an expired lease: whoever finds it next turns it into a doubt, never
//! into a blank to send again.

use std::fmt;
use std::time::Duration;

use coupon_core::chrono::{DateTime, Utc};

use crate::error::JournalError;

/// A service API key as stored: never the key itself, only its hash. Debug shows no hash.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The key's public id (given by the caller), by which a request's key is found.
    pub id: String,
    /// Its name, unique in the journal (what `coupon keys revoke` names).
    pub name: String,
    /// Its scopes (`issue`, `read`, …), as given; none holds a comma.
    pub scopes: Vec<String>,
    /// The hash of its secret (hex, computed by the caller).
    pub secret_hash: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was: a revoked key is kept, and refused by the caller.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("secret_hash", &"<hidden>")
            .field("created_at", &self.created_at)
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

/// Where an idempotency record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdemState {
    /// Its request may be on its way: the owner holds it under a lease.
    InFlight,
    /// A doubt: the request may or may not have taken effect; the reconciler settles it.
    Unknown,
    /// Settled: its answer is stored and replayed.
    Done,
}

impl IdemState {
    /// Every state, in the order of the type.
    pub const ALL: &'static [IdemState] = &[IdemState::InFlight, IdemState::Unknown, IdemState::Done];

    /// The stored name: `in_flight`, `unknown` or `done`.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdemState::InFlight => "in_flight",
            IdemState::Unknown => "unknown",
            IdemState::Done => "done",
        }
    }
}

impl fmt::Display for IdemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for IdemState {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdemState::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| JournalError::Invalid(format!("unknown idempotency state `{s}`")))
    }
}

/// What the server asks when a request with an Idempotency-Key arrives (after it checked the request).
#[derive(Clone)]
pub struct IdemBegin {
    /// The API key's id: keys are scoped per API key.
    pub scope: String,
    /// The client's Idempotency-Key.
    pub key: String,
    /// `issue`, `cancel` or `resend`.
    pub op: String,
    /// For `cancel` and `resend`: the idempotency key of the issue they act on.
    pub target: Option<String>,
    /// The hash (hex) of the canonical request: a repeat with another is refused.
    pub fingerprint: String,
    /// The vendor.
    pub vendor: String,
    /// The partner reference (None for cancel and resend).
    pub partner_ref: Option<String>,
    /// The canonical request (JSON): what a reconciler needs to rebuild it. May hold a phone number.
    pub request: String,
    /// The vendor's order id where known (a cancel or resend acts on it).
    pub order_id: Option<String>,
    /// The replica (worker id) that will send it.
    pub owner: String,
    /// How long the sender holds it before another replica may treat it as a doubt.
    pub lease: Duration,
}

impl fmt::Debug for IdemBegin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdemBegin")
            .field("scope", &self.scope)
            .field("key", &self.key)
            .field("op", &self.op)
            .field("target", &self.target)
            .field("fingerprint", &self.fingerprint)
            .field("vendor", &self.vendor)
            .field("partner_ref", &self.partner_ref)
            .field("order_id", &self.order_id)
            .field("owner", &self.owner)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// A stored idempotency record. Its Debug omits `request` and `response`: they may hold a
/// phone number or a PIN.
#[derive(Clone, PartialEq, Eq)]
pub struct IdemRecord {
    /// The API key's id.
    pub scope: String,
    /// The client's Idempotency-Key.
    pub key: String,
    /// `issue`, `cancel` or `resend`.
    pub op: String,
    /// For `cancel` and `resend`: the idempotency key of the issue they act on.
    pub target: Option<String>,
    /// The hash (hex) of the canonical request.
    pub fingerprint: String,
    /// The vendor.
    pub vendor: String,
    /// The partner reference (None for cancel and resend).
    pub partner_ref: Option<String>,
    /// The canonical request (JSON).
    pub request: String,
    /// Where it is.
    pub state: IdemState,
    /// What came of it, as the server named it when it stored the answer (`issued`, `not_issued`, …).
    pub outcome: Option<String>,
    /// The HTTP status of the stored answer (None while in flight).
    pub status: Option<u16>,
    /// The stored answer's JSON body (None while in flight).
    pub response: Option<String>,
    /// The vendor's order id once known.
    pub order_id: Option<String>,
    /// The replica holding its lease: the sender while in flight, a reconciler working on a doubt.
    pub owner: Option<String>,
    /// When that lease ends.
    pub lease_until: Option<DateTime<Utc>>,
    /// How many times a reconciler claimed it.
    pub attempts: u32,
    /// When a reconciler may look at the doubt (again).
    pub next_check_at: Option<DateTime<Utc>>,
    /// Why the doubt is still a doubt, as the last reconcile (or the lease's expiry) said.
    pub note: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for IdemRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdemRecord")
            .field("scope", &self.scope)
            .field("key", &self.key)
            .field("op", &self.op)
            .field("target", &self.target)
            .field("fingerprint", &self.fingerprint)
            .field("vendor", &self.vendor)
            .field("partner_ref", &self.partner_ref)
            .field("state", &self.state)
            .field("outcome", &self.outcome)
            .field("status", &self.status)
            .field("order_id", &self.order_id)
            .field("owner", &self.owner)
            .field("lease_until", &self.lease_until)
            .field("attempts", &self.attempts)
            .field("next_check_at", &self.next_check_at)
            .field("note", &self.note)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// The answer to [`crate::Journal::begin_idempotent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdemBegun {
    /// Stored now (state in_flight, leased to the owner, committed durably — the same
    /// sync as an issue's intent — before this returns): the caller may send.
    Started,
    /// A record with this key exists for another request (another fingerprint, or
    /// another operation or target).
    Mismatch(IdemRecord),
    /// A record with this key is in flight under a live lease; retry after this long
    /// (the lease's remainder, at least 1 s).
    InFlight {
        /// How long until the lease ends (at least 1 s).
        retry_after: Duration,
    },
    /// The record exists and is settled or in doubt: the server replays `record.status` /
    /// `record.response`. Includes the record that was in flight under an EXPIRED lease:
    /// this call turned it into `unknown` (a doubt: the sender may have sent it and
    /// died), atomically, with next_check_at = now.
    Existing(IdemRecord),
    /// op = cancel only: another key's cancel of the same `target` exists; it is
    /// returned as is (the server answers with it, or 409 while it is in flight).
    OtherCancel(IdemRecord),
}

/// How a record ends or waits ([`crate::Journal::finish_idempotent`]). Its Debug omits
/// `response`.
#[derive(Clone)]
pub struct IdemFinish {
    /// [`IdemState::Done`], or [`IdemState::Unknown`] (a doubt: next_check_at = now + `first_check`).
    pub state: IdemState,
    /// What came of it (`issued`, `not_issued`, `cancelled`, `not_cancelled`, `resent`, …).
    pub outcome: String,
    /// The HTTP status of the answer to replay.
    pub status: u16,
    /// The answer's JSON body.
    pub response: String,
    /// The vendor's order id, if the answer gave one (None keeps the one stored).
    pub order_id: Option<String>,
    /// For Unknown: when the reconciler may first look (e.g. 2 s).
    pub first_check: Duration,
}

impl fmt::Debug for IdemFinish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdemFinish")
            .field("state", &self.state)
            .field("outcome", &self.outcome)
            .field("status", &self.status)
            .field("order_id", &self.order_id)
            .field("first_check", &self.first_check)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for state in IdemState::ALL {
            assert_eq!(state.as_str().parse::<IdemState>().unwrap(), *state);
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert!("leased".parse::<IdemState>().is_err());
    }
}

/// An answer to write ([`crate::Journal::finish_idempotent_many`]): whose request, and how it ended.
#[derive(Clone)]
pub struct IdemFinishOf {
    /// The API key's id.
    pub scope: String,
    /// The Idempotency-Key.
    pub key: String,
    /// The replica that sent it.
    pub owner: String,
    /// How it ended.
    pub finish: IdemFinish,
}

impl fmt::Debug for IdemFinishOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdemFinishOf")
            .field("scope", &self.scope)
            .field("key", &self.key)
            .field("owner", &self.owner)
            .field("finish", &self.finish)
            .finish()
    }
}
