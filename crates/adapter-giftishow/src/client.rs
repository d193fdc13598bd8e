//! The native client: one method per Giftishow Biz operation, in the vendor's terms.

use std::fmt;
use std::sync::Arc;

use coupon_core::codes::{Refusal, read_answer, refusal_or_status};
use coupon_core::context::in_context;
use coupon_core::encoding_rs::{EUC_KR, UTF_8};
use coupon_core::http::{Call, CallSafety, HttpClient, Response, Url};
use coupon_core::secrecy::ExposeSecret;
use coupon_core::text::form_urlencode;
use coupon_core::{CouponStatus, Error, ErrorKind, PartnerRef, Result, VendorCode, Won};

use crate::VENDOR;
use crate::codes;
use crate::config::{BrandCodes, GiftishowConfig};
use crate::wire::replies::{
    BrandInfo, CouponInfo, Goods, ListPage, SendReply, parse_bizmoney, parse_brand_detail, parse_brand_list,
    parse_coupon_detail, parse_done, parse_goods_detail, parse_goods_list, parse_send,
};
use crate::wire::requests::{self, Fields, Send};
use crate::wire::{Answer, WireError};

/// One operation: our name for it in errors (the vendor's path) and its `api_code`.
#[derive(Clone, Copy)]
struct Op {
    name: &'static str,
    api_code: &'static str,
}

const GOODS: Op = Op { name: "goods", api_code: "0101" };
const BRANDS: Op = Op { name: "brands", api_code: "0102" };
const BRANDS_SAME_PATH: Op = Op { name: "brands", api_code: "0103" };
const BRAND_DETAIL: Op = Op { name: "brands/{brand_code}", api_code: "0112" };
const BRAND_DETAIL_SAME_PATH: Op = Op { name: "brands (detail)", api_code: "0104" };
const SEND: Op = Op { name: "send", api_code: "0204" };
const COUPONS: Op = Op { name: "coupons", api_code: "0201" };
const CANCEL: Op = Op { name: "cancel", api_code: "0202" };
const RESEND: Op = Op { name: "resend", api_code: "0203" };
const SEND_FAIL_CANCEL: Op = Op { name: "sendFail/cancel", api_code: "0205" };
const BIZMONEY: Op = Op { name: "bizmoney", api_code: "0301" };
/// The goods detail's name; its `api_code` is configured (`0111` or `0102`).
const GOODS_DETAIL: &str = "goods/{goods_code}";

/// What [`Giftishow::send`] answered. Every variant means a coupon exists for the `tr_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sent {
    /// This call's answer: the order, and the PIN or image where the delivery mode returns them.
    Reply(SendReply),
    /// The first attempt's answer was lost; the coupon detail for the `tr_id` shows
    /// the coupon it issued (read before any re-send).
    Found(Box<CouponInfo>),
    /// The first attempt's answer was lost, the coupon detail had no coupon yet,
    /// and the re-send with the same `tr_id` was refused as a duplicate (`ERR0215`):
    /// the first attempt issued it meanwhile. Its details are unknown; read them by
    /// [`Giftishow::coupons`]. Never send it again with a new `tr_id`.
    ByEarlierAttempt {
        /// The re-send's code, verbatim.
        code: VendorCode,
    },
}

