//! Reference checks: which directory entries (services, accounts, counters) a request refers to
//! that were never imported. BatchGetItem calls of 100 keys, projecting only the key, 8 in
//! flight.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use domain::{Directory, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::batch::{GET_BATCH, IN_FLIGHT, until_done};
use crate::error::request_error;
use crate::items::Item;
use crate::keys::{Key, directory_key};
use crate::{Dynamo, StoreError, Table};

/// Tells which referenced directory entries were never imported. An entry marked deleted
/// exists: 1C still holds what refers to it.
pub trait DirectoryLookup {
    fn missing(
        &self,
        tenant: &Tenant,
        wanted: &HashSet<(Directory, Guid)>,
    ) -> impl Future<Output = Result<HashSet<(Directory, Guid)>, StoreError>> + Send;
}

impl DirectoryLookup for Dynamo {
    async fn missing(
        &self,
        tenant: &Tenant,
        wanted: &HashSet<(Directory, Guid)>,
    ) -> Result<HashSet<(Directory, Guid)>, StoreError> {
        let wanted_list: Vec<_> = wanted.iter().copied().collect();
        let batches: Vec<Vec<_>> = wanted_list.chunks(GET_BATCH).map(<[_]>::to_vec).collect();
        let found: Vec<Vec<(Directory, Guid)>> = stream::iter(batches)
            .map(|batch| self.find_batch(tenant, batch))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        let found: HashSet<_> = found.into_iter().flatten().collect();
        Ok(wanted.difference(&found).copied().collect())
    }
}

impl Dynamo {
    async fn find_batch(
        &self,
        tenant: &Tenant,
        batch: Vec<(Directory, Guid)>,
    ) -> Result<Vec<(Directory, Guid)>, StoreError> {
        until_done(batch, self.backoff(), |pending| async move {
            let mut keys: HashMap<&str, Vec<Item>> = HashMap::new();
            for (directory, id) in pending {
                let Key { pk, sk } = directory_key(tenant, id);
                let key = HashMap::from([
                    ("pk".to_owned(), AttributeValue::S(pk)),
                    ("sk".to_owned(), AttributeValue::S(sk)),
                ]);
                let table = self.tables().name(Table::of_directory(directory));
                keys.entry(table).or_default().push(key);
            }
            let request = keys
                .into_iter()
                .map(|(table, keys)| {
                    let wanted = KeysAndAttributes::builder()
                        .set_keys(Some(keys))
                        .projection_expression("sk")
                        .build()
                        .expect("keys are set");
                    (table.to_owned(), wanted)
                })
                .collect();
            let out = self
                .client()
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| request_error("BatchGetItem", e))?;
            let found = out
                .responses
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(t, items)| items.into_iter().map(move |item| (t.clone(), item)))
                .map(|(t, item)| self.directory_entry(&t, &item))
                .collect::<Result<_, _>>()?;
            let left = out
                .unprocessed_keys
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(t, keys)| keys.keys.into_iter().map(move |key| (t.clone(), key)));
            let left = left
                .map(|(t, key)| self.directory_entry(&t, &key))
                .collect::<Result<_, _>>()?;
            Ok((found, left))
        })
        .await
        .map(|done| done.found)
    }

    fn directory_entry(&self, table: &str, item: &Item) -> Result<(Directory, Guid), StoreError> {
        let corrupt = || crate::error::corrupt(format!("{table}: unexpected directory key"));
        let directory = match self.tables().table_named(table) {
            Some(Table::Services) => Directory::Service,
            Some(Table::Accounts) => Directory::Account,
            Some(Table::Counters) => Directory::Counter,
            _ => return Err(corrupt()),
        };
        let id = match item.get("sk") {
            Some(AttributeValue::S(sk)) => sk.parse().map_err(|_| corrupt())?,
            _ => return Err(corrupt()),
        };
        Ok((directory, id))
    }
}
