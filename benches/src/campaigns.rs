//! Campaigns against the sandbox on loopback: the same Giftletter issues sent
//! bare (`Adapter::issue` at a fixed concurrency, no journal) and through a
//! journal (`campaign::create`, then `Runner::run`), and the large-file helpers of
//! the `campaign_memory` program.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::flight::at_most;
use coupon::giftletter::{Giftletter, GiftletterAdapter};
use coupon::{Adapter, IssueRequest, PhoneNumber};
use coupon_campaign::{self as campaign, Rate, RunEnd, RunOptions, Runner};
use coupon_campaign_input::Options;
use coupon_journal::{Campaign, CampaignSpec, Journal, RequestFields};
use coupon_sandbox::RunningSandbox;
use tokio::runtime::Runtime;

/// The title every row carries (no template: the bare side sends the same text).
pub const TITLE: &str = "선물이 도착했어요";
/// The message every row carries.
pub const MESSAGE: &str = "당첨을 축하드려요! 모바일상품권을 보내드립니다.";

/// The sandbox, its Giftletter adapter and the sample goods, on one tokio runtime.
pub struct Setup {
    /// The runtime everything runs on (two worker threads, like the machine's cores).
    pub runtime: Runtime,
    /// The sandbox; dropping it stops the server.
    pub sandbox: RunningSandbox,
    /// One Giftletter adapter pointed at the sandbox.
    pub adapter: Arc<dyn Adapter>,
    /// The sample goods id from `GET /_sandbox/samples`.
    pub goods: String,
    /// The sample callback number.
    pub callback: PhoneNumber,
}

impl Setup {
    /// Starts the sandbox on a loopback port and builds the adapter.
    ///
    /// # Panics
    ///
    /// When the sandbox cannot start or its configuration does not read: nothing could be measured.
    pub fn start() -> Self {
        let (runtime, sandbox, config) = crate::sandbox::giftletter();
        let adapter: Arc<dyn Adapter> =
            Arc::new(GiftletterAdapter::new(Giftletter::new(config).expect("the client builds")));
        let samples = runtime.block_on(sandbox.admin().samples()).expect("the sandbox lists its samples");
        let issue = samples["giftletter"].issue.as_ref().expect("a sample issue");
        let goods = issue.product_id.clone();
        let callback = PhoneNumber::parse(issue.callback.as_deref().expect("a sample callback")).expect("a callback");
        Self { runtime, sandbox, adapter, goods, callback }
    }

    /// The reading options every campaign here uses: the sample goods and callback, a fixed title and message.
    pub fn options(&self) -> Options {
        let mut options = Options::default();
        options.defaults.product_id = Some(self.goods.clone());
        options.defaults.callback = Some(self.callback.expose_digits().to_owned());
        options.defaults.title = Some(TITLE.into());
        options.defaults.content_template = Some(MESSAGE.into());
        options
    }

    /// The issue request of row `i` (0-based) as the runner would build it, with a fresh reference.
    pub fn issue_request(&self, i: usize) -> IssueRequest {
        IssueRequest::new(self.goods.as_str())
            .recipient(PhoneNumber::parse(&phone(i)).expect("a valid mobile number"))
            .callback(self.callback.clone())
            .title(TITLE)
            .message(MESSAGE)
            .partner_ref(coupon::PartnerRef::generate())
    }

    /// `n` issues through [`Adapter::issue`], at most `concurrency` in flight; the time they took.
    ///
    /// # Panics
    ///
    /// When an issue fails: the benchmark would time an error path.
    pub fn bare_issue(&self, n: usize, concurrency: usize) -> Duration {
        let requests: Vec<IssueRequest> = (0..n).map(|i| self.issue_request(i)).collect();
        let jobs = requests.into_iter().map(|request| {
            let adapter = Arc::clone(&self.adapter);
            async move { adapter.issue(&request).await.map(drop) }
        });
        let (took, issued) = self.runtime.block_on(at_most(concurrency, jobs));
        issued.into_iter().for_each(|i| i.expect("the sandbox issues"));
        took
    }

