//! Knowing that a timed-out attempt never left.
//!
//! When an attempt's timeout fires, reqwest reports a timeout whether it fired
//! while connecting (TCP, TLS handshake: nothing of the request written) or
//! while waiting for the answer (the vendor may have acted). For a
//! money-moving call that difference is the difference between "safe to send
//! again" and [`crate::ErrorKind::OutcomeUnknown`].
//!
//! The transport tells them apart with a tower layer on reqwest's connector
//! ([`reqwest::ClientBuilder::connector_layer`]): each attempt runs inside a
//! task-local [`ConnectProbe`], and the layer marks on it when this attempt's
//! connect started and when it finished. A timeout with a connect started and
//! not finished means the request never left.
//!
//! That holds only when the attempt cannot be served by another connection
//! while its own connect is pending. hyper-util's pool races a checkout of an
//! idle connection against a new connect, and lets the connect finish in the
//! background when the checkout wins; the request may then be on the wire with
//! the probe still saying "connecting". So money-moving calls go through a
//! second reqwest client without a pool (`pool_max_idle_per_host(0)`, which
//! makes hyper-util connect once per request and never race) and without
//! HTTP/2 (whose single shared connection would be a pool of its own). Reads
//! keep the pooled client and do not consult the probe: a read is retried
//! either way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tower::{Layer, Service};

tokio::task_local! {
    static PROBE: Arc<ConnectProbe>;
}

/// What the connector saw of one attempt.
#[derive(Debug, Default)]
pub(crate) struct ConnectProbe {
    started: AtomicBool,
    finished: AtomicBool,
}

impl ConnectProbe {
    /// Runs `fut` (one attempt) with this probe listening to its connector.
    pub(crate) async fn watch<F: Future>(self: &Arc<Self>, fut: F) -> F::Output {
        PROBE.scope(self.clone(), fut).await
    }

    /// True when a connect began and had not produced a connection: nothing of
    /// the request can have been written.
    pub(crate) fn stuck_connecting(&self) -> bool {
        // Acquire pairs with the layer's Release: a finished connect is never missed.
        self.started.load(Ordering::Acquire) && !self.finished.load(Ordering::Acquire)
    }
}

/// The connector layer that reports to the current attempt's [`ConnectProbe`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProbeLayer;

impl<S> Layer<S> for ProbeLayer {
    type Service = ProbeService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProbeService { inner }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ProbeService<S> {
    inner: S,
}

impl<S, R> Service<R> for ProbeService<S>
where
    S: Service<R>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        // Taken now, inside the attempt's poll: hyper-util may finish the
        // connect on another task, and it must still report to this attempt.
        let probe = PROBE.try_with(Arc::clone).ok();
        if let Some(p) = &probe {
            p.started.store(true, Ordering::Release);
        }
        let connecting = self.inner.call(req);
        Box::pin(async move {
            let conn = connecting.await;
            if let (Some(p), Ok(_)) = (&probe, &conn) {
                p.finished.store(true, Ordering::Release);
            }
            conn
        })
    }
}
