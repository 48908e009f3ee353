//! Residents' submitted readings and the office's settings.
//!
//! | item       | table       | pk            | index keys                                          |
//! |------------|-------------|---------------|-----------------------------------------------------|
//! | settings   | Settings    | tenant        |                                                     |
//! | submission | Submissions | tenant#id     | `ByCounter`: tenant#counter, date#instant#id;       |
//! |            |             |               | `Pending` (while pending): tenant, submitted_at#id  |
//!
//! A submission is one item, keyed by its id, so that a re-send is found by one GetItem and
//! written once by a condition. `ByCounter` lists a meter's submissions newest first; `Pending`
//! is sparse (the keys go when 1C acknowledges), so the export reads only what is pending, in
//! the order it came. Each submission writes one item to the tenant's `Pending` partition and
//! its acknowledgement removes it: a 50,000-account office's busiest hour is far below 1,000 a
//! second there (`docs/BENCHMARKS.md`).

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};
use domain::history::{Cursor, HistoryQuery};
use domain::json::Value;
use domain::submissions::{Acknowledgement, Settings, Submission, USUAL_READINGS, Window};
use domain::{Account, Counter, Guid, Reading, Tenant};
use futures::{StreamExt, TryStreamExt, stream};
use serde::de::DeserializeOwned;

use crate::batch::IN_FLIGHT;
use crate::error::{corrupt, request_error};
use crate::items::{Item, MAX_SORT_KEY_BYTES, from_items, s, text_of};
use crate::keys::{Key, directory_key, history_bounds, owner_key};
use crate::reads::{Page, Reader};
use crate::{Dynamo, StoreError, Table};

/// At most this many acknowledgements a second from one request: each removes an entry of the
/// tenant's one `Pending` partition, which takes 1,000 writes a second (docs/BENCHMARKS.md).
pub const ACKNOWLEDGEMENTS_PER_SECOND: usize = 500;

/// How many of a meter's newest submissions a new one is judged against: the latest that is
/// not rejected is among them unless 1C rejected more in a row.
pub const RECENT_SUBMISSIONS: i32 = 20;

/// What a submission is judged by, read in one BatchGetItem.
#[derive(Debug, Clone)]
pub struct SubmissionContext {
    /// The meter, unless it is unknown or deleted.
    pub counter: Option<Counter>,
    /// For a key bound to an account: whether that account is still there.
    pub account_lives: bool,
    pub settings: Settings,
    /// The submission stored under the id the app sent, if any.
    pub existing: Option<Submission>,
}

/// Whether a submission was stored, or its id already was.
#[derive(Debug, Clone)]
pub enum Submitted {
    New,
    Existing(Submission),
}

/// What an acknowledgement recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// Submissions whose answer was recorded (each once, however often the request named it).
    pub recorded: usize,
    /// Ids no submission of the tenant has.
    pub unknown: Vec<Guid>,
    /// Submissions 1C answered before otherwise: the first answer stands.
    pub conflicting: Vec<Guid>,
}

/// How one answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    Recorded,
    Unknown,
    Conflicting,
}

/// Where residents' readings wait for 1C.
pub trait SubmissionStore {
    fn settings(
        &self,
        tenant: &Tenant,
    ) -> impl Future<Output = Result<Settings, StoreError>> + Send;

