//! Applying an [`AgeRequest`] to a vendor's coupons: each section reads its members,
//! picks its coupons and changes them through the vendor's [`Ageable`].

use chrono::{DateTime, Days, FixedOffset, NaiveDate};

use super::{AgeReport, AgeRequest, Pick, PickWire, pick};
use crate::error::AdminError;
use crate::records::{CouponRecord, RecordDelivery, RecordState};

/// The sections, in the order they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Redeem,
    PartlyUse,
    Expire,
    ValidUntil,
    DeliveryFailed,
}

impl Section {
    /// The section's member name in the request.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Redeem => "redeem",
            Self::PartlyUse => "partly_use",
            Self::Expire => "expire",
            Self::ValidUntil => "valid_until",
            Self::DeliveryFailed => "delivery_failed",
        }
    }

    /// Mixed into the request's seed, so each section draws apart from the others.
    fn salt(self) -> u64 {
        match self {
            Self::Redeem => 0x9e37_79b9_7f4a_7c15,
            Self::PartlyUse => 0xbf58_476d_1ce4_e5b9,
            Self::Expire => 0x94d0_49bb_1331_11eb,
            Self::ValidUntil => 0x2545_f491_4f6c_dd1d,
            Self::DeliveryFailed => 0x1405_7b7e_f767_814f,
        }
    }
}

/// A vendor's coupons as ageing sees them: indices `0..len()` in issue order.
pub(crate) trait Ageable {
    /// How many coupons were issued.
    fn len(&self) -> usize;
    /// The coupons `id` names (partner reference, order id or PIN).
    fn find(&self, id: &str) -> Vec<usize>;
    /// Coupon `i` as it is on `today`.
    fn record(&self, i: usize, today: NaiveDate) -> CouponRecord;
    /// Shops to redeem at when the request names none.
    fn branches(&self) -> &[String];
    /// `Err(why)` when the vendor has nothing the section could change.
    fn supports(&self, section: Section) -> Result<(), String>;
    /// Coupon `i` used whole at `at`, at `branch`.
    fn redeem(&mut self, i: usize, at: DateTime<FixedOffset>, branch: &str);
    /// Stored-value coupon `i` spent down to `balance` at `at`; only called where
    /// [`supports`](Self::supports) allows the section.
    fn partly_use(&mut self, i: usize, balance: u64, at: DateTime<FixedOffset>, branch: &str);
    /// Coupon `i`'s last day is `day`.
    fn set_valid_until(&mut self, i: usize, day: NaiveDate);
    /// Coupon `i`'s message reported failed; only called where allowed.
    fn fail_delivery(&mut self, i: usize);
}

