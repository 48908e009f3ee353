//! Period imports: once every record of a period import (a single request, or every part of
//! an exchange) is written, whatever else of the tenant's records of that kind is dated in the
//! period is removed, but only what nothing has written since shortly before the import began.
//!
//! Every dated record carries who wrote it last (the period import, if any, stored as
//! `exchange`) and when (`written_at`: when the request that wrote it began). A record is removed when the
//! completing import did not write it **and** it was written more than [`SETTLE`] before the
//! import began. So writes that land while an exchange is under way are never removed by it,
//! and two period imports of one period that run at once never remove what the other wrote;
//! a record too many may stay until the next period import, never one too few.
//!
//! Requests: one consistent Query of the period calendar ([`calendar`]); one Query per
//! `ByPeriod` partition it lists (8 in flight), each reading only that partition's records of
//! the period (keys, date and `exchange`); one consistent BatchGetItem per 100 records that the
//! import did not write (the index may lag behind the table, and does not hold `written_at`);
//! for balances, the latest balances about to be removed fall back first ([`fallback`]), so that
//! a removal stopped half-way never leaves a removed balance as the latest; then one
//! TransactWriteItems per 100 removals, each delete conditioned on the record being still
//! stale, so that a record written between the read and the delete stays (and, if one did, the
//! latest balances that fell back are set right again).

