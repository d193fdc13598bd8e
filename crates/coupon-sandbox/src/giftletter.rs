//! Giftletter (기프트레터, gift-n.net) emulator, served under `/giftletter`.
//!
//! To emulate (B2C API v1.6, GET with query parameters, JSON answers): `SendEPin`,
//! `CancelSendEPin`, `StatusSendEPin`, `ReSendSMS`, `getGoodsInfoList`, `getGoodsInfo`,
//! `getBrandImage`, and the daily report `mn_compare/ExchangeDaily.aspx` (text).
//! For now the router is empty and the catalog is served as is.

use std::sync::Arc;

use axum::Router;
use serde_json::Value;

use crate::emulator::{Emulator, RedeemRequest};
use crate::error::AdminError;
use crate::fixtures;

/// Route prefix and admin name.
const NAME: &str = "giftletter";

/// The Giftletter emulator.
pub(crate) struct Giftletter {
    fixtures: Value,
}

impl Giftletter {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        Self { fixtures: fixtures::parse(NAME, fixtures::GIFTLETTER) }
    }
}

impl Emulator for Giftletter {
    fn name(&self) -> &'static str {
        NAME
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new()
    }

    fn fixtures(&self) -> Value {
        self.fixtures.clone()
    }

    fn reset(&self) {
        // No request changes anything yet: the catalog is read-only.
    }

    fn redeem(&self, _req: &RedeemRequest) -> Result<Value, AdminError> {
        Err(AdminError::NotImplemented(format!("redeem is not emulated yet for {NAME}")))
    }
}
