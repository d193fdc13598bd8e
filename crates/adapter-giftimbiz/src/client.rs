//! The native GiftiMbiz client: one method per endpoint, the token lifecycle
//! ([`token`]), paged streams and purchase reconciliation.

mod token;

use std::fmt;
use std::sync::Arc;

use coupon_core::codes::{read_answer_bytes, refusal_or_status};
use coupon_core::context::in_context;
use coupon_core::http::{Call, CallSafety, HttpClient, Response, Url};
use coupon_core::secrecy::{ExposeSecret, SecretString};
use coupon_core::text::form_urlencode;
use coupon_core::time::KstDateTime;
use coupon_core::{Error, OrderRef, PartnerRef, Result, Won, encoding_rs, validate};
use futures_util::Stream;
use futures_util::stream;

use crate::config::GiftimbizConfig;
use crate::wire::replies::{
    self, GiftCategories, GiftDetail, GiftListing, GiftPurchase, ListPage, StarCategories, StarDetail, StarListing,
    StarPurchase, StarPurchases,
};
use crate::wire::requests::{
    GiftQuery, Params, StarPurchaseRequest, StarQuery, check_md_idx, check_product, gift_query, params, star_query,
};
use crate::wire::{Answer, WireError};
use crate::{VENDOR, codes};
use token::{Lease, Tokens};

/// The vendor's test account: every call works, purchases are not executed.
pub const TEST_PARTNER_ID: &str = "devtest1";

/// One endpoint: our operation name (the vendor's) and its path under `api/v1/`.
struct Endpoint {
    op: &'static str,
    path: &'static str,
}

const GET_ACCESS_TOKEN: Endpoint = Endpoint { op: "getAccessToken", path: "common/getAccessToken" };
const CATE_GIFT: Endpoint = Endpoint { op: "cateGift", path: "giftimbiz/cateGift" };
const LIST_ALL: Endpoint = Endpoint { op: "listAll", path: "giftimbiz/listAll" };
const GIFT_DETAIL: Endpoint = Endpoint { op: "giftDetail", path: "giftimbiz/giftDetail" };
const BUY_GIFTICOUPON: Endpoint = Endpoint { op: "buyGifticoupon", path: "giftimbiz/buyGifticoupon" };
const BUY_GIFTICON_LIST: Endpoint = Endpoint { op: "buyGifticonList", path: "giftimbiz/buyGifticonList" };
const CATE_STAR: Endpoint = Endpoint { op: "cateStar", path: "giftimbiz/cateStar" };
const STAR_LIST_ALL: Endpoint = Endpoint { op: "starListAll", path: "giftimbiz/starListAll" };
const STAR_DETAIL: Endpoint = Endpoint { op: "starDetail", path: "giftimbiz/starDetail" };
const BUY_STARCOUPON: Endpoint = Endpoint { op: "buyStarcoupon", path: "giftimbiz/buyStarcoupon" };
const BUY_STARCOUPON_LIST: Endpoint = Endpoint { op: "buyStarcouponList", path: "giftimbiz/buyStarcouponList" };
const GET_QR_IMG: Endpoint = Endpoint { op: "getQRImg", path: "gifticon/getQRImg" };
const SET_USE_STAR_COUPON: Endpoint = Endpoint { op: "setUseStarCoupon", path: "gifticon/setUseStarCoupon" };

/// The GiftiMbiz client. Cheap to clone; clones share the connection pool and the
/// access token. Every method runs through [`in_context`], so each error names the
/// vendor, the endpoint and, for a buy, the partner reference.
///
/// ```no_run
/// # async fn demo() -> coupon_core::Result<()> {
/// use adapter_giftimbiz::wire::requests::GiftQuery;
/// use adapter_giftimbiz::{Giftimbiz, GiftimbizConfig};
/// let config = GiftimbizConfig::new(
///     "https://www.giftiexchange.com",
///     "devtest1",
///     "partner-key",
///     "partner-token",
///     "refresh-token",
/// )?;
/// let client = Giftimbiz::new(config)?;
/// let page = client.gift_listings(&GiftQuery { word: Some("아메리카노".into()), ..GiftQuery::default() }).await?;
/// for item in &page.items {
///     println!("{} {:?}", item.product, item.disprice);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Giftimbiz {
    inner: Arc<Inner>,
}

