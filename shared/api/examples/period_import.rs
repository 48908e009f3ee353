//! How long a period import of 5,000 transactions takes that replaces 5,000 stored ones, on
//! DynamoDB Local (`make dynamodb` first): the figure docs/BENCHMARKS.md quotes.
//!
//!     cargo run --release -p api --example period_import
//!
//! It creates tables of its own (`test-…`, swept by `make test`), imports 500 accounts and a
//! service, then times December of 5,000 transactions as a plain import (the floor), then three
//! period imports of December, each with 5,000 other transactions: written, and the 5,000 of
//! the round before found and removed. Its clock is moved on by more than
//! `store::periods::SETTLE` before each round, as a day between two exchanges would.

use std::time::Instant;

use api::{App, Endpoint};
use domain::{ApiKey, Clock, PersonalData, Scope, Tenant};
use lambda_http::{Body, Request, RequestExt};
use serde_json::{Value, json};
use store::{Dynamo, Tables};

const ITEMS: usize = 5_000;
const ACCOUNTS: usize = 500;

fn guid(kind: u8, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

fn request(key: &ApiKey, body: Value, query: &[(&str, &str)]) -> Request {
    let mut request = lambda_http::http::Request::builder()
        .method("POST")
        .body(Body::from(body.to_string()))
        .unwrap();
    let header = format!("Bearer {}", key.reveal()).parse().unwrap();
    request.headers_mut().insert("authorization", header);
    let query: std::collections::HashMap<String, String> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    request.with_query_string_parameters(query)
}

fn december(round: usize) -> Value {
    let items: Vec<Value> = (0..ITEMS)
        .map(|i| {
            json!({"account": guid(2, i % ACCOUNTS), "service": guid(1, 0),
                   "date": format!("2018-12-{:02}T{:02}:{:02}:00", 1 + i % 28, round, i % 60),
                   "amount": format!("-{}.{:02}", i, round)})
        })
        .collect();
    json!({ "transactions": items })
}

#[tokio::main]
async fn main() {
    let (client, names) = local_tables::fresh_tables("period-bench").await;
    let store = Dynamo::new(
        client,
        Tables::from_lookup(|v| names.get(v).cloned()).unwrap(),
    );
    let clock = Clock::manual(chrono::Utc::now());
    let app = App::new(store, PersonalData::Store).with_clock(clock.clone());
    let key = ApiKey::generate();
    let tenant = Tenant::parse("bench").unwrap();
    app.store()
        .create_key(&key.hash(), &tenant, &Scope::ALL)
        .await
        .unwrap();
    let services = json!({"services": [{"id": guid(1, 0)}]});
    Endpoint::ImportServices
        .handle(&app, request(&key, services, &[]))
        .await
        .unwrap();
    let accounts: Vec<Value> = (0..ACCOUNTS)
        .map(|a| json!({"id": guid(2, a), "name": format!("ЛС-{a}")}))
        .collect();
    let accounts = json!({ "accounts": accounts });
    Endpoint::ImportAccounts
        .handle(&app, request(&key, accounts, &[]))
        .await
        .unwrap();
    let period = [("from", "2018-12-01"), ("to", "2018-12-31")];
    // The floor: the same 5,000 transactions as a plain import, nothing to find or remove.
    let started = Instant::now();
    let plain = Endpoint::ImportTransactions
        .handle(&app, request(&key, december(0), &[]))
        .await;
    assert_eq!(plain.unwrap().status(), 201);
    println!(
        "plain import of {ITEMS} transactions: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    println!("period import of {ITEMS} transactions replacing {ITEMS} stored ones:");
    let settle = chrono::Duration::from_std(store::periods::SETTLE).unwrap();
    for round in 1..=3 {
        clock.advance(settle + chrono::Duration::seconds(1));
        let started = Instant::now();
        let response = Endpoint::ImportTransactions
            .handle(&app, request(&key, december(round), &period))
            .await
            .unwrap();
        let elapsed = started.elapsed();
        let Body::Text(answer) = response.body() else {
            panic!("no answer")
        };
        println!("  round {round}: {:.2} s  {answer}", elapsed.as_secs_f64());
    }
}
