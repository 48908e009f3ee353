//! Before a period's removal deletes them: an account's latest balance per service that is about
//! to be removed is replaced by the newest balance that stays (or goes, when none stays). Done
//! first, so that a removal stopped half-way leaves the latest balances right and its history
//! still to remove, which the same request sent again finishes.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{LocalDateTime, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::batch::IN_FLIGHT;
use crate::error::{conditional, request_error};
use crate::items::{Item, from_items, key_item};
use crate::keys::{Key, Stored};
use crate::records::latest_item;
use crate::{Dynamo, StoreError};

impl Dynamo {
    /// For every latest record whose date is among the records about to be removed, the newest
    /// record that stays takes its place (8 in flight).
    pub(super) async fn fall_back_all<R: Stored>(
        &self,
        tenant: &Tenant,
        removing: &[Item],
    ) -> Result<(), StoreError> {
        let mut latest: HashMap<Key, HashSet<LocalDateTime>> = HashMap::new();
        let mut going: HashSet<Key> = HashSet::with_capacity(removing.len());
        for record in from_items::<R>(removing.to_vec())? {
            going.insert(record.key(tenant, 0));
            if let Some((key, date)) = record.latest(tenant) {
                latest.entry(key).or_default().insert(date);
            }
        }
        let going = &going;
        stream::iter(latest)
            .map(|(key, dates)| self.fall_back::<R>(tenant, key, dates, going))
            .buffer_unordered(IN_FLIGHT)
            .try_collect::<()>()
            .await
    }
}

impl Dynamo {
    /// If the latest record at `key` is one of the removed ones, the newest record left takes
    /// its place (or it goes, when none is left). Conditional on the latest record being still
    /// the one read, so a concurrent import of a newer one wins.
    async fn fall_back<R: Stored>(
        &self,
        tenant: &Tenant,
        key: Key,
        removed: HashSet<LocalDateTime>,
        going: &HashSet<Key>,
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
            .newest_with_latest_key::<R>(tenant, &current, &key, going)
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

    /// The newest record of the same owner whose latest key is `key` and that is not `going`,
    /// read newest first.
    async fn newest_with_latest_key<R: Stored>(
        &self,
        tenant: &Tenant,
        sample: &R,
        key: &Key,
        going: &HashSet<Key>,
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
                let stays = !going.contains(&record.key(tenant, 0));
                if stays && record.latest(tenant).is_some_and(|(k, _)| k == *key) {
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
