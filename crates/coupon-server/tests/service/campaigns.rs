//! Campaigns over HTTP: an upload checked whole (dry run, bad lines listed, stored), runs in the
//! background followed by the status, doubts settled by a reconcile, exports with masked phones and
//! PINs, sync, cancel, the report, and the `campaigns` scope.

use std::time::Duration;

use coupon::Capabilities;
use coupon_sandbox::{FaultKind, FaultSpec, IssueSample};
use serde_json::{Value, json};

use super::common::{TestServer, on_every_backend};

on_every_backend!(
    an_upload_is_checked_whole_then_stored_and_a_dry_run_stores_nothing,
    a_run_goes_on_in_the_background_and_the_status_follows_it,
    doubts_are_listed_masked_and_settled_by_a_reconcile,
    exports_mask_phones_always_and_pins_without_the_pins_scope,
    sync_cancel_and_the_report_follow_the_coupons_after_the_send,
    every_campaign_endpoint_needs_the_campaigns_scope,
    a_shutdown_stops_a_run_after_its_calls_in_flight_are_recorded,
);

/// A vendor that issues to recipients, and what a campaign's request fields need for it.
fn vendor(s: &TestServer, needs: impl Fn(&Capabilities) -> bool) -> (String, IssueSample) {
    s.vendor_with(|c| c.issue_delivers && needs(c)).expect("an installed adapter that issues to recipients")
}

/// A CSV of `n` rows (keys `k0`…, phones 010-2000-000N).
fn rows(n: usize) -> String {
    let mut text = String::from("phone,name,key\n");
    for i in 0..n {
        text.push_str(&format!("010-2000-{i:04},고객{i},k{i}\n"));
    }
    text
}

/// The form's parts for `vendor`'s sample: the campaign-wide request fields.
fn parts<'a>(name: &'a str, vendor: &'a str, sample: &'a IssueSample) -> Vec<(&'a str, String)> {
    let mut p =
        vec![("name", name.to_string()), ("vendor", vendor.to_string()), ("product", sample.product_id.clone())];
    for (part, value) in [
        ("product_name", &sample.product_name),
        ("callback", &sample.callback),
        ("title", &sample.title),
        ("message", &sample.message),
    ] {
        if let Some(v) = value {
            p.push((part, v.clone()));
        }
    }
    if let Some(a) = sample.amount {
        p.push(("amount", a.to_string()));
    }
    p
}

