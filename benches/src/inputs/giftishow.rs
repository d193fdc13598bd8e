//! Giftishow Biz: a `0101` goods list answer.

use super::BRANDS;

/// A `0101` goods list answer of `items` goods (one full page), in the shape the
/// integrations show: the `{"code","message","result"}` envelope, `listNum`, every
/// goods field, prices as numbers on even goods and strings on odd ones, one goods in
/// ten not on sale.
pub fn goods_list(items: usize) -> String {
    let mut out = String::with_capacity(items * 900 + 80);
    out.push_str(&format!("{{\"code\":\"0000\",\"message\":null,\"result\":{{\"listNum\":{items},\"goodsList\":["));
    for i in 0..items {
        let (brand, product) = BRANDS[i % BRANDS.len()];
        let won = 1_000 * (1 + (i % 50) as u64);
        let discount = won - won / 20;
        let price = |n: u64| if i % 2 == 0 { n.to_string() } else { format!("\"{n}\"") };
        let state = if i % 10 == 9 { "SUS" } else { "SALE" };
        let code = format!("G{:011}", 1_621_744 + i);
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"goodsCode\":\"{code}\",\"goodsNo\":{no},\"goodsName\":\"{product} {won}원\",\"brandCode\":\"BR{b:05}\",\
             \"brandName\":\"{brand}\",\"content\":\"매장에서 바코드를 제시하세요. 일부 매장 제외.\",\
             \"goodsTypeNm\":\"일반상품\",\"goodsTypeDtlNm\":\"커피/음료\",\
             \"goodsImgS\":\"https://bizimg.giftishow.com/Resource/goods/{code}_250.jpg\",\
             \"goodsImgB\":\"https://bizimg.giftishow.com/Resource/goods/{code}_500.jpg\",\
             \"brandIconImg\":\"https://bizimg.giftishow.com/Resource/brand/BR{b:05}.jpg\",\
             \"mmsGoodsImg\":\"https://bizimg.giftishow.com/Resource/goods/{code}_mms.jpg\",\
             \"discountPrice\":{d},\"realPrice\":{r},\"salePrice\":{s},\"discountRate\":5,\"validPrdTypeCd\":\"01\",\
             \"limitDay\":30,\"validPrdDay\":\"\",\"endDate\":\"20271231\",\"goodsStateCd\":\"{state}\",\
             \"category1Seq\":{c},\"srchKeyword\":\"{brand}\",\"affiliate\":\"\",\"mmsReserveFlag\":\"N\",\
             \"mmsBarcdCreateYn\":\"Y\"}}",
            no = 1_621_744 + i,
            b = i % BRANDS.len(),
            d = price(discount),
            r = price(won),
            s = price(won),
            c = 1 + i % 8,
        ));
    }
    out.push_str("]}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adapter_reads_every_goods_with_both_price_forms() {
        let page = coupon::giftishow::wire::replies::parse_goods_list(&goods_list(20)).unwrap().unwrap();
        assert_eq!((page.items.len(), page.list_num), (20, Some(20)));
        assert_eq!(page.items[0].sale_price, Some(coupon::Won(1_000)));
        assert_eq!(page.items[1].sale_price, Some(coupon::Won(2_000)), "a price written as text");
        assert_eq!(page.items.iter().filter(|g| !g.on_sale()).count(), 2);
    }
}
