//! What the loop does once it has started what it could: claim more, flush, move
//! from settling doubts to sending, ask whether other workers hold the rest, or wait.
//! Pure functions of a few facts, so that every case is tested.

use coupon_journal::Counts;

/// Where a run is: settling doubts, or sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// A run settles every doubt it can claim before it sends anything.
    SettlingFirst,
    /// Then it sends (and settles the doubts of its own sends).
    Sending,
    /// `reconcile`: it settles doubts and sends nothing.
    SettlingOnly,
}

impl Phase {
    /// Whether its claims take only the rows in doubt.
    pub(super) fn doubts_only(self) -> bool {
        self != Phase::Sending
    }
}

/// What the loop knows once it has started what it could.
#[derive(Clone, Copy, Debug)]
pub(super) struct Facts {
    /// Row tasks in flight.
    pub(super) in_flight: usize,
    /// Rows claimed and not yet started.
    pub(super) queued: usize,
    /// Whether a claim is in progress.
    pub(super) feeding: bool,
    /// How many rows a claim asks for.
    pub(super) batch: usize,
    /// The spending cap is reached: nothing more is claimed.
    pub(super) capped: bool,
    /// The last claim found nothing, and nothing finished since.
    pub(super) starved: bool,
    /// The outcomes were flushed since the last claim that found rows.
    pub(super) flushed: bool,
    /// Where the run is.
    pub(super) phase: Phase,
}

/// The loop's next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// The cap is reached and everything that fit under it is done: stop.
    StopAtCap,
    /// Claim more rows (fewer than half a batch are left), then wait.
    Claim,
    /// Write the outcomes down now: a doubt or a "send again" may make rows claimable.
    Flush,
    /// Every doubt this worker could take is settled: now send.
    StartSending,
    /// This worker found nothing more: the run ends, unless other workers hold rows
    /// ([`others_busy`]).
    AskOthers,
    /// Wait for a claim, a task or an interrupt.
    Wait,
}

/// The loop's next step.
pub(super) fn next(f: &Facts) -> Next {
    let idle = f.in_flight == 0 && f.queued == 0 && !f.feeding;
    if f.capped {
        return if idle { Next::StopAtCap } else { Next::Wait };
    }
    if !f.feeding && !f.starved && f.queued < f.batch / 2 {
        return Next::Claim;
    }
    if !(idle && f.starved) {
        return Next::Wait;
    }
    if !f.flushed {
        Next::Flush
    } else if f.phase == Phase::SettlingFirst {
        Next::StartSending
    } else {
        Next::AskOthers
    }
}

/// Whether other workers hold rows this run would take (or a dead worker's leases have
/// yet to expire): then the run waits a little and looks again, rather than end.
pub(super) fn others_busy(counts: &Counts, phase: Phase) -> bool {
    counts.sending > 0 || (phase == Phase::Sending && (counts.pending + counts.not_issued) > 0)
}

#[cfg(test)]
mod tests {
    use coupon_journal::RowState;

    use super::*;

    /// Nothing in flight, nothing queued, no claim, nothing learnt yet.
    fn quiet() -> Facts {
        Facts {
            in_flight: 0,
            queued: 0,
            feeding: false,
            batch: 8,
            capped: false,
            starved: false,
            flushed: false,
            phase: Phase::SettlingFirst,
        }
    }

    #[test]
    fn a_run_claims_while_less_than_half_a_batch_is_queued_and_one_claim_at_a_time() {
        assert_eq!(next(&quiet()), Next::Claim);
        assert_eq!(next(&Facts { queued: 3, in_flight: 4, ..quiet() }), Next::Claim);
        assert_eq!(next(&Facts { queued: 4, ..quiet() }), Next::Wait, "half a batch is enough");
        assert_eq!(next(&Facts { feeding: true, ..quiet() }), Next::Wait);
        assert_eq!(next(&Facts { starved: true, in_flight: 1, ..quiet() }), Next::Wait, "nothing changed yet");
    }

    #[test]
    fn a_starved_idle_run_flushes_then_sends_then_asks_whether_others_are_busy() {
        let starved = Facts { starved: true, ..quiet() };
        assert_eq!(next(&starved), Next::Flush);
        let flushed = Facts { flushed: true, ..starved };
        assert_eq!(next(&flushed), Next::StartSending);
        assert_eq!(next(&Facts { phase: Phase::Sending, ..flushed }), Next::AskOthers);
        assert_eq!(next(&Facts { phase: Phase::SettlingOnly, ..flushed }), Next::AskOthers, "reconcile never sends");
    }

    #[test]
    fn at_the_cap_a_run_claims_nothing_and_stops_once_idle() {
        let capped = Facts { capped: true, ..quiet() };
        assert_eq!(next(&capped), Next::StopAtCap);
        assert_eq!(next(&Facts { in_flight: 1, ..capped }), Next::Wait);
        assert_eq!(next(&Facts { queued: 1, ..capped }), Next::Wait);
    }

    #[test]
    fn rows_in_flight_elsewhere_keep_a_run_waiting_and_pending_ones_only_a_sending_run() {
        let mut counts = Counts::default();
        assert!(!others_busy(&counts, Phase::Sending));
        counts.set(RowState::Pending, 2);
        assert!(others_busy(&counts, Phase::Sending));
        assert!(!others_busy(&counts, Phase::SettlingOnly));
        counts.set(RowState::Sending, 1);
        assert!(others_busy(&counts, Phase::SettlingOnly));
        assert!(Phase::SettlingFirst.doubts_only() && Phase::SettlingOnly.doubts_only());
        assert!(!Phase::Sending.doubts_only());
    }
}
