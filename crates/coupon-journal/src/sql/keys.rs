//! The service's API keys: stored once each (never overwritten), listed, revoked.

use super::Backend;
use super::columns::{API_KEY_COLS, now_ms};
use super::driver::Stmt;
use super::mark::write_synced;
use crate::decode::api_key_from;
use crate::error::{JournalError, Result};
use crate::service::ApiKey;

pub(crate) async fn create<B: Backend>(journal: &B, key: &ApiKey) -> Result<()> {
    // A scope holding a comma would come back as two.
    if let Some(bad) = key.scopes.iter().find(|s| s.is_empty() || s.contains(',')) {
        return Err(JournalError::Invalid(format!("API key scope `{bad}`: a scope is a word without a comma")));
    }
    let sql = format!("INSERT INTO api_keys ({API_KEY_COLS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
    let stmt = Stmt::new(sql)
        .bind(key.id.as_str())
        .bind(key.name.as_str())
        .bind(key.scopes.join(","))
        .bind(key.secret_hash.as_str())
        .bind(key.created_at.timestamp_millis())
        .bind(key.revoked_at.map(|t| t.timestamp_millis()));
    // Synced: the key is shown once, on the strength of this.
    if write_synced(journal, stmt).await? > 0 {
        return Ok(());
    }
    let named = Stmt::new("SELECT id FROM api_keys WHERE name = $1").bind(key.name.as_str());
    if journal.pools().read_optional(named).await?.is_some() {
        return Err(JournalError::Invalid(format!("an API key named `{}` already exists", key.name)));
    }
    Err(JournalError::Invalid(format!("an API key with the id `{}` already exists", key.id)))
}

pub(crate) async fn get<B: Backend>(journal: &B, id: &str) -> Result<Option<ApiKey>> {
    let stmt = Stmt::new(format!("SELECT {API_KEY_COLS} FROM api_keys WHERE id = $1")).bind(id);
    journal.pools().read_optional(stmt).await?.as_ref().map(api_key_from).transpose()
}

pub(crate) async fn list<B: Backend>(journal: &B) -> Result<Vec<ApiKey>> {
    let stmt = Stmt::new(format!("SELECT {API_KEY_COLS} FROM api_keys ORDER BY created_at, name"));
    journal.pools().read(stmt).await?.iter().map(api_key_from).collect()
}

pub(crate) async fn revoke<B: Backend>(journal: &B, name_or_id: &str) -> Result<bool> {
    // A name wins over an id: a key named like another key's id revokes that key alone.
    let sql = "UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NULL \
               AND (name = $2 OR (id = $2 AND NOT EXISTS (SELECT 1 FROM api_keys AS n WHERE n.name = $2)))";
    // Synced: a power loss must not bring a revoked key back to life.
    Ok(write_synced(journal, Stmt::new(sql).bind(now_ms()).bind(name_or_id)).await? > 0)
}
