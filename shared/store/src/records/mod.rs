//! How an import writes the records of 1C's directories and figures (everything but acts): each
//! planned first (its key, its item's size, the partitions it loads), then written 25 to a
//! BatchWriteItem, several batches in flight. Dated records first mark the months and shards
//! they fill in the period calendar ([`crate::periods::calendar`]), so that a period import
//! finds them. Records with 1C's id go through their pointers ([`pointers`]); the latest
//! balances are kept beside the history ([`latest`]).

mod claims;
#[cfg(test)]
mod key_limits;
mod latest;
pub(crate) mod plan;
mod pointers;

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use domain::{Guid, Tenant};
use futures::join;

pub(crate) use latest::latest_item;
pub use plan::Plan;
pub(crate) use plan::{Row, item_of};

use crate::items::put;
use crate::keys::{Key, Stored};
use crate::{Dynamo, StoreError, Table};

impl<R: Stored> RecordWriter<R> for Dynamo {
    const TABLE: Table = R::TABLE;

    type Plan = Plan<R>;

    fn plan(&self, tenant: &Tenant, records: Vec<R>, stamp: Stamp) -> Result<Plan<R>, StoreError> {
        Plan::new(tenant, records, stamp)
    }

    async fn write(&self, tenant: &Tenant, plan: Plan<R>) -> Result<Written, StoreError> {
        let table = self.tables().name(R::TABLE);
        self.mark_calendar::<R>(tenant, plan.calendar(), plan.anonymous_months())
            .await?;
        let (identified, anonymous): (Vec<Placed<'_>>, Vec<Placed<'_>>) = plan
            .keys()
            .iter()
            .partition(|(_, index)| plan.records()[**index].identity().is_some());
        let item = |(key, index): (&Key, &usize)| plan.item(tenant, key, *index).map(put);
        let (anonymous, identified) = join!(
            self.write_all(table, anonymous.into_iter().map(item)),
            self.write_identified(tenant, &plan, identified),
        );
        let mut retries = anonymous? + identified?;
        retries += self.write_latest(tenant, plan.records()).await?;
        Ok(Written {
            records: plan.keys().len(),
            retries,
        })
    }
}

/// What one upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Distinct records written.
    pub records: usize,
    /// Calls sent again: leftovers of throttled batches, transactions that lost a race.
    pub retries: u64,
}

/// Who wrote a dated record (a reading, balance or transaction) and when: stored with it, and
/// what a period import's removal decides by (see [`periods`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// When the request that writes the record began, by its function's clock.
    pub at: DateTime<Utc>,
    /// The period import the request belongs to: a single request's own GUID, or its exchange's.
    /// `None` for a plain import.
    pub import: Option<Guid>,
}

/// Upserts records of one kind, idempotently: the same records written twice leave the table
/// as after the first time. In two steps, so that whatever can refuse a request does so before
/// anything is written, and a caller can record what it must (an exchange's first part) between
/// the two.
pub trait RecordWriter<R> {
    /// The table the records go to.
    const TABLE: Table;

    /// What [`RecordWriter::write`] will write, checked; it holds the records.
    type Plan: Send;

    /// Checks every record against DynamoDB's limits, without I/O: a record whose item would be
    /// too large ([`StoreError::Oversized`]), or a partition that would take too many writes
    /// ([`StoreError::Crowded`]), refuses the whole request.
    fn plan(
        &self,
        tenant: &Tenant,
        records: Vec<R>,
        stamp: Stamp,
    ) -> Result<Self::Plan, StoreError>;

    /// Writes what was planned; answers what was written.
    fn write(
        &self,
        tenant: &Tenant,
        plan: Self::Plan,
    ) -> impl Future<Output = Result<Written, StoreError>> + Send;
}

/// The records of a request by key, each the index of the record stored there.
pub(crate) type Planned = HashMap<Key, usize>;

/// A key of [`Planned`] and the index of its record.
type Placed<'p> = (&'p Key, &'p usize);
