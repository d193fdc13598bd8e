//! The journal's behaviour, whatever the backend: every test is an `async fn` over a
//! [`Fixture`] (a fresh, empty journal of one backend), and [`behaviour_tests!`]
//! makes a `#[tokio::test]` of each for a backend's fixture (`tests/sqlite.rs`,
//! `tests/postgres.rs`): the campaigns' here, the coupon's life in `lifecycle.rs`, the
//! HTTP service's keys and idempotency records in `service.rs`.

#![allow(dead_code)]

mod lifecycle;
mod service;
pub use lifecycle::*;
pub use service::*;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use coupon_core::chrono::Utc;
use coupon_core::{Error, ErrorKind, Issued, OrderRef, PartnerRef, Pin, Reconciliation, Vendor, VendorCode};
use coupon_journal::refs::{REF_LEN, partner_ref};
use coupon_journal::{
    Campaign, CampaignSpec, Claim, Journal, JournalError, NewRow, Record, RequestFields, Row, RowId, RowState,
};

pub const PIN: &str = "405868134802";
pub const LONG: Duration = Duration::from_secs(600);

/// A fresh, empty journal of one backend, and a look at its tables from outside.
#[allow(async_fn_in_trait)]
pub trait Fixture: Sized {
    /// A new journal nobody else uses, or `None` when the backend is not available here (the test is skipped).
    async fn new() -> Option<Self>;

    /// The journal's URL, for [`coupon_journal::open`].
    fn url(&self) -> String;

    /// The versions in `schema_version`, read directly.
    async fn schema_versions(&self) -> Vec<i64>;

    /// The rows of `journal_meta` (name, value), read directly.
    async fn meta(&self) -> Vec<(String, String)>;

    /// Removes what the fixture made.
    async fn cleanup(self);

    /// A journal on the fixture (its own connections, as another process would have).
    async fn open(&self) -> Box<dyn Journal> {
        coupon_journal::open(&self.url()).await.unwrap()
    }
}

/// One `#[tokio::test]` per behaviour test, for the fixture type given.
macro_rules! behaviour_tests {
    ($fixture:ty) => {
        $crate::suite::behaviour_tests!(@each $fixture;
            migrations_are_applied_once_and_reopening_is_idempotent,
            every_edge_works_through_the_journal_and_others_are_refused,
            a_reconciliation_changes_only_an_unknown_row,
            references_are_deterministic_unique_short_and_stable,
            campaign_names_are_unique,
            known_keys_are_skipped_and_a_batch_is_all_or_none,
            mark_sending_is_committed_before_it_returns,
            mark_sending_is_all_or_none,
            two_workers_never_get_the_same_row,
            an_expired_lease_makes_a_row_claimable_and_a_sending_row_in_doubt,
            pins_are_masked_and_hashed_unless_the_campaign_stores_them,
            a_row_debug_shows_no_phone_and_no_pin,
            listing_counting_stopping_and_paging,
            a_spending_cap_marks_only_what_fits_and_counts_rows_in_doubt,
            a_row_without_a_price_is_refused_under_a_cap,
            renewing_keeps_leases_alive_and_releasing_gives_them_back,
            a_run_tries_each_doubt_once,
            an_answer_proving_nothing_was_issued_sends_the_row_again_with_its_reference,
            outcomes_recorded_together_are_all_kept_even_when_one_is_refused,
            claiming_for_sending_commits_the_intents_and_hands_doubts_back_as_doubts,
            a_check_records_every_coupon_status,
            checks_recorded_together_leave_what_the_same_checks_one_by_one_leave,
            a_change_of_state_is_kept_in_the_history,
            a_check_fills_the_order_and_pin_of_a_row_issued_with_details_unknown,
            rows_are_found_by_the_hash_of_their_pin,
            a_sync_asks_about_rows_not_final_and_not_checked_recently,
            report_days_are_remembered_per_campaign,
            a_cancel_selects_only_what_it_may_refund,
            cancels_are_leased_and_a_cancel_in_flight_of_a_dead_worker_is_in_doubt,
            each_cancel_outcome_is_recorded,
            a_resend_is_taken_once_within_its_window,
            figures_and_expiring_coupons_of_a_small_campaign,
            an_idempotency_key_starts_once_then_answers_with_what_it_holds,
            a_record_in_flight_under_an_expired_lease_is_found_as_a_doubt,
            one_cancel_per_issue_whatever_its_key,
            begins_and_answers_of_requests_in_flight_commit_together,
            a_key_twice_in_one_batch_stores_its_first_request_only,
            an_answer_settles_a_record_in_flight_or_in_doubt_never_one_done,
            a_release_deletes_only_its_owners_record_in_flight,
            the_reconciler_claims_due_doubts_and_dead_senders_records,
            concurrent_reconcilers_never_claim_one_doubt_twice,
            concurrent_begins_of_one_key_start_it_once,
            a_purge_forgets_settled_records_only,
            api_keys_are_stored_once_listed_and_revoked,
            debug_shows_no_hash_request_or_answer,
        );
    };
    (@each $fixture:ty; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                use $crate::suite::Fixture as _;
                let Some(f) = <$fixture>::new().await else { return };
                $crate::suite::$name(&f).await;
                f.cleanup().await;
            }
        )*
    };
}
pub(crate) use behaviour_tests;