struct Inner {
    config: GiftimbizConfig,
    http: HttpClient,
    tokens: Tokens,
}

impl fmt::Debug for Giftimbiz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Giftimbiz").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl Giftimbiz {
    /// A client for `config`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] when the HTTP client cannot be built or
    /// `base_url` is plain http to a host other than loopback without `allow_insecure_http`.
    pub fn new(config: GiftimbizConfig) -> Result<Self> {
        let http = HttpClient::new(VENDOR, config.http.clone())?;
        http.check_url(&config.base_url)?;
        Ok(Self { inner: Arc::new(Inner { config, http, tokens: Tokens::default() }) })
    }

    /// The configuration.
    pub fn config(&self) -> &GiftimbizConfig {
        &self.inner.config
    }

    fn origin(&self) -> &str {
        &self.inner.config.image_origin
    }

    fn url(&self, ep: &Endpoint, query: &Params) -> Result<Url> {
        let base = &self.inner.config.base_url;
        let mut url = base
            .join(&format!("api/v1/{}", ep.path))
            .map_err(|_| Error::config("[giftimbiz] `base_url` cannot hold the API path").with_field("base_url"))?;
        url.query_pairs_mut()
            .append_pair("partner_id", &self.inner.config.partner_id)
            .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(url)
    }

    // -----------------------------------------------------------------------
    // Transport and tokens.

    /// Endpoint 1, `common/getAccessToken`: a fresh access token. The client manages tokens
    /// by itself; this is for callers who want to see the call work.
    ///
    /// # Errors
    ///
    /// The vendor's refusal (`TOKEN04`, `TOKEN05`, `TOKEN06`, … as
    /// [`coupon_core::ErrorKind::Unauthenticated`] or `PermissionDenied`), or a transport error.
    pub async fn access_token(&self) -> Result<SecretString> {
        in_context(VENDOR, GET_ACCESS_TOKEN.op, None, async {
            let url = self.url(&GET_ACCESS_TOKEN, &Vec::new())?;
            let c = &self.inner.config;
            let call = Call::post(GET_ACCESS_TOKEN.op, url)
                .safety(CallSafety::Read)
                .secret_header("x-refresh-token", c.refresh_token.expose_secret())
                .secret_header("Partnerkey", c.partner_key.expose_secret())
                .secret_header("Partnertoken", c.partner_token.expose_secret());
            let resp = self.inner.http.send(call).await?;
            read(&resp, replies::parse_access_token)
        })
        .await
    }

    async fn lease(&self) -> Result<Lease> {
        self.inner.tokens.lease(|| self.access_token()).await
    }

    async fn send(
        &self,
        ep: &Endpoint,
        query: &Params,
        body: &Params,
        safety: CallSafety,
        partner_ref: Option<&PartnerRef>,
        token: &SecretString,
    ) -> Result<Response> {
        let c = &self.inner.config;
        let mut call = Call::post(ep.op, self.url(ep, query)?)
            .safety(safety)
            .partner_ref(partner_ref.cloned())
            .secret_header("Access-Token", token.expose_secret())
            .secret_header("Refresh-Token", c.refresh_token.expose_secret())
            .secret_header("Partnerkey", c.partner_key.expose_secret())
            .secret_header("Partnertoken", c.partner_token.expose_secret());
        if !body.is_empty() {
            let pairs = body.iter().map(|(k, v)| (*k, v.as_str()));
            // UTF-8 holds every character: this cannot fail.
            let encoded = form_urlencode(pairs, encoding_rs::UTF_8)
                .map_err(|(field, e)| Error::invalid_field(field, e.to_string()))?;
            call = call.form_body(encoded);
        }
        self.inner.http.send(call).await
    }

    /// Sends an authorized call; when the vendor refuses the access token as expired
    /// or rejected (T1, TOKEN07, TOKEN08), gets a newer token (single flight) and
    /// sends it once more. The vendor refused before running the call, so this is
    /// safe even for a buy. Its errors are the endpoint's, in context, a token's
    /// included: every native method passes through here or [`Giftimbiz::access_token`].
    async fn authorized(
        &self,
        ep: &Endpoint,
        query: Result<Params>,
        body: Params,
        safety: CallSafety,
        partner_ref: Option<&PartnerRef>,
    ) -> Result<Response> {
        in_context(VENDOR, ep.op, partner_ref, async {
            self.authorized_once(ep, query?, body, safety, partner_ref).await
        })
        .await
    }

    async fn authorized_once(
        &self,
        ep: &Endpoint,
        query: Params,
        body: Params,
        safety: CallSafety,
        partner_ref: Option<&PartnerRef>,
    ) -> Result<Response> {
        // One deadline for the token fetch, the call and its replay: `total_timeout_ms`
        // is what the caller waits for the whole operation, not for each send.
        self.inner
            .http
            .operation(async {
                let lease = self.lease().await?;
                let resp = self.send(ep, &query, &body, safety, partner_ref, &lease.token).await?;
                match refused_code(&resp) {
                    Some(code) if codes::refresh_cures(&code) => {
                        tracing::debug!(
                            operation = ep.op,
                            code,
                            generation = lease.generation,
                            "access token refused; refreshing"
                        );
                        let lease = self.inner.tokens.refresh(lease.generation, || self.access_token()).await?;
                        self.send(ep, &query, &body, safety, partner_ref, &lease.token).await
                    }
                    _ => Ok(resp),
                }
            })
            .await
    }

    async fn read_call(&self, ep: &Endpoint, query: Result<Params>, body: Params) -> Result<Response> {
        self.authorized(ep, query, body, CallSafety::Read, None).await
    }

    /// A read of `ep` with `parse`, every error (a refused input included) in context.
    async fn read_op<T>(
        &self,
        ep: &Endpoint,
        query: Result<Params>,
        body: Result<Params>,
        parse: impl Fn(&[u8]) -> Result<Answer<T>, WireError>,
    ) -> Result<T> {
        in_context(VENDOR, ep.op, None, async {
            let resp = self.read_call(ep, query, body?).await?;
            read(&resp, parse)
        })
        .await
    }

    // -----------------------------------------------------------------------
    // Gifticons.

    /// Endpoint 2, `giftimbiz/cateGift`: the gifticon categories and brands, optionally of one
    /// category (`CODE`) or brand (`BCODE`).
    ///
    /// # Errors
    ///
    /// The vendor's refusal or a transport error.
    pub async fn gift_categories(&self, category: Option<&str>, brand: Option<&str>) -> Result<GiftCategories> {
        let query = params([("CODE", category.map(str::to_string)), ("BCODE", brand.map(str::to_string))]);
        self.read_op(&CATE_GIFT, Ok(query), Ok(Vec::new()), |b| replies::parse_gift_categories(b, self.origin())).await
    }

    /// Endpoint 3, `giftimbiz/listAll`: one page of the gifticons for sale.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] for a page or limit of 0; the vendor's refusal or a transport error.
    pub async fn gift_listings(&self, q: &GiftQuery) -> Result<ListPage<GiftListing>> {
        self.read_op(&LIST_ALL, gift_query(q), Ok(Vec::new()), |b| replies::parse_gift_listings(b, self.origin())).await
    }

    /// Every page of listAll from `q.page` (default 1) on, as a stream of pages that
    /// ends after the page whose `isNext` is false (or an empty page, whatever `isNext` says).
    pub fn gift_listing_pages(
        &self,
        q: GiftQuery,
    ) -> impl Stream<Item = Result<ListPage<GiftListing>>> + Send + 'static {
        let client = self.clone();
        let first = q.page.unwrap_or(1);
        walk_pages(first, move |page| {
            let (client, mut q) = (client.clone(), q.clone());
            async move {
                q.page = Some(page);
                client.gift_listings(&q).await
            }
        })
    }

    /// Endpoint 4, `giftimbiz/giftDetail`: one gifticon, by `CODE` (gm_idx) and `DCODE` (md_idx).
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming `code` or `dcode` when empty; the
    /// vendor's refusal or a transport error.
    pub async fn gift_detail(&self, code: &str, dcode: &str) -> Result<GiftDetail> {
        let body = validate::required("code", code)
            .and_then(|()| validate::required("dcode", dcode))
            .map(|()| params([("CODE", Some(code.to_string())), ("DCODE", Some(dcode.to_string()))]));
        self.read_op(&GIFT_DETAIL, Ok(Vec::new()), body, |b| replies::parse_gift_detail(b, self.origin())).await
    }

    /// Endpoint 5, `giftimbiz/buyGifticoupon`: buys the sales `md_idx` (several are joined with
    /// `|`) for `cash` in all. Moves money: never re-sent once it may have left; a
    /// doubt is [`coupon_core::ErrorKind::OutcomeUnknown`] carrying the partner
    /// reference, to be settled with [`Giftimbiz::reconcile_gift_purchase`].
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] before sending (naming `md_idx` or
    /// `product`: empty, or holding a control character); the vendor's refusal (PL
    /// wrong amount, PD product check failed, …); `OutcomeUnknown`.
    pub async fn buy_gifticons(
        &self,
        md_idx: &[&str],
        cash: Won,
        product: &str,
        partner_ref: Option<PartnerRef>,
    ) -> Result<Receipt> {
        let partner_ref = partner_ref.unwrap_or_else(PartnerRef::generate);
        let answer = in_context(VENDOR, BUY_GIFTICOUPON.op, Some(&partner_ref), async {
            let joined = check_md_idx(md_idx).and_then(|joined| check_product(product).map(|()| joined))?;
            let body = params([
                ("cash", Some(cash.get().to_string())),
                ("md_idx", Some(joined)),
                ("product", Some(product.to_string())),
            ]);
            let safety = CallSafety::MoneyMoving;
            let resp = self.authorized(&BUY_GIFTICOUPON, Ok(Vec::new()), body, safety, Some(&partner_ref)).await?;
            read(&resp, replies::parse_buy)
        })
        .await?;
        Ok(Receipt { tid: OrderRef::new(answer.tid), message: answer.message, partner_ref })
    }

    /// Endpoint 6, `giftimbiz/buyGifticonList`: the partner's gifticon purchases.
    ///
    /// # Errors
    ///
    /// The vendor's refusal or a transport error.
    pub async fn gift_purchases(&self) -> Result<ListPage<GiftPurchase>> {
        let parse = |b: &[u8]| replies::parse_gift_purchases(b, self.origin());
        self.read_op(&BUY_GIFTICON_LIST, Ok(Vec::new()), Ok(Vec::new()), parse).await
    }

    /// Settles a gifticon buy whose outcome is unknown, from the purchase history.
    ///
    /// `since` is a moment before the buy was sent, on the vendor's clock (KST):
    /// take the time you sent it and subtract a margin for clock skew (a few minutes).
    /// A purchase matches when its `md_idx` is `md_idx` and it was bought at or after
    /// `since` (an entry without a purchase time matches on `md_idx` alone: a gifticon
    /// sale is a single item, sold once). Call it after the money timeout has passed,
    /// so the doubtful request is no longer in flight.
    ///
    /// # Errors
    ///
    /// When the history cannot be read (then nothing is settled either).
    pub async fn reconcile_gift_purchase(
        &self,
        md_idx: &str,
        since: KstDateTime,
    ) -> Result<Reconciliation<GiftPurchase>> {
        in_context(VENDOR, BUY_GIFTICON_LIST.op, None, async {
            validate::required("md_idx", md_idx)?;
            if self.is_test_account() {
                return Ok(test_account_unknown());
            }
            let history = self.gift_purchases().await?;
            let matched: Vec<GiftPurchase> = history
                .items
                .iter()
                .filter(|p| p.md_idx == md_idx.trim() && p.bought_at.is_none_or(|at| at >= since))
                .cloned()
                .collect();
            Ok(settle(matched, history.is_next))
        })
        .await
    }

    // -----------------------------------------------------------------------
    // Starcoupons.

    /// Endpoint 7, `giftimbiz/cateStar`: the Starcoupon categories and shops, optionally of one
    /// category (`CODE`).
    ///
    /// # Errors
    ///
    /// The vendor's refusal or a transport error.
    pub async fn star_categories(&self, category: Option<&str>) -> Result<StarCategories> {
        let query = params([("CODE", category.map(str::to_string))]);
        self.read_op(&CATE_STAR, Ok(query), Ok(Vec::new()), |b| replies::parse_star_categories(b, self.origin())).await
    }

    /// Endpoint 8, `giftimbiz/starListAll`: one page of the Starcoupons for sale.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] for a page of 0; the vendor's refusal or a transport error.
    pub async fn star_listings(&self, q: &StarQuery) -> Result<ListPage<StarListing>> {
        let parse = |b: &[u8]| replies::parse_star_listings(b, self.origin());
        self.read_op(&STAR_LIST_ALL, star_query(q), Ok(Vec::new()), parse).await
    }

    /// Every page of starListAll from `q.page` (default 1) on, as a stream of pages.
    pub fn star_listing_pages(
        &self,
        q: StarQuery,
    ) -> impl Stream<Item = Result<ListPage<StarListing>>> + Send + 'static {
        let client = self.clone();
        let first = q.page.unwrap_or(1);
        walk_pages(first, move |page| {
            let (client, mut q) = (client.clone(), q.clone());
            async move {
                q.page = Some(page);
                client.star_listings(&q).await
            }
        })
    }

    /// Endpoint 9, `giftimbiz/starDetail`: one Starcoupon, by `CODE` (the sale, md_idx) and
    /// `CCODE` (the coupon, msl_idx).
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming `code` or `ccode` when empty; the
    /// vendor's refusal or a transport error.
    pub async fn star_detail(&self, code: &str, ccode: &str) -> Result<StarDetail> {
        let body = validate::required("code", code)
            .and_then(|()| validate::required("ccode", ccode))
            .map(|()| params([("CODE", Some(code.to_string())), ("CCODE", Some(ccode.to_string()))]));
        self.read_op(&STAR_DETAIL, Ok(Vec::new()), body, |b| replies::parse_star_detail(b, self.origin())).await
    }

    /// Endpoint 10, `giftimbiz/buyStarcoupon`: buys one Starcoupon (its parameters go in the
    /// query string, as the document says). Moves money, like
    /// [`Giftimbiz::buy_gifticons`]; settle a doubt with [`Giftimbiz::reconcile_star_purchase`].
    ///
    /// # Errors
    ///
    /// As [`Giftimbiz::buy_gifticons`].
    pub async fn buy_starcoupon(&self, req: &StarPurchaseRequest) -> Result<Receipt> {
        let partner_ref = req.partner_ref.clone().unwrap_or_else(PartnerRef::generate);
        let checked = [("md_idx", &req.md_idx), ("msl_idx", &req.msl_idx), ("msc_idx", &req.msc_idx)]
            .into_iter()
            .try_for_each(|(f, v)| validate::required(f, v).and_then(|()| validate::ascii_token(f, v)))
            .and_then(|()| check_product(&req.product));
        let query = checked.map(|()| {
            params([
                ("cash", Some(req.cash.get().to_string())),
                ("md_idx", Some(req.md_idx.clone())),
                ("product", Some(req.product.clone())),
                ("msl_idx", Some(req.msl_idx.clone())),
                ("msc_idx", Some(req.msc_idx.clone())),
            ])
        });
        let answer = in_context(VENDOR, BUY_STARCOUPON.op, Some(&partner_ref), async {
            let safety = CallSafety::MoneyMoving;
            let resp = self.authorized(&BUY_STARCOUPON, query, Vec::new(), safety, Some(&partner_ref)).await?;
            read(&resp, replies::parse_buy)
        })
        .await?;
        Ok(Receipt { tid: OrderRef::new(answer.tid), message: answer.message, partner_ref })
    }

    /// Endpoint 11, `giftimbiz/buyStarcouponList`: the partner's Starcoupon purchases,
    /// optionally of one coupon issue (`msl`) or sale (`md`).
    ///
    /// # Errors
    ///
    /// The vendor's refusal or a transport error.
    pub async fn star_purchases(&self, msl: Option<&str>, md: Option<&str>) -> Result<StarPurchases> {
        let query = params([("msl", msl.map(str::to_string)), ("md", md.map(str::to_string))]);
        let parse = |b: &[u8]| replies::parse_star_purchases(b, self.origin());
        self.read_op(&BUY_STARCOUPON_LIST, Ok(query), Ok(Vec::new()), parse).await
    }

    /// Settles a Starcoupon buy whose outcome is unknown. `since` as in
    /// [`Giftimbiz::reconcile_gift_purchase`]; a purchase matches on `md_idx`, `msl_idx`
    /// and a purchase time at or after `since` (a Starcoupon can be bought many times,
    /// so an entry without a time cannot settle anything: StillUnknown).
    ///
    /// # Errors
    ///
    /// When the history cannot be read.
    pub async fn reconcile_star_purchase(
        &self,
        md_idx: &str,
        msl_idx: &str,
        since: KstDateTime,
    ) -> Result<Reconciliation<StarPurchase>> {
        in_context(VENDOR, BUY_STARCOUPON_LIST.op, None, self.reconcile_star_once(md_idx, msl_idx, since)).await
    }

    async fn reconcile_star_once(
        &self,
        md_idx: &str,
        msl_idx: &str,
        since: KstDateTime,
    ) -> Result<Reconciliation<StarPurchase>> {
        validate::required("md_idx", md_idx)?;
        validate::required("msl_idx", msl_idx)?;
        if self.is_test_account() {
            return Ok(test_account_unknown());
        }
        let history = self.star_purchases(Some(msl_idx), Some(md_idx)).await?;
        let same: Vec<&StarPurchase> = history
            .items
            .iter()
            .filter(|p| p.md_idx.as_deref() == Some(md_idx.trim()) && p.msl_idx.as_deref() == Some(msl_idx.trim()))
            .collect();
        if same.iter().any(|p| p.bought_at.is_none()) {
            return Ok(Reconciliation::StillUnknown(
                "the history lists this coupon without a purchase time, so a purchase since the given time cannot be told apart"
                    .into(),
            ));
        }
        let matched = same.into_iter().filter(|p| p.bought_at.is_some_and(|at| at >= since)).cloned().collect();
        Ok(settle(matched, false))
    }

    /// Endpoint 12, `gifticon/getQRImg`: the address (absolute) of the QR image of a purchased
    /// Starcoupon, by order `tid` and purchased coupon `msc_idx`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming an empty field; the vendor's refusal or a transport error.
    pub async fn qr_image(&self, tid: &str, msc_idx: &str) -> Result<String> {
        let query = validate::required("tid", tid)
            .and_then(|()| validate::required("msc_idx", msc_idx))
            .map(|()| params([("tid", Some(tid.to_string())), ("msc_idx", Some(msc_idx.to_string()))]));
        self.read_op(&GET_QR_IMG, query, Ok(Vec::new()), |b| replies::parse_qr_image(b, self.origin())).await
    }

    /// Endpoint 13, `gifticon/setUseStarCoupon`: marks a purchased Starcoupon used, by seller
    /// `msu_idx`, purchased coupon `msc_idx` and the shop's `managecode`. Spends the
    /// coupon: never re-sent automatically; a doubt is
    /// [`coupon_core::ErrorKind::OutcomeUnknown`] (read [`Giftimbiz::star_purchases`] to settle it).
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming a field that is empty or holds
    /// a control character; the vendor's refusal (N: wrong manage code); `OutcomeUnknown`.
    pub async fn use_starcoupon(&self, msu_idx: &str, msc_idx: &str, managecode: &str) -> Result<Option<String>> {
        let query = [("msu_idx", msu_idx), ("msc_idx", msc_idx), ("managecode", managecode)]
            .into_iter()
            .try_for_each(|(f, v)| validate::required(f, v).and_then(|()| validate::no_control_chars(f, v, false)))
            .map(|()| {
                params([
                    ("msu_idx", Some(msu_idx.to_string())),
                    ("msc_idx", Some(msc_idx.to_string())),
                    ("managecode", Some(managecode.to_string())),
                ])
            });
        in_context(VENDOR, SET_USE_STAR_COUPON.op, None, async {
            let resp = self.authorized(&SET_USE_STAR_COUPON, query, Vec::new(), CallSafety::MoneyMoving, None).await?;
            read(&resp, replies::parse_use)
        })
        .await
    }

    fn is_test_account(&self) -> bool {
        self.inner.config.partner_id == TEST_PARTNER_ID
    }
}

