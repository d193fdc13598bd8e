//! Money-moving requests under an `Idempotency-Key`: issue a coupon, cancel it, send its
//! message again.
//!
//! Every one takes the same way ([`flow`]): the request is checked, then its key, the
//! fingerprint of its canonical form and (for an issue) its partner reference are committed to
//! the journal, and only then is the vendor called, on a task of its own that runs to its end
//! and records the answer even if the caller hangs up. A repeat of the key is answered from the
//! journal: the stored answer (`Idempotent-Replayed: true`), `409` while the first is in flight,
//! `422` when the request differs.

pub mod action;
pub mod answer;
pub mod body;
pub mod cancel;
pub mod create;
pub mod flow;
pub mod get;
pub mod resend;

/// The header marking an answer replayed from an idempotency key.
pub const REPLAYED: &str = "Idempotent-Replayed";
