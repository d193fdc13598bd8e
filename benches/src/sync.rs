//! `sync` by status against bare look-ups: the same N issued Giftletter coupons asked
//! about at the same concurrency, once by `coupon_campaign::sync` (reports off, every
//! row asked and its answer recorded in the journal) and once by bare
//! [`coupon::Adapter::check`] calls (no journal). The campaign is issued once per process; each
//! sync asks every row again (`stale` 0: unused coupons are never final), and after the
//! first finds what the one before found.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coupon::CouponRef;
use coupon_campaign::{SyncOptions, sync};
use coupon_journal::{Campaign, Journal};

use crate::campaigns::{Setup, unlimited};
use crate::flight::at_most;

/// The sandbox, a journal and a campaign of N issued coupons, asked about again and again.
pub struct SyncBench {
    /// The sandbox, the Giftletter adapter and the runtime.
    pub setup: Setup,
    journal: Arc<dyn Journal>,
    campaign: Campaign,
    coupons: Vec<CouponRef>,
    concurrency: usize,
    _dir: tempfile::TempDir,
}

impl SyncBench {
    /// Issues `rows` coupons through a campaign in a fresh SQLite journal (in `dir`, or
    /// the system's temporary directory), untimed.
    ///
    /// # Panics
    ///
    /// When the campaign cannot be created or issued whole: nothing could be measured.
    pub fn start(rows: usize, concurrency: usize, dir: Option<&std::path::Path>) -> Self {
        let setup = Setup::start();
        let dir = match dir {
            Some(d) => tempfile::tempdir_in(d),
            None => tempfile::tempdir(),
        }
        .expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("journal.db").display());
        let journal: Arc<dyn Journal> =
            Arc::from(setup.runtime.block_on(coupon_journal::open(&url)).expect("the journal opens"));
        let campaign = setup.create(&*journal, "sync-bench", &dir.path().join("rows.csv"), rows);
        setup.journal_run(Arc::clone(&journal), campaign.clone(), rows as u64, unlimited(concurrency, "bench"));
        let issued = setup.runtime.block_on(journal.rows(&campaign, None, None, rows)).expect("the rows");
        let coupons = issued
            .iter()
            .map(|r| CouponRef::order(r.order_id.clone().expect("every row issued with its order id")))
            .collect();
        Self { setup, journal, campaign, coupons, concurrency, _dir: dir }
    }

    /// Rows asked per run.
    pub fn rows(&self) -> usize {
        self.coupons.len()
    }

    /// Ours: one `sync` of every row by status; the time it took.
    ///
    /// # Panics
    ///
    /// When a row is not asked, or a look-up fails.
    pub fn sync(&self) -> Duration {
        let options = SyncOptions::new(unlimited(self.concurrency, "bench")).reports(false);
        self.setup.runtime.block_on(async {
            let (_keep, interrupt) = tokio::sync::watch::channel(false);
            let adapter = Arc::clone(&self.setup.adapter);
            let started = Instant::now();
            let report = sync(&*self.journal, adapter, &self.campaign, &options, interrupt, &|_| {}).await;
            let took = started.elapsed();
            let report = report.expect("the sync");
            assert_eq!(report.progress.checked, self.rows() as u64, "{report:?}");
            assert_eq!(report.progress.failed, 0, "{report:?}");
            took
        })
    }

    /// The baseline: the same look-ups by bare [`coupon::Adapter::check`], at most `concurrency`
    /// in flight, nothing recorded; the time they took.
    ///
    /// # Panics
    ///
    /// When a look-up fails: the benchmark would time an error path.
    pub fn bare_checks(&self) -> Duration {
        let coupons = self.coupons.clone();
        let jobs = coupons.into_iter().map(|coupon| {
            let adapter = Arc::clone(&self.setup.adapter);
            async move { adapter.check(&coupon).await.map(drop) }
        });
        let (took, checked) = self.setup.runtime.block_on(at_most(self.concurrency, jobs));
        checked.into_iter().for_each(|c| c.expect("the sandbox answers"));
        took
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_ask_every_row() {
        let bench = SyncBench::start(40, 8, None);
        assert_eq!(bench.rows(), 40);
        let asked =
            bench.setup.runtime.block_on(bench.setup.sandbox.admin().request_count("/giftletter/StatusSendEPin"));
        let before = asked.expect("the sandbox counts");
        bench.sync();
        bench.bare_checks();
        let after =
            bench.setup.runtime.block_on(bench.setup.sandbox.admin().request_count("/giftletter/StatusSendEPin"));
        assert_eq!(after.expect("the sandbox counts") - before, 80, "40 rows asked by each side");
    }
}
