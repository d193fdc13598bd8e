//! GiftiMbiz's requests and answers, sans-IO: the parameters to send and the checks
//! made before sending ([`requests`]), parsers for the JSON that comes back
//! ([`replies`]). No HTTP here, so fuzz targets and benches use it as is.
//!
//! ```
//! use adapter_giftimbiz::wire::replies::parse_buy;
//! let bought = parse_buy(br#"{"result":"0000","message":"ok","tid":"T20260301"}"#).unwrap().unwrap();
//! assert_eq!(bought.tid, "T20260301");
//! let refused = parse_buy(r#"{"result":"PL","msg":"잘못된 상품금액결제"}"#.as_bytes()).unwrap().unwrap_err();
//! assert_eq!(refused.code.raw(), "PL");
//! ```

mod lenient;
pub mod replies;
pub mod requests;

#[doc(hidden)]
pub use lenient::{flag, int, resolve_image, text};

/// The vendor's answer: what was asked for, or its refusal (the core kit's).
pub use coupon_core::codes::Answer;

/// The vendor refused the request: the core's [`coupon_core::codes::Refusal`], code
/// (`result`, a number kept as its digits) and message (`msg` or `message`) verbatim.
pub use coupon_core::codes::Refusal;

/// An answer that could not be understood: the core kit's, its message naming what
/// was wrong (a field, a position), never a PIN or a phone number.
pub use coupon_core::codes::WireError;
