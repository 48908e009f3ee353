//! How an import writes acts. Every act goes into a TransactWriteItems together with its effect
//! on the tenant's counts and on the parties it names, so that an act refused for any reason
//! leaves nothing behind, and the counts and the filters' parties are always those of the acts
//! stored. A transaction takes at most 100 items and 4 MB: acts are chunked by both, and the
//! chunks are written side by side, each on its own slot of the counts and parties.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use domain::{Act, ActNumber, ActStatus, Guid, PartyRole, Problem, Tenant, Text};

use futures::{StreamExt, stream};

use super::documents::{self, LiveDocuments, NUMBER_REUSED};
use super::rows::{ActRow, SLOTS, act_sk, counts_sk, party_sk};
use crate::batch::{GET_BATCH, IN_FLIGHT};
use crate::error::{corrupt, request_error};
use crate::items::{Item, item_size, n, overlong_key, oversized_item, s, text_of};
use crate::{Dynamo, RecordWriter, Stamp, StoreError, Table, Written};

/// TransactWriteItems takes at most 100 items…
const MAX_TRANSACTION_ITEMS: usize = 100;
/// …of at most 4 MB (4,194,304 bytes) together; the counts and party updates take the rest.
const MAX_TRANSACTION_ACT_BYTES: usize = 4_000_000;

/// The acts of a request, checked: each with its item's size. Which version of a number is
/// written is decided against the stored documents ([`documents::choose`]).
pub struct ActsPlan {
    acts: Vec<Act>,
    /// The size of each act's item.
    sizes: Vec<usize>,
}

/// An act of the request, ready to write.
struct Planned<'a> {
    act: &'a Act,
    /// Its index in the request, for a problem to name.
    index: usize,
    /// Its item's size; the item itself is built again when its transaction is, so that a
    /// large import never holds every item at once.
    size: usize,
}

/// What is stored of an act that an import replaces: what the replacement takes away from the
/// counts and the parties (nothing, when it was deleted), and the document it was.
struct Previous {
    status: ActStatus,
    payer: u64,
    recipient: u64,
    deleted: bool,
    document: Option<Guid>,
}

impl Previous {
    /// The document live under the number: none when deleted or stored without one.
    fn live(&self) -> Option<Guid> {
        self.document.filter(|_| !self.deleted)
    }
}

/// Acts are upserted by number: the last version of an act in the request wins. Acts have no
/// period imports, so no stamp.
impl RecordWriter<Act> for Dynamo {
    const TABLE: Table = Table::Acts;

    type Plan = ActsPlan;

    fn plan(&self, tenant: &Tenant, acts: Vec<Act>, _stamp: Stamp) -> Result<ActsPlan, StoreError> {
        let sizes = plan(tenant, &acts)?.iter().map(|p| p.size).collect();
        Ok(ActsPlan { acts, sizes })
    }

    async fn write(&self, tenant: &Tenant, plan: ActsPlan) -> Result<Written, StoreError> {
        let live = self.live_documents(tenant, &plan.acts).await?;
        let chosen = documents::choose(&plan.acts, &live).map_err(StoreError::NumberReused)?;
        let planned: Vec<Planned<'_>> = chosen
            .into_iter()
            .map(|index| Planned {
                act: &plan.acts[index],
                index,
                size: plan.sizes[index],
            })
            .collect();
        // Transactions side by side, each on a free slot of the counts and parties (a random
        // order of them, so that concurrent imports seldom pick the same): no two of this
        // import's transactions update one item. Every chunk runs to its end even when another
        // fails, so that what a failed request leaves is whole transactions.
        let mut slots: Vec<u32> = (0..SLOTS).collect();
        fastrand::shuffle(&mut slots);
        let free = std::sync::Mutex::new(slots);
        let take = || free.lock().map_or(0, |mut free| free.pop().unwrap_or(0));
        let give = |slot| {
            if let Ok(mut free) = free.lock() {
                free.insert(0, slot);
            }
        };
        let (planned, live) = (&planned, &live);
        let results: Vec<Result<u64, StoreError>> = stream::iter(chunks(planned))
            .map(|range| async move {
                let slot = take();
                let written = self.write_chunk(tenant, &planned[range], live, slot).await;
                give(slot);
                written
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        Ok(Written {
            records: planned.len(),
            retries: results.into_iter().sum::<Result<u64, _>>()?,
        })
    }
}

/// Every act's item, each checked against DynamoDB's item limit before anything is written.
fn plan<'a>(tenant: &Tenant, acts: &'a [Act]) -> Result<Vec<Planned<'a>>, StoreError> {
    let mut planned = Vec::with_capacity(acts.len());
    let mut oversized = Vec::new();
    for (index, act) in acts.iter().enumerate() {
        let item: Item = serde_dynamo::to_item(ActRow::new(tenant, act)).map_err(corrupt)?;
        oversized.extend(oversized_item(index, &item));
        oversized.extend(overlong_key(index, &item, Table::Acts, ActRow::field_of));
        let size = item_size(&item);
        planned.push(Planned { act, index, size });
    }
    if !oversized.is_empty() {
        return Err(StoreError::Oversized(oversized));
    }
    Ok(planned)
}

