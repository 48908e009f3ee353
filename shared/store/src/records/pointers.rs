//! Records with 1C's own id (transactions with an `id`): a record sent again with its id
//! replaces itself wherever it was stored, so a pointer per id (`tenant#tx#<shard>`, sk = id)
//! says where it is (`at_pk`, `at_sk`) and where copies of it may still be (`stale`).
//!
//! A record that moves (a corrected date, service or account) is written in four steps, each
//! after the one before, so that the pointer names every key a copy can be at, whatever step a
//! request stops at:
//!
//! 1. the pointer says: at the new key, and maybe still at the old ones (and, for an id sent
//!    for the first time, at the key the same transaction had without an id);
//! 2. the record is written at its new key;
//! 3. the old keys are deleted;
//! 4. the pointer says: at the new key only.
//!
//! The next import of the id, whatever it carries, deletes every key the pointer names but its
//! own: one copy is left. A record whose pointer already says where it is costs no pointer
//! write; one new id costs one. Ids go 100 to a consistent BatchGetItem of their pointers,
//! several hundreds side by side; then each hundred goes through the four steps.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use super::Plan;
use super::claims::Claims;
use crate::batch::{GET_BATCH, IN_FLIGHT};
use crate::items::{Item, delete, key_item, put, text_of};
use crate::keys::{Key, Stored, identity_key};
use crate::{Dynamo, StoreError};

/// Where a pointer says copies of its record are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Locations {
    at: Option<Key>,
    stale: Vec<Key>,
}

impl Locations {
    /// Every key it names.
    pub(super) fn keys(&self) -> impl Iterator<Item = &Key> {
        self.at.iter().chain(&self.stale)
    }

