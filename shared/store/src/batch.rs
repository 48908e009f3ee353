//! Retrying DynamoDB's batch calls until every item went through.
//!
//! BatchWriteItem and BatchGetItem may succeed while leaving part of the request undone
//! (`UnprocessedItems`/`UnprocessedKeys`) when a partition is throttled. The leftover is sent
//! again after an exponential backoff with full jitter, so that concurrent writers spread out.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem, WriteRequest};
use futures::{StreamExt, TryStreamExt, stream};

use crate::error::{corrupt, request_error};
use crate::items::Item;
use crate::{Dynamo, StoreError, Table};

/// BatchWriteItem takes at most 25 items, BatchGetItem 100 keys, TransactWriteItems 100
/// actions.
const WRITE_BATCH: usize = 25;
pub(crate) const GET_BATCH: usize = 100;
pub(crate) const TRANSACTION_ITEMS: usize = 100;
/// Calls in flight at once for one request: enough to hide round trips, few enough not to
/// self-throttle. Every place that sends several calls for one request keeps to it.
pub const IN_FLIGHT: usize = 8;

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

impl Dynamo {
    /// Sends every request, 25 to a BatchWriteItem call, several calls in flight. The requests
    /// are taken from `requests` only as batches leave, so a large import never holds all its
    /// items at once. Answers how many calls were sent again for leftovers.
    pub(crate) async fn write_all(
        &self,
        table: &str,
        requests: impl Iterator<Item = Result<WriteRequest, StoreError>> + Send,
    ) -> Result<u64, StoreError> {
        let mut requests = requests.peekable();
        let batches = std::iter::from_fn(move || {
            requests.peek()?;
            Some(
                requests
                    .by_ref()
                    .take(WRITE_BATCH)
                    .collect::<Result<Vec<_>, _>>(),
            )
        });
        // Every batch runs to its end even when another fails, so that what a failed request
        // leaves is whole batches, never batches cut off mid-call.
        let results: Vec<Result<u64, StoreError>> = stream::iter(batches)
            .map(|batch| async move { self.write_batch(table, batch?).await })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        results.into_iter().sum()
    }

    async fn write_batch(&self, table: &str, batch: Vec<WriteRequest>) -> Result<u64, StoreError> {
        until_done(batch, self.backoff(), |pending| async move {
            let out = self
                .client()
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .map_err(|e| request_error("BatchWriteItem", e))?;
            let left = out
                .unprocessed_items
                .and_then(|mut by_table| by_table.remove(table))
                .unwrap_or_default();
            Ok((Vec::<()>::new(), left))
        })
        .await
        .map(|done| done.retries)
    }

    /// The items of one table at `keys`, read consistently, 100 keys a call and several calls
    /// in flight; missing items are absent.
    pub(crate) async fn read_consistently(
        &self,
        table: &str,
        keys: Vec<Item>,
    ) -> Result<Vec<Item>, StoreError> {
        self.read_keys(table, keys, true).await
    }

    /// [`Dynamo::read_consistently`], or eventually consistent (half the read units).
    pub(crate) async fn read_keys(
        &self,
        table: &str,
        keys: Vec<Item>,
        consistent: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let mut keys = keys.into_iter().peekable();
        let batches = std::iter::from_fn(move || {
            keys.peek()?;
            Some(keys.by_ref().take(GET_BATCH).collect::<Vec<_>>())
        });
        let found: Vec<Vec<Item>> = stream::iter(batches)
            .map(|batch| self.batch_get(table, batch, None, consistent))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// Up to 100 items of one table by key, unprocessed keys retried; missing items are absent.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<Item>,
        projection: Option<&str>,
        consistent: bool,
    ) -> Result<Vec<Item>, StoreError> {
        let table = self
            .tables()
            .table_named(table)
            .ok_or_else(|| StoreError::Config(format!("{table} is none of the tables")))?;
        let wanted = keys.into_iter().map(|key| (table, key)).collect();
        let found = self
            .batch_get_across(wanted, projection, consistent)
            .await?;
        Ok(found.into_iter().map(|(_, item)| item).collect())
    }

