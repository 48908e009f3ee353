//! Where each record lives: its table and its key. Every key starts with the tenant. Nothing
//! outside this crate sees a key: handlers speak in tenants, ids, dates and cursors.
//!
//! | record      | table        | pk                  | sk                                        |
//! |-------------|--------------|---------------------|-------------------------------------------|
//! | service     | Services     | tenant              | id                                        |
//! | account     | Accounts     | tenant              | id                                        |
//! | counter     | Counters     | tenant              | id (and `account_key` for the index)      |
//! | reading     | Readings     | tenant#counter      | date                                      |
//! | balance     | Balances     | tenant#account      | date#service (`-` for the whole account)  |
//! | transaction | Transactions | tenant#account      | date#service#id:<id>, or, without an id,  |
//! |             |              |                     | date#service#amount#occurrence            |
//!
//! Dates are `YYYY-MM-DDThh:mm:ss`, so a sort-key range is a date range. Balances also keep an
//! account's latest balance per service under `tenant#account#latest`, sk = service. A
//! transaction with an id has a pointer to where it is stored, `tenant#tx#<shard>`, sk = id, so
//! that a correction moved to another date or service replaces it.
//!
//! Readings, balances and transactions carry `period_pk` = `tenant#YYYY-MM#<shard>` (the shard
//! from the account or counter, 64 of them), the hash key of the `ByPeriod` index whose range key
//! is `date`: a period import finds the tenant's items of a period there, however many accounts
//! it has, and no request writes more than its share to one index partition.

use domain::{
    Account, Balance, Counter, Directory, Guid, LocalDateTime, Reading, Record, Service, Tenant,
    Transaction,
};
use serde::de::DeserializeOwned;

use crate::Table;

/// A record's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

/// How many partitions a tenant's month is spread over in the `ByPeriod` index, and its
/// transaction pointers over: a request of the largest size writes at most ~600 items to one.
pub(crate) const SHARDS: u128 = 64;

/// A record kind's place in storage.
pub trait Stored: Record + DeserializeOwned {
    const TABLE: Table;

    /// Whether [`Stored::latest`] keeps a latest record of this kind.
    const HAS_LATEST: bool = false;

    /// `occurrence` counts the earlier records of the same request that had this record's key
    /// at occurrence 0. Records whose key ignores it are upserts: the last one of a request wins.
    fn key(&self, tenant: &Tenant, occurrence: u32) -> Key;

    /// The partition of the `ByAccount` index, for records listed per account.
    fn account_key(&self, _tenant: &Tenant) -> Option<String> {
        None
    }

    /// Where the newest record of its kind is kept besides its history (the latest balance per
    /// account and service), and the date that decides which is newest.
    fn latest(&self, _tenant: &Tenant) -> Option<(Key, LocalDateTime)> {
        None
    }

    /// The account or counter whose history holds the record: its `ByPeriod` shard.
    fn owner(&self) -> Option<Guid> {
        None
    }

    /// The record's own identity, when 1C gives one (a transaction's id): a record sent again
    /// with the same identity replaces the earlier one wherever its key was.
    fn identity(&self) -> Option<Guid> {
        None
    }
}

/// The partition of an account's latest balances, one item per service.
pub(crate) fn latest_balances_key(tenant: &Tenant, account: Guid) -> String {
    format!("{tenant}#{account}#latest")
}

/// The partition key of everything stored per account (or per counter).
pub(crate) fn owner_key(tenant: &Tenant, owner: Guid) -> String {
    format!("{tenant}#{owner}")
}

/// The key of a directory entry (service, account, counter), as references look it up.
pub(crate) fn directory_key(tenant: &Tenant, id: Guid) -> Key {
    Key {
        pk: tenant.to_string(),
        sk: id.to_string(),
    }
}

/// The `ByPeriod` partition of a dated record of `owner` in the month of `date`.
pub(crate) fn period_key(tenant: &Tenant, date: LocalDateTime, owner: Guid) -> String {
    period_partition(tenant, &date.to_string()[..7], owner.as_u128() % SHARDS)
}

