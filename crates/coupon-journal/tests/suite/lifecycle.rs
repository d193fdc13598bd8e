//! The coupon's life after its issue, whatever the backend: checks and their history,
//! rows found by PIN hash, report days, cancels, resends and the figures.

use std::time::Duration;

use coupon_core::chrono::{DateTime, NaiveDate, TimeZone, Utc};
use coupon_core::time::{KstDateTime, kst};
use coupon_core::{
    CouponCheck, CouponStatus, Delivery, Error, ErrorKind, Issued, OrderRef, Pin, Reconciliation, Vendor, VendorCode,
    Won,
};
use coupon_journal::{
    Campaign, CancelClaim, CancelFilter, CancelRecord, CancelState, Claim, CouponState, Expiring, Journal,
    JournalError, NewRow, Row, RowId, RowState, StateSource,
};

use super::{Fixture, LONG, doubt, ids, issued_for, new_row, refusal, spec};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn kst_time(y: i32, m: u32, d: u32, h: u32, min: u32) -> KstDateTime {
    kst().with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn utc(t: KstDateTime) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}

/// Line `line`'s PIN: one per row, so each has its own hash.
fn pin_of(line: u64) -> String {
    format!("9{line:011}")
}

/// A campaign of `rows`, every one issued with its own PIN.
async fn issued_campaign(j: &dyn Journal, name: &str, rows: Vec<NewRow>) -> (Campaign, Vec<Row>) {
    let c = j.create_campaign(&spec(name, false)).await.unwrap().campaign;
    j.insert_rows(&c, &rows).await.unwrap();
    let claimed = j.claim(&Claim::new(&c, "w", rows.len(), LONG)).await.unwrap();
    j.mark_sending(&ids(&claimed), "w", None).await.unwrap();
    for r in &claimed {
        j.record_issued(r.id, &issued_for(r, Some(&pin_of(r.line)))).await.unwrap();
    }
    let rows = j.rows(&c, None, None, 1_000).await.unwrap();
    (c, rows)
}

/// `n` rows keyed `k1…kn`, issued.
async fn issued_rows(j: &dyn Journal, name: &str, n: u64) -> (Campaign, Vec<Row>) {
    issued_campaign(j, name, super::rows(1..=n)).await
}

fn check(status: CouponStatus) -> CouponCheck {
    CouponCheck::new(status)
}

fn unused_until(day: NaiveDate) -> CouponCheck {
    check(CouponStatus::Unused).valid_until(Some(day))
}

/// Selects the rows and leases them to `worker`.
async fn claimed_cancels(j: &dyn Journal, c: &Campaign, worker: &str, max: usize, lease: Duration) -> Vec<Row> {
    j.claim_cancels(&CancelClaim { campaign: c.id, worker: worker.into(), max, lease }).await.unwrap()
}

fn lines(rows: &[Row]) -> Vec<u64> {
    rows.iter().map(|r| r.line).collect()
}

fn to_check_lines(coupons: &[coupon_journal::CouponToCheck]) -> Vec<u64> {
    coupons.iter().map(|c| c.line).collect()
}

