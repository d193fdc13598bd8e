//! Every Giftishow Biz answer parser, and the code tables, over arbitrary bytes: none may panic.
#![no_main]

use adapter_giftishow::wire::replies;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // What a log or an error may show of an answer: the masking `Debug`s run on vendor bytes too.
    if let Ok(Ok(reply)) = replies::parse_send(&text) {
        let _ = format!("{reply:?}");
    }
    if let Ok(Ok(coupons)) = replies::parse_coupon_detail(&text) {
        let _ = format!("{coupons:?}");
        // What `status` and `check` make of each coupon: its state, partly used by what is left.
        for coupon in &coupons {
            let _ = coupon.coupon_status();
            let _ = coupon.balance();
        }
    }
    let _ = replies::parse_goods_list(&text);
    let _ = replies::parse_goods_detail(&text);
    let _ = replies::parse_brand_list(&text);
    let _ = replies::parse_brand_detail(&text);
    let _ = replies::parse_bizmoney(&text);
    let _ = replies::parse_done(&text);
    let _ = adapter_giftishow::codes::TABLE.lookup(&text);
    let _ = adapter_giftishow::codes::coupon_status(&text, None);
    let _ = adapter_giftishow::wire::requests::check_tr_id(&text, 25);
});
