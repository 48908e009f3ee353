//! Interceptors on the tests' DynamoDB client, every one of them: what each call touches
//! ([`touches`]), and the interceptors built on it that fail writes, count calls, count writes
//! per partition and record what an endpoint does.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_dynamodb::types::AttributeValue;

type Context<'c, 'a> = &'c BeforeSerializationInterceptorContextRef<'a>;

pub type Item = HashMap<String, AttributeValue>;

/// What one DynamoDB call does, as IAM sees it: the action, on a table (by its name) or one
/// of its indexes. A transaction is the actions it is made of.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Touch {
    pub action: &'static str,
    pub table: String,
    pub index: Option<String>,
}

const WRITES: [&str; 5] = [
    "BatchWriteItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "ConditionCheckItem",
];

fn touch(action: &'static str, table: &str, index: Option<&str>) -> Touch {
    Touch {
        action,
        table: table.to_owned(),
        index: index.map(str::to_owned),
    }
}

/// What a call touches; an operation this does not know panics, so that a new kind of call
/// is taught here before any test relies on it.
pub fn touches(context: Context<'_, '_>) -> Vec<Touch> {
    let input = context.input();
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return vec![touch("GetItem", i.table_name().unwrap(), None)];
    }
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        return vec![touch("PutItem", i.table_name().unwrap(), None)];
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        return vec![touch("UpdateItem", i.table_name().unwrap(), None)];
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        return vec![touch("DeleteItem", i.table_name().unwrap(), None)];
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return vec![touch("Query", i.table_name().unwrap(), i.index_name())];
    }
    if let Some(i) = input.downcast_ref::<ScanInput>() {
        return vec![touch("Scan", i.table_name().unwrap(), i.index_name())];
    }
    if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        let tables = i.request_items().into_iter().flat_map(|m| m.keys());
        return tables.map(|t| touch("BatchGetItem", t, None)).collect();
    }
    if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        let tables = i.request_items().into_iter().flat_map(|m| m.keys());
        return tables.map(|t| touch("BatchWriteItem", t, None)).collect();
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        let mut all = Vec::new();
        for item in i.transact_items() {
            if let Some(put) = item.put() {
                all.push(touch("PutItem", put.table_name(), None));
            }
            if let Some(update) = item.update() {
                all.push(touch("UpdateItem", update.table_name(), None));
            }
            if let Some(delete) = item.delete() {
                all.push(touch("DeleteItem", delete.table_name(), None));
            }
            if let Some(check) = item.condition_check() {
                all.push(touch("ConditionCheckItem", check.table_name(), None));
            }
        }
        return all;
    }
    panic!("a DynamoDB call the tests' interceptors do not know: teach `touches` it")
}

/// The items a write call puts or deletes (its keys, for a delete or an update), by table.
fn written(context: Context<'_, '_>) -> Vec<(String, Item)> {
    let input = context.input();
    let mut all = Vec::new();
    if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
        for (table, requests) in batch.request_items().into_iter().flatten() {
            for request in requests {
                if let Some(put) = request.put_request() {
                    all.push((table.clone(), put.item().clone()));
                }
                if let Some(delete) = request.delete_request() {
                    all.push((table.clone(), delete.key().clone()));
                }
            }
        }
    } else if let Some(put) = input.downcast_ref::<PutItemInput>() {
        all.push((
            put.table_name().unwrap().to_owned(),
            put.item().unwrap().clone(),
        ));
    } else if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
        all.push((
            update.table_name().unwrap().to_owned(),
            update.key().unwrap().clone(),
        ));
    } else if let Some(delete) = input.downcast_ref::<DeleteItemInput>() {
        all.push((
            delete.table_name().unwrap().to_owned(),
            delete.key().unwrap().clone(),
        ));
    } else if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
        for write in transaction.transact_items() {
            if let Some(put) = write.put() {
                all.push((put.table_name().to_owned(), put.item().clone()));
            }
            if let Some(update) = write.update() {
                all.push((update.table_name().to_owned(), update.key().clone()));
            }
            if let Some(delete) = write.delete() {
                all.push((delete.table_name().to_owned(), delete.key().clone()));
            }
        }
    }
    all
}

/// Fails every DynamoDB write call after the first N: a test's crash between two steps of a
/// write.
#[derive(Debug)]
pub struct FailWrites(pub Arc<AtomicUsize>);

impl Intercept for FailWrites {
    fn name(&self) -> &'static str {
        "FailWrites"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let write = touches(context).iter().any(|t| WRITES.contains(&t.action));
        if !write {
            return Ok(());
        }
        match self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            }) {
            Ok(_) => Ok(()),
            Err(_) => Err("injected failure".into()),
        }
    }
}

/// Counts every DynamoDB call.
#[derive(Debug)]
pub struct CountCalls(pub Arc<AtomicUsize>);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "CountCalls"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The most DynamoDB calls in flight at once.
#[derive(Debug, Default, Clone)]
pub struct InFlight {
    now: Arc<AtomicUsize>,
    pub most: Arc<AtomicUsize>,
}

impl Intercept for InFlight {
    fn name(&self) -> &'static str {
        "InFlight"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.now.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Writes per (table or `table/index`, partition key), as the client sends them.
#[derive(Debug, Default, Clone)]
pub struct WriteCounter {
    /// Table name → the hash-key attribute of each of its indexes, by index name.
    indexes: Arc<HashMap<String, Vec<(String, String)>>>,
    writes: Arc<Mutex<HashMap<(String, String), usize>>>,
}

impl WriteCounter {
    /// A counter of the partitions of tables (by name) and of their indexes (by each index's
    /// hash-key attribute).
    pub fn new(indexes: HashMap<String, Vec<(String, String)>>) -> Self {
        Self {
            indexes: Arc::new(indexes),
            writes: Arc::default(),
        }
    }

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

    /// Every partition written since the last call, with how many writes each took; then
    /// forgets them.
    pub fn take(&self) -> HashMap<(String, String), usize> {
        std::mem::take(&mut *self.writes.lock().unwrap())
    }

    /// The busiest partition since the last call, and how many writes it took; then forgets.
    pub fn busiest(&self) -> ((String, String), usize) {
        self.take()
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
    ) -> Result<(), BoxError> {
        for (table, item) in written(context) {
            self.count(&table, &item);
        }
        Ok(())
    }
}

/// Records what every call touches.
#[derive(Debug, Default, Clone)]
pub struct Recorder(pub Arc<Mutex<BTreeSet<Touch>>>);

/// Counts the calls of each action on each table (by name).
#[derive(Debug, Default, Clone)]
pub struct CallCounter(pub Arc<Mutex<HashMap<(&'static str, String), usize>>>);

impl CallCounter {
    /// How many times `action` was called on the table named `table`.
    pub fn count(&self, action: &str, table: &str) -> usize {
        let calls = self.0.lock().unwrap();
        calls
            .iter()
            .filter(|((a, t), _)| *a == action && t == table)
            .map(|(_, n)| n)
            .sum()
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let mut calls = self.0.lock().unwrap();
        for touch in touches(context) {
            *calls.entry((touch.action, touch.table)).or_default() += 1;
        }
        Ok(())
    }
}

impl Recorder {
    /// What was touched since the last call; then forgets it.
    pub fn take(&self) -> BTreeSet<Touch> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.lock().unwrap().extend(touches(context));
        Ok(())
    }
}
