//! The native client: COUFUN's one endpoint, in its own terms.

use coupon_core::codes::{read_answer_bytes, refusal_or_status};
use coupon_core::context::in_context;
use coupon_core::encoding_rs::EUC_KR;
use coupon_core::http::{Call, CallSafety, HttpClient, Url};
use coupon_core::text::charset_of_content_type;
use coupon_core::{Pin, Result};

use crate::config::CoufunConfig;
use crate::wire::replies::{StatusAnswer, parse_status};
use crate::wire::requests::StatusRequest;
use crate::{VENDOR, codes};

/// The operation name in errors and spans: the endpoint's.
pub const OPERATION: &str = "coufunPartAmountStatus";

/// A client for COUFUN's coupon status and balance inquiry (쿠폰상태조회·잔액조회).
///
/// ```no_run
/// use adapter_coufun::{Coufun, CoufunConfig};
/// use coupon_core::Pin;
/// # async fn demo() -> coupon_core::Result<()> {
/// let coufun = Coufun::new(CoufunConfig::new("test", "MYSHOP")?)?;
/// let answer = coufun.status("CF20001000", &Pin::new("ABC1234567890")).await?;
/// for order in &answer.orders {
///     println!("{order}"); // barcode and receiver masked
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Coufun {
    config: CoufunConfig,
    http: HttpClient,
    endpoint: Url,
}

impl Coufun {
    /// A client for `config`.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::Config`] for a URL the transport refuses (plain
    /// http to a host other than loopback without `allow_insecure_http`) or a
    /// transport that cannot be built.
    pub fn new(config: CoufunConfig) -> Result<Self> {
        let endpoint = config.endpoint();
        let http = HttpClient::new(VENDOR, config.http.clone())?;
        http.check_url(&endpoint).map_err(|e| e.with_field("base_url"))?;
        Ok(Self { config, http, endpoint })
    }

    /// The configuration.
    pub fn config(&self) -> &CoufunConfig {
        &self.config
    }

    /// The URL the inquiry is posted to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// `coufunPartAmountStatus.do`: every order record of the coupon `barcode`
    /// sold as `goods_id` (one, or up to 10 `<ORDER_INFO>` blocks).
    ///
    /// A read: the transport retries it on connection failures, timeouts and 408/429/502/503/504.
    /// Every error names the vendor and the endpoint ([`in_context`]).
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming `GOODS_ID` or
    /// `BARCODE_NUM` before anything is sent; a vendor refusal (`RESULT_CODE`
    /// other than `00`, in a 2xx answer or a 4xx one) with the code and message
    /// verbatim (see [`crate::codes`]); a 4xx without one, by its status;
    /// [`coupon_core::ErrorKind::Protocol`] for an unreadable answer; transport errors.
    pub async fn status(&self, goods_id: &str, barcode: &Pin) -> Result<StatusAnswer> {
        in_context(VENDOR, OPERATION, None, async {
            let request = StatusRequest { poc_id: &self.config.poc_id, goods_id, barcode };
            let call = Call::post(OPERATION, self.endpoint.clone())
                .safety(CallSafety::Read)
                .form_body(request.to_form()?)
                .default_charset(EUC_KR);
            let response = self.http.send(call).await?;
            // The parser applies the vendor's charset rules itself (labels that must agree, EUC-KR by default).
            let charset = response.header("content-type").and_then(charset_of_content_type);
            read_answer_bytes(&response, |body| parse_status(body, charset), &codes::TABLE)?
                .map_err(|refusal| refusal_or_status(&response, Some(refusal), &codes::TABLE))
        })
        .await
    }
}