    fn put_settings(
        &self,
        tenant: &Tenant,
        settings: &Settings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The meter, the bound account's life, the settings and a stored submission of `id`.
    fn submission_context(
        &self,
        tenant: &Tenant,
        counter: Guid,
        bound_account: Option<Guid>,
        id: Option<Guid>,
    ) -> impl Future<Output = Result<SubmissionContext, StoreError>> + Send;

    /// The meter's newest imported readings and newest submissions, each newest first: two
    /// Queries, sent together.
    fn meter_history(
        &self,
        tenant: &Tenant,
        counter: Guid,
    ) -> impl Future<Output = Result<(Vec<Reading>, Vec<Submission>), StoreError>> + Send;

    /// Stores a new submission unless one with its id is stored: then that one.
    fn submit(
        &self,
        tenant: &Tenant,
        submission: &Submission,
    ) -> impl Future<Output = Result<Submitted, StoreError>> + Send;

    /// The oldest `limit` pending submissions, and whether more are pending.
    fn pending(
        &self,
        tenant: &Tenant,
        limit: u32,
    ) -> impl Future<Output = Result<(Vec<Submission>, bool), StoreError>> + Send;

    /// Records 1C's answers (an id named twice in the request: its last answer). A submission
    /// takes one answer: answered again the same way it stays (its reason may change), answered
    /// otherwise it keeps the first, and its id comes back in `conflicting`.
    fn acknowledge(
        &self,
        tenant: &Tenant,
        acknowledgements: &[Acknowledgement],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Acknowledged, StoreError>> + Send;

    /// One page of a meter's submissions, newest first; with `account`, only those made for
    /// that account (the page may then hold fewer than its limit, and `next` goes on).
    fn submissions(
        &self,
        tenant: &Tenant,
        counter: Guid,
        account: Option<Guid>,
        query: &HistoryQuery,
    ) -> impl Future<Output = Result<Page<Submission>, StoreError>> + Send;
}

fn submission_pk(tenant: &Tenant, id: Guid) -> String {
    format!("{tenant}#{id}")
}

/// `ByCounter`'s sort key: the office's date (what `from` and `to` select), then the instant
/// it came, so that two in one second keep their order, then the id. (In the hour a clock
/// change repeats, or after the office changes its time zone, the list follows the office's
/// dates; the rules read the newest by the instant, `meter_history`.)
fn counter_sk(submission: &Submission) -> String {
    format!("{}#{}", submission.date, pending_sk(submission))
}

/// `Pending`'s sort key: the instant it came, to the microsecond, then the id.
fn pending_sk(submission: &Submission) -> String {
    format!(
        "{}#{}",
        submission.submitted_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        submission.id
    )
}

fn submission_item(tenant: &Tenant, submission: &Submission) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(submission).map_err(corrupt)?;
    item.insert("pk".into(), s(submission_pk(tenant, submission.id)));
    item.insert(
        "counter_pk".into(),
        s(owner_key(tenant, submission.counter)),
    );
    item.insert("counter_sk".into(), s(counter_sk(submission)));
    if submission.status == domain::submissions::SubmissionStatus::Pending {
        item.insert("pending_pk".into(), s(tenant.as_str()));
        item.insert("pending_sk".into(), s(pending_sk(submission)));
    }
    Ok(item)
}

fn single_key(pk: String) -> Item {
    HashMap::from([("pk".to_owned(), s(pk))])
}

fn settings_item(tenant: &Tenant, settings: &Settings) -> Item {
    let mut item = single_key(tenant.as_str().to_owned());
    item.insert("time_zone".into(), s(settings.time_zone.name()));
    if let Some(window) = settings.readings_window {
        item.insert(
            "from_day".into(),
            AttributeValue::N(window.from_day.to_string()),
        );
        item.insert(
            "to_day".into(),
            AttributeValue::N(window.to_day.to_string()),
        );
    }
    item
}

fn settings_of(item: Option<&Item>) -> Result<Settings, StoreError> {
    let Some(item) = item else {
        return Ok(Settings::default());
    };
    let time_zone = text_of(item, "time_zone")
        .and_then(|name| name.parse().ok())
        .ok_or_else(|| corrupt("settings without a time zone"))?;
    let day = |name: &str| match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse::<u8>().ok(),
        _ => None,
    };
    let readings_window = match (day("from_day"), day("to_day")) {
        (Some(from), Some(to)) => Some(Window::new(from, to).ok_or_else(|| corrupt("window"))?),
        _ => None,
    };
    Ok(Settings {
        time_zone,
        readings_window,
    })
}

fn one<R: DeserializeOwned>(item: Option<Item>) -> Result<Option<R>, StoreError> {
    Ok(from_items(item.into_iter().collect())?.pop())
}

impl Dynamo {
    /// Items of several tables in one BatchGetItem, read consistently, by table.
    async fn get_across(
        &self,
        wanted: Vec<(Table, Item)>,
    ) -> Result<HashMap<Table, Vec<Item>>, StoreError> {
        let mut by_table: HashMap<Table, Vec<Item>> = HashMap::new();
        for (table, item) in self.batch_get_across(wanted, None, true).await? {
            by_table.entry(table).or_default().push(item);
        }
        Ok(by_table)
    }

