//! `coupon serve`: the HTTP service (`coupon-server`) over the configured adapters and a journal.
//!
//! The adapters are those the configuration has a section for (`--config`, `./coupon.toml`, the
//! environment), or, with `--sandbox`, every installed adapter pointed at an embedded sandbox, with a
//! fresh `admin` key printed to try it with. The first line on stdout names the address listened on
//! (with `--json`, one JSON line), so a script can start it on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use coupon::config::CouponConfig;
use coupon::{Adapter, Error, ErrorKind, Registry};
use coupon_journal::error::redact;
use coupon_sandbox::Sandbox;
use coupon_server::{AppState, RateLimit, ServeConfig};
use serde_json::json;

use crate::commands::campaign::DEFAULT_JOURNAL;
use crate::commands::keys;
use crate::failure::{CliResult, Failure};
use crate::output::Output;

/// `coupon serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on. Loopback unless --public; port 0 takes a free port (printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Allow an address other than loopback (put TLS and a proxy in front of it).
    #[arg(long)]
    pub public: bool,
    /// The journal: `sqlite:PATH` (one process) or `postgres://…` (several replicas). Default:
    /// $COUPON_JOURNAL, else sqlite:coupon-campaigns.db.
    #[arg(long, value_name = "URL", env = "COUPON_JOURNAL", hide_env_values = true, default_value = DEFAULT_JOURNAL)]
    pub journal: String,
    /// Serve every installed adapter against an embedded sandbox (loopback), and print a fresh admin key.
    #[arg(long)]
    pub sandbox: bool,
    /// How long idempotency keys and their answers are kept (e.g. 30d, 72h).
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = duration)]
    pub retention: Duration,
    /// Requests per second each API key may make.
    #[arg(long, value_name = "N", default_value_t = 200.0)]
    pub rate: f64,
    /// How many requests an API key may make at once above its rate.
    #[arg(long, value_name = "N", default_value_t = 400)]
    pub burst: u32,
    /// The largest JSON body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024)]
    pub body_limit: usize,
    /// The largest campaign upload, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub upload_limit: usize,
    /// The longest a request may take before 503 (money-moving calls already sent still finish and are
    /// recorded).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub request_timeout: Duration,
    /// How often the reconciler looks for doubts.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = duration)]
    pub reconcile_every: Duration,
    /// How long a replica holds a request it is sending before another replica treats it as a doubt.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = duration)]
    pub send_lease: Duration,
    /// How many money-moving vendor calls this replica makes at once (each on a connection of its own);
    /// more requests wait their turn.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_concurrent_calls: usize,
    /// How long SIGTERM waits for requests in flight.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = duration)]
    pub shutdown_grace: Duration,
}

fn duration(s: &str) -> Result<Duration, String> {
    crate::commands::campaign::parse_duration(s)
}

