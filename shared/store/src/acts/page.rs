//! How a page of the act list is read: walk the index of the page's sort to its offset, keep
//! the sort keys of the page's own acts, then read just those acts.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::acts::{ActFilter, ActSort, Direction};
use domain::{ActNumber, ActQuery, Tenant};

use super::ActPage;
use super::rows::NO_COUNT_KEY;
use crate::error::{corrupt, request_error};
use crate::items::{Item, n, s, text_of};
use crate::{ActReader, Dynamo, StoreError};

/// The index that orders the list as asked, and its range-key attribute.
fn index_for(sort: ActSort) -> &'static str {
    match sort {
        ActSort::CreatedAt => "ByCreated",
        ActSort::ActNumber => "ByNumber",
        ActSort::CountNumber => "ByCount",
        ActSort::Amount => "ByAmount",
    }
}

/// A walk's Query conditions: the key conditions of its segments, read one after another (acts
/// without a count number are a segment of their own, last in both directions), and a filter
/// over the attributes the indexes project.
struct Conditions {
    segments: Vec<String>,
    filter: Vec<&'static str>,
    values: HashMap<String, AttributeValue>,
}

impl Conditions {
    fn new(tenant: &Tenant, filter: &ActFilter, sort: ActSort, direction: Direction) -> Self {
        let mut c = Self {
            segments: vec!["pk = :pk".into()],
            filter: Vec::new(),
            values: HashMap::from([(":pk".into(), s(tenant.as_str()))]),
        };
        if sort == ActSort::CountNumber && direction == Direction::Desc {
            c.segments = vec![
                "pk = :pk AND by_count < :nocount".into(),
                "pk = :pk AND by_count >= :nocount".into(),
            ];
            c.values.insert(":nocount".into(), s(NO_COUNT_KEY));
        }
        c.created_range(filter, sort);
        c.other_filters(filter);
        c
    }

    fn created_range(&mut self, filter: &ActFilter, sort: ActSort) {
        let range = filter.created_from.is_some() || filter.created_to.is_some();
        if range && sort == ActSort::CreatedAt {
            // `by_created` is `YYYY-MM-DD#<number>`; `~` sorts after every digit. Open-ended is
            // after year 9999's last day, so that a `from` in the far future still comes first.
            let from = filter
                .created_from
                .map_or_else(|| "0".into(), |d| d.to_string());
            let to = filter
                .created_to
                .map_or_else(|| "9999-12-31#~".into(), |d| format!("{d}#~"));
            self.segments = vec!["pk = :pk AND by_created BETWEEN :from AND :to".into()];
            self.values.insert(":from".into(), s(from));
            self.values.insert(":to".into(), s(to));
            return;
        }
        if let Some(from) = filter.created_from {
            self.filter.push("created_at >= :from");
            self.values.insert(":from".into(), s(from.to_string()));
        }
        if let Some(to) = filter.created_to {
            self.filter.push("created_at <= :to");
            self.values.insert(":to".into(), s(to.to_string()));
        }
    }

    fn other_filters(&mut self, filter: &ActFilter) {
        if let Some(count_number) = &filter.count_number {
            self.filter.push("count_number = :count");
            self.values.insert(":count".into(), s(count_number.clone()));
        }
        if let Some(id) = filter.payer_id {
            self.filter.push("payer_id = :payer");
            self.values.insert(":payer".into(), n(id));
        }
        if let Some(id) = filter.recipient_id {
            self.filter.push("recipient_id = :recipient");
            self.values.insert(":recipient".into(), n(id));
        }
        if let Some(status) = filter.status {
            self.filter.push("act_status = :status");
            self.values.insert(":status".into(), s(status.as_str()));
        }
    }
}

/// What a walk found: the sort keys of the page's acts, the matching entries passed (the total
/// when the walk went to the end), and the entries DynamoDB evaluated.
#[derive(Default)]
struct Walked {
    page_keys: Vec<String>,
    matched: usize,
    scanned: usize,
}

impl Dynamo {
    pub(super) async fn walk_to_page(
        &self,
        tenant: &Tenant,
        query: &ActQuery,
    ) -> Result<ActPage, StoreError> {
        // An act number names at most one act.
        if let Some(number) = query.filter.act_number {
            return self.page_of_one(tenant, query, number).await;
        }
        // With no filter but the status, the counts kept on import are the total, and the walk
        // stops at the page's last entry. Any other filter is counted over the whole index.
        let known_total = if query.filter.is_status_only() {
            Some(self.act_counts(tenant).await?.of(query.filter.status))
        } else {
            None
        };
        let walked = self
            .walk_index(tenant, query, known_total.is_some())
            .await?;
        let acts = self.acts_by_sk(tenant, &walked.page_keys).await?;
        Ok(ActPage {
            acts_read: acts.len(),
            acts,
            total: known_total.unwrap_or(walked.matched as u64),
            index_entries_read: walked.scanned,
        })
    }

    async fn page_of_one(
        &self,
        tenant: &Tenant,
        query: &ActQuery,
        number: ActNumber,
    ) -> Result<ActPage, StoreError> {
        let act = self.act(tenant, number).await?;
        let acts_read = usize::from(act.is_some());
        let act = act.filter(|a| query.filter.matches(a));
        let total = u64::from(act.is_some());
        let acts = act.into_iter().filter(|_| query.page == 1).collect();
        Ok(ActPage {
            acts,
            total,
            index_entries_read: 0,
            acts_read,
        })
    }

    /// Walks the sort's index, segment after segment, to the page's end when `stop_at_page` (the
    /// total is known), else to the index's end, counting the matches.
    async fn walk_index(
        &self,
        tenant: &Tenant,
        query: &ActQuery,
        stop_at_page: bool,
    ) -> Result<Walked, StoreError> {
        let c = Conditions::new(tenant, &query.filter, query.sort, query.direction);
        let (offset, end) = (query.offset(), query.offset() + query.limit as usize);
        let mut walked = Walked::default();
        for segment in &c.segments {
            let mut start: Option<Item> = None;
            loop {
                let mut request = self
                    .client()
                    .query()
                    .table_name(self.acts_table())
                    .index_name(index_for(query.sort))
                    .key_condition_expression(segment)
                    .set_expression_attribute_values(Some(c.values.clone()))
                    .projection_expression("sk")
                    .scan_index_forward(query.direction == Direction::Asc)
                    .set_exclusive_start_key(start.take());
                if !c.filter.is_empty() {
                    request = request.filter_expression(c.filter.join(" AND "));
                }
                if stop_at_page {
                    // Unfiltered, exactly the entries still needed. Filtered, DynamoDB's Limit
                    // counts entries before the filter: rounds of at least 100 (a few KB).
                    let needed = end - walked.matched;
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
                walked.scanned += usize::try_from(out.scanned_count).unwrap_or(0);
                for item in out.items.unwrap_or_default() {
                    if (offset..end).contains(&walked.matched) {
                        let sk = text_of(&item, "sk")
                            .ok_or_else(|| corrupt("index entry without sk"))?;
                        walked.page_keys.push(sk);
                    }
                    walked.matched += 1;
                }
                start = out.last_evaluated_key.filter(|k| !k.is_empty());
                if stop_at_page && walked.matched >= end {
                    return Ok(walked);
                }
                if start.is_none() {
                    break;
                }
            }
        }
        Ok(walked)
    }
}
