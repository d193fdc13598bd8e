//! Listening, the accept loop and shutdown.
//!
//! The loop serves each connection with hyper directly rather than `axum::serve`:
//! the `drop` faults need the per-connection service to fail a request, which makes
//! hyper close the connection without writing any response.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::admin;
use crate::client::SandboxAdmin;
use crate::emulator::{Emulator, emulators};
use crate::error::SandboxError;
use crate::faults;
use crate::state::SandboxState;

/// How long [`RunningSandbox::shutdown`] lets in-flight requests finish.
const GRACE: Duration = Duration::from_secs(5);

/// A sandbox to be started: the built-in vendor emulators, plus any added with
/// [`with_emulator`](Self::with_emulator).
pub struct Sandbox {
    emulators: Vec<Arc<dyn Emulator>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.emulators.iter().map(|e| e.name()).collect();
        f.debug_struct("Sandbox").field("emulators", &names).finish()
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// The built-in emulators ([`emulators`](crate::emulators)), with fresh state.
    pub fn new() -> Self {
        Self { emulators: emulators() }
    }

    /// Adds an emulator, served under `/{name}`; it replaces a built-in one of the same
    /// name.
    pub fn with_emulator(mut self, emulator: Arc<dyn Emulator>) -> Self {
        self.emulators.retain(|e| e.name() != emulator.name());
        self.emulators.push(emulator);
        self
    }

    /// Starts the built-in emulators on `127.0.0.1` at a free port.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Bind`] when no port can be opened.
    pub async fn start() -> Result<RunningSandbox, SandboxError> {
        Self::new().listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
    }

    /// Starts the built-in emulators on `addr`, which must be a loopback address
    /// (port 0 picks a free port).
    ///
    /// # Errors
    ///
    /// [`SandboxError::NonLoopback`] for any other address, [`SandboxError::Bind`] when
    /// the port cannot be opened.
    pub async fn bind(addr: SocketAddr) -> Result<RunningSandbox, SandboxError> {
        Self::new().listen(addr).await
    }

    /// Starts this sandbox on `addr`, which must be a loopback address (port 0 picks a
    /// free port).
    ///
    /// # Errors
    ///
    /// [`SandboxError::NonLoopback`] for any other address, [`SandboxError::EmulatorName`]
    /// for an emulator name unusable as a route prefix, [`SandboxError::Bind`] when the
    /// port cannot be opened.
    pub async fn listen(self, addr: SocketAddr) -> Result<RunningSandbox, SandboxError> {
        // Checked before touching the network: the sandbox has no authentication and
        // lets anyone reset or fault it, so it must never be reachable from elsewhere.
        if !addr.ip().is_loopback() {
            return Err(SandboxError::NonLoopback(addr));
        }
        for emulator in &self.emulators {
            check_name(emulator.name())?;
        }
        let listener = TcpListener::bind(addr).await.map_err(|source| SandboxError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind { addr, source })?;

        let state = Arc::new(SandboxState::new(self.emulators));
        let app = app(&state);
        let (shutdown, watch) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, app, Arc::clone(&state), watch));
        tracing::info!(%addr, "coupon sandbox listening");
        Ok(RunningSandbox { addr, state, shutdown, task: Some(task) })
    }
}

fn check_name(name: &'static str) -> Result<(), SandboxError> {
    let invalid = |why| Err(SandboxError::EmulatorName(name.to_owned(), why));
    let mut chars = name.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return invalid("must start with a lowercase ASCII letter or digit");
    }
    if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
        return invalid("may only hold lowercase ASCII letters, digits, '-' and '_'");
    }
    if admin::RESERVED.contains(&name) {
        return invalid("is an admin route name");
    }
    Ok(())
}

fn app(state: &Arc<SandboxState>) -> Router {
    let mut app = Router::new().nest(admin::PREFIX, admin::router(Arc::clone(state)));
    for emulator in state.emulators() {
        app = app.nest(&format!("/{}", emulator.name()), Arc::clone(emulator).router());
    }
    app.fallback(admin::not_found)
}

/// A sandbox serving in the background. Dropping it stops the server at once;
/// [`shutdown`](Self::shutdown) lets in-flight requests finish first.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    state: Arc<SandboxState>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `http://[::1]:PORT`), without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of one vendor: `http://127.0.0.1:PORT/giftletter`.
    pub fn vendor_url(&self, name: &str) -> String {
        format!("{}/{name}", self.base_url())
    }

    /// A configuration file pointing every vendor at this sandbox with the credentials
    /// the sandbox accepts: a header comment, then each emulator's
    /// [`config_section`](Emulator::config_section), in name order.
    pub fn config_toml(&self) -> String {
        crate::config::config_toml(&self.base_url(), self.state.emulators())
    }

    /// [`config_toml`](Self::config_toml) with only the sections of the emulators
    /// named in `vendors`: for a program with fewer adapters installed than the
    /// sandbox emulates, whose configuration refuses a section it has no adapter for.
    pub fn config_toml_for(&self, vendors: &[&str]) -> String {
        let chosen: Vec<Arc<dyn Emulator>> =
            self.state.emulators().iter().filter(|e| vendors.contains(&e.name())).cloned().collect();
        crate::config::config_toml(&self.base_url(), &chosen)
    }

    /// The names of the emulators served, in name order (each under `/{name}`).
    pub fn vendors(&self) -> Vec<&'static str> {
        let mut names: Vec<_> = self.state.emulators().iter().map(|e| e.name()).collect();
        names.sort_unstable();
        names
    }

    /// A client for the admin API of this sandbox.
    pub fn admin(&self) -> SandboxAdmin {
        SandboxAdmin::new(self.base_url())
    }

    /// The shared state, for in-process tests.
    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }

    /// Requests received on exactly this path since the last reset.
    pub fn request_count(&self, path: &str) -> u64 {
        self.state.request_count(path)
    }

    /// Stops accepting connections and waits (up to 5 seconds) for in-flight requests.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            // The task only ends by itself or by this abort; neither is worth reporting.
            let _ = task.await;
        }
    }

    /// Serves until ctrl-c, then shuts down.
    ///
    /// # Errors
    ///
    /// [`SandboxError::Signal`] when ctrl-c cannot be listened for.
    pub async fn run_until_ctrl_c(self) -> Result<(), SandboxError> {
        let waited = tokio::signal::ctrl_c().await.map_err(SandboxError::Signal);
        self.shutdown().await;
        waited
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its JoinSet, which aborts every connection.
            task.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    state: Arc<SandboxState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // Err means the RunningSandbox is gone: stop as well.
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(
                        stream,
                        app.clone(),
                        Arc::clone(&state),
                        shutdown.clone(),
                    ));
                }
                Err(error) => {
                    // Typically out of file descriptors: wait for some to be freed
                    // instead of spinning on the same error.
                    tracing::warn!(%error, "sandbox accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(GRACE, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!("sandbox connections still open after the grace period, aborting them");
    }
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    state: Arc<SandboxState>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
        let app = app.clone();
        let state = Arc::clone(&state);
        async move {
            let path = req.uri().path();
            let fault = if admin::is_admin_path(path) { None } else { state.record(path) };
            faults::apply(fault, app, req.map(Body::new)).await
        }
    });
    let connection = http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        // Expected for the drop and truncate faults and for clients that hang up.
        tracing::debug!(%error, "sandbox connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emulator_names_must_be_usable_prefixes() {
        assert!(check_name("giftletter").is_ok());
        assert!(check_name("my-vendor_2").is_ok());
        for bad in ["", "_sandbox", "Gift", "a/b", "stats", "faults"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