pub fn spec(name: &str, store_pins: bool) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        vendor: "test".into(),
        defaults: RequestFields { product_id: Some("G0001".into()), title: Some("Hi".into()), ..Default::default() },
        store_pins,
    }
}

pub fn new_row(line: u64, key: Option<&str>) -> NewRow {
    NewRow {
        line,
        key: key.map(str::to_owned),
        phone: "010-1234-5678".into(),
        name: Some("Kim".into()),
        request: RequestFields { product_id: Some("G0001".into()), ..Default::default() },
        extra: BTreeMap::from([("dept".to_owned(), "sales".to_owned())]),
        price: Some(1_000),
    }
}

pub fn rows(lines: std::ops::RangeInclusive<u64>) -> Vec<NewRow> {
    lines.map(|l| new_row(l, Some(&format!("k{l}")))).collect()
}

pub fn issued_for(row: &Row, pin: Option<&str>) -> Issued {
    Issued::new(
        Vendor::new("test"),
        OrderRef::new(format!("O{}", row.line)),
        pin.map(Pin::new),
        row.partner_ref.clone(),
    )
}

pub fn refusal() -> Error {
    Error::new(ErrorKind::Rejected, "product sold out").with_vendor_code(VendorCode::new("E301"))
}

pub fn doubt(r: &PartnerRef) -> Error {
    Error::outcome_unknown(Some(r.clone()), "no answer")
}

pub async fn campaign_with(j: &dyn Journal, name: &str, n: u64) -> Campaign {
    let c = j.create_campaign(&spec(name, false)).await.unwrap().campaign;
    j.insert_rows(&c, &rows(1..=n)).await.unwrap();
    c
}

pub fn ids(rows: &[Row]) -> Vec<RowId> {
    rows.iter().map(|r| r.id).collect()
}

pub async fn migrations_are_applied_once_and_reopening_is_idempotent<F: Fixture>(f: &F) {
    let j = f.open().await;
    assert_eq!(j.schema_version().await.unwrap(), 4);
    let c = campaign_with(&*j, "spring", 3).await;
    let hash = j.pin_key().hash(PIN);
    j.close().await;

    for _ in 0..2 {
        let j = f.open().await;
        assert_eq!(j.schema_version().await.unwrap(), 4);
        assert_eq!(j.campaign("spring").await.unwrap(), c);
        assert_eq!(j.counts(&c).await.unwrap().pending, 3);
        assert_eq!(j.pin_key().hash(PIN), hash, "the PIN key is generated once per journal");
        j.close().await;
    }
    assert_eq!(f.schema_versions().await, vec![1, 2, 3, 4]);
    let meta = f.meta().await;
    assert_eq!(meta.len(), 1);
    assert_eq!(meta[0].0, "pin_hmac_key");
}

