//! The DynamoDB implementation of the storage traits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, Put, PutRequest, TransactWriteItem,
    WriteRequest,
};
use domain::{Directory, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::batch::{Backoff, until_done};
use crate::keys::{Key, Stored, directory_key, identity_key, period_key};
use crate::partition_bound::PartitionLoad;
use crate::{DirectoryLookup, RecordWriter, StoreError, Table, Tables, Written};

/// BatchWriteItem takes at most 25 items, BatchGetItem 100 keys.
const WRITE_BATCH: usize = 25;
pub(crate) const GET_BATCH: usize = 100;
/// Batches in flight at once: enough to hide round trips, few enough not to self-throttle.
pub(crate) const IN_FLIGHT: usize = 8;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The DynamoDB client and table names; cheap to clone, built once per cold start.
#[derive(Debug, Clone)]
pub struct Dynamo {
    client: Client,
    tables: Arc<Tables>,
    backoff: Backoff,
    /// Batch writes left before an injected failure: a test's crash in the middle of a write.
    write_budget: Option<Arc<std::sync::atomic::AtomicUsize>>,
}

impl Dynamo {
    /// For a function: region, credentials and endpoint from the variables Lambda sets
    /// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and
    /// `AWS_ENDPOINT_URL_DYNAMODB` when set (DynamoDB Local). Nothing else is looked for: the
    /// default chains also read profile files and probe container and instance metadata, which a
    /// Lambda never needs and every cold start would pay for. TLS trusts Amazon's roots only
    /// (see [`crate::https`]).
    pub async fn from_env() -> Result<Self, StoreError> {
        let tables = Tables::from_env()?;
        Ok(Self::new(Self::lambda_client()?, tables))
    }

    /// For a tool that touches only `needed`, run by a person: the SDK's whole default chain
    /// (profiles, SSO, ...). See [`Tables::from_env_for`].
    pub async fn from_env_for(needed: &[Table]) -> Result<Self, StoreError> {
        let tables = Tables::from_env_for(needed)?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(Client::new(&config), tables))
    }

    fn lambda_client() -> Result<Client, StoreError> {
        let region = std::env::var("AWS_REGION")
            .map_err(|_| StoreError::Config("AWS_REGION is not set".into()))?;
        let credentials =
            aws_config::environment::credentials::EnvironmentVariableCredentialsProvider::new();
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new(region))
            .credentials_provider(credentials)
            .http_client(crate::https::client());
        if let Some(url) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .ok()
            .filter(|u| !u.is_empty())
        {
            config = config.endpoint_url(url);
        }
        Ok(Client::from_conf(config.build()))
    }

    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables: Arc::new(tables),
            backoff: Backoff::default(),
            write_budget: None,
        }
    }

    /// For tests of what a crash leaves behind: this store (and its clones) fails every
    /// BatchWriteItem after the first `calls`, as a lost connection would.
    pub fn failing_after_writes(mut self, calls: usize) -> Self {
        self.write_budget = Some(Arc::new(std::sync::atomic::AtomicUsize::new(calls)));
        self
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
        if let Some(budget) = &self.write_budget {
            let left = budget.fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |left| left.checked_sub(1),
            );
            if left.is_err() {
                return Err(StoreError::Request {
                    operation: "BatchWriteItem",
                    message: "injected failure".into(),
                });
            }
        }
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

    /// The items of one table at `keys`, read consistently, 100 keys a call and several calls
    /// in flight; missing items are absent.
    pub(crate) async fn read_consistently(
        &self,
        table: &str,
        keys: Vec<Item>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut keys = keys.into_iter().peekable();
        let batches = std::iter::from_fn(move || {
            keys.peek()?;
            Some(keys.by_ref().take(GET_BATCH).collect::<Vec<_>>())
        });
        let found: Vec<Vec<Item>> = stream::iter(batches)
            .map(|batch| self.batch_get(table, batch, None, true))
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
                        .projection_expression("sk, deleted")
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
            // A deleted entry is as missing as one never imported.
            let found = found
                .filter(|(_, item)| {
                    !matches!(item.get("deleted"), Some(AttributeValue::Bool(true)))
                })
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

/// What a record is stored as: its key, its index attributes, the period import that wrote it,
/// and its own fields.
#[derive(Serialize)]
struct Row<'r, R> {
    pk: &'r str,
    sk: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exchange: Option<String>,
    #[serde(flatten)]
    record: &'r R,
}

impl<'r, R: Stored> Row<'r, R> {
    fn new(tenant: &Tenant, key: &'r Key, record: &'r R, mark: Option<Guid>) -> Self {
        let period_pk = record
            .owner()
            .zip(record.dated())
            .map(|(owner, date)| period_key(tenant, date, owner));
        Self {
            pk: &key.pk,
            sk: &key.sk,
            account_key: record.account_key(tenant),
            period_pk,
            exchange: mark.map(|m| m.to_string()),
            record,
        }
    }
}

