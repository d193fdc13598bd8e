//! Two independent readings of the document agree: records generated, written by the
//! sandbox's own XML writer (EUC-KR), parsed back by the adapter, equal.

use adapter_coufun::wire::replies::{CouponType, OrderRecord, OrderStatus, ReceiverMobile, StatusAnswer, parse_status};
use coupon_core::time::{parse_compact_date, parse_compact_datetime};
use coupon_core::{Balance, Pin, Won};
use coupon_sandbox::vendors::coufun::{OrderRecord as SandboxRecord, write_error_xml, write_status_xml};
use proptest::prelude::*;

fn compact_date() -> impl Strategy<Value = String> {
    (2000i32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}"))
}

fn compact_time() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (compact_date(), 0u32..24, 0u32..60, 0u32..60).prop_map(|(d, h, mi, s)| format!("{d}{h:02}{mi:02}{s:02}")),
    ]
}

/// Text without surrounding whitespace, with markup characters, Hangul and a character
/// EUC-KR cannot hold.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[-A-Za-z0-9가-힣&<>\"'*#;🎁]{{{min},{max}}}")).expect("regex")
}

fn record() -> impl Strategy<Value = SandboxRecord> {
    let kind = prop_oneof![
        Just("BARCODE".to_string()),
        Just("AMOUNT".to_string()),
        "[A-Z]{1,10}".prop_filter("another type", |t| t != "AMOUNT" && t != "BARCODE"),
    ];
    let status = prop_oneof![Just("000".to_string()), Just("001".to_string()), Just("100".to_string()), "[0-9]{3}"];
    let mobile = prop_oneof![Just(String::new()), "010[0-9]{8}", text(1, 13)];
    let amounts = (any::<bool>(), 0u64..10_000_000_000, 0u64..10_000_000_000);
    (kind, compact_date(), status, mobile, text(1, 30), compact_date(), compact_time(), compact_time(), amounts)
        .prop_map(
            |(
                coupon_type,
                order_date,
                status,
                receiver_mobile,
                barcode_num,
                valid_end_date,
                exchange_date,
                cancel_date,
                (with, total, remain),
            )| {
                let amounts = coupon_type == "AMOUNT" || with;
                SandboxRecord {
                    coupon_type,
                    order_date,
                    status,
                    receiver_mobile,
                    barcode_num,
                    valid_end_date,
                    exchange_date,
                    cancel_date,
                    total_amount: amounts.then_some(total),
                    remain_amount: amounts.then_some(remain),
                }
            },
        )
}

/// What the adapter must read from a record the sandbox wrote.
fn expected(r: &SandboxRecord) -> OrderRecord {
    let time = |s: &str| (!s.is_empty()).then(|| parse_compact_datetime(s).expect("generated time"));
    OrderRecord {
        coupon_type: CouponType::from_wire(&r.coupon_type),
        order_date: parse_compact_date(&r.order_date).expect("generated date"),
        status: OrderStatus::from_wire(&r.status),
        receiver: (!r.receiver_mobile.is_empty()).then(|| ReceiverMobile::from_wire(&r.receiver_mobile)),
        barcode: Pin::new(r.barcode_num.clone()),
        valid_until: parse_compact_date(&r.valid_end_date).expect("generated date"),
        exchanged_at: time(&r.exchange_date),
        cancelled_at: time(&r.cancel_date),
        balance: match (r.total_amount, r.remain_amount) {
            (Some(t), Some(m)) => Some(Balance::new(Won(t), Won(m))),
            _ => None,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn records_written_by_the_sandbox_parse_back_equal(records in proptest::collection::vec(record(), 1..=10)) {
        let bytes = write_status_xml(&records);
        let want = StatusAnswer { message: "SUCCESS".into(), orders: records.iter().map(expected).collect() };
        for charset in [Some("EUC-KR"), None] {
            prop_assert_eq!(parse_status(&bytes, charset), Ok(Ok(want.clone())));
        }
    }

    #[test]
    fn refusals_written_by_the_sandbox_parse_back_verbatim(code in "[0-9A-Z]{1,4}", message in text(0, 50)) {
        prop_assume!(code != "00");
        let bytes = write_error_xml(&code, &message);
        let Ok(Err(refusal)) = parse_status(&bytes, None) else {
            return Err(TestCaseError::fail("not a vendor refusal"));
        };
        prop_assert_eq!(refusal.code.raw(), code.as_str());
        prop_assert_eq!(refusal.message.unwrap_or_default(), message);
    }
}
