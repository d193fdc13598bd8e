//! `coupon-journal`: a durable journal for coupon campaigns.
//!
//! A campaign issues many coupons, one per row of its input, and must issue each
//! exactly once even when the process crashes between "the request left" and "the
//! answer was written down". The journal makes that possible:
//!
//! - every row gets a deterministic partner reference at insert
//!   ([`refs::partner_ref`]), the same for the life of the row, so an issue in
//!   doubt is reconciled (or re-sent where the vendor deduplicates) under the
//!   reference the vendor may already have seen;
//! - the intent to send ([`Journal::mark_sending`]) is committed before any
//!   request may leave, so after a crash a row is either provably never sent
//!   (`pending`) or in doubt (`sending` with an expired lease), never silently
//!   forgotten;
//! - rows are handed out under leases ([`Journal::claim`]), so two workers never
//!   send the same row;
//! - the rows' states follow one table ([`model::check_transition`]);
//! - once issued, a coupon's own life is kept apart ([`lifecycle`], `Row::life`): what
//!   syncs found (with a history of changes), its cancel (selected, leased, its intent
//!   committed before the request leaves, like an issue's) and its resends; and a
//!   campaign's figures come from SQL aggregates ([`Journal::figures`]);
//! - the HTTP service (`coupon serve`) keeps its memory here too ([`service`]): its API
//!   keys, stored hashed ([`Journal::create_api_key`]), and one idempotency record per
//!   (API key, Idempotency-Key), stored and synced before its request may leave, as an
//!   intent is ([`Journal::begin_idempotent`]), then its answer for replay
//!   ([`Journal::finish_idempotent`]) or a doubt, which the service's reconcilers claim
//!   under leases, never two at once ([`Journal::claim_doubts`]).
//!
//! The storage is behind the [`Journal`] trait; [`open`] picks the backend from
//! the URL (`sqlite:PATH`, or `postgres://…` with the `postgres` feature): both run
//! the same statements, written once. PINs are secrets: see [`pins`].
//!
//! This crate is the storage only: the engine that runs campaigns on a [`Journal`]
//! (checking a file, claiming, sending, recording, settling doubts) is the
//! `coupon-campaign` crate, and the service that answers HTTP requests with the
//! records of [`service`] is the server's. See `docs/campaigns.md`.

mod decode;
pub mod error;
pub mod lifecycle;
pub mod model;
pub mod pins;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod refs;
pub mod service;
mod sql;
pub mod sqlite;
pub mod store;

/// The request fields a campaign and its rows store: the reader's type, stored as is.
pub use coupon_campaign_input::RequestFields;
pub use error::{JournalError, Result};
pub use lifecycle::{
    CancelClaim, CancelCounts, CancelFilter, CancelRecord, CancelState, CouponCounts, CouponLife, CouponState,
    CouponToCheck, Expiring, Figures, GoodsFigures, HistoryEntry, StateSource,
};
pub use model::{
    Campaign, CampaignId, CampaignSpec, CampaignSummary, Claim, Counts, CreatedCampaign, InsertReport,
    InvalidTransition, Marked, NewRow, Record, Row, RowId, RowState, Spend, check_transition,
};
pub use pins::PinKey;
#[cfg(feature = "postgres")]
pub use postgres::PostgresJournal;
pub use service::{ApiKey, IdemBegin, IdemBegun, IdemFinish, IdemFinishOf, IdemRecord, IdemState};
pub use sqlite::SqliteJournal;
pub use store::{Journal, open, open_existing};

/// The schema version this release writes (its highest migration). A journal of a
/// higher version is refused on open ([`JournalError::NewerSchema`]).
pub const SCHEMA_VERSION: i64 = sql::LATEST_SCHEMA;
