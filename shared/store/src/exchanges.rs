//! The state of multi-part exchanges: one item per exchange, in the Exchanges table (pk
//! `tenant#kind#exchange`, sk `state`), that records its period and number of parts and when it
//! began (when 1C opened it, `POST /api/exchanges`, or else its first accepted part), the parts
//! whose records are written, and when the removal of what the exchange did not contain was
//! done and what it removed. A part refused before anything is written (bad items, unknown references,
//! a record too large, a partition too crowded) is refused before its exchange is opened, so it
//! leaves no state behind. DynamoDB's
//! TTL deletes it [`KEPT_DAYS`] days after its last part arrived.

use std::time::{SystemTime, UNIX_EPOCH};

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use domain::{ExchangeKind, Guid, Opening, PeriodImport, Tenant};

use crate::error::{conditional, corrupt, request_error};
use crate::items::{Item, n, s, text_of};
use crate::{Dynamo, StoreError, Table};

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

/// An exchange as its state says: what opened it (or its first part), when it began, the
/// parts that arrived, and its completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRecord {
    pub exchange: Guid,
    pub kind: ExchangeKind,
    pub opening: Opening,
    /// When 1C opened it; `None` for one that began with its first part.
    pub opened_at: Option<DateTime<Utc>>,
    /// What its removal counts from: its opening, or its first accepted part.
    pub began: Option<DateTime<Utc>>,
    /// The parts whose records are written, in order.
    pub received: Vec<u32>,
    /// When its removal was done, and how many items it removed.
    pub completed: Option<(DateTime<Utc>, u64)>,
}

/// The state of multi-part exchanges, kept [`exchanges::KEPT_DAYS`] days.
pub trait ExchangeLog {
    /// Opens the exchange `exchange` of `kind` at `at`: what its removal will count from.
    fn open_exchange(
        &self,
        tenant: &Tenant,
        exchange: Guid,
        kind: ExchangeKind,
        opening: &Opening,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The tenant's exchanges of that GUID, of every kind (one, unless a GUID was used for
    /// several kinds of parts before exchanges were opened): one consistent BatchGetItem.
    fn exchanges(
        &self,
        tenant: &Tenant,
        exchange: Guid,
    ) -> impl Future<Output = Result<Vec<ExchangeRecord>, StoreError>> + Send;

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

    /// Records that the exchange's removal is done, at `at`, having removed `removed`.
    fn removal_done(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
        removed: usize,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// How long an exchange's state is kept after its last part: parts of an exchange that never
/// completes can be sent again within this time, and later ones start afresh.
pub const KEPT_DAYS: u64 = 7;

const STATE_SK: &str = "state";

fn state_key(tenant: &Tenant, kind: &str, import: &PeriodImport) -> Option<String> {
    let part = import.part?;
    Some(exchange_pk(tenant, kind, part.exchange))
}

fn exchange_pk(tenant: &Tenant, kind: &str, exchange: Guid) -> String {
    format!("{tenant}#{kind}#{exchange}")
}

fn state_item(pk: String) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(STATE_SK))])
}

/// An instant the state keeps in milliseconds.
fn instant(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    match item.get(name) {
        Some(AttributeValue::N(ms)) => ms.parse().ok().and_then(DateTime::from_timestamp_millis),
        _ => None,
    }
}

fn number(item: &Item, name: &str) -> Option<u64> {
    match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
}

/// The record of a state item of `kind`.
fn record_of(
    item: &Item,
    kind: ExchangeKind,
    exchange: Guid,
) -> Result<ExchangeRecord, StoreError> {
    let day = |name| {
        text_of(item, name)
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| corrupt("an exchange without its period"))
    };
    let parts = number(item, "parts")
        .and_then(|p| u32::try_from(p).ok())
        .ok_or_else(|| corrupt("an exchange without its parts"))?;
    let mut received: Vec<u32> = match item.get("received") {
        Some(AttributeValue::Ns(parts)) => parts.iter().filter_map(|p| p.parse().ok()).collect(),
        _ => Vec::new(),
    };
    received.sort_unstable();
    let completed =
        instant(item, "completed_at").map(|at| (at, number(item, "removed_count").unwrap_or(0)));
    Ok(ExchangeRecord {
        exchange,
        kind,
        opening: Opening {
            from: day("from")?,
            to: day("to")?,
            parts,
        },
        opened_at: instant(item, "opened_at"),
        began: instant(item, "began"),
        received,
        completed,
    })
}

fn expires_at() -> AttributeValue {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    AttributeValue::N((now + KEPT_DAYS * 24 * 3600).to_string())
}

