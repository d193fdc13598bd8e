//! One statement, run the same way on either database: [`Stmt`] is its text and
//! arguments, [`Driver`] runs it through sqlx's generic API.
//!
//! Parameters are numbered `$1 … $n`: PostgreSQL's form, which SQLite takes as named
//! parameters that sqlx binds by their number. So a statement is written once, and
//! `$n` may stand several times in it. (Never `$n(` nor `$n::`: SQLite would read them
//! as a Tcl variable.)

use std::borrow::Cow;

use coupon_core::async_trait;
use sqlx::{AssertSqlSafe, Database, Encode, Executor, IntoArguments, Type};

use crate::decode::Columns;
use crate::error::Result;

/// A value bound to a statement: the journal stores text, BIGINT and booleans only.
/// No `Debug`: it may be a PIN.
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Flag(bool),
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $arg:expr;)*) => {
        $(impl From<$t> for Arg {
            fn from($v: $t) -> Self {
                $arg
            }
        })*
    };
}

arg_from! {
    i64 => |v| Arg::Int(Some(v));
    Option<i64> => |v| Arg::Int(v);
    bool => |v| Arg::Flag(v);
    &str => |v| Arg::Text(Some(v.to_owned()));
    String => |v| Arg::Text(Some(v));
    Option<String> => |v| Arg::Text(v);
    Option<&str> => |v| Arg::Text(v.map(str::to_owned));
    &Option<String> => |v| Arg::Text(v.clone());
}

/// A statement and its arguments, `$1` first.
pub(crate) struct Stmt {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
}

impl Stmt {
    pub(crate) fn new(sql: impl Into<Cow<'static, str>>) -> Self {
        Self { sql: sql.into(), args: Vec::new() }
    }

    /// Binds the next parameter.
    pub(crate) fn bind(mut self, arg: impl Into<Arg>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// This statement between `before` and `after` (two without parameters), sent as one: one round
    /// trip where the driver runs a text of several statements (SQLite), its parameters numbered as
    /// they were. Only for a statement whose rows are read: an affected-rows count would take the
    /// last one's figure twice.
    pub(crate) fn between(self, before: &Stmt, after: &Stmt) -> Stmt {
        debug_assert!(before.args.is_empty() && after.args.is_empty(), "only statements without parameters wrap");
        Stmt { sql: format!("{}; {}; {}", before.sql, self.sql, after.sql).into(), args: self.args }
    }
}

/// `$from, $from+1, …`: `count` parameters, for an `IN` list.
pub(crate) fn params(from: usize, count: usize) -> String {
    (from..from + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// `($from, …), (…)`: `count` tuples of `width` parameters, for a `VALUES` list.
pub(crate) fn tuples(from: usize, width: usize, count: usize) -> String {
    (0..count).map(|i| format!("({})", params(from + i * width, width))).collect::<Vec<_>>().join(", ")
}

/// A database the journal runs on: every statement goes through these calls, the one
/// place that binds arguments.
#[async_trait]
pub(crate) trait Driver: Database<Row: Columns, QueryResult: Affected> {
    /// Runs `stmt`; answers how many rows it changed.
    async fn execute(conn: &mut Self::Connection, stmt: Stmt) -> Result<u64>;
    /// Runs `stmt`; answers its rows.
    async fn fetch_all(conn: &mut Self::Connection, stmt: Stmt) -> Result<Vec<Self::Row>>;
    /// Runs `stmt`; answers its first row, if any.
    async fn fetch_optional(conn: &mut Self::Connection, stmt: Stmt) -> Result<Option<Self::Row>>;
}

/// How many rows a statement changed: each driver has it, under no common trait.
pub(crate) trait Affected {
    fn affected(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

#[cfg(feature = "postgres")]
impl Affected for sqlx::postgres::PgQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// The query of `stmt`, its arguments bound.
fn query<DB>(stmt: Stmt) -> sqlx::query::Query<'static, DB, DB::Arguments>
where
    DB: Database,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    stmt.args.into_iter().fold(sqlx::query(AssertSqlSafe(stmt.sql)), |q, arg| match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Flag(v) => q.bind(v),
    })
}

#[async_trait]
impl<DB> Driver for DB
where
    DB: Database<Row: Columns, QueryResult: Affected>,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    async fn execute(conn: &mut DB::Connection, stmt: Stmt) -> Result<u64> {
        Ok(query(stmt).execute(conn).await?.affected())
    }

    async fn fetch_all(conn: &mut DB::Connection, stmt: Stmt) -> Result<Vec<DB::Row>> {
        Ok(query(stmt).fetch_all(conn).await?)
    }

    async fn fetch_optional(conn: &mut DB::Connection, stmt: Stmt) -> Result<Option<DB::Row>> {
        Ok(query(stmt).fetch_optional(conn).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_number_their_parameters() {
        assert_eq!(params(5, 3), "$5, $6, $7");
        assert_eq!(tuples(2, 2, 2), "($2, $3), ($4, $5)");
    }
}