    /// Records one answer of 1C: on a pending submission, or again the answer it has (its
    /// reason may change). Answers how it went.
    async fn acknowledge_one(
        &self,
        tenant: &Tenant,
        ack: Acknowledgement,
        at: &str,
    ) -> Result<(Guid, Answered), StoreError> {
        let reason = match &ack.reason {
            Some(reason) => s(reason.as_str()),
            None => AttributeValue::Null(true),
        };
        let result = self
            .client()
            .update_item()
            .table_name(self.tables().name(Table::Submissions))
            .set_key(Some(single_key(submission_pk(tenant, ack.id))))
            .condition_expression(
                "attribute_exists(pk) AND (attribute_exists(pending_pk) OR #status = :status)",
            )
            .update_expression(
                "SET #status = :status, reason = :reason, acknowledged_at = :at \
                 REMOVE pending_pk, pending_sk",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(ack.status.as_str()))
            .expression_attribute_values(":reason", reason)
            .expression_attribute_values(":at", s(at))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let answered = match result {
            Ok(_) => Answered::Recorded,
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    match failed.item() {
                        Some(_) => Answered::Conflicting,
                        None => Answered::Unknown,
                    }
                }
                _ => return Err(request_error("UpdateItem", e)),
            },
        };
        Ok((ack.id, answered))
    }

    async fn newest_submissions(
        &self,
        tenant: &Tenant,
        counter: Guid,
    ) -> Result<Vec<Submission>, StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Submissions))
            .index_name("ByCounter")
            .key_condition_expression("counter_pk = :pk")
            .expression_attribute_values(":pk", s(owner_key(tenant, counter)))
            .scan_index_forward(false)
            .limit(RECENT_SUBMISSIONS)
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        let mut newest: Vec<Submission> = from_items(out.items.unwrap_or_default())?;
        // Newest by the instant they came, whatever the office's clock said.
        newest.sort_by_key(|s| std::cmp::Reverse(s.submitted_at));
        Ok(newest)
    }
}

