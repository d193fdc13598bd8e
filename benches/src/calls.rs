//! Groups 6–7: whole calls through the library against the sandbox on loopback,
//! beside bare reqwest requests to the same URLs with the same client settings.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coupon::giftletter::wire::QueryCharset;
use coupon::giftletter::wire::requests::{SendEPin, order_query};
use coupon::giftletter::{Giftletter, GiftletterAdapter, GiftletterConfig};
use coupon::http::HttpConfig;
use coupon::secrecy::ExposeSecret;
use coupon::{Adapter, IssueRequest, PartnerRef, PhoneNumber};
use coupon_sandbox::RunningSandbox;
use serde_json::Value;
use tokio::runtime::Runtime;

/// The goods every issue asks for (the document's example, in the sandbox catalog).
pub const GOODS_ID: &str = "0000000582";

/// A sandbox, the library's Giftletter client pointed at it, and a bare reqwest
/// client with the library's transport settings, on one tokio runtime.
pub struct Calls {
    runtime: Runtime,
    // Kept alive for the benchmarks' whole run; dropping it stops the server.
    _sandbox: RunningSandbox,
    config: GiftletterConfig,
    adapter: Arc<GiftletterAdapter>,
    bare: reqwest::Client,
    order_id: String,
    status_url: String,
}

/// What a burst of concurrent calls took.
#[derive(Clone, Debug)]
pub struct Burst {
    /// From the first call started to the last one answered.
    pub total: Duration,
    /// Each call's own time, sorted.
    pub latencies: Vec<Duration>,
    /// Calls that did not succeed (the goal is none).
    pub errors: usize,
}

impl Burst {
    /// The latency below which `p` percent of the calls answered (nearest rank).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

/// A reqwest client built as `coupon_core::http::HttpClient` builds its own: same
/// connect timeout, no redirects, no proxy, same user agent and header case.
pub fn bare_client(http: &HttpConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(http.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("coupon-rs/", env!("CARGO_PKG_VERSION")))
        .http1_title_case_headers()
        .no_proxy()
        .build()
        .expect("a reqwest client with plain settings builds")
}

/// An issue of the sandbox's goods to a valid mobile number; the adapter generates the `co_tid`.
pub fn issue_request() -> IssueRequest {
    IssueRequest::new(GOODS_ID)
        .recipient(PhoneNumber::parse("010-1234-5678").expect("a valid mobile number"))
        .callback(PhoneNumber::parse("1588-1234").expect("a valid callback number"))
        .title("선물이 도착했어요")
        .message("GS25 모바일상품권 1만원을 보내드립니다.")
}

impl Calls {
    /// Starts the sandbox on a loopback port and issues the coupon whose status
    /// group 6 asks for.
    ///
    /// # Panics
    ///
    /// When the sandbox cannot start or refuses the first issue: nothing could be measured.
    pub fn start() -> Self {
        let (runtime, sandbox, config) = crate::sandbox::giftletter();
        let client = Giftletter::new(config.clone()).expect("the client builds");
        let adapter = Arc::new(GiftletterAdapter::new(client));
        let issued = runtime.block_on(adapter.issue(&issue_request())).expect("the sandbox issues a coupon");
        let order_id = issued.order.as_ref().unwrap().as_str().to_string();
        let query = order_query(&config.cid, config.auth_key.expose_secret(), &order_id).expect("a valid order id");
        let status_url = format!("{}/StatusSendEPin?{query}", config.base_url.as_str().trim_end_matches('/'));
        let bare = bare_client(&config.http);
        Self { runtime, _sandbox: sandbox, config, adapter, bare, order_id, status_url }
    }

    /// Group 6, ours: `Giftletter::status` (validate, sign, send, judge, decode, parse).
    ///
    /// # Panics
    ///
    /// When the call fails: the benchmark would time an error path.
    pub fn library_status(&self) -> usize {
        let status = self.runtime.block_on(self.adapter.client().status(&self.order_id));
        status.expect("StatusSendEPin succeeds");
        1
    }

    /// Group 6, the limit: a GET of the same signed URL, its body as UTF-8 parsed to `Value`.
    ///
    /// # Panics
    ///
    /// When the request fails or the body is not JSON.
    pub fn bare_status(&self) -> usize {
        let url = self.status_url.as_str();
        self.runtime
            .block_on(bare_get(&self.bare, url, self.config.http.read_timeout))
            .expect("the bare GET succeeds")
            .1
    }

    /// The body length of a status answer (group 6's bytes per call).
    pub fn status_body_len(&self) -> u64 {
        self.runtime
            .block_on(bare_get(&self.bare, &self.status_url, self.config.http.read_timeout))
            .map_or(0, |(len, _)| len as u64)
    }

