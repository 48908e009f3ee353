//! Each query and path parameter's schema against the parser that takes it.

use super::*;

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

/// A reconciliation's `from` or `to`, the other the same.
fn days_param(_: &str, v: &str) -> bool {
    domain::DateRange::parse_days(Some(v), Some(v)).is_ok()
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
    param(
        Endpoint::TransactionReconciliation,
        "from",
        days_param,
        Rule::None,
    ),
    param(
        Endpoint::BalanceReconciliation,
        "to",
        days_param,
        Rule::None,
    ),
    param(
        Endpoint::CounterReconciliation,
        "from",
        days_param,
        Rule::None,
    ),
    param(
        Endpoint::CounterReconciliation,
        "limit",
        list_param,
        Rule::None,
    ),
    param(Endpoint::JournalList, "from", history_param, Rule::None),
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
