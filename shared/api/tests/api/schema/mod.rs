//! docs/openapi.yaml says exactly what the API takes. For every kind of value a request carries
//! (the value schemas of the bodies, and the parameters), generated values, most of them made
//! from the document's own patterns or a character away from them, are given both to the
//! document's schema and to the API's parser: each must accept exactly what the other accepts.
//!
//! The few rules a JSON Schema cannot state are named in [`Rule`], written in the document's
//! descriptions, and held by scripts/schemathesis_hooks.py when `make test` fuzzes the API.

use std::sync::LazyLock;

use domain::history::{CursorSeal, HistoryQuery, ListQuery};
use domain::json::{Fields, collection};
use domain::records::Record;
use domain::{
    Account, Act, ActNumber, ActQuery, Balance, Counter, Guid, Organization, PeriodImport, Reading,
    Receipt, Service, Transaction,
};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::string::string_regex;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use api::Endpoint;

use super::routes::openapi;

mod params;

mod whole;

mod bodies;

static DOC: LazyLock<Value> = LazyLock::new(openapi);

/// Values that fit the schema and are still refused, each for a rule the document describes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    None,
    /// A share's fraction is at most 1 (`Share`).
    FractionAtMostOne,
    /// An act's amount has at most two decimal places, as a JSON number too (`Amount`), and the
    /// act's total is not negative.
    Kopecks,
    /// Only tokens the API made are taken as `next`.
    TokenOfTheApi,
    /// A payee's bank details: check digits and control keys against the BIC, and the code's
    /// 300 bytes, which no pattern can state (the hooks of schemathesis keep them).
    BankChecks,
    /// Parameters that go together (`from` and `to`, `exchange`, `part` and `parts`) are given
    /// together, and a part's number is at most `parts`.
    Together,
}

/// An import, a valid item of it, and the item's parser.
struct Operation {
    endpoint: Endpoint,
    item: fn() -> Value,
    parses: fn(&Fields<'_>) -> bool,
}

const fn operation(
    endpoint: Endpoint,
    item: fn() -> Value,
    parses: fn(&Fields<'_>) -> bool,
) -> Operation {
    Operation {
        endpoint,
        item,
        parses,
    }
}

impl Operation {
    fn path(&self) -> &'static str {
        self.endpoint.paths()[0]
    }

    fn collection(&self) -> &'static str {
        self.endpoint.collection().unwrap()
    }
}

fn parses<R: Record>(item: &Fields<'_>) -> bool {
    R::parse(item).is_ok()
}

