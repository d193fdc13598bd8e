//! The journal's one SQL layer, for both backends: what their statements share is
//! written here once, over sqlx's generic API, and a backend's database states only
//! the SQL that differs ([`Dialect`]).
//!
//! - [`driver`]: a statement and its arguments, run on either database;
//! - [`columns`]: the column lists, and times and states as stored;
//! - [`schema`]: the migrations and the PIN key.

mod columns;
mod driver;
mod schema;

pub(crate) use columns::{campaign_cols, duration_ms, now_ms, row_cols, state_list, time};
use driver::Driver;
pub(crate) use driver::Stmt;
pub(crate) use schema::{load_pin_key, migrate};

/// What differs in the SQL of a database, beyond the placeholders: each backend's, for
/// its sqlx database. The defaults are standard SQL.
pub(crate) trait Dialect: Driver {
    /// The auto-numbered key of `campaigns` and `campaign_rows` in the schema.
    const ID_KEY: &'static str;

    /// What begins a transaction that writes.
    const BEGIN: &'static str = "BEGIN";

    /// Run first in the migrations' transaction, where several processes may migrate at once.
    fn schema_lock() -> Option<Stmt> {
        None
    }
}
