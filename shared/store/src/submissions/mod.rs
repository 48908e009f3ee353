//! Residents' submitted readings: stored, judged against their meter, pulled by 1C and
//! acknowledged (`acknowledge.rs`).
//!
//! | item       | table       | pk            | index keys                                          |
//! |------------|-------------|---------------|-----------------------------------------------------|
//! | submission | Submissions | tenant#id     | `ByCounter`: tenant#counter, date#instant#id;       |
//! |            |             |               | `ByAccountCounter` (made for an account):           |
//! |            |             |               | tenant#account#counter, the same sort key;          |
//! |            |             |               | `Pending` (while pending): tenant, from#id, `from`  |
//! |            |             |               | when it came, or when 1C's postponement ends        |
//!
//! A submission is one item, keyed by its id in the office, so that a re-send is found by one
//! GetItem and written once by a condition (with the slot and rate items of `submit.rs`).
//! `ByCounter` lists a meter's submissions newest first, `ByAccountCounter` those made for one
//! account (what a resident's key pages through, never evaluating another's); `Pending`
//! is sparse (the keys go when 1C answers finally), so the export reads only what is pending
//! and due (its key's instant not after the export's), in the order it became due: a reading
//! 1C postponed is out of the export, and out of its way, until then. Each submission writes one item to the tenant's `Pending` partition and
//! its acknowledgement removes it: a 50,000-account office's busiest hour is far below 1,000 a
//! second there (`docs/BENCHMARKS.md`).

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use domain::history::{Cursor, HistoryQuery};
use domain::json::Value;
use domain::settings::Settings;
use domain::submissions::{Acknowledgement, Limited, Submission, USUAL_READINGS};
use domain::{Account, Counter, Guid, KeyHash, Reading, Tenant};

use crate::error::{corrupt, request_error};
use crate::items::{
    Item, MAX_SORT_KEY_BYTES, from_item, from_items, key_item, pk_item, s, text_of,
};
use crate::keys::{Key, directory_key, history_bounds, owner_key};
use crate::reads::{Page, Reader};
use crate::settings::{settings_key, settings_of};
use crate::{Dynamo, StoreError, Table};

mod acknowledge;
mod submit;

pub use acknowledge::ACKNOWLEDGEMENTS_PER_SECOND;

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

/// Whether a submission was stored (and which pending one it replaced), its id already was,
/// the key's hour is full (or its submissions collide too often at once), or it must be judged
/// again: it was judged without a pending one it turned out not to replace.
#[derive(Debug, Clone)]
pub enum Submitted {
    New { replaced: Option<Guid> },
    Existing(Submission),
    Limited(Limited),
    Rejudge,
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

/// Where residents' readings wait for 1C.
pub trait SubmissionStore {
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

    /// Stores a new submission unless one with its id is stored: then that one. It replaces
    /// the pending submission of its meter and account, if any (`newest`, the meter's newest
    /// submissions as last read, spares a write on one 1C has answered). With `replacing`,
    /// the pending one it was judged without, it is stored only if that is the one it
    /// replaces (else [`Submitted::Rejudge`]). With `limited`, the resident's key that sends
    /// it, it is stored only if the key stored fewer than
    /// [`domain::submissions::SUBMISSIONS_PER_HOUR`] in the hour before.
    fn submit(
        &self,
        tenant: &Tenant,
        submission: &Submission,
        limited: Option<&KeyHash>,
        replacing: Option<Guid>,
        newest: &[Submission],
    ) -> impl Future<Output = Result<Submitted, StoreError>> + Send;

