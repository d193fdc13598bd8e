//! Who is calling: the `Authorization: Bearer` API key, its scopes, and the checks a
//! handler asks for. Refusals are `401` (no key, or not one we know) and `403` (a key
//! without the scope), both problem documents that never echo the key.

pub mod keys;

use std::fmt;
use std::str::FromStr;

use axum::extract::FromRequestParts;
use http::StatusCode;
use http::request::Parts;

use crate::problem::Problem;
use crate::state::AppState;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Issue coupons (`POST /v1/issues`), read and resend them.
    Issue,
    /// Read vendors, products, coupon states and balances, and this key's issues.
    Read,
    /// Cancel issued coupons (refunds).
    Cancel,
    /// Create, run and follow campaigns.
    Campaigns,
    /// See PINs in full where an answer carries one (beyond the issue's own answer to its caller).
    Pins,
    /// Every scope.
    Admin,
}

impl Scope {
    /// Every scope, in the order the docs list them.
    pub const ALL: [Scope; 6] = [Scope::Issue, Scope::Read, Scope::Cancel, Scope::Campaigns, Scope::Pins, Scope::Admin];

    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Issue => "issue",
            Scope::Read => "read",
            Scope::Cancel => "cancel",
            Scope::Campaigns => "campaigns",
            Scope::Pins => "pins",
            Scope::Admin => "admin",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown scope `{s}`: the scopes are {}", names.join(", "))
        })
    }
}

/// Parses a comma-separated scope list (`issue,read`), refusing an unknown name and an empty list.
pub fn parse_scopes(list: &str) -> Result<Vec<Scope>, String> {
    let mut scopes: Vec<Scope> =
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Scope::from_str).collect::<Result<_, _>>()?;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err("a key needs at least one scope".into());
    }
    Ok(scopes)
}

/// The caller of a request: a known, unrevoked API key.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The key's public id: the scope of its idempotency keys.
    pub key_id: String,
    /// The key's name.
    pub name: String,
    scopes: Vec<Scope>,
}

impl Caller {
    /// A caller with these scopes (for tests and the service's own use).
    pub fn new(key_id: impl Into<String>, name: impl Into<String>, scopes: Vec<Scope>) -> Self {
        Self { key_id: key_id.into(), name: name.into(), scopes }
    }

    /// Whether the key has `scope` (or `admin`).
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope)
    }

    /// `403` unless the key has one of `scopes`.
    pub fn require(&self, scopes: &[Scope]) -> Result<(), Problem> {
        if scopes.iter().any(|s| self.has(*s)) {
            return Ok(());
        }
        let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the API key `{}` lacks the scope this needs: {}", self.name, names.join(" or ")),
        )
        .with("required_scopes", names))
    }
}

fn unauthorized(detail: &str) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail).field("Authorization")
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let header = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("no API key: send `Authorization: Bearer <key>`"))?;
        let value = header.to_str().map_err(|_| unauthorized("the Authorization header is not text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .ok_or_else(|| unauthorized("the Authorization header is not `Bearer <key>`"))?
            .trim();
        let presented = keys::parse(token).ok_or_else(|| unauthorized("the API key is not one this service made"))?;
        let stored = state.keys().lookup(presented.id).await?;
        // A missing key is checked against a dummy hash too, so the time taken says nothing of which ids exist.
        let (hash, known) = match &stored {
            Some(k) => (k.secret_hash.as_str(), true),
            None => (DUMMY_HASH, false),
        };
        let matches = presented.matches(hash);
        let Some(stored) = stored.filter(|_| known && matches) else {
            return Err(unauthorized("the API key is not one this service knows"));
        };
        if stored.revoked_at.is_some() {
            return Err(unauthorized("the API key was revoked"));
        }
        let scopes = stored.scopes.iter().filter_map(|s| s.parse().ok()).collect();
        let caller = Caller { key_id: stored.id.clone(), name: stored.name.clone(), scopes };
        if let Some(slot) = parts.extensions.get::<crate::ops::observe::CallerSlot>() {
            if let Ok(mut name) = slot.0.lock() {
                *name = Some(caller.name.clone());
            }
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

const DUMMY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_a_list_and_refuse_unknown_names() {
        assert_eq!(parse_scopes("read, issue,read").unwrap(), vec![Scope::Issue, Scope::Read]);
        assert!(parse_scopes("issue,refund").unwrap_err().contains("`refund`"));
        assert!(parse_scopes(" , ").is_err());
    }

    #[test]
    fn admin_holds_every_scope_and_a_missing_one_is_403_naming_it() {
        let admin = Caller::new("k", "ops", vec![Scope::Admin]);
        assert!(Scope::ALL.iter().all(|s| admin.has(*s)));
        let reader = Caller::new("k", "bi", vec![Scope::Read]);
        let p = reader.require(&[Scope::Cancel]).unwrap_err();
        assert_eq!(p.status, 403);
        assert!(p.detail.contains("cancel"));
    }
}
