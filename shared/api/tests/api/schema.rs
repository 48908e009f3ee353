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
    Account, Act, ActNumber, ActQuery, Balance, Counter, Guid, PeriodImport, Reading, Service,
    Transaction,
};
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::string::string_regex;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use api::Endpoint;

use super::routes::openapi;

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

/// A body field: its import, where the value goes in the item, and the rule beyond the schema.
struct BodyField {
    of: &'static Operation,
    pointer: &'static str,
    rule: Rule,
}

const fn field(of: &'static Operation, pointer: &'static str, rule: Rule) -> BodyField {
    BodyField { of, pointer, rule }
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

const ACTS_IMPORT: Operation = operation(Endpoint::ImportActs, act, parses::<Act>);

const BODY_FIELDS: &[BodyField] = &[
    field(&READINGS, "/date", Rule::None),
    field(&READINGS, "/counter", Rule::None),
    field(&READINGS, "/current_data1", Rule::None),
    field(&READINGS, "/current_data2", Rule::None),
    field(&BALANCES, "/account", Rule::None),
    field(&BALANCES, "/service", Rule::None),
    field(&BALANCES, "/date", Rule::None),
    field(&BALANCES, "/amount", Rule::None),
    field(&COUNTERS, "/id", Rule::None),
    field(&COUNTERS, "/account", Rule::None),
    field(&COUNTERS, "/service", Rule::None),
    field(&COUNTERS, "/date_removal", Rule::None),
    field(&COUNTERS, "/name", Rule::None),
    field(&COUNTERS, "/type", Rule::None),
    field(&COUNTERS, "/deleted", Rule::None),
    field(&ACCOUNTS, "/id", Rule::None),
    field(&ACCOUNTS, "/deleted", Rule::None),
    field(&ACCOUNTS, "/full_name", Rule::None),
    field(&ACCOUNTS, "/address", Rule::None),
    field(&ACCOUNTS, "/phone", Rule::None),
    field(&ACCOUNTS, "/email", Rule::None),
    field(&SERVICES, "/id", Rule::None),
    field(&SERVICES, "/short_name", Rule::None),
    field(&SERVICES, "/full_name", Rule::None),
    field(&ACTS_IMPORT, "/count_number", Rule::None),
    field(&ACTS_IMPORT, "/send_date", Rule::None),
    field(&ACTS_IMPORT, "/send_method", Rule::None),
    field(&ACTS_IMPORT, "/recipient/id", Rule::None),
    field(&ACTS_IMPORT, "/payer/name", Rule::None),
    field(&ACTS_IMPORT, "/services/1/quantity", Rule::None),
    field(&ACTS_IMPORT, "/services/1/unit", Rule::None),
    field(&ACTS_IMPORT, "/services/1/price", Rule::None),
    field(&ACTS_IMPORT, "/act_description", Rule::None),
    field(&ACTS_IMPORT, "/logo", Rule::None),
    field(&TRANSACTIONS, "/account", Rule::None),
    field(&TRANSACTIONS, "/service", Rule::None),
    field(&TRANSACTIONS, "/id", Rule::None),
    field(&TRANSACTIONS, "/date", Rule::None),
    field(&TRANSACTIONS, "/amount", Rule::None),
    field(&COUNTERS, "/date_installation", Rule::None),
    field(&ACCOUNTS, "/name", Rule::None),
    field(&ACCOUNTS, "/square", Rule::None),
    field(&ACCOUNTS, "/ownership", Rule::FractionAtMostOne),
    field(&SERVICES, "/organization", Rule::None),
    field(&SERVICES, "/deleted", Rule::None),
    field(&ACTS_IMPORT, "/act_number", Rule::None),
    field(&ACTS_IMPORT, "/created_at", Rule::None),
    field(&ACTS_IMPORT, "/payer/id", Rule::None),
    field(&ACTS_IMPORT, "/act_status", Rule::None),
    field(&ACTS_IMPORT, "/vat_rate", Rule::None),
    field(&ACTS_IMPORT, "/vat_included", Rule::None),
    field(&ACTS_IMPORT, "/services/1/amount", Rule::Kopecks),
    field(&ACTS_IMPORT, "/services/1/title", Rule::None),
];

/// The schema of a body field, by walking the request schema along `pointer`.
fn body_field_schema(field: &BodyField) -> Value {
    let body = &DOC["paths"][field.of.path()]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    let mut schema = resolve(body)["properties"][field.of.collection()]["items"].clone();
    for step in field.pointer.split('/').skip(1) {
        schema = resolve(&schema);
        schema = match step.parse::<usize>() {
            Ok(_) => schema["items"].clone(),
            Err(_) => schema["properties"][step].clone(),
        };
    }
    schema
}

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

/// Whether a value is refused by a rule the schema cannot state.
fn beyond_the_schema(rule: Rule, value: &Value) -> bool {
    match (rule, value) {
        (Rule::FractionAtMostOne, Value::String(s)) => s.split_once('/').is_some_and(|(n, d)| {
            let whole = |t: &str| {
                let t = domain::values::trim(t).trim_start_matches('0');
                Decimal::from_str_exact(if t.is_empty() { "0" } else { t }).ok()
            };
            matches!((whole(n), whole(d)), (Some(n), Some(d)) if n > d)
        }),
        (Rule::Kopecks, Value::Number(n)) => {
            let text = n.to_string();
            let decimal = Decimal::from_scientific(&text).or_else(|_| text.parse::<Decimal>());
            decimal.map_or(true, |d| {
                d.normalize().scale() > 2 || below_the_base_total(d)
            })
        }
        (Rule::Kopecks, Value::String(s)) => {
            let text = domain::json::Value::String(s.as_str().into());
            domain::values::parse_decimal(&text)
                .ok()
                .flatten()
                .is_some_and(below_the_base_total)
        }
        _ => false,
    }
}

/// Whether a line of this amount takes the base act's total below zero.
fn below_the_base_total(amount: Decimal) -> bool {
    amount < -Decimal::from_str_exact(BASE_ACT_FIRST_LINE).unwrap()
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

#[test]
fn every_body_value_the_schema_admits_is_parsed_and_no_other() {
    for field in BODY_FIELDS {
        let schema = body_field_schema(field);
        assert!(
            !schema.is_null(),
            "{} {}: no schema",
            field.of.path(),
            field.pointer
        );
        let body_schema = &DOC["paths"][field.of.path()]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        let validator = validator(body_schema);
        let base = json!({ field.of.collection(): [(field.of.item)()] });
        assert!(
            validator.is_valid(&base),
            "{}: the base item fits: {:?}",
            field.of.path(),
            validator
                .iter_errors(&base)
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
        );
        proptest!(cases(), |(value in values(&schema))| {
            let mut body = base.clone();
            let (parent, key) = field.pointer.rsplit_once('/').unwrap();
            let parent = body[field.of.collection()][0].pointer_mut(parent).unwrap();
            match parent {
                Value::Array(lines) => lines[key.parse::<usize>().unwrap()] = value.clone(),
                parent => parent[key] = value.clone(),
            }
            let text = body.to_string();
            let items = collection(&text, field.of.collection()).unwrap();
            let fields = Fields::parse(items[0]).unwrap();
            let parsed = (field.of.parses)(&fields);
            let admitted = validator.is_valid(&body);
            if admitted && !parsed && beyond_the_schema(field.rule, &value) {
                return Ok(());
            }
            prop_assert_eq!(
                parsed, admitted,
                "{} {} = {}: parser {}, schema {}", field.of.path(), field.pointer, value,
                parsed, admitted
            );
        });
    }
}

/// A parameter: where the document declares it, whether the API takes a value of it (given its
/// name and the value, with its companions set to values that pass), and the rule beyond the
/// schema.
struct Param {
    endpoint: Endpoint,
    /// Which of the endpoint's paths.
    path: usize,
    name: &'static str,
    takes: fn(&str, &str) -> bool,
    rule: Rule,
}

const fn param(
    endpoint: Endpoint,
    name: &'static str,
    takes: fn(&str, &str) -> bool,
    rule: Rule,
) -> Param {
    Param {
        endpoint,
        path: 0,
        name,
        takes,
        rule,
    }
}

impl Param {
    fn path(&self) -> &'static str {
        self.endpoint.paths()[self.path]
    }
}

fn acts_param(name: &str, v: &str) -> bool {
    match name {
        "page" => ActQuery::parse(Some(v), None, |_| None).is_ok(),
        "limit" => ActQuery::parse(None, Some(v), |_| None).is_ok(),
        _ => ActQuery::parse(None, None, |n| (n == name).then_some(v)).is_ok(),
    }
}

fn ttl_param(_: &str, v: &str) -> bool {
    api::print_link::ttl_hours(Some(v)).is_ok()
}

fn act_id(_: &str, v: &str) -> bool {
    ActNumber::parse_param(v).is_ok()
}

fn guid(_: &str, v: &str) -> bool {
    matches!(
        Guid::parse(&domain::json::Value::String(v.into())),
        Ok(Some(_))
    )
}

fn history_param(name: &str, v: &str) -> bool {
    let given = |n| (n == name).then_some(v);
    let (key, tenant) = (crate::helpers::signing_key(), crate::helpers::tenant("t"));
    let seal = CursorSeal::new(&key, &tenant, "balances", String::new());
    HistoryQuery::parse(
        given("from"),
        given("to"),
        given("limit"),
        given("next"),
        &seal,
    )
    .is_ok()
}

fn export_param(_: &str, v: &str) -> bool {
    domain::history::page_limit(Some(v)).is_ok()
}

fn list_param(name: &str, v: &str) -> bool {
    let given = |n| (n == name).then_some(v);
    let (key, tenant) = (crate::helpers::signing_key(), crate::helpers::tenant("t"));
    let seal = CursorSeal::new(&key, &tenant, "services", String::new());
    ListQuery::parse(given("limit"), given("next"), &seal).is_ok()
}

/// `from` or `to` with the other the same; `exchange`, `part` or `parts` with the others valid.
fn period_param(name: &str, v: &str) -> bool {
    let exchange = [
        ("from", "2020-01-01"),
        ("to", "2020-01-31"),
        ("exchange", "b712502b-005f-11e4-8679-d43d7e9efaeb"),
        ("part", "1"),
        ("parts", "1000"),
    ];
    let alone = name == "from" || name == "to";
    let given: &[(&str, &str)] = if alone {
        &[("from", ""), ("to", "")]
    } else {
        &exchange
    };
    PeriodImport::parse(|n| {
        let (_, value) = given.iter().find(|(k, _)| *k == n)?;
        Some(if n == name || (alone && (n == "from" || n == "to")) {
            v
        } else {
            *value
        })
    })
    .is_ok()
}

const ACTS: Endpoint = Endpoint::ActsList;
const HISTORY: Endpoint = Endpoint::AccountBalances;
const PERIOD: Endpoint = Endpoint::ImportBalances;
/// `/v1/billing/acts/{page}` (`path: 1`) and `/v1/billing/acts/{page}/{limit}` (`path: 2`).
const ACTS_PAGED: Param = param(ACTS, "", acts_param, Rule::None);

const PARAMS: &[Param] = &[
    param(ACTS, "page", acts_param, Rule::None),
    param(ACTS, "limit", acts_param, Rule::None),
    Param {
        path: 2,
        name: "page",
        ..ACTS_PAGED
    },
    Param {
        path: 2,
        name: "limit",
        ..ACTS_PAGED
    },
    param(ACTS, "created_at_from", acts_param, Rule::None),
    param(ACTS, "created_at_to", acts_param, Rule::None),
    param(ACTS, "act_number", acts_param, Rule::None),
    param(ACTS, "count_number", acts_param, Rule::None),
    param(ACTS, "payer_id", acts_param, Rule::None),
    param(ACTS, "recipient_id", acts_param, Rule::None),
    param(ACTS, "act_status", acts_param, Rule::None),
    param(ACTS, "sort", acts_param, Rule::None),
    param(ACTS, "direction", acts_param, Rule::None),
    Param {
        path: 1,
        name: "page",
        ..ACTS_PAGED
    },
    param(Endpoint::ActInfo, "act_id", act_id, Rule::None),
    param(Endpoint::ActPrint, "act_id", act_id, Rule::None),
    param(Endpoint::AccountGet, "id", guid, Rule::None),
    param(Endpoint::AccountBalances, "id", guid, Rule::None),
    param(Endpoint::AccountTransactions, "id", guid, Rule::None),
    param(Endpoint::CounterReadings, "id", guid, Rule::None),
    param(Endpoint::CounterSubmissions, "id", guid, Rule::None),
    param(HISTORY, "from", history_param, Rule::None),
    param(HISTORY, "to", history_param, Rule::None),
    param(HISTORY, "limit", history_param, Rule::None),
    param(HISTORY, "next", history_param, Rule::TokenOfTheApi),
    param(Endpoint::ServicesList, "limit", list_param, Rule::None),
    param(Endpoint::CounterExport, "limit", export_param, Rule::None),
    param(
        Endpoint::ServicesList,
        "next",
        list_param,
        Rule::TokenOfTheApi,
    ),
    param(Endpoint::ActPrintLink, "ttl_hours", ttl_param, Rule::None),
    param(PERIOD, "from", period_param, Rule::None),
    param(PERIOD, "to", period_param, Rule::None),
    param(PERIOD, "exchange", period_param, Rule::Together),
    param(PERIOD, "part", period_param, Rule::Together),
    param(PERIOD, "parts", period_param, Rule::Together),
];

/// The parameter object the document declares, references resolved.
fn declared(param: &Param) -> Value {
    let operation = DOC["paths"][param.path()]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(resolve)
        .find(|p| p["name"] == param.name)
        .unwrap_or_else(|| panic!("{} declares {}", param.path(), param.name))
}

/// A query string carries text; a schema that wants an integer is given the digits as one.
fn admitted(validator: &jsonschema::Validator, text: &str) -> bool {
    let trimmed = domain::values::trim(text);
    let digits = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
    let as_integer = || match trimmed.parse::<u64>() {
        Ok(n) => Value::from(n),
        Err(_) => Value::from(f64::MAX),
    };
    validator.is_valid(&Value::String(text.to_owned()))
        || (digits && validator.is_valid(&as_integer()))
}

#[test]
fn every_parameter_value_the_schema_admits_is_taken_and_no_other() {
    for param in PARAMS {
        let declared = declared(param);
        let (schema, in_path) = (&declared["schema"], declared["in"] == "path");
        let validator = validator(schema);
        proptest!(cases(), |(value in strings(schema))| {
            // No route has an empty path segment.
            if in_path && value.is_empty() {
                return Ok(());
            }
            let taken = (param.takes)(param.name, &value);
            let admitted = admitted(&validator, &value);
            let together = param.rule == Rule::Together
                && (domain::values::trim(&value).is_empty()
                    || domain::values::parse_digits::<u64>(&value).is_some_and(|n| n > 1000));
            if admitted && !taken && (together || param.rule == Rule::TokenOfTheApi) {
                return Ok(());
            }
            prop_assert_eq!(
                taken, admitted,
                "{} {} = {:?}: API {}, schema {}", param.path(), param.name, value, taken, admitted
            );
        });
    }
}

/// A body that is one object, not an import's collection (a resident's submission, the
/// office's settings, 1C's acknowledgement): its endpoint, a valid body, and whether the API's
/// parser takes a body.
struct Whole {
    endpoint: Endpoint,
    base: fn() -> Value,
    parses: fn(&str) -> bool,
}

const SUBMISSION: Whole = Whole {
    endpoint: Endpoint::CounterSubmit,
    base: || json!({"current_data1": 1, "current_data2": 2, "source": "app"}),
    parses: |text| domain::submissions::SubmissionRequest::parse(text).is_ok(),
};

const SETTINGS: Whole = Whole {
    endpoint: Endpoint::SettingsPut,
    base: || json!({"time_zone": "Europe/Moscow", "readings_window": {"from_day": 20, "to_day": 25}}),
    parses: |text| domain::settings::Settings::parse(text).is_ok(),
};

const ACKNOWLEDGEMENT: Whole = Whole {
    endpoint: Endpoint::CounterExportAck,
    base: || {
        json!({"readings": [{"id": "8a1f3c52-7b2e-4d10-9c55-0e6b9f7d2a11", "status": "rejected",
                             "reason": "нет"}]})
    },
    parses: |text| domain::submissions::Acknowledgement::parse_all(text).is_ok(),
};

const WHOLE_FIELDS: &[(&Whole, &str)] = &[
    (&SUBMISSION, "/id"),
    (&SUBMISSION, "/current_data1"),
    (&SUBMISSION, "/current_data2"),
    (&SUBMISSION, "/source"),
    (&SETTINGS, "/time_zone"),
    (&SETTINGS, "/readings_window"),
    (&SETTINGS, "/readings_window/from_day"),
    (&SETTINGS, "/readings_window/to_day"),
    (&ACKNOWLEDGEMENT, "/readings/0/id"),
    (&ACKNOWLEDGEMENT, "/readings/0/status"),
    (&ACKNOWLEDGEMENT, "/readings/0/reason"),
];

impl Whole {
    fn schema(&self) -> &'static Value {
        let method = self.endpoint.method().as_str().to_lowercase();
        &DOC["paths"][self.endpoint.paths()[0]][method.as_str()]["requestBody"]["content"]["application/json"]
            ["schema"]
    }
}

