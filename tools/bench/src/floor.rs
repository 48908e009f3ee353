//! The floor an import is measured against: the same items written with nothing but
//! BatchWriteItem, ⌈n/25⌉ calls built before the clock starts, 8 in flight (as an import keeps
//! them), leftovers sent again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use futures::{StreamExt, stream};

pub type Item = HashMap<String, AttributeValue>;

/// A string attribute, as the floors write them.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// Every item of `table`.
pub async fn scan(client: &Client, table: &str) -> Vec<Item> {
    client
        .scan()
        .table_name(table)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("DynamoDB Local answers")
}

/// Writes `items` into `table` as fast as plain BatchWriteItem calls, `in_flight` at a time,
/// can; answers how long.
pub async fn write(client: &Client, table: &str, items: Vec<Item>, in_flight: usize) -> Duration {
    let batches: Vec<Vec<WriteRequest>> = items
        .chunks(25)
        .map(|chunk| {
            chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder().set_item(Some(item.clone())).build();
                    WriteRequest::builder().put_request(put.unwrap()).build()
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    stream::iter(batches)
        .map(|batch| send(client, table, batch))
        .buffer_unordered(in_flight)
        .collect::<()>()
        .await;
    started.elapsed()
}

async fn send(client: &Client, table: &str, mut batch: Vec<WriteRequest>) {
    while !batch.is_empty() {
        let out = client
            .batch_write_item()
            .request_items(table, batch)
            .send()
            .await
            .expect("DynamoDB Local answers");
        batch = out
            .unprocessed_items
            .and_then(|mut left| left.remove(table))
            .unwrap_or_default();
    }
}