impl ExchangeLog for Dynamo {
    async fn open_exchange(
        &self,
        tenant: &Tenant,
        exchange: Guid,
        kind: ExchangeKind,
        opening: &Opening,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut item = state_item(exchange_pk(tenant, kind.as_str(), exchange));
        item.insert("from".into(), s(opening.from.to_string()));
        item.insert("to".into(), s(opening.to.to_string()));
        item.insert("parts".into(), n(opening.parts));
        item.insert("began".into(), n(at.timestamp_millis()));
        item.insert("opened_at".into(), n(at.timestamp_millis()));
        item.insert("expires_at".into(), expires_at());
        // A new GUID: the condition only keeps a collision from overwriting.
        let put = self
            .client()
            .put_item()
            .table_name(self.tables().name(Table::Exchanges))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match conditional("PutItem", put)? {
            true => Ok(()),
            false => Err(StoreError::ExchangeMismatch),
        }
    }

    async fn exchanges(
        &self,
        tenant: &Tenant,
        exchange: Guid,
    ) -> Result<Vec<ExchangeRecord>, StoreError> {
        let keys = ExchangeKind::ALL
            .iter()
            .map(|kind| state_item(exchange_pk(tenant, kind.as_str(), exchange)))
            .collect();
        let table = self.tables().name(Table::Exchanges).to_owned();
        let found = self.batch_get(&table, keys, None, true).await?;
        let mut records = Vec::with_capacity(found.len());
        for item in &found {
            let pk = text_of(item, "pk").unwrap_or_default();
            let kind = ExchangeKind::ALL
                .into_iter()
                .find(|kind| pk == exchange_pk(tenant, kind.as_str(), exchange))
                .ok_or_else(|| corrupt("an exchange of no kind"))?;
            records.push(record_of(item, kind, exchange)?);
        }
        records.sort_by_key(|r| r.kind);
        Ok(records)
    }

    async fn open_part(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
        started: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        let (Some(pk), Some(part)) = (state_key(tenant, kind, import), import.part) else {
            return Ok(started);
        };
        let result = self
            .client()
            .update_item()
            .table_name(self.tables().name(Table::Exchanges))
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(STATE_SK.into()))
            .update_expression(
                "SET #from = :from, #to = :to, #parts = :parts, #exp = :exp, \
                 #began = if_not_exists(#began, :began)",
            )
            .condition_expression(
                "attribute_not_exists(pk) OR (#from = :from AND #to = :to AND #parts = :parts)",
            )
            .expression_attribute_names("#from", "from")
            .expression_attribute_names("#to", "to")
            .expression_attribute_names("#parts", "parts")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_names("#began", "began")
            .expression_attribute_values(":from", AttributeValue::S(import.from.to_string()))
            .expression_attribute_values(":to", AttributeValue::S(import.to.to_string()))
            .expression_attribute_values(":parts", n(part.parts))
            .expression_attribute_values(":exp", expires_at())
            .expression_attribute_values(":began", n(started.timestamp_millis()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let began = match result {
            Ok(out) => out.attributes.and_then(|a| match a.get("began") {
                Some(AttributeValue::N(ms)) => ms.parse::<i64>().ok(),
                _ => None,
            }),
            Err(e) => match conditional("UpdateItem", Err::<(), _>(e))? {
                true => None,
                false => return Err(StoreError::ExchangeMismatch),
            },
        };
        Ok(began
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(started))
    }

    async fn part_written(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
    ) -> Result<ExchangeState, StoreError> {
        let (Some(pk), Some(part)) = (state_key(tenant, kind, import), import.part) else {
            return Err(StoreError::Config("not a part of an exchange".into()));
        };
        let out = self
            .client()
            .update_item()
            .table_name(self.tables().name(Table::Exchanges))
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(STATE_SK.into()))
            .update_expression("ADD #received :part SET #exp = :exp")
            .expression_attribute_names("#received", "received")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_values(":part", AttributeValue::Ns(vec![part.part.to_string()]))
            .expression_attribute_values(":exp", expires_at())
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| request_error("UpdateItem", e))?;
        let item = out.attributes.unwrap_or_default();
        let received = match item.get("received") {
            Some(AttributeValue::Ns(parts)) => u32::try_from(parts.len()).unwrap_or(u32::MAX),
            _ => 0,
        };
        Ok(ExchangeState {
            received,
            parts: part.parts,
            removed: matches!(item.get("removed"), Some(AttributeValue::Bool(true))),
        })
    }

    async fn removal_done(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
        removed: usize,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let Some(pk) = state_key(tenant, kind, import) else {
            return Ok(());
        };
        self.client()
            .update_item()
            .table_name(self.tables().name(Table::Exchanges))
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(STATE_SK.into()))
            .update_expression(
                "SET #removed = :yes, completed_at = if_not_exists(completed_at, :at), \
                 removed_count = if_not_exists(removed_count, :count)",
            )
            .expression_attribute_names("#removed", "removed")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":at", n(at.timestamp_millis()))
            .expression_attribute_values(":count", n(removed))
            .send()
            .await
            .map_err(|e| request_error("UpdateItem", e))?;
        Ok(())
    }
}
