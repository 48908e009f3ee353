//! The journal of 1C's requests: one item per import, exchange opening or acknowledgement of a
//! tenant (pk the tenant, sk the instant to the microsecond and a random suffix), newest first,
//! kept [`KEPT_DAYS`] days (DynamoDB's TTL). It holds routes, statuses, codes and counts, never
//! a value of the request.

use std::future::Future;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use domain::history::HistoryQuery;
use domain::{Guid, Tenant};
use serde::{Deserialize, Serialize};

use crate::error::{corrupt, request_error};
use crate::items::s;
use crate::reads::Page;
use crate::{Dynamo, StoreError, Table};

/// How long an entry is kept.
pub const KEPT_DAYS: i64 = 30;

/// One request of 1C, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at: DateTime<Utc>,
    /// `POST /api/transaction/import`.
    pub route: String,
    pub status: u16,
    /// The error's code, for a refusal.
    pub code: Option<String>,
    /// How many items the request carried (refused: how many were found faulty).
    pub items: Option<u64>,
    pub imported: Option<u64>,
    pub removed: Option<u64>,
    pub exchange: Option<Guid>,
    pub part: Option<u32>,
}

/// Where the journal is kept.
pub trait Journal {
    /// Notes one request.
    fn note(
        &self,
        tenant: &Tenant,
        entry: &JournalEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One page of the tenant's entries in `query`'s range, newest first.
    fn journal(
        &self,
        tenant: &Tenant,
        query: &HistoryQuery,
    ) -> impl Future<Output = Result<Page<JournalEntry>, StoreError>> + Send;
}

/// The sort key: the instant (UTC, to the microsecond; a period's bounds compare with it as
/// text) and a random suffix, so that two entries of one microsecond are both kept.
fn entry_sk(at: DateTime<Utc>) -> String {
    let suffix = Guid::random().to_string();
    format!(
        "{}#{}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &suffix[..8]
    )
}

impl Journal for Dynamo {
    async fn note(&self, tenant: &Tenant, entry: &JournalEntry) -> Result<(), StoreError> {
        let mut item: crate::items::Item = serde_dynamo::to_item(entry).map_err(corrupt)?;
        item.insert("pk".into(), s(tenant.as_str()));
        item.insert("sk".into(), s(entry_sk(entry.at)));
        let expires = entry.at.timestamp() + KEPT_DAYS * 24 * 3600;
        item.insert("expires_at".into(), AttributeValue::N(expires.to_string()));
        self.client()
            .put_item()
            .table_name(self.tables().name(Table::Journal))
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| request_error("PutItem", e))?;
        Ok(())
    }

    async fn journal(
        &self,
        tenant: &Tenant,
        query: &HistoryQuery,
    ) -> Result<Page<JournalEntry>, StoreError> {
        self.newest_first(Table::Journal, tenant.as_str().to_owned(), query)
            .await
    }
}
