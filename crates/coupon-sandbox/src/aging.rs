//! Ageing a campaign: the body of `POST /_sandbox/age` ([`AgeRequest`]) and its answer
//! ([`AgeReport`]). Each section picks coupons and changes them as time would: redeemed
//! at chosen times, used in part, expired, given a new last day, or undelivered.
//!
//! ```
//! use coupon_sandbox::{AgeRedeem, AgeRequest, Pick};
//! let req = AgeRequest::new("giftletter")
//!     .seed(7)
//!     .redeem(AgeRedeem::new(Pick::Fraction(0.4)).from("2026-03-01T09:00:00+09:00").over_days(14));
//! let json = serde_json::to_value(&req).unwrap();
//! assert_eq!(json["redeem"]["fraction"], 0.4);
//! assert_eq!(json["redeem"]["over_days"], 14);
//! ```

mod apply;
mod pick;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::AdminError;
use crate::records::CouponRecord;

pub(crate) use apply::{Ageable, Section, age};

/// Which coupons a section acts on. On the wire it is one of the members `fraction`,
/// `count` or `coupons` of the section.
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// This share (0 to 1) of every coupon the vendor issued, rounded to the nearest
    /// whole coupon, chosen by the seed among those the section applies to.
    Fraction(f64),
    /// This many, chosen by the seed among those the section applies to.
    Count(usize),
    /// These coupons, each named by its partner reference, order id or PIN (a GiftiMbiz
    /// `tid` names every item bought with it).
    Coupons(Vec<String>),
}

/// How redemption times are spread over `over_days` from `from`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// Evenly, in the order the coupons were issued.
    #[default]
    Even,
    /// At times drawn from the seed.
    Seed,
}

/// The three members that name a [`Pick`] on the wire; exactly one is given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct PickWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fraction: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    coupons: Option<Vec<String>>,
}

impl From<Pick> for PickWire {
    fn from(pick: Pick) -> Self {
        match pick {
            Pick::Fraction(f) => Self { fraction: Some(f), ..Self::default() },
            Pick::Count(n) => Self { count: Some(n), ..Self::default() },
            Pick::Coupons(c) => Self { coupons: Some(c), ..Self::default() },
        }
    }
}

/// Declares a section: its wire members (the pick's three, then its own), a constructor
/// from a [`Pick`], and `pick_wire` for the shared reading.
macro_rules! section {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Pick a share of the issued coupons (see [`Pick::Fraction`]).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub fraction: Option<f64>,
            /// Pick this many (see [`Pick::Count`]).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub count: Option<usize>,
            /// Pick these coupons (see [`Pick::Coupons`]).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub coupons: Option<Vec<String>>,
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name {
            /// The section acting on `pick`, with every other member at its default.
            pub fn new(pick: Pick) -> Self {
                let wire = PickWire::from(pick);
                let mut section = Self::default();
                (section.fraction, section.count, section.coupons) = (wire.fraction, wire.count, wire.coupons);
                section
            }

            fn pick_wire(&self) -> PickWire {
                PickWire { fraction: self.fraction, count: self.count, coupons: self.coupons.clone() }
            }
        }
    };
}

section! {
    /// `redeem`: the coupons are used at a shop, at times spread over days; a
    /// stored-value coupon is spent whole. Applies to unused coupons (a named coupon may
    /// also be one used in part); each time must fall on or before the coupon's last day.
    AgeRedeem {
        /// The first redemption time, RFC 3339 (`2026-03-01T09:00:00+09:00`); now when
        /// absent. Past and future times are both allowed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// Days over which the times are spread from `from` (0: all at `from`).
        #[serde(default)]
        over_days: u32,
        /// How the times are spread.
        #[serde(default)]
        spread: Spread,
        /// The shop; one of the catalog's, chosen by the seed, when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        branch: Option<String>,
    }
}

section! {
    /// `partly_use`: stored-value coupons are spent down to `balance`, at times as
    /// `redeem`'s. Only where the vendor has stored value (Giftishow 금액권).
    AgePartlyUse {
        /// The won left on each coupon: at least 1, less than what it holds now.
        #[serde(default)]
        balance: u64,
        /// As [`AgeRedeem::from`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// As [`AgeRedeem::over_days`].
        #[serde(default)]
        over_days: u32,
        /// As [`AgeRedeem::spread`].
        #[serde(default)]
        spread: Spread,
        /// As [`AgeRedeem::branch`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        branch: Option<String>,
    }
}

section! {
    /// `expire`: the coupons' last day becomes yesterday (KST), so the vendor reports
    /// them expired. Applies to unused coupons (a named coupon may be one used in part).
    AgeExpire {}
}

section! {
    /// `valid_until`: the coupons' last day becomes `day`, or today plus `in_days`
    /// (exactly one of the two). Applies as `expire`.
    AgeValidUntil {
        /// The new last day, `YYYY-MM-DD`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        day: Option<String>,
        /// The new last day as days from today (KST); negative is in the past.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_days: Option<i64>,
    }
}

section! {
    /// `delivery_failed`: the vendor reports the coupons' messages as failed. Only where
    /// the vendor reports delivery (Giftishow, coupons sent by MMS in production); a
    /// later successful resend delivers them again.
    AgeDeliveryFailed {}
}

