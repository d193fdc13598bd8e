//! What an adapter can do.

/// The operations of [`crate::Adapter`] an adapter implements, as a flat set of
/// flags each adapter fills in literally (OpenDAL's `Capability` is the model).
///
/// ```
/// use coupon_core::Capabilities;
/// const CAPS: Capabilities = Capabilities { issue: true, status: true, ..Capabilities::NONE };
/// assert!(CAPS.issue && !CAPS.cancel);
/// assert_eq!(CAPS.entries()[0], ("issue", true));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Capabilities {
    /// `issue`: issue (or buy) a coupon.
    pub issue: bool,
    /// The vendor refuses a repeated partner reference, so an issue in doubt can be re-sent safely.
    pub issue_deduplicated: bool,
    /// `issue` delivers the coupon to the request's recipient by message (so the request
    /// carries the recipient, reply number, title and message); without it a coupon is
    /// bought into the partner's account and handed out by the caller.
    pub issue_delivers: bool,
    /// `cancel`: cancel an issued coupon.
    pub cancel: bool,
    /// `status`: read a coupon's state.
    pub status: bool,
    /// `resend`: send the coupon message again.
    pub resend: bool,
    /// `products`: list products.
    pub products: bool,
    /// `product`: one product's details.
    pub product_detail: bool,
    /// `redemptions`: the coupons redeemed on a day.
    pub redemptions: bool,
    /// `balance`: what is left on a stored-value coupon.
    pub balance: bool,
    /// `reconcile`: settle an issue whose outcome is in doubt, by the partner reference.
    pub reconcile: bool,
}

impl Capabilities {
    /// Nothing supported; the base for `..Capabilities::NONE`.
    pub const NONE: Capabilities = Capabilities {
        issue: false,
        issue_deduplicated: false,
        issue_delivers: false,
        cancel: false,
        status: false,
        resend: false,
        products: false,
        product_detail: false,
        redemptions: false,
        balance: false,
        reconcile: false,
    };

    /// Every flag with its name, in a fixed order (for tables).
    pub fn entries(&self) -> [(&'static str, bool); 11] {
        let Capabilities {
            issue,
            issue_deduplicated,
            issue_delivers,
            cancel,
            status,
            resend,
            products,
            product_detail,
            redemptions,
            balance,
            reconcile,
        } = *self;
        [
            ("issue", issue),
            ("issue_deduplicated", issue_deduplicated),
            ("issue_delivers", issue_delivers),
            ("cancel", cancel),
            ("status", status),
            ("resend", resend),
            ("products", products),
            ("product_detail", product_detail),
            ("redemptions", redemptions),
            ("balance", balance),
            ("reconcile", reconcile),
        ]
    }
}