/// Consecutive acts whose transaction stays within the limits: the acts, the counts, and one
/// update per party they name (parties they no longer name are found only when written; a
/// transaction that grows past 100 items then is split in two).
fn chunks(planned: &[Planned<'_>]) -> Vec<std::ops::Range<usize>> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    let mut parties: Vec<(PartyRole, u64)> = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let mut named = parties.clone();
        for party in [
            (PartyRole::Payer, p.act.payer.id),
            (PartyRole::Recipient, p.act.recipient.id),
        ] {
            if !named.contains(&party) {
                named.push(party);
            }
        }
        let items = i + 1 - start + 1 + named.len();
        if i > start
            && (items > MAX_TRANSACTION_ITEMS || bytes + p.size > MAX_TRANSACTION_ACT_BYTES)
        {
            chunks.push(start..i);
            (start, bytes) = (i, 0);
            named = vec![
                (PartyRole::Payer, p.act.payer.id),
                (PartyRole::Recipient, p.act.recipient.id),
            ];
        }
        bytes += p.size;
        parties = named;
    }
    if start < planned.len() {
        chunks.push(start..planned.len());
    }
    chunks
}

/// A chunk being written; it answers how many times a transaction was sent again.
type Pending<'f> = Pin<Box<dyn Future<Output = Result<u64, StoreError>> + Send + 'f>>;

impl Dynamo {
    /// Writes one chunk of acts with its counts and parties in one transaction. Each act is
    /// written on condition that what is stored of it is still what the changes were computed
    /// from, so concurrent imports cannot skew them: a conflict re-reads and retries.
    fn write_chunk<'f>(
        &'f self,
        tenant: &'f Tenant,
        chunk: &'f [Planned<'f>],
        checked: &'f LiveDocuments,
        slot: u32,
    ) -> Pending<'f> {
        Box::pin(async move {
            let backoff = self.backoff();
            let numbers: Vec<ActNumber> = chunk.iter().map(|p| p.act.act_number).collect();
            for attempt in 0..backoff.attempts {
                if attempt > 0 {
                    tokio::time::sleep(backoff.delay(attempt)).await;
                    tracing::warn!(attempt, "acts_transaction_retry");
                }
                let previous = self.previous(tenant, &numbers).await?;
                let stored = Stored {
                    previous: &previous,
                    checked,
                };
                let items = transaction(self.acts_table(), tenant, chunk, &stored, slot)?;
                if items.len() > MAX_TRANSACTION_ITEMS && chunk.len() > 1 {
                    let (first, second) = chunk.split_at(chunk.len() / 2);
                    let first = self.write_chunk(tenant, first, checked, slot).await?;
                    return Ok(first
                        + self.write_chunk(tenant, second, checked, slot).await?
                        + u64::from(attempt));
                }
                match self
                    .client()
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await
                {
                    Ok(_) => return Ok(u64::from(attempt)),
                    Err(e) if e.as_service_error().is_some_and(lost_a_race) => {}
                    Err(e) => return Err(request_error("TransactWriteItems", e)),
                }
            }
            Err(StoreError::Incomplete { left: chunk.len() })
        })
    }

    /// The document live under each number of `acts` that a version names a document for, read
    /// consistently (1/100 BatchGetItem per such number).
    async fn live_documents(
        &self,
        tenant: &Tenant,
        acts: &[Act],
    ) -> Result<LiveDocuments, StoreError> {
        let mut numbers: Vec<ActNumber> = acts
            .iter()
            .filter(|act| act.id.is_some())
            .map(|act| act.act_number)
            .collect();
        numbers.sort();
        numbers.dedup();
        let mut live = LiveDocuments::with_capacity(numbers.len());
        for hundred in numbers.chunks(GET_BATCH) {
            let stored = self.previous(tenant, hundred).await?;
            for number in hundred {
                let document = stored.get(&act_sk(*number)).and_then(Previous::live);
                live.insert(*number, document);
            }
        }
        Ok(live)
    }

    /// What is stored of each of `numbers`, read consistently.
    async fn previous(
        &self,
        tenant: &Tenant,
        numbers: &[ActNumber],
    ) -> Result<HashMap<String, Previous>, StoreError> {
        let keys: Vec<Item> = numbers
            .iter()
            .map(|number| {
                HashMap::from([
                    ("pk".into(), s(tenant.as_str())),
                    ("sk".into(), s(act_sk(*number))),
                ])
            })
            .collect();
        let projection = "sk, act_status, payer_id, recipient_id, deleted, document";
        let found = self
            .batch_get(self.acts_table(), keys, Some(projection), true)
            .await?;
        found.into_iter().map(previous_of).collect()
    }
}