/// Body of `POST /_sandbox/age`: the vendor, a seed, and any of the sections, applied in
/// this order (each sees what the ones before it did), all or none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRequest {
    /// Emulator name (`giftletter`, `giftishow`, `giftimbiz`); required.
    #[serde(default)]
    pub vendor: String,
    /// Seeds every choice (which coupons, which shop, which times): the same request on
    /// the same coupons does the same thing.
    #[serde(default)]
    pub seed: u64,
    /// See [`AgeRedeem`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeem: Option<AgeRedeem>,
    /// See [`AgePartlyUse`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partly_use: Option<AgePartlyUse>,
    /// See [`AgeExpire`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire: Option<AgeExpire>,
    /// See [`AgeValidUntil`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<AgeValidUntil>,
    /// See [`AgeDeliveryFailed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_failed: Option<AgeDeliveryFailed>,
}

impl AgeRequest {
    /// A request for `vendor` with seed 0 and no section.
    pub fn new(vendor: impl Into<String>) -> Self {
        Self { vendor: vendor.into(), ..Self::default() }
    }

    /// With this seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// With a `redeem` section.
    pub fn redeem(mut self, section: AgeRedeem) -> Self {
        self.redeem = Some(section);
        self
    }

    /// With a `partly_use` section.
    pub fn partly_use(mut self, section: AgePartlyUse) -> Self {
        self.partly_use = Some(section);
        self
    }

    /// With an `expire` section.
    pub fn expire(mut self, section: AgeExpire) -> Self {
        self.expire = Some(section);
        self
    }

    /// With a `valid_until` section.
    pub fn valid_until(mut self, section: AgeValidUntil) -> Self {
        self.valid_until = Some(section);
        self
    }

    /// With a `delivery_failed` section.
    pub fn delivery_failed(mut self, section: AgeDeliveryFailed) -> Self {
        self.delivery_failed = Some(section);
        self
    }
}

impl AgeRequest {
    /// Reads a request body, naming the member at fault when it does not fit:
    /// `` `redeem.over_days`: invalid type: string "x", expected u32 ``.
    pub(crate) fn read(body: &Value) -> Result<Self, AdminError> {
        if !body.is_object() {
            // serde would also read a struct from an array, by position.
            return Err(AdminError::BadRequest(format!("the body must be a JSON object, got {body}")));
        }
        let req = Self::deserialize(body).map_err(|e| AdminError::BadRequest(explain(body, &e)))?;
        if req.vendor.trim().is_empty() {
            return Err(AdminError::BadRequest(
                "`vendor` is required: the name of an emulator that issues (`GET /_sandbox/records/{vendor}` lists its \
                 coupons)"
                    .into(),
            ));
        }
        Ok(req)
    }
}

/// `error` prefixed with the path of the member it comes from: every member is optional
/// (or defaulted), so the member that fails alone is the one at fault.
fn explain(body: &Value, error: &serde_json::Error) -> String {
    let Some(members) = body.as_object() else { return format!("the body must be a JSON object: {error}") };
    let alone = |k: &str, v: &Value| json!({ k: v });
    for (k, v) in members {
        if AgeRequest::deserialize(alone(k, v)).is_ok() {
            continue;
        }
        let inner = match k.as_str() {
            "redeem" => culprit::<AgeRedeem>(v),
            "partly_use" => culprit::<AgePartlyUse>(v),
            "expire" => culprit::<AgeExpire>(v),
            "valid_until" => culprit::<AgeValidUntil>(v),
            "delivery_failed" => culprit::<AgeDeliveryFailed>(v),
            _ => None,
        };
        let path = inner.map_or_else(|| k.clone(), |m| format!("{k}.{m}"));
        return format!("`{path}`: {error}");
    }
    error.to_string()
}

/// The member of section `v` that fails alone.
fn culprit<T: DeserializeOwned>(v: &Value) -> Option<String> {
    let members = v.as_object()?;
    members.iter().find(|(k, m)| T::deserialize(json!({ k.as_str(): m })).is_err()).map(|(k, _)| k.clone())
}

impl AgeRedeem {
    /// From this time (RFC 3339).
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Spread over this many days.
    pub fn over_days(mut self, days: u32) -> Self {
        self.over_days = days;
        self
    }

    /// Spread so.
    pub fn spread(mut self, spread: Spread) -> Self {
        self.spread = spread;
        self
    }

    /// At this shop.
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }
}

impl AgePartlyUse {
    /// Spending `pick`'s coupons down to `balance` won.
    pub fn leaving(pick: Pick, balance: u64) -> Self {
        Self { balance, ..Self::new(pick) }
    }
}

impl AgeValidUntil {
    /// `pick`'s coupons valid until `day` (`YYYY-MM-DD`).
    pub fn day(pick: Pick, day: impl Into<String>) -> Self {
        Self { day: Some(day.into()), ..Self::new(pick) }
    }

    /// `pick`'s coupons valid until today plus `days`.
    pub fn in_days(pick: Pick, days: i64) -> Self {
        Self { in_days: Some(days), ..Self::new(pick) }
    }
}

/// What `POST /_sandbox/age` did: per section, the coupons it changed, as they are
/// after the whole request, in the order they were issued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeReport {
    /// The emulator.
    pub vendor: String,
    /// Redeemed.
    pub redeemed: Vec<CouponRecord>,
    /// Used in part.
    pub partly_used: Vec<CouponRecord>,
    /// Expired.
    pub expired: Vec<CouponRecord>,
    /// Given a new last day.
    pub valid_until: Vec<CouponRecord>,
    /// Marked undelivered.
    pub delivery_failed: Vec<CouponRecord>,
}