pub async fn a_check_records_every_coupon_status<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = issued_rows(&*j, "checks", 7).await;
    let used_at = kst_time(2026, 11, 2, 14, 3);
    let checks = [
        unused_until(date(2026, 12, 31)).delivery(Some(Delivery::Delivered)),
        check(CouponStatus::Used { at: Some(used_at), place: Some("강남점".into()) }),
        check(CouponStatus::PartlyUsed { remaining: Won(3_000), at: Some(used_at) }),
        check(CouponStatus::Cancelled { at: Some(used_at) }),
        check(CouponStatus::Expired),
        check(CouponStatus::Unknown("Z9".into())),
        check(CouponStatus::Unused).delivery(Some(Delivery::Failed(Some("F01".into())))),
    ];
    let before = Utc::now() - coupon_core::chrono::Duration::seconds(1);
    for (row, found) in rows.iter().zip(&checks) {
        j.record_check(row.id, found, StateSource::Status).await.unwrap();
    }
    let life = |i: usize| {
        let j = &j;
        let id = rows[i].id;
        async move { j.row(id).await.unwrap().life }
    };
    let l = life(0).await;
    assert_eq!(
        (l.state, l.valid_until, l.delivery.as_deref(), l.delivery_code.as_deref()),
        (Some(CouponState::Unused), Some(date(2026, 12, 31)), Some("delivered"), None)
    );
    assert!(l.checked_at.is_some_and(|t| t >= before), "{l:?}");
    let l = life(1).await;
    assert_eq!(
        (l.state, l.used_at, l.used_place.as_deref()),
        (Some(CouponState::Used), Some(utc(used_at)), Some("강남점"))
    );
    let l = life(2).await;
    assert_eq!((l.state, l.remaining, l.used_at), (Some(CouponState::PartlyUsed), Some(3_000), Some(utc(used_at))));
    let l = life(3).await;
    assert_eq!((l.state, l.cancelled_at, l.cancel_state), (Some(CouponState::Cancelled), Some(utc(used_at)), None));
    assert_eq!(life(4).await.state, Some(CouponState::Expired));
    let l = life(5).await;
    assert_eq!((l.state, l.vendor_status.as_deref()), (Some(CouponState::Unknown), Some("Z9")));
    let l = life(6).await;
    assert_eq!((l.delivery.as_deref(), l.delivery_code.as_deref()), (Some("failed"), Some("F01")));
    let row = j.row(rows[0].id).await.unwrap();
    assert_eq!((row.state, row.order_id.as_deref()), (RowState::Issued, Some("O1")), "the issue is untouched");

    // A later check without a last day or a delivery keeps those known.
    j.record_check(rows[0].id, &check(CouponStatus::Unused), StateSource::Status).await.unwrap();
    let l = life(0).await;
    assert_eq!((l.valid_until, l.delivery.as_deref()), (Some(date(2026, 12, 31)), Some("delivered")));

    // A final state is never replaced by one that is not: only checked_at moves.
    let used = life(1).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    j.record_check(rows[1].id, &unused_until(date(2027, 1, 1)), StateSource::Status).await.unwrap();
    let again = life(1).await;
    assert!(again.checked_at > used.checked_at);
    assert_eq!(again, coupon_journal::CouponLife { checked_at: again.checked_at, ..used });
    j.record_check(rows[4].id, &check(CouponStatus::Unknown("Y".into())), StateSource::Status).await.unwrap();
    assert_eq!(life(4).await.state, Some(CouponState::Expired));
    // … but a final state may follow another (the vendor's latest word).
    j.record_check(rows[4].id, &check(CouponStatus::Cancelled { at: None }), StateSource::Status).await.unwrap();
    assert_eq!(life(4).await.state, Some(CouponState::Cancelled));

    // Only an issued row's coupon is checked.
    let pending = j.create_campaign(&spec("pending", false)).await.unwrap().campaign;
    j.insert_rows(&pending, &super::rows(1..=1)).await.unwrap();
    let p = j.rows(&pending, None, None, 1).await.unwrap().remove(0);
    let e = j.record_check(p.id, &check(CouponStatus::Unused), StateSource::Status).await.unwrap_err();
    assert!(matches!(e, JournalError::Invalid(_)) && e.to_string().contains("`pending`"), "{e}");
    assert_eq!(j.row(p.id).await.unwrap().life, coupon_journal::CouponLife::default());
    assert!(matches!(
        j.record_check(RowId(999_999), &check(CouponStatus::Unused), StateSource::Status).await,
        Err(JournalError::RowNotFound(_))
    ));

    // A batch with a refused check: the others are kept, the refusal is the answer.
    let batch = [
        (rows[5].id, check(CouponStatus::Unused), StateSource::Status),
        (p.id, check(CouponStatus::Unused), StateSource::Status),
        (rows[6].id, check(CouponStatus::Used { at: None, place: None }), StateSource::Report),
    ];
    assert!(j.record_checks(&batch).await.is_err());
    assert_eq!((life(5).await.state, life(6).await.state), (Some(CouponState::Unused), Some(CouponState::Used)));
    let batch = [(rows[5].id, check(CouponStatus::Expired), StateSource::Report)];
    j.record_checks(&batch).await.unwrap();
    assert_eq!(life(5).await.state, Some(CouponState::Expired));
    assert_eq!(j.figures(&c).await.unwrap().coupons.unchecked, 0);
}

/// The checks a sync might record on line `line` (every kind, each row its own), the
/// second of two rounds when `again`.
fn varied_check(line: u64, again: bool) -> CouponCheck {
    let at = kst_time(2026, 11, 2, 14, (line % 60) as u32);
    let day = date(2026, 12, 1 + (line % 28) as u32);
    match (line + u64::from(again)) % 8 {
        0 => unused_until(day).delivery(Some(Delivery::Delivered)),
        1 => check(CouponStatus::Used { at: Some(at), place: Some(format!("지점 {line}")) }),
        2 => check(CouponStatus::PartlyUsed { remaining: Won(line), at: Some(at) }).valid_until(Some(day)),
        3 => check(CouponStatus::Cancelled { at: Some(at) }),
        4 => check(CouponStatus::Expired),
        5 => check(CouponStatus::Unknown(format!("Z{}", line % 3))),
        6 => check(CouponStatus::Unused).delivery(Some(Delivery::Failed(Some(format!("F{line}"))))),
        _ => check(CouponStatus::Used { at: None, place: None }),
    }
}

/// `n` issued rows; line 1 issued with details unknown (no order, no PIN).
async fn issued_with_one_unknown(j: &dyn Journal, name: &str, n: u64) -> (Campaign, Vec<Row>) {
    let c = j.create_campaign(&spec(name, false)).await.unwrap().campaign;
    j.insert_rows(&c, &super::rows(1..=n)).await.unwrap();
    let claimed = j.claim(&Claim::new(&c, "w", n as usize, LONG)).await.unwrap();
    j.mark_sending(&ids(&claimed), "w", None).await.unwrap();
    for r in &claimed {
        if r.line == 1 {
            j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
            let found = Issued::with_details_unknown(Vendor::new("test"), r.partner_ref.clone(), "duplicate");
            j.record_reconciled(r.id, &Reconciliation::Issued(found)).await.unwrap();
        } else {
            j.record_issued(r.id, &issued_for(r, Some(&pin_of(r.line)))).await.unwrap();
        }
    }
    (c.clone(), j.rows(&c, None, None, 10_000).await.unwrap())
}