pub async fn every_edge_works_through_the_journal_and_others_are_refused<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "edges", 5).await;
    let claimed = j.claim(&Claim::new(&c, "w", 10, LONG)).await.unwrap();
    assert_eq!(claimed.len(), 5);
    let [a, b, u, n, s] = <[Row; 5]>::try_from(claimed).unwrap();

    // A pending row cannot be recorded as issued, refused or unknown.
    let e = j.record_issued(a.id, &issued_for(&a, None)).await.unwrap_err();
    assert!(e.to_string().contains("`pending` to `issued`"), "{e}");
    assert!(matches!(j.record_refused(a.id, &refusal()).await, Err(JournalError::Transition { .. })));
    assert!(matches!(
        j.record_reconciled(a.id, &Reconciliation::NotIssued).await,
        Err(JournalError::Transition { .. })
    ));

    // pending → sending
    j.mark_sending(&ids(&[a.clone(), b.clone(), u.clone(), n.clone(), s.clone()]), "w", None).await.unwrap();
    // sending → issued, sending → refused, sending → unknown (×2)
    j.record_issued(a.id, &issued_for(&a, Some(PIN))).await.unwrap();
    j.record_refused(b.id, &refusal()).await.unwrap();
    j.record_unknown(u.id, &doubt(&u.partner_ref)).await.unwrap();
    j.record_unknown(n.id, &doubt(&n.partner_ref)).await.unwrap();
    // a reconciliation needs an unknown row
    let e = j.record_reconciled(s.id, &Reconciliation::NotIssued).await.unwrap_err();
    assert!(e.to_string().contains("`sending` to `not_issued`"), "{e}");
    // unknown → issued, unknown → not_issued
    j.record_reconciled(u.id, &Reconciliation::Issued(issued_for(&u, None))).await.unwrap();
    j.record_reconciled(n.id, &Reconciliation::NotIssued).await.unwrap();
    // not_issued → sending, with the same reference
    let again = j.claim(&Claim::new(&c, "w", 10, LONG)).await.unwrap();
    assert_eq!(ids(&again), vec![n.id]);
    assert!(!again[0].in_doubt());
    j.mark_sending(&[n.id], "w", None).await.unwrap();
    let n2 = j.row(n.id).await.unwrap();
    assert_eq!((n2.state, n2.attempts, &n2.partner_ref), (RowState::Sending, 2, &n.partner_ref));

    let state = |id| {
        let j = &j;
        async move { j.row(id).await.unwrap() }
    };
    let b2 = state(b.id).await;
    assert_eq!(b2.state, RowState::Refused);
    assert_eq!(b2.error_kind.as_deref(), Some("rejected"));
    assert_eq!(b2.vendor_code.as_deref(), Some("E301"));
    assert_eq!(state(u.id).await.state, RowState::Issued);
    assert_eq!(state(a.id).await.order_id.as_deref(), Some("O1"));

    // Final states go nowhere.
    let e = j.mark_sending(&[a.id], "w", None).await.unwrap_err();
    assert!(e.to_string().contains("`issued` to `sending`"), "{e}");
    let e = j.record_unknown(b.id, &refusal()).await.unwrap_err();
    assert!(e.to_string().contains("`refused` to `unknown`"), "{e}");
    let e = j.record_issued(b.id, &issued_for(&b, None)).await.unwrap_err();
    assert!(e.to_string().contains("`refused` to `issued`"), "{e}");
    // A still-unknown reconciliation is for unknown rows only.
    assert!(j.record_reconciled(a.id, &Reconciliation::StillUnknown("later".into())).await.is_err());
    // Misuse is refused: a doubt is not a refusal; a result for another reference.
    assert!(matches!(j.record_refused(s.id, &doubt(&s.partner_ref)).await, Err(JournalError::Invalid(_))));
    assert!(matches!(j.record_issued(s.id, &issued_for(&a, None)).await, Err(JournalError::Invalid(_))));
    assert_eq!(state(s.id).await.state, RowState::Sending);
    let counts = j.counts(&c).await.unwrap();
    assert_eq!((counts.issued, counts.refused, counts.sending, counts.total()), (2, 1, 2, 5));
}

pub async fn a_reconciliation_changes_only_an_unknown_row<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "reconcile", 1).await;
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    // `sending → issued` is an edge, but not a reconciliation's: alone or in a batch.
    let found = Reconciliation::Issued(issued_for(&r, None));
    let e = j.record_reconciled(r.id, &found).await.unwrap_err();
    assert!(e.to_string().contains("`sending` to `issued`"), "{e}");
    let e = j.record(&[(r.id, Record::Reconciled(&found))]).await.unwrap_err();
    assert!(e.to_string().contains("`sending` to `issued`"), "{e}");
    let still = Reconciliation::StillUnknown("later".into());
    assert!(matches!(j.record_reconciled(r.id, &still).await, Err(JournalError::Transition { .. })));
    let row = j.row(r.id).await.unwrap();
    assert_eq!((row.state, row.reconciled_at), (RowState::Sending, None));
    // From `unknown`, each is kept.
    j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
    j.record_reconciled(r.id, &still).await.unwrap();
    j.record(&[(r.id, Record::Reconciled(&found))]).await.unwrap();
    let row = j.row(r.id).await.unwrap();
    assert_eq!(row.state, RowState::Issued);
    assert!(row.reconciled_at.is_some());
}