pub(crate) fn period_partition(tenant: &Tenant, month: &str, shard: u128) -> String {
    format!("{tenant}#{month}#{shard:02}")
}

/// Where the pointer of a transaction id is kept.
pub(crate) fn identity_key(tenant: &Tenant, id: Guid) -> Key {
    Key {
        pk: format!("{tenant}#tx#{:02}", id.as_u128() % SHARDS),
        sk: id.to_string(),
    }
}

/// The sort-key bounds of a history period: `0` and `9` bound every date, `~` sorts after every
/// suffix of the last second.
pub(crate) fn history_bounds(range: &domain::DateRange) -> (String, String) {
    let from = range.from.map_or_else(|| "0".to_owned(), |d| d.to_string());
    let to = range.to.map_or_else(|| "9".to_owned(), |d| format!("{d}~"));
    (from, to)
}

impl Table {
    pub fn of_directory(directory: Directory) -> Self {
        match directory {
            Directory::Service => Table::Services,
            Directory::Account => Table::Accounts,
            Directory::Counter => Table::Counters,
        }
    }
}

impl Stored for Service {
    const TABLE: Table = Table::Services;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        directory_key(tenant, self.id)
    }
}

impl Stored for Account {
    const TABLE: Table = Table::Accounts;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        directory_key(tenant, self.id)
    }
}

impl Stored for Counter {
    const TABLE: Table = Table::Counters;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        directory_key(tenant, self.id)
    }
    fn account_key(&self, tenant: &Tenant) -> Option<String> {
        self.account.map(|account| owner_key(tenant, account))
    }
}

impl Stored for Reading {
    const TABLE: Table = Table::Readings;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        Key {
            pk: owner_key(tenant, self.counter),
            sk: self.date.to_string(),
        }
    }
    fn owner(&self) -> Option<Guid> {
        Some(self.counter)
    }
}

/// The sort-key part of a service reference: the service, or `-` for the whole account.
pub(crate) fn service_part(service: Option<Guid>) -> String {
    service.map_or_else(|| "-".to_owned(), |s| s.to_string())
}

impl Stored for Balance {
    const TABLE: Table = Table::Balances;
    const HAS_LATEST: bool = true;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        Key {
            pk: owner_key(tenant, self.account),
            sk: format!("{}#{}", self.date, service_part(self.service)),
        }
    }
    fn latest(&self, tenant: &Tenant) -> Option<(Key, LocalDateTime)> {
        let key = Key {
            pk: latest_balances_key(tenant, self.account),
            sk: service_part(self.service),
        };
        Some((key, self.date))
    }
    fn owner(&self) -> Option<Guid> {
        Some(self.account)
    }
}

/// A transaction with 1C's id is keyed by it. Without one, its key is its content, so
/// re-sending a batch overwrites rather than duplicates; the occurrence keeps two identical ones
/// of a batch apart.
impl Stored for Transaction {
    const TABLE: Table = Table::Transactions;
    fn key(&self, tenant: &Tenant, occurrence: u32) -> Key {
        let sk = match self.id {
            Some(id) => format!("{}#{}#id:{id}", self.date, service_part(self.service)),
            None => format!(
                "{}#{}#{}#{occurrence}",
                self.date,
                service_part(self.service),
                self.amount.normalize()
            ),
        };
        Key {
            pk: owner_key(tenant, self.account),
            sk,
        }
    }
    fn owner(&self) -> Option<Guid> {
        Some(self.account)
    }
    fn identity(&self) -> Option<Guid> {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_months_items_spread_over_every_shard() {
        let tenant = Tenant::parse("t").unwrap();
        let at: LocalDateTime = serde_json::from_str("\"2018-12-05T15:14:46\"").unwrap();
        let shards: std::collections::HashSet<String> = (0..10_000u32)
            .map(|_| period_key(&tenant, at, Guid::random()))
            .collect();
        assert_eq!(shards.len(), SHARDS as usize);
        assert!(shards.iter().all(|k| k.starts_with("t#2018-12#")));
    }
}
