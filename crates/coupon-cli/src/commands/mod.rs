//! One module per command.

mod adapters;
pub mod campaign;
pub(crate) mod demo;
pub mod generic;
pub mod keys;
mod sandbox;
pub mod serve;

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

/// Runs the command; answers the exit code (a campaign's end may be one).
pub async fn run(cli: &Cli, out: &Output) -> CliResult<u8> {
    let ctx = Ctx { out: *out, config: cli.config.clone() };
    let done: CliResult = match &cli.command {
        Command::Campaign(command) => return campaign::run(command, &ctx).await,
        Command::Adapters { markdown } => Ok(adapters::run(out, *markdown)?),
        Command::Sandbox { addr } => Ok(sandbox::run(*addr, out).await?),
        Command::Demo => demo::run(out).await,
        Command::Issue(args) => generic::issue(args, &ctx).await,
        Command::Cancel(args) => generic::cancel(args, &ctx).await,
        Command::Resend(args) => generic::resend(args, &ctx).await,
        Command::Status(args) => generic::status(args, &ctx).await,
        Command::Balance(args) => generic::balance(args, &ctx).await,
        Command::Products(args) => generic::products(args, &ctx).await,
        Command::Product(args) => generic::product(args, &ctx).await,
        Command::Redemptions(args) => generic::redemptions(args, &ctx).await,
        Command::Reconcile(args) => generic::reconcile(args, &ctx).await,
        Command::Serve(args) => serve::run(args, cli.config.as_deref(), out).await,
        Command::Keys(command) => keys::run(command, out).await,
        Command::Native(group) => group.run(&ctx).await,
    };
    done.map(|()| 0)
}
