//! The fields of each scope (the root, or one `<ORDER_INFO>`), typed into records.

use coupon_core::chrono::NaiveDate;
use coupon_core::time::{KstDateTime, parse_compact_date, parse_compact_datetime};
use coupon_core::{Balance, Pin, Won};

use super::replies::{CouponType, ORDER_INFO, OrderRecord, OrderStatus, ROOT, ReceiverMobile, StatusAnswer, clip};
use super::xml::{Document, Field};
use super::{Answer, Refusal, WireError};

/// The answer the document holds, or the vendor's refusal.
pub(super) fn answer(document: &Document<'_>) -> Result<Answer<StatusAnswer>, WireError> {
    if document.root != ROOT {
        return Err(WireError::new(clip(&format!("the root element is <{}>, not <{ROOT}>", document.root))));
    }
    let top = Scope::of(&document.root_fields, ROOT)?;
    let code = top
        .get(Name::ResultCode)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| WireError::new(format!("<RESULT_CODE> is missing or empty in <{ROOT}>")))?;
    let message = top.get(Name::ResultMsg).unwrap_or("").to_string();
    if code != crate::codes::SUCCESS {
        return Ok(Err(Refusal::new(code, Some(message))));
    }
    let orders = if document.blocks.is_empty() {
        vec![Fields { own: &top, root: None }.record()?]
    } else {
        let mut orders = Vec::with_capacity(document.blocks.len());
        for block in &document.blocks {
            let own = Scope::of(block, ORDER_INFO)?;
            orders.push(Fields { own: &own, root: Some(&top) }.record()?);
        }
        orders
    };
    Ok(Ok(StatusAnswer { message, orders }))
}

/// The fields the answer is read from: a scope holds each in its own slot.
#[derive(Clone, Copy, Debug)]
pub(super) enum Name {
    ResultCode,
    ResultMsg,
    CouponType,
    OrderDate,
    Status,
    ReceiverMobile,
    BarcodeNum,
    ValidEndDate,
    ExchangeDate,
    CancelDate,
    TotalAmount,
    RemainAmount,
}

impl Name {
    /// The number of slots: one past the last name, so a new name cannot index past them.
    const COUNT: usize = Self::RemainAmount as usize + 1;

    pub(super) fn of(name: &str) -> Option<Self> {
        Some(match name {
            "RESULT_CODE" => Self::ResultCode,
            "RESULT_MSG" => Self::ResultMsg,
            "COUPON_TYPE" => Self::CouponType,
            "ORDER_DATE" => Self::OrderDate,
            "STATUS" => Self::Status,
            "RECEIVER_MOBILE" => Self::ReceiverMobile,
            "BARCODE_NUM" => Self::BarcodeNum,
            "VALID_END_DATE" => Self::ValidEndDate,
            "EXCHANGE_DATE" => Self::ExchangeDate,
            "CANCEL_DATE" => Self::CancelDate,
            "TOTAL_AMOUNT" => Self::TotalAmount,
            "REMAIN_AMOUNT" => Self::RemainAmount,
            _ => return None,
        })
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::ResultCode => "RESULT_CODE",
            Self::ResultMsg => "RESULT_MSG",
            Self::CouponType => "COUPON_TYPE",
            Self::OrderDate => "ORDER_DATE",
            Self::Status => "STATUS",
            Self::ReceiverMobile => "RECEIVER_MOBILE",
            Self::BarcodeNum => "BARCODE_NUM",
            Self::ValidEndDate => "VALID_END_DATE",
            Self::ExchangeDate => "EXCHANGE_DATE",
            Self::CancelDate => "CANCEL_DATE",
            Self::TotalAmount => "TOTAL_AMOUNT",
            Self::RemainAmount => "REMAIN_AMOUNT",
        }
    }
}

/// The fields of one scope, each known one in its slot (trimmed text); the
/// others are only checked for repeats.
struct Scope<'d> {
    name: &'static str,
    slots: [Option<&'d str>; Name::COUNT],
}

impl<'d> Scope<'d> {
    /// A field named twice is an error (it would hide a second order behind the first).
    fn of(fields: &'d [Field<'_>], name: &'static str) -> Result<Self, WireError> {
        let mut slots = [None; Name::COUNT];
        for (i, field) in fields.iter().enumerate() {
            let repeated = match &field.name {
                Ok(known) => slots[*known as usize].replace(&*field.text).is_some(),
                // Only another unknown field can have an unknown name.
                Err(other) => fields[..i].iter().any(|f| f.name() == other),
            };
            if repeated {
                return Err(WireError::new(clip(&format!("<{}> appears twice in <{name}>", field.name()))));
            }
        }
        Ok(Self { name, slots })
    }

    fn get(&self, field: Name) -> Option<&'d str> {
        self.slots[field as usize]
    }
}

