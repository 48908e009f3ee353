//! What the in-process tests share: fresh tables on DynamoDB Local, an `App` on them, and API
//! keys to call it with.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use api::App;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use domain::{ApiKey, Clock, PersonalData, Scope, Tenant};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use store::{Dynamo, Tables};

/// The app and a key of both scopes for the tenant `default`.
pub type Harness = (App<Dynamo>, ApiKey);

/// A file under the repository's `fixtures/`.
pub fn fixture(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap()
}

pub async fn stack(test: &str) -> Dynamo {
    let (client, names) = localstack::fresh_tables(test).await;
    Dynamo::new(
        client,
        Tables::from_lookup(|var| names.get(var).cloned()).unwrap(),
    )
}

/// An app on fresh tables that stores personal data as sent (the tests read it back), and a key
/// with both scopes for the tenant `default`.
pub async fn app(test: &str) -> Harness {
    let app = App::new(stack(test).await, PersonalData::Store);
    let key = key(&app, "default", &Scope::ALL).await;
    (app, key)
}

pub async fn key(app: &App<Dynamo>, tenant: &str, scopes: &[Scope]) -> ApiKey {
    let key = ApiKey::generate();
    let tenant = Tenant::parse(tenant).unwrap();
    app.store()
        .create_key(&key.hash(), &tenant, scopes)
        .await
        .unwrap();
    key
}

pub fn tenant(name: &str) -> Tenant {
    Tenant::parse(name).unwrap()
}

pub fn authorized(mut request: Request, key: &ApiKey) -> Request {
    let header = format!("Bearer {}", key.reveal()).parse().unwrap();
    request.headers_mut().insert(AUTHORIZATION, header);
    request
}