    /// Items of several tables in one BatchGetItem, read consistently, by table.
    pub(crate) async fn get_across(
        &self,
        wanted: Vec<(Table, Item)>,
    ) -> Result<HashMap<Table, Vec<Item>>, StoreError> {
        let mut by_table: HashMap<Table, Vec<Item>> = HashMap::new();
        for (table, item) in self.batch_get_across(wanted, None, true).await? {
            by_table.entry(table).or_default().push(item);
        }
        Ok(by_table)
    }

    /// Up to 100 items of one table or several by key in one BatchGetItem, unprocessed keys
    /// asked again ([`until_done`]); missing items are absent. Answers each found item with its
    /// table.
    pub(crate) async fn batch_get_across(
        &self,
        wanted: Vec<(Table, Item)>,
        projection: Option<&str>,
        consistent: bool,
    ) -> Result<Vec<(Table, Item)>, StoreError> {
        until_done(wanted, self.backoff(), |pending| async move {
            let mut keys_of: HashMap<String, Vec<Item>> = HashMap::new();
            for (table, key) in pending {
                let name = self.tables().name(table).to_owned();
                keys_of.entry(name).or_default().push(key);
            }
            let request = keys_of
                .into_iter()
                .map(|(name, keys)| {
                    let ask = KeysAndAttributes::builder()
                        .set_keys(Some(keys))
                        .set_projection_expression(projection.map(str::to_owned))
                        .consistent_read(consistent)
                        .build()
                        .expect("keys are set");
                    (name, ask)
                })
                .collect();
            let out = self
                .client()
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| request_error("BatchGetItem", e))?;
            let table_of = |name: &str| {
                self.tables()
                    .table_named(name)
                    .ok_or_else(|| corrupt("an answer from another table"))
            };
            let mut found = Vec::new();
            for (name, items) in out.responses.unwrap_or_default() {
                let table = table_of(&name)?;
                found.extend(items.into_iter().map(|item| (table, item)));
            }
            let mut left = Vec::new();
            for (name, unprocessed) in out.unprocessed_keys.unwrap_or_default() {
                let table = table_of(&name)?;
                left.extend(unprocessed.keys.into_iter().map(|key| (table, key)));
            }
            Ok((found, left))
        })
        .await
        .map(|done| done.found)
    }

    /// Sends up to 100 conditional actions in one TransactWriteItems, again and again until each
    /// went through or its condition failed: a transaction is all or nothing, so one whose
    /// condition fails (a newer value stored, an item written meanwhile) cancels the others,
    /// which are sent again without it. Answers the tags of the actions that went through, and
    /// how many calls were sent again.
    pub(crate) async fn transact_conditionally<T: Clone + Send>(
        &self,
        actions: Vec<(T, TransactWriteItem)>,
    ) -> Result<(Vec<T>, u64), StoreError> {
        let done = until_done(actions, self.backoff(), |pending| async move {
            let items = pending.iter().map(|(_, a)| a.clone()).collect();
            // The SDK may send a call again after a timeout: with a token, one that went
            // through answers success again instead of failing every condition.
            let result = self
                .client()
                .transact_write_items()
                .set_transact_items(Some(items))
                .client_request_token(domain::Guid::random().to_string())
                .send()
                .await;
            let Err(e) = result else {
                return Ok((
                    pending.into_iter().map(|(tag, _)| tag).collect(),
                    Vec::new(),
                ));
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                e.as_service_error()
            else {
                return Err(request_error("TransactWriteItems", e));
            };
            // Nothing was written. A failed condition drops its action; the rest go again.
            if cancelled.cancellation_reasons().len() != pending.len() {
                return Err(request_error("TransactWriteItems", e));
            }
            let mut left = Vec::with_capacity(pending.len());
            for (action, reason) in pending.into_iter().zip(cancelled.cancellation_reasons()) {
                match reason.code() {
                    Some("ConditionalCheckFailed") => {}
                    None | Some("None" | "TransactionConflict" | "ThrottlingError") => {
                        left.push(action);
                    }
                    Some(_) => return Err(request_error("TransactWriteItems", e)),
                }
            }
            Ok((Vec::new(), left))
        })
        .await?;
        Ok((done.found, done.retries))
    }
}

/// Every item a Query answers, page after page.
pub(crate) async fn query_all(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
) -> Result<Vec<Item>, StoreError> {
    query
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| request_error("Query", e))
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
