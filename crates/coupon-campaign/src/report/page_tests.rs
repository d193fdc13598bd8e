//! The page as a reader and a printer see it: self-contained, escaped, formatted, and
//! whole even with no data at all.

use coupon_core::chrono::NaiveDate;

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, d).unwrap()
}

fn facts() -> ReportFacts {
    ReportFacts {
        campaign: "spring-event".into(),
        vendor: "acme".into(),
        generated_at: "2026-04-20T01:02:03Z".parse().unwrap(),
        rows: 1_000_000,
        issued: 999_000,
        delivered: Some(990_000),
        coupons: CouponStates {
            unused: 500_000,
            used: 400_000,
            partly_used: 12_345,
            cancelled: 50_000,
            expired: 30_000,
            unknown: 655,
            unchecked: 6_000,
            details_unknown: 70,
        },
        spent_won: 9_990_000_000,
        refunded_won: 500_000_000,
        expiring: ExpiringSoon { within_days: 7, count: 23_000, won: 230_000_000 },
        used_by_day: (1..=20).map(|d| (day(d), 20_000)).collect(),
        spent_by_day: (1..=3).map(|d| (day(d), 3_330_000_000)).collect(),
        refunded_by_day: vec![(day(18), 500_000_000)],
        goods: vec![GoodsLine {
            product_id: Some("G-001".into()),
            product_name: Some("아메리카노 T".into()),
            issued: 999_000,
            unused: 500_000,
            used: 400_000,
            partly_used: 12_345,
            cancelled: 50_000,
            expired: 30_000,
            unknown: 655,
            spent_won: 9_990_000_000,
        }],
        doubts_total: 250,
        doubts: (1..=250)
            .map(|line| Doubt {
                line,
                key: Some(format!("K{line}")),
                partner_ref: format!("CP{line:06}"),
                reason: "timeout".into(),
            })
            .collect(),
        checked_oldest: Some("2026-04-19T23:00:00Z".parse().unwrap()),
    }
}

fn empty_facts() -> ReportFacts {
    ReportFacts {
        campaign: "empty".into(),
        vendor: "acme".into(),
        generated_at: "2026-04-20T01:02:03Z".parse().unwrap(),
        rows: 0,
        issued: 0,
        delivered: None,
        coupons: CouponStates::default(),
        spent_won: 0,
        refunded_won: 0,
        expiring: ExpiringSoon::default(),
        used_by_day: vec![],
        spent_by_day: vec![],
        refunded_by_day: vec![],
        goods: vec![],
        doubts_total: 0,
        doubts: vec![],
        checked_oldest: None,
    }
}

fn render(facts: ReportFacts) -> String {
    let mut page = Vec::new();
    write_html(&ReportData::new(facts, DOUBTS_SHOWN), &mut page).unwrap();
    String::from_utf8(page).unwrap()
}

/// The `<svg class="chart …">` tags of the page.
fn chart_tags(page: &str) -> Vec<&str> {
    page.match_indices("<svg class=\"chart").map(|(at, _)| &page[at..at + page[at..].find('>').unwrap()]).collect()
}

