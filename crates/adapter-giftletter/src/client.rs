//! The native client: one method per Giftletter endpoint, in the vendor's terms.

use std::fmt;
use std::sync::Arc;

use coupon_core::chrono::NaiveDate;
use coupon_core::encoding_rs::{EUC_KR, UTF_8};
use coupon_core::http::{Call, CallSafety, HttpClient, Response, Url};
use coupon_core::secrecy::ExposeSecret;
use coupon_core::text::charset_of_content_type;
use coupon_core::{Error, ErrorKind, PartnerRef, RedemptionReport, Result, VendorCode};

use crate::VENDOR;
use crate::codes;
use crate::config::GiftletterConfig;
use crate::wire::replies::{
    self, BrandImage, EPinStatus, GoodsInfo, GoodsItem, Refusal, SendEPinReply, parse_brand_image, parse_cancel,
    parse_goods_info, parse_goods_list, parse_resend, parse_send_epin, parse_status,
};
use crate::wire::report::{decode_report, parse_exchange_daily};
use crate::wire::requests::{self, ReSendSms, SendEPin};
use crate::wire::{Answer, WireError};

/// The vendor's endpoint names, which are also the operations in errors.
mod endpoint {
    pub const SEND_EPIN: &str = "SendEPin";
    pub const CANCEL: &str = "CancelSendEPin";
    pub const STATUS: &str = "StatusSendEPin";
    pub const RESEND: &str = "ReSendSMS";
    pub const GOODS_LIST: &str = "getGoodsInfoList";
    pub const GOODS_INFO: &str = "getGoodsInfo";
    pub const BRAND_IMAGE: &str = "getBrandImage";
    pub const EXCHANGE_DAILY: &str = "ExchangeDaily.aspx";
}

/// The Giftletter client. Cheap to clone; clones share connections.
///
/// Every method validates its input before sending (an
/// [`ErrorKind::InvalidInput`] naming the field), signs the query, sends it
/// through the core transport with the endpoint's safety, and maps a refusal
/// through [`codes`] with the vendor's code and message kept verbatim.
///
/// | method | endpoint | safety |
/// |---|---|---|
/// | [`send_epin`](Self::send_epin) | `SendEPin` | money-moving, deduplicated by `co_tid` |
/// | [`cancel`](Self::cancel) | `CancelSendEPin` | money-moving, deduplicated (a repeat answers `E304`) |
/// | [`status`](Self::status) | `StatusSendEPin` | read |
/// | [`resend_sms`](Self::resend_sms) | `ReSendSMS` | money-moving, never repeated (counts against the limit of 3) |
/// | [`goods_list`](Self::goods_list) | `getGoodsInfoList` | read |
/// | [`goods_info`](Self::goods_info) | `getGoodsInfo` | read |
/// | [`brand_image`](Self::brand_image) | `getBrandImage` | read |
/// | [`exchange_daily`](Self::exchange_daily) | `ExchangeDaily.aspx` | read |
#[derive(Clone)]
pub struct Giftletter {
    inner: Arc<Inner>,
}

struct Inner {
    config: GiftletterConfig,
    http: HttpClient,
    exchange_http: HttpClient,
}

