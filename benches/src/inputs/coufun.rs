//! COUFUN: a status answer with several `<ORDER_INFO>` blocks, written by the sandbox.

use coupon_sandbox::vendors::coufun::{OrderRecord, write_status_xml};

/// The status answer for one barcode with `orders` orders, as the sandbox writes it
/// (EUC-KR, declared in the XML): exchange vouchers and stored-value coupons in
/// turn, unused, used and cancelled.
pub fn status_xml(orders: usize) -> Vec<u8> {
    let records: Vec<OrderRecord> = (0..orders)
        .map(|i| {
            let amount = i % 2 == 1;
            let status = ["000", "001", "100"][i % 3];
            let day = format!("202603{:02}", 1 + i % 28);
            OrderRecord {
                coupon_type: if amount { "AMOUNT" } else { "BARCODE" }.into(),
                order_date: day.clone(),
                status: status.into(),
                receiver_mobile: format!("010{:08}", 12_345_678 + i),
                barcode_num: "912605117340".into(),
                valid_end_date: "20270131".into(),
                exchange_date: if status == "001" { format!("{day}153000") } else { String::new() },
                cancel_date: if status == "100" { format!("{day}091500") } else { String::new() },
                total_amount: amount.then_some(50_000),
                remain_amount: amount.then_some(50_000 - 1_000 * i as u64),
            }
        })
        .collect();
    write_status_xml(&records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coupon::coufun::wire::replies::{CouponType, OrderStatus, parse_status};

    #[test]
    fn ten_orders_read_back_with_their_balances() {
        let xml = status_xml(10);
        assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>"));
        let answer = parse_status(&xml, None).unwrap().unwrap();
        assert_eq!(answer.orders.len(), 10);
        assert_eq!(answer.orders[1].coupon_type, CouponType::Amount);
        assert_eq!(answer.orders[1].balance.unwrap().remaining.0, 49_000);
        assert_eq!(answer.orders[2].status, OrderStatus::Cancelled);
        assert!(answer.orders[1].exchanged_at.is_some() && answer.orders[2].cancelled_at.is_some());
    }
}
