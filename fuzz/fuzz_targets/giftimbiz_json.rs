//! Every GiftiMbiz response decoder over arbitrary bytes: none may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = adapter_giftimbiz::wire::replies::parse_all(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = adapter_giftimbiz::wire::resolve_image(s, "https://www.giftiexchange.com");
        let _ = adapter_giftimbiz::codes::TABLE.lookup(s);
    }
});