/// Applies every section of `req` in order, as of `now`; the coupons each changed.
/// Stops at the first refusal: the caller applies it to a copy and keeps the copy only
/// on success, so a refused request changes nothing.
pub(crate) fn age<A: Ageable>(
    target: &mut A,
    req: &AgeRequest,
    now: DateTime<FixedOffset>,
) -> Result<AgeReport, AdminError> {
    let mut changed: Vec<(Section, Vec<usize>)> = Vec::new();
    let mut ager = Ager { target, seed: req.seed, now };
    if let Some(s) = &req.redeem {
        let chosen = ager.chosen(Section::Redeem, s.pick_wire(), &|r, named| usable(r, named))?;
        let times = ager.times(Section::Redeem, s.from.as_deref(), s.over_days, s.spread, chosen.len())?;
        ager.spend(Section::Redeem, &chosen, &times, s.branch.as_deref(), None)?;
        changed.push((Section::Redeem, chosen));
    }
    if let Some(s) = &req.partly_use {
        let (section, balance) = (Section::PartlyUse, s.balance);
        ager.supported(section)?;
        if balance == 0 {
            return Err(AdminError::BadRequest(
                "`partly_use.balance` must be at least 1 won (`redeem` spends a coupon whole)".into(),
            ));
        }
        let fits = |r: &CouponRecord, named| match r.remaining {
            None => Err("it holds no stored value".to_owned()),
            Some(left) if left <= balance => Err(format!("it holds {left} won, not more than {balance}")),
            Some(_) => usable(r, named),
        };
        let chosen = ager.chosen(section, s.pick_wire(), &fits)?;
        let times = ager.times(section, s.from.as_deref(), s.over_days, s.spread, chosen.len())?;
        ager.spend(section, &chosen, &times, s.branch.as_deref(), Some(balance))?;
        changed.push((section, chosen));
    }
    if let Some(s) = &req.expire {
        let chosen = ager.chosen(Section::Expire, s.pick_wire(), &dated)?;
        let yesterday = now.date_naive().checked_sub_days(Days::new(1)).unwrap_or(NaiveDate::MIN);
        for &i in &chosen {
            ager.target.set_valid_until(i, yesterday);
        }
        changed.push((Section::Expire, chosen));
    }
    if let Some(s) = &req.valid_until {
        let day = new_last_day(s.day.as_deref(), s.in_days, now.date_naive())?;
        let chosen = ager.chosen(Section::ValidUntil, s.pick_wire(), &dated)?;
        for &i in &chosen {
            ager.target.set_valid_until(i, day);
        }
        changed.push((Section::ValidUntil, chosen));
    }
    if let Some(s) = &req.delivery_failed {
        let section = Section::DeliveryFailed;
        ager.supported(section)?;
        let fits = |r: &CouponRecord, named| match r.delivery {
            Some(RecordDelivery::Delivered) if named && r.state != RecordState::Cancelled => Ok(()),
            Some(RecordDelivery::Delivered) => usable(r, named),
            Some(RecordDelivery::Failed) => Err("its delivery already failed".to_owned()),
            None => Err("it was not sent by a message the vendor reports on".to_owned()),
        };
        let chosen = ager.chosen(section, s.pick_wire(), &fits)?;
        for &i in &chosen {
            ager.target.fail_delivery(i);
        }
        changed.push((section, chosen));
    }
    let today = now.date_naive();
    let mut report = AgeReport { vendor: req.vendor.clone(), ..AgeReport::default() };
    for (section, chosen) in changed {
        let records = chosen.iter().map(|&i| ager.target.record(i, today)).collect();
        match section {
            Section::Redeem => report.redeemed = records,
            Section::PartlyUse => report.partly_used = records,
            Section::Expire => report.expired = records,
            Section::ValidUntil => report.valid_until = records,
            Section::DeliveryFailed => report.delivery_failed = records,
        }
    }
    Ok(report)
}

/// Whether a coupon is still there to use: unused, or (when named) used in part.
fn usable(r: &CouponRecord, named: bool) -> Result<(), String> {
    match r.state {
        RecordState::Unused => Ok(()),
        RecordState::PartlyUsed if named => Ok(()),
        state => Err(format!("it is {}", state.as_str())),
    }
}

/// Whether a coupon can be given a last day: [`usable`], and the vendor keeps one for it.
fn dated(r: &CouponRecord, named: bool) -> Result<(), String> {
    match r.valid_until {
        None => Err("the vendor keeps no last day for it".to_owned()),
        Some(_) => usable(r, named),
    }
}

/// How a coupon is named in a refusal: its partner reference or order id, never its PIN.
fn label(r: &CouponRecord) -> String {
    r.partner_ref.clone().unwrap_or_else(|| r.order.clone())
}

/// `valid_until`'s new last day: exactly one of `day` and `in_days`.
fn new_last_day(day: Option<&str>, in_days: Option<i64>, today: NaiveDate) -> Result<NaiveDate, AdminError> {
    match (day, in_days) {
        (Some(text), None) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| AdminError::BadRequest(format!("`valid_until.day` must be a day YYYY-MM-DD, got {text:?}"))),
        (None, Some(n)) => {
            let shifted = if n >= 0 {
                today.checked_add_days(Days::new(n.unsigned_abs()))
            } else {
                today.checked_sub_days(Days::new(n.unsigned_abs()))
            };
            shifted.ok_or_else(|| AdminError::BadRequest(format!("`valid_until.in_days` is out of range: {n}")))
        }
        (None, None) => {
            Err(AdminError::BadRequest("`valid_until` needs `valid_until.day` or `valid_until.in_days`".into()))
        }
        (Some(_), Some(_)) => {
            Err(AdminError::BadRequest("`valid_until` gives both `day` and `in_days`: give exactly one".into()))
        }
    }
}

