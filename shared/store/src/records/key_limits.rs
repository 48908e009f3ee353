//! Every key a record's items have, built from the longest value each field admits, is inside
//! DynamoDB's limits (DynamoDB Local does not enforce them all): the record tables' keys are
//! made of the tenant (64 characters at most), GUIDs, dates, shard numbers and amounts, never
//! of free text, so no import can reach them. The acts' one text key is tested in `acts::rows`.

use aws_sdk_dynamodb::types::AttributeValue;
use domain::{Account, Balance, Counter, Reading, Service, Tenant, Transaction};
use serde_json::{Value, json};

use super::plan::{Row, item_of};
use crate::items::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::keys::{
    Key, Stored, calendar_partition, directory_partitions, identity_key, period_partition,
};
use crate::parsed::{parse, try_parse};
use crate::{Stamp, Table};

const ID: &str = "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}";
const DATE: &str = "31.12.9999 23:59:59";

fn tenant() -> Tenant {
    Tenant::parse(&"t".repeat(64)).unwrap()
}

/// The amount with the longest text among those the parser takes.
fn longest_amount() -> String {
    [
        "-0.0000000000000000000000000001",
        "-9999999999999999.99",
        "-4611686018427387903.5",
    ]
    .into_iter()
    .filter(|a| {
        try_parse::<Transaction>(json!({"account": ID, "date": DATE, "amount": a})).is_some()
    })
    .max_by_key(|a| a.len())
    .unwrap()
    .to_owned()
}

/// Every key attribute of `item` (of its table and its indexes) within the limits, and far
/// inside them: under 200 bytes.
fn assert_keys<R: Stored>(record: &R) {
    let tenant = tenant();
    let mut keys: Vec<Key> = (0..3).map(|o| record.key(&tenant, o)).collect();
    keys.push(record.key(&tenant, u32::MAX));
    keys.extend(record.latest(&tenant).map(|(key, _)| key));
    keys.extend(record.identity().map(|id| identity_key(&tenant, id)));
    for key in &keys {
        let row = Row::new(
            &tenant,
            key,
            record,
            Some(Stamp {
                at: chrono::Utc::now(),
                import: record.identity(),
            }),
        );
        let item = item_of(row).unwrap();
        for attribute in R::TABLE.key_attributes() {
            let Some(AttributeValue::S(value)) = item.get(attribute.name) else {
                continue;
            };
            let limit = match attribute.partition {
                true => MAX_PARTITION_KEY_BYTES,
                false => MAX_SORT_KEY_BYTES,
            };
            assert!(
                value.len() <= limit && value.len() < 200,
                "{}: {value}",
                attribute.name
            );
        }
        assert!(key.pk.len() < 200 && key.sk.len() < 200, "{key:?}");
    }
}

#[test]
fn every_key_of_the_longest_records_is_far_inside_dynamodbs_limits() {
    let amount = longest_amount();
    assert_keys::<Service>(&parse(json!({"id": ID, "full_name": "я".repeat(100_000)})));
    assert_keys::<Account>(&parse(json!({"id": ID, "name": "я".repeat(100_000)})));
    assert_keys::<Counter>(&parse(json!({"id": ID, "account": ID, "service": ID})));
    assert_keys::<Reading>(&parse(json!({"counter": ID, "date": DATE,
        "current_data1": amount.trim_start_matches('-')})));
    assert_keys::<Balance>(&parse(json!({"account": ID, "service": ID, "date": DATE,
        "amount": amount})));
    for id in [Value::from(ID), Value::Null] {
        assert_keys::<Transaction>(&parse(json!({"id": id, "account": ID, "service": ID,
            "date": DATE, "amount": amount})));
    }
    // The partitions a request or a period import reads and writes besides the records'.
    let tenant = tenant();
    let mut partitions: Vec<String> = directory_partitions(&tenant).collect();
    partitions.push(calendar_partition(&tenant));
    partitions.push(period_partition(&tenant, "9999-12", 127));
    assert!(partitions.iter().all(|pk| pk.len() < 200));
    assert!(Table::ALL.iter().all(|t| !t.key_attributes().is_empty()));
}