    /// Writes a CSV of `n` rows (`phone,name,key`) to `path`, and creates a campaign of it in `journal`.
    ///
    /// # Panics
    ///
    /// When the file cannot be written or the campaign is not created with all its rows.
    pub fn create(&self, journal: &dyn Journal, name: &str, csv: &Path, n: usize) -> Campaign {
        write_csv(csv, n).expect("the CSV is written");
        let spec = spec(name);
        let options = self.options();
        let created = self
            .runtime
            .block_on(campaign::create(journal, &*self.adapter, &spec, || std::fs::File::open(csv), &options))
            .expect("the campaign is created");
        assert_eq!(created.stored.added, n as u64, "every row stored");
        created.campaign
    }

    /// Runs `campaign` (of `rows` rows) to the end through one runner; the time the run took.
    ///
    /// # Panics
    ///
    /// When the run fails or does not issue every row.
    pub fn journal_run(
        &self,
        journal: Arc<dyn Journal>,
        campaign: Campaign,
        rows: u64,
        options: RunOptions,
    ) -> Duration {
        let runner = Runner::new(journal, Arc::clone(&self.adapter), campaign, options).expect("a runner");
        self.runtime.block_on(async {
            let (_keep, interrupt) = tokio::sync::watch::channel(false);
            let started = Instant::now();
            let report = runner.run(interrupt, &|_| {}).await.expect("the run");
            let took = started.elapsed();
            assert_eq!(report.end, RunEnd::Settled, "{:?}", report.progress);
            assert_eq!(report.counts.issued, rows);
            took
        })
    }
}

/// Run options that never limit: `rate` 100,000/s, `concurrency` in flight, this worker's name.
///
/// # Panics
///
/// Never: 100,000/s is a valid rate.
pub fn unlimited(concurrency: usize, worker: &str) -> RunOptions {
    RunOptions::new()
        .rate(Rate::per_second(100_000.0).expect("a rate"))
        .concurrency(concurrency)
        .lease(Duration::from_secs(60))
        .worker(worker)
}

/// The campaign spec of a Giftletter campaign named `name`.
pub fn spec(name: &str) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        vendor: "giftletter".into(),
        defaults: RequestFields::default(),
        store_pins: false,
    }
}

/// Row `i`'s mobile number: `010-2000-0000` onwards, distinct for the first 80,000,000 rows.
pub fn phone(i: usize) -> String {
    format!("010-{:04}-{:04}", 2000 + i / 10_000, i % 10_000)
}

/// Writes `n` rows `phone,name,key` (with a header) to `path`, streaming.
///
/// # Errors
///
/// The file's I/O errors.
pub fn write_csv(path: &Path, n: usize) -> std::io::Result<()> {
    write_csv_with(path, n, true)
}

/// Writes `n` rows `phone,name,key`, or `phone,name` when `with_key` is false
/// (with a header) to `path`, streaming.
///
/// # Errors
///
/// The file's I/O errors.
pub fn write_csv_with(path: &Path, n: usize, with_key: bool) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
    if with_key {
        out.write_all(b"phone,name,key\n")?;
        for i in 0..n {
            writeln!(out, "{},고객{i},k{i}", phone(i))?;
        }
    } else {
        out.write_all(b"phone,name\n")?;
        for i in 0..n {
            writeln!(out, "{},고객{i}", phone(i))?;
        }
    }
    out.flush()
}

/// This process's peak resident set (`VmHWM` of `/proc/self/status`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// This process's current resident set (`VmRSS`), in KiB.
pub fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Resets `VmHWM` to the current resident set (Linux: `5` into `/proc/self/clear_refs`).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_and_valid() {
        assert_eq!(phone(0), "010-2000-0000");
        assert_eq!(phone(1_000_000 - 1), "010-2099-9999");
        assert!(PhoneNumber::parse(&phone(123_456)).is_ok());
    }

    #[test]
    fn the_peak_resident_set_reads() {
        assert!(peak_rss_kib().is_some_and(|k| k > 0));
        assert!(rss_kib().is_some_and(|k| k > 0));
    }
}
