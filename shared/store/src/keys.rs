//! Where each record lives: its table and its key. Every key starts with the tenant. Nothing
//! outside this crate sees a key: handlers speak in tenants, ids, dates and cursors.
//!
//! | record      | table        | pk                  | sk                                        |
//! |-------------|--------------|---------------------|-------------------------------------------|
//! | service     | Services     | tenant#shard        | id                                        |
//! | account     | Accounts     | tenant#shard        | id                                        |
//! | counter     | Counters     | tenant#shard        | id (and `account_key` for the index)      |
//! | payee       | Organizations| tenant#shard        | id                                        |
//! | reading     | Readings     | tenant#counter      | date                                      |
//! | balance     | Balances     | tenant#account      | date#service (`-` for the whole account)  |
//! | transaction | Transactions | tenant#account      | date#service#id:<id>, or, without an id,  |
//! |             |              |                     | date#service#amount#occurrence            |
//! | receipt     | Receipts     | tenant#account      | date#organization (date: its month's 1st) |
//!
//! A directory entry's shard comes from its id ([`SHARDS`] of them), so that an import of the
//! largest accepted size writes a few hundred items to each partition, not all to one; a
//! listing of a whole directory queries every shard.
//!
//! Dates are `YYYY-MM-DDThh:mm:ss`, so a sort-key range is a date range. Balances also keep an
//! account's latest balance per service under `tenant#account#latest`, sk = service. A
//! transaction with an id has a pointer to where it is stored, `tenant#tx#<shard>`, sk = id, so
//! that a correction moved to another date or service replaces it.
//!
//! Readings, balances and transactions carry `period_pk` = `tenant#YYYY-MM#<shard>` (the shard
//! from the account or counter), the hash key of the `ByPeriod` index whose range key
//! is `date`: a period import finds the tenant's items of a period there, however many accounts
//! it has, and no request writes more than its share to one index partition.

use domain::{
    Account, Balance, Counter, Guid, LocalDateTime, Organization, Reading, Receipt, Record,
    Service, Tenant, Transaction,
};
use serde::de::DeserializeOwned;

use crate::Table;

/// A record's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

/// How many partitions a tenant's directories, its month in the `ByPeriod` index and its
/// transaction pointers are each spread over. A 6 MB request holds at most ~70,000 readings
/// (the smallest dated items): ~550 to a shard on average, well under the 1,000 writes a second
/// that one partition key takes in AWS. [`crate::partition_bound`] refuses what would still
/// crowd one.
pub(crate) const SHARDS: u128 = 128;

/// The shard of an entry, account or counter, from every bit of its id. 1C's ids are
/// time-based (version 1) GUIDs whose last 48 bits are the 1C server's MAC address, the same in
/// every id of one base, so the id's low bits alone would put a base's items in one shard. Stored
/// keys depend on this function: it must never change.
pub(crate) fn shard(id: Guid) -> u128 {
    let bits = id.as_u128();
    // splitmix64's finaliser over both halves folded together.
    let mut x = (bits as u64) ^ ((bits >> 64) as u64);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    u128::from(x) % SHARDS
}

/// A record kind's place in storage.
pub trait Stored: Record + DeserializeOwned {
    const TABLE: Table;

    /// The field that decides the record's partition key.
    const PARTITION_FIELD: &'static str = "id";

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

    /// For a record that may be sent without its identity and later with it (a transaction):
    /// what the keys of its copies stored without an identity begin with, its content; each
    /// ends in its occurrence. An identity sent for the first time replaces one of them (see
    /// `records::claims`).
    fn content_prefix(&self, _tenant: &Tenant) -> Option<Key> {
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
        pk: directory_partition(tenant, shard(id)),
        sk: id.to_string(),
    }
}

pub(crate) fn directory_partition(tenant: &Tenant, shard: u128) -> String {
    format!("{tenant}#{shard:03}")
}

/// Every partition of a tenant's directory, for a listing of all of it.
pub(crate) fn directory_partitions(tenant: &Tenant) -> impl Iterator<Item = String> + '_ {
    (0..SHARDS).map(move |shard| directory_partition(tenant, shard))
}

/// Where a dated record of `owner` sits in the `ByPeriod` index: its month and shard.
pub(crate) struct PeriodPlace<'t> {
    tenant: &'t Tenant,
    /// `YYYY-MM`.
    pub month: String,
    pub shard: u128,
}

impl PeriodPlace<'_> {
    /// The record's `period_pk`.
    pub(crate) fn partition(&self) -> String {
        period_partition(self.tenant, &self.month, self.shard)
    }
}

pub(crate) fn period_place(tenant: &Tenant, date: LocalDateTime, owner: Guid) -> PeriodPlace<'_> {
    PeriodPlace {
        tenant,
        month: date.to_string()[..7].to_owned(),
        shard: shard(owner),
    }
}

pub(crate) fn period_partition(tenant: &Tenant, month: &str, shard: u128) -> String {
    format!("{tenant}#{month}#{shard:03}")
}

