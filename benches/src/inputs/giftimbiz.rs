//! GiftiMbiz: a `listAll` page.

use super::BRANDS;

/// A `listAll` answer of `items` listings in the document's shape (§4.3), with the
/// drift its example shows spread over the page: prices and ids as strings or as
/// numbers, `isNext` as the string `"true"`, `percentage` a number or a string,
/// thumbnails absolute or relative (`/UPLOAD/...`).
pub fn listing_page(items: usize) -> Vec<u8> {
    let mut out = String::with_capacity(items * 620 + 80);
    out.push_str(&format!(
        "{{\n  \"result\": \"0000\",\n  \"total_count\": {},\n  \"isNext\": \"true\",\n  \"list\": [\n",
        items * 21
    ));
    for i in 0..items {
        let (brand, product) = BRANDS[i % BRANDS.len()];
        // Numbers on odd items, strings on even ones: both spellings on one page.
        let n = |v: u64| if i % 2 == 1 { v.to_string() } else { format!("\"{v}\"") };
        let md_idx = n(18_411 + i as u64);
        let price = 1_400 + 100 * (i as u64 % 30);
        let (p1, p2, p3) = (price * 67 / 100, price * 66 / 100, price * 33 / 100);
        let percentage = if i % 3 == 0 { "\"33\"".to_string() } else { "33".to_string() };
        let thumb = if i % 3 == 1 {
            format!("/UPLOAD/_PRODUCT/{:010}_AMTXFiCE_EB82A8EC969129ECB488ECBD94EC9790.png", 1_026_282_836 + i)
        } else {
            format!(
                "https://www.giftiexchange.com/UPLOAD/_PRODUCT/{:010}_AMTXFiCE_EB82A8EC969129ECB488ECBD94EC9790.png",
                1_026_282_836 + i
            )
        };
        out.push_str(&format!(
            "    {{\n      \"md_idx\": {md_idx},\n      \"endtime\": \"2026-12-31 00:00:00\",\n      \
             \"gm_thumb\": \"{thumb}\",\n      \"gm_idx\": {gm_idx},\n      \"sell_price1\": {s1},\n      \
             \"sell_price2\": {s2},\n      \"sell_price3\": {s3},\n      \"price\": {price},\n      \
             \"product\": \"{product}\",\n      \"mc_idx\": \"6\",\n      \"cate_name\": \"마트,편의점\",\n      \
             \"brand_name\": \"{brand}\",\n      \"mb_idx\": {mb_idx},\n      \"percentage\": {percentage},\n      \
             \"disprice\": {s1}\n    }}",
            gm_idx = n(27_935 + i as u64),
            s1 = n(p1),
            s2 = n(p2),
            s3 = n(p3),
            price = n(price),
            mb_idx = n(4 + (i % BRANDS.len()) as u64),
        ));
        out.push_str(if i + 1 < items { ",\n" } else { "\n" });
    }
    out.push_str("  ]\n}\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon::Won;
    use coupon::giftimbiz::wire::replies::parse_gift_listings;

    #[test]
    fn every_listing_of_the_page_reads_in_either_spelling() {
        let page = parse_gift_listings(&listing_page(100), "https://www.giftiexchange.com").unwrap().unwrap();
        assert_eq!((page.items.len(), page.total_count, page.is_next), (100, Some(2100), true));
        for (i, l) in page.items.iter().enumerate() {
            assert_eq!(l.md_idx, (18_411 + i).to_string());
            assert!(l.sell_price1.is_some() && l.sell_price3.is_some() && l.disprice.is_some(), "item {i}");
            assert_eq!(l.percentage, Some(33));
            assert!(l.thumb.as_deref().unwrap().starts_with("https://www.giftiexchange.com/UPLOAD/"));
            assert!(l.endtime.is_some());
        }
        assert_eq!((page.items[0].price, page.items[1].price), (Some(Won(1_400)), Some(Won(1_500))));
    }
}
