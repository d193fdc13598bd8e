//! The HTTP transport (reqwest with rustls; no OpenSSL).
//!
//! An adapter builds a [`Call`], sends it through its [`HttpClient`], and reads
//! the [`Response`]: signed → sent → decoded → parsed → mapped. The transport
//! owns timeouts, the size cap, redirects, the plain-http rule, strict charset
//! decoding, the retry rules of [`retry`] and their [`RetryBudget`], and one
//! deadline per operation ([`within`], [`HttpClient::operation`]).

mod backoff;
mod budget;
mod call;
mod client;
mod config;
mod deadline;
mod probe;
mod response;
pub mod retry;

#[doc(hidden)]
pub use backoff::backoff_delay;
pub use backoff::{FixedJitter, Jitter, RandomJitter};
pub use budget::RetryBudget;
pub use call::Call;
pub use client::{HttpClient, check_url, is_loopback};
pub use config::HttpConfig;
pub use deadline::{Deadline, within};
pub use response::Response;
#[doc(hidden)]
pub use retry::{AttemptFailure, Decision, decide};
pub use retry::{CallSafety, RetryPolicy};
pub use url::Url;
