//! Records for the store's unit tests, parsed from JSON as an import parses them.

use domain::Record;
use domain::json::{Fields, collection};
use serde_json::{Value, json};

/// `item` parsed as an import's item, or `None` when the import would refuse it.
pub(crate) fn try_parse<R: Record>(item: Value) -> Option<R> {
    let body = json!({ "items": [item] }).to_string();
    let raw = collection(&body, "items").unwrap()[0];
    R::parse(&Fields::parse(raw).unwrap()).ok()
}

/// `item` parsed as an import's item; it must be valid.
pub(crate) fn parse<R: Record>(item: Value) -> R {
    try_parse(item).expect("a valid record")
}
