//! The credentials the sandbox expects, and [`config_toml`](crate::RunningSandbox::config_toml)
//! writes. They are public knowledge: the sandbox guards nothing.

/// Giftletter partner id (`cid`).
pub const GIFTLETTER_CID: &str = "sandbox";
/// Giftletter authentication key, the secret mixed into every `enc` MD5.
pub const GIFTLETTER_AUTH_KEY: &str = "sandbox-key";
/// GiftiMbiz partner id (`partner_id` query parameter).
pub const GIFTIMBIZ_PARTNER_ID: &str = "sandbox";
/// GiftiMbiz partner key (`Partnerkey` header).
pub const GIFTIMBIZ_PARTNER_KEY: &str = "sandbox-partner-key";
/// GiftiMbiz partner token (`Partnertoken` header).
pub const GIFTIMBIZ_PARTNER_TOKEN: &str = "sandbox-partner-token";
/// GiftiMbiz refresh token (`x-refresh-token` / `Refresh-Token` headers).
pub const GIFTIMBIZ_REFRESH_TOKEN: &str = "sandbox-refresh-token";
/// COUFUN customer id (`POC_ID`).
pub const COUFUN_POC_ID: &str = "SANDBOX";
