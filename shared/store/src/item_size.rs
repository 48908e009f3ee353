//! What DynamoDB counts of an item against its 400 KB limit, so that a request whose item could
//! never be stored is refused before anything of it is written.
//!
//! The rules (DynamoDB developer guide, "Item sizes"): an attribute is its name's UTF-8 length
//! plus its value's size; a string is its UTF-8 length, a number about one byte per two
//! significant digits plus one, a Boolean or null one byte, a list or map three bytes plus one
//! per element plus the elements (with their names, for a map). Numbers are counted here by
//! their text, which is never less.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::dynamo::Item;

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
