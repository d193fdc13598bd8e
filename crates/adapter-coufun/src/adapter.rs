//! The shared [`Adapter`] operations over COUFUN: `status` and `balance`.

use coupon_core::chrono::NaiveDate;
use coupon_core::context::WithErrorContext;
use coupon_core::time::today_kst;
use coupon_core::{
    Adapter, Balance, Capabilities, CouponCheck, CouponRef, CouponStatus, Error, ErrorKind, Pin, Result, Vendor,
    async_trait,
};

use crate::VENDOR;
use crate::client::Coufun;
use crate::wire::replies::{CouponType, OrderRecord};

/// What COUFUN offers through the shared trait.
pub const CAPABILITIES: Capabilities = Capabilities { status: true, balance: true, ..Capabilities::NONE };

/// COUFUN behind the shared [`Adapter`] trait.
///
/// Coupons are named by [`CouponRef::Barcode`] (product id and coupon number).
/// When the vendor answers several orders for a barcode, the one that says
/// what the coupon is now is the latest by order date (see
/// [`crate::wire::replies::StatusAnswer::current`]).
///
/// - `status`: `000` unused (expired past its valid-until day; used when a
///   stored-value coupon has nothing left, partly used when it has some but not
///   all of its total), `001` used at `EXCHANGE_DATE`, `100` cancelled at
///   `CANCEL_DATE`, anything else unknown and verbatim.
/// - `check`: the state with `VALID_END_DATE` as the last day it can be used.
/// - `balance`: total and remaining won of a stored-value (`AMOUNT`) coupon; an
///   exchange voucher (`BARCODE`) has none: [`ErrorKind::Unsupported`].
///
/// Every error names the vendor and the operation (ours, or the endpoint's when the
/// native call failed): the operations are an inner adapter's, whose errors
/// [`WithErrorContext`] completes.
#[derive(Clone)]
pub struct CoufunAdapter {
    ops: Operations,
}

impl CoufunAdapter {
    /// The adapter over a client.
    pub fn new(client: Coufun) -> Self {
        Self { ops: Operations { client } }
    }

    /// The native client, for what the trait does not cover (every order record).
    pub fn client(&self) -> &Coufun {
        &self.ops.client
    }
}

impl WithErrorContext for CoufunAdapter {
    type Inner = Operations;

    fn inner(&self) -> &Operations {
        &self.ops
    }
}

impl std::fmt::Debug for CoufunAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoufunAdapter").field("client", &self.ops.client).finish()
    }
}

/// The shared operations of [`CoufunAdapter`], each error as it arose.
#[derive(Clone, Debug)]
pub struct Operations {
    client: Coufun,
}

impl Operations {
    /// The current order of the coupon `coupon` names.
    async fn current(&self, coupon: &CouponRef) -> Result<OrderRecord> {
        let (goods_id, barcode) = barcode_ref(coupon)?;
        let answer = self.client.status(goods_id, barcode).await?;
        answer.current(barcode.expose()).cloned().ok_or_else(|| Error::protocol("the answer holds no order record"))
    }
}

/// COUFUN looks a coupon up by product id and coupon number only.
fn barcode_ref(coupon: &CouponRef) -> Result<(&str, &Pin)> {
    match coupon {
        CouponRef::Barcode { goods_id, barcode } => Ok((goods_id, barcode)),
        // CouponRef is non-exhaustive: every other way of naming a coupon is one COUFUN cannot look up.
        _ => Err(Error::invalid_field(
            "coupon",
            "must be CouponRef::Barcode { goods_id, barcode }: COUFUN looks coupons up by product and coupon number",
        )),
    }
}

/// What the record says of the coupon on `today` (KST).
fn check_of(record: &OrderRecord, today: NaiveDate) -> CouponCheck {
    CouponCheck::new(record.coupon_status(today)).valid_until(Some(record.valid_until))
}

/// The balance of a stored-value coupon's record.
fn balance_of(record: &OrderRecord) -> Result<Balance> {
    match (&record.coupon_type, record.balance) {
        (CouponType::Barcode, _) => Err(Error::new(
            ErrorKind::Unsupported,
            "the coupon is an exchange voucher (BARCODE); only stored-value (AMOUNT) coupons have a balance",
        )),
        (CouponType::Amount | CouponType::Other(_), Some(balance)) => Ok(balance),
        (CouponType::Amount | CouponType::Other(_), None) => Err(Error::new(
            ErrorKind::Unsupported,
            format!("the coupon's type `{}` carries no amounts", record.coupon_type.as_wire()),
        )),
    }
}

#[async_trait]
impl Adapter for Operations {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        self.check(coupon).await.map(|found| found.status)
    }

    /// The current order's state and `VALID_END_DATE`; the answer says nothing of
    /// delivery, and the coupon is named by its number already.
    async fn check(&self, coupon: &CouponRef) -> Result<CouponCheck> {
        let record = self.current(coupon).await?;
        Ok(check_of(&record, today_kst()))
    }

    async fn balance(&self, coupon: &CouponRef) -> Result<Balance> {
        let record = self.current(coupon).await?;
        balance_of(&record)
    }
}