pub async fn checks_recorded_together_leave_what_the_same_checks_one_by_one_leave<F: Fixture>(f: &F) {
    let j = f.open().await;
    // More rows than one grouped statement holds, and two rounds, so that final states
    // meet later checks that may not replace them (and every fifth row is told the same
    // thing twice: no change, no entry).
    let n = 600;
    let (one, one_rows) = issued_with_one_unknown(&*j, "one-by-one", n).await;
    let (all, all_rows) = issued_with_one_unknown(&*j, "together", n).await;
    let found = |line: u64, again: bool| {
        let c = varied_check(line, again && line % 5 != 0);
        if line == 1 { c.found(Some(OrderRef::new("G-1")), Some(Pin::new("123456789012"))) } else { c }
    };
    for again in [false, true] {
        let source = if again { StateSource::Report } else { StateSource::Status };
        for r in &one_rows {
            j.record_check(r.id, &found(r.line, again), source).await.unwrap();
        }
        let batch: Vec<_> = all_rows.iter().map(|r| (r.id, found(r.line, again), source)).collect();
        j.record_checks(&batch).await.unwrap();
    }
    let (one_rows, all_rows) =
        (j.rows(&one, None, None, 10_000).await.unwrap(), j.rows(&all, None, None, 10_000).await.unwrap());
    for (a, b) in one_rows.iter().zip(&all_rows) {
        let life = |r: &Row| coupon_journal::CouponLife { checked_at: None, ..r.life.clone() };
        assert_eq!(life(a), life(b), "line {}", a.line);
        assert!(b.life.checked_at.is_some(), "line {}", b.line);
        assert_eq!((&a.order_id, &a.pin_masked, &a.details_unknown), (&b.order_id, &b.pin_masked, &b.details_unknown));
    }
    assert_eq!(all_rows[0].order_id.as_deref(), Some("G-1"), "the row of unknown details filled in");
    let changes = |h: Vec<coupon_journal::HistoryEntry>| -> Vec<_> {
        h.into_iter().map(|e| (e.line, e.from, e.to, e.source)).collect()
    };
    let history = changes(j.history(&all, None, 100_000).await.unwrap());
    assert_eq!(changes(j.history(&one, None, 100_000).await.unwrap()), history);
    assert!(history.len() > n as usize, "the second round changed some: {}", history.len());

    // A batch naming a row twice: each check in turn, as one by one.
    let (c, rows) = issued_rows(&*j, "twice", 2).await;
    let unused = check(CouponStatus::Unused);
    let used = check(CouponStatus::Used { at: None, place: None });
    let batch = [
        (rows[0].id, unused.clone(), StateSource::Status),
        (rows[0].id, used, StateSource::Report),
        (rows[1].id, unused, StateSource::Status),
    ];
    j.record_checks(&batch).await.unwrap();
    assert_eq!(j.row(rows[0].id).await.unwrap().life.state, Some(CouponState::Used));
    let history = changes(j.history(&c, None, 100).await.unwrap());
    assert_eq!(
        history,
        [
            (1, None, CouponState::Unused, StateSource::Status),
            (1, Some(CouponState::Unused), CouponState::Used, StateSource::Report),
            (2, None, CouponState::Unused, StateSource::Status),
        ]
    );
    j.close().await;
}

pub async fn a_change_of_state_is_kept_in_the_history<F: Fixture>(f: &F) {
    let j = f.open().await;
    let start = Utc::now() - coupon_core::chrono::Duration::seconds(1);
    let (c, rows) = issued_rows(&*j, "history", 3).await;
    let [a, b, d] = [rows[0].id, rows[1].id, rows[2].id];
    j.record_check(d, &check(CouponStatus::Unused), StateSource::Status).await.unwrap();
    j.record_check(a, &check(CouponStatus::Unused), StateSource::Status).await.unwrap();
    j.record_check(a, &check(CouponStatus::Unused), StateSource::Status).await.unwrap(); // no change, no entry
    j.record_check(a, &check(CouponStatus::PartlyUsed { remaining: Won(1), at: None }), StateSource::Status)
        .await
        .unwrap();
    j.record_check(a, &check(CouponStatus::Used { at: None, place: None }), StateSource::Report).await.unwrap();
    j.record_check(a, &check(CouponStatus::Unused), StateSource::Status).await.unwrap(); // final: ignored
    j.record_check(b, &check(CouponStatus::Expired), StateSource::Report).await.unwrap();

    let shown = |page: &[coupon_journal::HistoryEntry]| {
        page.iter().map(|h| (h.line, h.from, h.to, h.source)).collect::<Vec<_>>()
    };
    use CouponState::*;
    let all = j.history(&c, None, 100).await.unwrap();
    assert_eq!(
        shown(&all),
        vec![
            (1, None, Unused, StateSource::Status),
            (1, Some(Unused), PartlyUsed, StateSource::Status),
            (1, Some(PartlyUsed), Used, StateSource::Report),
            (2, None, Expired, StateSource::Report),
            (3, None, Unused, StateSource::Status),
        ]
    );
    let now = Utc::now();
    assert!(all.iter().all(|h| h.at >= start && h.at <= now), "recorded when learnt: {all:?}");
    assert_eq!(all[0].row, a);

    // Pages of 2, then of 1, each after the last entry read, give the same entries.
    for size in [2, 1] {
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = j.history(&c, after, size).await.unwrap();
            let Some(last) = page.last() else { break };
            assert!(page.len() <= size);
            after = Some((last.line, last.id));
            paged.extend(page);
        }
        assert_eq!(paged, all, "pages of {size}");
    }
    let other = j.create_campaign(&spec("other", false)).await.unwrap().campaign;
    assert!(j.history(&other, None, 100).await.unwrap().is_empty());
}

