//! The sandbox the call and campaign benches run against, and its Giftletter
//! configuration, on one tokio runtime.

use coupon::config::CouponConfig;
use coupon::giftletter::GiftletterConfig;
use coupon_sandbox::{RunningSandbox, Sandbox};
use tokio::runtime::Runtime;

/// A two-thread runtime (like the machine's cores), the sandbox on loopback served by
/// it, and the Giftletter section the sandbox prints, read as a user's file would be.
///
/// # Panics
///
/// When the runtime or the sandbox cannot start or the section does not read: nothing
/// could be measured.
pub fn giftletter() -> (Runtime, RunningSandbox, GiftletterConfig) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime");
    let sandbox = runtime.block_on(Sandbox::start()).expect("the sandbox starts on loopback");
    let toml = sandbox.config_toml_for(&coupon::installed_adapters());
    let parsed = CouponConfig::from_toml(&toml).expect("the sandbox's configuration reads");
    let section = parsed.require("giftletter").expect("the sandbox configures giftletter");
    let config = GiftletterConfig::from_section(section).expect("the giftletter section is valid");
    (runtime, sandbox, config)
}
