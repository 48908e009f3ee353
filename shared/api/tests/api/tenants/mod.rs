//! API keys and tenants, on every endpoint, against DynamoDB Local: who may call what, and no
//! tenant ever sees or changes another's data.

use api::{Access, Endpoint};
use base64::prelude::{BASE64_STANDARD, Engine as _};
use domain::{Account, ApiKey, Scope, Service};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, RequestExt};
use serde_json::{Value, json};
use store::ActReader;

use crate::helpers::{TestApp, authorized, call, fixture, post, status_and_json, tenant};

mod isolation;

mod browsers;

fn an_act(number: u64, payer: &str) -> Value {
    json!({"act_number": number, "created_at": "2020-01-01", "act_status": "sended",
           "payer": {"id": 1, "name": payer}, "recipient": {"id": 2, "name": "Получатель"},
           "services": [{"title": "Услуга", "amount": 100}]})
}

/// A request each endpoint would accept from a key that may call it, without a key.
fn request(endpoint: Endpoint) -> Request {
    request_at(endpoint, None)
}

/// [`request`], for the id `id` in the path instead of the one it names.
fn request_at(endpoint: Endpoint, id: Option<&str>) -> Request {
    let body = match endpoint {
        Endpoint::ImportServices => fixture("prerequisites/services.json"),
        Endpoint::ImportAccounts => fixture("prerequisites/accounts.json"),
        Endpoint::ImportCounters => fixture("prerequisites/counters.json"),
        Endpoint::ImportReadings => fixture("spec/readings.json"),
        Endpoint::ImportBalances => fixture("spec/balances.json"),
        Endpoint::ImportTransactions => fixture("spec/transactions.json"),
        Endpoint::ImportActs => json!({"acts": [an_act(1, "Плательщик")]}).to_string(),
        Endpoint::ImportOrganizations => fixture("receipts/organizations.json"),
        Endpoint::ImportReceipts => fixture("receipts/receipts.json"),
        Endpoint::KeysCreate => {
            json!({"account": "358d67ad-d66e-11e3-bd79-94de80e97e9a"}).to_string()
        }
        // Above the meter's reading in spec/readings.json, with its three tariffs.
        Endpoint::CounterSubmit => {
            json!({"current_data1": 34, "current_data2": 10, "current_data3": 30}).to_string()
        }
        Endpoint::CounterExportAck => json!({"readings": []}).to_string(),
        Endpoint::SettingsPut => json!({"time_zone": "Europe/Moscow"}).to_string(),
        Endpoint::ExchangeOpen => {
            json!({"kind": "transactions", "from": "2018-12-01", "to": "2018-12-31", "parts": 1})
                .to_string()
        }
        _ => String::new(),
    };
    let path: &[(&str, &str)] = match endpoint {
        Endpoint::ActInfo | Endpoint::ActPrint | Endpoint::ActPrintLink => &[("act_id", "1")],
        Endpoint::AccountGet
        | Endpoint::AccountBalances
        | Endpoint::AccountTransactions
        | Endpoint::AccountReceipts => &[("id", "358d67ad-d66e-11e3-bd79-94de80e97e9a")],
        Endpoint::ReceiptPrint | Endpoint::ReceiptPrintLink => &[
            ("id", "358d67ad-d66e-11e3-bd79-94de80e97e9a"),
            ("period", "2018-11"),
        ],
        Endpoint::CounterReadings | Endpoint::CounterSubmit | Endpoint::CounterSubmissions => {
            &[("id", "a7a747b2-24d8-11e7-ae76-0050569f0c67")]
        }
        Endpoint::KeysRevoke => &[("id", "0123456789ab")],
        Endpoint::ExchangeGet => &[("id", "6f9619ff-8b86-d011-b42d-00cf4fc964ff")],
        _ => &[],
    };
    // The month stays: `id` names the account (or act, meter, key) the request is about.
    let path: Vec<(&str, &str)> = path
        .iter()
        .map(|&(k, v)| (k, if k == "period" { v } else { id.unwrap_or(v) }))
        .collect();
    call(endpoint).named(&path).body(body).request()
}

/// The imports: the routes that write 1C's data.
fn imports() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL.into_iter().filter(|e| e.table().is_some())
}

/// 1C's other routes: the export of residents' readings, its acknowledgement, the settings.
fn office_routes() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL
        .into_iter()
        .filter(|e| e.access() == Access::Tenant(Scope::Import) && e.table().is_none())
}

fn reads() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL
        .into_iter()
        .filter(|e| e.scopes().contains(&Scope::Read))
}

fn with_header(mut request: Request, value: &str) -> Request {
    request
        .headers_mut()
        .insert(AUTHORIZATION, value.parse().unwrap());
    request
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_malformed_or_unknown_key_with_401() {
    let app = TestApp::new("nokey").await;
    for endpoint in Endpoint::ALL {
        let unknown = format!("Bearer {}", ApiKey::generate().reveal());
        for header in [
            None,
            Some("Bearer"),
            Some("Token abc"),
            Some(unknown.as_str()),
        ] {
            let request = match header {
                None => request(endpoint),
                Some(h) => with_header(request(endpoint), h),
            };
            let response = app.call(endpoint, request).await;
            let challenge = response.headers().get("www-authenticate").cloned();
            let (status, answer) = status_and_json(response);
            assert_eq!(status, 401, "{endpoint:?} {header:?}");
            assert_eq!(answer["error"]["code"], "unauthorized");
            assert!(
                challenge.unwrap().to_str().unwrap().contains("Basic"),
                "{endpoint:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_key_without_the_scope_gets_403_on_every_endpoint_it_may_not_call() {
    let app = TestApp::new("scopes").await;
    let reader = app.key_for("default", &[Scope::Read]).await;
    let importer = app.key_for("default", &[Scope::Import]).await;
    for endpoint in imports().chain(office_routes()) {
        let (status, answer) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &reader))
                .await,
        );
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{endpoint:?}"
        );
    }
    let keys = Endpoint::ALL
        .into_iter()
        .filter(|e| e.scopes().contains(&Scope::Keys));
    for endpoint in keys {
        for key in [&reader, &importer] {
            let response = app.call(endpoint, authorized(request(endpoint), key)).await;
            assert_eq!(response.status(), 403, "{endpoint:?}");
        }
    }
    let submit = Endpoint::CounterSubmit;
    for key in [&reader, &importer] {
        let response = app.call(submit, authorized(request(submit), key)).await;
        assert_eq!(response.status(), 403, "{submit:?}");
    }
    for endpoint in reads() {
        let (status, _) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &importer))
                .await,
        );
        // The office's settings are 1C's to read too.
        let expected = if endpoint.scopes().contains(&Scope::Import) {
            200
        } else {
            403
        };
        assert_eq!(status, expected, "{endpoint:?}");
        let (status, _) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &reader))
                .await,
        );
        assert!([200, 201, 404].contains(&status), "{endpoint:?}: {status}");
    }
}

