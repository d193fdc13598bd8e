//! Jobs run at most C at a time, as every "at concurrency C" figure of these benches runs them:
//! a job starts when a permit is free, each on a task of its own.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Runs `jobs` with at most `concurrency` in flight; the time from the first start to the last end, and
/// each job's output (in the order they ended).
///
/// # Panics
///
/// When a job panics.
pub async fn at_most<F>(concurrency: usize, jobs: impl IntoIterator<Item = F>) -> (Duration, Vec<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut tasks = JoinSet::new();
    let started = Instant::now();
    for job in jobs {
        let permit = Arc::clone(&permits).acquire_owned().await.expect("the semaphore stays open");
        tasks.spawn(async move {
            let output = job.await;
            drop(permit);
            output
        });
    }
    let mut outputs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        outputs.push(joined.expect("a job"));
    }
    (started.elapsed(), outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_concurrency_in_flight_and_every_output_kept() {
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs = (0..40).map(|i| {
            let (now, most) = (Arc::clone(&now), Arc::clone(&most));
            async move {
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                i
            }
        });
        let (took, mut outputs) = at_most(4, jobs).await;
        outputs.sort_unstable();
        assert_eq!(outputs, (0..40).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 4, "four at a time, never more");
        assert!(took >= Duration::from_millis(20), "40 jobs of 2 ms four at a time: {took:?}");
    }
}
