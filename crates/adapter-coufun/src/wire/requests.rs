//! What is sent: the status inquiry's three form fields, checked before sending.

use coupon_core::encoding_rs::EUC_KR;
use coupon_core::text::form_urlencode;
use coupon_core::{Error, Pin, validate};

/// The endpoint's path below the base URL.
pub const PATH: &str = "/b2c_api/coufunPartAmountStatus.do";
/// `POC_ID` (고객사 ID) limit, bytes.
pub const POC_ID_MAX: usize = 10;
/// `GOODS_ID` (판매상품 ID) limit, bytes.
pub const GOODS_ID_MAX: usize = 10;
/// `BARCODE_NUM` (쿠폰번호) limit, bytes.
pub const BARCODE_NUM_MAX: usize = 30;
/// The request: three form fields, each ASCII within its byte limit.
///
/// ```
/// use adapter_coufun::wire::requests::StatusRequest;
/// use coupon_core::Pin;
/// let barcode = Pin::new("912605117340");
/// let req = StatusRequest { poc_id: "SANDBOX", goods_id: "CF10000123", barcode: &barcode };
/// assert_eq!(req.to_form().unwrap(), "POC_ID=SANDBOX&GOODS_ID=CF10000123&BARCODE_NUM=912605117340");
/// let long = Pin::new("9".repeat(31));
/// let e = StatusRequest { barcode: &long, ..req }.to_form().unwrap_err();
/// assert_eq!(e.field(), Some("BARCODE_NUM"));
/// assert!(!e.to_string().contains("99999"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct StatusRequest<'a> {
    /// `POC_ID`: the customer id COUFUN assigned.
    pub poc_id: &'a str,
    /// `GOODS_ID`: the product the coupon was sold as.
    pub goods_id: &'a str,
    /// `BARCODE_NUM`: the coupon number.
    pub barcode: &'a Pin,
}

impl StatusRequest<'_> {
    /// Checks every field: present, printable ASCII without spaces (EUC-KR-safe
    /// as is), within its byte limit. Errors name the field and never repeat it.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value, limit) in self.fields() {
            validate::required(field, value)?;
            validate::ascii_token(field, value)?;
            validate::max_cp949_bytes(field, value, limit)?;
        }
        Ok(())
    }

    /// The validated `application/x-www-form-urlencoded` body.
    pub fn to_form(&self) -> Result<String, Error> {
        self.validate()?;
        let pairs = self.fields().map(|(field, value, _)| (field, value));
        form_urlencode(pairs, EUC_KR).map_err(|(field, e)| {
            Error::invalid_field(field, format!("has a character EUC-KR cannot hold (position {})", e.position))
        })
    }

    fn fields(&self) -> [(&'static str, &str, usize); 3] {
        [
            ("POC_ID", self.poc_id, POC_ID_MAX),
            ("GOODS_ID", self.goods_id, GOODS_ID_MAX),
            ("BARCODE_NUM", self.barcode.expose(), BARCODE_NUM_MAX),
        ]
    }
}
