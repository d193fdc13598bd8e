//! The command line, as clap reads it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands::generic::{
    CouponArgs, IssueArgs, OrderArgs, ProductArgs, ProductsArgs, ReconcileArgs, RedemptionsArgs,
};

/// Typed, safe access to Korean mobile-coupon vendors: the operations they share through any installed
/// adapter (`--vendor V`), and each vendor's own endpoints.
#[derive(Debug, Parser)]
#[command(name = "coupon", version, about, after_help = crate::exit::HELP)]
pub struct Cli {
    /// The configuration file (TOML, one section per vendor). Default: ./coupon.toml when present;
    /// every key can be overridden by an environment variable, e.g. COUPON_GIFTLETTER_AUTH_KEY.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Show PINs and phone numbers in full (keys and tokens are never shown).
    #[arg(long, global = true)]
    pub reveal: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The installed adapters and their capability matrix.
    Adapters {
        /// Print the matrix as the README's markdown table (one column per adapter, one row per operation).
        #[arg(long)]
        markdown: bool,
    },
    /// Serve the vendor emulator on loopback in the foreground; prints base URLs and a ready coupon.toml.
    Sandbox {
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Start the sandbox in-process on a free port and tour every installed adapter through the library.
    Demo,
    /// Issue (or buy) one coupon: moves money. Prints its partner reference before sending
    /// (with --json as one JSON line on stderr); an unknown outcome exits 4 with the reconcile command.
    Issue(IssueArgs),
    /// Cancel an issued coupon (moves money).
    Cancel(OrderArgs),
    /// Send the coupon message again.
    Resend(OrderArgs),
    /// A coupon's state: unused, used, cancelled, expired.
    Status(CouponArgs),
    /// What is left on a stored-value coupon.
    Balance(CouponArgs),
    /// List products (the filters a vendor cannot use are refused, named).
    Products(ProductsArgs),
    /// One product's details.
    Product(ProductArgs),
    /// The coupons redeemed on a day (KST).
    Redemptions(RedemptionsArgs),
    /// Settle an issue whose outcome was unknown: with the same flags and --ref, answers whether a coupon
    /// exists for it (issued, not_issued; still unknown exits 4). --since defaults to 24 hours ago (KST).
    Reconcile(ReconcileArgs),
    /// Campaigns: many coupons from one CSV file, each issued exactly once across crashes, recorded in a
    /// journal (--journal URL, default $COUPON_JOURNAL or sqlite:coupon-campaigns.db).
    #[command(subcommand)]
    Campaign(crate::commands::campaign::CampaignCommand),
    /// The HTTP service for back ends in any language: idempotent issues, cancels and resends under an
    /// Idempotency-Key, reads, campaigns, OpenAPI at /openapi.json. Stops cleanly on SIGTERM.
    Serve(crate::commands::serve::ServeArgs),
    /// The service's API keys: create (printed once, stored hashed), list, revoke.
    #[command(subcommand)]
    Keys(crate::commands::keys::KeysCommand),
    /// A vendor's own operations, one group per module of `src/native/`.
    #[command(flatten)]
    Native(crate::native::Native),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