impl fmt::Debug for Giftletter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Giftletter").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl Giftletter {
    /// A client for `config`. Refuses plain http to a host that is not loopback
    /// unless allowed (`allow_insecure_http`, or `exchange_allow_http` for the report).
    pub fn new(config: GiftletterConfig) -> Result<Self> {
        let http = HttpClient::new(VENDOR, config.http.clone())?;
        // The report host serves plain http in production: its own client may allow it
        // without allowing it for the money-moving endpoints.
        let mut exchange = config.http.clone();
        exchange.allow_insecure_http |= config.exchange_allow_http;
        let exchange_http = HttpClient::new(VENDOR, exchange)?;
        http.check_url(&config.base_url).map_err(|e| e.with_field("base_url"))?;
        exchange_http.check_url(&config.exchange_url).map_err(|e| e.with_field("exchange_url"))?;
        Ok(Self { inner: Arc::new(Inner { config, http, exchange_http }) })
    }

    /// The configuration.
    pub fn config(&self) -> &GiftletterConfig {
        &self.inner.config
    }

    fn cid(&self) -> &str {
        &self.inner.config.cid
    }

    fn key(&self) -> &str {
        self.inner.config.auth_key.expose_secret()
    }

    fn endpoint(&self, name: &str, query: &str) -> Url {
        let mut url = self.inner.config.base_url.clone();
        // The config refuses URLs that cannot be a base, so the segments are always there.
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(name);
        }
        url.set_query(Some(query));
        url
    }

    async fn get(&self, op: &'static str, query: &str, safety: CallSafety, r: Option<&PartnerRef>) -> Result<Response> {
        let call = Call::get(op, self.endpoint(op, query)).safety(safety).partner_ref(r.cloned());
        let resp = self.inner.http.send(call).await?;
        if !resp.is_success() {
            return Err(resp.status_error());
        }
        Ok(resp)
    }

    /// Reads a JSON answer with `parse`: an unreadable body is a protocol error
    /// (an unknown outcome for a money-moving call).
    fn read<T>(resp: &Response, parse: fn(&str) -> Result<Answer<T>, WireError>) -> Result<Answer<T>> {
        // The document names no charset: the label when there is one, else UTF-8, else EUC-KR.
        let text = resp.text_sniffed(&[UTF_8, EUC_KR])?;
        parse(&text).map_err(|e| resp.protocol_error(e.message()).with_source(e))
    }

    /// `SendEPin`: issues one PIN to `request.mdn` by SMS.
    ///
    /// The call is re-sent once with the same `co_tid` when its outcome is in doubt;
    /// see the crate docs for what each answer then means. Every error carries the
    /// `co_tid` as its partner reference.
    pub async fn send_epin(&self, request: &SendEPin) -> Result<SendEPinReply> {
        let op = endpoint::SEND_EPIN;
        let co_tid = &request.co_tid;
        let query = request
            .query(self.cid(), self.key(), self.inner.config.query_charset)
            .map_err(|e| e.in_context(VENDOR, op).with_partner_ref(co_tid.clone()))?;
        let resp = self.get(op, &query, CallSafety::MoneyMovingDeduplicated, Some(co_tid)).await?;
        let refusal = match Self::read(&resp, parse_send_epin)? {
            Ok(reply) => return Ok(reply),
            Err(refusal) => refusal,
        };
        let resent = resp.resent_after_doubt();
        let code = refusal_code(&refusal).clone();
        let is_duplicate = code.primary().eq_ignore_ascii_case("P101");
        if resent && is_duplicate {
            tracing::warn!(partner_ref = %co_tid, "SendEPin re-send answered P101: the first attempt issued the coupon");
            let e = Error::new(
                ErrorKind::DuplicateReference,
                "the coupon was issued by this call's earlier attempt, whose answer was lost; the re-send with the \
                 same co_tid was refused as a duplicate (P101), so the order id and PIN are unknown: reconcile \
                 with Giftletter by co_tid before issuing again",
            );
            return Err(resp.context_only(with_refusal(e, refusal)));
        }
        if resent {
            // The first attempt is in doubt and this refusal does not say whether it issued.
            let e = Error::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "the first attempt's outcome is unknown and its re-send was refused with {}, which does not \
                     say whether the first attempt issued a coupon: reconcile by co_tid before retrying",
                    code.raw()
                ),
            );
            return Err(resp.context_only(with_refusal(e, refusal)));
        }
        if is_duplicate {
            let e = Error::new(
                ErrorKind::DuplicateReference,
                "this co_tid was used before, by an earlier call; this call issued nothing",
            );
            return Err(resp.context_only(with_refusal(e, refusal)));
        }
        Err(refusal_error(&resp, refusal))
    }

    /// `CancelSendEPin`: cancels an issued PIN.
    ///
    /// Treated as deduplicated: a repeated cancel is answered `E304` (already
    /// cancelled), so after a doubt the core re-sends it once, and `E304` on that
    /// re-send means this call's earlier attempt cancelled it: success.
    pub async fn cancel(&self, order_id: &str) -> Result<()> {
        let op = endpoint::CANCEL;
        let query = requests::order_query(self.cid(), self.key(), order_id).map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::MoneyMovingDeduplicated, None).await?;
        match Self::read(&resp, parse_cancel)? {
            Ok(()) => Ok(()),
            Err(refusal)
                if resp.resent_after_doubt() && refusal_code(&refusal).primary().eq_ignore_ascii_case("E304") =>
            {
                tracing::info!("CancelSendEPin re-send answered E304: the first attempt cancelled it");
                Ok(())
            }
            Err(refusal) => Err(refusal_error(&resp, refusal)),
        }
    }

    /// `StatusSendEPin`: whether a PIN is used, unused or cancelled.
    pub async fn status(&self, order_id: &str) -> Result<EPinStatus> {
        let op = endpoint::STATUS;
        let query = requests::order_query(self.cid(), self.key(), order_id).map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::Read, None).await?;
        Self::read(&resp, parse_status)?.map_err(|r| refusal_error(&resp, r))
    }

    /// `ReSendSMS`: sends the PIN's SMS again. Answers the echoed `reserved`.
    ///
    /// Never repeated automatically: each resend counts against the vendor's
    /// limit of 3 (`P301`), so a doubt is [`ErrorKind::OutcomeUnknown`].
    pub async fn resend_sms(&self, request: &ReSendSms) -> Result<Option<String>> {
        let op = endpoint::RESEND;
        let query = request
            .query(self.cid(), self.key(), self.inner.config.query_charset)
            .map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::MoneyMoving, None).await?;
        Self::read(&resp, parse_resend)?.map_err(|r| refusal_error(&resp, r))
    }

    /// `getGoodsInfoList`: the goods of one brand, each with its own `STATUS`.
    pub async fn goods_list(&self, brand_id: u64) -> Result<Vec<GoodsItem>> {
        let op = endpoint::GOODS_LIST;
        let query =
            requests::goods_list_query(self.cid(), self.key(), brand_id).map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::Read, None).await?;
        Self::read(&resp, parse_goods_list)?.map_err(|r| refusal_error(&resp, r))
    }

    /// `getGoodsInfo`: one goods in detail (supply price, message type, validity, notices).
    pub async fn goods_info(&self, goods_id: &str) -> Result<GoodsInfo> {
        let op = endpoint::GOODS_INFO;
        let query =
            requests::goods_info_query(self.cid(), self.key(), goods_id).map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::Read, None).await?;
        Self::read(&resp, parse_goods_info)?.map_err(|r| refusal_error(&resp, r))
    }

    /// `getBrandImage`: a brand's name and image (not signed).
    pub async fn brand_image(&self, brand_id: u64) -> Result<BrandImage> {
        let op = endpoint::BRAND_IMAGE;
        let query = requests::brand_image_query(self.cid(), brand_id).map_err(|e| e.in_context(VENDOR, op))?;
        let resp = self.get(op, &query, CallSafety::Read, None).await?;
        Self::read(&resp, parse_brand_image)?.map_err(|r| refusal_error(&resp, r))
    }

    /// `ExchangeDaily.aspx`: the PINs redeemed on `day` (KST), from the report host.
    ///
    /// The body is text, EUC-KR expected: decoded by its `Content-Type` charset,
    /// else strict UTF-8, else EUC-KR. Unreadable lines are reported with their
    /// number in [`RedemptionReport::errors`] and never hide the good ones.
    pub async fn exchange_daily(&self, day: NaiveDate) -> Result<RedemptionReport> {
        let op = endpoint::EXCHANGE_DAILY;
        let query = requests::exchange_daily_query(self.cid(), day).map_err(|e| e.in_context(VENDOR, op))?;
        let mut url = self.inner.config.exchange_url.clone();
        url.set_query(Some(&query));
        let resp = self.inner.exchange_http.send(Call::get(op, url)).await?;
        if !resp.is_success() {
            return Err(resp.status_error());
        }
        let label = resp.header("content-type").and_then(charset_of_content_type);
        let text = decode_report(resp.body(), label).map_err(|e| resp.protocol_error(e.message()).with_source(e))?;
        let head = text.trim_start_matches('\u{FEFF}').trim_start();
        if head.starts_with('<') {
            return Err(resp.protocol_error("the report is an HTML page, not the text report"));
        }
        if head.starts_with('{') {
            // Not documented, but the vendor's other pages refuse with a result code.
            return match replies::parse_cancel(&text) {
                Ok(Err(refusal)) => Err(refusal_error(&resp, refusal)),
                Ok(Ok(())) | Err(_) => Err(resp.protocol_error("the report is a JSON object, not the text report")),
            };
        }
        Ok(parse_exchange_daily(day, &text))
    }
}

