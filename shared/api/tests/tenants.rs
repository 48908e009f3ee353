//! API keys and tenants, on every endpoint, against DynamoDB Local: who may call what, and no
//! tenant ever sees or changes another's data.

use std::time::Duration;

use api::App;
use base64::prelude::{BASE64_STANDARD, Engine as _};
use domain::{
    Account, Act, ApiKey, Balance, Counter, PartyRole, Reading, Scope, Service, Transaction,
};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{Value, json};
use store::{ActReader, Dynamo};

mod common;
use common::{authorized, fixture, key, status_and_json, tenant};

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    Services,
    Accounts,
    Counters,
    Readings,
    Balances,
    Transactions,
    Acts,
    ActList,
    ActInfo,
    ActStatuses,
    Payers,
    Recipients,
}

use Endpoint::*;

const IMPORTS: [Endpoint; 7] = [
    Services,
    Accounts,
    Counters,
    Readings,
    Balances,
    Transactions,
    Acts,
];
const READS: [Endpoint; 5] = [ActList, ActInfo, ActStatuses, Payers, Recipients];

fn an_act(number: u64, payer: &str) -> Value {
    json!({"act_number": number, "created_at": "2020-01-01", "act_status": "sended",
           "payer": {"id": 1, "name": payer}, "recipient": {"id": 2, "name": "Получатель"},
           "services": [{"title": "Услуга", "amount": 100}]})
}

/// A request each endpoint would accept from a key that may call it.
fn request(endpoint: Endpoint) -> Request {
    let body = match endpoint {
        Services => fixture("prerequisites/services.json"),
        Accounts => fixture("prerequisites/accounts.json"),
        Counters => fixture("prerequisites/counters.json"),
        Readings => fixture("spec/readings.json"),
        Balances => fixture("spec/balances.json"),
        Transactions => fixture("spec/transactions.json"),
        Acts => json!({"acts": [an_act(1, "Плательщик")]}).to_string(),
        _ => String::new(),
    };
    let is_import = matches!(
        endpoint,
        Services | Accounts | Counters | Readings | Balances | Transactions | Acts
    );
    let method = if is_import { "POST" } else { "GET" };
    let request = lambda_http::http::Request::builder()
        .method(method)
        .body(Body::from(body))
        .unwrap();
    match endpoint {
        ActInfo => request.with_path_parameters(std::collections::HashMap::from([(
            "act_id".to_owned(),
            "1".to_owned(),
        )])),
        _ => request,
    }
}

async fn call(app: &App<Dynamo>, endpoint: Endpoint, request: Request) -> Response<Body> {
    let response = match endpoint {
        Services => api::import::<Service, _>(app, request).await,
        Accounts => api::import::<Account, _>(app, request).await,
        Counters => api::import::<Counter, _>(app, request).await,
        Readings => api::import::<Reading, _>(app, request).await,
        Balances => api::import::<Balance, _>(app, request).await,
        Transactions => api::import::<Transaction, _>(app, request).await,
        Acts => api::import::<Act, _>(app, request).await,
        ActList => api::acts::list(app, request).await,
        ActInfo => api::acts::info(app, request).await,
        ActStatuses => api::acts::statuses(app, request).await,
        Payers => api::acts::parties(app, request, PartyRole::Payer).await,
        Recipients => api::acts::parties(app, request, PartyRole::Recipient).await,
    };
    response.unwrap()
}

