//! After the send, through the Rust API against the sandbox over loopback, on a real
//! journal (SQLite; PostgreSQL too with the `postgres` feature, see `backend`): the
//! sandbox ages the vendor's coupons, then `sync` must find every coupon's state as the
//! vendor knows it, with no call it does not need; `cancel` must refund only what the
//! vendor still holds unused; the report and `status` must say the same numbers.

mod backend;
mod life;

use std::time::Duration;

use coupon::chrono::{DateTime, TimeDelta, Utc};
use coupon::time::{kst, now_kst, today_kst};
use coupon_campaign::{
    self as campaign, CancelOptions, CancelSelection, SyncOptions, SyncReport, build_report, lifecycle,
};
use coupon_journal::{Campaign, CancelState, CouponState, StateSource};
use coupon_sandbox::{AgeExpire, AgePartlyUse, AgeRedeem, AgeRequest, AgeValidUntil, Pick, RecordState};

use backend::on_every_backend;
use life::{GIFTISHOW_DETAIL, GIFTLETTER_REPORT, GIFTLETTER_STATUS, World, fast, state_of};

on_every_backend!(
    sync_finds_every_giftishow_coupon_as_the_vendor_knows_it_and_never_asks_a_final_one_again,
    sync_reads_each_days_report_once_and_asks_status_only_for_what_the_reports_leave_open,
    a_coupon_used_between_the_sync_and_the_cancel_is_refused_and_recorded_used_never_cancelled,
    expiring_within_selects_only_coupons_whose_last_day_is_that_close,
);