/// `POST /v1/campaigns` with these text parts and the file (a multipart body written by hand).
async fn upload(s: &TestServer, key: &str, parts: &[(&str, String)], file: Option<&str>) -> reqwest::Response {
    const BOUNDARY: &str = "----coupon-test-boundary";
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    if let Some(file) = file {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"winners.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\n{file}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(format!("--{BOUNDARY}--\r\n").bytes());
    s.http
        .post(format!("{}/v1/campaigns", s.base))
        .bearer_auth(key)
        .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// `POST` a JSON body to a campaign's path.
async fn post_json(s: &TestServer, key: &str, path: &str, body: &Value) -> reqwest::Response {
    s.http.post(format!("{}{path}", s.base)).bearer_auth(key).json(body).send().await.unwrap()
}

/// Creates campaign `name` of `n` rows on `vendor`, with `extra` parts; asserts `201`.
async fn create(
    s: &TestServer,
    key: &str,
    name: &str,
    vendor: &(String, IssueSample),
    n: usize,
    extra: &[(&str, &str)],
) {
    let mut p = parts(name, &vendor.0, &vendor.1);
    p.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let r = upload(s, key, &p, Some(&rows(n))).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// Polls the campaign's status until its job on this replica has ended (at most 30 s); the status.
async fn job_done(s: &TestServer, key: &str, name: &str) -> Value {
    for _ in 0..300 {
        let st: Value = s.get(key, &format!("/v1/campaigns/{name}")).await.json().await.unwrap();
        if matches!(st["job"]["state"].as_str(), Some("finished" | "failed")) {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job of campaign {name} did not end in 30 s");
}

/// Runs the campaign fast and waits for the run to end; the status.
async fn run_to_end(s: &TestServer, key: &str, name: &str) -> Value {
    let r = post_json(s, key, &format!("/v1/campaigns/{name}/run"), &json!({"rate": "100/s"})).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let st = job_done(s, key, name).await;
    assert_eq!(st["job"]["kind"], "run", "{st}");
    st
}

async fn an_upload_is_checked_whole_then_stored_and_a_dry_run_stores_nothing(s: &TestServer) {
    let key = s.key("campaigns").await;
    let v = vendor(s, |_| true);
    // The dry run: what would be sent and its total, nothing stored.
    let mut p = parts("spring", &v.0, &v.1);
    p.push(("dry_run", "true".into()));
    let r = upload(s, &key, &p, Some(&rows(3))).await;
    assert_eq!(r.status(), 200);
    let plan: Value = r.json().await.unwrap();
    assert_eq!(
        (plan["accepted"].as_bool(), plan["rows"].as_u64(), plan["dry_run"].as_bool()),
        (Some(true), Some(3), Some(true)),
        "{plan}"
    );
    assert_eq!(plan["goods"][0]["goods"], json!(v.1.product_id));
    let list: Value = s.get(&key, "/v1/campaigns").await.json().await.unwrap();
    assert_eq!(list["campaigns"], json!([]), "a dry run stores nothing");
    // A bad row refuses the file whole, every bad line listed with its column.
    let bad = "phone,name\n010-1234-5678,김\n010-12,이\n010-2222-3333,박\n010-99,최\n";
    let r = upload(s, &key, &parts("spring", &v.0, &v.1), Some(bad)).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: Value = r.json().await.unwrap();
    let lines: Vec<(u64, &str)> = problem["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["field"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, vec![(3, "phone"), (5, "phone")], "{problem}");
    assert!(!problem.to_string().contains("010-12,"), "no phone number in the problem");
    let list: Value = s.get(&key, "/v1/campaigns").await.json().await.unwrap();
    assert_eq!(list["campaigns"], json!([]), "a refused file stores nothing");
    // An unknown part is named; a missing file too.
    let mut p = parts("spring", &v.0, &v.1);
    p.push(("colour", "red".into()));
    let r = upload(s, &key, &p, Some(&rows(1))).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "colour");
    let r = upload(s, &key, &parts("spring", &v.0, &v.1), None).await;
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "file");
    // A vendor not configured is 404 naming it.
    let r = upload(s, &key, &parts("spring", "no-such-vendor", &v.1), Some(&rows(1))).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("no-such-vendor"));
    // A good file is stored; the same file again adds nothing (an import into the campaign it made).
    let r = upload(s, &key, &parts("spring", &v.0, &v.1), Some(&rows(3))).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["location"], "/v1/campaigns/spring");
    let made: Value = r.json().await.unwrap();
    assert_eq!((made["added"].as_u64(), made["existed"].as_bool()), (Some(3), Some(false)), "{made}");
    let again: Value = upload(s, &key, &parts("spring", &v.0, &v.1), Some(&rows(3))).await.json().await.unwrap();
    assert_eq!((again["added"].as_u64(), again["known_keys_skipped"].as_u64()), (Some(0), Some(3)), "{again}");
    let list: Value = s.get(&key, "/v1/campaigns").await.json().await.unwrap();
    assert_eq!(list["campaigns"][0]["name"], "spring");
    assert_eq!(list["campaigns"][0]["counts"]["pending"], 3);
}

async fn a_run_goes_on_in_the_background_and_the_status_follows_it(s: &TestServer) {
    let key = s.key("campaigns").await;
    let v = vendor(s, |c| c.status || c.redemptions);
    create(s, &key, "slow", &v, 3, &[]).await;
    // Slow enough that the second request meets the first run.
    let r = post_json(s, &key, "/v1/campaigns/slow/run", &json!({"rate": "1/s", "concurrency": 1})).await;
    assert_eq!(r.status(), 202);
    let job: Value = r.json().await.unwrap();
    assert_eq!((job["kind"].as_str(), job["state"].as_str()), (Some("run"), Some("running")), "{job}");
    let again: Value = s.post(&key, "/v1/campaigns/slow/run", None).await.json().await.unwrap();
    assert_eq!(again["id"], job["id"], "a second run while this replica runs it is the same job");
    let other = s.post(&key, "/v1/campaigns/slow/sync", None).await;
    assert_eq!(other.status(), 409);
    assert!(other.headers().contains_key("retry-after"));
    assert_eq!(other.json::<Value>().await.unwrap()["kind"], "job_running");
    let st = job_done(s, &key, "slow").await;
    assert_eq!(st["job"]["state"], "finished", "{st}");
    assert_eq!(st["job"]["end"]["end"], "settled", "{st}");
    assert_eq!(st["job"]["progress"]["issued"], 3, "{st}");
    assert_eq!((st["counts"]["issued"].as_u64(), st["counts"]["total"].as_u64()), (Some(3), Some(3)), "{st}");
    assert_eq!(st["doubts"], 0);
    assert!(st["spent"]["won"].is_i64(), "{st}");
    // The journal agrees: three rows issued.
    let c = s.journal.campaign("slow").await.unwrap();
    assert_eq!(s.journal.counts(&c).await.unwrap().issued, 3);
    // Bad options are named before anything starts; unknown campaigns are 404.
    let r = post_json(s, &key, "/v1/campaigns/slow/run", &json!({"rate": "fast"})).await;
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["field"].as_str()), (400, Some("rate")));
    let r = post_json(s, &key, "/v1/campaigns/slow/run", &json!({"speed": 1})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "speed");
    assert_eq!(s.post(&key, "/v1/campaigns/nope/run", None).await.status(), 404);
    assert_eq!(s.get(&key, "/v1/campaigns/nope").await.status(), 404);
}