pub async fn a_check_fills_the_order_and_pin_of_a_row_issued_with_details_unknown<F: Fixture>(f: &F) {
    for store_pins in [false, true] {
        let j = f.open().await;
        let name = format!("details-{store_pins}");
        let c = j.create_campaign(&spec(&name, store_pins)).await.unwrap().campaign;
        j.insert_rows(&c, &super::rows(1..=2)).await.unwrap();
        let rows = j.claim(&Claim::new(&c, "w", 2, LONG)).await.unwrap();
        j.mark_sending(&ids(&rows), "w", None).await.unwrap();
        let r = &rows[0];
        j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
        let found = Issued::with_details_unknown(Vendor::new("test"), r.partner_ref.clone(), "duplicate");
        j.record_reconciled(r.id, &Reconciliation::Issued(found)).await.unwrap();
        j.record_issued(rows[1].id, &issued_for(&rows[1], Some(super::PIN))).await.unwrap();
        assert_eq!(j.figures(&c).await.unwrap().coupons.details_unknown, 1);

        let pin = "123456789012";
        let looked_up = check(CouponStatus::Unused).found(Some(OrderRef::new("G-77")), Some(Pin::new(pin)));
        j.record_check(r.id, &looked_up, StateSource::Status).await.unwrap();
        let row = j.row(r.id).await.unwrap();
        assert_eq!((row.order_id.as_deref(), row.details_unknown.as_deref()), (Some("G-77"), None));
        assert_eq!(row.pin_masked.as_deref(), Some("********9012"));
        assert!(j.pin_key().verify(pin, row.pin_hash.as_deref().unwrap()));
        assert_eq!(row.pin.as_ref().map(Pin::expose), store_pins.then_some(pin), "in clear only with store_pins");
        assert_eq!(row.life.state, Some(CouponState::Unused));
        assert_eq!(j.figures(&c).await.unwrap().coupons.details_unknown, 0);

        // A row whose order is known keeps it.
        let other = check(CouponStatus::Unused).found(Some(OrderRef::new("G-99")), Some(Pin::new("000000000000")));
        j.record_check(rows[1].id, &other, StateSource::Status).await.unwrap();
        let kept = j.row(rows[1].id).await.unwrap();
        assert_eq!(kept.order_id.as_deref(), Some("O2"));
        assert!(j.pin_key().verify(super::PIN, kept.pin_hash.as_deref().unwrap()));
        j.close().await;
    }
}

pub async fn rows_are_found_by_the_hash_of_their_pin<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = issued_rows(&*j, "by-hash", 3).await;
    j.insert_rows(&c, &[new_row(9, Some("k9"))]).await.unwrap();
    let (other, _) = issued_rows(&*j, "by-hash-other", 3).await;
    let key = j.pin_key();
    let hashes = vec![key.hash(&pin_of(3)), key.hash(&pin_of(1)), key.hash("000000000000"), key.hash(&pin_of(3))];
    let found = j.rows_by_pin_hash(&c, &hashes).await.unwrap();
    assert_eq!(ids(&found), vec![rows[0].id, rows[2].id], "line order, each once, only this campaign's");
    assert_eq!(j.rows_by_pin_hash(&other, &[key.hash(&pin_of(2))]).await.unwrap().len(), 1);
    assert!(j.rows_by_pin_hash(&c, &[]).await.unwrap().is_empty());
}

pub async fn a_sync_asks_about_rows_not_final_and_not_checked_recently<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = issued_rows(&*j, "to-check", 6).await;
    j.insert_rows(&c, &[new_row(7, Some("k7"))]).await.unwrap(); // pending: nothing to ask
    let found = [
        check(CouponStatus::Used { at: None, place: None }),
        check(CouponStatus::Expired),
        check(CouponStatus::Unused),
        check(CouponStatus::Unknown("Q".into())),
        check(CouponStatus::PartlyUsed { remaining: Won(10), at: None }),
    ];
    let before = Utc::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    for (row, found) in rows.iter().zip(&found) {
        j.record_check(row.id, found, StateSource::Status).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    let after = Utc::now();
    assert_eq!(
        to_check_lines(&j.coupons_to_check(&c, before, None, 100).await.unwrap()),
        vec![6],
        "the others were checked since"
    );
    assert_eq!(
        to_check_lines(&j.coupons_to_check(&c, after, None, 100).await.unwrap()),
        vec![3, 4, 5, 6],
        "never a final one"
    );
    assert_eq!(to_check_lines(&j.coupons_to_check(&c, after, Some(3), 2).await.unwrap()), vec![4, 5]);
    assert!(j.coupons_to_check(&c, after, Some(6), 2).await.unwrap().is_empty());
    // What names each coupon to the vendor is its row's.
    let first = j.coupons_to_check(&c, after, None, 1).await.unwrap().remove(0);
    let row = &rows[2];
    assert_eq!((first.id, &first.partner_ref, &first.order_id), (row.id, &row.partner_ref, &row.order_id));
    assert!(first.order_id.is_some());
}

