//! Reading the fixture catalogs each emulator embeds (`src/vendors/<name>/fixtures.json`
//! for the built-in ones, plain JSON in the vendor's own terms), once, when the
//! emulator is built.

use serde_json::Value;

/// Parses an embedded catalog.
///
/// # Panics
///
/// When the file is not valid JSON. The files are compiled into the crate and checked
/// by each emulator's tests, so this is a build defect, never a consequence of a request.
pub(crate) fn parse(vendor: &str, text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("coupon-sandbox: embedded fixtures of {vendor} are not valid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_built_in_catalog_is_a_json_object() {
        for e in crate::emulator::emulators() {
            assert!(e.fixtures().is_object(), "{}", e.name());
        }
    }
}