impl SubmissionStore for Dynamo {
    async fn settings(&self, tenant: &Tenant) -> Result<Settings, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.tables().name(Table::Settings))
            .set_key(Some(single_key(tenant.as_str().to_owned())))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        settings_of(out.item.as_ref())
    }

    async fn put_settings(&self, tenant: &Tenant, settings: &Settings) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.tables().name(Table::Settings))
            .set_item(Some(settings_item(tenant, settings)))
            .send()
            .await
            .map_err(|e| request_error("PutItem", e))?;
        Ok(())
    }

    async fn submission_context(
        &self,
        tenant: &Tenant,
        counter: Guid,
        bound_account: Option<Guid>,
        id: Option<Guid>,
    ) -> Result<SubmissionContext, StoreError> {
        let key = |k: Key| HashMap::from([("pk".to_owned(), s(k.pk)), ("sk".to_owned(), s(k.sk))]);
        let mut wanted = vec![
            (Table::Counters, key(directory_key(tenant, counter))),
            (Table::Settings, single_key(tenant.as_str().to_owned())),
        ];
        if let Some(account) = bound_account {
            wanted.push((Table::Accounts, key(directory_key(tenant, account))));
        }
        if let Some(id) = id {
            wanted.push((Table::Submissions, single_key(submission_pk(tenant, id))));
        }
        let mut found = self.get_across(wanted).await?;
        let mut take = |table: Table| found.remove(&table).and_then(|mut items| items.pop());
        let counter: Option<Counter> = one(take(Table::Counters))?;
        let account: Option<Account> = one(take(Table::Accounts))?;
        Ok(SubmissionContext {
            counter: counter.filter(|c| !c.deleted),
            account_lives: bound_account.is_none() || account.is_some_and(|a| !a.deleted),
            settings: settings_of(take(Table::Settings).as_ref())?,
            existing: one(take(Table::Submissions))?,
        })
    }

    async fn meter_history(
        &self,
        tenant: &Tenant,
        counter: Guid,
    ) -> Result<(Vec<Reading>, Vec<Submission>), StoreError> {
        // The read API's own history page: the newest readings, one Query.
        let newest = HistoryQuery {
            range: Default::default(),
            limit: USUAL_READINGS as u32,
            after: None,
        };
        let (readings, submissions) = futures::try_join!(
            self.history::<Reading>(tenant, counter, &newest),
            self.newest_submissions(tenant, counter)
        )?;
        Ok((readings.items, submissions))
    }

    async fn submit(
        &self,
        tenant: &Tenant,
        submission: &Submission,
    ) -> Result<Submitted, StoreError> {
        let item = submission_item(tenant, submission)?;
        let result = self
            .client()
            .put_item()
            .table_name(self.tables().name(Table::Submissions))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Submitted::New),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let stored = one(failed.item().cloned())?;
                    stored
                        .map(Submitted::Existing)
                        .ok_or_else(|| corrupt("a failed condition without the stored item"))
                }
                _ => Err(request_error("PutItem", e)),
            },
        }
    }

    async fn pending(
        &self,
        tenant: &Tenant,
        limit: u32,
    ) -> Result<(Vec<Submission>, bool), StoreError> {
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Submissions))
            .index_name("Pending")
            .key_condition_expression("pending_pk = :pk")
            .expression_attribute_values(":pk", s(tenant.as_str()))
            .limit(i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| request_error("Query", e))?;
        let mut items: Vec<Submission> = from_items(out.items.unwrap_or_default())?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        // More follow when the Query found one past the page, or stopped at its 1 MB first.
        let more = items.len() > limit || out.last_evaluated_key.is_some();
        items.truncate(limit);
        Ok((items, more))
    }

    async fn acknowledge(
        &self,
        tenant: &Tenant,
        acknowledgements: &[Acknowledgement],
        at: DateTime<Utc>,
    ) -> Result<Acknowledged, StoreError> {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        // A tenth of a second's share at a time, each share taking at least a tenth of a
        // second: however fast DynamoDB answers, the partition takes at most the rate.
        let share = ACKNOWLEDGEMENTS_PER_SECOND / 10;
        // An id answered twice in one request: its last answer, once.
        let mut last: Vec<Acknowledgement> = Vec::with_capacity(acknowledgements.len());
        for ack in acknowledgements.iter().rev() {
            if !last.iter().any(|kept| kept.id == ack.id) {
                last.push(ack.clone());
            }
        }
        last.reverse();
        let mut outcome = Acknowledged {
            recorded: 0,
            unknown: Vec::new(),
            conflicting: Vec::new(),
        };
        for chunk in last.chunks(share) {
            let started = tokio::time::Instant::now();
            let answers: Vec<(Guid, Answered)> = stream::iter(chunk.iter().cloned())
                .map(|ack| self.acknowledge_one(tenant, ack, &at))
                .buffered(IN_FLIGHT)
                .try_collect()
                .await?;
            for (id, answered) in answers {
                match answered {
                    Answered::Recorded => outcome.recorded += 1,
                    Answered::Unknown => outcome.unknown.push(id),
                    Answered::Conflicting => outcome.conflicting.push(id),
                }
            }
            if chunk.len() == share {
                tokio::time::sleep_until(started + std::time::Duration::from_millis(100)).await;
            }
        }
        Ok(outcome)
    }

    async fn submissions(
        &self,
        tenant: &Tenant,
        counter: Guid,
        account: Option<Guid>,
        query: &HistoryQuery,
    ) -> Result<Page<Submission>, StoreError> {
        let counter_pk = owner_key(tenant, counter);
        let (from, to) = history_bounds(&query.range);
        // The cursor is `ByCounter`'s sort key, `date#instant#id`: the item's own key follows
        // from it.
        let start = match &query.after {
            None => None,
            Some(cursor) => {
                let sk = cursor.as_str();
                let id = sk
                    .rsplit_once('#')
                    .and_then(|(_, id)| Guid::parse(&Value::String(id.into())).ok().flatten());
                match id {
                    Some(id)
                        if sk.len() <= MAX_SORT_KEY_BYTES
                            && (from.as_str()..=to.as_str()).contains(&sk) =>
                    {
                        Some(HashMap::from([
                            ("pk".to_owned(), s(submission_pk(tenant, id))),
                            ("counter_pk".to_owned(), s(counter_pk.clone())),
                            ("counter_sk".to_owned(), s(sk)),
                        ]))
                    }
                    _ => return Err(StoreError::BadCursor),
                }
            }
        };
        let mut page = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Submissions))
            .index_name("ByCounter")
            .key_condition_expression("counter_pk = :pk AND counter_sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(counter_pk))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
            .scan_index_forward(false)
            .limit(i32::try_from(query.limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        if let Some(account) = account {
            page = page
                .filter_expression("account = :account")
                .expression_attribute_values(":account", s(account.to_string()));
        }
        let out = page.send().await.map_err(|e| request_error("Query", e))?;
        let next = out
            .last_evaluated_key
            .and_then(|key| text_of(&key, "counter_sk"))
            .map(Cursor::new);
        Ok(Page {
            items: from_items(out.items.unwrap_or_default())?,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::submissions::{Figures, SubmissionStatus};

    #[test]
    fn a_stored_submission_reads_back_as_it_was() {
        let tenant = Tenant::parse("t").unwrap();
        let submission = Submission {
            id: Guid::random(),
            counter: Guid::random(),
            account: None,
            date: serde_json::from_str("\"2026-11-25T23:30:00\"").unwrap(),
            figures: Figures {
                current_data1: rust_decimal::Decimal::new(1505, 1),
                current_data2: None,
                current_data3: None,
            },
            source: serde_json::from_str("\"app\"").unwrap(),
            submitted_at: Utc::now(),
            suspicious: true,
            status: SubmissionStatus::Pending,
            reason: None,
        };
        let item = submission_item(&tenant, &submission).unwrap();
        let back: Option<Submission> = one(Some(item)).unwrap();
        assert_eq!(back, Some(submission));
    }
}
