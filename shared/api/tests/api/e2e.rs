//! End to end through the HTTP server of `make run` (cargo lambda watch with the production
//! routes) on DynamoDB Local: what a 1C integrator does with curl. `scripts/e2e.sh` starts a
//! server of this checkout on a free port and runs this with `--ignored`; `E2E_URL` says where
//! it listens. Every test works in tenants of its own, created for the run, and checks what it
//! wrote by reading those tenants back: its cost does not depend on what else is stored.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

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

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn acts_imported_over_http_come_back_through_every_read_route() {
    let api = Api::new();
    let act = |number: u64, created_at: &str, status: &str, amount: u64| {
        json!({"act_number": number, "count_number": format!("E2E-{number}"), "created_at": created_at,
               "payer": {"id": 900_001, "name": "ООО «Проверка»"}, "recipient": {"id": 900_002, "name": "ООО «Приёмка»"},
               "act_status": status, "send_date": null, "send_method": null, "send_address": null,
               "vat_rate": 20, "services": [{"title": "Услуга", "amount": amount}]})
    };
    let acts = json!({"acts": [
        act(9_000_001, "2030-01-01", "sended", 1000),
        act(9_000_002, "2030-01-02", "not_sended", 2000),
        act(9_000_003, "2030-01-03", "sended", 1),
    ]});
    let (status, answer) = api.post_json("/v1/billing/acts/import", acts.to_string());
    assert_eq!((status, answer), (201, json!({"imported": 3})));

    let filter = "created_at_from=2030-01-01&created_at_to=2030-01-31&payer_id=900001";
    let (status, page) = api.get(&format!(
        "/v1/billing/acts/1/2?{filter}&sort=amount&direction=desc"
    ));
    assert_eq!(status, 200, "{page}");
    let numbers: Vec<u64> = page["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["act_number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [9_000_002, 9_000_001]);
    assert_eq!(page["data"]["total"], 3);
    assert_eq!(page["data"]["pages"], json!({"page": 1, "total": 2}));
    assert_eq!(page["data"]["items"][0]["amount"], json!(2400));

    let (status, page) = api.get(&format!("/v1/billing/acts/2?{filter}&act_status=sended"));
    assert_eq!((status, page["data"]["total"].as_u64()), (200, Some(2)));
    assert_eq!(
        page["data"]["items"],
        json!([]),
        "page 2 of 10 is past the end"
    );
    assert_eq!(api.get("/v1/billing/acts").0, 200);

    let (status, info) = api.get("/v1/billing/act_info/9000003");
    assert_eq!(status, 200);
    assert_eq!(info["data"]["act_number"], "Акт № 9000003 от 03.01.2030");
    assert_eq!(info["data"]["vat_string"], "НДС 20%");
    assert_eq!(info["data"]["total_amount_with_vat"], json!(1.2));
    assert_eq!(info["data"]["sum_string"], "К оплате: Один рубль 20 коп.");

    let (status, page) = api.get("/v1/billing/act_info/9000003/print");
    assert_eq!(status, 200);
    let page = page.as_str().expect("an HTML page");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains("<h1>Акт № 9000003 от 03.01.2030</h1>"),
        "{page}"
    );
    assert_eq!(api.get("/v1/billing/act_info/123456789012/print").0, 404);
    assert_eq!(api.get("/v1/billing/act_info/123456789012").0, 404);
    let (status, error) = api.get("/v1/billing/acts/1/1000?created_at_to=2020-25-12");
    assert_eq!(status, 400);
    assert_eq!(error["error"]["details"].as_array().unwrap().len(), 2);

    let (_, statuses) = api.get("/v1/billing/filter/act_statuses");
    assert_eq!(
        statuses["data"][0],
        json!({"id": "sended", "name": "Отправлен"})
    );
    let (_, payers) = api.get("/v1/billing/filter/payers");
    assert!(
        payers["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 900_001, "name": "ООО «Проверка»"}))
    );
    let (_, recipients) = api.get("/v1/billing/filter/recipients");
    assert!(
        recipients["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 900_002, "name": "ООО «Приёмка»"}))
    );
}

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn keys_scopes_and_tenants_over_http() {
    let body = fixture("prerequisites/services.json");
    let (status, answer) = Api::with_key(None).post_json(SERVICES, &body);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(
        Api::with_key(None).get("/v1/billing/filter/act_statuses").0,
        401
    );

    let reader = Api::with_key(Some(new_key(
        &fresh_tenant("reader"),
        &[domain::Scope::Read],
    )));
    assert_eq!(reader.post_json(SERVICES, &body).0, 403);
    assert_eq!(reader.get("/v1/billing/filter/act_statuses").0, 200);

    // Two tenants import the same act number; each reads back its own.
    let (first, second) = (
        Api::new(),
        Api::with_key(Some(new_key(&fresh_tenant("other"), &domain::Scope::ALL))),
    );
    for (api, payer) in [
        (&first, "Плательщик первого"),
        (&second, "Плательщик второго"),
    ] {
        let act = json!({"acts": [{"act_number": 9_100_001, "created_at": "2030-02-01", "act_status": "sended",
            "payer": {"id": 1, "name": payer}, "recipient": {"id": 2, "name": "Получатель"},
            "services": [{"title": "Услуга", "amount": 5}]}]});
        assert_eq!(
            api.post_json("/v1/billing/acts/import", act.to_string()).0,
            201
        );
    }
    let (_, payers) = first.get("/v1/billing/filter/payers");
    assert!(
        payers["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": 1, "name": "Плательщик первого"}))
    );
    let (_, payers) = second.get("/v1/billing/filter/payers");
    assert_eq!(
        payers["data"],
        json!([{"id": 1, "name": "Плательщик второго"}])
    );
}

