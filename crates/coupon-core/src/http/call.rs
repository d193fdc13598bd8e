//! One request to a vendor, before it is sent.

use std::fmt;

use encoding_rs::{Encoding, UTF_8};
use reqwest::Method;
use url::Url;

use super::response::Response;
use super::retry::CallSafety;
use crate::refs::PartnerRef;

/// A request to send: method, URL, headers, body, and what the transport needs
/// to know to retry and report it safely.
///
/// `Debug` shows the operation, method and URL path only: query strings carry
/// signatures and phone numbers, headers carry tokens.
///
/// ```
/// use coupon_core::http::{Call, CallSafety};
/// let url = url::Url::parse("https://api.example/SendEPin?cid=x&mdn=01012345678").unwrap();
/// let call = Call::get("SendEPin", url).safety(CallSafety::MoneyMovingDeduplicated);
/// assert_eq!(format!("{call:?}"), "Call(SendEPin GET /SendEPin)");
/// ```
#[derive(Clone)]
pub struct Call {
    pub(crate) operation: &'static str,
    pub(crate) safety: CallSafety,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(String, String, bool)>,
    pub(crate) body: Option<(&'static str, Vec<u8>)>,
    pub(crate) partner_ref: Option<PartnerRef>,
    pub(crate) default_charset: &'static Encoding,
    pub(crate) retry_answer_when: Option<fn(&Response) -> bool>,
}

impl Call {
    /// A GET; a read unless told otherwise.
    pub fn get(operation: &'static str, url: Url) -> Self {
        Self::new(operation, Method::GET, url)
    }

    /// A POST; a read unless told otherwise.
    pub fn post(operation: &'static str, url: Url) -> Self {
        Self::new(operation, Method::POST, url)
    }

    fn new(operation: &'static str, method: Method, url: Url) -> Self {
        Self {
            operation,
            safety: CallSafety::Read,
            method,
            url,
            headers: Vec::new(),
            body: None,
            partner_ref: None,
            default_charset: UTF_8,
            retry_answer_when: None,
        }
    }

    /// How the call may be repeated.
    pub fn safety(mut self, safety: CallSafety) -> Self {
        self.safety = safety;
        self
    }

    /// A plain header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), false));
        self
    }

    /// A header holding a secret (token, key): marked sensitive, never logged.
    pub fn secret_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), true));
        self
    }

    /// An `application/x-www-form-urlencoded` body, already encoded (see [`crate::text::form_urlencode`]).
    pub fn form_body(mut self, encoded: String) -> Self {
        self.body = Some(("application/x-www-form-urlencoded", encoded.into_bytes()));
        self
    }

    /// The caller's reference, carried into spans and errors.
    pub fn partner_ref(mut self, r: Option<PartnerRef>) -> Self {
        self.partner_ref = r;
        self
    }

    /// The charset to decode with when neither the `Content-Type` nor an XML declaration names one.
    pub fn default_charset(mut self, encoding: &'static Encoding) -> Self {
        self.default_charset = encoding;
        self
    }

    /// For a read: `says_retry` looks at an answer the transport would return
    /// (a 2xx, or a 4xx the adapter reads a vendor code from) and says whether
    /// the vendor's code means "try again" (a busy or maintenance code).
    ///
    /// When it returns true the attempt counts as a failed one, retried like a
    /// 503: same attempt limit, backoff, deadline and retry budget. When no
    /// retry is left, that last answer is returned as `Ok`, so the adapter maps
    /// its vendor code as usual. Never consulted for money-moving calls, where
    /// a re-send is decided by [`CallSafety`] alone.
    ///
    /// ```
    /// use coupon_core::http::{Call, Response};
    /// fn busy(r: &Response) -> bool {
    ///     r.body().windows(6).any(|w| w == b"\"S001\"")
    /// }
    /// let url = url::Url::parse("https://api.example/list").unwrap();
    /// let call = Call::get("list", url).retry_answer_when(busy);
    /// # let _ = call;
    /// ```
    pub fn retry_answer_when(mut self, says_retry: fn(&Response) -> bool) -> Self {
        self.retry_answer_when = Some(says_retry);
        self
    }

    /// The operation name.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The URL (holds secrets in its query for some vendors: do not log it).
    pub fn url(&self) -> &Url {
        &self.url
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Call({} {} {})", self.operation, self.method, self.url.path())
    }
}
