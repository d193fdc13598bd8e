//! The ready-to-use configuration text pointing the SDK at a sandbox.

use crate::credentials::{
    COUFUN_POC_ID, GIFTIMBIZ_PARTNER_ID, GIFTIMBIZ_PARTNER_KEY, GIFTIMBIZ_PARTNER_TOKEN, GIFTIMBIZ_REFRESH_TOKEN,
    GIFTLETTER_AUTH_KEY, GIFTLETTER_CID,
};

/// The configuration for a sandbox at `base_url` (`http://127.0.0.1:PORT`), in the
/// shape the SDK's configuration loader reads.
pub(crate) fn config_toml(base_url: &str) -> String {
    format!(
        r#"# coupon sandbox: ready-to-use configuration (loopback only)
[giftletter]
base_url = "{base_url}/giftletter"
exchange_url = "{base_url}/giftletter/mn_compare/ExchangeDaily.aspx"
cid = "{GIFTLETTER_CID}"
auth_key = "{GIFTLETTER_AUTH_KEY}"

[giftimbiz]
base_url = "{base_url}/giftimbiz"
partner_id = "{GIFTIMBIZ_PARTNER_ID}"
partner_key = "{GIFTIMBIZ_PARTNER_KEY}"
partner_token = "{GIFTIMBIZ_PARTNER_TOKEN}"
refresh_token = "{GIFTIMBIZ_REFRESH_TOKEN}"

[coufun]
base_url = "{base_url}/coufun"
poc_id = "{COUFUN_POC_ID}"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_shape() {
        let expected = r#"# coupon sandbox: ready-to-use configuration (loopback only)
[giftletter]
base_url = "http://127.0.0.1:8089/giftletter"
exchange_url = "http://127.0.0.1:8089/giftletter/mn_compare/ExchangeDaily.aspx"
cid = "sandbox"
auth_key = "sandbox-key"

[giftimbiz]
base_url = "http://127.0.0.1:8089/giftimbiz"
partner_id = "sandbox"
partner_key = "sandbox-partner-key"
partner_token = "sandbox-partner-token"
refresh_token = "sandbox-refresh-token"

[coufun]
base_url = "http://127.0.0.1:8089/coufun"
poc_id = "SANDBOX"
"#;
        assert_eq!(config_toml("http://127.0.0.1:8089"), expected);
    }
}