#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn a_period_import_over_http_leaves_exactly_what_1c_holds() {
    use store::RecordWriter;
    let tenant = fresh_tenant("period");
    let api = Api::with_key(Some(new_key(&tenant, &domain::Scope::ALL)));
    for (path, body) in exchange().into_iter().take(3) {
        assert_eq!(api.post_json(path, &body).0, 201, "{path}");
    }
    let account = "af723e90-c3d4-11e4-8075-1c6f652434e1";
    let payment = |id: &str, day: u32, amount: i64| json!({"id": id, "account": account, "date": format!("2018-12-{day:02}"), "amount": amount});
    // What an import wrote an hour ago. It is written straight into the server's tables, as the
    // function would have: over HTTP it would be written now, and a period import never removes
    // what was written in the minute before it began.
    let first = json!({"transactions": [
        payment("11111111-1111-4111-8111-111111111111", 5, -2600),
        payment("22222222-2222-4222-8222-222222222222", 6, -500),
    ]});
    let records = api::import::parse_all::<domain::Transaction>(&first.to_string()).unwrap();
    let stamp = store::Stamp {
        at: chrono::Utc::now() - chrono::Duration::hours(1),
        import: None,
    };
    let tenant = domain::Tenant::parse(&tenant).unwrap();
    let store = server_store();
    runtime().block_on(async {
        let plan = store.plan(&tenant, records, stamp).unwrap();
        RecordWriter::<domain::Transaction>::write(&store, &tenant, plan)
            .await
            .unwrap();
    });
    // December again, as 1C holds it now: the first payment corrected, the second un-posted.
    let december =
        json!({"transactions": [payment("11111111-1111-4111-8111-111111111111", 5, -2700)]});
    let (status, answer) = api.post_json(
        &format!("{TRANSACTIONS}?from=2018-12-01&to=2018-12-31"),
        december.to_string(),
    );
    assert_eq!(
        (status, answer),
        (201, json!({"imported": 1, "removed": 1}))
    );
    let (_, page) = api.get(&format!("/api/accounts/{account}/transactions"));
    let items = page["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["amount"], json!(-2700));
    assert_eq!(items[0]["id"], "11111111-1111-4111-8111-111111111111");
}

