//! `coupon sandbox`: the vendor emulator in the foreground.

use std::net::SocketAddr;

use coupon::{Error, ErrorKind, Result};
use coupon_sandbox::{Sandbox, SandboxError};
use serde_json::json;

use crate::output::Output;

/// Serves until ctrl-c.
pub async fn run(addr: SocketAddr, out: &Output) -> Result<()> {
    let running = Sandbox::bind(addr).await.map_err(sandbox_error)?;
    // What to save as coupon.toml: this binary's adapters only, since a section
    // without an installed adapter is refused when the file is read.
    let config_toml = running.config_toml_for(&coupon::installed_adapters());
    let doc = json!({
        "base_url": running.base_url(),
        "vendors": running
            .vendors()
            .into_iter()
            .map(|name| (name.to_string(), json!(running.vendor_url(name))))
            .collect::<serde_json::Map<_, _>>(),
        "admin": format!("{}/_sandbox", running.base_url()),
        "config_toml": config_toml,
    });
    out.emit(&doc, || {
        format!(
            "coupon sandbox listening on {} (loopback only; ctrl-c stops it)\nadmin API: {}/_sandbox (fixtures, reset, redeem, faults, stats)\n\n# save as coupon.toml:\n{}",
            running.base_url(),
            running.base_url(),
            config_toml
        )
    });
    running.run_until_ctrl_c().await.map_err(sandbox_error)
}

fn sandbox_error(e: SandboxError) -> Error {
    let kind = match e {
        SandboxError::NonLoopback(_) => ErrorKind::InvalidInput,
        _ => ErrorKind::Transport,
    };
    Error::new(kind, format!("sandbox: {e}"))
}
