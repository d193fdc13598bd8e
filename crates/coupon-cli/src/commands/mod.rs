//! One module per command.

mod adapters;
mod sandbox;

use coupon::Result;

use crate::cli::{Cli, Command};
use crate::output::Output;

/// Runs the command.
pub async fn run(cli: &Cli, out: &Output) -> Result<()> {
    match &cli.command {
        Command::Adapters => adapters::run(out),
        Command::Sandbox { addr } => sandbox::run(*addr, out).await,
    }
}
