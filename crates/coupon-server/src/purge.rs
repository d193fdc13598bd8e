//! The purge: idempotency keys older than the retention (30 days by default) are deleted,
//! with their stored answers. A doubt is never purged, nor an issue whose cancel or resend is
//! not settled.

use coupon_core::chrono::Utc;

use crate::state::AppState;

/// Runs until the service stops: once at start, then every `purge_every`.
pub async fn run(state: AppState) {
    let mut stopping = state.stopping();
    loop {
        if *stopping.borrow() {
            return;
        }
        once(&state).await;
        tokio::select! {
            _ = stopping.changed() => return,
            () = tokio::time::sleep(state.config().purge_every) => {},
        }
    }
}

/// One purge; answers how many keys it deleted.
pub async fn once(state: &AppState) -> u64 {
    let retention = coupon_core::chrono::Duration::from_std(state.config().idempotency_retention)
        .unwrap_or(coupon_core::chrono::Duration::MAX);
    let before = Utc::now().checked_sub_signed(retention).unwrap_or(coupon_core::chrono::DateTime::<Utc>::MIN_UTC);
    match state.journal().purge_idempotent(before).await {
        Ok(n) => {
            if n > 0 {
                tracing::info!(purged = n, "expired idempotency keys purged");
            }
            n
        }
        Err(e) => {
            tracing::warn!(error = %e, "the purge of expired idempotency keys failed; it runs again later");
            0
        }
    }
}
