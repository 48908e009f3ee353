//! Whatever a client sends, every parse path answers a value or an error, never a panic:
//! property-based tests (proptest, a bounded number of cases each) feed arbitrary bytes and
//! arbitrary JSON shapes to the body decoding, 1C's JSON cleanup, each record kind, acts with
//! their totals, words and printed page, the acts query, the history query and amounts in words.

use domain::acts::ActQuery;
use domain::history::HistoryQuery;
use domain::words::rubles_in_words;
use domain::{Account, Act, Balance, Counter, Reading, Record, Service, Transaction};
use lambda_http::{Body, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Enough to find the classic overflows and slicing bugs; `PROPTEST_CASES` raises it.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A JSON document written as 1C might write it, numbers as raw text of any size.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn write(&self, out: &mut String, trailing_commas: bool) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Json::Array(items) => {
                out.push('[');
                for item in items {
                    item.write(out, trailing_commas);
                    out.push(',');
                }
                if !trailing_commas && !items.is_empty() {
                    out.pop();
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (key, value) in fields {
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    value.write(out, trailing_commas);
                    out.push(',');
                }
                if !trailing_commas && !fields.is_empty() {
                    out.pop();
                }
                out.push('}');
            }
        }
    }
}

/// Numbers as 1C and hostile clients write them: huge, tiny, with exponents, as text with
/// commas and spaces, fractions.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,40}(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,6})?",
        Just("50000000000000000000000000000".to_owned()),
        Just("1000000000000000000000000000".to_owned()),
        Just("0.0000000000000000000000000001".to_owned()),
        Just("79228162514264337593543950335".to_owned()),
    ]
}

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number_text().prop_map(Json::Number),
        number_text().prop_map(Json::String),
        "[0-9]{1,3}/[0-9.,]{1,32}".prop_map(Json::String),
        "[0-9]{1,30}/0[.,]0{20,30}[1-9]".prop_map(Json::String),
        "(\\{)?[0-9a-fA-F-]{0,40}(\\})?".prop_map(Json::String),
        "[0-9]{1,4}[-.][0-9]{1,2}[-.][0-9]{1,4}([T ][0-9:.]{0,15})?([Z+-][0-9:]{0,5})?"
            .prop_map(Json::String),
        any::<String>().prop_map(Json::String),
    ]
}

/// Any JSON; objects' keys are mostly names the parsers read, so nested shapes (an act's
/// `services`, its `payer`) are reached too.
fn json() -> impl Strategy<Value = Json> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        let key = prop_oneof![
            3 => prop::sample::select(ACT_FIELDS).prop_map(str::to_owned),
            1 => any::<String>(),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec((key, inner), 0..6).prop_map(Json::Object),
        ]
    })
}

/// An item with the fields a record kind reads (and others), each with any value.
fn item(fields: &'static [&'static str]) -> impl Strategy<Value = Json> {
    let field = prop_oneof![
        4 => prop::sample::select(fields).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::vec((field, json()), 0..12).prop_map(Json::Object)
}

/// `{"<collection>": [items…]}` as text, with or without 1C's trailing commas and BOM.
fn body(
    collection: &'static str,
    fields: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop_oneof![4 => item(fields), 1 => json()], 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(items, commas, bom)| {
            let mut out = String::from(if bom { "\u{feff}" } else { "" });
            Json::Object(vec![(collection.to_owned(), Json::Array(items))]).write(&mut out, commas);
            out
        })
}

const ACT_FIELDS: &[&str] = &[
    "act_number",
    "count_number",
    "created_at",
    "payer",
    "recipient",
    "act_status",
    "send_date",
    "vat_rate",
    "vat_included",
    "services",
    "act_text",
    "logo",
    "id",
    "name",
    "title",
    "amount",
    "quantity",
    "unit",
    "price",
];

