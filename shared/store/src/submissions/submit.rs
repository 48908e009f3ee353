//! Storing a new submission, with the two rules that keep one resident from flooding 1C:
//! the newest pending submission of a meter and account replaces the one before it, and a
//! resident's key stores at most [`SUBMISSIONS_PER_HOUR`] an hour. One BatchGetItem reads the
//! meter's slot and the key's recent submissions, one TransactWriteItems stores all or
//! nothing.
//!
//! | item  | pk                               | holds                                       |
//! |-------|----------------------------------|---------------------------------------------|
//! | slot  | tenant#pending#counter#account   | `submission`: the id last stored for them   |
//! | rate  | tenant#rate#key id               | `at`: the key's stored submissions' instants |
//!
//! Neither has index keys. A rate item expires (`expires_at`, TTL) an hour after its last use.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use domain::submissions::{Limited, Recent, SUBMISSIONS_PER_HOUR, Submission};
use domain::{Guid, KeyHash, Tenant};

use super::{Submitted, submission_item, submission_pk};
use crate::error::{corrupt, request_error};
use crate::items::{Item, from_item, n, pk_item, s, text_of};
use crate::{Dynamo, StoreError, Table};

/// How often a write whose slot or rate item moved under it is tried, with a growing pause
/// (the store's backoff): a resident's app sending four meters at once collides on the key's
/// count. Past the last, the key is told to come back in a second.
const ATTEMPTS: u32 = 6;

fn slot_pk(tenant: &Tenant, counter: Guid, account: Option<Guid>) -> String {
    let account = account.map_or_else(|| "-".to_owned(), |a| a.to_string());
    format!("{tenant}#pending#{counter}#{account}")
}

fn rate_pk(tenant: &Tenant, key: &KeyHash) -> String {
    format!("{tenant}#rate#{}", key.as_str())
}

/// Where a submission goes and what it was judged against.
#[derive(Clone, Copy)]
struct Place<'a> {
    tenant: &'a Tenant,
    submission: &'a Submission,
    slot: &'a str,
    rate: Option<&'a str>,
    replacing: Option<Guid>,
    newest: &'a [Submission],
}

/// What the slot and the rate item held when read: the condition of the write.
#[derive(Debug, Default)]
struct Seen {
    /// The submission the slot names (pending or not, it is checked by the write).
    slot: Option<Guid>,
    /// The rate item's instants and its version (0: no item).
    recent: Recent,
    version: u64,
}

/// What one attempt found.
enum Attempt {
    Done(Submitted),
    Again,
    /// The slot's submission was answered by 1C meanwhile: it is left alone from now on.
    Answered(Guid),
}