/// The records an upsert writes, by key: one per distinct key (DynamoDB rejects a batch that
/// repeats a key, and for upserts the last record of a request is the one that counts), each
/// the index of its record. Every item is built once here to be checked against DynamoDB's size
/// limit, and every partition against [`crate::MAX_WRITES_PER_PARTITION`]: one too large or too
/// crowded refuses the whole request before anything is written. The items are then dropped and
/// built again batch by batch as they are written: holding them all would take several times
/// the request's size.
fn plan<R: Stored>(
    tenant: &Tenant,
    records: &[R],
    mark: Option<Guid>,
) -> Result<HashMap<Key, usize>, StoreError> {
    let mut occurrences: HashMap<Key, u32> = HashMap::with_capacity(records.len());
    let mut planned: HashMap<Key, usize> = HashMap::with_capacity(records.len());
    let mut oversized = Vec::new();
    let mut load = PartitionLoad::default();
    // A record with an identity sent twice: its last version wins, wherever either is dated.
    let mut last_of: HashMap<Guid, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        if let Some(id) = record.identity() {
            last_of.insert(id, index);
        }
    }
    for (index, record) in records.iter().enumerate() {
        if record.identity().is_some_and(|id| last_of[&id] != index) {
            continue;
        }
        let seen = occurrences.entry(record.key(tenant, 0)).or_insert(0);
        let key = record.key(tenant, *seen);
        *seen += 1;
        let row = Row::new(tenant, &key, record, mark);
        load.add(index, R::TABLE.logical_name(), &key.pk, R::PARTITION_FIELD);
        if let Some(account_key) = &row.account_key {
            load.add(index, "ByAccount", account_key, "account");
        }
        if let Some(period_pk) = &row.period_pk {
            load.add(index, "ByPeriod", period_pk, "date");
        }
        if let Some((latest, _)) = record.latest(tenant) {
            load.add(index, "latest", &latest.pk, R::PARTITION_FIELD);
        }
        if let Some(id) = record.identity() {
            load.add(index, "pointers", &identity_key(tenant, id).pk, "id");
        }
        oversized.extend(oversized_item(index, &item_of(row)?));
        planned.insert(key, index);
    }
    if !oversized.is_empty() {
        return Err(StoreError::Oversized(oversized));
    }
    load.check()?;
    Ok(planned)
}

