//! The HTTP client every adapter sends through.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use tracing::Instrument;
use url::{Host, Url};

use super::backoff::{Jitter, RandomJitter};
use super::budget::BudgetTracker;
use super::call::Call;
use super::config::HttpConfig;
use super::deadline::{Deadline, far_future, within};
use super::probe::{ConnectProbe, ProbeLayer};
use super::response::Response;
use super::retry::{AttemptFailure, CallSafety, Decision, decide};
use crate::error::{Error, ErrorKind, Result};
use crate::vendor::Vendor;

/// Sends [`Call`]s with the timeouts, size cap, retry rules and secrecy this
/// crate promises. Cheap to clone; clones share connections and the retry budget.
///
/// - Redirects are never followed (a 3xx is an error).
/// - `https` is required, except for loopback hosts or with
///   [`HttpConfig::allow_insecure_http`].
/// - The body is read under [`HttpConfig::max_response_bytes`]
///   (`Content-Length` checked first, then counted while streaming).
/// - Reads are retried; money-moving calls follow [`super::retry`]. Every
///   retry is also drawn from the client's [`RetryBudget`](super::RetryBudget).
/// - One operation made of several sends shares one deadline when run inside
///   [`HttpClient::operation`] (or [`super::within`]).
/// - A money-moving attempt whose time ran out while it was still connecting
///   is known never to have left, and is not [`ErrorKind::OutcomeUnknown`]
///   (see the `probe` module's notes on the second, unpooled connection pool this takes).
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
    /// Pooled, HTTP/2 allowed: for reads.
    client: reqwest::Client,
    /// A fresh HTTP/1 connection per request, its connect watched: for
    /// money-moving calls, so a timeout while connecting proves nothing left.
    money_client: reqwest::Client,
    jitter: Arc<dyn Jitter>,
    budget: BudgetTracker,
}

/// A raw answer before it is judged.
struct Raw {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

/// The deadline one `send` works to, and where it comes from.
struct Limit {
    at: Instant,
    /// The allowance of whichever deadline is the earlier: the operation's or the send's own.
    total: Duration,
}

impl Limit {
    fn new(started: Instant, own: Duration, scope: Option<Deadline>) -> Self {
        let mine = Limit { at: started.checked_add(own).unwrap_or_else(|| far_future(started)), total: own };
        match scope {
            Some(d) if d.at() < mine.at => Limit { at: d.at(), total: d.total() },
            _ => mine,
        }
    }
}

/// Why the retries stopped, for the error's message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The retry rules or the attempt limit.
    Rules,
    /// No time left before the deadline for the wait and another attempt.
    Deadline,
    /// The client's retry budget refused the retry.
    Budget,
}

/// What `give_up` needs to say what happened.
struct Tally<'a> {
    attempts: u32,
    doubts: u32,
    elapsed: Duration,
    per_attempt: Duration,
    limit: &'a Limit,
    stop: Stop,
    /// The last attempt had less than `per_attempt` left: the deadline cut it short.
    clipped: bool,
}

impl HttpClient {
    /// A client for `vendor` with random jitter.
    pub fn new(vendor: Vendor, config: HttpConfig) -> Result<Self> {
        Self::with_jitter(vendor, config, Arc::new(RandomJitter))
    }

