//! Reconciliation (сверка): for each account or meter of a page of the tenant's directory
//! (deleted ones too: 1C holds what refers to them), how many records of a kind the copy holds
//! dated in a period, and their exact sums, for 1C to compare with its registers and re-send
//! only what differs. A page costs its directory's reads and one Query per account or meter
//! (more only for a history over 1 MB in the period), 8 in flight: in proportion to the page,
//! never to the tenant.

use std::future::Future;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::history::ListQuery;
use domain::{Account, Balance, Counter, DateRange, Guid, Reading, Tenant, Transaction};
use futures::{StreamExt, TryStreamExt, stream};
use rust_decimal::Decimal;

use crate::batch::IN_FLIGHT;
use crate::error::{corrupt, request_error};
use crate::items::Item;
use crate::keys::{Stored, history_bounds, owner_key};
use crate::reads::Page;
use crate::{Dynamo, StoreError};

/// What the copy holds of one account's or meter's records in the period: how many, and the
/// sums of their figures (one for amounts, three for a meter's tariffs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub owner: Guid,
    pub count: u64,
    pub sums: Vec<Decimal>,
}

/// Tallies of a page of accounts or meters.
pub trait Reconciliation {
    /// A page of accounts, each with its transactions in `period`.
    fn transaction_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> impl Future<Output = Result<Page<Tally>, StoreError>> + Send;

    /// A page of accounts, each with its balances in `period`.
    fn balance_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> impl Future<Output = Result<Page<Tally>, StoreError>> + Send;

    /// A page of meters, each with its readings in `period` (sums of the three tariffs).
    fn reading_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> impl Future<Output = Result<Page<Tally>, StoreError>> + Send;
}

impl Reconciliation for Dynamo {
    async fn transaction_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> Result<Page<Tally>, StoreError> {
        self.tallies::<Account, Transaction>(tenant, query, period, &["amount"])
            .await
    }

    async fn balance_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> Result<Page<Tally>, StoreError> {
        self.tallies::<Account, Balance>(tenant, query, period, &["amount"])
            .await
    }

    async fn reading_tallies(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
    ) -> Result<Page<Tally>, StoreError> {
        let figures = ["current_data1", "current_data2", "current_data3"];
        self.tallies::<Counter, Reading>(tenant, query, period, &figures)
            .await
    }
}

impl Dynamo {
    /// A page of directory `D`, every entry with its tally of records `R` in `period`.
    async fn tallies<D: Stored, R: Stored>(
        &self,
        tenant: &Tenant,
        query: &ListQuery,
        period: &DateRange,
        figures: &[&str],
    ) -> Result<Page<Tally>, StoreError> {
        let page = self
            .directory_page::<D>(tenant, query, |_| true, |_| true)
            .await?;
        let owners: Vec<Guid> = page
            .items
            .iter()
            .map(|entry| entry.key(tenant, 0).sk.parse())
            .collect::<Result<_, _>>()
            .map_err(|_| corrupt("a directory entry whose key is not its id"))?;
        let items = stream::iter(owners)
            .map(|owner| self.tally::<R>(tenant, owner, period, figures))
            .buffered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(Page {
            items,
            next: page.next,
        })
    }

    /// One account's or meter's records `R` in `period`: counted, their `figures` summed.
    async fn tally<R: Stored>(
        &self,
        tenant: &Tenant,
        owner: Guid,
        period: &DateRange,
        figures: &[&str],
    ) -> Result<Tally, StoreError> {
        let (from, to) = history_bounds(period);
        // Named through placeholders: no figure's name can be a DynamoDB reserved word.
        let names: Vec<String> = (0..figures.len()).map(|i| format!("#f{i}")).collect();
        let projection = names.join(", ");
        let mut tally = Tally {
            owner,
            count: 0,
            sums: vec![Decimal::ZERO; figures.len()],
        };
        let mut start = None;
        loop {
            let out = self
                .client()
                .query()
                .table_name(self.tables().name(R::TABLE))
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", AttributeValue::S(owner_key(tenant, owner)))
                .expression_attribute_values(":from", AttributeValue::S(from.clone()))
                .expression_attribute_values(":to", AttributeValue::S(to.clone()))
                .projection_expression(&projection)
                .set_expression_attribute_names(Some(
                    names
                        .iter()
                        .zip(figures)
                        .map(|(n, f)| (n.clone(), (*f).to_owned()))
                        .collect(),
                ))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| request_error("Query", e))?;
            for item in out.items.unwrap_or_default() {
                tally.add(&item, figures)?;
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(tally);
            }
        }
    }
}

impl Tally {
    fn add(&mut self, item: &Item, figures: &[&str]) -> Result<(), StoreError> {
        self.count += 1;
        for (sum, name) in self.sums.iter_mut().zip(figures) {
            let figure = match item.get(*name) {
                Some(AttributeValue::S(text)) => Decimal::from_str_exact(text)
                    .map_err(|_| corrupt("a stored figure that is not a decimal"))?,
                _ => Decimal::ZERO,
            };
            *sum = sum
                .checked_add(figure)
                .ok_or_else(|| corrupt("a sum past the largest decimal"))?;
        }
        Ok(())
    }
}
