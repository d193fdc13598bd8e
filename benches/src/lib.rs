//! Benchmarks of the coupon SDK: every parser, and a whole call, beside its
//! physical limit measured in the same run (see `docs/performance.md`).
//!
//! - [`inputs`]: the documents, generated in each vendor's shape.
//! - [`parsers`]: groups 1–5 and 8 as [`pair::Pair`]s (ours, the limit, the bytes).
//! - [`calls`]: groups 6–7 against the sandbox on loopback.
//! - [`campaigns`]: campaigns (bare issues vs the journal's runner, several workers, a large file).
//! - [`report`]: the campaign report's page of a 1,000,000-row campaign beside its JSON.
//! - [`sync`]: `sync` by status beside bare look-ups of the same coupons.
//! - [`million`]: a 1,000,000-row campaign's journal after its send, built once and cached, and its report.
//! - [`server`]: `coupon serve` in-process (issues over HTTP beside bare issues, replays, replicas).
//! - [`flight`]: jobs at most C at a time, as every "at concurrency C" figure runs them.
//! - [`measure`]: the quick interleaved timing the `ratios` program prints.
//! - [`sandbox`]: the sandbox and its Giftletter configuration the calls and campaigns use.
//!
//! The criterion benches (`benches/parsers.rs`, `benches/calls.rs`) and the
//! `ratios` program run the very same closures.

pub mod calls;
pub mod campaigns;
pub mod flight;
pub mod inputs;
pub mod measure;
pub mod million;
pub mod pair;
pub mod parsers;
pub mod report;
pub mod sandbox;
pub mod server;
pub mod sync;
