//! Which adapters are installed, and how to build them from configuration.
//!
//! Each adapter crate submits one [`AdapterFactory`] with `inventory::submit!`
//! and also exports it as a `static` so it can be registered explicitly with
//! [`Registry::register`], which does not depend on link-time collection.
//!
//! Link-time collection has one trap: a dependency that nothing references is
//! not linked, and its `submit!` silently vanishes. The `coupon` facade forces
//! linkage with `extern crate adapter_x as _;` for each enabled feature.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::adapter::Adapter;
use crate::capabilities::Capabilities;
use crate::config::{ConfigKey, ConfigSection, section_template};
use crate::context::ErrorContext;
use crate::error::{Error, Result};

/// How to build one vendor's adapter.
pub struct AdapterFactory {
    /// The vendor name; also the config section name.
    pub name: &'static str,
    /// One line about the vendor.
    pub summary: &'static str,
    /// What the adapter implements.
    pub capabilities: Capabilities,
    /// The keys of its config section (the common transport keys of
    /// `coupon_core::http::HttpConfig` aside): what explains a missing or wrong section.
    pub config: &'static [ConfigKey],
    /// Builds the adapter from its config section.
    pub build: fn(&ConfigSection) -> Result<Arc<dyn Adapter>>,
}

impl fmt::Debug for AdapterFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterFactory")
            .field("name", &self.name)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl AdapterFactory {
    /// The config section to paste, with every key of [`AdapterFactory::config`].
    pub fn config_template(&self) -> String {
        section_template(self.name, self.config)
    }

    /// The config keys whose values are secrets.
    pub fn secret_keys(&self) -> impl Iterator<Item = &'static str> {
        self.config.iter().filter(|k| k.secret).map(|k| k.name)
    }
}

inventory::collect!(AdapterFactory);

/// A set of adapter factories by name.
///
/// ```
/// use coupon_core::registry::{AdapterFactory, Registry};
/// use coupon_core::{Capabilities, Error};
///
/// static ACME: AdapterFactory = AdapterFactory {
///     name: "acme",
///     summary: "an example",
///     capabilities: Capabilities::NONE,
///     config: &[],
///     build: |_| Err(Error::config("example only")),
/// };
/// let mut registry = Registry::empty();
/// registry.register(&ACME).unwrap();
/// assert_eq!(registry.names(), vec!["acme"]);
/// assert!(registry.register(&ACME).is_err(), "a name registers once");
/// ```
#[derive(Clone, Default, Debug)]
pub struct Registry {
    factories: BTreeMap<&'static str, &'static AdapterFactory>,
}

impl Registry {
    /// No adapter.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every adapter linked into this program (collected by `inventory`).
    pub fn from_inventory() -> Self {
        let mut r = Self::empty();
        for f in inventory::iter::<AdapterFactory> {
            // A name submitted twice would be a packaging mistake; the first wins.
            r.factories.entry(f.name).or_insert(f);
        }
        r
    }

    /// The names of the adapters linked into this program, sorted.
    pub fn installed() -> Vec<&'static str> {
        Self::from_inventory().names()
    }

    /// Adds a factory. A name already present is an error.
    pub fn register(&mut self, factory: &'static AdapterFactory) -> Result<()> {
        if self.factories.contains_key(factory.name) {
            return Err(Error::config(format!("an adapter named `{}` is already registered", factory.name)));
        }
        self.factories.insert(factory.name, factory);
        Ok(())
    }

    /// The names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.factories.keys().copied().collect()
    }

    /// One factory.
    pub fn get(&self, name: &str) -> Option<&'static AdapterFactory> {
        self.factories.get(name).copied()
    }

    /// Every factory, sorted by name.
    pub fn factories(&self) -> impl Iterator<Item = &'static AdapterFactory> + '_ {
        self.factories.values().copied()
    }

    /// One factory, or a configuration error naming the installed ones.
    pub fn require(&self, name: &str) -> Result<&'static AdapterFactory> {
        self.get(name).ok_or_else(|| {
            Error::config(format!("no adapter named `{name}` is installed (installed: {})", self.names().join(", ")))
        })
    }

    /// Builds the adapter named by the section, every error of its operations in
    /// context ([`ErrorContext`]: vendor, operation, the caller's reference). A
    /// wrong section is explained from the factory: the error carries the section
    /// to paste.
    pub fn build(&self, section: &ConfigSection) -> Result<Arc<dyn Adapter>> {
        let factory = self.require(section.name())?;
        let built = (factory.build)(section).map(|adapter| Arc::new(ErrorContext::new(adapter)) as Arc<dyn Adapter>);
        built.map_err(|e| {
            if e.kind() == crate::ErrorKind::Config {
                let message =
                    format!("{}\n\nThe section, with every key it takes:\n{}", e.message(), factory.config_template());
                let field = e.field().map(str::to_string);
                let e2 = Error::config(message);
                match field {
                    Some(f) => e2.with_field(f),
                    None => e2,
                }
            } else {
                e
            }
        })
    }
}
