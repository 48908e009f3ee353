//! What a request of records will write, checked before the first write: one item per distinct
//! key (DynamoDB refuses a batch that repeats a key, and the last record of a request is the
//! one that counts), each within DynamoDB's item size, no partition over
//! [`crate::MAX_WRITES_PER_PARTITION`] writes, and the months and shards of the period
//! calendar that the dated records fill.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use domain::{Guid, Tenant};
use serde::Serialize;

use super::Planned;
use crate::error::corrupt;
use crate::items::{Item, overlong_key, oversized_item};
use crate::keys::{Key, Stored, identity_key, period_place};
use crate::partition_bound::PartitionLoad;
use crate::{Stamp, StoreError};

/// What a record is stored as: its key, its index attributes, who wrote it and when (dated
/// records only, for period imports), and its own fields.
#[derive(Serialize)]
pub(crate) struct Row<'r, R> {
    pk: &'r str,
    sk: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_pk: Option<String>,
    /// The period import that wrote it ([`Stamp::import`]). Stored as `exchange`, its first
    /// name: the `ByPeriod` index projects it under that name, and DynamoDB cannot change an
    /// existing index's projection.
    #[serde(rename = "exchange", skip_serializing_if = "Option::is_none")]
    written_by: Option<String>,
    /// When the request that wrote it began, in milliseconds since 1970 ([`Stamp::at`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    written_at: Option<i64>,
    #[serde(flatten)]
    record: &'r R,
}

impl<'r, R: Stored> Row<'r, R> {
    pub(crate) fn new(tenant: &Tenant, key: &'r Key, record: &'r R, stamp: Option<Stamp>) -> Self {
        let period_pk = record
            .owner()
            .zip(record.dated())
            .map(|(owner, date)| period_place(tenant, date, owner).partition());
        let stamp = stamp.filter(|_| period_pk.is_some());
        Self {
            pk: &key.pk,
            sk: &key.sk,
            account_key: record.account_key(tenant),
            period_pk,
            written_by: stamp.and_then(|s| s.import).map(|g| g.to_string()),
            written_at: stamp.map(|s| s.at.timestamp_millis()),
            record,
        }
    }
}

impl<'r, R> Row<'r, R> {
    /// What the latest record of its kind (the latest balance per account and service) is
    /// stored as: the record alone, in no index.
    pub(crate) fn latest(key: &'r Key, record: &'r R) -> Self {
        Self {
            pk: &key.pk,
            sk: &key.sk,
            account_key: None,
            period_pk: None,
            written_by: None,
            written_at: None,
            record,
        }
    }
}

/// The record's field a key attribute of its item is made of (with the tenant, which is
/// bounded): what a `400` names if that key were ever too long.
fn key_field<R: Stored>(record: &R, attribute: &str) -> &'static str {
    match attribute {
        "account_key" => "account",
        "pk" | "period_pk" => R::PARTITION_FIELD,
        _ if record.dated().is_some() => "date",
        _ => "id",
    }
}

pub(crate) fn item_of<R: Serialize>(row: R) -> Result<Item, StoreError> {
    serde_dynamo::to_item(row).map_err(corrupt)
}

/// The checked records of one request, ready to write.
pub struct Plan<R> {
    records: Vec<R>,
    stamp: Stamp,
    keys: Planned,
    /// Month → shards of the period calendar that the records fill.
    calendar: BTreeMap<String, BTreeSet<u128>>,
    /// Months holding records sent without the identity that a later import may give them
    /// (see `records::claims`).
    anonymous_months: BTreeSet<String>,
}

impl<R: Stored> Plan<R> {
    /// Every item is built once here to be checked against DynamoDB's size limit, and every
    /// partition against [`crate::MAX_WRITES_PER_PARTITION`]: one too large or too crowded
    /// refuses the whole request before anything is written. The items are then dropped and
    /// built again batch by batch as they are written: holding them all would take several
    /// times the request's size.
    pub(crate) fn new(tenant: &Tenant, records: Vec<R>, stamp: Stamp) -> Result<Self, StoreError> {
        let mut plan = Self {
            records: Vec::new(),
            stamp,
            keys: HashMap::with_capacity(records.len()),
            calendar: BTreeMap::new(),
            anonymous_months: BTreeSet::new(),
        };
        let mut occurrences: HashMap<Key, u32> = HashMap::with_capacity(records.len());
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
            let row = Row::new(tenant, &key, record, Some(stamp));
            plan.load(&mut load, index, record, &row, tenant);
            let item = item_of(row)?;
            oversized.extend(oversized_item(index, &item));
            let field_of = |attribute: &str| key_field(record, attribute);
            oversized.extend(overlong_key(index, &item, R::TABLE, field_of));
            plan.keys.insert(key, index);
        }
        if !oversized.is_empty() {
            return Err(StoreError::Oversized(oversized));
        }
        load.check()?;
        plan.records = records;
        Ok(plan)
    }

    /// Counts the writes the record at `index` makes, per partition of its table and indexes,
    /// and notes its place in the period calendar.
    fn load(
        &mut self,
        load: &mut PartitionLoad,
        index: usize,
        record: &R,
        row: &Row<'_, R>,
        tenant: &Tenant,
    ) {
        load.add(index, R::TABLE.logical_name(), row.pk, R::PARTITION_FIELD);
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
        if let Some((owner, date)) = record.owner().zip(record.dated()) {
            let place = period_place(tenant, date, owner);
            if record.identity().is_none() && record.content_prefix(tenant).is_some() {
                self.anonymous_months.insert(place.month.clone());
            }
            self.calendar
                .entry(place.month)
                .or_default()
                .insert(place.shard);
        }
    }

    pub(crate) fn records(&self) -> &[R] {
        &self.records
    }

    pub(crate) fn keys(&self) -> &Planned {
        &self.keys
    }

    pub(crate) fn calendar(&self) -> &BTreeMap<String, BTreeSet<u128>> {
        &self.calendar
    }

    pub(crate) fn anonymous_months(&self) -> &BTreeSet<String> {
        &self.anonymous_months
    }

    /// The item of the record at `index`, stored at `key`.
    pub(crate) fn item(
        &self,
        tenant: &Tenant,
        key: &Key,
        index: usize,
    ) -> Result<Item, StoreError> {
        item_of(Row::new(
            tenant,
            key,
            &self.records[index],
            Some(self.stamp),
        ))
    }
}