/// A whole second, as RFC 3339 (vendors keep times to the second).
fn rfc3339(at: DateTime<coupon::chrono::FixedOffset>) -> String {
    at.with_timezone(&kst()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

async fn sync(w: &World, c: &Campaign, vendor: &str, stale: Duration) -> SyncReport {
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    let options = SyncOptions::new(fast()).stale(stale);
    campaign::sync(&*w.journal, w.adapter(vendor), c, &options, interrupt, &|_| {}).await.unwrap()
}

/// `build_report`'s numbers are `lifecycle`'s (what `status` shows), the same journal read twice.
async fn assert_report_agrees(w: &World, c: &Campaign, within_days: u32) {
    let status = lifecycle(&*w.journal, c, within_days).await.unwrap();
    let report = build_report(&*w.journal, c, within_days).await.unwrap();
    assert_eq!(
        serde_json::to_value(report.coupons).unwrap(),
        serde_json::to_value(status.coupons).unwrap(),
        "coupons by state"
    );
    assert_eq!(
        (report.expiring.within_days, report.expiring.count, report.expiring.won),
        (status.expiring.within_days, status.expiring.count, status.expiring.won)
    );
    assert_eq!((report.headline.spent_won, report.headline.refunded_won), (status.spent_won, status.refunded_won));
    assert_eq!(report.headline.used, status.coupons.used + status.coupons.partly_used);
}

/// 12 coupons of the sample goods and 6 of a 금액권: 4 + 1 redeemed (the 금액권 spent
/// whole), 3 금액권 spent down to 3,000 won, 3 + 1 expired, 6 left unused.
async fn sync_finds_every_giftishow_coupon_as_the_vendor_knows_it_and_never_asks_a_final_one_again(w: &World) {
    let (plain, stored) = (w.sample_goods("giftishow"), w.giftishow_stored_value_goods().await);
    let goods: Vec<String> = (0..18).map(|i| if i < 12 { plain.clone() } else { stored.clone() }).collect();
    let c = w.issued("aged", "giftishow", &goods).await;
    let now = now_kst();
    let aged = AgeRequest::new("giftishow")
        .seed(3)
        .redeem(
            AgeRedeem::new(Pick::Coupons(w.refs(&c, [0, 1, 2, 3, 12]).await))
                .from(rfc3339((now - TimeDelta::days(2)).fixed_offset()))
                .over_days(1),
        )
        .partly_use(AgePartlyUse {
            from: Some(rfc3339((now - TimeDelta::hours(5)).fixed_offset())),
            ..AgePartlyUse::leaving(Pick::Coupons(w.refs(&c, [13, 14, 15]).await), 3_000)
        })
        .expire(AgeExpire::new(Pick::Coupons(w.refs(&c, [4, 5, 6, 16]).await)));
    let report = w.sandbox.admin().age(&aged).await.unwrap();
    assert_eq!((report.redeemed.len(), report.partly_used.len(), report.expired.len()), (5, 3, 4));

    let before = w.count(GIFTISHOW_DETAIL).await;
    let synced = sync(w, &c, "giftishow", Duration::ZERO).await;
    assert_eq!(synced.progress.checked, 18, "{synced:?}");
    assert_eq!(synced.progress.failed, 0, "{synced:?}");
    assert_eq!(w.count(GIFTISHOW_DETAIL).await - before, 18, "one look-up per coupon, none final yet");

    let truth = w.records("giftishow").await;
    let mut seen = std::collections::BTreeMap::new();
    for row in w.rows(&c).await {
        let record = &truth[row.partner_ref.as_str()];
        let line = row.line;
        let state = state_of(record);
        *seen.entry(state.as_str()).or_insert(0) += 1;
        assert_eq!(row.life.state, Some(state), "line {line}: {record:?}");
        assert_eq!(row.life.used_at, record.used_at.map(|t| t.with_timezone(&Utc)), "line {line}: {record:?}");
        let remaining = record.remaining.filter(|_| record.state == RecordState::PartlyUsed).map(|r| r as i64);
        assert_eq!(row.life.remaining, remaining, "line {line}: {record:?}");
        assert_eq!(row.life.valid_until, record.valid_until, "line {line}: {record:?}");
        assert!(row.life.checked_at.is_some(), "line {line}");
    }
    let expected = [("expired", 4), ("partly_used", 3), ("unused", 6), ("used", 5)];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), expected);
    assert_report_agrees(w, &c, 7).await;

    // One more redeemed since: the next sync asks the 9 coupons not final, not the 9 final ones.
    w.sandbox.admin().age_redeem("giftishow", 4, AgeRedeem::new(Pick::Coupons(w.refs(&c, [7]).await))).await.unwrap();
    let before = w.count(GIFTISHOW_DETAIL).await;
    let again = sync(w, &c, "giftishow", Duration::ZERO).await;
    assert_eq!(again.progress.checked, 9, "{again:?}");
    assert_eq!(w.count(GIFTISHOW_DETAIL).await - before, 9);
    let k7 = w.row(&c, "k7").await;
    assert_eq!(k7.life.state, Some(CouponState::Used));
    let history = w.journal.history(&c, None, 1_000).await.unwrap();
    let k7_changes: Vec<_> = history.iter().filter(|h| h.row == k7.id).map(|h| (h.from, h.to, h.source)).collect();
    assert_eq!(
        k7_changes,
        [
            (None, CouponState::Unused, StateSource::Status),
            (Some(CouponState::Unused), CouponState::Used, StateSource::Status)
        ]
    );

    // Checked a moment ago: with --stale 1h nothing is asked at all.
    let before = w.count(GIFTISHOW_DETAIL).await;
    let fresh = sync(w, &c, "giftishow", Duration::from_secs(3_600)).await;
    assert_eq!((fresh.progress.checked, w.count(GIFTISHOW_DETAIL).await - before), (0, 0), "{fresh:?}");
}

