//! The request a row's fields make: one function, used when a file is checked, when
//! a row is sent, and when it is settled, so that what was checked is what is sent.

use coupon_core::{Error, IssueRequest, PartnerRef, PhoneNumber, Won};

use crate::fields::RequestFields;

impl RequestFields {
    /// The request for these fields under `partner_ref`, to `recipient` (a phone
    /// number as text) when there is one. A field left empty (or blank) is not sent;
    /// the product is required. The first field that does not parse is the error,
    /// named by its column.
    ///
    /// ```
    /// use coupon_campaign_input::RequestFields;
    /// use coupon_core::PartnerRef;
    /// let fields = RequestFields { product_id: Some(" G1 ".into()), amount: Some("1,000원".into()), ..Default::default() };
    /// let r = fields.issue_request(Some("010-1234-5678"), PartnerRef::new("CPAB12CD340000001")).unwrap();
    /// assert_eq!((r.product_id.as_str(), r.amount.map(|w| w.get())), ("G1", Some(1_000)));
    /// assert!(r.recipient.is_some());
    /// ```
    pub fn issue_request(&self, recipient: Option<&str>, partner_ref: PartnerRef) -> Result<IssueRequest, Error> {
        let mut r = IssueRequest::new(String::new()).partner_ref(partner_ref);
        // The required fields first: a row without a product says so, whatever else is wrong.
        for (field, value) in self.iter().filter(|(f, _)| f.required()) {
            let value = non_empty(value).ok_or_else(|| {
                let flag = field.column.replace('_', "-");
                let column = field.column;
                Error::invalid_field(column, format!("is required: give --{flag} or a `{column}` column (none given)"))
            })?;
            r = field.apply(r, value)?;
        }
        if let Some(phone) = recipient {
            r = r.recipient(PhoneNumber::parse_field("phone", phone)?);
        }
        for (field, value) in self.iter().filter(|(f, _)| !f.required()) {
            if let Some(value) = non_empty(value) {
                r = field.apply(r, value)?;
            }
        }
        Ok(r)
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

/// Won from stored text: digits, optionally with `,` separators and a trailing `원`.
/// (A CSV cell is held to a stricter rule by the reader.)
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
    fn a_missing_product_is_named_first_then_the_recipient_then_the_fields_in_order() {
        let r = PartnerRef::new("CPAB12CD340000001");
        let none = RequestFields { callback: Some("x".into()), ..Default::default() };
        let e = none.issue_request(Some("010-12"), r.clone()).unwrap_err();
        assert_eq!(e.field(), Some("goods"));
        assert!(e.to_string().contains("give --goods or a `goods` column"), "{e}");
        let blank = RequestFields { product_id: Some("  ".into()), ..Default::default() };
        assert_eq!(blank.issue_request(None, r.clone()).unwrap_err().field(), Some("goods"));
        let bad = RequestFields { product_id: Some("G1".into()), ..none };
        assert_eq!(bad.issue_request(Some("010-12"), r.clone()).unwrap_err().field(), Some("phone"));
        assert_eq!(bad.issue_request(None, r.clone()).unwrap_err().field(), Some("callback"));
        let blank_title =
            RequestFields { product_id: Some("G1".into()), title: Some(" ".into()), ..Default::default() };
        assert_eq!(blank_title.issue_request(None, r).unwrap().title, None, "a blank field is not sent");
    }
}