async fn doubts_are_listed_masked_and_settled_by_a_reconcile(s: &TestServer) {
    let key = s.key("campaigns").await;
    let v = vendor(s, |c| c.reconcile);
    create(s, &key, "lost", &v, 2, &[]).await;
    s.warm(&v.0).await;
    // Every answer of the vendor is lost: the issues (and the settling look-ups) stay in doubt.
    s.admin().inject(FaultSpec::new(format!("/{}/", v.0), FaultKind::Drop).times(1000)).await.unwrap();
    let r =
        post_json(s, &key, "/v1/campaigns/lost/run", &json!({"rate": "100/s", "concurrency": 1, "breaker": 50})).await;
    assert_eq!(r.status(), 202);
    let st = job_done(s, &key, "lost").await;
    s.admin().clear_faults().await.unwrap();
    let d: Value = s.get(&key, "/v1/campaigns/lost/doubts").await.json().await.unwrap();
    let doubts = d["doubts"].as_array().unwrap();
    assert!(!doubts.is_empty(), "{st} {d}");
    assert_eq!(st["doubts"].as_u64(), Some(doubts.len() as u64));
    for doubt in doubts {
        assert!(doubt["phone"].as_str().unwrap().contains("****"), "masked: {doubt}");
        assert!(doubt["partner_ref"].as_str().is_some_and(|r| !r.is_empty()));
        assert!(doubt["since"].is_string() && doubt["key"].is_string());
    }
    // The reconcile settles them with the vendor: each row ends issued exactly once, or not issued.
    let r = s.post(&key, "/v1/campaigns/lost/reconcile", None).await;
    assert_eq!(r.status(), 202);
    let st = job_done(s, &key, "lost").await;
    assert_eq!(
        (st["job"]["kind"].as_str(), st["job"]["state"].as_str()),
        (Some("reconcile"), Some("finished")),
        "{st}"
    );
    assert_eq!(st["counts"]["unknown"], 0, "{st}");
    let d: Value = s.get(&key, "/v1/campaigns/lost/doubts").await.json().await.unwrap();
    assert_eq!(d["doubts"], json!([]));
    // A run then finishes what was not issued.
    let st = run_to_end(s, &key, "lost").await;
    assert_eq!(st["counts"]["issued"], 2, "{st}");
    let issued = s.admin().issued(&v.0).await.unwrap();
    let c = s.journal.campaign("lost").await.unwrap();
    for row in s.journal.rows(&c, None, None, 10).await.unwrap() {
        let n = issued.iter().filter(|i| i.partner_ref.as_deref() == Some(row.partner_ref.as_str())).count();
        assert!(n <= 1, "line {}: one coupon per reference at most, {n} found", row.line);
    }
}