/// The Giftishow Biz client. Cheap to clone; clones share connections.
///
/// Every method runs through [`in_context`], so each error names the vendor and the
/// operation, and a send's its `tr_id`.
/// Every method checks its input before sending (an [`ErrorKind::InvalidInput`]
/// naming the field), posts the form with the partner's credentials through the
/// core transport with the operation's safety, and reads the answer by one rule:
/// a 2xx or 4xx body holding a code other than `0000` is the vendor's refusal,
/// mapped through [`codes::TABLE`] with the code and message kept verbatim (and
/// the HTTP status, for a 4xx); a 4xx without one is decided by its status. 408,
/// 429 and 5xx are the transport's (retried for reads, a doubt for money).
///
/// | method | `api_code` | path | safety |
/// |---|---|---|---|
/// | [`goods`](Self::goods) | `0101` | `/goods` | read |
/// | [`goods_detail`](Self::goods_detail) | `0111` (or `0102`) | `/goods/{goods_code}` | read |
/// | [`brands`](Self::brands) | `0102` (or `0103`) | `/brands` | read |
/// | [`brand_detail`](Self::brand_detail) | `0112` (or `0104`) | `/brands/{brand_code}` (or `/brands`) | read |
/// | [`send`](Self::send) | `0204` | `send_url` | money-moving; a doubt is settled by `0201` first |
/// | [`coupons`](Self::coupons) | `0201` | `/coupons` | read |
/// | [`cancel`](Self::cancel) | `0202` | `/cancel` | money-moving, deduplicated (a repeat answers `ERR0808`) |
/// | [`resend`](Self::resend) | `0203` | `/resend` | money-moving, never repeated |
/// | [`send_fail_cancel`](Self::send_fail_cancel) | `0205` | `/sendFail/cancel` | money-moving, never repeated |
/// | [`bizmoney`](Self::bizmoney) | `0301` | `/bizmoney` | read |
#[derive(Clone)]
pub struct Giftishow {
    inner: Arc<Inner>,
}

struct Inner {
    config: GiftishowConfig,
    http: HttpClient,
}

