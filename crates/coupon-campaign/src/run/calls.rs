//! One row's vendor calls, each in a task of its own: a send of a row marked
//! `sending`, or the settling of a row in doubt. What came back is handed to the
//! recorder; what the campaign must do about it goes back to the loop as [`Done`].

use std::sync::Arc;

use coupon_core::{Adapter, Error, Issued, Reconciliation};
use coupon_journal::Row;

use super::report::Tally;
use crate::error::Result;
use crate::outcome::{self, Effect, Verdict};
use crate::recorder::{Outcome, Recorder};
use crate::request::issue_request;

/// One row's work, done in its own task; what the loop needs to know of it.
#[derive(Debug)]
pub(super) struct Done {
    pub(super) effect: Effect,
    pub(super) error: Option<Error>,
}

/// What a row's task needs: the adapter that calls the vendor, and the recorder that
/// writes the answer down.
#[derive(Debug)]
pub(super) struct Calls {
    pub(super) recorder: Recorder,
    pub(super) adapter: Arc<dyn Adapter>,
}

impl Calls {
    /// Sends a row marked `sending` and records what came back.
    pub(super) async fn send(&self, row: Row, tally: &Tally) -> Result<Done> {
        let caps = self.adapter.capabilities();
        let request = match issue_request(&caps, &row.phone, &row.request, row.partner_ref.clone()) {
            Ok(r) => r,
            Err(e) => {
                // Checked at create; a row that no longer parses was never sent.
                Tally::bump(&tally.refused);
                self.recorder.record(row.id, Outcome::Refused(e.clone()));
                return Ok(Done { effect: Effect::Carry, error: Some(e) });
            }
        };
        Tally::bump(&tally.sent);
        match self.adapter.issue(&request).await {
            Ok(issued) => {
                self.recorder.record(row.id, Outcome::Issued(issued));
                Tally::bump(&tally.issued);
                Ok(Done { effect: Effect::Carry, error: None })
            }
            Err(e) => {
                let (verdict, effect) = outcome::of_issue_error(&e);
                match verdict {
                    Verdict::Refused => {
                        self.recorder.record(row.id, Outcome::Refused(e.clone()));
                        Tally::bump(&tally.refused);
                    }
                    Verdict::NotSent => {
                        self.recorder.record(row.id, Outcome::NotSent(e.clone()));
                        Tally::bump(&tally.not_sent);
                    }
                    Verdict::Doubt => {
                        self.recorder.record(row.id, Outcome::Unknown(e.clone()));
                        Tally::bump(&tally.in_doubt);
                    }
                }
                Ok(Done { effect, error: Some(e) })
            }
        }
    }

    /// Settles a row in doubt by the adapter's means, chosen by its capabilities:
    /// a lookup (`reconcile`), else a re-send the vendor deduplicates, else nothing
    /// (the row stays in doubt, with the reason).
    pub(super) async fn settle(&self, row: Row, tally: &Tally) -> Result<Done> {
        let caps = self.adapter.capabilities();
        let request = match issue_request(&caps, &row.phone, &row.request, row.partner_ref.clone()) {
            Ok(r) => r,
            Err(e) => {
                let why = format!("cannot rebuild the request to settle it: {e}");
                self.recorder.record(row.id, Outcome::Reconciled(Reconciliation::StillUnknown(why)));
                return Ok(Done { effect: Effect::Carry, error: Some(e) });
            }
        };
        let since = row.reconcile_since();
        Tally::bump(&tally.sent);
        let answer = if caps.reconcile {
            self.adapter.reconcile(&request, since).await
        } else if caps.issue_deduplicated {
            match self.adapter.issue(&request).await {
                Ok(issued) => Ok(Reconciliation::Issued(issued)),
                Err(e) if e.kind() == coupon_core::ErrorKind::DuplicateReference => {
                    Ok(Reconciliation::Issued(Issued::with_details_unknown(
                        self.adapter.vendor(),
                        row.partner_ref.clone(),
                        format!(
                            "issued by an earlier attempt: the re-send with the same reference was refused as a \
                             duplicate ({e}); the order id and PIN are unknown"
                        ),
                    )))
                }
                Err(e) => Err(e),
            }
        } else {
            Ok(Reconciliation::StillUnknown(format!(
                "{} offers no way to settle a doubt: ask the vendor about reference {}",
                self.adapter.vendor(),
                row.partner_ref
            )))
        };
        match answer {
            Ok(found) => {
                match &found {
                    Reconciliation::Issued(_) => {
                        Tally::bump(&tally.issued);
                        Tally::bump(&tally.settled);
                    }
                    Reconciliation::NotIssued => {
                        Tally::bump(&tally.settled);
                    }
                    _ => {}
                }
                self.recorder.record(row.id, Outcome::Reconciled(found));
                Ok(Done { effect: Effect::Carry, error: None })
            }
            Err(e) => {
                let why = format!("reconciliation failed: {e}");
                self.recorder.record(row.id, Outcome::Reconciled(Reconciliation::StillUnknown(why)));
                Ok(Done { effect: outcome::of_reconcile_error(&e), error: Some(e) })
            }
        }
    }
}