pub async fn references_are_deterministic_unique_short_and_stable<F: Fixture>(f: &F) {
    let j = f.open().await;
    let a = campaign_with(&*j, "a", 1000).await;
    let b = campaign_with(&*j, "b", 1000).await;
    assert_ne!(a.token, b.token);
    for c in [&a, &b] {
        assert_eq!(c.token.len(), 8);
        assert!(c.token.bytes().all(|x| x.is_ascii_uppercase() || x.is_ascii_digit()));
    }
    let mut before = Vec::new();
    for c in [&a, &b] {
        before.extend(j.rows(c, None, None, 5000).await.unwrap());
    }
    let set: HashSet<_> = before.iter().map(|r| r.partner_ref.clone()).collect();
    assert_eq!(set.len(), 2000);
    for r in &before {
        let token = if r.campaign == a.id { &a.token } else { &b.token };
        assert_eq!(r.partner_ref, partner_ref(token, r.line).unwrap());
        assert_eq!(r.partner_ref.as_str().len(), REF_LEN);
        assert!(REF_LEN <= 17 && r.partner_ref.as_str().bytes().all(|x| x.is_ascii_alphanumeric()));
    }
    j.close().await;
    let j = f.open().await;
    let mut after = Vec::new();
    for name in ["a", "b"] {
        let c = j.campaign(name).await.unwrap();
        after.extend(j.rows(&c, None, None, 5000).await.unwrap());
    }
    let refs = |rs: &[Row]| rs.iter().map(|r| (r.id, r.partner_ref.clone())).collect::<Vec<_>>();
    assert_eq!(refs(&before), refs(&after));
}

pub async fn campaign_names_are_unique<F: Fixture>(f: &F) {
    let j = f.open().await;
    j.create_campaign(&spec("spring", false)).await.unwrap();
    let e = j.create_campaign(&spec("spring", true)).await.unwrap_err();
    assert!(matches!(e, JournalError::CampaignExists(_)));
    assert!(e.to_string().contains("spring"), "{e}");
    assert!(matches!(j.campaign("autumn").await, Err(JournalError::CampaignNotFound(_))));
}

pub async fn known_keys_are_skipped_and_a_batch_is_all_or_none<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = j.create_campaign(&spec("keys", false)).await.unwrap().campaign;
    let first = j.insert_rows(&c, &rows(1..=3)).await.unwrap();
    assert_eq!((first.added, first.known_keys_skipped), (3, 0));
    // The same file again, plus one new row and a key repeated within the batch.
    let mut again = rows(1..=4);
    again.push(new_row(5, Some("k4")));
    let second = j.insert_rows(&c, &again).await.unwrap();
    assert_eq!((second.added, second.known_keys_skipped), (1, 4));
    assert_eq!(j.counts(&c).await.unwrap().total(), 4);

    // A keyless row on a taken line refuses the whole batch.
    let batch = vec![new_row(6, Some("k6")), new_row(2, None)];
    let e = j.insert_rows(&c, &batch).await.unwrap_err();
    assert!(matches!(e, JournalError::LineTaken { line: 2, .. }), "{e}");
    assert_eq!(j.counts(&c).await.unwrap().total(), 4, "nothing of the failed batch is kept");
    let stored = j.rows(&c, None, None, 10).await.unwrap();
    assert_eq!(stored[0].extra.get("dept").map(String::as_str), Some("sales"));
    assert_eq!(stored[0].request.product_id.as_deref(), Some("G0001"));

    // Keyless rows: the same file imported again adds only its new lines.
    let d = j.create_campaign(&spec("keyless", false)).await.unwrap().campaign;
    let file: Vec<NewRow> = (2..=4).map(|l| new_row(l, None)).collect();
    assert_eq!(j.insert_rows(&d, &file[..2]).await.unwrap().added, 2);
    let again = j.insert_rows(&d, &file).await.unwrap();
    assert_eq!((again.added, again.known_keys_skipped), (1, 2));
    let mut changed = new_row(3, None);
    changed.phone = "010-9999-0000".into();
    let e = j.insert_rows(&d, &[changed]).await.unwrap_err();
    assert!(matches!(e, JournalError::LineTaken { line: 3, .. }), "another row on a taken line: {e}");
}

