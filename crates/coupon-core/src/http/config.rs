//! Transport settings, per client.

use std::time::Duration;

use super::retry::RetryPolicy;
use crate::config::SectionReader;
use crate::error::Result;

/// Timeouts, size cap, retry policy and the plain-http opt-in of one client.
///
/// Defaults: connect 3 s; per attempt 15 s for reads and 30 s for money-moving
/// calls; 30 s for the whole operation including retries; 4 MiB per response;
/// retries within a budget of 20 % of calls over 10 s (at least 10).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Time to establish a connection (DNS, TCP, TLS).
    pub connect_timeout: Duration,
    /// Time for one attempt of a read, until the whole body is in.
    pub read_timeout: Duration,
    /// Time for one attempt of a money-moving call.
    pub money_timeout: Duration,
    /// Time for the whole of one [`super::HttpClient::send`], retries and waits
    /// included, and the allowance [`super::HttpClient::operation`] gives an
    /// operation made of several sends. Inside an operation's scope a send also
    /// stops at the operation's deadline, when that is earlier.
    pub total_timeout: Duration,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// Allow `http://` to hosts other than loopback (off by default).
    pub allow_insecure_http: bool,
    /// An explicit proxy for every request (`http://host:port`); the environment's proxy variables are ignored.
    pub proxy: Option<String>,
    /// When to try again, and the retry budget ([`RetryPolicy::budget`]).
    pub retry: RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(15),
            money_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(30),
            max_response_bytes: 4 * 1024 * 1024,
            allow_insecure_http: false,
            proxy: None,
            retry: RetryPolicy::default(),
        }
    }
}

impl HttpConfig {
    /// Reads the common transport keys of a vendor section, each optional:
    /// `connect_timeout_ms`, `read_timeout_ms`, `money_timeout_ms`,
    /// `total_timeout_ms`, `max_response_bytes`, `allow_insecure_http`,
    /// `proxy`, `max_attempts`.
    pub fn from_section(reader: &mut SectionReader<'_>) -> Result<Self> {
        let mut c = Self::default();
        if let Some(d) = reader.millis("connect_timeout_ms")? {
            c.connect_timeout = d;
        }
        if let Some(d) = reader.millis("read_timeout_ms")? {
            c.read_timeout = d;
        }
        if let Some(d) = reader.millis("money_timeout_ms")? {
            c.money_timeout = d;
        }
        if let Some(d) = reader.millis("total_timeout_ms")? {
            c.total_timeout = d;
        }
        if let Some(n) = reader.u64("max_response_bytes")? {
            c.max_response_bytes = usize::try_from(n).unwrap_or(usize::MAX);
        }
        if let Some(b) = reader.bool("allow_insecure_http")? {
            c.allow_insecure_http = b;
        }
        c.proxy = reader.optional("proxy");
        if let Some(n) = reader.u64("max_attempts")? {
            c.retry.max_attempts = u32::try_from(n).unwrap_or(u32::MAX).max(1);
        }
        Ok(c)
    }
}
