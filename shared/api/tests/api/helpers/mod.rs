//! The one test harness, in the way of zero2prod's `TestApp`: an app on fresh DynamoDB Local
//! tables, a key for its tenant, and a method per endpoint. Every call goes through
//! `api::Endpoint::handle`, the handler each function's `main` runs.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use api::{App, Endpoint};
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use domain::{ApiKey, Clock, PersonalData, Scope, SigningKey, Tenant};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{Value, json};
use store::{Dynamo, Table, Tables};

/// An app, a key of both scopes, and the key's tenant. Apps are shared: [`TestApp::fresh_tenant`]
/// and [`TestApp::with_key`] give other keys on the same tables, store and clock.
pub struct TestApp {
    pub app: Arc<App<Dynamo>>,
    pub key: ApiKey,
    pub tenant: Tenant,
}

impl TestApp {
    /// Fresh tables, personal data stored as sent (the tests read it back), a clock moved by
    /// hand ([`TestApp::time_passes`]), and a key of both scopes for the tenant `default`.
    pub async fn new(test: &str) -> Self {
        Self::storing(test, PersonalData::Store).await
    }

    /// As [`TestApp::new`], with another personal-data policy.
    pub async fn storing(test: &str, personal_data: PersonalData) -> Self {
        let (client, names) = local_tables::fresh_tables(test).await;
        let tables = Tables::from_lookup(|var| names.get(var).cloned()).unwrap();
        let app = App::new(Dynamo::new(client, tables), personal_data)
            .with_signing_key(signing_key())
            .with_clock(Clock::manual(chrono::Utc::now()));
        let app = Arc::new(app);
        let key = create_key(&app, "default", &Scope::ALL).await;
        Self {
            app,
            key,
            tenant: tenant("default"),
        }
    }

    /// The same app as a fresh tenant `name`, with a key of both scopes.
    pub async fn fresh_tenant(&self, name: &str) -> TestApp {
        TestApp {
            app: self.app.clone(),
            key: create_key(&self.app, name, &Scope::ALL).await,
            tenant: tenant(name),
        }
    }

    /// A new key on the same app: for another tenant, or with fewer scopes.
    pub async fn key_for(&self, tenant: &str, scopes: &[Scope]) -> ApiKey {
        create_key(&self.app, tenant, scopes).await
    }

    /// A new key of `tenant` bound to one account, as a residents' app holds for a resident.
    pub async fn key_bound_to(&self, tenant_name: &str, scopes: &[Scope], account: &str) -> ApiKey {
        let key = ApiKey::generate();
        self.store()
            .create_key_for(
                &key.hash(),
                &tenant(tenant_name),
                scopes,
                Some(account.parse().unwrap()),
            )
            .await
            .unwrap();
        key
    }