pub async fn report_days_are_remembered_per_campaign<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, _) = issued_rows(&*j, "reports", 1).await;
    let (other, _) = issued_rows(&*j, "reports-other", 1).await;
    assert!(j.report_days(&c).await.unwrap().is_empty());
    j.remember_report_day(&c, date(2026, 11, 2), 3).await.unwrap();
    j.remember_report_day(&c, date(2026, 11, 1), 0).await.unwrap();
    j.remember_report_day(&c, date(2026, 11, 2), 5).await.unwrap(); // read again: no second day
    assert_eq!(j.report_days(&c).await.unwrap(), [date(2026, 11, 1), date(2026, 11, 2)].into());
    assert!(j.report_days(&other).await.unwrap().is_empty());
}

/// The rows of [`a_cancel_selects_only_what_it_may_refund`], by line.
async fn cancel_candidates(j: &dyn Journal) -> (Campaign, Vec<Row>) {
    let (c, rows) = issued_rows(j, "cancel", 11).await;
    let at = |i: usize| rows[i].id;
    let checks = [
        (0, unused_until(date(2026, 12, 1))),
        (1, unused_until(date(2026, 12, 20))),
        (2, check(CouponStatus::Used { at: None, place: None }).valid_until(Some(date(2026, 12, 1)))),
        (3, check(CouponStatus::PartlyUsed { remaining: Won(1), at: None }).valid_until(Some(date(2026, 12, 1)))),
        (4, check(CouponStatus::Expired)),
        (5, check(CouponStatus::Cancelled { at: None })),
        (6, check(CouponStatus::Unknown("Z".into())).valid_until(Some(date(2026, 12, 1)))),
        // 7: never checked
        (10, check(CouponStatus::Unused)), // no last day
    ];
    for (i, found) in checks {
        j.record_check(at(i), &found, StateSource::Status).await.unwrap();
    }
    (c, rows)
}

pub async fn a_cancel_selects_only_what_it_may_refund<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = cancel_candidates(&*j).await;
    // Line 12 pending; and a campaign whose one coupon was issued with details unknown (no order id).
    j.insert_rows(&c, &[new_row(12, Some("k12"))]).await.unwrap();
    let no_order = {
        let c2 = j.create_campaign(&spec("orderless", false)).await.unwrap().campaign;
        j.insert_rows(&c2, &super::rows(1..=1)).await.unwrap();
        let r = j.claim(&Claim::new(&c2, "w", 1, LONG)).await.unwrap().remove(0);
        j.mark_sending(&[r.id], "w", None).await.unwrap();
        j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
        let found = Issued::with_details_unknown(Vendor::new("test"), r.partner_ref.clone(), "duplicate");
        j.record_reconciled(r.id, &Reconciliation::Issued(found)).await.unwrap();
        j.record_check(r.id, &check(CouponStatus::Unused), StateSource::Status).await.unwrap();
        (c2, r.id)
    };

    let unused = CancelFilter { unused_only: true, ..Default::default() };
    assert_eq!(j.preview_cancel(&c, &unused).await.unwrap(), Expiring { count: 3, won: 3_000, unpriced: 0 });
    assert_eq!(j.preview_cancel(&no_order.0, &CancelFilter::default()).await.unwrap().count, 0, "no order id");
    assert_eq!(j.select_for_cancel(&no_order.0, &CancelFilter::default()).await.unwrap(), 0);
    assert_eq!(j.row(no_order.1).await.unwrap().life.cancel_state, None);

    let soon = CancelFilter { valid_until_on_or_before: Some(date(2026, 12, 10)), ..unused.clone() };
    assert_eq!(j.preview_cancel(&c, &soon).await.unwrap().count, 1);
    assert_eq!(j.select_for_cancel(&c, &soon).await.unwrap(), 1);
    assert_eq!(j.row(rows[0].id).await.unwrap().life.cancel_state, Some(CancelState::Selected));
    assert_eq!(j.select_for_cancel(&c, &soon).await.unwrap(), 0, "already selected");
    assert_eq!(j.preview_cancel(&c, &soon).await.unwrap().count, 0);

    // By keys: used (k3), partly used (k4), pending (k12) and unknown keys are never selected.
    let keys =
        |ks: &[&str]| CancelFilter { keys: Some(ks.iter().map(|k| k.to_string()).collect()), ..Default::default() };
    let by_keys = keys(&["k2", "k3", "k4", "k12", "k2", "nope"]);
    assert_eq!(j.preview_cancel(&c, &by_keys).await.unwrap(), Expiring { count: 1, won: 1_000, unpriced: 0 });
    assert_eq!(j.select_for_cancel(&c, &by_keys).await.unwrap(), 1);
    assert_eq!(j.select_for_cancel(&c, &keys(&[])).await.unwrap(), 0, "no key, no row");
    // A last day leaves out the rows without one (k8 never checked, k11).
    let dated = CancelFilter { valid_until_on_or_before: Some(date(2027, 1, 1)), ..Default::default() };
    assert_eq!(j.preview_cancel(&c, &dated).await.unwrap().count, 1, "only k7 (unknown state, dated)");
    // Everything else that may be refunded: unknown (k7), never checked (k8, k9, k10), unused without a day (k11).
    assert_eq!(j.select_for_cancel(&c, &CancelFilter::default()).await.unwrap(), 5);
    let selected: Vec<u64> = j
        .rows(&c, None, None, 100)
        .await
        .unwrap()
        .iter()
        .filter(|r| r.life.cancel_state == Some(CancelState::Selected))
        .map(|r| r.line)
        .collect();
    assert_eq!(selected, vec![1, 2, 7, 8, 9, 10, 11]);
    assert_eq!(j.figures(&c).await.unwrap().cancel.selected, 7);
}

