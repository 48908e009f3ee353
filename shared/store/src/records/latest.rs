//! The latest balance per account and service, kept beside the history so that the account
//! view never reads history: each put is conditioned on no newer value being stored, so that an
//! import of older data (or a slower concurrent one) never replaces a newer value.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use domain::{LocalDateTime, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use super::{Row, item_of};
use crate::batch::{IN_FLIGHT, TRANSACTION_ITEMS};
use crate::error::corrupt;
use crate::items::Item;
use crate::keys::{Key, Stored};
use crate::{Dynamo, StoreError};

/// What the latest record at `key` is stored as.
pub(crate) fn latest_item<R: Stored>(key: &Key, record: &R) -> Result<Item, StoreError> {
    item_of(Row::latest(key, record))
}

impl Dynamo {
    /// Keeps the newest record per [`Stored::latest`] key. The puts go 100 to a
    /// TransactWriteItems, several in flight: one call per hundred rather than per item. A put
    /// whose condition fails is dropped (a newer value stays); the rest of its transaction is
    /// sent again. Answers the calls sent again.
    pub(super) async fn write_latest<R: Stored>(
        &self,
        tenant: &Tenant,
        records: &[R],
    ) -> Result<u64, StoreError> {
        let mut newest: HashMap<Key, (LocalDateTime, usize)> = HashMap::new();
        for (index, record) in records.iter().enumerate() {
            let Some((key, date)) = record.latest(tenant) else {
                continue;
            };
            match newest.get(&key) {
                Some((seen, _)) if *seen > date => {}
                _ => {
                    newest.insert(key, (date, index));
                }
            }
        }
        let table = self.tables().name(R::TABLE);
        let newest: Vec<(Key, (LocalDateTime, usize))> = newest.into_iter().collect();
        let chunks: Vec<Vec<_>> = newest
            .chunks(TRANSACTION_ITEMS)
            .map(<[_]>::to_vec)
            .collect();
        // Built as they are sent, like the records' own items.
        let retries: Vec<u64> = stream::iter(chunks)
            .map(|chunk| async move {
                let puts = chunk
                    .iter()
                    .map(|(key, (date, index))| {
                        latest_put(table, key, &records[*index], *date).map(|put| ((), put))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let (_, retries) = self.transact_conditionally(puts).await?;
                Ok::<_, StoreError>(retries)
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(retries.into_iter().sum())
    }
}

/// A latest record's put, on condition that what is stored is not newer.
fn latest_put<R: Stored>(
    table: &str,
    key: &Key,
    record: &R,
    date: LocalDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(latest_item(key, record)?))
        .condition_expression("attribute_not_exists(pk) OR #date <= :date")
        .expression_attribute_names("#date", "date")
        .expression_attribute_values(":date", AttributeValue::S(date.to_string()))
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().put(put).build())
}
