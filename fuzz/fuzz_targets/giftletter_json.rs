//! Every Giftletter JSON answer parser on arbitrary text: none may panic.
#![no_main]

use adapter_giftletter::wire::replies::{
    parse_brand_image, parse_cancel, parse_goods_info, parse_goods_list, parse_resend, parse_send_epin, parse_status,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_send_epin(text);
    let _ = parse_cancel(text);
    let _ = parse_resend(text);
    let _ = parse_status(text);
    let _ = parse_goods_list(text);
    if let Ok(Ok(info)) = parse_goods_info(text) {
        let _ = (info.validity(), info.notice());
    }
    let _ = parse_brand_image(text);
});
