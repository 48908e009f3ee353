//! End to end through the HTTP server of `make run` (cargo lambda watch with the production
//! routes) on DynamoDB Local: what a 1C integrator does with curl. `scripts/e2e.sh` starts a
//! server of this checkout on a free port and runs this with `--ignored`; `E2E_URL` says where
//! it listens. Every test works in tenants of its own, created for the run, and checks what it
//! wrote by reading those tenants back: its cost does not depend on what else is stored.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

mod acts_and_keys;

mod residents;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A client of the server under test, for one tenant of its own.
struct Api {
    base: String,
    agent: ureq::Agent,
    /// Sent as `Authorization: Bearer …` when set.
    key: Option<String>,
}

/// The environment the server's functions run with: the file `LAMBDA_ENV` names
/// (`.local/lambda.env` by default), which `scripts/e2e.sh` writes before it starts the server.
fn local_env() -> Vec<(String, String)> {
    let file = std::env::var("LAMBDA_ENV").unwrap_or_else(|_| ".local/lambda.env".to_owned());
    std::fs::read_to_string(format!("{ROOT}/{file}"))
        .expect("the functions' environment: scripts/e2e.sh (make tables) writes it")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A tenant name no earlier run used: every run starts from an empty tenant, whatever the local
/// database already holds.
fn fresh_tenant(role: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("e2e-{role}-{nanos:x}")
}

/// The server's store, as its functions see it.
fn server_store() -> store::Dynamo {
    let env = local_env();
    let tables = store::Tables::from_lookup(|var| {
        env.iter().find(|(k, _)| k == var).map(|(_, v)| v.clone())
    })
    .unwrap();
    let endpoint = env
        .iter()
        .find(|(k, _)| k == "AWS_ENDPOINT_URL_DYNAMODB")
        .map(|(_, v)| v.as_str())
        .unwrap_or(local_tables::DEFAULT_ENDPOINT);
    store::Dynamo::new(local_tables::client_at(endpoint), tables)
}

/// A new API key on the server's keys table, as `make key` creates one.
fn new_key(tenant: &str, scopes: &[domain::Scope]) -> String {
    let store = server_store();
    let key = domain::ApiKey::generate();
    let tenant = domain::Tenant::parse(tenant).unwrap();
    runtime()
        .block_on(store.create_key(&key.hash(), &tenant, scopes))
        .unwrap();
    key.reveal().to_owned()
}

/// Status and JSON (or the text, when it is not JSON) of an answer.
fn json_answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

impl Api {
    /// With a key of both scopes for a fresh tenant.
    fn new() -> Self {
        Self::with_key(Some(new_key(&fresh_tenant("main"), &domain::Scope::ALL)))
    }

    fn with_key(key: Option<String>) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // The first request to each function waits for cargo lambda to build it.
            .timeout_global(Some(Duration::from_secs(600)))
            .build();
        Self {
            base: std::env::var("E2E_URL").unwrap_or_else(|_| "http://127.0.0.1:9000".into()),
            agent: config.into(),
            key,
        }
    }

    fn authorize<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.key {
            Some(key) => request.header("authorization", format!("Bearer {key}")),
            None => request,
        }
    }

    fn post(&self, path: &str, content_type: Option<&str>, body: impl AsRef<[u8]>) -> (u16, Value) {
        let mut request = self.authorize(self.agent.post(format!("{}{path}", self.base)));
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        json_answer(request.send(body.as_ref()).expect("the server answers"))
    }

    fn post_json(&self, path: &str, body: impl AsRef<[u8]>) -> (u16, Value) {
        self.post(path, Some("application/json"), body)
    }

    fn put_json(&self, path: &str, body: impl AsRef<[u8]>) -> (u16, Value) {
        let request = self.authorize(self.agent.put(format!("{}{path}", self.base)));
        let request = request.header("content-type", "application/json");
        json_answer(request.send(body.as_ref()).expect("the server answers"))
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let request = self.authorize(self.agent.get(format!("{}{path}", self.base)));
        json_answer(request.call().expect("the server answers"))
    }

    fn delete(&self, path: &str) -> (u16, Value) {
        let request = self.authorize(self.agent.delete(format!("{}{path}", self.base)));
        json_answer(request.call().expect("the server answers"))
    }

    /// An absolute URL as a browser opens it: no credentials; the status and the text.
    fn open(&self, url: &str) -> (u16, String) {
        let mut response = self.agent.get(url).call().expect("the server answers");
        let status = response.status().as_u16();
        (status, response.body_mut().read_to_string().unwrap())
    }

    /// Every item of a history, following `next` to its end; an error answer (`404` for an
    /// unknown account or counter) as it is.
    fn history(&self, path: &str) -> Value {
        let mut items = Vec::new();
        let mut next = String::new();
        loop {
            let (status, page) = self.get(&format!("{path}?limit=1000{next}"));
            if status != 200 {
                return json!({"status": status, "answer": page});
            }
            items.extend(page["data"]["items"].as_array().unwrap().iter().cloned());
            match page["data"]["next"].as_str() {
                Some(token) => next = format!("&next={token}"),
                None => return Value::Array(items),
            }
        }
    }

    /// What this tenant holds under the given ids, read back through the API: its services,
    /// each account (with its counters and latest balances), their histories and each counter's
    /// readings. It reads only this tenant's own data, so it costs the same however much else
    /// the local database holds.
    fn holdings(&self, ids: &Ids) -> BTreeMap<String, Value> {
        let mut all = BTreeMap::new();
        all.insert("services".into(), self.get("/api/services").1);
        for id in &ids.accounts {
            all.insert(
                format!("account {id}"),
                self.get(&format!("/api/accounts/{id}")).1,
            );
            for history in ["balances", "transactions"] {
                let items = self.history(&format!("/api/accounts/{id}/{history}"));
                all.insert(format!("{history} {id}"), items);
            }
        }
        for id in &ids.counters {
            let items = self.history(&format!("/api/counters/{id}/readings"));
            all.insert(format!("readings {id}"), items);
        }
        all
    }
}

