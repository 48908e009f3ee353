//! The one test harness, in the way of zero2prod's `TestApp`: an app on fresh DynamoDB Local
//! tables, a key for its tenant, one request builder (`requests.rs`: the endpoint's method and
//! path template), a method per endpoint in `Endpoint::ALL` order (`endpoints.rs`), one way to
//! make a variant of the app ([`TestApp::variant`]) and every interceptor
//! (`interceptors.rs`). Every call goes through `api::Endpoint::handle`, the handler each
//! function's `main` runs.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use api::{App, Endpoint};
use aws_sdk_dynamodb::config::Intercept;
use domain::{ApiKey, Clock, PersonalData, Scope, SigningKey, Tenant};
use lambda_http::{Body, Response};
use serde_json::{Value, json};
use store::{Dynamo, Table, Tables};

mod endpoints;
pub mod interceptors;
mod requests;

use interceptors::{CountCalls, FailWrites};
pub use requests::{Call, authorized, call, post};

/// What a variant of the app is made of ([`TestApp::variant`]).
pub struct Variant {
    pub store: Dynamo,
    pub personal_data: PersonalData,
    pub signing_key: SigningKey,
    pub key_ttl: Duration,
    pub tenant_limit: api::TenantLimit,
}

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
        // The tests send far faster than an office: the tenant limit is its own test's.
        let unlimited = api::TenantLimit {
            per_second: 1e9,
            burst: 1e9,
        };
        let app = App::new(Dynamo::new(client, tables), personal_data)
            .with_signing_key(signing_key())
            .with_clock(Clock::manual(chrono::Utc::now()))
            .with_tenant_limit(unlimited);
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
        let key = ApiKey::generate_resident();
        let now = self.clock().now();
        let until = now + chrono::Duration::days(90);
        self.store()
            .create_key_for(
                &key.hash(),
                &tenant(tenant_name),
                scopes,
                Some((account.parse().unwrap(), until)),
                now,
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
        self.variant(|v| {
            let config = v.store.client().config().to_builder();
            let client =
                aws_sdk_dynamodb::Client::from_conf(config.interceptor(interceptor).build());
            v.store = Dynamo::new(client, v.store.tables().clone());
        })
    }

    /// The same tables, tenant, key and clock, applying another personal-data policy.
    pub fn with_personal_data(&self, personal_data: PersonalData) -> TestApp {
        self.variant(|v| v.personal_data = personal_data)
    }

    /// The same tables, tenant, key and clock, with no cache of verified keys: what a warm
    /// function sees once the cache's minute is over.
    pub fn without_key_cache(&self) -> TestApp {
        self.variant(|v| v.key_ttl = Duration::ZERO)
    }

    /// The same app signing with another key: a deployment whose signing secret was rotated.
    pub fn with_signing_key(&self, key: SigningKey) -> TestApp {
        self.variant(|v| v.signing_key = key)
    }

    /// Another app on the same tables, tenant, key and clock, as `change` makes it: every
    /// variant of the app is made here, with a cache of verified keys of its own.
    pub fn variant(&self, change: impl FnOnce(&mut Variant)) -> TestApp {
        let mut variant = Variant {
            store: self.store().clone(),
            personal_data: self.app.personal_data().clone(),
            signing_key: self.app.signing_key().unwrap().clone(),
            key_ttl: self.app.key_ttl(),
            tenant_limit: self.app.tenant_limit(),
        };
        change(&mut variant);
        let app = App::new(variant.store, variant.personal_data)
            .with_signing_key(variant.signing_key)
            .with_clock(self.clock().clone())
            .with_key_ttl(variant.key_ttl)
            .with_tenant_limit(variant.tenant_limit);
        TestApp {
            app: Arc::new(app),
            key: self.key.clone(),
            tenant: self.tenant.clone(),
        }
    }

    /// `request` as it is (with its own key, or none), to `endpoint`'s handler.
    pub async fn call(&self, endpoint: Endpoint, request: lambda_http::Request) -> Response<Body> {
        endpoint.handle(&self.app, request).await.unwrap()
    }

    /// Status and JSON of [`TestApp::call`].
    pub async fn send(&self, endpoint: Endpoint, request: lambda_http::Request) -> (u16, Value) {
        status_and_json(self.call(endpoint, request).await)
    }

    /// A request to `endpoint` with the app's key, to build on ([`Call`]).
    pub fn to(&self, endpoint: Endpoint) -> Call {
        call(endpoint).key(&self.key)
    }

    /// The answer to a built request.
    pub async fn respond(&self, call: Call) -> Response<Body> {
        let endpoint = call.endpoint();
        self.call(endpoint, call.request()).await
    }

    /// Status and JSON of [`TestApp::respond`].
    pub async fn answer(&self, call: Call) -> (u16, Value) {
        status_and_json(self.respond(call).await)
    }

    /// `POST` of the text `body` to `endpoint`, with the app's key.
    pub async fn post(&self, endpoint: Endpoint, body: impl Into<String>) -> (u16, Value) {
        self.answer(self.to(endpoint).body(body.into())).await
    }

    /// [`TestApp::post`], which must answer `201`.
    pub async fn post_ok(&self, endpoint: Endpoint, body: impl Into<String>) -> Value {
        let (status, answer) = self.post(endpoint, body).await;
        assert_eq!(status, 201, "{endpoint:?}: {answer}");
        answer
    }

    /// `GET` with the path's parameters by name and a query string, with the app's key.
    pub async fn get(
        &self,
        endpoint: Endpoint,
        path: &[(&str, &str)],
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        self.answer(self.to(endpoint).named(path).query(query))
            .await
    }

    /// The spec's examples and what they refer to, imported in the order 1C sends them.
    pub async fn import_examples(&self) {
        for (endpoint, body) in [
            (Endpoint::ImportServices, "prerequisites/services.json"),
            (Endpoint::ImportAccounts, "prerequisites/accounts.json"),
            (Endpoint::ImportCounters, "prerequisites/counters.json"),
            (Endpoint::ImportServices, "spec/services.json"),
            (Endpoint::ImportAccounts, "spec/accounts.json"),
            (Endpoint::ImportCounters, "spec/counters.json"),
            (Endpoint::ImportReadings, "spec/readings.json"),
            (Endpoint::ImportBalances, "spec/balances.json"),
            (Endpoint::ImportTransactions, "spec/transactions.json"),
        ] {
            self.post_ok(endpoint, fixture(body)).await;
        }
    }

    /// The payees and the November 2018 receipts of `fixtures/receipts/`, after
    /// [`TestApp::import_examples`].
    pub async fn import_receipts(&self) {
        self.post_ok(
            Endpoint::ImportOrganizations,
            fixture("receipts/organizations.json"),
        )
        .await;
        self.post_ok(Endpoint::ImportReceipts, fixture("receipts/receipts.json"))
            .await;
    }

    /// Every item of every data table, for "nothing changed" checks. When an item was last
    /// written is bookkeeping for period imports, not data: it is left out, as is the journal.
    pub async fn snapshot(&self) -> BTreeMap<&'static str, Vec<String>> {
        let store = self.store();
        let mut all = BTreeMap::new();
        // The keys table holds the test's own key; the journal notes every request, refused
        // ones too (`journal.rs` tests it): neither is the office's data.
        let data = |t: &Table| !matches!(t, Table::ApiKeys | Table::Journal);
        for table in Table::ALL.into_iter().filter(data) {
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

/// The tests' signing key, as `make run`'s is: no secret.
pub fn signing_key() -> SigningKey {
    SigningKey::new(b"tests-only-not-a-secret-signing-key-0000").unwrap()
}
