//! GiftiMbiz (기프티엠비즈) emulator, served under `/giftimbiz`.
//!
//! To emulate (POST, form bodies, JSON answers): `api/v1/common/getAccessToken`, the
//! gifticon and Starcoupon (별별쿠폰) endpoints under `api/v1/giftimbiz/`, and
//! `api/v1/gifticon/getQRImg`, `api/v1/gifticon/setUseStarCoupon`.
//! For now the router is empty and the catalog is served as is.

use std::sync::Arc;

use axum::Router;
use serde_json::Value;

use crate::emulator::{Emulator, RedeemRequest};
use crate::error::AdminError;
use crate::fixtures;

/// Route prefix and admin name.
const NAME: &str = "giftimbiz";

/// The GiftiMbiz emulator.
pub(crate) struct Giftimbiz {
    fixtures: Value,
}

impl Giftimbiz {
    /// A fresh emulator over the embedded catalog.
    pub(crate) fn new() -> Self {
        Self { fixtures: fixtures::parse(NAME, fixtures::GIFTIMBIZ) }
    }
}

impl Emulator for Giftimbiz {
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
