//! Where a test's journal lives: a SQLite file, or (feature `postgres`) a schema of its
//! own, created with a random name and dropped at the end, in the server that
//! `COUPON_TEST_POSTGRES_URL` names (e.g. from `.ci/postgres start`). Without the URL
//! the PostgreSQL runs are skipped with a note, except under `CI=true`, where that fails.

/// A journal's place, and what removes it.
pub struct Store {
    /// The journal's URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    #[cfg(feature = "postgres")]
    schema: Option<(sqlx::PgPool, String)>,
}

impl Store {
    /// A journal file in a fresh temporary directory.
    pub fn sqlite() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("journal.db").display());
        Store {
            url,
            _dir: Some(dir),
            #[cfg(feature = "postgres")]
            schema: None,
        }
    }

    /// A schema of its own in the test server, or `None` (skip) when no server is named outside CI.
    #[cfg(feature = "postgres")]
    pub async fn postgres() -> Option<Store> {
        const URL_VAR: &str = "COUPON_TEST_POSTGRES_URL";
        let base = match std::env::var(URL_VAR) {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but {URL_VAR} is unset: CI must run the PostgreSQL tests (see .ci/postgres)")
            }
            _ => {
                // Once per run, and past the test harness's capture (which would hide it).
                static NOTE: std::sync::Once = std::sync::Once::new();
                NOTE.call_once(|| {
                    use std::io::Write as _;
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: {URL_VAR} is unset: the service's PostgreSQL runs are skipped (they pass without \
                         running; start a server with `.ci/postgres start`)"
                    );
                });
                return None;
            }
        };
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let schema = format!("coupon_test_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let admin = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options[search_path]={schema}");
        Some(Store { url, _dir: None, schema: Some((admin, schema)) })
    }

    /// Removes what the journal left (a PostgreSQL schema; a SQLite file goes with its directory).
    pub async fn remove(self) {
        #[cfg(feature = "postgres")]
        if let Some((admin, schema)) = self.schema {
            let sql = format!("DROP SCHEMA {schema} CASCADE");
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await.unwrap();
            admin.close().await;
        }
    }
}
