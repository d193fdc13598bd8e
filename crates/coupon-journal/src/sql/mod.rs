//! The journal's one SQL layer. Every statement, and the logic around it (loading,
//! claims, intents, outcomes, and why one was refused), is written here once over
//! sqlx's generic API, and [`journal`] makes it the [`crate::Journal`] of every
//! [`Backend`]. A backend ([`crate::sqlite`], [`crate::postgres`]) brings its
//! connections ([`Pools`]) and its warning for PINs kept in clear; its database's
//! [`Dialect`] is the little SQL that differs (the schema's key, how a writing
//! transaction begins, the locks, the syncing of intents).
//!
//! - [`driver`]: a statement and its arguments, run on either database;
//! - [`columns`]: the column lists, and times and states as stored;
//! - [`schema`]: the migrations and the PIN key;
//! - [`load`]: campaigns and rows in;
//! - [`claim`], [`mark`], [`record`]: a row's way from `pending` to its outcome;
//! - [`coupon`]: the coupon's state after its issue (checks, history, report days);
//! - [`cancel`], [`resend`]: a coupon's cancel and resends;
//! - [`figures`]: a campaign's aggregates;
//! - [`keys`], [`idempotency`]: the HTTP service's API keys and idempotency records;
//! - [`journal`]: the trait's methods, each on the right connection.

mod cancel;
mod claim;
mod columns;
mod coupon;
mod driver;
mod figures;
mod idempotency;
mod journal;
mod keys;
mod load;
mod mark;
mod record;
mod resend;
mod schema;

use std::fmt;

use sqlx::{Database, Pool};

pub(crate) use columns::{parse_day, time};
use driver::Driver;
pub(crate) use driver::Stmt;
pub(crate) use schema::LATEST as LATEST_SCHEMA;

use crate::error::Result;
use crate::pins::PinKey;

/// A connection of backend `B`'s database.
type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// What differs in the SQL of a database, beyond the placeholders: each backend's, for
/// its sqlx database. The defaults are standard SQL.
pub(crate) trait Dialect: Driver {
    /// The auto-numbered key of `campaigns` and `campaign_rows` in the schema.
    const ID_KEY: &'static str;

    /// What begins a transaction that writes.
    const BEGIN: &'static str = "BEGIN";

    /// What each index walk of a claim ends with, for rows another worker is claiming
    /// or marking at the same moment.
    const CLAIM_LOCK: &'static str = "";

    /// Run on the writer connection before (`durable`) and after (not) committing
    /// intents, where commits are not always synced.
    fn intent_sync(durable: bool) -> Option<Stmt> {
        let _ = durable;
        None
    }

    /// Run first in the migrations' transaction, where several processes may migrate at once.
    fn schema_lock() -> Option<Stmt> {
        None
    }

    /// Run in a capped marking's transaction before the spend is read, where the
    /// transaction alone does not serialize the markings of campaign `campaign`.
    fn campaign_lock(campaign: i64) -> Option<Stmt> {
        let _ = campaign;
        None
    }
}

/// A journal's connections and PIN key, whatever the backend.
#[derive(Debug)]
pub(crate) struct Pools<DB: Database> {
    /// The connections that read, and that load campaigns and rows.
    pub(crate) reader: Pool<DB>,
    /// The connections that claim, mark, record, renew and release.
    pub(crate) writer: Pool<DB>,
    /// The journal's key for PIN hashes.
    pub(crate) pin_key: PinKey,
}

impl<DB: Dialect> Pools<DB> {
    /// The journal on these connections (they may be one pool): brings its schema up
    /// to date and loads its PIN key, generated on first open.
    pub(crate) async fn open(reader: Pool<DB>, writer: Pool<DB>) -> Result<Self> {
        schema::migrate(&reader).await?;
        let pin_key = schema::load_pin_key(&reader).await?;
        Ok(Self { reader, writer, pin_key })
    }
}

impl<DB: Driver> Pools<DB> {
    /// `stmt`'s rows, read on a reader connection.
    async fn read(&self, stmt: Stmt) -> Result<Vec<DB::Row>> {
        DB::fetch_all(&mut *self.reader.acquire().await?, stmt).await
    }

    /// `stmt`'s first row, if any, read on a reader connection.
    async fn read_optional(&self, stmt: Stmt) -> Result<Option<DB::Row>> {
        DB::fetch_optional(&mut *self.reader.acquire().await?, stmt).await
    }

    /// Runs `stmt` on the writer; answers its rows.
    async fn write_fetch(&self, stmt: Stmt) -> Result<Vec<DB::Row>> {
        DB::fetch_all(&mut *self.writer.acquire().await?, stmt).await
    }

    /// Runs `stmt` on the writer; answers how many rows it changed.
    async fn write(&self, stmt: Stmt) -> Result<u64> {
        DB::execute(&mut *self.writer.acquire().await?, stmt).await
    }
}

/// A backend: a journal on a [`Dialect`]. Everything else, [`crate::Journal`]
/// included, is this module's.
pub(crate) trait Backend: fmt::Debug + Send + Sync + 'static {
    /// The database it runs on.
    type Db: Dialect;

    /// Its connections and PIN key.
    fn pools(&self) -> &Pools<Self::Db>;

    /// The warning for a campaign that keeps PINs in clear, once the storage is made as
    /// private as the backend can make it.
    fn pins_in_clear(&self, campaign: &str) -> Result<String>;
}
