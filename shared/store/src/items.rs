//! DynamoDB items: building and reading their attributes, and their size as DynamoDB counts it
//! against its 400 KB limit, so that a request whose item could never be stored is refused
//! before anything of it is written.
//!
//!
//! The rules (DynamoDB developer guide, "Item sizes"): an attribute is its name's UTF-8 length
//! plus its value's size; a string is its UTF-8 length, a number about one byte per two
//! significant digits plus one, a Boolean or null one byte, a list or map three bytes plus one
//! per element plus the elements (with their names, for a map). Numbers are counted here by
//! their text, which is never less.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use domain::Problem;
use domain::values::Rejection;
use serde::de::DeserializeOwned;

use crate::keys::Key;
use crate::{StoreError, Table};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn put(item: Item) -> WriteRequest {
    let put = PutRequest::builder().set_item(Some(item)).build();
    WriteRequest::builder().set_put_request(put.ok()).build()
}

pub(crate) fn delete(key: Key) -> WriteRequest {
    let delete = DeleteRequest::builder()
        .key("pk", AttributeValue::S(key.pk))
        .key("sk", AttributeValue::S(key.sk))
        .build();
    WriteRequest::builder()
        .set_delete_request(delete.ok())
        .build()
}

pub(crate) fn key_item(key: &Key) -> Item {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.pk.clone())),
        ("sk".to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

/// The key of an item whose table has a partition key only.
pub(crate) fn pk_item(pk: String) -> Item {
    HashMap::from([("pk".to_owned(), AttributeValue::S(pk))])
}

pub(crate) fn text_of(item: &Item, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The record at `index`, if its item is over DynamoDB's limit: named by the field that takes
/// the most room.
pub(crate) fn oversized_item(index: usize, item: &Item) -> Option<Problem> {
    const TOO_LARGE: Rejection = "элемент больше 400 КБ, предела хранилища: сократите это поле";
    (item_size(item) > MAX_ITEM_BYTES).then(|| {
        let field = largest_attribute(item).unwrap_or_default().to_owned();
        Problem::new(field, TOO_LARGE).at(index)
    })
}

/// DynamoDB's limits on a key, of a table or of an index: a sort key 1,024 bytes, a partition
/// key 2,048.
pub(crate) const MAX_SORT_KEY_BYTES: usize = 1024;
pub(crate) const MAX_PARTITION_KEY_BYTES: usize = 2048;

/// The record at `index`, if one of the keys its item has in `table` (or in one of its indexes)
/// is over DynamoDB's limit, which DynamoDB Local does not enforce: named by the record's field
/// that `field_of` says the key is made of. Every write path checks its items with this before
/// anything is written.
pub(crate) fn overlong_key(
    index: usize,
    item: &Item,
    table: Table,
    field_of: impl Fn(&str) -> &'static str,
) -> Option<Problem> {
    const TOO_LONG: Rejection =
        "значение длиннее предела ключа хранилища (около 1000 байт): сократите это поле";
    table.key_attributes().iter().find_map(|key| {
        let limit = match key.partition {
            true => MAX_PARTITION_KEY_BYTES,
            false => MAX_SORT_KEY_BYTES,
        };
        let long = matches!(item.get(key.name), Some(AttributeValue::S(v)) if v.len() > limit);
        long.then(|| Problem::new(field_of(key.name), TOO_LONG).at(index))
    })
}

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The record of an item, if there is one.
pub(crate) fn from_item<R: DeserializeOwned>(item: Option<Item>) -> Result<Option<R>, StoreError> {
    Ok(from_items(item.into_iter().collect())?.pop())
}

pub(crate) fn from_items<R: DeserializeOwned>(items: Vec<Item>) -> Result<Vec<R>, StoreError> {
    items.into_iter().map(from_stored).collect()
}

/// A stored item as `R`. When it does not fit, the error names the field (its path, as
/// `figures.current_data1`), never the value: serde's own message quotes what it found, which
/// may be a resident's name, and storage errors reach the logs.
pub(crate) fn from_stored<R: DeserializeOwned>(item: Item) -> Result<R, StoreError> {
    let item: serde_dynamo::Item = item.into();
    let value = serde_dynamo::AttributeValue::M(item.into());
    let deserializer = serde_dynamo::Deserializer::from_attribute_value(value);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        StoreError::Corrupt(format!("the stored field `{field}` does not fit its type"))
    })
}

/// DynamoDB's limit on one item, names and values together.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The item's size as DynamoDB counts it (never less).
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// The attribute that takes the most room: what to name when an item is too large.
pub fn largest_attribute(item: &Item) -> Option<&str> {
    item.iter()
        .max_by_key(|(name, value)| name.len() + value_size(value))
        .map(|(name, _)| name.as_str())
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len() + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| n.len() + 1).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn names_and_values_count_in_bytes() {
        let item: Item = HashMap::from([
            ("pk".to_owned(), AttributeValue::S("окунево".into())),
            ("amount".to_owned(), AttributeValue::N("-20394.86".into())),
            (
                "lines".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(HashMap::from([(
                    "t".to_owned(),
                    AttributeValue::S("ab".into()),
                )]))]),
            ),
        ]);
        // pk: 2 + 14; amount: 6 + 10; lines: 5 + 3 + 1 + (3 + 1 + 1 + 2)
        assert_eq!(item_size(&item), 16 + 16 + 16);
        let mut item = item;
        item.insert("act_text".into(), AttributeValue::S("я".repeat(100)));
        assert_eq!(item_size(&item), 48 + 8 + 200);
        assert_eq!(largest_attribute(&item), Some("act_text"));
    }
}

#[cfg(test)]
mod corrupt_items {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Row {
        #[allow(dead_code)]
        figures: Figures,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Figures {
        #[allow(dead_code)]
        status: Status,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Status {
        Pending,
    }

    #[test]
    fn an_item_that_does_not_fit_is_named_by_its_field_never_its_value() {
        let name = "Смирнова Юлия Валерьевна";
        let figures = HashMap::from([("status".to_owned(), s(name))]);
        let item: Item = HashMap::from([("figures".to_owned(), AttributeValue::M(figures))]);
        // What serde itself says quotes the value: the reason for the path.
        let raw = serde_dynamo::from_item::<_, Row>(item.clone()).unwrap_err();
        assert!(raw.to_string().contains(name), "{raw}");
        let error = from_items::<Row>(vec![item]).unwrap_err().to_string();
        assert!(error.contains("figures.status"), "{error}");
        assert!(!error.contains(name), "{error}");
    }
}
