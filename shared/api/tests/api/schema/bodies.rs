//! Each field of the imports' bodies: its schema in the document against the item's parser.

use super::*;

/// A body field: its import, where the value goes in the item, and the rule beyond the schema.
struct BodyField {
    of: &'static Operation,
    pointer: &'static str,
    rule: Rule,
}

const fn field(of: &'static Operation, pointer: &'static str, rule: Rule) -> BodyField {
    BodyField { of, pointer, rule }
}

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
    field(&TRANSACTIONS, "/kind", Rule::None),
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
    field(&ORGANIZATIONS, "/id", Rule::None),
    field(&ORGANIZATIONS, "/name", Rule::BankChecks),
    field(&ORGANIZATIONS, "/inn", Rule::BankChecks),
    field(&ORGANIZATIONS, "/kpp", Rule::None),
    field(&ORGANIZATIONS, "/bic", Rule::BankChecks),
    field(&ORGANIZATIONS, "/bank_account", Rule::BankChecks),
    field(&ORGANIZATIONS, "/correspondent_account", Rule::BankChecks),
    field(&ORGANIZATIONS, "/bank_name", Rule::BankChecks),
    field(&ORGANIZATIONS, "/deleted", Rule::None),
    field(&RECEIPTS, "/account", Rule::None),
    field(&RECEIPTS, "/organization", Rule::None),
    field(&RECEIPTS, "/period", Rule::None),
    field(&RECEIPTS, "/number", Rule::None),
    field(&RECEIPTS, "/debt_start", Rule::Kopecks),
    field(&RECEIPTS, "/to_pay", Rule::Kopecks),
    field(&RECEIPTS, "/els", Rule::None),
    field(&RECEIPTS, "/igku", Rule::None),
    field(&RECEIPTS, "/ipd", Rule::None),
    field(&RECEIPTS, "/deleted", Rule::None),
    field(&RECEIPTS, "/lines/0/service", Rule::None),
    field(&RECEIPTS, "/lines/0/unit", Rule::None),
    field(&RECEIPTS, "/lines/0/volume", Rule::None),
    field(&RECEIPTS, "/lines/0/charged", Rule::Kopecks),
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
        (Rule::BankChecks, Value::String(_)) => true,
        _ => false,
    }
}

/// Whether a line of this amount takes the base act's total below zero.
fn below_the_base_total(amount: Decimal) -> bool {
    amount < -Decimal::from_str_exact(BASE_ACT_FIRST_LINE).unwrap()
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