fn parses<R: Record>(text: &str) {
    let text = domain::json::normalise(text);
    let _ = api::import::parse_all::<R>(&text);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_in_any_charset_decode_or_are_refused(
        bytes in prop::collection::vec(any::<u8>(), 0..256),
        charset in prop::option::of(prop_oneof![
            Just("utf-8".to_owned()), Just("windows-1251".to_owned()),
            Just("utf-16le".to_owned()), Just("utf-16be".to_owned()), any::<String>(),
        ]),
    ) {
        let _ = api::body::decode(&bytes, charset.as_deref());
        let mut request = Request::new(Body::Binary(bytes));
        if let Some(charset) = charset {
            if let Ok(value) = format!("application/json; charset={charset}").parse() {
                request.headers_mut().insert("content-type", value);
            }
        }
        if let Ok(text) = api::body::text(&request) {
            parses::<Service>(&text);
        }
    }

    #[test]
    fn any_text_survives_the_cleanup_and_every_record_parser(text in any::<String>()) {
        parses::<Service>(&text);
        parses::<Account>(&text);
        parses::<Counter>(&text);
        parses::<Reading>(&text);
        parses::<Balance>(&text);
        parses::<Transaction>(&text);
        parses::<Act>(&text);
    }

    #[test]
    fn any_services_accounts_and_counters_parse_or_are_refused(
        services in body("services", &["id", "organization", "short_name", "full_name"]),
        accounts in body("accounts", &["id", "name", "address", "full_name", "ownership",
                                       "square", "cadastral", "phone", "email"]),
        counters in body("counters", &["id", "name", "type", "account", "service",
                                       "date_installation", "date_removal", "date_verification"]),
    ) {
        parses::<Service>(&services);
        parses::<Account>(&accounts);
        parses::<Counter>(&counters);
    }

    #[test]
    fn any_readings_balances_and_transactions_parse_or_are_refused(
        readings in body("counters", &["counter", "date", "current_data1", "current_data2",
                                       "current_data3"]),
        balances in body("balances", &["account", "service", "date", "amount"]),
        transactions in body("transactions", &["account", "service", "date", "amount"]),
    ) {
        parses::<Reading>(&readings);
        parses::<Balance>(&balances);
        parses::<Transaction>(&transactions);
    }

    #[test]
    fn any_acts_parse_and_what_parses_prints(acts in body("acts", ACT_FIELDS)) {
        if let Ok(acts) = api::import::parse_all::<Act>(&domain::json::normalise(&acts)) {
            for act in acts {
                let totals = act.checked_totals();
                prop_assert!(totals.is_some(), "a parsed act's sums fit");
                let _ = (act.title(), act.vat_string(), act.sum_string());
                let page = api::act_page::page(&act);
                prop_assert!(page.starts_with("<!DOCTYPE html>"));
            }
        }
    }

    #[test]
    fn any_list_and_history_parameters_parse_or_are_refused(
        values in prop::collection::vec(prop::option::of(prop_oneof![
            any::<String>(), number_text(), "[0-9]{1,4}[-.][0-9]{1,2}[-.][0-9]{1,4}",
        ]), 14),
    ) {
        let names = ["created_at_from", "created_at_to", "act_number", "count_number", "payer_id",
                     "recipient_id", "act_status", "sort", "direction"];
        let value = |i: usize| values[i].as_deref();
        if let Ok(query) = ActQuery::parse(value(9), value(10), |name| {
            names.iter().position(|n| *n == name).and_then(value)
        }) {
            let _ = (query.offset(), query.pages(u64::MAX));
        }
        let (key, tenant) = (crate::helpers::signing_key(), crate::helpers::tenant("t"));
        let seal = domain::history::CursorSeal::new(&key, &tenant, "readings", String::new());
        let _ = HistoryQuery::parse(value(10), value(11), value(12), value(13), &seal);
    }

    #[test]
    fn any_amount_has_words(lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(),
                            negative in any::<bool>(), scale in 0u32..=28) {
        let amount = Decimal::from_parts(lo, mid, hi, negative, scale);
        prop_assert!(!rubles_in_words(amount).is_empty());
    }
}

