//! One partition key takes at most 1,000 writes a second in AWS, which DynamoDB Local does not
//! enforce. So this test counts them: every write the import sends (BatchWriteItem, PutItem,
//! TransactWriteItems, UpdateItem, DeleteItem) is seen by an interceptor on the real client and
//! counted per partition key of its table and of every index `template.yaml` gives that table.
//! A request of each DomControl kind as large as the API accepts, with 1C's time-based ids, may
//! put at most `MAX_WRITES_PER_PARTITION` on any one of them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use api::Endpoint;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_dynamodb::types::AttributeValue;
use local_tables::Template;
use store::{MAX_WRITES_PER_PARTITION, Table};

use crate::helpers::TestApp;

type Item = HashMap<String, AttributeValue>;

/// Writes per (table or `table/index`, partition key), as the client sends them.
#[derive(Debug, Default, Clone)]
struct WriteCounter {
    /// Table name → the hash-key attribute of each of its indexes, by index name.
    indexes: Arc<HashMap<String, Vec<(String, String)>>>,
    writes: Arc<Mutex<HashMap<(String, String), usize>>>,
}

impl WriteCounter {
    fn count(&self, table: &str, item: &Item) {
        let mut writes = self.writes.lock().unwrap();
        let mut add = |place: String, value: Option<&AttributeValue>| {
            if let Some(AttributeValue::S(pk)) = value {
                *writes.entry((place, pk.clone())).or_default() += 1;
            }
        };
        add(table.to_owned(), item.get("pk"));
        for (index, hash) in self.indexes.get(table).into_iter().flatten() {
            add(format!("{table}/{index}"), item.get(hash));
        }
    }

    /// The busiest partition since the last call, and how many writes it took; then forgets.
    fn busiest(&self) -> ((String, String), usize) {
        let writes = std::mem::take(&mut *self.writes.lock().unwrap());
        writes
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .unwrap_or_default()
    }
}

impl Intercept for WriteCounter {
    fn name(&self) -> &'static str {
        "WriteCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let input = context.input();
        if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
            for (table, requests) in batch.request_items().into_iter().flatten() {
                for request in requests {
                    if let Some(put) = request.put_request() {
                        self.count(table, put.item());
                    }
                    if let Some(delete) = request.delete_request() {
                        self.count(table, delete.key());
                    }
                }
            }
        } else if let Some(put) = input.downcast_ref::<PutItemInput>() {
            self.count(put.table_name().unwrap(), put.item().unwrap());
        } else if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
            self.count(update.table_name().unwrap(), update.key().unwrap());
        } else if let Some(delete) = input.downcast_ref::<DeleteItemInput>() {
            self.count(delete.table_name().unwrap(), delete.key().unwrap());
        } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
            for write in transaction.transact_items() {
                if let Some(put) = write.put() {
                    self.count(put.table_name(), put.item());
                }
                if let Some(update) = write.update() {
                    self.count(update.table_name(), update.key());
                }
                if let Some(delete) = write.delete() {
                    self.count(delete.table_name(), delete.key());
                }
            }
        }
        Ok(())
    }
}

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
        let counter = WriteCounter {
            indexes: Arc::new(indexes),
            ..WriteCounter::default()
        };
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
    assert_eq!(app.counter.busiest().1, 0, "nothing is written");
}
