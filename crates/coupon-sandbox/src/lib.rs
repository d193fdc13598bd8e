//! A stateful, in-memory emulator of the coupon vendors' HTTP APIs, for integration
//! tests, demos and trying code without vendor accounts. The built-in emulators are the
//! modules of [`vendors`], one per vendor.
//!
//! Each vendor is served under its own prefix, its module's name (`/giftletter`, …),
//! written from the vendor's own document, independently of the SDK's adapters, so the
//! two readings check each other. The sandbox only ever listens on loopback
//! (127.0.0.0/8 or `::1`): it has no authentication and anyone reaching it may reset it.
//! Times are KST (UTC+09:00).
//!
//! ```no_run
//! use coupon_sandbox::{FaultKind, FaultSpec, Sandbox};
//!
//! # async fn demo() -> Result<(), coupon_sandbox::SandboxError> {
//! let sandbox = Sandbox::start().await?; // 127.0.0.1, free port
//! let giftletter_base = sandbox.vendor_url("giftletter"); // http://127.0.0.1:PORT/giftletter
//! let config = sandbox.config_toml(); // every vendor pointed at the sandbox
//! let samples = sandbox.admin().samples().await?; // what to pass to tour each vendor
//!
//! let admin = sandbox.admin();
//! // The next SendEPin runs, but its answer never arrives.
//! admin.inject(FaultSpec::new("/giftletter/SendEPin", FaultKind::Drop)).await?;
//! // ... run the code under test against `giftletter_base` ...
//! assert_eq!(admin.request_count("/giftletter/SendEPin").await?, 1);
//! sandbox.shutdown().await;
//! # let _ = (giftletter_base, config, samples);
//! # Ok(()) }
//! ```
//!
//! # Admin API
//!
//! Under `/_sandbox/`, JSON in and out; errors are `{"error": "..."}` with status 400
//! (malformed body or value), 404 (unknown vendor, coupon or route), 405, 409 (coupon
//! state forbids it) or 501 (not emulated yet). [`SandboxAdmin`] wraps it.
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /_sandbox/fixtures` | | every emulator's [`fixtures`](Emulator::fixtures), by name: `{"coufun": {...}, "giftimbiz": {...}, ...}` |
//! | `GET /_sandbox/samples` | | every emulator's [`samples`](Emulator::samples), by name |
//! | `POST /_sandbox/reset` | | `{"reset": true}`: every emulator's state, the faults and the counters are reset |
//! | `POST /_sandbox/redeem` | [`RedeemRequest`]: `{"vendor", "id", "branch"?, "amount"?, "at"?}` | the emulator's description of the redeemed coupon |
//! | `POST /_sandbox/faults` | [`FaultSpec`]: `{"path_prefix", "count"?, "fault"}` | `{"faults": [pending...]}` |
//! | `GET /_sandbox/faults` | | `{"faults": [pending...]}`, oldest first, with remaining counts |
//! | `DELETE /_sandbox/faults` | | `{"faults": []}` |
//! | `GET /_sandbox/stats` | | [`Stats`]: `{"requests": {"/giftletter/SendEPin": 2, ...}}` |
//! | `POST /_sandbox/age` | [`AgeRequest`]: `{"vendor", "seed"?, "redeem"?, "partly_use"?, "expire"?, "valid_until"?, "delivery_failed"?}` | [`AgeReport`]: per section the [`CouponRecord`]s it changed (see the crate README, "Ageing a campaign") |
//! | `GET /_sandbox/records/{vendor}` | | `{"items": [CouponRecord...]}`: every coupon the vendor issued, oldest first, with its state, last day, delivery, resends and cancel counts |
//! | `GET /_sandbox/{vendor}/issued` | | `{"items": [{"partner_ref", "order", "cancelled", ...}]}`: what the emulator issued or sold, oldest first ([`IssuedItem`]), where it keeps such a list |
//! | `/_sandbox/{vendor}/...` | | vendor-specific routes, when the emulator has some |
//!
//! `at` is `YYYY-MM-DD HH:MM:SS` in KST (default now); `amount` spends part of a
//! stored-value coupon (default all of it).
//!
//! # Faults
//!
//! A fault applies to the next `count` (default 1) requests whose path (without query)
//! starts with `path_prefix`. Faults queue in order: a request takes the oldest pending
//! fault that matches it. They never apply to the admin API. `fault` is one of
//! ([`FaultKind`]):
//!
//! | `fault` | effect |
//! |---|---|
//! | `{"kind": "latency", "ms": 1500}` | waits, then handles the request normally |
//! | `{"kind": "status", "status": 503}` | answers that status with `<html><body><h1>503 Service Unavailable</h1></body></html>` (`text/html`); the handler does not run |
//! | `{"kind": "drop"}` | the handler runs (the request takes effect), then the connection closes without any response |
//! | `{"kind": "drop_unprocessed"}` | the connection closes without any response; the handler does not run |
//! | `{"kind": "truncate"}` | the handler runs; the headers carry the true `Content-Length`, then half the body, then the connection closes |
//! | `{"kind": "malformed"}` | the handler runs; its body is replaced by the bytes `\xff\xfe{"not json`, status and content type kept |
//! | `{"kind": "replace", "status": 200, "content_type": "text/html", "body": "<html>…"}` | the handler runs; the answer is replaced by this status, content type and body (an unknown code, an HTML page with 200, …) |
//! | `{"kind": "hold_then_drop", "ms": 5000}` | the handler runs (the request takes effect), the answer is held `ms`, then the connection closes without it |
//! | `{"kind": "hold_then_answer", "ms": 5000}` | the handler runs (the request takes effect), the answer is held `ms`, then sent |
//!
//! # Request counting
//!
//! Every request outside `/_sandbox/` is counted per path, those hit by a fault
//! included (status, detail and report calls as well), so a test can assert "exactly
//! one token request":
//! `GET /_sandbox/stats`, [`SandboxAdmin::request_count`], or in-process
//! [`RunningSandbox::request_count`].
//!
//! # Adding an emulator
//!
//! A built-in emulator is one file, `src/vendors/<name>.rs` (with its submodules and
//! data under `src/vendors/<name>/`), and nothing else: `build.rs` finds every
//! `src/vendors/*.rs`, declares it as `vendors::<name>` and lists it in [`emulators`]
//! (in name order), so the server, the admin API (`fixtures`, `samples`, `reset`,
//! `redeem`, vendor routes), [`RunningSandbox::config_toml`] and the counting and
//! faults all pick it up. The module:
//!
//! - defines `pub(crate) fn emulator() -> Arc<dyn Emulator>`, a fresh instance;
//! - implements [`Emulator`]: its `name()` is `<name>` (the route prefix), `router()`
//!   the vendor's endpoints, `fixtures()` its catalog (embed it with
//!   `include_str!("<name>/fixtures.json")`), `reset()`, `redeem()`,
//!   [`config_section`](Emulator::config_section) the SDK configuration section with
//!   the credentials it accepts, [`samples`](Emulator::samples) what a tour passes to
//!   the SDK's shared operations, and optionally `admin_router()`, and for an
//!   issuing vendor [`age`](Emulator::age) and [`records`](Emulator::records);
//! - exposes its credentials as `pub mod credentials { pub const ...: &str }`, for
//!   tests.
//!
//! Nothing outside `src/vendors/` names a vendor. `<name>` is lowercase ASCII letters,
//! digits and `_`, and not an admin route name.
//!
//! # Custom emulators
//!
//! [`Sandbox::with_emulator`] adds (or replaces) an [`Emulator`] at run time, served
//! under `/{name}` with the same counting and faults.

mod admin;
mod aging;
mod client;
mod config;
mod emulator;
mod error;
mod faults;
mod fixtures;
mod records;
mod samples;
mod server;
mod state;

// `pub mod vendors { pub mod <name>; ... }` for every `src/vendors/<name>.rs`, and the
// list of built-in emulators: written by build.rs.
include!(concat!(env!("OUT_DIR"), "/vendors.rs"));

pub use aging::{
    AgeDeliveryFailed, AgeExpire, AgePartlyUse, AgeRedeem, AgeReport, AgeRequest, AgeValidUntil, Pick, Spread,
};
pub use client::{IssuedItem, SandboxAdmin};
pub use emulator::{Emulator, KST, RedeemRequest, emulators, now_kst, parse_kst};
pub use error::{AdminError, SandboxError};
pub use faults::{FaultKind, FaultSpec, MALFORMED_BODY, MAX_LATENCY_MS};
pub use records::{CouponRecord, RecordDelivery, RecordState};
pub use samples::{CouponSample, IssueSample, ProductsSample, RefusalSample, Samples};
pub use server::{RunningSandbox, Sandbox};
pub use state::{SandboxState, Stats};

use std::net::SocketAddr;

/// Serves the built-in emulators on `addr` (loopback only) until ctrl-c. The address
/// and configuration are logged with `tracing`; callers wanting them on screen can use
/// [`Sandbox::bind`] and [`RunningSandbox::run_until_ctrl_c`] instead.
///
/// # Errors
///
/// As [`Sandbox::bind`], and [`SandboxError::Signal`] when ctrl-c cannot be listened for.
pub async fn serve_forever(addr: SocketAddr) -> Result<(), SandboxError> {
    let sandbox = Sandbox::bind(addr).await?;
    tracing::info!(config = %sandbox.config_toml(), "coupon sandbox configuration");
    sandbox.run_until_ctrl_c().await
}
