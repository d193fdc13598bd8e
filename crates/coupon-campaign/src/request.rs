//! A journal row as the request the adapter sends: one function, used both when
//! `create` checks a row and when `run` sends or settles it, so what was checked is
//! what is sent.

use coupon_campaign_input::RequestFields;
use coupon_core::{Capabilities, Error, IssueRequest};

/// The request for one row: its stored fields ([`RequestFields::issue_request`]), its
/// partner reference, and the recipient when the vendor delivers to one
/// ([`Capabilities::issue_delivers`]); otherwise the phone number stays in the journal
/// for the caller to hand the coupon out.
pub fn issue_request(
    capabilities: &Capabilities,
    phone: &str,
    request: &RequestFields,
    partner_ref: coupon_core::PartnerRef,
) -> Result<IssueRequest, Error> {
    request.issue_request(capabilities.issue_delivers.then_some(phone), partner_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipient_goes_only_to_a_vendor_that_delivers() {
        let row = RequestFields { product_id: Some("G1".into()), ..Default::default() };
        let r = coupon_core::PartnerRef::new("CPAB12CD340000001");
        let delivers = Capabilities { issue: true, issue_delivers: true, ..Capabilities::NONE };
        let buys = Capabilities { issue: true, ..Capabilities::NONE };
        assert!(issue_request(&delivers, "010-1234-5678", &row, r.clone()).unwrap().recipient.is_some());
        assert!(issue_request(&buys, "010-1234-5678", &row, r.clone()).unwrap().recipient.is_none());
        let e = issue_request(&delivers, "010-12", &row, r).unwrap_err();
        assert_eq!(e.field(), Some("phone"));
    }
}
