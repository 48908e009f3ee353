//! DynamoDB storage behind one small trait per access pattern. [`Dynamo`] is the one
//! implementation; tests run it against DynamoDB Local.

pub mod acts;
pub mod api_keys;
mod batch;
mod dynamo;
mod exchanges;
mod https;
pub mod item_size;
mod keys;
mod partition_bound;
pub mod periods;
mod reads;
mod records;

use std::collections::HashSet;
use std::future::Future;

use chrono::{DateTime, Utc};

use domain::history::{Cursor, HistoryQuery};
use domain::{
    Account, Balance, Counter, DateRange, Directory, Guid, PeriodImport, Reading, Service, Tenant,
};

pub use acts::{ActCounts, ActPage, ActReader};
pub use api_keys::{KeyReader, KeyRecord, Verified};
pub use batch::Backoff;
pub use dynamo::Dynamo;
pub use keys::Stored;
pub use partition_bound::MAX_WRITES_PER_PARTITION;
pub use records::Plan;

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
    Exchanges,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Services,
        Table::Accounts,
        Table::Counters,
        Table::Readings,
        Table::Balances,
        Table::Transactions,
        Table::Acts,
        Table::ApiKeys,
        Table::Exchanges,
    ];

    /// The table's logical name, as `template.yaml` calls it.
    pub fn logical_name(self) -> &'static str {
        match self {
            Table::Services => "Services",
            Table::Accounts => "Accounts",
            Table::Counters => "Counters",
            Table::Readings => "Readings",
            Table::Balances => "Balances",
            Table::Transactions => "Transactions",
            Table::Acts => "Acts",
            Table::ApiKeys => "ApiKeys",
            Table::Exchanges => "Exchanges",
        }
    }

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
            Table::Exchanges => "EXCHANGES_TABLE",
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
    /// Nothing was written: the request would put more than
    /// [`MAX_WRITES_PER_PARTITION`] items on these partitions.
    #[error("{} partitions would take more than 1,000 writes", .0.len())]
    Crowded(Vec<Crowded>),
    /// A history's `next` token that does not belong to the requested period or owner.
    #[error("the cursor is not from this history")]
    BadCursor,
    /// A part of an exchange whose period or number of parts differ from its first part's.
    #[error("the part does not match its exchange")]
    ExchangeMismatch,
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

/// The first record of a request over [`MAX_WRITES_PER_PARTITION`] on one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crowded {
    /// The record's position in the request.
    pub index: usize,
    /// The field that decides the partition (`account`, `counter`, `id`, `date`).
    pub field: &'static str,
}

/// What one upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Distinct records written.
    pub records: usize,
    /// Calls sent again: leftovers of throttled batches, transactions that lost a race.
    pub retries: u64,
}

/// Who wrote a dated record (a reading, balance or transaction) and when: stored with it, and
/// what a period import's removal decides by (see [`periods`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// When the request that writes the record began, by its function's clock.
    pub at: DateTime<Utc>,
    /// The period import the request belongs to: a single request's own GUID, or its exchange's.
    /// `None` for a plain import.
    pub import: Option<Guid>,
}

/// Upserts records of one kind, idempotently: the same records written twice leave the table
/// as after the first time. In two steps, so that whatever can refuse a request does so before
/// anything is written, and a caller can record what it must (an exchange's first part) between
/// the two.
pub trait RecordWriter<R> {
    /// What [`RecordWriter::write`] will write, checked; it holds the records.
    type Plan: Send;

    /// Checks every record against DynamoDB's limits, without I/O: a record whose item would be
    /// too large ([`StoreError::Oversized`]), or a partition that would take too many writes
    /// ([`StoreError::Crowded`]), refuses the whole request.
    fn plan(
        &self,
        tenant: &Tenant,
        records: Vec<R>,
        stamp: Stamp,
    ) -> Result<Self::Plan, StoreError>;

    /// Writes what was planned; answers what was written.
    fn write(
        &self,
        tenant: &Tenant,
        plan: Self::Plan,
    ) -> impl Future<Output = Result<Written, StoreError>> + Send;
}

/// Period imports: once every record of a period import is written, the tenant's records of
/// that kind dated in its period that it did not contain, and that nothing has written since
/// shortly before it began, are removed.
pub trait PeriodRemoval<R> {
    /// Removes the tenant's records of kind `R` dated in `period` that were not written by
    /// `import` and were last written more than [`periods::SETTLE`] before `began`, and keeps
    /// what is derived from them right (an account's latest balances). Answers how many were
    /// removed.
    fn remove_stale(
        &self,
        tenant: &Tenant,
        period: DateRange,
        import: Guid,
        began: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;
}

/// Where a multi-part exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExchangeState {
    pub received: u32,
    pub parts: u32,
    /// The removal of what the exchange did not contain has been done.
    pub removed: bool,
}

impl ExchangeState {
    pub fn complete(&self) -> bool {
        self.received >= self.parts
    }
}

/// The state of multi-part exchanges, kept [`exchanges::KEPT_DAYS`] days.
pub trait ExchangeLog {
    /// Records the exchange's period and parts, and `started` as the time it began, when this
    /// is its first part; checks a later part against them: [`StoreError::ExchangeMismatch`]
    /// when they differ. Answers when the exchange began.
    fn open_part(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
        started: DateTime<Utc>,
    ) -> impl Future<Output = Result<DateTime<Utc>, StoreError>> + Send;

    /// Records that the part's records are written; answers the exchange's state.
    fn part_written(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
    ) -> impl Future<Output = Result<ExchangeState, StoreError>> + Send;

    /// Records that the exchange's removal is done.
    fn removal_done(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Tells which referenced directory entries were never imported. An entry marked deleted
/// exists: 1C still holds what refers to it.
pub trait DirectoryLookup {
    fn missing(
        &self,
        tenant: &Tenant,
        wanted: &HashSet<(Directory, Guid)>,
    ) -> impl Future<Output = Result<HashSet<(Directory, Guid)>, StoreError>> + Send;
}

/// What the read API asks: typed questions about a tenant's directories and histories. Deleted
/// directory entries are never answered.
pub trait Reader {
    fn services(
        &self,
        tenant: &Tenant,
    ) -> impl Future<Output = Result<Vec<Service>, StoreError>> + Send;

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

    /// One page of an account's (balances, transactions) or a counter's (readings) history,
    /// newest first: one Query.
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