/// A request being applied: the vendor's coupons, the seed and the time.
struct Ager<'a, A> {
    target: &'a mut A,
    seed: u64,
    now: DateTime<FixedOffset>,
}

type Fits<'f> = dyn Fn(&CouponRecord, bool) -> Result<(), String> + 'f;

impl<A: Ageable> Ager<'_, A> {
    fn rng(&self, section: Section) -> fastrand::Rng {
        fastrand::Rng::with_seed(self.seed ^ section.salt())
    }

    fn supported(&self, section: Section) -> Result<(), AdminError> {
        self.target.supports(section).map_err(|why| AdminError::BadRequest(format!("`{}`: {why}", section.name())))
    }

    /// The coupons the section acts on, in issue order: `fits` says whether one may be
    /// chosen (`true` when the request names it, `false` when the seed picks it).
    fn chosen(&self, section: Section, wire: PickWire, fits: &Fits<'_>) -> Result<Vec<usize>, AdminError> {
        let name = section.name();
        let today = self.now.date_naive();
        let issued = self.target.len();
        let n = match pick::read(name, wire)? {
            Pick::Fraction(f) => pick::share(f, issued),
            Pick::Count(n) => n,
            Pick::Coupons(ids) => {
                let mut chosen = Vec::new();
                for id in &ids {
                    let found = self.target.find(id.trim());
                    if found.is_empty() {
                        return Err(AdminError::NotFound(format!("`{name}.coupons`: no coupon {id:?} was issued")));
                    }
                    for i in found {
                        let r = self.target.record(i, today);
                        fits(&r, true).map_err(|why| {
                            AdminError::Conflict(format!(
                                "`{name}.coupons`: coupon {} cannot be aged so: {why}",
                                label(&r)
                            ))
                        })?;
                        chosen.push(i);
                    }
                }
                chosen.sort_unstable();
                chosen.dedup();
                return Ok(chosen);
            }
        };
        let eligible: Vec<usize> =
            (0..issued).filter(|&i| fits(&self.target.record(i, today), false).is_ok()).collect();
        if n > eligible.len() {
            return Err(AdminError::Conflict(format!(
                "`{name}`: {n} coupons asked, but only {} of the {issued} issued can be aged so",
                eligible.len()
            )));
        }
        Ok(pick::choose(&eligible, n, &mut self.rng(section)))
    }

    fn times(
        &self,
        section: Section,
        from: Option<&str>,
        over_days: u32,
        spread: super::Spread,
        n: usize,
    ) -> Result<Vec<DateTime<FixedOffset>>, AdminError> {
        let start = pick::from(section.name(), from, self.now)?;
        // Drawn apart from the coupons' choice, so the times do not shift which coupons.
        let mut rng = fastrand::Rng::with_seed(self.seed ^ section.salt().rotate_left(17));
        pick::times(section.name(), start, over_days, spread, n, &mut rng)
    }

    /// Redeems (`balance` None) or spends down to `balance` each chosen coupon at its time.
    fn spend(
        &mut self,
        section: Section,
        chosen: &[usize],
        times: &[DateTime<FixedOffset>],
        branch: Option<&str>,
        balance: Option<u64>,
    ) -> Result<(), AdminError> {
        let today = self.now.date_naive();
        let mut rng = self.rng(section).fork();
        for (&i, &at) in chosen.iter().zip(times) {
            let r = self.target.record(i, today);
            if let Some(last) = r.valid_until.filter(|last| at.date_naive() > *last) {
                return Err(AdminError::Conflict(format!(
                    "`{}`: coupon {} is valid until {last}, before its time {}",
                    section.name(),
                    label(&r),
                    at.to_rfc3339()
                )));
            }
            let shop = match branch.map(str::trim).filter(|b| !b.is_empty()) {
                Some(b) => b.to_owned(),
                None => {
                    let shops = self.target.branches();
                    shops.get(rng.usize(..shops.len().max(1))).cloned().unwrap_or_else(|| "본점".to_owned())
                }
            };
            match balance {
                None => self.target.redeem(i, at, &shop),
                Some(b) => self.target.partly_use(i, b, at, &shop),
            }
        }
        Ok(())
    }
}