impl Dynamo {
    /// [`super::SubmissionStore::submit`].
    pub(super) async fn store_submission(
        &self,
        tenant: &Tenant,
        submission: &Submission,
        limited: Option<&KeyHash>,
        replacing: Option<Guid>,
        newest: &[Submission],
    ) -> Result<Submitted, StoreError> {
        let slot = slot_pk(tenant, submission.counter, submission.account);
        let rate = limited.map(|key| rate_pk(tenant, key));
        let place = Place {
            tenant,
            submission,
            slot: &slot,
            rate: rate.as_deref(),
            replacing,
            newest,
        };
        let mut answered = None;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(self.backoff().delay(attempt)).await;
            }
            match self.attempt(&place, answered).await? {
                Attempt::Done(submitted) => return Ok(submitted),
                Attempt::Answered(id) => answered = Some(id),
                Attempt::Again => {}
            }
        }
        Ok(Submitted::Limited(Limited {
            retry_after: std::time::Duration::from_secs(1),
        }))
    }

    /// One read of the slot and the count, and one transaction.
    async fn attempt(
        &self,
        place: &Place<'_>,
        answered_meanwhile: Option<Guid>,
    ) -> Result<Attempt, StoreError> {
        let Place {
            tenant,
            submission,
            slot,
            rate,
            replacing,
            newest,
        } = *place;
        let seen = self.seen(slot, rate).await?;
        let recent = match rate {
            Some(_) => match seen.recent.admit(submission.submitted_at) {
                Ok(recent) => Some(recent),
                Err(limited) => return Ok(Attempt::Done(Submitted::Limited(limited))),
            },
            None => None,
        };
        // The slot's submission, unless it is this one or 1C has answered it (as the meter's
        // newest showed: most slots name one 1C answered).
        let answered = |id: Guid| {
            answered_meanwhile == Some(id) || newest.iter().any(|s| s.id == id && !s.is_pending())
        };
        let replaced = seen
            .slot
            .filter(|id| *id != submission.id && !answered(*id));
        // The new one was judged without `replacing`: stored only if that is what it replaces.
        if replacing.is_some() && replaced != replacing {
            return Ok(Attempt::Done(Submitted::Rejudge));
        }
        let mut items = vec![self.put_new(tenant, submission)?];
        items.push(self.claim_slot(slot, submission.id, seen.slot)?);
        if let Some(old) = replaced {
            items.push(self.replace(tenant, old)?);
        }
        if let (Some(pk), Some(recent)) = (rate, &recent) {
            items.push(self.count(pk, recent, seen.version, submission)?);
        }
        let result = self
            .client()
            .transact_write_items()
            .set_transact_items(Some(items))
            .client_request_token(Guid::random().to_string())
            .send()
            .await;
        let Err(e) = result else {
            return Ok(Attempt::Done(Submitted::New { replaced }));
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            e.as_service_error()
        else {
            return match e.code() {
                // Another transaction on one of the items: the same as a moved slot.
                Some("TransactionConflictException") => Ok(Attempt::Again),
                _ => Err(request_error("TransactWriteItems", e)),
            };
        };
        let reasons = cancelled.cancellation_reasons();
        let failed =
            |i: usize| reasons.get(i).and_then(|r| r.code()) == Some("ConditionalCheckFailed");
        if failed(0) {
            // The same id, stored a moment ago by a request sent twice.
            let stored = reasons[0].item().cloned();
            return from_item(stored)?
                .map(|s| Attempt::Done(Submitted::Existing(s)))
                .ok_or_else(|| corrupt("a failed condition without the stored item"));
        }
        if let Some(old) = replaced.filter(|_| failed(2)) {
            // 1C answered the one it replaces: judged without it, the new one is judged again.
            return Ok(match replacing {
                Some(_) => Attempt::Done(Submitted::Rejudge),
                None => Attempt::Answered(old),
            });
        }
        // Another submission moved the slot or the count, or a transaction held an item.
        Ok(Attempt::Again)
    }

    /// The slot and the rate item, read together and consistently.
    async fn seen(&self, slot: &str, rate: Option<&str>) -> Result<Seen, StoreError> {
        let mut wanted = vec![(Table::Submissions, pk_item(slot.to_owned()))];
        if let Some(rate) = rate {
            wanted.push((Table::Submissions, pk_item(rate.to_owned())));
        }
        let found = self.get_across(wanted).await?;
        let mut seen = Seen::default();
        for item in found.into_values().flatten() {
            if text_of(&item, "pk").as_deref() == Some(slot) {
                seen.slot = text_of(&item, "submission").and_then(|id| id.parse().ok());
            } else {
                seen.version = match item.get("version") {
                    Some(AttributeValue::N(v)) => v.parse().map_err(|_| corrupt("version"))?,
                    _ => return Err(corrupt("a rate item without its version")),
                };
                seen.recent = from_item(Some(item))?.unwrap_or_default();
            }
        }
        Ok(seen)
    }

    fn put_new(
        &self,
        tenant: &Tenant,
        submission: &Submission,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(self.tables().name(Table::Submissions))
            .set_item(Some(submission_item(tenant, submission)?))
            .condition_expression("attribute_not_exists(pk)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build();
        Ok(TransactWriteItem::builder().put(built(put)?).build())
    }

    /// The slot names the new submission, if it still names what was read.
    fn claim_slot(
        &self,
        slot: &str,
        id: Guid,
        seen: Option<Guid>,
    ) -> Result<TransactWriteItem, StoreError> {
        let item: Item = [
            ("pk".to_owned(), s(slot)),
            ("submission".to_owned(), s(id.to_string())),
        ]
        .into();
        let put = Put::builder()
            .table_name(self.tables().name(Table::Submissions))
            .set_item(Some(item));
        let put = match seen {
            Some(seen) => put
                .condition_expression("submission = :seen")
                .expression_attribute_values(":seen", s(seen.to_string())),
            None => put.condition_expression("attribute_not_exists(pk)"),
        };
        Ok(TransactWriteItem::builder()
            .put(built(put.build())?)
            .build())
    }

    /// The pending submission the new one replaces leaves the export; one 1C answered
    /// meanwhile fails the condition and stays as answered.
    fn replace(&self, tenant: &Tenant, old: Guid) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(self.tables().name(Table::Submissions))
            .set_key(Some(pk_item(submission_pk(tenant, old))))
            .condition_expression("attribute_exists(pending_pk)")
            .update_expression(
                "SET #status = :replaced REMOVE pending_pk, pending_sk, postponed_until",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":replaced", s("replaced"))
            .build();
        Ok(TransactWriteItem::builder().update(built(update)?).build())
    }

    /// The key's rate item with the new submission's instant, if no other write moved it.
    fn count(
        &self,
        pk: &str,
        recent: &Recent,
        version: u64,
        submission: &Submission,
    ) -> Result<TransactWriteItem, StoreError> {
        debug_assert!(recent.at.len() <= SUBMISSIONS_PER_HOUR);
        let mut item: Item = serde_dynamo::to_item(recent).map_err(corrupt)?;
        item.insert("pk".into(), s(pk));
        item.insert("version".into(), n(version + 1));
        let expires = submission.submitted_at.timestamp() + 3600;
        item.insert("expires_at".into(), n(expires));
        let put = Put::builder()
            .table_name(self.tables().name(Table::Submissions))
            .set_item(Some(item));
        let put = match version {
            0 => put.condition_expression("attribute_not_exists(pk)"),
            v => put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(v)),
        };
        Ok(TransactWriteItem::builder()
            .put(built(put.build())?)
            .build())
    }
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Config(e.to_string()))
}
