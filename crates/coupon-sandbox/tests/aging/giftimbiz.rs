//! GiftiMbiz: redemptions and validity as buyGifticonList reports them.

use chrono::{Days, NaiveDate, Timelike};
use coupon_sandbox::{AgeExpire, AgeRedeem, AgeRequest, AgeValidUntil, Pick, RecordState};

use crate::support::{Giftimbiz, sandbox};

#[tokio::test]
async fn redeemed_and_expired_purchases_show_in_the_purchase_list() {
    let sandbox = sandbox().await;
    let gm = Giftimbiz::new(&sandbox).await;
    let tids = gm.buy(4).await;
    // Tomorrow, in whole seconds: redemptions may lie in the future.
    let at = coupon_sandbox::now_kst().with_nanosecond(0).unwrap() + chrono::TimeDelta::days(1);
    let req = AgeRequest::new("giftimbiz")
        .redeem(AgeRedeem::new(Pick::Coupons(vec![tids[0].clone()])).from(at.to_rfc3339()))
        .expire(AgeExpire::new(Pick::Coupons(vec![tids[1].clone()])))
        .valid_until(AgeValidUntil::day(Pick::Coupons(vec![tids[2].clone()]), "2027-02-28"));
    let report = sandbox.admin().age(&req).await.unwrap();
    assert_eq!((report.redeemed.len(), report.expired.len(), report.valid_until.len()), (1, 1, 1));

    let used = gm.listed(&tids[0]).await;
    let use_date = at.format("%Y-%m-%d %H:%M:%S").to_string();
    assert_eq!((&used["use_yn"], &used["use_date"]), (&"Y".into(), &use_date.into()));
    let today = coupon_sandbox::now_kst().date_naive();
    let expired = gm.listed(&tids[1]).await;
    assert_eq!(expired["use_yn"], "N");
    assert_eq!(expired["endtime"], format!("{today} 00:00:00"), "it ended at today's first moment");
    assert_eq!(gm.listed(&tids[2]).await["endtime"], "2027-03-01 00:00:00", "the moment after the last day");

    let records = sandbox.admin().records("giftimbiz").await.unwrap();
    let states: Vec<_> = records.iter().map(|r| (r.order.clone(), r.state, r.vendor_status.clone())).collect();
    let expected = [RecordState::Used, RecordState::Expired, RecordState::Unused, RecordState::Unused];
    let yes_no = ["Y", "N", "N", "N"];
    for (k, (order, state, word)) in states.into_iter().enumerate() {
        assert_eq!((order.as_str(), state, word.as_str()), (tids[k].as_str(), expected[k], yes_no[k]));
    }
    assert_eq!(records[1].valid_until, today.checked_sub_days(Days::new(1)));
    assert_eq!(records[2].valid_until, NaiveDate::from_ymd_opt(2027, 2, 28));
    assert!(records.iter().all(|r| r.partner_ref.is_none() && r.cancels == 0 && r.delivery.is_none()));
    assert_eq!(sandbox.request_count("/giftimbiz/api/v1/giftimbiz/buyGifticonList"), 3);
}
