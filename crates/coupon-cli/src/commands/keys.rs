//! `coupon keys create|list|revoke`: the service's API keys, in its journal. A key is printed
//! once, when it is made; the journal keeps only its hash.

use clap::{Args, Subcommand};
use coupon::{Error, ErrorKind};
use coupon_journal::error::redact;
use coupon_journal::{ApiKey, Journal};
use coupon_server::auth::{keys, parse_scopes};
use serde_json::json;

use crate::commands::campaign::DEFAULT_JOURNAL;
use crate::failure::{CliResult, Failure};
use crate::output::Output;

/// `coupon keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key with scopes (issue, read, cancel, campaigns, pins, admin); prints it once.
    Create(CreateKeyArgs),
    /// Every key: id, name, scopes, when made and revoked (never the key).
    List(KeysJournal),
    /// Revoke a key by name or id: it is refused from then on (within the service's key cache, 5 s).
    Revoke(RevokeKeyArgs),
}

/// Where the keys live.
#[derive(Debug, Args)]
pub struct KeysJournal {
    /// The service's journal. Default: $COUPON_JOURNAL, else sqlite:coupon-campaigns.db.
    #[arg(long, value_name = "URL", env = "COUPON_JOURNAL", hide_env_values = true, default_value = DEFAULT_JOURNAL)]
    pub journal: String,
}

/// `coupon keys create`.
#[derive(Debug, Args)]
pub struct CreateKeyArgs {
    /// A name for the key (who uses it).
    pub name: String,
    /// Comma-separated scopes.
    #[arg(long, value_name = "SCOPES")]
    pub scope: String,
    #[command(flatten)]
    pub journal: KeysJournal,
}

/// `coupon keys revoke`.
#[derive(Debug, Args)]
pub struct RevokeKeyArgs {
    /// The key's name or id.
    pub key: String,
    #[command(flatten)]
    pub journal: KeysJournal,
}

async fn open(journal: &KeysJournal) -> CliResult<Box<dyn Journal>> {
    coupon_journal::open(&journal.journal)
        .await
        .map_err(|e| Failure::from(Error::new(ErrorKind::Config, redact(&e.to_string(), &journal.journal))))
}

/// Makes a key named `name` with `scopes` (comma-separated) in `journal`; answers it, to be shown once.
pub async fn create_in(journal: &dyn Journal, name: &str, scopes: &str) -> CliResult<keys::NewKey> {
    let scopes = parse_scopes(scopes)
        .map_err(|m| Failure::before_sending(Error::new(ErrorKind::InvalidInput, m).with_field("scope")))?;
    let made = keys::generate().map_err(|m| Error::new(ErrorKind::Config, m))?;
    let record = ApiKey {
        id: made.id.clone(),
        name: name.to_string(),
        scopes: scopes.iter().map(|s| s.as_str().to_string()).collect(),
        secret_hash: made.secret_hash.clone(),
        created_at: coupon::chrono::Utc::now(),
        revoked_at: None,
    };
    journal
        .create_api_key(&record)
        .await
        .map_err(|e| Failure::before_sending(Error::new(ErrorKind::InvalidInput, e.to_string()).with_field("name")))?;
    Ok(made)
}

/// Runs a keys command.
pub async fn run(command: &KeysCommand, out: &Output) -> CliResult {
    match command {
        KeysCommand::Create(a) => {
            let journal = open(&a.journal).await?;
            let made = create_in(journal.as_ref(), &a.name, &a.scope).await?;
            let scopes = parse_scopes(&a.scope).unwrap_or_default();
            let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            // The one place a key is ever shown.
            out.emit(&json!({"id": made.id, "name": a.name, "scopes": names, "key": made.token}), || {
                format!(
                    "API key `{}` ({}), scopes {}:\n{}\n\nIt is shown this once: the journal keeps only its hash.",
                    a.name,
                    made.id,
                    names.join(","),
                    made.token
                )
            });
            journal.close().await;
            Ok(())
        }
        KeysCommand::List(j) => {
            let journal = open(j).await?;
            let listed = journal.api_keys().await.map_err(|e| Error::new(ErrorKind::Config, e.to_string()))?;
            journal.close().await;
            let doc: Vec<_> = listed
                .iter()
                .map(|k| {
                    json!({"id": k.id, "name": k.name, "scopes": k.scopes, "created_at": k.created_at.to_rfc3339(),
                           "revoked_at": k.revoked_at.map(|t| t.to_rfc3339())})
                })
                .collect();
            out.emit(&json!(doc), || {
                if listed.is_empty() {
                    return "no API keys: make one with `coupon keys create NAME --scope issue,read`".to_string();
                }
                listed
                    .iter()
                    .map(|k| {
                        format!(
                            "{}  {:<20} {:<32} made {}{}",
                            k.id,
                            k.name,
                            k.scopes.join(","),
                            k.created_at.format("%Y-%m-%d %H:%M UTC"),
                            k.revoked_at
                                .map(|t| format!(", revoked {}", t.format("%Y-%m-%d %H:%M UTC")))
                                .unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        KeysCommand::Revoke(a) => {
            let journal = open(&a.journal).await?;
            let revoked =
                journal.revoke_api_key(&a.key).await.map_err(|e| Error::new(ErrorKind::Config, e.to_string()))?;
            journal.close().await;
            if !revoked {
                return Err(Failure::before_sending(
                    Error::new(ErrorKind::NotFound, format!("no unrevoked API key is named or has the id `{}`", a.key))
                        .with_field("key"),
                ));
            }
            out.emit(&json!({"revoked": a.key}), || format!("API key `{}` revoked", a.key));
            Ok(())
        }
    }
}