    /// The same app, calling with `key`.
    pub fn with_key(&self, key: &ApiKey) -> TestApp {
        TestApp {
            app: self.app.clone(),
            key: key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    pub fn store(&self) -> &Dynamo {
        self.app.store()
    }

    pub fn clock(&self) -> &Clock {
        self.app.clock()
    }

    /// More than [`store::periods::SETTLE`] passes: what was written before counts as written
    /// before the next period import began, which may then remove it.
    pub fn time_passes(&self) {
        let settle = chrono::Duration::from_std(store::periods::SETTLE).unwrap();
        self.clock().advance(settle + chrono::Duration::seconds(1));
    }

    /// The same tables, tenant and clock, whose store fails every write call after the first
    /// `writes`, as a lost connection or a stopped function would.
    pub fn crashing_after(&self, writes: usize) -> TestApp {
        self.intercepted(FailWrites(Arc::new(AtomicUsize::new(writes))))
    }

    /// The same app, and a count of the DynamoDB calls its store makes from now on.
    pub fn counting_calls(&self) -> (TestApp, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (self.intercepted(CountCalls(calls.clone())), calls)
    }

    /// The same tables, tenant and clock, with `interceptor` on the DynamoDB client.
    pub fn intercepted(&self, interceptor: impl Intercept + 'static) -> TestApp {
        let store = self.store();
        let config = store
            .client()
            .config()
            .to_builder()
            .interceptor(interceptor)
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        let store = Dynamo::new(client, store.tables().clone());
        self.rebuilt(store, self.app.personal_data().clone())
    }

    /// The same tables, tenant, key and clock, applying another personal-data policy.
    pub fn with_personal_data(&self, personal_data: PersonalData) -> TestApp {
        self.rebuilt(self.store().clone(), personal_data)
    }

    /// The same tables, tenant, key and clock, with no cache of verified keys: what a warm
    /// function sees once the cache's minute is over.
    pub fn without_key_cache(&self) -> TestApp {
        let app = App::new(self.store().clone(), self.app.personal_data().clone())
            .with_signing_key(signing_key())
            .with_clock(self.clock().clone())
            .with_key_ttl(std::time::Duration::ZERO);
        TestApp {
            app: Arc::new(app),
            key: self.key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    fn rebuilt(&self, store: Dynamo, personal_data: PersonalData) -> TestApp {
        let app = App::new(store, personal_data)
            .with_signing_key(signing_key())
            .with_clock(self.clock().clone());
        TestApp {
            app: Arc::new(app),
            key: self.key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    /// The same app signing with another key: a deployment whose signing secret was rotated.
    pub fn with_signing_key(&self, key: SigningKey) -> TestApp {
        let app = App::new(self.store().clone(), self.app.personal_data().clone())
            .with_signing_key(key)
            .with_clock(self.clock().clone());
        TestApp {
            app: Arc::new(app),
            key: self.key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    /// `request` as it is (with its own key, or none), to `endpoint`'s handler.
    pub async fn call(&self, endpoint: Endpoint, request: Request) -> Response<Body> {
        endpoint.handle(&self.app, request).await.unwrap()
    }

    /// Status and JSON of [`TestApp::call`].
    pub async fn send(&self, endpoint: Endpoint, request: Request) -> (u16, Value) {
        status_and_json(self.call(endpoint, request).await)
    }

    /// `POST` of the text `body` to an import, with the app's key.
    pub async fn post(&self, endpoint: Endpoint, body: impl Into<String>) -> (u16, Value) {
        let request = post(body.into());
        self.send(endpoint, authorized(request, &self.key)).await
    }

    /// [`TestApp::post`], which must answer `201`.
    pub async fn post_ok(&self, endpoint: Endpoint, body: impl Into<String>) -> Value {
        let (status, answer) = self.post(endpoint, body).await;
        assert_eq!(status, 201, "{endpoint:?}: {answer}");
        answer
    }

    /// `POST` of `{"<collection>": items}` with a query string (a period).
    pub async fn post_items(
        &self,
        endpoint: Endpoint,
        items: Value,
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let collection = endpoint.collection().expect("an import");
        let body = json!({ collection: items }).to_string();
        let request = post(body).with_query_string_parameters(pairs(query));
        self.send(endpoint, authorized(request, &self.key)).await
    }

    /// `GET` with path parameters and a query string, with the app's key.
    pub async fn get(
        &self,
        endpoint: Endpoint,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        status_and_json(self.get_response(endpoint, path, query).await)
    }

    pub async fn get_response(
        &self,
        endpoint: Endpoint,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
    ) -> Response<Body> {
        self.call(endpoint, get_request(&self.key, path, query))
            .await
    }

    /// `POST /api/directory/importservices`.
    pub async fn post_services(&self, items: Value) -> (u16, Value) {
        self.post_items(Endpoint::ImportServices, items, &[]).await
    }

    /// `POST /api/directory/importaccounts`.
    pub async fn post_accounts(&self, items: Value) -> (u16, Value) {
        self.post_items(Endpoint::ImportAccounts, items, &[]).await
    }

    /// `POST /api/directory/importcounters`.
    pub async fn post_counters(&self, items: Value) -> (u16, Value) {
        self.post_items(Endpoint::ImportCounters, items, &[]).await
    }

    /// `POST /api/counter/import`, with a query string (a period).
    pub async fn post_readings(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.post_items(Endpoint::ImportReadings, items, query)
            .await
    }

    /// `POST /api/counters/{id}/readings`: a resident's submission.
    pub async fn post_submission(&self, counter: &str, body: Value) -> (u16, Value) {
        self.send_body(Endpoint::CounterSubmit, &[("id", counter)], &[], body)
            .await
    }

    /// `GET /api/counters/{id}/submissions`.
    pub async fn get_submissions(&self, counter: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::CounterSubmissions, &[("id", counter)], query)
            .await
    }

    /// `GET /api/counter/export`.
    pub async fn get_export(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::CounterExport, &[], query).await
    }

    /// `POST /api/counter/export/ack`.
    pub async fn post_ack(&self, body: Value) -> (u16, Value) {
        self.send_body(Endpoint::CounterExportAck, &[], &[], body)
            .await
    }

    /// `PUT /api/settings`.
    pub async fn put_settings(&self, body: Value) -> (u16, Value) {
        self.send_body(Endpoint::SettingsPut, &[], &[], body).await
    }

    /// `GET /api/settings`.
    pub async fn get_settings(&self) -> (u16, Value) {
        self.get(Endpoint::SettingsGet, &[], &[]).await
    }

    /// A request with a JSON body to `endpoint` (its own method), with the app's key.
    pub async fn send_body(
        &self,
        endpoint: Endpoint,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
        body: Value,
    ) -> (u16, Value) {
        let request = lambda_http::http::Request::builder()
            .method(endpoint.method())
            .body(Body::from(body.to_string()))
            .unwrap()
            .with_path_parameters(pairs(path))
            .with_query_string_parameters(pairs(query));
        self.send(endpoint, authorized(request, &self.key)).await
    }

    /// `POST /api/balance/import`, with a query string (a period).
    pub async fn post_balances(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.post_items(Endpoint::ImportBalances, items, query)
            .await
    }

    /// `POST /api/transaction/import`, with a query string (a period).
    pub async fn post_transactions(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.post_items(Endpoint::ImportTransactions, items, query)
            .await
    }

    /// `POST /v1/billing/acts/import`.
    pub async fn post_acts(&self, acts: &[Value]) -> (u16, Value) {
        self.post_items(Endpoint::ImportActs, json!(acts), &[])
            .await
    }

    /// `GET /api/services`.
    pub async fn get_services(&self) -> (u16, Value) {
        self.get(Endpoint::ServicesList, &[], &[]).await
    }

    /// `GET /api/accounts/{id}`.
    pub async fn get_account(&self, id: &str) -> (u16, Value) {
        self.get(Endpoint::AccountGet, &[("id", id)], &[]).await
    }

    /// `GET /api/accounts/{id}/balances` with a query string.
    pub async fn get_balances(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::AccountBalances, &[("id", id)], query)
            .await
    }

    /// `GET /api/accounts/{id}/transactions` with a query string.
    pub async fn get_transactions(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::AccountTransactions, &[("id", id)], query)
            .await
    }

    /// `GET /api/counters/{id}/readings` with a query string.
    pub async fn get_readings(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::CounterReadings, &[("id", id)], query)
            .await
    }

    /// `GET /v1/billing/acts[/{page}[/{limit}]]`: path parameters and query string.
    pub async fn get_acts(&self, path: &[(&str, &str)], query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::ActsList, path, query).await
    }

    /// `GET /v1/billing/act_info/{act_id}`.
    pub async fn get_act_info(&self, act_id: &str) -> (u16, Value) {
        self.get(Endpoint::ActInfo, &[("act_id", act_id)], &[])
            .await
    }

    /// `GET /v1/billing/act_info/{act_id}/print`: the whole answer.
    pub async fn get_act_print(&self, act_id: &str) -> Response<Body> {
        self.get_response(Endpoint::ActPrint, &[("act_id", act_id)], &[])
            .await
    }

    /// `POST /v1/billing/act_info/{act_id}/print_link` with a query string (`ttl_hours`).
    pub async fn post_print_link(&self, act_id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let request = post(String::new())
            .with_path_parameters(pairs(&[("act_id", act_id)]))
            .with_query_string_parameters(pairs(query));
        self.send(Endpoint::ActPrintLink, authorized(request, &self.key))
            .await
    }

    /// `GET` of a print link's URL with no credentials at all, as a customer's browser opens it.
    pub async fn open_print_link(&self, url: &str) -> Response<Body> {
        let (path, query) = url.split_once("?link=").expect("a print link");
        let act_id = path.rsplit('/').nth(1).expect("…/{act_id}/print");
        let request = lambda_http::http::Request::builder()
            .method("GET")
            .body(Body::Empty)
            .unwrap()
            .with_path_parameters(pairs(&[("act_id", act_id)]))
            .with_query_string_parameters(pairs(&[("link", query)]));
        self.call(Endpoint::ActPrint, request).await
    }

    /// `GET /v1/billing/filter/act_statuses`.
    pub async fn get_act_statuses(&self) -> (u16, Value) {
        self.get(Endpoint::ActStatuses, &[], &[]).await
    }

    /// `GET /v1/billing/filter/payers`, which must answer `200`: its body.
    pub async fn get_payers(&self) -> Value {
        let (status, answer) = self.get(Endpoint::ActPayers, &[], &[]).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// `GET /v1/billing/filter/recipients`, which must answer `200`: its body.
    pub async fn get_recipients(&self) -> Value {
        let (status, answer) = self.get(Endpoint::ActRecipients, &[], &[]).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// Every item of every data table, for "nothing changed" checks. When an item was last
    /// written is bookkeeping for period imports, not data: it is left out.
    pub async fn snapshot(&self) -> BTreeMap<&'static str, Vec<String>> {
        let store = self.store();
        let mut all = BTreeMap::new();
        // The keys table holds the test's own key.
        for table in Table::ALL.into_iter().filter(|t| *t != Table::ApiKeys) {
            let items = store
                .client()
                .scan()
                .table_name(store.tables().name(table))
                .send()
                .await
                .unwrap()
                .items
                .unwrap_or_default();
            // serde_json's maps are sorted: equal items print equal, nested maps included.
            let mut items: Vec<String> = items
                .into_iter()
                .map(|mut i| {
                    i.remove("written_at");
                    serde_dynamo::from_item::<_, Value>(i).unwrap().to_string()
                })
                .collect();
            items.sort();
            all.insert(table.env_var(), items);
        }
        all
    }
}

async fn create_key(app: &App<Dynamo>, tenant_name: &str, scopes: &[Scope]) -> ApiKey {
    let key = ApiKey::generate();
    app.store()
        .create_key(&key.hash(), &tenant(tenant_name), scopes)
        .await
        .unwrap();
    key
}

pub fn tenant(name: &str) -> Tenant {
    Tenant::parse(name).unwrap()
}

/// A number a test reads from its environment (how many cases a model-based test runs, the
/// seed it starts from), or `default`.
pub fn env_setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A file under the repository's `fixtures/`.
pub fn fixture(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap()
}

pub fn authorized(mut request: Request, key: &ApiKey) -> Request {
    let header = format!("Bearer {}", key.reveal()).parse().unwrap();
    request.headers_mut().insert(AUTHORIZATION, header);
    request
}

/// A `POST` of `body`, without a key.
pub fn post(body: impl Into<Body>) -> Request {
    lambda_http::http::Request::builder()
        .method("POST")
        .body(body.into())
        .unwrap()
}

/// A GET with these path parameters and query string, authorized with `key`.
pub fn get_request(key: &ApiKey, path: &[(&str, &str)], query: &[(&str, &str)]) -> Request {
    let request = lambda_http::http::Request::builder()
        .method("GET")
        .body(Body::Empty)
        .unwrap()
        .with_path_parameters(pairs(path))
        .with_query_string_parameters(pairs(query));
    authorized(request, key)
}

fn pairs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Status and JSON body of an answer.
pub fn status_and_json(response: Response<Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let Body::Text(text) = response.body() else {
        panic!("no text body")
    };
    (status, serde_json::from_str(text).unwrap())
}

/// The act of the spec's act_info example, with every printed field.
pub fn spec_info_act() -> Value {
    json!({
        "act_number": 777, "count_number": "42800", "created_at": "2018-10-31",
        "payer": {"id": 777, "name": "ООО «Василек»"}, "recipient": {"id": 333, "name": "ООО «Ромашка»"},
        "act_status": "sended", "send_date": "2019-01-15", "send_method": null,
        "send_address": "г Москва, ул Филевская 2-я, д 8", "vat_rate": null,
        "services": [{"title": "Лицензионное вознаграждение за использование Сервиса", "amount": 1000}],
        "act_description": "приема-передачи неисключительных прав на использование Сервиса Jcat.ru",
        "act_text": "ООО «Ромашка», именуемое в дальнейшем «Лицензиар» (ИНН 1111111111), и\nООО «Василек», именуемое в дальнейшем «Лицензиат» (ИНН 3333333333), а вместе именуемые «Стороны», составили и подписали настоящий Акт о том,\nчто «Лицензиар» передал, а «Лицензиат» принял на основании договора на условиях простой (неисключительной) лицензии права на использование программ для ЭВМ «Сервис», а именно:",
        "contacts": "Москва: (495) 111-2222\nСанкт-Петербург: (812) 111-2222\nРегионы РФ: 8 (800) 111-2222",
        "warranty_text": "Размер Лицензионного вознаграждения НДС не облагается  в соответствии с п.2 ст. 346.11 НК РФ.\nЛицензиар выполнил все обязательства в полном объёме в срок с надлежащим качеством.\nЛицензиат претензий к Лицензиару не имеет.",
        "payment_text": "Оплата производится в соответствии с условиями договора",
        "general_manager_position": "Главный бухгалтер",
        "general_manager": "Иванова А.В.",
        "general_manager_procuratory": "по доверенности №1 от 11 января 2000 г.",
        "postal_address": "Адрес для отправки почтовой корреспонденции: 333333, г. Москва, Московский проезд, д.1",
        "customer_general_manager": "Генеральный директор Иванов Иван Иваныч",
        "logo": "https://www.somesite.ru/img/logo.jpg"
    })
}

/// Fails every DynamoDB write call (BatchWriteItem, PutItem, UpdateItem, DeleteItem,
/// TransactWriteItems) after the first N: a test's crash between two steps of a write.
#[derive(Debug)]
struct FailWrites(Arc<AtomicUsize>);

impl Intercept for FailWrites {
    fn name(&self) -> &'static str {
        "FailWrites"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let input = context.input();
        let write = input.downcast_ref::<BatchWriteItemInput>().is_some()
            || input.downcast_ref::<PutItemInput>().is_some()
            || input.downcast_ref::<UpdateItemInput>().is_some()
            || input.downcast_ref::<DeleteItemInput>().is_some()
            || input.downcast_ref::<TransactWriteItemsInput>().is_some();
        if !write {
            return Ok(());
        }
        match self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            }) {
            Ok(_) => Ok(()),
            Err(_) => Err("injected failure".into()),
        }
    }
}

/// Counts every DynamoDB call.
#[derive(Debug)]
struct CountCalls(Arc<AtomicUsize>);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "CountCalls"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The tests' signing key, as `make run`'s is: no secret.
pub fn signing_key() -> SigningKey {
    SigningKey::new(b"tests-only-not-a-secret-signing-key-0000").unwrap()
}