impl fmt::Debug for Giftishow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Giftishow").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl Giftishow {
    /// A client for `config`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`] when the HTTP client cannot be built, or a URL is plain
    /// http to a host other than loopback without `allow_insecure_http`.
    pub fn new(config: GiftishowConfig) -> Result<Self> {
        let http = HttpClient::new(VENDOR, config.http.clone())?;
        http.check_url(&config.base_url).map_err(|e| e.with_field("base_url"))?;
        http.check_url(&config.send_url).map_err(|e| e.with_field("send_url"))?;
        Ok(Self { inner: Arc::new(Inner { config, http }) })
    }

    /// The configuration.
    pub fn config(&self) -> &GiftishowConfig {
        &self.inner.config
    }

    /// Runs `fut` under one deadline of the configured `total_timeout`: every
    /// send of one shared operation (a send, its lookup, its re-send) fits in it.
    pub(crate) async fn operation<F: Future>(&self, fut: F) -> F::Output {
        self.inner.http.operation(fut).await
    }

    /// `{base_url}/{segments…}`.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.config.base_url.clone();
        // The config refuses URLs that cannot be a base, so the segments are always there.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// The form: the common fields, then the operation's.
    fn form(&self, api_code: &str, fields: &Fields) -> Result<String> {
        let c = &self.inner.config;
        let common = [
            ("api_code", api_code),
            ("custom_auth_code", c.auth_code.expose_secret()),
            ("custom_auth_token", c.auth_token.expose_secret()),
            ("dev_yn", if c.dev_mode { "Y" } else { "N" }),
        ];
        let pairs = common.into_iter().chain(fields.iter().map(|(k, v)| (*k, v.as_str())));
        // UTF-8 holds every character: this cannot fail, but is not unwrapped.
        form_urlencode(pairs, UTF_8).map_err(|(field, _)| Error::invalid_field(field, "cannot be encoded"))
    }

    async fn post(
        &self,
        op: &'static str,
        url: Url,
        api_code: &str,
        fields: &Fields,
        safety: CallSafety,
        partner_ref: Option<&PartnerRef>,
    ) -> Result<Response> {
        let body = self.form(api_code, fields)?;
        let call = Call::post(op, url)
            .safety(safety)
            .header("Accept", "application/json")
            .form_body(body)
            .partner_ref(partner_ref.cloned());
        self.inner.http.send(call).await
    }

    /// The vendor's answer by the one rule for bodies ([`read_answer`]). The
    /// integrations send UTF-8; a label wins, and EUC-KR is the only other candidate.
    fn answer<T>(resp: &Response, parse: fn(&str) -> Result<Answer<T>, WireError>) -> Result<Answer<T>> {
        read_answer(resp, &[UTF_8, EUC_KR], parse, &codes::TABLE)
    }

    /// A read: checks its fields, sends and reads the answer; a refusal is an error.
    /// Every error, a refused input included, is in the operation's context.
    async fn read_op<T>(
        &self,
        op: &'static str,
        url: Url,
        api_code: &str,
        fields: Result<Fields>,
        parse: fn(&str) -> Result<Answer<T>, WireError>,
    ) -> Result<T> {
        in_context(VENDOR, op, None, async {
            let resp = self.post(op, url, api_code, &fields?, CallSafety::Read, None).await?;
            Self::answer(&resp, parse)?.map_err(|r| refused(&resp, r))
        })
        .await
    }

    /// `0101` goods list: page `start` (from 1) of `size` goods. The last page is
    /// the one shorter than `size` (`listNum` counts this page, not all goods).
    pub async fn goods(&self, start: u32, size: u32) -> Result<ListPage<Goods>> {
        let fields = requests::goods_page(start, size);
        self.read_op(GOODS.name, self.url(&["goods"]), GOODS.api_code, fields, parse_goods_list).await
    }

    /// Goods detail (`0111`, or `0102` as configured): one goods with its member-tier prices.
    pub async fn goods_detail(&self, goods_code: &str) -> Result<Goods> {
        let fields = requests::code("goods_code", goods_code).map(|()| vec![("goods_code", goods_code.to_owned())]);
        let api_code = self.inner.config.goods_detail_code;
        self.read_op(GOODS_DETAIL, self.url(&["goods", goods_code]), api_code, fields, parse_goods_detail).await
    }

    /// Brand list (`0102`, or `0103` as configured).
    pub async fn brands(&self) -> Result<ListPage<BrandInfo>> {
        let op = match self.inner.config.brand_codes {
            BrandCodes::Separate => BRANDS,
            BrandCodes::SamePath => BRANDS_SAME_PATH,
        };
        self.read_op(op.name, self.url(&["brands"]), op.api_code, Ok(Vec::new()), parse_brand_list).await
    }

    /// Brand detail (`0112` on `/brands/{brand_code}`, or `0104` on `/brands`, as configured).
    pub async fn brand_detail(&self, brand_code: &str) -> Result<BrandInfo> {
        let (op, url) = match self.inner.config.brand_codes {
            BrandCodes::Separate => (BRAND_DETAIL, self.url(&["brands", brand_code])),
            BrandCodes::SamePath => (BRAND_DETAIL_SAME_PATH, self.url(&["brands"])),
        };
        let fields = requests::code("brand_code", brand_code).map(|()| vec![("brand_code", brand_code.to_owned())]);
        self.read_op(op.name, url, op.api_code, fields, parse_brand_detail).await
    }

    /// `0204` send: one coupon for `send.tr_id`.
    ///
    /// Never sent twice blindly. When the answer is lost (a timeout, a dropped
    /// connection, a 5xx, an unreadable body), the coupon detail for the same
    /// `tr_id` is read first: a coupon there is [`Sent::Found`]; "no such coupon"
    /// ([`codes::proves_no_coupon`]: `ERR0204`/`ERR0212`) lets the same send go once
    /// more, where `ERR0215` means the first attempt issued it meanwhile
    /// ([`Sent::ByEarlierAttempt`]). A refusal saying the vendor failed midway
    /// ([`codes::may_have_acted`]: `ERR0999`, `ERR0208`, …) is settled by the same
    /// lookup and never sent again: a coupon there is [`Sent::Found`], proof of
    /// none makes it a definite [`ErrorKind::Rejected`] with the vendor's code
    /// (nothing was issued; a charge without a PIN is refunded by
    /// [`Giftishow::send_fail_cancel`]). A doubt this cannot settle is
    /// [`ErrorKind::OutcomeUnknown`] with the `tr_id`. `ERR0215` on a first attempt is [`ErrorKind::DuplicateReference`]:
    /// the `tr_id` was used by an earlier call and this call issued nothing.
    /// `E0010` (bizmoney too low) is [`ErrorKind::InsufficientFunds`]. Every error
    /// carries the `tr_id` as its partner reference. The lookup and the re-send fit in
    /// what is left of `total_timeout` after the first attempt: a first attempt that
    /// timed out under `money_timeout` = `total_timeout` (the defaults) leaves the
    /// doubt to [`Giftishow::coupons`] or `reconcile`.
    pub async fn send(&self, send: &Send) -> Result<Sent> {
        in_context(VENDOR, SEND.name, Some(&send.tr_id), async {
            send.validate(self.inner.config.limits)?;
            self.operation(async {
                match self.send_once(send).await {
                    Err(doubt) if doubt.kind() == ErrorKind::OutcomeUnknown => self.settle(send, doubt).await,
                    Err(refusal) if refusal.vendor_code().is_some_and(codes::may_have_acted) => {
                        self.settle_refusal(send, refusal).await
                    }
                    other => other,
                }
            })
            .await
        })
        .await
    }

    /// After a refusal that may have issued: the coupon detail decides, and nothing
    /// is sent again (the vendor answered, so no attempt is still in flight, but
    /// what it did before failing is unknown).
    async fn settle_refusal(&self, send: &Send, refusal: Error) -> Result<Sent> {
        let tr_id = &send.tr_id;
        tracing::warn!(partner_ref = %tr_id, error = %refusal, "the send was refused midway: reading the coupon detail");
        match self.coupons(tr_id.as_str()).await {
            Ok(mut found) if !found.is_empty() => {
                found_for(&send.goods_code, tr_id, found.swap_remove(0)).map(Sent::Found)
            }
            Err(e) if is_no_such_coupon(&e) => {
                let proof = e.vendor_code().map_or("", |c| c.raw());
                let note = format!(
                    "the coupon detail for this tr_id then answered {proof} (no such coupon): nothing was issued; if \
                     bizmoney was charged, the send-failure cancel (0205) refunds it"
                );
                Err(settled_as(&refusal, ErrorKind::Rejected, note, tr_id.as_str()))
            }
            lookup => {
                let why = match lookup {
                    Ok(_) => "answered no coupon".to_owned(),
                    Err(e) => format!("failed ({e})"),
                };
                Err(refusal
                    .into_outcome_unknown()
                    .with_partner_ref(tr_id.clone())
                    .with_note(format_args!("the coupon detail for this tr_id {why}: reconcile by tr_id")))
            }
        }
    }

    async fn send_once(&self, send: &Send) -> Result<Sent> {
        let tr_id = &send.tr_id;
        let fields = send.fields(&self.inner.config.user_id);
        let url = self.inner.config.send_url.clone();
        let resp = self.post(SEND.name, url, SEND.api_code, &fields, CallSafety::MoneyMoving, Some(tr_id)).await?;
        // `ERR0215` is `DuplicateReference` by the table: on a first attempt, this call
        // issued nothing; after a doubt, `settle` reads it as the first attempt's coupon.
        Self::answer(&resp, parse_send)?.map(Sent::Reply).map_err(|r| refused(&resp, r))
    }

    /// After a doubt: the coupon detail first, a re-send only when the vendor has no coupon.
    async fn settle(&self, send: &Send, doubt: Error) -> Result<Sent> {
        let tr_id = &send.tr_id;
        tracing::warn!(partner_ref = %tr_id, "the send's outcome is unknown: reading the coupon detail of this tr_id");
        match self.coupons(tr_id.as_str()).await {
            Ok(mut found) if !found.is_empty() => {
                return found_for(&send.goods_code, &send.tr_id, found.swap_remove(0)).map(Sent::Found);
            }
            Ok(_) => {
                tracing::warn!(partner_ref = %tr_id, "the coupon detail listed no coupon: the doubt stays");
                return Err(doubt);
            }
            Err(e) if is_no_such_coupon(&e) => {}
            Err(e) => {
                tracing::warn!(partner_ref = %tr_id, error = %e, "the coupon detail could not settle the doubt");
                return Err(doubt);
            }
        }
        tracing::info!(partner_ref = %tr_id, "Giftishow has no coupon for this tr_id: sending it again, same tr_id");
        match self.send_once(send).await {
            Ok(sent) => Ok(sent),
            Err(e) if e.kind() == ErrorKind::DuplicateReference => {
                tracing::warn!(partner_ref = %tr_id, code = ?e.vendor_code(), "the re-send was refused as a duplicate: the first attempt issued it");
                match self.coupons(tr_id.as_str()).await {
                    Ok(mut found) if !found.is_empty() => {
                        found_for(&send.goods_code, &send.tr_id, found.swap_remove(0)).map(Sent::Found)
                    }
                    _ => match e.vendor_code() {
                        Some(code) => Ok(Sent::ByEarlierAttempt { code: code.clone() }),
                        // Not reached (the refusal is the vendor's ERR0215, code kept); a code
                        // is never made up, and without one the doubt stays.
                        None => Err(doubt),
                    },
                }
            }
            Err(e) if e.kind() == ErrorKind::OutcomeUnknown => Err(e),
            Err(e) => {
                // The first attempt may still be in flight at the vendor: a refusal of the
                // re-send does not prove it issued nothing.
                let mut unknown = Error::outcome_unknown(
                    Some(tr_id.clone()),
                    format!(
                        "the first attempt's outcome is unknown; the coupon detail had no coupon for this tr_id and \
                         the re-send was refused ({}): reconcile by tr_id before sending again",
                        e.message()
                    ),
                );
                if let Some(code) = e.vendor_code() {
                    unknown = unknown.with_vendor_code(code.clone());
                }
                if let Some(message) = e.vendor_message() {
                    unknown = unknown.with_vendor_message(message.to_owned());
                }
                Err(unknown)
            }
        }
    }

    /// `0201` coupon detail: the coupons sent with `tr_id` (normally one). A
    /// `tr_id` the vendor does not know is [`ErrorKind::NotFound`] (`ERR0204`).
    pub async fn coupons(&self, tr_id: &str) -> Result<Vec<CouponInfo>> {
        let fields = requests::by_tr_id(tr_id, &self.inner.config.user_id);
        self.read_op(COUPONS.name, self.url(&["coupons"]), COUPONS.api_code, fields, parse_coupon_detail).await
    }

    /// `0202` cancel of the coupon sent with `tr_id` (the bizmoney is refunded).
    ///
    /// Treated as deduplicated: a repeated cancel is answered `ERR0808` (already
    /// cancelled), so after a doubt the core re-sends it once, and `ERR0808` (or
    /// the earlier reading's `ERR0210`) on that re-send means this call's earlier
    /// attempt cancelled it. A refusal that may mean something else
    /// (`ERR0208`: goods order error in v1.04, already cancelled in one
    /// integration; or the vendor failing midway, [`codes::may_have_acted`]) is
    /// checked against the coupon's state in the coupon detail: cancelled is
    /// `Ok` (or [`ErrorKind::AlreadyCancelled`] when nothing says this call did
    /// it), any other state keeps the refusal, and a state that cannot be read
    /// after a refusal that may have acted is [`ErrorKind::OutcomeUnknown`]. A
    /// refusal for a business reason ([`codes::means_not_cancellable`]: `ERR0805`, a
    /// code no table names) is read against the state as well, since no code says
    /// why: a used or partly spent coupon is [`ErrorKind::AlreadyUsed`], an expired
    /// one [`ErrorKind::Rejected`]; the vendor's code and message stay on the error.
    pub async fn cancel(&self, tr_id: &str) -> Result<()> {
        // Not the tr_id as the reference here: an input refused before sending never repeats itself.
        in_context(VENDOR, CANCEL.name, None, self.cancel_once(tr_id)).await
    }

    async fn cancel_once(&self, tr_id: &str) -> Result<()> {
        let fields = requests::by_tr_id(tr_id, &self.inner.config.user_id)?;
        let url = self.url(&["cancel"]);
        // The order is the tr_id: a doubt carries it as the caller's reference.
        let tr_id = PartnerRef::new(tr_id);
        let resp = self
            .post(CANCEL.name, url, CANCEL.api_code, &fields, CallSafety::MoneyMovingDeduplicated, Some(&tr_id))
            .await?;
        match Self::answer(&resp, parse_done)? {
            Ok(()) => Ok(()),
            Err(refusal) if resp.resent_after_doubt() && codes::means(&refusal.code, ErrorKind::AlreadyCancelled) => {
                tracing::info!("the cancel's re-send answered already cancelled: the first attempt cancelled it");
                Ok(())
            }
            Err(refusal) if codes::means(&refusal.code, ErrorKind::AlreadyCancelled) => Err(refused(&resp, refusal)),
            Err(refusal)
                if codes::may_mean_already_cancelled(&refusal.code)
                    || codes::may_have_acted(&refusal.code)
                    || codes::means_not_cancellable(&refusal.code) =>
            {
                self.cancel_by_state(tr_id.as_str(), resp.resent_after_doubt(), refused(&resp, refusal)).await
            }
            Err(refusal) => Err(refused(&resp, refusal)),
        }
    }

    /// A cancel refused with a code that does not say what happened, or why: the
    /// coupon's state decides. The table has no code for a coupon used or expired,
    /// so a refusal for a business reason ([`codes::means_not_cancellable`]) is read
    /// against the state too: used (or partly spent) is [`ErrorKind::AlreadyUsed`],
    /// cancelled [`ErrorKind::AlreadyCancelled`], expired [`ErrorKind::Rejected`],
    /// each with the vendor's code and message kept.
    async fn cancel_by_state(&self, tr_id: &str, resent: bool, refusal: Error) -> Result<()> {
        // `ERR0208` may have acted (v1.04) or found it cancelled (one integration):
        // a cancelled state then says the latter, as a second cancel would.
        let acted =
            refusal.vendor_code().is_some_and(|c| codes::may_have_acted(c) && !codes::may_mean_already_cancelled(c));
        let state = self.coupons(tr_id).await.map(|found| found.first().and_then(CouponInfo::coupon_status));
        match state {
            Ok(Some(CouponStatus::Cancelled { .. })) if acted || resent => {
                tracing::info!(partner_ref = %tr_id, error = %refusal, "the coupon detail shows the coupon cancelled");
                Ok(())
            }
            Ok(Some(CouponStatus::Cancelled { .. })) => {
                Err(settled_as(&refusal, ErrorKind::AlreadyCancelled, "the coupon detail shows it cancelled", tr_id))
            }
            Ok(Some(CouponStatus::Used { .. })) => Err(settled_as(
                &refusal,
                ErrorKind::AlreadyUsed,
                "the coupon detail shows it used: nothing was refunded",
                tr_id,
            )),
            Ok(Some(CouponStatus::PartlyUsed { .. })) => Err(settled_as(
                &refusal,
                ErrorKind::AlreadyUsed,
                "the coupon detail shows part of its value spent: nothing was refunded",
                tr_id,
            )),
            Ok(Some(CouponStatus::Expired)) => Err(settled_as(
                &refusal,
                ErrorKind::Rejected,
                "the coupon detail shows it expired: nothing was refunded",
                tr_id,
            )),
            Ok(_) => Err(settled_as(
                &refusal,
                ErrorKind::Rejected,
                "the coupon detail shows it not cancelled: nothing was refunded",
                tr_id,
            )),
            Err(e) if acted => Err(refusal
                .into_outcome_unknown()
                .with_partner_ref(PartnerRef::new(tr_id))
                .with_note(format_args!("its state could not be read ({e}): read it before cancelling again"))),
            Err(_) => Err(refusal),
        }
    }

    /// `0203` resend of the coupon's message: by SMS (`sms_flag=Y`) or MMS (`N`).
    /// Never repeated automatically: a doubt is [`ErrorKind::OutcomeUnknown`].
    pub async fn resend(&self, tr_id: &str, by_sms: bool) -> Result<()> {
        in_context(VENDOR, RESEND.name, None, async {
            let fields = requests::resend(tr_id, &self.inner.config.user_id, by_sms)?;
            let partner_ref = PartnerRef::new(tr_id);
            let url = self.url(&["resend"]);
            let safety = CallSafety::MoneyMoving;
            let resp = self.post(RESEND.name, url, RESEND.api_code, &fields, safety, Some(&partner_ref)).await?;
            Self::answer(&resp, parse_done)?.map_err(|r| refused(&resp, r))
        })
        .await
    }

    /// `0205` send-failure cancel: refunds the bizmoney of a send with `tr_id` that
    /// was charged but issued no PIN. Never repeated automatically.
    pub async fn send_fail_cancel(&self, tr_id: &str) -> Result<()> {
        let op = SEND_FAIL_CANCEL;
        in_context(VENDOR, op.name, None, async {
            let fields = requests::by_tr_id(tr_id, &self.inner.config.user_id)?;
            let partner_ref = PartnerRef::new(tr_id);
            let url = self.url(&["sendFail", "cancel"]);
            let safety = CallSafety::MoneyMoving;
            let resp = self.post(op.name, url, op.api_code, &fields, safety, Some(&partner_ref)).await?;
            Self::answer(&resp, parse_done)?.map_err(|r| refused(&resp, r))
        })
        .await
    }

    /// `0301` the bizmoney balance: what sends can still spend, in won.
    pub async fn bizmoney(&self) -> Result<Won> {
        let fields = Ok(vec![("user_id", self.inner.config.user_id.clone())]);
        self.read_op(BIZMONEY.name, self.url(&["bizmoney"]), BIZMONEY.api_code, fields, parse_bizmoney).await
    }
}

