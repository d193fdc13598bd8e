//! The command line, as clap reads it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands::coufun::CoufunCommand;
use crate::commands::giftimbiz::GiftimbizCommand;
use crate::commands::giftletter::GiftletterCommand;

/// Typed, safe access to Korean mobile-coupon vendors (Giftletter, GiftiMbiz, COUFUN).
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
    Adapters,
    /// Serve the vendor emulator on loopback in the foreground; prints base URLs and a ready coupon.toml.
    Sandbox {
        /// Loopback address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Start the sandbox in-process on a free port and tour every vendor through the library.
    Demo,
    /// Giftletter (기프트레터): issue PINs by SMS, cancel, status, resend, goods, redemption report.
    #[command(subcommand)]
    Giftletter(GiftletterCommand),
    /// GiftiMbiz (기프티엠비즈): gifticon and Starcoupon catalogs, buying, purchase history, QR, use.
    #[command(subcommand)]
    Giftimbiz(GiftimbizCommand),
    /// COUFUN (쿠펀): coupon status and stored-value balance.
    #[command(subcommand)]
    Coufun(CoufunCommand),
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
