//! One partition key takes at most 1,000 writes a second in AWS, which DynamoDB Local does not
//! enforce. So this test counts them: every write the import sends (BatchWriteItem, PutItem,
//! TransactWriteItems, UpdateItem, DeleteItem) is seen by an interceptor on the real client and
//! counted per partition key of its table and of every index `template.yaml` gives that table.
//! A request of each DomControl kind as large as the API accepts, with 1C's time-based ids, may
//! put at most `MAX_WRITES_PER_PARTITION` on any one of them.

use std::collections::{BTreeMap, HashMap};

use api::Endpoint;
use local_tables::Template;
use store::{MAX_WRITES_PER_PARTITION, Table};

use crate::helpers::TestApp;
use crate::helpers::interceptors::WriteCounter;

/// An app whose every DynamoDB write is counted, on fresh tables.
struct CountingApp {
    app: TestApp,
    counter: WriteCounter,
}

impl CountingApp {
    async fn new(test: &str) -> Self {
        let tables = TestApp::new(test).await;
        let template = Template::load(&local_tables::template_path()).unwrap();
        let store = tables.store().tables();
        let mut indexes = HashMap::new();
        for (var, logical) in &template.table_env {
            let hashes = template.tables[logical]
                .global_secondary_indexes
                .iter()
                .map(|index| {
                    let hash = index.key_schema.iter().find(|k| k.key_type == "HASH");
                    (
                        index.index_name.clone(),
                        hash.unwrap().attribute_name.clone(),
                    )
                })
                .collect();
            let table = Table::ALL.into_iter().find(|t| t.env_var() == var).unwrap();
            indexes.insert(store.name(table).to_owned(), hashes);
        }
        let counter = WriteCounter::new(indexes);
        let app = tables
            .fresh_tenant("large-office")
            .await
            .intercepted(counter.clone());
        counter.busiest();
        Self { app, counter }
    }

    /// Imports `body` to `endpoint`; answers the status, the number imported and the busiest
    /// partition with its writes.
    async fn import(
        &self,
        endpoint: Endpoint,
        body: String,
    ) -> (u16, u64, ((String, String), usize)) {
        let (status, answer) = self.app.post(endpoint, body).await;
        let imported = answer["imported"].as_u64().unwrap_or_default();
        (status, imported, self.counter.busiest())
    }
}

#[tokio::test]
async fn no_partition_takes_more_than_1000_writes_from_the_largest_request() {
    let app = CountingApp::new("partitions").await;
    let mut report = BTreeMap::new();
    let mut counts = HashMap::new();
    for endpoint in Endpoint::DOMCONTROL_IMPORTS {
        // Figures refer to accounts and meters the directories of this test define.
        let refs = match endpoint {
            Endpoint::ImportCounters | Endpoint::ImportBalances | Endpoint::ImportTransactions => {
                counts[&Endpoint::ImportAccounts]
            }
            Endpoint::ImportReadings => counts[&Endpoint::ImportCounters] / 2,
            _ => 0,
        };
        let (body, items) = samples::largest(endpoint, refs);
        counts.insert(endpoint, items);
        let outcome = app.import(endpoint, body).await;
        report.insert(endpoint.kind().unwrap(), (items, outcome));
    }
    for (kind, (items, (status, imported, ((place, _), writes)))) in &report {
        println!("{kind}: {items} items, busiest partition {place}: {writes} writes");
        assert_eq!((*status, *imported), (201, *items as u64), "{kind}");
        assert!(
            *writes <= MAX_WRITES_PER_PARTITION,
            "{kind}: {writes} writes on one partition of {place}"
        );
    }
}

/// What the keys cannot spread, the store refuses before it writes: more than 1,000 of one
/// account's balances in one request.
#[tokio::test]
async fn a_request_that_would_crowd_one_partition_is_refused_whole() {
    let app = CountingApp::new("crowded").await;
    let account = samples::account_id(0);
    let body = format!(r#"{{"accounts":[{{"id":"{account}","name":"ЛС"}}]}}"#);
    assert_eq!(app.import(Endpoint::ImportAccounts, body).await.0, 201);
    let balances: Vec<String> = (0..=MAX_WRITES_PER_PARTITION)
        .map(|n| {
            let (year, month, day) = (1990 + n / 336, 1 + n / 28 % 12, 1 + n % 28);
            format!(
                r#"{{"account":"{account}","date":"{year}-{month:02}-{day:02}T00:00:00","amount":1}}"#
            )
        })
        .collect();
    let body = format!(r#"{{"balances":[{}]}}"#, balances.join(","));
    let (status, answer) = app.app.post(Endpoint::ImportBalances, body).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], "too_many_in_one_partition");
    assert_eq!(answer["error"]["details"][0]["field"], "account");
    assert_eq!(
        answer["error"]["details"][0]["index"],
        MAX_WRITES_PER_PARTITION
    );
    // Nothing is written but the refusal's line in the journal.
    let journal = app.app.store().tables().name(Table::Journal).to_owned();
    let written: Vec<_> = app
        .counter
        .take()
        .into_iter()
        .filter(|((place, _), _)| *place != journal)
        .collect();
    assert_eq!(written, [], "nothing is written");
}

/// The positive control of the two tests above: the counter counts, on tables and on indexes.
/// Fifty balances of one account on fifty days are fifty writes on that account's partition of
/// the balances table and fifty index entries over two months; were the counter blind, the
/// bounds above would pass on nothing.
#[tokio::test]
async fn the_counter_sees_every_write_on_a_partition() {
    let app = CountingApp::new("countercontrol").await;
    let account = samples::account_id(0);
    let body = format!(r#"{{"accounts":[{{"id":"{account}","name":"ЛС"}}]}}"#);
    assert_eq!(app.import(Endpoint::ImportAccounts, body).await.0, 201);
    let balances: Vec<String> = (1..=50)
        .map(|day| {
            let (month, day) = (1 + (day - 1) / 28, 1 + (day - 1) % 28);
            format!(
                r#"{{"account":"{account}","date":"2026-{month:02}-{day:02}T00:00:00","amount":1}}"#
            )
        })
        .collect();
    let body = format!(r#"{{"balances":[{}]}}"#, balances.join(","));
    let (status, answer) = app.app.post(Endpoint::ImportBalances, body).await;
    assert_eq!(status, 201, "{answer}");
    let table = app.app.store().tables().name(Table::Balances).to_owned();
    let written = app.counter.take();
    let on = |place: &str| -> Vec<usize> {
        let mut counts: Vec<usize> = written
            .iter()
            .filter(|((at, _), _)| at == place)
            .map(|(_, writes)| *writes)
            .collect();
        counts.sort_unstable();
        counts
    };
    // The account's history partition, beside its one latest-balance partition.
    assert_eq!(on(&table).last(), Some(&50), "{written:?}");
    // The `ByPeriod` index: January's 28 and February's 22, each month a partition of its own.
    assert_eq!(
        on(&format!("{table}/ByPeriod")),
        vec![22, 28],
        "{written:?}"
    );
}
