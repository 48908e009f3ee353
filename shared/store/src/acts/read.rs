//! Reading acts back: one act, the parties the filters list, the counts, a page's acts.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Act, ActNumber, ActQuery, Party, PartyRole, Tenant};

use super::rows::{COUNTS_SK, act_sk, corrupt, n, role_prefix, s};
use super::{ActCounts, ActPage, ActReader};
use crate::dynamo::{Item, request_error};
use crate::{Dynamo, StoreError, Table};

impl Dynamo {
    pub(super) fn acts_table(&self) -> &str {
        self.tables().name(Table::Acts)
    }

    pub async fn act_counts(&self, tenant: &Tenant) -> Result<ActCounts, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.acts_table())
            .key("pk", s(tenant.as_str()))
            .key("sk", s(COUNTS_SK))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        let number = |item: &Item, name: &str| match item.get(name) {
            Some(AttributeValue::N(v)) => v.parse::<i64>().map_or(0, |v| v.max(0) as u64),
            _ => 0,
        };
        Ok(out.item.map_or_else(ActCounts::default, |item| ActCounts {
            total: number(&item, "total"),
            sended: number(&item, "sended"),
            not_sended: number(&item, "not_sended"),
        }))
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
            by_sk.insert(sk, serde_dynamo::from_item(item).map_err(corrupt)?);
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
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(corrupt))
            .transpose()
    }

    async fn act_page(&self, tenant: &Tenant, query: &ActQuery) -> Result<ActPage, StoreError> {
        self.walk_to_page(tenant, query).await
    }

    /// A party item counts the acts that name it; one that no act names any more is left out.
    async fn parties(&self, tenant: &Tenant, role: PartyRole) -> Result<Vec<Party>, StoreError> {
        let items: Vec<Item> = self
            .client()
            .query()
            .table_name(self.acts_table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :role)")
            .filter_expression("acts > :none")
            .expression_attribute_values(":pk", s(tenant.as_str()))
            .expression_attribute_values(":role", s(format!("{}#", role_prefix(role))))
            .expression_attribute_values(":none", n(0))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .map_err(|e| request_error("Query", e))?;
        items
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(corrupt))
            .collect()
    }
}
