//! Giftishow: every section as `0201` then reports it; cancels refused and counted;
//! a failed delivery resent.

use chrono::{Days, Timelike};
use coupon_sandbox::{
    AgeDeliveryFailed, AgeExpire, AgePartlyUse, AgeRedeem, AgeRequest, AgeValidUntil, Pick, RecordDelivery, RecordState,
};

use crate::support::{Giftishow, sandbox};

const AMERICANO: &str = "G00001621744";
/// A 10,000-won 금액권.
const CU_10000: &str = "G00000750717";

fn names(list: &[&str]) -> Pick {
    Pick::Coupons(list.iter().map(|s| (*s).to_owned()).collect())
}

#[tokio::test]
async fn every_section_shows_in_the_coupon_detail_and_the_records() {
    let sandbox = sandbox().await;
    let gs = Giftishow(&sandbox);
    for tr in ["GS-R", "GS-E", "GS-V", "GS-D", "GS-N"] {
        gs.send(tr, AMERICANO).await;
    }
    gs.send("GS-P", CU_10000).await;
    // Two days ago, in whole seconds: redemptions may lie in the past.
    let at = coupon_sandbox::now_kst().with_nanosecond(0).unwrap() - chrono::TimeDelta::days(2);
    let req = AgeRequest::new("giftishow")
        .redeem(AgeRedeem::new(names(&["GS-R"])).from(at.to_rfc3339()).branch("강남점"))
        .partly_use(AgePartlyUse::leaving(names(&["GS-P"]), 2500))
        .expire(AgeExpire::new(names(&["GS-E"])))
        .valid_until(AgeValidUntil::in_days(names(&["GS-V"]), 3))
        .delivery_failed(AgeDeliveryFailed::new(names(&["GS-D"])));
    let report = sandbox.admin().age(&req).await.unwrap();
    assert_eq!(report.vendor, "giftishow");
    let one =
        |list: &[coupon_sandbox::CouponRecord]| list.iter().map(|r| r.partner_ref.clone().unwrap()).collect::<Vec<_>>();
    assert_eq!(
        [&report.redeemed, &report.partly_used, &report.expired, &report.valid_until, &report.delivery_failed]
            .map(|l| one(l)),
        [["GS-R"], ["GS-P"], ["GS-E"], ["GS-V"], ["GS-D"]].map(|l| l.map(str::to_owned).to_vec())
    );

    let today = coupon_sandbox::now_kst().date_naive();
    let used = gs.detail("GS-R").await;
    let correc = at.format("%Y%m%d%H%M%S").to_string();
    assert_eq!((&used["pinStatusCd"], &used["correcDtm"]), (&"02".into(), &correc.into()));
    let partly = gs.detail("GS-P").await;
    assert_eq!((&partly["pinStatusCd"], &partly["remainAmt"]), (&"01".into(), &"2500".into()));
    let expired = gs.detail("GS-E").await;
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap().format("%Y%m%d").to_string();
    assert_eq!((&expired["pinStatusCd"], &expired["validPrdEndDt"]), (&"08".into(), &yesterday.into()));
    let moved = gs.detail("GS-V").await;
    let in_3 = today.checked_add_days(Days::new(3)).unwrap().format("%Y%m%d").to_string();
    assert_eq!((&moved["pinStatusCd"], &moved["validPrdEndDt"]), (&"01".into(), &in_3.into()));
    let failed = gs.detail("GS-D").await;
    assert_eq!((&failed["sendStatusCd"], &failed["sendRstCd"]), (&"03".into(), &"ERR0999".into()));
    let fine = gs.detail("GS-N").await;
    assert_eq!(
        (&fine["sendStatusCd"], &fine["sendRstCd"], &fine["pinStatusCd"]),
        (&"02".into(), &"0000".into(), &"01".into())
    );

    let records = sandbox.admin().records("giftishow").await.unwrap();
    let states: Vec<_> =
        records.iter().map(|r| (r.partner_ref.as_deref().unwrap(), r.state, r.vendor_status.as_str())).collect();
    assert_eq!(
        states,
        [
            ("GS-R", RecordState::Used, "02"),
            ("GS-E", RecordState::Expired, "08"),
            ("GS-V", RecordState::Unused, "01"),
            ("GS-D", RecordState::Unused, "01"),
            ("GS-N", RecordState::Unused, "01"),
            ("GS-P", RecordState::PartlyUsed, "01"),
        ]
    );
    assert_eq!(
        (records[0].branch.as_deref(), records[0].used_at.map(|t| t.to_rfc3339())),
        (Some("강남점"), Some(at.to_rfc3339()))
    );
    assert_eq!(records[5].remaining, Some(2500));
    assert_eq!(records[3].delivery, Some(RecordDelivery::Failed));
    assert_eq!(records[4].delivery, Some(RecordDelivery::Delivered));

    // The resend of an undelivered coupon delivers it.
    assert_eq!(gs.resend("GS-D").await["code"], "0000");
    assert_eq!(gs.detail("GS-D").await["sendStatusCd"], "02");
    let after = &sandbox.admin().records("giftishow").await.unwrap()[3];
    assert_eq!((after.delivery, after.resends), (Some(RecordDelivery::Delivered), 1));
    assert_eq!(sandbox.request_count("/giftishow/bizApi/coupons"), 7, "detail calls are counted");
}

