//! The access token: fetched lazily, cached, shared by every clone of the client,
//! refreshed by a single flight.
//!
//! Every token carries a generation (1 for the first, 2 for its replacement, …). A
//! call remembers the generation of the token it sent; when the vendor refuses that
//! token, the call asks for a refresh *of that generation*. Under one async mutex:
//!
//! - if a newer token already replaced it, the call gets that one: no request;
//! - if the refresh of that generation already failed, the call gets the same error:
//!   no request, no loop;
//! - otherwise this call fetches the new token while the others wait on the mutex.
//!
//! So however many calls are refused at once, one token request is made, and a
//! refusal that answered an old token never throws away a newer one.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use coupon_core::secrecy::SecretString;
use coupon_core::{Error, Result};
use tokio::sync::Mutex;

/// A token and its generation.
/// `Debug` shows the token redacted (it is a `SecretString`).
#[derive(Clone, Debug)]
pub(crate) struct Lease {
    pub(crate) token: SecretString,
    pub(crate) generation: u64,
}

struct Failure {
    /// The generation the failed fetch was to replace (0: there was none).
    replacing: u64,
    /// The attempt number of the failed fetch.
    attempt: u64,
    error: Error,
}

#[derive(Default)]
struct State {
    token: Option<SecretString>,
    generation: u64,
    attempts: u64,
    last_failure: Option<Failure>,
}

/// The shared token state.
#[derive(Default)]
pub(crate) struct Tokens {
    state: Mutex<State>,
    /// `State::attempts`, readable without the lock: a caller notes it before waiting,
    /// and learns afterwards whether a fetch finished meanwhile.
    attempts: AtomicU64,
}

impl Tokens {
    /// The current token, fetched first when there is none. Callers arriving while a
    /// first fetch runs share its outcome, failure included.
    pub(crate) async fn lease<F, Fut>(&self, fetch: F) -> Result<Lease>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SecretString>>,
    {
        let seen = self.attempts.load(Ordering::SeqCst);
        let mut s = self.state.lock().await;
        if let Some(token) = &s.token {
            return Ok(Lease { token: token.clone(), generation: s.generation });
        }
        if let Some(f) = s.last_failure.as_ref().filter(|f| f.attempt > seen) {
            return Err(f.error.clone());
        }
        let replacing = s.generation;
        self.fetch_locked(&mut s, replacing, fetch).await
    }

    /// A token newer than generation `used`, which the vendor refused.
    pub(crate) async fn refresh<F, Fut>(&self, used: u64, fetch: F) -> Result<Lease>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SecretString>>,
    {
        let mut s = self.state.lock().await;
        if s.generation != used
            && let Some(token) = &s.token
        {
            return Ok(Lease { token: token.clone(), generation: s.generation });
        }
        if let Some(f) = s.last_failure.as_ref().filter(|f| f.replacing == used) {
            return Err(f.error.clone());
        }
        self.fetch_locked(&mut s, used, fetch).await
    }

    async fn fetch_locked<F, Fut>(&self, s: &mut State, replacing: u64, fetch: F) -> Result<Lease>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<SecretString>>,
    {
        s.attempts += 1;
        let outcome = fetch().await;
        self.attempts.store(s.attempts, Ordering::SeqCst);
        match outcome {
            Ok(token) => {
                s.generation += 1;
                s.token = Some(token.clone());
                s.last_failure = None;
                Ok(Lease { token, generation: s.generation })
            }
            Err(error) => {
                // The old token was refused (or there was none): never hand it out again.
                s.token = None;
                s.last_failure = Some(Failure { replacing, attempt: s.attempts, error: error.clone() });
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    use coupon_core::secrecy::ExposeSecret;
    use coupon_core::{ErrorKind, VendorCode};

    use super::*;

    fn counting(count: &Arc<AtomicUsize>) -> impl FnOnce() -> std::future::Ready<Result<SecretString>> + use<> {
        let count = Arc::clone(count);
        move || {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            std::future::ready(Ok(SecretString::from(format!("token-{n}"))))
        }
    }

    #[tokio::test]
    async fn a_stale_generation_refusal_gets_the_newer_token_without_a_fetch() {
        let tokens = Tokens::default();
        let fetched = Arc::new(AtomicUsize::new(0));
        let first = tokens.lease(counting(&fetched)).await.unwrap();
        assert_eq!(first.generation, 1);
        let second = tokens.refresh(first.generation, counting(&fetched)).await.unwrap();
        assert_eq!((second.generation, second.token.expose_secret()), (2, "token-2"));
        // A second call that also used generation 1 was refused late: it must not replace token 2.
        let late = tokens.refresh(first.generation, counting(&fetched)).await.unwrap();
        assert_eq!((late.generation, late.token.expose_secret()), (2, "token-2"));
        assert_eq!(fetched.load(Ordering::SeqCst), 2);
        // Token 2 refused in turn: one more fetch.
        assert_eq!(tokens.refresh(2, counting(&fetched)).await.unwrap().generation, 3);
        assert_eq!(fetched.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn concurrent_refusals_of_one_generation_fetch_once() {
        let tokens = Arc::new(Tokens::default());
        let fetched = Arc::new(AtomicUsize::new(0));
        let used = tokens.lease(counting(&fetched)).await.unwrap().generation;
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let (tokens, fetched) = (Arc::clone(&tokens), Arc::clone(&fetched));
            tasks.push(tokio::spawn(async move {
                tokens
                    .refresh(used, move || {
                        let n = fetched.fetch_add(1, Ordering::SeqCst) + 1;
                        async move {
                            tokio::task::yield_now().await;
                            Ok(SecretString::from(format!("token-{n}")))
                        }
                    })
                    .await
                    .unwrap()
                    .generation
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 2);
        }
        assert_eq!(fetched.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_reaches_every_waiter_of_that_generation_without_another_fetch() {
        let tokens = Tokens::default();
        let fetched = Arc::new(AtomicUsize::new(0));
        let used = tokens.lease(counting(&fetched)).await.unwrap().generation;
        let refuse = || {
            std::future::ready(Err(Error::new(ErrorKind::Unauthenticated, "refresh token refused")
                .with_vendor_code(VendorCode::new("TOKEN05"))))
        };
        let e1 = tokens.refresh(used, refuse).await.unwrap_err();
        let e2 = tokens.refresh(used, counting(&fetched)).await.unwrap_err();
        assert_eq!(fetched.load(Ordering::SeqCst), 1, "the second waiter shares the failure");
        for e in [e1, e2] {
            assert_eq!(e.kind(), ErrorKind::Unauthenticated);
            assert_eq!(e.vendor_code().unwrap().raw(), "TOKEN05");
        }
        // A new call afterwards tries again (once).
        assert!(tokens.lease(counting(&fetched)).await.is_ok());
        assert_eq!(fetched.load(Ordering::SeqCst), 2);
    }
}