pub fn post(key: &ApiKey, body: impl Into<Body>) -> Request {
    let request = lambda_http::http::Request::builder()
        .method("POST")
        .body(body.into())
        .unwrap();
    authorized(request, key)
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

/// The app on fresh tables with a key of both scopes for the tenant `default`, and the calls the
/// tests make, by endpoint. Its clock is moved by hand ([`TestApp::time_passes`]).
pub struct TestApp {
    pub app: App<Dynamo>,
    pub key: ApiKey,
    pub tenant: Tenant,
}

impl TestApp {
    pub async fn new(test: &str) -> Self {
        let (app, key) = app(test).await;
        let app = app.with_clock(Clock::manual(chrono::Utc::now()));
        Self {
            app,
            key,
            tenant: tenant("default"),
        }
    }

    /// Another app on the same tables and clock, as a fresh tenant named `name`.
    pub async fn fresh_tenant(&self, name: &str) -> TestApp {
        let app = App::new(self.app.store().clone(), PersonalData::Store)
            .with_clock(self.clock().clone());
        TestApp {
            key: key(&app, name, &Scope::ALL).await,
            app,
            tenant: tenant(name),
        }
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

    /// Another key on the same app: for another tenant, or with fewer scopes.
    pub async fn key_for(&self, tenant: &str, scopes: &[Scope]) -> ApiKey {
        key(&self.app, tenant, scopes).await
    }

    pub async fn post_acts(&self, acts: &[Value]) -> (u16, Value) {
        let body = json!({ "acts": acts }).to_string();
        let request = post(&self.key, body);
        status_and_json(
            api::import::<domain::Act, _>(&self.app, request)
                .await
                .unwrap(),
        )
    }

    /// The same tables, as another tenant with both scopes.
    pub async fn as_tenant(&self, tenant: &str) -> TestApp {
        self.fresh_tenant(tenant).await
    }

    /// The same app (tables, tenant, clock) whose store fails every write call after the first
    /// `writes`, as a lost connection or a stopped function would.
    pub fn crashing_after(&self, writes: usize) -> TestApp {
        self.intercepted(FailWrites(Arc::new(AtomicUsize::new(writes))))
    }

    /// The same app, and a count of the DynamoDB calls its store makes from now on.
    pub fn counting_calls(&self) -> (TestApp, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (self.intercepted(CountCalls(calls.clone())), calls)
    }

    fn intercepted(&self, interceptor: impl Intercept + 'static) -> TestApp {
        let store = self.app.store();
        let config = store
            .client()
            .config()
            .to_builder()
            .interceptor(interceptor)
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(config);
        let store = Dynamo::new(client, store.tables().clone());
        TestApp {
            app: App::new(store, PersonalData::Store).with_clock(self.clock().clone()),
            key: self.key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    /// `POST` a directory import (`/api/directory/import…`) of `{"<collection>": items}`.
    pub async fn post_directory<R>(&self, items: Value) -> (u16, Value)
    where
        R: domain::Record,
        Dynamo: store::RecordWriter<R>,
    {
        let body = json!({ R::COLLECTION: items }).to_string();
        status_and_json(
            api::import::<R, _>(&self.app, post(&self.key, body))
                .await
                .unwrap(),
        )
    }

    /// `POST` a reading, balance or transaction import, with a query string (a period).
    pub async fn post_figures<R>(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value)
    where
        R: domain::Record,
        Dynamo: store::RecordWriter<R> + store::PeriodRemoval<R>,
    {
        use lambda_http::RequestExt;
        let body = json!({ R::COLLECTION: items }).to_string();
        let query: std::collections::HashMap<String, String> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let request = post(&self.key, body).with_query_string_parameters(query);
        status_and_json(
            api::import_period::<R, _>(&self.app, request)
                .await
                .unwrap(),
        )
    }

    /// `GET /api/services`.
    pub async fn get_services(&self) -> (u16, Value) {
        let request = get_request(&self.key, &[], &[]);
        status_and_json(api::reads::services(&self.app, request).await.unwrap())
    }

    /// `GET /api/accounts/{id}`.
    pub async fn get_account(&self, id: &str) -> (u16, Value) {
        let request = get_request(&self.key, &[("id", id)], &[]);
        status_and_json(api::reads::account(&self.app, request).await.unwrap())
    }

    /// `GET /api/accounts/{id}/transactions` with a query string.
    pub async fn get_transactions(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let request = get_request(&self.key, &[("id", id)], query);
        status_and_json(api::reads::transactions(&self.app, request).await.unwrap())
    }

    /// `GET /api/accounts/{id}/balances`.
    pub async fn get_balances(&self, id: &str) -> (u16, Value) {
        let request = get_request(&self.key, &[("id", id)], &[]);
        status_and_json(api::reads::balances(&self.app, request).await.unwrap())
    }

    /// `GET /api/counters/{id}/readings`.
    pub async fn get_readings(&self, id: &str) -> (u16, Value) {
        let request = get_request(&self.key, &[("id", id)], &[]);
        status_and_json(api::reads::readings(&self.app, request).await.unwrap())
    }

    /// `GET /v1/billing/acts[/{page}[/{limit}]]`: path parameters and query string.
    pub async fn get_act_list(
        &self,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let request = get_request(&self.key, path, query);
        status_and_json(api::acts::list(&self.app, request).await.unwrap())
    }

    /// `GET /v1/billing/filter/payers` or `/recipients`: the whole answer.
    pub async fn get_parties(&self, role: domain::PartyRole) -> Value {
        let request = get_request(&self.key, &[], &[]);
        let (status, answer) =
            status_and_json(api::acts::parties(&self.app, request, role).await.unwrap());
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// `GET /v1/billing/act_info/{act_id}/print` with `key`.
    pub async fn get_act_print(&self, act_id: &str, key: &ApiKey) -> Response<Body> {
        let request = get_request(key, &[("act_id", act_id)], &[]);
        api::act_print::print(&self.app, request).await.unwrap()
    }
}

/// A GET with these path parameters and query string, authorized with `key`.
pub fn get_request(key: &ApiKey, path: &[(&str, &str)], query: &[(&str, &str)]) -> Request {
    use lambda_http::RequestExt;
    let to_map = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let request = lambda_http::http::Request::builder()
        .method("GET")
        .body(Body::Empty)
        .unwrap()
        .with_path_parameters(to_map(path))
        .with_query_string_parameters(to_map(query));
    authorized(request, key)
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
