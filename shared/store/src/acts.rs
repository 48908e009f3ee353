//! Billing acts in DynamoDB. One table, keyed by tenant:
//!
//! | item          | sk                         | what for                                   |
//! |---------------|----------------------------|--------------------------------------------|
//! | act           | `act#<number, 20 digits>`  | act_info: one GetItem                       |
//! | payer         | `payer#<id, 20 digits>`    | the payers filter: one Query                |
//! | recipient     | `recipient#<id, 20 digits>`| the recipients filter: one Query            |
//! | counts        | `counts`                   | the unfiltered and per-status totals        |
//!
//! Each act also carries one sort key per list order (`by_created`, `by_number`, `by_count`,
//! `by_amount`), each the range key of a global secondary index whose entries hold only the keys
//! and the filtered attributes (a few dozen bytes). A page walks such an index to its offset and
//! then reads just its own acts with one BatchGetItem: a deep page skips index entries, never
//! whole acts.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use domain::acts::{ActFilter, ActSort, Direction};
use domain::{Act, ActNumber, ActQuery, ActStatus, Party, PartyRole, Tenant};
use rust_decimal::Decimal;
use serde::Serialize;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

use crate::dynamo::{Item, request_error};
use crate::{Dynamo, RecordWriter, StoreError, Table};

/// TransactWriteItems takes 100 items: 99 acts and the tenant's counts.
const ACTS_PER_TRANSACTION: usize = 99;

fn act_sk(number: ActNumber) -> String {
    format!("act#{:020}", number.get())
}

fn party_sk(role: PartyRole, id: u64) -> String {
    format!("{}#{id:020}", role_prefix(role))
}

fn role_prefix(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Payer => "payer",
        PartyRole::Recipient => "recipient",
    }
}

const COUNTS_SK: &str = "counts";

/// Numeric account numbers sort as numbers, then other text, then acts without one.
fn count_key(count_number: Option<&str>) -> String {
    match count_number {
        Some(n) if !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("0{n:0>20}")
        }
        Some(n) => format!("1{n}"),
        None => "2".to_owned(),
    }
}

fn amount_key(amount: Decimal) -> String {
    let kopecks = (amount * Decimal::ONE_HUNDRED).round();
    format!("{:020}", u128::try_from(kopecks).unwrap_or(0))
}

/// What an act is stored as: the act, its sort keys, and its flat filter attributes.
#[derive(Serialize)]
struct ActRow<'a> {
    pk: &'a str,
    sk: String,
    by_created: String,
    by_number: String,
    by_count: String,
    by_amount: String,
    payer_id: u64,
    recipient_id: u64,
    #[serde(flatten)]
    act: &'a Act,
}

impl<'a> ActRow<'a> {
    fn new(tenant: &'a Tenant, act: &'a Act) -> Self {
        let number = format!("{:020}", act.act_number.get());
        Self {
            pk: tenant.as_str(),
            sk: act_sk(act.act_number),
            by_created: format!("{}#{number}", act.created_at),
            by_count: format!(
                "{}#{number}",
                count_key(act.count_number.as_ref().map(|c| c.as_str()))
            ),
            by_amount: format!("{}#{number}", amount_key(act.totals().with_vat)),
            by_number: number,
            payer_id: act.payer.id,
            recipient_id: act.recipient.id,
            act,
        }
    }
}

#[derive(Serialize)]
struct PartyRow<'a> {
    pk: &'a str,
    sk: String,
    #[serde(flatten)]
    party: &'a Party,
}

/// The tenant's act totals, kept exact on import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActCounts {
    pub total: u64,
    pub sended: u64,
    pub not_sended: u64,
}

impl ActCounts {
    pub fn of(&self, status: Option<ActStatus>) -> u64 {
        match status {
            None => self.total,
            Some(ActStatus::Sended) => self.sended,
            Some(ActStatus::NotSended) => self.not_sended,
        }
    }
}

/// A page of the act list, with what it cost to read.
#[derive(Debug, Clone)]
pub struct ActPage {
    pub acts: Vec<Act>,
    pub total: u64,
    /// Index entries evaluated (DynamoDB's ScannedCount) while walking to the page.
    pub index_entries_read: usize,
    /// Whole acts read.
    pub acts_read: usize,
}

/// The act queries of the JCat API.
pub trait ActReader {
    fn act(
        &self,
        tenant: &Tenant,
        number: ActNumber,
    ) -> impl Future<Output = Result<Option<Act>, StoreError>> + Send;

