//! DynamoDB storage behind one small trait per access pattern. [`Dynamo`] is the one
//! implementation; tests run it against DynamoDB Local.

pub mod acts;
pub mod api_keys;
mod batch;
mod dynamo;
pub mod item_size;
pub mod keys;

use std::collections::HashSet;
use std::future::Future;

use domain::{Directory, Guid, Tenant};

pub use acts::{ActCounts, ActPage, ActReader};
pub use api_keys::{KeyReader, KeyRecord, Verified};
pub use batch::Backoff;
pub use dynamo::Dynamo;
pub use keys::{Key, Stored};

/// The tables, as `template.yaml` declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Services,
    Accounts,
    Counters,
    Readings,
    Balances,
    Transactions,
    Acts,
    ApiKeys,
}

impl Table {
    pub const ALL: [Table; 8] = [
        Table::Services,
        Table::Accounts,
        Table::Counters,
        Table::Readings,
        Table::Balances,
        Table::Transactions,
        Table::Acts,
        Table::ApiKeys,
    ];

    /// The environment variable that carries the table's name (set by `template.yaml`).
    pub fn env_var(self) -> &'static str {
        match self {
            Table::Services => "SERVICES_TABLE",
            Table::Accounts => "ACCOUNTS_TABLE",
            Table::Counters => "COUNTERS_TABLE",
            Table::Readings => "READINGS_TABLE",
            Table::Balances => "BALANCES_TABLE",
            Table::Transactions => "TRANSACTIONS_TABLE",
            Table::Acts => "ACTS_TABLE",
            Table::ApiKeys => "API_KEYS_TABLE",
        }
    }
}

/// The deployed name of every table.
#[derive(Debug, Clone)]
pub struct Tables {
    names: [String; Table::ALL.len()],
}

impl Tables {
    /// Names from the process environment, as `template.yaml` sets them.
    pub fn from_env() -> Result<Self, StoreError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StoreError> {
        Self::lookup(&Table::ALL, lookup)
    }

    /// Only the names of `needed`, for a tool that touches just those tables (the `apikey` tool
    /// needs only `API_KEYS_TABLE`); the other names stay empty, which DynamoDB refuses.
    pub fn from_env_for(needed: &[Table]) -> Result<Self, StoreError> {
        Self::lookup(needed, |var| std::env::var(var).ok())
    }

    fn lookup(
        needed: &[Table],
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, StoreError> {
        let mut names: [String; Table::ALL.len()] = Default::default();
        for table in needed.iter().copied() {
            names[table as usize] = lookup(table.env_var())
                .filter(|n| !n.is_empty())
                .ok_or_else(|| StoreError::Config(format!("{} is not set", table.env_var())))?;
        }
        Ok(Self { names })
    }

    pub fn name(&self, table: Table) -> &str {
        &self.names[table as usize]
    }

    fn table_named(&self, name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| self.name(*t) == name)
    }
}

/// Storage failures. Their text names operations and tables, never item content.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage is misconfigured: {0}")]
    Config(String),
    #[error("DynamoDB {operation} failed: {message}")]
    Request {
        operation: &'static str,
        message: String,
    },
    #[error("{left} items were still unprocessed after every retry")]
    Incomplete { left: usize },
    #[error("a stored item does not match its record type: {0}")]
    Corrupt(String),
    /// Nothing was written: these records would be items larger than DynamoDB stores.
    #[error("{} records would be items over 400 KB", .0.len())]
    Oversized(Vec<Oversized>),
}

/// A record of a request that DynamoDB could not store: its item would be over
/// [`item_size::MAX_ITEM_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oversized {
    /// The record's position in the request.
    pub index: usize,
    /// The field that takes the most room.
    pub field: String,
}

/// What one upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Distinct records written.
    pub records: usize,
    /// Calls sent again: leftovers of throttled batches, transactions that lost a race.
    pub retries: u64,
}

/// Upserts records of one kind, idempotently: the same records written twice leave the table
/// as after the first time.
pub trait RecordWriter<R> {
    /// Answers what was written. A record whose item would be too large for DynamoDB is found
    /// before the first write: [`StoreError::Oversized`], nothing written.
    fn upsert(
        &self,
        tenant: &Tenant,
        records: &[R],
    ) -> impl Future<Output = Result<Written, StoreError>> + Send;
}

/// Tells which referenced directory entries do not exist.
pub trait DirectoryLookup {
    fn missing(
        &self,
        tenant: &Tenant,
        wanted: &HashSet<(Directory, Guid)>,
    ) -> impl Future<Output = Result<HashSet<(Directory, Guid)>, StoreError>> + Send;
}

/// Reads records back by key or by partition (an account's balances, a tenant's services, …).
pub trait PartitionReader {
    /// The whole partition, in sort-key order.
    fn partition<R: Stored>(
        &self,
        pk: &str,
    ) -> impl Future<Output = Result<Vec<R>, StoreError>> + Send;

    /// One Query: at most `limit` records with sort keys between `from` and `to` (inclusive),
    /// newest first, continuing after the sort key `after`.
    fn newest_first<R: Stored>(
        &self,
        pk: &str,
        range: (&str, &str),
        limit: u32,
        after: Option<String>,
    ) -> impl Future<Output = Result<Page<R>, StoreError>> + Send;

    fn get<R: Stored>(
        &self,
        key: Key,
    ) -> impl Future<Output = Result<Option<R>, StoreError>> + Send;

    /// An account's counters, through the `ByAccount` index.
    fn counters_of(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> impl Future<Output = Result<Vec<domain::Counter>, StoreError>> + Send;
}

/// Records of one Query, and the sort key to continue after when more may follow.
#[derive(Debug, Clone)]
pub struct Page<R> {
    pub items: Vec<R>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_needs_only_the_tables_it_touches() {
        let only_keys = Tables::lookup(&[Table::ApiKeys], |var| {
            (var == "API_KEYS_TABLE").then(|| "keys".to_owned())
        })
        .unwrap();
        assert_eq!(only_keys.name(Table::ApiKeys), "keys");
        assert_eq!(only_keys.name(Table::Acts), "");
        let missing = Tables::from_lookup(|var| (var != "ACTS_TABLE").then(|| var.to_lowercase()));
        assert!(matches!(missing, Err(StoreError::Config(m)) if m.contains("ACTS_TABLE")));
    }
}