pub async fn mark_sending_is_committed_before_it_returns<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "durable", 3).await;
    let claimed = j.claim(&Claim::new(&c, "w", 2, LONG)).await.unwrap();
    j.mark_sending(&ids(&claimed), "w", None).await.unwrap();
    // No close: the process "dies" here; a new journal on the file sees the intent.
    let other = f.open().await;
    let c2 = other.campaign("durable").await.unwrap();
    let sending = other.rows(&c2, Some(RowState::Sending), None, 10).await.unwrap();
    assert_eq!(ids(&sending), ids(&claimed));
    assert!(sending.iter().all(|r| r.attempts == 1 && r.first_sent_at.is_some()));
    drop(j);
    drop(other);
    let reopened = f.open().await;
    assert_eq!(reopened.counts(&c).await.unwrap().sending, 2);
}

pub async fn mark_sending_is_all_or_none<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "atomic", 2).await;
    let mine = j.claim(&Claim::new(&c, "a", 1, LONG)).await.unwrap();
    let theirs = j.claim(&Claim::new(&c, "b", 1, LONG)).await.unwrap();
    let e = j.mark_sending(&[mine[0].id, theirs[0].id], "a", None).await.unwrap_err();
    assert!(matches!(e, JournalError::LeaseLost { .. }), "{e}");
    assert_eq!(j.counts(&c).await.unwrap().pending, 2, "the first row was rolled back");
}

pub async fn two_workers_never_get_the_same_row<F: Fixture>(f: &F) {
    let setup = f.open().await;
    let c = campaign_with(&*setup, "race", 200).await;
    let work = |name: &'static str| {
        let url = f.url();
        let c = c.clone();
        async move {
            // Each worker its own journal (own connections), as two processes would.
            let j = coupon_journal::open(&url).await.unwrap();
            let mut got = Vec::new();
            loop {
                let batch = j.claim(&Claim::new(&c, name, 7, LONG)).await.unwrap();
                if batch.is_empty() {
                    break got;
                }
                assert!(batch.iter().all(|r| r.lease_owner.as_deref() == Some(name)));
                j.mark_sending(&ids(&batch), name, None).await.unwrap();
                got.extend(ids(&batch));
            }
        }
    };
    let (a, b) = tokio::join!(work("a"), work("b"));
    let all: HashSet<_> = a.iter().chain(&b).collect();
    assert_eq!(a.len() + b.len(), 200);
    assert_eq!(all.len(), 200, "no row was claimed twice");
    assert_eq!(setup.counts(&c).await.unwrap().sending, 200);
}

pub async fn an_expired_lease_makes_a_row_claimable_and_a_sending_row_in_doubt<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "leases", 3).await;
    let short = Duration::from_millis(1000);
    let first = j.claim(&Claim::new(&c, "a", 2, short)).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|r| !r.in_doubt()));
    j.mark_sending(&[first[0].id], "a", None).await.unwrap();
    // While the lease holds, another worker gets only the free row.
    let during = j.claim(&Claim::new(&c, "b", 10, LONG)).await.unwrap();
    assert_eq!(during.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3]);

    tokio::time::sleep(Duration::from_millis(1300)).await;
    // Too late for "a" to send the row it did not mark.
    let e = j.mark_sending(&[first[1].id], "a", None).await.unwrap_err();
    assert!(matches!(e, JournalError::LeaseLost { .. }), "{e}");
    let after = j.claim(&Claim::new(&c, "b", 10, LONG)).await.unwrap();
    assert_eq!(ids(&after), ids(&first));
    let sent = &after[0];
    assert!(sent.in_doubt());
    assert_eq!(sent.state, RowState::Unknown);
    assert_eq!(sent.error_kind.as_deref(), Some("outcome_unknown"));
    assert_eq!(sent.lease_owner.as_deref(), Some("b"));
    assert_eq!(after[1].state, RowState::Pending);
    assert!(!after[1].in_doubt());
    // The in-doubt row is reconciled, never sent again as such.
    assert!(matches!(j.mark_sending(&[sent.id], "b", None).await, Err(JournalError::Transition { .. })));
    j.record_reconciled(sent.id, &Reconciliation::StillUnknown("history not updated yet".into())).await.unwrap();
    let again = j.claim(&Claim::new(&c, "c", 10, LONG)).await.unwrap();
    assert_eq!(ids(&again), vec![sent.id], "a still-unknown row is released for the next reconciliation");
    assert_eq!(again[0].vendor_message.as_deref(), Some("history not updated yet"));
}