pub async fn cancels_are_leased_and_a_cancel_in_flight_of_a_dead_worker_is_in_doubt<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, _) = issued_rows(&*j, "cancel-leases", 4).await;
    assert_eq!(j.select_for_cancel(&c, &CancelFilter::default()).await.unwrap(), 4);
    let short = Duration::from_millis(400);
    let a = claimed_cancels(&*j, &c, "a", 2, short).await;
    assert_eq!(lines(&a), vec![1, 2]);
    let b = claimed_cancels(&*j, &c, "b", 10, LONG).await;
    assert_eq!(lines(&b), vec![3, 4], "rows leased to a go to no one else");
    assert!(claimed_cancels(&*j, &c, "c", 10, LONG).await.is_empty());
    assert!(j.mark_cancelling(&ids(&a), "b").await.unwrap().is_empty(), "not b's rows");
    assert_eq!(j.mark_cancelling(&[a[0].id], "a").await.unwrap(), vec![a[0].id]);
    let marked = j.row(a[0].id).await.unwrap().life;
    assert_eq!((marked.cancel_state, marked.cancel_attempts), (Some(CancelState::Cancelling), 1));
    assert_eq!(j.mark_cancelling(&[a[0].id], "a").await.unwrap(), vec![], "marked once");

    tokio::time::sleep(Duration::from_millis(500)).await;
    // a died: its leases expired. Its row in flight may have been cancelled: in doubt.
    assert!(j.mark_cancelling(&[a[1].id], "a").await.unwrap().is_empty(), "too late for a");
    let c2 = claimed_cancels(&*j, &c, "c", 10, LONG).await;
    assert_eq!(lines(&c2), vec![1, 2]);
    let doubt = &c2[0].life;
    assert_eq!(doubt.cancel_state, Some(CancelState::Unknown));
    assert!(doubt.cancel_message.as_deref().is_some_and(|m| m.contains("lease expired")), "{doubt:?}");
    assert_eq!(c2[1].life.cancel_state, Some(CancelState::Selected));
    // An in-doubt cancel is never marked again as such.
    assert_eq!(j.mark_cancelling(&ids(&c2), "c").await.unwrap(), vec![c2[1].id]);

    // Renewing keeps the leases; releasing gives back those not in flight.
    assert_eq!(j.renew_cancels(&c, "c", LONG).await.unwrap(), 2);
    assert_eq!(j.renew_cancels(&c, "a", LONG).await.unwrap(), 0);
    j.release_cancels(&ids(&c2), "c").await.unwrap();
    let d = claimed_cancels(&*j, &c, "d", 10, LONG).await;
    assert_eq!(ids(&d), vec![c2[0].id], "the doubt is free again; the row cancelling keeps c's lease");
}

