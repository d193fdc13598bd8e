//! The HTTP client every adapter sends through.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use tracing::Instrument;
use url::{Host, Url};

use super::backoff::{Jitter, RandomJitter};
use super::call::Call;
use super::config::HttpConfig;
use super::response::Response;
use super::retry::{AttemptFailure, CallSafety, Decision, decide};
use crate::error::{Error, ErrorKind, Result};
use crate::vendor::Vendor;

/// Sends [`Call`]s with the timeouts, size cap, retry rules and secrecy this
/// crate promises. Cheap to clone; clones share connections.
///
/// - Redirects are never followed (a 3xx is an error).
/// - `https` is required, except for loopback hosts or with
///   [`HttpConfig::allow_insecure_http`].
/// - The body is read under [`HttpConfig::max_response_bytes`]
///   (`Content-Length` checked first, then counted while streaming).
/// - Reads are retried; money-moving calls follow [`super::retry`].
/// - Spans and errors carry vendor, operation, attempt and partner reference,
///   never URLs' queries, headers or bodies.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    vendor: Vendor,
    config: HttpConfig,
    client: reqwest::Client,
    jitter: Arc<dyn Jitter>,
}

/// A raw answer before it is judged.
struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

impl HttpClient {
    /// A client for `vendor` with random jitter.
    pub fn new(vendor: Vendor, config: HttpConfig) -> Result<Self> {
        Self::with_jitter(vendor, config, Arc::new(RandomJitter))
    }