pub async fn pins_are_masked_and_hashed_unless_the_campaign_stores_them<F: Fixture>(f: &F) {
    let j = f.open().await;
    let created = j.create_campaign(&spec("masked", false)).await.unwrap();
    assert!(created.warning.is_none());
    let c = created.campaign;
    j.insert_rows(&c, &rows(1..=1)).await.unwrap();
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    j.record_issued(r.id, &issued_for(&r, Some(PIN))).await.unwrap();
    let r = j.row(r.id).await.unwrap();
    assert_eq!(r.pin, None);
    assert_eq!(r.pin_masked.as_deref(), Some("********4802"));
    let hash = r.pin_hash.clone().unwrap();
    assert!(j.pin_key().verify(PIN, &hash));
    assert!(!j.pin_key().verify("405868134803", &hash));

    // The HMAC is the standard one, under the key kept in journal_meta.
    let meta = f.meta().await;
    let hex = &meta.iter().find(|(name, _)| name == "pin_hmac_key").unwrap().1;
    let key: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(PIN.as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hash, expected);
    j.close().await;

    // With store_pins, it is kept in clear too, and the caller is warned.
    let j = f.open().await;
    let created = j.create_campaign(&spec("clear", true)).await.unwrap();
    let warning = created.warning.unwrap();
    assert!(warning.contains("clear") && warning.contains("`clear`"), "{warning}");
    let c = created.campaign;
    j.insert_rows(&c, &rows(1..=1)).await.unwrap();
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    j.record_issued(r.id, &issued_for(&r, Some(PIN))).await.unwrap();
    let r = j.row(r.id).await.unwrap();
    assert_eq!(r.pin.as_ref().map(Pin::expose), Some(PIN));
    assert!(j.pin_key().verify(PIN, r.pin_hash.as_deref().unwrap()));
}

pub async fn a_row_debug_shows_no_phone_and_no_pin<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = j.create_campaign(&spec("debug", true)).await.unwrap().campaign;
    j.insert_rows(&c, &rows(1..=1)).await.unwrap();
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    j.record_issued(r.id, &issued_for(&r, Some(PIN))).await.unwrap();
    let r = j.row(r.id).await.unwrap();
    assert!(r.pin.is_some());
    let shown = format!("{r:?}");
    assert!(shown.contains("010-****-5678"), "{shown}");
    assert!(!shown.contains("1234"), "{shown}");
    assert!(!shown.contains(PIN) && shown.contains("********4802"), "{shown}");
    assert!(!shown.contains(r.pin_hash.as_deref().unwrap()), "{shown}");
}

pub async fn listing_counting_stopping_and_paging<F: Fixture>(f: &F) {
    let j = f.open().await;
    let a = campaign_with(&*j, "a", 25).await;
    let b = campaign_with(&*j, "b", 2).await;
    let claimed = j.claim(&Claim::new(&a, "w", 5, LONG)).await.unwrap();
    j.mark_sending(&ids(&claimed), "w", None).await.unwrap();

    let list = j.list_campaigns().await.unwrap();
    assert_eq!(list.iter().map(|s| s.campaign.name.as_str()).collect::<Vec<_>>(), vec!["a", "b"]);
    assert_eq!((list[0].counts.pending, list[0].counts.sending), (20, 5));
    assert_eq!(list[1].counts.total(), 2);

    assert_eq!(j.stop_reason(&b).await.unwrap(), None);
    j.set_stop(&b, Some("balance low".into())).await.unwrap();
    assert_eq!(j.stop_reason(&b).await.unwrap().as_deref(), Some("balance low"));
    assert_eq!(j.campaign("b").await.unwrap().stop_reason.as_deref(), Some("balance low"));
    j.set_stop(&b, None).await.unwrap();
    assert_eq!(j.stop_reason(&b).await.unwrap(), None);

    // Pages of 7 pending rows, in line order, until an empty page.
    let mut lines = Vec::new();
    let mut after = None;
    loop {
        let page = j.rows(&a, Some(RowState::Pending), after, 7).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(last.line);
        lines.extend(page.iter().map(|r| r.line));
    }
    assert_eq!(lines, (6..=25).collect::<Vec<_>>());
    assert_eq!(j.rows(&a, Some(RowState::Sending), None, 100).await.unwrap().len(), 5);
}