const SUBMISSION_FIELDS: &[&str] = &[
    "id",
    "current_data1",
    "current_data2",
    "current_data3",
    "source",
    "time_zone",
    "readings_window",
    "from_day",
    "to_day",
    "status",
    "reason",
];

/// A reading of any figures, at any date 1C can write.
fn any_reading() -> impl Strategy<Value = Reading> {
    let figure = prop_oneof![
        (any::<i64>(), 0u32..29).prop_map(|(m, s)| Decimal::new(m, s)),
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(Decimal::ZERO),
    ];
    let date = (1i32..=9999, 1u32..=12, 1u32..=28, 0u32..24).prop_map(|(y, m, d, h)| {
        let text = format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00");
        serde_json::from_value::<domain::LocalDateTime>(serde_json::Value::String(text)).unwrap()
    });
    (
        date,
        figure.clone(),
        proptest::option::of(figure.clone()),
        proptest::option::of(figure),
    )
        .prop_map(|(date, a, b, c)| Reading {
            counter: domain::Guid::random(),
            date,
            current_data1: a,
            current_data2: b,
            current_data3: c,
        })
}

proptest! {
    #![proptest_config(config())]

    /// A resident's submission, the office's settings and 1C's acknowledgement, in any shape.
    #[test]
    fn any_submission_settings_or_acknowledgement_parses_or_is_refused(
        object in prop::collection::vec(
            (prop::sample::select(SUBMISSION_FIELDS).prop_map(str::to_owned), json()),
            0..8,
        ),
        list in body("readings", SUBMISSION_FIELDS),
    ) {
        let mut text = String::new();
        Json::Object(object).write(&mut text, false);
        let _ = domain::submissions::SubmissionRequest::parse(&text);
        let _ = domain::settings::Settings::parse(&text);
        let _ = domain::submissions::Acknowledgement::parse_all(&list);
    }

    /// The rules judge any figures against any history, at any instant, in any time zone.
    #[test]
    fn any_submission_is_judged_against_any_history(
        sent in any_reading(),
        readings in prop::collection::vec(any_reading(), 0..14),
        earlier in prop::collection::vec((any_reading(), 0u8..4, any::<i64>()), 0..6),
        zone in prop::sample::select(chrono_tz::TZ_VARIANTS.to_vec()),
        from_day in 1u8..=31,
        to_day in 1u8..=31,
        seconds in -62_000_000_000i64..253_000_000_000,
    ) {
        use domain::settings::{Settings, Window};
        use domain::submissions::{Figures, MeterState, assess};
        let counter: Counter = serde_json::from_value(serde_json::json!({
            "id": "a7a747b2-24d8-11e7-ae76-0050569f0c67"})).unwrap();
        let settings = Settings { time_zone: zone, readings_window: Window::new(from_day, to_day) };
        let now = chrono::DateTime::from_timestamp(seconds, 0).unwrap();
        use domain::submissions::{Submission, SubmissionStatus};
        let status = [
            SubmissionStatus::Pending,
            SubmissionStatus::Applied,
            SubmissionStatus::Rejected,
            SubmissionStatus::Replaced,
        ];
        let submissions: Vec<Submission> = earlier
            .iter()
            .map(|(r, s, at)| Submission {
                id: domain::Guid::random(),
                sent_id: None,
                counter: r.counter,
                account: None,
                date: r.date,
                figures: Figures::from(r),
                source: serde_json::from_value(serde_json::json!("app")).unwrap(),
                submitted_at: chrono::DateTime::from_timestamp(at % 253_000_000_000, 0)
                    .unwrap_or_default(),
                suspicious: false,
                status: status[usize::from(*s)],
                reason: None,
            })
            .collect();
        let meter = MeterState { counter: &counter, readings: &readings, submissions: &submissions };
        let _ = assess(&Figures::from(&sent), meter, &settings, now);
    }
}
