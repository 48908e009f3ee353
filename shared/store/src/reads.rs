//! The read API's questions, answered with one GetItem or Query each. Deleted directory entries
//! are left out here, so that no handler can forget to.

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::history::{Cursor, HistoryQuery, ListQuery};
use domain::{Account, Balance, Counter, Guid, Reading, Service, Tenant};
use serde::de::DeserializeOwned;

use crate::batch::{IN_FLIGHT, query_all};
use crate::error::request_error;
use crate::items::{Item, MAX_SORT_KEY_BYTES, from_items, key_item, text_of};
use crate::keys::{
    Key, Stored, directory_key, directory_partitions, history_bounds, latest_balances_key,
    owner_key,
};
use crate::{Dynamo, StoreError, Table};
use futures::{StreamExt, TryStreamExt, stream};

/// What the read API asks: typed questions about a tenant's directories and histories. Deleted
/// directory entries are never answered.
pub trait Reader {
    /// A page of the tenant's services, as many as `query.limit` and `fits` allow (see
    /// `listing`).
    fn services(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        fits: impl FnMut(&Service) -> bool + Send,
    ) -> impl Future<Output = Result<Page<Service>, StoreError>> + Send;

    fn account(
        &self,
        tenant: &Tenant,
        id: Guid,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    fn counter(
        &self,
        tenant: &Tenant,
        id: Guid,
    ) -> impl Future<Output = Result<Option<Counter>, StoreError>> + Send;

    /// An account's counters, through the `ByAccount` index.
    fn counters_of(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> impl Future<Output = Result<Vec<Counter>, StoreError>> + Send;

    /// The latest balance of each service of the account (kept on import: no history read).
    fn latest_balances(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> impl Future<Output = Result<Vec<Balance>, StoreError>> + Send;

    /// The counter's newest reading: a Query of one item.
    fn latest_reading(
        &self,
        tenant: &Tenant,
        counter: Guid,
    ) -> impl Future<Output = Result<Option<Reading>, StoreError>> + Send;

    /// Directory entries by id (payees, services), deleted ones too, for what names them: one
    /// BatchGetItem per 100 ids, read eventually consistently; ids never imported are absent.
    fn entries<R: Stored>(
        &self,
        tenant: &Tenant,
        ids: &[Guid],
    ) -> impl Future<Output = Result<Vec<R>, StoreError>> + Send;

    /// One page of an account's (balances, transactions, receipts) or a counter's (readings)
    /// history, newest first: one Query.
    fn history<R: Stored>(
        &self,
        tenant: &Tenant,
        owner: Guid,
        query: &HistoryQuery,
    ) -> impl Future<Output = Result<Page<R>, StoreError>> + Send;
}

/// Records of one Query, and where the next page starts when more may follow.
#[derive(Debug, Clone)]
pub struct Page<R> {
    pub items: Vec<R>,
    pub next: Option<Cursor>,
}

impl Dynamo {
    async fn get<R: DeserializeOwned>(
        &self,
        table: Table,
        key: Key,
    ) -> Result<Option<R>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.tables().name(table))
            .key("pk", AttributeValue::S(key.pk))
            .key("sk", AttributeValue::S(key.sk))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        Ok(from_items(out.item.into_iter().collect())?.pop())
    }

    /// A whole partition, in sort-key order.
    async fn partition<R: DeserializeOwned>(
        &self,
        table: Table,
        pk: String,
    ) -> Result<Vec<R>, StoreError> {
        from_items(self.partition_items(table, pk).await?)
    }

    async fn partition_items(&self, table: Table, pk: String) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.tables().name(table))
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk));
        query_all(query).await
    }

    /// A tenant's whole directory of `R`, every shard, in id order.
    async fn whole_directory<R: Stored>(&self, tenant: &Tenant) -> Result<Vec<R>, StoreError> {
        let shards: Vec<Vec<Item>> = stream::iter(directory_partitions(tenant))
            .map(|pk| self.partition_items(R::TABLE, pk))
            .buffer_unordered(IN_FLIGHT * 2)
            .try_collect()
            .await?;
        let mut items: Vec<Item> = shards.into_iter().flatten().collect();
        items.sort_by_cached_key(|item| text_of(item, "sk"));
        from_items(items)
    }
}

impl Dynamo {
    /// Every entry of the tenant's directory of `R`, deleted ones too: for tools and tests.
    pub async fn directory<R: Stored>(&self, tenant: &Tenant) -> Result<Vec<R>, StoreError> {
        self.whole_directory(tenant).await
    }