/// The period calendar of a tenant's records of one kind, in that kind's table: one item per
/// month (sk `YYYY-MM`) that lists the shards of `ByPeriod` its records ever filled.
pub(crate) fn calendar_partition(tenant: &Tenant) -> String {
    format!("{tenant}#calendar")
}

/// The month (`YYYY-MM`) of a period's bound.
pub(crate) fn month_of(at: LocalDateTime) -> String {
    at.to_string()[..7].to_owned()
}

/// Where the pointer of a transaction id is kept.
pub(crate) fn identity_key(tenant: &Tenant, id: Guid) -> Key {
    Key {
        pk: format!("{tenant}#tx#{:03}", shard(id)),
        sk: id.to_string(),
    }
}

/// The sort-key bounds of a history period: `0` and `9` bound every date, `~` sorts after every
/// suffix of the last second.
pub(crate) fn history_bounds(range: &domain::DateRange) -> (String, String) {
    let from = range.from.map_or_else(|| "0".to_owned(), |d| d.to_string());
    // Open-ended: after the last second of year 9999, so that a `from` in the far future still
    // comes before it (DynamoDB refuses a BETWEEN whose ends are the wrong way round).
    let to = range
        .to
        .map_or_else(|| "9999-12-31T23:59:59~".to_owned(), |d| format!("{d}~"));
    (from, to)
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

impl Stored for Organization {
    const TABLE: Table = Table::Organizations;
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        directory_key(tenant, self.id)
    }
}

/// A receipt is one per account, month and payee: sent again, it replaces.
impl Stored for Receipt {
    const TABLE: Table = Table::Receipts;
    const PARTITION_FIELD: &'static str = "account";
    fn key(&self, tenant: &Tenant, _: u32) -> Key {
        Key {
            pk: owner_key(tenant, self.account),
            sk: format!("{}#{}", self.date, self.organization),
        }
    }
    fn owner(&self) -> Option<Guid> {
        Some(self.account)
    }
}

impl Stored for Reading {
    const TABLE: Table = Table::Readings;
    const PARTITION_FIELD: &'static str = "counter";
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
    const PARTITION_FIELD: &'static str = "account";
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
    const PARTITION_FIELD: &'static str = "account";
    fn key(&self, tenant: &Tenant, occurrence: u32) -> Key {
        match self.id {
            Some(id) => Key {
                pk: owner_key(tenant, self.account),
                sk: format!("{}#{}#id:{id}", self.date, service_part(self.service)),
            },
            None => content_key(self, tenant, occurrence),
        }
    }
    fn owner(&self) -> Option<Guid> {
        Some(self.account)
    }
    fn identity(&self) -> Option<Guid> {
        self.id
    }
    fn content_prefix(&self, tenant: &Tenant) -> Option<Key> {
        Some(Key {
            pk: owner_key(tenant, self.account),
            sk: content(self),
        })
    }
}

/// The start of the sort key of a transaction without an id: its content.
fn content(t: &Transaction) -> String {
    let service = service_part(t.service);
    format!("{}#{service}#{}#", t.date, t.amount.normalize())
}

/// The key of a transaction without an id: its content, and its occurrence among equal ones of
/// one request.
fn content_key(t: &Transaction, tenant: &Tenant, occurrence: u32) -> Key {
    Key {
        pk: owner_key(tenant, t.account),
        sk: format!("{}{occurrence}", content(t)),
    }
}

/// The occurrence of a copy stored without an identity at `sk`, under `prefix`.
pub(crate) fn occurrence(sk: &str, prefix: &str) -> Option<u32> {
    sk.strip_prefix(prefix)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_months_items_spread_over_every_shard() {
        let tenant = Tenant::parse("t").unwrap();
        let at: LocalDateTime = serde_json::from_str("\"2018-12-05T15:14:46\"").unwrap();
        let shards: std::collections::HashSet<String> = (0..10_000u32)
            .map(|_| period_place(&tenant, at, Guid::random()).partition())
            .collect();
        assert_eq!(shards.len(), SHARDS as usize);
        assert!(shards.iter().all(|k| k.starts_with("t#2018-12#")));
    }

    /// 1C's ids of one base: consecutive timestamps, one node (the server's MAC address).
    #[test]
    fn time_based_ids_of_one_base_spread_evenly() {
        let ids: Vec<Guid> = (0..20_000u64)
            .map(|i| {
                let text = format!("{:08x}-c3d4-11e4-8075-60a44c3c8a48", 0xaf72_3e90 + i * 7);
                serde_json::from_value(serde_json::Value::String(text)).unwrap()
            })
            .collect();
        let mut per_shard = [0u32; SHARDS as usize];
        for id in ids {
            per_shard[shard(id) as usize] += 1;
        }
        let mean = 20_000 / SHARDS as u32;
        assert!(
            per_shard.iter().all(|&n| n > mean / 2 && n < mean * 3 / 2),
            "{per_shard:?}"
        );
    }
}
