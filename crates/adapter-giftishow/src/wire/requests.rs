//! What is sent: the form fields of each operation beyond the common ones
//! (`api_code`, `custom_auth_code`, `custom_auth_token`, `dev_yn`, which the
//! client adds), and the checks made before anything is sent. Each check names
//! the field, the limit and what was given, never the value.

use coupon_core::validate::{ascii_token, no_control_chars, required};
use coupon_core::{Error, PartnerRef, PhoneNumber, Result};

/// Form fields of one call: name and value; empty values are left out.
pub type Fields = Vec<(&'static str, String)>;

/// `gubun`: how a sent coupon reaches its holder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Gubun {
    /// `N`: Giftishow sends the coupon to `phone_no` by MMS.
    #[default]
    Mms,
    /// `Y`: the PIN comes back to the partner; no message is sent.
    Pin,
    /// `I`: a barcode image URL comes back to the partner; no message is sent.
    Image,
}

impl Gubun {
    /// The vendor's letter.
    pub const fn as_str(self) -> &'static str {
        match self {
            Gubun::Mms => "N",
            Gubun::Pin => "Y",
            Gubun::Image => "I",
        }
    }

    /// From the vendor's letter (`N`, `Y`, `I`), any case.
    pub fn parse(letter: &str) -> Option<Self> {
        match letter.trim() {
            "N" | "n" => Some(Gubun::Mms),
            "Y" | "y" => Some(Gubun::Pin),
            "I" | "i" => Some(Gubun::Image),
            _ => None,
        }
    }

    /// Whether the vendor delivers the coupon to the recipient itself.
    pub const fn delivers(self) -> bool {
        matches!(self, Gubun::Mms)
    }
}

/// The limits of a send, which differ between integrations (the document is not
/// public): `mms_title` 10 characters in most, 20 in one; `tr_id` 25 in most, 20 in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Characters of `mms_title`.
    pub mms_title: usize,
    /// Characters of `tr_id`.
    pub tr_id: usize,
}

impl Limits {
    /// The longest `tr_id` any configuration allows (`tr_id_limit`). A `tr_id` looked
    /// up (coupon detail, cancel, resend, send-failure cancel) is held to this, not to
    /// the send's limit: a coupon sent under a longer limit must stay reachable.
    pub const TR_ID_MAX: usize = 50;
}

impl Default for Limits {
    fn default() -> Self {
        Self { mms_title: 10, tr_id: 25 }
    }
}

/// A send (`0204`): one coupon of `goods_code`, identified by the partner's `tr_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Send {
    /// `goods_code`.
    pub goods_code: String,
    /// `tr_id`: the partner's reference, unique per send; the vendor refuses a repeat (`ERR0215`).
    pub tr_id: PartnerRef,
    /// `phone_no`: the recipient; required when the vendor delivers ([`Gubun::Mms`]).
    pub phone_no: Option<PhoneNumber>,
    /// `callback_no`: the sender number shown to the recipient.
    pub callback_no: PhoneNumber,
    /// `mms_title`; required when the vendor delivers.
    pub mms_title: Option<String>,
    /// `mms_msg`; required when the vendor delivers.
    pub mms_msg: Option<String>,
    /// `gubun`.
    pub gubun: Gubun,
    /// `order_no`: the partner's own order number, optional.
    pub order_no: Option<String>,
    /// `template_id`, optional.
    pub template_id: Option<String>,
    /// `banner_id`, optional.
    pub banner_id: Option<String>,
}

/// `value` must be at most `limit` characters.
fn max_chars(field: &str, value: &str, limit: usize) -> Result<()> {
    let n = value.chars().count();
    if n > limit {
        return Err(Error::invalid_field(field, format!("is {n} characters; the limit is {limit}")));
    }
    Ok(())
}

/// An id the vendor hands out or the partner chooses: printable ASCII without spaces.
fn id(field: &str, value: &str, limit: usize) -> Result<()> {
    required(field, value)?;
    ascii_token(field, value)?;
    max_chars(field, value, limit)
}

/// The partner's `tr_id`: 1 to `limit` ASCII letters, digits, `-` or `_`.
///
/// ```
/// use adapter_giftishow::wire::requests::check_tr_id;
/// assert!(check_tr_id("CP261201120000A1B2C3D4E", 25).is_ok());
/// let e = check_tr_id("CP261201120000A1B2C3D4E", 20).unwrap_err();
/// assert_eq!(e.to_string(), "invalid input: `tr_id` is 23 characters; the limit is 20");
/// assert_eq!(check_tr_id("a b", 25).unwrap_err().field(), Some("tr_id"));
/// ```
pub fn check_tr_id(tr_id: &str, limit: usize) -> Result<()> {
    token("tr_id", tr_id, limit)
}

