//! The DynamoDB implementation of the storage traits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use domain::{Directory, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};
use serde::Serialize;

use crate::batch::{Backoff, until_done};
use crate::keys::{Key, Stored, directory_key};
use crate::{
    DirectoryLookup, Page, PartitionReader, RecordWriter, StoreError, Table, Tables, Written,
};

/// BatchWriteItem takes at most 25 items, BatchGetItem 100 keys.
const WRITE_BATCH: usize = 25;
const GET_BATCH: usize = 100;
/// Batches in flight at once: enough to hide round trips, few enough not to self-throttle.
const IN_FLIGHT: usize = 8;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The DynamoDB client and table names; cheap to clone, built once per cold start.
#[derive(Debug, Clone)]
pub struct Dynamo {
    client: Client,
    tables: Arc<Tables>,
    backoff: Backoff,
}

impl Dynamo {
    /// Configured like any AWS SDK client: region, credentials and `AWS_ENDPOINT_URL_DYNAMODB`
    /// (DynamoDB Local, or a DynamoDB-compatible service) come from the environment.
    pub async fn from_env() -> Result<Self, StoreError> {
        let tables = Tables::from_env()?;
        Ok(Self::new(Self::client_from_env().await, tables))
    }

    /// For a tool that touches only `needed`: see [`Tables::from_env_for`].
    pub async fn from_env_for(needed: &[Table]) -> Result<Self, StoreError> {
        let tables = Tables::from_env_for(needed)?;
        Ok(Self::new(Self::client_from_env().await, tables))
    }

