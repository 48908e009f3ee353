//! Where each record lives: its table and its key. Every key starts with the tenant.
//!
//! | record      | table        | pk                  | sk                                   |
//! |-------------|--------------|---------------------|--------------------------------------|
//! | service     | Services     | tenant              | id                                   |
//! | account     | Accounts     | tenant              | id                                   |
//! | counter     | Counters     | tenant              | id (and `account_key` for the index) |
//! | reading     | Readings     | tenant#counter      | date                                 |
//! | balance     | Balances     | tenant#account      | date#service                         |
//! | transaction | Transactions | tenant#account      | date#service#amount#occurrence       |
//!
//! Dates are `YYYY-MM-DDThh:mm:ss`, so a sort-key range is a date range. Balances also keep an
//! account's latest balance per service under `tenant#account#latest`, sk = service.

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

/// A record kind's place in storage.
pub trait Stored: Record + DeserializeOwned {
    const TABLE: Table;

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
}

/// The partition of an account's latest balances, one item per service.
pub fn latest_balances_key(tenant: &Tenant, account: Guid) -> String {
    format!("{tenant}#{account}#latest")
}

/// The partition key of everything stored per account (or per counter).
pub fn owner_key(tenant: &Tenant, owner: Guid) -> String {
    format!("{tenant}#{owner}")
}

/// The key of a directory entry (service, account, counter), as references look it up.
pub fn directory_key(tenant: &Tenant, id: Guid) -> Key {
    Key {
        pk: tenant.to_string(),
        sk: id.to_string(),
    }
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
}

/// The sort-key part of a service reference: the service, or `-` for the whole account.
fn service_part(service: Option<Guid>) -> String {
    service.map_or_else(|| "-".to_owned(), |s| s.to_string())
}

impl Stored for Balance {
    const TABLE: Table = Table::Balances;
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
}

/// Transactions have no id in 1C's export. Their key is their content, so re-sending a batch
/// overwrites rather than duplicates; the occurrence keeps two identical ones of a batch apart.
impl Stored for Transaction {
    const TABLE: Table = Table::Transactions;
    fn key(&self, tenant: &Tenant, occurrence: u32) -> Key {
        Key {
            pk: owner_key(tenant, self.account),
            sk: format!(
                "{}#{}#{}#{occurrence}",
                self.date,
                service_part(self.service),
                self.amount.normalize()
            ),
        }
    }
}
