//! What 1C's bookkeeping reads, each beside the floor of the DynamoDB calls it must make, on
//! an office of 1,000 accounts with three transactions each:
//!
//! - a page of `GET /api/transaction/reconciliation` (сверка) of 10 and of 100 accounts by a
//!   warm function, against the same reads sent directly: the directory's shards walked in
//!   order (8 in flight) until the page is full, then one Query per account of the page (8 in
//!   flight). The two page sizes show the cost following the page, not the office;
//! - a page of 100 of `GET /api/journal`, against one Query of 100 journal items;
//! - opening an exchange (`POST /api/exchanges`), against its two PutItems (the exchange's
//!   state and the journal's note), one after the other;
//! - an exchange's status (`GET /api/exchanges/{id}`), against one consistent BatchGetItem of
//!   the three kinds' state items.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use api::Endpoint;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use futures::{StreamExt, TryStreamExt, stream};
use store::Table;

use crate::Row;
use crate::floor::s;
use crate::stack::Stack;
use runtime_api::{Function, routed_event};

const ACCOUNTS: usize = 1_000;
const ROUNDS: usize = 12;
/// The directory's partitions per tenant (`store::keys::SHARDS`).
const SHARDS: u32 = 128;

pub async fn books(bin: &std::path::Path) -> Vec<Row> {
    let stack = Stack::new("bench-books").await;
    let loads = [
        (Endpoint::ImportServices, 8, 0),
        (Endpoint::ImportAccounts, ACCOUNTS, 0),
        (Endpoint::ImportTransactions, 3 * ACCOUNTS, ACCOUNTS),
    ];
    stack.import(bin, &loads).await;
    // A hundred more imports for the journal to hold a page of.
    let one_service = samples::body(Endpoint::ImportServices, 0..1, 0);
    stack
        .post(bin, Endpoint::ImportServices, &one_service, 100)
        .await;

    let mut rows = Vec::new();
    for page in [10, 100] {
        let (ours, floor) = reconciliation(bin, &stack, page).await;
        let what = format!("a reconciliation page of {page} accounts of {ACCOUNTS}");
        let floor_is = format!("the shards walked, {page} Queries");
        rows.push(Row::beside_floor(what, ours, floor, &floor_is));
    }
    let (ours, floor) = journal(bin, &stack).await;
    rows.push(Row::beside_floor(
        "a journal page of 100".into(),
        ours,
        floor,
        "one Query",
    ));
    let (opened, open_floor, status, status_floor) = exchanges(bin, &stack).await;
    let what = "opening an exchange".into();
    rows.push(Row::beside_floor(what, opened, open_floor, "two PutItems"));
    let what = "an exchange's status".into();
    rows.push(Row::beside_floor(
        what,
        status,
        status_floor,
        "one BatchGetItem",
    ));
    rows
}

/// Exchanges opened by a warm function, each followed by its floor, then each one's status by
/// another warm function, each followed by its floor.
async fn exchanges(
    bin: &std::path::Path,
    stack: &Stack,
) -> (Vec<Duration>, Vec<Duration>, Vec<Duration>, Vec<Duration>) {
    let open = Endpoint::ExchangeOpen;
    let path = open.paths()[0];
    let mut function = Function::spawn(&bin.join(open.function()), &stack.env()).await;
    function.init().await;
    let body = r#"{"kind":"transactions","from":"2018-12-01","to":"2018-12-31","parts":3}"#;
    let (mut opened, mut open_floor, mut guids) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let event = routed_event("POST", path, path, &[], "", stack.key(), body);
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        let data: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        guids.push(data["data"]["exchange"].as_str().unwrap().to_owned());
        let took = open_floor_once(stack).await;
        if round > 0 {
            opened.push(answer.took);
            open_floor.push(took);
        }
    }
    let get = Endpoint::ExchangeGet;
    let route = get.paths()[0];
    let mut function = Function::spawn(&bin.join(get.function()), &stack.env()).await;
    function.init().await;
    let (mut status, mut status_floor) = (Vec::new(), Vec::new());
    for (round, guid) in guids.iter().enumerate() {
        let path = route.replace("{id}", guid);
        let event = routed_event("GET", route, &path, &[("id", guid)], "", stack.key(), "");
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let took = status_floor_once(stack, guid).await;
        if round > 0 {
            status.push(answer.took);
            status_floor.push(took);
        }
    }
    (opened, open_floor, status, status_floor)
}

