//! The SQLite backend: one file, WAL, `synchronous=FULL`, foreign keys on. Its
//! statements are the journal's one SQL layer (`src/sql/`), shared with PostgreSQL;
//! what is SQLite's own:
//!
//! - writing transactions start with `BEGIN IMMEDIATE` (take the write lock first, so a
//!   busy journal waits instead of failing an upgrade), which also serializes every
//!   capped marking: no other lock is needed;
//! - claims, marks and outcomes go through one writer connection, where writers queue
//!   instead of sleeping on SQLite's lock; it syncs in full only for the intents;
//! - the file is created owner-only, and narrowed to it when PINs go into it in clear.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{JournalError, Result};
use crate::sql::{Backend, Dialect, Pools, Stmt};

/// A journal in one SQLite file.
#[derive(Debug)]
pub struct SqliteJournal {
    /// The writer is one connection (`synchronous=NORMAL`, FULL for the intents):
    /// writers queue there instead of sleeping on SQLite's lock.
    pools: Pools<sqlx::Sqlite>,
    path: PathBuf,
}

/// The path in a `sqlite:PATH` / `sqlite://PATH` URL.
pub(crate) fn url_path(url: &str) -> Result<PathBuf> {
    let rest = url.strip_prefix("sqlite:").ok_or_else(|| JournalError::UnsupportedUrl(crate::error::shown_url(url)))?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or("");
    if rest.is_empty() || rest == ":memory:" {
        return Err(JournalError::UnsupportedUrl(format!(
            "{} (a journal must be a file)",
            crate::error::shown_url(url)
        )));
    }
    Ok(PathBuf::from(rest))
}

fn io_error(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io { path: path.display().to_string(), source }
}

/// Creates the file, readable by its owner only, unless it exists.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

/// Makes the file (and its WAL companions) owner-only; says whether anything changed.
#[cfg(unix)]
fn make_private(path: &Path) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let mut changed = false;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        let Ok(meta) = std::fs::metadata(&p) else { continue };
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(|e| io_error(&p, e))?;
            changed = true;
        }
    }
    Ok(changed)
}

#[cfg(not(unix))]
fn make_private(_path: &Path) -> Result<bool> {
    Ok(false)
}

impl SqliteJournal {
    /// Opens (creating, owner-only, if missing) the SQLite journal at `sqlite:PATH`:
    /// WAL, foreign keys on, a 10 s busy timeout; applies the migrations not yet
    /// applied; generates the PIN key on first open.
    ///
    /// Durability: what must survive a power loss is synced before the call returns
    /// (`synchronous=FULL`): campaigns and rows as loaded, every intent
    /// ([`crate::Journal::mark_sending`]), every idempotency record begun or answered
    /// ([`crate::Journal::begin_idempotent`], [`crate::Journal::finish_idempotent`]),
    /// and API keys created or revoked. Claims, lease renewals and outcomes are committed
    /// with `synchronous=NORMAL`: they survive the process dying at any moment, and a
    /// power loss can only take back the last of them, which leaves their rows
    /// `sending`, that is in doubt, settled with the vendor; and the next intent's
    /// sync makes them durable too (the WAL is one file, synced in order).
    pub async fn open(url: &str) -> Result<Self> {
        let path = url_path(url)?;
        create_private(&path)?;
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.synchronous(SqliteSynchronous::Normal))
            .await?;
        Ok(Self { pools: Pools::open(reader, writer).await?, path })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Dialect for sqlx::Sqlite {
    // An alias of the rowid.
    const ID_KEY: &'static str = "INTEGER PRIMARY KEY";
    // Takes the write lock first, so a busy journal waits instead of failing an
    // upgrade; it also serializes every capped marking with every other writer.
    const BEGIN: &'static str = "BEGIN IMMEDIATE";

    // The writer commits with NORMAL; an intent must survive a power loss before its
    // request may leave.
    fn intent_sync(durable: bool) -> Option<Stmt> {
        Some(Stmt::new(if durable { "PRAGMA synchronous = FULL" } else { "PRAGMA synchronous = NORMAL" }))
    }
}

impl Backend for SqliteJournal {
    type Db = sqlx::Sqlite;

    fn pools(&self) -> &Pools<sqlx::Sqlite> {
        &self.pools
    }

    fn pins_in_clear(&self, campaign: &str) -> Result<String> {
        let tightened = make_private(&self.path)?;
        Ok(format!(
            "campaign `{}` keeps issued PINs in clear in {}: whoever can read that file can spend the coupons. \
             The file is readable by its owner only{}; keep it so, and out of backups you do not control.",
            campaign,
            self.path.display(),
            if tightened { " (its permissions were just narrowed to 0600)" } else { "" }
        ))
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Row as _;

    use super::*;

    #[tokio::test]
    async fn every_connection_is_durable_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let j = SqliteJournal::open(&format!("sqlite://{}", dir.path().join("j.db").display())).await.unwrap();
        // Every pooled connection, not only the first.
        let mut conns = Vec::new();
        for _ in 0..4 {
            conns.push(j.pools.reader.acquire().await.unwrap());
        }
        for conn in &mut conns {
            let get = |name: &'static str| sqlx::query(name);
            let one = |row: sqlx::sqlite::SqliteRow| row.try_get::<i64, _>(0).unwrap();
            assert_eq!(one(get("PRAGMA synchronous").fetch_one(&mut **conn).await.unwrap()), 2, "FULL");
            assert_eq!(one(get("PRAGMA foreign_keys").fetch_one(&mut **conn).await.unwrap()), 1);
            assert_eq!(one(get("PRAGMA busy_timeout").fetch_one(&mut **conn).await.unwrap()), 10_000);
            let mode: String = get("PRAGMA journal_mode").fetch_one(&mut **conn).await.unwrap().try_get(0).unwrap();
            assert_eq!(mode, "wal");
        }
    }

    #[test]
    fn urls_name_files() {
        assert_eq!(url_path("sqlite:a/b.db").unwrap(), PathBuf::from("a/b.db"));
        assert_eq!(url_path("sqlite:///tmp/j.db").unwrap(), PathBuf::from("/tmp/j.db"));
        assert_eq!(url_path("sqlite://j.db?mode=rwc").unwrap(), PathBuf::from("j.db"));
        assert!(url_path("sqlite::memory:").is_err());
        assert!(url_path("sqlite:").is_err());
    }
}