    /// A client with an injected jitter source (tests).
    pub fn with_jitter(vendor: Vendor, config: HttpConfig, jitter: Arc<dyn Jitter>) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("coupon-rs/", env!("CARGO_PKG_VERSION")))
            // Some vendor servers are old PHP/ASP stacks that match header names case-sensitively.
            .http1_title_case_headers()
            .no_proxy();
        if let Some(proxy) = &config.proxy {
            let p = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| Error::config(format!("`proxy` is not a usable proxy URL: {}", e.without_url())))?;
            builder = builder.proxy(p);
        }
        let client = builder
            .build()
            .map_err(|e| Error::config("the HTTP client could not be built").with_source(e.without_url()))?;
        Ok(Self { inner: Arc::new(Inner { vendor, config, client, jitter }) })
    }

    /// The vendor this client speaks to.
    pub fn vendor(&self) -> Vendor {
        self.inner.vendor
    }

    /// The settings.
    pub fn config(&self) -> &HttpConfig {
        &self.inner.config
    }

    /// Refuses a URL this client must not call: not http(s), or plain http to
    /// a host that is not loopback without the opt-in.
    ///
    /// ```
    /// use coupon_core::{Vendor, http::{HttpClient, HttpConfig}};
    /// let c = HttpClient::new(Vendor::new("v"), HttpConfig::default()).unwrap();
    /// assert!(c.check_url(&"http://127.0.0.1:8080/x".parse().unwrap()).is_ok());
    /// assert!(c.check_url(&"http://[::1]/x".parse().unwrap()).is_ok());
    /// assert!(c.check_url(&"https://api.example/x".parse().unwrap()).is_ok());
    /// assert!(c.check_url(&"http://api.example/x".parse().unwrap()).is_err());
    /// ```
    pub fn check_url(&self, url: &Url) -> Result<()> {
        check_url(url, self.inner.config.allow_insecure_http).map_err(|e| e.with_vendor(self.inner.vendor))
    }

    /// Sends a call under the retry rules and reads the answer.
    ///
    /// Returns the [`Response`] for 2xx and for 4xx other than 408/429 (so the
    /// adapter can read a vendor code from the body); every other outcome is an
    /// [`Error`] already in the call's context.
    pub async fn send(&self, call: Call) -> Result<Response> {
        self.check_url(&call.url).map_err(|e| e.in_context(self.inner.vendor, call.operation))?;
        let cfg = &self.inner.config;
        let started = Instant::now();
        let deadline = started + cfg.total_timeout;
        let per_attempt = if call.safety.moves_money() { cfg.money_timeout } else { cfg.read_timeout };
        let partner = call.partner_ref.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default();
        let (mut attempts, mut doubts) = (0u32, 0u32);
        loop {
            attempts += 1;
            let span = tracing::info_span!("coupon.call", vendor = %self.inner.vendor, operation = call.operation, attempt = attempts, partner_ref = %partner);
            let timeout = per_attempt.min(deadline.saturating_duration_since(Instant::now()));
            let outcome = self.attempt(&call, timeout).instrument(span.clone()).await;
            let (failure, source) = match outcome {
                Ok(raw) => match judge(&raw) {
                    None => {
                        span.in_scope(|| tracing::debug!(status = raw.status, bytes = raw.body.len(), "answer"));
                        return Ok(self.response(&call, raw, attempts, doubts));
                    }
                    Some(failure) => (failure, None),
                },
                Err((failure, source)) => (failure, source),
            };
            if failure.may_have_taken_effect() {
                doubts += 1;
            }
            let decision = decide(&cfg.retry, call.safety, &failure, attempts, doubts, self.inner.jitter.sample());
            match decision {
                Decision::Retry(wait) if Instant::now() + wait < deadline => {
                    span.in_scope(|| {
                        tracing::warn!(?failure, wait_ms = wait.as_millis() as u64, "attempt failed; trying again")
                    });
                    tokio::time::sleep(wait).await;
                }
                _ => {
                    span.in_scope(|| tracing::warn!(?failure, "giving up"));
                    return Err(self.give_up(&call, failure, source, attempts, doubts, per_attempt));
                }
            }
        }
    }

    async fn attempt(
        &self,
        call: &Call,
        timeout: Duration,
    ) -> std::result::Result<Raw, (AttemptFailure, Option<reqwest::Error>)> {
        if timeout.is_zero() {
            return Err((AttemptFailure::NoAnswer { timed_out: true }, None));
        }
        let mut req = self.inner.client.request(call.method.clone(), call.url.clone()).timeout(timeout);
        for (name, value, secret) in &call.headers {
            // Bad header text is our bug or bad config; it never reaches the wire.
            let (Ok(name), Ok(mut value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
            else {
                return Err((
                    AttemptFailure::Unusable {
                        reason: format!("header `{name}` has characters HTTP cannot carry"),
                        status: None,
                    },
                    None,
                ));
            };
            value.set_sensitive(*secret);
            req = req.header(name, value);
        }
        if let Some((content_type, body)) = &call.body {
            req = req.header(CONTENT_TYPE, *content_type).body(body.clone());
        }
        let mut resp = req.send().await.map_err(|e| (classify(&e), Some(e.without_url())))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let cap = self.inner.config.max_response_bytes;
        if let Some(len) = resp.content_length().filter(|len| *len > cap as u64) {
            return Err((
                AttemptFailure::Unusable {
                    reason: format!("the answer is {len} bytes; the limit is {cap}"),
                    status: Some(status),
                },
                None,
            ));
        }
        let mut body = BytesMut::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > cap {
                        return Err((
                            AttemptFailure::Unusable {
                                reason: format!("the answer exceeds the {cap}-byte limit"),
                                status: Some(status),
                            },
                            None,
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err((AttemptFailure::NoAnswer { timed_out: e.is_timeout() }, Some(e.without_url())));
                }
            }
        }
        Ok(Raw { status, headers, body: body.freeze() })
    }

    fn response(&self, call: &Call, raw: Raw, attempts: u32, doubtful_attempts: u32) -> Response {
        Response {
            status: raw.status,
            headers: raw.headers,
            body: raw.body,
            attempts,
            doubtful_attempts,
            vendor: self.inner.vendor,
            operation: call.operation,
            safety: call.safety,
            partner_ref: call.partner_ref.clone(),
            default_charset: call.default_charset,
        }
    }

    fn give_up(
        &self,
        call: &Call,
        failure: AttemptFailure,
        source: Option<reqwest::Error>,
        attempts: u32,
        doubts: u32,
        per_attempt: Duration,
    ) -> Error {
        let tries = if attempts == 1 { "1 attempt".to_string() } else { format!("{attempts} attempts") };
        let mut e = match &failure {
            AttemptFailure::NotSent => {
                Error::new(ErrorKind::Transport, format!("could not reach the vendor ({tries}); nothing was sent"))
                    .with_retryable(true)
            }
            AttemptFailure::NoAnswer { timed_out: true } => Error::new(
                ErrorKind::Timeout,
                format!("no complete answer within {} ms ({tries})", per_attempt.as_millis()),
            ),
            AttemptFailure::NoAnswer { timed_out: false } => Error::new(
                ErrorKind::Transport,
                format!("the connection failed before a complete answer arrived ({tries})"),
            ),
            AttemptFailure::Status { status, .. } => {
                let (kind, retryable) = ErrorKind::from_http_status(*status);
                Error::new(kind, format!("the vendor answered HTTP {status} ({tries})"))
                    .with_http_status(*status)
                    .with_retryable(retryable)
            }
            AttemptFailure::Unusable { reason, status } => {
                let e = Error::protocol(format!("{reason} ({tries})"));
                match status {
                    Some(s) => e.with_http_status(*s),
                    None => e,
                }
            }
        };
        if let Some(src) = source {
            e = e.with_source(src);
        }
        e = e
            .with_vendor(self.inner.vendor)
            .with_operation(call.operation)
            .with_partner_ref_opt(call.partner_ref.as_ref());
        if call.safety != CallSafety::Read && doubts > 0 { e.into_outcome_unknown() } else { e }
    }
}

/// Judges a complete answer: `None` when it goes to the adapter.
fn judge(raw: &Raw) -> Option<AttemptFailure> {
    match raw.status {
        200..=299 => None,
        300..=399 => Some(AttemptFailure::Unusable {
            reason: format!("the vendor answered a redirect (HTTP {}); redirects are not followed", raw.status),
            status: Some(raw.status),
        }),
        408 | 429 | 500..=599 => {
            Some(AttemptFailure::Status { status: raw.status, retry_after: retry_after(&raw.headers) })
        }
        _ => None,
    }
}

/// `Retry-After` in its seconds form; the date form is ignored.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Whether the request can have left, from reqwest's error.
fn classify(e: &reqwest::Error) -> AttemptFailure {
    if e.is_connect() {
        // DNS, TCP connect or TLS handshake: the request was never written.
        AttemptFailure::NotSent
    } else if e.is_builder() {
        AttemptFailure::Unusable { reason: "the request could not be built".into(), status: None }
    } else {
        AttemptFailure::NoAnswer { timed_out: e.is_timeout() }
    }
}

/// See [`HttpClient::check_url`].
pub fn check_url(url: &Url, allow_insecure_http: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::config(format!(
            "refusing plain http to {}: use https, or set `allow_insecure_http = true` for this vendor",
            url.host_str().unwrap_or("(no host)")
        ))),
        other => Err(Error::config(format!("unsupported URL scheme `{other}`; use https"))),
    }
}

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_for_non_loopback_hosts() {
        for (url, ok) in [
            ("https://corp.coufun.kr:446/b2c_api/x", true),
            ("http://127.0.0.1:9/x", true),
            ("http://127.8.9.10/x", true),
            ("http://localhost/x", true),
            ("http://[::1]:80/x", true),
            ("http://admin.gift-n.net/mn_compare/ExchangeDaily.aspx", false),
            ("http://10.0.0.1/x", false),
            ("ftp://127.0.0.1/x", false),
        ] {
            let url: Url = url.parse().unwrap();
            assert_eq!(check_url(&url, false).is_ok(), ok, "{url}");
        }
        let e = check_url(&"http://admin.gift-n.net/x".parse().unwrap(), false).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("allow_insecure_http"), "{e}");
        assert!(check_url(&"http://admin.gift-n.net/x".parse().unwrap(), true).is_ok());
    }

    #[test]
    fn statuses_are_judged() {
        let raw = |status| Raw { status, headers: HeaderMap::new(), body: Bytes::new() };
        assert!(judge(&raw(200)).is_none());
        assert!(judge(&raw(404)).is_none(), "a 4xx goes to the adapter, which may read a vendor code");
        assert!(matches!(judge(&raw(302)), Some(AttemptFailure::Unusable { .. })));
        assert!(matches!(judge(&raw(503)), Some(AttemptFailure::Status { status: 503, retry_after: None })));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        let r = Raw { status: 429, headers, body: Bytes::new() };
        assert_eq!(judge(&r), Some(AttemptFailure::Status { status: 429, retry_after: Some(Duration::from_secs(2)) }));
    }
}