    fn read(item: &Item) -> Self {
        let key = |item: &Item, pk, sk| {
            Some(Key {
                pk: text_of(item, pk)?,
                sk: text_of(item, sk)?,
            })
        };
        let stale = match item.get("stale") {
            Some(AttributeValue::L(keys)) => keys
                .iter()
                .filter_map(|k| match k {
                    AttributeValue::M(k) => key(k, "pk", "sk"),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Self {
            at: key(item, "at_pk", "at_sk"),
            stale,
        }
    }

    fn item(&self, tenant: &Tenant, id: Guid) -> Item {
        let mut item = key_item(&identity_key(tenant, id));
        if let Some(at) = &self.at {
            item.insert("at_pk".into(), AttributeValue::S(at.pk.clone()));
            item.insert("at_sk".into(), AttributeValue::S(at.sk.clone()));
        }
        if !self.stale.is_empty() {
            let stale = self
                .stale
                .iter()
                .map(|k| AttributeValue::M(key_item(k)))
                .collect();
            item.insert("stale".into(), AttributeValue::L(stale));
        }
        item
    }
}

/// What the four steps write for one hundred ids.
#[derive(Default)]
struct Steps {
    /// Step 1: pointers that name the new keys and the old ones.
    first: Vec<Item>,
    /// Step 2: the records, by key and index.
    records: Vec<(Key, usize)>,
    /// Step 3: the old keys.
    old: Vec<Key>,
    /// Step 4: pointers that name the new keys only.
    last: Vec<Item>,
}

impl Steps {
    /// The steps of the record at `index`, with identity `id`, now at `key`: its pointer said
    /// `before`, and copies may be at `stale`.
    fn add(
        &mut self,
        tenant: &Tenant,
        id: Guid,
        key: Key,
        index: usize,
        before: Option<&Locations>,
        stale: Vec<Key>,
    ) {
        let now = Locations {
            at: Some(key.clone()),
            stale,
        };
        if before != Some(&now) {
            self.first.push(now.item(tenant, id));
        }
        if !now.stale.is_empty() {
            self.old.extend(now.stale.iter().cloned());
            let settled = Locations {
                at: Some(key.clone()),
                stale: Vec::new(),
            };
            self.last.push(settled.item(tenant, id));
        }
        self.records.push((key, index));
    }
}

/// The four steps of up to a hundred records, by key and index: their pointers said `before`,
/// and the ids sent for the first time replace the copies `claims` names.
fn steps<R: Stored>(
    tenant: &Tenant,
    plan: &Plan<R>,
    hundred: &[(Key, usize)],
    before: &HashMap<Guid, Locations>,
    claims: &Claims,
) -> Steps {
    let mut steps = Steps::default();
    for (key, index) in hundred {
        let Some(id) = plan.records()[*index].identity() else {
            continue;
        };
        let before = before.get(&id);
        let elsewhere = |k: &&Key| *k != key && !plan.keys().contains_key(*k);
        let mut stale: Vec<Key> = match before {
            Some(l) => l.keys().filter(elsewhere).cloned().collect(),
            None => claims
                .get(index)
                .filter(elsewhere)
                .cloned()
                .into_iter()
                .collect(),
        };
        stale.dedup();
        steps.add(tenant, id, key.clone(), *index, before, stale);
    }
    steps
        .old
        .sort_by(|a, b| (&a.pk, &a.sk).cmp(&(&b.pk, &b.sk)));
    steps.old.dedup();
    steps
}

impl Dynamo {
    /// Writes the records with an identity, `planned` by key and index, through their pointers:
    /// reads them all, finds the copies that ids sent for the first time replace
    /// ([`super::claims`]), then takes each hundred through the four steps. Answers how many
    /// calls were sent again.
    pub(super) async fn write_identified<R: Stored>(
        &self,
        tenant: &Tenant,
        plan: &Plan<R>,
        planned: Vec<super::Placed<'_>>,
    ) -> Result<u64, StoreError> {
        let planned: Vec<(Key, usize)> =
            planned.into_iter().map(|(k, i)| (k.clone(), *i)).collect();
        let ids: Vec<Guid> = planned
            .iter()
            .filter_map(|(_, index)| plan.records()[*index].identity())
            .collect();
        let hundreds: Vec<Vec<Guid>> = ids.chunks(GET_BATCH).map(<[Guid]>::to_vec).collect();
        let read: Vec<HashMap<Guid, Locations>> = stream::iter(hundreds)
            .map(|hundred| self.pointers::<R>(tenant, hundred.into_iter()))
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        let before: HashMap<Guid, Locations> = read.into_iter().flatten().collect();
        let new = planned.iter().map(|(_, index)| *index).filter(|index| {
            plan.records()[*index]
                .identity()
                .is_some_and(|id| !before.contains_key(&id))
        });
        let claims = self.claims(tenant, plan, new, &before).await?;
        let (before, claims) = (&before, &claims);
        let hundreds: Vec<Vec<(Key, usize)>> =
            planned.chunks(GET_BATCH).map(<[_]>::to_vec).collect();
        let retries: Vec<u64> = stream::iter(hundreds)
            .map(|hundred| async move {
                let steps = steps(tenant, plan, &hundred, before, claims);
                self.take_steps(tenant, plan, steps).await
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(retries.into_iter().sum())
    }

    /// What the pointers of `ids` say, read consistently.
    async fn pointers<R: Stored>(
        &self,
        tenant: &Tenant,
        ids: impl Iterator<Item = Guid>,
    ) -> Result<HashMap<Guid, Locations>, StoreError> {
        let table = self.tables().name(R::TABLE);
        let keys = ids.map(|id| key_item(&identity_key(tenant, id))).collect();
        let mut found = HashMap::new();
        for pointer in self.read_consistently(table, keys).await? {
            if let Some(id) = text_of(&pointer, "sk").and_then(|sk| sk.parse().ok()) {
                found.insert(id, Locations::read(&pointer));
            }
        }
        Ok(found)
    }

    async fn take_steps<R: Stored>(
        &self,
        tenant: &Tenant,
        plan: &Plan<R>,
        steps: Steps,
    ) -> Result<u64, StoreError> {
        let table = self.tables().name(R::TABLE);
        let mut retries = self
            .write_all(table, steps.first.into_iter().map(|p| Ok(put(p))))
            .await?;
        let records = steps
            .records
            .into_iter()
            .map(move |(key, index)| plan.item(tenant, &key, index).map(put));
        retries += self.write_all(table, records).await?;
        retries += self
            .write_all(table, steps.old.into_iter().map(|k| Ok(delete(k))))
            .await?;
        retries += self
            .write_all(table, steps.last.into_iter().map(|p| Ok(put(p))))
            .await?;
        Ok(retries)
    }
}
