//! End to end through the HTTP server of `make run` (cargo lambda watch with the production
//! routes) on DynamoDB Local: what a 1C integrator does with curl. `scripts/e2e.sh` starts the
//! server and runs this with `--ignored`; `E2E_URL` says where it listens.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

struct Api {
    base: String,
    agent: ureq::Agent,
}

impl Api {
    fn new() -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // The first request to each function waits for cargo lambda to build it.
            .timeout_global(Some(Duration::from_secs(600)))
            .build();
        Self {
            base: std::env::var("E2E_URL").unwrap_or_else(|_| "http://127.0.0.1:9000".into()),
            agent: config.into(),
        }
    }

    fn post(&self, path: &str, content_type: Option<&str>, body: impl AsRef<[u8]>) -> (u16, Value) {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let mut response = request.send(body.as_ref()).expect("the server answers");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    fn post_json(&self, path: &str, body: impl AsRef<[u8]>) -> (u16, Value) {
        self.post(path, Some("application/json"), body)
    }
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/fixtures/{path}")).unwrap()
}

const SERVICES: &str = "/api/directory/importservices";
const ACCOUNTS: &str = "/api/directory/importaccounts";
const COUNTERS: &str = "/api/directory/importcounters";
const READINGS: &str = "/api/counter/import";
const BALANCES: &str = "/api/balance/import";
const TRANSACTIONS: &str = "/api/transaction/import";

/// What the curl session of the README posts, in order.
fn exchange() -> Vec<(&'static str, String)> {
    vec![
        (SERVICES, fixture("prerequisites/services.json")),
        (ACCOUNTS, fixture("prerequisites/accounts.json")),
        (COUNTERS, fixture("prerequisites/counters.json")),
        (SERVICES, fixture("spec/services.json")),
        (ACCOUNTS, fixture("spec/accounts.json")),
        (COUNTERS, fixture("spec/counters.json")),
        (READINGS, fixture("spec/readings.json")),
        (BALANCES, fixture("spec/balances.json")),
        (TRANSACTIONS, fixture("spec/transactions.json")),
    ]
}

/// Every item of the tables `make run` serves from, as `.local/lambda.env` names them.
fn snapshot() -> BTreeMap<String, Vec<String>> {
    let env = std::fs::read_to_string(format!("{ROOT}/.local/lambda.env"))
        .expect("make run wrote .local/lambda.env");
    let tables: Vec<String> = env
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.ends_with("_TABLE"))
        .map(|(_, v)| v.to_owned())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = localstack::local_client();
        let mut all = BTreeMap::new();
        for table in tables {
            let items: Vec<_> = client
                .scan()
                .table_name(&table)
                .into_paginator()
                .items()
                .send()
                .collect::<Result<_, _>>()
                .await
                .unwrap();
            let mut items: Vec<String> = items
                .into_iter()
                .map(|i: std::collections::HashMap<_, _>| {
                    format!("{:?}", i.into_iter().collect::<BTreeMap<_, _>>())
                })
                .collect();
            items.sort();
            all.insert(table, items);
        }
        all
    })
}

#[test]
#[ignore = "needs the server of make run: scripts/e2e.sh"]
fn spec_examples_through_http_are_created_once_and_bad_input_writes_nothing() {
    let api = Api::new();
    for (path, body) in exchange() {
        let (status, answer) = api.post_json(path, &body);
        assert_eq!(status, 201, "{path}: {answer}");
        assert!(
            answer["imported"].as_u64().unwrap() >= 1,
            "{path}: {answer}"
        );
    }
    let after_first = snapshot();
    assert!(after_first.values().all(|items| !items.is_empty()));

    for (path, body) in exchange() {
        assert_eq!(api.post_json(path, &body).0, 201, "{path} again");
    }
    assert_eq!(snapshot(), after_first, "re-sending changed the tables");

    // 1C's own habits: a BOM, no Content-Type, or a text one.
    let bom = format!("\u{feff}{}", fixture("spec/services.json"));
    assert_eq!(api.post(SERVICES, None, &bom).0, 201);
    assert_eq!(
        api.post(SERVICES, Some("text/plain; charset=utf-8"), &bom)
            .0,
        201
    );

    let oversized = format!(
        "{{\"services\": [], \"pad\": \"{}\"}}",
        "x".repeat(6 * 1024 * 1024)
    );
    let unknown_counter = json!({"counters": [{"counter": "11111111-2222-3333-4444-555555555555",
        "date": "2018-12-05T15:14:46", "current_data1": 1}]});
    let bad: Vec<(&str, String, u16, &str)> = vec![
        (SERVICES, "{\"services\": [".into(), 400, "invalid_json"),
        (
            SERVICES,
            "{\"accounts\": []}".into(),
            400,
            "missing_collection",
        ),
        (
            SERVICES,
            "{\"services\": \"all\"}".into(),
            400,
            "invalid_collection",
        ),
        (
            BALANCES,
            json!({"balances": [{"date": "2020-25-12"}]}).to_string(),
            400,
            "invalid_items",
        ),
        (
            READINGS,
            unknown_counter.to_string(),
            422,
            "unknown_references",
        ),
        (SERVICES, oversized, 413, "payload_too_large"),
    ];
    for (path, body, status, code) in bad {
        let (got, answer) = api.post_json(path, &body);
        assert_eq!(got, status, "{path} {code}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
    }
    assert_eq!(
        snapshot(),
        after_first,
        "a rejected request wrote something"
    );
}