#[test]
fn the_headline_numbers_are_formatted_with_separators_and_won() {
    let page = render(facts());
    for (id, shown) in [
        ("rows", "1,000,000"),
        ("issued", "999,000"),
        ("used", "412,345"),
        ("used-pct", "41.3%"),
        ("spent", "9,990,000,000원"),
        ("refunded", "500,000,000원"),
        ("net", "9,490,000,000원"),
    ] {
        assert!(page.contains(&format!(r#"id="headline-{id}">{shown}<"#)), "headline-{id} should read {shown}");
    }
    assert!(page.contains("23,000장"), "the expiring count");
    assert!(page.contains("230,000,000원"), "the expiring money");
    assert!(page.contains("2026-04-20 10:02 KST"), "the time it was made, in KST");
}

#[test]
fn the_page_needs_no_script_and_no_network() {
    for page in [render(facts()), render(empty_facts())] {
        let lower = page.to_ascii_lowercase();
        for banned in
            ["<script", "http://", "https://", "src=", "href=", "@import", "<link", "<img", "<iframe", "//fonts."]
        {
            assert!(!lower.contains(banned), "the page contains {banned:?}");
        }
        // The only url() is the clip path's reference inside the page.
        for (at, _) in lower.match_indices("url(") {
            assert!(lower[at..].starts_with("url(#"), "an outside url() at {}", &lower[at..at + 40]);
        }
    }
}

#[test]
fn it_prints_on_a4_without_splitting_a_chart() {
    let page = render(facts());
    assert!(page.contains("@page { size: A4;"));
    assert!(page.contains("section { margin-bottom: 26px; break-inside: avoid;"));
    assert!(page.contains("<html lang=\"ko\">") && page.contains("<meta charset=\"utf-8\">"));
}

#[test]
fn text_from_the_csv_and_the_vendor_is_escaped_everywhere() {
    let evil = r#"<script>alert("x")</script>&'"#;
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;";
    let mut f = facts();
    f.campaign = evil.into();
    f.vendor = evil.into();
    f.goods[0].product_name = Some(format!("<img src=x onerror=alert(1)>{evil}"));
    f.goods[0].product_id = Some(evil.into());
    f.doubts[0] = Doubt { line: 1, key: Some(evil.into()), partner_ref: evil.into(), reason: evil.into() };
    let page = render(f);
    assert!(!page.contains("<script") && !page.contains("<img"), "raw markup got through");
    // Title, heading, vendor, product name, product id, key, partner reference, reason.
    assert!(page.matches(escaped).count() >= 8, "{}", page.matches(escaped).count());
}

#[test]
fn every_chart_keeps_a_size_and_says_so_when_it_has_no_data() {
    let page = render(empty_facts());
    let charts = chart_tags(&page);
    assert_eq!(charts.len(), 4, "funnel, states, curve, money: {charts:?}");
    for tag in &charts {
        assert!(tag.contains(r#"width="720""#), "{tag}");
        let height: f64 = tag.split(r#"height=""#).nth(1).and_then(|h| h.split('"').next()).unwrap().parse().unwrap();
        assert!(height >= 30.0, "{tag}");
    }
    assert_eq!(page.matches("데이터 없음").count(), 5, "four empty charts and the empty goods table");
    assert!(page.contains("확인이 필요한 행이 없습니다."));
    assert!(page.contains(r#"id="headline-used-pct">0.0%<"#));
}

#[test]
fn charts_with_data_draw_their_marks_and_no_empty_face() {
    let page = render(facts());
    assert_eq!(chart_tags(&page).len(), 4);
    assert!(!page.contains("데이터 없음"));
    assert!(page.contains(r#"<polyline class="line""#), "the cumulative curve");
    assert!(page.contains(r#"<rect class="spent""#) && page.contains(r#"<rect class="refunded""#), "the money bars");
    assert!(page.contains(r#"class="step step-delivered""#), "the delivered step when the vendor reports delivery");
}

#[test]
fn the_funnel_leaves_out_delivery_when_the_vendor_does_not_report_it() {
    let mut f = facts();
    f.delivered = None;
    let page = render(f);
    assert!(!page.contains(r#"class="step step-delivered""#) && !page.contains(">전달<"));
    assert!(page.contains(r#"class="step step-issued""#) && page.contains(r#"class="step step-used""#));
    assert!(page.contains("공급사가 전달 여부를 알려 주지 않음"));
}

#[test]
fn the_doubts_list_is_capped_and_says_how_many_there_are() {
    let page = render(facts());
    assert!(page.contains("전체 250건 중 앞의 200건"));
    assert!(page.contains("CP000200") && !page.contains("CP000201"));
}

#[test]
fn the_goods_table_totals_several_products() {
    let mut f = facts();
    let mut second = f.goods[0].clone();
    second.product_name = None;
    second.product_id = Some("G-002".into());
    second.issued = 1;
    second.spent_won = 10_000;
    f.goods.push(second);
    let page = render(f);
    assert!(page.contains("<tfoot><tr><td class=\"text\">합계</td><td>999,001</td>"), "issued in all");
    assert!(page.contains("<td>9,990,010,000원</td></tr></tfoot>"), "spent in all");
    assert!(page.contains(r#"<span class="pname">G-002</span>"#), "a product without a name shows its id");
}