/// A record's fields: its own scope, falling back to the root's.
struct Fields<'s, 'd> {
    own: &'s Scope<'d>,
    root: Option<&'s Scope<'d>>,
}

impl<'d> Fields<'_, 'd> {
    /// Present and non-empty.
    fn get(&self, field: Name) -> Option<&'d str> {
        self.own.get(field).or_else(|| self.root.and_then(|r| r.get(field))).filter(|v| !v.is_empty())
    }

    fn required(&self, field: Name) -> Result<&'d str, WireError> {
        self.get(field)
            .ok_or_else(|| WireError::new(format!("<{}> is missing or empty in <{}>", field.as_str(), self.own.name)))
    }

    fn date(&self, field: Name) -> Result<NaiveDate, WireError> {
        let value = self.required(field)?;
        parse_compact_date(value).ok_or_else(|| {
            WireError::new(format!(
                "<{}> is not a date YYYYMMDD ({} characters)",
                field.as_str(),
                value.chars().count()
            ))
        })
    }

    /// Empty, absent or all zeros (a common "none" in old systems) is `None`.
    fn time(&self, field: Name) -> Result<Option<KstDateTime>, WireError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) if v.bytes().all(|b| b == b'0') => Ok(None),
            Some(v) => parse_compact_datetime(v).map(Some).ok_or_else(|| {
                WireError::new(format!(
                    "<{}> is not a time YYYYMMDDHHMISS ({} characters)",
                    field.as_str(),
                    v.chars().count()
                ))
            }),
        }
    }

    fn won(&self, field: Name, value: &str) -> Result<Won, WireError> {
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WireError::new(format!("<{}> is not a whole number of won", field.as_str())));
        }
        value.parse().map(Won).map_err(|_| WireError::new(format!("<{}> is too large", field.as_str())))
    }

    fn balance(&self, coupon_type: &CouponType) -> Result<Option<Balance>, WireError> {
        let (total, remain) = (self.get(Name::TotalAmount), self.get(Name::RemainAmount));
        match (coupon_type, total, remain) {
            (_, Some(t), Some(r)) => {
                Ok(Some(Balance::new(self.won(Name::TotalAmount, t)?, self.won(Name::RemainAmount, r)?)))
            }
            (CouponType::Amount, None, _) => self.required(Name::TotalAmount).map(|_| None),
            (CouponType::Amount, _, None) => self.required(Name::RemainAmount).map(|_| None),
            (CouponType::Barcode | CouponType::Other(_), _, _) => Ok(None),
        }
    }

    fn record(&self) -> Result<OrderRecord, WireError> {
        let coupon_type = CouponType::from_wire(self.required(Name::CouponType)?);
        Ok(OrderRecord {
            order_date: self.date(Name::OrderDate)?,
            status: OrderStatus::from_wire(self.required(Name::Status)?),
            receiver: self.get(Name::ReceiverMobile).map(ReceiverMobile::from_wire),
            barcode: Pin::new(self.required(Name::BarcodeNum)?),
            valid_until: self.date(Name::ValidEndDate)?,
            exchanged_at: self.time(Name::ExchangeDate)?,
            cancelled_at: self.time(Name::CancelDate)?,
            balance: self.balance(&coupon_type)?,
            coupon_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Name; Name::COUNT] = [
        Name::ResultCode,
        Name::ResultMsg,
        Name::CouponType,
        Name::OrderDate,
        Name::Status,
        Name::ReceiverMobile,
        Name::BarcodeNum,
        Name::ValidEndDate,
        Name::ExchangeDate,
        Name::CancelDate,
        Name::TotalAmount,
        Name::RemainAmount,
    ];

    #[test]
    fn every_name_reads_back_to_its_own_slot() {
        for (slot, name) in ALL.into_iter().enumerate() {
            assert_eq!(name as usize, slot);
            assert_eq!(Name::of(name.as_str()).map(Name::as_str), Some(name.as_str()));
        }
    }

    #[test]
    fn other_names_are_not_taken_for_known_ones() {
        for other in [
            "",
            "S",
            "STATUZ",
            "SAMPLE",
            "COUPON_DATE",
            "CANCEL_TYPE",
            "CXUPON_TYPE",
            "RESULT_CODX",
            "RESULT_MSGS",
            "status",
            "ORDER_INFO",
            "ORDER_DATE ",
            "REMAIN_AMOUNX",
            "RECEIVER_PHONE",
            "한글",
        ] {
            assert!(Name::of(other).is_none(), "{other:?}");
        }
    }
}
