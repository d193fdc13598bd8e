//! Giftletter: redemptions in `StatusSendEPin` and exactly their day's `ExchangeDaily`;
//! cancels refused and counted.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use coupon_sandbox::{AgeExpire, AgeRedeem, AgeRequest, AgeValidUntil, Pick, RecordState, Spread};

use crate::support::{Giftletter, sandbox};

#[tokio::test]
async fn redeemed_pins_read_used_and_each_day_reports_exactly_its_redemptions() {
    let sandbox = sandbox().await;
    let gl = Giftletter(&sandbox);
    for n in 0..20 {
        gl.issue(&format!("GL-AGE-{n:02}")).await;
    }
    let admin = sandbox.admin();
    let section = AgeRedeem::new(Pick::Fraction(0.5)).from("2026-03-01T10:00:00+09:00").over_days(5);
    let redeemed = admin.age_redeem("giftletter", 3, section).await.unwrap();
    assert_eq!(redeemed.len(), 10, "half of the 20 issued");

    let records = admin.records("giftletter").await.unwrap();
    for r in &records {
        let status = gl.status(&r.order).await;
        assert_eq!(status["rstCode"], "0");
        match &r.used_at {
            Some(at) => {
                assert_eq!(r.state, RecordState::Used);
                assert_eq!(status["use"], "Y");
                assert_eq!(status["use_date"], at.format("%Y-%m-%d %H:%M:%S").to_string());
                assert_eq!(status["branchname"], r.branch.clone().unwrap());
            }
            None => assert_eq!((r.state, &status["use"]), (RecordState::Unused, &serde_json::json!("N"))),
        }
    }
    // Spread evenly over 5 days from 10:00: every 12 hours, two a day.
    let first = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    for offset in 0..6 {
        let day = first.checked_add_days(Days::new(offset)).unwrap();
        let expected: BTreeSet<String> = records
            .iter()
            .filter(|r| r.used_at.is_some_and(|at| at.date_naive() == day))
            .map(|r| {
                let at = r.used_at.unwrap().format("%Y%m%d%H%M%S");
                format!("{}|{at}|{}", r.pin.as_deref().unwrap(), r.branch.as_deref().unwrap())
            })
            .collect();
        let listed: BTreeSet<String> = gl.exchange_daily(&day.to_string()).await.into_iter().collect();
        assert_eq!(listed, expected, "{day}");
        assert_eq!(listed.len(), if offset < 5 { 2 } else { 0 }, "{day}");
    }
    assert_eq!(sandbox.request_count("/giftletter/StatusSendEPin"), 20, "status calls are counted");
    assert_eq!(sandbox.request_count("/giftletter/mn_compare/ExchangeDaily.aspx"), 6, "report calls are counted");
}

#[tokio::test]
async fn the_same_seed_picks_the_same_coupons_and_times() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sandbox = sandbox().await;
        for n in 0..30 {
            Giftletter(&sandbox).issue(&format!("GL-SEED-{n:02}")).await;
        }
        let section = AgeRedeem::new(Pick::Count(7)).over_days(14).spread(Spread::Seed);
        let redeemed = sandbox.admin().age_redeem("giftletter", 42, section).await.unwrap();
        runs.push(redeemed.into_iter().map(|r| (r.partner_ref, r.branch)).collect::<Vec<_>>());
    }
    assert_eq!(runs[0].len(), 7);
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn cancels_refuse_used_expired_and_cancelled_pins_and_are_counted() {
    let sandbox = sandbox().await;
    let gl = Giftletter(&sandbox);
    let (used, expired, unused) = (gl.issue("GL-U").await, gl.issue("GL-E").await, gl.issue("GL-N").await);
    let admin = sandbox.admin();
    let req = AgeRequest::new("giftletter")
        .redeem(AgeRedeem::new(Pick::Coupons(vec!["GL-U".into()])))
        .expire(AgeExpire::new(Pick::Coupons(vec![expired.clone()])));
    let report = admin.age(&req).await.unwrap();
    assert_eq!(report.redeemed.len(), 1);
    assert_eq!(report.expired[0].state, RecordState::Expired);

    assert_eq!(gl.cancel(&used).await["rstCode"], "E201");
    let refused = gl.cancel(&expired).await;
    assert_eq!(refused["rstCode"], "E102", "{refused}");
    assert_eq!(gl.status(&expired).await["use"], "N", "the document's status has no word for expired");
    assert_eq!(gl.cancel(&unused).await["rstCode"], "0");
    assert_eq!(gl.cancel(&unused).await["rstCode"], "E304");
    assert_eq!(gl.status(&unused).await["use"], "C");

    let records = admin.records("giftletter").await.unwrap();
    let counts: Vec<_> = records.iter().map(|r| (r.order.as_str(), r.state, r.cancels, r.cancel_requests)).collect();
    assert_eq!(
        counts,
        [
            (used.as_str(), RecordState::Used, 0, 1),
            (expired.as_str(), RecordState::Expired, 0, 1),
            (unused.as_str(), RecordState::Cancelled, 1, 2),
        ]
    );
    assert!(records[2].cancelled_at.is_some());
    assert_eq!(sandbox.request_count("/giftletter/CancelSendEPin"), 4);
}

#[tokio::test]
async fn valid_until_sets_the_last_day_and_a_past_one_expires() {
    let sandbox = sandbox().await;
    let gl = Giftletter(&sandbox);
    for n in 0..4 {
        gl.issue(&format!("GL-V-{n}")).await;
    }
    let admin = sandbox.admin();
    let soon = admin.age_valid_until("giftletter", 0, AgeValidUntil::in_days(Pick::Count(2), 5)).await.unwrap();
    let today = coupon_sandbox::now_kst().date_naive();
    assert!(soon.iter().all(|r| r.valid_until == today.checked_add_days(Days::new(5))));
    let named = Pick::Coupons(vec!["GL-V-0".into(), "GL-V-3".into()]);
    let later = admin.age_valid_until("giftletter", 0, AgeValidUntil::day(named, "2027-01-31")).await.unwrap();
    assert_eq!(later.len(), 2);
    assert!(later.iter().all(|r| r.valid_until == NaiveDate::from_ymd_opt(2027, 1, 31)));
    let gone = admin.age_valid_until("giftletter", 0, AgeValidUntil::in_days(Pick::Coupons(vec!["GL-V-1".into()]), -1));
    assert_eq!(gone.await.unwrap()[0].state, RecordState::Expired);
    let records = admin.records("giftletter").await.unwrap();
    assert_eq!(records.iter().filter(|r| r.state == RecordState::Expired).count(), 1);
}
