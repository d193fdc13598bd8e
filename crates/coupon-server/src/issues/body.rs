//! The body of `POST /v1/issues`, its canonical form and fingerprint, and the library request
//! it becomes.

use coupon_core::{Error, IssueRequest, PartnerRef, PhoneNumber, Won};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::problem::Problem;

/// One coupon to issue. Which fields a vendor needs is its adapter's rule (`check_issue`): a vendor that
/// delivers by message needs `to`, `callback`, `title` and `message`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// The vendor, as `GET /v1/vendors` names it.
    pub vendor: String,
    /// The vendor's product id.
    pub product: String,
    /// The recipient's phone number (`010-1234-5678` or `01012345678`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The reply number shown as the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// The message title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The message body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The product name, where the vendor wants it repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// The amount you expect to pay, in won, where the vendor checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// A free value the vendor echoes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
}

/// A checked body: its canonical JSON (phone numbers as digits), and its parsed phone numbers.
#[derive(Clone)]
pub struct Checked {
    /// The body with its phone numbers normalized.
    pub body: IssueBody,
    /// `body` as JSON: what is fingerprinted and stored for the reconciler.
    pub canonical: String,
    recipient: Option<PhoneNumber>,
    callback: Option<PhoneNumber>,
}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("vendor", &self.body.vendor)
            .field("product", &self.body.product)
            .finish_non_exhaustive()
    }
}

impl IssueBody {
    /// Parses the phone numbers and writes the canonical form: the same request written with other
    /// spacing, key order or phone punctuation has the same fingerprint.
    pub fn check(self) -> Result<Checked, Problem> {
        let recipient = phone("to", self.to.as_deref())?;
        let callback = phone("callback", self.callback.as_deref())?;
        let mut body = self;
        body.to = recipient.as_ref().map(|p| p.expose_digits().to_string());
        body.callback = callback.as_ref().map(|p| p.expose_digits().to_string());
        let canonical = serde_json::to_string(&body).map_err(|e| Problem::internal(format!("canonical form: {e}")))?;
        Ok(Checked { body, canonical, recipient, callback })
    }
}

fn phone(field: &str, value: Option<&str>) -> Result<Option<PhoneNumber>, Problem> {
    value.map(|v| PhoneNumber::parse_field(field, v).map_err(|e| problem_of_input(&e))).transpose()
}

impl Checked {
    /// Reads a canonical form back (the reconciler's way to the same request).
    pub fn from_canonical(canonical: &str) -> Result<Self, Problem> {
        let body: IssueBody = serde_json::from_str(canonical)
            .map_err(|e| Problem::internal(format!("a stored request does not read back: {e}")))?;
        body.check()
    }

    /// The library request, under `partner_ref`.
    pub fn request(&self, partner_ref: &PartnerRef) -> IssueRequest {
        let b = &self.body;
        let mut r = IssueRequest::new(b.product.clone()).partner_ref(partner_ref.clone());
        if let Some(p) = &self.recipient {
            r = r.recipient(p.clone());
        }
        if let Some(p) = &self.callback {
            r = r.callback(p.clone());
        }
        if let Some(t) = &b.title {
            r = r.title(t.clone());
        }
        if let Some(m) = &b.message {
            r = r.message(m.clone());
        }
        if let Some(n) = &b.product_name {
            r = r.product_name(n.clone());
        }
        if let Some(a) = b.amount {
            r = r.amount(Won(a));
        }
        if let Some(m) = &b.memo {
            r = r.memo(m.clone());
        }
        r
    }

    /// The recipient, as the issue's own answer shows it (in full: that answer goes to its caller only).
    pub fn recipient_shown(&self) -> Option<String> {
        self.recipient.as_ref().map(PhoneNumber::expose_formatted)
    }
}

/// The hex SHA-256 of an operation's canonical request: what a repeat of the key must match.
pub fn fingerprint(op: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(op.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    crate::auth::keys::hex(&h.finalize())
}

/// A fresh partner reference: `CS` and 18 random characters (20 in all, within every vendor's limit),
/// from the OS's generator, so replicas never make the same one.
pub fn new_partner_ref() -> Result<PartnerRef, Problem> {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| Problem::internal(format!("no randomness for a reference: {e}")))?;
    Ok(PartnerRef::new(format!(
        "CS{}",
        bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % 36])).collect::<String>()
    )))
}

/// A refused input, its field named as the JSON body names it.
pub fn problem_of_input(e: &Error) -> Problem {
    let mut p = Problem::from(e);
    p.field = e.field().map(json_field);
    p
}

/// The library's field names, as this API's JSON names them.
pub fn json_field(library: &str) -> String {
    match library {
        "product_id" => "product".to_string(),
        "recipient" => "to".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(to: &str) -> IssueBody {
        IssueBody {
            vendor: "v".into(),
            product: "G1".into(),
            to: Some(to.into()),
            callback: None,
            title: Some("선물".into()),
            message: None,
            product_name: None,
            amount: None,
            memo: None,
        }
    }

    #[test]
    fn the_same_request_written_differently_has_one_fingerprint() {
        let a = body("010-1234-5678").check().unwrap();
        let b = body("01012345678").check().unwrap();
        assert_eq!(fingerprint("issue", &a.canonical), fingerprint("issue", &b.canonical));
        let mut other = body("01012345678");
        other.title = Some("다른 선물".into());
        assert_ne!(fingerprint("issue", &a.canonical), fingerprint("issue", &other.check().unwrap().canonical));
        assert_ne!(fingerprint("issue", &a.canonical), fingerprint("cancel", &a.canonical));
    }

    #[test]
    fn a_bad_phone_number_names_the_json_field() {
        let p = body("12").check().unwrap_err();
        assert_eq!((p.status, p.field.as_deref()), (400, Some("to")));
        assert!(!format!("{:?}", body("010-1234-5678").check().unwrap()).contains("5678"));
    }

    #[test]
    fn a_canonical_form_reads_back_to_the_same_request() {
        let a = body("010-1234-5678").check().unwrap();
        let back = Checked::from_canonical(&a.canonical).unwrap();
        let r = PartnerRef::new("CS1");
        assert_eq!(a.request(&r), back.request(&r));
        let p = new_partner_ref().unwrap();
        assert!(p.as_str().len() == 20 && p.as_str().starts_with("CS"));
    }
}