    /// The body length of a `SendEPin` success (group 7's bytes per call); issues one coupon.
    pub fn issue_body_len(&self) -> u64 {
        let url = self.send_epin_url();
        self.runtime
            .block_on(bare_get(&self.bare, &url, self.config.http.money_timeout))
            .map_or(0, |(len, _)| len as u64)
    }

    /// Group 7, ours: `calls` concurrent issues through one adapter (one client, one pool).
    pub fn issue_burst(&self, calls: usize) -> Burst {
        self.runtime.block_on(async {
            let started = Instant::now();
            let tasks: Vec<_> = (0..calls)
                .map(|_| {
                    let adapter = Arc::clone(&self.adapter);
                    tokio::spawn(async move {
                        let t = Instant::now();
                        let ok = adapter.issue(&issue_request()).await.is_ok();
                        (t.elapsed(), ok)
                    })
                })
                .collect();
            collect(started, tasks).await
        })
    }

    /// Group 7, the limit: `calls` concurrent bare GETs of `SendEPin` URLs signed the
    /// same way (built before the clock starts), each answer parsed to `Value` and
    /// its `rstCode` checked.
    pub fn bare_issue_burst(&self, calls: usize) -> Burst {
        let urls: Vec<String> = (0..calls).map(|_| self.send_epin_url()).collect();
        let timeout = self.config.http.money_timeout;
        self.runtime.block_on(async {
            let started = Instant::now();
            let tasks: Vec<_> = urls
                .into_iter()
                .map(|url| {
                    let client = self.bare.clone();
                    tokio::spawn(async move {
                        let t = Instant::now();
                        let ok = bare_get(&client, &url, timeout).await.is_ok_and(|(_, issued)| issued == 1);
                        (t.elapsed(), ok)
                    })
                })
                .collect();
            collect(started, tasks).await
        })
    }

    /// A signed `SendEPin` URL with a fresh `co_tid`, as the library would send it.
    fn send_epin_url(&self) -> String {
        let r = issue_request();
        let send = SendEPin {
            goods_id: r.product_id,
            title: r.title.unwrap_or_default(),
            content: r.message.unwrap_or_default(),
            mdn: r.recipient.expect("set by issue_request"),
            receive_tel: r.callback.expect("set by issue_request"),
            co_tid: PartnerRef::generate(),
            reserved: None,
        };
        let charset: QueryCharset = self.config.query_charset;
        let query = send.query(&self.config.cid, self.config.auth_key.expose_secret(), charset).expect("a valid issue");
        format!("{}/SendEPin?{query}", self.config.base_url.as_str().trim_end_matches('/'))
    }
}

/// GET, whole body, UTF-8, `Value`; answers the body length and 1 when the JSON
/// object's `rstCode` is `"0"` (success), else 0.
async fn bare_get(client: &reqwest::Client, url: &str, timeout: Duration) -> Result<(usize, usize), String> {
    let resp = client.get(url).timeout(timeout).send().await.map_err(|e| e.to_string())?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let body = resp.bytes().await.map_err(|e| e.to_string())?;
    let text = std::str::from_utf8(&body).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok((body.len(), usize::from(value.get("rstCode").and_then(Value::as_str) == Some("0"))))
}

async fn collect(started: Instant, tasks: Vec<tokio::task::JoinHandle<(Duration, bool)>>) -> Burst {
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    for task in tasks {
        match task.await {
            Ok((took, ok)) => {
                latencies.push(took);
                errors += usize::from(!ok);
            }
            Err(_) => errors += 1,
        }
    }
    let total = started.elapsed();
    latencies.sort();
    Burst { total, latencies, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_of_each_group_succeed_against_the_sandbox() {
        let calls = Calls::start();
        assert_eq!(calls.library_status(), 1);
        assert_eq!(calls.bare_status(), 1, "the same answer, rstCode 0");
        assert!(calls.status_body_len() > 0);
        let ours = calls.issue_burst(50);
        let bare = calls.bare_issue_burst(50);
        assert_eq!((ours.errors, bare.errors), (0, 0));
        assert_eq!((ours.latencies.len(), bare.latencies.len()), (50, 50));
        assert!(ours.percentile(50.0) <= ours.percentile(99.0) && ours.percentile(99.0) <= ours.total);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let ms = Duration::from_millis;
        let burst = Burst { total: ms(100), latencies: (1..=100).map(ms).collect(), errors: 0 };
        assert_eq!(
            (burst.percentile(50.0), burst.percentile(99.0), burst.percentile(100.0)),
            (ms(50), ms(99), ms(100))
        );
    }
}