    /// A client with an injected jitter source (tests).
    pub fn with_jitter(vendor: Vendor, config: HttpConfig, jitter: Arc<dyn Jitter>) -> Result<Self> {
        let client = build(base_builder(&config)?)?;
        // See the `probe` module: without a pool, a pending connect at timeout
        // really means nothing was written.
        let money_client =
            build(base_builder(&config)?.pool_max_idle_per_host(0).http1_only().connector_layer(ProbeLayer))?;
        let budget = BudgetTracker::new(config.retry.budget);
        Ok(Self { inner: Arc::new(Inner { vendor, config, client, money_client, jitter, budget }) })
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

    /// Runs one operation of an adapter (every send it makes: a token
    /// refresh, the call, a replay) under one deadline of
    /// [`HttpConfig::total_timeout`] from now; see [`super::within`].
    ///
    /// Adapters wrap each trait operation in it:
    /// `self.client.operation(async { ... }).await`. Inside an existing scope
    /// (a caller's own [`super::within`]) the earlier deadline wins.
    pub async fn operation<F: Future>(&self, fut: F) -> F::Output {
        within(self.inner.config.total_timeout, fut).await
    }

    /// Sends a call under the retry rules and reads the answer.
    ///
    /// Returns the [`Response`] for 2xx and for 4xx other than 408/429 (so the
    /// adapter can read a vendor code from the body); every other outcome is an
    /// [`Error`] already in the call's context, with [`Error::attempts`] and
    /// [`Error::elapsed`] set.
    ///
    /// The whole call, retries and waits included, ends by
    /// [`HttpConfig::total_timeout`] from now, or by the deadline of the
    /// enclosing [`HttpClient::operation`] / [`super::within`] scope when that
    /// is earlier.
    pub async fn send(&self, call: Call) -> Result<Response> {
        let started = Instant::now();
        self.check_url(&call.url).map_err(|e| e.in_context(self.inner.vendor, call.operation))?;
        let cfg = &self.inner.config;
        let limit = Limit::new(started, cfg.total_timeout, Deadline::current());
        let per_attempt = if call.safety.moves_money() { cfg.money_timeout } else { cfg.read_timeout };
        if limit.at <= started {
            return Err(self.context(
                &call,
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the operation's deadline of {} ms had passed before this request; nothing was sent",
                        limit.total.as_millis()
                    ),
                ),
                0,
                started.elapsed(),
            ));
        }
        self.inner.budget.record_call(started);
        let partner = call.partner_ref.as_ref().map(|r| r.as_str().to_owned()).unwrap_or_default();
        let (mut attempts, mut doubts) = (0u32, 0u32);
        loop {
            attempts += 1;
            let span = tracing::info_span!("coupon.call", vendor = %self.inner.vendor, operation = call.operation, attempt = attempts, partner_ref = %partner);
            let timeout = per_attempt.min(limit.at.saturating_duration_since(Instant::now()));
            let outcome = self.attempt(&call, timeout).instrument(span.clone()).await;
            let (failure, source, answer) = match outcome {
                Ok(raw) => match judge(&raw) {
                    None => {
                        let response = self.response(&call, raw, attempts, doubts, started.elapsed());
                        match call.retry_answer_when {
                            // Money-moving answers are final: a re-send could move money twice.
                            Some(says_retry) if call.safety == CallSafety::Read && says_retry(&response) => {
                                (AttemptFailure::AnswerSaysRetry { status: response.status }, None, Some(response))
                            }
                            _ => {
                                span.in_scope(|| {
                                    tracing::debug!(status = response.status, bytes = response.body.len(), "answer")
                                });
                                return Ok(response);
                            }
                        }
                    }
                    Some(failure) => (failure, None, None),
                },
                Err((failure, source)) => (failure, source, None),
            };
            if failure.may_have_taken_effect() {
                doubts += 1;
            }
            let decision = decide(&cfg.retry, call.safety, &failure, attempts, doubts, self.inner.jitter.sample());
            let stop = match decision {
                Decision::GiveUp => Stop::Rules,
                Decision::Retry(wait) if Instant::now() + wait >= limit.at => Stop::Deadline,
                Decision::Retry(_) if !self.inner.budget.try_retry(Instant::now()) => Stop::Budget,
                Decision::Retry(wait) => {
                    span.in_scope(|| {
                        tracing::warn!(?failure, wait_ms = wait.as_millis() as u64, "attempt failed; trying again")
                    });
                    tokio::time::sleep(wait).await;
                    if Instant::now() < limit.at {
                        continue;
                    }
                    // The timer overshot the deadline: no attempt could get any time.
                    Stop::Deadline
                }
            };
            span.in_scope(|| tracing::warn!(?failure, budget_exhausted = stop == Stop::Budget, "giving up"));
            if let Some(response) = answer {
                // The adapter maps the vendor's "try again" code on the last answer as usual.
                return Ok(response);
            }
            let tally = Tally {
                attempts,
                doubts,
                elapsed: started.elapsed(),
                per_attempt,
                limit: &limit,
                stop,
                clipped: timeout < per_attempt,
            };
            return Err(self.give_up(&call, failure, source, &tally));
        }
    }

    async fn attempt(
        &self,
        call: &Call,
        timeout: Duration,
    ) -> std::result::Result<Raw, (AttemptFailure, Option<reqwest::Error>)> {
        if timeout.is_zero() {
            // The deadline passed between the loop's check and here: nothing went out.
            return Err((AttemptFailure::NotSent, None));
        }
        let money = call.safety.moves_money();
        let client = if money { &self.inner.money_client } else { &self.inner.client };
        let mut req = client.request(call.method.clone(), call.url.clone()).timeout(timeout);
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
        let sent = if money {
            let probe = Arc::new(ConnectProbe::default());
            probe.watch(req.send()).await.map_err(|e| {
                let failure = match classify(&e) {
                    // Time ran out before the connection existed: not a byte of the request was written.
                    AttemptFailure::NoAnswer { timed_out: true } if probe.stuck_connecting() => AttemptFailure::NotSent,
                    other => other,
                };
                (failure, Some(e.without_url()))
            })
        } else {
            req.send().await.map_err(|e| (classify(&e), Some(e.without_url())))
        };
        let mut resp = sent?;
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

    fn response(&self, call: &Call, raw: Raw, attempts: u32, doubtful_attempts: u32, elapsed: Duration) -> Response {
        Response {
            status: raw.status,
            headers: raw.headers,
            body: raw.body,
            attempts,
            doubtful_attempts,
            elapsed,
            vendor: self.inner.vendor,
            operation: call.operation,
            safety: call.safety,
            partner_ref: call.partner_ref.clone(),
            default_charset: call.default_charset,
        }
    }

    /// Vendor, operation, partner reference, attempts and time spent.
    fn context(&self, call: &Call, e: Error, attempts: u32, elapsed: Duration) -> Error {
        e.with_vendor(self.inner.vendor)
            .with_operation(call.operation)
            .with_partner_ref_opt(call.partner_ref.as_ref())
            .with_attempts(attempts)
            .with_elapsed(elapsed)
    }

    fn give_up(&self, call: &Call, failure: AttemptFailure, source: Option<reqwest::Error>, t: &Tally<'_>) -> Error {
        let tries = if t.attempts == 1 { "1 attempt".to_string() } else { format!("{} attempts", t.attempts) };
        let timed_out = match &failure {
            AttemptFailure::NoAnswer { timed_out } => *timed_out,
            // Without a cause the attempt had no time at all.
            AttemptFailure::NotSent => source.as_ref().is_none_or(reqwest::Error::is_timeout),
            _ => false,
        };
        // A cut-short attempt explains a timeout; after a 503 it would mislead.
        let by_deadline = t.stop == Stop::Deadline || (t.clipped && timed_out);
        // Why it stopped where that is not plain from the failure: callers tune different knobs for each.
        let why = match t.stop {
            Stop::Budget => format!("{tries}; the retry budget is exhausted"),
            _ if by_deadline => format!("{tries}; the operation's deadline is {} ms", t.limit.total.as_millis()),
            _ => tries,
        };
        let waited = t.elapsed.as_millis();
        let mut e = match &failure {
            AttemptFailure::NotSent if timed_out => Error::new(
                ErrorKind::Transport,
                format!("could not connect to the vendor after {waited} ms ({why}); nothing was sent"),
            )
            .with_retryable(true),
            AttemptFailure::NotSent => {
                Error::new(ErrorKind::Transport, format!("could not reach the vendor ({why}); nothing was sent"))
                    .with_retryable(true)
            }
            AttemptFailure::NoAnswer { timed_out: true } => {
                let why = if by_deadline || t.stop == Stop::Budget {
                    why
                } else {
                    format!("{why}; each attempt may take {} ms", t.per_attempt.as_millis())
                };
                Error::new(ErrorKind::Timeout, format!("no complete answer after {waited} ms ({why})"))
            }
            AttemptFailure::NoAnswer { timed_out: false } => Error::new(
                ErrorKind::Transport,
                format!("the connection failed before a complete answer arrived ({why})"),
            ),
            AttemptFailure::Status { status, .. } | AttemptFailure::AnswerSaysRetry { status } => {
                let (kind, retryable) = ErrorKind::from_http_status(*status);
                Error::new(kind, format!("the vendor answered HTTP {status} ({why})"))
                    .with_http_status(*status)
                    .with_retryable(retryable)
            }
            AttemptFailure::Unusable { reason, status } => {
                let e = Error::protocol(format!("{reason} ({why})"));
                match status {
                    Some(s) => e.with_http_status(*s),
                    None => e,
                }
            }
        };
        if let Some(src) = source {
            e = e.with_source(src);
        }
        e = self.context(call, e, t.attempts, t.elapsed);
        if call.safety != CallSafety::Read && t.doubts > 0 { e.into_outcome_unknown() } else { e }
    }
}

/// The settings both reqwest clients share.
fn base_builder(config: &HttpConfig) -> Result<reqwest::ClientBuilder> {
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
    Ok(builder)
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder.build().map_err(|e| Error::config("the HTTP client could not be built").with_source(e.without_url()))
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
