//! Reading acts back: one act, the parties the filters list, the counts, a page's acts.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Act, ActNumber, ActQuery, Party, PartyRole, Tenant};

use super::rows::{COUNTS_SK, act_sk, role_prefix};
use super::{ActCounts, ActPage, ActReader};
use crate::error::{corrupt, request_error};
use crate::items::{Item, from_stored, s};
use crate::{Dynamo, StoreError, Table};

impl Dynamo {
    pub(super) fn acts_table(&self) -> &str {
        self.tables().name(Table::Acts)
    }

    /// The tenant's totals: the sum of every slot's counts.
    pub async fn act_counts(&self, tenant: &Tenant) -> Result<ActCounts, StoreError> {
        let slots = self.acts_with_prefix(tenant, COUNTS_SK).await?;
        let mut sums = [0i64; 3];
        for item in &slots {
            for (sum, name) in sums.iter_mut().zip(["total", "sended", "not_sended"]) {
                *sum += number(item, name);
            }
        }
        let [total, sended, not_sended] = sums.map(|sum| sum.max(0) as u64);
        Ok(ActCounts {
            total,
            sended,
            not_sended,
        })
    }

    /// Every item of the tenant's acts table whose sort key starts with `prefix`.
    async fn acts_with_prefix(
        &self,
        tenant: &Tenant,
        prefix: &str,
    ) -> Result<Vec<Item>, StoreError> {
        self.client()
            .query()
            .table_name(self.acts_table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .expression_attribute_values(":pk", s(tenant.as_str()))
            .expression_attribute_values(":prefix", s(prefix))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(|e| request_error("Query", e))
    }

    /// The acts with these sort keys, in this order (at most 100: one page).
    pub(super) async fn acts_by_sk(
        &self,
        tenant: &Tenant,
        sks: &[String],
    ) -> Result<Vec<Act>, StoreError> {
        if sks.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<Item> = sks
            .iter()
            .map(|sk| {
                HashMap::from([
                    ("pk".into(), s(tenant.as_str())),
                    ("sk".into(), s(sk.clone())),
                ])
            })
            .collect();
        let found = self.batch_get(self.acts_table(), keys, None, false).await?;
        let mut by_sk: HashMap<String, Act> = HashMap::with_capacity(found.len());
        for mut item in found {
            let Some(AttributeValue::S(sk)) = item.remove("sk") else {
                return Err(corrupt("act without sk"));
            };
            let act: Act = from_stored(item)?;
            if !act.deleted {
                by_sk.insert(sk, act);
            }
        }
        // An act deleted between the index walk and the read is simply left out.
        Ok(sks.iter().filter_map(|sk| by_sk.remove(sk)).collect())
    }
}

impl ActReader for Dynamo {
    async fn act(&self, tenant: &Tenant, number: ActNumber) -> Result<Option<Act>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.acts_table())
            .key("pk", s(tenant.as_str()))
            .key("sk", s(act_sk(number)))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        let act: Option<Act> = out.item.map(from_stored).transpose()?;
        // A deleted act is as unknown as one never sent.
        Ok(act.filter(|act| !act.deleted))
    }

    async fn act_page(&self, tenant: &Tenant, query: &ActQuery) -> Result<ActPage, StoreError> {
        self.walk_to_page(tenant, query).await
    }

    /// A party's slots count the acts that name it; one that no act names any more is left
    /// out. Its name is the one written last.
    async fn parties(&self, tenant: &Tenant, role: PartyRole) -> Result<Vec<Party>, StoreError> {
        let prefix = format!("{}#", role_prefix(role));
        let items = self.acts_with_prefix(tenant, &prefix).await?;
        // id → (acts, when named, name)
        let mut parties: BTreeMap<u64, (i64, i64, Option<String>)> = BTreeMap::new();
        for item in &items {
            let Some(AttributeValue::N(id)) = item.get("id") else {
                continue;
            };
            let id: u64 = id.parse().map_err(corrupt)?;
            let party = parties.entry(id).or_default();
            party.0 += number(item, "acts");
            if let Some(AttributeValue::S(name)) = item.get("name") {
                let named_at = number(item, "named_at");
                if party.2.is_none() || named_at > party.1 {
                    (party.1, party.2) = (named_at, Some(name.clone()));
                }
            }
        }
        parties
            .into_iter()
            .filter(|(_, (acts, _, _))| *acts > 0)
            .map(|(id, (_, _, name))| {
                let name = name.ok_or_else(|| corrupt("a party without a name"))?;
                // serde's message would quote the name.
                let name = serde_dynamo::from_attribute_value(AttributeValue::S(name))
                    .map_err(|_| corrupt("a party's stored name does not fit its type"))?;
                Ok(Party { id, name })
            })
            .collect()
    }
}

/// A number attribute, or 0.
fn number(item: &Item, name: &str) -> i64 {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}
