//! API keys, stored only as their hash with the tenant, scopes and creation, expiry and
//! revocation times. The table's partition key is the hash: verifying a key is one GetItem.
//!
//! | item                 | pk                     | index keys                             |
//! |----------------------|------------------------|----------------------------------------|
//! | an office's key      | hash                   |                                        |
//! | its id's pointer     | id#id                  |                                        |
//! | a resident's key     | resident#hash          | `ByAccount`: tenant/account, created_at |
//! | its id's pointer     | resident#id#id         |                                        |
//!
//! Residents' keys live under `resident#`: the functions a residents' app calls to mint and
//! revoke them may write there and nowhere else (IAM's `dynamodb:LeadingKeys`).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{Guid, KeyHash, Scope, Tenant};
use serde::{Deserialize, Serialize};

use crate::error::{conditional, corrupt, request_error};
use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use crate::items::{Item, from_items, s, text_of};
use crate::{Dynamo, StoreError, Table};

/// What is known of a key. The key itself is not: only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The hash's first 12 hex digits: the key's public name.
    pub id: String,
    /// The tenant; for a key bound to one account, `tenant/account`, which functions of an
    /// earlier version refuse (their tenant names have no `/`) instead of taking the key for
    /// one of the whole tenant.
    pub tenant: String,
    pub scopes: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When a resident's key stops working (RFC 3339, UTC); an office's key has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A key that is valid now: its tenant, the account it is bound to (if it is), and what it may
/// do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub tenant: Tenant,
    pub account: Option<Guid>,
    pub scopes: Vec<Scope>,
    /// After this the key is refused (checked at every use: a cached key expires on time).
    pub expires_at: Option<DateTime<Utc>>,
}

impl KeyRecord {
    /// The tenant's name, without the account of a bound key.
    pub fn tenant_name(&self) -> &str {
        self.tenant.split_once('/').map_or(&self.tenant, |(t, _)| t)
    }

    /// The one personal account a key of a residents' app is bound to; none for a key of the
    /// whole tenant.
    pub fn account(&self) -> Option<&str> {
        self.tenant.split_once('/').map(|(_, a)| a)
    }

