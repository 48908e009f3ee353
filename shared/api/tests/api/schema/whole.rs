//! Bodies that are one object (a submission, the settings, an acknowledgement): each field's schema
//! against its parser.

use super::*;

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

const EXCHANGE_OPENING: Whole = Whole {
    endpoint: Endpoint::ExchangeOpen,
    base: || json!({"kind": "transactions", "from": "0000-01-01", "to": "9999-12-31", "parts": 3}),
    parses: |text| domain::ExchangeOpening::parse(text).is_ok(),
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
    (&ACKNOWLEDGEMENT, "/readings/0/hours"),
    (&ACKNOWLEDGEMENT, "/readings/0/reason"),
    (&EXCHANGE_OPENING, "/kind"),
    (&EXCHANGE_OPENING, "/from"),
    (&EXCHANGE_OPENING, "/to"),
    (&EXCHANGE_OPENING, "/parts"),
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
