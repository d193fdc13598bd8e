//! The dispatcher: row tasks started while fewer than `--concurrency` are in flight,
//! each once the rate's bucket gives it a token.

use std::future::Future;

use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};

use crate::rate::Bucket;

/// Work waiting to be started, in the order it must start.
pub(super) trait Queue {
    /// One piece of work.
    type Item;
    /// Whether nothing waits.
    fn is_empty(&self) -> bool;
    /// The next piece of work.
    fn pop(&mut self) -> Option<Self::Item>;
}

/// The tasks in flight, at most `concurrency` of them.
#[derive(Debug)]
pub(super) struct Dispatcher<T> {
    tasks: JoinSet<T>,
    concurrency: usize,
}

impl<T: Send + 'static> Dispatcher<T> {
    /// No task in flight; at most `concurrency` at once.
    pub(super) fn new(concurrency: usize) -> Self {
        Self { tasks: JoinSet::new(), concurrency }
    }

    /// Tasks in flight.
    pub(super) fn in_flight(&self) -> usize {
        self.tasks.len()
    }

    /// Starts work from `queue` (as `start` makes it a task) while there is room and
    /// work, each after a token of `bucket`. Returns early when `interrupt` changes
    /// while it waits for a token: the work it waited for stays queued.
    pub(super) async fn fill<Q: Queue, F>(
        &mut self,
        queue: &mut Q,
        bucket: &Bucket,
        interrupt: &mut watch::Receiver<bool>,
        mut start: impl FnMut(Q::Item) -> F,
    ) where
        F: Future<Output = T> + Send + 'static,
    {
        while self.tasks.len() < self.concurrency && !queue.is_empty() {
            tokio::select! {
                _ = bucket.take(1) => {}
                _ = interrupt.changed() => break,
            }
            if let Some(item) = queue.pop() {
                self.tasks.spawn(start(item));
            }
        }
    }

    /// A task that has finished, if one has.
    pub(super) fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.tasks.try_join_next()
    }

    /// The next task to finish; `None` at once when none is in flight. Cancel-safe.
    pub(super) async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.tasks.join_next().await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::time::Duration;

    use super::*;
    use crate::rate::Rate;

    impl Queue for VecDeque<u32> {
        type Item = u32;
        fn is_empty(&self) -> bool {
            VecDeque::is_empty(self)
        }
        fn pop(&mut self) -> Option<u32> {
            self.pop_front()
        }
    }

    /// A task that holds its slot until `release` says so.
    fn holding(
        release: &watch::Receiver<bool>,
    ) -> impl FnMut(u32) -> std::pin::Pin<Box<dyn Future<Output = u32> + Send>> {
        let release = release.clone();
        move |n| {
            let mut release = release.clone();
            Box::pin(async move {
                let _ = release.wait_for(|go| *go).await;
                n
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_concurrency_in_flight_and_in_the_queues_order() {
        let bucket = Bucket::new(Rate::per_second(1_000.0).unwrap());
        let (_never, mut interrupt) = watch::channel(false);
        let (go, release) = watch::channel(false);
        let mut queue: VecDeque<u32> = (1..=10).collect();
        let mut dispatcher = Dispatcher::new(3);
        dispatcher.fill(&mut queue, &bucket, &mut interrupt, holding(&release)).await;
        assert_eq!((dispatcher.in_flight(), queue.len()), (3, 7));
        dispatcher.fill(&mut queue, &bucket, &mut interrupt, holding(&release)).await;
        assert_eq!((dispatcher.in_flight(), queue.len()), (3, 7), "no room, nothing started");
        go.send(true).unwrap();
        let mut first = Vec::new();
        while let Some(done) = dispatcher.join_next().await {
            first.push(done.unwrap());
        }
        first.sort_unstable();
        assert_eq!(first, [1, 2, 3]);
        dispatcher.fill(&mut queue, &bucket, &mut interrupt, holding(&release)).await;
        assert_eq!((dispatcher.in_flight(), queue.len()), (3, 4), "room again");
    }

    #[tokio::test(start_paused = true)]
    async fn each_start_takes_a_token_and_an_interrupt_leaves_the_rest_queued() {
        let bucket = Bucket::new(Rate::per_second(1.0).unwrap());
        let (interrupted, mut interrupt) = watch::channel(false);
        let (_go, release) = watch::channel(false);
        let mut queue: VecDeque<u32> = (1..=3).collect();
        let mut dispatcher = Dispatcher::new(3);
        let start = tokio::time::Instant::now();
        dispatcher.fill(&mut queue, &bucket, &mut interrupt, holding(&release)).await;
        assert_eq!(dispatcher.in_flight(), 3);
        assert!(start.elapsed() >= Duration::from_secs(2), "three calls at 1/s: {:?}", start.elapsed());

        let mut queue: VecDeque<u32> = (4..=5).collect();
        let mut dispatcher = Dispatcher::new(3);
        interrupted.send(true).unwrap();
        dispatcher.fill(&mut queue, &bucket, &mut interrupt, holding(&release)).await;
        assert_eq!((dispatcher.in_flight(), queue.len()), (0, 2), "nothing taken off the queue");
        assert!(dispatcher.try_join_next().is_none());
    }
}
