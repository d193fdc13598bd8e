//! The native client: one method per Giftletter endpoint, in the vendor's terms.

use std::fmt;
use std::sync::Arc;

use coupon_core::chrono::NaiveDate;
use coupon_core::codes::{CodeTable, Refusal, read_answer, refusal_or_status};
use coupon_core::context::in_context;
use coupon_core::encoding_rs::{EUC_KR, UTF_8};
use coupon_core::http::{Call, CallSafety, HttpClient, Response, Url};
use coupon_core::secrecy::ExposeSecret;
use coupon_core::text::charset_of_content_type;
use coupon_core::{Error, ErrorKind, PartnerRef, RedemptionReport, Result, VendorCode};

use crate::VENDOR;
use crate::codes;
use crate::config::GiftletterConfig;
use crate::wire::replies::{
    BrandImage, EPinStatus, GoodsInfo, GoodsItem, SendEPinReply, parse_brand_image, parse_cancel, parse_goods_info,
    parse_goods_list, parse_resend, parse_send_epin, parse_status,
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

/// What [`Giftletter::send_epin`] answered. Either way a coupon exists for the `co_tid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// This call issued the coupon: the vendor's order id and PIN.
    Reply(SendEPinReply),
    /// This call's earlier attempt issued the coupon, but its answer was lost; the
    /// re-send with the same `co_tid` was refused as a duplicate (`P101`), so the
    /// order id and PIN are unknown. Not a failure: issuing again with a new
    /// `co_tid` would make a second coupon. Ask Giftletter for the order of the `co_tid`.
    ByEarlierAttempt {
        /// The re-send's code, verbatim (`P101`).
        code: VendorCode,
    },
}

impl Sent {
    /// The order id and PIN, when this call's answer carried them.
    pub fn reply(&self) -> Option<&SendEPinReply> {
        match self {
            Sent::Reply(reply) => Some(reply),
            Sent::ByEarlierAttempt { .. } => None,
        }
    }
}