/// The schema of the field at `pointer` of a whole body, through `anyOf` branches with
/// properties.
fn whole_field_schema(body: &Value, pointer: &str) -> Value {
    let mut schema = resolve(body);
    for step in pointer.split('/').skip(1) {
        schema = resolve(&schema);
        if schema.get("properties").is_none()
            && let Some(branch) = schema["anyOf"].as_array().and_then(|b| {
                b.iter()
                    .map(resolve)
                    .find(|b| b.get("properties").is_some())
            })
        {
            schema = branch;
        }
        schema = match step.parse::<usize>() {
            Ok(_) => schema["items"].clone(),
            Err(_) => schema["properties"][step].clone(),
        };
    }
    schema
}

/// Every `enum` string of a schema, through references and `anyOf`.
fn enum_strings(schema: &Value, found: &mut Vec<String>) {
    let schema = resolve(schema);
    if let Some(values) = schema["enum"].as_array() {
        found.extend(values.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    for branch in schema["anyOf"].as_array().into_iter().flatten() {
        enum_strings(branch, found);
    }
}

#[test]
fn every_whole_body_value_the_schema_admits_is_parsed_and_no_other() {
    for &(whole, pointer) in WHOLE_FIELDS {
        let schema = whole_field_schema(whole.schema(), pointer);
        assert!(
            !schema.is_null(),
            "{:?} {pointer}: no schema",
            whole.endpoint
        );
        let validator = validator(whole.schema());
        let base = (whole.base)();
        assert!(
            validator.is_valid(&base),
            "{:?}: the base fits",
            whole.endpoint
        );
        assert!(
            (whole.parses)(&base.to_string()),
            "{:?}: the base parses",
            whole.endpoint
        );
        let mut named = Vec::new();
        enum_strings(&schema, &mut named);
        let named = if named.is_empty() {
            Just(Value::Null).boxed()
        } else {
            let mutated =
                (proptest::sample::select(named.clone()), 0..4u8).prop_map(|(s, op)| match op {
                    0 => format!(" {s}"),
                    1 => s.to_uppercase(),
                    2 => s[..s.len() - 1].to_owned(),
                    _ => s,
                });
            prop_oneof![
                proptest::sample::select(named).prop_map(Value::String),
                mutated.prop_map(Value::String),
            ]
            .boxed()
        };
        let values = prop_oneof![4 => values(&schema), 1 => named];
        proptest!(cases(), |(value in values)| {
            let mut body = base.clone();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match body.pointer_mut(parent).unwrap() {
                Value::Array(items) => items[key.parse::<usize>().unwrap()] = value.clone(),
                parent => parent[key] = value.clone(),
            }
            let parsed = (whole.parses)(&body.to_string());
            let admitted = validator.is_valid(&body);
            prop_assert_eq!(
                parsed, admitted,
                "{:?} {} = {}: parser {}, schema {}", whole.endpoint, pointer, value, parsed,
                admitted
            );
        });
    }
}
