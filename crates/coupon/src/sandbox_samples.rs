//! The sandbox's samples as this library's arguments (feature `sandbox`): the one place
//! that turns what an emulator says to pass ([`coupon_sandbox::Samples`]) into
//! requests, for every tour of an adapter against the sandbox (`coupon demo`, the
//! conformance suite, a smoke test of your own).
//!
//! The sandbox writes its samples as plain strings and numbers because it is a reading
//! of the vendor documents independent of this library, and depends on none of it; the
//! checks a request's values need (a phone number's rule) are this library's, so they
//! are made here, once.
//!
//! ```
//! use coupon::sandbox_samples::{coupon, issue_request};
//! use coupon_sandbox::{CouponSample, IssueSample};
//!
//! let sample = IssueSample { recipient: Some("010-1234-5678".into()), ..IssueSample::new("P1") };
//! let request = issue_request(&sample)?;
//! assert_eq!(request.product_id, "P1");
//! assert!(request.recipient.is_some());
//! let c = coupon(&CouponSample { product_id: "P1".into(), barcode: "912605117340".into() });
//! assert!(matches!(c, coupon::CouponRef::Barcode { .. }));
//! # Ok::<(), coupon::Error>(())
//! ```

use coupon_sandbox::{CouponSample, IssueSample, ProductsSample};

use crate::{CouponRef, IssueRequest, PhoneNumber, ProductQuery, Result, Won};

/// The request an issue sample (`issue` or `balance_issue`) describes, with a freshly
/// generated partner reference: each call is a new coupon.
///
/// # Errors
///
/// [`crate::ErrorKind::InvalidInput`] naming `recipient` or `callback` when the sample's
/// phone number does not parse.
pub fn issue_request(sample: &IssueSample) -> Result<IssueRequest> {
    let mut request = IssueRequest::new(sample.product_id.clone());
    if let Some(phone) = &sample.recipient {
        request = request.recipient(PhoneNumber::parse_field("recipient", phone)?);
    }
    if let Some(phone) = &sample.callback {
        request = request.callback(PhoneNumber::parse_field("callback", phone)?);
    }
    request.product_name = sample.product_name.clone();
    request.title = sample.title.clone();
    request.message = sample.message.clone();
    request.amount = sample.amount.map(Won);
    Ok(request)
}

/// The listing a products sample asks for: its brand and category, first page.
pub fn products_query(sample: &ProductsSample) -> ProductQuery {
    let mut query = ProductQuery::new();
    query.brand = sample.brand.clone();
    query.category = sample.category.clone();
    query
}

/// The coupon a coupon sample (`coupon` or `balance_coupon`) names, by product and number.
pub fn coupon(sample: &CouponSample) -> CouponRef {
    CouponRef::barcode(sample.product_id.clone(), sample.barcode.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_issue_becomes_a_request_with_a_fresh_reference() {
        let sample = IssueSample {
            product_name: Some("N".into()),
            amount: Some(940),
            recipient: Some("010-1234-5678".into()),
            ..IssueSample::new("P1")
        };
        let a = issue_request(&sample).unwrap();
        let b = issue_request(&sample).unwrap();
        assert_eq!((a.product_id.as_str(), a.product_name.as_deref()), ("P1", Some("N")));
        assert_eq!(a.amount, Some(Won(940)));
        assert!(a.recipient.is_some() && a.callback.is_none());
        assert_ne!(a.partner_ref, b.partner_ref);
        // A sample without a product is no issue sample: it is refused as it is read.
        assert!(serde_json::from_value::<IssueSample>(serde_json::json!({})).is_err());
    }

    #[test]
    fn a_phone_number_that_does_not_parse_is_refused_naming_its_field() {
        let sample = IssueSample { callback: Some("12".into()), ..IssueSample::new("P1") };
        let e = issue_request(&sample).unwrap_err();
        assert_eq!((e.kind(), e.field()), (crate::ErrorKind::InvalidInput, Some("callback")));
    }

    #[test]
    fn a_products_sample_filters_by_its_brand_and_category() {
        let q = products_query(&ProductsSample { brand: Some("10".into()), category: None });
        assert_eq!((q.brand.as_deref(), q.category.as_deref(), q.page), (Some("10"), None, None));
    }
}
