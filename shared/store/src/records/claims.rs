//! A transaction 1C sent without its id and later with it is stored once, however 1C splits
//! the sending of its ids over requests. Without an id, a transaction is keyed by its content
//! (account, date, service, amount) and its occurrence among equal ones of a request; an id
//! sent for the first time claims one such copy, which its pointer then names as stale
//! ([`super::pointers`]). Each new id of a request claims a copy of its content that is still
//! stored, that this request does not write again, and that no pointer it read already names:
//! so two equal payments stored without ids and then sent with their two ids in two requests
//! leave two payments, and a request sent again after a failure claims no copy twice. The
//! copies are claimed from the highest occurrence down: a copy 1C still sends without its id
//! is written again from occurrence 0, and finds its own.
//!
//! The copies are found by one Query per account (from the first content to the last of the
//! request's new ids on it, only their sort keys), only in the months the period calendar marks
//! as holding transactions without an id: the first export with ids costs about one Query per
//! account, and after it 1C's new months cost one calendar Query per request and nothing per id.
//!
//! Two requests that give ids to equal copies at the same moment may claim the same copy;
//! 1C's exchange is sequential, and the next period import removes a copy left over.

use std::collections::{BTreeMap, HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Guid, Tenant};
use futures::{StreamExt, TryStreamExt, stream};

use super::Plan;
use super::pointers::Locations;
use crate::batch::{IN_FLIGHT, query_all};
use crate::items::text_of;
use crate::keys::{Key, Stored, month_of, occurrence};
use crate::{Dynamo, StoreError};

/// The records at these indexes (ids sent for the first time) replace the copies at these keys.
pub(super) type Claims = HashMap<usize, Key>;

impl Dynamo {
    /// The copies that the records at `new` (ids without a pointer, in request order) replace.
    /// `pointers` are those this request read.
    pub(super) async fn claims<R: Stored>(
        &self,
        tenant: &Tenant,
        plan: &Plan<R>,
        new: impl Iterator<Item = usize>,
        pointers: &HashMap<Guid, Locations>,
    ) -> Result<Claims, StoreError> {
        // The new ids by content, each with its month.
        let mut contents: BTreeMap<(String, String), (String, Vec<usize>)> = BTreeMap::new();
        for index in new {
            let record = &plan.records()[index];
            let (Some(prefix), Some(date)) = (record.content_prefix(tenant), record.dated()) else {
                continue;
            };
            let entry = contents.entry((prefix.pk, prefix.sk));
            entry
                .or_insert_with(|| (month_of(date), Vec::new()))
                .1
                .push(index);
        }
        let months = contents.values().map(|(month, _)| month);
        let (Some(first), Some(last)) = (months.clone().min(), months.max()) else {
            return Ok(Claims::new());
        };
        let marked = self.anonymous_months::<R>(tenant, first, last).await?;
        contents.retain(|_, (month, _)| marked.contains(month));
        let taken: HashSet<&Key> = plan
            .keys()
            .keys()
            .chain(pointers.values().flat_map(Locations::keys))
            .collect();
        // The contents by account, in sort-key order: one Query of each account's span.
        let mut accounts: BTreeMap<String, Vec<(String, Vec<usize>)>> = BTreeMap::new();
        for ((pk, prefix), (_, indexes)) in contents {
            accounts.entry(pk).or_default().push((prefix, indexes));
        }
        let claimed: Vec<Vec<(usize, Key)>> = stream::iter(accounts)
            .map(|(pk, contents)| {
                let taken = &taken;
                async move {
                    let sks = self.span::<R>(&pk, &contents).await?;
                    let mut claimed = Vec::new();
                    for (prefix, indexes) in contents {
                        let copies = copies(&pk, &prefix, &sks);
                        let free = copies.into_iter().filter(|k| !taken.contains(k));
                        claimed.extend(indexes.into_iter().zip(free));
                    }
                    Ok::<_, StoreError>(claimed)
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(claimed.into_iter().flatten().collect())
    }

    /// The sort keys stored on account partition `pk` from the first of `contents` to the last,
    /// read consistently.
    async fn span<R: Stored>(
        &self,
        pk: &str,
        contents: &[(String, Vec<usize>)],
    ) -> Result<Vec<String>, StoreError> {
        let (Some((first, _)), Some((last, _))) = (contents.first(), contents.last()) else {
            return Ok(Vec::new());
        };
        // Every key under the last prefix sorts before it with a character above any digit.
        let query = self
            .client()
            .query()
            .table_name(self.tables().name(R::TABLE))
            .key_condition_expression("pk = :pk AND sk BETWEEN :first AND :last")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
            .expression_attribute_values(":first", AttributeValue::S(first.clone()))
            .expression_attribute_values(":last", AttributeValue::S(format!("{last}~")))
            .projection_expression("sk")
            .consistent_read(true);
        Ok(query_all(query)
            .await?
            .iter()
            .filter_map(|item| text_of(item, "sk"))
            .collect())
    }
}

/// The copies stored without an identity under `prefix` among `sks`, the highest occurrence
/// first.
fn copies(pk: &str, prefix: &str, sks: &[String]) -> Vec<Key> {
    let mut copies: Vec<(u32, &String)> = sks
        .iter()
        .filter_map(|sk| Some((occurrence(sk, prefix)?, sk)))
        .collect();
    copies.sort_by(|a, b| b.cmp(a));
    copies
        .into_iter()
        .map(|(_, sk)| Key {
            pk: pk.to_owned(),
            sk: sk.clone(),
        })
        .collect()
}
