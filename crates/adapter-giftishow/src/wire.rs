//! Giftishow Biz's requests and answers, sans-IO: the form fields to send and the
//! checks made before sending ([`requests`]), parsers for the JSON that comes back
//! ([`replies`]). No HTTP here, so fuzz targets and benches use it as is.
//!
//! ```
//! use adapter_giftishow::wire::replies::parse_send;
//! let nested = r#"{"code":"0000","message":null,"result":{"code":"ERR0215","message":"중복된 TR_ID","result":null}}"#;
//! assert_eq!(parse_send(nested).unwrap().unwrap_err().code.raw(), "ERR0215");
//! ```

mod fields;
pub mod replies;
pub mod requests;

pub use replies::{Answer, Refusal};

/// An answer that could not be understood: the core kit's, its message naming what
/// was wrong (a field, a position), never a PIN or a phone number.
pub use coupon_core::codes::WireError;
