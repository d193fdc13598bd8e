//! COUFUN (쿠펀, T-Scientific) emulator, served under `/coufun`.
//!
//! To emulate: `POST b2c_api/coufunPartAmountStatus.do` (form fields, EUC-KR XML
//! answer). For now the router is empty and the catalog is served as is.

use std::sync::Arc;

use axum::Router;
use serde_json::Value;

use crate::emulator::{Emulator, RedeemRequest};
use crate::error::AdminError;
use crate::fixtures;

/// Route prefix and admin name.
const NAME: &str = "coufun";

/// The COUFUN emulator.
pub(crate) struct Coufun {
    fixtures: Value,
}

impl Coufun {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        Self { fixtures: fixtures::parse(NAME, fixtures::COUFUN) }
    }
}

impl Emulator for Coufun {
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