fn refusal_code(refusal: &Refusal) -> &VendorCode {
    match refusal {
        Refusal::RstCode { code, .. } | Refusal::Status(code) => code,
    }
}

/// Keeps the vendor's code and message on `e`.
fn with_refusal(e: Error, refusal: Refusal) -> Error {
    match refusal {
        Refusal::RstCode { code, message } => {
            let e = e.with_vendor_code(code);
            match message {
                Some(m) => e.with_vendor_message(m),
                None => e,
            }
        }
        Refusal::Status(code) => e.with_vendor_code(code),
    }
}

/// A vendor refusal: definite, mapped through the code table.
fn refusal_error(resp: &Response, refusal: Refusal) -> Error {
    let e = match &refusal {
        Refusal::RstCode { code, .. } => {
            let (kind, retryable) = codes::classify(code);
            Error::new(kind, format!("the vendor answered result code {}", code.primary())).with_retryable(retryable)
        }
        Refusal::Status(code) => {
            let (kind, retryable, what) =
                codes::status_error(code.raw()).unwrap_or((codes::UNKNOWN.0, codes::UNKNOWN.1, "an unknown STATUS"));
            Error::new(kind, format!("the vendor answered {what}")).with_retryable(retryable)
        }
    };
    resp.context_only(with_refusal(e, refusal))
}