/// Reads an answer with `parse` by the core's one rule ([`read_answer_bytes`]: the
/// body is UTF-8 JSON, read as bytes), a refusal mapped through [`codes::TABLE`].
///
/// - A 2xx: the parsed value; a refusal is definite, even for a buy; an unreadable
///   body, or one without `result` (the wire parsers refuse it, starDetail aside), is
///   a protocol error (`OutcomeUnknown` on a buy or a use: nothing in it says the call
///   did not run).
/// - Not a 2xx: a 4xx whose body holds a vendor code is that refusal (the HTTP status
///   kept on it); any other answer (a 4xx without a code, a 5xx whatever its body) is
///   decided by the status.
fn read<T>(resp: &Response, parse: impl Fn(&[u8]) -> Result<Answer<T>, WireError>) -> Result<T> {
    read_answer_bytes(resp, parse, &codes::TABLE)?.map_err(|r| refusal_or_status(resp, Some(r), &codes::TABLE))
}

/// The refusal code of a JSON answer, if it is one.
fn refused_code(resp: &Response) -> Option<String> {
    replies::refusal_code(resp.body())
}

fn settle<P>(matched: Vec<P>, history_truncated: bool) -> Reconciliation<P> {
    if !matched.is_empty() {
        Reconciliation::Bought(matched)
    } else if history_truncated {
        Reconciliation::StillUnknown(
            "the purchase history says more entries follow but offers no way to read them; the purchase may be among them"
                .into(),
        )
    } else {
        Reconciliation::NotBought
    }
}

