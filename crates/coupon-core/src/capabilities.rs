//! What an adapter can do.

use crate::adapter::op;

/// The operations of [`crate::Adapter`] an adapter implements, as a flat set of
/// flags each adapter fills in literally (OpenDAL's `Capability` is the model).
///
/// ```
/// use coupon_core::Capabilities;
/// const CAPS: Capabilities = Capabilities { issue: true, status: true, ..Capabilities::NONE };
/// assert!(CAPS.issue && !CAPS.cancel);
/// assert_eq!(CAPS.entries()[0], ("issue", true));
/// assert!(CAPS.offers(coupon_core::op::STATUS) && !CAPS.offers(coupon_core::op::CANCEL));
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
    /// A repeated `cancel` is harmless: the vendor refuses a second cancel of one coupon
    /// ([`crate::ErrorKind::AlreadyCancelled`]) and refunds once, so a cancel in doubt may be
    /// sent again to settle it.
    pub cancel_repeatable: bool,
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
        cancel_repeatable: false,
        status: false,
        resend: false,
        products: false,
        product_detail: false,
        redemptions: false,
        balance: false,
        reconcile: false,
    };

    /// Every operation of [`crate::Adapter`] a flag offers, named by its [`op`] constant,
    /// in the order a tour takes them (products → product → issue → status → resend →
    /// cancel → balance → redemptions → reconcile), which is also the order errors list
    /// them in.
    ///
    /// `issue_deduplicated`, `issue_delivers` and `cancel_repeatable` are no operations: they say
    /// how `issue` and `cancel` behave.
    pub const OPERATIONS: [&'static str; 9] = [
        op::PRODUCTS,
        op::PRODUCT,
        op::ISSUE,
        op::STATUS,
        op::RESEND,
        op::CANCEL,
        op::BALANCE,
        op::REDEMPTIONS,
        op::RECONCILE,
    ];

    /// Whether these capabilities offer the operation `operation` (an [`op`] name, as in
    /// [`Capabilities::OPERATIONS`]); false for any other name.
    ///
    /// The one place that pairs an operation with its flag, so that whatever refuses an
    /// operation before sending it (a command line, a service) and whatever checks that refusal
    /// (the conformance suite) cannot disagree.
    pub fn offers(&self, operation: &str) -> bool {
        match operation {
            op::ISSUE => self.issue,
            op::CANCEL => self.cancel,
            op::STATUS => self.status,
            op::RESEND => self.resend,
            op::PRODUCTS => self.products,
            op::PRODUCT => self.product_detail,
            op::REDEMPTIONS => self.redemptions,
            op::BALANCE => self.balance,
            op::RECONCILE => self.reconcile,
            _ => false,
        }
    }

    /// The operations offered, in the order of [`Capabilities::OPERATIONS`].
    pub fn offered(&self) -> impl Iterator<Item = &'static str> + '_ {
        Self::OPERATIONS.into_iter().filter(|o| self.offers(o))
    }

    /// Every flag with its name, in a fixed order (for tables).
    pub fn entries(&self) -> [(&'static str, bool); 12] {
        let Capabilities {
            issue,
            issue_deduplicated,
            issue_delivers,
            cancel,
            cancel_repeatable,
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
            ("cancel_repeatable", cancel_repeatable),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_maps_to_its_capability() {
        let all = Capabilities {
            issue: true,
            issue_deduplicated: true,
            issue_delivers: true,
            cancel: true,
            cancel_repeatable: true,
            status: true,
            resend: true,
            products: true,
            product_detail: true,
            redemptions: true,
            balance: true,
            reconcile: true,
        };
        for operation in Capabilities::OPERATIONS {
            assert!(all.offers(operation), "{operation}");
            assert!(!Capabilities::NONE.offers(operation), "{operation}");
        }
        assert!(Capabilities { product_detail: true, ..Capabilities::NONE }.offers(op::PRODUCT));
        assert!(!all.offers("issue_deduplicated") && !all.offers("product_detail"), "flags are not operations");
    }

    #[test]
    fn each_operation_has_its_own_flag() {
        // Turning on the flags one at a time offers each operation exactly once.
        let mut offered = Vec::new();
        for (i, _) in Capabilities::NONE.entries().iter().enumerate() {
            let mut c = Capabilities::NONE;
            let flags = [
                &mut c.issue,
                &mut c.issue_deduplicated,
                &mut c.issue_delivers,
                &mut c.cancel,
                &mut c.cancel_repeatable,
                &mut c.status,
                &mut c.resend,
                &mut c.products,
                &mut c.product_detail,
                &mut c.redemptions,
                &mut c.balance,
                &mut c.reconcile,
            ];
            *flags.into_iter().nth(i).unwrap() = true;
            offered.extend(c.offered());
        }
        offered.sort_unstable();
        let mut all = Capabilities::OPERATIONS.to_vec();
        all.sort_unstable();
        assert_eq!(offered, all);
    }
}