/// The exchange's state and a journal note, as large as the function's, in items of the
/// floor's own.
async fn open_floor_once(stack: &Stack) -> Duration {
    let id = domain::Guid::random();
    let state = HashMap::from([
        ("pk".to_owned(), s(format!("floor#transactions#{id}"))),
        ("sk".to_owned(), s("state")),
        ("from".to_owned(), s("2018-12-01")),
        ("to".to_owned(), s("2018-12-31")),
        ("parts".to_owned(), AttributeValue::N("3".into())),
        (
            "began".to_owned(),
            AttributeValue::N("1765000000000".into()),
        ),
        (
            "opened_at".to_owned(),
            AttributeValue::N("1765000000000".into()),
        ),
        (
            "expires_at".to_owned(),
            AttributeValue::N("1765600000".into()),
        ),
    ]);
    let note = HashMap::from([
        ("pk".to_owned(), s("floor")),
        ("sk".to_owned(), s(format!("2026-12-06T05:00:00.000Z#{id}"))),
        ("route".to_owned(), s("POST /api/exchanges")),
        ("status".to_owned(), AttributeValue::N("201".into())),
        ("exchange".to_owned(), s(id.to_string())),
        (
            "expires_at".to_owned(),
            AttributeValue::N("1767600000".into()),
        ),
    ]);
    let started = Instant::now();
    stack
        .client
        .put_item()
        .table_name(stack.table(Table::Exchanges))
        .set_item(Some(state))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .unwrap();
    stack
        .client
        .put_item()
        .table_name(stack.table(Table::Journal))
        .set_item(Some(note))
        .send()
        .await
        .unwrap();
    started.elapsed()
}

/// The three kinds' state items of exchange `guid`, where the store keeps them.
async fn status_floor_once(stack: &Stack, guid: &str) -> Duration {
    let keys = ["transactions", "balances", "readings"]
        .map(|kind| {
            HashMap::from([
                ("pk".to_owned(), s(format!("bench#{kind}#{guid}"))),
                ("sk".to_owned(), s("state")),
            ])
        })
        .to_vec();
    let wanted = KeysAndAttributes::builder()
        .set_keys(Some(keys))
        .consistent_read(true)
        .build()
        .unwrap();
    let started = Instant::now();
    let out = stack
        .client
        .batch_get_item()
        .request_items(stack.table(Table::Exchanges), wanted)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let found = out
        .responses()
        .map_or(0, |r| r.values().map(Vec::len).sum());
    assert_eq!(found, 1, "the floor reads the exchange the function read");
    took
}

/// Pages of `limit` accounts from a warm function, each followed by its floor.
async fn reconciliation(
    bin: &std::path::Path,
    stack: &Stack,
    limit: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let endpoint = Endpoint::TransactionReconciliation;
    let path = endpoint.paths()[0];
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let query = format!("from=2018-01-01&to=2018-12-31&limit={limit}");
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let event = routed_event("GET", path, path, &[], &query, stack.key(), "");
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let took = reconciliation_floor(stack, limit).await;
        // The first round opened the function's connections: not a warm page.
        if round > 0 {
            ours.push(answer.took);
            floor.push(took);
        }
    }
    (ours, floor)
}

async fn reconciliation_floor(stack: &Stack, limit: usize) -> Duration {
    let client = &stack.client;
    let started = Instant::now();
    let mut shards = stream::iter(0..SHARDS)
        .map(|shard| {
            client
                .query()
                .table_name(stack.table(Table::Accounts))
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(format!("bench#{shard:03}")))
                .limit(limit as i32 + 1)
                .send()
        })
        .buffered(8);
    let mut accounts = Vec::new();
    while let Some(read) = shards.next().await {
        for item in read.unwrap().items() {
            if let Some(AttributeValue::S(id)) = item.get("sk") {
                accounts.push(id.clone());
            }
        }
        if accounts.len() >= limit {
            break;
        }
    }
    drop(shards);
    accounts.truncate(limit);
    let tallies: Vec<usize> = stream::iter(accounts)
        .map(|account| async move {
            let out = client
                .query()
                .table_name(stack.table(Table::Transactions))
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(format!("bench#{account}")))
                .expression_attribute_values(":from", s("2018-01-01"))
                .expression_attribute_values(":to", s("2018-12-31T23:59:59~"))
                .projection_expression("amount")
                .send()
                .await?;
            Ok::<_, aws_sdk_dynamodb::Error>(out.count() as usize)
        })
        .buffered(8)
        .try_collect()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(tallies.len(), limit);
    took
}

/// Journal pages of 100 from a warm function, each followed by its floor.
async fn journal(bin: &std::path::Path, stack: &Stack) -> (Vec<Duration>, Vec<Duration>) {
    let endpoint = Endpoint::JournalList;
    let path = endpoint.paths()[0];
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let event = routed_event("GET", path, path, &[], "limit=100", stack.key(), "");
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let started = Instant::now();
        let out = stack
            .client
            .query()
            .table_name(stack.table(Table::Journal))
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s("bench"))
            .scan_index_forward(false)
            .limit(101)
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert!(out.count() >= 100, "{}", out.count());
        if round > 0 {
            ours.push(answer.took);
            floor.push(took);
        }
    }
    (ours, floor)
}
