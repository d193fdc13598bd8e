//! The world of the lifecycle tests: the sandbox on loopback, a journal on one backend,
//! issued campaigns, what the sandbox counts and remembers, and the journal's rows
//! matched to the sandbox's records.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use coupon::config::CouponConfig;
use coupon::{Adapter, Adapters};
use coupon_campaign::{self as campaign, Rate, RunEnd, RunOptions, Runner};
use coupon_campaign_input::Options;
use coupon_journal::{Campaign, CampaignSpec, CouponState, Journal, RequestFields, Row};
use coupon_sandbox::{CouponRecord, RecordState, RunningSandbox, Samples, Sandbox};

use crate::backend::Store;

/// Giftishow's coupon detail (`0201`): one request per look-up.
pub const GIFTISHOW_DETAIL: &str = "/giftishow/bizApi/coupons";
/// Giftletter's status of one coupon.
pub const GIFTLETTER_STATUS: &str = "/giftletter/StatusSendEPin";
/// Giftletter's redemption report of one day.
pub const GIFTLETTER_REPORT: &str = "/giftletter/mn_compare/ExchangeDaily.aspx";

pub struct World {
    pub sandbox: RunningSandbox,
    dir: tempfile::TempDir,
    store: Store,
    pub journal: Arc<dyn Journal>,
    samples: BTreeMap<String, Samples>,
}

impl World {
    /// The sandbox, and a fresh journal in `store`.
    pub async fn on(store: Store) -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let journal: Arc<dyn Journal> = Arc::from(coupon_journal::open(&store.url).await.unwrap());
        let samples = sandbox.admin().samples().await.unwrap();
        Self { sandbox, dir, store, journal, samples }
    }

    /// Closes the journal and removes it.
    pub async fn finish(self) {
        self.journal.close().await;
        self.store.remove().await;
    }

    /// `sqlite` on SQLite, `postgres` on PostgreSQL (whose runs are slower per row).
    pub fn size(&self, sqlite: usize, postgres: usize) -> usize {
        if self.store.url.starts_with("sqlite:") { sqlite } else { postgres }
    }

    pub fn adapter(&self, vendor: &str) -> Arc<dyn Adapter> {
        let toml = self.sandbox.config_toml_for(&coupon::installed_adapters());
        let config = CouponConfig::parse(&toml, "the sandbox configuration", Vec::new()).unwrap();
        Arc::clone(Adapters::build(&config).unwrap().get(vendor).unwrap())
    }

    /// The vendor's sample goods.
    pub fn sample_goods(&self, vendor: &str) -> String {
        self.samples[vendor].issue.as_ref().expect("an issue sample").product_id.clone()
    }

    /// Giftishow's stored-value goods (금액권, `goodsTypeCd` `AMNT`) of the sandbox's fixtures.
    pub async fn giftishow_stored_value_goods(&self) -> String {
        let fixtures = self.sandbox.admin().fixtures().await.unwrap();
        let goods = fixtures["giftishow"]["goods"].as_array().expect("Giftishow's goods in the fixtures");
        let amount = goods.iter().find(|g| g["goodsTypeCd"] == "AMNT").expect("a 금액권 in the fixtures");
        amount["goodsCode"].as_str().unwrap().to_owned()
    }

    /// A campaign of one row per entry of `goods` (keys `k0`…, line `i + 2`), issued to
    /// the end through `vendor`.
    pub async fn issued(&self, name: &str, vendor: &str, goods: &[String]) -> Campaign {
        let sample = self.samples[vendor].issue.as_ref().expect("an issue sample");
        let mut text = String::from("phone,name,key,goods\n");
        for (i, g) in goods.iter().enumerate() {
            text.push_str(&format!("010-{:04}-{:04},고객{i},k{i},{g}\n", 3000 + i / 10_000, i % 10_000));
        }
        let path = self.dir.path().join(format!("{name}.csv"));
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        let mut options = Options::default();
        options.defaults.callback = Some(sample.callback.clone().unwrap_or_else(|| "1588-0000".into()));
        options.defaults.title = Some("당첨 선물".into());
        options.defaults.content_template = Some("{name}님, 당첨을 축하드려요!".into());
        let spec = CampaignSpec {
            name: name.into(),
            vendor: vendor.into(),
            defaults: RequestFields::default(),
            store_pins: false,
        };
        let adapter = self.adapter(vendor);
        let created =
            campaign::create(&*self.journal, &*adapter, &spec, || std::fs::File::open(&path), &options).await.unwrap();
        assert_eq!(created.stored.added, goods.len() as u64);
        let runner = Runner::new(Arc::clone(&self.journal), adapter, created.campaign.clone(), fast()).unwrap();
        let (_keep, interrupt) = tokio::sync::watch::channel(false);
        let report = runner.run(interrupt, &|_| {}).await.unwrap();
        assert_eq!((report.end, report.counts.issued), (RunEnd::Settled, goods.len() as u64), "{:?}", report.progress);
        created.campaign
    }

    /// Every row of the campaign, in line order.
    pub async fn rows(&self, c: &Campaign) -> Vec<Row> {
        self.journal.rows(c, None, None, 100_000).await.unwrap()
    }

    /// The row of key `key`.
    pub async fn row(&self, c: &Campaign, key: &str) -> Row {
        self.rows(c).await.into_iter().find(|r| r.key.as_deref() == Some(key)).unwrap()
    }

    /// The partner references of the rows of these keys, as the sandbox names coupons.
    pub async fn refs(&self, c: &Campaign, keys: impl IntoIterator<Item = usize>) -> Vec<String> {
        let rows = self.rows(c).await;
        keys.into_iter()
            .map(|k| {
                let key = format!("k{k}");
                rows.iter().find(|r| r.key.as_deref() == Some(key.as_str())).unwrap().partner_ref.to_string()
            })
            .collect()
    }

    /// The vendor's records, by partner reference.
    pub async fn records(&self, vendor: &str) -> HashMap<String, CouponRecord> {
        let records = self.sandbox.admin().records(vendor).await.unwrap();
        records.into_iter().map(|r| (r.partner_ref.clone().expect("a partner reference"), r)).collect()
    }

    /// Requests the vendor received on `path` so far.
    pub async fn count(&self, path: &str) -> u64 {
        self.sandbox.admin().request_count(path).await.unwrap()
    }

    /// Runs one statement on the journal's database, beside the journal (as an operator
    /// with `sqlite3` or `psql` would).
    pub async fn execute(&self, sql: String) {
        let sql = sqlx::AssertSqlSafe(sql);
        if self.store.url.starts_with("sqlite:") {
            let pool =
                sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect(&self.store.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&self.store.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// Call limits that never slow a test: 1,000/s, 8 at once.
pub fn fast() -> RunOptions {
    RunOptions::new().rate(Rate::per_second(1_000.0).unwrap()).concurrency(8).lease(Duration::from_secs(30))
}

/// The journal's name of a state the sandbox recorded.
pub fn state_of(record: &CouponRecord) -> CouponState {
    match record.state {
        RecordState::Unused => CouponState::Unused,
        RecordState::Used => CouponState::Used,
        RecordState::PartlyUsed => CouponState::PartlyUsed,
        RecordState::Cancelled => CouponState::Cancelled,
        RecordState::Expired => CouponState::Expired,
    }
}
