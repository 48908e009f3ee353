//! The DynamoDB implementation of the storage traits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, TransactWriteItem, WriteRequest,
};
use domain::{Directory, Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;

use crate::batch::{Backoff, until_done};
use crate::keys::{Key, directory_key};
use crate::{DirectoryLookup, StoreError, Table, Tables};

/// BatchWriteItem takes at most 25 items, BatchGetItem 100 keys, TransactWriteItems 100
/// actions.
const WRITE_BATCH: usize = 25;
pub(crate) const GET_BATCH: usize = 100;
pub(crate) const TRANSACTION_ITEMS: usize = 100;
/// Batches in flight at once: enough to hide round trips, few enough not to self-throttle.
pub(crate) const IN_FLIGHT: usize = 8;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The DynamoDB client and table names; cheap to clone, built once per cold start.
#[derive(Debug, Clone)]
pub struct Dynamo {
    client: Client,
    tables: Arc<Tables>,
    backoff: Backoff,
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

    /// Sends up to 100 conditional actions in one TransactWriteItems, again and again until each
    /// went through or its condition failed: a transaction is all or nothing, so one whose
    /// condition fails (a newer value stored, an item written meanwhile) cancels the others,
    /// which are sent again without it. Answers the tags of the actions that went through, and
    /// how many calls were sent again.
    pub(crate) async fn transact_conditionally<T: Clone + Send>(
        &self,
        actions: Vec<(T, TransactWriteItem)>,
    ) -> Result<(Vec<T>, u64), StoreError> {
        let done = until_done(actions, self.backoff, |pending| async move {
            let items = pending.iter().map(|(_, a)| a.clone()).collect();
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await;
            let Err(e) = result else {
                return Ok((
                    pending.into_iter().map(|(tag, _)| tag).collect(),
                    Vec::new(),
                ));
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                e.as_service_error()
            else {
                return Err(request_error("TransactWriteItems", e));
            };
            // Nothing was written. A failed condition drops its action; the rest go again.
            if cancelled.cancellation_reasons().len() != pending.len() {
                return Err(request_error("TransactWriteItems", e));
            }
            let mut left = Vec::with_capacity(pending.len());
            for (action, reason) in pending.into_iter().zip(cancelled.cancellation_reasons()) {
                match reason.code() {
                    Some("ConditionalCheckFailed") => {}
                    None | Some("None" | "TransactionConflict" | "ThrottlingError") => {
                        left.push(action);
                    }
                    Some(_) => return Err(request_error("TransactWriteItems", e)),
                }
            }
            Ok((Vec::new(), left))
        })
        .await?;
        Ok((done.found, done.retries))
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

pub(crate) fn put(item: Item) -> WriteRequest {
    let put = PutRequest::builder().set_item(Some(item)).build();
    WriteRequest::builder().set_put_request(put.ok()).build()
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
        .map(|item| serde_dynamo::from_item(item).map_err(corrupt))
        .collect()
}

/// An item that does not match what it should be stored as.
pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}
