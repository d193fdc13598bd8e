//! The campaign report in a real browser: headless Chromium lays the page out, and the
//! charts must have a size and the headline numbers must be in the rendered DOM as
//! the page formats them. A screenshot of the page is kept for a person to look at.
//!
//! Chromium is `/usr/bin/chromium` (the distribution's `chromium` package; `.ci/run`
//! installs it), or the path in `COUPON_CHROMIUM`. Without it this test fails, unless
//! `COUPON_SKIP_BROWSER_TESTS=1`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use coupon_campaign::report::{
    CouponStates, DOUBTS_SHOWN, Doubt, ExpiringSoon, GoodsLine, ReportData, ReportFacts, write_html,
};
use coupon_core::chrono::{Days, NaiveDate};
use serde_json::Value;

/// How long one Chromium run may take before it is killed.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

/// The window of the screenshot: an A4 page at 150 dpi.
const WINDOW: (u32, u32) = (1240, 1754);

/// A campaign of 2,000 rows a month after its send: the sample the screenshot shows.
fn sample() -> ReportData {
    let first = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let on = |d: u64| first + Days::new(d);
    // 837 uses over 28 days: many in the first week, fewer later, more at weekends.
    let weights =
        [70, 70, 60, 50, 47, 55, 44, 40, 36, 31, 29, 27, 35, 30, 22, 19, 17, 16, 14, 20, 18, 11, 10, 9, 8, 12, 11, 26];
    let used_by_day: Vec<(NaiveDate, u64)> = weights.iter().enumerate().map(|(d, &n)| (on(d as u64), n)).collect();
    assert_eq!(used_by_day.iter().map(|(_, n)| n).sum::<u64>(), 837);
    let goods = |id: &str, name: &str, issued: u64, states: [u64; 6], price: i64| GoodsLine {
        product_id: Some(id.into()),
        product_name: Some(name.into()),
        issued,
        unused: states[0],
        used: states[1],
        partly_used: states[2],
        cancelled: states[3],
        expired: states[4],
        unknown: states[5],
        spent_won: price * issued as i64,
    };
    let reasons = ["응답 시간 초과 (30초)", "연결이 끊김: 응답을 받지 못함", "공급사 오류 9999: 잠시 후 다시 시도"];
    let facts = ReportFacts {
        campaign: "2026 봄맞이 고객 감사 이벤트".into(),
        vendor: "giftishow".into(),
        generated_at: "2026-04-30T00:00:00Z".parse().unwrap(),
        rows: 2_000,
        issued: 1_986,
        delivered: Some(1_941),
        coupons: CouponStates {
            unused: 1_020,
            used: 812,
            partly_used: 25,
            cancelled: 64,
            expired: 21,
            unknown: 3,
            unchecked: 41,
            details_unknown: 14,
        },
        spent_won: 10_930_000,
        refunded_won: 300_000,
        expiring: ExpiringSoon { within_days: 7, count: 230, won: 1_127_000 },
        used_by_day,
        spent_by_day: vec![(on(0), 6_120_000), (on(1), 3_880_000), (on(2), 930_000)],
        refunded_by_day: vec![(on(26), 180_000), (on(27), 120_000)],
        goods: vec![
            goods("G00000582", "아메리카노 T", 1_000, [500, 421, 0, 40, 10, 1], 4_500),
            goods("G00000611", "카페 라떼 T", 500, [250, 210, 0, 24, 6, 1], 5_000),
            goods("G00001207", "쿠키 & 머핀 <세트> 교환권", 300, [150, 115, 25, 0, 5, 1], 10_000),
            goods("G00002019", "편의점 모바일 상품권 5천원", 186, [120, 66, 0, 0, 0, 0], 5_000),
        ],
        doubts_total: 14,
        doubts: (0..14)
            .map(|i| Doubt {
                line: 37 + i * 131,
                key: Some(format!("member-{:05}", 1_000 + i * 7)),
                partner_ref: format!("CP260401{:06}{:06X}", 93_000 + i * 41, 0xA1B2C3 + i * 977),
                reason: reasons[i as usize % reasons.len()].into(),
            })
            .collect(),
        checked_oldest: Some("2026-04-29T23:05:00Z".parse().unwrap()),
    };
    ReportData::new(facts, DOUBTS_SHOWN)
}

/// Chromium, or `None` when the test is told to skip without it; panics when it is
/// missing otherwise.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("COUPON_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("COUPON_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("skipped: no Chromium at {} and COUPON_SKIP_BROWSER_TESTS=1", path.display());
        return None;
    }
    panic!(
        "no Chromium at {}: install the `chromium` package (apt-get install chromium), or point COUPON_CHROMIUM at \
         a Chromium binary, or set COUPON_SKIP_BROWSER_TESTS=1 to skip the browser tests",
        path.display()
    );
}

