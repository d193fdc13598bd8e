//! The SQLite journal, over its public API, on real files: the behaviour suite
//! (`suite/mod.rs`, shared with PostgreSQL) and what is about the file itself.

mod suite;

use std::path::{Path, PathBuf};

use coupon_journal::{Claim, JournalError, RowState, check_transition};

use suite::{Fixture, LONG, PIN, issued_for, rows, spec};

/// A journal file in a fresh temporary directory.
struct SqliteFixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl SqliteFixture {
    fn make() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        Self { _dir: dir, path }
    }
}

async fn raw(path: &Path) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.unwrap()
}

impl Fixture for SqliteFixture {
    async fn new() -> Option<Self> {
        Some(Self::make())
    }

    fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    async fn schema_versions(&self) -> Vec<i64> {
        let pool = raw(&self.path).await;
        let versions: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_version ORDER BY version").fetch_all(&pool).await.unwrap();
        pool.close().await;
        versions.into_iter().map(|(v,)| v).collect()
    }

    async fn meta(&self) -> Vec<(String, String)> {
        let pool = raw(&self.path).await;
        let meta = sqlx::query_as("SELECT name, value FROM journal_meta ORDER BY name").fetch_all(&pool).await.unwrap();
        pool.close().await;
        meta
    }

    async fn cleanup(self) {}
}

suite::behaviour_tests!(SqliteFixture);

#[tokio::test]
async fn the_journal_is_in_wal_mode() {
    let f = SqliteFixture::make();
    f.open().await.close().await;
    let pool = raw(&f.path).await;
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn the_state_machine_has_exactly_its_edges() {
    use RowState::*;
    let allowed = [
        (Pending, Sending),
        (Sending, Issued),
        (Sending, Refused),
        (Sending, Unknown),
        (Sending, NotIssued),
        (Unknown, Issued),
        (Unknown, NotIssued),
        (NotIssued, Sending),
    ];
    for from in RowState::ALL {
        for to in RowState::ALL {
            let result = check_transition(from, to);
            if allowed.contains(&(from, to)) {
                assert!(result.is_ok(), "{from} → {to} must be allowed");
            } else {
                let e = result.unwrap_err().to_string();
                assert!(e.contains(from.as_str()) && e.contains(to.as_str()), "{e}");
            }
        }
    }
}

#[tokio::test]
async fn the_clear_pin_is_nowhere_in_the_files() {
    let f = SqliteFixture::make();
    let j = f.open().await;
    let c = j.create_campaign(&spec("masked", false)).await.unwrap().campaign;
    j.insert_rows(&c, &rows(1..=1)).await.unwrap();
    let r = j.claim(&Claim::new(&c, "w", 1, LONG)).await.unwrap().remove(0);
    j.mark_sending(&[r.id], "w", None).await.unwrap();
    j.record_issued(r.id, &issued_for(&r, Some(PIN))).await.unwrap();
    j.close().await;
    for suffix in ["", "-wal"] {
        let mut p = f.path.clone().into_os_string();
        p.push(suffix);
        if let Ok(bytes) = std::fs::read(&p) {
            assert!(!bytes.windows(PIN.len()).any(|w| w == PIN.as_bytes()), "PIN found in {p:?}");
        }
    }
}

#[cfg(unix)]
#[tokio::test]
async fn journal_files_are_owner_only_with_store_pins() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let f = SqliteFixture::make();
    let j = f.open().await;
    j.create_campaign(&spec("clear", true)).await.unwrap();
    assert_eq!(mode(&f.path), 0o600);

    // A file made by someone else, readable by all, is narrowed when PINs go into it.
    let g = SqliteFixture::make();
    std::fs::write(&g.path, b"").unwrap();
    std::fs::set_permissions(&g.path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let j = g.open().await;
    let warning = j.create_campaign(&spec("clear", true)).await.unwrap().warning.unwrap();
    assert!(warning.contains("0600"), "{warning}");
    assert_eq!(mode(&g.path), 0o600);
}

#[tokio::test]
async fn urls_name_a_backend_of_this_build() {
    let e = coupon_journal::open("mysql://x/y").await.unwrap_err();
    assert!(matches!(e, JournalError::UnsupportedUrl(_)), "{e}");
    assert!(e.to_string().contains("sqlite:PATH") && e.to_string().contains("postgres://"), "{e}");
    assert!(matches!(coupon_journal::open("sqlite::memory:").await, Err(JournalError::UnsupportedUrl(_))));
    #[cfg(not(feature = "postgres"))]
    for url in ["postgres://x/y", "postgresql://x/y"] {
        let e = coupon_journal::open(url).await.unwrap_err();
        assert!(matches!(e, JournalError::UnsupportedUrl(_)), "{e}");
        assert!(e.to_string().contains("lacks the `postgres` feature"), "{e}");
    }
}

#[tokio::test]
async fn open_existing_makes_no_journal_at_a_path_with_none() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("j.db").display());
    let Err(e) = coupon_journal::open_existing(&url).await else { panic!("opened a journal where there is none") };
    assert!(matches!(e, JournalError::NoJournal(_)), "{e}");
    assert!(!dir.path().join("j.db").exists(), "nothing was created");
    coupon_journal::open(&url).await.unwrap().close().await;
    coupon_journal::open_existing(&url).await.expect("the journal exists now").close().await;
}

#[tokio::test]
async fn a_journal_of_schema_3_gains_the_services_tables_and_keeps_its_campaigns() {
    let f = SqliteFixture::make();
    let j = f.open().await;
    let c = suite::campaign_with(&*j, "before", 2).await;
    j.close().await;
    // Migration 4 taken back: the journal as the release of schema 3 left it (a released
    // migration never changes, so 1–3 made exactly these tables).
    let pool = raw(&f.path).await;
    for undo in ["DROP TABLE idempotency", "DROP TABLE api_keys", "DELETE FROM schema_version WHERE version = 4"] {
        sqlx::query(undo).execute(&pool).await.unwrap();
    }
    pool.close().await;
    assert_eq!(f.schema_versions().await, vec![1, 2, 3]);

    let j = f.open().await;
    assert_eq!(j.schema_version().await.unwrap(), 4);
    assert_eq!(f.schema_versions().await, vec![1, 2, 3, 4]);
    assert_eq!(j.counts(&c).await.unwrap().pending, 2, "the campaign is as it was");
    let begin = coupon_journal::IdemBegin {
        scope: "k".into(),
        key: "order-1".into(),
        op: "issue".into(),
        target: None,
        fingerprint: "fp".into(),
        vendor: "test".into(),
        partner_ref: None,
        request: "{}".into(),
        order_id: None,
        owner: "w".into(),
        lease: LONG,
    };
    assert_eq!(j.begin_idempotent(&begin).await.unwrap(), coupon_journal::IdemBegun::Started);
    j.close().await;
}
