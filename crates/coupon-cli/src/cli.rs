//! The command line, as clap reads it.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

/// Typed, safe access to Korean mobile-coupon vendors (Giftletter, GiftiMbiz, COUFUN).
#[derive(Debug, Parser)]
#[command(name = "coupon", version, about, after_help = crate::exit::HELP)]
pub struct Cli {
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
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
}