/// Through the real router: a print link opens the act's page with no credentials at all, and
/// a residents' app mints a key for one account that reads that account only.
#[test]
#[ignore = "needs a server of this checkout: scripts/e2e.sh"]
fn print_links_and_residents_keys_work_over_http() {
    let api = Api::new();
    let act = json!({"acts": [{"act_number": 9100001, "created_at": "2026-11-30",
        "act_status": "sended", "payer": {"id": 1, "name": "ООО «Василек»"},
        "recipient": {"id": 2, "name": "ООО «Ромашка»"},
        "services": [{"title": "Услуга", "amount": 1000}]}]});
    assert_eq!(
        api.post_json("/v1/billing/acts/import", act.to_string()).0,
        201
    );
    let (status, link) = api.post(
        "/v1/billing/act_info/9100001/print_link?ttl_hours=1",
        None,
        "",
    );
    assert_eq!(status, 201, "{link}");
    let url = link["data"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/v1/billing/act_info/9100001/print?link=",
            api.base
        )),
        "{url}"
    );
    let (status, page) = api.open(url);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("9100001") && page.contains("Ромашка"),
        "the act's page"
    );
    let (status, _) = api.open(&url.replace("9100001/print", "9100002/print"));
    assert_eq!(status, 404, "a link opens its own act only");
    let (status, _) = api.open(url.split("?link=").next().unwrap());
    assert_eq!(status, 401, "the page itself still needs a key");

    assert_eq!(
        api.post_json(ACCOUNTS, fixture("prerequisites/accounts.json"))
            .0,
        201
    );
    let own = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
    let (status, minted) = api.post_json("/api/keys", json!({"account": own}).to_string());
    assert_eq!(status, 201, "{minted}");
    let resident = Api::with_key(Some(minted["data"]["key"].as_str().unwrap().to_owned()));
    assert_eq!(resident.get(&format!("/api/accounts/{own}")).0, 200);
    assert_eq!(
        resident
            .get("/api/accounts/ad96e8ab-476f-11e7-8518-0050569f0c67")
            .0,
        404
    );
    assert_eq!(resident.get("/v1/billing/acts").0, 403);
    let id = minted["data"]["id"].as_str().unwrap();
    let (status, revoked) = api.delete(&format!("/api/keys/{id}"));
    assert_eq!(status, 200, "{revoked}");
    assert_eq!(api.delete(&format!("/api/keys/{id}")).0, 404);
}

/// The loop a residents' app exists for, through `make run`: the office sets its window, a
/// resident's key submits (and sends again), 1C pulls, imports the reading back, acknowledges,
/// and the resident sees it applied.
#[test]
#[ignore = "needs `make run`; scripts/e2e.sh runs it"]
fn residents_readings_go_round_the_loop_over_http() {
    let api = Api::new();
    for (path, file) in [
        (SERVICES, "prerequisites/services.json"),
        (ACCOUNTS, "prerequisites/accounts.json"),
        (COUNTERS, "prerequisites/counters.json"),
    ] {
        assert_eq!(api.post_json(path, fixture(file)).0, 201, "{path}");
    }
    let settings = json!({"time_zone": "Asia/Yekaterinburg", "readings_window": null});
    let (status, set) = api.put_json("/api/settings", settings.to_string());
    assert_eq!((status, &set["data"]), (200, &settings), "{set}");
    let account = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
    let meter = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
    let (status, minted) = api.post_json("/api/keys", json!({"account": account}).to_string());
    assert_eq!(status, 201, "{minted}");
    let resident = Api::with_key(Some(minted["data"]["key"].as_str().unwrap().to_owned()));
    assert_eq!(resident.get("/api/settings").1["data"], settings);

    let readings = format!("/api/counters/{meter}/readings");
    let body = json!({"id": "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a", "current_data1": "150,5"});
    let (status, submitted) = resident.post_json(&readings, body.to_string());
    assert_eq!(status, 201, "{submitted}");
    assert_eq!(submitted["data"]["status"], "pending");
    let (status, again) = resident.post_json(&readings, body.to_string());
    assert_eq!((status, &again["data"]), (200, &submitted["data"]));
    let other = "/api/counters/11111111-2222-3333-4444-555555555555/readings";
    assert_eq!(resident.post_json(other, body.to_string()).0, 404);
    assert_eq!(resident.get("/api/counter/export").0, 403);

    let (status, export) = api.get("/api/counter/export?limit=10");
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["data"]["more"], false);
    let pulled = export["data"]["counters"].clone();
    assert_eq!(pulled[0]["id"], body["id"]);
    let (status, imported) = api.post_json(
        "/api/counter/import",
        json!({"counters": pulled}).to_string(),
    );
    assert_eq!(status, 201, "{imported}");
    let ack = json!({"readings": [{"id": body["id"], "status": "applied"}]});
    let (status, acknowledged) = api.post_json("/api/counter/export/ack", ack.to_string());
    assert_eq!(status, 200, "{acknowledged}");
    assert_eq!(
        api.get("/api/counter/export").1["data"]["counters"],
        json!([])
    );

    let (_, mine) = resident.get(&format!("/api/counters/{meter}/submissions"));
    assert_eq!(mine["data"]["items"][0]["status"], "applied", "{mine}");
    let (_, history) = resident.get(&format!("{readings}?limit=1"));
    assert_eq!(history["data"]["items"][0]["current_data1"], json!(150.5));
    assert_eq!(
        history["data"]["items"][0]["date"],
        submitted["data"]["date"]
    );
}