/// The Giftletter client. Cheap to clone; clones share connections.
///
/// Every method runs through [`in_context`], so each error names the vendor, the
/// endpoint and, for `SendEPin`, the `co_tid`. Every method validates its input
/// before sending (an [`ErrorKind::InvalidInput`] naming the field; control characters included),
/// signs the query, sends it through the core transport with the endpoint's
/// safety, and reads the answer with one rule: a 2xx or 4xx body holding a
/// result code (or a catalog `STATUS` letter) is the vendor's refusal, mapped
/// through [`codes`] by [`refusal_or_status`] with the code and message kept
/// verbatim (and the HTTP status, for a 4xx); a 4xx without one is decided by
/// its status. 408, 429 and 5xx are the transport's (retried, or an error).
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

    /// Sends the call. Answers the response for a 2xx and for a 4xx (whose body
    /// may hold the vendor's refusal: see [`Giftletter::answer`]).
    async fn get(&self, op: &'static str, query: &str, safety: CallSafety, r: Option<&PartnerRef>) -> Result<Response> {
        let mut call = Call::get(op, self.endpoint(op, query)).safety(safety).partner_ref(r.cloned());
        if safety == CallSafety::Read {
            call = call.retry_answer_when(says_try_again);
        }
        self.inner.http.send(call).await
    }

    /// The vendor's answer by the one rule for bodies ([`read_answer`]). The
    /// document names no charset: the label when there is one, else UTF-8, else EUC-KR.
    fn answer<T>(resp: &Response, parse: fn(&str) -> Result<Answer<T>, WireError>) -> Result<Answer<T>> {
        read_answer(resp, &[UTF_8, EUC_KR], parse, &codes::TABLE)
    }

    /// `SendEPin`: issues one PIN to `request.mdn` by SMS.
    ///
    /// The call is re-sent once with the same `co_tid` when its outcome is in
    /// doubt (see the crate docs). A coupon issued is never an error:
    /// [`Sent::Reply`] when this call's answer carries it, [`Sent::ByEarlierAttempt`]
    /// when the re-send was refused as a duplicate (`P101`) because the lost
    /// first attempt issued it. `P101` on a first attempt is
    /// [`ErrorKind::DuplicateReference`]: the `co_tid` was used by an earlier call
    /// and this call issued nothing. A doubt the re-send cannot settle (another
    /// refusal, a second doubt) is [`ErrorKind::OutcomeUnknown`]. Every error
    /// carries the `co_tid` as its partner reference.
    pub async fn send_epin(&self, request: &SendEPin) -> Result<Sent> {
        let op = endpoint::SEND_EPIN;
        in_context(VENDOR, op, Some(&request.co_tid), self.send_epin_once(op, request)).await
    }

    async fn send_epin_once(&self, op: &'static str, request: &SendEPin) -> Result<Sent> {
        let co_tid = &request.co_tid;
        let query = request.query(self.cid(), self.key(), self.inner.config.query_charset)?;
        let resp = self.get(op, &query, CallSafety::MoneyMovingDeduplicated, Some(co_tid)).await?;
        let resent = resp.resent_after_doubt();
        let refusal = match Self::answer(&resp, parse_send_epin) {
            Ok(Ok(reply)) => return Ok(Sent::Reply(reply)),
            Ok(Err(refusal)) => refusal,
            // After a doubt, an answer without a code (a bare 4xx) does not say
            // whether the first attempt issued a coupon.
            Err(e) if resent => return Err(e.into_outcome_unknown()),
            Err(e) => return Err(e),
        };
        let is_duplicate = codes::is_duplicate(&refusal.code);
        if resent && is_duplicate {
            tracing::warn!(partner_ref = %co_tid, code = %refusal.code, "SendEPin re-send refused as a duplicate: the first attempt issued the coupon");
            return Ok(Sent::ByEarlierAttempt { code: refusal.code });
        }
        if resent {
            // The first attempt is in doubt and this refusal does not say whether it issued.
            let e = Error::new(
                ErrorKind::OutcomeUnknown,
                format!(
                    "the first attempt's outcome is unknown and its re-send was refused with {}, which does not \
                     say whether the first attempt issued a coupon: reconcile by co_tid before retrying",
                    refusal.code.raw()
                ),
            );
            return Err(resp.context_only(refusal.keep_on(e)));
        }
        if is_duplicate {
            let e = Error::new(
                ErrorKind::DuplicateReference,
                "this co_tid was used before, by an earlier call; this call issued nothing",
            );
            let e = if resp.is_success() { e } else { e.with_http_status(resp.status()) };
            return Err(resp.context_only(refusal.keep_on(e)));
        }
        Err(refused(&resp, refusal))
    }

    /// `CancelSendEPin`: cancels an issued PIN.
    ///
    /// Treated as deduplicated: a repeated cancel is answered `E304` (already
    /// cancelled), so after a doubt the core re-sends it once, and `E304` on that
    /// re-send means this call's earlier attempt cancelled it: success.
    pub async fn cancel(&self, order_id: &str) -> Result<()> {
        let op = endpoint::CANCEL;
        in_context(VENDOR, op, None, async {
            let query = requests::order_query(self.cid(), self.key(), order_id)?;
            let resp = self.get(op, &query, CallSafety::MoneyMovingDeduplicated, None).await?;
            match Self::answer(&resp, parse_cancel)? {
                Ok(()) => Ok(()),
                Err(refusal) if resp.resent_after_doubt() && codes::is_already_cancelled(&refusal.code) => {
                    tracing::info!(code = %refusal.code, "CancelSendEPin re-send answered already cancelled: the first attempt cancelled it");
                    Ok(())
                }
                Err(refusal) => Err(refused(&resp, refusal)),
            }
        })
        .await
    }

    /// `StatusSendEPin`: whether a PIN is used, unused or cancelled.
    pub async fn status(&self, order_id: &str) -> Result<EPinStatus> {
        let op = endpoint::STATUS;
        in_context(VENDOR, op, None, async {
            let query = requests::order_query(self.cid(), self.key(), order_id)?;
            let resp = self.get(op, &query, CallSafety::Read, None).await?;
            Self::answer(&resp, parse_status)?.map_err(|r| refused(&resp, r))
        })
        .await
    }

    /// `ReSendSMS`: sends the PIN's SMS again. Answers the echoed `reserved`.
    ///
    /// Never repeated automatically: each resend counts against the vendor's
    /// limit of 3 (`P301`), so a doubt is [`ErrorKind::OutcomeUnknown`].
    pub async fn resend_sms(&self, request: &ReSendSms) -> Result<Option<String>> {
        let op = endpoint::RESEND;
        in_context(VENDOR, op, None, async {
            let query = request.query(self.cid(), self.key(), self.inner.config.query_charset)?;
            let resp = self.get(op, &query, CallSafety::MoneyMoving, None).await?;
            Self::answer(&resp, parse_resend)?.map_err(|r| refused(&resp, r))
        })
        .await
    }

    /// `getGoodsInfoList`: the goods of one brand, each with its own `STATUS`.
    pub async fn goods_list(&self, brand_id: u64) -> Result<Vec<GoodsItem>> {
        let op = endpoint::GOODS_LIST;
        in_context(VENDOR, op, None, async {
            let query = requests::goods_list_query(self.cid(), self.key(), brand_id)?;
            let resp = self.get(op, &query, CallSafety::Read, None).await?;
            Self::answer(&resp, parse_goods_list)?.map_err(|r| refused_by_status(&resp, r))
        })
        .await
    }

    /// `getGoodsInfo`: one goods in detail (supply price, message type, validity, notices).
    pub async fn goods_info(&self, goods_id: &str) -> Result<GoodsInfo> {
        let op = endpoint::GOODS_INFO;
        in_context(VENDOR, op, None, async {
            let query = requests::goods_info_query(self.cid(), self.key(), goods_id)?;
            let resp = self.get(op, &query, CallSafety::Read, None).await?;
            Self::answer(&resp, parse_goods_info)?.map_err(|r| refused_by_status(&resp, r))
        })
        .await
    }

    /// `getBrandImage`: a brand's name and image (not signed).
    pub async fn brand_image(&self, brand_id: u64) -> Result<BrandImage> {
        let op = endpoint::BRAND_IMAGE;
        in_context(VENDOR, op, None, async {
            let query = requests::brand_image_query(self.cid(), brand_id)?;
            let resp = self.get(op, &query, CallSafety::Read, None).await?;
            Self::answer(&resp, parse_brand_image)?.map_err(|r| refused_by_status(&resp, r))
        })
        .await
    }

    /// `ExchangeDaily.aspx`: the PINs redeemed on `day` (KST), from the report host.
    ///
    /// The body is text, EUC-KR expected: decoded by its `Content-Type` charset,
    /// else strict UTF-8, else EUC-KR. Unreadable lines are reported with their
    /// number in [`RedemptionReport::errors`] and never hide the good ones.
    pub async fn exchange_daily(&self, day: NaiveDate) -> Result<RedemptionReport> {
        let op = endpoint::EXCHANGE_DAILY;
        in_context(VENDOR, op, None, self.exchange_daily_once(op, day)).await
    }

    async fn exchange_daily_once(&self, op: &'static str, day: NaiveDate) -> Result<RedemptionReport> {
        let query = requests::exchange_daily_query(self.cid(), day)?;
        let mut url = self.inner.config.exchange_url.clone();
        url.set_query(Some(&query));
        let resp = self.inner.exchange_http.send(Call::get(op, url)).await?;
        if !resp.is_success() {
            // Not documented, but the vendor's other pages refuse with a result code.
            return Err(match Self::answer(&resp, parse_cancel) {
                Ok(Err(refusal)) => refused(&resp, refusal),
                Ok(Ok(())) => refusal_or_status(&resp, None, &codes::TABLE),
                Err(e) => e,
            });
        }
        let label = resp.header("content-type").and_then(charset_of_content_type);
        let text = decode_report(resp.body(), label).map_err(|e| resp.protocol_error(e.message()).with_source(e))?;
        let head = text.trim_start_matches('\u{FEFF}').trim_start();
        if head.starts_with('<') {
            return Err(resp.protocol_error("the report is an HTML page, not the text report"));
        }
        if head.starts_with('{') {
            // Not documented, but the vendor's other pages refuse with a result code.
            return match parse_cancel(&text) {
                Ok(Err(refusal)) => Err(refused(&resp, refusal)),
                Ok(Ok(())) | Err(_) => Err(resp.protocol_error("the report is a JSON object, not the text report")),
            };
        }
        Ok(parse_exchange_daily(day, &text))
    }
}

/// A vendor refusal (`rstCode`): definite, mapped through the code table that
/// decides its code ([`codes::table_for`]: the two-part rule on top of [`codes::TABLE`]).
fn refused(resp: &Response, refusal: Refusal) -> Error {
    let table: &CodeTable = codes::table_for(&refusal.code);
    refusal_or_status(resp, Some(refusal), table)
}

/// A catalog refusal (a `STATUS` letter): definite, mapped through [`codes::STATUS`].
fn refused_by_status(resp: &Response, refusal: Refusal) -> Error {
    refusal_or_status(resp, Some(refusal), &codes::STATUS)
}

/// A read answered with a code the table marks "try again" (`S001` 시스템 오류, the
/// EPIN supply failures) is retried by the transport as a 503 would be; a
/// money-moving call never is (the transport does not ask).
fn says_try_again(resp: &Response) -> bool {
    let Ok(text) = resp.text_sniffed(&[UTF_8, EUC_KR]) else { return false };
    matches!(parse_cancel(&text), Ok(Err(refusal)) if codes::classify(&refusal.code).1)
}
