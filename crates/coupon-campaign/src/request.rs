//! A journal row as the request the adapter sends: one function, used both when
//! `create` checks a row and when `run` sends it, so what was checked is what is sent.

use coupon_core::{Capabilities, Error, IssueRequest, PhoneNumber, Won};
use coupon_journal::RowRequest;

/// The request for one row: its stored fields, its partner reference, and the
/// recipient when the vendor delivers to one ([`Capabilities::issue_delivers`]);
/// otherwise the phone number stays in the journal for the caller to hand the
/// coupon out.
pub fn issue_request(
    capabilities: &Capabilities,
    phone: &str,
    request: &RowRequest,
    partner_ref: coupon_core::PartnerRef,
) -> Result<IssueRequest, Error> {
    let product =
        request.product_id.as_deref().filter(|g| !g.trim().is_empty()).ok_or_else(|| {
            Error::invalid_field("goods", "is required: give --goods or a `goods` column (none given)")
        })?;
    let mut r = IssueRequest::new(product.trim()).partner_ref(partner_ref);
    if capabilities.issue_delivers {
        r = r.recipient(PhoneNumber::parse_field("phone", phone)?);
    }
    if let Some(v) = non_empty(&request.product_name) {
        r = r.product_name(v);
    }
    if let Some(v) = non_empty(&request.callback) {
        r = r.callback(PhoneNumber::parse_field("callback", &v)?);
    }
    if let Some(v) = non_empty(&request.title) {
        r = r.title(v);
    }
    if let Some(v) = non_empty(&request.content_template) {
        r = r.message(v);
    }
    if let Some(v) = non_empty(&request.amount) {
        r = r.amount(parse_won("amount", &v)?);
    }
    if let Some(v) = non_empty(&request.memo) {
        r = r.memo(v);
    }
    Ok(r)
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|s| !s.trim().is_empty()).cloned()
}

/// Won from text: digits, optionally with `,` separators and a trailing `원`.
pub fn parse_won(field: &str, text: &str) -> Result<Won, Error> {
    let cleaned: String = text.trim().trim_end_matches('원').chars().filter(|c| *c != ',').collect();
    cleaned
        .trim()
        .parse::<u64>()
        .map(Won)
        .map_err(|_| Error::invalid_field(field, format!("must be a whole number of won (`{}` given)", text.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_accepts_separators_and_the_unit() {
        assert_eq!(parse_won("amount", "1,000원").unwrap(), Won(1_000));
        assert_eq!(parse_won("amount", " 940 ").unwrap(), Won(940));
        let e = parse_won("amount", "12.5").unwrap_err();
        assert!(e.to_string().contains("amount") && e.to_string().contains("12.5"), "{e}");
    }

    #[test]
    fn the_recipient_goes_only_to_a_vendor_that_delivers() {
        let row = RowRequest { product_id: Some("G1".into()), ..Default::default() };
        let r = coupon_core::PartnerRef::new("CPAB12CD340000001");
        let delivers = Capabilities { issue: true, issue_delivers: true, ..Capabilities::NONE };
        let buys = Capabilities { issue: true, ..Capabilities::NONE };
        assert!(issue_request(&delivers, "010-1234-5678", &row, r.clone()).unwrap().recipient.is_some());
        assert!(issue_request(&buys, "010-1234-5678", &row, r.clone()).unwrap().recipient.is_none());
        let e = issue_request(&delivers, "010-12", &row, r).unwrap_err();
        assert_eq!(e.field(), Some("phone"));
    }
}
