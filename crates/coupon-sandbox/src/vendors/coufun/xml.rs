//! The answer's XML, written by hand the way COUFUN's document shows it, encoded in
//! EUC-KR.

use std::fmt;

use encoding_rs::EUC_KR;

/// `RESULT_CODE` of a successful inquiry.
pub const SUCCESS: &str = "00";
/// `RESULT_CODE` of the document's failure example, used for every refusal.
pub const FAILURE: &str = "99";

/// One order of a coupon, field by field as the answer carries it (text, as sent).
///
/// `Debug` masks the coupon number and the receiver's number, like the SDK does.
#[derive(Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// `COUPON_TYPE`: `BARCODE` (교환권) or `AMOUNT` (금액권).
    pub coupon_type: String,
    /// `ORDER_DATE`, `YYYYMMDD`.
    pub order_date: String,
    /// `STATUS`: `000` unused, `001` used, `100` cancelled.
    pub status: String,
    /// `RECEIVER_MOBILE`, digits.
    pub receiver_mobile: String,
    /// `BARCODE_NUM`.
    pub barcode_num: String,
    /// `VALID_END_DATE`, `YYYYMMDD`.
    pub valid_end_date: String,
    /// `EXCHANGE_DATE`, `YYYYMMDDHHMISS` or empty.
    pub exchange_date: String,
    /// `CANCEL_DATE`, `YYYYMMDDHHMISS` or empty.
    pub cancel_date: String,
    /// `TOTAL_AMOUNT`: written only when present (the document: AMOUNT coupons only).
    pub total_amount: Option<u64>,
    /// `REMAIN_AMOUNT`: written only when present (the document: AMOUNT coupons only).
    pub remain_amount: Option<u64>,
}

impl fmt::Debug for OrderRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = |s: &str| {
            let n = s.chars().count();
            let keep = if n >= 8 { 4 } else { 0 };
            let shown: String = s.chars().skip(n - keep).collect();
            format!("{}{shown}", "*".repeat(n - keep))
        };
        f.debug_struct("OrderRecord")
            .field("coupon_type", &self.coupon_type)
            .field("order_date", &self.order_date)
            .field("status", &self.status)
            .field("receiver_mobile", &tail(&self.receiver_mobile))
            .field("barcode_num", &tail(&self.barcode_num))
            .field("valid_end_date", &self.valid_end_date)
            .field("exchange_date", &self.exchange_date)
            .field("cancel_date", &self.cancel_date)
            .field("total_amount", &self.total_amount)
            .field("remain_amount", &self.remain_amount)
            .finish()
    }
}

/// A success answer (`RESULT_CODE` `00`, `RESULT_MSG` `SUCCESS`): one record in the
/// flat form of the document's example, several as repeated `<ORDER_INFO>` blocks.
/// No record at all writes a success with no order fields (the emulator never does).
///
/// ```
/// use coupon_sandbox::vendors::coufun::{write_status_xml, OrderRecord};
/// let record = OrderRecord {
///     coupon_type: "AMOUNT".into(), order_date: "20230915".into(), status: "000".into(),
///     receiver_mobile: "01012345678".into(), barcode_num: "ABC1234567890".into(),
///     valid_end_date: "20231231".into(), exchange_date: "20230915123000".into(),
///     cancel_date: String::new(), total_amount: Some(10000), remain_amount: Some(2500),
/// };
/// let xml = write_status_xml(&[record]);
/// assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<COUFUNSEARCH>\n"));
/// let text = String::from_utf8(xml).unwrap(); // all ASCII here
/// assert!(text.contains("  <REMAIN_AMOUNT>2500</REMAIN_AMOUNT>\n</COUFUNSEARCH>"));
/// ```
pub fn write_status_xml(records: &[OrderRecord]) -> Vec<u8> {
    let mut out = open(SUCCESS, "SUCCESS");
    match records {
        [one] => write_fields(&mut out, one, "  "),
        many => {
            for record in many {
                out.push_str("  <ORDER_INFO>\n");
                write_fields(&mut out, record, "    ");
                out.push_str("  </ORDER_INFO>\n");
            }
        }
    }
    close(out)
}

/// A failure answer, as the document's example: `RESULT_CODE` and `RESULT_MSG` only.
///
/// ```
/// let xml = coupon_sandbox::vendors::coufun::write_error_xml("99", "존재하지 않는 쿠폰번호입니다.");
/// let (text, _, bad) = encoding_rs::EUC_KR.decode(&xml);
/// assert!(!bad && text.contains("<RESULT_MSG>존재하지 않는 쿠폰번호입니다.</RESULT_MSG>"));
/// ```
pub fn write_error_xml(code: &str, message: &str) -> Vec<u8> {
    close(open(code, message))
}

