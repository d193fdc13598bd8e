//! Running the service: health and readiness, metrics, the request log, the per-key rate
//! limit, and the signal that stops it.

pub mod health;
pub mod metrics;
pub mod observe;
pub mod rate;
pub mod signal;
