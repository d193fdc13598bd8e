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

/// Every error answer is a problem document, and every `/v1` operation may answer the refusals every request
/// can meet (bad input, no key, a key without the scope, its rate, the service failing or slow): said once here
/// rather than on every handler.
struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        const COMMON: [(&str, &str); 6] = [
            ("400", "bad input, named in `field` (nothing stored or sent)"),
            ("401", "no API key, or not one this service knows"),
            ("403", "the API key lacks the scope"),
            ("429", "the API key is over its rate (`Retry-After`)"),
            ("500", "the service failed (its journal); nothing moved"),
            ("503", "the request took longer than the service's limit"),
        ];
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                if path.starts_with("/v1/") {
                    for (status, description) in COMMON {
                        responses.entry(status.to_string()).or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(description)
                                    .content(
                                        crate::problem::PROBLEM_JSON,
                                        ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                                    )
                                    .build(),
                            )
                        });
                    }
                }
                for (status, response) in responses.iter_mut() {
                    let error = status.starts_with('4') || status.starts_with('5');
                    if let (true, RefOr::T(response)) = (error, response) {
                        if let Some(content) = response.content.shift_remove("application/json") {
                            response.content.insert(crate::problem::PROBLEM_JSON.to_string(), content);
                        }
                    }
                }
            }
        }
    }
}

/// The document as pretty JSON, with a final newline (as committed).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    // The campaigns' paths and schemas are declared beside their handlers.
    doc.merge(crate::campaigns::CampaignsApi::openapi());
    Problems.modify(&mut doc);
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut text = doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// `GET /openapi.json`.
pub async fn serve() -> Json<serde_json::Value> {
    Json(serde_json::from_str(&document()).unwrap_or_default())
}