pub async fn each_cancel_outcome_is_recorded<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = issued_rows(&*j, "cancel-outcomes", 5).await;
    for r in &rows {
        j.record_check(r.id, &unused_until(date(2026, 12, 1)), StateSource::Status).await.unwrap();
    }
    assert_eq!(j.select_for_cancel(&c, &CancelFilter::default()).await.unwrap(), 5);
    let claimed = claimed_cancels(&*j, &c, "w", 4, LONG).await;
    assert_eq!(j.mark_cancelling(&ids(&claimed), "w").await.unwrap(), ids(&claimed));
    let [r1, r2, r3, r4] = [rows[0].id, rows[1].id, rows[2].id, rows[3].id];

    let used = Error::new(ErrorKind::Rejected, "already used").with_vendor_code(VendorCode::new("E0202"));
    let lost = Error::outcome_unknown(None, "no answer");
    let before = Utc::now() - coupon_core::chrono::Duration::seconds(1);
    j.record_cancel(r1, CancelRecord::Cancelled).await.unwrap();
    j.record_cancel(r2, CancelRecord::Refused { error: &used, state: Some(CouponState::Used) }).await.unwrap();
    j.record_cancel(r3, CancelRecord::Unknown(&lost)).await.unwrap();
    j.record_cancel(r4, CancelRecord::Unknown(&lost)).await.unwrap();

    let life = |id: RowId| {
        let j = &j;
        async move { j.row(id).await.unwrap().life }
    };
    let l = life(r1).await;
    assert_eq!((l.cancel_state, l.state), (Some(CancelState::Cancelled), Some(CouponState::Cancelled)));
    assert!(l.cancelled_at.is_some_and(|t| t >= before));
    let l = life(r2).await;
    assert_eq!(
        (l.cancel_state, l.state, l.cancel_code.as_deref(), l.cancel_message.as_deref()),
        (Some(CancelState::Refused), Some(CouponState::Used), Some("E0202"), Some("already used"))
    );
    let l = life(r3).await;
    assert_eq!((l.cancel_state, l.state), (Some(CancelState::Unknown), Some(CouponState::Unused)));
    assert!(l.cancel_message.is_some_and(|m| m.contains("no answer")));
    let history: Vec<_> = j
        .history(&c, None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.source == StateSource::Cancel)
        .map(|h| (h.row, h.from, h.to))
        .collect();
    assert_eq!(
        history,
        vec![
            (r1, Some(CouponState::Unused), CouponState::Cancelled),
            (r2, Some(CouponState::Unused), CouponState::Used)
        ]
    );

    // The outcomes released the leases: the doubts (and the fifth row) are claimable, the settled ones never.
    let next = claimed_cancels(&*j, &c, "v", 10, LONG).await;
    assert_eq!(ids(&next), vec![r3, r4, rows[4].id]);
    // A doubt settled as not cancelled is selected again, and may be cancelled again.
    j.record_cancel(r4, CancelRecord::NotCancelled).await.unwrap();
    assert_eq!(life(r4).await.cancel_state, Some(CancelState::Selected));
    let again = claimed_cancels(&*j, &c, "v2", 10, LONG).await;
    assert_eq!(ids(&again), vec![r4]);
    assert_eq!(j.mark_cancelling(&[r4], "v2").await.unwrap(), vec![r4]);
    assert_eq!(life(r4).await.cancel_attempts, 2);
    // A doubt settled as cancelled.
    j.record_cancel(r3, CancelRecord::Cancelled).await.unwrap();

    // Outcomes go on cancelling or unknown rows only; a doubt is not a refusal.
    let e = j.record_cancel(rows[4].id, CancelRecord::Cancelled).await.unwrap_err();
    assert!(e.to_string().contains("`selected`"), "{e}");
    let e = j.record_cancel(r1, CancelRecord::Unknown(&lost)).await.unwrap_err();
    assert!(e.to_string().contains("`cancelled`"), "{e}");
    assert!(matches!(
        j.record_cancel(r4, CancelRecord::Refused { error: &lost, state: None }).await,
        Err(JournalError::Invalid(_))
    ));
    assert_eq!(life(r4).await.cancel_state, Some(CancelState::Cancelling));
    // A refusal's state follows the rule of checks: a used coupon is never made unused again.
    j.record_check(r4, &check(CouponStatus::Used { at: None, place: None }), StateSource::Status).await.unwrap();
    j.record_cancel(r4, CancelRecord::Refused { error: &refusal(), state: Some(CouponState::Unused) }).await.unwrap();
    let l = life(r4).await;
    assert_eq!(
        (l.cancel_state, l.state, l.cancel_code.as_deref()),
        (Some(CancelState::Refused), Some(CouponState::Used), Some("E301"))
    );

    let figures = j.figures(&c).await.unwrap();
    assert_eq!(figures.refunded_won, 2_000);
    let cancel = figures.cancel;
    assert_eq!((cancel.selected, cancel.cancelling, cancel.cancelled, cancel.refused, cancel.unknown), (1, 0, 2, 2, 0));
}

pub async fn a_resend_is_taken_once_within_its_window<F: Fixture>(f: &F) {
    let j = f.open().await;
    let (c, rows) = issued_rows(&*j, "resend", 1).await;
    let r = rows[0].id;
    let run_start = Utc::now() - coupon_core::chrono::Duration::hours(1);
    assert!(j.take_resend(r, run_start).await.unwrap());
    assert!(!j.take_resend(r, run_start).await.unwrap(), "a rerun within the window sends nothing");
    let l = j.row(r).await.unwrap().life;
    assert_eq!((l.resend_count, l.resend_code), (1, None));
    j.record_resend(r, Some("E9")).await.unwrap();
    assert_eq!(j.row(r).await.unwrap().life.resend_code.as_deref(), Some("E9"));
    tokio::time::sleep(Duration::from_millis(5)).await;
    // A later command's window starts after that resend.
    assert!(j.take_resend(r, Utc::now()).await.unwrap());
    let l = j.row(r).await.unwrap().life;
    assert_eq!((l.resend_count, l.resend_code), (2, None));
    assert!(l.resent_at.is_some());
    j.record_resend(r, None).await.unwrap();

    // Only an issued coupon with an order id.
    j.insert_rows(&c, &[new_row(5, Some("k5"))]).await.unwrap();
    let pending = j.rows(&c, Some(RowState::Pending), None, 1).await.unwrap().remove(0);
    assert!(matches!(j.take_resend(pending.id, run_start).await, Err(JournalError::Invalid(_))));
    assert_eq!(j.row(pending.id).await.unwrap().life.resend_count, 0);
    assert!(matches!(j.record_resend(RowId(999_999), None).await, Err(JournalError::RowNotFound(_))));
}

/// A row of goods `goods` at `price`.
fn goods_row(line: u64, goods: &str, price: Option<i64>) -> NewRow {
    let mut row = new_row(line, Some(&format!("k{line}")));
    row.request.product_id = Some(goods.into());
    row.price = price;
    row
}

