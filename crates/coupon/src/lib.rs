//! `coupon`: one typed, safe API over Korean mobile-coupon (기프티콘) vendors.
//!
//! Each vendor is an adapter crate behind a Cargo feature of this facade
//! (`giftletter`, `giftimbiz`, `coufun`, `giftishow`; all on by default). The
//! shared operations are the [`Adapter`] trait; each vendor's own operations are
//! on its native client (re-exported as [`giftletter`], [`giftimbiz`], [`coufun`],
//! [`giftishow`]).
//!
//! ```no_run
//! # async fn run() -> coupon::Result<()> {
//! let adapters = coupon::from_config("coupon.toml")?;
//! for (name, adapter) in adapters.iter() {
//!     println!("{name}: {:?}", adapter.capabilities());
//! }
//! # Ok(()) }
//! ```
//!
//! Nothing here retries a money-moving call unless the vendor deduplicates
//! it; an outcome that cannot be known is [`ErrorKind::OutcomeUnknown`]
//! carrying the caller's [`PartnerRef`].

// A dependency nothing references is not linked, and its `inventory::submit!`
// would vanish: name each enabled adapter so it registers.
#[cfg(feature = "coufun")]
extern crate adapter_coufun as _;
#[cfg(feature = "giftimbiz")]
extern crate adapter_giftimbiz as _;
#[cfg(feature = "giftishow")]
extern crate adapter_giftishow as _;
#[cfg(feature = "giftletter")]
extern crate adapter_giftletter as _;

pub mod config;
#[cfg(feature = "sandbox")]
pub mod sandbox_samples;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use coupon_core::*;

/// The COUFUN adapter (feature `coufun`).
#[cfg(feature = "coufun")]
pub use adapter_coufun as coufun;
/// The GiftiMbiz adapter (feature `giftimbiz`).
#[cfg(feature = "giftimbiz")]
pub use adapter_giftimbiz as giftimbiz;
/// The Giftishow Biz adapter (feature `giftishow`; experimental).
#[cfg(feature = "giftishow")]
pub use adapter_giftishow as giftishow;
/// The Giftletter adapter (feature `giftletter`).
#[cfg(feature = "giftletter")]
pub use adapter_giftletter as giftletter;

use config::CouponConfig;

/// The names of the adapters compiled into this program, sorted.
///
/// ```
/// let names = coupon::installed_adapters();
/// let mut sorted = names.clone();
/// sorted.sort();
/// assert_eq!(names, sorted);
/// ```
pub fn installed_adapters() -> Vec<&'static str> {
    Registry::installed()
}

/// The adapters built from a configuration, by vendor name.
#[derive(Clone, Debug, Default)]
pub struct Adapters {
    map: BTreeMap<String, Arc<dyn Adapter>>,
}

impl Adapters {
    /// Builds every vendor configured in `config`.
    pub fn build(config: &CouponConfig) -> Result<Self> {
        let registry = Registry::from_inventory();
        let mut map = BTreeMap::new();
        for vendor in config.vendors() {
            let section = config.require(vendor)?;
            map.insert(vendor.to_string(), registry.build(section)?);
        }
        Ok(Self { map })
    }

    /// One adapter.
    pub fn get(&self, vendor: &str) -> Option<&Arc<dyn Adapter>> {
        self.map.get(vendor)
    }

    /// Every adapter, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Arc<dyn Adapter>)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many adapters were built.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none was configured.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Builds every adapter configured in a TOML file (plus `COUPON_<VENDOR>_<KEY>` overrides).
pub fn from_config(path: impl AsRef<Path>) -> Result<Adapters> {
    Adapters::build(&CouponConfig::load(path)?)
}

/// Builds every adapter configured in TOML text (plus environment overrides).
pub fn from_config_str(toml: &str) -> Result<Adapters> {
    Adapters::build(&CouponConfig::from_toml(toml)?)
}