/// Issue days moved back so the campaign spans 7 days; 40 % redeemed over them. The
/// reports settle the used coupons (7 report calls, at most 8); status asks only the rest.
async fn sync_reads_each_days_report_once_and_asks_status_only_for_what_the_reports_leave_open(w: &World) {
    let n = w.size(300, 70);
    let goods = vec![w.sample_goods("giftletter"); n];
    let c = w.issued("week", "giftletter", &goods).await;
    // Line L was issued (L mod 7) days ago: days today-6 … today, as a week-long send would be.
    w.execute(format!(
        "UPDATE campaign_rows SET first_sent_at = first_sent_at - (line % 7) * 86400000 WHERE campaign_id = {}",
        c.id.0
    ))
    .await;
    let issue_days = w.journal.figures(&c).await.unwrap().issued_by_day;
    assert_eq!(issue_days.len(), 7, "{issue_days:?}");
    assert_eq!(issue_days[0].0, today_kst() - TimeDelta::days(6));

    // From the first issue day to a day ago, never in the future nor before the first issue.
    let from = now_kst() - TimeDelta::days(6) + TimeDelta::minutes(1);
    let redeemed = w
        .sandbox
        .admin()
        .age_redeem(
            "giftletter",
            9,
            AgeRedeem::new(Pick::Fraction(0.4)).from(rfc3339(from.fixed_offset())).over_days(5),
        )
        .await
        .unwrap();
    let used = redeemed.len();
    assert_eq!(used, (n as f64 * 0.4).round() as usize);

    let (reports, statuses) = (w.count(GIFTLETTER_REPORT).await, w.count(GIFTLETTER_STATUS).await);
    let synced = sync(w, &c, "giftletter", Duration::ZERO).await;
    assert_eq!(synced.progress.reports_read, 7, "one report per issue day: {synced:?}");
    assert_eq!(w.count(GIFTLETTER_REPORT).await - reports, 7);
    assert_eq!(synced.days_remembered, 6, "every day but today had ended");
    assert_eq!(synced.progress.matched_by_report, used as u64, "{synced:?}");
    assert_eq!(synced.progress.checked, (n - used) as u64, "{synced:?}");
    assert_eq!(w.count(GIFTLETTER_STATUS).await - statuses, (n - used) as u64, "status only for what is left open");

    let truth = w.records("giftletter").await;
    let rows = w.rows(&c).await;
    for row in &rows {
        let record = &truth[row.partner_ref.as_str()];
        assert_eq!(row.life.state, Some(state_of(record)), "line {}: {record:?}", row.line);
        if record.state == RecordState::Used {
            let at = record.used_at.expect("a time of use");
            assert_eq!(row.life.used_at, Some(at.with_timezone(&Utc)), "line {}: the report's time", row.line);
            assert!(row.life.used_place.is_some(), "line {}: the report's branch", row.line);
        }
    }
    // Learnt from the reports: each used coupon's one change says so.
    let history = w.journal.history(&c, None, 100_000).await.unwrap();
    let from_reports = history.iter().filter(|h| h.to == CouponState::Used && h.source == StateSource::Report).count();
    assert_eq!((from_reports, history.len()), (used, n), "one change per row, the used ones from the reports");
    let by_day = w.journal.figures(&c).await.unwrap().used_by_day;
    let mut truth_by_day = std::collections::BTreeMap::new();
    for r in redeemed.iter() {
        *truth_by_day.entry(r.used_at.unwrap().with_timezone(&kst()).date_naive()).or_insert(0u64) += 1;
    }
    assert_eq!(by_day, truth_by_day.into_iter().collect::<Vec<_>>(), "each redemption on its day");
    assert_report_agrees(w, &c, 7).await;

    // Again: the ended days are remembered; only today's report is read.
    let reports = w.count(GIFTLETTER_REPORT).await;
    let again = sync(w, &c, "giftletter", Duration::ZERO).await;
    assert_eq!((again.progress.reports_read, again.progress.matched_by_report), (1, 0), "{again:?}");
    assert_eq!(w.count(GIFTLETTER_REPORT).await - reports, 1);
}