fn transaction() -> Value {
    json!({"account": "af723e90-c3d4-11e4-8075-1c6f652434e1", "date": "2018-12-01T00:00:00",
           "amount": -2600, "service": "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48"})
}
fn reading() -> Value {
    json!({"date": "2018-12-05T15:14:46", "counter": "a7a747b2-24d8-11e7-ae76-0050569f0c67",
           "current_data1": 33})
}
fn balance() -> Value {
    json!({"account": "ad96e8ab-476f-11e7-8518-0050569f0c67", "date": "2018-06-30T23:59:59",
           "amount": -20394.86, "service": "b712502b-005f-11e4-8679-d43d7e9efaeb"})
}
fn account() -> Value {
    json!({"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "М30400НЖ003"})
}
fn counter() -> Value {
    json!({"id": "67d00473-13c2-11e4-9dce-94de80eb2300"})
}
fn service() -> Value {
    json!({"id": "1093b094-a349-472a-b63d-9008506af55a"})
}
/// Its first line is as large as a line may be, so that no second line makes the total negative.
fn act() -> Value {
    json!({"act_number": 777, "created_at": "2018-10-31", "act_status": "sended",
           "payer": {"id": 777, "name": "ООО «Василек»"}, "recipient": {"id": 333, "name": "ООО"},
           "services": [{"title": "x", "amount": BASE_ACT_FIRST_LINE.parse::<f64>().unwrap()}, {"title": "y", "amount": 1}]})
}

const BASE_ACT_FIRST_LINE: &str = "9999999999999.99";

const TRANSACTIONS: Operation = operation(
    Endpoint::ImportTransactions,
    transaction,
    parses::<Transaction>,
);

const COUNTERS: Operation = operation(Endpoint::ImportCounters, counter, parses::<Counter>);

const ACCOUNTS: Operation = operation(Endpoint::ImportAccounts, account, parses::<Account>);

const SERVICES: Operation = operation(Endpoint::ImportServices, service, parses::<Service>);

const READINGS: Operation = operation(Endpoint::ImportReadings, reading, parses::<Reading>);

const BALANCES: Operation = operation(Endpoint::ImportBalances, balance, parses::<Balance>);

fn organization() -> Value {
    json!({"id": "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e", "name": "ТСЖ", "inn": "7723012346",
           "bank_account": "40703810303800000123", "bic": "044525225", "bank_name": "Банк"})
}
fn receipt() -> Value {
    json!({"account": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "period": "2018-11",
           "organization": "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e", "to_pay": 1,
           "lines": [{"service": "b712502b-005f-11e4-8679-d43d7e9efaeb"}]})
}

const ORGANIZATIONS: Operation = operation(
    Endpoint::ImportOrganizations,
    organization,
    parses::<Organization>,
);

const RECEIPTS: Operation = operation(Endpoint::ImportReceipts, receipt, parses::<Receipt>);

const ACTS_IMPORT: Operation = operation(Endpoint::ImportActs, act, parses::<Act>);

/// A schema with its `$ref` followed.
fn resolve(schema: &Value) -> Value {
    match schema["$ref"].as_str() {
        Some(r) => resolve(DOC.pointer(r.trim_start_matches('#')).unwrap()),
        None => schema.clone(),
    }
}

/// A validator of `schema`, with the document's components to resolve references in.
fn validator(schema: &Value) -> jsonschema::Validator {
    let mut root = json!({"$schema": "https://json-schema.org/draft/2020-12/schema",
                          "components": DOC["components"].clone()});
    for (k, v) in schema.as_object().unwrap() {
        root[k] = v.clone();
    }
    jsonschema::validator_for(&root).unwrap()
}

/// Every pattern in a schema, followed through references, `anyOf` and `not`.
fn patterns(schema: &Value, found: &mut Vec<String>) {
    let schema = resolve(schema);
    if let Some(p) = schema["pattern"].as_str() {
        found.push(p.to_owned());
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for s in schema[key].as_array().into_iter().flatten() {
            patterns(s, found);
        }
    }
    if schema.get("not").is_some() {
        patterns(&schema["not"], found);
    }
}

/// Characters that sit on the edges of the grammars.
const EDGES: &[char] = &[
    '0', '1', '2', '5', '9', '-', '+', '.', ',', ':', '/', '%', ' ', '\u{a0}', '\u{2003}', '\t',
    '\n', '{', '}', 'T', 't', 'Z', 'e', 'E', 'a', 'F', 'g', '\'', '\u{2212}', '\u{202f}', 'б', 'Д',
    '_', '=',
];

/// Words a lenient parser might take, that no pattern generates: other spellings of flags,
/// numbers, dates, statuses and rates.
const WORDS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "t",
    "f",
    "истина",
    "ложь",
    "null",
    "none",
    "nan",
    "inf",
    "infinity",
    "-0",
    "0x10",
    "1e3",
    "1E-2",
    "+5",
    "5-",
    "1_000",
    "1 000 000",
    "1  000",
    "50%",
    "1/2",
    "2/1",
    "0/0",
    "1/0",
    "½",
    "٣",
    "１２",
    "без НДС",
    "без ндс 20",
    "НДС 20%",
    "20 %",
    "0.20",
    "sended",
    "sent",
    "draft",
    "Act_Number",
    "ASC",
    "descending",
    "2018/12/05",
    "5.12.2018",
    "2018-12-5",
    "20181205",
    "12/05/2018",
    "2018-12-05T15:14:46+0300",
    "2018-12-05T15:14",
    "2018-12-05T24:00:00",
    "2018-12-05T15:14:60",
    "2018-12-05t15:14:46",
    "05.12.2018T15:14:46",
    "2018-12-05 ",
    " 2018-12-05",
    "0000-01-01",
    "0001-01-01T00:00:00",
    "9999-12-31",
    "00000000-0000-0000-0000-000000000000",
    "{a7a747b2-24d8-11e7-ae76-0050569f0c67",
    "a7a747b224d811e7ae760050569f0c67",
    "a7a747b2-24d811e7-ae76-0050569f0c67",
    "(a7a747b2-24d8-11e7-ae76-0050569f0c67)",
    "urn:uuid:a7a747b2-24d8-11e7-ae76-0050569f0c67",
];

/// Strings from the patterns, the same a character away, and others.
fn strings(schema: &Value) -> BoxedStrategy<String> {
    let mut found = Vec::new();
    patterns(schema, &mut found);
    let from_patterns: Vec<BoxedStrategy<String>> = found
        .iter()
        .map(|p| {
            let anchored = p.strip_prefix('^').unwrap_or(p);
            let anchored = anchored.strip_suffix('$').unwrap_or(anchored);
            string_regex(anchored).unwrap().boxed()
        })
        .collect();
    let edge = proptest::sample::select(EDGES);
    let numbers = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<u32>().prop_map(|n| n.to_string()),
        (0u8..40).prop_map(|n| "9".repeat(usize::from(n))),
        Just("18446744073709551616".to_owned()),
        Just("4294967296".to_owned()),
    ];
    let words = (proptest::sample::select(WORDS), any::<bool>()).prop_map(|(w, upper)| {
        if upper {
            w.to_uppercase()
        } else {
            w.to_owned()
        }
    });
    let mut all = vec![
        words.boxed(),
        numbers.boxed(),
        proptest::collection::vec(edge.clone(), 0..12)
            .prop_map(String::from_iter)
            .boxed(),
        any::<String>().boxed(),
    ];
    if !from_patterns.is_empty() {
        let generated = Union::new(from_patterns);
        all.push(generated.clone().boxed());
        all.push(generated.clone().boxed());
        let mutated =
            (generated, any::<prop::sample::Index>(), edge, 0..3u8).prop_map(|(s, at, c, op)| {
                let mut chars: Vec<char> = s.chars().collect();
                let i = at.index(chars.len() + 1);
                match op {
                    0 => chars.insert(i, c),
                    1 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ if i < chars.len() => chars[i] = c,
                    _ => chars.push(c),
                }
                String::from_iter(chars)
            });
        all.push(mutated.boxed());
    }
    Union::new(all).boxed()
}

/// Any JSON value a field may be sent: the strings above, numbers of every kind, and the rest.
fn values(schema: &Value) -> BoxedStrategy<Value> {
    let number_texts = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        (-20i32..20, any::<i32>()).prop_map(|(e, m)| format!("{m}e{e}")),
        (0u32..30, any::<u64>()).prop_map(|(s, m)| Decimal::from_i128_with_scale(
            i128::from(m),
            s.min(28)
        )
        .to_string()),
        Just("999999999999999.99".to_owned()),
        Just("-999999999999999.999".to_owned()),
        Just("1e15".to_owned()),
        Just("2.2250738585072014e-308".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("20.0".to_owned()),
        Just("1.0".to_owned()),
    ];
    prop_oneof![
        6 => strings(schema).prop_map(Value::String),
        3 => number_texts.prop_map(|n| serde_json::from_str(&n).unwrap()),
        1 => prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            Just(json!([])),
            Just(json!({})),
            Just(json!({"id": 1})),
        ],
    ]
    .boxed()
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("SCHEMA_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1500),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
