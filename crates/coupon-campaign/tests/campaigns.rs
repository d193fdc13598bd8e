//! Campaigns through the Rust API, against the sandbox over loopback, on a real
//! journal (a SQLite file; a PostgreSQL schema too with the `postgres` feature, see
//! `backend`): what a run sends, what it records, and when it stops.

mod backend;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use coupon::config::CouponConfig;
use coupon::{Adapter, Adapters};
use coupon_campaign::{self as campaign, CampaignError, Rate, RunEnd, RunOptions, Runner, Stop};
use coupon_campaign_input::Options;
use coupon_journal::{CampaignSpec, Journal, RequestFields, RowState};
use coupon_sandbox::{FaultKind, FaultSpec, RunningSandbox, Samples, Sandbox};
use serde_json::json;

use backend::{Store, on_every_backend};

on_every_backend!(
    a_giftletter_campaign_issues_every_row_once_with_its_own_reference,
    a_lost_answer_is_settled_in_the_same_run_by_re_sending_the_same_reference,
    an_authentication_refusal_stops_the_campaign_and_a_new_run_resumes,
    a_spending_cap_stops_before_it_is_passed_and_a_higher_cap_finishes,
    transport_failures_in_a_row_trip_the_breaker_and_nothing_is_lost,
    a_giftimbiz_campaign_buys_each_listing_once_and_settles_doubts_by_its_history,
    a_file_with_a_bad_row_is_refused_whole_and_nothing_is_stored,
    a_half_loaded_campaign_cannot_run_and_the_same_create_finishes_it,
    a_name_that_cannot_be_a_campaigns_is_refused_before_the_file_is_read,
);

struct World {
    sandbox: RunningSandbox,
    /// The test's CSV files.
    dir: tempfile::TempDir,
    store: Store,
    journal: Arc<dyn Journal>,
    samples: std::collections::BTreeMap<String, Samples>,
}

impl World {
    /// The sandbox, and a fresh journal in `store`.
    async fn on(store: Store) -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let journal: Arc<dyn Journal> = Arc::from(coupon_journal::open(&store.url).await.unwrap());
        let samples = sandbox.admin().samples().await.unwrap();
        Self { sandbox, dir, store, journal, samples }
    }

    /// Closes the journal and removes it.
    async fn finish(self) {
        self.journal.close().await;
        self.store.remove().await;
    }

    fn adapter_from(&self, config: &str, vendor: &str) -> Arc<dyn Adapter> {
        let config = CouponConfig::parse(config, "the sandbox configuration", Vec::new()).unwrap();
        Arc::clone(Adapters::build(&config).unwrap().get(vendor).unwrap())
    }

    fn adapter(&self, vendor: &str) -> Arc<dyn Adapter> {
        self.adapter_from(&self.sandbox.config_toml_for(&coupon::installed_adapters()), vendor)
    }

    fn csv(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.dir.path().join(name);
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        path
    }

    /// A Giftletter campaign of `n` rows with the sandbox's sample goods.
    async fn giftletter(&self, name: &str, n: usize) -> coupon_journal::Campaign {
        let created = self.giftletter_into(name, n).await;
        assert_eq!(created.stored.added, n as u64);
        created.campaign
    }

    /// `campaign::create` of `n` Giftletter rows (keys `k0`…) under `name`, new or not.
    async fn giftletter_into(&self, name: &str, n: usize) -> campaign::Created {
        let s = self.samples["giftletter"].issue.as_ref().expect("an issue sample");
        let mut text = String::from("phone,name,key\n");
        for i in 0..n {
            text.push_str(&format!("010-2000-{i:04},고객{i},k{i}\n"));
        }
        let path = self.csv(&format!("{name}.csv"), &text);
        let mut options = Options::default();
        options.defaults.product_id = Some(s.product_id.clone());
        options.defaults.callback = s.callback.clone();
        options.defaults.title = Some("{name}님 선물".into());
        options.defaults.content_template = Some("{name}님, 당첨을 축하드려요!".into());
        let spec = CampaignSpec {
            name: name.into(),
            vendor: "giftletter".into(),
            defaults: RequestFields::default(),
            store_pins: false,
        };
        let adapter = self.adapter("giftletter");
        campaign::create(&*self.journal, &*adapter, &spec, || std::fs::File::open(&path), &options).await.unwrap()
    }

    fn runner(&self, c: &coupon_journal::Campaign, vendor: &str, options: RunOptions) -> Runner {
        Runner::new(Arc::clone(&self.journal), self.adapter(vendor), c.clone(), options).unwrap()
    }
}

fn fast() -> RunOptions {
    RunOptions::new().rate(Rate::per_second(200.0).unwrap()).concurrency(4).lease(Duration::from_secs(30))
}