/// The accounts and counters a test's requests name.
#[derive(Default)]
struct Ids {
    accounts: std::collections::BTreeSet<String>,
    counters: std::collections::BTreeSet<String>,
}

impl Ids {
    /// The accounts and counters of the directories that [`exchange`] imports.
    fn of_exchange() -> Self {
        let mut ids = Self::default();
        for (path, body) in exchange() {
            match path {
                ACCOUNTS => Self::add(&mut ids.accounts, &body, "accounts", "id"),
                COUNTERS => Self::add(&mut ids.counters, &body, "counters", "id"),
                _ => {}
            }
        }
        ids
    }

    /// Every `field` of the items of `collection` in `body`.
    fn add(
        set: &mut std::collections::BTreeSet<String>,
        body: &str,
        collection: &str,
        field: &str,
    ) {
        let body: Value = serde_json::from_str(body.trim_start_matches('\u{feff}')).unwrap();
        for item in body[collection].as_array().into_iter().flatten() {
            if let Some(id) = item[field].as_str() {
                set.insert(id.trim().to_lowercase());
            }
        }
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

/// What the curl session of docs/development.md posts, in order.
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

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
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
    let mut ids = Ids::of_exchange();
    let after_first = api.holdings(&ids);
    for kind in ["account", "balances", "transactions", "readings"] {
        let filled = after_first
            .iter()
            .filter(|(name, _)| name.starts_with(kind))
            .any(|(_, answer)| answer.as_array().is_none_or(|items| !items.is_empty()));
        assert!(filled, "nothing of {kind} came back: {after_first:?}");
    }

    for (path, body) in exchange() {
        assert_eq!(api.post_json(path, &body).0, 201, "{path} again");
    }
    assert_eq!(
        api.holdings(&ids),
        after_first,
        "re-sending changed what is stored"
    );

    // Everything reads back through the read API, exactly.
    let (status, account) = api.get("/api/accounts/358d67ad-d66e-11e3-bd79-94de80e97e9a");
    assert_eq!(status, 200, "{account}");
    let counters = account["data"]["counters"].as_array().unwrap();
    let kitchen = counters
        .iter()
        .find(|c| c["id"] == "a7a747b2-24d8-11e7-ae76-0050569f0c67")
        .unwrap();
    assert_eq!(kitchen["latest_reading"]["current_data1"], json!(33));
    let (_, readings) = api.get(
        "/api/counters/a7a747b2-24d8-11e7-ae76-0050569f0c67/readings?from=2018-12-05&to=2018-12-05",
    );
    assert_eq!(readings["data"]["items"][0]["date"], "2018-12-05T15:14:46");
    let (_, balances) =
        api.get("/api/accounts/ad96e8ab-476f-11e7-8518-0050569f0c67/balances?limit=1");
    assert_eq!(balances["data"]["items"][0]["amount"], json!(-20394.86));
    let (_, transactions) =
        api.get("/api/accounts/af723e90-c3d4-11e4-8075-1c6f652434e1/transactions");
    assert_eq!(transactions["data"]["items"][0]["amount"], json!(-2600));
    let (_, services) = api.get("/api/services");
    assert!(services["data"]["items"].as_array().unwrap().len() >= 4);

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
    ids.counters
        .insert("11111111-2222-3333-4444-555555555555".into());
    let after_first = api.holdings(&ids);
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
        api.holdings(&ids),
        after_first,
        "a rejected request wrote something"
    );
}