fn item_of<R: Stored>(row: Row<'_, R>) -> Result<Item, StoreError> {
    serde_dynamo::to_item(row).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// What the latest record of its kind (the latest balance per account and service) is stored as.
pub(crate) fn latest_item<R: Stored>(key: &Key, record: &R) -> Result<Item, StoreError> {
    let row = Row {
        pk: &key.pk,
        sk: &key.sk,
        account_key: None,
        period_pk: None,
        exchange: None,
        record,
    };
    serde_dynamo::to_item(row).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn put(item: Item) -> WriteRequest {
    let put = PutRequest::builder().set_item(Some(item)).build();
    WriteRequest::builder().set_put_request(put.ok()).build()
}

/// Where the record with identity `id` is stored.
fn pointer(tenant: &Tenant, id: Guid, at: Key) -> Item {
    let mut item = key_item(&identity_key(tenant, id));
    item.insert("at_pk".into(), AttributeValue::S(at.pk));
    item.insert("at_sk".into(), AttributeValue::S(at.sk));
    item
}

pub(crate) fn delete(key: Key) -> WriteRequest {
    let delete = DeleteRequest::builder()
        .key("pk", AttributeValue::S(key.pk))
        .key("sk", AttributeValue::S(key.sk))
        .build();
    WriteRequest::builder()
        .set_delete_request(delete.ok())
        .build()
}

pub(crate) fn key_item(key: &Key) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

pub(crate) fn text_of(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
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

/// The outcome of a conditional write: `Ok(true)` written, `Ok(false)` its condition did not
/// hold (nothing written), or the request's error.
pub(crate) fn conditional<T, E, R>(
    operation: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<bool, StoreError>
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(request_error(operation, e)),
    }
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
    async fn upsert(
        &self,
        tenant: &Tenant,
        records: &[R],
        mark: Option<Guid>,
    ) -> Result<Written, StoreError> {
        let planned = plan(tenant, records, mark)?;
        let written = planned.len();
        let table = self.tables.name(R::TABLE);
        // A record that moved (a corrected date or service) is written at its new key, then
        // leaves its old one, then its pointer says where it is now: a failure anywhere in
        // between leaves it twice at most, never lost, and the same request sent again finds the
        // old key through the old pointer. Where records were before is read while they are
        // written where they are now: neither needs the other, and the old keys are left only
        // once both are done.
        let item = |(key, index): (&Key, &usize)| {
            item_of(Row::new(tenant, key, &records[*index], mark)).map(put)
        };
        let items = planned.iter().map(item);
        let (retries, moved) = futures::join!(
            self.write_all(table, items),
            self.moved(tenant, records, &planned)
        );
        let (mut retries, (moved, pointers)) = (retries?, moved?);
        retries += self
            .write_all(table, moved.into_iter().map(|key| Ok(delete(key))))
            .await?;
        let pointers = pointers
            .into_iter()
            .map(|(id, key)| Ok(put(pointer(tenant, id, key))));
        retries += self.write_all(table, pointers).await?;
        retries += self.write_latest(tenant, records).await?;
        Ok(Written {
            records: written,
            retries,
        })
    }
}

impl Dynamo {
    /// For records with an identity: the keys they were stored at before, where that differs
    /// from now, and the identities whose pointers must say where each is stored now.
    async fn moved<R: Stored>(
        &self,
        tenant: &Tenant,
        records: &[R],
        planned: &HashMap<Key, usize>,
    ) -> Result<(Vec<Key>, Vec<(Guid, Key)>), StoreError> {
        let mut now: HashMap<Guid, Key> = HashMap::new();
        for record in records {
            if let Some(id) = record.identity() {
                now.insert(id, record.key(tenant, 0));
            }
        }
        if now.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let table = self.tables.name(R::TABLE);
        let keys = now
            .keys()
            .map(|id| key_item(&identity_key(tenant, *id)))
            .collect();
        let mut moved = Vec::new();
        for pointer in self.read_consistently(table, keys).await? {
            let id: Option<Guid> = text_of(&pointer, "sk").and_then(|sk| sk.parse().ok());
            let (Some(id), Some(pk), Some(sk)) =
                (id, text_of(&pointer, "at_pk"), text_of(&pointer, "at_sk"))
            else {
                continue;
            };
            let before = Key { pk, sk };
            if now.get(&id) == Some(&before) {
                // Stored where it is now: neither it nor its pointer moves.
                now.remove(&id);
            } else if !planned.contains_key(&before) {
                moved.push(before);
            }
        }
        // Pointers only for identities new or moved: an unchanged one costs no write.
        Ok((moved, now.into_iter().collect()))
    }
}

/// TransactWriteItems takes at most 100 actions.
const TRANSACTION_ITEMS: usize = 100;

impl Dynamo {
    /// Keeps the newest record per [`Stored::latest`] key: each put is conditioned on no newer
    /// value being there, so that an import of older data (or a slower concurrent one) never
    /// replaces a newer value. The puts go 100 to a TransactWriteItems, several in flight: one
    /// call per hundred rather than per item. A put whose condition fails is dropped (a newer
    /// value stays); the rest of its transaction is sent again. Answers the calls sent again.
    async fn write_latest<R: Stored>(
        &self,
        tenant: &Tenant,
        records: &[R],
    ) -> Result<u64, StoreError> {
        let mut newest: HashMap<Key, (domain::LocalDateTime, usize)> = HashMap::new();
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
        let table = self.tables.name(R::TABLE);
        let newest: Vec<(Key, (domain::LocalDateTime, usize))> = newest.into_iter().collect();
        let chunks: Vec<Vec<_>> = newest
            .chunks(TRANSACTION_ITEMS)
            .map(<[_]>::to_vec)
            .collect();
        // Built as they are sent, like the records' own items.
        let retries: Vec<u64> = stream::iter(chunks)
            .map(|chunk| async move {
                let puts = chunk
                    .iter()
                    .map(|(key, (date, index))| latest_put(table, key, &records[*index], *date))
                    .collect::<Result<Vec<_>, _>>()?;
                self.put_all_if_newer(puts).await
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(retries.into_iter().sum())
    }

    async fn put_all_if_newer(&self, puts: Vec<TransactWriteItem>) -> Result<u64, StoreError> {
        until_done(puts, self.backoff, |pending| async move {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(pending.clone()))
                .send()
                .await;
            let Err(e) = result else {
                return Ok((Vec::<()>::new(), Vec::new()));
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                e.as_service_error()
            else {
                return Err(request_error("TransactWriteItems", e));
            };
            // Nothing was written. A newer value is no reason to fail: that put is dropped.
            if cancelled.cancellation_reasons().len() != pending.len() {
                return Err(request_error("TransactWriteItems", e));
            }
            let mut left = Vec::with_capacity(pending.len());
            for (put, reason) in pending.into_iter().zip(cancelled.cancellation_reasons()) {
                match reason.code() {
                    Some("ConditionalCheckFailed") => {}
                    None | Some("None" | "TransactionConflict" | "ThrottlingError") => {
                        left.push(put);
                    }
                    Some(_) => return Err(request_error("TransactWriteItems", e)),
                }
            }
            Ok((Vec::new(), left))
        })
        .await
        .map(|done| done.retries)
    }
}

/// A latest record's put, on condition that what is stored is not newer.
fn latest_put<R: Stored>(
    table: &str,
    key: &Key,
    record: &R,
    date: domain::LocalDateTime,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(latest_item(key, record)?))
        .condition_expression("attribute_not_exists(pk) OR #date <= :date")
        .expression_attribute_names("#date", "date")
        .expression_attribute_values(":date", AttributeValue::S(date.to_string()))
        .build()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
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

pub(crate) fn from_items<R: DeserializeOwned>(items: Vec<Item>) -> Result<Vec<R>, StoreError> {
    items
        .into_iter()
        .map(|item| serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}