/// 1 to `limit` ASCII letters, digits, `-` or `_`: a `tr_id`, a goods or brand code.
fn token(field: &str, value: &str, limit: usize) -> Result<()> {
    required(field, value)?;
    if let Some((i, _)) =
        value.chars().enumerate().find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        return Err(Error::invalid_field(
            field,
            format!("must be ASCII letters, digits, '-' or '_' (character {} is not)", i + 1),
        ));
    }
    max_chars(field, value, limit)
}

impl Send {
    /// The checks made before sending: required fields for the delivery mode,
    /// lengths, phone numbers, control characters.
    ///
    /// # Errors
    ///
    /// [`coupon_core::ErrorKind::InvalidInput`] naming the field.
    pub fn validate(&self, limits: Limits) -> Result<()> {
        code("goods_code", &self.goods_code)?;
        check_tr_id(self.tr_id.as_str(), limits.tr_id)?;
        let delivers = self.gubun.delivers();
        match &self.phone_no {
            Some(p) if !p.is_mobile() => {
                return Err(Error::invalid_field("phone_no", "must be a mobile number (010, 011, 016–019)"));
            }
            Some(_) => {}
            None if delivers => {
                return Err(Error::invalid_field("phone_no", "is required when Giftishow sends the MMS (gubun N)"));
            }
            None => {}
        }
        for (field, value, line_breaks) in [("mms_title", &self.mms_title, false), ("mms_msg", &self.mms_msg, true)] {
            match value {
                Some(v) => {
                    required(field, v)?;
                    no_control_chars(field, v, line_breaks)?;
                }
                None if delivers => {
                    return Err(Error::invalid_field(field, "is required when Giftishow sends the MMS (gubun N)"));
                }
                None => {}
            }
        }
        if let Some(title) = &self.mms_title {
            max_chars("mms_title", title, limits.mms_title)?;
        }
        for (field, value) in
            [("order_no", &self.order_no), ("template_id", &self.template_id), ("banner_id", &self.banner_id)]
        {
            if let Some(v) = value {
                id(field, v, 50)?;
            }
        }
        Ok(())
    }

    /// The form fields, `user_id` included. Call [`Send::validate`] first.
    pub fn fields(&self, user_id: &str) -> Fields {
        let mut f: Fields = vec![
            ("goods_code", self.goods_code.clone()),
            ("tr_id", self.tr_id.as_str().to_owned()),
            ("phone_no", self.phone_no.as_ref().map(|p| p.expose_digits().to_owned()).unwrap_or_default()),
            ("callback_no", self.callback_no.expose_digits().to_owned()),
            ("mms_title", self.mms_title.clone().unwrap_or_default()),
            ("mms_msg", self.mms_msg.clone().unwrap_or_default()),
            ("user_id", user_id.to_owned()),
            ("gubun", self.gubun.as_str().to_owned()),
            ("order_no", self.order_no.clone().unwrap_or_default()),
            ("template_id", self.template_id.clone().unwrap_or_default()),
            ("banner_id", self.banner_id.clone().unwrap_or_default()),
        ];
        f.retain(|(_, v)| !v.is_empty());
        f
    }
}

/// `tr_id` and `user_id`: the fields of a coupon detail, cancel and send-failure cancel.
///
/// # Errors
///
/// [`coupon_core::ErrorKind::InvalidInput`] for a `tr_id` that cannot be one (an
/// id looked up is checked against the longest limit a send may be configured
/// with, [`Limits::TR_ID_MAX`]).
pub fn by_tr_id(tr_id: &str, user_id: &str) -> Result<Fields> {
    check_tr_id(tr_id, Limits::TR_ID_MAX)?;
    Ok(vec![("tr_id", tr_id.to_owned()), ("user_id", user_id.to_owned())])
}

/// A resend (`0203`): `sms_flag` `Y` by SMS, `N` by MMS.
///
/// # Errors
///
/// As [`by_tr_id`].
pub fn resend(tr_id: &str, user_id: &str, by_sms: bool) -> Result<Fields> {
    let mut f = by_tr_id(tr_id, user_id)?;
    f.push(("sms_flag", if by_sms { "Y" } else { "N" }.to_owned()));
    Ok(f)
}

/// A goods list page (`0101`): `start` from 1, `size` items.
///
/// # Errors
///
/// [`coupon_core::ErrorKind::InvalidInput`] for a page 0 or a size outside 1..=1000.
pub fn goods_page(start: u32, size: u32) -> Result<Fields> {
    check_page(("start", start), ("size", size))?;
    Ok(vec![("start", start.to_string()), ("size", size.to_string())])
}

