//! Request bodies and headers, checked before anything is stored or sent: a JSON body that
//! does not parse, or holds a field the endpoint does not know, is `400` naming the field
//! (as a dotted path: `to`, `items.3.product`) and what was wrong.

use axum::extract::{FromRequest, FromRequestParts, Request};
use bytes::Bytes;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::Problem;
use crate::state::AppState;

/// A JSON body of type `T`, its fields checked strictly (`T` denies unknown fields).
#[derive(Debug)]
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for StrictJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type =
            req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        // `curl -d` sends form-encoded by default: a JSON body is accepted whatever its declared type, but a
        // declared non-JSON type with a body that is not JSON says so.
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let too_large = e.status() == http::StatusCode::PAYLOAD_TOO_LARGE;
            if too_large {
                Problem::new(
                    http::StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body is larger than this endpoint's limit of {} bytes", state.config().body_limit),
                )
                .with("limit_bytes", state.config().body_limit)
            } else {
                Problem::invalid("body", format!("the body could not be read: {e}"))
            }
        })?;
        parse(&bytes, content_type.as_deref()).map(StrictJson)
    }
}

/// Parses `bytes` as `T`, naming the field at fault.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], content_type: Option<&str>) -> Result<T, Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::invalid("body", "the body is empty: this endpoint takes a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    if parsed.is_ok() {
        // Trailing bytes after the object: malformed.
        if let Err(inner) = de.end() {
            return Err(Problem::invalid("body", format!("the body is not valid JSON: {inner}"))
                .with("line", inner.line())
                .with("column", inner.column()));
        }
    }
    parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let syntax = matches!(inner.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof);
        let declared = content_type.filter(|c| !c.starts_with("application/json") && !c.ends_with("+json"));
        if syntax {
            let hint = declared.map(|c| format!(" (its declared type is `{c}`)")).unwrap_or_default();
            return Problem::invalid("body", format!("the body is not valid JSON{hint}: {inner}"))
                .with("line", inner.line())
                .with("column", inner.column());
        }
        let message = inner.to_string();
        // The path names the field at fault, an unknown one included.
        let field = if path == "." { "body".to_string() } else { path };
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        Problem::invalid(field.clone(), format!("`{field}`: {message}"))
    })
}

/// The longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The `Idempotency-Key` header: required on every request that moves money; 1 to 255 visible ASCII
/// characters; scoped to the caller's API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(pub String);

/// The header's name.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl IdempotencyKey {
    /// Checks a key as the header gives it.
    pub fn parse(value: &[u8]) -> Result<Self, Problem> {
        let text =
            std::str::from_utf8(value).ok().filter(|t| t.bytes().all(|b| b.is_ascii_graphic())).ok_or_else(|| {
                Problem::invalid(
                    IDEMPOTENCY_KEY,
                    "the Idempotency-Key may hold only visible ASCII characters (no spaces)",
                )
            })?;
        if text.is_empty() {
            return Err(Problem::invalid(IDEMPOTENCY_KEY, "the Idempotency-Key is empty"));
        }
        if text.len() > MAX_IDEMPOTENCY_KEY {
            return Err(Problem::invalid(
                IDEMPOTENCY_KEY,
                format!("the Idempotency-Key is {} characters long; the limit is {MAX_IDEMPOTENCY_KEY}", text.len()),
            )
            .with("limit", MAX_IDEMPOTENCY_KEY)
            .with("given_length", text.len()));
        }
        Ok(Self(text.to_string()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
            Problem::invalid(
                IDEMPOTENCY_KEY,
                "this request moves money: send an `Idempotency-Key` header (a unique id of your own, up to 255 \
                 characters) and send the same key again to retry it safely",
            )
        })?;
        Self::parse(value.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        vendor: String,
        count: Option<u32>,
    }

    #[test]
    fn an_unknown_field_is_named() {
        let p = parse::<Body>(br#"{"vendor":"x","colour":1}"#, Some("application/json")).unwrap_err();
        assert_eq!((p.status, p.field.as_deref()), (400, Some("colour")));
        assert!(p.detail.contains("unknown field `colour`"), "{}", p.detail);
    }

    #[test]
    fn a_wrong_type_names_its_field_and_malformed_json_its_place() {
        let p = parse::<Body>(br#"{"vendor":"x","count":"many"}"#, None).unwrap_err();
        assert_eq!(p.field.as_deref(), Some("count"));
        let p = parse::<Body>(br#"{"vendor": "#, None).unwrap_err();
        assert_eq!(p.field.as_deref(), Some("body"));
        assert!(p.detail.contains("not valid JSON"));
        let p = parse::<Body>(b"vendor=x", Some("application/x-www-form-urlencoded")).unwrap_err();
        assert!(p.detail.contains("application/x-www-form-urlencoded"), "{}", p.detail);
    }

    #[test]
    fn idempotency_keys_are_1_to_255_visible_characters() {
        assert!(IdempotencyKey::parse(b"order-1234").is_ok());
        assert!(IdempotencyKey::parse("x".repeat(255).as_bytes()).is_ok());
        let p = IdempotencyKey::parse("x".repeat(256).as_bytes()).unwrap_err();
        assert_eq!(p.field.as_deref(), Some("Idempotency-Key"));
        assert!(p.detail.contains("256") && p.detail.contains("255"));
        assert!(IdempotencyKey::parse(b"").is_err());
        assert!(IdempotencyKey::parse(b"two words").is_err());
    }
}