async fn exports_mask_phones_always_and_pins_without_the_pins_scope(s: &TestServer) {
    let key = s.key("campaigns").await;
    let pins = s.key("campaigns,pins").await;
    let v = vendor(s, |_| true);
    create(s, &key, "pins", &v, 2, &[("store_pins", "true")]).await;
    run_to_end(s, &key, "pins").await;
    let r = s.get(&key, "/v1/campaigns/pins/export").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("line,key,phone,name,goods,partner_ref,state,"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("2,k0,010-****-0000,고객0,"), "{csv}");
    assert!(!csv.contains("2000-0000") && !csv.contains("01020000000"), "no full phone: {csv}");
    // PINs: in clear for the pins scope where the campaign stores them, masked for every other key; tried on
    // every vendor that issues to recipients until one returns a PIN.
    let mut pins_seen = 0;
    for (i, (vendor, sample)) in s.issuing_vendors().into_iter().enumerate() {
        if !s.vendors.iter().any(|(v, c, _)| *v == vendor && c.issue_delivers) {
            continue;
        }
        let name = format!("pins{i}");
        create(s, &key, &name, &(vendor.clone(), sample), 2, &[("store_pins", "true")]).await;
        run_to_end(s, &key, &name).await;
        let path = format!("/v1/campaigns/{name}/export?format=json");
        let masked: Value = s.get(&key, &path).await.json().await.unwrap();
        let full: Value = s.get(&pins, &path).await.json().await.unwrap();
        assert_eq!(masked.as_array().unwrap().len(), 2);
        for (m, f) in masked.as_array().unwrap().iter().zip(full.as_array().unwrap()) {
            assert_eq!(m["state"], "issued", "{vendor}: {m}");
            assert_eq!(m["phone"], f["phone"], "phones are masked for every key");
            assert!(m["phone"].as_str().unwrap().contains("****"));
            if let Some(pin) = f["pin"].as_str() {
                pins_seen += 1;
                assert!(!pin.contains('*'), "{vendor}: the pins scope sees the stored PIN: {f}");
                assert!(m["pin"].as_str().unwrap().contains('*'), "{vendor}: masked without it: {m}");
            }
        }
        if pins_seen > 0 {
            break;
        }
    }
    assert!(pins_seen > 0, "some vendor that issues to recipients returns a PIN");
    let only: Value = s.get(&key, "/v1/campaigns/pins/export?format=json&state=refused").await.json().await.unwrap();
    assert_eq!(only, json!([]));
    let history = s.get(&key, "/v1/campaigns/pins/export?history=true").await.text().await.unwrap();
    assert!(history.starts_with("line,from,to,at,source\n"), "{history}");
    let r = s.get(&key, "/v1/campaigns/pins/export?format=xml").await;
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "format");
}

