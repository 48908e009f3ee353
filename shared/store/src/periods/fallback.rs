//! Before a period's removal deletes them: an account's latest balance per service that is about
//! to be removed is replaced by the newest balance that stays (or goes, when none stays). Done
//! first, so that a removal stopped half-way leaves the latest balances right and its history
//! still to remove, which the same request sent again finishes. A balance that an import writes
//! again between the removal's read and its delete stays; the latest balances that fell back
//! past one are then set right again ([`Dynamo::set_right`]).

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

/// A latest record that fell back: where it is, whose history it follows, and the date it now
/// has (`None`: it went, no record was left).
pub(super) struct FellBack {
    key: Key,
    owner: String,
    date: Option<LocalDateTime>,
}

impl Dynamo {
    /// For every latest record whose date is among the records about to be removed, the newest
    /// record that stays takes its place (8 in flight). Answers those that fell back.
    pub(super) async fn fall_back_all<R: Stored>(
        &self,
        tenant: &Tenant,
        removing: &[Item],
    ) -> Result<Vec<FellBack>, StoreError> {
        let mut latest: HashMap<Key, (String, HashSet<LocalDateTime>)> = HashMap::new();
        let mut going: HashSet<Key> = HashSet::with_capacity(removing.len());
        for record in from_items::<R>(removing.to_vec())? {
            let own = record.key(tenant, 0);
            if let Some((key, date)) = record.latest(tenant) {
                let entry = latest
                    .entry(key)
                    .or_insert_with(|| (own.pk.clone(), HashSet::new()));
                entry.1.insert(date);
            }
            going.insert(own);
        }
        let going = &going;
        let fell_back: Vec<Option<FellBack>> = stream::iter(latest)
            .map(|(key, (owner, dates))| self.fall_back::<R>(tenant, key, owner, dates, going))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(fell_back.into_iter().flatten().collect())
    }

    /// After the deletes, when some stale record stayed (written again meanwhile): each latest
    /// record that fell back takes the newest record there is, if it is newer than the one it
    /// fell back to. Conditional on the latest record being still the one set, as above.
    pub(super) async fn set_right<R: Stored>(
        &self,
        tenant: &Tenant,
        fell_back: Vec<FellBack>,
    ) -> Result<(), StoreError> {
        let none = HashSet::new();
        let none = &none;
        stream::iter(fell_back)
            .map(|f| async move {
                let newest = self
                    .newest_with_latest_key::<R>(tenant, &f.owner, &f.key, none)
                    .await?;
                let Some(newest) = newest.filter(|n| n.dated() > f.date) else {
                    return Ok(());
                };
                self.replace_latest::<R>(&f.key, f.date, Some(&newest))
                    .await
                    .map(|_| ())
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect::<()>()
            .await
    }

    /// If the latest record at `key` is one of the removed ones, the newest record that stays
    /// takes its place (or it goes, when none stays). Conditional on the latest record being
    /// still the one read, so a concurrent import of a newer one wins.
    async fn fall_back<R: Stored>(
        &self,
        tenant: &Tenant,
        key: Key,
        owner: String,
        removed: HashSet<LocalDateTime>,
        going: &HashSet<Key>,
    ) -> Result<Option<FellBack>, StoreError> {
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
            return Ok(None);
        };
        let Some(date) = current.dated().filter(|d| removed.contains(d)) else {
            return Ok(None);
        };
        let newest_left = self
            .newest_with_latest_key::<R>(tenant, &owner, &key, going)
            .await?;
        if !self
            .replace_latest(&key, Some(date), newest_left.as_ref())
            .await?
        {
            tracing::info!("latest_fallback: a newer import replaced it meanwhile, it stays");
            return Ok(None);
        }
        let date = newest_left.and_then(|r| r.dated());
        Ok(Some(FellBack { key, owner, date }))
    }

    /// Puts `record` as the latest at `key` (or deletes it, for `None`), on condition that the
    /// latest stored there is dated `was` (absent, for `None`). Answers whether it did.
    async fn replace_latest<R: Stored>(
        &self,
        key: &Key,
        was: Option<LocalDateTime>,
        record: Option<&R>,
    ) -> Result<bool, StoreError> {
        let table = self.tables().name(R::TABLE);
        let (condition, date) = match was {
            Some(date) => ("#date = :date", Some(AttributeValue::S(date.to_string()))),
            None => ("attribute_not_exists(pk)", None),
        };
        let names = date
            .as_ref()
            .map(|_| ("#date".to_owned(), "date".to_owned()));
        let values = date.map(|d| (":date".to_owned(), d));
        match record {
            Some(record) => {
                let result = self
                    .client()
                    .put_item()
                    .table_name(table)
                    .set_item(Some(latest_item(key, record)?))
                    .condition_expression(condition)
                    .set_expression_attribute_names(names.map(|n| HashMap::from([n])))
                    .set_expression_attribute_values(values.map(|v| HashMap::from([v])))
                    .send()
                    .await;
                conditional("PutItem", result)
            }
            None => {
                let result = self
                    .client()
                    .delete_item()
                    .table_name(table)
                    .set_key(Some(key_item(key)))
                    .condition_expression(condition)
                    .set_expression_attribute_names(names.map(|n| HashMap::from([n])))
                    .set_expression_attribute_values(values.map(|v| HashMap::from([v])))
                    .send()
                    .await;
                conditional("DeleteItem", result)
            }
        }
    }

    /// The newest record of `owner`'s history whose latest key is `key` and that is not
    /// `going`, read newest first.
    async fn newest_with_latest_key<R: Stored>(
        &self,
        tenant: &Tenant,
        owner: &str,
        key: &Key,
        going: &HashSet<Key>,
    ) -> Result<Option<R>, StoreError> {
        let table = self.tables().name(R::TABLE);
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client()
                .query()
                .table_name(table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(owner.to_owned()))
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