pub async fn figures_and_expiring_coupons_of_a_small_campaign<F: Fixture>(f: &F) {
    let j = f.open().await;
    let goods = ["G1", "G1", "G2", "G1", "G2", "G1", "G1", "G2"];
    let rows: Vec<NewRow> = goods
        .iter()
        .enumerate()
        .map(|(i, g)| goods_row(i as u64 + 1, g, if i == 4 { None } else { Some(1_000) }))
        .collect();
    let (c, issued) = issued_campaign(&*j, "figures", rows).await;
    // Line 9 refused (G1), line 10 pending (G2).
    j.insert_rows(&c, &[goods_row(9, "G1", Some(1_000)), goods_row(10, "G2", Some(1_000))]).await.unwrap();
    let nine = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap();
    j.mark_sending(&ids(&nine), "w", None).await.unwrap();
    j.record_refused(nine[0].id, &refusal()).await.unwrap();

    let at = |i: usize| issued[i].id;
    let checks = [
        (0, check(CouponStatus::Used { at: Some(kst_time(2026, 11, 2, 10, 0)), place: None })),
        // 08:00 KST on the 3rd is still the 2nd in UTC: counted on the 3rd.
        (1, check(CouponStatus::Used { at: Some(kst_time(2026, 11, 3, 8, 0)), place: None })),
        (2, check(CouponStatus::PartlyUsed { remaining: Won(500), at: Some(kst_time(2026, 11, 3, 9, 0)) })),
        (3, unused_until(date(2026, 11, 10)).delivery(Some(Delivery::Delivered))),
        (4, unused_until(date(2026, 11, 20))),
        (5, check(CouponStatus::Expired).delivery(Some(Delivery::Failed(None)))),
        (6, unused_until(date(2026, 11, 5))),
        // 7: never checked
    ];
    for (i, found) in checks {
        j.record_check(at(i), &found, StateSource::Status).await.unwrap();
    }
    let selection = CancelFilter { keys: Some(vec!["k7".into()]), ..Default::default() };
    assert_eq!(j.select_for_cancel(&c, &selection).await.unwrap(), 1);
    let claimed = claimed_cancels(&*j, &c, "w", 10, LONG).await;
    j.mark_cancelling(&ids(&claimed), "w").await.unwrap();
    j.record_cancel(at(6), CancelRecord::Cancelled).await.unwrap();

    let exp = |count, won, unpriced| Expiring { count, won, unpriced };
    assert_eq!(j.expiring(&c, date(2026, 11, 1), date(2026, 11, 15)).await.unwrap(), exp(1, 1_000, 0));
    assert_eq!(j.expiring(&c, date(2026, 11, 1), date(2026, 11, 30)).await.unwrap(), exp(2, 1_000, 1));
    assert_eq!(j.expiring(&c, date(2026, 11, 11), date(2026, 11, 20)).await.unwrap(), exp(1, 0, 1), "both ends in");
    assert_eq!(j.expiring(&c, date(2026, 11, 21), date(2026, 12, 31)).await.unwrap(), exp(0, 0, 0));

    let f = j.figures(&c).await.unwrap();
    let counts = f.counts;
    assert_eq!((counts.issued, counts.refused, counts.pending, counts.total()), (8, 1, 1, 10));
    let k = f.coupons;
    assert_eq!(
        (k.unused, k.used, k.partly_used, k.cancelled, k.expired, k.unknown, k.unchecked, k.details_unknown),
        (2, 2, 1, 1, 1, 0, 1, 0)
    );
    assert_eq!((f.spent_won, f.refunded_won), (7_000, 1_000));
    assert_eq!((f.delivered, f.delivery_failed), (Some(1), 1));
    assert_eq!(f.used_by_day, vec![(date(2026, 11, 2), 1), (date(2026, 11, 3), 2)]);
    let today = Utc::now().with_timezone(&kst()).date_naive();
    assert_eq!(f.issued_by_day, vec![(today, 8, 7_000)]);
    assert_eq!(f.refunded_by_day, vec![(today, 1, 1_000)]);
    assert_eq!(f.by_goods.len(), 2);
    let (g1, g2) = (&f.by_goods[0], &f.by_goods[1]);
    assert_eq!((g1.product_id.as_deref(), g1.issued, g1.spent_won), (Some("G1"), 5, 5_000));
    assert_eq!((g1.coupons.used, g1.coupons.unused, g1.coupons.expired, g1.coupons.cancelled), (2, 1, 1, 1));
    assert_eq!((g2.product_id.as_deref(), g2.issued, g2.spent_won), (Some("G2"), 3, 2_000));
    assert_eq!((g2.coupons.partly_used, g2.coupons.unused, g2.coupons.unchecked), (1, 1, 1));
    assert_eq!(f.cancel.cancelled, 1);
    let mut open = Vec::new();
    for i in [2, 3, 4] {
        open.push(j.row(at(i)).await.unwrap().life.checked_at.unwrap());
    }
    assert_eq!(f.checked_oldest, open.into_iter().min(), "the oldest check of a coupon not final");

    // A campaign whose vendor reports no delivery has none to show.
    let (quiet, _) = issued_rows(&*j, "no-delivery", 2).await;
    let q = j.figures(&quiet).await.unwrap();
    assert_eq!((q.delivered, q.checked_oldest, q.coupons.unchecked, q.spent_won), (None, None, 2, 2_000));
    assert!(q.used_by_day.is_empty() && q.refunded_by_day.is_empty());
}