fn with_header(mut request: Request, value: &str) -> Request {
    request
        .headers_mut()
        .insert(AUTHORIZATION, value.parse().unwrap());
    request
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_malformed_or_unknown_key_with_401() {
    let (app, _) = common::app("nokey").await;
    for endpoint in IMPORTS.into_iter().chain(READS) {
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
            let response = call(&app, endpoint, request).await;
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
    let (app, _) = common::app("scopes").await;
    let reader = key(&app, "default", &[Scope::Read]).await;
    let importer = key(&app, "default", &[Scope::Import]).await;
    for endpoint in IMPORTS {
        let (status, answer) =
            status_and_json(call(&app, endpoint, authorized(request(endpoint), &reader)).await);
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{endpoint:?}"
        );
    }
    for endpoint in READS {
        let (status, _) =
            status_and_json(call(&app, endpoint, authorized(request(endpoint), &importer)).await);
        assert_eq!(status, 403, "{endpoint:?}");
        let (status, _) =
            status_and_json(call(&app, endpoint, authorized(request(endpoint), &reader)).await);
        assert!(status == 200 || status == 404, "{endpoint:?}: {status}");
    }
}

#[tokio::test]
async fn basic_authentication_with_the_key_as_password_works() {
    let (app, key) = common::app("basic").await;
    let basic = format!(
        "Basic {}",
        BASE64_STANDARD.encode(format!("любой:{}", key.reveal()))
    );
    let (status, _) =
        status_and_json(call(&app, Services, with_header(request(Services), &basic)).await);
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_revoked_key_stops_working_once_the_cache_expires() {
    let (app, _) = common::app("revoke").await;
    let cached = key(&app, "default", &Scope::ALL).await;
    let uncached_app =
        App::new(app.store().clone(), domain::PersonalData::Store).with_key_ttl(Duration::ZERO);
    let ok = |s: u16| s == 200;
    let status = |r| status_and_json(r).0;
    assert!(ok(status(
        call(&app, ActStatuses, authorized(request(ActStatuses), &cached)).await
    )));
    assert!(app.store().revoke_key(cached.hash().id()).await.unwrap());
    // Within the TTL the warm function still trusts what it read…
    assert!(ok(status(
        call(&app, ActStatuses, authorized(request(ActStatuses), &cached)).await
    )));
    // …and after it, the key is refused.
    assert_eq!(
        status(
            call(
                &uncached_app,
                ActStatuses,
                authorized(request(ActStatuses), &cached)
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
async fn tenants_importing_the_same_ids_see_only_their_own_data() {
    let (app, a) = common::app("isolation").await;
    let b = key(&app, "other", &Scope::ALL).await;
    let store = app.store();
    let post = |key: &ApiKey, body: String| {
        let request = lambda_http::http::Request::builder()
            .method("POST")
            .body(Body::from(body))
            .unwrap();
        authorized(request, key)
    };
    // A imports everything; B imports the same ids with other content.
    for endpoint in IMPORTS {
        let (status, answer) =
            status_and_json(call(&app, endpoint, authorized(request(endpoint), &a)).await);
        assert_eq!(status, 201, "A {endpoint:?}: {answer}");
    }
    // B's counter import refers to B's own directories: without them it is unknown to B.
    let (status, _) =
        status_and_json(call(&app, Counters, authorized(request(Counters), &b)).await);
    assert_eq!(status, 422, "A's directories are invisible to B");
    let services_b = fixture("prerequisites/services.json").replace("Окунево", "Другое СНТ");
    assert_eq!(
        status_and_json(call(&app, Services, post(&b, services_b)).await).0,
        201
    );
    let act_b = json!({"acts": [an_act(1, "Плательщик Б")]}).to_string();
    assert_eq!(
        status_and_json(call(&app, Acts, post(&b, act_b)).await).0,
        201
    );

    let services_a: Vec<Service> = store.directory(&common::tenant("default")).await.unwrap();
    let services_b: Vec<Service> = store.directory(&common::tenant("other")).await.unwrap();
    assert!(
        services_a
            .iter()
            .all(|s| s.organization.as_ref().unwrap().as_str() == "Окунево")
    );
    assert!(
        services_b
            .iter()
            .all(|s| s.organization.as_ref().unwrap().as_str() == "Другое СНТ")
    );
    assert_eq!(services_a.len(), services_b.len());

    let act_a = store
        .act(
            &tenant("default"),
            domain::ActNumber::parse_param("1").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(act_a.unwrap().payer.name.as_str(), "Плательщик");
    let (_, payers_b) = status_and_json(call(&app, Payers, authorized(request(Payers), &b)).await);
    assert_eq!(payers_b["data"], json!([{"id": 1, "name": "Плательщик Б"}]));

    // An act that only A has is 404 for B, never 403: its existence does not leak.
    let only_a = json!({"acts": [an_act(2, "Плательщик")]}).to_string();
    assert_eq!(
        status_and_json(call(&app, Acts, post(&a, only_a)).await).0,
        201
    );
    let info = |key: &ApiKey| {
        let r = request(ActInfo).with_path_parameters(std::collections::HashMap::from([(
            "act_id".to_owned(),
            "2".to_owned(),
        )]));
        authorized(r, key)
    };
    assert_eq!(status_and_json(call(&app, ActInfo, info(&a)).await).0, 200);
    let (status, answer) = status_and_json(call(&app, ActInfo, info(&b)).await);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (_, list_b) = status_and_json(call(&app, ActList, authorized(request(ActList), &b)).await);
    assert_eq!(list_b["data"]["total"], 1);
}

#[tokio::test]
async fn personal_data_is_pseudonymised_or_dropped_before_it_is_stored() {
    let h = common::app("pii").await;
    let store = h.0.store().clone();
    let key = h.1;
    let body = json!({"accounts": [
        {"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1", "full_name": "Смирнова Юлия Валерьевна",
         "phone": "+79332211223", "email": "user@mail.ru", "address": "ул. Молодежная, д. 3", "cadastral": "47:14:1203001:814",
         "square": "56,7"},
        {"id": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "name": "2", "full_name": "Смирнова Юлия Валерьевна"},
    ]})
    .to_string();
    let post = || {
        let request = lambda_http::http::Request::builder()
            .method("POST")
            .body(Body::from(body.clone()))
            .unwrap();
        authorized(request, &key)
    };

    let secret = "s".repeat(32);
    let hmac = App::new(
        store.clone(),
        domain::PersonalData::from_settings(None, Some(&secret)).unwrap(),
    );
    assert_eq!(status_and_json(call(&hmac, Accounts, post()).await).0, 201);
    let stored: Vec<Account> = store.directory(&common::tenant("default")).await.unwrap();
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

    let drop = App::new(store.clone(), domain::PersonalData::Drop);
    assert_eq!(status_and_json(call(&drop, Accounts, post()).await).0, 201);
    let stored: Vec<Account> = store.directory(&common::tenant("default")).await.unwrap();
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