    async fn client_from_env() -> Client {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Client::new(&config)
    }

    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables: Arc::new(tables),
            backoff: Backoff::default(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    pub(crate) fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// Puts every item, 25 to a BatchWriteItem call, several calls in flight. Answers how many
    /// calls were sent again for leftovers.
    pub(crate) async fn write_all(
        &self,
        table: &str,
        requests: Vec<WriteRequest>,
    ) -> Result<u64, StoreError> {
        let mut requests = requests.into_iter();
        let batches = std::iter::from_fn(|| {
            let batch: Vec<_> = requests.by_ref().take(WRITE_BATCH).collect();
            (!batch.is_empty()).then_some(batch)
        });
        stream::iter(batches)
            .map(|batch| self.write_batch(table, batch))
            .buffer_unordered(IN_FLIGHT)
            .try_fold(0, |sum, retries| async move { Ok(sum + retries) })
            .await
    }

    async fn write_batch(&self, table: &str, batch: Vec<WriteRequest>) -> Result<u64, StoreError> {
        until_done(batch, self.backoff, |pending| async move {
            let out = self
                .client
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

    /// Up to 100 items of one table by key, unprocessed keys retried; missing items are absent.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<Item>,
        projection: Option<&str>,
        consistent: bool,
    ) -> Result<Vec<Item>, StoreError> {
        until_done(keys, self.backoff, |keys| async move {
            let wanted = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .set_projection_expression(projection.map(str::to_owned))
                .consistent_read(consistent)
                .build()
                .expect("keys are set");
            let out = self
                .client
                .batch_get_item()
                .request_items(table, wanted)
                .send()
                .await
                .map_err(|e| request_error("BatchGetItem", e))?;
            let found = out
                .responses
                .and_then(|mut r| r.remove(table))
                .unwrap_or_default();
            let left = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(table))
                .map(|k| k.keys)
                .unwrap_or_default();
            Ok((found, left))
        })
        .await
        .map(|done| done.found)
    }

    async fn find_batch(
        &self,
        tenant: &Tenant,
        batch: Vec<(Directory, Guid)>,
    ) -> Result<Vec<(Directory, Guid)>, StoreError> {
        until_done(batch, self.backoff, |pending| async move {
            let mut keys: HashMap<&str, Vec<Item>> = HashMap::new();
            for (directory, id) in pending {
                let Key { pk, sk } = directory_key(tenant, id);
                let key = HashMap::from([
                    ("pk".to_owned(), AttributeValue::S(pk)),
                    ("sk".to_owned(), AttributeValue::S(sk)),
                ]);
                let table = self.tables.name(Table::of_directory(directory));
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
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(|e| request_error("BatchGetItem", e))?;
            let found = out
                .responses
                .unwrap_or_default()
                .into_iter()
                .flat_map(|(t, items)| items.into_iter().map(move |item| (t.clone(), item)));
            let found = found
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
        let corrupt = || StoreError::Corrupt(format!("{table}: unexpected directory key"));
        let directory = match self.tables.table_named(table) {
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

/// What a record is stored as: its key, its index attributes, and its own fields.
#[derive(Serialize)]
struct Row<'r, R> {
    pk: &'r str,
    sk: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_key: Option<String>,
    #[serde(flatten)]
    record: &'r R,
}

/// One item per distinct key: DynamoDB rejects a batch that repeats a key, and for upserts the
/// last record of a request is the one that counts. Every item is checked against DynamoDB's
/// size limit on the way: one too large refuses the whole request before anything is written.
fn distinct_items<R: Stored>(tenant: &Tenant, records: &[R]) -> Result<Vec<Item>, StoreError> {
    let mut occurrences: HashMap<Key, u32> = HashMap::with_capacity(records.len());
    let mut items: HashMap<Key, Item> = HashMap::with_capacity(records.len());
    let mut oversized = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let seen = occurrences.entry(record.key(tenant, 0)).or_insert(0);
        let key = record.key(tenant, *seen);
        *seen += 1;
        let row = Row {
            pk: &key.pk,
            sk: &key.sk,
            account_key: record.account_key(tenant),
            record,
        };
        let item: Item =
            serde_dynamo::to_item(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Some(too_large) = oversized_item(index, &item) {
            oversized.push(too_large);
        }
        items.insert(key, item);
    }
    if !oversized.is_empty() {
        return Err(StoreError::Oversized(oversized));
    }
    Ok(items.into_values().collect())
}

/// The record at `index`, if its item is over DynamoDB's limit.
pub(crate) fn oversized_item(index: usize, item: &Item) -> Option<crate::Oversized> {
    (crate::item_size::item_size(item) > crate::item_size::MAX_ITEM_BYTES).then(|| {
        crate::Oversized {
            index,
            field: crate::item_size::largest_attribute(item)
                .unwrap_or_default()
                .to_owned(),
        }
    })
}

pub(crate) fn request_error<E, R>(
    operation: &'static str,
    e: aws_sdk_dynamodb::error::SdkError<E, R>,
) -> StoreError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    StoreError::Request {
        operation,
        message: e
            .code()
            .map_or_else(|| DisplayErrorContext(&e).to_string(), str::to_owned),
    }
}

impl<R: Stored> RecordWriter<R> for Dynamo {
    async fn upsert(&self, tenant: &Tenant, records: &[R]) -> Result<Written, StoreError> {
        let items = distinct_items(tenant, records)?;
        let written = items.len();
        let requests = items
            .into_iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item)).build();
                WriteRequest::builder().set_put_request(put.ok()).build()
            })
            .collect();
        let retries = self.write_all(self.tables.name(R::TABLE), requests).await?;
        self.write_latest(tenant, records).await?;
        Ok(Written {
            records: written,
            retries,
        })
    }
}

impl Dynamo {
    async fn put_if_not_older(
        &self,
        table: &str,
        item: Item,
        date: String,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR #date <= :date")
            .expression_attribute_names("#date", "date")
            .expression_attribute_values(":date", AttributeValue::S(date))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(request_error("PutItem", e)),
        }
    }

    /// Keeps the newest record per [`Stored::latest`] key: a conditional put per key, so that an
    /// import of older data (or a slower concurrent one) never replaces a newer value.
    async fn write_latest<R: Stored>(
        &self,
        tenant: &Tenant,
        records: &[R],
    ) -> Result<(), StoreError> {
        let mut newest: HashMap<Key, (domain::LocalDateTime, &R)> = HashMap::new();
        for record in records {
            let Some((key, date)) = record.latest(tenant) else {
                continue;
            };
            match newest.get(&key) {
                Some((seen, _)) if *seen > date => {}
                _ => {
                    newest.insert(key, (date, record));
                }
            }
        }
        let puts: Vec<(Item, String)> = newest
            .into_iter()
            .map(|(key, (date, record))| {
                let row = Row {
                    pk: &key.pk,
                    sk: &key.sk,
                    account_key: None,
                    record,
                };
                let item =
                    serde_dynamo::to_item(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((item, date.to_string()))
            })
            .collect::<Result<_, StoreError>>()?;
        let table = self.tables.name(R::TABLE);
        stream::iter(puts)
            .map(|(item, date)| self.put_if_not_older(table, item, date))
            .buffer_unordered(IN_FLIGHT)
            .try_collect::<()>()
            .await
    }
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

fn from_items<R: Stored>(items: Vec<Item>) -> Result<Vec<R>, StoreError> {
    items
        .into_iter()
        .map(|item| serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

impl PartitionReader for Dynamo {
    async fn newest_first<R: Stored>(
        &self,
        pk: &str,
        (from, to): (&str, &str),
        limit: u32,
        after: Option<String>,
    ) -> Result<Page<R>, StoreError> {
        let start = after.map(|sk| {
            HashMap::from([
                ("pk".to_owned(), AttributeValue::S(pk.to_owned())),
                ("sk".to_owned(), AttributeValue::S(sk)),
            ])
        });
        let out = self
            .client
            .query()
            .table_name(self.tables.name(R::TABLE))
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
            .expression_attribute_values(":from", AttributeValue::S(from.to_owned()))
            .expression_attribute_values(":to", AttributeValue::S(to.to_owned()))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        let next = out
            .last_evaluated_key
            .and_then(|mut key| match key.remove("sk") {
                Some(AttributeValue::S(sk)) => Some(sk),
                _ => None,
            });
        Ok(Page {
            items: from_items(out.items.unwrap_or_default())?,
            next,
        })
    }

    async fn get<R: Stored>(&self, key: Key) -> Result<Option<R>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(self.tables.name(R::TABLE))
            .key("pk", AttributeValue::S(key.pk))
            .key("sk", AttributeValue::S(key.sk))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        Ok(from_items(out.item.into_iter().collect())?.pop())
    }

    async fn counters_of(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> Result<Vec<domain::Counter>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(self.tables.name(Table::Counters))
            .index_name("ByAccount")
            .key_condition_expression("account_key = :account")
            .expression_attribute_values(
                ":account",
                AttributeValue::S(crate::keys::owner_key(tenant, account)),
            )
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| request_error("Query", e))?;
        from_items(items)
    }

    async fn partition<R: Stored>(&self, pk: &str) -> Result<Vec<R>, StoreError> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(self.tables.name(R::TABLE))
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| request_error("Query", e))?;
        from_items(items)
    }
}