fn previous_of(item: Item) -> Result<(String, Previous), StoreError> {
    let text =
        |name: &str| text_of(&item, name).ok_or_else(|| corrupt(format!("act without {name}")));
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse::<u64>().map_err(corrupt),
        _ => Err(corrupt(format!("act without {name}"))),
    };
    let previous = Previous {
        status: ActStatus::parse_param(&text("act_status")?).map_err(corrupt)?,
        payer: number("payer_id")?,
        recipient: number("recipient_id")?,
        deleted: matches!(item.get("deleted"), Some(AttributeValue::Bool(true))),
        document: text_of(&item, "document")
            .map(|d| d.parse().map_err(corrupt))
            .transpose()?,
    };
    Ok((text("sk")?, previous))
}

/// A party's change in one transaction: how many more (or fewer) acts name it, and its name as
/// the last act of the chunk that names it gives it.
#[derive(Default)]
struct PartyChange<'a> {
    acts: i64,
    name: Option<&'a Text>,
}

/// The transaction of one chunk: each act's put (conditioned on what it replaces), the counts'
/// change, and each named or no longer named party's change.
/// What a chunk's transaction is built from: what is stored of its acts now, and the documents
/// live under their numbers when the request was checked.
struct Stored<'s> {
    previous: &'s HashMap<String, Previous>,
    checked: &'s LiveDocuments,
}

