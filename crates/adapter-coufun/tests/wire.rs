//! The answer parser on raw bytes: the vendor document's examples, both forms of
//! several orders, missing and malformed fields, charsets, masking, and hostile XML.

use adapter_coufun::codes;
use adapter_coufun::wire::replies::{CouponType, OrderStatus, StatusAnswer, parse_status};
use adapter_coufun::wire::requests::StatusRequest;
use coupon_core::chrono::NaiveDate;
use coupon_core::{Balance, CouponStatus, ErrorKind, Won};

/// The document's success example, verbatim (section 6).
const DOC_SUCCESS: &str = r#"<?xml version="1.0" encoding="EUC-KR"?>
<COUFUNSEARCH>
  <RESULT_CODE>00</RESULT_CODE>
  <RESULT_MSG>SUCCESS</RESULT_MSG>
  <COUPON_TYPE>AMOUNT</COUPON_TYPE>
  <ORDER_DATE>20230915</ORDER_DATE>
  <STATUS>000</STATUS>
  <RECEIVER_MOBILE>01012345678</RECEIVER_MOBILE>
  <BARCODE_NUM>ABC1234567890</BARCODE_NUM>
  <VALID_END_DATE>20231231</VALID_END_DATE>
  <EXCHANGE_DATE>20230915123000</EXCHANGE_DATE>
  <CANCEL_DATE></CANCEL_DATE>
  <TOTAL_AMOUNT>10000</TOTAL_AMOUNT>
  <REMAIN_AMOUNT>2500</REMAIN_AMOUNT>
</COUFUNSEARCH>"#;

/// The document's failure example, verbatim.
const DOC_FAILURE: &str = r#"<?xml version="1.0" encoding="EUC-KR"?>
<COUFUNSEARCH>
  <RESULT_CODE>99</RESULT_CODE>
  <RESULT_MSG>ERROR MESSAGE</RESULT_MSG>
</COUFUNSEARCH>"#;

fn euc_kr(text: &str) -> Vec<u8> {
    coupon_core::text::encode_euc_kr(text).expect("EUC-KR text").into_owned()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn malformed(bytes: &[u8], charset: Option<&str>) -> String {
    match parse_status(bytes, charset) {
        Err(e) => e.message().to_string(),
        other => panic!("expected an unreadable answer, got {other:?}"),
    }
}

fn order_info(date: &str, status: &str) -> String {
    format!(
        "<ORDER_INFO><COUPON_TYPE>BARCODE</COUPON_TYPE><ORDER_DATE>{date}</ORDER_DATE><STATUS>{status}</STATUS>\
         <RECEIVER_MOBILE>01040404040</RECEIVER_MOBILE><BARCODE_NUM>912603550784</BARCODE_NUM>\
         <VALID_END_DATE>20270208</VALID_END_DATE><EXCHANGE_DATE></EXCHANGE_DATE><CANCEL_DATE></CANCEL_DATE></ORDER_INFO>"
    )
}

fn success_with(blocks: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"EUC-KR\"?><COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>SUCCESS</RESULT_MSG>{blocks}</COUFUNSEARCH>"
    )
}

fn check_doc_success(answer: &StatusAnswer) {
    assert_eq!(answer.message, "SUCCESS");
    let [order] = answer.orders.as_slice() else { panic!("one order: {answer:?}") };
    assert_eq!(order.coupon_type, CouponType::Amount);
    assert_eq!(order.order_date, date(2023, 9, 15));
    assert_eq!(order.status, OrderStatus::Unused);
    let receiver = order.receiver.as_ref().expect("receiver");
    assert_eq!(receiver.phone().map(|p| p.expose_digits()), Some("01012345678"));
    assert_eq!(order.barcode.expose(), "ABC1234567890");
    assert_eq!(order.valid_until, date(2023, 12, 31));
    assert_eq!(order.exchanged_at.map(|t| t.to_rfc3339()).as_deref(), Some("2023-09-15T12:30:00+09:00"));
    assert_eq!(order.cancelled_at, None);
    assert_eq!(order.balance, Some(Balance::new(Won(10_000), Won(2_500))));
}