pub async fn a_spending_cap_marks_only_what_fits_and_counts_rows_in_doubt<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "capped", 5).await; // 1,000 won each
    let claimed = j.claim(&Claim::new(&c, "w", 5, LONG)).await.unwrap();
    let first = j.mark_sending(&ids(&claimed[..2]), "w", Some(2_500)).await.unwrap();
    assert_eq!(first.marked, ids(&claimed[..2]));
    assert_eq!(first.over_cap, None);
    j.record_unknown(claimed[1].id, &doubt(&claimed[1].partner_ref)).await.unwrap();
    // 2,000 may have been spent (one sending, one in doubt): one more row would pass 2,500.
    let spend = j.spent(&c).await.unwrap();
    assert_eq!((spend.won, spend.unpriced), (2_000, 0));
    let second = j.mark_sending(&ids(&claimed[2..]), "w", Some(2_500)).await.unwrap();
    assert!(second.marked.is_empty());
    assert_eq!(second.over_cap, Some(claimed[2].id));
    assert_eq!(j.row(claimed[2].id).await.unwrap().state, RowState::Pending, "a row over the cap is untouched");
    // Refused rows cost nothing: the cap has room again.
    j.record_refused(claimed[0].id, &refusal()).await.unwrap();
    let third = j.mark_sending(&ids(&claimed[2..]), "w", Some(2_500)).await.unwrap();
    assert_eq!(third.marked, vec![claimed[2].id]);
    assert_eq!(third.over_cap, Some(claimed[3].id));
}

pub async fn a_row_without_a_price_is_refused_under_a_cap<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = j.create_campaign(&spec("unpriced", false)).await.unwrap().campaign;
    let mut row = new_row(2, None);
    row.price = None;
    j.insert_rows(&c, &[row]).await.unwrap();
    let claimed = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap();
    let e = j.mark_sending(&ids(&claimed), "w", Some(10_000)).await.unwrap_err();
    assert!(e.to_string().contains("no known price"), "{e}");
    assert_eq!(j.row(claimed[0].id).await.unwrap().state, RowState::Pending);
    j.mark_sending(&ids(&claimed), "w", None).await.unwrap();
    assert_eq!(j.spent(&c).await.unwrap().unpriced, 1);
}

pub async fn renewing_keeps_leases_alive_and_releasing_gives_them_back<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "leases", 3).await;
    let short = Duration::from_millis(300);
    let mine = j.claim(&Claim::new(&c, "a", 3, short)).await.unwrap();
    j.mark_sending(&[mine[0].id], "a", None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(j.renew(&c, "a", short).await.unwrap(), 3);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(j.claim(&Claim::new(&c, "b", 3, LONG)).await.unwrap().is_empty(), "renewed leases still hold");
    j.release(&ids(&mine), "a").await.unwrap();
    let theirs = j.claim(&Claim::new(&c, "b", 3, LONG)).await.unwrap();
    assert_eq!(ids(&theirs), ids(&mine[1..]), "released rows go to others; the row in flight stays leased");
}

pub async fn a_run_tries_each_doubt_once<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "doubts", 1).await;
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
    let run_start = Utc::now();
    j.insert_rows(&c, &[new_row(9, None)]).await.unwrap();
    let doubts = Claim { retry_unknown_before: run_start, doubts_only: true, ..Claim::new(&c, "w", 5, LONG) };
    let again = j.claim(&doubts).await.unwrap();
    assert_eq!(ids(&again), vec![r.id], "a doubt no reconciliation answered is claimable, alone when asked");
    j.record_reconciled(r.id, &Reconciliation::StillUnknown("vendor down".into())).await.unwrap();
    assert!(j.row(r.id).await.unwrap().reconciled_at.is_some());
    let one_doubt = Claim { max: 1, ..doubts };
    assert!(j.claim(&one_doubt).await.unwrap().is_empty(), "not twice in one run");
    tokio::time::sleep(Duration::from_millis(5)).await;
    let later = Claim { retry_unknown_before: Utc::now(), ..one_doubt };
    assert_eq!(ids(&j.claim(&later).await.unwrap()), vec![r.id], "a later run tries again");
}