fn transaction(
    table: &str,
    tenant: &Tenant,
    chunk: &[Planned<'_>],
    stored: &Stored<'_>,
    slot: u32,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let column = |status: ActStatus| match status {
        ActStatus::Sended => 1,
        ActStatus::NotSended => 2,
    };
    let mut counts = [0i64; 3]; // total, sended, not_sended
    let mut parties: HashMap<(PartyRole, u64), PartyChange<'_>> = HashMap::new();
    let mut items = Vec::with_capacity(chunk.len() + 3);
    for Planned { act, index, .. } in chunk {
        let item: Item = serde_dynamo::to_item(ActRow::new(tenant, act)).map_err(corrupt)?;
        let put = Put::builder().table_name(table).set_item(Some(item));
        let old = stored.previous.get(&act_sk(act.act_number));
        let live = old.and_then(Previous::live);
        let checked = stored.checked.get(&act.act_number).copied().flatten();
        if documents::taken_since(act, checked, live) {
            if act.deleted {
                continue; // withdraws a document the number no longer holds
            }
            return Err(StoreError::NumberReused(vec![
                Problem::new("act_number", NUMBER_REUSED).at(*index),
            ]));
        }
        if let Some(old) = old.filter(|old| !old.deleted) {
            counts[0] -= 1;
            counts[column(old.status)] -= 1;
            parties
                .entry((PartyRole::Payer, old.payer))
                .or_default()
                .acts -= 1;
            let recipient = (PartyRole::Recipient, old.recipient);
            parties.entry(recipient).or_default().acts -= 1;
        }
        if !act.deleted {
            counts[0] += 1;
            counts[column(act.act_status)] += 1;
            for (role, party) in [
                (PartyRole::Payer, &act.payer),
                (PartyRole::Recipient, &act.recipient),
            ] {
                let change = parties.entry((role, party.id)).or_default();
                change.acts += 1;
                change.name = Some(&party.name);
            }
        }
        let put = unchanged_since(put, old).build().map_err(corrupt)?;
        items.push(TransactWriteItem::builder().put(put).build());
    }
    items.push(counts_update(table, tenant, slot, counts)?);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    for ((role, id), change) in parties {
        items.push(party_update(table, tenant, (role, id, slot), &change, now)?);
    }
    Ok(items)
}

/// The put of an act on condition that what is stored under its number is still `old`, from
/// which the counts' and parties' changes were computed.
fn unchanged_since(put: PutBuilder, old: Option<&Previous>) -> PutBuilder {
    let Some(old) = old else {
        return put.condition_expression("attribute_not_exists(sk)");
    };
    let deleted = if old.deleted {
        "deleted = :yes"
    } else {
        "attribute_not_exists(deleted)"
    };
    let put = match old.document {
        Some(document) => put
            .expression_attribute_values(":document", s(document.to_string()))
            .condition_expression(format!(
                "act_status = :old AND payer_id = :payer AND recipient_id = :recipient \
                 AND {deleted} AND document = :document"
            )),
        None => put.condition_expression(format!(
            "act_status = :old AND payer_id = :payer AND recipient_id = :recipient \
             AND {deleted} AND attribute_not_exists(document)"
        )),
    };
    let put = if old.deleted {
        put.expression_attribute_values(":yes", AttributeValue::Bool(true))
    } else {
        put
    };
    put.expression_attribute_values(":old", s(old.status.as_str()))
        .expression_attribute_values(":payer", n(old.payer))
        .expression_attribute_values(":recipient", n(old.recipient))
}

fn counts_update(
    table: &str,
    tenant: &Tenant,
    slot: u32,
    [total, sended, not_sended]: [i64; 3],
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .key("pk", s(tenant.as_str()))
        .key("sk", s(counts_sk(slot)))
        .update_expression("ADD #t :t, #s :s, #n :n")
        .expression_attribute_names("#t", "total")
        .expression_attribute_names("#s", "sended")
        .expression_attribute_names("#n", "not_sended")
        .expression_attribute_values(":t", n(total))
        .expression_attribute_values(":s", n(sended))
        .expression_attribute_values(":n", n(not_sended))
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// `acts` counts the acts of this slot that name the party; the filters list parties whose
/// slots add up to more than none, under the name written last (`named_at`, in ms).
fn party_update(
    table: &str,
    tenant: &Tenant,
    (role, id, slot): (PartyRole, u64, u32),
    change: &PartyChange<'_>,
    now: u128,
) -> Result<TransactWriteItem, StoreError> {
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", s(tenant.as_str()))
        .key("sk", s(party_sk(role, id, slot)))
        .expression_attribute_values(":acts", n(change.acts))
        .expression_attribute_names("#id", "id")
        .expression_attribute_values(":id", n(id));
    update = match change.name {
        Some(name) => update
            .update_expression("SET #name = :name, #id = :id, named_at = :at ADD acts :acts")
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(name.as_str()))
            .expression_attribute_values(":at", n(now)),
        None => update.update_expression("SET #id = :id ADD acts :acts"),
    };
    Ok(TransactWriteItem::builder()
        .update(update.build().map_err(corrupt)?)
        .build())
}

/// A transaction cancelled only because another writer got there first (a changed act, a
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