#[test]
fn the_documents_success_example_parses_as_utf8_and_as_euc_kr() {
    check_doc_success(&parse_status(DOC_SUCCESS.as_bytes(), None).expect("UTF-8 bytes").expect("a success"));
    check_doc_success(&parse_status(&euc_kr(DOC_SUCCESS), Some("EUC-KR")).expect("EUC-KR bytes").expect("a success"));
    check_doc_success(
        &parse_status(&euc_kr(DOC_SUCCESS), Some("ks_c_5601-1987")).expect("alias label").expect("a success"),
    );
}

#[test]
fn the_documents_failure_example_is_a_vendor_error_with_code_and_message_verbatim() {
    for bytes in [DOC_FAILURE.as_bytes().to_vec(), euc_kr(DOC_FAILURE)] {
        let refusal = parse_status(&bytes, None).unwrap().unwrap_err();
        assert_eq!((refusal.code.raw(), refusal.message.as_deref()), ("99", Some("ERROR MESSAGE")));
        let e = refusal.into_error(&codes::TABLE);
        assert_eq!(e.kind(), ErrorKind::Rejected);
        assert!(!e.is_retryable());
        assert_eq!(e.vendor_code().map(|c| c.raw()), Some("99"));
        assert_eq!(e.vendor_message(), Some("ERROR MESSAGE"));
    }
}

