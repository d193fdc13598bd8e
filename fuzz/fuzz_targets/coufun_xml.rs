//! COUFUN's status answer parser on arbitrary bytes, with each charset label a
//! `Content-Type` may carry. It must never panic.
#![no_main]

use adapter_coufun::wire::replies::parse_status;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for charset in [None, Some("EUC-KR"), Some("UTF-8")] {
        if let Ok(Ok(answer)) = parse_status(data, charset) {
            // Reading what was parsed must not panic either (masking, selection, Display).
            for order in &answer.orders {
                let _ = order.to_string();
                let _ = format!("{order:?}");
                // Its state on its own last day, where a partly spent coupon is still valid.
                let _ = order.coupon_status(order.valid_until);
            }
            if let Some(first) = answer.orders.first() {
                let _ = answer.current(first.barcode.expose());
            }
        }
    }
});
