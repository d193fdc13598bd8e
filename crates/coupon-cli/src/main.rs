//! `coupon`: the command-line face of the coupon SDK.
//!
//! Exit codes: 0 success · 2 usage, config or invalid input (nothing was sent) ·
//! 3 the vendor refused (a definite failure) · 4 outcome unknown (reconcile before
//! retrying) · 5 transport or vendor unavailable after retries.

// The facade registers adapters at link time only if something names it.
extern crate coupon as _;

mod cli;
mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("COUPON_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coupon: cannot start the async runtime: {e}");
            return ExitCode::from(exit::TRANSPORT);
        }
    };
    let out = output::Output::new(cli.json);
    match runtime.block_on(commands::run(&cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::from(exit::code_for(&e))
        }
    }
}