#[tokio::test]
async fn basic_authentication_with_the_key_as_password_works() {
    let app = TestApp::new("basic").await;
    let key = &app.key;
    let basic = format!(
        "Basic {}",
        BASE64_STANDARD.encode(format!("любой:{}", key.reveal()))
    );
    let (status, _) = status_and_json(
        app.call(
            Endpoint::ImportServices,
            with_header(request(Endpoint::ImportServices), &basic),
        )
        .await,
    );
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_revoked_key_stops_working_once_the_cache_expires() {
    let app = TestApp::new("revoke").await;
    let cached = app.key_for("default", &Scope::ALL).await;
    let uncached_app = app.without_key_cache();
    let ok = |s: u16| s == 200;
    let status = |r| status_and_json(r).0;
    assert!(ok(status(
        app.call(
            Endpoint::ActStatuses,
            authorized(request(Endpoint::ActStatuses), &cached)
        )
        .await
    )));
    assert!(app.store().revoke_key(cached.hash().id()).await.unwrap());
    // Within the TTL the warm function still trusts what it read…
    assert!(ok(status(
        app.call(
            Endpoint::ActStatuses,
            authorized(request(Endpoint::ActStatuses), &cached)
        )
        .await
    )));
    // …and after it, the key is refused.
    assert_eq!(
        status(
            uncached_app
                .call(
                    Endpoint::ActStatuses,
                    authorized(request(Endpoint::ActStatuses), &cached)
                )
                .await
        ),
        401
    );
    let listed = app.store().list_keys().await.unwrap();
    let record = listed.iter().find(|k| k.id == cached.hash().id()).unwrap();
    assert!(record.revoked_at.is_some());
    assert!(
        !app.store().revoke_key(cached.hash().id()).await.unwrap(),
        "revoked once"
    );
}

#[tokio::test]
async fn personal_data_is_pseudonymised_or_dropped_before_it_is_stored() {
    let app = TestApp::new("pii").await;
    let store = app.store().clone();
    let body = json!({"accounts": [
        {"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1", "full_name": "Смирнова Юлия Валерьевна",
         "phone": "+79332211223", "email": "user@mail.ru", "address": "ул. Молодежная, д. 3", "cadastral": "47:14:1203001:814",
         "square": "56,7"},
        {"id": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "name": "2", "full_name": "Смирнова Юлия Валерьевна"},
    ]})
    .to_string();
    let post = || authorized(post(body.clone()), &app.key);

    let secret = "s".repeat(32);
    let hmac = app.with_personal_data(
        domain::PersonalData::from_settings(None, Some(secret.as_bytes())).unwrap(),
    );
    assert_eq!(hmac.send(Endpoint::ImportAccounts, post()).await.0, 201);
    let stored: Vec<Account> = store.directory(&tenant("default")).await.unwrap();
    let raw = serde_json::to_string(
        &stored
            .iter()
            .map(|a| (&a.full_name, &a.phone, &a.email, &a.address, &a.cadastral))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for value in [
        "Смирнова",
        "79332211223",
        "user@mail.ru",
        "Молодежная",
        "1203001",
    ] {
        assert!(!raw.contains(value), "{value} stored in clear: {raw}");
    }
    assert_eq!(
        stored[0].full_name, stored[1].full_name,
        "equal names still match"
    );
    // Another office with the same resident: other pseudonyms, nothing links the two.
    let other = hmac.fresh_tenant("other").await;
    let request = authorized(self::post(body.clone()), &other.key);
    assert_eq!(other.send(Endpoint::ImportAccounts, request).await.0, 201);
    let theirs: Vec<Account> = store.directory(&tenant("other")).await.unwrap();
    for (ours, theirs) in stored.iter().zip(&theirs) {
        assert_eq!(ours.id, theirs.id);
        assert_ne!(ours.full_name, theirs.full_name, "linked across tenants");
    }
    assert!(
        stored[0]
            .full_name
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("hmac:")
    );
    assert_eq!(
        stored
            .iter()
            .find(|a| a.name.as_str() == "1")
            .unwrap()
            .square,
        Some("56.7".parse().unwrap())
    );

    let drop = app.with_personal_data(domain::PersonalData::Drop);
    assert_eq!(drop.send(Endpoint::ImportAccounts, post()).await.0, 201);
    let stored: Vec<Account> = store.directory(&tenant("default")).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|a| a.full_name.is_none() && a.phone.is_none() && a.email.is_none())
    );
    assert!(
        stored
            .iter()
            .all(|a| a.address.is_none() && a.cadastral.is_none())
    );
}
