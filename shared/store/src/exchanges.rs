//! The state of multi-part exchanges: one item per exchange, in the Exchanges table, that
//! records its period and number of parts and when it began (from its first accepted part), the
//! parts whose records are written, and whether the removal of what the exchange did not
//! contain is done. A part refused before anything is written (bad items, unknown references,
//! a record too large, a partition too crowded) is refused before its exchange is opened, so it
//! leaves no state behind. DynamoDB's
//! TTL deletes it [`KEPT_DAYS`] days after its last part arrived.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use std::future::Future;

use chrono::{DateTime, Utc};
use domain::{PeriodImport, Tenant};

use crate::error::{conditional, request_error};
use crate::items::n;
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

/// The state of multi-part exchanges, kept [`exchanges::KEPT_DAYS`] days.
pub trait ExchangeLog {
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

    /// Records that the exchange's removal is done.
    fn removal_done(
        &self,
        tenant: &Tenant,
        kind: &'static str,
        import: &PeriodImport,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// How long an exchange's state is kept after its last part: parts of an exchange that never
/// completes can be sent again within this time, and later ones start afresh.
pub const KEPT_DAYS: u64 = 7;

const STATE_SK: &str = "state";

fn state_key(tenant: &Tenant, kind: &str, import: &PeriodImport) -> Option<String> {
    let part = import.part?;
    Some(format!("{tenant}#{kind}#{}", part.exchange))
}

fn expires_at() -> AttributeValue {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    AttributeValue::N((now + KEPT_DAYS * 24 * 3600).to_string())
}

impl ExchangeLog for Dynamo {
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
    ) -> Result<(), StoreError> {
        let Some(pk) = state_key(tenant, kind, import) else {
            return Ok(());
        };
        self.client()
            .update_item()
            .table_name(self.tables().name(Table::Exchanges))
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(STATE_SK.into()))
            .update_expression("SET #removed = :yes")
            .expression_attribute_names("#removed", "removed")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(|e| request_error("UpdateItem", e))?;
        Ok(())
    }
}
