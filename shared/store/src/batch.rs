//! Retrying DynamoDB's batch calls until every item went through.
//!
//! BatchWriteItem and BatchGetItem may succeed while leaving part of the request undone
//! (`UnprocessedItems`/`UnprocessedKeys`) when a partition is throttled. The leftover is sent
//! again after an exponential backoff with full jitter, so that concurrent writers spread out.

use std::future::Future;
use std::time::Duration;

use crate::StoreError;

/// What a batch call gave back in the end, and how many times leftovers were sent again.
#[derive(Debug)]
pub struct Done<O> {
    pub found: Vec<O>,
    pub retries: u64,
}

/// How long to keep retrying leftovers: about 6 s in the worst case, inside API Gateway's 29 s.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub cap: Duration,
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            first: Duration::from_millis(50),
            cap: Duration::from_secs(2),
            attempts: 8,
        }
    }
}

impl Backoff {
    /// Full jitter: a uniform wait between zero and the exponential bound.
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let bound = self
            .first
            .saturating_mul(1u32 << retry.min(16))
            .min(self.cap);
        bound.mul_f64(fastrand::f64())
    }
}

/// Sends `pending`, then whatever `send` reports as left over, until nothing is left or the
/// attempts run out. `send` answers what it got back (found items) and what it did not process.
pub async fn until_done<T, O, F, Fut>(
    mut pending: Vec<T>,
    backoff: Backoff,
    mut send: F,
) -> Result<Done<O>, StoreError>
where
    F: FnMut(Vec<T>) -> Fut,
    Fut: Future<Output = Result<(Vec<O>, Vec<T>), StoreError>>,
{
    let mut found = Vec::new();
    for retry in 0..backoff.attempts {
        if retry > 0 {
            tokio::time::sleep(backoff.delay(retry)).await;
            tracing::warn!(left = pending.len(), retry, "dynamodb_batch_retry");
        }
        let (got, left) = send(pending).await?;
        found.extend(got);
        if left.is_empty() {
            return Ok(Done {
                found,
                retries: u64::from(retry),
            });
        }
        pending = left;
    }
    Err(StoreError::Incomplete {
        left: pending.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick() -> Backoff {
        Backoff {
            first: Duration::from_millis(1),
            cap: Duration::from_millis(4),
            attempts: 5,
        }
    }

    #[tokio::test]
    async fn leftovers_are_resent_until_done() {
        let calls = AtomicU32::new(0);
        // A throttled table that processes only the first two items of each call.
        let echoed = until_done((0..7).collect(), quick(), |mut items: Vec<u32>| {
            calls.fetch_add(1, Ordering::SeqCst);
            let left = items.split_off(items.len().min(2));
            async move { Ok((items, left)) }
        })
        .await
        .unwrap();
        assert_eq!(echoed.found, [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(echoed.retries, 3);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn gives_up_with_the_count_left() {
        let result: Result<Done<u32>, _> =
            until_done(vec![1, 2, 3], quick(), |items: Vec<u32>| async move {
                Ok((Vec::new(), items))
            })
            .await;
        assert!(matches!(result, Err(StoreError::Incomplete { left: 3 })));
    }

    #[tokio::test]
    async fn errors_stop_at_once() {
        let calls = AtomicU32::new(0);
        let result: Result<Done<u32>, _> = until_done(vec![1], quick(), |_: Vec<u32>| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Err(StoreError::Config("boom".into())) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn delays_grow_but_stay_under_the_cap() {
        let b = Backoff::default();
        for retry in 0..40 {
            assert!(b.delay(retry) <= b.cap);
        }
    }
}
