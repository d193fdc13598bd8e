//! The shared [`Adapter`] operations over COUFUN: `status` and `balance`.

use coupon_core::time::today_kst;
use coupon_core::{
    Adapter, Balance, Capabilities, CouponRef, CouponStatus, Error, ErrorKind, Pin, Result, Vendor, async_trait, op,
};

use crate::VENDOR;
use crate::client::Coufun;
use crate::config::CoufunConfig;
use crate::wire::{CouponType, OrderRecord};

/// What COUFUN offers through the shared trait.
pub const CAPABILITIES: Capabilities = Capabilities { status: true, balance: true, ..Capabilities::NONE };

/// COUFUN behind the shared [`Adapter`] trait.
///
/// Coupons are named by [`CouponRef::Barcode`] (product id and coupon number).
/// When the vendor answers several orders for a barcode, the one that says
/// what the coupon is now is the latest by order date (see
/// [`crate::wire::StatusAnswer::current`]).
///
/// - `status`: `000` unused (expired past its valid-until day; used when a
///   stored-value coupon has nothing left), `001` used at `EXCHANGE_DATE`,
///   `100` cancelled at `CANCEL_DATE`, anything else unknown and verbatim.
/// - `balance`: total and remaining won of a stored-value (`AMOUNT`) coupon; an
///   exchange voucher (`BARCODE`) has none: [`ErrorKind::Unsupported`].
#[derive(Clone, Debug)]
pub struct CoufunAdapter {
    client: Coufun,
}

impl CoufunAdapter {
    /// An adapter for `config`.
    ///
    /// # Errors
    ///
    /// As [`Coufun::new`].
    pub fn new(config: CoufunConfig) -> Result<Self> {
        Coufun::new(config).map(Self::from_client)
    }

    /// An adapter over an existing native client.
    pub fn from_client(client: Coufun) -> Self {
        Self { client }
    }

    /// The native client, for what the trait does not cover (every order record).
    pub fn client(&self) -> &Coufun {
        &self.client
    }

    /// The current order of the coupon `coupon` names.
    async fn current(&self, coupon: &CouponRef, operation: &'static str) -> Result<OrderRecord> {
        let (goods_id, barcode) = barcode_ref(coupon, operation)?;
        let answer = self.client.status(goods_id, barcode).await?;
        answer.current(barcode.expose()).cloned().ok_or_else(|| {
            Error::protocol("the answer holds no order record").with_vendor(VENDOR).with_operation(operation)
        })
    }
}

/// COUFUN looks a coupon up by product id and coupon number only.
fn barcode_ref<'a>(coupon: &'a CouponRef, operation: &'static str) -> Result<(&'a str, &'a Pin)> {
    match coupon {
        CouponRef::Barcode { goods_id, barcode } => Ok((goods_id, barcode)),
        // CouponRef is non-exhaustive: every other way of naming a coupon is one COUFUN cannot look up.
        _ => Err(Error::invalid_field(
            "coupon",
            "must be CouponRef::Barcode { goods_id, barcode }: COUFUN looks coupons up by product and coupon number",
        )
        .with_vendor(VENDOR)
        .with_operation(operation)),
    }
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
    .map_err(|e| e.with_vendor(VENDOR).with_operation(op::BALANCE))
}

#[async_trait]
impl Adapter for CoufunAdapter {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn status(&self, coupon: &CouponRef) -> Result<CouponStatus> {
        let record = self.current(coupon, op::STATUS).await?;
        Ok(record.coupon_status(today_kst()))
    }

    async fn balance(&self, coupon: &CouponRef) -> Result<Balance> {
        let record = self.current(coupon, op::BALANCE).await?;
        balance_of(&record)
    }
}