/// The coupon a lookup found for `tr_id`, when it is the send's of `goods_code`.
/// A coupon of other goods was made by an earlier send that used the same `tr_id`, so
/// this send was refused as a duplicate (the vendor deduplicates) and issued nothing.
pub(crate) fn found_for(goods_code: &str, tr_id: &PartnerRef, info: CouponInfo) -> Result<Box<CouponInfo>> {
    match info.goods_code.as_deref() {
        Some(goods) if !goods.trim().eq_ignore_ascii_case(goods_code.trim()) => Err(Error::new(
            ErrorKind::DuplicateReference,
            format!(
                "this tr_id already names a coupon of goods {goods}, not {}: it was used by an earlier send, and \
                 this one issued nothing",
                goods_code
            ),
        )
        .with_partner_ref(tr_id.clone())),
        Some(_) | None => Ok(Box::new(info)),
    }
}

/// Whether `e`, the answer of a coupon detail, proves that the vendor has no
/// coupon for the `tr_id` ([`codes::proves_no_coupon`]).
pub(crate) fn is_no_such_coupon(e: &Error) -> bool {
    e.vendor_code().is_some_and(codes::proves_no_coupon)
}

/// `refusal` read again as `kind`, once the coupon detail has shown what it meant:
/// the vendor's code and message kept, what the detail showed added.
fn settled_as(refusal: &Error, kind: ErrorKind, shown: impl fmt::Display, tr_id: &str) -> Error {
    let mut e = Error::new(kind, format!("{}; {shown}", refusal.message())).with_partner_ref(PartnerRef::new(tr_id));
    if let Some(code) = refusal.vendor_code() {
        e = e.with_vendor_code(code.clone());
    }
    if let Some(message) = refusal.vendor_message() {
        e = e.with_vendor_message(message);
    }
    e
}

/// A vendor refusal: definite, mapped through [`codes::TABLE`].
fn refused(resp: &Response, refusal: Refusal) -> Error {
    refusal_or_status(resp, Some(refusal), &codes::TABLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon_of(goods: &str) -> CouponInfo {
        let body =
            format!(r#"{{"code":"0000","result":[{{"couponInfoList":[{{"goodsCd":"{goods}"}}],"resCode":"0000"}}]}}"#);
        parse_coupon_detail(&body).unwrap().unwrap().remove(0)
    }

    #[test]
    fn a_coupon_found_for_the_tr_id_is_this_sends_when_its_goods_code_is_the_same_up_to_case_and_spaces() {
        let tr_id = PartnerRef::new("CP1");
        assert!(found_for("G00001621744", &tr_id, coupon_of("G00001621744")).is_ok());
        assert!(
            found_for("g00001621744", &tr_id, coupon_of(" G00001621744 ")).is_ok(),
            "a paid coupon is never 'nothing'"
        );
        let e = found_for("G00001621744", &tr_id, coupon_of("G00000000001")).unwrap_err();
        assert_eq!((e.kind(), e.partner_ref()), (ErrorKind::DuplicateReference, Some(&tr_id)));
    }
}
