//! Reference checks: which directory entries (services, accounts, counters) a request refers to
//! that were never imported. BatchGetItem calls of 100 keys, projecting only the key, 8 in
//! flight.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Directory, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::batch::{GET_BATCH, IN_FLIGHT};
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
        let wanted = batch
            .into_iter()
            .map(|(directory, id)| {
                let Key { pk, sk } = directory_key(tenant, id);
                let key = HashMap::from([
                    ("pk".to_owned(), AttributeValue::S(pk)),
                    ("sk".to_owned(), AttributeValue::S(sk)),
                ]);
                (Table::of_directory(directory), key)
            })
            .collect();
        let found = self.batch_get_across(wanted, Some("sk"), false).await?;
        found
            .iter()
            .map(|(table, item)| directory_entry(*table, item))
            .collect()
    }
}

/// The directory and id of an entry's key.
fn directory_entry(table: Table, item: &Item) -> Result<(Directory, Guid), StoreError> {
    let corrupt = || crate::error::corrupt(format!("{table:?}: unexpected directory key"));
    let directory = match table {
        Table::Services => Directory::Service,
        Table::Accounts => Directory::Account,
        Table::Counters => Directory::Counter,
        Table::Organizations => Directory::Organization,
        _ => return Err(corrupt()),
    };
    let id = match item.get("sk") {
        Some(AttributeValue::S(sk)) => sk.parse().map_err(|_| corrupt())?,
        _ => return Err(corrupt()),
    };
    Ok((directory, id))
}
