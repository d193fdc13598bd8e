//! The vendor identifier.

use std::fmt;

/// Names a vendor ("giftletter", "giftimbiz", …).
///
/// It is a name, not an enum: the core knows no vendor, and adding one must not
/// mean editing a central list. Each adapter crate defines its own constant.
///
/// ```
/// use coupon_core::Vendor;
/// const ACME: Vendor = Vendor::new("acme");
/// assert_eq!(ACME.as_str(), "acme");
/// assert_eq!(ACME.to_string(), "acme");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Vendor(&'static str);

impl Vendor {
    /// A vendor named `name` (lowercase ASCII by convention; it is also the
    /// config section and the sandbox route prefix).
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The vendor's name.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vendor({})", self.0)
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
