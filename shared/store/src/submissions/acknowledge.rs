//! 1C's answers about the submissions it pulled: each takes a submission out of the tenant's
//! `Pending` partition, paced so that the partition never takes more than it can.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};
use domain::submissions::{Acknowledgement, Answer};
use domain::{Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use super::{Acknowledged, pending_sort_key, submission_pk};
use crate::batch::IN_FLIGHT;
use crate::error::request_error;
use crate::items::{pk_item, s};
use crate::{Dynamo, StoreError, Table};

/// At most this many writes a second to the tenant's one `Pending` partition from one request,
/// which takes 1,000 (docs/BENCHMARKS.md): a final answer removes its entry (one write), a
/// postponement moves it (its key changes: a delete and a put, two).
pub const ACKNOWLEDGEMENTS_PER_SECOND: usize = 500;

/// How often an answer refused for a transaction in progress on its submission goes again.
const CONFLICT_RETRIES: u32 = 4;

/// The `Pending` writes an answer makes.
fn index_writes(ack: &Acknowledgement) -> usize {
    match ack.answer {
        Answer::Final(_) => 1,
        Answer::Postponed { .. } => 2,
    }
}

/// The answers cut into shares of at most `share` `Pending` writes, in order.
fn shares(answers: &[Acknowledgement], share: usize) -> Vec<&[Acknowledgement]> {
    let mut cut = Vec::new();
    let (mut start, mut weight) = (0, 0);
    for (i, ack) in answers.iter().enumerate() {
        if weight + index_writes(ack) > share && i > start {
            cut.push(&answers[start..i]);
            (start, weight) = (i, 0);
        }
        weight += index_writes(ack);
    }
    if start < answers.len() {
        cut.push(&answers[start..]);
    }
    cut
}

/// How one answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    Recorded,
    Unknown,
    Conflicting,
}

impl Dynamo {
    /// [`super::SubmissionStore::acknowledge`].
    pub(super) async fn record_answers(
        &self,
        tenant: &Tenant,
        acknowledgements: &[Acknowledgement],
        at: DateTime<Utc>,
    ) -> Result<Acknowledged, StoreError> {
        // A tenth of a second's share of `Pending` writes at a time, each share taking at least
        // a tenth of a second: however fast DynamoDB answers, the partition takes at most the
        // rate.
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
        let chunks = shares(&last, share);
        let count = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let started = tokio::time::Instant::now();
            let answers: Vec<(Guid, Answered)> = stream::iter(chunk.iter().cloned())
                .map(|ack| self.acknowledge_one(tenant, ack, at))
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
            // The last share paces nothing after it.
            if i + 1 < count {
                tokio::time::sleep_until(started + std::time::Duration::from_millis(100)).await;
            }
        }
        Ok(outcome)
    }

    /// Records one answer of 1C: a final one on a pending submission, or again the answer it
    /// has (its reason may change); a postponement on a pending one only. Answers how it went.
    async fn acknowledge_one(
        &self,
        tenant: &Tenant,
        ack: Acknowledgement,
        at: DateTime<Utc>,
    ) -> Result<(Guid, Answered), StoreError> {
        let update = self
            .client()
            .update_item()
            .table_name(self.tables().name(Table::Submissions))
            .set_key(Some(pk_item(submission_pk(tenant, ack.id))))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let update = match ack.answer {
            Answer::Final(status) => {
                let reason = match &ack.reason {
                    Some(reason) => s(reason.as_str()),
                    None => AttributeValue::Null(true),
                };
                // A replaced submission takes 1C's answer too: 1C may have pulled it before
                // the newer one came, and applied it.
                update
                    .condition_expression(
                        "attribute_exists(pk) AND (attribute_exists(pending_pk) \
                         OR #status IN (:status, :replaced))",
                    )
                    .update_expression(
                        "SET #status = :status, reason = :reason, acknowledged_at = :at \
                         REMOVE pending_pk, pending_sk, postponed_until",
                    )
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":status", s(status.as_str()))
                    .expression_attribute_values(":reason", reason)
                    .expression_attribute_values(":replaced", s("replaced"))
                    .expression_attribute_values(":at", s(instant(at)))
            }
            // Still pending, and in the export again once the hours are over: its place in
            // `Pending` moves to then.
            Answer::Postponed { hours } => {
                let until = at + chrono::Duration::hours(i64::from(hours));
                update
                    .condition_expression("attribute_exists(pk) AND attribute_exists(pending_pk)")
                    .update_expression("SET pending_sk = :sk, postponed_until = :until")
                    .expression_attribute_values(":sk", s(pending_sort_key(until, ack.id)))
                    .expression_attribute_values(":until", s(instant(until)))
            }
        };
        // A resident's new submission may be replacing this one in a transaction right now:
        // DynamoDB refuses the update then, and it goes again after a pause.
        let mut result = update.clone().send().await;
        for retry in 1..=CONFLICT_RETRIES {
            let conflict =
                matches!(&result, Err(e) if e.code() == Some("TransactionConflictException"));
            if !conflict {
                break;
            }
            tokio::time::sleep(self.backoff().delay(retry)).await;
            result = update.clone().send().await;
        }
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
}

/// An instant as acknowledgements store it: RFC 3339, UTC, to the microsecond.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::submissions::SubmissionStatus;

    fn ack(postponed: bool) -> Acknowledgement {
        Acknowledgement {
            id: Guid::random(),
            answer: if postponed {
                Answer::Postponed { hours: 1 }
            } else {
                Answer::Final(SubmissionStatus::Applied)
            },
            reason: None,
        }
    }

    #[test]
    fn a_share_holds_at_most_its_index_writes_and_every_answer_once() {
        let answers: Vec<Acknowledgement> = (0..1000).map(|i| ack(i % 3 == 0)).collect();
        let cut = shares(&answers, 50);
        for share in &cut {
            assert!(share.iter().map(index_writes).sum::<usize>() <= 50);
        }
        assert_eq!(cut.iter().map(|s| s.len()).sum::<usize>(), 1000);
        // Postponements weigh two: 1000 of them take 40 shares, 4 seconds at the rate.
        let postponed: Vec<Acknowledgement> = (0..1000).map(|_| ack(true)).collect();
        assert_eq!(shares(&postponed, 50).len(), 40);
        let finals: Vec<Acknowledgement> = (0..1000).map(|_| ack(false)).collect();
        assert_eq!(shares(&finals, 50).len(), 20);
    }
}