/// A coupon synced unused, then redeemed before the cancel: the vendor refuses its cancel,
/// and the journal records it used (refused), while the others are cancelled once.
async fn a_coupon_used_between_the_sync_and_the_cancel_is_refused_and_recorded_used_never_cancelled(w: &World) {
    for vendor in ["giftletter", "giftishow"] {
        let goods = vec![w.sample_goods(vendor); 6];
        let c = w.issued(&format!("late-{vendor}"), vendor, &goods).await;
        let synced = sync(w, &c, vendor, Duration::ZERO).await;
        assert_eq!(w.journal.figures(&c).await.unwrap().coupons.unused, 6, "{synced:?}");
        let late = w.refs(&c, [2]).await;
        w.sandbox.admin().age_redeem(vendor, 1, AgeRedeem::new(Pick::Coupons(late.clone()))).await.unwrap();

        let (_keep, interrupt) = tokio::sync::watch::channel(false);
        let options = CancelOptions::new(fast()).sync_first(false).max_age(Duration::from_secs(3_600));
        let selection = CancelSelection::new().unused(true);
        let done = campaign::cancel(w.journal.clone(), w.adapter(vendor), &c, &selection, &options, interrupt, &|_| {})
            .await
            .unwrap();
        assert!(done.synced.is_none(), "{vendor}: the last sync was fresh enough: nothing synced first");
        assert_eq!((done.progress.cancelled, done.progress.refused, done.doubts_left), (5, 1, 0), "{vendor}: {done:?}");

        let k2 = w.row(&c, "k2").await;
        assert_eq!(k2.life.state, Some(CouponState::Used), "{vendor}: {:?}", k2.life);
        assert_eq!(k2.life.cancel_state, Some(CancelState::Refused), "{vendor}: {:?}", k2.life);
        let truth = w.records(vendor).await;
        for row in w.rows(&c).await {
            let record = &truth[row.partner_ref.as_str()];
            if row.partner_ref.as_str() == late[0] {
                assert_eq!((record.state, record.cancels), (RecordState::Used, 0), "{vendor}: {record:?}");
            } else {
                assert_eq!((record.state, record.cancels), (RecordState::Cancelled, 1), "{vendor}: {record:?}");
                assert_eq!(row.life.cancel_state, Some(CancelState::Cancelled), "{vendor} line {}", row.line);
            }
        }
        assert_report_agrees(w, &c, 7).await;
        let status = lifecycle(&*w.journal, &c, 7).await.unwrap();
        let price = w.rows(&c).await[0].price.expect("a priced row");
        assert_eq!(status.refunded_won, 5 * price, "{vendor}");
    }
}

/// Giftishow coupons whose last day is in 2 days are cancelled by `--expiring-within 3d`;
/// those of 10 days and the catalog's validity are not.
async fn expiring_within_selects_only_coupons_whose_last_day_is_that_close(w: &World) {
    let goods = vec![w.sample_goods("giftishow"); 8];
    let c = w.issued("expiring", "giftishow", &goods).await;
    let admin = w.sandbox.admin();
    admin
        .age_valid_until("giftishow", 0, AgeValidUntil::in_days(Pick::Coupons(w.refs(&c, 0..3).await), 2))
        .await
        .unwrap();
    admin
        .age_valid_until("giftishow", 0, AgeValidUntil::in_days(Pick::Coupons(w.refs(&c, 3..5).await), 10))
        .await
        .unwrap();
    sync(w, &c, "giftishow", Duration::ZERO).await;
    assert_eq!(w.row(&c, "k0").await.life.valid_until, Some(today_kst() + TimeDelta::days(2)));

    let selection = CancelSelection::new().expiring_within_days(Some(3));
    let preview = campaign::preview_cancel(&*w.journal, &c, &selection).await.unwrap();
    assert_eq!(preview.count, 3, "{preview:?}");
    let (_keep, interrupt) = tokio::sync::watch::channel(false);
    let options = CancelOptions::new(fast());
    let done =
        campaign::cancel(w.journal.clone(), w.adapter("giftishow"), &c, &selection, &options, interrupt, &|_| {})
            .await
            .unwrap();
    assert_eq!((done.progress.cancelled, done.progress.refused), (3, 0), "{done:?}");

    let truth = w.records("giftishow").await;
    let close = w.refs(&c, 0..3).await;
    for row in w.rows(&c).await {
        let record = &truth[row.partner_ref.as_str()];
        if close.contains(&row.partner_ref.to_string()) {
            assert_eq!((record.state, record.cancels), (RecordState::Cancelled, 1), "{record:?}");
        } else {
            assert_eq!((record.state, record.cancel_requests), (RecordState::Unused, 0), "{record:?}");
            assert_eq!(row.life.cancel_state, None, "line {}", row.line);
        }
    }
    // The two of 10 days are what expires within 14; the report says so too.
    let status = lifecycle(&*w.journal, &c, 14).await.unwrap();
    assert_eq!((status.expiring.count, status.coupons.cancelled), (2, 3), "{status:?}");
    assert_report_agrees(w, &c, 14).await;
}
