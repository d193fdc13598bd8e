//! The variants of the API seen in public integrations (the reconstructed reading's
//! "Variants" section), one switch each, chosen by `POST /_sandbox/giftishow/variant`.

use serde::{Deserialize, Serialize};

use crate::error::AdminError;

/// Which api codes the brand operations take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum BrandCodes {
    /// List `0102` on `/brands`, detail `0112` on `/brands/{brand_code}` (most integrations).
    #[serde(rename = "0102/0112")]
    ListDetail0102,
    /// List `0103` and detail `0104` both on `/brands`, the detail with a `brand_code`
    /// field; `/brands/{brand_code}` is not served.
    #[serde(rename = "0103/0104")]
    ListDetail0103,
}

/// Which api code the goods detail takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum GoodsDetailCode {
    #[serde(rename = "0111")]
    C0111,
    #[serde(rename = "0102")]
    C0102,
}

/// Where the send (0204) is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum SendPath {
    /// `/bizApi/send`.
    #[serde(rename = "bizApi")]
    BizApi,
    /// `/coupon/send`, outside the API base.
    #[serde(rename = "coupon")]
    Coupon,
}

/// Which result codes refusals carry (see the `codes` module of the emulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Codes {
    /// The table three integrations share, apparently the vendor's v1.04 document
    /// (`E0008`/`E0009` bad credentials, `ERR0201` missing field, …): the default.
    #[serde(rename = "v1.04")]
    V104,
    /// The emulator's earlier answers (`E0006` for every credential refusal, its own
    /// `ERR9001`…`ERR9010`, `ERR0208` for a second cancel).
    #[serde(rename = "legacy")]
    Legacy,
}

/// How the answers write dates and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Dates {
    /// `YYYYMMDD` days, `YYYYMMDDHHMISS` KST moments: the default.
    #[serde(rename = "compact")]
    Compact,
    /// `YYYY-MM-DDTHH:MM:SS.mmm+0000` in UTC, a day written as the KST midnight that
    /// starts it (`2999-12-30T15:00:00.000+0000` is the day 2999-12-31).
    #[serde(rename = "iso")]
    Iso,
}

/// The current variant: `GET /_sandbox/giftishow/variant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Variant {
    pub(crate) brand_codes: BrandCodes,
    pub(crate) goods_detail_code: GoodsDetailCode,
    pub(crate) send_path: SendPath,
    /// Longest `mms_title`, in characters: 10 or 20.
    pub(crate) mms_title_limit: usize,
    /// Longest `tr_id`, in characters: 25 or 20.
    pub(crate) tr_id_limit: usize,
    /// `balance`, `couponInfoList` (with `resCode`/`resMsg`) and `totalCount` at the top
    /// level of the answer, beside `code` and `message`.
    pub(crate) top_level: bool,
    /// The result codes of refusals.
    pub(crate) codes: Codes,
    /// The form of `endDate`, `validPrdEndDt` and `correcDtm`.
    pub(crate) dates: Dates,
}

impl Default for Variant {
    fn default() -> Self {
        Self {
            brand_codes: BrandCodes::ListDetail0102,
            goods_detail_code: GoodsDetailCode::C0111,
            send_path: SendPath::BizApi,
            mms_title_limit: 10,
            tr_id_limit: 25,
            top_level: false,
            codes: Codes::V104,
            dates: Dates::Compact,
        }
    }
}

/// A change to the variant: body of `POST /_sandbox/giftishow/variant`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariantPatch {
    brand_codes: Option<BrandCodes>,
    goods_detail_code: Option<GoodsDetailCode>,
    send_path: Option<SendPath>,
    mms_title_limit: Option<usize>,
    tr_id_limit: Option<usize>,
    top_level: Option<bool>,
    codes: Option<Codes>,
    dates: Option<Dates>,
}

impl Variant {
    /// This variant with `patch` applied; nothing changes when a value is not one seen
    /// in the integrations.
    pub(crate) fn patched(self, patch: &VariantPatch) -> Result<Self, AdminError> {
        if let Some(n) = patch.mms_title_limit.filter(|n| ![10, 20].contains(n)) {
            return Err(AdminError::BadRequest(format!("mms_title_limit is 10 or 20, got {n}")));
        }
        if let Some(n) = patch.tr_id_limit.filter(|n| ![25, 20].contains(n)) {
            return Err(AdminError::BadRequest(format!("tr_id_limit is 25 or 20, got {n}")));
        }
        Ok(Self {
            brand_codes: patch.brand_codes.unwrap_or(self.brand_codes),
            goods_detail_code: patch.goods_detail_code.unwrap_or(self.goods_detail_code),
            send_path: patch.send_path.unwrap_or(self.send_path),
            mms_title_limit: patch.mms_title_limit.unwrap_or(self.mms_title_limit),
            tr_id_limit: patch.tr_id_limit.unwrap_or(self.tr_id_limit),
            top_level: patch.top_level.unwrap_or(self.top_level),
            codes: patch.codes.unwrap_or(self.codes),
            dates: patch.dates.unwrap_or(self.dates),
        })
    }

    /// The goods detail's api code.
    pub(crate) fn goods_detail(&self) -> &'static str {
        match self.goods_detail_code {
            GoodsDetailCode::C0111 => "0111",
            GoodsDetailCode::C0102 => "0102",
        }
    }

    /// The brand list's and the brand detail's api codes.
    pub(crate) fn brand_codes(&self) -> (&'static str, &'static str) {
        match self.brand_codes {
            BrandCodes::ListDetail0102 => ("0102", "0112"),
            BrandCodes::ListDetail0103 => ("0103", "0104"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_default_serializes_as_the_admin_route_answers() {
        let v = serde_json::to_value(Variant::default()).unwrap();
        assert_eq!(
            v,
            json!({"brand_codes": "0102/0112", "goods_detail_code": "0111", "send_path": "bizApi",
                   "mms_title_limit": 10, "tr_id_limit": 25, "top_level": false,
                   "codes": "v1.04", "dates": "compact"})
        );
    }

    #[test]
    fn patches_change_only_what_they_name_and_refuse_unseen_values() {
        let p: VariantPatch = serde_json::from_value(json!({"brand_codes": "0103/0104", "tr_id_limit": 20})).unwrap();
        let v = Variant::default().patched(&p).unwrap();
        assert_eq!(v.brand_codes(), ("0103", "0104"));
        assert_eq!((v.tr_id_limit, v.mms_title_limit), (20, 10));
        let bad: VariantPatch = serde_json::from_value(json!({"mms_title_limit": 15})).unwrap();
        assert!(Variant::default().patched(&bad).is_err());
        assert!(serde_json::from_value::<VariantPatch>(json!({"colour": "red"})).is_err());
        assert!(serde_json::from_value::<VariantPatch>(json!({"send_path": "elsewhere"})).is_err());
        for bad in
            [json!({"codes": "v1.05"}), json!({"codes": "LEGACY"}), json!({"dates": "rfc3339"}), json!({"dates": 8})]
        {
            assert!(serde_json::from_value::<VariantPatch>(bad.clone()).is_err(), "{bad}");
        }
        let p: VariantPatch = serde_json::from_value(json!({"codes": "legacy", "dates": "iso"})).unwrap();
        let v = Variant::default().patched(&p).unwrap();
        assert_eq!((v.codes, v.dates, v.brand_codes), (Codes::Legacy, Dates::Iso, BrandCodes::ListDetail0102));
    }
}
