//! Giftletter's requests and answers, sans-IO: query strings to send, parsers for
//! what comes back. No HTTP here, so fuzz targets and benches use it as is.
//!
//! - [`requests`]: validation (CP949 byte limits, phone numbers, charset) and the
//!   percent-encoded query of each endpoint, `enc` included ([`sign`]).
//! - [`replies`]: the JSON answers, read forgivingly (a small JSON reader of our own
//!   that also takes the vendor's missing commas): keys trimmed, a repeated key's
//!   first non-empty value kept, integers as numbers or strings, `""` as absent, one
//!   or two result codes.
//! - [`report`]: the `ExchangeDaily.aspx` text report.
//!
//! ```
//! use adapter_giftletter::wire::replies::{parse_send_epin, Refusal};
//! let ok = parse_send_epin(r#"{"rstCode":"0","rstMsg":"","epin":"405868134802","order_id":"BU4S12R1604001","reserved":""}"#)
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(ok.order_id, "BU4S12R1604001");
//! assert_eq!(ok.epin.to_string(), "********4802");
//!
//! let refused = parse_send_epin(r#"{"rstCode":"A101","rstMsg":"사용가능한 상품이 아닙니다.","epin":"","order_id":"","reserved":""}"#)
//!     .unwrap()
//!     .unwrap_err();
//! assert_eq!(refused, Refusal::new("A101", Some("사용가능한 상품이 아닙니다.".into())));
//! ```

mod json;
pub mod replies;
pub mod report;
pub mod requests;
pub mod sign;

/// An answer that could not be understood: the core kit's, its message naming what
/// was wrong (a field, a byte offset), never a PIN.
pub use coupon_core::codes::WireError;

pub use replies::{Answer, Refusal};
pub use requests::QueryCharset;