fn open(code: &str, message: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<COUFUNSEARCH>\n");
    element(&mut out, "  ", "RESULT_CODE", code);
    element(&mut out, "  ", "RESULT_MSG", message);
    out
}

fn close(mut out: String) -> Vec<u8> {
    out.push_str("</COUFUNSEARCH>\n");
    // Characters EUC-KR cannot hold become numeric character references, which XML reads back.
    EUC_KR.encode(&out).0.into_owned()
}

fn write_fields(out: &mut String, r: &OrderRecord, indent: &str) {
    element(out, indent, "COUPON_TYPE", &r.coupon_type);
    element(out, indent, "ORDER_DATE", &r.order_date);
    element(out, indent, "STATUS", &r.status);
    element(out, indent, "RECEIVER_MOBILE", &r.receiver_mobile);
    element(out, indent, "BARCODE_NUM", &r.barcode_num);
    element(out, indent, "VALID_END_DATE", &r.valid_end_date);
    element(out, indent, "EXCHANGE_DATE", &r.exchange_date);
    element(out, indent, "CANCEL_DATE", &r.cancel_date);
    if let Some(total) = r.total_amount {
        element(out, indent, "TOTAL_AMOUNT", &total.to_string());
    }
    if let Some(remain) = r.remain_amount {
        element(out, indent, "REMAIN_AMOUNT", &remain.to_string());
    }
}

fn element(out: &mut String, indent: &str, name: &str, value: &str) {
    out.push_str(indent);
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, value);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry these at all, not even as references.
            c if (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('?'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(barcode: &str) -> OrderRecord {
        OrderRecord {
            coupon_type: "BARCODE".into(),
            order_date: "20261102".into(),
            status: "000".into(),
            receiver_mobile: "01012345678".into(),
            barcode_num: barcode.into(),
            valid_end_date: "20270131".into(),
            exchange_date: String::new(),
            cancel_date: String::new(),
            total_amount: None,
            remain_amount: None,
        }
    }

    fn text(bytes: &[u8]) -> String {
        let (text, _, bad) = EUC_KR.decode(bytes);
        assert!(!bad);
        text.into_owned()
    }

    #[test]
    fn one_record_is_flat_like_the_documents_example() {
        let xml = text(&write_status_xml(&[record("912605117340")]));
        let expected = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>
<COUFUNSEARCH>
  <RESULT_CODE>00</RESULT_CODE>
  <RESULT_MSG>SUCCESS</RESULT_MSG>
  <COUPON_TYPE>BARCODE</COUPON_TYPE>
  <ORDER_DATE>20261102</ORDER_DATE>
  <STATUS>000</STATUS>
  <RECEIVER_MOBILE>01012345678</RECEIVER_MOBILE>
  <BARCODE_NUM>912605117340</BARCODE_NUM>
  <VALID_END_DATE>20270131</VALID_END_DATE>
  <EXCHANGE_DATE></EXCHANGE_DATE>
  <CANCEL_DATE></CANCEL_DATE>
</COUFUNSEARCH>
";
        assert_eq!(xml, expected);
    }

    #[test]
    fn several_records_repeat_order_info_blocks() {
        let xml = text(&write_status_xml(&[record("1"), record("2"), record("3")]));
        assert_eq!(xml.matches("<ORDER_INFO>").count(), 3);
        assert_eq!(xml.matches("<RESULT_CODE>").count(), 1);
        assert!(xml.contains("  <ORDER_INFO>\n    <COUPON_TYPE>BARCODE</COUPON_TYPE>\n"));
    }

    #[test]
    fn text_is_escaped_and_korean_is_euc_kr() {
        let bytes = write_error_xml("99", "<쿠폰> & \"번호\" '오류' 🎁 \u{1}");
        assert!(bytes.windows(2).any(|w| w == [0xC4, 0xED]), "쿠 in EUC-KR");
        let xml = text(&bytes);
        assert!(
            xml.contains("<RESULT_MSG>&lt;쿠폰&gt; &amp; &quot;번호&quot; &apos;오류&apos; &#127873; ?</RESULT_MSG>"),
            "{xml}"
        );
    }

    #[test]
    fn debug_masks_the_barcode_and_the_mobile() {
        let shown = format!("{:?}", record("912605117340"));
        assert!(!shown.contains("912605117340") && !shown.contains("01012345678"), "{shown}");
        assert!(shown.contains("********7340"), "{shown}");
    }
}