pub async fn an_answer_proving_nothing_was_issued_sends_the_row_again_with_its_reference<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "again", 1).await;
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    let busy = Error::new(ErrorKind::RateLimited, "429").with_vendor(Vendor::new("test")).with_http_status(429);
    assert!(j.record_not_sent(r.id, &doubt(&r.partner_ref)).await.is_err(), "a doubt is not proof");
    j.record_not_sent(r.id, &busy).await.unwrap();
    let row = j.row(r.id).await.unwrap();
    assert_eq!(
        (row.state, row.error_kind.as_deref(), row.lease_owner.as_deref()),
        (RowState::NotIssued, Some("rate_limited"), None)
    );
    let again = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap();
    assert_eq!(again[0].partner_ref, r.partner_ref);
    j.mark_sending(&ids(&again), "w", None).await.unwrap();
    assert_eq!(j.row(r.id).await.unwrap().attempts, 2);
    // A late "not sent" never touches a row in doubt (another worker may be settling it).
    j.record_unknown(r.id, &doubt(&r.partner_ref)).await.unwrap();
    let e = j.record_not_sent(r.id, &busy).await.unwrap_err();
    assert!(e.to_string().contains("`unknown` to `not_issued`"), "{e}");
    assert_eq!(j.row(r.id).await.unwrap().state, RowState::Unknown);
}

pub async fn outcomes_recorded_together_are_all_kept_even_when_one_is_refused<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "batch", 4).await;
    let rows = j.claim(&Claim::new(&c, "w", 4, LONG)).await.unwrap();
    j.mark_sending(&ids(&rows[..3]), "w", None).await.unwrap();
    let issued = issued_for(&rows[0], Some(PIN));
    let refused = refusal();
    let lost = doubt(&rows[2].partner_ref);
    let batch = [
        (rows[0].id, Record::Issued(&issued)),
        (rows[1].id, Record::Refused(&refused)),
        (rows[2].id, Record::Unknown(&lost)),
    ];
    j.record(&batch).await.unwrap();
    let states: Vec<RowState> = futures_states(&*j, &rows[..3]).await;
    assert_eq!(states, [RowState::Issued, RowState::Refused, RowState::Unknown]);
    // A batch with a refused record: the others are kept, the refusal is the answer.
    let again = j.claim(&Claim { doubts_only: true, ..Claim::new(&c, "w", 4, LONG) }).await.unwrap();
    assert_eq!(ids(&again), vec![rows[2].id]);
    let settle = Reconciliation::NotIssued;
    let pending_issued = issued_for(&rows[1], None);
    let batch = [(rows[2].id, Record::Reconciled(&settle)), (rows[1].id, Record::Issued(&pending_issued))];
    let e = j.record(&batch).await.unwrap_err();
    assert!(e.to_string().contains("`refused` to `issued`"), "{e}");
    assert_eq!(j.row(rows[2].id).await.unwrap().state, RowState::NotIssued, "the good record of the batch is kept");
}

async fn futures_states(j: &dyn Journal, rows: &[Row]) -> Vec<RowState> {
    let mut out = Vec::new();
    for r in rows {
        out.push(j.row(r.id).await.unwrap().state);
    }
    out
}

pub async fn claiming_for_sending_commits_the_intents_and_hands_doubts_back_as_doubts<F: Fixture>(f: &F) {
    let j = f.open().await;
    let c = campaign_with(&*j, "claim-send", 4).await;
    let short = Duration::from_millis(200);
    // A dead worker's row in flight.
    let dead = j.claim(&Claim::new(&c, "dead", 1, short)).await.unwrap();
    j.mark_sending(&ids(&dead), "dead", None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let only_doubts = j.claim_sending(&Claim { doubts_only: true, ..Claim::new(&c, "w", 10, LONG) }).await.unwrap();
    assert_eq!(ids(&only_doubts), ids(&dead));
    assert_eq!(only_doubts[0].state, RowState::Unknown, "in doubt, never re-sent blind");
    let rows = j.claim_sending(&Claim::new(&c, "w", 10, LONG)).await.unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!((row.state, row.attempts, row.lease_owner.as_deref()), (RowState::Sending, 1, Some("w")));
        assert!(row.first_sent_at.is_some());
        assert_eq!(j.row(row.id).await.unwrap().state, RowState::Sending, "the intent is committed");
    }
    assert!(j.claim_sending(&Claim::new(&c, "other", 10, LONG)).await.unwrap().is_empty());
}