async fn run(r: &Runner) -> coupon_campaign::RunReport {
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    r.run(interrupt, &|_| {}).await.unwrap()
}

/// Every row's reference was issued exactly once at Giftletter, and the journal's
/// issued rows are the sandbox's coupons, one to one.
async fn assert_exactly_once_giftletter(w: &World, c: &coupon_journal::Campaign) {
    let issued = w.sandbox.admin().issued("giftletter").await.unwrap();
    let rows = w.journal.rows(c, None, None, 10_000).await.unwrap();
    for row in &rows {
        let coupons: Vec<_> =
            issued.iter().filter(|i| i.partner_ref.as_deref() == Some(row.partner_ref.as_str())).collect();
        match row.state {
            RowState::Issued => {
                assert_eq!(coupons.len(), 1, "line {}: one coupon for its reference", row.line);
                if let Some(order) = &row.order_id {
                    assert_eq!(order, &coupons[0].order, "line {}", row.line);
                }
            }
            other => assert!(coupons.is_empty(), "line {} is {other} but the vendor has a coupon", row.line),
        }
    }
}

async fn a_giftletter_campaign_issues_every_row_once_with_its_own_reference(w: &World) {
    let c = w.giftletter("spring", 6).await;
    let report = run(&w.runner(&c, "giftletter", fast())).await;
    assert_eq!(report.end, RunEnd::Settled);
    assert_eq!((report.counts.issued, report.progress.issued), (6, 6));
    assert_exactly_once_giftletter(w, &c).await;
    let rows = w.journal.rows(&c, None, None, 100).await.unwrap();
    assert!(rows.iter().all(|r| r.pin_masked.is_some() && r.pin_hash.is_some() && r.pin.is_none()));
    // A second run has nothing to do and sends nothing.
    let before = w.sandbox.admin().stats().await.unwrap();
    assert_eq!(run(&w.runner(&c, "giftletter", fast())).await.end, RunEnd::Settled);
    assert_eq!(w.sandbox.admin().stats().await.unwrap(), before);
}

async fn a_lost_answer_is_settled_in_the_same_run_by_re_sending_the_same_reference(w: &World) {
    let c = w.giftletter("lost", 4).await;
    // The vendor issues, then the answer is lost, more times than one call retries.
    w.sandbox.admin().inject(FaultSpec::new("/giftletter/", FaultKind::Drop).times(6)).await.unwrap();
    let runner = w.runner(&c, "giftletter", fast().concurrency(1));
    let report = run(&runner).await;
    assert!(report.progress.in_doubt >= 1 && report.progress.settled >= 1, "{:?}", report.progress);
    // Each doubt is tried once a run; one whose settling answer was lost too stays in doubt.
    if let RunEnd::InDoubt(n) = report.end {
        assert_eq!(report.counts.unknown, n);
        let (_keep, interrupt) = tokio::sync::watch::channel(false);
        let settled = runner.reconcile(interrupt, &|_| {}).await.unwrap();
        assert_eq!(settled.end, RunEnd::Settled);
    } else {
        assert_eq!(report.end, RunEnd::Settled);
    }
    assert_eq!(w.journal.counts(&c).await.unwrap().issued, 4);
    assert_exactly_once_giftletter(w, &c).await;
    let unknown_details = w.journal.rows(&c, None, None, 100).await.unwrap();
    assert!(
        unknown_details.iter().any(|r| r.details_unknown.is_some()),
        "a coupon issued by the lost attempt is issued, its details unknown"
    );
}

async fn an_authentication_refusal_stops_the_campaign_and_a_new_run_resumes(w: &World) {
    let c = w.giftletter("auth", 5).await;
    let wrong = w
        .sandbox
        .config_toml_for(&["giftletter"])
        .replace(coupon_sandbox::vendors::giftletter::credentials::AUTH_KEY, "wrong-key");
    let bad = Runner::new(Arc::clone(&w.journal), w.adapter_from(&wrong, "giftletter"), c.clone(), fast()).unwrap();
    let report = run(&bad).await;
    let RunEnd::Stopped(Stop::Refused { kind, .. }) = &report.end else { panic!("{:?}", report.end) };
    assert_eq!(*kind, coupon::ErrorKind::Unauthenticated);
    assert_eq!(report.counts.issued, 0);
    assert_eq!(report.counts.pending + report.counts.not_issued, 5, "nothing is lost: {:?}", report.counts);
    let reason = w.journal.stop_reason(&c).await.unwrap().unwrap();
    assert!(reason.contains("unauthenticated") && reason.contains("run again"), "{reason}");
    let report = run(&w.runner(&c, "giftletter", fast())).await;
    assert_eq!(report.end, RunEnd::Settled);
    assert_eq!(w.journal.stop_reason(&c).await.unwrap(), None);
    assert_exactly_once_giftletter(w, &c).await;
}