async fn sync_cancel_and_the_report_follow_the_coupons_after_the_send(s: &TestServer) {
    let key = s.key("campaigns").await;
    let v = vendor(s, |c| c.cancel && c.status);
    create(s, &key, "life", &v, 3, &[]).await;
    run_to_end(s, &key, "life").await;
    // Sync: every coupon's state read from the vendor.
    assert_eq!(s.post(&key, "/v1/campaigns/life/sync", None).await.status(), 202);
    let st = job_done(s, &key, "life").await;
    assert_eq!((st["job"]["kind"].as_str(), st["job"]["state"].as_str()), (Some("sync"), Some("finished")), "{st}");
    assert_eq!(st["coupons"]["unused"], 3, "{st}");
    // A cancel moves money: nothing without a selection; the dry run says what and how much.
    let r = post_json(s, &key, "/v1/campaigns/life/cancel", &json!({})).await;
    assert_eq!(r.status(), 400);
    let r = post_json(s, &key, "/v1/campaigns/life/cancel", &json!({"rows": ["nope"]})).await;
    assert!(r.text().await.unwrap().contains("nope"));
    let preview: Value = post_json(s, &key, "/v1/campaigns/life/cancel", &json!({"unused": true, "dry_run": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["cancel"]["count"], 3, "{preview}");
    let r = post_json(s, &key, "/v1/campaigns/life/cancel", &json!({"rows": ["k1"]})).await;
    assert_eq!(r.status(), 202);
    let st = job_done(s, &key, "life").await;
    assert_eq!(st["job"]["end"]["cancel"]["progress"]["cancelled"], 1, "{st}");
    assert_eq!((st["coupons"]["cancelled"].as_u64(), st["coupons"]["unused"].as_u64()), (Some(1), Some(2)), "{st}");
    // Resend: by key, once within its window; a body naming no rows is refused.
    assert_eq!(post_json(s, &key, "/v1/campaigns/life/resend", &json!({})).await.status(), 400);
    if s.vendors.iter().any(|(name, c, _)| *name == v.0 && c.resend) {
        let r = post_json(s, &key, "/v1/campaigns/life/resend", &json!({"rows": ["k0"], "not_within": 3600})).await;
        assert_eq!(r.status(), 202);
        let st = job_done(s, &key, "life").await;
        assert_eq!(st["job"]["end"]["resend"]["resent"], 1, "{st}");
        let r = post_json(s, &key, "/v1/campaigns/life/resend", &json!({"rows": ["k0"], "not_within": 3600})).await;
        assert_eq!(r.status(), 202);
        let st = job_done(s, &key, "life").await;
        assert_eq!(
            (st["job"]["end"]["resend"]["resent"].as_u64(), st["job"]["end"]["resend"]["skipped"].as_u64()),
            (Some(0), Some(1)),
            "{st}"
        );
    }
    // The report: the page, and its data.
    let r = s.get(&key, "/v1/campaigns/life/report").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("<html"));
    let data: Value = s.get(&key, "/v1/campaigns/life/report?format=json").await.json().await.unwrap();
    assert!(data.is_object() && data.to_string().contains("life"), "{data}");
}

async fn every_campaign_endpoint_needs_the_campaigns_scope(s: &TestServer) {
    let reader = s.key("read,issue,cancel").await;
    let v = vendor(s, |_| true);
    let r = upload(s, &reader, &parts("x", &v.0, &v.1), Some(&rows(1))).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["required_scopes"], json!(["campaigns"]));
    for path in [
        "/v1/campaigns",
        "/v1/campaigns/x",
        "/v1/campaigns/x/doubts",
        "/v1/campaigns/x/export",
        "/v1/campaigns/x/report",
    ] {
        assert_eq!(s.get(&reader, path).await.status(), 403, "{path}");
    }
    for path in ["/v1/campaigns/x/run", "/v1/campaigns/x/reconcile", "/v1/campaigns/x/sync"] {
        assert_eq!(s.post(&reader, path, None).await.status(), 403, "{path}");
    }
    assert_eq!(post_json(s, &reader, "/v1/campaigns/x/cancel", &json!({"unused": true})).await.status(), 403);
    assert_eq!(post_json(s, &reader, "/v1/campaigns/x/resend", &json!({"undelivered": true})).await.status(), 403);
    let r = s.http.get(format!("{}/v1/campaigns", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

async fn a_shutdown_stops_a_run_after_its_calls_in_flight_are_recorded(s: &TestServer) {
    let key = s.key("campaigns").await;
    let v = vendor(s, |_| true);
    create(s, &key, "stopped", &v, 20, &[]).await;
    let r = post_json(s, &key, "/v1/campaigns/stopped/run", &json!({"rate": "2/s", "concurrency": 1})).await;
    assert_eq!(r.status(), 202);
    tokio::time::sleep(Duration::from_millis(700)).await;
    // What SIGTERM does once the listener is closed.
    coupon_server::campaigns::stop_all(&s.state, Duration::from_secs(10)).await;
    let st: Value = s.get(&key, "/v1/campaigns/stopped").await.json().await.unwrap();
    assert_eq!(
        (st["job"]["state"].as_str(), st["job"]["end"]["end"].as_str()),
        (Some("finished"), Some("interrupted")),
        "{st}"
    );
    let counts = &st["counts"];
    assert!(counts["issued"].as_u64().unwrap() < 20, "stopped before the end: {st}");
    assert_eq!(
        (counts["sending"].as_u64(), counts["unknown"].as_u64()),
        (Some(0), Some(0)),
        "every call in flight recorded: {st}"
    );
    // A new request resumes it.
    let st = run_to_end(s, &key, "stopped").await;
    assert_eq!(st["counts"]["issued"], 20, "{st}");
}