#[tokio::test]
async fn cancels_refuse_used_partly_used_expired_and_cancelled_coupons_and_are_counted() {
    let sandbox = sandbox().await;
    let gs = Giftishow(&sandbox);
    for tr in ["GS-C-U", "GS-C-E", "GS-C-N"] {
        gs.send(tr, AMERICANO).await;
    }
    gs.send("GS-C-P", CU_10000).await;
    let req = AgeRequest::new("giftishow")
        .redeem(AgeRedeem::new(names(&["GS-C-U"])))
        .partly_use(AgePartlyUse::leaving(names(&["GS-C-P"]), 1))
        .expire(AgeExpire::new(names(&["GS-C-E"])));
    sandbox.admin().age(&req).await.unwrap();
    assert_eq!(gs.cancel("GS-C-U").await["code"], "ERR0805");
    assert_eq!(gs.cancel("GS-C-P").await["code"], "ERR0805");
    assert_eq!(gs.cancel("GS-C-E").await["code"], "ERR0805");
    assert_eq!(gs.cancel("GS-C-N").await["code"], "0000");
    assert_eq!(gs.cancel("GS-C-N").await["code"], "ERR0808");
    let records = sandbox.admin().records("giftishow").await.unwrap();
    let counts: Vec<_> =
        records.iter().map(|r| (r.partner_ref.as_deref().unwrap(), r.state, r.cancels, r.cancel_requests)).collect();
    assert_eq!(
        counts,
        [
            ("GS-C-U", RecordState::Used, 0, 1),
            ("GS-C-E", RecordState::Expired, 0, 1),
            ("GS-C-N", RecordState::Cancelled, 1, 2),
            ("GS-C-P", RecordState::PartlyUsed, 0, 1),
        ]
    );
}

#[tokio::test]
async fn fractions_pick_among_the_coupons_a_section_can_change() {
    let sandbox = sandbox().await;
    let gs = Giftishow(&sandbox);
    for n in 0..10 {
        gs.send(&format!("GS-F-{n}"), AMERICANO).await;
    }
    let admin = sandbox.admin();
    let req = AgeRequest::new("giftishow")
        .seed(9)
        .redeem(AgeRedeem::new(Pick::Fraction(0.4)).over_days(3))
        .expire(AgeExpire::new(Pick::Fraction(0.3)))
        .delivery_failed(AgeDeliveryFailed::new(Pick::Count(3)));
    let report = admin.age(&req).await.unwrap();
    assert_eq!((report.redeemed.len(), report.expired.len(), report.delivery_failed.len()), (4, 3, 3));
    let records = admin.records("giftishow").await.unwrap();
    let count = |s| records.iter().filter(|r| r.state == s).count();
    assert_eq!((count(RecordState::Used), count(RecordState::Expired), count(RecordState::Unused)), (4, 3, 3));
    assert!(
        report.delivery_failed.iter().all(|r| r.state == RecordState::Unused),
        "a fraction fails only the delivery of unused coupons"
    );
    // Only 3 unused are left: a fourth cannot be picked, and nothing changes.
    let refused = admin.age(&AgeRequest::new("giftishow").expire(AgeExpire::new(Pick::Count(4)))).await;
    assert!(matches!(refused, Err(coupon_sandbox::SandboxError::Admin { status: 409, .. })), "{refused:?}");
    assert_eq!(admin.records("giftishow").await.unwrap(), records);
}