fn test_account_unknown<P>() -> Reconciliation<P> {
    Reconciliation::StillUnknown(format!(
        "the test account {TEST_PARTNER_ID} executes no purchase, so its history cannot settle a buy"
    ))
}

/// Pages from `first` on, fetched one after another, until a page says no other
/// follows (or comes back empty, whatever `isNext` says: a vendor bug must not loop forever).
fn walk_pages<T, F, Fut>(first: u32, fetch: F) -> impl Stream<Item = Result<ListPage<T>>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<ListPage<T>>> + Send,
{
    stream::try_unfold((Some(first), fetch), |(next, fetch)| async move {
        let Some(page) = next else { return Ok(None) };
        let listing = fetch(page).await?;
        let more = listing.is_next && !listing.items.is_empty();
        Ok(Some((listing, (if more { page.checked_add(1) } else { None }, fetch))))
    })
}

/// A purchase the vendor confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// `tid`: the vendor's order.
    pub tid: OrderRef,
    /// The vendor's `message`.
    pub message: Option<String>,
    /// Our reference (given or generated); GiftiMbiz never sees it.
    pub partner_ref: PartnerRef,
}

/// What the purchase history says about a buy whose outcome was unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconciliation<P> {
    /// The history holds the purchase: these entries match (normally one).
    Bought(Vec<P>),
    /// The history is complete and holds no matching purchase: the buy did not happen.
    NotBought,
    /// The history cannot settle it (the reason says why); do not buy again yet.
    StillUnknown(String),
}

impl<P> Reconciliation<P> {
    /// True for [`Reconciliation::Bought`].
    pub fn is_bought(&self) -> bool {
        matches!(self, Reconciliation::Bought(_))
    }
}
