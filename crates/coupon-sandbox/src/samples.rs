//! [`Samples`]: what an emulator says to pass to the SDK's shared operations, so a tour
//! or a conformance suite needs no per-vendor code.
//!
//! Plain strings and numbers, in the SDK's vocabulary but not its types: the sandbox
//! is an independent reading of the vendor documents and depends on no SDK crate. The
//! SDK's facade turns them into its own arguments (`coupon::sandbox_samples`, feature
//! `sandbox`), in one place for every consumer.

use serde::{Deserialize, Serialize};

/// What a client of the SDK's shared operations would pass to exercise one emulator
/// ([`Emulator::samples`](crate::Emulator::samples), `GET /_sandbox/samples`). A field is
/// set only for the operations the vendor offers, and left out of the JSON otherwise.
///
/// ```
/// use coupon_sandbox::{IssueSample, Samples};
/// let samples = Samples { issue: Some(IssueSample::new("P1")), redemptions: true, ..Samples::default() };
/// let json = serde_json::to_value(&samples).unwrap();
/// assert_eq!(json, serde_json::json!({"issue": {"product_id": "P1"}, "redemptions": true}));
/// assert_eq!(serde_json::from_value::<Samples>(json).unwrap(), samples);
/// assert_eq!(serde_json::to_value(Samples::default()).unwrap(), serde_json::json!({}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samples {
    /// For `issue`: a product a tour can issue now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<IssueSample>,
    /// For `products`: the listing's filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub products: Option<ProductsSample>,
    /// For `product`: a product id as the SDK's adapter names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// For `status` by barcode: an unused coupon of the fixtures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<CouponSample>,
    /// For `balance`: a stored-value coupon of the fixtures with some left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_coupon: Option<CouponSample>,
    /// For `balance` without [`balance_coupon`](Self::balance_coupon), where no coupon
    /// exists before a request makes one: a stored-value product a tour issues, then
    /// reads the balance of its order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_issue: Option<IssueSample>,
    /// For `redemptions`: whether the day's report can be asked for.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redemptions: bool,
    /// An answer in this vendor's format refusing a read with a code its document does
    /// not list, for a [`FaultKind::Replace`](crate::FaultKind::Replace) fault showing that
    /// unknown codes are kept verbatim. Set when the vendor offers `product`, `products`
    /// or `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<RefusalSample>,
}

/// An issue request: `{"product_id", "product_name"?, "amount"?, "recipient"?,
/// "callback"?, "title"?, "message"?}`, each field what the vendor needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueSample {
    /// The product to issue.
    pub product_id: String,
    /// The product's name, where the vendor wants it repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// The price to pay, in won, where the vendor checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// Who receives the coupon, a phone number as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The reply number shown to the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// The message's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The message's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl IssueSample {
    /// An issue of `product_id` with nothing else.
    pub fn new(product_id: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            product_name: None,
            amount: None,
            recipient: None,
            callback: None,
            title: None,
            message: None,
        }
    }
}

/// A product listing's filters: `{"brand"?, "category"?}` (`{}` lists everything).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductsSample {
    /// A brand id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// A category id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// A coupon named by product and coupon number: `{"product_id", "barcode"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponSample {
    /// The product the coupon was sold as.
    pub product_id: String,
    /// The coupon number.
    pub barcode: String,
}

/// A refusal in the vendor's format: `{"operation", "content_type", "body", "code"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalSample {
    /// The read it refuses (`product`, `products` or `status`), called with the other samples.
    pub operation: String,
    /// The answer's `Content-Type`.
    pub content_type: String,
    /// The answer's body.
    pub body: String,
    /// The vendor code in it, which the vendor's document does not list.
    pub code: String,
}