async fn a_spending_cap_stops_before_it_is_passed_and_a_higher_cap_finishes(w: &World) {
    let c = w.giftletter("capped", 5).await;
    let price = w.journal.rows(&c, None, None, 1).await.unwrap()[0].price.expect("the catalog prices the goods");
    let report = run(&w.runner(&c, "giftletter", fast().max_spend(Some(price * 2 + price / 2)))).await;
    let RunEnd::Stopped(Stop::SpendCap { spent, next, .. }) = report.end else { panic!("{:?}", report.end) };
    assert_eq!((spent, next), (price * 2, price));
    assert_eq!((report.counts.issued, report.counts.pending), (2, 3));
    assert!(w.journal.spent(&c).await.unwrap().won <= price * 2 + price / 2);
    let report = run(&w.runner(&c, "giftletter", fast().max_spend(Some(price * 5)))).await;
    assert_eq!(report.end, RunEnd::Settled);
    assert_eq!(report.counts.issued, 5);
    assert_exactly_once_giftletter(w, &c).await;
}

async fn transport_failures_in_a_row_trip_the_breaker_and_nothing_is_lost(w: &World) {
    let c = w.giftletter("breaker", 8).await;
    w.sandbox.admin().inject(FaultSpec::new("/giftletter/", FaultKind::DropUnprocessed).times(40)).await.unwrap();
    let report = run(&w.runner(&c, "giftletter", fast().concurrency(1).breaker(3))).await;
    let RunEnd::Stopped(Stop::Breaker { failures, .. }) = &report.end else { panic!("{:?}", report.end) };
    assert_eq!(*failures, 3);
    assert_eq!(report.counts.issued, 0);
    w.sandbox.admin().clear_faults().await.unwrap();
    let report = run(&w.runner(&c, "giftletter", fast())).await;
    assert_eq!(report.end, RunEnd::Settled);
    assert_eq!(report.counts.issued, 8);
    assert_exactly_once_giftletter(w, &c).await;
}

async fn a_giftimbiz_campaign_buys_each_listing_once_and_settles_doubts_by_its_history(w: &World) {
    let admin = w.sandbox.admin();
    let added = admin.vendor_post("giftimbiz", "listings", &json!({"count": 5, "price": 1000})).await.unwrap();
    let mut text = String::from("phone,goods,product_name,amount\n");
    for l in added["listings"].as_array().unwrap() {
        let goods = format!("{}:{}", l["gm_idx"].as_str().unwrap(), l["md_idx"].as_str().unwrap());
        text.push_str(&format!("010-3000-0001,{goods},\"{}\",1000\n", l["product"].as_str().unwrap()));
    }
    let path = w.csv("gm.csv", &text);
    let spec = CampaignSpec {
        name: "gm".into(),
        vendor: "giftimbiz".into(),
        defaults: RequestFields::default(),
        store_pins: false,
    };
    let options = Options { allow_duplicate_recipients: true, ..Options::default() };
    let adapter = w.adapter("giftimbiz");
    let created =
        campaign::create(&*w.journal, &*adapter, &spec, || std::fs::File::open(&path), &options).await.unwrap();
    assert_eq!(created.plan.total, Some(5_000));
    let c = created.campaign;
    // A purchase that goes through but whose answer is lost: settled by looking, never bought twice.
    admin.inject(FaultSpec::new("/giftimbiz/", FaultKind::Drop).times(1)).await.unwrap();
    let report = run(&w.runner(&c, "giftimbiz", fast().concurrency(1))).await;
    assert!(matches!(report.end, RunEnd::Settled | RunEnd::InDoubt(_)), "{:?}", report.end);
    let report = if report.end == RunEnd::Settled { report } else { run(&w.runner(&c, "giftimbiz", fast())).await };
    assert_eq!(report.end, RunEnd::Settled);
    assert_eq!(report.counts.issued, 5);
    let bought = admin.issued("giftimbiz").await.unwrap();
    assert_eq!(bought.len(), 5, "each listing bought once: {bought:?}");
    let rows = w.journal.rows(&c, None, None, 100).await.unwrap();
    for row in &rows {
        let order = row.order_id.as_ref().expect("GiftiMbiz's history gives the order id");
        assert_eq!(bought.iter().filter(|b| &b.order == order).count(), 1, "line {}", row.line);
    }
}

