//! COUFUN's status inquiry on the wire, sans-IO: the form to send and the checks made
//! before sending ([`requests`]), the XML answer and its parser ([`replies`]). No
//! HTTP here, so the fuzz target and the benches use it as is.
//!
//! ```
//! use adapter_coufun::wire::replies::parse_status;
//! let refused = parse_status(b"<COUFUNSEARCH><RESULT_CODE>99</RESULT_CODE><RESULT_MSG>ERROR MESSAGE</RESULT_MSG></COUFUNSEARCH>", None);
//! assert_eq!(refused.unwrap().unwrap_err().code.raw(), "99");
//! ```

mod fields;
pub mod replies;
pub mod requests;
mod xml;

/// The vendor's answer: what was asked for, or its refusal (the core kit's).
pub use coupon_core::codes::Answer;

/// The vendor refused the inquiry: the core's [`coupon_core::codes::Refusal`],
/// `RESULT_CODE` and `RESULT_MSG` verbatim.
pub use coupon_core::codes::Refusal;

/// An answer that could not be understood: the core kit's, its message naming the
/// element or rule, never a value.
pub use coupon_core::codes::WireError;
