//! Period imports: whatever of a tenant's readings, balances or transactions is dated in a
//! declared period and was not written by the import of that period is removed.
//!
//! Requests: one Query per month and shard of the `ByPeriod` index (64 a month, 8 in flight,
//! each reading only that shard's items of the period: keys, date and mark), one consistent
//! BatchGetItem per 100 items it finds written by another import (the index may lag behind the
//! table), one BatchWriteItem per 25 removals; for balances, per account and service whose
//! latest balance was removed, one GetItem, the Queries that find the newest balance left, and
//! one conditional write (8 in flight).

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Datelike, NaiveDate};
use domain::{DateRange, Guid, LocalDateTime, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::dynamo::{
    IN_FLIGHT, Item, conditional, delete, from_items, key_item, latest_item, query_all,
    request_error, text_of,
};
use crate::keys::{Key, SHARDS, Stored, history_bounds, period_partition};
use crate::{Dynamo, PeriodWriter, StoreError};

impl<R: Stored> PeriodWriter<R> for Dynamo {
    async fn remove_unmarked(
        &self,
        tenant: &Tenant,
        period: DateRange,
        mark: Guid,
    ) -> Result<usize, StoreError> {
        let table = self.tables().name(R::TABLE);
        let (from, to) = history_bounds(&period);
        let partitions: Vec<String> = months(&period)
            .into_iter()
            .flat_map(|month| (0..SHARDS).map(move |shard| (month.clone(), shard)))
            .map(|(month, shard)| period_partition(tenant, &month, shard))
            .collect();
        let mark = mark.to_string();
        let stale: Vec<Vec<Key>> = stream::iter(partitions)
            .map(|partition| self.unmarked_in(table, partition, &from, &to, &mark))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        let candidates: Vec<Key> = stale.into_iter().flatten().collect();
        // The index may lag behind the table: what it calls stale is read again, consistently,
        // so that an item this import has just rewritten is never removed.
        let stale = self.still_unmarked(table, &candidates, &mark).await?;
        let removed = stale.len();
        let mut latest: HashMap<Key, HashSet<LocalDateTime>> = HashMap::new();
        let mut keys = Vec::with_capacity(stale.len());
        for item in stale {
            keys.push(Key {
                pk: text_of(&item, "pk").unwrap_or_default(),
                sk: text_of(&item, "sk").unwrap_or_default(),
            });
            if R::HAS_LATEST {
                let record: R = from_items(vec![item])?.remove(0);
                if let Some((key, date)) = record.latest(tenant) {
                    latest.entry(key).or_default().insert(date);
                }
            }
        }
        self.write_all(table, keys.into_iter().map(|key| Ok(delete(key))))
            .await?;
        stream::iter(latest)
            .map(|(key, dates)| self.fall_back::<R>(tenant, key, dates))
            .buffer_unordered(IN_FLIGHT)
            .try_collect::<()>()
            .await?;
        Ok(removed)
    }
}

/// `YYYY-MM` of every month the period touches.
fn months(period: &DateRange) -> Vec<String> {
    let (Some(from), Some(to)) = (period.from, period.to) else {
        return Vec::new();
    };
    let (from, to) = (from.naive().date(), to.naive().date());
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1);
    let mut months = Vec::new();
    while let Some(first) = month.filter(|m| *m <= to) {
        months.push(first.format("%Y-%m").to_string());
        month = first.checked_add_months(chrono::Months::new(1));
    }
    months
}

impl Dynamo {
    /// The keys of one `ByPeriod` partition's items in the period that another import wrote.
    async fn unmarked_in(
        &self,
        table: &str,
        partition: String,
        from: &str,
        to: &str,
        mark: &str,
    ) -> Result<Vec<Key>, StoreError> {
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
        let items = query_all(query).await?;
        Ok(items
            .iter()
            .filter(|item| text_of(item, "exchange").as_deref() != Some(mark))
            .filter_map(|item| {
                Some(Key {
                    pk: text_of(item, "pk")?,
                    sk: text_of(item, "sk")?,
                })
            })
            .collect())
    }

    /// The items at `keys`, read consistently, that another import than `mark`'s wrote.
    async fn still_unmarked(
        &self,
        table: &str,
        keys: &[Key],
        mark: &str,
    ) -> Result<Vec<Item>, StoreError> {
        let found = self
            .read_consistently(table, keys.iter().map(key_item).collect())
            .await?;
        Ok(found
            .into_iter()
            .filter(|item| text_of(item, "exchange").as_deref() != Some(mark))
            .collect())
    }

    /// If the latest record at `key` is one of the removed ones, the newest record left takes
    /// its place (or it goes, when none is left). Conditional on the latest record being still
    /// the one read, so a concurrent import of a newer one wins.
    async fn fall_back<R: Stored>(
        &self,
        tenant: &Tenant,
        key: Key,
        removed: HashSet<LocalDateTime>,
    ) -> Result<(), StoreError> {
        let table = self.tables().name(R::TABLE);
        let current = self
            .client()
            .get_item()
            .table_name(table)
            .set_key(Some(key_item(&key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        let Some(current) = from_items::<R>(current.item.into_iter().collect())?.pop() else {
            return Ok(());
        };
        let Some(date) = current.dated().filter(|d| removed.contains(d)) else {
            return Ok(());
        };
        let newest_left = self
            .newest_with_latest_key::<R>(tenant, &current, &key)
            .await?;
        let date = AttributeValue::S(date.to_string());
        let replaced = match newest_left {
            Some(record) => {
                let result = self
                    .client()
                    .put_item()
                    .table_name(table)
                    .set_item(Some(latest_item(&key, &record)?))
                    .condition_expression("#date = :date")
                    .expression_attribute_names("#date", "date")
                    .expression_attribute_values(":date", date)
                    .send()
                    .await;
                conditional("PutItem", result)?
            }
            None => {
                let result = self
                    .client()
                    .delete_item()
                    .table_name(table)
                    .set_key(Some(key_item(&key)))
                    .condition_expression("#date = :date")
                    .expression_attribute_names("#date", "date")
                    .expression_attribute_values(":date", date)
                    .send()
                    .await;
                conditional("DeleteItem", result)?
            }
        };
        if !replaced {
            tracing::info!("latest_fallback: a newer import replaced it meanwhile, it stays");
        }
        Ok(())
    }

    /// The newest record of the same owner whose latest key is `key`, read newest first.
    async fn newest_with_latest_key<R: Stored>(
        &self,
        tenant: &Tenant,
        sample: &R,
        key: &Key,
    ) -> Result<Option<R>, StoreError> {
        let table = self.tables().name(R::TABLE);
        let owner = sample.key(tenant, 0).pk;
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client()
                .query()
                .table_name(table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(owner.clone()))
                .scan_index_forward(false)
                .consistent_read(true)
                .limit(100)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| request_error("Query", e))?;
            for record in from_items::<R>(out.items.unwrap_or_default())? {
                if record.latest(tenant).is_some_and(|(k, _)| k == *key) {
                    return Ok(Some(record));
                }
            }
            start = out.last_evaluated_key.filter(|k| !k.is_empty());
            if start.is_none() {
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::PeriodImport;

    #[test]
    fn a_period_touches_every_month_it_spans() {
        let pairs = [("from", "2018-11-15"), ("to", "2019-02-01")];
        let p = PeriodImport::parse(|n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v))
            .unwrap()
            .unwrap();
        assert_eq!(
            months(&p.period),
            ["2018-11", "2018-12", "2019-01", "2019-02"]
        );
    }
}