async fn a_file_with_a_bad_row_is_refused_whole_and_nothing_is_stored(w: &World) {
    let s = w.samples["giftletter"].issue.as_ref().expect("an issue sample");
    let path = w.csv("bad.csv", "phone,name\n010-1234-5678,김\n010-12,이\n010-2222-3333,박\n");
    let mut options = Options::default();
    options.defaults.product_id = Some(s.product_id.clone());
    options.defaults.callback = s.callback.clone();
    options.defaults.title = Some("선물".into());
    options.defaults.content_template = Some("{name}님 축하".into());
    let spec = CampaignSpec {
        name: "bad".into(),
        vendor: "giftletter".into(),
        defaults: RequestFields::default(),
        store_pins: false,
    };
    let adapter = w.adapter("giftletter");
    let e = campaign::create(&*w.journal, &*adapter, &spec, || std::fs::File::open(&path), &options).await.unwrap_err();
    let CampaignError::Refused(plan) = e else { panic!("{e}") };
    assert_eq!(plan.invalid, 1);
    assert_eq!((plan.errors[0].line, plan.errors[0].column.as_deref()), (3, Some("phone")));
    assert!(w.journal.list_campaigns().await.unwrap().is_empty());
    // An unknown product is a bad row too, named by its column.
    options.defaults.product_id = Some("9999999999".into());
    let e = campaign::plan(&*adapter, std::fs::File::open(&path).unwrap(), &options).await.unwrap();
    assert!(e.errors.iter().any(|l| l.column.as_deref() == Some("goods")), "{:?}", e.errors);
    // A field the vendor needs is asked for by the adapter, not by a list here.
    options.defaults.product_id = Some(s.product_id.clone());
    options.defaults.callback = None;
    let p = campaign::plan(&*adapter, std::fs::File::open(&path).unwrap(), &options).await.unwrap();
    assert!(p.errors.iter().any(|l| l.line == 2 && l.column.as_deref() == Some("callback")), "{:?}", p.errors);
}

async fn a_half_loaded_campaign_cannot_run_and_the_same_create_finishes_it(w: &World) {
    let c = w.giftletter("half", 4).await;
    // As if the create had died after its first batch: the marker and only two rows.
    let half = w.journal.create_campaign(&CampaignSpec { name: "half2".into(), ..spec_of(&c) }).await.unwrap().campaign;
    w.journal.set_stop(&half, Some(campaign::LOADING.into())).await.unwrap();
    let rows = w.journal.rows(&c, None, None, 2).await.unwrap();
    let first_two: Vec<coupon_journal::NewRow> = rows
        .iter()
        .map(|r| coupon_journal::NewRow {
            line: r.line,
            key: r.key.clone(),
            phone: r.phone.clone(),
            name: r.name.clone(),
            request: r.request.clone(),
            extra: r.extra.clone(),
            price: r.price,
        })
        .collect();
    w.journal.insert_rows(&half, &first_two).await.unwrap();
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    let e = w.runner(&half, "giftletter", fast()).run(interrupt, &|_| {}).await.unwrap_err();
    assert!(e.to_string().contains("not fully loaded"), "{e}");
    // The same create again: the two rows are known, the other two are added, the marker cleared.
    let again = w.giftletter_into("half2", 4).await;
    assert_eq!((again.stored.added, again.stored.known_keys_skipped, again.existed), (2, 2, true));
    assert_eq!(again.campaign.stop_reason, None);
    assert_eq!(run(&w.runner(&again.campaign, "giftletter", fast())).await.counts.issued, 4);
}

fn spec_of(c: &coupon_journal::Campaign) -> CampaignSpec {
    CampaignSpec {
        name: c.name.clone(),
        vendor: c.vendor.clone(),
        defaults: RequestFields::default(),
        store_pins: false,
    }
}

async fn a_name_that_cannot_be_a_campaigns_is_refused_before_the_file_is_read(w: &World) {
    let adapter = w.adapter("giftletter");
    let long = "봄".repeat(campaign::MAX_NAME_CHARS + 1);
    for (name, said) in [
        ("", "is empty"),
        ("   ", "is empty"),
        ("봄\t이벤트", "control character (character 2)"),
        (&long, "is 101 characters; the limit is 100"),
    ] {
        let spec = CampaignSpec {
            name: name.into(),
            vendor: "giftletter".into(),
            defaults: RequestFields::default(),
            store_pins: false,
        };
        let never = || -> std::io::Result<std::fs::File> { panic!("the file was read for {name:?}") };
        let e = campaign::create(&*w.journal, &*adapter, &spec, never, &Options::default()).await.expect_err("refused");
        assert!(matches!(&e, CampaignError::Invalid(m) if m.contains(said)), "{name:?}: {e}");
    }
    assert!(w.journal.list_campaigns().await.unwrap().is_empty(), "nothing stored");
}
