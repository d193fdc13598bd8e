//! One module per command.

mod adapters;
pub mod coufun;
mod demo;
pub mod giftimbiz;
pub mod giftletter;
mod sandbox;

use std::path::PathBuf;

use coupon::Result;
use coupon::config::ConfigSection;

use crate::cli::{Cli, Command};
use crate::failure::CliResult;
use crate::output::Output;

/// What every vendor command needs: how to print, and where its configuration is.
#[derive(Debug)]
pub struct Ctx {
    /// The output mode.
    pub out: Output,
    config: Option<PathBuf>,
}

impl Ctx {
    /// The vendor's configuration section, read when a command first needs it.
    pub fn section(&self, vendor: &str) -> Result<ConfigSection> {
        let config = crate::config::load(self.config.as_deref())?;
        crate::config::section(&config, vendor)
    }
}

/// Runs the command.
pub async fn run(cli: &Cli, out: &Output) -> CliResult {
    let ctx = Ctx { out: *out, config: cli.config.clone() };
    match &cli.command {
        Command::Adapters => Ok(adapters::run(out)?),
        Command::Sandbox { addr } => Ok(sandbox::run(*addr, out).await?),
        Command::Demo => demo::run(out).await,
        Command::Giftletter(cmd) => giftletter::run(cmd, &ctx).await,
        Command::Giftimbiz(cmd) => giftimbiz::run(cmd, &ctx).await,
        Command::Coufun(cmd) => coufun::run(cmd, &ctx).await,
    }
}