    /// `None` for a revoked key or one whose record does not parse.
    pub fn verified(&self) -> Option<Verified> {
        if self.revoked_at.is_some() {
            return None;
        }
        let expires_at = match &self.expires_at {
            Some(at) => Some(DateTime::parse_from_rfc3339(at).ok()?.to_utc()),
            // A key bound to an account before keys expired: as if minted with the default.
            None if self.account().is_some() => {
                let created = DateTime::parse_from_rfc3339(&self.created_at)
                    .ok()?
                    .to_utc();
                Some(created + chrono::Duration::days(i64::from(domain::RESIDENT_KEY_DAYS)))
            }
            None => None,
        };
        let account = match self.account() {
            // A bound key whose account does not parse must not become a tenant-wide one.
            Some(account) => Some(account.parse().ok()?),
            None => None,
        };
        Some(Verified {
            tenant: Tenant::parse(self.tenant_name()).ok()?,
            account,
            scopes: self.scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
            expires_at,
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
    /// `ByAccount`'s partition: a resident's key's tenant and account.
    #[serde(skip_serializing_if = "Option::is_none")]
    account_key: Option<&'a str>,
    /// When DynamoDB deletes it (TTL, seconds): [`PURGED_AFTER_DAYS`] after it expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    purge_at: Option<i64>,
    #[serde(flatten)]
    record: &'a KeyRecord,
}

/// How long after it expired a resident's key (and its id's pointer) is kept, to be listed as
/// expired, before DynamoDB's TTL deletes it.
pub const PURGED_AFTER_DAYS: i64 = 30;

/// When an expiring key's items go ([`KeyRow::purge_at`]); never for an office's key.
fn purge_at(record: &KeyRecord) -> Option<i64> {
    let expires = DateTime::parse_from_rfc3339(record.expires_at.as_deref()?).ok()?;
    Some((expires + chrono::Duration::days(PURGED_AFTER_DAYS)).timestamp())
}

/// How many of an account's keys `GET /api/keys` lists: the newest.
pub const ACCOUNT_KEYS_LISTED: i32 = 100;

/// Where residents' keys and their pointers live.
const RESIDENT: &str = "resident#";

/// The partition of the pointer from a key's public id to its hash.
const POINTER: &str = "id#";

fn pointer_pk(id: &str, resident: bool) -> String {
    if resident {
        format!("{RESIDENT}{POINTER}{id}")
    } else {
        format!("{POINTER}{id}")
    }
}

/// A key's partition: its hash, under [`RESIDENT`] for a resident's key.
fn key_pk(hash: &KeyHash) -> String {
    if hash.is_resident() {
        format!("{RESIDENT}{}", hash.hex())
    } else {
        hash.hex().to_owned()
    }
}

/// A key's item.
pub(crate) fn stored_key(hash: &KeyHash, record: &KeyRecord) -> Result<Item, StoreError> {
    let bound = record.account().is_some();
    serde_dynamo::to_item(KeyRow {
        pk: &key_pk(hash),
        account_key: bound.then_some(record.tenant.as_str()),
        purge_at: purge_at(record),
        record,
    })
    .map_err(corrupt)
}

/// The pointer from a key's public id to its hash, going with the key.
pub(crate) fn key_pointer(hash: &KeyHash, record: &KeyRecord) -> Item {
    let mut item = HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S(pointer_pk(&record.id, hash.is_resident())),
        ),
        (
            "hash".to_owned(),
            AttributeValue::S(hash.as_str().to_owned()),
        ),
    ]);
    if let Some(at) = purge_at(record) {
        item.insert("purge_at".to_owned(), AttributeValue::N(at.to_string()));
    }
    item
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
            .key("pk", AttributeValue::S(key_pk(hash)))
            // A key minted a moment ago is found, not remembered as unknown.
            .consistent_read(true)
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
        self.create_key_for(hash, tenant, scopes, None, Utc::now())
            .await
    }

    /// [`Dynamo::create_key`], bound to one account when `account` is given (a resident's
    /// key, [`domain::ApiKey::generate_resident`], that stops working `at`), made at `created`
    /// by the caller's clock, the one its expiry was counted on.
    pub async fn create_key_for(
        &self,
        hash: &KeyHash,
        tenant: &Tenant,
        scopes: &[Scope],
        account: Option<(Guid, DateTime<Utc>)>,
        created: DateTime<Utc>,
    ) -> Result<KeyRecord, StoreError> {
        if account.is_some() != hash.is_resident() {
            return Err(StoreError::Config(
                "a key bound to an account is a resident's key, and only such a key is".into(),
            ));
        }
        let expires_at = account.map(|(_, at)| at.to_rfc3339_opts(SecondsFormat::Secs, true));
        let account = account.map(|(account, _)| account);
        let record = KeyRecord {
            id: hash.id().to_owned(),
            tenant: match account {
                Some(account) => format!("{tenant}/{account}"),
                None => tenant.to_string(),
            },
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: created.to_rfc3339_opts(SecondsFormat::Secs, true),
            expires_at,
            revoked_at: None,
        };
        let item = stored_key(hash, &record)?;
        let table = self.tables().name(Table::ApiKeys);
        let put = |item: Item, condition: Option<&str>| {
            Put::builder()
                .table_name(table)
                .set_item(Some(item))
                .set_condition_expression(condition.map(str::to_owned))
                .build()
                .map(|put| TransactWriteItem::builder().put(put).build())
                .map_err(|e| StoreError::Config(e.to_string()))
        };
        // The key and the pointer from its public id to it, together; an id (48 bits) that
        // another key has already is refused, never overwritten.
        let pointer = key_pointer(hash, &record);
        self.client()
            .transact_write_items()
            .transact_items(put(item, Some("attribute_not_exists(pk)"))?)
            .transact_items(put(pointer, Some("attribute_not_exists(pk)"))?)
            .send()
            .await
            .map_err(|e| request_error("TransactWriteItems", e))?;
        Ok(record)
    }

    /// A resident account's newest [`ACCOUNT_KEYS_LISTED`] keys, oldest first: what a
    /// residents' app lists (`GET /api/keys?account=`). One Query of `ByAccount`.
    pub async fn account_keys(
        &self,
        tenant: &Tenant,
        account: Guid,
    ) -> Result<Vec<KeyRecord>, StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(Table::ApiKeys))
            .index_name("ByAccount")
            .key_condition_expression("account_key = :key")
            .expression_attribute_values(":key", s(format!("{tenant}/{account}")))
            .scan_index_forward(false)
            .limit(ACCOUNT_KEYS_LISTED)
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        let mut keys: Vec<KeyRecord> = from_items(out.items.unwrap_or_default())?;
        keys.reverse();
        Ok(keys)
    }

    /// Revokes the key with the public `id` if it is a resident's key of `tenant`: what a
    /// residents' app may revoke through the API (`DELETE /api/keys/{id}`). `None` when there
    /// is no such active key. Three requests, by key: the pointer, the key, the revocation.
    pub async fn revoke_account_key(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<KeyRecord>, StoreError> {
        let table = self.tables().name(Table::ApiKeys);
        let pointer = self
            .client()
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(pointer_pk(id, true)))
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        let Some(hash) = pointer.item.as_ref().and_then(|i| text_of(i, "hash")) else {
            return Ok(None);
        };
        let Some(hash) = KeyHash::parse(&hash).filter(KeyHash::is_resident) else {
            return Ok(None);
        };
        match self.key(&hash).await? {
            Some(record)
                if record.tenant_name() == tenant.as_str()
                    && record.account().is_some()
                    && record.revoked_at.is_none() => {}
            _ => return Ok(None),
        }
        let revoked_at = now();
        let result = self
            .client()
            .update_item()
            .table_name(table)
            .key("pk", AttributeValue::S(key_pk(&hash)))
            .update_expression("SET revoked_at = :now")
            .condition_expression("attribute_exists(pk) AND attribute_type(revoked_at, :null)")
            .expression_attribute_values(":now", AttributeValue::S(revoked_at))
            .expression_attribute_values(":null", AttributeValue::S("NULL".into()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(from_items(out.attributes.into_iter().collect())?.pop()),
            Err(e) => match conditional("UpdateItem", Err::<(), _>(e)) {
                Ok(_) => Ok(None),
                Err(e) => Err(e),
            },
        }
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
        let mut pks: Vec<AttributeValue> = items
            .into_iter()
            .filter_map(|mut item| {
                let matches = matches!(item.get("id"), Some(AttributeValue::S(v)) if v == id);
                matches.then(|| item.remove("pk")).flatten()
            })
            .collect();
        // An office's key and a resident's may share a 48-bit id: revoke neither by guess.
        if pks.len() > 1 {
            return Err(StoreError::Config(format!(
                "{} keys have the id {id}: revoke them through the API or by their records",
                pks.len()
            )));
        }
        let Some(pk) = pks.pop() else {
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

    /// The keys' items, without the pointers from ids (the administrator's tool only).
    async fn key_items(&self) -> Result<Vec<Item>, StoreError> {
        let items: Vec<Item> = self
            .client()
            .scan()
            .table_name(self.tables().name(Table::ApiKeys))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(|e| request_error("Scan", e))?;
        Ok(items
            .into_iter()
            .filter(|item| {
                let pointer = |pk: String| {
                    pk.strip_prefix(RESIDENT)
                        .unwrap_or(&pk)
                        .starts_with(POINTER)
                };
                !text_of(item, "pk").is_some_and(pointer)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(tenant: &str) -> KeyRecord {
        KeyRecord {
            id: "0123456789ab".into(),
            tenant: tenant.into(),
            scopes: vec!["read".into(), "submit".into(), "shred".into()],
            created_at: now(),
            expires_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_bound_key_is_its_tenant_and_account_and_never_a_whole_tenants() {
        let guid = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
        let bound = record(&format!("okunevo/{guid}"));
        let verified = bound.verified().unwrap();
        assert_eq!(verified.tenant.as_str(), "okunevo");
        assert_eq!(verified.account.unwrap().to_string(), guid);
        assert_eq!(verified.scopes, vec![Scope::Read, Scope::Submit]);
        assert_eq!(
            (bound.tenant_name(), bound.account()),
            ("okunevo", Some(guid))
        );
        // What a function of an earlier version did with the field: refuse it.
        assert!(Tenant::parse(&bound.tenant).is_err());
        // An account that does not parse is no key at all, not a tenant-wide one.
        assert_eq!(record("okunevo/x").verified(), None);
        assert_eq!(record("okunevo").verified().unwrap().account, None);
    }

    #[test]
    fn a_bound_key_minted_before_keys_expired_expires_ninety_days_after_it_was_made() {
        let mut bound = record("okunevo/358d67ad-d66e-11e3-bd79-94de80e97e9a");
        bound.created_at = "2026-01-01T00:00:00Z".into();
        let expires = bound.verified().unwrap().expires_at.unwrap();
        assert_eq!(expires.to_rfc3339(), "2026-04-01T00:00:00+00:00");
        // Positive control: an office's key has no expiry.
        assert_eq!(record("okunevo").verified().unwrap().expires_at, None);
    }
}