    /// The oldest `limit` pending submissions that are not postponed past `now`, and whether
    /// more such are pending.
    fn pending(
        &self,
        tenant: &Tenant,
        limit: u32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(Vec<Submission>, bool), StoreError>> + Send;

    /// Records 1C's answers (an id named twice in the request: its last answer). A submission
    /// takes one final answer: answered again the same way it stays (its reason may change),
    /// answered otherwise it keeps the first, and its id comes back in `conflicting`. Until
    /// then 1C may postpone it, again and again: it stays pending, out of the export until the
    /// hours are over; a postponement of an answered one is `conflicting` too.
    fn acknowledge(
        &self,
        tenant: &Tenant,
        acknowledgements: &[Acknowledgement],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Acknowledged, StoreError>> + Send;

    /// One page of a meter's submissions, newest first; with `account`, only those made for
    /// that account (read from their own index: no other account's item is evaluated).
    fn submissions(
        &self,
        tenant: &Tenant,
        counter: Guid,
        account: Option<Guid>,
        query: &HistoryQuery,
    ) -> impl Future<Output = Result<Page<Submission>, StoreError>> + Send;
}

pub(super) fn submission_pk(tenant: &Tenant, id: Guid) -> String {
    format!("{tenant}#{id}")
}

/// `ByAccountCounter`'s partition: a meter's submissions made for one account.
fn account_counter_pk(tenant: &Tenant, account: Guid, counter: Guid) -> String {
    format!("{tenant}#{account}#{counter}")
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
    pending_sort_key(submission.submitted_at, submission.id)
}

/// `Pending`'s sort key of a submission that the export serves from `at` on: when it came, or
/// when 1C's postponement of it ends. The export reads the keys up to its own instant.
pub(crate) fn pending_sort_key(at: DateTime<Utc>, id: Guid) -> String {
    format!("{}#{id}", at.format(PENDING_INSTANT))
}

/// How `Pending`'s sort key writes an instant: to the microsecond, so that keys sort in time.
const PENDING_INSTANT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

pub(crate) fn submission_item(
    tenant: &Tenant,
    submission: &Submission,
) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(submission).map_err(corrupt)?;
    item.insert("pk".into(), s(submission_pk(tenant, submission.id)));
    item.insert(
        "counter_pk".into(),
        s(owner_key(tenant, submission.counter)),
    );
    item.insert("counter_sk".into(), s(counter_sk(submission)));
    if let Some(account) = submission.account {
        let key = account_counter_pk(tenant, account, submission.counter);
        item.insert("account_counter_pk".into(), s(key));
    }
    if submission.status == domain::submissions::SubmissionStatus::Pending {
        item.insert("pending_pk".into(), s(tenant.as_str()));
        item.insert("pending_sk".into(), s(pending_sk(submission)));
    }
    Ok(item)
}

impl Dynamo {
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
    async fn submission_context(
        &self,
        tenant: &Tenant,
        counter: Guid,
        bound_account: Option<Guid>,
        id: Option<Guid>,
    ) -> Result<SubmissionContext, StoreError> {
        let key = |k: Key| key_item(&k);
        let mut wanted = vec![
            (Table::Counters, key(directory_key(tenant, counter))),
            (Table::Settings, settings_key(tenant)),
        ];
        if let Some(account) = bound_account {
            wanted.push((Table::Accounts, key(directory_key(tenant, account))));
        }
        if let Some(id) = id {
            wanted.push((Table::Submissions, pk_item(submission_pk(tenant, id))));
        }
        let mut found = self.get_across(wanted).await?;
        let mut take = |table: Table| found.remove(&table).and_then(|mut items| items.pop());
        let counter: Option<Counter> = from_item(take(Table::Counters))?;
        let account: Option<Account> = from_item(take(Table::Accounts))?;
        Ok(SubmissionContext {
            counter: counter.filter(|c| !c.deleted),
            account_lives: bound_account.is_none() || account.is_some_and(|a| !a.deleted),
            settings: settings_of(take(Table::Settings).as_ref())?,
            existing: from_item(take(Table::Submissions))?,
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
        limited: Option<&KeyHash>,
        replacing: Option<Guid>,
        newest: &[Submission],
    ) -> Result<Submitted, StoreError> {
        self.store_submission(tenant, submission, limited, replacing, newest)
            .await
    }

    async fn pending(
        &self,
        tenant: &Tenant,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Submission>, bool), StoreError> {
        // Every key of an instant up to `now`: `#` (after the instant) sorts before `~`.
        let until = format!("{}~", now.format(PENDING_INSTANT));
        let out = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Submissions))
            .index_name("Pending")
            .key_condition_expression("pending_pk = :pk AND pending_sk < :until")
            .expression_attribute_values(":pk", s(tenant.as_str()))
            .expression_attribute_values(":until", s(until))
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
        self.record_answers(tenant, acknowledgements, at).await
    }

    async fn submissions(
        &self,
        tenant: &Tenant,
        counter: Guid,
        account: Option<Guid>,
        query: &HistoryQuery,
    ) -> Result<Page<Submission>, StoreError> {
        // A resident's key pages through its own account's index.
        let (index, partition, counter_pk) = match account {
            Some(account) => (
                "ByAccountCounter",
                "account_counter_pk",
                account_counter_pk(tenant, account, counter),
            ),
            None => ("ByCounter", "counter_pk", owner_key(tenant, counter)),
        };
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
                            (partition.to_owned(), s(counter_pk.clone())),
                            ("counter_sk".to_owned(), s(sk)),
                        ]))
                    }
                    _ => return Err(StoreError::BadCursor),
                }
            }
        };
        let page = self
            .client()
            .query()
            .table_name(self.tables().name(Table::Submissions))
            .index_name(index)
            .key_condition_expression(format!(
                "{partition} = :pk AND counter_sk BETWEEN :from AND :to"
            ))
            .expression_attribute_values(":pk", s(counter_pk))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
            .scan_index_forward(false)
            // One more than the page: a page that ends the list says so (no `next`).
            .limit(i32::try_from(query.limit.saturating_add(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        let out = page.send().await.map_err(|e| request_error("Query", e))?;
        let mut items = out.items.unwrap_or_default();
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().and_then(|item| text_of(item, "counter_sk"))
        } else {
            // DynamoDB stopped at its 1 MB first.
            out.last_evaluated_key
                .and_then(|key| text_of(&key, "counter_sk"))
        };
        Ok(Page {
            items: from_items(items)?,
            next: next.map(Cursor::new),
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
            sent_id: Some(Guid::random()),
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
        let back: Option<Submission> = from_item(Some(item)).unwrap();
        assert_eq!(back, Some(submission));
    }
}
