//! Partners and access tokens: what getAccessToken issues and every other call checks.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use http::HeaderMap;

use super::Refusal;
use super::credentials::{PARTNER_ID, PARTNER_KEY, PARTNER_TOKEN, REFRESH_TOKEN};

/// The vendor's test account: everything works, purchases are not executed.
pub(super) const TEST_PARTNER: &str = "devtest1";

/// How long a token lives unless an admin call says otherwise.
pub(super) const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The code an expired token is answered with unless an admin call says otherwise.
pub(super) const DEFAULT_EXPIRED_CODE: &str = "TOKEN07";

struct Issued {
    partner: String,
    expires: Instant,
}

/// Issued tokens and the token settings.
pub(super) struct Tokens {
    issued: HashMap<String, Issued>,
    lifetime: Duration,
    expired_code: &'static str,
}

impl Default for Tokens {
    fn default() -> Self {
        Self { issued: HashMap::new(), lifetime: DEFAULT_LIFETIME, expired_code: DEFAULT_EXPIRED_CODE }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    // A value that is not visible ASCII cannot match a credential: treat it as given but wrong.
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}")).filter(|v| !v.trim().is_empty())
}

/// The partner of a request, after the partner id and the two partner headers.
fn partner(headers: &HeaderMap, partner_id: Option<&str>) -> Result<String, Refusal> {
    let id = partner_id.map(str::trim).unwrap_or("");
    if id != PARTNER_ID && id != TEST_PARTNER {
        return Err(("TOKEN04", "사용할수 없는 파트너 회원아이디입니다."));
    }
    if header(headers, "Partnerkey") != Some(PARTNER_KEY) {
        return Err(("TOKEN06", "암호화된 토큰이 일치 하지 않습니다."));
    }
    if header(headers, "Partnertoken") != Some(PARTNER_TOKEN) {
        return Err(("TOKEN04", "사용할수 없는 파트너 회원아이디입니다."));
    }
    Ok(id.to_owned())
}

fn refresh_token(value: Option<&str>) -> Result<(), Refusal> {
    match value {
        None => Err(("TOKEN02", "리프레시 토큰값이 없음")),
        Some(v) if v == REFRESH_TOKEN => Ok(()),
        Some(_) => Err(("TOKEN05", "리프레시 토큰값이 등록된 내용과 다릅니다.")),
    }
}

impl Tokens {
    /// getAccessToken: checks the partner and `x-refresh-token`, issues a token.
    pub(super) fn issue(&mut self, headers: &HeaderMap, partner_id: Option<&str>) -> Result<String, Refusal> {
        let partner = partner(headers, partner_id)?;
        refresh_token(header(headers, "x-refresh-token"))?;
        let now = Instant::now();
        // Forget long-dead tokens so a long-running sandbox does not grow without bound.
        self.issued.retain(|_, t| t.expires + Duration::from_secs(3600) > now);
        let token: String = std::iter::repeat_with(fastrand::alphanumeric).take(40).collect();
        self.issued.insert(token.clone(), Issued { partner, expires: now + self.lifetime });
        Ok(token)
    }

    /// Every other call: the partner, then `Access-Token` and `Refresh-Token`.
    pub(super) fn authorize(&self, headers: &HeaderMap, partner_id: Option<&str>) -> Result<String, Refusal> {
        let partner = partner(headers, partner_id)?;
        let Some(access) = header(headers, "Access-Token") else {
            return Err(("TOKEN01", "엑세스 토큰값이 없음"));
        };
        refresh_token(header(headers, "Refresh-Token"))?;
        let Some(issued) = self.issued.get(access) else {
            return Err(("TOKEN08", "엑세스 토큰값 검증이 실패했습니다."));
        };
        if issued.partner != partner {
            return Err(("Z", "토큰값이 일치하지 않습니다."));
        }
        if issued.expires <= Instant::now() {
            let msg = if self.expired_code == "T1" {
                "유효기간이 지난 토큰"
            } else {
                "토큰 만료일이 종료되었습니다."
            };
            return Err((self.expired_code, msg));
        }
        Ok(partner)
    }

    /// Sets the lifetime of tokens issued from now on.
    pub(super) fn set_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    /// Expires every token issued so far; `code` (T1 or TOKEN07) is what they answer from now on.
    pub(super) fn expire_all(&mut self, code: &'static str) -> usize {
        let now = Instant::now();
        for t in self.issued.values_mut() {
            t.expires = t.expires.min(now);
        }
        self.expired_code = code;
        self.issued.len()
    }
}