pub(crate) mod calendar;
mod fallback;

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use domain::{DateRange, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::batch::{IN_FLIGHT, TRANSACTION_ITEMS, query_all};
use crate::error::corrupt;
use crate::items::{Item, key_item, text_of};
use crate::keys::{Key, Stored, history_bounds};
use crate::{Dynamo, StoreError};

/// Period imports: once every record of a period import is written, the tenant's records of
/// that kind dated in its period that it did not contain, and that nothing has written since
/// shortly before it began, are removed.
pub trait PeriodRemoval<R> {
    /// Removes the tenant's records of kind `R` dated in `period` that were not written by
    /// `import` and were last written more than [`SETTLE`] before `began`, and keeps
    /// what is derived from them right (an account's latest balances). Answers how many were
    /// removed.
    fn remove_stale(
        &self,
        tenant: &Tenant,
        period: DateRange,
        import: Guid,
        began: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
}

/// How long before a period import began a record must have been last written for the import
/// to remove it. A request stamps its records with the time it began, by its own function's
/// clock; its writes land within the function's timeout (29 s), or, for a call in flight when
/// the function stopped, soon after; two functions' clocks (Amazon Time Sync) differ by far
/// less than a second. So a record stamped more than a minute before the import began was last
/// written before it began: 29 s for the longest request, 1 s for the clocks, 30 s for a call
/// still in flight. The design errs one way: a record written in the minute before a period
/// import began that 1C no longer holds stays until the next period import.
pub const SETTLE: Duration = Duration::from_secs(60);

/// What a record must be for the completing import to remove it.
struct Stale {
    /// The completing import: it did not write the record.
    import: String,
    /// Milliseconds since 1970: the record was written before.
    before: i64,
}

impl Stale {
    fn new(import: Guid, began: DateTime<Utc>) -> Self {
        let settle = chrono::Duration::from_std(SETTLE).unwrap_or_default();
        Self {
            import: import.to_string(),
            before: (began - settle).timestamp_millis(),
        }
    }

    /// Whether an index entry may be stale: the import did not write it (the index does not
    /// hold when it was written).
    fn candidate(&self, entry: &Item) -> bool {
        text_of(entry, "exchange").as_deref() != Some(&self.import)
    }

    /// Whether a record read from the table is stale. Records written before `written_at`
    /// existed count as written long ago.
    fn holds(&self, item: &Item) -> bool {
        let written_at = match item.get("written_at") {
            Some(AttributeValue::N(n)) => n.parse::<i64>().unwrap_or(i64::MAX),
            _ => 0,
        };
        self.candidate(item) && written_at < self.before
    }

    /// The same test, as DynamoDB checks it at the moment of the delete.
    fn delete(&self, table: &str, item: &Item) -> Result<TransactWriteItem, StoreError> {
        let key = Key {
            pk: text_of(item, "pk").unwrap_or_default(),
            sk: text_of(item, "sk").unwrap_or_default(),
        };
        let delete = Delete::builder()
            .table_name(table)
            .set_key(Some(key_item(&key)))
            .condition_expression(
                "attribute_exists(pk) \
                 AND (attribute_not_exists(exchange) OR exchange <> :import) \
                 AND (attribute_not_exists(written_at) OR written_at < :before)",
            )
            .expression_attribute_values(":import", AttributeValue::S(self.import.clone()))
            .expression_attribute_values(":before", AttributeValue::N(self.before.to_string()))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

impl<R: Stored> PeriodRemoval<R> for Dynamo {
    async fn remove_stale(
        &self,
        tenant: &Tenant,
        period: DateRange,
        import: Guid,
        began: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let table = self.tables().name(R::TABLE);
        let stale = Stale::new(import, began);
        let partitions = self.calendar_partitions::<R>(tenant, &period).await?;
        let (from, to) = history_bounds(&period);
        let candidates: Vec<Vec<Item>> = stream::iter(partitions)
            .map(|partition| self.stale_in(table, partition, &from, &to, &stale))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        let candidates = candidates.into_iter().flatten().collect();
        // The index may lag behind the table: what it calls stale is read again, consistently.
        let items: Vec<Item> = self
            .read_consistently(table, candidates)
            .await?
            .into_iter()
            .filter(|item| stale.holds(item))
            .collect();
        let fell_back = match R::HAS_LATEST {
            true => self.fall_back_all::<R>(tenant, &items).await?,
            false => Vec::new(),
        };
        let candidates = items.len();
        let removed = self.remove_if_stale(table, items, &stale).await?.len();
        if removed < candidates && !fell_back.is_empty() {
            // Some were written again between the read and their delete: they stay, and the
            // latest balances that fell back past them take them back.
            self.set_right::<R>(tenant, fell_back).await?;
        }
        Ok(removed)
    }
}

impl Dynamo {
    /// The keys of one `ByPeriod` partition's records in the period that may be stale.
    async fn stale_in(
        &self,
        table: &str,
        partition: String,
        from: &str,
        to: &str,
        stale: &Stale,
    ) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(table)
            .index_name("ByPeriod")
            .key_condition_expression("period_pk = :p AND #date BETWEEN :from AND :to")
            .expression_attribute_names("#date", "date")
            .expression_attribute_values(":p", AttributeValue::S(partition))
            .expression_attribute_values(":from", AttributeValue::S(from.to_owned()))
            .expression_attribute_values(":to", AttributeValue::S(to.to_owned()));
        Ok(query_all(query)
            .await?
            .iter()
            .filter(|entry| stale.candidate(entry))
            .filter_map(|item| {
                let key = Key {
                    pk: text_of(item, "pk")?,
                    sk: text_of(item, "sk")?,
                };
                Some(key_item(&key))
            })
            .collect())
    }

    /// Deletes each of `items` that is still stale when its delete arrives, 100 to a
    /// TransactWriteItems, several in flight. Answers the items deleted.
    async fn remove_if_stale(
        &self,
        table: &str,
        items: Vec<Item>,
        stale: &Stale,
    ) -> Result<Vec<Item>, StoreError> {
        let hundreds: Vec<Vec<Item>> = items.chunks(TRANSACTION_ITEMS).map(<[_]>::to_vec).collect();
        let removed: Vec<Vec<Item>> = stream::iter(hundreds)
            .map(|hundred| async move {
                let deletes = hundred
                    .into_iter()
                    .map(|item| stale.delete(table, &item).map(|delete| (item, delete)))
                    .collect::<Result<Vec<_>, _>>()?;
                let (removed, _) = self.transact_conditionally(deletes).await?;
                Ok::<_, StoreError>(removed)
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(removed.into_iter().flatten().collect())
    }
}
