//! The HTTP transport (reqwest with rustls; no OpenSSL).
//!
//! An adapter builds a [`Call`], sends it through its [`HttpClient`], and reads
//! the [`Response`]: signed → sent → decoded → parsed → mapped. The transport
//! owns timeouts, the size cap, redirects, the plain-http rule, strict charset
//! decoding and the retry rules of [`retry`].

mod backoff;
mod call;
mod client;
mod config;
mod response;
pub mod retry;

pub use backoff::{FixedJitter, Jitter, RandomJitter, backoff_delay};
pub use call::Call;
pub use client::{HttpClient, check_url, is_loopback};
pub use config::HttpConfig;
pub use response::Response;
pub use retry::{AttemptFailure, CallSafety, Decision, RetryPolicy, decide};
pub use url::Url;
