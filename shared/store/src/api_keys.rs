//! API keys, stored only as their hash with the tenant, scopes and creation and revocation
//! times. The table's partition key is the hash: verifying a key is one GetItem.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Guid, KeyHash, Scope, Tenant};
use serde::{Deserialize, Serialize};

use crate::error::{conditional, corrupt, request_error};
use crate::items::{Item, from_items};
use crate::{Dynamo, StoreError, Table};

/// What is known of a key. The key itself is not: only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The hash's first 12 hex digits: the key's public name.
    pub id: String,
    pub tenant: String,
    pub scopes: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// The one personal account a key of a residents' app is bound to; none for a key of the
    /// whole tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// A key that is valid now: its tenant, the account it is bound to (if it is), and what it may
/// do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub tenant: Tenant,
    pub account: Option<Guid>,
    pub scopes: Vec<Scope>,
}

impl KeyRecord {
    /// `None` for a revoked key or one whose record does not parse.
    pub fn verified(&self) -> Option<Verified> {
        if self.revoked_at.is_some() {
            return None;
        }
        let account = match &self.account {
            // A bound key whose account does not parse must not become a tenant-wide one.
            Some(account) => Some(account.parse().ok()?),
            None => None,
        };
        Some(Verified {
            tenant: Tenant::parse(&self.tenant).ok()?,
            account,
            scopes: self.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        })
    }
}

/// Looks a presented key up by its hash.
pub trait KeyReader {
    fn key(
        &self,
        hash: &KeyHash,
    ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send;
}

#[derive(Serialize)]
struct KeyRow<'a> {
    pk: &'a str,
    #[serde(flatten)]
    record: &'a KeyRecord,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl KeyReader for Dynamo {
    async fn key(&self, hash: &KeyHash) -> Result<Option<KeyRecord>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.tables().name(Table::ApiKeys))
            .key("pk", AttributeValue::S(hash.as_str().to_owned()))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        Ok(from_items(out.item.into_iter().collect())?.pop())
    }
}

/// The administrator's operations (the `apikey` tool).
impl Dynamo {
    pub async fn create_key(
        &self,
        hash: &KeyHash,
        tenant: &Tenant,
        scopes: &[Scope],
    ) -> Result<KeyRecord, StoreError> {
        self.create_key_for(hash, tenant, scopes, None).await
    }

    /// [`Dynamo::create_key`], bound to one account when `account` is given.
    pub async fn create_key_for(
        &self,
        hash: &KeyHash,
        tenant: &Tenant,
        scopes: &[Scope],
        account: Option<Guid>,
    ) -> Result<KeyRecord, StoreError> {
        let record = KeyRecord {
            id: hash.id().to_owned(),
            tenant: tenant.to_string(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: now(),
            revoked_at: None,
            account: account.map(|a| a.to_string()),
        };
        let item: Item = serde_dynamo::to_item(KeyRow {
            pk: hash.as_str(),
            record: &record,
        })
        .map_err(corrupt)?;
        self.client()
            .put_item()
            .table_name(self.tables().name(Table::ApiKeys))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| request_error("PutItem", e))?;
        Ok(record)
    }

    /// Every key (the table is small: a few keys per tenant), oldest first.
    pub async fn list_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let mut records: Vec<KeyRecord> = from_items(self.key_items().await?)?;
        records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(records)
    }

    /// Revokes the key with this id; `false` when there is none (or it was revoked before).
    pub async fn revoke_key(&self, id: &str) -> Result<bool, StoreError> {
        let items = self.key_items().await?;
        let Some(pk) = items.into_iter().find_map(|mut item| {
            let matches = matches!(item.get("id"), Some(AttributeValue::S(v)) if v == id);
            matches.then(|| item.remove("pk")).flatten()
        }) else {
            return Ok(false);
        };
        let result = self
            .client()
            .update_item()
            .table_name(self.tables().name(Table::ApiKeys))
            .key("pk", pk)
            .update_expression("SET revoked_at = :now")
            .condition_expression("attribute_exists(pk) AND attribute_type(revoked_at, :null)")
            .expression_attribute_values(":now", AttributeValue::S(now()))
            .expression_attribute_values(":null", AttributeValue::S("NULL".into()))
            .send()
            .await;
        conditional("UpdateItem", result)
    }

    async fn key_items(&self) -> Result<Vec<Item>, StoreError> {
        self.client()
            .scan()
            .table_name(self.tables().name(Table::ApiKeys))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| request_error("Scan", e))
    }
}