#[test]
fn a_korean_failure_message_is_read_from_euc_kr() {
    let xml = DOC_FAILURE.replace("ERROR MESSAGE", "존재하지 않는 쿠폰번호입니다.");
    let refusal = parse_status(&euc_kr(&xml), Some("EUC-KR")).unwrap().unwrap_err();
    assert_eq!((refusal.code.raw(), refusal.message.as_deref()), ("99", Some("존재하지 않는 쿠폰번호입니다.")));
    // Without any Content-Type the declaration decides; without a declaration, EUC-KR.
    assert!(matches!(parse_status(&euc_kr(&xml), None), Ok(Err(_))));
    let bare = xml.replace(r#"<?xml version="1.0" encoding="EUC-KR"?>"#, "");
    assert!(matches!(parse_status(&euc_kr(&bare), None), Ok(Err(_))));
}

#[test]
fn unknown_result_codes_are_kept_verbatim() {
    let xml = DOC_FAILURE.replace(">99<", "> E7 <").replace("ERROR MESSAGE", "");
    let e = parse_status(xml.as_bytes(), None).unwrap().unwrap_err().into_error(&codes::TABLE);
    assert_eq!((e.kind(), e.vendor_code().map(|c| c.raw())), (ErrorKind::Rejected, Some("E7")));
    assert_eq!(e.vendor_message(), None);
}

#[test]
fn several_orders_in_order_info_blocks_all_decode_and_the_latest_is_current() {
    let xml = success_with(
        &[order_info("20260315", "100"), order_info("20261110", "000"), order_info("20260816", "001")].concat(),
    );
    let answer = parse_status(xml.as_bytes(), None).expect("repeated form").expect("a success");
    let statuses: Vec<_> = answer.orders.iter().map(|o| o.status.clone()).collect();
    assert_eq!(statuses, [OrderStatus::Cancelled, OrderStatus::Unused, OrderStatus::Used]);
    let current = answer.current("912603550784").expect("current");
    assert_eq!(current.order_date, date(2026, 11, 10));
    // A tie on the date: the later block wins.
    let xml = success_with(&[order_info("20261110", "000"), order_info("20261110", "100")].concat());
    let answer = parse_status(xml.as_bytes(), None).unwrap().unwrap();
    assert_eq!(answer.current("912603550784").unwrap().status, OrderStatus::Cancelled);
}

#[test]
fn more_than_ten_orders_are_kept_all() {
    let blocks: String = (1..=12).map(|d| order_info(&format!("202601{d:02}"), "000")).collect();
    let answer = parse_status(success_with(&blocks).as_bytes(), None).expect("12 blocks").expect("a success");
    assert_eq!(answer.orders.len(), 12);
}

#[test]
fn order_info_blocks_fall_back_to_fields_shared_at_the_root() {
    let xml = success_with(
        "<COUPON_TYPE>AMOUNT</COUPON_TYPE><BARCODE_NUM>AMT1</BARCODE_NUM>\
         <ORDER_INFO><ORDER_DATE>20260101</ORDER_DATE><STATUS>001</STATUS><VALID_END_DATE>20261231</VALID_END_DATE>\
         <TOTAL_AMOUNT>5000</TOTAL_AMOUNT><REMAIN_AMOUNT>0</REMAIN_AMOUNT></ORDER_INFO>",
    );
    let answer = parse_status(xml.as_bytes(), None).expect("hybrid form").expect("a success");
    assert_eq!(answer.orders[0].coupon_type, CouponType::Amount);
    assert_eq!(answer.orders[0].barcode.expose(), "AMT1");
}

#[test]
fn unknown_values_are_kept_verbatim_and_unknown_elements_ignored() {
    let xml = DOC_SUCCESS
        .replace(">AMOUNT<", ">POINT<")
        .replace("<STATUS>000</STATUS>", "<STATUS>200</STATUS><NEW_FIELD>x<INNER/></NEW_FIELD><!-- note --><?pi x?>");
    let answer = parse_status(xml.as_bytes(), None).expect("tolerant").expect("a success");
    let order = &answer.orders[0];
    assert_eq!(order.coupon_type, CouponType::Other("POINT".into()));
    assert_eq!(order.status, OrderStatus::Other("200".into()));
    assert_eq!(order.coupon_status(date(2023, 10, 1)), CouponStatus::Unknown("200".into()));
    assert_eq!(order.balance, Some(Balance::new(Won(10_000), Won(2_500))), "amounts kept when sent");
}

#[test]
fn empty_absent_and_all_zero_times_are_absent() {
    let xml = DOC_SUCCESS
        .replace("<EXCHANGE_DATE>20230915123000</EXCHANGE_DATE>", "<EXCHANGE_DATE>00000000000000</EXCHANGE_DATE>")
        .replace("<CANCEL_DATE></CANCEL_DATE>", "<CANCEL_DATE/>")
        .replace("<RECEIVER_MOBILE>01012345678</RECEIVER_MOBILE>", "");
    let order = &parse_status(xml.as_bytes(), None).unwrap().unwrap().orders[0];
    assert_eq!((order.exchanged_at, order.cancelled_at), (None, None));
    assert!(order.receiver.is_none());
}

#[test]
fn missing_or_malformed_required_fields_are_named() {
    for (from, to, named) in [
        ("<STATUS>000</STATUS>", "", "<STATUS> is missing"),
        (
            "<BARCODE_NUM>ABC1234567890</BARCODE_NUM>",
            "<BARCODE_NUM> </BARCODE_NUM>",
            "<BARCODE_NUM> is missing or empty",
        ),
        ("<COUPON_TYPE>AMOUNT</COUPON_TYPE>", "", "<COUPON_TYPE>"),
        ("<REMAIN_AMOUNT>2500</REMAIN_AMOUNT>", "", "<REMAIN_AMOUNT> is missing"),
        ("<TOTAL_AMOUNT>10000</TOTAL_AMOUNT>", "", "<TOTAL_AMOUNT> is missing"),
        (
            "<TOTAL_AMOUNT>10000</TOTAL_AMOUNT>",
            "<TOTAL_AMOUNT>1만</TOTAL_AMOUNT>",
            "<TOTAL_AMOUNT> is not a whole number",
        ),
        ("<REMAIN_AMOUNT>2500</REMAIN_AMOUNT>", "<REMAIN_AMOUNT>-1</REMAIN_AMOUNT>", "<REMAIN_AMOUNT> is not a whole"),
        ("20231231", "2023-12-31", "<VALID_END_DATE> is not a date"),
        ("<ORDER_DATE>20230915</ORDER_DATE>", "<ORDER_DATE>20231332</ORDER_DATE>", "<ORDER_DATE> is not a date"),
        ("20230915123000", "202309151230", "<EXCHANGE_DATE> is not a time"),
        ("<RESULT_CODE>00</RESULT_CODE>", "", "<RESULT_CODE> is missing"),
        ("<STATUS>000</STATUS>", "<STATUS>000</STATUS><STATUS>001</STATUS>", "<STATUS> appears twice"),
        ("COUFUNSEARCH", "RESULT", "not <COUFUNSEARCH>"),
    ] {
        let xml = DOC_SUCCESS.replace(from, to);
        let message = malformed(&euc_kr(&xml), None);
        assert!(message.contains(named), "{to:?}: {message}");
    }
}

#[test]
fn malformed_messages_never_repeat_the_barcode_or_the_mobile() {
    let xml = DOC_SUCCESS.replace("20231231", "ABC1234567890x01012345678");
    let message = malformed(xml.as_bytes(), None);
    assert!(!message.contains("ABC1234567890") && !message.contains("12345678"), "{message}");
}

#[test]
fn records_and_errors_mask_the_receiver_and_the_barcode() {
    let answer = parse_status(DOC_SUCCESS.as_bytes(), None).unwrap().unwrap();
    let order = &answer.orders[0];
    let shown = format!("{answer:?} {order} {order:#?}");
    for secret in ["ABC1234567890", "01012345678", "010-1234-5678", "1234"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("*********7890") && shown.contains("010-****-5678"), "{shown}");
    // A receiver the vendor already masked or garbled is masked again, never shown whole.
    let xml = DOC_SUCCESS.replace(">01012345678<", ">010-98**-7654<");
    let order = &parse_status(xml.as_bytes(), None).unwrap().unwrap().orders[0];
    let receiver = order.receiver.as_ref().unwrap();
    assert!(receiver.phone().is_none());
    assert_eq!(receiver.masked(), "***-****-****", "under 10 digits: the core's rule shows none");
    assert!(!format!("{order:?} {order}").contains("98"));
    // The request, and the refusal of a bad one, mask the barcode too.
    let barcode = coupon_core::Pin::new("ABC1234567890");
    let request = StatusRequest { poc_id: "SANDBOX", goods_id: "CF20001000", barcode: &barcode };
    assert!(!format!("{request:?}").contains("ABC1234567890"));
    let long = coupon_core::Pin::new("ABC1234567890".repeat(3));
    let e = StatusRequest { barcode: &long, ..request }.to_form().unwrap_err();
    assert!(!format!("{e} {e:?}").contains("ABC1234567890"), "{e}");
    assert!(e.to_string().contains("39 bytes") && e.to_string().contains("limit is 30"), "{e}");
    let short = DOC_SUCCESS.replace(">01012345678<", ">12345<");
    let order = &parse_status(short.as_bytes(), None).unwrap().unwrap().orders[0];
    assert_eq!(order.receiver.as_ref().unwrap().masked(), "*****");
}

#[test]
fn status_meanings_with_expiry_and_a_spent_stored_value_coupon() {
    let order = parse_status(DOC_SUCCESS.as_bytes(), None).unwrap().unwrap().orders.remove(0);
    let partly = |today| order.coupon_status(today);
    let CouponStatus::PartlyUsed { remaining: Won(2500), at: Some(at) } = partly(date(2023, 12, 31)) else {
        panic!(
            "the document's example has 2,500 of 10,000 left, valid through its last day: {:?}",
            partly(date(2023, 12, 31))
        )
    };
    assert_eq!(at.to_rfc3339(), "2023-09-15T12:30:00+09:00", "EXCHANGE_DATE: when it was last spent from");
    assert_eq!(order.coupon_status(date(2024, 1, 1)), CouponStatus::Expired, "expiry wins over what is left");
    let whole = parse_status(DOC_SUCCESS.replace(">2500<", ">10000<").as_bytes(), None).unwrap().unwrap();
    assert_eq!(whole.orders[0].coupon_status(date(2023, 10, 1)), CouponStatus::Unused, "nothing spent");
    let voucher = DOC_SUCCESS.replace(">AMOUNT<", ">BARCODE<");
    let voucher = parse_status(voucher.as_bytes(), None).unwrap().unwrap().orders.remove(0);
    assert_eq!(
        voucher.coupon_status(date(2023, 10, 1)),
        CouponStatus::Unused,
        "only a stored-value coupon is spent in part"
    );
    let spent = parse_status(DOC_SUCCESS.replace(">2500<", ">0<").as_bytes(), None).unwrap().unwrap().orders.remove(0);
    assert!(matches!(spent.coupon_status(date(2023, 10, 1)), CouponStatus::Used { at: Some(_), place: None }));
    let used = parse_status(DOC_SUCCESS.replace(">000<", ">001<").as_bytes(), None).unwrap().unwrap().orders.remove(0);
    assert!(matches!(used.coupon_status(date(2030, 1, 1)), CouponStatus::Used { at: Some(_), .. }));
    let cancelled = DOC_SUCCESS
        .replace(">000<", ">100<")
        .replace("<CANCEL_DATE></CANCEL_DATE>", "<CANCEL_DATE>20230916090000</CANCEL_DATE>");
    let cancelled = parse_status(cancelled.as_bytes(), None).unwrap().unwrap().orders.remove(0);
    let CouponStatus::Cancelled { at: Some(at) } = cancelled.coupon_status(date(2023, 10, 1)) else { panic!() };
    assert_eq!(at.to_rfc3339(), "2023-09-16T09:00:00+09:00");
}

#[test]
fn escapes_cdata_and_character_references_are_read() {
    let xml = DOC_FAILURE
        .replace("ERROR MESSAGE", "&lt;A&gt; &amp; &quot;B&quot; &apos;C&apos; &#54620;&#xAE00; <![CDATA[<D>]]>");
    let refusal = parse_status(xml.as_bytes(), None).unwrap().unwrap_err();
    assert_eq!(refusal.message.as_deref(), Some("<A> & \"B\" 'C' 한글 <D>"));
}

// ---- hostile answers: never a panic, never an expansion ----

#[test]
fn a_billion_laughs_doctype_is_refused_without_expanding() {
    let xml = r#"<?xml version="1.0"?>
<!DOCTYPE COUFUNSEARCH [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<COUFUNSEARCH><RESULT_CODE>99</RESULT_CODE><RESULT_MSG>&lol2;</RESULT_MSG></COUFUNSEARCH>"#;
    let message = malformed(xml.as_bytes(), None);
    assert!(message.contains("DOCTYPE"), "{message}");
    assert!(!message.contains("lollol"), "{message}");
}

#[test]
fn an_external_entity_is_refused() {
    let xml = r#"<!DOCTYPE COUFUNSEARCH [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><COUFUNSEARCH><RESULT_CODE>99</RESULT_CODE><RESULT_MSG>&xxe;</RESULT_MSG></COUFUNSEARCH>"#;
    assert!(malformed(xml.as_bytes(), None).contains("DOCTYPE"));
    // Even without its declaration, the reference is not resolved.
    let bare = "<COUFUNSEARCH><RESULT_CODE>99</RESULT_CODE><RESULT_MSG>&xxe;</RESULT_MSG></COUFUNSEARCH>";
    assert!(malformed(bare.as_bytes(), None).contains("undeclared entity &xxe;"));
}

#[test]
fn an_unknown_entity_or_a_bad_character_reference_is_an_error() {
    let xml = DOC_FAILURE.replace("ERROR MESSAGE", "&foo;");
    assert!(malformed(xml.as_bytes(), None).contains("&foo;"));
    for bad in ["&#0;", "&#xD800;", "&#99999999999;", "&#xZZ;", "& loose", "&amp"] {
        let xml = DOC_FAILURE.replace("ERROR MESSAGE", bad);
        let _ = malformed(xml.as_bytes(), None);
    }
}

#[test]
fn deep_nesting_and_too_many_elements_are_refused() {
    let deep = format!("<COUFUNSEARCH>{}{}</COUFUNSEARCH>", "<A>".repeat(100_000), "</A>".repeat(100_000));
    assert!(malformed(deep.as_bytes(), None).contains("deeper than 16"));
    let wide = format!("<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE>{}</COUFUNSEARCH>", "<X/>".repeat(5_000));
    assert!(malformed(wide.as_bytes(), None).contains("more than 4096 elements"));
}

#[test]
fn unclosed_mismatched_and_truncated_documents_are_errors() {
    for xml in [
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE>",
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE></COUFUN>",
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE></COUFUNSEARCH></COUFUNSEARCH>",
        "<COUFUNSEARCH><RESULT_CODE>00",
        "<COUFUNSEARCH",
        "",
        "   ",
        "plain text",
        "<COUFUNSEARCH/><COUFUNSEARCH/>",
        "<?xml version=\"1.0\"?>",
        "<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE></COUFUNSEARCH>trailing",
    ] {
        let _ = malformed(xml.as_bytes(), None);
    }
    let cut = DOC_SUCCESS.find("<STATUS>").unwrap();
    let half = malformed(&DOC_SUCCESS.as_bytes()[..cut], None);
    assert!(half.contains("<COUFUNSEARCH> is never closed"), "{half}");
    let _ = malformed(&DOC_SUCCESS.as_bytes()[..cut + 3], None);
}

#[test]
fn invalid_euc_kr_bytes_are_an_error_never_a_replacement_character() {
    let mut bytes = DOC_FAILURE.as_bytes().to_vec();
    let at = DOC_FAILURE.find("ERROR").unwrap();
    bytes.splice(at..at + 5, [0xB0, 0xFF, 0xC8]);
    assert!(malformed(&bytes, None).contains("not valid EUC-KR"));
    assert!(malformed(&bytes, Some("euc-kr")).contains("not valid EUC-KR"));
}

#[test]
fn a_declaration_contradicting_the_bytes_is_an_error() {
    let korean = DOC_FAILURE.replace("ERROR MESSAGE", "존재하지 않는 쿠폰번호입니다.");
    // Declared EUC-KR, sent as UTF-8: EUC-KR decoding would "succeed" into other Hangul.
    assert!(malformed(korean.as_bytes(), None).contains("bytes are UTF-8"));
    // Declared UTF-8, sent as EUC-KR.
    let utf8_declared = korean.replace("EUC-KR", "UTF-8");
    assert!(malformed(&euc_kr(&utf8_declared), None).contains("not valid UTF-8"));
    // The header and the declaration disagree about non-ASCII bytes.
    assert!(malformed(&euc_kr(&korean), Some("UTF-8")).contains("contradict"));
    // A UTF-8 byte order mark in front of an EUC-KR declaration.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(euc_kr(&korean));
    assert!(malformed(&bom, None).contains("contradict"));
    // Unknown labels are refused, not guessed.
    assert!(malformed(&euc_kr(&korean), Some("klingon")).contains("unknown charset"));
    assert!(malformed(korean.replace("EUC-KR", "x-klingon").as_bytes(), None).contains("unknown charset"));
    // Labels may disagree harmlessly when every byte is ASCII.
    assert!(matches!(parse_status(DOC_FAILURE.as_bytes(), Some("UTF-8")), Ok(Err(_))));
    // A UTF-8 answer labelled UTF-8 everywhere is fine.
    assert!(matches!(parse_status(utf8_declared.as_bytes(), Some("utf-8")), Ok(Err(_))));
}

#[test]
fn the_sandbox_malformed_fault_body_is_a_protocol_error() {
    let _ = malformed(coupon_sandbox::MALFORMED_BODY, None);
    let _ = malformed(coupon_sandbox::MALFORMED_BODY, Some("EUC-KR"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        for charset in [None, Some("EUC-KR"), Some("UTF-8")] {
            let _ = parse_status(&bytes, charset);
        }
    }

    #[test]
    fn mutated_documents_never_panic(cut in 0usize..600, byte in proptest::prelude::any::<u8>(), at in 0usize..600) {
        let mut bytes = euc_kr(&success_with(&[order_info("20260315", "100"), order_info("20261110", "000")].concat()));
        let at = at.min(bytes.len() - 1);
        bytes[at] = byte;
        bytes.truncate(cut.max(1).min(bytes.len()));
        let _ = parse_status(&bytes, None);
    }
}