    fn act_page(
        &self,
        tenant: &Tenant,
        query: &ActQuery,
    ) -> impl Future<Output = Result<ActPage, StoreError>> + Send;

    fn parties(
        &self,
        tenant: &Tenant,
        role: PartyRole,
    ) -> impl Future<Output = Result<Vec<Party>, StoreError>> + Send;
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Dynamo {
    fn acts_table(&self) -> &str {
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

    /// The stored status of each of `numbers`, read consistently.
    async fn stored_statuses(
        &self,
        tenant: &Tenant,
        numbers: &[ActNumber],
    ) -> Result<HashMap<String, ActStatus>, StoreError> {
        let keys: Vec<Item> = numbers
            .iter()
            .map(|number| {
                HashMap::from([
                    ("pk".into(), s(tenant.as_str())),
                    ("sk".into(), s(act_sk(*number))),
                ])
            })
            .collect();
        let found = self
            .batch_get(self.acts_table(), keys, Some("sk, act_status"), true)
            .await?;
        found
            .into_iter()
            .map(|item| {
                let sk = match item.get("sk") {
                    Some(AttributeValue::S(sk)) => sk.clone(),
                    _ => return Err(corrupt("act without sk")),
                };
                let status: ActStatus = match item.get("act_status") {
                    Some(AttributeValue::S(st)) => ActStatus::parse_param(st).map_err(corrupt)?,
                    _ => return Err(corrupt("act without status")),
                };
                Ok((sk, status))
            })
            .collect()
    }

    /// Writes up to 99 acts and their effect on the counts in one transaction. Each act is
    /// written on condition that its stored status is still the one the delta was computed
    /// from, so concurrent imports cannot skew the counts: a conflict re-reads and retries.
    async fn write_acts_transaction(
        &self,
        tenant: &Tenant,
        acts: &[&Act],
    ) -> Result<(), StoreError> {
        let table = self.acts_table();
        let backoff = self.backoff();
        let numbers: Vec<ActNumber> = acts.iter().map(|a| a.act_number).collect();
        for attempt in 0..backoff.attempts {
            if attempt > 0 {
                tokio::time::sleep(backoff.delay(attempt)).await;
                tracing::warn!(attempt, "acts_transaction_retry");
                crate::batch::count_retry();
            }
            let stored = self.stored_statuses(tenant, &numbers).await?;
            let mut delta = [0i64; 3]; // total, sended, not_sended
            let status_slot = |st: ActStatus| match st {
                ActStatus::Sended => 1,
                ActStatus::NotSended => 2,
            };
            let mut items = Vec::with_capacity(acts.len() + 1);
            for act in acts {
                let row = ActRow::new(tenant, act);
                let mut put = Put::builder()
                    .table_name(table)
                    .set_item(Some(serde_dynamo::to_item(&row).map_err(corrupt)?));
                match stored.get(&row.sk) {
                    None => {
                        delta[0] += 1;
                        delta[status_slot(act.act_status)] += 1;
                        put = put.condition_expression("attribute_not_exists(sk)");
                    }
                    Some(old) => {
                        delta[status_slot(*old)] -= 1;
                        delta[status_slot(act.act_status)] += 1;
                        put = put
                            .condition_expression("act_status = :old")
                            .expression_attribute_values(":old", s(old.as_str()));
                    }
                }
                let put = put.build().map_err(corrupt)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            let counts = Update::builder()
                .table_name(table)
                .key("pk", s(tenant.as_str()))
                .key("sk", s(COUNTS_SK))
                .update_expression("ADD #t :t, #s :s, #n :n")
                .expression_attribute_names("#t", "total")
                .expression_attribute_names("#s", "sended")
                .expression_attribute_names("#n", "not_sended")
                .expression_attribute_values(":t", n(delta[0]))
                .expression_attribute_values(":s", n(delta[1]))
                .expression_attribute_values(":n", n(delta[2]))
                .build()
                .map_err(corrupt)?;
            items.push(TransactWriteItem::builder().update(counts).build());
            match self
                .client()
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if e.as_service_error().is_some_and(lost_a_race) => {}
                Err(e) => return Err(request_error("TransactWriteItems", e)),
            }
        }
        Err(StoreError::Incomplete { left: acts.len() })
    }
}

/// A transaction cancelled only because another writer got there first (a changed status, a
/// concurrent transaction, throttling) is worth retrying; any other reason is a real error.
fn lost_a_race(e: &TransactWriteItemsError) -> bool {
    let TransactWriteItemsError::TransactionCanceledException(cancelled) = e else {
        return false;
    };
    cancelled.cancellation_reasons().iter().all(|reason| {
        matches!(
            reason.code(),
            None | Some(
                "None" | "ConditionalCheckFailed" | "TransactionConflict" | "ThrottlingError"
            )
        )
    })
}

/// Acts are upserted by number; the payers and recipients they name are upserted too.
impl RecordWriter<Act> for Dynamo {
    async fn upsert(&self, tenant: &Tenant, acts: &[Act]) -> Result<usize, StoreError> {
        // The last version of an act in the request wins, as for every other import.
        let mut latest: HashMap<ActNumber, &Act> = HashMap::with_capacity(acts.len());
        for act in acts {
            latest.insert(act.act_number, act);
        }
        let mut distinct: Vec<&Act> = latest.into_values().collect();
        distinct.sort_by_key(|a| a.act_number);

        let mut parties: HashMap<String, Item> = HashMap::new();
        for act in &distinct {
            for (role, party) in [
                (PartyRole::Payer, &act.payer),
                (PartyRole::Recipient, &act.recipient),
            ] {
                let row = PartyRow {
                    pk: tenant.as_str(),
                    sk: party_sk(role, party.id),
                    party,
                };
                parties.insert(
                    row.sk.clone(),
                    serde_dynamo::to_item(&row).map_err(corrupt)?,
                );
            }
        }
        let requests: Vec<WriteRequest> = parties
            .into_values()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item)).build();
                WriteRequest::builder().set_put_request(put.ok()).build()
            })
            .collect();
        self.write_all(self.acts_table(), requests).await?;

        // One transaction at a time: each one updates the same counts item.
        for chunk in distinct.chunks(ACTS_PER_TRANSACTION) {
            self.write_acts_transaction(tenant, chunk).await?;
        }
        Ok(distinct.len())
    }
}

