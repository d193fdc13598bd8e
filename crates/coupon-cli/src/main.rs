//! `coupon`: the command-line face of the coupon SDK.
//!
//! Exit codes: 0 success · 2 usage, config or invalid input (nothing was sent) ·
//! 3 the vendor refused (a definite failure) · 4 outcome unknown (reconcile before
//! retrying) · 5 transport or vendor unavailable after retries · 6 a coupon already
//! exists for this reference; nothing new was issued · 130 interrupted by a signal.
//!
//! `coupon campaign …` (a CSV of coupons recorded in a journal, `--journal URL`): 2 the
//! input, the command line or the journal's contents (a refused CSV lists its bad lines;
//! nothing was stored or sent) · 3 the campaign stopped (account refused, `--max-spend`,
//! circuit breaker; `run` again resumes) · 4 rows in doubt (`coupon campaign reconcile
//! NAME`) · 5 the journal's storage failed · 130 interrupted by ctrl-c or SIGTERM (calls
//! in flight were recorded; a second ctrl-c aborts at once).

// The facade registers adapters at link time only if something names it.
extern crate coupon as _;

mod cli;
mod commands;
mod config;
mod exit;
mod failure;
mod format;
mod output;
mod progress;
mod when;

// The vendor-native command groups, found in `src/native/` by build.rs.
include!(concat!(env!("OUT_DIR"), "/native.rs"));

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use coupon::{Error, ErrorKind};

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if matches!(cli.command, cli::Command::Serve(_)) {
        // A service logs one JSON object a line (request id, route, status, time), at info unless COUPON_LOG
        // says otherwise.
        let filter = tracing_subscriber::EnvFilter::try_from_env("COUPON_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("COUPON_LOG"))
            .with_writer(std::io::stderr)
            // Colours only for a person at a terminal: a log file or a pipe gets plain text.
            .with_ansi(std::io::stderr().is_terminal())
            .init();
    }
    let out = output::Output::new(cli.json, cli.reveal);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&Error::new(ErrorKind::Transport, format!("cannot start the async runtime: {e}")).into());
            return ExitCode::from(exit::TRANSPORT);
        }
    };
    match runtime.block_on(commands::run(&cli, &out)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            out.error(&f);
            ExitCode::from(f.exit_code())
        }
    }
}

/// A command line clap refused: exit 2, and with `--json` still one JSON document on stdout.
fn usage_error(e: clap::Error) -> ExitCode {
    // Help and version are not errors (clap exits 0 for them).
    let informational = e.exit_code() == 0;
    if !informational && std::env::args_os().any(|a| a == "--json") {
        let rendered = e.render().to_string();
        // One line: clap's message and its details, without the usage and "try --help" lines.
        let message = rendered
            .lines()
            .map(str::trim)
            .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let message = message.trim_start_matches("error: ").to_string();
        output::line(&output::error_json(&Error::new(ErrorKind::InvalidInput, message)).to_string());
        return ExitCode::from(exit::USAGE);
    }
    let code = e.exit_code();
    let _ = e.print();
    ExitCode::from(u8::try_from(code).unwrap_or(exit::USAGE))
}