    /// An account's or a counter's whole history of `R`, oldest first: for tools and tests.
    pub async fn whole_history<R: Stored>(
        &self,
        tenant: &Tenant,
        owner: Guid,
    ) -> Result<Vec<R>, StoreError> {
        self.partition(R::TABLE, owner_key(tenant, owner)).await
    }
}

impl Dynamo {
    /// One page of partition `pk` of `table`, newest sort key first, within `query`'s range
    /// (the sort key a date or an instant as text): the histories' and the journal's page.
    pub(crate) async fn newest_first<R: DeserializeOwned>(
        &self,
        table: Table,
        pk: String,
        query: &HistoryQuery,
    ) -> Result<Page<R>, StoreError> {
        let (from, to) = history_bounds(&query.range);
        // A cursor continues only within its own period, and is a sort key DynamoDB takes (a
        // forged one of 3,000 bytes would be a ValidationException in AWS).
        let start = match &query.after {
            None => None,
            Some(cursor)
                if cursor.as_str().len() <= MAX_SORT_KEY_BYTES
                    && (from.as_str()..=to.as_str()).contains(&cursor.as_str()) =>
            {
                Some(HashMap::from([
                    ("pk".to_owned(), AttributeValue::S(pk.clone())),
                    (
                        "sk".to_owned(),
                        AttributeValue::S(cursor.as_str().to_owned()),
                    ),
                ]))
            }
            Some(_) => return Err(StoreError::BadCursor),
        };
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(table))
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(pk))
            .expression_attribute_values(":from", AttributeValue::S(from))
            .expression_attribute_values(":to", AttributeValue::S(to))
            .scan_index_forward(false)
            .limit(i32::try_from(query.limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        let next = out
            .last_evaluated_key
            .and_then(|mut key| match key.remove("sk") {
                Some(AttributeValue::S(sk)) => Some(Cursor::new(sk)),
                _ => None,
            });
        Ok(Page {
            items: from_items(out.items.unwrap_or_default())?,
            next,
        })
    }
}

impl Reader for Dynamo {
    async fn services(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        fits: impl FnMut(&Service) -> bool + Send,
    ) -> Result<Page<Service>, StoreError> {
        self.services_page(tenant, query, fits).await
    }

    async fn account(&self, tenant: &Tenant, id: Guid) -> Result<Option<Account>, StoreError> {
        let account: Option<Account> = self.get(Table::Accounts, directory_key(tenant, id)).await?;
        Ok(account.filter(|a| !a.deleted))
    }

    async fn counter(&self, tenant: &Tenant, id: Guid) -> Result<Option<Counter>, StoreError> {
        let counter: Option<Counter> = self.get(Table::Counters, directory_key(tenant, id)).await?;
        Ok(counter.filter(|c| !c.deleted))
    }

    async fn counters_of(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> Result<Vec<Counter>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Counters))
            .index_name("ByAccount")
            .key_condition_expression("account_key = :account")
            .expression_attribute_values(":account", AttributeValue::S(owner_key(tenant, account)));
        let counters: Vec<Counter> = from_items(query_all(query).await?)?;
        Ok(counters.into_iter().filter(|c| !c.deleted).collect())
    }

    async fn latest_balances(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> Result<Vec<Balance>, StoreError> {
        self.partition(Table::Balances, latest_balances_key(tenant, account))
            .await
    }

    async fn latest_reading(
        &self,
        tenant: &Tenant,
        counter: Guid,
    ) -> Result<Option<Reading>, StoreError> {
        let newest = HistoryQuery {
            range: Default::default(),
            limit: 1,
            after: None,
        };
        let page: Page<Reading> = self.history(tenant, counter, &newest).await?;
        Ok(page.items.into_iter().next())
    }

    async fn entries<R: Stored>(
        &self,
        tenant: &Tenant,
        ids: &[Guid],
    ) -> Result<Vec<R>, StoreError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let keys: Vec<Item> = ids
            .into_iter()
            .map(|id| key_item(&directory_key(tenant, id)))
            .collect();
        // Eventually consistent: half the read units, and a payee or service renamed a second
        // ago prints with its old name at worst.
        let items = self
            .read_keys(self.tables().name(R::TABLE), keys, false)
            .await?;
        from_items(items)
    }

    async fn history<R: Stored>(
        &self,
        tenant: &Tenant,
        owner: Guid,
        query: &HistoryQuery,
    ) -> Result<Page<R>, StoreError> {
        self.newest_first(R::TABLE, owner_key(tenant, owner), query)
            .await
    }
}
