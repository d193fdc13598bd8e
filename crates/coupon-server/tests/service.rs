//! The service over real HTTP on loopback, against the sandbox, on SQLite and on PostgreSQL:
//! every endpoint, each idempotency case, scopes, and bad input.

mod common;

#[path = "service/campaigns.rs"]
mod campaigns;
#[path = "service/idempotency.rs"]
mod idempotency;
#[path = "service/input.rs"]
mod input;
#[path = "service/operations.rs"]
mod operations;
#[path = "service/reads.rs"]
mod reads;