/// Runs the service until SIGTERM or ctrl-c.
pub async fn run(args: &ServeArgs, config_path: Option<&std::path::Path>, out: &Output) -> CliResult {
    if !args.addr.ip().is_loopback() && !args.public {
        return Err(Failure::before_sending(
            Error::new(
                ErrorKind::InvalidInput,
                format!("--addr {} is not loopback: add --public to listen on it (behind TLS)", args.addr),
            )
            .with_field("addr"),
        ));
    }
    let sandbox = if args.sandbox {
        Some(Sandbox::start().await.map_err(|e| Error::new(ErrorKind::Transport, format!("sandbox: {e}")))?)
    } else {
        None
    };
    let config = match &sandbox {
        Some(s) => CouponConfig::parse(
            &s.config_toml_for(&coupon::installed_adapters()),
            "the sandbox configuration",
            Vec::new(),
        )?,
        None => crate::config::load(config_path)?,
    };
    let registry = Registry::from_inventory();
    let mut adapters: Vec<Arc<dyn Adapter>> = Vec::new();
    for vendor in config.vendors() {
        if let Some(section) = config.section(vendor) {
            adapters.push(registry.build(section).map_err(|e| crate::config::explain(vendor, e))?);
        }
    }
    if adapters.is_empty() {
        return Err(Failure::before_sending(Error::config(
            "no vendor is configured: add a section to coupon.toml (see `coupon adapters`), or try `coupon serve --sandbox`",
        )));
    }
    let journal = coupon_journal::open(&args.journal)
        .await
        .map_err(|e| Failure::from(Error::new(ErrorKind::Config, redact(&e.to_string(), &args.journal))))?;
    let journal: Arc<dyn coupon_journal::Journal> = Arc::from(journal);
    let sandbox_key =
        if sandbox.is_some() { Some(keys::create_in(journal.as_ref(), "sandbox-admin", "admin").await?) } else { None };

    let mut serve = ServeConfig::default();
    serve.idempotency_retention = args.retention;
    serve.rate_per_key = RateLimit { per_second: args.rate, burst: args.burst };
    serve.body_limit = args.body_limit;
    serve.upload_limit = args.upload_limit;
    serve.request_timeout = args.request_timeout;
    serve.reconcile_every = args.reconcile_every;
    serve.send_lease = args.send_lease;
    serve.shutdown_grace = args.shutdown_grace;
    serve.max_concurrent_calls = args.max_concurrent_calls;
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| {
        Error::new(ErrorKind::Config, format!("cannot listen on {}: {e}", args.addr)).with_field("addr")
    })?;
    let addr = listener.local_addr().map_err(|e| Error::new(ErrorKind::Transport, e.to_string()))?;
    let vendors: Vec<String> = adapters.iter().map(|a| a.vendor().as_str().to_string()).collect();
    // The example to show first: a vendor that delivers to a recipient (its sample can be sent again and again).
    let delivering: Vec<String> =
        adapters.iter().filter(|a| a.capabilities().issue_delivers).map(|a| a.vendor().as_str().to_string()).collect();
    // What to try on the sandbox: each configured vendor's issue sample, as this API's JSON body.
    let samples: serde_json::Map<String, serde_json::Value> = match &sandbox {
        Some(s) => s
            .state()
            .samples()
            .into_iter()
            .filter(|(vendor, _)| vendors.contains(vendor))
            .filter_map(|(vendor, samples)| samples.issue.map(|i| (vendor.clone(), issue_body(&vendor, &i))))
            .collect(),
        None => serde_json::Map::new(),
    };
    let state = AppState::new(journal, adapters, serve);
    let doc = json!({
        "listening": format!("http://{addr}"),
        "vendors": vendors,
        "journal": coupon_journal::error::shown_url(&args.journal),
        "worker": state.worker(),
        "sandbox": sandbox.as_ref().map(|s| s.base_url()),
        "key": sandbox_key.as_ref().map(|k| k.token.clone()),
        "samples": samples,
    });
    out.emit(&doc, || {
        let mut text = format!(
            "coupon serve listening on http://{addr} (vendors: {}; journal: {})",
            vendors.join(", "),
            coupon_journal::error::shown_url(&args.journal)
        );
        if let (Some(s), Some(k)) = (&sandbox, &sandbox_key) {
            text.push_str(&format!(
                "\nsandbox: {} (its admin API: {}/_sandbox)\nAPI key (admin, shown once): {}\n\ntry:\n  curl -H \"Authorization: Bearer {}\" http://{addr}/v1/vendors",
                s.base_url(),
                s.base_url(),
                k.token,
                k.token
            ));
            let example = samples.iter().find(|(v, _)| delivering.contains(v)).or_else(|| samples.iter().next());
            if let Some((_, body)) = example {
                text.push_str(&format!(
                    "\n  curl -H \"Authorization: Bearer {}\" -H \"Idempotency-Key: order-1\" -H \"Content-Type: application/json\" -d '{}' http://{addr}/v1/issues",
                    k.token, body
                ));
            }
        }
        text
    });
    let served = coupon_server::serve(state, listener, coupon_server::ops::signal::terminate()).await;
    if let Some(s) = sandbox {
        s.shutdown().await;
    }
    served.map_err(|e| Failure::from(Error::new(ErrorKind::Transport, format!("the service failed: {e}"))))
}

/// A vendor's issue sample as `POST /v1/issues`'s body.
fn issue_body(vendor: &str, sample: &coupon_sandbox::IssueSample) -> serde_json::Value {
    let mut body = json!({"vendor": vendor, "product": sample.product_id});
    for (field, value) in [
        ("to", &sample.recipient),
        ("callback", &sample.callback),
        ("title", &sample.title),
        ("message", &sample.message),
        ("product_name", &sample.product_name),
    ] {
        if let Some(v) = value {
            body[field] = json!(v);
        }
    }
    if let Some(a) = sample.amount {
        body["amount"] = json!(a);
    }
    body
}