/// The goods list's paging rule: pages count from 1, and a page holds 1 to 1000
/// goods. Each value is named as its caller names it (`start`/`size` here, the
/// shared `page`/`limit` in the [`coupon_core::Adapter`]).
///
/// # Errors
///
/// [`coupon_core::ErrorKind::InvalidInput`] naming the field.
pub fn check_page((page_field, page): (&str, u32), (size_field, size): (&str, u32)) -> Result<()> {
    if page == 0 {
        return Err(Error::invalid_field(page_field, "must be 1 or more (pages count from 1); 0 given"));
    }
    if !(1..=1000).contains(&size) {
        return Err(Error::invalid_field(size_field, format!("must be 1 to 1000; {size} given")));
    }
    Ok(())
}

/// A goods or brand code in a path or a field.
///
/// # Errors
///
/// [`coupon_core::ErrorKind::InvalidInput`] naming `field`.
pub fn code(field: &str, value: &str) -> Result<()> {
    token(field, value, 40)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon_core::ErrorKind;

    fn send() -> Send {
        Send {
            goods_code: "G00001621744".into(),
            tr_id: PartnerRef::new("CPAB12CD340000001"),
            phone_no: Some(PhoneNumber::parse("010-1234-5678").unwrap()),
            callback_no: PhoneNumber::parse("1588-0000").unwrap(),
            mms_title: Some("선물 도착".into()),
            mms_msg: Some("스타벅스 아메리카노\n즐거운 하루".into()),
            gubun: Gubun::Mms,
            order_no: None,
            template_id: None,
            banner_id: Some("B001".into()),
        }
    }

    #[test]
    fn a_send_lists_the_documented_fields_and_leaves_empty_ones_out() {
        let f = send().fields("biz_user");
        let names: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            ["goods_code", "tr_id", "phone_no", "callback_no", "mms_title", "mms_msg", "user_id", "gubun", "banner_id"]
        );
        assert!(f.contains(&("phone_no", "01012345678".into())));
        assert!(f.contains(&("callback_no", "15880000".into())));
        assert!(f.contains(&("gubun", "N".into())));
    }

    #[test]
    fn the_mms_mode_needs_a_mobile_recipient_a_title_and_a_message() {
        assert!(send().validate(Limits::default()).is_ok());
        for field in ["phone_no", "mms_title", "mms_msg"] {
            let mut s = send();
            match field {
                "phone_no" => s.phone_no = None,
                "mms_title" => s.mms_title = None,
                _ => s.mms_msg = None,
            }
            let e = s.validate(Limits::default()).unwrap_err();
            assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some(field)));
            s.gubun = Gubun::Pin;
            assert!(s.validate(Limits::default()).is_ok(), "{field} is optional when the PIN comes back");
        }
        let mut s = send();
        s.phone_no = Some(PhoneNumber::parse("02-123-4567").unwrap());
        assert_eq!(s.validate(Limits::default()).unwrap_err().field(), Some("phone_no"));
    }

    #[test]
    fn title_and_tr_id_limits_follow_the_configured_variant() {
        let mut s = send();
        s.mms_title = Some("가".repeat(11));
        let e = s.validate(Limits::default()).unwrap_err();
        assert_eq!(e.to_string(), "invalid input: `mms_title` is 11 characters; the limit is 10");
        assert!(s.validate(Limits { mms_title: 20, tr_id: 25 }).is_ok());
        let mut s = send();
        s.tr_id = PartnerRef::new("X".repeat(21));
        assert!(s.validate(Limits::default()).is_ok());
        assert_eq!(s.validate(Limits { mms_title: 10, tr_id: 20 }).unwrap_err().field(), Some("tr_id"));
    }

    #[test]
    fn control_characters_are_refused_by_field() {
        let mut s = send();
        s.mms_title = Some("선물\u{7}".into());
        assert_eq!(s.validate(Limits::default()).unwrap_err().field(), Some("mms_title"));
        let mut s = send();
        s.mms_msg = Some("줄\u{1b}[31m".into());
        assert_eq!(s.validate(Limits::default()).unwrap_err().field(), Some("mms_msg"));
    }

    #[test]
    fn lookups_and_pages_check_their_fields() {
        assert_eq!(by_tr_id("CP1", "u").unwrap(), vec![("tr_id", "CP1".into()), ("user_id", "u".into())]);
        assert_eq!(by_tr_id("", "u").unwrap_err().field(), Some("tr_id"));
        assert_eq!(resend("CP1", "u", true).unwrap()[2], ("sms_flag", "Y".into()));
        assert_eq!(goods_page(0, 20).unwrap_err().field(), Some("start"));
        assert_eq!(goods_page(1, 0).unwrap_err().field(), Some("size"));
        assert_eq!(code("goods_code", "G0000/../x").unwrap_err().field(), Some("goods_code"));
    }
}
