//! A tenant's directories page by page. A directory is spread over [`SHARDS`] partitions by id
//! (see `keys`), so a page walks them in shard order, each in id order; a cursor is the shard
//! and the last id read there. A few shards are read ahead at once, so that a small directory,
//! mostly empty shards, costs a few round trips, not one per shard.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::history::{Cursor, ListQuery};
use domain::{Service, Tenant};
use futures::{StreamExt, stream};

use crate::batch::IN_FLIGHT;
use crate::error::request_error;
use crate::items::{Item, from_items, text_of};
use crate::keys::{SHARDS, directory_partition};
use crate::reads::Page;
use crate::{Dynamo, StoreError, Stored};

/// Where a listing continues: a shard, and the last id read in it (none: from its start).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    shard: u128,
    after: Option<String>,
}

impl Position {
    fn cursor(&self) -> Cursor {
        Cursor::new(format!(
            "{:03}#{}",
            self.shard,
            self.after.as_deref().unwrap_or("")
        ))
    }

    /// Only what [`Position::cursor`] makes: a shard, and an id or nothing.
    fn of(cursor: &Cursor) -> Result<Self, StoreError> {
        let (shard, after) = cursor
            .as_str()
            .split_once('#')
            .ok_or(StoreError::BadCursor)?;
        let shard: u128 = shard.parse().map_err(|_| StoreError::BadCursor)?;
        if shard >= SHARDS || after.len() > 64 {
            return Err(StoreError::BadCursor);
        }
        let after = (!after.is_empty()).then(|| after.to_owned());
        Ok(Self { shard, after })
    }
}

/// Up to `limit` items of one shard after `after`, and whether the shard has more.
struct ShardRead {
    shard: u128,
    items: Vec<Item>,
    more: bool,
}

impl Dynamo {
    /// One page of the tenant's services that are not deleted: at most `query.limit`, and no
    /// more than `fits` takes (it is asked about each service in order and refuses the first
    /// that would make the answer too large; the first of a page is always taken).
    pub(crate) async fn services_page(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        fits: impl FnMut(&Service) -> bool + Send,
    ) -> Result<Page<Service>, StoreError> {
        self.directory_page(tenant, query, |s: &Service| !s.deleted, fits)
            .await
    }

    /// One page of the tenant's entries of directory `R` that `keep` keeps, in storage order:
    /// at most `query.limit`, and no more than `fits` takes.
    pub(crate) async fn directory_page<R: Stored>(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        keep: impl Fn(&R) -> bool + Send,
        mut fits: impl FnMut(&R) -> bool + Send,
    ) -> Result<Page<R>, StoreError> {
        let start = match &query.after {
            Some(cursor) => Position::of(cursor)?,
            None => Position {
                shard: 0,
                after: None,
            },
        };
        let limit = query.limit as usize;
        let mut reads = stream::iter(start.shard..SHARDS)
            .map(|shard| {
                let after = (shard == start.shard)
                    .then(|| start.after.clone())
                    .flatten();
                self.read_shard(tenant, R::TABLE, shard, after, limit)
            })
            .buffered(IN_FLIGHT);
        let mut items = Vec::new();
        while let Some(read) = reads.next().await {
            let read = read?;
            let mut last = (read.shard == start.shard)
                .then(|| start.after.clone())
                .flatten();
            for item in read.items {
                let id = text_of(&item, "sk");
                let entry: R = from_items(vec![item])?.remove(0);
                if keep(&entry) {
                    if items.len() == limit || (!items.is_empty() && !fits(&entry)) {
                        return Ok(next_page(items, read.shard, last));
                    }
                    items.push(entry);
                }
                last = id;
            }
            if read.more {
                return Ok(next_page(items, read.shard, last));
            }
        }
        Ok(Page { items, next: None })
    }

    async fn read_shard(
        &self,
        tenant: &Tenant,
        table: crate::Table,
        shard: u128,
        after: Option<String>,
        limit: usize,
    ) -> Result<ShardRead, StoreError> {
        let pk = directory_partition(tenant, shard);
        let start = after.map(|sk| {
            HashMap::from([
                ("pk".to_owned(), AttributeValue::S(pk.clone())),
                ("sk".to_owned(), AttributeValue::S(sk)),
            ])
        });
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(table))
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        Ok(ShardRead {
            shard,
            items: out.items.unwrap_or_default(),
            more: out.last_evaluated_key.is_some(),
        })
    }
}

fn next_page<R>(items: Vec<R>, shard: u128, after: Option<String>) -> Page<R> {
    Page {
        items,
        next: Some(Position { shard, after }.cursor()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_nothing_else_is_one() {
        for position in [
            Position {
                shard: 0,
                after: None,
            },
            Position {
                shard: 127,
                after: Some("358d67ad-d66e-11e3-bd79-94de80e97e9a".into()),
            },
        ] {
            assert_eq!(Position::of(&position.cursor()).unwrap(), position);
        }
        for bad in ["", "128#", "x#", "7", &format!("001#{}", "a".repeat(65))] {
            assert!(Position::of(&Cursor::new(bad.into())).is_err(), "{bad}");
        }
    }
}
