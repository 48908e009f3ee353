//! How an import writes the records of 1C's directories and figures (everything but acts): each
//! planned first (its key, its item's size, the partitions it loads), then written 25 to a
//! BatchWriteItem, several batches in flight. Dated records first mark the months and shards
//! they fill in the period calendar ([`crate::periods::calendar`]), so that a period import
//! finds them. Records with 1C's id go through their pointers ([`pointers`]); the latest
//! balances are kept beside the history ([`latest`]).

mod latest;
mod plan;
mod pointers;

use std::collections::HashMap;

use domain::Tenant;
use futures::join;

pub(crate) use latest::latest_item;
pub use plan::Plan;
pub(crate) use plan::{Row, item_of};

use crate::dynamo::put;
use crate::keys::{Key, Stored};
use crate::{Dynamo, RecordWriter, Stamp, StoreError, Written};

impl<R: Stored> RecordWriter<R> for Dynamo {
    type Plan = Plan<R>;

    fn plan(&self, tenant: &Tenant, records: Vec<R>, stamp: Stamp) -> Result<Plan<R>, StoreError> {
        Plan::new(tenant, records, stamp)
    }

    async fn write(&self, tenant: &Tenant, plan: Plan<R>) -> Result<Written, StoreError> {
        let table = self.tables().name(R::TABLE);
        self.mark_calendar::<R>(tenant, plan.calendar()).await?;
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

/// The records of a request by key, each the index of the record stored there.
pub(crate) type Planned = HashMap<Key, usize>;

/// A key of [`Planned`] and the index of its record.
type Placed<'p> = (&'p Key, &'p usize);
