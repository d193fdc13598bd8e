//! The contract, generated from the handlers' annotations: `GET /openapi.json`, and the copy
//! committed at `docs/openapi.json` (a test fails when the two differ).

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The service's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "coupon serve", description = "Korean mobile-coupon vendors behind one HTTP API: idempotent issues, cancels and resends, reads, and campaigns. Every error is an RFC 9457 problem document.", license(name = "MIT OR Apache-2.0")),
    paths(
        crate::issues::create::create,
        crate::issues::get::get,
        crate::issues::cancel::cancel,
        crate::issues::resend::resend,
        crate::reads::vendors,
        crate::reads::products,
        crate::reads::product,
        crate::reads::coupon_status,
        crate::reads::balance,
        crate::ops::health::healthz,
        crate::ops::health::readyz,
        crate::ops::health::metrics,
    ),
    components(schemas(crate::problem::Problem)),
    modifiers(&Bearer),
    tags(
        (name = "issues", description = "Money-moving requests, each under an Idempotency-Key"),
        (name = "reads", description = "Vendors, products, coupon states and balances"),
        (name = "campaigns", description = "Many coupons from one CSV file"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The document as pretty JSON, with a final newline (as committed).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    // The campaigns' paths and schemas are declared beside their handlers.
    doc.merge(crate::campaigns::CampaignsApi::openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut text = doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// `GET /openapi.json`.
pub async fn serve() -> Json<serde_json::Value> {
    Json(serde_json::from_str(&document()).unwrap_or_default())
}