/// Runs headless Chromium with a fresh profile and `args`, killed (with every process
/// it started) after [`CHROMIUM_TIMEOUT`]; answers its exit status and its stdout.
fn run_chromium(chromium: &Path, work: &Path, name: &str, args: &[String]) -> (ExitStatus, String) {
    let profile = tempfile::tempdir_in(work).unwrap();
    let (out_path, err_path) = (work.join(format!("{name}.stdout")), work.join(format!("{name}.stderr")));
    let mut child = std::os::unix::process::CommandExt::process_group(
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).unwrap())
            .stderr(File::create(&err_path).unwrap()),
        0,
    )
    .spawn()
    .unwrap_or_else(|e| panic!("{} does not start: {e}", chromium.display()));
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            // Its own process group: the renderer and the other helpers go with it.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Chromium ({name}) did not finish within {CHROMIUM_TIMEOUT:?} and was killed; its stderr:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        status.success(),
        "Chromium ({name}) failed: {status}; its stderr:\n{}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    (status, stdout)
}

/// Appended to a copy of the page (never to the product's page): writes what the
/// browser laid out into `<pre id="probe">` as JSON, for `--dump-dom` to carry out.
const PROBE: &str = r#"<script>
(function () {
  var charts = Array.prototype.map.call(document.querySelectorAll(".chart"), function (e) {
    var r = e.getBoundingClientRect();
    return { class: e.getAttribute("class"), width: r.width, height: r.height };
  });
  var headline = {};
  ["rows", "issued", "used", "used-pct", "spent", "refunded", "net"].forEach(function (id) {
    var e = document.getElementById("headline-" + id);
    headline[id] = e ? e.textContent : null;
  });
  var names = Array.prototype.map.call(document.querySelectorAll(".pname"), function (e) { return e.textContent; });
  var probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({ charts: charts, headline: headline, names: names });
  document.body.appendChild(probe);
})();
</script>"#;

/// The probe's JSON out of the dumped DOM.
fn probe(dom: &str) -> Value {
    let start = dom.find(r#"<pre id="probe">"#).unwrap_or_else(|| panic!("no probe in the dumped DOM:\n{dom}"));
    let text = &dom[start + r#"<pre id="probe">"#.len()..];
    let text = &text[..text.find("</pre>").expect("the probe's end")];
    // The DOM serializer escapes these in text; nothing else.
    let json = text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}").replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("the probe is not JSON ({e}): {json}"))
}

#[test]
fn the_report_lays_out_in_chromium_with_sized_charts_and_its_headline_numbers() {
    let Some(chromium) = chromium() else { return };
    let work = tempfile::tempdir().unwrap();
    let mut page = Vec::new();
    write_html(&sample(), &mut page).unwrap();
    let page = String::from_utf8(page).unwrap();
    // Kept beside the screenshot, for a person to open.
    let original = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.html");
    std::fs::write(&original, &page).unwrap();
    let probed = work.path().join("report-probed.html");
    let body_end = page.rfind("</body>").expect("the page's body ends");
    std::fs::write(&probed, format!("{}{PROBE}\n{}", &page[..body_end], &page[body_end..])).unwrap();

    let (_, dom) = run_chromium(
        &chromium,
        work.path(),
        "dump-dom",
        &["--dump-dom".into(), format!("file://{}", probed.display())],
    );
    let probe = probe(&dom);

    let charts = probe["charts"].as_array().expect("the charts");
    let kinds: Vec<&str> = charts.iter().map(|c| c["class"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["chart funnel", "chart states", "chart curve", "chart money"]);
    for chart in charts {
        let (w, h) = (chart["width"].as_f64().unwrap(), chart["height"].as_f64().unwrap());
        assert!(w > 0.0 && h > 0.0, "a chart without a size: {chart}");
        // Scaled to the column, never squashed: the drawn aspect ratio is the viewBox's.
        assert!(w >= 500.0, "a chart narrower than the column: {chart}");
    }
    let expected = [
        ("rows", "2,000"),
        ("issued", "1,986"),
        ("used", "837"),
        ("used-pct", "42.1%"),
        ("spent", "10,930,000원"),
        ("refunded", "300,000원"),
        ("net", "10,630,000원"),
    ];
    for (id, shown) in expected {
        assert_eq!(probe["headline"][id], shown, "headline-{id} as rendered");
        assert!(dom.contains(&format!(r#"id="headline-{id}">{shown}<"#)), "headline-{id} in the rendered DOM");
    }
    assert!(
        probe["names"].as_array().unwrap().iter().any(|n| n == "쿠키 & 머핀 <세트> 교환권"),
        "a product name with markup characters reads as the text it is: {}",
        probe["names"]
    );

    // The original page, as a person sees it on an A4-sized window.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &chromium,
        work.path(),
        "screenshot",
        &[
            format!("--screenshot={}", shot.display()),
            format!("--window-size={},{}", WINDOW.0, WINDOW.1),
            format!("file://{}", original.display()),
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the screenshot is a PNG");
    let dimension = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dimension(16), dimension(20)), WINDOW, "the screenshot's size (its IHDR)");
    // A blank page of this size compresses to a few kilobytes; the report's text and charts do not.
    assert!(png.len() > 40_000, "the screenshot is almost empty ({} bytes)", png.len());
    println!("the report: {}, its screenshot: {}", original.display(), shot.display());
}
