//! Residents' readings back to 1C, each beside the floor of the DynamoDB calls it must make:
//!
//! - a submission by a warm `counter-submit` (its key cached, as a warm function's is) against
//!   the same calls sent directly: one BatchGetItem (the meter, the settings, the bound
//!   account, the id), the meter's readings and submissions (two Queries at once), the meter
//!   and account's pending slot (one read), one TransactWriteItems (the submission and the
//!   slot, each conditional);
//! - a pull of 1,000 pending submissions by a warm `counter-export` against one Query of the
//!   `Pending` index for 1,001 of them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use api::Endpoint;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Put, TransactWriteItem};
use store::Table;

use crate::Row;
use crate::floor::s;
use crate::stack::Stack;
use runtime_api::{Function, routed_event};

/// As many as the export's pending readings: each meter and account has one pending.
const METERS: usize = 1_000;
const PENDING: usize = 1_000;

type Item = HashMap<String, AttributeValue>;

pub async fn residents(bin: &std::path::Path) -> Vec<Row> {
    let stack = Stack::new("bench-residents").await;
    // Three readings of each meter.
    let loads = [
        (Endpoint::ImportServices, 8, 0),
        (Endpoint::ImportAccounts, METERS, 0),
        (Endpoint::ImportCounters, METERS, METERS),
        (Endpoint::ImportReadings, 3 * METERS, METERS / 2),
    ];
    stack.import(bin, &loads).await;
    let meters: Vec<String> = stack
        .store
        .directory::<domain::Counter>(&domain::Tenant::parse("bench").unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    let (submit, floor_submit) = submissions(bin, &stack, &meters).await;
    let (export, floor_export) = export(bin, &stack, &meters).await;
    vec![
        Row::beside_floor(
            "a resident's submission".into(),
            submit,
            floor_submit,
            "its 5 calls, key cached",
        ),
        Row::beside_floor(
            format!("1C's pull of {PENDING} pending"),
            export,
            floor_export,
            "one Query",
        ),
    ]
}

/// The median of the ratios of runs that ran one after the other.
pub(crate) fn median_ratio(ours: &[Duration], floor: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = ours
        .iter()
        .zip(floor)
        .map(|(o, f)| o.as_secs_f64() / f.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// The event of a submission of `body` for `meter`.
fn submission(stack: &Stack, meter: &str, body: &str) -> String {
    let route = Endpoint::CounterSubmit.paths()[0];
    let path = route.replace("{id}", meter);
    routed_event(
        "POST",
        route,
        &path,
        &[("id", meter)],
        "",
        stack.key(),
        body,
    )
}

/// Each meter gets one submission from a warm function, and right after it the same calls
/// sent directly for the same meter (the floor's own id, so that its put is new too).
async fn submissions(
    bin: &std::path::Path,
    stack: &Stack,
    meters: &[String],
) -> (Vec<Duration>, Vec<Duration>) {
    let endpoint = Endpoint::CounterSubmit;
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for (n, meter) in meters.iter().enumerate() {
        let body = format!(
            r#"{{"id":"{}","current_data1":"{}"}}"#,
            domain::Guid::random(),
            1_000_000 + n
        );
        let answer = function.invoke(submission(stack, meter, &body)).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        // The first one also read the key and opened connections: not a warm submission.
        if n > 0 {
            ours.push(answer.took);
            floor.push(submission_floor(stack, meter).await);
        }
    }
    (ours, floor)
}

async fn submission_floor(stack: &Stack, meter: &str) -> Duration {
    let client = &stack.client;
    let tenant = "bench";
    let name = |t: Table| stack.table(t).to_owned();
    let key = |pk: String, sk: Option<String>| -> Item {
        let mut k = HashMap::from([("pk".to_owned(), s(pk))]);
        if let Some(sk) = sk {
            k.insert("sk".to_owned(), s(sk));
        }
        k
    };
    let id = domain::Guid::random();
    let wanted = |keys: Vec<Item>| {
        KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .unwrap()
    };
    // The meter's own key is the store's to know: the floor reads it where the store put it,
    // which the bench finds once, outside the clock.
    let counter_key = counter_key(stack, meter).await;
    // As large as the function's item, with entries in both indexes, but in partitions of the
    // floor's own, which the function's export never reads.
    let figures = HashMap::from([
        ("current_data1".to_owned(), s("1000000")),
        ("current_data2".to_owned(), AttributeValue::Null(true)),
        ("current_data3".to_owned(), AttributeValue::Null(true)),
    ]);
    let submission: Item = HashMap::from([
        ("pk".to_owned(), s(format!("{tenant}#{id}"))),
        ("counter_pk".to_owned(), s(format!("floor#{meter}"))),
        (
            "counter_sk".to_owned(),
            s(format!("2026-11-25T12:00:00#{id}")),
        ),
        ("pending_pk".to_owned(), s("floor")),
        (
            "pending_sk".to_owned(),
            s(format!("2026-11-25T09:00:00.000000Z#{id}")),
        ),
        ("id".to_owned(), s(id.to_string())),
        ("counter".to_owned(), s(meter)),
        ("account".to_owned(), s(meter)),
        ("date".to_owned(), s("2026-11-25T12:00:00")),
        ("figures".to_owned(), AttributeValue::M(figures)),
        ("source".to_owned(), s("app")),
        ("submitted_at".to_owned(), s("2026-11-25T09:00:00.000000Z")),
        ("suspicious".to_owned(), AttributeValue::Bool(false)),
        ("status".to_owned(), s("pending")),
    ]);
    let started = Instant::now();
    client
        .batch_get_item()
        .request_items(name(Table::Counters), wanted(vec![counter_key]))
        .request_items(
            name(Table::Settings),
            wanted(vec![key(tenant.into(), None)]),
        )
        .request_items(
            name(Table::Submissions),
            wanted(vec![key(format!("{tenant}#{id}"), None)]),
        )
        .send()
        .await
        .unwrap();
    let readings = client
        .query()
        .table_name(name(Table::Readings))
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", s(format!("{tenant}#{meter}")))
        .scan_index_forward(false)
        .limit(13)
        .send();
    let submissions = client
        .query()
        .table_name(name(Table::Submissions))
        .index_name("ByCounter")
        .key_condition_expression("counter_pk = :pk")
        .expression_attribute_values(":pk", s(format!("{tenant}#{meter}")))
        .scan_index_forward(false)
        .limit(20)
        .send();
    let (readings, submissions) = futures::join!(readings, submissions);
    readings.unwrap();
    submissions.unwrap();
    // The meter and account's slot (one pending each), read, then claimed with the put.
    let slot = format!("floor#pending#{id}");
    client
        .get_item()
        .table_name(name(Table::Submissions))
        .set_key(Some(key(slot.clone(), None)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let put = |item: Item| {
        let put = Put::builder()
            .table_name(name(Table::Submissions))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .unwrap();
        TransactWriteItem::builder().put(put).build()
    };
    let claim = HashMap::from([
        ("pk".to_owned(), s(slot)),
        ("submission".to_owned(), s(id.to_string())),
    ]);
    client
        .transact_write_items()
        .transact_items(put(submission))
        .transact_items(put(claim))
        .send()
        .await
        .unwrap();
    started.elapsed()
}

/// Where the store keeps the meter: found by a Scan of the bench's small table, once.
async fn counter_key(stack: &Stack, meter: &str) -> Item {
    let items = crate::floor::scan(&stack.client, stack.table(Table::Counters)).await;
    let item = items
        .into_iter()
        .find(|i| matches!(i.get("sk"), Some(AttributeValue::S(sk)) if sk == meter))
        .expect("the meter is stored");
    ["pk", "sk"]
        .into_iter()
        .map(|k| (k.to_owned(), item[k].clone()))
        .collect()
}

/// [`PENDING`] submissions wait; a warm function pulls them, then the floor's Query reads them,
/// round after round.
async fn export(
    bin: &std::path::Path,
    stack: &Stack,
    meters: &[String],
) -> (Vec<Duration>, Vec<Duration>) {
    let submit = Endpoint::CounterSubmit;
    let mut function = Function::spawn(&bin.join(submit.function()), &stack.env()).await;
    function.init().await;
    // The submissions of the first part are pending too; these make it at least PENDING.
    for n in 0..PENDING {
        let meter = &meters[n % meters.len()];
        let body = format!(r#"{{"current_data1":"{}"}}"#, 2_000_000 + n);
        let answer = function.invoke(submission(stack, meter, &body)).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let endpoint = Endpoint::CounterExport;
    let path = endpoint.paths()[0];
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for round in 0..12 {
        let event = routed_event("GET", path, path, &[], "limit=1000", stack.key(), "");
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let started = Instant::now();
        let out = stack
            .client
            .query()
            .table_name(stack.table(Table::Submissions))
            .index_name("Pending")
            .key_condition_expression("pending_pk = :pk")
            .expression_attribute_values(":pk", s("bench"))
            .limit(1001)
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert!(out.count() >= 1000);
        if round > 0 {
            ours.push(answer.took);
            floor.push(took);
        }
    }
    (ours, floor)
}