/// The index that orders the list as asked, and its range-key attribute.
fn index_for(sort: ActSort) -> (&'static str, &'static str) {
    match sort {
        ActSort::CreatedAt => ("ByCreated", "by_created"),
        ActSort::ActNumber => ("ByNumber", "by_number"),
        ActSort::CountNumber => ("ByCount", "by_count"),
        ActSort::Amount => ("ByAmount", "by_amount"),
    }
}

/// A Query's conditions: the key condition (with a created-at range when the index is ordered
/// by it) and a filter over the attributes the indexes project.
struct Conditions {
    key: String,
    filter: Vec<&'static str>,
    values: HashMap<String, AttributeValue>,
}

fn conditions(tenant: &Tenant, filter: &ActFilter, sort: ActSort) -> Conditions {
    let mut c = Conditions {
        key: "pk = :pk".into(),
        filter: Vec::new(),
        values: HashMap::from([(":pk".into(), s(tenant.as_str()))]),
    };
    let range = filter.created_from.is_some() || filter.created_to.is_some();
    if range && sort == ActSort::CreatedAt {
        // `by_created` is `YYYY-MM-DD#<number>`; `~` sorts after every digit.
        let from = filter
            .created_from
            .map_or_else(|| "0".into(), |d| d.to_string());
        let to = filter
            .created_to
            .map_or_else(|| "9".into(), |d| format!("{d}#~"));
        c.key.push_str(" AND by_created BETWEEN :from AND :to");
        c.values.insert(":from".into(), s(from));
        c.values.insert(":to".into(), s(to));
    } else {
        if let Some(from) = filter.created_from {
            c.filter.push("created_at >= :from");
            c.values.insert(":from".into(), s(from.to_string()));
        }
        if let Some(to) = filter.created_to {
            c.filter.push("created_at <= :to");
            c.values.insert(":to".into(), s(to.to_string()));
        }
    }
    if let Some(count_number) = &filter.count_number {
        c.filter.push("count_number = :count");
        c.values.insert(":count".into(), s(count_number.clone()));
    }
    if let Some(id) = filter.payer_id {
        c.filter.push("payer_id = :payer");
        c.values.insert(":payer".into(), n(id));
    }
    if let Some(id) = filter.recipient_id {
        c.filter.push("recipient_id = :recipient");
        c.values.insert(":recipient".into(), n(id));
    }
    if let Some(status) = filter.status {
        c.filter.push("act_status = :status");
        c.values.insert(":status".into(), s(status.as_str()));
    }
    c
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
        // An act number names at most one act.
        if let Some(number) = query.filter.act_number {
            let act = self.act(tenant, number).await?;
            let acts_read = usize::from(act.is_some());
            let act = act.filter(|a| query.filter.matches(a));
            let total = u64::from(act.is_some());
            let acts = act.into_iter().filter(|_| query.page == 1).collect();
            return Ok(ActPage {
                acts,
                total,
                index_entries_read: 0,
                acts_read,
            });
        }

        // With no filter but the status, the counts kept on import are the total, and the walk
        // stops at the page's last entry. Any other filter is counted over the index.
        let known_total = if query.filter.is_status_only() {
            Some(self.act_counts(tenant).await?.of(query.filter.status))
        } else {
            None
        };
        let (index, _) = index_for(query.sort);
        let c = conditions(tenant, &query.filter, query.sort);
        let (offset, end) = (query.offset(), query.offset() + query.limit as usize);
        let mut page_keys: Vec<String> = Vec::with_capacity(query.limit as usize);
        let (mut matched, mut scanned) = (0usize, 0usize);
        let mut start: Option<Item> = None;
        loop {
            let mut request = self
                .client()
                .query()
                .table_name(self.acts_table())
                .index_name(index)
                .key_condition_expression(&c.key)
                .set_expression_attribute_values(Some(c.values.clone()))
                .projection_expression("sk")
                .scan_index_forward(query.direction == Direction::Asc)
                .set_exclusive_start_key(start.take());
            if !c.filter.is_empty() {
                request = request.filter_expression(c.filter.join(" AND "));
            }
            if known_total.is_some() {
                // Unfiltered, exactly the entries still needed. Filtered, DynamoDB's Limit counts
                // entries before the filter, so read rounds of at least 100 (a few KB).
                let needed = end - matched;
                let round = if c.filter.is_empty() {
                    needed
                } else {
                    needed.max(100)
                };
                request = request.limit(i32::try_from(round).unwrap_or(i32::MAX));
            }
            let out = request
                .send()
                .await
                .map_err(|e| request_error("Query", e))?;
            scanned += usize::try_from(out.scanned_count).unwrap_or(0);
            for item in out.items.unwrap_or_default() {
                if (offset..end).contains(&matched) {
                    match item.get("sk") {
                        Some(AttributeValue::S(sk)) => page_keys.push(sk.clone()),
                        _ => return Err(corrupt("index entry without sk")),
                    }
                }
                matched += 1;
            }
            start = out.last_evaluated_key.filter(|k| !k.is_empty());
            let done = known_total.is_some() && matched >= end;
            if start.is_none() || done {
                break;
            }
        }
        let acts = self.acts_by_sk(tenant, &page_keys).await?;
        Ok(ActPage {
            acts_read: acts.len(),
            acts,
            total: known_total.unwrap_or(matched as u64),
            index_entries_read: scanned,
        })
    }

    async fn parties(&self, tenant: &Tenant, role: PartyRole) -> Result<Vec<Party>, StoreError> {
        let items: Vec<Item> = self
            .client()
            .query()
            .table_name(self.acts_table())
            .key_condition_expression("pk = :pk AND begins_with(sk, :role)")
            .expression_attribute_values(":pk", s(tenant.as_str()))
            .expression_attribute_values(":role", s(format!("{}#", role_prefix(role))))
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

impl Dynamo {
    /// The acts with these sort keys, in this order (at most 100: one page).
    async fn acts_by_sk(&self, tenant: &Tenant, sks: &[String]) -> Result<Vec<Act>, StoreError> {
        if sks.is_empty() {
            return Ok(Vec::new());
        }
        let table = self.acts_table();
        let keys: Vec<Item> = sks
            .iter()
            .map(|sk| {
                HashMap::from([
                    ("pk".into(), s(tenant.as_str())),
                    ("sk".into(), s(sk.clone())),
                ])
            })
            .collect();
        let found = self.batch_get(table, keys, None, false).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_numbers_sort_numerically_then_as_text_then_missing_last() {
        let mut keys = [
            count_key(Some("42800")),
            count_key(None),
            count_key(Some("9")),
            count_key(Some("A-1")),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                count_key(Some("9")),
                count_key(Some("42800")),
                count_key(Some("A-1")),
                count_key(None)
            ]
        );
    }

    #[test]
    fn amount_keys_sort_by_kopecks() {
        let a = amount_key("960".parse().unwrap());
        let b = amount_key("1000.01".parse().unwrap());
        assert!(a < b);
        assert_eq!(a, "00000000000000096000");
    }
}
