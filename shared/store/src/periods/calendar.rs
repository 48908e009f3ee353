//! The period calendar: which partitions of the `ByPeriod` index a tenant's records of one kind
//! ever filled. One item per month in the kind's own table (pk `tenant#calendar`, sk `YYYY-MM`)
//! lists the shards (`shards`, a number set). An import adds its months' shards before it
//! writes its records; a period import's removal reads the months of its period back in one
//! Query and looks only in the partitions they list, so that its cost follows the records
//! stored, not the length of the period: an empty forty-year period costs one Query.
//!
//! A month that ever held transactions sent without their id is marked `anonymous`: only in
//! those months can an id sent for the first time have a copy to replace (`records::claims`),
//! so the months after 1C began to send ids cost no lookup.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{DateRange, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use crate::batch::{IN_FLIGHT, query_all};
use crate::error::request_error;
use crate::items::text_of;
use crate::keys::{Stored, calendar_partition, month_of, period_partition};
use crate::{Dynamo, StoreError};

impl Dynamo {
    /// Adds `calendar` (month → shards) to the tenant's calendar of `R`, and marks the
    /// `anonymous` months: one UpdateItem per month, several in flight. Adding what is there
    /// already changes nothing.
    pub(crate) async fn mark_calendar<R: Stored>(
        &self,
        tenant: &Tenant,
        calendar: &BTreeMap<String, BTreeSet<u128>>,
        anonymous: &BTreeSet<String>,
    ) -> Result<(), StoreError> {
        let table = self.tables().name(R::TABLE);
        let pk = calendar_partition(tenant);
        let months: Vec<(String, Vec<String>)> = calendar
            .iter()
            .map(|(month, shards)| (month.clone(), shards.iter().map(u128::to_string).collect()))
            .collect();
        stream::iter(months)
            .map(|(month, shards)| {
                let update = self
                    .client()
                    .update_item()
                    .table_name(table)
                    .key("pk", AttributeValue::S(pk.clone()))
                    .expression_attribute_values(":shards", AttributeValue::Ns(shards));
                let update = if anonymous.contains(&month) {
                    update
                        .update_expression(format!("ADD shards :shards SET {ANONYMOUS} = :yes"))
                        .expression_attribute_values(":yes", AttributeValue::Bool(true))
                } else {
                    update.update_expression("ADD shards :shards")
                };
                update.key("sk", AttributeValue::S(month)).send()
            })
            .buffer_unordered(IN_FLIGHT)
            .map_err(|e| request_error("UpdateItem", e))
            .try_collect::<Vec<_>>()
            .await?;
        Ok(())
    }

    /// The `ByPeriod` partitions that may hold the tenant's records of `R` dated in `period`:
    /// those its calendar lists for the period's months, read consistently (an import marks
    /// them before it writes).
    pub(super) async fn calendar_partitions<R: Stored>(
        &self,
        tenant: &Tenant,
        period: &DateRange,
    ) -> Result<Vec<String>, StoreError> {
        let (Some(from), Some(to)) = (period.from, period.to) else {
            return Err(StoreError::Config("a period import has both ends".into()));
        };
        let query = self
            .client()
            .query()
            .table_name(self.tables().name(R::TABLE))
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(calendar_partition(tenant)))
            .expression_attribute_values(":from", AttributeValue::S(month_of(from)))
            .expression_attribute_values(":to", AttributeValue::S(month_of(to)))
            .consistent_read(true);
        let mut partitions = Vec::new();
        for month in query_all(query).await? {
            let Some(name) = text_of(&month, "sk") else {
                continue;
            };
            let Some(AttributeValue::Ns(shards)) = month.get("shards") else {
                continue;
            };
            for shard in shards.iter().filter_map(|s| s.parse::<u128>().ok()) {
                partitions.push(period_partition(tenant, &name, shard));
            }
        }
        Ok(partitions)
    }

    /// Which of the months `from` to `to` (`YYYY-MM`) hold records of `R` sent without their
    /// identity, read consistently (an import marks them before it writes): one Query.
    pub(crate) async fn anonymous_months<R: Stored>(
        &self,
        tenant: &Tenant,
        from: &str,
        to: &str,
    ) -> Result<BTreeSet<String>, StoreError> {
        let query = self
            .client()
            .query()
            .table_name(self.tables().name(R::TABLE))
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .filter_expression(format!("attribute_exists({ANONYMOUS})"))
            .expression_attribute_values(":pk", AttributeValue::S(calendar_partition(tenant)))
            .expression_attribute_values(":from", AttributeValue::S(from.to_owned()))
            .expression_attribute_values(":to", AttributeValue::S(to.to_owned()))
            .projection_expression("sk")
            .consistent_read(true);
        let months = query_all(query).await?;
        Ok(months.iter().filter_map(|m| text_of(m, "sk")).collect())
    }
}

/// The attribute that marks a month of the calendar holding records sent without their
/// identity.
const ANONYMOUS: &str = "anonymous";
